//! The reader's own comments held for approval, across reloads (see [`crate::held`]): kept
//! in the page's `localStorage`, one small list per server, as drafts are. Storage that is
//! full or switched off only means a held comment is not shown again after a reload.

use yew::platform::spawn_local;
use yew::prelude::*;

use super::use_draft::{forget, load, save};
use super::use_effect_when;
use crate::api::{read, Api};
use crate::held::{self, held_key, HeldComment, Verdict};
use crate::state::{Load, ThreadAction, ThreadState};

/// Each time a page of the thread has loaded, asks the server about the reader's held
/// comments on it that the page does not have, with their edit tokens: those still
/// pending are shown again ([`ThreadAction::Held`]); those approved (the page has them, or
/// the server says so) or deleted are forgotten.
///
/// ```
/// use colloquy::api::Api;
/// use colloquy::hooks::use_held_comments;
/// use colloquy::state::ThreadState;
/// use yew::prelude::*;
///
/// #[component]
/// fn Mine() -> Html {
///     let state = use_reducer(ThreadState::default);
///     use_held_comments(&Api::new("https://comments.example.org"), &state);
///     html! { <p>{state.comments.iter().filter(|c| c.pending).count()}</p> }
/// }
/// # let _ = html! { <Mine /> };
/// ```
#[hook]
pub fn use_held_comments(api: &Api, state: &UseReducerHandle<ThreadState>) {
    let loaded = state.load == Load::Loaded;
    let state = state.clone();
    use_effect_when(
        (api.clone(), state.thread.clone(), loaded),
        move |(api, thread, loaded)| {
            if !*loaded {
                return;
            }
            let key = held_key(api.base());
            let Some(mut list) = load::<Vec<HeldComment>>(&key) else {
                return;
            };
            let published: Vec<i64> = state
                .comments
                .iter()
                .filter(|c| !c.pending)
                .map(|c| c.id)
                .collect();
            let before = list.len();
            let ask = held::on_page(&mut list, thread, &published);
            if list.len() != before {
                store(&key, &list);
            }
            for comment in ask {
                let (api, thread, key) = (api.clone(), thread.clone(), key.clone());
                let dispatcher = state.dispatcher();
                spawn_local(async move {
                    let call = api.own_comment(comment.id, &comment.edit_token);
                    let answer = api.send(call).await.and_then(read);
                    match held::verdict(comment.id, answer) {
                        Verdict::Show(shown) => {
                            dispatcher.dispatch(ThreadAction::Held(thread, *shown));
                        }
                        Verdict::Forget => {
                            // Read again: other answers may have changed the list meanwhile.
                            let mut list = load::<Vec<HeldComment>>(&key).unwrap_or_default();
                            held::forget(&mut list, &comment.thread, comment.id);
                            store(&key, &list);
                        }
                        Verdict::Keep => {}
                    }
                });
            }
        },
    );
}

/// Remembers a comment the server has just held for approval, with its edit token, so the
/// reader sees it again after a reload.
pub fn remember_held(api: &Api, comment: HeldComment) {
    let key = held_key(api.base());
    let mut list = load::<Vec<HeldComment>>(&key).unwrap_or_default();
    held::remember(&mut list, comment);
    store(&key, &list);
}

fn store(key: &str, list: &[HeldComment]) {
    if list.is_empty() {
        forget(key);
    } else {
        save(key, list);
    }
}
