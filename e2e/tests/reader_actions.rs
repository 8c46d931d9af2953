//! What a reader does to comments, in Chromium on a host page of another origin: likes
//! (one per reader, toggled, never on their own comment), editing and deleting their own
//! comment within the site's window (with and without replies, and after it closed), and
//! collapsing a conversation by keyboard. A failure says so in words and changes nothing.

use colloquy_e2e::catalog::{catalog, words};
use colloquy_e2e::seeding::{post, Post};
use colloquy_e2e::stage::{js_string, Stage, MAIN_FORM};
use colloquy_e2e::webdriver::Key;

const HOST: &str = "div[data-colloquy]";

/// Loaded before the widget: while `window.failLikes` is set, likes fail as a lost
/// connection would.
const FLAKY_LIKES: &str = "<script>
  const realFetch = window.fetch;
  window.fetch = function (input, init) {
    const url = String(input && input.url ? input.url : input);
    if (window.failLikes && url.endsWith('/like')) {
      return Promise.reject(new TypeError('Failed to fetch'));
    }
    return realFetch.apply(this, arguments);
  };
</script>";

/// The `li` of the comment whose body reads `body`, as a JS expression.
fn item(body: &str) -> String {
    format!(
        "[...root.querySelectorAll('li.comment')].find(li => li.querySelector('.body')?.textContent.trim() === {})",
        js_string(body)
    )
}

fn like_state(stage: &Stage, body: &str) -> (String, String) {
    let state = stage.in_root(
        HOST,
        &format!(
            "(() => {{ const b = {}.querySelector('button.like');
                      return [b.getAttribute('aria-pressed'), b.querySelector('.like-count').textContent]; }})()",
            item(body)
        ),
    );
    (
        state[0].as_str().unwrap().to_owned(),
        state[1].as_str().unwrap().to_owned(),
    )
}

/// Posts another comment through the main form, which remembers the name and email.
fn post_again(stage: &Stage, body: &str) {
    let area = stage.in_widget(HOST, &format!("{MAIN_FORM} textarea[name=body]"));
    stage.browser.type_text(&area, body);
    stage.submit(HOST, MAIN_FORM);
}

fn click_in(stage: &Stage, body: &str, button: &str) {
    stage.in_root(
        HOST,
        &format!(
            "{}.querySelector({}).click()",
            item(body),
            js_string(button)
        ),
    );
}

#[test]
fn likes_toggle_once_per_reader_and_never_on_ones_own_comment() {
    let stage = Stage::start();
    let english = catalog("en");
    post(&stage.server, "/likes", &Post::new("Ann", "Worth a like"));
    stage.open(
        "/likes",
        FLAKY_LIKES,
        r#"<div data-colloquy data-thread="/likes"></div>"#,
        None,
    );
    stage.wait_for_count(HOST, "1 comment");
    assert_eq!(
        like_state(&stage, "Worth a like"),
        ("false".into(), "0".into())
    );

    click_in(&stage, "Worth a like", "button.like");
    stage.wait_in_root(
        HOST,
        "the like counted",
        &format!(
            "{}.querySelector('button.like').getAttribute('aria-pressed') === 'true'",
            item("Worth a like")
        ),
    );
    assert_eq!(like_state(&stage, "Worth a like").1, "1");
    // The server counted it, and the reader's browser remembers it across a reload.
    stage.browser.refresh();
    stage.wait_for_count(HOST, "1 comment");
    assert_eq!(
        like_state(&stage, "Worth a like"),
        ("true".into(), "1".into())
    );

    // A failed unlike says so and changes nothing.
    stage
        .browser
        .execute("window.failLikes = true;", serde_json::json!([]));
    click_in(&stage, "Worth a like", "button.like");
    let said = stage.wait_in_root(
        HOST,
        "the failed like, in words",
        &format!(
            "{}.querySelector('.action-status')?.textContent",
            item("Worth a like")
        ),
    );
    assert_eq!(said, words(&english, "widget.like_failed"));
    assert_eq!(
        like_state(&stage, "Worth a like"),
        ("true".into(), "1".into())
    );
    stage
        .browser
        .execute("window.failLikes = false;", serde_json::json!([]));
    click_in(&stage, "Worth a like", "button.like");
    stage.wait_in_root(
        HOST,
        "the like taken back",
        &format!(
            "{}.querySelector('.like-count').textContent === '0'",
            item("Worth a like")
        ),
    );
    assert_eq!(like_state(&stage, "Worth a like").0, "false");

    // The reader's own comment: the server refuses, in words, and the count stays.
    stage.post_through(HOST, "Reader", "My own words");
    stage.wait_for_count(HOST, "2 comments");
    click_in(&stage, "My own words", "button.like");
    let refused = stage.wait_in_root(
        HOST,
        "the refusal of a like on one's own comment",
        &format!(
            "{}.querySelector('.action-status')?.textContent",
            item("My own words")
        ),
    );
    assert_eq!(refused, words(&english, "api.own_like"));
    assert_eq!(
        like_state(&stage, "My own words"),
        ("false".into(), "0".into())
    );
}

