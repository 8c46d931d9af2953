//! The widget on an Arabic page (issue 8): `<html lang="ar" dir="rtl">` on another origin,
//! so the loader hands the widget `ar`, the widget fetches the Arabic catalog from the
//! comment server and asks the server for Arabic answers. The count heading takes the
//! plural form Arabic gives each number (zero, one, two, few, many, other), written as
//! Chromium writes numbers in Arabic; the layout is mirrored; and the server's refusals come
//! back in Arabic.
//!
//! The expected words are read from `core/locales/ar.json`; the expected numbers are
//! written by the page's own `Intl.NumberFormat('ar')`, which may use Arabic-Indic digits.

use colloquy_e2e::catalog::{catalog, fill, plural_form, words};
use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::loopback::free_port;
use colloquy_e2e::seeding::{post, post_many, Post};
use colloquy_e2e::server::Launch;
use colloquy_e2e::stage::{Reader, Stage, MAIN_FORM, WAIT};
use colloquy_e2e::webdriver::Browser;
use serde_json::{json, Value};

const ARABIC: &str = "lang=\"ar\" dir=\"rtl\"";

/// Each count and the CLDR category Arabic puts it in.
const COUNTS: [(u64, &str); 6] = [
    (0, "zero"),
    (1, "one"),
    (2, "two"),
    (3, "few"),
    (11, "many"),
    (100, "other"),
];

/// A JS expression: whether the widget on the host (its shadow root is `root`) shows its
/// Arabic words and `n` comments.
/// The first page of a thread of `n` top-level comments (20 at most) drawn in Arabic.
fn arabic_with(n: usize) -> String {
    format!(
        "root.querySelector('section.colloquy[lang=ar]:not([aria-busy])') &&
         root.querySelectorAll('li.comment').length === {}",
        n.min(20)
    )
}

