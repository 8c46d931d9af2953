//! Drafts (DESIGN.md rule 4): what a reader types is kept in the page's `localStorage` as
//! they type, one draft per server, thread and comment replied to, and given back after a
//! reload, a crash or a failed post. Only the server accepting the comment clears it.
//! Storage that is full or switched off only means no draft; the form works as before.

use crate::api::{decode, encode};
use crate::form_state::FormValues;

/// The storage key of one form's draft.
pub fn key(api: &str, thread: &str, parent: Option<i64>) -> String {
    let place = parent.map_or_else(|| "top".to_owned(), |id| id.to_string());
    format!("colloquy:draft:{api}|{thread}|{place}")
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

pub fn load(key: &str) -> Option<FormValues> {
    decode(&storage()?.get_item(key).ok()??)
}

/// Keeps `values`, or forgets the draft when there is nothing in it.
pub fn save(key: &str, values: &FormValues) {
    let Some(storage) = storage() else { return };
    if values == &FormValues::default() {
        let _ = storage.remove_item(key);
    } else if let Some(text) = encode(values) {
        let _ = storage.set_item(key, &text);
    }
}

pub fn clear(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}
