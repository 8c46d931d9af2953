use colloquy_core::messages::Messages;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use crate::hooks::use_effect_when;
use crate::state::OwnPost;

/// How long the news stay in the live region before it is emptied for the next ones: long
/// enough for a screen reader that is busy reading to come to them.
const ANNOUNCED_AFTER_MS: i32 = 10_000;

/// Calls `on_announced` once the news have been shown long enough. `news` are the comments
/// by others that arrived live, as (id, author) (see
/// [`ThreadState::news`](crate::state::ThreadState::news)); `posted` whether the reader's
/// own comment was just posted, or held for approval (see
/// [`ThreadState::posted_news`](crate::state::ThreadState::posted_news)). Every change
/// restarts the wait, so news that keep coming are counted together.
#[hook]
pub fn use_news_timer(news: &[(i64, String)], posted: Option<OwnPost>, on_announced: Callback<()>) {
    use_effect_when((news.to_vec(), posted), move |(news, posted)| {
        let timer = (posted.is_some() || !news.is_empty())
            .then(|| Timer::start(ANNOUNCED_AFTER_MS, on_announced));
        move || drop(timer)
    });
}

/// A visually hidden polite live region telling screen readers that comments arrived
/// ("New comment by Ada", or how many when several came together), and that the reader's
/// own comment was posted, or held for the site owner's approval. It is always in the
/// page, so that only its words change, which is what screen readers announce; it never
/// takes the focus. Sighted readers see the comments themselves appear. The thread
/// empties it with [`use_news_timer`].
///
/// The reader's own post is told here rather than by its form, because a reply form
/// closes as its comment appears and would take its words with it.
///
/// A function, not a component: the thread draws it with the rest (a component type of
/// its own cost about 700 bytes of the gzipped widget).
pub fn news_announcer(
    messages: &Messages,
    news: &[(i64, String)],
    posted: Option<OwnPost>,
) -> Html {
    let news = match news {
        [] => String::new(),
        [(_, author)] => messages.new_comment_by(author),
        several => messages.new_comments(several.len() as u64),
    };
    let own = posted.map(|posted| match posted {
        OwnPost::Published => messages.widget.posted.as_str(),
        OwnPost::Held => messages.widget.held_for_approval.as_str(),
    });
    let text = match (own, news.is_empty()) {
        (None, _) => news,
        (Some(own), true) => own.to_owned(),
        (Some(own), false) => [own, " ", &news].concat(),
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
