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

/// What the live region says about the reader's own comment, until
/// [`ThreadAction::NewsAnnounced`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnPost {
    /// It was published.
    Published,
    /// It was received and is held for the site owner's approval.
    Held,
}

/// Where "Show more comments" stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum More {
    #[default]
    Idle,
    Loading,
    /// The last attempt failed: the button says so and offers another try.
    Failed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ThreadState {
    /// The thread being shown; answers for any other thread are stale and ignored.
    pub thread: String,
    pub load: Load,
    /// What is shown: the page's comments (tombstones included, see [`Comment::deleted`]),
    /// those that arrived live, and the reader's own comments held for approval
    /// ([`Comment::pending`]), which nobody else sees.
    pub comments: Vec<Comment>,
    /// The heading's count: what everyone sees, so never the reader's held comments.
    pub total: u64,
    /// The site's owner closed the thread: no form, no Reply buttons.
    pub locked: bool,
    /// The server's rules once `/config` answered; core's defaults until then.
    pub rules: FormRules,
    /// Whether `/config` answered: until then the form says it waits, rather than take a
    /// comment under rules the server may not share.
    pub rules_known: bool,
    /// How long after posting its author may edit or delete a comment, in seconds (the
    /// server's `edit_window_secs`; 0 until known).
    pub edit_window_secs: u64,
    /// The cursor of the page after those shown (`None`: everything is shown).
    pub next: Option<String>,
    pub more: More,
    /// Conversations whose replies the reader hid, by their first comment's id.
    pub collapsed: Vec<i64>,
    /// Conversations whose every reply the reader asked to see (past the first few).
    pub all_replies: Vec<i64>,
    /// The comment a permalink (`#comment-<id>`) asked for, once it is shown.
    pub highlight: Option<i64>,
    /// A permalink named a comment this thread does not show.
    pub permalink_missing: bool,
    /// The comments the reader likes (as their browser remembers, then as they click).
    pub liked: Vec<i64>,
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
    /// What the live region is telling screen readers of the reader's own comment: posted,
    /// or held for approval (until [`ThreadAction::NewsAnnounced`]).
    pub posted_news: Option<OwnPost>,
    /// The reader's latest own comment on this page: it can take the focus.
    pub last_posted: Option<i64>,
    /// Where the focus should go, asked once per bump of [`ThreadState::focus_requests`].
    pub focus: Option<FocusTarget>,
    pub focus_requests: u32,
    /// A page of comments has just arrived and the browser has not painted since: the
    /// thread draws only its first comments ([`FIRST_PAINT`]) until
    /// [`ThreadAction::Painted`], so a reader (on a slow phone above all) sees them a
    /// whole page's drawing sooner.
    pub first_paint: bool,
    /// The server answered this thread's first page (or failed to): from then on the form
    /// is offered. Until then, and while its first comments are painted, it waits: the
    /// comments come first, and the form, drawn below them, does not delay them.
    pub answered: bool,
    /// Bumped by [`ThreadAction::Reload`]: the configuration and the thread are asked for
    /// again each time.
    pub reloads: u32,
}

/// How many comments the first frame after a page arrives draws: about a phone's screen
/// (the thread usually starts below the article, so less than a screen shows at first).
pub const FIRST_PAINT: usize = 5;

