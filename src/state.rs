//! The thread's state as a reducer: components dispatch
//! [`ThreadAction`](crate::state::ThreadAction)s and never touch the state directly, so
//! every transition is a plain function tested on the host.

use std::rc::Rc;

use colloquy_core::model::{Comment, CommentEvent, EventKind, ThreadPage};
use colloquy_core::rules::FormRules;
use yew::Reducible;

#[derive(Clone, Debug, PartialEq)]
pub enum Load {
    Loading,
    Loaded,
    /// A message for the reader (from the catalog).
    Failed(&'static str),
}

/// Where the focus goes after something the reader did changed the thread under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FocusTarget {
    /// The comment the reader just posted.
    Comment(i64),
    /// The Reply button of the comment whose reply form the reader closed: it is where they
    /// were before the form opened.
    ReplyButton(i64),
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
    /// Where `/config` was asked when its answer showed that no Colloquy server is there
    /// (no answer, a 404, not JSON). Shown instead of the load failure, when the thread
    /// fails too, because it names the likely cause: a wrong `data-api`.
    pub no_server_at: Option<String>,
    /// The comment whose reply form is open.
    pub replying_to: Option<i64>,
    /// The id of the last live event taken in (the page's `last_event_id` until one
    /// arrives): the event stream is reopened after it, and nothing at or before it is
    /// applied twice.
    pub last_event_id: i64,
    /// Comments by others that arrived live and have not been announced to screen readers
    /// long enough yet, as (id, author), oldest first.
    pub news: Vec<(i64, String)>,
    /// Whether the live region is telling screen readers that the reader's own comment was
    /// posted (until [`ThreadAction::NewsAnnounced`]).
    pub posted_news: bool,
    /// The reader's latest own comment on this page: it can take the focus.
    pub last_posted: Option<i64>,
    /// Where the focus should go, asked once per bump of [`ThreadState::focus_requests`].
    pub focus: Option<FocusTarget>,
    pub focus_requests: u32,
}

impl Default for ThreadState {
    fn default() -> Self {
        Self {
            thread: String::new(),
            load: Load::Loading,
            comments: Vec::new(),
            total: 0,
            rules: FormRules::default(),
            no_server_at: None,
            replying_to: None,
            last_event_id: 0,
            news: Vec::new(),
            posted_news: false,
            last_posted: None,
            focus: None,
            focus_requests: 0,
        }
    }
}

#[derive(Clone, Debug)]
pub enum ThreadAction {
    /// (Re)load `thread`: switching to another thread forgets the old one's comments.
    Load(String),
    Loaded(ThreadPage),
    /// Loading `thread` failed, with the words to show (ignored once another thread is
    /// shown: a late failure of the last one must not mark this one).
    LoadFailed(String, &'static str),
    RulesLoaded(FormRules),
    /// `/config` at this URL did not answer as a Colloquy server does.
    NoServer(String),
    OpenReply(i64),
    /// The reader closed the reply form (Cancel, Escape): the focus goes back to the
    /// comment's Reply button.
    CloseReply,
    /// The server accepted the reader's comment: show it in place without reloading, give
    /// it the focus and say so in the live region.
    Posted(Comment),
    /// An event of the thread's live stream, with its id. Events replayed after a
    /// reconnection, and the event of a comment this reader just posted, change nothing
    /// that is already shown.
    Live(i64, CommentEvent),
    /// The news have been in the live region long enough; the next comment starts afresh.
    NewsAnnounced,
}

impl ThreadState {
    pub fn apply(mut self, action: ThreadAction) -> Self {
        match action {
            ThreadAction::Load(thread) => {
                if thread != self.thread {
                    self.comments.clear();
                    self.total = 0;
                    self.replying_to = None;
                    self.last_event_id = 0;
                    self.news.clear();
                    self.posted_news = false;
                    self.last_posted = None;
                    self.focus = None;
                    self.thread = thread;
                }
                self.load = Load::Loading;
            }
            ThreadAction::Loaded(page) if page.thread != self.thread => {}
            ThreadAction::Loaded(page) => {
                self.load = Load::Loaded;
                self.total = page.total;
                self.comments = page.comments;
                // The page is the truth now: events after it will be replayed, and those
                // it already holds are recognised by their comment ids.
                self.last_event_id = page.last_event_id;
                let shown = &self.comments;
                self.news
                    .retain(|(id, _)| shown.iter().any(|c| c.id == *id));
            }
            ThreadAction::LoadFailed(thread, _) if thread != self.thread => {}
            ThreadAction::LoadFailed(_, message) => self.load = Load::Failed(message),
            ThreadAction::RulesLoaded(rules) => {
                self.rules = rules;
                self.no_server_at = None;
            }
            ThreadAction::NoServer(url) => self.no_server_at = Some(url),
            ThreadAction::OpenReply(id) => self.replying_to = Some(id),
            ThreadAction::CloseReply => {
                if let Some(id) = self.replying_to.take() {
                    self.ask_focus(FocusTarget::ReplyButton(id));
                }
            }
            ThreadAction::Posted(comment) => {
                // The reply form closes even when the comment's live event came first.
                if comment.parent_id.is_some() && comment.parent_id == self.replying_to {
                    self.replying_to = None;
                }
                // It is this reader's own comment: not news to them, however it arrived.
                self.news.retain(|(id, _)| *id != comment.id);
                self.posted_news = true;
                self.last_posted = Some(comment.id);
                self.ask_focus(FocusTarget::Comment(comment.id));
                // A retried post may come back with a comment that is already shown.
                if !self.comments.iter().any(|c| c.id == comment.id) {
                    self.comments.push(comment);
                    self.total += 1;
                }
            }
            // Between a (re)load and its page the stream is closed; whatever was still on
            // its way is covered by the page and the events replayed after it.
            ThreadAction::Live(..) if self.load != Load::Loaded => {}
            ThreadAction::Live(id, _) if id <= self.last_event_id => {}
            ThreadAction::Live(id, CommentEvent { kind, comment }) => {
                self.last_event_id = id;
                match self.comments.iter_mut().find(|c| c.id == comment.id) {
                    Some(shown) if kind == EventKind::Edited => shown.body = comment.body,
                    Some(_) => {}
                    // An edit of a comment this page never had is still a comment to show.
                    None => {
                        self.news.push((comment.id, comment.author.clone()));
                        self.comments.push(comment);
                        self.total += 1;
                    }
                }
            }
            ThreadAction::NewsAnnounced => {
                self.news.clear();
                self.posted_news = false;
            }
        }
        self
    }

