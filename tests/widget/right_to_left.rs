use wasm_bindgen_test::*;
use web_sys::Element;

use crate::harness::*;

const ARABIC: &str = include_str!("../../core/locales/ar.json");
const HEBREW: &str = include_str!("../../core/locales/he.json");

/// Serves `thread` with `comments` and the Arabic catalog, and mounts it in Arabic.
fn start_in_arabic(thread: &str, comments: Vec<serde_json::Value>) -> Element {
    serve(thread, comments);
    stub_respond("GET", "/locales/ar.json", 200, ARABIC);
    mount_with(&[("thread", thread), ("api", API), ("lang", "ar")])
}

async fn in_arabic(host: &Element) {
    until("the Arabic words", || {
        find(
            host,
            "section.colloquy:not(.awaiting-words):not([aria-busy])",
        )
        .is_some_and(|section| section.get_attribute("lang").as_deref() == Some("ar"))
            && find(host, "form.comment-form").is_some()
            && find(host, "p.status[role=status]").is_none()
    })
    .await;
}

#[wasm_bindgen_test]
async fn an_arabic_thread_runs_right_to_left_and_indents_from_the_right() {
    let host = start_in_arabic(
        "rtl",
        vec![
            comment_json(1, None, "سلمى", "أهلًا", 0),
            comment_json(2, Some(1), "Ada", "Hello, in English", 1),
        ],
    );
    in_arabic(&host).await;
    let section = find(&host, "section.colloquy").unwrap();
    assert_eq!(section.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(computed_style(&section, "direction"), "rtl");
    let top = rect(&find(&host, "li[data-comment-id='1']").unwrap());
    let reply = rect(&find(&host, "li[data-comment-id='2']").unwrap());
    assert!(
        reply[2] < top[2] - 10.0,
        "the reply is indented from the right: {reply:?} under {top:?}"
    );
    assert!(
        (reply[0] - top[0]).abs() < 1.0,
        "and keeps the left edge: {reply:?} under {top:?}"
    );
    // The line that ties a reply to its parent is on the right too.
    let reply_li = find(&host, "li[data-comment-id='2']").unwrap();
    assert_ne!(computed_style(&reply_li, "border-right-width"), "0px");
    assert_eq!(computed_style(&reply_li, "border-left-width"), "0px");
    // The buttons start from the right.
    let form = rect(&find(&host, "form.comment-form").unwrap());
    let submit = rect(&find(&host, "form.comment-form button.submit").unwrap());
    assert!(
        form[2] - submit[2] < (submit[0] - form[0]),
        "the submit button sits on the right: {submit:?} in {form:?}"
    );
    // The English reply keeps its own direction inside the Arabic thread.
    let body = find(&host, "li[data-comment-id='2'] .body").unwrap();
    assert_eq!(computed_style(&body, "direction"), "ltr");
    assert!(text(&host, "li[data-comment-id='2'] .reply-to").contains("سلمى"));
    finish(host);
}

/// Arabic has all six plural categories; with the exact form for none, each count below
/// takes another sentence (Chromium's `Intl.PluralRules("ar")` chooses).
#[wasm_bindgen_test]
async fn arabic_counts_take_each_plural_form() {
    let forms = [
        (0, None),
        (1, Some("تعليق")),
        (2, Some("تعليقان")),
        (3, Some("تعليقات")),
        (11, Some("تعليقًا")),
        (100, Some("تعليق")),
    ];
    for (count, word) in forms {
        let comments = (1..=count)
            .map(|id| comment_json(id, None, "Ann", "نص", 0))
            .collect();
        let host = start_in_arabic(&format!("plural-{count}"), comments);
        in_arabic(&host).await;
        let expected = match word {
            Some(word) => format!("{} {word}", arabic_number(count as u32)),
            None => "لا توجد تعليقات".to_owned(),
        };
        assert_eq!(text(&host, "h2.count"), expected, "{count} comments");
        finish(host);
    }
}

/// While a catalog is on its way, nothing of the English stand-in is seen, and the space
/// it takes is small.
#[wasm_bindgen_test]
async fn nothing_shows_before_the_readers_words_arrive() {
    serve("awaiting", vec![comment_json(1, None, "Ann", "Top", 0)]);
    stub_hold("GET", "/locales/he.json");
    let host = mount_with(&[("thread", "awaiting"), ("api", API), ("lang", "he")]);
    until("the thread, out of sight", || {
        find(&host, "section.colloquy.awaiting-words li.comment").is_some()
    })
    .await;
    let section = find(&host, "section.colloquy").unwrap();
    assert_eq!(section.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(computed_style(&section, "visibility"), "hidden");
    let [_, top, _, bottom] = rect(&section)[..] else {
        panic!("a rectangle has four sides")
    };
    assert!(bottom - top < 80.0, "{}px tall while hidden", bottom - top);
    stub_release(200, HEBREW);
    until("the Hebrew words", || {
        find(&host, "section.colloquy:not(.awaiting-words)").is_some()
    })
    .await;
    assert_eq!(computed_style(&section, "visibility"), "visible");
    assert_eq!(section.get_attribute("dir").as_deref(), Some("rtl"));
    assert!(section.get_attribute("aria-busy").is_none());
    finish(host);
}

/// A catalog that cannot be had leaves English in its place, and for the rest of the page:
/// a second thread in that language shows English at once and does not ask again.
#[wasm_bindgen_test]
async fn a_missing_catalog_is_english_and_asked_for_once() {
    serve("finnish", vec![comment_json(1, None, "Aino", "Hei", 0)]);
    stub_respond("GET", "/locales/fi.json", 404, r#"{"message":"no"}"#);
    let first = mount_with(&[("thread", "finnish"), ("api", API), ("lang", "fi")]);
    let in_english = |host: &Element| {
        find(host, "section.colloquy:not(.awaiting-words)")
            .is_some_and(|section| section.get_attribute("lang").as_deref() == Some("en"))
            && find(host, "h2.count")
                .is_some_and(|count| count.text_content().as_deref() == Some("1 comment"))
    };
    until("English in place of Finnish", || in_english(&first)).await;
    let second = mount_with(&[("thread", "finnish"), ("api", API), ("lang", "fi")]);
    until("the second thread, in English", || in_english(&second)).await;
    assert_eq!(
        stub_authorizations("GET", "/locales/fi.json").len(),
        1,
        "the catalog was asked for once"
    );
    finish(first);
    finish(second);
}
