//! A Rust developer's own Yew app with `colloquy::CommentThread` in it
//! (`examples/yew_app.rs`, bundled by `cargo xtask test` into the folder that
//! `COLLOQUY_YEW_EXAMPLE` names), looked at as a reader: served from a site of its own, on
//! another origin than the comment server, it shows the thread inside the component's own
//! shadow root, styled by the component alone (no numbers on the list, the honeypot out of
//! sight, fields of a usable width), the page's CSS cannot reach in, and it takes a comment.

use std::path::PathBuf;

use colloquy_e2e::stage::{Stage, MAIN_FORM};
use serde_json::{json, Value};

/// The component's host element, which the app renders.
const HOST: &str = ".colloquy-host";
/// The thread the example shows.
const THREAD: &str = "/blog/release-notes";

fn yew_example() -> PathBuf {
    let folder = std::env::var_os("COLLOQUY_YEW_EXAMPLE")
        .map(PathBuf::from)
        .expect("COLLOQUY_YEW_EXAMPLE is not set: run the journeys with `cargo xtask test`");
    for file in ["index.html", "yew_app.js", "yew_app_bg.wasm"] {
        assert!(
            folder.join(file).is_file(),
            "no {file} in the Yew example {folder:?}"
        );
    }
    folder
}

/// `text` as a URL query value.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// What a reader's eyes meet, measured inside the component's shadow root.
const LOOKS: &str = "(() => {
  const box = (e) => { const r = e.getBoundingClientRect();
                       return { left: r.left, right: r.right, top: r.top, width: r.width, height: r.height }; };
  const list = root.querySelector('ol.comments');
  const trap = root.querySelector('form.comment-form:not(.reply-form) .trap');
  const form = root.querySelector('form.comment-form:not(.reply-form)');
  return {
    list: getComputedStyle(list).listStyleType,
    items: [...list.children].map((li) => getComputedStyle(li).listStyleType),
    trap: {
      text: trap.textContent.trim(),
      ariaHidden: trap.getAttribute('aria-hidden'),
      box: box(trap),
      input: box(trap.querySelector('input')),
    },
    pageWidth: document.documentElement.scrollWidth,
    form: form.getBoundingClientRect().width,
    fields: [...form.querySelectorAll('input[name=name], input[name=email], input[name=website], textarea[name=body]')]
      .map((field) => [field.name, field.getBoundingClientRect().width]),
  };
})()";

/// Whether a box cannot be seen: no area, or beyond the page's left or right edge, where
/// no scrolling reaches.
fn out_of_sight(rect: &Value, page_width: f64) -> bool {
    let number = |key: &str| rect[key].as_f64().expect("a number");
    number("width") == 0.0
        || number("height") == 0.0
        || number("right") <= 0.0
        || number("left") >= page_width
}

/// Checks what [`LOOKS`] measured; `when` says at which step.
fn assert_looks_right(looks: &Value, when: &str) {
    assert_eq!(looks["list"], "none", "{when}: the list has no numbers");
    let items = looks["items"].as_array().expect("the list's items");
    assert!(!items.is_empty(), "{when}: the list has comments");
    for item in items {
        assert_eq!(item, "none", "{when}: no comment is numbered ({looks})");
    }

    let trap = &looks["trap"];
    assert_eq!(
        trap["text"], "Leave this field empty",
        "{when}: that is the honeypot"
    );
    assert_eq!(
        trap["ariaHidden"], "true",
        "{when}: screen readers skip the honeypot"
    );
    let page_width = looks["pageWidth"].as_f64().expect("the page's width");
    for part in ["box", "input"] {
        assert!(
            out_of_sight(&trap[part], page_width),
            "{when}: the honeypot's {part} is out of sight, not at {}",
            trap[part]
        );
    }

    let form = looks["form"].as_f64().expect("the form's width");
    let fields = looks["fields"].as_array().expect("the form's fields");
    assert_eq!(
        fields.len(),
        4,
        "{when}: name, email, website and comment ({looks})"
    );
    for field in fields {
        let (name, width) = (&field[0], field[1].as_f64().expect("a width"));
        assert!(
            width >= 150.0,
            "{when}: the {name} field is {width}px wide: cramped"
        );
    }
    let body = fields
        .iter()
        .find(|field| field[0] == "body")
        .and_then(|field| field[1].as_f64())
        .expect("the comment field");
    assert!(
        body >= 200.0 && body >= 0.8 * form,
        "{when}: the comment field is {body}px wide in a form of {form}px"
    );
}

/// A stylesheet a careless page might have: it would number lists, squeeze fields, hide
/// forms and bring the honeypot into view, if it could reach the thread.
const PAGE_CSS: &str = "ol, li { list-style-type: decimal !important; }
  input, textarea { width: 20px !important; }
  .trap { position: static !important; width: auto !important; height: auto !important; }
  form, .comment-form { display: none !important; }";

#[test]
fn a_yew_app_shows_the_thread_as_a_reader_expects() {
    let example = yew_example();
    let stage = Stage::start();
    let app = stage.site.serve_folder("/", &example);
    // The files are typed as a browser needs them (streaming compilation wants this one).
    let wasm = ureq::get(&format!("{app}yew_app_bg.wasm"))
        .call()
        .expect("GET the app's wasm");
    assert_eq!(wasm.content_type(), "application/wasm");

    stage
        .server
        .post(THREAD, "Ann", "The first word on the release.");
    stage.browser.goto(&format!(
        "{app}index.html?api={}",
        query_value(&stage.server.base)
    ));
    stage.wait_for_count(HOST, "1 comment on “Release notes”");
    assert_eq!(
        stage.in_root(HOST, "root.querySelector('.colloquy-root') !== null"),
        true,
        "the thread is drawn inside the component's own shadow root"
    );
    let looks = stage.in_root(HOST, LOOKS);
    assert_looks_right(&looks, "as it loads");

    // The page's own CSS reaches the page (a list of its own is numbered), not the thread.
    stage.browser.execute(
        "const style = document.createElement('style');
         style.textContent = arguments[0];
         document.head.append(style);
         document.body.insertAdjacentHTML('beforeend', '<ol id=\"page-list\"><li>the page</li></ol>');",
        json!([PAGE_CSS]),
    );
    assert_eq!(
        stage.browser.execute(
            "return getComputedStyle(document.querySelector('#page-list li')).listStyleType;",
            json!([])
        ),
        "decimal",
        "the page's stylesheet is in force on the page"
    );
    assert_looks_right(&stage.in_root(HOST, LOOKS), "under the page's CSS");
    assert_eq!(
        stage.in_root(
            HOST,
            &format!("getComputedStyle(root.querySelector('{MAIN_FORM}')).display")
        ),
        "grid",
        "the form is still shown"
    );

    // And a reader posts through it.
    let body = "Posted from a Yew app.";
    stage.post_through(HOST, "Rustacean", body);
    stage.wait_for_count(HOST, "2 comments on “Release notes”");
    assert_eq!(stage.reader().copies_of(HOST, body), 1);
    assert_eq!(stage.total(THREAD), 2);
    println!(
        "yew example: thread in the component's shadow root, no list numbers, honeypot out of sight, fields {} wide, page CSS kept out, a comment posted",
        looks["fields"]
    );
}
