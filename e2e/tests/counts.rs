//! Comment counts on a listing page of another origin, through the count script
//! (`count.js`): every `data-colloquy-count` link shows its thread's count in the page's
//! language, from one request, without the widget or its wasm; a request the server refuses
//! leaves the links as they were and throws nothing into the page.

use colloquy_e2e::catalog::{catalog, fill, plural_form};
use colloquy_e2e::seeding::post_many;
use colloquy_e2e::stage::{Stage, WAIT};
use serde_json::{json, Value};

/// The links of the listing page: (element id, thread key, `href`, `data-colloquy-count`).
/// The second names its thread by its `href` alone, written as a folder's index page.
const LINKS: [(&str, &str, &str, &str); 3] = [
    ("quiet", "/quiet", "/quiet#comments", "/quiet"),
    ("single", "/single", "/single/index.html#comments", ""),
    ("busy", "/busy", "/busy/#comments", "/busy"),
];

/// How many comments each thread of [`LINKS`] gets, and the plural category of that count
/// in English and German.
const COUNTS: [(u64, &str); 3] = [(0, "other"), (1, "one"), (7, "other")];

/// What the links show before the counts arrive.
const PLACEHOLDER: &str = "Comments";

/// Loaded before the count script: what it logs as an error, and anything it lets escape
/// into the page.
const WATCH: &str = "<script>
  window.logged = []; window.escaped = [];
  const realError = console.error;
  console.error = function () { window.logged.push([...arguments].join(' ')); return realError.apply(this, arguments); };
  window.addEventListener('error', e => window.escaped.push(String(e.message)));
  window.addEventListener('unhandledrejection', e => window.escaped.push(String(e.reason)));
</script>";

/// A listing page in `lang` with `links` (id, `href`, `data-colloquy-count`) and the count
/// script from the comment server.
fn listing(stage: &Stage, lang: &str, links: &[(&str, &str, &str)]) -> String {
    let items: String = links
        .iter()
        .map(|(id, href, thread)| {
            format!(
                "<li><a id=\"{id}\" href=\"{href}\" data-colloquy-count=\"{thread}\">{PLACEHOLDER}</a></li>"
            )
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>Posts</title>{WATCH}</head>\
         <body><h1>Posts</h1><ul>{items}</ul>\
         <script src=\"{}/count.js\" async></script></body></html>",
        stage.server.base
    )
}

/// The three links' texts and `data-colloquy-count-value`s, in [`LINKS`] order.
fn shown(stage: &Stage) -> Value {
    let ids: Vec<&str> = LINKS.iter().map(|(id, ..)| *id).collect();
    stage.browser.execute(
        "return arguments[0].map(id => { const a = document.getElementById(id);
           return [a.textContent, a.getAttribute('data-colloquy-count-value')]; });",
        json!([ids]),
    )
}

/// The addresses of everything the page has fetched.
fn fetched(stage: &Stage) -> Vec<String> {
    let names = stage.browser.execute(
        "return performance.getEntriesByType('resource').map(entry => entry.name);",
        json!([]),
    );
    names
        .as_array()
        .expect("a list of resources")
        .iter()
        .map(|name| name.as_str().expect("a resource's address").to_owned())
        .collect()
}

