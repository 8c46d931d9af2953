//! Write / Preview in Chromium, on a host page of another origin: the preview is the
//! server's parse (`POST /api/v1/preview`) drawn by the thread's own renderer, so it shows
//! what the posted comment shows; a failed preview says so in words and leaves the text
//! alone.

use colloquy_e2e::catalog::{catalog, words};
use colloquy_e2e::stage::{js_string, Stage, MAIN_FORM};

const HOST: &str = "div[data-colloquy]";

/// Loaded before the widget: when `window.failPreview` is set, every request for a preview
/// fails as a lost connection would.
const FLAKY_PREVIEWS: &str = "<script>
  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input && input.url ? input.url : input);
    if (window.failPreview && url.includes('/api/v1/preview')) {
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    return realFetch.apply(this, arguments);
  };
</script>";

const BODY: &str =
    "**bold** and [a site](https://example.org/) and <b>raw</b>\nsecond line https://example.net/x";

/// The text of the comment box, as the reader left it.
fn box_text(stage: &Stage) -> String {
    stage
        .in_root(
            HOST,
            &format!("root.querySelector('{MAIN_FORM} textarea[name=body]').value"),
        )
        .as_str()
        .expect("the comment box's text")
        .to_owned()
}

/// What the drawn `selector` (the preview panel, or a posted comment's body) holds.
fn drawn(stage: &Stage, selector: &str) -> serde_json::Value {
    stage.in_root(
        HOST,
        &format!(
            "(() => {{ const el = root.querySelector({});
               const link = el.querySelector('a[href=\"https://example.org/\"]');
               const bare = el.querySelector('a[href=\"https://example.net/x\"]');
               return {{ strong: el.querySelector('strong')?.textContent,
                        rel: link?.getAttribute('rel'), linkText: link?.textContent,
                        bare: bare?.textContent, breaks: el.querySelectorAll('br').length,
                        elements: [...el.querySelectorAll('*')].map(e => e.localName).sort(),
                        text: el.textContent }}; }})()",
            js_string(selector)
        ),
    )
}

#[test]
fn the_preview_shows_what_will_be_posted_and_a_failure_keeps_the_text() {
    let stage = Stage::start();
    let english = catalog("en");
    let preview_button = format!("{MAIN_FORM} .write-preview button.preview");
    let write_button = format!("{MAIN_FORM} .write-preview button.write");
    stage.open(
        "/preview",
        FLAKY_PREVIEWS,
        "<div data-colloquy data-thread=\"preview\"></div>",
        None,
    );
    stage.wait_for_count(HOST, "No comments");
    stage.fill(HOST, MAIN_FORM, "Ada", "ada@private.example", BODY);

    // Nothing typed is lost to a preview that cannot be had.
    stage
        .browser
        .execute("window.failPreview = true;", serde_json::json!([]));
    stage.browser.click(&stage.in_widget(HOST, &preview_button));
    let failed = stage.wait_in_root(
        HOST,
        "the failed preview's message",
        "root.querySelector('.preview-panel.failed')?.textContent",
    );
    assert_eq!(failed, words(&english, "widget.preview_failed"));
    stage.browser.click(&stage.in_widget(HOST, &write_button));
    assert_eq!(box_text(&stage), BODY);

    // The server's parse, drawn: bold, a reader's link with its rel, raw HTML as text, the
    // line break kept and the bare address a link.
    stage
        .browser
        .execute("window.failPreview = false;", serde_json::json!([]));
    stage.browser.click(&stage.in_widget(HOST, &preview_button));
    stage.wait_in_root(
        HOST,
        "the preview",
        "root.querySelector('.preview-panel strong')?.textContent === 'bold'",
    );
    let preview = drawn(&stage, ".preview-panel");
    assert_eq!(preview["rel"], "nofollow ugc noopener noreferrer");
    assert_eq!(preview["linkText"], "a site");
    assert_eq!(preview["bare"], "https://example.net/x");
    assert_eq!(preview["breaks"], 1);
    assert!(
        preview["text"].as_str().unwrap().contains("<b>raw</b>"),
        "{preview}"
    );
    assert_eq!(
        preview["elements"],
        serde_json::json!(["a", "a", "br", "p", "strong"]),
        "raw HTML is text, not an element"
    );
    assert!(
        stage
            .in_root(
                HOST,
                &format!("root.querySelector('{MAIN_FORM} textarea[name=body]').closest('.field').hidden"),
            )
            .as_bool()
            .unwrap(),
        "the box steps aside while the preview shows"
    );
    let pressed = stage.in_root(
        HOST,
        &format!(
            "root.querySelector({}).getAttribute('aria-pressed')",
            js_string(&preview_button)
        ),
    );
    assert_eq!(pressed, "true");

    // Back to writing: the text as typed. Posted: the thread draws it as the preview did.
    stage.browser.click(&stage.in_widget(HOST, &write_button));
    assert_eq!(box_text(&stage), BODY);
    stage.submit(HOST, MAIN_FORM);
    stage.wait_for_count(HOST, "1 comment");
    let posted = drawn(&stage, "li.comment .body");
    for key in [
        "strong", "rel", "linkText", "bare", "breaks", "elements", "text",
    ] {
        assert_eq!(posted[key], preview[key], "{key}");
    }

    // The server's refusal, in its words: the text is kept there too.
    let heavy = "*a* ".repeat(1_100);
    let textarea = stage.in_widget(HOST, &format!("{MAIN_FORM} textarea[name=body]"));
    stage.browser.type_text(&textarea, &heavy);
    stage.browser.click(&stage.in_widget(HOST, &preview_button));
    let refused = stage.wait_in_root(
        HOST,
        "the refused preview's message",
        "root.querySelector('.preview-panel.failed')?.textContent",
    );
    assert!(
        refused.as_str().unwrap().contains("too much formatting"),
        "{refused}"
    );
    stage.browser.click(&stage.in_widget(HOST, &write_button));
    assert_eq!(box_text(&stage).trim(), heavy.trim());
}
