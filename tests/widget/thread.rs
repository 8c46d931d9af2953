use wasm_bindgen_test::*;

use colloquy::state::FIRST_PAINT;

use crate::harness::*;

#[wasm_bindgen_test]
async fn renders_the_nested_thread_with_its_count() {
    let host = start(
        "nested",
        vec![
            comment_json(
                1,
                None,
                "Ann",
                "First <script>window.__pwned = 1</script>",
                0,
            ),
            comment_json(2, None, "Ben", "Second", 1),
            comment_json(3, Some(1), "Cat", "Reply to *Ann*", 2),
            comment_json(4, Some(3), "Dan", "[deeper](https://example.org)", 3),
        ],
    );
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "4 comments");
    let order: Vec<(String, String)> = find_all(&host, "li.comment")
        .iter()
        .map(|li| {
            (
                li.get_attribute("data-comment-id").unwrap(),
                li.get_attribute("data-depth").unwrap(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [("1", "0"), ("3", "1"), ("4", "2"), ("2", "0")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(order, expected);
    let class = find(&host, "li[data-comment-id='3']")
        .unwrap()
        .get_attribute("class");
    assert!(class.unwrap_or_default().split(' ').any(|c| c == "depth-1"));
    // Raw HTML is text, never an element.
    assert!(find(&host, "script").is_none());
    assert!(text(&host, "li[data-comment-id='1'] .body").contains("<script>"));
    assert_eq!(text(&host, "li[data-comment-id='3'] .body em"), "Ann");
    let link = find(&host, "li[data-comment-id='4'] .body a").unwrap();
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://example.org")
    );
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("nofollow ugc noopener noreferrer")
    );
    let time = find(&host, "li[data-comment-id='1'] time").unwrap();
    assert_eq!(
        time.get_attribute("datetime").as_deref(),
        Some("2026-11-25T10:00:00Z")
    );
    assert!(!time.text_content().unwrap_or_default().is_empty());
    finish(host);
}

#[wasm_bindgen_test]
async fn count_has_singular_and_empty_forms() {
    let host = start("single", vec![comment_json(1, None, "Ann", "Only one", 0)]);
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "1 comment");
    finish(host);

    let host = start("empty", vec![]);
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "No comments");
    assert!(text(&host, "p.status.empty").contains("Be the first to comment"));
    finish(host);
}

#[wasm_bindgen_test]
async fn a_failed_load_says_so_and_retries() {
    stub_fetch();
    stub_config();
    stub_respond("GET", &thread_path("flaky"), 503, "{}");
    stub_respond(
        "GET",
        &thread_path("flaky"),
        200,
        &page_json("flaky", vec![comment_json(1, None, "Ann", "Back again", 0)]),
    );
    let host = mount_widget("flaky");
    until("the error", || find(&host, ".status.failed").is_some()).await;
    assert!(text(&host, ".status.failed").contains("could not be loaded"));
    click(&host, ".status.failed button.retry");
    until("the thread after retrying", || {
        find(&host, "li.comment").is_some()
    })
    .await;
    assert_eq!(text(&host, "h2.count"), "1 comment");
    finish(host);
}

/// A proxy that decodes `%2F` makes the server answer for another thread: the widget says
/// the thread could not be loaded instead of waiting for it forever.
#[wasm_bindgen_test]
async fn a_page_of_another_thread_is_a_failed_load() {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path("asked-for"),
        200,
        &page_json(
            "answered",
            vec![comment_json(1, None, "Ann", "Elsewhere", 0)],
        ),
    );
    let host = mount_widget("asked-for");
    until("the error", || find(&host, ".status.failed").is_some()).await;
    assert!(text(&host, ".status.failed").contains("could not be loaded"));
    assert!(
        find(&host, "li.comment").is_none(),
        "the other thread is not shown"
    );
    finish(host);
}

#[wasm_bindgen_test]
async fn a_refused_origin_is_told_in_words() {
    stub_fetch();
    stub_config();
    stub_respond(
        "GET",
        &thread_path("refused"),
        403,
        r#"{"message":"This site (http://evil.test) is not allowed to use this comment server."}"#,
    );
    let host = mount_widget("refused");
    until("the refusal", || find(&host, ".status.failed").is_some()).await;
    assert!(text(&host, ".status.failed")
        .contains("This site is not allowed to use this comment server."));
    finish(host);
}

