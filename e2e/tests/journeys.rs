//! Readers' journeys on the demo page: the real `colloquy-server` binary on a loopback port
//! with a fresh SQLite file, the release widget loaded through `embed.js`, and Chromium
//! driven through WebDriver with real clicks and key presses.

use std::time::Duration;

use colloquy_e2e::server::Server;
use colloquy_e2e::webdriver::{Browser, Element};
use serde_json::{json, Value};

const DEMO_THREAD_API: &str = "/api/v1/threads/demo%2Fa-quieter-comment-section/comments";
const WAIT: Duration = Duration::from_secs(30);
/// The top-level form (reply forms carry the extra class).
const MAIN_FORM: &str = "form.comment-form:not(.reply-form)";

/// A JS expression for the widget's shadow root on the demo page.
const ROOT: &str = "document.querySelector('[data-colloquy]')?.shadowRoot";

struct Journey {
    _folder: tempfile::TempDir,
    database: std::path::PathBuf,
    server: Server,
    browser: Browser,
}

impl Journey {
    fn start() -> Journey {
        let folder = tempfile::tempdir().unwrap();
        let database = folder.path().join("journey.db");
        let server = Server::start(&database, &[]);
        let browser = Browser::start();
        Journey {
            _folder: folder,
            database,
            server,
            browser,
        }
    }

    fn open_demo_page(&self) {
        self.browser.goto(&self.server.url("/"));
    }

    fn wait_for_count(&self, expected: &str) {
        self.browser.wait_for(
            &format!("the heading '{expected}'"),
            &format!("{ROOT}?.querySelector('h2.count')?.textContent === '{expected}'"),
            WAIT,
        );
    }

    fn shadow(&self) -> Element {
        let host = self.browser.find("[data-colloquy]");
        self.browser.shadow_root(&host)
    }

    fn in_widget(&self, css: &str) -> Element {
        self.browser.find_in_shadow(&self.shadow(), css)
    }

