//! Times, pictures and honest states, in Chromium on a host page of another origin:
//! relative times by the server's clock on a reader's clock an hour wrong, refreshed while
//! the page is open; identicons that follow a person across threads with no request
//! leaving the page's two origins; and a heading that never says "No comments" before the
//! server did.

use colloquy_e2e::catalog::{catalog, words};
use colloquy_e2e::seeding::{import, Imported};
use colloquy_e2e::stage::{js_string, Stage, MAIN_FORM};

const HOST: &str = "div[data-colloquy]";

/// Loaded before the loader: the reader's clock runs an hour fast, plus `window.skew`.
const CLOCK_AN_HOUR_FAST: &str = "<script>
  window.skew = 0;
  const realNow = Date.now;
  Date.now = () => realNow() + 3600000 + window.skew;
</script>";

fn said(author: &str, email: &str, body: &str, key: &str, minutes_ago: i64) -> Imported {
    Imported {
        key: key.into(),
        parent: None,
        author: author.into(),
        email: email.into(),
        body: body.into(),
        minutes_ago,
    }
}

fn time_of(stage: &Stage, host: &str, body: &str) -> serde_json::Value {
    stage.in_root(
        host,
        &format!(
            "(() => {{ const li = [...root.querySelectorAll('li.comment')]
                         .find(li => li.querySelector('.body').textContent.trim() === {});
                      const t = li.querySelector('time');
                      return [t.textContent, t.getAttribute('datetime'), t.getAttribute('title')]; }})()",
            js_string(body)
        ),
    )
}

#[test]
fn relative_times_follow_the_servers_clock_and_move_on() {
    let stage = Stage::start();
    import(
        stage.server.launch().database(),
        "/times",
        &[
            said("Ann", "ann@private.example", "Yesterday's", "y", 26 * 60),
            said("Ben", "ben@private.example", "Five minutes", "f", 5),
            said("Cy", "cy@private.example", "Just now", "n", 0),
        ],
    );
    stage.open(
        "/times",
        CLOCK_AN_HOUR_FAST,
        r#"<div data-colloquy data-thread="/times"></div>"#,
        None,
    );
    stage.wait_for_count(HOST, "3 comments");
    let five = time_of(&stage, HOST, "Five minutes");
    assert_eq!(five[0], "5 minutes ago", "{five}");
    assert!(
        five[1].as_str().unwrap().ends_with('Z'),
        "datetime is kept: {five}"
    );
    assert!(
        five[2].as_str().unwrap().contains(':'),
        "the full time on hover: {five}"
    );
    assert_eq!(time_of(&stage, HOST, "Yesterday's")[0], "yesterday");
    assert_eq!(time_of(&stage, HOST, "Just now")[0], "now");
    // Three minutes pass on the reader's clock: the times move on by themselves.
    stage
        .browser
        .execute("window.skew = 180000;", serde_json::json!([]));
    stage.wait_in_root(
        HOST,
        "the times refreshed",
        "[...root.querySelectorAll('time')].some(t => t.textContent === '8 minutes ago')",
    );
    // In the page's language.
    stage.open_with(
        "/zeiten",
        "lang=\"de\"",
        CLOCK_AN_HOUR_FAST,
        r#"<div data-colloquy data-thread="/times"></div>"#,
    );
    stage.wait_in_root(
        HOST,
        "German relative times",
        "[...root.querySelectorAll('time')].some(t => t.textContent === 'vor 5 Minuten')",
    );
}