#[wasm_bindgen_test]
async fn a_reply_opens_under_its_comment_and_appears_there() {
    let host = start(
        "replies",
        vec![
            comment_json(1, None, "Ann", "Top", 0),
            comment_json(2, Some(1), "Ben", "Nested", 1),
            comment_json(3, None, "Cat", "Later top", 2),
        ],
    );
    loaded(&host).await;
    click(&host, "li[data-comment-id='2'] button.reply");
    until("the reply form", || {
        find(&host, "li[data-comment-id='2'] form.reply-form").is_some()
    })
    .await;
    // Cancel closes it and brings the Reply button back.
    click(
        &host,
        "li[data-comment-id='2'] form.reply-form button.cancel",
    );
    until("the reply form to close", || {
        find(&host, "li[data-comment-id='2'] form.reply-form").is_none()
    })
    .await;
    click(&host, "li[data-comment-id='2'] button.reply");
    until("the reply form again", || {
        find(&host, "li[data-comment-id='2'] form.reply-form").is_some()
    })
    .await;

    stub_respond(
        "POST",
        &thread_path("replies"),
        201,
        &created_json(comment_json(4, Some(2), "Ada", "Deep reply", 5)),
    );
    fill_valid(&host, "li[data-comment-id='2'] form.reply-form");
    click(
        &host,
        "li[data-comment-id='2'] form.reply-form button.submit",
    );
    until("the reply", || {
        find(&host, "li[data-comment-id='4']").is_some()
    })
    .await;
    let sent: serde_json::Value = serde_json::from_str(&stub_bodies("POST")[0]).unwrap();
    assert_eq!(sent["parent_id"], 2);
    assert_eq!(shown_ids(&host), vec!["1", "2", "4", "3"]);
    let reply = find(&host, "li[data-comment-id='4']").unwrap();
    assert_eq!(reply.get_attribute("data-depth").as_deref(), Some("2"));
    assert!(
        find(&host, "form.reply-form").is_none(),
        "the reply form closes"
    );
    assert_eq!(text(&host, "h2.count"), "4 comments");
    finish(host);
}

#[wasm_bindgen_test]
async fn content_a_widget_does_not_know_shows_as_text_and_an_old_server_as_plain_text() {
    let newer = serde_json::json!({
        "id": 1, "parent_id": null, "author": "Ann", "website": null,
        "created_at": "2026-11-25T10:00:00Z",
        "content": [["p", "A table: ", ["table", ["tr", ["td", "cell"], ["td", ["em", "more"]]]]],
                    ["a", "javascript:alert(1)", "not a link"], 7, {"x": 1}],
    });
    let older = serde_json::json!({
        "id": 2, "parent_id": null, "author": "Ben", "website": null,
        "created_at": "2026-11-25T10:01:00Z", "body": "**source**\n<b>as typed</b>",
    });
    let host = start("formats", vec![newer, older]);
    loaded(&host).await;
    assert_eq!(text(&host, "h2.count"), "2 comments");
    assert_eq!(
        text(&host, "li[data-comment-id='1'] .body"),
        "A table: cellmorenot a link"
    );
    for tag in ["table", "td", "em", "a"] {
        assert!(
            find(&host, &format!("li[data-comment-id='1'] .body {tag}")).is_none(),
            "{tag}"
        );
    }
    assert_eq!(
        text(&host, "li[data-comment-id='2'] .body .plain"),
        "**source**\n<b>as typed</b>"
    );
    assert!(find(&host, "li[data-comment-id='2'] .body b").is_none());
    finish(host);
}

/// A page that arrives is drawn in two frames: its first comments (`FIRST_PAINT`; the
/// heading still says only "Comments", the thread busy), then, once the browser has
/// painted them, the rest with the count. A page no longer than that is drawn at once.
#[wasm_bindgen_test]
async fn a_long_page_is_first_painted_in_part() {
    let noted = drawn_on_arrival("first-paint", 30).await;
    let drawn: Vec<usize> = noted.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(drawn, [0, FIRST_PAINT, 30], "{noted:?}");
    assert_eq!(noted[1].1, "Comments");
    assert_eq!(noted[1].2, "true", "busy while in part");
    assert_eq!(noted[2].1, "30 comments");
    assert_eq!(noted[2].2, "", "not busy once whole");

    let noted = drawn_on_arrival("short", FIRST_PAINT).await;
    assert!(
        noted.iter().all(|(n, _, _)| *n == 0 || *n == FIRST_PAINT),
        "{noted:?}"
    );
    assert_eq!(noted.last().unwrap().1, format!("{FIRST_PAINT} comments"));
}

/// Mounts a thread of `count` top-level comments and notes, until every one is drawn,
/// each change in how many are: `[(drawn, heading, aria-busy), …]`.
async fn drawn_on_arrival(thread: &str, count: usize) -> Vec<(usize, String, String)> {
    let comments = (1..=count as i64)
        .map(|id| comment_json(id, None, "Ann", &format!("Comment {id}"), id as u32))
        .collect();
    serve(thread, comments);
    let host = mount_with(&[("thread", thread), ("api", API)]);
    watch_drawing(&host);
    until("every comment", || {
        find_all(&host, "li.comment").len() == count
    })
    .await;
    let noted = serde_json::from_str(&drawing(&host)).unwrap();
    finish(host);
    noted
}