    fn ask_focus(&mut self, target: FocusTarget) {
        self.focus = Some(target);
        self.focus_requests += 1;
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

    fn page(thread: &str, comments: Vec<Comment>, last_event_id: i64) -> ThreadPage {
        ThreadPage {
            thread: thread.into(),
            total: comments.len() as u64,
            comments,
            last_event_id,
        }
    }

    fn loaded(comments: Vec<Comment>) -> ThreadState {
        ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page("t", comments, 0)))
    }

    fn created(comment: Comment) -> CommentEvent {
        CommentEvent {
            kind: EventKind::Created,
            comment,
        }
    }

    fn by(id: i64, author: &str) -> Comment {
        Comment {
            author: author.into(),
            ..comment(id, None)
        }
    }

    fn ids(state: &ThreadState) -> Vec<i64> {
        state.comments.iter().map(|c| c.id).collect()
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
    fn closing_a_reply_form_sends_the_focus_back_to_its_reply_button() {
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::OpenReply(1));
        assert_eq!(
            state.focus_requests, 0,
            "the form focuses its own first field"
        );
        let state = state.apply(ThreadAction::CloseReply);
        assert_eq!(state.replying_to, None);
        assert_eq!(state.focus, Some(FocusTarget::ReplyButton(1)));
        assert_eq!(state.focus_requests, 1);
        let again = state.clone().apply(ThreadAction::CloseReply);
        assert_eq!(again, state, "no form, no focus to move");
    }

