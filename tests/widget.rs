//! The widget in a real headless Chromium (wasm-bindgen-test). The Colloquy server is
//! replaced by a `fetch` stand-in here, so each test can decide exactly what the server
//! answers, including failures that are hard to provoke from a real one; the real server is
//! exercised by the end-to-end journeys in `e2e/`.
#![cfg(target_arch = "wasm32")]

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::{
    Element, Event, EventInit, FocusEvent, HtmlElement, HtmlInputElement, HtmlTextAreaElement,
};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const stub = { calls: [], routes: new Map(), held: [] };
export function stub_fetch() {
  stub.calls = []; stub.routes = new Map(); stub.held = [];
  localStorage.clear();
  globalThis.fetch = async (request) => {
    const method = request.method;
    const path = new URL(request.url).pathname;
    const body = method === "GET" ? null : await request.text();
    stub.calls.push({ method, path, body });
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
export function stub_respond(method, path, status, body) {
  const key = method + " " + path;
  if (!stub.routes.has(key)) stub.routes.set(key, []);
  stub.routes.get(key).push({ status, body });
}
export function stub_fail(method, path) {
  const key = method + " " + path;
  if (!stub.routes.has(key)) stub.routes.set(key, []);
  stub.routes.get(key).push({ fail: true });
}
export function stub_hold(method, path) {
  const key = method + " " + path;
  if (!stub.routes.has(key)) stub.routes.set(key, []);
  stub.routes.get(key).push({ hold: true });
}
export function stub_release(status, body) {
  const resolve = stub.held.shift();
  resolve(new Response(body, { status, headers: { "content-type": "application/json" } }));
}
export function stub_respond_with(method, path, status, body, name, value) {
  const key = method + " " + path;
  if (!stub.routes.has(key)) stub.routes.set(key, []);
  stub.routes.get(key).push({ status, body, header: [name, value] });
}
export function draft_keys() {
  return Object.keys(localStorage).filter((k) => k.startsWith("colloquy:draft:"));
}
export function stub_bodies(method) {
  return stub.calls.filter((c) => c.method === method).map((c) => c.body || c.path);
}
"#)]
extern "C" {
    fn stub_fetch();
    fn stub_respond(method: &str, path: &str, status: u16, body: &str);
    fn stub_fail(method: &str, path: &str);
    fn stub_hold(method: &str, path: &str);
    fn stub_release(status: u16, body: &str);
    fn stub_bodies(method: &str) -> Vec<String>;
    fn stub_respond_with(
        method: &str,
        path: &str,
        status: u16,
        body: &str,
        name: &str,
        value: &str,
    );
    fn draft_keys() -> Vec<String>;
}

const API: &str = "http://colloquy.test";
const CONFIG_PATH: &str = "/api/v1/config";

fn thread_path(thread: &str) -> String {
    format!("/api/v1/threads/{thread}/comments")
}

fn comment_json(
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

fn page_json(thread: &str, comments: Vec<serde_json::Value>) -> String {
    serde_json::json!({"thread": thread, "total": comments.len(), "comments": comments}).to_string()
}

/// Installs the stand-in with a config and the given thread, and mounts a widget.
fn start(thread: &str, comments: Vec<serde_json::Value>) -> Element {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path(thread),
        200,
        &page_json(thread, comments),
    );
    mount_widget(thread)
}

fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (name, value) in pairs {
        js_sys::Reflect::set(&object, &(*name).into(), &(*value).into()).unwrap();
    }
    object.into()
}

fn mount_with(pairs: &[(&str, &str)]) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    colloquy::mount(host.clone(), options(pairs)).unwrap();
    host
}

fn mount_widget(thread: &str) -> Element {
    mount_with(&[("thread", thread), ("api", API), ("lang", "en")])
}

fn stub_config() {
    let config = serde_json::json!({
        "rules": colloquy_core::rules::FormRules::default(),
        "moderation": false, "edit_window_secs": 900
    });
    stub_respond("GET", CONFIG_PATH, 200, &config.to_string());
}

fn finish(host: Element) {
    colloquy::unmount(&host);
    host.remove();
}