impl Default for ThreadState {
    fn default() -> Self {
        Self {
            thread: String::new(),
            load: Load::Loading,
            comments: Vec::new(),
            total: 0,
            locked: false,
            rules: FormRules::default(),
            rules_known: false,
            edit_window_secs: 0,
            next: None,
            more: More::Idle,
            collapsed: Vec::new(),
            all_replies: Vec::new(),
            highlight: None,
            permalink_missing: false,
            liked: Vec::new(),
            no_server_at: None,
            replying_to: None,
            last_event_id: 0,
            news: Vec::new(),
            posted_news: None,
            last_posted: None,
            focus: None,
            focus_requests: 0,
            first_paint: false,
            answered: false,
            reloads: 0,
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
    /// The server's configuration: its form rules and its edit window, in seconds.
    RulesLoaded(FormRules, u64),
    /// The comments the reader liked before, as their browser remembers.
    LikedBefore(Vec<i64>),
    /// "Show more comments" asked for the next page.
    MoreLoading,
    /// The next page of `thread` arrived.
    MoreLoaded(ThreadPage),
    MoreFailed,
    /// A permalink's comment is shown (`Some`), or is not in the thread (`None`).
    Highlight(Option<i64>),
    /// Hides or shows the replies of the conversation that starts with this comment.
    ToggleCollapsed(i64),
    /// Shows every reply of the conversation that starts with this comment.
    AllReplies(i64),
    /// The reader's like (true) or unlike was counted: the comment's count now.
    Liked(i64, u64, bool),
    /// The reader edited their own comment: it is shown as the server now has it.
    Edited(Comment),
    /// The reader deleted their own comment.
    Deleted(i64),
    /// `/config` at this URL did not answer as a Colloquy server does.
    NoServer(String),
    OpenReply(i64),
    /// The reader closed the reply form (Cancel, Escape): the focus goes back to the
    /// comment's Reply button.
    CloseReply,
    /// The server accepted the reader's comment: show it in place without reloading, give
    /// it the focus and say so in the live region. A comment held for approval
    /// ([`Comment::pending`]) is shown to this reader only and not counted.
    Posted(Comment),
    /// One of the reader's own comments on `thread`, remembered from an earlier visit and
    /// asked for with its edit token, is still awaiting approval: it is shown to them
    /// again, not counted, not announced.
    Held(String, Comment),
    /// An event of the thread's live stream, with its id. Events replayed after a
    /// reconnection, and the event of a comment this reader just posted, change nothing
    /// that is already shown. The publication of a comment this reader holds as pending
    /// (the owner approved it) takes its place and counts; a deletion removes the comment,
    /// or leaves a tombstone where replies hang from it.
    Live(i64, CommentEvent),
    /// The news have been in the live region long enough; the next comment starts afresh.
    NewsAnnounced,
    /// The browser painted the first comments of a page that arrived: draw the rest.
    Painted,
    /// Ask the server again for everything (the reader's Retry, a permalink to a comment
    /// not shown).
    Reload,
}

impl ThreadState {
    pub fn apply(mut self, action: ThreadAction) -> Self {
        match action {
            ThreadAction::Load(thread) => {
                if thread != self.thread {
                    self.comments.clear();
                    self.total = 0;
                    self.locked = false;
                    self.replying_to = None;
                    self.last_event_id = 0;
                    self.news.clear();
                    self.posted_news = None;
                    self.last_posted = None;
                    self.focus = None;
                    self.next = None;
                    self.collapsed.clear();
                    self.all_replies.clear();
                    self.highlight = None;
                    self.permalink_missing = false;
                    self.answered = false;
                    self.thread = thread;
                }
                self.more = More::Idle;
                self.load = Load::Loading;
            }
            ThreadAction::Loaded(page) if page.thread != self.thread => {}
            ThreadAction::Loaded(page) => {
                self.load = Load::Loaded;
                // Only the thread's first answer is drawn in two frames: a reload (a retry,
                // a permalink followed later) redraws what is on screen at once.
                self.first_paint = !self.answered;
                self.answered = true;
                self.total = page.total;
                self.locked = page.locked;
                self.next = page.next;
                if self.locked {
                    self.replying_to = None;
                }
                // The reader's own held comments are in no page: they stay until the page
                // has them (approved) or a check finds them gone.
                let held: Vec<Comment> = self
                    .comments
                    .drain(..)
                    .filter(|c| c.pending && !page.comments.iter().any(|p| p.id == c.id))
                    .collect();
                self.comments = page.comments;
                self.comments.extend(held);
                // The page is the truth now: events after it will be replayed, and those
                // it already holds are recognised by their comment ids.
                self.last_event_id = page.last_event_id;
                let shown = &self.comments;
                self.news
                    .retain(|(id, _)| shown.iter().any(|c| c.id == *id));
            }
            ThreadAction::LoadFailed(thread, _) if thread != self.thread => {}
            ThreadAction::LoadFailed(_, message) => {
                self.load = Load::Failed(message);
                self.answered = true;
            }
            ThreadAction::RulesLoaded(rules, edit_window_secs) => {
                self.rules = rules;
                self.edit_window_secs = edit_window_secs;
                self.rules_known = true;
                self.no_server_at = None;
            }
            ThreadAction::LikedBefore(ids) => self.liked = ids,
            ThreadAction::MoreLoading => self.more = More::Loading,
            ThreadAction::MoreFailed => self.more = More::Failed,
            ThreadAction::MoreLoaded(page) if page.thread != self.thread => {}
            ThreadAction::MoreLoaded(page) => {
                self.more = More::Idle;
                self.total = page.total;
                self.next = page.next;
                // Comments that came live meanwhile are shown once.
                for comment in page.comments {
                    if !self.comments.iter().any(|c| c.id == comment.id) {
                        self.comments.push(comment);
                    }
                }
            }
            ThreadAction::Highlight(Some(id)) => {
                // Wherever it is, the reader sees it: its conversation opens.
                self.reveal(id);
                self.highlight = Some(id);
            }
            ThreadAction::Highlight(None) => self.permalink_missing = true,
            ThreadAction::ToggleCollapsed(id) => {
                if self.collapsed.contains(&id) {
                    self.collapsed.retain(|c| *c != id);
                } else {
                    self.collapsed.push(id);
                }
            }
            ThreadAction::AllReplies(id) => {
                if !self.all_replies.contains(&id) {
                    self.all_replies.push(id);
                }
            }
            ThreadAction::Liked(id, likes, like) => {
                if let Some(shown) = self.comments.iter_mut().find(|c| c.id == id) {
                    shown.likes = likes;
                }
                self.liked.retain(|liked| *liked != id);
                if like {
                    self.liked.push(id);
                }
            }
            ThreadAction::Edited(comment) => self.publish(EventKind::Edited, comment),
            ThreadAction::Deleted(id) => self.delete(Comment {
                id,
                deleted: true,
                ..Default::default()
            }),
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
                self.posted_news = Some(if comment.pending {
                    OwnPost::Held
                } else {
                    OwnPost::Published
                });
                self.last_posted = Some(comment.id);
                self.ask_focus(FocusTarget::Comment(comment.id));
                if let Some(parent) = comment.parent_id {
                    self.reveal(parent);
                }
                // A retried post may come back with a comment that is already shown.
                if !self.comments.iter().any(|c| c.id == comment.id) {
                    if !comment.pending {
                        self.total += 1;
                    }
                    self.comments.push(comment);
                }
            }
            ThreadAction::Held(thread, _) if thread != self.thread || self.load != Load::Loaded => {
            }
            ThreadAction::Held(_, comment) if !comment.pending => {}
            ThreadAction::Held(_, comment) => {
                match self.comments.iter_mut().find(|c| c.id == comment.id) {
                    Some(shown) if shown.pending => *shown = comment,
                    // Published meanwhile: what everyone sees wins.
                    Some(_) => {}
                    None => self.comments.push(comment),
                }
            }
            // Between a (re)load and its page the stream is closed; whatever was still on
            // its way is covered by the page and the events replayed after it.
            ThreadAction::Live(..) if self.load != Load::Loaded => {}
            ThreadAction::Live(id, _) if id <= self.last_event_id => {}
            ThreadAction::Live(id, CommentEvent { kind, comment }) => {
                self.last_event_id = id;
                match kind {
                    EventKind::Deleted => self.delete(comment),
                    // Only the count is news, and only for a comment shown here.
                    EventKind::Liked => {
                        if let Some(shown) = self.comments.iter_mut().find(|c| c.id == comment.id) {
                            shown.likes = comment.likes;
                        }
                    }
                    // Nobody else ever sees a held comment, whatever a stream carries.
                    _ if comment.pending => {}
                    EventKind::Created | EventKind::Edited => self.publish(kind, comment),
                }
            }
            ThreadAction::NewsAnnounced => {
                self.news.clear();
                self.posted_news = None;
            }
            ThreadAction::Painted => self.first_paint = false,
            ThreadAction::Reload => self.reloads += 1,
        }
        self
    }

    /// A comment created or edited, as everyone now sees it.
    fn publish(&mut self, kind: EventKind, comment: Comment) {
        let parent_unshown = comment
            .parent_id
            .is_some_and(|parent| !self.comments.iter().any(|c| c.id == parent));
        match self.comments.iter_mut().find(|c| c.id == comment.id) {
            // The reader's own held comment, approved: it takes the place of the pending
            // one, counts from now on, and is no news to its author.
            Some(shown) if shown.pending => {
                *shown = comment;
                self.total += 1;
            }
            Some(shown) if kind == EventKind::Edited => {
                shown.body = comment.body;
                shown.content = comment.content;
                shown.pinned = comment.pinned;
                shown.by_owner = comment.by_owner;
                shown.edited = comment.edited;
                shown.likes = comment.likes;
            }
            Some(_) => {}
            // A reply in a conversation on a page not shown yet: that page will bring it.
            None if parent_unshown => self.total += 1,
            // An edit of a comment this page never had is still a comment to show.
            None => {
                self.news.push((comment.id, comment.author.clone()));
                self.comments.push(comment);
                self.total += 1;
            }
        }
    }

    /// A comment deleted by the site's owner: where shown comments answer it, it stays as
    /// a tombstone, so they keep their place; otherwise it goes, and so does any tombstone
    /// it leaves without replies. A comment that was never shown stays unshown.
    fn delete(&mut self, tombstone: Comment) {
        let Some(index) = self.comments.iter().position(|c| c.id == tombstone.id) else {
            return;
        };
        if self.replying_to == Some(tombstone.id) {
            self.replying_to = None;
        }
        self.news.retain(|(id, _)| *id != tombstone.id);
        if self.has_replies(tombstone.id) {
            let shown = &mut self.comments[index];
            // A tombstone is not counted (the server's total leaves it out either).
            if !shown.deleted && !shown.pending {
                self.total = self.total.saturating_sub(1);
            }
            shown.deleted = true;
            shown.pending = false;
            shown.author.clear();
            shown.body.clear();
            shown.content.clear();
            shown.website = None;
            return;
        }
        let mut gone = self.comments.remove(index);
        loop {
            if !gone.pending && !gone.deleted {
                self.total = self.total.saturating_sub(1);
            }
            if self.last_posted == Some(gone.id) {
                self.last_posted = None;
            }
            let parent = gone.parent_id.and_then(|parent| {
                self.comments
                    .iter()
                    .position(|c| c.id == parent && c.deleted)
                    .filter(|_| !self.has_replies(parent))
            });
            match parent {
                Some(index) => gone = self.comments.remove(index),
                None => break,
            }
        }
    }

    /// Opens the conversation that holds comment `id`, with all its replies.
    fn reveal(&mut self, id: i64) {
        let mut root = id;
        // Bounded by the comments shown, so a cycle in corrupt data cannot hang.
        for _ in 0..self.comments.len() {
            match self
                .comments
                .iter()
                .find(|c| c.id == root)
                .and_then(|c| c.parent_id)
            {
                Some(parent) if self.comments.iter().any(|c| c.id == parent) => root = parent,
                _ => break,
            }
        }
        self.collapsed.retain(|c| *c != root);
        if !self.all_replies.contains(&root) {
            self.all_replies.push(root);
        }
    }

    fn has_replies(&self, id: i64) -> bool {
        self.comments.iter().any(|c| c.parent_id == Some(id))
    }

    fn ask_focus(&mut self, target: FocusTarget) {
        self.focus = Some(target);
        self.focus_requests += 1;
    }
}

impl Reducible for ThreadState {
    type Action = ThreadAction;

