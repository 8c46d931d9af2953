//! Readers' journeys on the demo page: the real `colloquy-server` binary on a loopback port
//! with a fresh SQLite file, the release widget loaded through `embed.js`, and Chromium
//! driven through WebDriver with real clicks and key presses.

use colloquy_e2e::stage::{Shown, Stage, MAIN_FORM};
use serde_json::json;

const DEMO_THREAD: &str = "demo/a-quieter-comment-section";
/// The widget on the demo page.
const DEMO: &str = "[data-colloquy]";

/// Checks that every reply sits inside its parent's block, one level deeper.
fn assert_nested(shape: &[Shown]) {
    for (index, comment) in shape.iter().enumerate() {
        let Some(parent) = comment.parent else {
            assert_eq!(comment.depth, 0, "comment {} is top-level", comment.id);
            continue;
        };
        let parent_index = shape
            .iter()
            .position(|c| c.id == parent)
            .unwrap_or_else(|| panic!("parent {parent} of {} is shown", comment.id));
        let parent_depth = shape[parent_index].depth;
        assert!(
            parent_index < index,
            "{} comes after its parent {parent}",
            comment.id
        );
        assert_eq!(
            comment.depth,
            parent_depth + 1,
            "{} is one level under {parent}",
            comment.id
        );
        assert!(
            shape[parent_index + 1..index]
                .iter()
                .all(|c| c.depth > parent_depth),
            "{} stays inside the block of {parent}",
            comment.id
        );
    }
}

/// The main comment box's text, read from the page.
fn typed_body(stage: &Stage) -> serde_json::Value {
    stage.in_root(
        DEMO,
        &format!("root.querySelector('{MAIN_FORM} textarea[name=body]').value"),
    )
}

#[test]
fn the_demo_page_shows_the_nested_thread_with_its_count() {
    let stage = Stage::start();
    stage.open_demo_page();
    stage.wait_for_count(DEMO, "8 comments");
    let shape = stage.shape(DEMO);
    assert_eq!(shape.len(), 8);
    assert_nested(&shape);
    assert!(
        shape.iter().any(|c| c.depth == 3),
        "replies three levels deep"
    );
    // The widget came through the loader, as on a site owner's page, and left the page alone.
    let globals = stage.browser.execute(
        "return [typeof window.Colloquy, document.querySelectorAll('style,link[rel=stylesheet]').length];",
        json!([]),
    );
    assert_eq!(
        globals,
        json!(["object", 1]),
        "only the demo page's own style"
    );
    let link = stage.in_widget(DEMO, "li .meta a.author");
    assert_eq!(stage.browser.text(&link), "Marta Lindqvist");
    let rel = stage.in_root(DEMO, "root.querySelector('li .meta a.author').rel");
    assert_eq!(rel, "nofollow ugc noopener noreferrer");
}

#[test]
fn an_empty_submit_marks_the_required_fields_and_stores_nothing() {
    let stage = Stage::start();
    stage.open_demo_page();
    stage.wait_for_count(DEMO, "8 comments");
    stage.submit(DEMO, MAIN_FORM);
    let messages = stage.wait_in_root(
        DEMO,
        "three field errors",
        &format!(
            "root.querySelectorAll('{MAIN_FORM} .field.invalid').length === 3 &&
             Array.from(root.querySelectorAll('{MAIN_FORM} .field.invalid .error')).map(e => e.textContent)"
        ),
    );
    assert_eq!(
        messages,
        json!([
            "Name is required.",
            "Email is required.",
            "Comment is required."
        ])
    );
    assert_eq!(stage.total(DEMO_THREAD), 8, "nothing reached the server");
}

