//! The thread's state as a reducer: components dispatch
//! [`ThreadAction`](crate::state::ThreadAction)s and never touch the state directly, so
//! every transition is a plain function tested on the host.

use std::rc::Rc;

use colloquy_core::model::{Comment, ThreadPage};
use colloquy_core::rules::FormRules;
use yew::Reducible;

#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Loaded,
    /// A message for the reader (from the catalog).
    Failed(&'static str),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ThreadState {
    /// The thread being shown; answers for any other thread are stale and ignored.
    pub thread: String,
    pub load: Load,
    pub comments: Vec<Comment>,
    pub total: u64,
    /// The server's rules once `/config` answered; core's defaults until then.
    pub rules: FormRules,
    /// The comment whose reply form is open.
    pub replying_to: Option<i64>,
}

impl Default for ThreadState {
    fn default() -> Self {
        Self {
            thread: String::new(),
            load: Load::Loading,
            comments: Vec::new(),
            total: 0,
            rules: FormRules::default(),
            replying_to: None,
        }
    }
}

#[derive(Clone, Debug)]
pub enum ThreadAction {
    /// (Re)load `thread`: switching to another thread forgets the old one's comments.
    Load(String),
    Loaded(ThreadPage),
    LoadFailed(&'static str),
    RulesLoaded(FormRules),
    OpenReply(i64),
    CloseReply,
    /// The server accepted a comment: show it in place without reloading.
    Posted(Comment),
}

impl ThreadState {
    pub fn apply(mut self, action: ThreadAction) -> Self {
        match action {
            ThreadAction::Load(thread) => {
                if thread != self.thread {
                    self.comments.clear();
                    self.total = 0;
                    self.replying_to = None;
                    self.thread = thread;
                }
                self.load = Load::Loading;
            }
            ThreadAction::Loaded(page) if page.thread != self.thread => {}
            ThreadAction::Loaded(page) => {
                self.load = Load::Loaded;
                self.total = page.total;
                self.comments = page.comments;
            }
            ThreadAction::LoadFailed(message) => self.load = Load::Failed(message),
            ThreadAction::RulesLoaded(rules) => self.rules = rules,
            ThreadAction::OpenReply(id) => self.replying_to = Some(id),
            ThreadAction::CloseReply => self.replying_to = None,
            ThreadAction::Posted(comment) => {
                // A retried post may come back with a comment that is already shown.
                if !self.comments.iter().any(|c| c.id == comment.id) {
                    if comment.parent_id.is_some() && comment.parent_id == self.replying_to {
                        self.replying_to = None;
                    }
                    self.comments.push(comment);
                    self.total += 1;
                }
            }
        }
        self
    }
}

impl Reducible for ThreadState {
    type Action = ThreadAction;

    fn reduce(self: Rc<Self>, action: ThreadAction) -> Rc<Self> {
        Rc::new((*self).clone().apply(action))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: i64, parent_id: Option<i64>) -> Comment {
        Comment {
            id,
            parent_id,
            author: "A".into(),
            website: None,
            body: "b".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
        }
    }

    fn loaded(comments: Vec<Comment>) -> ThreadState {
        ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(ThreadPage {
                thread: "t".into(),
                total: comments.len() as u64,
                comments,
            }))
    }

    #[test]
    fn loading_then_loaded() {
        assert_eq!(ThreadState::default().load, Load::Loading);
        let state = loaded(vec![comment(1, None)]);
        assert_eq!(state.load, Load::Loaded);
        assert_eq!(state.total, 1);
    }

    #[test]
    fn a_posted_reply_is_added_once_and_closes_its_form() {
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::OpenReply(1));
        let state = state.apply(ThreadAction::Posted(comment(2, Some(1))));
        assert_eq!(state.total, 2);
        assert_eq!(state.replying_to, None);
        let state = state.apply(ThreadAction::Posted(comment(2, Some(1))));
        assert_eq!(state.total, 2, "a replayed post is not counted twice");
    }

    #[test]
    fn a_top_level_post_leaves_an_open_reply_form_alone() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::OpenReply(1))
            .apply(ThreadAction::Posted(comment(2, None)));
        assert_eq!(state.replying_to, Some(1));
    }

    #[test]
    fn answers_for_another_thread_are_ignored() {
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::Load("u".into()));
        assert!(state.comments.is_empty());
        let state = state.apply(ThreadAction::Loaded(ThreadPage {
            thread: "t".into(),
            total: 1,
            comments: vec![comment(1, None)],
        }));
        assert_eq!(state.load, Load::Loading);
        assert!(state.comments.is_empty());
    }

    #[test]
    fn failure_keeps_what_was_shown() {
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::LoadFailed("x"));
        assert_eq!(state.load, Load::Failed("x"));
        assert_eq!(state.comments.len(), 1);
    }
}
