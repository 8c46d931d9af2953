//! Reflow (WCAG 2.1, 1.4.10; issue 8): at 320 CSS pixels wide nothing in the thread may
//! need scrolling sideways: not a long unbroken word, not a long URL, not a name without
//! spaces, not a reply four levels deep. Checked twice: in a window 320 pixels wide, and in
//! a window 640 pixels wide zoomed to 200 % (the zoom a reader sets, held by the browser's
//! profile), which gives the page the same 320 CSS pixels at twice the pixel density.
//!
//! Headless Chromium gives the page the whole window, so a 320-pixel window is a
//! 320-pixel viewport (it reports 500 as `outerWidth`, its smallest frame, but lays the page
//! out at 320); each journey checks the width the page really has before it judges.

use colloquy_e2e::seeding::{post, Post};
use colloquy_e2e::stage::{Stage, WAIT};
use colloquy_e2e::webdriver::Browser;
use serde_json::{json, Value};

const THREAD: &str = "reflow";
const HOST: &str = "#comments";

/// The thread: words and links that do not break by themselves, and a chain of replies
/// four levels deep.
fn seed_hard_to_wrap(stage: &Stage) {
    let server = &stage.server;
    let word = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft";
    let url = format!(
        "https://example.org/{}/index.html?query={}",
        "a-really-long-path-segment-without-any-break".repeat(4),
        "0123456789".repeat(8)
    );
    let name: String = "Wolfeschlegelsteinhausenbergerdorffvoralternwarengewissenhaft"
        .chars()
        .cycle()
        .take(80)
        .collect();
    let top = post(
        server,
        THREAD,
        &Post::new(
            &name,
            &format!("{word}{word}\n\nAnd in code: `{word}{word}`."),
        ),
    );
    let link_body = format!("A link: <{url}>\n\nAnd the same as text: {url}");
    let first = post(
        server,
        THREAD,
        &Post::new("Linker", &link_body).reply_to(top),
    );
    let code_body = format!("A long line of code:\n\n```\nlet x = \"{word}{word}\";\n```");
    let second = post(
        server,
        THREAD,
        &Post::new("Coder", &code_body).reply_to(first),
    );
    let third = post(
        server,
        THREAD,
        &Post::new("Third", &format!("Three deep, {word}.")).reply_to(second),
    );
    post(
        server,
        THREAD,
        &Post::new("Fourth", &format!("Four deep, still readable: {url}")).reply_to(third),
    );
}

/// Opens the article with the thread and waits for all five comments.
fn open_thread(stage: &Stage) {
    seed_hard_to_wrap(stage);
    stage.open(
        "/reflow",
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        &format!(
            "<h1>Narrow</h1><div id=\"comments\" data-colloquy data-thread=\"{THREAD}\"></div>"
        ),
        None,
    );
    stage.wait_for_count(HOST, "5 comments");
    stage.wait_in_root(
        HOST,
        "a reply four levels deep",
        "root.querySelector('li.comment[data-depth=\"4\"]')",
    );
}

/// What scrolls sideways: the page, the widget, and every element of the widget that
/// reaches past the viewport's edges (the honeypot, kept off-screen on purpose, and the
/// visually hidden live region aside).
fn measure(browser: &Browser) -> Value {
    browser.execute(
        "const page = document.scrollingElement;
         const host = document.querySelector(arguments[0]);
         const root = host.shadowRoot;
         const section = root.querySelector('section.colloquy');
         const width = document.documentElement.clientWidth;
         const outside = [...root.querySelectorAll('*')]
           .filter((el) => !el.closest('.trap, .visually-hidden'))
           .map((el) => [el, el.getBoundingClientRect()])
           .filter(([, r]) => r.width > 0 && (r.right > width + 0.5 || r.left < -0.5))
           .map(([el, r]) => el.tagName.toLowerCase() + [...el.classList].map((c) => '.' + c).join('')
                 + ' ' + Math.round(r.left) + '…' + Math.round(r.right));
         const bodies = [...root.querySelectorAll('li.comment .body')].map((b) => b.getBoundingClientRect().width);
         return {
           innerWidth, devicePixelRatio, width,
           page: [page.scrollWidth, page.clientWidth],
           host: [host.scrollWidth, host.clientWidth],
           section: [section.scrollWidth, section.clientWidth],
           outside: outside.slice(0, 20), outsideCount: outside.length,
           narrowestBody: Math.round(Math.min(...bodies)),
         };",
        json!([HOST]),
    )
}

/// Panics unless nothing measured needs scrolling sideways.
fn assert_reflows(measured: &Value, setting: &str) {
    println!("{setting}: {measured}");
    let fits = |key: &str| measured[key][0].as_f64() <= measured[key][1].as_f64();
    let mut wrong = Vec::new();
    if !fits("page") {
        wrong.push(format!(
            "the page scrolls sideways (scrollWidth {} > clientWidth {})",
            measured["page"][0], measured["page"][1]
        ));
    }
    for key in ["host", "section"] {
        if !fits(key) {
            wrong.push(format!(
                "the widget's {key} is wider than its box (scrollWidth {} > clientWidth {})",
                measured[key][0], measured[key][1]
            ));
        }
    }
    if measured["outsideCount"] != 0 {
        wrong.push(format!(
            "{} elements reach past the viewport, among them {}",
            measured["outsideCount"], measured["outside"]
        ));
    }
    assert!(
        wrong.is_empty(),
        "{setting}: the thread does not reflow:\n- {}",
        wrong.join("\n- ")
    );
}

#[test]
fn at_320_css_pixels_nothing_scrolls_sideways() {
    let stage = Stage::start();
    stage.browser.set_window_size(320, 800);
    open_thread(&stage);
    let measured = measure(&stage.browser);
    assert_eq!(
        measured["innerWidth"], 320,
        "the page is laid out 320 CSS pixels wide: {measured}"
    );
    assert_reflows(&measured, "a 320-pixel window");
}

#[test]
fn at_640_pixels_and_200_percent_zoom_nothing_scrolls_sideways() {
    let stage = Stage::start_with_browser(&[], || Browser::start_zoomed(200.0));
    stage.browser.set_window_size(640, 800);
    open_thread(&stage);
    stage.browser.wait_for(
        "the zoom to apply",
        "window.devicePixelRatio === 2 && window.innerWidth === 320",
        WAIT,
    );
    let measured = measure(&stage.browser);
    assert_reflows(&measured, "a 640-pixel window at 200 %");
}
