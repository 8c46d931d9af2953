//! Mounting onto a page the widget does not own (DESIGN.md rule 3): each instance lives in
//! an open shadow root with its own stylesheet, so host CSS cannot reach in and ours cannot
//! leak out, and every failure is returned to the loader instead of thrown into the page.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

use crate::components::comment_thread::{CommentThread, CommentThreadProps};

/// The widget's stylesheet, compiled in: one request fewer, and it cannot go missing.
const STYLES: &str = include_str!("../styles/colloquy.css");

thread_local! {
    static MOUNTED: RefCell<Vec<(Element, AppHandle<CommentThread>)>> = const { RefCell::new(Vec::new()) };
}

/// Shows the comment thread `thread` from the server at `api` inside `host`. Mounting an
/// element again replaces what it showed.
#[wasm_bindgen]
pub fn mount(host: Element, thread: String, api: String, lang: String) -> Result<(), JsValue> {
    unmount(&host);
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    while let Some(child) = shadow.first_child() {
        shadow.remove_child(&child)?;
    }
    apply_styles(&shadow)?;
    let document = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the mount point is not in a document"))?;
    let container = document.create_element("div")?;
    container.set_class_name("colloquy-root");
    shadow.append_child(&container)?;
    let props = CommentThreadProps {
        thread: thread.into(),
        api: api.into(),
        lang: lang.into(),
    };
    let handle = yew::Renderer::<CommentThread>::with_root_and_props(container, props).render();
    MOUNTED.with(|mounted| mounted.borrow_mut().push((host, handle)));
    Ok(())
}

/// Destroys the app shown in `host`, with its listeners. Unknown elements are ignored.
#[wasm_bindgen]
pub fn unmount(host: &Element) {
    let found = MOUNTED.with(|mounted| {
        let mut mounted = mounted.borrow_mut();
        let index = mounted.iter().position(|(element, _)| element == host)?;
        Some(mounted.swap_remove(index).1)
    });
    if let Some(handle) = found {
        handle.destroy();
    }
}

/// A constructable stylesheet where the browser has them (it also satisfies a strict CSP
/// without `'unsafe-inline'`), else a `<style>` element.
fn apply_styles(shadow: &ShadowRoot) -> Result<(), JsValue> {
    if let Ok(sheet) = web_sys::CssStyleSheet::new() {
        if sheet.replace_sync(STYLES).is_ok() {
            let sheets = js_sys::Array::of1(&sheet);
            if js_sys::Reflect::set(shadow, &"adoptedStyleSheets".into(), &sheets)? {
                return Ok(());
            }
        }
    }
    let document = web_sys::window()
        .and_then(|window| window.document())
        .ok_or_else(|| JsValue::from_str("no document"))?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLES));
    shadow.append_child(&style)?;
    Ok(())
}
