//! Colloquy on other people's pages: host pages served from their own origin (another
//! loopback port) than the comment server, with hostile CSS, several threads, a single-page
//! app, a strict Content-Security-Policy, a long page, a refused origin and a theme.

use colloquy_e2e::fault_proxy::FaultProxy;
use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::stage::{Stage, WAIT};
use serde_json::json;

const HOSTILE_CSS: &str = "<style>
  * { all: revert !important; font-size: 40px !important; color: red !important;
      box-sizing: content-box !important }
  button { display: none !important }
  form, input, textarea { all: unset !important }
  div { display: none !important }
  div[data-colloquy] { display: block !important }
</style>";

#[test]
fn a_hostile_stylesheet_cannot_break_the_thread() {
    let stage = Stage::start();
    stage
        .server
        .post("hostile", "Ann", "Readable **despite** the page's CSS.");
    stage.open(
        "/hostile",
        HOSTILE_CSS,
        "<div data-colloquy data-thread=\"hostile\"></div>",
        None,
    );
    let host = "div[data-colloquy]";
    stage.wait_for_count(host, "1 comment");
    let layout = stage.in_root(
        host,
        "[...root.querySelectorAll('li.comment .body, button.submit, textarea, input[name=name]')]
           .map(e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e);
                       return [e.tagName, r.width > 0 && r.height > 0, s.display, s.visibility]; })",
    );
    for item in layout.as_array().unwrap() {
        assert_eq!(item[1], true, "{item} has a size");
        assert_ne!(item[2], "none", "{item} is displayed");
        assert_eq!(item[3], "visible", "{item} is visible");
    }
    stage.post_through(host, "Bea", "Posted through a hostile page.");
    stage.wait_for_count(host, "2 comments");
    assert_eq!(stage.total("hostile"), 2);
}

#[test]
fn two_threads_on_one_page_keep_to_themselves() {
    let stage = Stage::start();
    stage.server.post("alpha", "Ann", "Alpha one");
    stage.server.post("alpha", "Ben", "Alpha two");
    stage.server.post("beta", "Cat", "Beta one");
    stage.open(
        "/two",
        "",
        "<div data-colloquy data-thread=\"alpha\"></div>\
         <colloquy-thread thread=\"beta\"></colloquy-thread>",
        None,
    );
    let (alpha, beta) = ("div[data-colloquy]", "colloquy-thread");
    stage.wait_for_count(alpha, "2 comments");
    stage.wait_for_count(beta, "1 comment");
    assert_eq!(
        stage.in_root(beta, "root.querySelector('li.comment .body').textContent"),
        "Beta one"
    );
    stage.post_through(alpha, "Dan", "Only in alpha");
    stage.wait_for_count(alpha, "3 comments");
    assert_eq!(
        stage.in_root(beta, "root.querySelector('h2.count').textContent"),
        "1 comment"
    );
    assert_eq!((stage.total("alpha"), stage.total("beta")), (3, 1));
    let instances = stage
        .browser
        .execute("return window.Colloquy.instances();", json!([]));
    assert_eq!(instances, 2, "one wasm instance serves both");
}

#[test]
fn a_single_page_app_switches_threads_without_duplicates_or_leaks() {
    let stage = Stage::start();
    for (thread, count) in [("spa-1", 1), ("spa-2", 2), ("spa-3", 3)] {
        for n in 0..count {
            stage
                .server
                .post(thread, "Ann", &format!("{thread} comment {n}"));
        }
    }
    stage.open("/spa", "", "<main id=\"app\"></main>", None);
    stage
        .browser
        .wait_for("the loader", "typeof window.Colloquy === 'object'", WAIT);
    let host = "#app";
    let call = |script: &str| stage.browser.execute(script, json!([]));
    call("window.Colloquy.mount(document.getElementById('app'), {thread: 'spa-1'});");
    stage.wait_for_count(host, "1 comment");
    let nodes_first = stage.in_root(host, "root.querySelectorAll('*').length");

    call("window.Colloquy.update(document.getElementById('app'), {thread: 'spa-2'});");
    stage.wait_for_count(host, "2 comments");
    call("const app = document.getElementById('app'); window.Colloquy.unmount(app); window.Colloquy.mount(app, {thread: 'spa-3'});");
    stage.wait_for_count(host, "3 comments");
    assert_eq!(
        stage.in_root(host, "root.querySelectorAll('.colloquy-root').length"),
        1
    );
    assert_eq!(call("return window.Colloquy.instances();"), 1);

    // Fifty more route changes, alternating the two ways an app can switch.
    call(
        "const app = document.getElementById('app');
         for (let i = 0; i < 50; i++) {
           if (i % 2) { window.Colloquy.update(app, {thread: i % 4 === 1 ? 'spa-2' : 'spa-3'}); }
           else { window.Colloquy.unmount(app); window.Colloquy.mount(app, {thread: 'spa-2'}); }
         }
         window.Colloquy.update(app, {thread: 'spa-1'});",
    );
    stage.wait_for_count(host, "1 comment");
    assert_eq!(call("return window.Colloquy.instances();"), 1);
    assert_eq!(
        stage.in_root(host, "root.querySelectorAll('.colloquy-root').length"),
        1
    );
    let comments = stage.in_root(host, "root.querySelectorAll('li.comment').length");
    assert_eq!(comments, 1);
    assert_eq!(
        stage.in_root(host, "root.querySelectorAll('*').length"),
        nodes_first,
        "the same thread shows the same DOM after 53 switches"
    );
}

