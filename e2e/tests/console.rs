//! The site owner's console (issue 12), in Chromium, on a host page of another origin:
//! a first-time commenter's comment is held, shown to its author (after a reload too)
//! and to nobody else, until the owner, signed in at `/admin`, approves it by keyboard;
//! a closed thread and a blocked author are refused in words; the owner's edit and
//! delete reach the widget; the owner's reply carries the badge a reader typing the
//! owner's name cannot get; and a second site on the same server keeps its `/` apart.

use colloquy_e2e::console::{add_owner, add_site, heading, sign_in, wait_for_heading};
use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::stage::{js_string, Reader, Stage, MAIN_FORM, WAIT};
use colloquy_e2e::webdriver::Browser;
use serde_json::json;

const HOST: &str = "[data-colloquy]";
const OWNER: &str = "owner@blog.example";

fn widget_page(stage: &Stage) -> String {
    stage.site.page(
        "/post",
        stage.host_page(
            "",
            "<h1>A post</h1><div data-colloquy data-thread=\"/post\" data-loading=\"eager\"></div>",
        ),
        None,
    )
}

/// Waits until the widget's top-level form says `words` (a refusal, a notice).
fn wait_for_form_words(reader: &Reader, words: &str) {
    reader.wait_in_root(
        HOST,
        &format!("the form to say {words:?}"),
        &format!(
            "root.querySelector({})?.textContent.includes({})",
            js_string(MAIN_FORM),
            js_string(words)
        ),
    );
}

/// Whether the widget shows a comment whose text includes `text`.
fn shows(reader: &Reader, text: &str) -> bool {
    reader
        .in_root(
            HOST,
            &format!(
                "[...root.querySelectorAll('li.comment')].some(li => li.textContent.includes({}))",
                js_string(text)
            ),
        )
        .as_bool()
        .unwrap_or(false)
}

fn click_button(browser: &Browser, text: &str) {
    let found = browser.execute(
        &format!(
            "const b = [...document.querySelectorAll('button')].find(b => b.textContent.trim() === {});
             if (b) {{ b.click(); return true; }} return false;",
            js_string(text)
        ),
        json!([]),
    );
    assert_eq!(
        found,
        json!(true),
        "no button {text:?} on {}",
        heading(browser)
    );
}

#[test]
fn a_held_comment_waits_for_the_owner_who_moderates_by_keyboard() {
    let stage = Stage::start_with(&["--moderation", "first-time"]);
    add_owner(&stage.server, None, OWNER, "Olive");
    let page = widget_page(&stage);
    let reader = stage.reader();
    stage.browser.goto(&page);
    stage.wait_for_count(HOST, "No comments");

    // The reader posts: held, shown to them alone, with the words that say so.
    reader.fill(
        HOST,
        MAIN_FORM,
        "Nadia",
        "nadia@private.example",
        "My first comment here",
    );
    reader.submit(HOST, MAIN_FORM);
    reader.wait_in_root(
        HOST,
        "the held comment with its label",
        "root.querySelector('li.comment .badge.pending')?.textContent.startsWith('Awaiting approval')",
    );
    stage.wait_for_count(HOST, "No comments");
    stage.browser.refresh();
    reader.wait_in_root(
        HOST,
        "the held comment again after a reload",
        "root.querySelector('li.comment .badge.pending') !== null",
    );
    assert!(shows(&reader, "My first comment here"));

    // A second reader sees nothing of it.
    let other = Browser::start();
    let second = Reader(&other);
    other.goto(&page);
    second.wait_for_count(HOST, "No comments");
    assert!(!shows(&second, "My first comment here"));

    // The owner signs in and approves it by keyboard: j to the comment, a to approve.
    let owner = Browser::start();
    sign_in(&owner, &stage.server, OWNER);
    wait_for_heading(&owner, "Awaiting approval (1)");
    assert!(owner
        .execute(
            "return document.body.textContent.includes('nadia@private.example');",
            json!([])
        )
        .as_bool()
        .unwrap());
    owner.press('j');
    owner.wait_for(
        "the first comment to take the focus",
        "document.activeElement?.matches('li.comment')",
        WAIT,
    );
    owner.press('a');
    wait_for_heading(&owner, "Awaiting approval (0)");

    // Everyone sees it now.
    other.refresh();
    second.wait_for_count(HOST, "1 comment");
    assert!(shows(&second, "My first comment here"));
    stage.browser.refresh();
    stage.wait_for_count(HOST, "1 comment");
    assert_eq!(
        reader.in_root(HOST, "root.querySelectorAll('.badge.pending').length"),
        json!(0)
    );

    // The owner closes the thread while a reader is writing: the post is refused in words,
    // and the text stays.
    reader.fill(
        HOST,
        MAIN_FORM,
        "Nadia",
        "nadia@private.example",
        "Written before the close",
    );
    owner.goto(&stage.server.url("/admin/threads"));
    wait_for_heading(&owner, "Threads");
    click_button(&owner, "Close");
    owner.wait_for(
        "the thread to show as closed",
        "[...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Open')",
        WAIT,
    );
    reader.submit(HOST, MAIN_FORM);
    wait_for_form_words(&reader, "Comments are closed on this page.");
    stage.browser.refresh();
    reader.wait_in_root(
        HOST,
        "the closed notice in place of the form",
        "root.querySelector('p.status.closed')?.textContent === 'Comments are closed.' && !root.querySelector('form')",
    );
    click_button(&owner, "Open");
    owner.wait_for(
        "the thread to open again",
        "[...document.querySelectorAll('button')].some(b => b.textContent.trim() === 'Close')",
        WAIT,
    );

    // The owner blocks the author: their next comment is refused in words.
    let id = stage.server.get_json("/api/v1/threads/%2Fpost/comments")["comments"][0]["id"]
        .as_i64()
        .expect("the approved comment");
    owner.goto(&stage.server.url(&format!("/admin/comment?id={id}")));
    wait_for_heading(&owner, &format!("Comment {id}"));
    click_button(&owner, "Block");
    wait_for_heading(&owner, "Blocks");
    // (From the second browser, whose form holds no draft: the block is on the address
    // and the email, whichever browser they use.)
    other.refresh();
    second.wait_for_count(HOST, "1 comment");
    second.fill(
        HOST,
        MAIN_FORM,
        "Nadia",
        "nadia@private.example",
        "Am I still welcome?",
    );
    second.submit(HOST, MAIN_FORM);
    wait_for_form_words(&second, "You can no longer comment on this site.");

    // The owner's edit and delete reach the widget.
    owner.goto(&stage.server.url(&format!("/admin/comment?id={id}")));
    wait_for_heading(&owner, &format!("Comment {id}"));
    owner.execute(
        "document.querySelector('#edit-body').value = '';",
        json!([]),
    );
    owner.type_text(&owner.find("#edit-body"), "Edited by the owner");
    click_button(&owner, "Save");
    owner.wait_for(
        "the saved edit",
        "document.querySelector('li.comment .body')?.textContent.includes('Edited by the owner')",
        WAIT,
    );
    stage.browser.refresh();
    reader.wait_in_root(
        HOST,
        "the owner's edit",
        "[...root.querySelectorAll('li.comment .body')].some(b => b.textContent.includes('Edited by the owner'))",
    );
    click_button(&owner, "Delete");
    owner.wait_for(
        "the comment to show as deleted",
        "document.querySelector('li.comment.deleted') !== null",
        WAIT,
    );
    stage.browser.refresh();
    stage.wait_for_count(HOST, "No comments");
    assert!(!shows(&reader, "Edited by the owner"));

    // The audit log says who did what.
    owner.goto(&stage.server.url("/admin/audit"));
    wait_for_heading(&owner, "Audit log");
    let actions = owner.execute(
        "return [...document.querySelectorAll('tbody tr td:nth-child(3)')].map(td => td.textContent);",
        json!([]),
    );
    assert_eq!(
        actions,
        json!(["delete", "edit", "block", "unlock", "lock", "approve"])
    );
}

