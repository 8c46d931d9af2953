//! Live updates across servers (issue 9): two server processes on one PostgreSQL database,
//! two browsers, each page's widget pointed at its own server. A comment posted through the
//! form in one browser shows up in the other without a reload within a second; a reader
//! whose tab was hidden, or whose server restarted, catches up on everything that happened
//! meanwhile, and nothing is ever shown twice.

use std::time::{Duration, Instant};

use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::loopback::free_port;
use colloquy_e2e::postgres::Database;
use colloquy_e2e::probes::{A_STREAM_IS_OPEN, EVERY_STREAM_IS_CLOSED, PROBES};
use colloquy_e2e::server::{Launch, Server};
use colloquy_e2e::stage::{js_string, Reader, WAIT};
use colloquy_e2e::webdriver::Browser;
use serde_json::json;

const HOST: &str = "[data-colloquy]";
const THREAD: &str = "live";
/// The longest a comment may take from one reader's successful post to another reader's
/// screen, through two servers and the database between them.
const LIVE_WITHIN_MS: i64 = 1_000;
/// How long a reader's browser may take to reconnect to a restarted server and catch up
/// (it retries every 3 seconds).
const RECONNECT_WITHIN: Duration = Duration::from_secs(15);

/// A host page whose widget talks to `server`, with the probes in its head.
fn page(server: &Server) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Live</title>{PROBES}</head>\
         <body><h1>Following the thread</h1>\
         <div data-colloquy data-thread=\"{THREAD}\" data-api=\"{base}\"></div>\
         <script src=\"{base}/embed.js\" async></script></body></html>",
        base = server.base
    )
}

/// Makes the page in `browser` hidden or visible, as switching tabs does.
fn set_visible(browser: &Browser, visible: bool) {
    browser.execute(
        "const visible = arguments[0];
         Object.defineProperty(document, 'visibilityState', {
           configurable: true, get: () => (visible ? 'visible' : 'hidden') });
         Object.defineProperty(document, 'hidden', { configurable: true, get: () => !visible });
         document.dispatchEvent(new Event('visibilitychange'));",
        json!([visible]),
    );
}

/// Waits until the widget in `browser` shows every one of `bodies`; panics after `timeout`.
fn wait_for_bodies(browser: &Browser, bodies: &[String], timeout: Duration, what: &str) {
    let condition = format!(
        "(() => {{ const root = document.querySelector({host})?.shadowRoot;
                   if (!root) return false;
                   const shown = [...root.querySelectorAll('li.comment .body')].map(b => b.textContent.trim());
                   return {bodies}.every(body => shown.includes(body)); }})()",
        host = js_string(HOST),
        bodies = json!(bodies),
    );
    browser.wait_for(what, &condition, timeout);
}

/// Checks that the widget in `browser` shows each of `bodies` exactly once, and nothing
/// else.
fn assert_each_once(browser: &Browser, bodies: &[String], whose: &str) {
    let reader = Reader(browser);
    for body in bodies {
        assert_eq!(
            reader.copies_of(HOST, body),
            1,
            "{whose} shows {body:?} exactly once"
        );
    }
    let shown = reader.in_root(HOST, "root.querySelectorAll('li.comment').length");
    assert_eq!(
        shown,
        bodies.len(),
        "{whose} shows {} comments",
        bodies.len()
    );
}

