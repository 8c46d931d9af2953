//! Isolation (ARCHITECTURE.md, rule 3), wherever the widget is drawn: the thread lives in an open
//! shadow root with the widget's own stylesheet, so the host page's CSS cannot reach in and
//! ours cannot leak out. [`mount`](crate::mount::mount) and the public
//! [`CommentThread`](crate::CommentThread) both go through
//! [`isolated_root`](crate::shadow::isolated_root), so a thread on a site owner's page and
//! one in a Rust developer's Yew app look and behave the same.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;
use web_sys::{CssStyleSheet, Element, ShadowRoot, ShadowRootInit, ShadowRootMode};

/// The widget's stylesheet, compiled in: one request fewer, and it cannot go missing.
const STYLES: &str = include_str!(concat!(env!("OUT_DIR"), "/colloquy.css"));

/// The class of the element inside the shadow root that the thread is drawn into (the
/// stylesheet and the end-to-end journeys know it by this name).
pub const ROOT_CLASS: &str = "colloquy-root";

thread_local! {
    /// One constructed sheet, parsed once and adopted by every instance's shadow root.
    static SHEET: RefCell<Option<CssStyleSheet>> = const { RefCell::new(None) };
}

/// Gives `host` an open shadow root (reusing the one it has, emptied), puts the stylesheet
/// in it, and returns a fresh `.colloquy-root` element inside it to draw the thread into.
pub fn isolated_root(host: &Element) -> Result<Element, JsValue> {
    let shadow = match host.shadow_root() {
        Some(shadow) => shadow,
        None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
    };
    empty(&shadow);
    adopt_styles(&shadow)?;
    let document = host
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the host element is not in a document"))?;
    let root = document.create_element("div")?;
    root.set_class_name(ROOT_CLASS);
    shadow.append_child(&root)?;
    Ok(root)
}

/// Removes everything from a shadow root (its adopted sheet stays, which is harmless).
pub fn empty(shadow: &ShadowRoot) {
    while let Some(child) = shadow.first_child() {
        if shadow.remove_child(&child).is_err() {
            break;
        }
    }
}

/// Adopts the shared constructed sheet where the browser has them (it also satisfies a
/// strict CSP without `'unsafe-inline'`), else falls back to a `<style>` element, as it also
/// does when adoption is refused (a sheet cannot be adopted by another document's roots).
fn adopt_styles(shadow: &ShadowRoot) -> Result<(), JsValue> {
    let property = JsValue::from_str("adoptedStyleSheets");
    if js_sys::Reflect::has(shadow, &property).unwrap_or(false) {
        if let Some(sheet) = shared_sheet() {
            let adopted = js_sys::Reflect::set(shadow, &property, &js_sys::Array::of1(&sheet));
            if adopted == Ok(true) {
                return Ok(());
            }
        }
    }
    let document = shadow
        .owner_document()
        .ok_or_else(|| JsValue::from_str("the shadow root is not in a document"))?;
    let style = document.create_element("style")?;
    style.set_text_content(Some(STYLES));
    shadow.append_child(&style)?;
    Ok(())
}

fn shared_sheet() -> Option<CssStyleSheet> {
    SHEET.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.is_none() {
            *cell = CssStyleSheet::new()
                .ok()
                .filter(|sheet| sheet.replace_sync(STYLES).is_ok());
        }
        cell.clone()
    })
}
