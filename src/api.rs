//! The API client. It calls the page's global `fetch` at call time (not a copy taken at
//! start), which is also what lets the browser tests stand in for the server.
//!
//! Every answer that is not the one asked for becomes an
//! [`ApiError`](crate::api::ApiError), named as the server names the same concept
//! (`TooManyRequests` for its 429, `Validation` for its 422), so a reader of both sides
//! follows one vocabulary.

use std::rc::Rc;

use colloquy_core::model::{CommentEdit, ErrorBody, LikeRequest, NewComment, PreviewRequest};
use colloquy_core::scan::{decimal, parse_digits, trim_end_byte};
use colloquy_core::tree::Sort;
use colloquy_core::validation::FieldError;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Request, RequestInit, Response};

use crate::json::{decode, stringify, FromJson, Json, ToJson};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(request: &Request) -> Result<js_sys::Promise, JsValue>;
}

#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// No HTTP answer at all.
    Network,
    /// 5xx, or an answer that was not the JSON we expect.
    Server,
    /// 429: posting too quickly; the seconds to wait, from `Retry-After`.
    TooManyRequests(u64),
    /// 422 naming the fields at fault, each with the server's sentence.
    Validation(Vec<FieldError>),
    /// Any other 4xx, with the server's explanation.
    Refused(u16, ErrorBody),
    /// An answer below 500 that no Colloquy server gives: its body is not the JSON asked
    /// for (an HTML page, another service's JSON). Usually a base URL that points at some
    /// other web server; see [`ApiError::means_no_server`].
    Foreign(u16),
}

impl ApiError {
    /// Whether this answer to `GET /api/v1/config`, which every Colloquy server has, says
    /// that no Colloquy server is at the base URL: nothing answered, the path is unknown
    /// there, or what answered is not ours. A Colloquy server's own refusals (403, 429)
    /// and failures (5xx) do not count.
    pub fn means_no_server(&self) -> bool {
        matches!(
            self,
            ApiError::Network | ApiError::Foreign(_) | ApiError::Refused(404, _)
        )
    }
}

/// Where the Colloquy server is: `data-api`, or the folder the loader came from. Either
/// may include a path, for a server deployed under one (`https://example.org/comments`).
///
/// Cheap to clone: it travels in the thread's context to every component that posts.
#[derive(Clone, Debug, PartialEq)]
pub struct Api {
    base: Rc<str>,
    /// The reader's language, sent as `Accept-Language` so the server's sentences (its
    /// error answers) come in the widget's words; empty: the browser's own header.
    lang: Rc<str>,
}

/// Where every endpoint lives below the base.
const API_PATH: &str = "/api/v1";

impl Api {
    /// `base` is the URL the server answers under, without `/api/v1`: given with it (an
    /// easy mistake, since every endpoint starts there), the suffix is dropped, so
    /// `https://comments.example.org/api/v1/` means `https://comments.example.org`.
    pub fn new(base: &str) -> Self {
        let mut base = trim_end_byte(base.trim(), b'/');
        let cut = base.len().saturating_sub(API_PATH.len());
        if base
            .get(cut..)
            .is_some_and(|tail| tail.eq_ignore_ascii_case(API_PATH))
        {
            base = trim_end_byte(&base[..cut], b'/');
        }
        Self {
            base: Rc::from(base),
            lang: Rc::from(""),
        }
    }

    /// The same server, asked to answer in `lang`.
    pub fn with_lang(mut self, lang: &str) -> Self {
        self.lang = Rc::from(lang);
        self
    }

    /// Where the server keeps the catalog of `lang`.
    pub fn locale_url(&self, lang: &str) -> String {
        [&self.base, "/locales/", lang, ".json"].concat()
    }

    /// The server's base URL, as understood (no trailing `/`, no `/api/v1`).
    pub fn base(&self) -> &str {
        &self.base
    }

    fn thread_path(&self, thread: &str) -> String {
        let key = String::from(js_sys::encode_uri_component(thread));
        [&self.base, API_PATH, "/threads/", &key].concat()
    }

    fn thread_url(&self, thread: &str) -> String {
        [self.thread_path(thread).as_str(), "/comments"].concat()
    }

    /// The thread's server-sent events, from the first one after event `after`.
    pub fn events_url(&self, thread: &str, after: i64) -> String {
        [&self.thread_path(thread), "/events?after=", &decimal(after)].concat()
    }

    /// Where the server's configuration is asked for: the URL a reader is told about when
    /// no Colloquy server answers there.
    pub fn config_url(&self) -> String {
        [&self.base, API_PATH, "/config"].concat()
    }

    /// Where one comment is asked for by its author.
    pub fn comment_url(&self, id: i64) -> String {
        [&self.base, API_PATH, "/comments/", &decimal(id)].concat()
    }

    /// The site's public settings: the form's rules and the edit window.
    pub fn config(&self) -> Call {
        Call::new("GET", self.config_url())
    }