#[test]
fn the_count_takes_the_arabic_plural_form_of_each_number() {
    let stage = Stage::start();
    let arabic = catalog("ar");
    for (n, _) in COUNTS {
        let thread = format!("ar-{n}");
        if n == 3 {
            // Three as a conversation: a comment, a reply, a reply to the reply.
            let first = post(&stage.server, &thread, &Post::new("ليلى", "تعليق أول."));
            let second = post(
                &stage.server,
                &thread,
                &Post::new("سمير", "رد على ليلى.").reply_to(first),
            );
            post(
                &stage.server,
                &thread,
                &Post::new("هدى", "رد على الرد.").reply_to(second),
            );
        } else {
            post_many(&stage.server, &thread, n);
        }
    }
    let widgets: String = COUNTS
        .iter()
        .map(|(n, _)| {
            format!("<div id=\"n{n}\" data-colloquy data-thread=\"ar-{n}\" data-loading=\"eager\"></div>")
        })
        .collect();
    stage.open_with("/counts", ARABIC, "", &widgets);

    let mut wrong = Vec::new();
    for (n, category) in COUNTS {
        let host = format!("#n{n}");
        let written = stage.browser.execute(
            "return [new Intl.NumberFormat('ar').format(arguments[0]),
                     new Intl.PluralRules('ar').select(arguments[0])];",
            json!([n]),
        );
        assert_eq!(
            written[1], category,
            "Chromium's Intl.PluralRules puts {n} in CLDR's {category} for Arabic"
        );
        let number = written[0].as_str().expect("a written number");
        let form = plural_form(&arabic, "widget.comment_count", n, category);
        let expected = fill(&form, &[("count", number)]);
        // The heading is drawn with the comments it counts.
        stage.wait_in_root(
            &host,
            &format!("{n} comments shown"),
            &arabic_with(n as usize),
        );
        let heading = stage.in_root(&host, "root.querySelector('h2.count').textContent");
        println!("{n} ({category}): {heading}, expected \"{expected}\"");
        if heading != expected.as_str() {
            wrong.push(format!(
                "{n} ({category}): {heading} instead of {expected:?}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "the count takes the wrong form:\n- {}",
        wrong.join("\n- ")
    );
}

#[test]
fn the_layout_is_mirrored() {
    let stage = Stage::start();
    let thread = "ar-layout";
    let first = post(
        &stage.server,
        thread,
        &Post::new("ليلى", "تعليق أول عن المقال."),
    );
    let reply = post(
        &stage.server,
        thread,
        &Post::new("سمير", "رد على ليلى.").reply_to(first),
    );
    let deeper = post(
        &stage.server,
        thread,
        &Post::new("هدى", "رد على الرد.").reply_to(reply),
    );
    let host = "#comments";
    stage.open_with(
        "/layout",
        ARABIC,
        "",
        &format!("<div id=\"comments\" data-colloquy data-thread=\"{thread}\"></div>"),
    );
    stage.wait_in_root(host, "the thread in Arabic", &arabic_with(3));

    let at = stage.in_root(
        host,
        &format!(
            "(() => {{
               const box = (el) => {{ const r = el.getBoundingClientRect(); return {{ left: r.left, right: r.right }}; }};
               const li = (id) => root.querySelector(`li[data-comment-id='${{id}}']`);
               const section = root.querySelector('section.colloquy');
               const form = root.querySelector('{MAIN_FORM}');
               const labels = [...form.querySelectorAll('label[for]')].map((label) => {{
                 const text = document.createRange();
                 text.selectNodeContents(label);
                 return {{ name: label.htmlFor, label: box(label), text: box(text) }};
               }});
               const reply = li({first}).querySelector('button.reply');
               const submit = form.querySelector('button.submit');
               return {{
                 dir: section.getAttribute('dir'),
                 direction: getComputedStyle(section).direction,
                 first: box(li({first})), reply: box(li({reply})), deeper: box(li({deeper})),
                 labels,
                 replyButton: box(reply), article: box(reply.closest('article')),
                 submit: box(submit), buttons: box(submit.parentElement),
                 author: box(li({first}).querySelector('.author')), time: box(li({first}).querySelector('time')),
               }};
             }})()"
        ),
    );
    println!("positions: {at}");
    let x = |path: &str| -> f64 {
        path.split('.')
            .fold(&at, |value, key| &value[key])
            .as_f64()
            .unwrap_or_else(|| panic!("no {path} in {at}"))
    };
    let mut wrong = Vec::new();
    let mut check = |holds: bool, what: String| {
        if !holds {
            wrong.push(what);
        }
    };
    check(
        at["dir"] == "rtl" && at["direction"] == "rtl",
        format!(
            "the section says dir=rtl and lays out right to left (dir {}, direction {})",
            at["dir"], at["direction"]
        ),
    );
    for (inner, outer) in [("reply", "first"), ("deeper", "reply")] {
        check(
            x(&format!("{inner}.right")) <= x(&format!("{outer}.right")) - 8.0,
            format!(
                "the {inner} comment is indented from the right: its box ends at {} and its parent's at {}",
                x(&format!("{inner}.right")),
                x(&format!("{outer}.right"))
            ),
        );
        check(
            x(&format!("{inner}.left")) <= x(&format!("{outer}.left")) + 1.0,
            format!(
                "the {inner} comment is not indented from the left: its box starts at {} and its parent's at {}",
                x(&format!("{inner}.left")),
                x(&format!("{outer}.left"))
            ),
        );
    }
    for label in at["labels"].as_array().cloned().unwrap_or_default() {
        let (text, bounds) = (&label["text"], &label["label"]);
        let (text_left, text_right) = (text["left"].as_f64(), text["right"].as_f64());
        let (left, right) = (bounds["left"].as_f64(), bounds["right"].as_f64());
        check(
            matches!((text_left, text_right, left, right),
                (Some(tl), Some(tr), Some(l), Some(r)) if tr >= r - 1.5 && tl >= l + 4.0),
            format!(
                "the label {} is aligned to the right: {label}",
                label["name"]
            ),
        );
    }
    check(
        x("replyButton.right") >= x("article.right") - 1.5
            && x("replyButton.left") > (x("article.left") + x("article.right")) / 2.0,
        format!(
            "the Reply button sits at the comment's right: {} … {} in {} … {}",
            x("replyButton.left"),
            x("replyButton.right"),
            x("article.left"),
            x("article.right")
        ),
    );
    check(
        x("submit.right") >= x("buttons.right") - 1.5,
        format!(
            "the Post button comes first from the right: it ends at {}, its row at {}",
            x("submit.right"),
            x("buttons.right")
        ),
    );
    check(
        x("author.left") >= x("time.right") - 0.5,
        format!(
            "the author's name comes before (right of) the time: {} … {} and {} … {}",
            x("author.left"),
            x("author.right"),
            x("time.left"),
            x("time.right")
        ),
    );
    assert!(
        wrong.is_empty(),
        "the Arabic page is not mirrored:\n- {}",
        wrong.join("\n- ")
    );
}

/// Keeps what the server answered to each post the page made, with the language the
/// request asked for: `window.__answers`, items `{status, language, text}`.
const ANSWERS: &str = "<script>
(() => {
  window.__answers = [];
  const nativeFetch = window.fetch;
  window.fetch = function (...args) {
    const request = args[0] instanceof Request ? args[0] : null;
    const method = String(request ? request.method : (args[1] && args[1].method) || 'GET');
    const language = request ? request.headers.get('accept-language') : null;
    return nativeFetch.apply(this, args).then((response) => {
      if (method.toUpperCase() === 'POST') {
        response.clone().text().then((text) =>
          window.__answers.push({ status: response.status, language, text }));
      }
      return response;
    });
  };
})();
</script>";