#[test]
fn a_strict_content_security_policy_is_enough() {
    let stage = Stage::start();
    stage.server.post("csp", "Ann", "Under a strict policy.");
    let server = &stage.server.base;
    // The directives the README tells site owners to add, and nothing else.
    let csp = format!(
        "default-src 'none'; script-src {server} 'wasm-unsafe-eval'; connect-src {server}; style-src 'none'"
    );
    stage.open(
        "/csp",
        "",
        "<div data-colloquy data-thread=\"csp\"></div>",
        Some(csp),
    );
    let host = "div[data-colloquy]";
    stage.wait_for_count(host, "1 comment");
    // The widget's own stylesheet still applies (a constructed sheet, not inline CSS).
    let accent = stage.in_root(
        host,
        "getComputedStyle(root.querySelector('button.submit')).backgroundColor",
    );
    assert_eq!(accent, "rgb(37, 99, 235)");
    stage.post_through(host, "Bea", "Posted under the policy.");
    stage.wait_for_count(host, "2 comments");
}

#[test]
fn the_wasm_is_fetched_only_when_the_thread_comes_near() {
    let stage = Stage::start();
    stage.server.post("lazy", "Ann", "Far below.");
    stage.open(
        "/lazy",
        "<style>.spacer { height: 6000px }</style>",
        "<p>Top of a long article.</p><div class=\"spacer\"></div>\
         <div data-colloquy data-thread=\"lazy\"></div>",
        None,
    );
    let fetched_wasm =
        "performance.getEntriesByType('resource').some(e => e.name.includes('colloquy_bg.wasm'))";
    // Give the observer its first look (two frames after load), then check nothing came.
    let script = "const done = arguments[arguments.length - 1];
         const ready = () => document.readyState === 'complete' && window.Colloquy;
         const settle = () => requestAnimationFrame(() => requestAnimationFrame(() => done(true)));
         const poll = () => ready() ? settle() : setTimeout(poll, 20);
         poll();";
    stage.browser.execute_async(script);
    assert_eq!(
        stage
            .browser
            .execute(&format!("return {fetched_wasm};"), json!([])),
        false,
        "no wasm request while the thread is far away"
    );
    let placeholder = stage.browser.execute(
        "return document.querySelector('[data-colloquy]').textContent;",
        json!([]),
    );
    assert_eq!(
        placeholder, "…",
        "a placeholder without words until the widget brings them"
    );
    stage.browser.execute(
        "document.querySelector('[data-colloquy]').scrollIntoView();",
        json!([]),
    );
    stage.wait_for_count("div[data-colloquy]", "1 comment");
    assert_eq!(
        stage
            .browser
            .execute(&format!("return {fetched_wasm};"), json!([])),
        true
    );
}

#[test]
fn a_site_that_is_not_allowed_is_told_so_and_posts_nothing() {
    let stage = Stage::start();
    let stranger = HostSite::start();
    let url = stranger.page(
        "/stranger",
        stage.host_page("", "<div data-colloquy data-thread=\"guarded\"></div>"),
        None,
    );
    stage.browser.goto(&url);
    let host = "div[data-colloquy]";
    let message = stage.wait_in_root(
        host,
        "the refusal",
        "root.querySelector('.status.failed p')?.textContent",
    );
    assert_eq!(
        message,
        "This site is not allowed to use this comment server."
    );
    // No form is offered where the server will take nothing, and nothing was stored.
    assert_eq!(
        stage.in_root(
            host,
            "root.querySelectorAll('form, textarea, input').length"
        ),
        0
    );
    assert_eq!(stage.total("guarded"), 0);
    stage
        .server
        .wait_for_log(&["refused", &stranger.origin], WAIT);
}