    /// Every comment as shown: (id, parent id, depth, body text), in page order.
    fn shape(&self) -> Vec<(i64, Option<i64>, usize, String)> {
        let rows = self.browser.execute(
            &format!(
                "return Array.from({ROOT}.querySelectorAll('li.comment')).map(li => [
                   Number(li.dataset.commentId),
                   li.dataset.parentId ? Number(li.dataset.parentId) : null,
                   Number(li.dataset.depth),
                   li.querySelector('.body').textContent]);"
            ),
            json!([]),
        );
        rows.as_array()
            .unwrap()
            .iter()
            .map(|row| {
                (
                    row[0].as_i64().unwrap(),
                    row[1].as_i64(),
                    row[2].as_u64().unwrap() as usize,
                    row[3].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    fn fill(&self, form: &str, name: &str, email: &str, body: &str) {
        for (field, value) in [
            ("input[name=name]", name),
            ("input[name=email]", email),
            ("textarea[name=body]", body),
        ] {
            let input = self.in_widget(&format!("{form} {field}"));
            self.browser.type_text(&input, value);
        }
    }
}

/// Checks that every reply sits inside its parent's block, one level deeper.
fn assert_nested(shape: &[(i64, Option<i64>, usize, String)]) {
    for (index, (id, parent, depth, _)) in shape.iter().enumerate() {
        let Some(parent) = parent else {
            assert_eq!(*depth, 0, "comment {id} is top-level");
            continue;
        };
        let parent_index = shape
            .iter()
            .position(|(pid, ..)| pid == parent)
            .unwrap_or_else(|| panic!("parent {parent} of {id} is shown"));
        let parent_depth = shape[parent_index].2;
        assert!(parent_index < index, "{id} comes after its parent {parent}");
        assert_eq!(*depth, parent_depth + 1, "{id} is one level under {parent}");
        assert!(
            shape[parent_index + 1..index]
                .iter()
                .all(|(_, _, d, _)| *d > parent_depth),
            "{id} stays inside the block of {parent}"
        );
    }
}

#[test]
fn the_demo_page_shows_the_nested_thread_with_its_count() {
    let journey = Journey::start();
    journey.open_demo_page();
    journey.wait_for_count("8 comments");
    let shape = journey.shape();
    assert_eq!(shape.len(), 8);
    assert_nested(&shape);
    assert!(
        shape.iter().any(|(.., depth, _)| *depth == 3),
        "replies three levels deep"
    );
    // The widget came through the loader, as on a site owner's page, and left the page alone.
    let globals = journey.browser.execute(
        "return [typeof window.Colloquy, document.querySelectorAll('style,link[rel=stylesheet]').length];",
        json!([]),
    );
    assert_eq!(
        globals,
        json!(["object", 1]),
        "only the demo page's own style"
    );
    let link = journey.in_widget("li .meta a.author");
    assert_eq!(journey.browser.text(&link), "Marta Lindqvist");
    let rel = journey.browser.execute(
        &format!("return {ROOT}.querySelector('li .meta a.author').rel;"),
        json!([]),
    );
    assert_eq!(rel, "nofollow ugc noopener noreferrer");
}

#[test]
fn an_empty_submit_marks_the_required_fields_and_stores_nothing() {
    let journey = Journey::start();
    journey.open_demo_page();
    journey.wait_for_count("8 comments");
    let submit = journey.in_widget(&format!("{MAIN_FORM} button.submit"));
    journey.browser.click(&submit);
    let messages = journey.browser.wait_for(
        "three field errors",
        &format!(
            "{ROOT}.querySelectorAll('{MAIN_FORM} .field.invalid').length === 3 &&
             Array.from({ROOT}.querySelectorAll('{MAIN_FORM} .field.invalid .error')).map(e => e.textContent)"
        ),
        WAIT,
    );
    assert_eq!(
        messages,
        json!([
            "Name is required.",
            "Email is required.",
            "Comment is required."
        ])
    );
    let stored = journey.server.get_json(DEMO_THREAD_API);
    assert_eq!(stored["total"], 8, "nothing reached the server");
}

#[test]
fn a_comment_and_a_nested_reply_survive_reload_and_restart() {
    let mut journey = Journey::start();
    journey.open_demo_page();
    journey.wait_for_count("8 comments");

    // A new top-level comment.
    journey.fill(
        MAIN_FORM,
        "End-to-end Ed",
        "ed@private.example",
        "Posted by the *journey* test & kept.",
    );
    journey
        .browser
        .click(&journey.in_widget(&format!("{MAIN_FORM} button.submit")));
    journey.wait_for_count("9 comments");
    let shape = journey.shape();
    let (posted_id, posted_parent, posted_depth, posted_body) = shape.last().unwrap().clone();
    assert_eq!(posted_body, "Posted by the journey test & kept.");
    assert_eq!((posted_parent, posted_depth), (None, 0));

    // A reply to a comment that is itself two levels deep.
    let (parent_id, _, parent_depth, _) = shape
        .iter()
        .find(|(.., body)| body.contains("The export was a single"))
        .cloned()
        .expect("the demo's depth-2 comment");
    assert_eq!(parent_depth, 2);
    let parent = format!("li[data-comment-id='{parent_id}']");
    journey
        .browser
        .click(&journey.in_widget(&format!("{parent} button.reply")));
    journey.browser.wait_for(
        "the reply form",
        &format!("{ROOT}.querySelector(\"{parent} form.reply-form\")"),
        WAIT,
    );
    let reply_form = format!("{parent} form.reply-form");
    journey.fill(
        &reply_form,
        "Replying Rae",
        "rae@private.example",
        "A reply, nested.",
    );
    journey
        .browser
        .click(&journey.in_widget(&format!("{reply_form} button.submit")));
    journey.wait_for_count("10 comments");
    let shape = journey.shape();
    assert_nested(&shape);
    let reply = shape
        .iter()
        .find(|(.., body)| body == "A reply, nested.")
        .cloned()
        .expect("the reply is shown");
    assert_eq!((reply.1, reply.2), (Some(parent_id), parent_depth + 1));
    let check_both = |shape: &[(i64, Option<i64>, usize, String)]| {
        assert_nested(shape);
        assert!(shape.iter().any(|c| c.0 == posted_id && c.2 == 0));
        assert!(shape
            .iter()
            .any(|c| c.0 == reply.0 && c.1 == Some(parent_id) && c.2 == 3));
    };

    // Both are there after a reload, in the same places.
    journey.browser.refresh();
    journey.wait_for_count("10 comments");
    let after_reload = journey.shape();
    assert_eq!(after_reload, shape);
    check_both(&after_reload);

    // And after the server restarts on the same database.
    let server = std::mem::replace(&mut journey.server, Server::start(&journey.database, &[]));
    server.stop();
    journey.open_demo_page();
    journey.wait_for_count("10 comments");
    check_both(&journey.shape());

    // Emails were stored but are never shown or returned.
    let api: Value = journey.server.get_json(DEMO_THREAD_API);
    assert!(!api.to_string().contains("private.example"));
    let page_text = journey.browser.execute(
        &format!("return {ROOT}.querySelector('.colloquy').textContent;"),
        json!([]),
    );
    assert!(!page_text.as_str().unwrap().contains("private.example"));
}

/// The comment box's text, read from the page.
fn typed_body(journey: &Journey) -> serde_json::Value {
    journey.browser.execute(
        &format!("return {ROOT}.querySelector('{MAIN_FORM} textarea[name=body]').value;"),
        json!([]),
    )
}

#[test]
fn a_draft_survives_a_reload_and_goes_once_posted() {
    let journey = Journey::start();
    journey.open_demo_page();
    journey.wait_for_count("8 comments");
    journey.fill(
        MAIN_FORM,
        "Drafty Dee",
        "dee@private.example",
        "Half-written thoughts",
    );
    journey.browser.refresh();
    journey.wait_for_count("8 comments");
    assert_eq!(typed_body(&journey), "Half-written thoughts");
    journey
        .browser
        .click(&journey.in_widget(&format!("{MAIN_FORM} button.submit")));
    journey.wait_for_count("9 comments");
    journey.browser.refresh();
    journey.wait_for_count("9 comments");
    assert_eq!(
        typed_body(&journey),
        "",
        "the accepted comment's draft is gone"
    );
}

#[test]
fn posting_too_fast_says_when_to_try_again_and_keeps_the_text() {
    let folder = tempfile::tempdir().unwrap();
    let server = Server::start(
        &folder.path().join("flood.db"),
        &["--posts-per-minute", "1"],
    );
    let journey = Journey {
        browser: Browser::start(),
        database: folder.path().join("flood.db"),
        server,
        _folder: folder,
    };
    journey.open_demo_page();
    journey.wait_for_count("8 comments");
    journey.fill(MAIN_FORM, "Quick Quinn", "quinn@private.example", "First!");
    journey
        .browser
        .click(&journey.in_widget(&format!("{MAIN_FORM} button.submit")));
    journey.wait_for_count("9 comments");
    let body = journey.in_widget(&format!("{MAIN_FORM} textarea[name=body]"));
    journey
        .browser
        .type_text(&body, "And again, straight away.");
    journey
        .browser
        .click(&journey.in_widget(&format!("{MAIN_FORM} button.submit")));
    let message = journey.browser.wait_for(
        "the wait message",
        &format!("{ROOT}.querySelector('{MAIN_FORM} .feedback.failed p')?.textContent"),
        WAIT,
    );
    let message = message.as_str().unwrap();
    assert!(
        message.starts_with("You are posting too quickly. Try again in "),
        "{message}"
    );
    assert_eq!(typed_body(&journey), "And again, straight away.");
    assert_eq!(journey.server.get_json(DEMO_THREAD_API)["total"], 9);
}