#[test]
fn two_servers_on_one_database_keep_two_readers_up_to_date() {
    let database = Database::create("live");
    let site = HostSite::start();
    let serve = |launch: Launch| {
        launch
            .seed_demo(false)
            .args(&["--allowed-origin", &site.origin])
            .start()
    };
    let server_a = serve(Launch::new(&database.url));
    // B gets a port of its own choosing, so it can come back on it.
    let address_b = format!("127.0.0.1:{}", free_port());
    let server_b = serve(Launch::new(&database.url).listen(&address_b));
    assert_eq!(server_b.base, format!("http://{address_b}"));

    let mut bodies = vec!["Before anyone came.".to_owned()];
    server_a.post(THREAD, "Ann", &bodies[0]);
    let browser_a = Browser::start();
    let browser_b = Browser::start();
    browser_a.goto(&site.page("/a", page(&server_a), None));
    browser_b.goto(&site.page("/b", page(&server_b), None));
    for browser in [&browser_a, &browser_b] {
        Reader(browser).wait_for_count(HOST, "1 comment");
    }
    browser_b.wait_for("B's event stream to open", A_STREAM_IS_OPEN, WAIT);

    // A posts through the form; B sees it without a reload.
    let live = "Hello from the other server.".to_owned();
    browser_b.execute(
        "window.__colloquyWatch(arguments[0], arguments[1]);",
        json!([HOST, live]),
    );
    Reader(&browser_a).post_through(HOST, "Bea", &live);
    bodies.push(live.clone());
    let posted_at = browser_a
        .wait_for(
            "A's post to be answered 201",
            "window.__colloquyPosted[0]",
            WAIT,
        )
        .as_i64()
        .expect("a time");
    let seen_at = browser_b
        .wait_for(
            "the comment in B",
            &format!("window.__colloquySeen[{}]", js_string(&live)),
            WAIT,
        )
        .as_i64()
        .expect("a time");
    let latency = seen_at - posted_at;
    println!("live: A's post was on B's screen {latency} ms after A's server answered 201");
    assert!(
        latency <= LIVE_WITHIN_MS,
        "B saw A's comment {latency} ms after it was posted (at most {LIVE_WITHIN_MS} ms)"
    );

    // B's tab is hidden: no stream; three comments come through A meanwhile; B's tab is
    // shown again and catches up.
    set_visible(&browser_b, false);
    browser_b.wait_for(
        "B's event stream to close while its tab is hidden",
        EVERY_STREAM_IS_CLOSED,
        WAIT,
    );
    let while_hidden: Vec<String> = (1..=3)
        .map(|n| format!("Posted while B's tab was hidden, number {n}."))
        .collect();
    for body in &while_hidden {
        server_a.post(THREAD, "Cat", body);
    }
    bodies.extend(while_hidden.iter().cloned());
    let shown = Instant::now();
    set_visible(&browser_b, true);
    wait_for_bodies(
        &browser_b,
        &while_hidden,
        RECONNECT_WITHIN,
        "the comments posted while B was hidden",
    );
    let caught_up = shown.elapsed();
    assert_each_once(&browser_b, &bodies, "B, back on its tab,");

    // B's server goes away and comes back on the same port while B's page stays open; two
    // comments come through A while it is down.
    let launch_b = server_b.launch().clone();
    let stopped = Instant::now();
    server_b.stop();
    let while_down: Vec<String> = (1..=2)
        .map(|n| format!("Posted while B's server was down, number {n}."))
        .collect();
    for body in &while_down {
        server_a.post(THREAD, "Dan", body);
    }
    bodies.extend(while_down.iter().cloned());
    let server_b = launch_b.start();
    assert_eq!(
        server_b.base,
        format!("http://{address_b}"),
        "the same port"
    );
    let restarted = Instant::now();
    wait_for_bodies(
        &browser_b,
        &while_down,
        RECONNECT_WITHIN,
        "the comments posted while B's server was down",
    );
    let reconnected = restarted.elapsed();

    // Every comment exactly once, on both screens, as the servers have them.
    assert_each_once(&browser_b, &bodies, "B");
    let count = format!("{} comments", bodies.len());
    Reader(&browser_b).wait_for_count(HOST, &count);
    wait_for_bodies(&browser_a, &bodies, WAIT, "every comment in A");
    assert_each_once(&browser_a, &bodies, "A");
    for server in [&server_a, &server_b] {
        let path = format!("/api/v1/threads/{THREAD}/comments");
        assert_eq!(server.get_json(&path)["total"], bodies.len());
    }
    // A reader on A likes the first comment; B's screen shows its count without a reload.
    Reader(&browser_a).in_root(HOST, "root.querySelector('li.comment button.like').click()");
    Reader(&browser_b).wait_in_root(
        HOST,
        "A's like counted on B's screen",
        "root.querySelector('li.comment .like-count')?.textContent === '1'",
    );
    println!(
        "live: B caught up {:.0} ms after its tab was shown again, and {:.0} ms after its server came back ({:.1} s after it was stopped); {} comments, each shown once in both browsers",
        caught_up.as_secs_f64() * 1000.0,
        reconnected.as_secs_f64() * 1000.0,
        stopped.elapsed().as_secs_f64(),
        bodies.len()
    );
}
