use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::hooks::use_effect_when;

use crate::context::use_thread_context;
use crate::state::OwnPost;

/// How long the news stay in the live region before it is emptied for the next ones: long
/// enough for a screen reader that is busy reading to come to them.
const ANNOUNCED_AFTER_MS: i32 = 10_000;

#[derive(Properties, PartialEq)]
pub struct NewsAnnouncerProps {
    /// Comments by others that arrived live, as (id, author): see
    /// [`ThreadState::news`](crate::state::ThreadState::news).
    pub news: Vec<(i64, String)>,
    /// Whether the reader's own comment was just posted, or held for approval (see
    /// [`ThreadState::posted_news`](crate::state::ThreadState::posted_news)).
    #[prop_or_default]
    pub posted: Option<OwnPost>,
    /// Called once the news have been shown long enough.
    pub on_announced: Callback<()>,
}

/// A visually hidden polite live region telling screen readers that comments arrived
/// ("New comment by Ada", or how many when several came together), and that the reader's
/// own comment was posted, or held for the site owner's approval. It is always in the
/// page, so that only its words change, which is what screen readers announce; it never
/// takes the focus. Sighted readers see the comments themselves appear.
///
/// The reader's own post is told here rather than by its form, because a reply form
/// closes as its comment appears and would take its words with it.
#[component]
pub fn NewsAnnouncer(props: &NewsAnnouncerProps) -> Html {
    {
        let on_announced = props.on_announced.clone();
        // Every change restarts the wait, so news that keep coming are counted together.
        use_effect_when((props.news.clone(), props.posted), move |(news, posted)| {
            let timer = (posted.is_some() || !news.is_empty())
                .then(|| Timer::start(ANNOUNCED_AFTER_MS, on_announced));
            move || drop(timer)
        });
    }
    let messages = use_thread_context().messages;
    let news = match props.news.as_slice() {
        [] => String::new(),
        [(_, author)] => messages.new_comment_by(author),
        several => messages.new_comments(several.len() as u64),
    };
    let own = props.posted.map(|posted| match posted {
        OwnPost::Published => messages.widget.posted.as_str(),
        OwnPost::Held => messages.widget.held_for_approval.as_str(),
    });
    let text = match (own, news.is_empty()) {
        (None, _) => news,
        (Some(own), true) => own.to_owned(),
        (Some(own), false) => format!("{own} {news}"),
    };
    html! {
        <div class="news visually-hidden" role="status" aria-live="polite" aria-atomic="true">
            {text}
        </div>
    }
}

/// A `setTimeout` that is cleared when dropped, so an unmounted thread leaves none behind.
struct Timer {
    id: Option<i32>,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    fn start(ms: i32, then: Callback<()>) -> Self {
        let callback = Closure::<dyn FnMut()>::new(move || then.emit(()));
        let id = web_sys::window().and_then(|window| {
            window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    callback.as_ref().unchecked_ref(),
                    ms,
                )
                .ok()
        });
        Self {
            id,
            _callback: callback,
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let (Some(id), Some(window)) = (self.id, web_sys::window()) {
            window.clear_timeout_with_handle(id);
        }
    }
}
