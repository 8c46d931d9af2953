//! Request concerns, one extractor each, so a handler's arguments say what it needs and its
//! body is the business. Every rejection is an [`ApiError`]: malformed requests get the same
//! JSON error shape as everything else instead of axum's plain-text defaults.

use axum::extract::rejection::JsonRejection;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use colloquy_core::thread_key::check_thread_key;
use colloquy_core::tree::Sort;
use ipnet::IpNet;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::origins::SiteId;
use super::ApiError;
use crate::paging::{self, CursorError, Window};
use crate::state::AppState;
use crate::storage::{ThreadRef, DEFAULT_SITE};
use crate::words;

/// A JSON body.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge(words::current().api.body_too_large.clone())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType(words::current().api.not_json.clone())
        }
        _ => ApiError::BadRequest(words::current().bad_json(&rejection.body_text())),
    }
}

/// The `{key}` of a thread route, checked against the documented character set, in the
/// site the request is attributed to ([`SiteId`]).
pub struct ThreadKey(pub ThreadRef);

impl<S: Send + Sync> FromRequestParts<S> for ThreadKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(key) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(words::current().api.thread_key_not_text.clone()))?;
        check_thread_key(&key)
            .map_err(|error| ApiError::BadRequest(words::current().thread_key(error)))?;
        let SiteId(site) = SiteId::from_request_parts(parts, state).await?;
        Ok(ThreadKey(ThreadRef::new(site, key)))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for SiteId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<SiteId>()
            .copied()
            .unwrap_or(SiteId(DEFAULT_SITE)))
    }
}

/// The `{id}` of a comment route: a whole number.
pub struct CommentId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for CommentId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(words::current().api.bad_comment_id.clone()))?;
        Ok(CommentId(id))
    }
}

/// `?sort=oldest|newest|top`; oldest when absent.
pub struct SortQuery(pub Sort);

impl<S: Send + Sync> FromRequestParts<S> for SortQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        struct Raw {
            sort: Option<String>,
        }
        let Query(raw) = Query::<Raw>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(words::current().api.bad_query.clone()))?;
        match raw.sort.as_deref() {
            None => Ok(SortQuery(Sort::default())),
            Some(text) => Sort::parse(text)
                .map(SortQuery)
                .ok_or_else(|| ApiError::BadRequest(words::current().api.bad_sort.clone())),
        }
    }
}

/// How a thread page is asked for: `sort`, `limit` (conversations, 1 to
/// [`paging::MAX_LIMIT`]), and either `after` (a cursor from the previous page) or `around`
/// (a comment id: every page through the one that holds it).
pub struct PageQuery {
    pub sort: Sort,
    pub limit: usize,
    pub window: Window,
}

impl PageQuery {
    /// One text per distinct page, for the page cache.
    pub fn cache_key(&self) -> String {
        let window = match &self.window {
            Window::After(None) => String::new(),
            Window::After(Some(rank)) => paging::cursor(self.sort, rank),
            Window::Through(id) => format!("around {id}"),
        };
        format!("{} {} {window}", self.sort.as_str(), self.limit)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        struct Raw {
            limit: Option<String>,
            after: Option<String>,
            around: Option<String>,
        }
        let SortQuery(sort) = SortQuery::from_request_parts(parts, state).await?;
        let Query(raw) = Query::<Raw>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(words::current().api.bad_query.clone()))?;
        let words = words::current();
        let limit = match raw.limit.as_deref() {
            None => paging::DEFAULT_LIMIT,
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=paging::MAX_LIMIT).contains(n))
                .ok_or_else(|| ApiError::BadRequest(words.bad_limit(paging::MAX_LIMIT)))?,
        };
        let window = match (raw.after.as_deref(), raw.around.as_deref()) {
            (Some(_), Some(_)) => return Err(ApiError::BadRequest(words.api.bad_query.clone())),
            (Some(cursor), None) => Window::After(Some(
                paging::read_cursor(cursor, sort).map_err(|error| {
                    ApiError::BadRequest(match error {
                        CursorError::Malformed => words.api.bad_cursor.clone(),
                        CursorError::OtherSort => words.api.cursor_other_sort.clone(),
                    })
                })?,
            )),
            (None, Some(id)) => Window::Through(
                id.parse::<i64>()
                    .map_err(|_| ApiError::BadRequest(words.api.bad_comment_id.clone()))?,
            ),
            (None, None) => Window::After(None),
        };
        Ok(PageQuery {
            sort,
            limit,
            window,
        })
    }
}

/// The edit token of `Authorization: Bearer <token>` (never a URL, which ends up in logs).
/// A missing or malformed header is an empty token, which matches no comment: the handler
/// answers `404` for an unknown comment before it answers `403` for a wrong token.
pub struct EditToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for EditToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        Ok(EditToken(token.to_owned()))
    }
}

/// Where a live reader resumes: the later of `?after=<id>` and the `Last-Event-ID` header
/// (the browser's `EventSource` reconnects to the URL it was opened with, old `after` and
/// all, and sends the id it saw last in the header); `None` when neither is given.
pub struct ResumeAfter(pub Option<i64>);

impl<S: Send + Sync> FromRequestParts<S> for ResumeAfter {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        struct Raw {
            after: Option<String>,
        }
        let Query(raw) = Query::<Raw>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(words::current().api.bad_query.clone()))?;
        let header = parts
            .headers
            .get("last-event-id")
            .map(|value| value.to_str().unwrap_or("not text").to_owned());
        let parse = |text: String| {
            text.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id >= 0)
                .ok_or_else(|| ApiError::BadRequest(words::current().api.bad_event_id.clone()))
        };
        let after = raw.after.map(parse).transpose()?;
        let seen = header.map(parse).transpose()?;
        Ok(ResumeAfter(after.max(seen)))
    }
}

/// Whom the posting limit counts: the connection's address, or, when that is a trusted
/// proxy (`--trusted-proxy`), the right-most `X-Forwarded-For` address that is not itself
/// a trusted proxy. Entries further left were written by whoever sent the request and
/// prove nothing, so they are never read.
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::Internal("no connection info".into()))?;
        Ok(ClientAddress(client_address(
            peer.ip(),
            &parts.headers,
            &state.trusted_proxies,
        )))
    }
}

fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |address: &IpAddr| trusted.iter().any(|net| net.contains(address));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .collect();
    for entry in forwarded.iter().rev() {
        match entry.trim().parse::<IpAddr>() {
            Ok(address) if is_trusted(&address) => continue,
            Ok(address) => return address,
            // Garbage where an address should be: stop believing the chain here.
            Err(_) => return peer,
        }
    }
    peer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_trusted_proxies_are_believed_and_only_from_the_right() {
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let reader: IpAddr = "198.51.100.7".parse().unwrap();
        // A trusted proxy names the reader.
        assert_eq!(
            client_address(proxy, &forwarded(&["198.51.100.7"]), &trusted),
            reader
        );
        // A spoofed entry on the left is not read; two proxies in a row are skipped.
        assert_eq!(
            client_address(
                proxy,
                &forwarded(&["6.6.6.6, 198.51.100.7", "10.0.0.9"]),
                &trusted
            ),
            reader
        );
        // Anyone else is counted by their own address, whatever they claim.
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            client_address(stranger, &forwarded(&["198.51.100.7"]), &trusted),
            stranger
        );
        // No header, or garbage: the proxy itself.
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(
            client_address(proxy, &forwarded(&["not-an-address"]), &trusted),
            proxy
        );
    }
}
