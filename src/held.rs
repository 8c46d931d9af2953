//! The reader's own comments held for the site owner's approval, remembered across reloads.
//!
//! A held comment is in no thread page: only its author sees it, in the answer to their post
//! and, later, from `GET /api/v1/comments/{id}` with its edit token. So the widget keeps a
//! small list per server in `localStorage` (see
//! [`use_held_comments`](crate::hooks::use_held_comments)), and when a thread loads, asks for
//! each of that thread's held comments the page does not have. What the list holds and what
//! each answer means is decided here, without a browser.

use colloquy_core::model::Comment;

use crate::api::ApiError;
use crate::json::{FromJson, Json, ToJson, Writer};

/// One of the reader's held comments, as remembered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldComment {
    pub thread: String,
    pub id: i64,
    pub edit_token: String,
}

/// Stored as `{"thread", "id", "edit_token"}`.
impl FromJson for HeldComment {
    fn from_json(json: &Json) -> Option<Self> {
        Some(HeldComment {
            thread: json.get("thread").text()?,
            id: json.get("id").int()?,
            edit_token: json.get("edit_token").text()?,
        })
    }
}

impl ToJson for HeldComment {
    fn to_json(&self) -> wasm_bindgen::JsValue {
        Writer::new()
            .set("thread", self.thread.as_str())
            .set("id", self.id as f64)
            .set("edit_token", self.edit_token.as_str())
            .finish()
    }
}

/// How many held comments are remembered per server: the newest, so the list stays small
/// however many a reader leaves unapproved.
pub const MAX_HELD: usize = 20;

/// The storage key of the held comments posted to one server.
pub fn held_key(api: &str) -> String {
    ["colloquy:held:", api].concat()
}

/// Adds `held` as the newest (once, however often a retried post returns it), dropping the
/// oldest beyond [`MAX_HELD`].
pub fn remember(list: &mut Vec<HeldComment>, held: HeldComment) {
    forget(list, &held.thread, held.id);
    list.push(held);
    let over = list.len().saturating_sub(MAX_HELD);
    list.drain(..over);
}

pub fn forget(list: &mut Vec<HeldComment>, thread: &str, id: i64) {
    list.retain(|held| !(held.thread == thread && held.id == id));
}

/// What to do when a page of `thread` has loaded with the `published` comment ids: the
/// held comments it holds were approved and are forgotten; those it does not are returned,
/// to be asked for.
pub fn on_page(list: &mut Vec<HeldComment>, thread: &str, published: &[i64]) -> Vec<HeldComment> {
    list.retain(|held| !(held.thread == thread && published.contains(&held.id)));
    list.iter()
        .filter(|held| held.thread == thread)
        .cloned()
        .collect()
}

/// What the server's answer about a held comment means.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Still awaiting approval: shown to the reader again.
    Show(Box<Comment>),
    /// Approved (it is in the thread for everyone) or deleted by the owner (`404`, or
    /// `403` once the token no longer opens it): nothing more to remember.
    Forget,
    /// No answer worth acting on (offline, a server failure, a proxy's page): asked again
    /// on the next load.
    Keep,
}

pub fn verdict(id: i64, answer: Result<Comment, ApiError>) -> Verdict {
    match answer {
        Ok(comment) if comment.id != id => Verdict::Keep,
        Ok(comment) if comment.pending => Verdict::Show(Box::new(comment)),
        Ok(_) => Verdict::Forget,
        Err(ApiError::Refused(403 | 404, _)) => Verdict::Forget,
        Err(_) => Verdict::Keep,
    }
}

#[cfg(test)]
mod tests {
    use colloquy_core::model::ErrorBody;

    use super::*;

    fn held(thread: &str, id: i64) -> HeldComment {
        HeldComment {
            thread: thread.into(),
            id,
            edit_token: format!("token-{id}"),
        }
    }

    fn comment(id: i64, pending: bool) -> Comment {
        Comment {
            id,
            pending,
            ..Default::default()
        }
    }

    #[test]
    fn each_held_comment_is_remembered_once_and_the_list_stays_small() {
        let mut list = Vec::new();
        remember(&mut list, held("t", 1));
        remember(&mut list, held("u", 1));
        remember(&mut list, held("t", 1));
        assert_eq!(list, vec![held("u", 1), held("t", 1)]);
        for id in 2..=40 {
            remember(&mut list, held("t", id));
        }
        assert_eq!(list.len(), MAX_HELD);
        assert_eq!(list.last(), Some(&held("t", 40)));
        assert_eq!(list[0], held("t", 21), "the oldest go first");
    }

    #[test]
    fn a_page_that_has_them_forgets_them_and_the_rest_are_asked_for() {
        let mut list = vec![held("t", 1), held("t", 2), held("u", 3)];
        let ask = on_page(&mut list, "t", &[1, 5]);
        assert_eq!(ask, vec![held("t", 2)]);
        assert_eq!(list, vec![held("t", 2), held("u", 3)]);
        assert!(
            on_page(&mut list, "v", &[]).is_empty(),
            "other threads wait"
        );
        forget(&mut list, "t", 2);
        assert_eq!(list, vec![held("u", 3)]);
    }

    #[test]
    fn only_a_pending_answer_is_shown_and_only_a_clear_no_forgets() {
        let refused = |status| {
            Err(ApiError::Refused(
                status,
                ErrorBody {
                    message: "No.".into(),
                    errors: Vec::new(),
                },
            ))
        };
        assert_eq!(
            verdict(1, Ok(comment(1, true))),
            Verdict::Show(Box::new(comment(1, true)))
        );
        assert_eq!(verdict(1, Ok(comment(1, false))), Verdict::Forget);
        assert_eq!(verdict(1, refused(404)), Verdict::Forget);
        assert_eq!(verdict(1, refused(403)), Verdict::Forget);
        assert_eq!(verdict(1, Ok(comment(2, true))), Verdict::Keep);
        assert_eq!(verdict(1, refused(429)), Verdict::Keep);
        assert_eq!(verdict(1, Err(ApiError::Network)), Verdict::Keep);
        assert_eq!(verdict(1, Err(ApiError::Server)), Verdict::Keep);
        assert_eq!(verdict(1, Err(ApiError::Foreign(404))), Verdict::Keep);
    }
}
