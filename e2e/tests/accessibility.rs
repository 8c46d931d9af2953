//! The widget against WCAG 2.1 A and AA, as axe-core judges it (issue 8): axe is injected
//! into host pages on another origin than the comment server and run on the widget's host
//! element, whose shadow tree it reads. Each state a reader meets gets its own journey: the
//! light, dark and auto themes, the default that wears the page's own colours, an Arabic
//! page, a reply form open, and the fields marked after an empty submit. Each prints how
//! many rules passed and how many nodes were checked, and fails on any violation, naming
//! the rule, what it asks and every node at fault.
//!
//! Not here: a comment waiting for moderation, because there is no moderation yet
//! (ARCHITECTURE.md, "Not built yet"); when there is, its state belongs in this file.

use colloquy_e2e::axe::Axe;
use colloquy_e2e::seeding::{post, Post};
use colloquy_e2e::stage::{Stage, MAIN_FORM};
use colloquy_e2e::webdriver::Browser;

const THREAD: &str = "a11y";
const HOST: &str = "#comments";
const ENGLISH: &str = "lang=\"en\"";

/// A conversation with what a comment can hold: an author's link, emphasis, code, a
/// quotation, a link, a list, a code block, and replies two levels deep.
fn seed_conversation(stage: &Stage) {
    let server = &stage.server;
    let ada = post(
        server,
        THREAD,
        &Post::new(
            "Ada Lovelace",
            "The engine **weaves** algebraic patterns, as the loom weaves `flowers`.\n\n\
             > A quoted line.\n\nMore in [the notes](https://example.org/notes).",
        )
        .website("https://example.org/ada"),
    );
    let ben = post(
        server,
        THREAD,
        &Post::new("Ben", "Two thoughts:\n\n- one\n- *two*").reply_to(ada),
    );
    post(
        server,
        THREAD,
        &Post::new("Cy", "A reply to the reply.").reply_to(ben),
    );
    post(
        server,
        THREAD,
        &Post::new(
            "Dee",
            "Another conversation, with code:\n\n```\nfn main() {}\n```",
        ),
    );
}

/// Opens an article whose `<html>` has `html_attributes`, with the widget on `HOST`
/// carrying `widget_attributes`, once the conversation is on the thread.
fn open_article(stage: &Stage, html_attributes: &str, widget_attributes: &str) {
    seed_conversation(stage);
    stage.open_with(
        "/article",
        html_attributes,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
        &format!(
            "<main><h1>An article</h1><p>Words before the comments.</p>\
             <div id=\"comments\" data-colloquy data-thread=\"{THREAD}\" {widget_attributes}></div></main>"
        ),
    );
}

/// Opens the article with the widget in English and waits for the whole thread.
fn open_english(stage: &Stage, widget_attributes: &str) {
    open_article(stage, ENGLISH, widget_attributes);
    stage.wait_for_count(HOST, "4 comments");
}

#[test]
fn the_light_theme_meets_wcag_aa() {
    let stage = Stage::start();
    open_english(&stage, "data-theme=\"light\"");
    Axe::load()
        .audit(&stage.browser, HOST, "light theme")
        .assert_clean();
}

#[test]
fn the_dark_theme_meets_wcag_aa() {
    let stage = Stage::start();
    open_english(&stage, "data-theme=\"dark\"");
    Axe::load()
        .audit(&stage.browser, HOST, "dark theme")
        .assert_clean();
}

#[test]
fn the_default_and_auto_themes_meet_wcag_aa_on_a_light_page() {
    let stage = Stage::start();
    // Two widgets on one page: the default (the page's own colours) and `auto`, which
    // follows the reader's light preference here.
    seed_conversation(&stage);
    stage.open_with(
        "/article",
        ENGLISH,
        "",
        &format!(
            "<main><h1>An article</h1>\
             <div id=\"inherit\" data-colloquy data-thread=\"{THREAD}\"></div>\
             <div id=\"auto\" data-colloquy data-thread=\"{THREAD}\" data-theme=\"auto\" data-loading=\"eager\"></div></main>"
        ),
    );
    stage.wait_for_count("#inherit", "4 comments");
    stage.wait_for_count("#auto", "4 comments");
    let axe = Axe::load();
    let inherit = axe.audit(
        &stage.browser,
        "#inherit",
        "default theme (the page's colours)",
    );
    let auto = axe.audit(&stage.browser, "#auto", "auto theme, light preference");
    inherit.assert_clean();
    auto.assert_clean();
}

#[test]
fn the_auto_theme_meets_wcag_aa_for_a_reader_who_prefers_dark() {
    let stage = Stage::start_with_browser(&[], || Browser::start_with(&["--force-dark-mode"]));
    open_english(&stage, "data-theme=\"auto\"");
    let prefers_dark = stage.browser.execute(
        "return matchMedia('(prefers-color-scheme: dark)').matches;",
        serde_json::json!([]),
    );
    assert_eq!(prefers_dark, true, "the browser prefers dark");
    Axe::load()
        .audit(&stage.browser, HOST, "auto theme, dark preference")
        .assert_clean();
}

#[test]
fn an_arabic_page_meets_wcag_aa() {
    let stage = Stage::start();
    open_article(&stage, "lang=\"ar\" dir=\"rtl\"", "");
    // The Arabic words arrive as a file of their own; the thread waits for them.
    stage.wait_in_root(
        HOST,
        "the thread in Arabic",
        "root.querySelector('section.colloquy[lang=ar]:not([aria-busy])') &&
         root.querySelectorAll('li.comment').length === 4",
    );
    Axe::load()
        .audit(&stage.browser, HOST, "Arabic page, right to left")
        .assert_clean();
}

#[test]
fn a_reply_form_open_meets_wcag_aa() {
    let stage = Stage::start();
    open_english(&stage, "");
    stage
        .browser
        .click(&stage.in_widget(HOST, "li.comment.depth-0 button.reply"));
    stage.wait_in_root(
        HOST,
        "the reply form",
        "root.querySelector('form.reply-form input[name=name]')",
    );
    Axe::load()
        .audit(&stage.browser, HOST, "a reply form open")
        .assert_clean();
}

#[test]
fn the_fields_marked_after_an_empty_submit_meet_wcag_aa() {
    let stage = Stage::start();
    open_english(&stage, "");
    stage.submit(HOST, MAIN_FORM);
    stage.wait_in_root(
        HOST,
        "three marked fields",
        &format!("root.querySelectorAll('{MAIN_FORM} .field.invalid').length === 3"),
    );
    Axe::load()
        .audit(&stage.browser, HOST, "errors after an empty submit")
        .assert_clean();
}
