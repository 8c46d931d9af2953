//! What every part of one thread shares: the message catalog, the API client and the
//! thread's settings. [`ThreadView`](crate::components::thread_view::ThreadView) makes it
//! once per render and gives it to the components that need it as their `context` prop.
//! Not through Yew's `ContextProvider`: the thread is only two levels deep, and the
//! provider and its hook were a component and a subscription of their own in every
//! reader's download (see README, "Measuring").

use colloquy_core::messages::Messages;
use colloquy_core::rules::FormRules;
use yew::{AttrValue, Callback};

use crate::api::Api;
use crate::state::ThreadAction;

#[derive(Clone)]
pub struct ThreadContext {
    /// The catalog every visible sentence comes from.
    pub messages: &'static Messages,
    pub api: Api,
    /// The thread key.
    pub thread: AttrValue,
    /// The BCP 47 tag the page asked for (`data-lang`, else `<html lang>`), as given: it
    /// chooses the date format (the catalog is the best one for it, see `words`). Empty
    /// when the page named none.
    pub lang: AttrValue,
    /// The server's form rules once its configuration arrived; core's defaults until then.
    pub rules: FormRules,
    /// The thread's title (the `title` prop, `data-title`) when the page gave one: a post
    /// names the page by it (see [`page_title`](crate::form_state::page_title)).
    pub title: Option<AttrValue>,
    /// What this thread's element ids start with, distinct for every thread on the page
    /// (see `ThreadView`).
    pub id_prefix: AttrValue,
    /// The site's owner closed the thread: no Reply buttons.
    pub locked: bool,
    /// How long after posting its author may edit or delete a comment, in seconds.
    pub edit_window_secs: u64,
    /// What the comments and forms tell the thread (Reply, a like counted, an edit, a
    /// deletion, a conversation shown or hidden, a comment posted, a reply form closed):
    /// the same callback from one render to the next.
    pub actions: Callback<ThreadAction>,
}

impl ThreadContext {
    pub fn new(
        messages: &'static Messages,
        api: Api,
        thread: AttrValue,
        lang: AttrValue,
        rules: FormRules,
    ) -> Self {
        Self {
            messages,
            api,
            thread,
            lang,
            rules,
            title: None,
            id_prefix: AttrValue::default(),
            locked: false,
            edit_window_secs: 0,
            actions: Callback::noop(),
        }
    }

    /// The same context for a thread the page gave a title.
    pub fn with_title(mut self, title: Option<AttrValue>) -> Self {
        self.title = title;
        self
    }
}

/// Catalogs are kept for the page's lifetime, one per language: the same catalog is the
/// same address.
impl PartialEq for ThreadContext {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.messages, other.messages)
            && self.api == other.api
            && self.thread == other.thread
            && self.lang == other.lang
            && self.rules == other.rules
            && self.title == other.title
            && self.id_prefix == other.id_prefix
            && self.locked == other.locked
            && self.edit_window_secs == other.edit_window_secs
            && self.actions == other.actions
    }
}
