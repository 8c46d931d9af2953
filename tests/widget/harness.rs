use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Element, Event, EventInit, FocusEvent, HtmlElement, HtmlInputElement, HtmlTextAreaElement,
};

#[wasm_bindgen(inline_js = r#"
const stub = { calls: [], routes: new Map(), held: [] };
function route(method, path, answer) {
  const key = method + " " + path;
  if (!stub.routes.has(key)) stub.routes.set(key, []);
  stub.routes.get(key).push(answer);
}
export function stub_fetch() {
  stub.calls = []; stub.routes = new Map(); stub.held = [];
  localStorage.clear();
  globalThis.fetch = async (request) => {
    const method = request.method;
    const path = new URL(request.url).pathname;
    const body = method === "GET" ? null : await request.text();
    stub.calls.push({ method, path, body });
    // Answers are used in order; the last one repeats.
    const queue = stub.routes.get(method + " " + path) || [];
    const next = queue.length > 1 ? queue.shift() : queue[0];
    if (!next) return new Response(JSON.stringify({ message: "no stub for " + path }), { status: 404 });
    if (next.fail) throw new TypeError("Failed to fetch");
    if (next.hold) return new Promise((resolve) => stub.held.push(resolve));
    const headers = { "content-type": "application/json" };
    if (next.header) headers[next.header[0]] = next.header[1];
    return new Response(next.body, { status: next.status, headers });
  };
}
export function stub_respond(method, path, status, body) { route(method, path, { status, body }); }
export function stub_respond_with(method, path, status, body, name, value) {
  route(method, path, { status, body, header: [name, value] });
}
export function stub_fail(method, path) { route(method, path, { fail: true }); }
export function stub_hold(method, path) { route(method, path, { hold: true }); }
export function stub_release(status, body) {
  const resolve = stub.held.shift();
  resolve(new Response(body, { status, headers: { "content-type": "application/json" } }));
}
export function stub_bodies(method) {
  return stub.calls.filter((c) => c.method === method).map((c) => c.body || c.path);
}
export function draft_keys() {
  return Object.keys(localStorage).filter((k) => k.startsWith("colloquy:draft:"));
}
export function computed_style(element, property) {
  return getComputedStyle(element).getPropertyValue(property);
}
export function right_edge(element) {
  return element.getBoundingClientRect().right;
}
export function style_rules_in(root) {
  const adopted = (root.adoptedStyleSheets || []).map((sheet) => sheet.cssRules.length);
  const inline = [...root.querySelectorAll("style")].map((style) => style.sheet.cssRules.length);
  return [...adopted, ...inline].reduce((sum, n) => sum + n, 0);
}
export function browser_default_date(iso) {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return format.format(new Date(iso));
}
"#)]
extern "C" {
    pub fn stub_fetch();
    pub fn stub_respond(method: &str, path: &str, status: u16, body: &str);
    pub fn stub_respond_with(
        method: &str,
        path: &str,
        status: u16,
        body: &str,
        name: &str,
        value: &str,
    );
    pub fn stub_fail(method: &str, path: &str);
    pub fn stub_hold(method: &str, path: &str);
    pub fn stub_release(status: u16, body: &str);
    pub fn stub_bodies(method: &str) -> Vec<String>;
    pub fn draft_keys() -> Vec<String>;
    /// `getComputedStyle(element)[property]`, as the reader's browser resolved it.
    pub fn computed_style(element: &Element, property: &str) -> String;
    /// Where the element ends horizontally; negative means left of the viewport.
    pub fn right_edge(element: &Element) -> f64;
    /// How many CSS rules apply inside `root`, adopted or in `<style>` elements.
    pub fn style_rules_in(root: &web_sys::ShadowRoot) -> u32;
    /// `iso` formatted by the browser's default locale, as the widget formats dates.
    pub fn browser_default_date(iso: &str) -> String;
}

pub const API: &str = "http://colloquy.test";
pub const CONFIG_PATH: &str = "/api/v1/config";

pub fn thread_path(thread: &str) -> String {
    format!("/api/v1/threads/{thread}/comments")
}

pub fn comment_json(
    id: i64,
    parent: Option<i64>,
    author: &str,
    body: &str,
    minute: u32,
) -> serde_json::Value {
    serde_json::json!({
        "id": id, "parent_id": parent, "author": author, "website": null, "body": body,
        "created_at": format!("2026-11-25T10:{minute:02}:00Z"),
    })
}