    /// The first page of the thread (the URL the loader asks for ahead, see
    /// [`take_early`]), the page after `after`, or every page through the one holding
    /// comment `around` (a permalink).
    pub fn thread(
        &self,
        thread: &str,
        sort: Sort,
        after: Option<&str>,
        around: Option<i64>,
    ) -> Call {
        let mut url = [&self.thread_url(thread), "?sort=", sort.as_str()].concat();
        if let Some(after) = after {
            url.push_str("&after=");
            url.push_str(&String::from(js_sys::encode_uri_component(after)));
        }
        if let Some(id) = around {
            url.push_str("&around=");
            url.push_str(&decimal(id));
        }
        Call::new("GET", url)
    }

    /// Likes (or, with `like` false, unlikes) comment `id` as the reader whose voter token
    /// is `voter`.
    pub fn like(&self, id: i64, voter: &str, like: bool) -> Call {
        let request = LikeRequest {
            voter: voter.into(),
        };
        let method = if like { "POST" } else { "DELETE" };
        Call::new(method, [&self.comment_url(id), "/like"].concat()).with_body(&request)
    }

    /// The reader's change to their own comment, with its edit token.
    pub fn edit(&self, id: i64, edit_token: &str, body: &str) -> Call {
        Call::new("PATCH", self.comment_url(id))
            .with_body(&CommentEdit { body: body.into() })
            .with_token(edit_token)
    }

    /// Deletes the reader's own comment, with its edit token.
    pub fn delete(&self, id: i64, edit_token: &str) -> Call {
        Call::new("DELETE", self.comment_url(id)).with_token(edit_token)
    }

    /// Posts a comment. Stored, it comes back with its edit token: `201`, `200` for a
    /// retry, or `202` when it is held for the site owner's approval (then
    /// [`Comment::pending`](colloquy_core::model::Comment::pending) is set). Every 2xx is success.
    pub fn post_comment(&self, thread: &str, comment: &NewComment) -> Call {
        Call::new("POST", self.thread_url(thread)).with_body(comment)
    }

    /// The body as readers would see it, parsed by the server (nothing is stored).
    pub fn preview(&self, body: &str) -> Call {
        let request = PreviewRequest { body: body.into() };
        Call::new("POST", [&self.base, API_PATH, "/preview"].concat()).with_body(&request)
    }

    /// One of the reader's own comments as it is now, asked for with its edit token: how
    /// the reader finds out whether a comment held for approval still is (`pending`), was
    /// approved, or is gone (`404`; `403` when the token no longer opens it).
    pub fn own_comment(&self, id: i64, edit_token: &str) -> Call {
        Call::new("GET", self.comment_url(id)).with_token(edit_token)
    }

    /// Starts the request with the page's `fetch`.
    fn fetch(&self, call: &Call) -> Result<js_sys::Promise, ApiError> {
        let init = RequestInit::new();
        init.set_method(call.method);
        if let Some(body) = &call.body {
            let text = stringify(body).ok_or(ApiError::Server)?;
            init.set_body(&JsValue::from_str(&text));
        }
        let request =
            Request::new_with_str_and_init(&call.url, &init).map_err(|_| ApiError::Network)?;
        if !self.lang.is_empty() {
            request
                .headers()
                .set("accept-language", &self.lang)
                .map_err(|_| ApiError::Network)?;
        }
        if call.body.is_some() {
            request
                .headers()
                .set("content-type", "application/json")
                .map_err(|_| ApiError::Network)?;
        }
        if let Some(token) = &call.token {
            request
                .headers()
                .set("authorization", &["Bearer ", token].concat())
                .map_err(|_| ApiError::Network)?;
        }
        global_fetch(&request).map_err(|_| ApiError::Network)
    }

    /// Sends the request; a 2xx answer comes back parsed, with its status (`null` for
    /// `204 No Content`), anything else as the error it means. [`read`] reads the answer
    /// as the type the request asked for.
    pub async fn send(&self, call: Call) -> Result<(u16, Json), ApiError> {
        let early = if call.method == "GET" {
            take_early(&call.url)
        } else {
            None
        };
        let promise = match early {
            Some(promise) => promise,
            None => self.fetch(&call)?,
        };
        let response: Response = JsFuture::from(promise)
            .await
            .map_err(|_| ApiError::Network)?
            .dyn_into()
            .map_err(|_| ApiError::Network)?;
        let text_promise = response.text().map_err(|_| ApiError::Network)?;
        let text = JsFuture::from(text_promise)
            .await
            .map_err(|_| ApiError::Network)?
            .as_string()
            .unwrap_or_default();
        let status = response.status();
        if let Ok(Some(date)) = response.headers().get("date") {
            crate::clock::heard_server_date(&date);
        }
        if status == 204 {
            return Json::parse("null")
                .map(|null| (status, null))
                .ok_or(ApiError::Foreign(status));
        }
        if status == 429 {
            let wait = response
                .headers()
                .get("retry-after")
                .ok()
                .flatten()
                .and_then(|value| parse_digits(value.trim(), 10))
                .unwrap_or(60);
            return Err(ApiError::TooManyRequests(wait));
        }
        match status {
            // 200, 201, and 202 for a comment held for approval.
            200..=299 => Json::parse(&text)
                .map(|answer| (status, answer))
                .ok_or(ApiError::Foreign(status)),
            400..=499 => {
                let body: ErrorBody = decode(&text).ok_or(ApiError::Foreign(status))?;
                if status == 422 && !body.errors.is_empty() {
                    Err(ApiError::Validation(body.errors))
                } else {
                    Err(ApiError::Refused(status, body))
                }
            }
            _ => Err(ApiError::Server),
        }
    }
}

