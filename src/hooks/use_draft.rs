//! Drafts (ARCHITECTURE.md, rule 4): what a reader types is kept in the page's `localStorage` as
//! they type, one draft per server, thread and comment replied to, and given back after a
//! reload, a crash or a failed post. Only the server accepting the comment clears it.
//! Storage that is full or switched off only means no draft; the form works as before.
//! The comment form's draft is its `FormValues`, the "Email me replies" box included: a
//! reloaded form comes back with the box as the reader left it, shown beside the address
//! it was ticked for (see the form's [`Drafted`] implementation in `form_state.rs`).

use yew::prelude::*;

use super::use_effect_when;
use wasm_bindgen::JsValue;

use crate::json::{stringify, FromJson, Json, ToJson};

/// A reducer state with a part worth keeping across reloads. The state decides what that
/// part is and when it is no longer wanted, so the decision is tested on the host.
pub trait Drafted: Reducible {
    type Draft: ToJson + FromJson + PartialEq + 'static;

    /// What to keep now; `None` when there is nothing worth keeping any more.
    fn draft(&self) -> Option<Self::Draft>;

    /// Puts back a draft saved by an earlier page or instance.
    fn restore(&mut self, draft: Self::Draft);
}

/// The storage key of one form's draft: the server, the thread, and the comment replied to
/// (`top` for the thread's own form).
pub fn draft_key(api: &str, thread: &str, parent: Option<i64>) -> String {
    let place = parent.map_or_else(|| "top".to_owned(), crate::text::decimal);
    ["colloquy:draft:", api, "|", thread, "|", &place].concat()
}

/// [`use_reducer`] for a state that is kept as a draft under `key`: the first render starts
/// from `init()` with the saved draft put back, and every render after which the draft
/// changed saves it (or forgets it once [`Drafted::draft`] says `None`).
///
/// ```
/// use colloquy::form_state::FormState;
/// use colloquy::hooks::{draft_key, use_draft};
/// use colloquy_core::rules::FormRules;
/// use yew::prelude::*;
///
/// #[component]
/// fn QuickReply() -> Html {
///     let key = draft_key("https://comments.example.org", "/blog/hello", None);
///     let form = use_draft(key, || FormState::new(FormRules::default(), "key-1".into()));
///     html! { <p>{form.values.body.clone()}</p> }
/// }
/// # let _ = html! { <QuickReply /> };
/// ```
#[hook]
pub fn use_draft<T, F>(key: String, init: F) -> UseReducerHandle<T>
where
    T: Drafted + 'static,
    F: FnOnce() -> T,
{
    let state = use_reducer({
        let key = key.clone();
        move || {
            let mut state = init();
            if let Some(draft) = load(&key) {
                state.restore(draft);
            }
            state
        }
    });
    // The draft is compared by value, so a render that changed nothing a reader typed does
    // not write to storage.
    use_effect_when((key, state.draft()), |(key, draft)| match draft {
        Some(draft) => save(key, draft),
        None => forget(key),
    });
    state
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What is kept under `key`; `None` when nothing is, or storage is unavailable or holds
/// something unreadable. (The held comments' list is kept the same way.)
pub(crate) fn load<D: FromJson>(key: &str) -> Option<D> {
    D::from_json(&stored(key)?)
}

/// What is kept under `key`, parsed (the part of [`load`] that is the same for every type).
fn stored(key: &str) -> Option<Json> {
    Json::parse(&storage()?.get_item(key).ok()??)
}

pub(crate) fn save<D: ToJson + ?Sized>(key: &str, draft: &D) {
    store(key, &draft.to_json());
}

fn store(key: &str, value: &JsValue) {
    if let (Some(storage), Some(text)) = (storage(), stringify(value)) {
        // Full or forbidden storage: the reader keeps typing, only without a safety net.
        let _ = storage.set_item(key, &text);
    }
}

pub(crate) fn forget(key: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(key);
    }
}