fn find(host: &Element, selector: &str) -> Option<Element> {
    host.shadow_root()?.query_selector(selector).ok()?
}

fn find_all(host: &Element, selector: &str) -> Vec<Element> {
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

fn text(host: &Element, selector: &str) -> String {
    find(host, selector)
        .and_then(|el| el.text_content())
        .unwrap_or_default()
}

/// Lets the browser run its queued tasks (fetch promises, Yew's renders) once.
async fn next_task() {
    let promise = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Waits until `condition` holds, failing after a generous deadline.
async fn until(what: &str, condition: impl Fn() -> bool) {
    let deadline = js_sys::Date::now() + 10_000.0;
    while !condition() {
        assert!(
            js_sys::Date::now() < deadline,
            "timed out waiting for: {what}"
        );
        next_task().await;
    }
}

async fn loaded(host: &Element) {
    until("the thread to load", || {
        find(host, "form.comment-form").is_some() && find(host, "p.status[role=status]").is_none()
    })
    .await;
}

fn type_into(host: &Element, selector: &str, value: &str) {
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

fn click(host: &Element, selector: &str) {
    find(host, selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

fn fill_valid(host: &Element, prefix: &str) {
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

#[wasm_bindgen_test]
async fn renders_the_nested_thread_with_its_count() {
    {
        let host = start(
            "nested",
            vec![
                comment_json(
                    1,
                    None,
                    "Ann",
                    "First <script>window.__pwned = 1</script>",
                    0,
                ),
                comment_json(2, None, "Ben", "Second", 1),
                comment_json(3, Some(1), "Cat", "Reply to *Ann*", 2),
                comment_json(4, Some(3), "Dan", "[deeper](https://example.org)", 3),
            ],
        );
        loaded(&host).await;
        assert_eq!(text(&host, "h2.count"), "4 comments");
        let order: Vec<(String, String)> = find_all(&host, "li.comment")
            .iter()
            .map(|li| {
                (
                    li.get_attribute("data-comment-id").unwrap(),
                    li.get_attribute("data-depth").unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, String)> = [("1", "0"), ("3", "1"), ("4", "2"), ("2", "0")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(order, expected);
        let class = find(&host, "li[data-comment-id='3']")
            .unwrap()
            .get_attribute("class");
        assert!(class.unwrap_or_default().split(' ').any(|c| c == "depth-1"));
        // Raw HTML is text, never an element.
        assert!(find(&host, "script").is_none());
        assert!(text(&host, "li[data-comment-id='1'] .body").contains("<script>"));
        assert_eq!(text(&host, "li[data-comment-id='3'] .body em"), "Ann");
        let link = find(&host, "li[data-comment-id='4'] .body a").unwrap();
        assert_eq!(
            link.get_attribute("href").as_deref(),
            Some("https://example.org")
        );
        assert_eq!(
            link.get_attribute("rel").as_deref(),
            Some("nofollow ugc noopener noreferrer")
        );
        let time = find(&host, "li[data-comment-id='1'] time").unwrap();
        assert_eq!(
            time.get_attribute("datetime").as_deref(),
            Some("2026-11-25T10:00:00Z")
        );
        assert!(!time.text_content().unwrap_or_default().is_empty());
        finish(host);
    }
}

#[wasm_bindgen_test]
async fn count_has_singular_and_empty_forms() {
    let host = start("single", vec![comment_json(1, None, "Ann", "Only one", 0)]);
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "1 comment");
    finish(host);

    let host = start("empty", vec![]);
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "No comments");
    assert!(text(&host, "p.status.empty").contains("Be the first to comment"));
    finish(host);
}

#[wasm_bindgen_test]
async fn a_failed_load_says_so_and_retries() {
    stub_fetch();
    stub_respond(
        "GET",
        CONFIG_PATH,
        200,
        r#"{"rules":{"name":{"required":true,"max_len":80},"email":{"required":true,"max_len":254},"website":{"required":false,"max_len":2048},"body":{"required":true,"max_len":10000}},"moderation":false,"edit_window_secs":900}"#,
    );
    stub_respond("GET", &thread_path("flaky"), 503, "{}");
    stub_respond(
        "GET",
        &thread_path("flaky"),
        200,
        &page_json("flaky", vec![comment_json(1, None, "Ann", "Back again", 0)]),
    );
    let host = mount_widget("flaky");
    until("the error", || find(&host, ".status.failed").is_some()).await;
    assert!(text(&host, ".status.failed").contains("could not be loaded"));
    click(&host, ".status.failed button.retry");
    until("the thread after retrying", || {
        find(&host, "li.comment").is_some()
    })
    .await;
    assert_eq!(text(&host, "h2.count"), "1 comment");
    finish(host);
}

#[wasm_bindgen_test]
async fn an_empty_submit_marks_each_required_field_and_sends_nothing() {
    let host = start("empty-submit", vec![]);
    loaded(&host).await;
    click(&host, "form.comment-form button.submit");
    until("the field errors", || {
        find_all(&host, ".field.invalid").len() == 3
    })
    .await;
    for name in ["name", "email", "body"] {
        let input = find(&host, &format!("[name={name}]")).unwrap();
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{name}"
        );
        let described = input.get_attribute("aria-describedby").unwrap_or_default();
        let error_id = described
            .split_whitespace()
            .find(|id| id.ends_with("-error"))
            .unwrap_or_else(|| panic!("{name} has no error in aria-describedby: {described}"));
        let message = text(&host, &format!("#{error_id}"));
        assert!(message.contains("is required"), "{name}: {message}");
    }
    let website = find(&host, "[name=website]").unwrap();
    assert_eq!(
        website.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    // The first invalid field has the focus.
    let focused = host.shadow_root().unwrap().active_element().unwrap();
    assert_eq!(focused.get_attribute("name").as_deref(), Some("name"));
    assert!(
        stub_bodies("POST").is_empty(),
        "nothing may be sent while invalid"
    );
    // Every label is tied to its input.
    for label in find_all(&host, "form.comment-form .field label") {
        let target = label.get_attribute("for").unwrap();
        assert!(
            find(&host, &format!("#{target}")).is_some(),
            "label for {target}"
        );
    }
    finish(host);
}

#[wasm_bindgen_test]
async fn leaving_a_field_checks_it_with_the_shared_rules() {
    let host = start("blur", vec![]);
    loaded(&host).await;
    type_into(&host, "input[name=email]", "not-an-address");
    until("the email error", || {
        find(&host, ".field.invalid").is_some()
    })
    .await;
    let described = find(&host, "[name=email]")
        .unwrap()
        .get_attribute("aria-describedby")
        .unwrap();
    assert!(
        described.contains("-note"),
        "the privacy note stays described: {described}"
    );
    assert!(text(&host, ".field.invalid .error").contains("email address"));
    type_into(&host, "input[name=website]", "javascript:alert(1)");
    until("the website error", || {
        find_all(&host, ".field.invalid").len() == 2
    })
    .await;
    type_into(&host, "input[name=email]", "ada@example.org");
    until("the email error to clear", || {
        find_all(&host, ".field.invalid").len() == 1
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn server_field_errors_land_on_the_same_fields() {
    let host = start("rejected", vec![]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("rejected"),
        422,
        r#"{"message":"Some fields need attention.","errors":[{"field":"body","code":"too_long","message":"Comment must be at most 10000 characters."}]}"#,
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the server's error on the comment field", || {
        text(&host, ".field.invalid .error").contains("at most 10000")
    })
    .await;
    let body = find(&host, "textarea[name=body]")
        .unwrap()
        .unchecked_into::<HtmlTextAreaElement>();
    assert_eq!(body.value(), "Hello *there*", "the text is kept");
    finish(host);
}

#[wasm_bindgen_test]
async fn a_network_failure_keeps_the_text_and_retry_posts_once() {
    let host = start("offline", vec![]);
    loaded(&host).await;
    stub_fail("POST", &thread_path("offline"));
    let created = serde_json::json!({
        "comment": comment_json(7, None, "Ada", "Hello *there*", 5),
        "edit_token": "t".repeat(64),
    });
    stub_respond("POST", &thread_path("offline"), 201, &created.to_string());
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the failure message", || {
        find(&host, ".feedback.failed").is_some()
    })
    .await;
    assert!(text(&host, ".feedback.failed").contains("Your text is kept"));
    let body = find(&host, "textarea[name=body]")
        .unwrap()
        .unchecked_into::<HtmlTextAreaElement>();
    assert_eq!(body.value(), "Hello *there*");

    click(&host, ".feedback.failed button.retry");
    until("the posted comment", || {
        find(&host, "li[data-comment-id='7']").is_some()
    })
    .await;
    assert_eq!(text(&host, "h2.count"), "1 comment");
    let posts = stub_bodies("POST");
    assert_eq!(posts.len(), 2);
    let key = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["idempotency_key"].clone()
    };
    assert_eq!(
        key(&posts[0]),
        key(&posts[1]),
        "a retry reuses its idempotency key"
    );
    until("the form to empty", || {
        find(&host, "textarea[name=body]")
            .unwrap()
            .unchecked_into::<HtmlTextAreaElement>()
            .value()
            .is_empty()
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn a_second_click_while_posting_does_nothing() {
    let host = start("double", vec![]);
    loaded(&host).await;
    stub_hold("POST", &thread_path("double"));
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    click(&host, "form.comment-form button.submit");
    until("the button to show progress", || {
        find(&host, "form.comment-form button.submit").is_some_and(|b| b.has_attribute("disabled"))
    })
    .await;
    assert_eq!(text(&host, "form.comment-form button.submit"), "Posting…");
    click(&host, "form.comment-form button.submit");
    next_task().await;
    assert_eq!(stub_bodies("POST").len(), 1);
    let created = serde_json::json!({
        "comment": comment_json(9, None, "Ada", "Hello *there*", 5),
        "edit_token": "t".repeat(64),
    });
    stub_release(201, &created.to_string());
    until("the posted comment", || {
        find(&host, "li[data-comment-id='9']").is_some()
    })
    .await;
    assert_eq!(stub_bodies("POST").len(), 1);
    finish(host);
}

#[wasm_bindgen_test]
async fn a_reply_opens_under_its_comment_and_appears_there() {
    let host = start(
        "replies",
        vec![
            comment_json(1, None, "Ann", "Top", 0),
            comment_json(2, Some(1), "Ben", "Nested", 1),
            comment_json(3, None, "Cat", "Later top", 2),
        ],
    );
    loaded(&host).await;
    click(&host, "li[data-comment-id='2'] button.reply");
    until("the reply form", || {
        find(&host, "li[data-comment-id='2'] form.reply-form").is_some()
    })
    .await;
    // Cancel closes it and brings the Reply button back.
    click(
        &host,
        "li[data-comment-id='2'] form.reply-form button.cancel",
    );
    until("the reply form to close", || {
        find(&host, "li[data-comment-id='2'] form.reply-form").is_none()
    })
    .await;
    click(&host, "li[data-comment-id='2'] button.reply");
    until("the reply form again", || {
        find(&host, "li[data-comment-id='2'] form.reply-form").is_some()
    })
    .await;

    let created = serde_json::json!({
        "comment": comment_json(4, Some(2), "Ada", "Deep reply", 5),
        "edit_token": "t".repeat(64),
    });
    stub_respond("POST", &thread_path("replies"), 201, &created.to_string());
    fill_valid(&host, "li[data-comment-id='2'] form.reply-form");
    click(
        &host,
        "li[data-comment-id='2'] form.reply-form button.submit",
    );
    until("the reply", || {
        find(&host, "li[data-comment-id='4']").is_some()
    })
    .await;
    let sent: serde_json::Value = serde_json::from_str(&stub_bodies("POST")[0]).unwrap();
    assert_eq!(sent["parent_id"], 2);
    let ids: Vec<String> = find_all(&host, "li.comment")
        .iter()
        .map(|li| li.get_attribute("data-comment-id").unwrap())
        .collect();
    assert_eq!(ids, vec!["1", "2", "4", "3"]);
    let reply = find(&host, "li[data-comment-id='4']").unwrap();
    assert_eq!(reply.get_attribute("data-depth").as_deref(), Some("2"));
    assert!(
        find(&host, "form.reply-form").is_none(),
        "the reply form closes"
    );
    assert_eq!(text(&host, "h2.count"), "4 comments");
    finish(host);
}

#[wasm_bindgen_test]
async fn options_choose_title_theme_and_sort() {
    stub_fetch();
    stub_config();
    let comments = vec![
        comment_json(1, None, "Ann", "Old", 0),
        comment_json(2, Some(1), "Ben", "Reply", 1),
        comment_json(3, None, "Cat", "New", 2),
    ];
    stub_respond(
        "GET",
        &thread_path("opts"),
        200,
        &page_json("opts", comments),
    );
    let host = mount_with(&[
        ("thread", "opts"),
        ("api", API),
        ("title", "<b>Release</b> notes"),
        ("theme", "dark"),
        ("sort", "newest"),
    ]);
    loaded(&host).await;
    assert_eq!(
        text(&host, "h2.count"),
        "3 comments on “<b>Release</b> notes”"
    );
    assert!(find(&host, "h2.count b").is_none(), "the title is text");
    let class = find(&host, "section.colloquy")
        .unwrap()
        .get_attribute("class")
        .unwrap();
    assert!(class.contains("theme-dark"), "{class}");
    let ids: Vec<String> = find_all(&host, "li.comment")
        .iter()
        .map(|li| li.get_attribute("data-comment-id").unwrap())
        .collect();
    assert_eq!(ids, vec!["3", "1", "2"], "newest conversations first");
    assert!(stub_bodies("GET")
        .iter()
        .any(|path| path.ends_with("/opts/comments")));
    finish(host);
}

#[wasm_bindgen_test]
async fn without_a_thread_the_normalised_page_path_is_used() {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path("%2Fpost"),
        200,
        &page_json("/post", vec![comment_json(1, None, "Ann", "Hi", 0)]),
    );
    let host = mount_with(&[("path", "/post/index.html"), ("api", API)]);
    until("the page's thread", || find(&host, "li.comment").is_some()).await;
    finish(host);
}

#[wasm_bindgen_test]
async fn update_switches_threads_in_place() {
    let host = start(
        "first",
        vec![comment_json(1, None, "Ann", "In the first", 0)],
    );
    loaded(&host).await;
    stub_respond(
        "GET",
        &thread_path("second"),
        200,
        &page_json(
            "second",
            vec![
                comment_json(5, None, "Eve", "In the second", 0),
                comment_json(6, None, "Fay", "Also second", 1),
            ],
        ),
    );
    assert!(colloquy::update(&host, options(&[("thread", "second")])));
    until("the second thread", || {
        text(&host, "h2.count") == "2 comments"
    })
    .await;
    assert!(find(&host, "li[data-comment-id='1']").is_none());
    assert_eq!(find_all(&host, ".colloquy-root").len(), 1);
    assert_eq!(colloquy::instances(), 1);
    finish(host);
    assert_eq!(colloquy::instances(), 0);
    assert!(!colloquy::update(
        &web_sys::window()
            .unwrap()
            .document()
            .unwrap()
            .create_element("div")
            .unwrap(),
        options(&[])
    ));
}

#[wasm_bindgen_test]
async fn a_refused_origin_is_told_in_words() {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path("refused"),
        403,
        r#"{"message":"This site (http://evil.test) is not allowed to use this comment server."}"#,
    );
    let host = mount_widget("refused");
    until("the refusal", || find(&host, ".status.failed").is_some()).await;
    assert!(text(&host, ".status.failed")
        .contains("This site is not allowed to use this comment server."));
    finish(host);
}

fn draft_of(key: &str) -> String {
    web_sys::window()
        .unwrap()
        .local_storage()
        .unwrap()
        .unwrap()
        .get_item(key)
        .unwrap()
        .unwrap_or_default()
}

#[wasm_bindgen_test]
async fn drafts_survive_a_remount_and_go_once_accepted() {
    let host = start("drafts", vec![comment_json(1, None, "Ann", "Top", 0)]);
    loaded(&host).await;
    fill_valid(&host, "form.comment-form");
    let top = format!("colloquy:draft:{API}|drafts|top");
    until("the draft to be kept", || {
        draft_of(&top).contains("Hello *there*")
    })
    .await;
    assert_eq!(draft_keys(), vec![top.clone()]);

    // A reply draft is kept apart from the top-level one.
    click(&host, "li[data-comment-id='1'] button.reply");
    until("the reply form", || {
        find(&host, "form.reply-form").is_some()
    })
    .await;
    type_into(&host, "form.reply-form textarea[name=body]", "Half a reply");
    until("the reply draft", || draft_keys().len() == 2).await;
    finish(host);

    // As after a reload: a new instance on the same thread gets the text back.
    stub_respond(
        "GET",
        &thread_path("drafts"),
        200,
        &page_json("drafts", vec![comment_json(1, None, "Ann", "Top", 0)]),
    );
    let host = mount_widget("drafts");
    loaded(&host).await;
    let body = find(&host, "form.comment-form textarea[name=body]")
        .unwrap()
        .unchecked_into::<HtmlTextAreaElement>();
    assert_eq!(body.value(), "Hello *there*");
    let name = find(&host, "form.comment-form input[name=name]")
        .unwrap()
        .unchecked_into::<HtmlInputElement>();
    assert_eq!(name.value(), "Ada");

    // A failed post keeps it; the accepted one clears it.
    stub_fail("POST", &thread_path("drafts"));
    let created = serde_json::json!({"comment": comment_json(2, None, "Ada", "Hello *there*", 5), "edit_token": "t".repeat(64)});
    stub_respond("POST", &thread_path("drafts"), 201, &created.to_string());
    click(&host, "form.comment-form button.submit");
    until("the failure", || find(&host, ".feedback.failed").is_some()).await;
    assert!(draft_of(&top).contains("Hello *there*"));
    click(&host, ".feedback.failed button.retry");
    until("the posted comment", || {
        find(&host, "li[data-comment-id='2']").is_some()
    })
    .await;
    until("the top-level draft to go", || {
        draft_keys() == vec![format!("colloquy:draft:{API}|drafts|1")]
    })
    .await;
    finish(host);
}

#[wasm_bindgen_test]
async fn too_many_posts_say_when_to_try_again_and_keep_the_text() {
    let host = start("flood", vec![]);
    loaded(&host).await;
    stub_respond_with(
        "POST",
        &thread_path("flood"),
        429,
        r#"{"message":"You are posting too quickly. Try again in 42 seconds."}"#,
        "retry-after",
        "42",
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the wait", || find(&host, ".feedback.failed").is_some()).await;
    assert!(text(&host, ".feedback.failed").contains("Try again in 42 seconds"));
    let body = find(&host, "textarea[name=body]")
        .unwrap()
        .unchecked_into::<HtmlTextAreaElement>();
    assert_eq!(body.value(), "Hello *there*");
    finish(host);
}

#[wasm_bindgen_test]
async fn the_honeypot_is_out_of_sight_and_empty_for_people() {
    let host = start("trap", vec![]);
    loaded(&host).await;
    let created = serde_json::json!({"comment": comment_json(3, None, "Ada", "Hello *there*", 5), "edit_token": "t".repeat(64)});
    stub_respond("POST", &thread_path("trap"), 201, &created.to_string());
    let trap = find(&host, ".trap input").unwrap();
    assert_eq!(trap.get_attribute("tabindex").as_deref(), Some("-1"));
    let measure: js_sys::Function = js_sys::Reflect::get(&trap, &"getBoundingClientRect".into())
        .unwrap()
        .unchecked_into();
    let rect = measure.call0(&trap).unwrap();
    let right = js_sys::Reflect::get(&rect, &"right".into())
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(right < 0.0, "it is off-screen ({right})");
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the post", || {
        find(&host, "li[data-comment-id='3']").is_some()
    })
    .await;
    let sent: serde_json::Value = serde_json::from_str(&stub_bodies("POST")[0]).unwrap();
    assert!(
        sent.get("honeypot").is_none(),
        "an empty honeypot is not even sent: {sent}"
    );
    finish(host);
}
