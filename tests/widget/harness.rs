use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Element, Event, EventInit, FocusEvent, HtmlElement, HtmlInputElement, HtmlTextAreaElement,
};

#[wasm_bindgen(inline_js = r##"
const stub = { calls: [], routes: new Map(), held: [] };
// The server's event streams: a stand-in EventSource that records every stream opened and
// lets a test deliver events, as the browser would, each in a task of its own.
const live = { sources: [] };
class StubEventSource extends EventTarget {
  constructor(url) {
    super();
    this.url = String(url);
    this.readyState = 0;
    live.sources.push(this);
  }
  close() { this.readyState = 2; }
}
StubEventSource.CONNECTING = 0;
StubEventSource.OPEN = 1;
StubEventSource.CLOSED = 2;
const isOpen = (source) => source.readyState !== 2;
function route(method, path, answer) {
  const key = method + " " + path;
  if (!stub.routes.has(key)) stub.routes.set(key, []);
  stub.routes.get(key).push(answer);
}
export function stub_fetch() {
  stub.calls = []; stub.routes = new Map(); stub.held = [];
  localStorage.clear();
  live.sources = [];
  globalThis.EventSource = StubEventSource;
  set_visibility("visible");
  // The API client sends Requests; the catalogs are fetched by URL alone.
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const method = request.method;
    const path = new URL(request.url).pathname;
    const body = method === "GET" ? null : await request.text();
    const authorization = request.headers.get("authorization");
    stub.calls.push({ method, path, body, authorization });
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
export function stub_authorizations(method, path) {
  return stub.calls
    .filter((c) => c.method === method && c.path === path)
    .map((c) => c.authorization || "");
}
export function live_streams() { return live.sources.filter(isOpen).map((s) => s.url); }
export function live_streams_opened() { return live.sources.length; }
export function live_send(id, data) {
  const source = live.sources.filter(isOpen).at(-1);
  if (!source) throw new Error("no open event stream to send to");
  setTimeout(() => {
    if (!isOpen(source)) return; // closed meanwhile: a real EventSource drops it too
    source.readyState = 1;
    source.dispatchEvent(new MessageEvent("comment", { data, lastEventId: String(id) }));
  }, 0);
}
export function live_refuse() {
  const source = live.sources.filter(isOpen).at(-1);
  source.readyState = 2;
  source.dispatchEvent(new Event("error"));
}
export function set_visibility(state) {
  Object.defineProperty(document, "visibilityState", { value: state, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}
const consoleErrors = { original: null, seen: [] };
export function record_console_errors() {
  consoleErrors.seen = [];
  consoleErrors.original = console.error;
  console.error = (...args) => {
    consoleErrors.seen.push(args.map(String).join(" "));
    consoleErrors.original.apply(console, args);
  };
}
export function recorded_console_errors() {
  if (consoleErrors.original) console.error = consoleErrors.original;
  consoleErrors.original = null;
  return consoleErrors.seen;
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
export function press_key(element, key) {
  const init = { key, bubbles: true, composed: true, cancelable: true };
  element.dispatchEvent(new KeyboardEvent("keydown", init));
}
export function rect(element) {
  const r = element.getBoundingClientRect();
  return [r.left, r.top, r.right, r.bottom];
}
export function arabic_number(n) {
  return new Intl.NumberFormat("ar").format(n);
}
// What each DOM change left in `host`'s thread: [comments drawn, the heading, aria-busy],
// one entry per batch of mutations that changed the number of comments.
export function watch_drawing(host) {
  const seen = (host.drawing = []);
  new MutationObserver(() => {
    const root = host.shadowRoot;
    const drawn = root.querySelectorAll("li.comment").length;
    const last = seen[seen.length - 1];
    if (!last || last[0] !== drawn) {
      const section = root.querySelector("section.colloquy");
      seen.push([drawn, root.querySelector("h2.count")?.textContent ?? "", section?.getAttribute("aria-busy") ?? ""]);
    }
  }).observe(host.shadowRoot, { childList: true, subtree: true });
}
export function drawing(host) {
  return JSON.stringify(host.drawing);
}
// Contrast as a reader sees it: the page's white, every background from the page down to
// the element painted over it, then the text colour; a canvas does the compositing, and
// reads any colour syntax the browser computes (rgb, color(srgb …), oklch …).
function paint(context, colour) {
  context.fillStyle = "#010203";
  context.fillStyle = colour;
  if (context.fillStyle === "#010203" && colour !== "#010203") throw new Error("cannot paint " + colour);
  context.fillRect(0, 0, 1, 1);
  return [...context.getImageData(0, 0, 1, 1).data].slice(0, 3);
}
function luminance(rgb) {
  const [r, g, b] = rgb.map((c) => { c /= 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
export function contrast_of(element) {
  const layers = [];
  for (let e = element; e; e = e.parentElement || e.getRootNode().host || null) {
    layers.unshift(getComputedStyle(e).backgroundColor);
  }
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 1;
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let back = paint(context, "#ffffff");
  for (const layer of layers) back = paint(context, layer);
  const fore = paint(context, getComputedStyle(element).color);
  const [a, b] = [luminance(fore), luminance(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}
// Everything in `root` that reaches sideways past `frame`, or past its parent's content
// box (into its padding: a squeezed form), but for the 1-pixel boxes kept out of sight on
// purpose (the honeypot, text for screen readers only).
function content_box(element) {
  const r = element.getBoundingClientRect();
  const s = getComputedStyle(element);
  const side = (name) => parseFloat(s.getPropertyValue(name)) || 0;
  return {
    left: r.left + side("border-left-width") + side("padding-left"),
    right: r.right - side("border-right-width") - side("padding-right"),
  };
}
export function overflowing(root, frame) {
  const past = (inner, outer) => inner.left < outer.left - 0.5 || inner.right > outer.right + 0.5;
  const edge = frame.getBoundingClientRect();
  return [...root.querySelectorAll("*")]
    .filter((e) => !e.closest(".trap, .visually-hidden"))
    // Not rendered (display: none): no box, nothing to overflow.
    .filter((e) => e.getClientRects().length > 0)
    .filter((e) => {
      const box = e.getBoundingClientRect();
      const parent = e.parentElement ? content_box(e.parentElement) : edge;
      return past(box, edge) || past(box, parent);
    })
    .map((e) => e.localName + "." + [...e.classList].join(".") + " " + Math.round(e.getBoundingClientRect().width));
}
export function browser_default_date(iso) {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return format.format(new Date(iso));
}
"##)]
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
    /// The `Authorization` header of every `method` request to `path` ("" when it had none).
    pub fn stub_authorizations(method: &str, path: &str) -> Vec<String>;
    /// The URL of every event stream the widget holds open.
    pub fn live_streams() -> Vec<String>;
    /// How many event streams the widget has opened since `stub_fetch`.
    pub fn live_streams_opened() -> u32;
    /// Delivers a `comment` event with this id and JSON data on the latest open stream.
    pub fn live_send(id: i64, data: &str);
    /// The latest open stream fails for good, as a 403 or 503 makes an EventSource do.
    pub fn live_refuse();
    /// Pretends the tab is `visible` or `hidden`, and says so as the browser would.
    pub fn set_visibility(state: &str);
    /// Starts keeping what goes to `console.error` (it still goes there too).
    pub fn record_console_errors();
    /// What went to `console.error` since `record_console_errors`, which stops keeping it.
    pub fn recorded_console_errors() -> Vec<String>;
    pub fn draft_keys() -> Vec<String>;
    /// `getComputedStyle(element)[property]`, as the reader's browser resolved it.
    pub fn computed_style(element: &Element, property: &str) -> String;
    /// Where the element ends horizontally; negative means left of the viewport.
    pub fn right_edge(element: &Element) -> f64;
    /// How many CSS rules apply inside `root`, adopted or in `<style>` elements.
    pub fn style_rules_in(root: &web_sys::ShadowRoot) -> u32;
    /// `iso` formatted by the browser's default locale, as the widget formats dates.
    pub fn browser_default_date(iso: &str) -> String;
    /// A `keydown` of `key` (`"Escape"`) on `element`, bubbling as a real one does.
    pub fn press_key(element: &Element, key: &str);
    /// `getBoundingClientRect()` as [left, top, right, bottom].
    pub fn rect(element: &Element) -> Vec<f64>;
    /// `n` as `Intl.NumberFormat("ar")` writes it.
    pub fn arabic_number(n: u32) -> String;
    /// Starts noting, at every DOM change in `host`'s shadow root that changes how many
    /// comments are drawn, that number, the heading and `aria-busy` (see [`drawing`]).
    pub fn watch_drawing(host: &Element);
    /// What [`watch_drawing`] noted, as JSON: `[[drawn, heading, aria-busy], …]`.
    pub fn drawing(host: &Element) -> String;
    /// The WCAG contrast ratio of `element`'s text on the backgrounds behind it (over a
    /// white page).
    pub fn contrast_of(element: &Element) -> f64;
    /// The elements in `root` whose boxes reach past `frame`'s left or right side.
    pub fn overflowing(root: &web_sys::ShadowRoot, frame: &Element) -> Vec<String>;
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
    // As the server sends it: the body parsed into content, the source left out.
    let content = colloquy_core::markdown::parse_comment(body);
    serde_json::json!({
        "id": id, "parent_id": parent, "author": author, "website": null, "content": content,
        "created_at": format!("2026-11-25T10:{minute:02}:00Z"),
    })
}

pub fn page_json(thread: &str, comments: Vec<serde_json::Value>) -> String {
    page_json_at(thread, comments, 0)
}

/// A page read when the thread's latest live event was `last_event_id`.
pub fn page_json_at(thread: &str, comments: Vec<serde_json::Value>, last_event_id: i64) -> String {
    serde_json::json!({
        "thread": thread, "total": comments.len(), "comments": comments,
        "last_event_id": last_event_id, "content_version": 1,
    })
    .to_string()
}

/// The `data` of a live event: `kind` is `created` or `edited`.
pub fn event_json(kind: &str, comment: serde_json::Value) -> String {
    serde_json::json!({"kind": kind, "comment": comment}).to_string()
}

/// The server's answer to a stored post of `comment`.
pub fn created_json(comment: serde_json::Value) -> String {
    serde_json::json!({"comment": comment, "edit_token": "t".repeat(64)}).to_string()
}

/// Installs the stand-in with the server's configuration and `thread` holding `comments`.
pub fn serve(thread: &str, comments: Vec<serde_json::Value>) {
    serve_at(thread, comments, 0);
}

/// [`serve`], with the thread read when its latest live event was `last_event_id`.
pub fn serve_at(thread: &str, comments: Vec<serde_json::Value>, last_event_id: i64) {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path(thread),
        200,
        &page_json_at(thread, comments, last_event_id),
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

/// A fresh element at the top of the page's body: in view, whatever a failed test left
/// below it (a thread follows its live events only while it is near the screen).
pub fn new_element_in_body() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("div").unwrap();
    document
        .body()
        .unwrap()
        .prepend_with_node_1(&element)
        .unwrap();
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

/// The element holding the focus inside `host`'s shadow root.
pub fn focused(host: &Element) -> Option<Element> {
    host.shadow_root()?.active_element()
}

/// Whether the focus is on the first match for `selector` inside `host`.
pub fn has_focus(host: &Element, selector: &str) -> bool {
    match (focused(host), find(host, selector)) {
        (Some(focused), Some(wanted)) => focused.is_same_node(Some(&wanted)),
        _ => false,
    }
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

/// The thread has loaded and is drawn whole (not busy: the first frame of a long page
/// draws only its first comments).
pub async fn loaded(host: &Element) {
    until("the thread to load", || {
        find(host, "form.comment-form").is_some()
            && find(host, "p.status[role=status]").is_none()
            && find(host, "section.colloquy[aria-busy]").is_none()
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