    fn reduce(self: Rc<Self>, action: ThreadAction) -> Rc<Self> {
        // Painted again (the frame and the fallback timer both say so): nothing changes,
        // and the same state draws nothing again.
        if matches!(action, ThreadAction::Painted) && !self.first_paint {
            return self;
        }
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
            ..Default::default()
        }
    }

    fn page(thread: &str, comments: Vec<Comment>, last_event_id: i64) -> ThreadPage {
        ThreadPage {
            thread: thread.into(),
            // As the server counts: tombstones are not comments.
            total: comments.iter().filter(|c| !c.deleted).count() as u64,
            comments,
            last_event_id,
            locked: false,
            content_version: 1,
            next: None,
        }
    }

    #[test]
    fn each_reload_is_counted_whatever_the_thread() {
        // The effects that ask the server depend on this count: a reload must always
        // change it, and switching threads must not reset it to a value seen before.
        let state = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Reload);
        assert_eq!(state.reloads, 1);
        let state = state
            .apply(ThreadAction::Load("u".into()))
            .apply(ThreadAction::Reload);
        assert_eq!(state.reloads, 2);
    }

    #[test]
    fn more_pages_add_what_is_not_shown_and_keep_the_total_of_the_thread() {
        let mut first = page("t", vec![comment(1, None), comment(2, Some(1))], 0);
        first.total = 5;
        first.next = Some("c1aa".into());
        let state = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(first));
        assert_eq!(state.next.as_deref(), Some("c1aa"));
        // A live reply in a conversation not shown yet is counted, not drawn as an orphan.
        let state = state.apply(ThreadAction::Live(1, created(comment(9, Some(4)))));
        assert_eq!((ids(&state), state.total), (vec![1, 2], 6));
        let state = state.apply(ThreadAction::MoreLoading);
        assert_eq!(state.more, More::Loading);
        let state = state.apply(ThreadAction::MoreFailed);
        assert_eq!(state.more, More::Failed);
        let mut second = page(
            "t",
            vec![comment(2, Some(1)), comment(4, None), comment(9, Some(4))],
            0,
        );
        second.total = 6;
        let state = state.apply(ThreadAction::MoreLoaded(second));
        assert_eq!(ids(&state), vec![1, 2, 4, 9]);
        assert_eq!((state.next, state.more, state.total), (None, More::Idle, 6));
    }

    #[test]
    fn a_page_that_arrives_is_first_painted_in_part_until_the_browser_painted() {
        let state = ThreadState::default().apply(ThreadAction::Load("t".into()));
        assert!(!state.first_paint, "nothing to cut while loading");
        let state = state.apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 0)));
        assert!(state.first_paint);
        let state = state.apply(ThreadAction::Painted);
        assert!(!state.first_paint);
        // "Show more comments" adds below what is on screen: drawn whole at once.
        let state = state.apply(ThreadAction::MoreLoaded(page(
            "t",
            vec![comment(2, None)],
            0,
        )));
        assert!(!state.first_paint);
        // Another thread's page is ignored, and so cuts nothing.
        let state = state.apply(ThreadAction::Loaded(page("u", vec![comment(3, None)], 0)));
        assert!(!state.first_paint);
        // A reload of the same thread (a retry) redraws at once; another thread's first
        // answer is drawn in two frames again.
        let state = state
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 0)));
        assert!(!state.first_paint && state.answered);
        let state = state.apply(ThreadAction::Load("u".into()));
        assert!(
            !state.answered,
            "the form waits for the new thread's answer"
        );
        let state = state.apply(ThreadAction::Loaded(page("u", vec![comment(3, None)], 0)));
        assert!(state.first_paint);
        let failed = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::LoadFailed("t".into(), "no"));
        assert!(failed.answered && !failed.first_paint);
    }

    #[test]
    fn a_permalink_opens_its_conversation_and_collapsing_toggles() {
        let state = loaded(vec![
            comment(1, None),
            comment(2, Some(1)),
            comment(3, Some(2)),
        ])
        .apply(ThreadAction::ToggleCollapsed(1));
        assert_eq!(state.collapsed, vec![1]);
        let state = state.apply(ThreadAction::Highlight(Some(3)));
        assert!(state.collapsed.is_empty());
        assert_eq!(
            (state.all_replies.clone(), state.highlight),
            (vec![1], Some(3))
        );
        let state = state
            .apply(ThreadAction::ToggleCollapsed(1))
            .apply(ThreadAction::ToggleCollapsed(1));
        assert!(state.collapsed.is_empty());
        let state = state.apply(ThreadAction::Highlight(None));
        assert!(state.permalink_missing);
    }

    #[test]
    fn the_readers_likes_edits_and_deletions_show_in_place() {
        let state = loaded(vec![
            comment(1, None),
            comment(2, Some(1)),
            comment(3, None),
        ])
        .apply(ThreadAction::Liked(3, 4, true));
        assert_eq!(state.comments[2].likes, 4);
        assert_eq!(state.liked, vec![3]);
        let mut changed = comment(3, None);
        changed.body = "changed".into();
        changed.edited = true;
        let state = state.apply(ThreadAction::Edited(changed));
        assert!(state.comments[2].edited);
        assert_eq!(state.comments[2].body, "changed");
        // One with a reply leaves a tombstone; one without goes.
        let state = state
            .apply(ThreadAction::Deleted(1))
            .apply(ThreadAction::Deleted(3));
        assert_eq!(ids(&state), vec![1, 2]);
        assert!(state.comments[0].deleted);
        assert_eq!(state.total, 1);
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
    fn a_live_like_moves_the_count_of_a_shown_comment_and_shows_nothing_new() {
        let liked = |id: i64, likes: u64| CommentEvent {
            kind: EventKind::Liked,
            comment: Comment {
                likes,
                ..by(id, "Ann")
            },
        };
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::Live(1, liked(1, 3)));
        assert_eq!(state.comments[0].likes, 3);
        // A comment on a page not shown: no comment, no count, no news.
        let state = state.apply(ThreadAction::Live(2, liked(7, 1)));
        assert_eq!((ids(&state), state.total), (vec![1], 1));
        assert!(state.news.is_empty());
        assert_eq!(state.last_event_id, 2);
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
        assert_eq!(state.posted_news, Some(OwnPost::Published));
        let state = state.apply(ThreadAction::NewsAnnounced);
        assert_eq!(state.posted_news, None);
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
                    content: vec![colloquy_core::content::Node::Text("edited".into())],
                    ..comment(1, None)
                },
            },
        ));
        assert_eq!(ids(&state), vec![1, 2]);
        assert_eq!(
            colloquy_core::content::text_of(&state.comments[0].content),
            "edited"
        );
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

    fn pending(id: i64, parent_id: Option<i64>) -> Comment {
        Comment {
            pending: true,
            ..comment(id, parent_id)
        }
    }

    fn deleted(comment: Comment) -> CommentEvent {
        CommentEvent {
            kind: EventKind::Deleted,
            comment: Comment {
                deleted: true,
                author: String::new(),
                body: String::new(),
                website: None,
                ..comment
            },
        }
    }

    #[test]
    fn a_held_post_is_shown_to_its_author_only_and_not_counted() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::OpenReply(1))
            .apply(ThreadAction::Posted(pending(2, Some(1))));
        assert_eq!(ids(&state), vec![1, 2]);
        assert!(state.comments[1].pending);
        assert_eq!(state.total, 1, "nobody else sees it");
        assert_eq!(state.posted_news, Some(OwnPost::Held));
        assert_eq!(state.replying_to, None, "its reply form closes");
        assert_eq!(state.focus, Some(FocusTarget::Comment(2)));
        assert!(state.news.is_empty());
        let again = state
            .clone()
            .apply(ThreadAction::Posted(pending(2, Some(1))));
        assert_eq!(again.total, 1, "a retried post adds nothing");
        assert_eq!(ids(&again), vec![1, 2]);
    }

    #[test]
    fn a_remembered_held_comment_comes_back_uncounted_and_unannounced() {
        let state =
            loaded(vec![comment(1, None)]).apply(ThreadAction::Held("t".into(), pending(7, None)));
        assert_eq!(ids(&state), vec![1, 7]);
        assert_eq!(state.total, 1);
        assert!(state.news.is_empty());
        assert_eq!(state.posted_news, None);
        assert_eq!(state.focus_requests, 0, "the focus stays where it is");
        // Asked twice (two loads), shown once.
        let twice = state
            .clone()
            .apply(ThreadAction::Held("t".into(), pending(7, None)));
        assert_eq!(twice, state);
        // Another thread's, a late answer, or one that is no longer pending: nothing.
        let other = state
            .clone()
            .apply(ThreadAction::Held("u".into(), pending(8, None)));
        assert_eq!(other, state);
        let published = state
            .clone()
            .apply(ThreadAction::Held("t".into(), comment(9, None)));
        assert_eq!(published, state);
        let loading = ThreadState::default()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Held("t".into(), pending(7, None)));
        assert!(loading.comments.is_empty(), "only once the page is there");
    }

    #[test]
    fn a_held_comment_is_never_taken_for_a_published_one() {
        let state =
            loaded(vec![comment(1, None)]).apply(ThreadAction::Held("t".into(), pending(1, None)));
        assert_eq!(ids(&state), vec![1]);
        assert!(!state.comments[0].pending);
    }

    #[test]
    fn a_reload_keeps_held_comments_until_the_page_has_them() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Posted(pending(2, None)))
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 3)));
        assert_eq!(ids(&state), vec![1, 2]);
        assert!(state.comments[1].pending);
        assert_eq!(state.total, 1);
        // Approved meanwhile: the page's comment, published, counted once.
        let approved = state
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page(
                "t",
                vec![comment(1, None), comment(2, None)],
                4,
            )));
        assert_eq!(ids(&approved), vec![1, 2]);
        assert!(!approved.comments[1].pending);
        assert_eq!(approved.total, 2);
        // Another thread forgets them.
        let other = loaded(vec![])
            .apply(ThreadAction::Posted(pending(2, None)))
            .apply(ThreadAction::Load("u".into()))
            .apply(ThreadAction::Loaded(page("u", vec![], 0)));
        assert!(other.comments.is_empty());
    }

    #[test]
    fn an_approved_held_comment_takes_its_place_counts_and_is_not_news() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Posted(pending(2, None)))
            .apply(ThreadAction::Live(5, created(comment(2, None))));
        assert_eq!(ids(&state), vec![1, 2]);
        assert!(!state.comments[0].pending && !state.comments[1].pending);
        assert_eq!(state.total, 2);
        assert!(state.news.is_empty(), "not announced as someone else's");
        // Its event replayed after a reconnection from further back adds nothing.
        let replayed = state
            .clone()
            .apply(ThreadAction::Live(6, created(comment(2, None))));
        assert_eq!(replayed.total, 2);
        // Remembered from an earlier visit, then approved live: the same.
        let remembered = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Held("t".into(), pending(3, None)))
            .apply(ThreadAction::Live(7, created(comment(3, None))));
        assert_eq!(remembered.total, 2);
        assert!(remembered.news.is_empty());
        assert!(!remembered.comments[1].pending);
    }

    #[test]
    fn a_pending_comment_in_the_stream_is_never_shown() {
        let state = loaded(vec![comment(1, None)]);
        let after = state
            .clone()
            .apply(ThreadAction::Live(3, created(pending(2, None))));
        assert_eq!(ids(&after), vec![1]);
        assert_eq!(after.total, 1);
        assert!(after.news.is_empty());
        assert_eq!(
            after.last_event_id, 3,
            "the event was taken in all the same"
        );
    }

    #[test]
    fn a_deleted_comment_without_replies_goes_and_is_no_longer_counted() {
        let state = loaded(vec![
            comment(1, None),
            comment(2, None),
            comment(3, Some(1)),
        ])
        .apply(ThreadAction::OpenReply(2))
        .apply(ThreadAction::Live(4, created(by(5, "Ada"))))
        .apply(ThreadAction::Live(5, deleted(comment(2, None))))
        .apply(ThreadAction::Live(6, deleted(by(5, "Ada"))));
        assert_eq!(ids(&state), vec![1, 3]);
        assert_eq!(state.total, 2);
        assert_eq!(state.replying_to, None, "its reply form went with it");
        assert!(state.news.is_empty(), "a deleted comment is no news");
        assert_eq!(state.last_event_id, 6);
    }

    #[test]
    fn a_deleted_comment_with_replies_stays_as_a_tombstone() {
        let mut shown = comment(1, None);
        shown.website = Some("https://ann.example".into());
        let state = loaded(vec![shown, comment(2, Some(1)), comment(3, None)])
            .apply(ThreadAction::OpenReply(1))
            .apply(ThreadAction::Live(4, deleted(comment(1, None))));
        assert_eq!(ids(&state), vec![1, 2, 3], "its replies keep their place");
        let tombstone = &state.comments[0];
        assert!(tombstone.deleted);
        assert_eq!(tombstone.author, "");
        assert_eq!(tombstone.body, "");
        assert_eq!(tombstone.website, None);
        assert_eq!(state.total, 2, "a tombstone is not counted");
        assert_eq!(state.replying_to, None, "a tombstone takes no replies");
        // Deleted again (a replay): nothing changes.
        let again = state
            .clone()
            .apply(ThreadAction::Live(5, deleted(comment(1, None))));
        assert_eq!(again.comments, state.comments);
        assert_eq!(again.total, 2);
    }

    #[test]
    fn a_tombstone_goes_with_its_last_reply() {
        let tombstone = |id: i64, parent_id: Option<i64>| Comment {
            deleted: true,
            author: String::new(),
            body: String::new(),
            ..comment(id, parent_id)
        };
        // Two tombstones, one answering the other, above the last reply of the chain.
        let state = loaded(vec![
            tombstone(1, None),
            tombstone(2, Some(1)),
            comment(3, Some(2)),
            comment(4, None),
            comment(5, Some(4)),
        ]);
        let state = state.apply(ThreadAction::Live(9, deleted(comment(3, Some(2)))));
        assert_eq!(
            ids(&state),
            vec![4, 5],
            "no tombstone is left without replies"
        );
        assert_eq!(state.total, 2);
        // A live comment that still answers a tombstone keeps it.
        let kept = loaded(vec![
            tombstone(1, None),
            comment(2, Some(1)),
            comment(3, Some(1)),
        ])
        .apply(ThreadAction::Live(9, deleted(comment(2, Some(1)))));
        assert_eq!(ids(&kept), vec![1, 3]);
        assert_eq!(kept.total, 1);
    }

    #[test]
    fn deleting_a_comment_never_shown_adds_nothing() {
        let state = loaded(vec![comment(1, None)]);
        let after = state
            .clone()
            .apply(ThreadAction::Live(2, deleted(comment(9, None))));
        assert_eq!(ids(&after), vec![1]);
        assert_eq!(after.total, 1);
        assert!(after.news.is_empty());
    }

    #[test]
    fn a_held_comment_deleted_by_the_owner_goes_without_changing_the_count() {
        let state = loaded(vec![comment(1, None)])
            .apply(ThreadAction::Posted(pending(2, None)))
            .apply(ThreadAction::Live(3, deleted(comment(2, None))));
        assert_eq!(ids(&state), vec![1]);
        assert_eq!(state.total, 1);
        assert_eq!(state.last_posted, None);
    }

    #[test]
    fn an_edit_also_carries_the_owners_pin_and_badge() {
        let state = loaded(vec![comment(1, None)]).apply(ThreadAction::Live(
            2,
            CommentEvent {
                kind: EventKind::Edited,
                comment: Comment {
                    pinned: true,
                    by_owner: true,
                    ..comment(1, None)
                },
            },
        ));
        assert!(state.comments[0].pinned && state.comments[0].by_owner);
        assert_eq!(state.total, 1);
    }

    #[test]
    fn a_locked_page_closes_the_thread_and_any_open_reply_form() {
        let open = loaded(vec![comment(1, None)]).apply(ThreadAction::OpenReply(1));
        assert!(!open.locked);
        let locked = open
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(ThreadPage {
                locked: true,
                content_version: 1,
                ..page("t", vec![comment(1, None)], 0)
            }));
        assert!(locked.locked);
        assert_eq!(locked.replying_to, None);
        assert_eq!(locked.total, 1);
        let reopened = locked
            .clone()
            .apply(ThreadAction::Load("t".into()))
            .apply(ThreadAction::Loaded(page("t", vec![comment(1, None)], 0)));
        assert!(!reopened.locked);
        let other = locked.apply(ThreadAction::Load("u".into()));
        assert!(
            !other.locked,
            "another thread is not closed until its page says so"
        );
    }

    #[test]
    fn a_foreign_config_is_remembered_until_the_rules_arrive() {
        let url = "https://x.example/api/v1/config".to_owned();
        let state = loaded(vec![]).apply(ThreadAction::NoServer(url.clone()));
        assert_eq!(state.no_server_at, Some(url));
        let state = state.apply(ThreadAction::RulesLoaded(FormRules::default(), 900));
        assert_eq!(state.no_server_at, None);
    }
}
