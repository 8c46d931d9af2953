//! Live updates: the thread's server-sent events, listened to only while someone can see
//! them. A reader scrolled far away or on another tab costs the server no connection; when
//! they come back, the stream is reopened after the last event taken in, and the server
//! replays what happened meanwhile.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use colloquy_core::model::CommentEvent;
use colloquy_core::scan::parse_digits;
use wasm_bindgen::prelude::*;
use web_sys::{
    Document, Element, EventSource, IntersectionObserver, IntersectionObserverEntry,
    IntersectionObserverInit, MessageEvent, VisibilityState,
};
use yew::prelude::*;

use super::use_effect_when;
use crate::api::Api;
use crate::json::decode;
use crate::state::{Load, ThreadAction, ThreadState};

/// How far beyond the viewport the thread still counts as on screen: within a screenful,
/// the reader is about to see it, so it is kept up to date (and a reader scrolling past
/// does not open and close the stream at every turn).
const NEAR: &str = "100% 0px";

/// Keeps `state` up to date with its thread's event stream on `api` while the element
/// behind `root` is near the viewport and the tab is visible, and once its page has loaded.
/// Each event is dispatched as [`ThreadAction::Live`]; the stream is (re)opened after
/// [`ThreadState::last_event_id`], and everything is closed when the component goes.
///
/// ```
/// use colloquy::api::Api;
/// use colloquy::hooks::use_live_updates;
/// use colloquy::state::ThreadState;
/// use yew::prelude::*;
///
/// #[component]
/// fn Count() -> Html {
///     let state = use_reducer(ThreadState::default);
///     let root = use_node_ref();
///     use_live_updates(&root, &Api::new("https://comments.example.org"), &state);
///     html! { <p ref={root}>{state.total}</p> }
/// }
/// # let _ = html! { <Count /> };
/// ```
#[hook]
pub fn use_live_updates(root: &NodeRef, api: &Api, state: &UseReducerHandle<ThreadState>) {
    // Read when the stream is (re)opened, which may be long after this render: a cell the
    // latest render writes, not this render's copy of the state.
    let last_seen = use_mut_ref(|| 0);
    *last_seen.borrow_mut() = state.last_event_id;
    let root = root.clone();
    let dispatcher = state.dispatcher();
    let loaded = state.load == Load::Loaded;
    use_effect_when(
        (api.clone(), state.thread.clone(), loaded),
        move |(api, thread, loaded)| {
            let subscription = match (loaded, root.cast::<Element>()) {
                (true, Some(root)) => {
                    let stream = Stream {
                        api: api.clone(),
                        thread: thread.clone(),
                        last_seen,
                        near: Cell::new(false),
                        source: RefCell::new(None),
                        on_comment: Closure::new(move |event: MessageEvent| {
                            if let Some(action) = live_action(&event) {
                                dispatcher.dispatch(action);
                            }
                        }),
                    };
                    Subscription::start(&root, stream)
                }
                _ => None,
            };
            move || drop(subscription)
        },
    );
}

/// An event of the stream as the reducer takes it; `None` for anything malformed.
fn live_action(event: &MessageEvent) -> Option<ThreadAction> {
    let id = parse_digits(event.last_event_id().trim(), 10)?;
    let id = i64::try_from(id).ok()?;
    let event: CommentEvent = decode(&event.data().as_string()?)?;
    Some(ThreadAction::Live(id, event))
}

/// The stream itself and what decides whether it is open.
struct Stream {
    api: Api,
    thread: String,
    last_seen: Rc<RefCell<i64>>,
    /// Whether the thread is within [`NEAR`] of the viewport.
    near: Cell<bool>,
    source: RefCell<Option<EventSource>>,
    on_comment: Closure<dyn FnMut(MessageEvent)>,
}

impl Stream {
    /// Opens or closes the stream as the thread's place and the tab's visibility say.
    fn follow(&self, document: &Document) {
        let wanted = self.near.get() && document.visibility_state() == VisibilityState::Visible;
        let mut source = self.source.borrow_mut();
        // A stream the server refused (403, or 503 when it has too many subscribers) has
        // closed for good: it is opened afresh on the next change, not hammered meanwhile.
        let open = source
            .as_ref()
            .is_some_and(|s| s.ready_state() != EventSource::CLOSED);
        if wanted && !open {
            let url = self.api.events_url(&self.thread, *self.last_seen.borrow());
            *source = EventSource::new(&url).ok();
            if let Some(source) = source.as_ref() {
                let listener = self.on_comment.as_ref().unchecked_ref();
                let _ = source.add_event_listener_with_callback("comment", listener);
            }
        } else if !wanted {
            self.close(source.take());
        }
    }

    fn close(&self, source: Option<EventSource>) {
        if let Some(source) = source {
            let listener = self.on_comment.as_ref().unchecked_ref();
            let _ = source.remove_event_listener_with_callback("comment", listener);
            source.close();
        }
    }
}

/// A live [`Stream`] with the observers that steer it; dropping it stops everything.
struct Subscription {
    stream: Rc<Stream>,
    document: Document,
    on_visibility: Closure<dyn FnMut()>,
    /// `None` where the browser has no IntersectionObserver: then the thread counts as
    /// always near.
    observer: Option<IntersectionObserver>,
    /// What the observer calls; kept as long as the observer may call it.
    _on_entries: Closure<dyn FnMut(js_sys::Array)>,
}

impl Subscription {
    fn start(root: &Element, stream: Stream) -> Option<Self> {
        let document = root.owner_document()?;
        let stream = Rc::new(stream);
        let on_visibility = Closure::<dyn FnMut()>::new({
            let (stream, document) = (stream.clone(), document.clone());
            move || stream.follow(&document)
        });
        document
            .add_event_listener_with_callback(
                "visibilitychange",
                on_visibility.as_ref().unchecked_ref(),
            )
            .ok()?;
        let on_entries = Closure::<dyn FnMut(js_sys::Array)>::new({
            let (stream, document) = (stream.clone(), document.clone());
            move |entries: js_sys::Array| {
                // Only the latest entry says where the thread is now.
                let last = entries.pop().dyn_into::<IntersectionObserverEntry>();
                if let Ok(entry) = last {
                    stream.near.set(entry.is_intersecting());
                    stream.follow(&document);
                }
            }
        });
        let options = IntersectionObserverInit::new();
        options.set_root_margin(NEAR);
        let observer =
            IntersectionObserver::new_with_options(on_entries.as_ref().unchecked_ref(), &options)
                .ok();
        let subscription = Subscription {
            observer,
            _on_entries: on_entries,
            stream,
            document,
            on_visibility,
        };
        match &subscription.observer {
            // It reports where the thread is right away, and then at every change.
            Some(observer) => observer.observe(root),
            None => {
                subscription.stream.near.set(true);
                subscription.stream.follow(&subscription.document);
            }
        }
        Some(subscription)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(observer) = &self.observer {
            // Entries already queued would otherwise be delivered to a dropped closure.
            observer.take_records();
            observer.disconnect();
        }
        let _ = self.document.remove_event_listener_with_callback(
            "visibilitychange",
            self.on_visibility.as_ref().unchecked_ref(),
        );
        self.stream.close(self.stream.source.take());
    }
}