#[test]
fn the_servers_refusals_come_back_in_arabic() {
    let arabic = catalog("ar");
    let folder = tempfile::tempdir().expect("a scratch folder");
    let site = HostSite::start();
    // A fixed port, so that the server can be started again where the page expects it.
    let address = format!("127.0.0.1:{}", free_port());
    let launch = Launch::new(folder.path().join("arabic.db"))
        .listen(&address)
        .args(&["--allowed-origin", &site.origin]);
    let server = launch.clone().start();
    let browser = Browser::start();
    let reader = Reader(&browser);

    let repeated = "ملاحظة قيّمة عن المقال.";
    post(&server, "ar-repeat", &Post::new("ليلى", repeated));
    let page = format!(
        "<!doctype html><html {ARABIC}><head><meta charset=\"utf-8\"><title>مقال</title>{ANSWERS}</head>\
         <body><div id=\"repeat\" data-colloquy data-thread=\"ar-repeat\" data-loading=\"eager\"></div>\
         <div id=\"long\" data-colloquy data-thread=\"ar-long\" data-loading=\"eager\"></div>\
         <script src=\"{}/embed.js\" async></script></body></html>",
        server.base
    );
    browser.goto(&site.page("/refusals", page, None));
    reader.wait_in_root("#repeat", "the first thread in Arabic", &arabic_with(1));
    reader.wait_in_root("#long", "the second thread in Arabic", &arabic_with(0));

    // The same words again, a moment later: the server refuses them in its own sentence,
    // which the widget shows as it came.
    reader.fill(
        "#repeat",
        MAIN_FORM,
        "سمير",
        "samir@private.example",
        repeated,
    );
    reader.submit("#repeat", MAIN_FORM);
    let expected = format!(
        "{} {}",
        words(&arabic, "widget.rejected"),
        words(&arabic, "api.duplicate")
    );
    let shown = reader.wait_in_root(
        "#repeat",
        "the server's refusal",
        &format!("root.querySelector('{MAIN_FORM} .feedback.failed p')?.textContent"),
    );
    assert_eq!(
        shown,
        expected.as_str(),
        "the refusal of a repeated comment"
    );

    // The site owner shortens names to ten characters while the page is open: the widget
    // still knows the old limit, so the server is the one to refuse the name.
    server.stop();
    let _server = launch.args(&["--name-max-chars", "10"]).start();
    reader.fill(
        "#long",
        MAIN_FORM,
        "عبد الرحمن بن خلدون",
        "ibn@private.example",
        "سؤال عن المقدمة.",
    );
    reader.submit("#long", MAIN_FORM);
    let answer = browser.wait_for(
        "the server's answer to the long name",
        "window.__answers.find((answer) => answer.status === 422)",
        WAIT,
    );
    println!("the server answered: {answer}");
    assert_eq!(
        answer["language"], "ar",
        "the widget asked for Arabic (Accept-Language)"
    );
    let body: Value =
        serde_json::from_str(answer["text"].as_str().expect("a body")).expect("a JSON refusal");
    let name = words(&arabic, "fields.name");
    let too_long = fill(
        &plural_form(&arabic, "errors.too_long", 10, "few"),
        &[("field", &name), ("max", "10")],
    );
    assert_eq!(
        body["message"],
        words(&arabic, "api.fields_need_attention").as_str()
    );
    assert_eq!(
        body["errors"],
        json!([{ "field": "name", "code": "too_long", "message": too_long }]),
        "the name's refusal in Arabic"
    );

    // And the form marks the name in Arabic (in its own words for the code the server
    // gave; the number in it is the widget's).
    let marked = reader.wait_in_root(
        "#long",
        "the name marked",
        &format!("root.querySelector('{MAIN_FORM} .field.invalid input[name=name] ~ .error')?.textContent"),
    );
    let marked = marked.as_str().expect("a message");
    let forms = arabic["errors"]["too_long"]
        .as_object()
        .expect("too_long's forms");
    let in_arabic = forms.values().filter_map(Value::as_str).any(|form| {
        let form = fill(form, &[("field", &name)]);
        form.split_once("{max}")
            .is_some_and(|(before, after)| marked.starts_with(before) && marked.ends_with(after))
    });
    assert!(
        in_arabic,
        "the name field says in Arabic that it is too long: {marked:?}"
    );
    assert_eq!(
        reader.in_root("#long", "root.querySelectorAll('li.comment').length"),
        0
    );
}