/// Opens the listing in `lang` and checks that every link comes to show its count as that
/// language's catalog words it, from one request that loaded no part of the widget.
fn counts_in(stage: &Stage, lang: &str) {
    let words = catalog(lang);
    let expected: Vec<String> = COUNTS
        .iter()
        .map(|(n, category)| {
            let form = plural_form(&words, "widget.comment_count", *n, category);
            fill(&form, &[("count", &n.to_string())])
        })
        .collect();
    let links: Vec<(&str, &str, &str)> = LINKS
        .iter()
        .map(|(id, _, href, thread)| (*id, *href, *thread))
        .collect();
    let page = listing(stage, lang, &links);
    let url = stage.site.page(&format!("/{lang}/posts"), page, None);
    stage.browser.goto(&url);

    let condition = format!(
        "(() => {{ const expected = {};
             return {}.every((id, i) => document.getElementById(id).textContent === expected[i]); }})()",
        json!(expected),
        json!(LINKS.iter().map(|(id, ..)| *id).collect::<Vec<_>>()),
    );
    if let Err(why) = stage.browser.try_wait_for(&condition, WAIT) {
        panic!(
            "timed out after {WAIT:?} waiting for {expected:?} in {lang}{why}; the links show {}; logged {}",
            shown(stage),
            stage.browser.execute("return window.logged;", json!([])),
        );
    }
    let values: Vec<Value> = shown(stage)
        .as_array()
        .expect("the links")
        .iter()
        .map(|link| link[1].clone())
        .collect();
    let counted: Vec<Value> = COUNTS.iter().map(|(n, _)| json!(n.to_string())).collect();
    assert_eq!(values, counted, "data-colloquy-count-value in {lang}");

    let resources = fetched(stage);
    let requests = stage.browser.execute(
        "return performance.getEntriesByType('resource')
           .filter(entry => entry.name.includes('/api/v1/counts'))
           .map(entry => { const url = new URL(entry.name);
             return { at: url.origin + url.pathname, threads: url.searchParams.getAll('thread'),
                      lang: url.searchParams.get('lang') }; });",
        json!([]),
    );
    let threads: Vec<&str> = LINKS.iter().map(|(_, thread, ..)| *thread).collect();
    assert_eq!(
        requests,
        json!([{
            "at": stage.server.url("/api/v1/counts"),
            "threads": threads,
            "lang": lang,
        }]),
        "one request, to the server the script came from, for each thread once: {resources:#?}"
    );
    for name in &resources {
        let path = name.split(['?', '#']).next().unwrap_or(name);
        assert!(
            !path.ends_with(".wasm")
                && !path.ends_with("/colloquy.js")
                && !path.ends_with("/embed.js"),
            "the count script loaded part of the widget: {name}"
        );
    }
    let quiet = stage.browser.execute(
        "return { logged: window.logged, escaped: window.escaped, colloquy: typeof window.Colloquy };",
        json!([]),
    );
    assert_eq!(
        quiet,
        json!({ "logged": [], "escaped": [], "colloquy": "undefined" }),
        "nothing logged, nothing thrown, nothing global"
    );
}

#[test]
fn a_listing_page_shows_every_threads_count_from_one_request_without_the_widget() {
    let stage = Stage::start();
    for ((_, thread, ..), (n, _)) in LINKS.iter().zip(COUNTS) {
        post_many(&stage.server, thread, n);
    }
    counts_in(&stage, "en");
    counts_in(&stage, "de");
}

#[test]
fn a_refused_request_leaves_the_links_as_they_were() {
    let stage = Stage::start();
    post_many(&stage.server, "/busy", 2);
    // A space is no thread key's character: the server refuses the whole request.
    let page = listing(
        &stage,
        "en",
        &[("busy", "/busy", "/busy"), ("bad", "/bad", "/not a key")],
    );
    let url = stage.site.page("/refused", page, None);
    stage.browser.goto(&url);
    let logged = stage.browser.wait_for(
        "the count script to report the refusal",
        "window.logged.length ? window.logged : null",
        WAIT,
    );
    let report = logged[0].as_str().unwrap_or_default();
    assert!(
        report.contains("Colloquy") && report.contains("400"),
        "{logged}"
    );
    // The answer was read (its status is in the report) and nothing was written.
    let state = stage.browser.execute(
        "return { texts: ['busy', 'bad'].map(id => document.getElementById(id).textContent),
                  values: document.querySelectorAll('[data-colloquy-count-value]').length,
                  escaped: window.escaped };",
        json!([]),
    );
    assert_eq!(
        state,
        json!({
            "texts": [PLACEHOLDER, PLACEHOLDER],
            "values": 0,
            "escaped": [],
        })
    );
}
