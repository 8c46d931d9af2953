//! What the widget remembers of the reader, per server, in the page's `localStorage` (no
//! cookies: the same in every browser, whatever it does about third-party cookies):
//!
//! - their voter token (`colloquy:voter`), random and made once, which likes are counted
//!   by; the server keeps only its hash;
//! - the comments they liked (`colloquy:liked:<server>`), so the button shows it;
//! - the edit tokens of the comments they posted (`colloquy:own:<server>`, the newest
//!   [`held::MAX_HELD`]), so they can edit or delete them within the site's window.
//!
//! Storage that is full or switched off costs only these conveniences.

use crate::held::{self, HeldComment};
use crate::hooks::use_draft::{forget, load, save};
use crate::json::{FromJson, Json, ToJson};

/// The reader's voter token: made on first use, 32 hex digits of Web Crypto.
pub fn voter() -> String {
    const KEY: &str = "colloquy:voter";
    if let Some(Token(token)) = load::<Token>(KEY) {
        if token.len() >= 16 {
            return token;
        }
    }
    let token = crate::api::new_idempotency_key();
    save(KEY, &Token(token.clone()));
    token
}

struct Token(String);

impl FromJson for Token {
    fn from_json(json: &Json) -> Option<Self> {
        json.text().map(Token)
    }
}

impl ToJson for Token {
    fn to_json(&self) -> wasm_bindgen::JsValue {
        self.0.as_str().into()
    }
}

/// The ids of comments the reader liked on the server at `api`.
pub fn liked(api: &str) -> Vec<i64> {
    load::<Ids>(&liked_key(api)).map_or_else(Vec::new, |ids| ids.0)
}

/// Remembers that the reader likes comment `id` (or no longer does).
pub fn set_liked(api: &str, id: i64, like: bool) {
    let mut ids = liked(api);
    ids.retain(|liked| *liked != id);
    if like {
        ids.push(id);
    }
    // The newest thousand: older likes only lose their highlight.
    let over = ids.len().saturating_sub(1000);
    ids.drain(..over);
    save(&liked_key(api), &Ids(ids));
}

fn liked_key(api: &str) -> String {
    ["colloquy:liked:", api].concat()
}

struct Ids(Vec<i64>);

impl FromJson for Ids {
    fn from_json(json: &Json) -> Option<Self> {
        json.items()?
            .iter()
            .map(Json::int)
            .collect::<Option<_>>()
            .map(Ids)
    }
}

impl ToJson for Ids {
    fn to_json(&self) -> wasm_bindgen::JsValue {
        self.0
            .iter()
            .map(|id| wasm_bindgen::JsValue::from_f64(*id as f64))
            .collect::<js_sys::Array>()
            .into()
    }
}

fn own_key(api: &str) -> String {
    ["colloquy:own:", api].concat()
}

/// The reader's own comments on the server at `api`, with their edit tokens.
pub fn own(api: &str) -> Vec<HeldComment> {
    load::<Vec<HeldComment>>(&own_key(api)).unwrap_or_default()
}

/// Remembers a comment the reader has just posted.
pub fn remember_own(api: &str, comment: HeldComment) {
    let mut list = own(api);
    held::remember(&mut list, comment);
    save(&own_key(api), &list[..]);
}

/// Forgets a comment the reader deleted.
pub fn forget_own(api: &str, thread: &str, id: i64) {
    let mut list = own(api);
    held::forget(&mut list, thread, id);
    if list.is_empty() {
        forget(&own_key(api));
    } else {
        save(&own_key(api), &list[..]);
    }
}
