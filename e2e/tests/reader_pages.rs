//! Big threads in pages and permalinks, in Chromium on a host page of another origin: a
//! 10,000-comment thread opens on its first page and grows with "Show more comments"; a
//! link to a comment on the third page opens with that comment marked and on screen.

use colloquy_e2e::seeding::{import, Imported};
use colloquy_e2e::stage::Stage;

const HOST: &str = "div[data-colloquy]";

/// `conversations` top-level comments, the n-th with `replies(n)` replies under it, oldest
/// first, each body naming its place ("Top 12", "Reply 12.3").
fn conversations(conversations: usize, replies: impl Fn(usize) -> usize) -> Vec<Imported> {
    let mut comments = Vec::new();
    let total: usize = (0..conversations).map(|n| 1 + replies(n)).sum();
    let mut age = total as i64 + 10;
    for n in 0..conversations {
        age -= 1;
        comments.push(Imported {
            key: format!("top-{n}"),
            parent: None,
            author: format!("Reader {}", n % 97),
            email: format!("reader{}@private.example", n % 97),
            body: format!("Top {n}"),
            minutes_ago: age,
        });
        for r in 0..replies(n) {
            age -= 1;
            comments.push(Imported {
                key: format!("reply-{n}-{r}"),
                parent: Some(format!("top-{n}")),
                author: "Replier".into(),
                email: "replier@private.example".into(),
                body: format!("Reply {n}.{r}"),
                minutes_ago: age.max(0),
            });
        }
    }
    comments
}

/// The bodies of the top-level comments shown.
fn tops_shown(stage: &Stage) -> u64 {
    stage
        .in_root(
            HOST,
            "root.querySelectorAll('li.comment[data-depth=\"0\"]').length",
        )
        .as_u64()
        .expect("a number")
}

#[test]
fn a_ten_thousand_comment_thread_opens_on_its_first_page_and_grows_on_request() {
    let stage = Stage::start();
    // 2,500 conversations of four comments (one of them with 40 replies): 10,037 comments.
    let comments = conversations(2_500, |n| if n == 1 { 40 } else { 3 });
    assert_eq!(comments.len(), 10_037);
    import(stage.server.launch().database(), "/big", &comments);

    stage.open(
        "/big",
        "",
        r#"<div data-colloquy data-thread="/big"></div>"#,
        None,
    );
    stage.wait_for_count(HOST, "10,037 comments");
    assert_eq!(
        tops_shown(&stage),
        20,
        "the first page holds 20 conversations"
    );
    // 19 conversations of four, and the long one's first comment and ten replies.
    let shown = stage
        .in_root(HOST, "root.querySelectorAll('li.comment').length")
        .as_u64()
        .unwrap();
    assert_eq!(shown, 19 * 4 + 11);
    let nodes = stage
        .in_root(HOST, "root.querySelectorAll('*').length")
        .as_u64()
        .unwrap();
    println!("first view: {shown} comments, {nodes} elements, for 10,037 comments");
    // The long conversation shows its first ten replies and offers the other thirty.
    let more_replies = stage.in_root(
        HOST,
        "root.querySelector('button.more-replies')?.textContent",
    );
    assert_eq!(more_replies, "Show 30 more replies");
    stage
        .browser
        .click(&stage.in_widget(HOST, "button.more-replies"));
    stage.wait_in_root(
        HOST,
        "all forty replies",
        "[...root.querySelectorAll('li.comment .body')].filter(b => b.textContent.startsWith('Reply 1.')).length === 40",
    );

    stage
        .browser
        .click(&stage.in_widget(HOST, "button.show-more"));
    stage.wait_in_root(
        HOST,
        "the second page",
        "root.querySelectorAll('li.comment[data-depth=\"0\"]').length === 40",
    );
    let order = stage.in_root(
        HOST,
        "[...root.querySelectorAll('li.comment[data-depth=\"0\"] .body')].map(b => b.textContent.trim()).slice(18, 22)",
    );
    assert_eq!(
        order,
        serde_json::json!(["Top 18", "Top 19", "Top 20", "Top 21"])
    );
    // Newest first is the server's order too.
    stage.open(
        "/big-newest",
        "",
        r#"<div data-colloquy data-thread="/big" data-sort="newest"></div>"#,
        None,
    );
    stage.wait_for_count(HOST, "10,037 comments");
    let first = stage.in_root(
        HOST,
        "root.querySelector('li.comment[data-depth=\"0\"] .body').textContent.trim()",
    );
    assert_eq!(first, "Top 2499");
}

#[test]
fn a_permalink_into_the_third_page_opens_with_its_comment_marked_and_in_view() {
    let stage = Stage::start();
    // 70 conversations of two comments: the reply to "Top 50" is on page 3 of 4.
    let comments = conversations(70, |_| 1);
    import(stage.server.launch().database(), "/post", &comments);
    let page = stage
        .server
        .get_json("/api/v1/threads/%2Fpost/comments?limit=200");
    let target = page["comments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["content"].to_string().contains("\"Reply 50.0\""))
        .map(|c| c["id"].as_i64().unwrap())
        .unwrap_or_else(|| panic!("no Reply 50.0 in {page}"));

    let url = stage.site.page(
        "/post",
        stage.host_page(
            "",
            r#"<h1>A post</h1><p style="height:3000px">Long text</p><div data-colloquy data-thread="/post"></div>"#,
        ),
        None,
    );
    stage.browser.goto(&format!("{url}#comment-{target}"));
    let marked = stage.wait_in_root(
        HOST,
        "the linked comment, marked",
        "root.querySelector('li.comment.highlighted')?.dataset.commentId",
    );
    assert_eq!(marked, target.to_string());
    stage.wait_in_root(
        HOST,
        "the linked comment in view",
        "(() => { const r = root.querySelector('li.comment.highlighted').getBoundingClientRect();
                  return r.top >= 0 && r.top < innerHeight; })()",
    );
    // Pages 1 to 3 are shown (60 conversations, 20 a page), and "more" offers the fourth.
    assert_eq!(tops_shown(&stage), 60);
    // In one request: the loader fetched the pages through the comment while the wasm
    // loaded, at the very address the widget asks for, and no first page beside it.
    let asked = stage.browser.execute(
        "return performance.getEntriesByType('resource').map(e => e.name)
           .filter(n => n.includes('/comments?'))",
        serde_json::json!([]),
    );
    assert_eq!(
        asked.as_array().map(Vec::len),
        Some(1),
        "thread requests: {asked}"
    );
    assert!(
        asked[0]
            .as_str()
            .unwrap()
            .ends_with(&format!("&around={target}")),
        "{asked}"
    );
    assert_eq!(
        stage.in_root(HOST, "!!root.querySelector('button.show-more')"),
        true
    );
    // A link to a comment that is not there any more says so and shows the thread.
    stage.browser.goto(&format!("{url}#comment-99999999"));
    stage.browser.refresh();
    stage.wait_in_root(
        HOST,
        "the notice of a missing comment",
        "root.querySelector('.permalink-missing') && root.querySelectorAll('li.comment').length > 0",
    );

    // Copy link: on the clipboard, or, where the browser refuses, shown to copy by hand.
    stage
        .browser
        .click(&stage.in_widget(HOST, "li.comment button.copy-link"));
    let said = stage.wait_in_root(
        HOST,
        "what Copy link did",
        "root.querySelector('li.comment .action-status')?.textContent",
    );
    let said = said.as_str().unwrap();
    assert!(
        said == "Link copied." || (said.contains(&url) && said.contains("#comment-")),
        "{said}"
    );
}