pub fn page_json(thread: &str, comments: Vec<serde_json::Value>) -> String {
    serde_json::json!({"thread": thread, "total": comments.len(), "comments": comments}).to_string()
}

/// The server's answer to a stored post of `comment`.
pub fn created_json(comment: serde_json::Value) -> String {
    serde_json::json!({"comment": comment, "edit_token": "t".repeat(64)}).to_string()
}

/// Installs the stand-in with the server's configuration and `thread` holding `comments`.
pub fn serve(thread: &str, comments: Vec<serde_json::Value>) {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path(thread),
        200,
        &page_json(thread, comments),
    );
}

/// Installs the stand-in with a config and the given thread, and mounts a widget.
pub fn start(thread: &str, comments: Vec<serde_json::Value>) -> Element {
    serve(thread, comments);
    mount_widget(thread)
}

pub fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (name, value) in pairs {
        js_sys::Reflect::set(&object, &(*name).into(), &(*value).into()).unwrap();
    }
    object.into()
}

/// A fresh element at the end of the page's body.
pub fn new_element_in_body() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&element).unwrap();
    element
}

pub fn mount_with(pairs: &[(&str, &str)]) -> Element {
    let host = new_element_in_body();
    colloquy::mount(host.clone(), options(pairs)).unwrap();
    host
}

pub fn mount_widget(thread: &str) -> Element {
    mount_with(&[("thread", thread), ("api", API), ("lang", "en")])
}

pub fn stub_config() {
    let config = serde_json::json!({
        "rules": colloquy_core::rules::FormRules::default(),
        "edit_window_secs": 900
    });
    stub_respond("GET", CONFIG_PATH, 200, &config.to_string());
}

pub fn finish(host: Element) {
    colloquy::unmount(&host);
    host.remove();
}

/// The first match for `selector` inside `host`'s shadow root.
pub fn find(host: &Element, selector: &str) -> Option<Element> {
    host.shadow_root()?.query_selector(selector).ok()?
}

pub fn find_all(host: &Element, selector: &str) -> Vec<Element> {
    let Some(list) = host
        .shadow_root()
        .and_then(|root| root.query_selector_all(selector).ok())
    else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

pub fn text(host: &Element, selector: &str) -> String {
    find(host, selector)
        .and_then(|el| el.text_content())
        .unwrap_or_default()
}

/// The `data-comment-id` of every comment shown, in order.
pub fn shown_ids(host: &Element) -> Vec<String> {
    find_all(host, "li.comment")
        .iter()
        .map(|li| li.get_attribute("data-comment-id").unwrap())
        .collect()
}

/// What the comment box holds.
pub fn body_value(host: &Element, selector: &str) -> String {
    find(host, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into::<HtmlTextAreaElement>()
        .value()
}

/// Lets the browser run its queued tasks (fetch promises, Yew's renders) once.
pub async fn next_task() {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `condition` holds, failing after a generous deadline.
pub async fn until(what: &str, condition: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + 10_000.0;
    while !condition() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for: {what}"
        );
        next_task().await;
    }
}

pub async fn loaded(host: &Element) {
    until("the thread to load", || {
        find(host, "form.comment-form").is_some() && find(host, "p.status[role=status]").is_none()
    })
    .await;
}

pub fn type_into(host: &Element, selector: &str, value: &str) {
    let element = find(host, selector).unwrap_or_else(|| panic!("no {selector}"));
    if let Some(input) = element.dyn_ref::<HtmlInputElement>() {
        input.set_value(value);
    } else if let Some(area) = element.dyn_ref::<HtmlTextAreaElement>() {
        area.set_value(value);
    }
    let init = EventInit::new();
    init.set_bubbles(true);
    element
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    element
        .dispatch_event(&FocusEvent::new("blur").unwrap())
        .unwrap();
}

pub fn click(host: &Element, selector: &str) {
    find(host, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

pub fn fill_valid(host: &Element, prefix: &str) {
    type_into(host, &format!("{prefix} input[name=name]"), "Ada");
    type_into(
        host,
        &format!("{prefix} input[name=email]"),
        "ada@example.org",
    );
    type_into(
        host,
        &format!("{prefix} textarea[name=body]"),
        "Hello *there*",
    );
}

/// The draft kept under `key`, or "" when there is none.
pub fn draft_of(key: &str) -> String {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
        .unwrap_or_default()
}