#[test]
fn a_comment_and_a_nested_reply_survive_reload_and_restart() {
    let mut stage = Stage::start();
    stage.open_demo_page();
    stage.wait_for_count(DEMO, "8 comments");

    // A new top-level comment.
    stage.fill(
        DEMO,
        MAIN_FORM,
        "End-to-end Ed",
        "ed@private.example",
        "Posted by the *journey* test & kept.",
    );
    stage.submit(DEMO, MAIN_FORM);
    stage.wait_for_count(DEMO, "9 comments");
    let shape = stage.shape(DEMO);
    let posted = shape.last().unwrap().clone();
    assert_eq!(posted.body, "Posted by the journey test & kept.");
    assert_eq!((posted.parent, posted.depth), (None, 0));

    // A reply to a comment that is itself two levels deep.
    let parent = shape
        .iter()
        .find(|c| c.body.contains("The export was a single"))
        .cloned()
        .expect("the demo's depth-2 comment");
    assert_eq!(parent.depth, 2);
    let parent_li = format!("li[data-comment-id='{}']", parent.id);
    stage
        .browser
        .click(&stage.in_widget(DEMO, &format!("{parent_li} button.reply")));
    let reply_form = format!("{parent_li} form.reply-form");
    stage.wait_in_root(
        DEMO,
        "the reply form",
        &format!("root.querySelector(\"{reply_form}\")"),
    );
    stage.fill(
        DEMO,
        &reply_form,
        "Replying Rae",
        "rae@private.example",
        "A reply, nested.",
    );
    stage.submit(DEMO, &reply_form);
    stage.wait_for_count(DEMO, "10 comments");
    let shape = stage.shape(DEMO);
    assert_nested(&shape);
    let reply = shape
        .iter()
        .find(|c| c.body == "A reply, nested.")
        .cloned()
        .expect("the reply is shown");
    assert_eq!(
        (reply.parent, reply.depth),
        (Some(parent.id), parent.depth + 1)
    );
    let check_both = |shape: &[Shown]| {
        assert_nested(shape);
        assert!(shape.iter().any(|c| c.id == posted.id && c.depth == 0));
        assert!(shape
            .iter()
            .any(|c| c.id == reply.id && c.parent == Some(parent.id) && c.depth == 3));
    };

    // Both are there after a reload, in the same places.
    stage.browser.refresh();
    stage.wait_for_count(DEMO, "10 comments");
    let after_reload = stage.shape(DEMO);
    assert_eq!(after_reload, shape);
    check_both(&after_reload);

    // And after the server stops and starts again on the same database.
    stage.server.restart();
    stage.open_demo_page();
    stage.wait_for_count(DEMO, "10 comments");
    check_both(&stage.shape(DEMO));

    // Emails were stored but are never shown or returned.
    let api = stage.server.get_json(&format!(
        "/api/v1/threads/{}/comments",
        DEMO_THREAD.replace('/', "%2F")
    ));
    assert_eq!(api["total"], 10);
    assert!(!api.to_string().contains("private.example"));
    let page_text = stage.in_root(DEMO, "root.querySelector('.colloquy').textContent");
    assert!(!page_text.as_str().unwrap().contains("private.example"));
}

#[test]
fn a_draft_survives_a_reload_and_goes_once_posted() {
    let stage = Stage::start();
    stage.open_demo_page();
    stage.wait_for_count(DEMO, "8 comments");
    stage.fill(
        DEMO,
        MAIN_FORM,
        "Drafty Dee",
        "dee@private.example",
        "Half-written thoughts",
    );
    stage.browser.refresh();
    stage.wait_for_count(DEMO, "8 comments");
    assert_eq!(typed_body(&stage), "Half-written thoughts");
    stage.submit(DEMO, MAIN_FORM);
    stage.wait_for_count(DEMO, "9 comments");
    stage.browser.refresh();
    stage.wait_for_count(DEMO, "9 comments");
    assert_eq!(
        typed_body(&stage),
        "",
        "the accepted comment's draft is gone"
    );
}

#[test]
fn posting_too_fast_says_when_to_try_again_and_keeps_the_text() {
    let stage = Stage::start_with(&["--posts-per-minute", "1"]);
    stage.open_demo_page();
    stage.wait_for_count(DEMO, "8 comments");
    stage.fill(
        DEMO,
        MAIN_FORM,
        "Quick Quinn",
        "quinn@private.example",
        "First!",
    );
    stage.submit(DEMO, MAIN_FORM);
    stage.wait_for_count(DEMO, "9 comments");
    let body = stage.in_widget(DEMO, &format!("{MAIN_FORM} textarea[name=body]"));
    stage.browser.type_text(&body, "And again, straight away.");
    stage.submit(DEMO, MAIN_FORM);
    let message = stage.wait_in_root(
        DEMO,
        "the wait message",
        &format!("root.querySelector('{MAIN_FORM} .feedback.failed p')?.textContent"),
    );
    let message = message.as_str().unwrap();
    assert!(
        message.starts_with("You are posting too quickly. Try again in "),
        "{message}"
    );
    assert_eq!(typed_body(&stage), "And again, straight away.");
    assert_eq!(stage.total(DEMO_THREAD), 9);
}