#[test]
fn one_person_has_one_picture_on_every_thread_and_nothing_else_is_asked() {
    let stage = Stage::start();
    let database = stage.server.launch().database().to_owned();
    import(
        &database,
        "/one",
        &[
            said("Ann", "ann@private.example", "Ann on one", "a1", 9),
            said("Ben", "ben@private.example", "Ben on one", "b1", 8),
        ],
    );
    import(
        &database,
        "/two",
        &[said("Ann B.", "ANN@private.example", "Ann on two", "a2", 7)],
    );
    stage.open(
        "/pictures",
        "",
        r#"<div id="one" data-colloquy data-thread="/one" data-loading="eager"></div>
           <div id="two" data-colloquy data-thread="/two" data-loading="eager"></div>"#,
        None,
    );
    stage.wait_for_count("#one", "2 comments");
    stage.wait_for_count("#two", "1 comment");
    let picture = |host: &str, body: &str| {
        stage.in_root(
            host,
            &format!(
                "[...root.querySelectorAll('li.comment')].find(li => li.querySelector('.body').textContent.trim() === {})
                   .querySelector('svg.avatar').outerHTML",
                js_string(body)
            ),
        )
    };
    let ann_one = picture("#one", "Ann on one");
    assert!(
        ann_one.as_str().unwrap().contains("<path d=\"M"),
        "{ann_one}"
    );
    assert_eq!(
        ann_one,
        picture("#two", "Ann on two"),
        "one email, one picture"
    );
    assert_ne!(ann_one, picture("#one", "Ben on one"));
    let strangers = stage.browser.execute(
        "return performance.getEntriesByType('resource').map(e => e.name)
           .filter(n => !n.startsWith(location.origin) && !n.startsWith(arguments[0]));",
        serde_json::json!([stage.server.base]),
    );
    assert_eq!(
        strangers,
        serde_json::json!([]),
        "requests beyond the two origins"
    );
}

/// Loaded before the loader: requests for the thread and the configuration wait for
/// `window.answer(true)` (or fail with `window.answer(false)`).
const HELD_ANSWERS: &str = "<script>
  const realFetch = window.fetch;
  const waiting = [];
  window.answer = (ok) => { for (const go of waiting.splice(0)) go(ok); };
  window.fetch = function (input, init) {
    const url = String(input && input.url ? input.url : input);
    if (url.includes('/comments?') || url.endsWith('/config')) {
      const self = this, args = arguments;
      return new Promise((resolve, reject) => waiting.push(ok =>
        ok ? resolve(realFetch.apply(self, args)) : reject(new TypeError('Failed to fetch'))));
    }
    return realFetch.apply(this, arguments);
  };
</script>";

#[test]
fn the_heading_never_says_no_comments_before_the_server_did() {
    let stage = Stage::start();
    let english = catalog("en");
    let heading = words(&english, "widget.heading");
    let body = r#"<div data-colloquy data-thread="/honest" data-loading="eager"></div>"#;
    stage.open("/honest", HELD_ANSWERS, body, None);
    stage.wait_in_root(HOST, "the loading state", "root.querySelector('p.status')");
    assert_eq!(
        stage.in_root(HOST, "root.querySelector('h2.count').textContent"),
        heading
    );
    let waiting = stage.in_root(HOST, "root.querySelector('p.status.waiting')?.textContent");
    assert_eq!(waiting, words(&english, "widget.waiting_for_server"));
    assert_eq!(
        stage.in_root(
            HOST,
            &format!("!!root.querySelector({})", js_string(MAIN_FORM))
        ),
        false,
        "no form before the server's rules are known"
    );
    stage
        .browser
        .execute("window.answer(false);", serde_json::json!([]));
    stage.wait_in_root(HOST, "the failure", "root.querySelector('.status.failed')");
    assert_eq!(
        stage.in_root(HOST, "root.querySelector('h2.count').textContent"),
        heading
    );
    // Try again, answered this time: now the server has said there are none.
    stage.in_root(HOST, "root.querySelector('button.retry').click()");
    stage.browser.wait_for(
        "the retried requests",
        "(window.answer(true), true) && document.querySelector('[data-colloquy]').shadowRoot.querySelector('h2.count').textContent === 'No comments'",
        colloquy_e2e::stage::WAIT,
    );
    stage.in_widget(HOST, MAIN_FORM);
}
