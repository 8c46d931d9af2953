use wasm_bindgen_test::*;
use web_sys::Element;

use crate::harness::*;

const POSTED: &str = "2026-11-25T10:00:00Z";

async fn time_in(lang: &str) -> (Element, Element) {
    serve("dates", vec![comment_json(1, None, "Ann", "Hi", 0)]);
    let host = mount_with(&[("thread", "dates"), ("api", API), ("lang", lang)]);
    until("the comment", || find(&host, "li.comment time").is_some()).await;
    let time = find(&host, "li.comment time").unwrap();
    (host, time)
}

#[wasm_bindgen_test]
async fn dates_are_written_in_the_thread_language() {
    // Mid-morning UTC is the 25th in every time zone the test could run in.
    let (host, time) = time_in("de-DE").await;
    let shown = time.get_attribute("title").unwrap_or_default();
    assert!(shown.contains("25.11.2026"), "German date: {shown}");
    assert_eq!(time.get_attribute("lang").as_deref(), Some("de-DE"));
    assert_eq!(time.get_attribute("datetime").as_deref(), Some(POSTED));
    finish(host);

    let (host, time) = time_in("en-GB").await;
    let shown = time.get_attribute("title").unwrap_or_default();
    assert!(shown.contains("25 Nov 2026"), "British date: {shown}");
    finish(host);
}

#[wasm_bindgen_test]
async fn an_empty_or_malformed_language_gets_the_browser_default() {
    let expected = browser_default_date(POSTED);
    // `en_US` makes Intl.DateTimeFormat throw a RangeError; the widget must not.
    for lang in ["", "en_US", "!!"] {
        let (host, time) = time_in(lang).await;
        assert_eq!(
            time.get_attribute("title").unwrap_or_default(),
            expected,
            "lang {lang:?}"
        );
        assert_eq!(text(&host, "h2.count"), "1 comment", "lang {lang:?}");
        finish(host);
    }
}