#[test]
fn authors_edit_and_delete_their_comments_and_the_window_closes() {
    let stage = Stage::start_with(&["--edit-window", "15s"]);
    let english = catalog("en");
    stage.open(
        "/mine",
        "",
        r#"<div data-colloquy data-thread="/mine"></div>"#,
        None,
    );
    stage.wait_for_count(HOST, "No comments");
    stage.post_through(HOST, "Reader", "Frist post");
    stage.wait_for_count(HOST, "1 comment");
    let left = stage.wait_in_root(
        HOST,
        "the countdown",
        &format!(
            "{}.querySelector('.time-left')?.textContent",
            item("Frist post")
        ),
    );
    assert!(
        left.as_str().unwrap().ends_with("left to edit or delete"),
        "{left}"
    );

    // Edit: the source comes back into a box, and the comment says "edited".
    click_in(&stage, "Frist post", "button.edit");
    // The box comes once the server has sent the source back: wait for it, then take it.
    stage.wait_in_root(
        HOST,
        "the source to edit",
        "root.querySelector('textarea.edit-body')?.value === 'Frist post'",
    );
    let area = stage.in_widget(HOST, "textarea.edit-body");
    stage.in_root(HOST, "root.querySelector('textarea.edit-body').value = ''");
    stage.browser.type_text(&area, "First post, **fixed**");
    stage.in_root(HOST, "root.querySelector('.edit-form button.save').click()");
    stage.wait_in_root(
        HOST,
        "the edited comment",
        &format!(
            "{}?.querySelector('.edited')?.textContent === {}",
            item("First post, fixed"),
            js_string(&words(&english, "widget.edited"))
        ),
    );

    // Delete with a reply under it: a tombstone keeps the reply's place.
    post_again(&stage, "Answer me");
    stage.wait_for_count(HOST, "2 comments");
    let answered = stage.in_root(
        HOST,
        &format!("Number({}.dataset.commentId)", item("Answer me")),
    );
    post(
        &stage.server,
        "/mine",
        &Post::new("Ben", "An answer").reply_to(answered.as_i64().unwrap()),
    );
    stage.wait_for_count(HOST, "3 comments");
    click_in(&stage, "Answer me", "button.delete");
    stage.in_root(
        HOST,
        "root.querySelector('.confirm button.delete-yes').click()",
    );
    stage.wait_in_root(
        HOST,
        "the tombstone",
        &format!(
            "root.querySelector('li.tombstone .deleted')?.textContent === {} && !!{}",
            js_string(&words(&english, "widget.deleted")),
            item("An answer")
        ),
    );
    // Delete without replies: gone.
    click_in(&stage, "First post, fixed", "button.delete");
    stage.in_root(
        HOST,
        "root.querySelector('.confirm button.delete-yes').click()",
    );
    stage.wait_in_root(
        HOST,
        "the comment gone",
        &format!("!{}", item("First post, fixed")),
    );
    stage.wait_for_count(HOST, "1 comment");

    // The window closes while the author edits: the server's refusal is said in words,
    // the text stays, and the buttons are gone.
    post_again(&stage, "Too slow");
    stage.wait_in_root(
        HOST,
        "the new comment",
        &format!("!!{}?.querySelector('button.edit')", item("Too slow")),
    );
    click_in(&stage, "Too slow", "button.edit");
    stage.wait_in_root(
        HOST,
        "the source to edit",
        "root.querySelector('textarea.edit-body')?.value === 'Too slow'",
    );
    let area = stage.in_widget(HOST, "textarea.edit-body");
    stage.browser.type_text(&area, " but changed");
    // `datetime` has whole seconds: two more make sure the window has passed.
    stage.wait_in_root(
        HOST,
        "the edit window to close",
        "Date.now() - Date.parse(root.querySelector('textarea.edit-body').closest('li')
           .querySelector('time').getAttribute('datetime')) > 17000",
    );
    stage.in_root(HOST, "root.querySelector('.edit-form button.save').click()");
    let said = stage.wait_in_root(
        HOST,
        "the refusal after the window",
        "[...root.querySelectorAll('.action-status')].map(p => p.textContent).join(' ')",
    );
    assert!(said.as_str().unwrap().contains("edit window"), "{said}");
    assert_eq!(
        stage.in_root(HOST, "root.querySelector('textarea.edit-body').value"),
        "Too slow but changed"
    );
    stage.in_root(
        HOST,
        "root.querySelector('.edit-form button.cancel').click()",
    );
    stage.wait_in_root(
        HOST,
        "the buttons gone",
        &format!("!{}.querySelector('button.edit')", item("Too slow")),
    );
}

#[test]
fn a_conversation_collapses_and_expands_by_keyboard() {
    let stage = Stage::start();
    let first = post(&stage.server, "/fold", &Post::new("Ann", "Opening"));
    for n in 0..3 {
        post(
            &stage.server,
            "/fold",
            &Post::new("Ben", &format!("Reply {n}")).reply_to(first),
        );
    }
    post(
        &stage.server,
        "/fold",
        &Post::new("Cy", "Another conversation"),
    );
    stage.open(
        "/fold",
        "",
        r#"<div data-colloquy data-thread="/fold"></div>"#,
        None,
    );
    stage.wait_for_count(HOST, "5 comments");
    let toggle = stage.in_widget(HOST, "button.toggle");
    assert_eq!(stage.browser.text(&toggle), "Hide 3 replies");
    stage.in_root(HOST, "root.querySelector('button.toggle').focus()");
    stage.browser.press(Key::Enter);
    stage.wait_in_root(
        HOST,
        "the replies hidden",
        "root.querySelectorAll('li.comment').length === 2",
    );
    assert_eq!(
        stage.in_root(
            HOST,
            "root.querySelector('button.toggle').getAttribute('aria-expanded')"
        ),
        "false"
    );
    assert_eq!(
        stage.browser.text(&stage.in_widget(HOST, "button.toggle")),
        "Show 3 replies"
    );
    // The focus stayed on the button: Space opens it again.
    stage.browser.press(' ');
    stage.wait_in_root(
        HOST,
        "the replies shown",
        "root.querySelectorAll('li.comment').length === 5",
    );
}