/// One request to the server, made by the methods of [`Api`] and sent by [`Api::send`].
/// Requests are values and one future sends them all: with an `async fn` per request,
/// each had been a future of its own, written out again inside every caller's.
pub struct Call {
    method: &'static str,
    url: String,
    /// The JSON body, written out when sent.
    body: Option<JsValue>,
    /// The edit token of the reader's own comment, sent as `Bearer`.
    token: Option<String>,
}

impl Call {
    fn new(method: &'static str, url: String) -> Call {
        Call {
            method,
            url,
            body: None,
            token: None,
        }
    }

    fn with_body<T: ToJson + ?Sized>(mut self, body: &T) -> Call {
        self.body = Some(body.to_json());
        self
    }

    fn with_token(mut self, token: &str) -> Call {
        self.token = Some(token.to_owned());
        self
    }
}

/// A 2xx answer read as the `T` its request asks for (`Api::send(…).await.and_then(read)`);
/// an answer that is not one is no Colloquy server's ([`ApiError::Foreign`]).
pub fn read<T: FromJson>((status, answer): (u16, Json)) -> Result<T, ApiError> {
    T::from_json(&answer).ok_or(ApiError::Foreign(status))
}

/// The answer the loader already asked for at `url` while the wasm loaded
/// (`Colloquy.take` in `loader/embed.js`), given out once; `None` when there is none (or
/// no loader: a Yew app that embeds the component).
fn take_early(url: &str) -> Option<js_sys::Promise> {
    let colloquy = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("Colloquy")).ok()?;
    let take: js_sys::Function = js_sys::Reflect::get(&colloquy, &JsValue::from_str("take"))
        .ok()?
        .dyn_into()
        .ok()?;
    take.call1(&colloquy, &JsValue::from_str(url))
        .ok()?
        .dyn_into()
        .ok()
}

/// A fresh idempotency key: 128 random bits as 32 hex digits.
pub fn new_idempotency_key() -> String {
    let mut bytes = [0u8; 16];
    let filled = web_sys::window()
        .and_then(|window| window.crypto().ok())
        .and_then(|crypto| crypto.get_random_values_with_u8_array(&mut bytes).ok())
        .is_some();
    if !filled {
        // No Web Crypto (very old browsers): time and Math.random still make collisions
        // within one thread practically impossible, which is all a key must do.
        let seed = (js_sys::Date::now() as u64) ^ ((js_sys::Math::random() * 2f64.powi(52)) as u64);
        bytes[..8].copy_from_slice(&seed.to_le_bytes());
        bytes[8..]
            .copy_from_slice(&((js_sys::Math::random() * 2f64.powi(52)) as u64).to_le_bytes());
    }
    hex(&bytes)
}

/// `bytes` as lowercase hex, two digits each.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 15)]])
        .map(char::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_lowercase_hex() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn the_base_may_have_a_path() {
        let api = Api::new("https://example.org/comments/");
        assert_eq!(api.base(), "https://example.org/comments");
        assert_eq!(
            api.config_url(),
            "https://example.org/comments/api/v1/config"
        );
        assert_eq!(
            api.comment_url(42),
            "https://example.org/comments/api/v1/comments/42"
        );
    }

    #[test]
    fn a_base_given_with_the_api_path_means_the_base() {
        for given in [
            "https://comments.example.org/api/v1",
            "https://comments.example.org/api/v1/",
            "https://comments.example.org//api/v1//",
            "https://comments.example.org/API/V1",
        ] {
            let api = Api::new(given);
            assert_eq!(api.base(), "https://comments.example.org", "{given}");
            assert_eq!(
                api.config_url(),
                "https://comments.example.org/api/v1/config"
            );
        }
        assert_eq!(
            Api::new("https://example.org/comments/api/v1").base(),
            "https://example.org/comments"
        );
        assert_eq!(
            Api::new("https://example.org/api/v10").base(),
            "https://example.org/api/v10",
            "only the whole segment is dropped"
        );
    }

    #[test]
    fn only_answers_no_colloquy_server_gives_mean_no_server() {
        let body = |message: &str| ErrorBody {
            message: message.into(),
            errors: Vec::new(),
        };
        assert!(ApiError::Network.means_no_server());
        assert!(ApiError::Foreign(200).means_no_server());
        assert!(ApiError::Foreign(404).means_no_server());
        assert!(ApiError::Refused(404, body("There is no such API endpoint.")).means_no_server());
        assert!(!ApiError::Refused(403, body("This site is not allowed.")).means_no_server());
        assert!(!ApiError::Server.means_no_server());
        assert!(!ApiError::TooManyRequests(3).means_no_server());
    }
}