#[test]
fn custom_properties_and_themes_restyle_the_widget() {
    let stage = Stage::start();
    stage.open(
        "/themed",
        "<style>#themed { --colloquy-accent: rgb(255, 0, 128); --colloquy-radius: 0px; }</style>",
        "<div id=\"themed\" data-colloquy data-thread=\"themed\"></div>\
         <div id=\"dark\" data-colloquy data-thread=\"themed\" data-theme=\"dark\"></div>",
        None,
    );
    stage.wait_for_count("#themed", "No comments");
    stage.wait_for_count("#dark", "No comments");
    let themed = stage.in_root(
        "#themed",
        "[getComputedStyle(root.querySelector('button.submit')).backgroundColor,
          getComputedStyle(root.querySelector('button.submit')).borderTopLeftRadius]",
    );
    assert_eq!(themed, json!(["rgb(255, 0, 128)", "0px"]));
    let dark = stage.in_root(
        "#dark",
        "[getComputedStyle(root.querySelector('section.colloquy')).backgroundColor,
          getComputedStyle(root.querySelector('section.colloquy')).color]",
    );
    assert_eq!(dark, json!(["rgb(22, 24, 29)", "rgb(231, 233, 238)"]));
}

#[test]
fn eager_loading_and_a_second_copy_of_the_loader() {
    let stage = Stage::start();
    stage.server.post("eager", "Ann", "Loaded at once.");
    // The loader twice (as happens with copy-pasted snippets): the second copy does nothing.
    let twice = format!(
        "<div class=\"spacer\"></div><div data-colloquy data-thread=\"eager\" data-loading=\"eager\"></div>\
         <script src=\"{}/embed.js\" async></script>",
        stage.server.base
    );
    stage.open(
        "/eager",
        "<style>.spacer { height: 6000px }</style>",
        &twice,
        None,
    );
    stage.wait_for_count("div[data-colloquy]", "1 comment");
    let scrolled = stage.browser.execute("return window.scrollY;", json!([]));
    assert_eq!(scrolled, 0, "it loaded without being scrolled to");
    let shape = stage.browser.execute(
        "return [window.Colloquy.instances(),
                 document.querySelector('[data-colloquy]').shadowRoot.querySelectorAll('.colloquy-root').length,
                 performance.getEntriesByType('resource').filter(e => e.name.includes('colloquy_bg.wasm')).length];",
        json!([]),
    );
    assert_eq!(shape, json!([1, 1, 1]));
}

#[test]
fn a_widget_that_cannot_start_says_so_in_words() {
    let stage = Stage::start();
    let server = &stage.server.base;
    // Without 'wasm-unsafe-eval' the browser refuses to compile the widget.
    let csp = format!("default-src 'none'; script-src {server}; connect-src {server}");
    stage.open(
        "/broken",
        "",
        "<div data-colloquy data-thread=\"broken\"></div>",
        Some(csp),
    );
    let text = stage.browser.wait_for(
        "the failure message",
        "(() => { const el = document.querySelector('[data-colloquy]');
                  const text = (el.shadowRoot || el).textContent;
                  return text !== '…' && text; })()",
        WAIT,
    );
    assert_eq!(text, "The comments could not be loaded.");
    let page_still_works = stage
        .browser
        .execute("return typeof window.Colloquy.mount;", json!([]));
    assert_eq!(page_still_works, "function");
}

#[test]
fn a_retry_after_a_lost_response_stores_the_comment_once() {
    let stage = Stage::start();
    let proxy = FaultProxy::start(stage.server.base.trim_start_matches("http://"), 1);
    stage.open(
        "/flaky",
        "",
        &format!(
            "<div data-colloquy data-thread=\"flaky\" data-api=\"{}\"></div>",
            proxy.origin
        ),
        None,
    );
    let host = "div[data-colloquy]";
    stage.wait_for_count(host, "No comments");
    stage.post_through(host, "Flaky Flo", "Sent over a bad connection.");
    stage.wait_in_root(
        host,
        "the failure and its Retry button",
        "root.querySelector('.feedback.failed button.retry')",
    );
    assert_eq!(stage.total("flaky"), 1, "the server did store it");
    stage
        .browser
        .click(&stage.in_widget(host, ".feedback.failed button.retry"));
    stage.wait_for_count(host, "1 comment");
    assert_eq!(
        stage.in_root(host, "root.querySelectorAll('li.comment').length"),
        1
    );
    assert_eq!(stage.total("flaky"), 1, "the retry stored nothing new");
    let posts = proxy.posts.lock().unwrap().clone();
    assert_eq!(posts.len(), 2, "one post and one retry");
    let key = |body: &str| {
        serde_json::from_str::<serde_json::Value>(body).unwrap()["idempotency_key"].clone()
    };
    assert_eq!(
        key(&posts[0]),
        key(&posts[1]),
        "the retry carried the same key"
    );
}