#[test]
fn the_owner_has_a_badge_nobody_can_fake_and_sites_keep_apart() {
    let stage = Stage::start();
    add_owner(&stage.server, None, OWNER, "Olive Owner");
    let second_site = HostSite::start();
    add_site(&stage.server, "second.example", &second_site.origin);
    let reader = stage.reader();

    // The same thread key on two sites: two conversations.
    let first = stage.site.page(
        "/",
        stage.host_page("", "<div data-colloquy data-loading=\"eager\"></div>"),
        None,
    );
    let second = second_site.page(
        "/",
        stage.host_page("", "<div data-colloquy data-loading=\"eager\"></div>"),
        None,
    );
    stage.browser.goto(&first);
    stage.wait_for_count(HOST, "No comments");
    reader.fill(
        HOST,
        MAIN_FORM,
        "Ann",
        "ann@private.example",
        "On the first site",
    );
    reader.submit(HOST, MAIN_FORM);
    stage.wait_for_count(HOST, "1 comment");
    // Within seconds of `site add`, the running server knows the second site's origin.
    stage.browser.goto(&second);
    stage.wait_for_count(HOST, "No comments");
    reader.fill(
        HOST,
        MAIN_FORM,
        "Ben",
        "ben@private.example",
        "On the second site",
    );
    reader.submit(HOST, MAIN_FORM);
    stage.wait_for_count(HOST, "1 comment");
    assert!(shows(&reader, "On the second site") && !shows(&reader, "On the first site"));
    stage.browser.goto(&first);
    stage.wait_for_count(HOST, "1 comment");
    assert!(shows(&reader, "On the first site") && !shows(&reader, "On the second site"));

    // A reader typing the owner's name is told it is taken, on the name field.
    reader.fill(
        HOST,
        MAIN_FORM,
        "olive owner",
        "fake@private.example",
        "I am the owner",
    );
    reader.submit(HOST, MAIN_FORM);
    reader.wait_in_root(
        HOST,
        "the name's error",
        "root.querySelector('.field.invalid .error')?.textContent.includes(\"belongs to the site's owner\")",
    );
    assert!(!shows(&reader, "I am the owner"));

    // The owner replies from the console: the reply carries the badge.
    let owner = Browser::start();
    sign_in(&owner, &stage.server, OWNER);
    let id = stage.server.get_json("/api/v1/threads/%2F/comments")["comments"]
        .as_array()
        .expect("the thread")
        .iter()
        .find(|c| c["content"] == serde_json::json!([["p", "On the first site"]]))
        .and_then(|c| c["id"].as_i64())
        .expect("the first site's comment");
    owner.goto(&stage.server.url(&format!("/admin/comment?id={id}")));
    wait_for_heading(&owner, &format!("Comment {id}"));
    owner.type_text(&owner.find("#reply-body"), "Thank you, from the author");
    click_button(&owner, "Reply");
    wait_for_heading(&owner, "Comment");
    stage.browser.refresh();
    reader.wait_in_root(
        HOST,
        "the owner's reply with its badge",
        "[...root.querySelectorAll('li.comment')].some(li => li.textContent.includes('Thank you, from the author') && li.querySelector('.badge.owner')?.textContent === 'Author')",
    );
    let badges = reader.in_root(HOST, "root.querySelectorAll('.badge.owner').length");
    assert_eq!(badges, json!(1), "only the owner's comment has the badge");
}
