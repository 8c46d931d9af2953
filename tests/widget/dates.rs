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

/// Numbers below 1,000 are written without `Intl.NumberFormat` in the catalogs' languages
/// that write Latin digits (`words::writes_latin_digits`): for every catalog the widget
/// has, the browser's own formatting must agree, or the language belongs in
/// `words::OWN_DIGITS`.
#[wasm_bindgen_test]
fn small_numbers_are_written_as_the_browser_writes_them_in_every_catalog() {
    for tag in colloquy_core::messages::LANGUAGES {
        let locales = js_sys::Array::of1(&(*tag).into());
        let browser = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new());
        for n in [0u32, 1, 7, 42, 100, 999] {
            let written = browser
                .format()
                .call1(&wasm_bindgen::JsValue::NULL, &n.into())
                .unwrap()
                .as_string()
                .unwrap();
            if colloquy::words::writes_latin_digits(tag) {
                assert_eq!(written, n.to_string(), "{tag} writes {n} as {written}");
            }
        }
    }
    // The exceptions are exceptions: Persian writes its own digits here.
    assert!(!colloquy::words::writes_latin_digits("fa-IR"));
}