    #[test]
    fn the_readers_post_takes_the_focus_and_is_announced_once() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::OpenReply(1))
            .apply(ThreadAction::Posted(comment(2, Some(1))));
        assert_eq!(state.focus, Some(FocusTarget::Comment(2)));
        assert_eq!(state.focus_requests, 1, "not to the Reply button as well");
        assert_eq!(state.last_posted, Some(2));
        assert!(state.posted_news);
        let state = state.apply(ThreadAction::NewsAnnounced);
        assert!(!state.posted_news);
        assert_eq!(state.last_posted, Some(2), "it can still hold the focus");
        let other = state.apply(ThreadAction::Load("u".into()));
        assert_eq!((other.last_posted, other.focus), (None, None));
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
        let state = state.apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 0)));
        assert_eq!(state.load, Load::Loading);
        assert!(state.comments.is_empty());
    }

    #[test]
    fn failure_keeps_what_was_shown() {
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::LoadFailed("t".into(), "x"));
        assert_eq!(state.load, Load::Failed("x"));
        assert_eq!(state.comments.len(), 1);
        let other = state.apply(ThreadAction::Load("u".into()));
        let other = other.apply(ThreadAction::LoadFailed("t".into(), "late"));
        assert_eq!(
            other.load,
            Load::Loading,
            "the last thread's failure is not this one's"
        );
    }

    #[test]
    fn live_events_start_after_the_page() {
        let state = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 40)));
        assert_eq!(state.last_event_id, 40);
        let state = state.apply(ThreadAction::Live(41, created(by(2, "Ada"))));
        assert_eq!(ids(&state), vec![1, 2]);
        assert_eq!(state.total, 2);
        assert_eq!(state.last_event_id, 41);
        assert_eq!(state.news, vec![(2, "Ada".to_owned())]);
    }

    #[test]
    fn a_replayed_or_repeated_event_shows_its_comment_once() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Live(5, created(by(2, "Ada"))))
            .apply(ThreadAction::Live(6, created(by(3, "Ben"))));
        // The stream was reopened after 4 instead of 6, so both come again.
        let replayed = state
            .clone()
            .apply(ThreadAction::Live(5, created(by(2, "Ada"))))
            .apply(ThreadAction::Live(6, created(by(3, "Ben"))));
        assert_eq!(replayed, state);
        // A page read later holds them already; its events, replayed after an older id,
        // add nothing either.
        let reloaded = state
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page(
                "t",
                vec![comment(1, None), by(2, "Ada"), by(3, "Ben")],
                4,
            )))
            .apply(ThreadAction::Live(5, created(by(2, "Ada"))))
            .apply(ThreadAction::Live(6, created(by(3, "Ben"))));
        assert_eq!(ids(&reloaded), vec![1, 2, 3]);
        assert_eq!(reloaded.total, 3);
        assert_eq!(reloaded.last_event_id, 6);
    }

    #[test]
    fn the_readers_own_post_then_its_event_is_one_comment_and_no_news() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Posted(by(2, "Me")))
            .apply(ThreadAction::Live(9, created(by(2, "Me"))));
        assert_eq!(ids(&state), vec![1, 2]);
        assert_eq!(state.total, 2);
        assert_eq!(state.last_event_id, 9);
        assert!(state.news.is_empty());
    }

    #[test]
    fn the_readers_own_event_before_its_answer_is_one_comment_and_no_news() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::OpenReply(1))
            .apply(ThreadAction::Live(9, created(comment(2, Some(1)))));
        assert_eq!(state.news.len(), 1);
        let state = state.apply(ThreadAction::Posted(comment(2, Some(1))));
        assert_eq!(ids(&state), vec![1, 2]);
        assert_eq!(state.total, 2);
        assert!(state.news.is_empty(), "not announced as someone else's");
        assert_eq!(state.replying_to, None, "the reply form still closes");
    }

    #[test]
    fn an_edit_replaces_the_body_in_place() {
        let state = loaded(vec![comment(1, None), comment(2, None)]).apply(ThreadAction::Live(
            3,
            CommentEvent {
                kind: EventKind::Edited,
                comment: Comment {
                    body: "edited".into(),
                    ..comment(1, None)
                },
            },
        ));
        assert_eq!(ids(&state), vec![1, 2]);
        assert_eq!(state.comments[0].body, "edited");
        assert_eq!(state.total, 2, "an edit is not a new comment");
        assert!(state.news.is_empty());
    }

    #[test]
    fn older_and_equal_event_ids_are_ignored() {
        let state = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 10)));
        let edit = CommentEvent {
            kind: EventKind::Edited,
            comment: Comment {
                body: "stale".into(),
                ..comment(1, None)
            },
        };
        let state = state
            .apply(ThreadAction::Live(10, created(by(2, "Ada"))))
            .apply(ThreadAction::Live(7, edit));
        assert_eq!(ids(&state), vec![1]);
        assert_eq!(state.comments[0].body, "b");
        assert_eq!(state.last_event_id, 10);
    }

    #[test]
    fn events_wait_for_the_page() {
        let state = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Live(3, created(by(2, "Ada"))));
        assert!(state.comments.is_empty());
        assert_eq!(state.last_event_id, 0);
    }

    #[test]
    fn another_thread_starts_its_events_and_news_afresh() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Live(8, created(by(2, "Ada"))))
            .apply(ThreadAction::Load("u".into()));
        assert_eq!(state.last_event_id, 0);
        assert!(state.news.is_empty());
    }

    #[test]
    fn news_gather_until_announced() {
        let state = loaded(vec![])
            .apply(ThreadAction::Live(1, created(by(1, "Ada"))))
            .apply(ThreadAction::Live(2, created(by(2, "Ben"))));
        assert_eq!(state.news.len(), 2);
        let state = state.apply(ThreadAction::NewsAnnounced);
        assert!(state.news.is_empty());
        assert_eq!(state.total, 2);
    }

    #[test]
    fn a_foreign_config_is_remembered_until_the_rules_arrive() {
        let url = "https://x.example/api/v1/config".to_owned();
        let state = loaded(vec![]).apply(ThreadAction::NoServer(url.clone()));
        assert_eq!(state.no_server_at, Some(url));
        let state = state.apply(ThreadAction::RulesLoaded(FormRules::default()));
        assert_eq!(state.no_server_at, None);
    }
}
