use wasm_bindgen_test::*;
use web_sys::Element;

use crate::harness::*;

const AWAITING: &str = "Awaiting approval";
const HELD: &str = "Your comment was received and will appear once the site owner approves it.";
const DELETED: &str = "This comment was deleted.";

/// Where the widget remembers the reader's held comments on the stand-in server.
fn held_key() -> String {
    format!("colloquy:held:{API}")
}

fn comment_path(id: i64) -> String {
    format!("/api/v1/comments/{id}")
}

fn storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

/// The held comments remembered, as (thread, id, edit_token).
fn remembered() -> Vec<(String, i64, String)> {
    let text = draft_of(&held_key());
    if text.is_empty() {
        return Vec::new();
    }
    let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    list.iter()
        .map(|held| {
            (
                held["thread"].as_str().unwrap().to_owned(),
                held["id"].as_i64().unwrap(),
                held["edit_token"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn remember(list: &[(&str, i64, &str)]) {
    let list: Vec<serde_json::Value> = list
        .iter()
        .map(|(thread, id, token)| serde_json::json!({"thread": thread, "id": id, "edit_token": token}))
        .collect();
    storage()
        .set_item(&held_key(), &serde_json::Value::from(list).to_string())
        .unwrap();
}

fn with(mut comment: serde_json::Value, flag: &str) -> serde_json::Value {
    comment[flag] = true.into();
    comment
}

fn pending_json(
    id: i64,
    parent: Option<i64>,
    author: &str,
    body: &str,
    minute: u32,
) -> serde_json::Value {
    with(comment_json(id, parent, author, body, minute), "pending")
}

/// A deleted comment as the server sends it: no author, no body, no website.
fn tombstone_json(id: i64, parent: Option<i64>, minute: u32) -> serde_json::Value {
    with(comment_json(id, parent, "", "", minute), "deleted")
}

fn locked_page_json(thread: &str, comments: Vec<serde_json::Value>) -> String {
    let mut page: serde_json::Value = serde_json::from_str(&page_json(thread, comments)).unwrap();
    page["locked"] = true.into();
    page.to_string()
}

fn announced(host: &Element) -> String {
    text(host, ".news[role=status][aria-live=polite]")
        .trim()
        .to_owned()
}

fn li(id: i64) -> String {
    format!("li[data-comment-id='{id}']")
}

#[wasm_bindgen_test]
async fn a_held_post_is_shown_to_its_author_awaiting_approval_and_not_counted() {
    let host = start("held", vec![comment_json(1, None, "Ann", "Top", 0)]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("held"),
        202,
        &created_json(pending_json(5, None, "Ada", "Hello *there*", 3)),
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the held comment", || find(&host, &li(5)).is_some()).await;
    let badge = text(&host, &format!("{} .meta .badge.pending", li(5)));
    assert!(badge.starts_with(AWAITING), "{badge}");
    assert_eq!(text(&host, &format!("{} .body em", li(5))), "there");
    assert_eq!(announced(&host), HELD, "not \"Your comment was posted.\"");
    assert_eq!(text(&host, ".feedback.sent"), HELD);
    assert_eq!(
        text(&host, "h2.count"),
        "1 comment",
        "only its author sees it"
    );
    assert!(
        find(&host, &format!("{} button.reply", li(5))).is_none(),
        "a held comment takes no replies yet"
    );
    assert!(find(&host, &format!("{} button.reply", li(1))).is_some());
    until("the focus on the held comment", || {
        has_focus(&host, &format!("{} > article", li(5)))
    })
    .await;
    assert_eq!(
        remembered(),
        vec![("held".to_owned(), 5, "t".repeat(64))],
        "remembered with its edit token"
    );
    finish(host);

    // As after a reload: the page does not have it; the server is asked with its token.
    stub_respond(
        "GET",
        &comment_path(5),
        200,
        &pending_json(5, None, "Ada", "Hello *there*", 3).to_string(),
    );
    let host = mount_widget("held");
    loaded(&host).await;
    until("the held comment, again", || find(&host, &li(5)).is_some()).await;
    assert_eq!(
        stub_authorizations("GET", &comment_path(5)),
        vec![format!("Bearer {}", "t".repeat(64))]
    );
    assert!(text(&host, &format!("{} .badge.pending", li(5))).starts_with(AWAITING));
    assert_eq!(shown_ids(&host), vec!["1", "5"]);
    assert_eq!(text(&host, "h2.count"), "1 comment");
    assert_eq!(announced(&host), "", "nothing new to announce");
    assert_eq!(remembered().len(), 1, "still held: still remembered");
    finish(host);
}

#[wasm_bindgen_test]
async fn remembered_comments_that_were_deleted_or_approved_are_forgotten() {
    serve(
        "checked",
        vec![
            comment_json(1, None, "Ann", "Top", 0),
            comment_json(12, None, "Ada", "Approved, in the page", 2),
        ],
    );
    let token = "k".repeat(64);
    let t = token.as_str();
    remember(&[
        ("checked", 9, t),
        ("checked", 10, t),
        ("checked", 11, t),
        ("checked", 12, t),
        ("elsewhere", 13, t),
    ]);
    stub_respond(
        "GET",
        &comment_path(9),
        404,
        r#"{"message":"There is no such comment."}"#,
    );
    stub_respond(
        "GET",
        &comment_path(10),
        403,
        r#"{"message":"This edit token does not open this comment."}"#,
    );
    stub_respond(
        "GET",
        &comment_path(11),
        200,
        &comment_json(11, None, "Ada", "Approved since", 3).to_string(),
    );
    let host = mount_widget("checked");
    loaded(&host).await;
    until("the deleted and approved ones forgotten", || {
        remembered() == vec![("elsewhere".to_owned(), 13, token.clone())]
    })
    .await;
    let asked: Vec<String> = stub_bodies("GET")
        .into_iter()
        .filter(|path| path.starts_with("/api/v1/comments/"))
        .collect();
    assert_eq!(
        asked.len(),
        3,
        "the page's own and another thread's are not asked for: {asked:?}"
    );
    for id in [9, 10, 11] {
        assert!(asked.contains(&comment_path(id)), "{id} in {asked:?}");
    }
    next_task().await;
    assert_eq!(
        shown_ids(&host),
        vec!["1", "12"],
        "nothing deleted is shown"
    );
    assert!(find(&host, ".badge.pending").is_none());
    assert_eq!(text(&host, "h2.count"), "2 comments");
    finish(host);
}

#[wasm_bindgen_test]
async fn an_approved_held_comment_counts_from_then_on_and_is_not_news() {
    serve("approved", vec![comment_json(1, None, "Ann", "Top", 0)]);
    let host = mount_widget("approved");
    loaded(&host).await;
    until("the event stream to open", || live_streams().len() == 1).await;
    stub_respond(
        "POST",
        &thread_path("approved"),
        202,
        &created_json(pending_json(5, None, "Ada", "Hello *there*", 3)),
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the held comment", || {
        find(&host, ".badge.pending").is_some()
    })
    .await;
    assert_eq!(text(&host, "h2.count"), "1 comment");

    live_send(
        1,
        &event_json("created", comment_json(5, None, "Ada", "Hello *there*", 3)),
    );
    until("the approval", || find(&host, ".badge.pending").is_none()).await;
    assert_eq!(shown_ids(&host), vec!["1", "5"]);
    assert_eq!(text(&host, "h2.count"), "2 comments");
    assert!(find(&host, &format!("{} button.reply", li(5))).is_some());
    assert!(
        !announced(&host).contains("New comment"),
        "not news to its author: {}",
        announced(&host)
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn a_closed_thread_shows_its_comments_and_takes_none() {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path("closed"),
        200,
        &locked_page_json(
            "closed",
            vec![
                comment_json(1, None, "Ann", "Top", 0),
                comment_json(2, Some(1), "Ben", "Reply", 1),
            ],
        ),
    );
    let host = mount_widget("closed");
    until("the closed notice", || find(&host, "p.closed").is_some()).await;
    assert_eq!(text(&host, "p.status.closed"), "Comments are closed.");
    assert_eq!(shown_ids(&host), vec!["1", "2"]);
    assert_eq!(text(&host, "h2.count"), "2 comments");
    assert!(find(&host, "form").is_none(), "no form at all");
    assert!(find(&host, "button.reply").is_none(), "no Reply buttons");
    assert!(
        draft_keys().is_empty(),
        "no form, so no draft either: {:?}",
        draft_keys()
    );
    finish(host);

    // Closed with no comments yet: nobody is asked to be the first.
    stub_respond(
        "GET",
        &thread_path("closed-empty"),
        200,
        &locked_page_json("closed-empty", vec![]),
    );
    let host = mount_widget("closed-empty");
    until("the closed notice", || find(&host, "p.closed").is_some()).await;
    assert!(find(&host, "p.status.empty").is_none());
    assert_eq!(text(&host, "h2.count"), "No comments");
    finish(host);
}

#[wasm_bindgen_test]
async fn a_post_refused_as_closed_or_blocked_shows_the_servers_words_and_keeps_the_text() {
    for (thread, message) in [
        ("closed-since", "Comments are closed on this page."),
        ("blocked", "You can no longer comment on this site."),
    ] {
        let host = start(thread, vec![]);
        loaded(&host).await;
        stub_respond(
            "POST",
            &thread_path(thread),
            403,
            &serde_json::json!({ "message": message }).to_string(),
        );
        fill_valid(&host, "form.comment-form");
        click(&host, "form.comment-form button.submit");
        until("the refusal", || find(&host, ".feedback.failed").is_some()).await;
        let said = text(&host, ".feedback.failed[role=alert] p");
        assert!(said.contains(message), "{said}");
        assert_eq!(
            body_value(&host, "textarea[name=body]"),
            "Hello *there*",
            "the text is kept"
        );
        assert!(find(&host, "li.comment").is_none());
        assert!(remembered().is_empty());
        finish(host);
    }
}

#[wasm_bindgen_test]
async fn an_owners_name_typed_by_a_reader_is_refused_on_the_name_field() {
    let host = start("reserved", vec![]);
    loaded(&host).await;
    stub_respond(
        "POST",
        &thread_path("reserved"),
        422,
        r#"{"message":"Some fields need attention.","errors":[{"field":"name","code":"reserved","message":"Name belongs to the site's owner; choose another."}]}"#,
    );
    fill_valid(&host, "form.comment-form");
    click(&host, "form.comment-form button.submit");
    until("the focus on the name field", || {
        has_focus(&host, "input[name=name]")
    })
    .await;
    assert_eq!(
        text(&host, ".field.invalid .error"),
        "Name belongs to the site's owner; choose another."
    );
    assert_eq!(body_value(&host, "textarea[name=body]"), "Hello *there*");
    finish(host);
}

#[wasm_bindgen_test]
async fn the_owner_and_pinned_badges_come_from_the_server_alone() {
    let host = start(
        "badges",
        vec![
            // A reader who calls themselves "Author" gets no badge.
            comment_json(1, None, "Author", "Not the owner", 0),
            with(
                comment_json(2, Some(1), "Sam", "The owner answers", 1),
                "by_owner",
            ),
            with(
                comment_json(3, None, "Cat", "Pinned, so first", 2),
                "pinned",
            ),
        ],
    );
    loaded(&host).await;
    assert_eq!(
        shown_ids(&host),
        vec!["3", "1", "2"],
        "the pinned one leads"
    );
    assert_eq!(
        text(&host, &format!("{} .meta .author + .badge.owner", li(2))),
        "Author",
        "right after the owner's name"
    );
    assert!(find(&host, &format!("{} .badge", li(1))).is_none());
    assert_eq!(
        text(&host, &format!("{} .meta .badge.pinned", li(3))),
        "Pinned"
    );
    assert_eq!(find_all(&host, ".badge").len(), 2);
    assert!(
        find(&host, &format!("{} button.reply", li(2))).is_some(),
        "the owner's comments take replies"
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn a_deleted_comment_with_replies_is_a_tombstone_that_keeps_them_in_place() {
    let host = start(
        "tombstone",
        vec![
            tombstone_json(1, None, 0),
            comment_json(2, Some(1), "Ben", "Still here", 1),
            comment_json(3, None, "Cat", "Another", 2),
        ],
    );
    loaded(&host).await;
    assert_eq!(shown_ids(&host), vec!["1", "2", "3"]);
    let tombstone = li(1);
    assert_eq!(
        text(&host, &format!("{tombstone} > article > p.deleted")),
        DELETED
    );
    for gone in [".meta", ".author", ".body", "time", "button.reply"] {
        assert!(
            find(&host, &format!("{tombstone} {gone}")).is_none(),
            "a tombstone has no {gone}"
        );
    }
    let attribute = |selector: &str, name: &str| {
        find(&host, selector)
            .unwrap()
            .get_attribute(name)
            .unwrap_or_default()
    };
    assert_eq!(attribute(&tombstone, "aria-level"), "1");
    assert_eq!(attribute(&tombstone, "aria-posinset"), "1");
    assert_eq!(attribute(&tombstone, "aria-setsize"), "2");
    assert_eq!(
        attribute(&li(2), "aria-level"),
        "2",
        "its reply keeps its level"
    );
    assert_eq!(attribute(&li(2), "data-depth"), "1");
    let label = attribute(&format!("{tombstone} > article"), "aria-labelledby");
    assert_eq!(text(&host, &format!("#{label}")), DELETED);
    assert!(find(&host, &format!("{} button.reply", li(2))).is_some());
    assert_eq!(text(&host, "h2.count"), "3 comments");
    finish(host);
}

#[wasm_bindgen_test]
async fn a_live_deletion_removes_a_comment_or_leaves_a_tombstone_over_its_replies() {
    serve(
        "deletions",
        vec![
            comment_json(1, None, "Ann", "Has a reply", 0),
            comment_json(2, Some(1), "Ben", "The reply", 1),
            comment_json(3, None, "Cat", "Alone", 2),
        ],
    );
    let host = mount_widget("deletions");
    loaded(&host).await;
    until("the event stream to open", || live_streams().len() == 1).await;

    live_send(1, &event_json("deleted", tombstone_json(3, None, 2)));
    until("the lone comment to go", || find(&host, &li(3)).is_none()).await;
    assert_eq!(shown_ids(&host), vec!["1", "2"]);
    assert_eq!(text(&host, "h2.count"), "2 comments");

    // A comment this page never showed stays unshown.
    live_send(2, &event_json("deleted", tombstone_json(99, None, 5)));
    live_send(3, &event_json("deleted", tombstone_json(1, None, 0)));
    until("the tombstone", || {
        find(&host, &format!("{} p.deleted", li(1))).is_some()
    })
    .await;
    assert_eq!(shown_ids(&host), vec!["1", "2"]);
    assert!(find(&host, &format!("{} .author", li(1))).is_none());
    assert_eq!(text(&host, &format!("{} .body", li(2))), "The reply");
    assert_eq!(
        text(&host, "h2.count"),
        "1 comment",
        "a tombstone is not counted"
    );
    assert_eq!(announced(&host), "", "deletions are no news");
    finish(host);
}

/// The badges, the tombstone and the closed notice keep WCAG AA (4.5:1) in every theme.
#[wasm_bindgen_test]
async fn the_new_words_keep_their_contrast_in_every_theme() {
    for theme in ["light", "dark", "auto", "inherit"] {
        stub_fetch();
        stub_config();
        stub_respond(
            "GET",
            &thread_path("contrast-moderation"),
            200,
            &locked_page_json(
                "contrast-moderation",
                vec![
                    tombstone_json(1, None, 0),
                    with(comment_json(2, Some(1), "Sam", "Owner", 1), "by_owner"),
                    with(comment_json(3, None, "Cat", "Pinned", 2), "pinned"),
                ],
            ),
        );
        remember(&[("contrast-moderation", 4, "token")]);
        stub_respond(
            "GET",
            &comment_path(4),
            200,
            &pending_json(4, None, "Ada", "Mine", 3).to_string(),
        );
        let host = mount_with(&[
            ("thread", "contrast-moderation"),
            ("api", API),
            ("lang", "en"),
            ("theme", theme),
        ]);
        until("the held comment in a closed thread", || {
            find(&host, ".badge.pending").is_some() && find(&host, "p.closed").is_some()
        })
        .await;
        for selector in [
            ".badge.owner",
            ".badge.pinned",
            ".badge.pending",
            "p.deleted",
            "p.status.closed",
        ] {
            let element = find(&host, selector).unwrap_or_else(|| panic!("no {selector}"));
            let ratio = contrast_of(&element);
            assert!(ratio >= 4.5, "{theme}: {selector} has {ratio:.2}:1");
        }
        finish(host);
    }
}
