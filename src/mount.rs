//! Mounting onto a page the widget does not own (ARCHITECTURE.md, rule 3): each instance lives in
//! an open shadow root with its own stylesheet (see `shadow.rs`), so host CSS cannot
//! reach in and ours cannot leak out, and every failure is returned to the loader instead
//! of thrown into the page. One wasm instance serves every mount point on the page.
//!
//! The page's mount element itself gets the shadow root, with `.colloquy-root` inside it:
//! the loader and the end-to-end journeys find the thread through `host.shadowRoot`.

use std::cell::RefCell;

use colloquy_core::thread_key::normalize_path;
use colloquy_core::tree::Sort;
use wasm_bindgen::prelude::*;
use web_sys::Element;
use yew::{AppHandle, AttrValue};

use crate::components::comment_thread::{CommentThreadProps, Theme};
use crate::components::thread_view::ThreadView;
use crate::shadow::{empty, isolated_root};

thread_local! {
    static MOUNTED: RefCell<Vec<Mounted>> = const { RefCell::new(Vec::new()) };
}

/// One instance: its own Yew app, drawn into the shadow root of `host`. The app is the bare
/// [`ThreadView`], since this module has made the isolation the public
/// [`CommentThread`](crate::CommentThread) would otherwise add around it.
struct Mounted {
    host: Element,
    props: CommentThreadProps,
    app: AppHandle<ThreadView>,
}

/// Reads the options the loader passes: `thread` (an explicit key), `path` (the page's
/// path, used when no thread is named), `api`, `lang`, `theme`, `sort`, `title`. Missing or
/// unknown values fall back to `base`, then to the defaults.
fn props_from(options: &JsValue, base: Option<&CommentThreadProps>) -> CommentThreadProps {
    let text = |name: &str| {
        js_sys::Reflect::get(options, &JsValue::from_str(name))
            .ok()
            .and_then(|value| value.as_string())
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    let thread = text("thread")
        .or_else(|| text("path").map(|path| normalize_path(&path)))
        .map(AttrValue::from)
        .or_else(|| base.map(|b| b.thread.clone()))
        .unwrap_or_else(|| AttrValue::from("/"));
    let keep = |name: &str, old: Option<&AttrValue>| {
        text(name)
            .map(AttrValue::from)
            .or_else(|| old.cloned())
            .unwrap_or_default()
    };
    CommentThreadProps {
        thread,
        api: keep("api", base.map(|b| &b.api)),
        lang: keep("lang", base.map(|b| &b.lang)),
        title: text("title")
            .map(AttrValue::from)
            .or_else(|| base.and_then(|b| b.title.clone())),
        theme: text("theme")
            .and_then(|t| Theme::parse(&t))
            .or(base.map(|b| b.theme))
            .unwrap_or_default(),
        sort: text("sort")
            .and_then(|s| Sort::parse(&s))
            .or(base.map(|b| b.sort))
            .unwrap_or_default(),
    }
}

/// Shows a comment thread inside `host`. Mounting an element again replaces what it showed.
#[wasm_bindgen]
pub fn mount(host: Element, options: JsValue) -> Result<(), JsValue> {
    unmount(&host);
    let props = props_from(&options, None);
    let root = isolated_root(&host)?;
    let app = yew::Renderer::<ThreadView>::with_root_and_props(root, props.clone()).render();
    MOUNTED.with(|mounted| mounted.borrow_mut().push(Mounted { host, props, app }));
    Ok(())
}

/// Changes what a mounted instance shows (for example `{thread}` after a route change)
/// without rebuilding it. Returns false when `host` shows no instance.
#[wasm_bindgen]
pub fn update(host: &Element, options: JsValue) -> bool {
    MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        let Some(entry) = mounted.iter_mut().find(|m| &m.host == host) else {
            return false;
        };
        entry.props = props_from(&options, Some(&entry.props));
        entry.app.update(entry.props.clone());
        true
    })
}

/// Destroys the instance shown in `host`, with its listeners, and empties its shadow root.
/// Unknown elements are ignored.
#[wasm_bindgen]
pub fn unmount(host: &Element) {
    let found = MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        let index = mounted.iter().position(|m| &m.host == host)?;
        Some(mounted.swap_remove(index))
    });
    if let Some(entry) = found {
        entry.app.destroy();
        if let Some(shadow) = entry.host.shadow_root() {
            empty(&shadow);
        }
    }
}

/// How many instances are alive: lets a host page (and the tests) see that nothing leaks.
#[wasm_bindgen]
pub fn instances() -> usize {
    MOUNTED.with(|mounted| mounted.borrow().len())
}
