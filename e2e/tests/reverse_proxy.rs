//! Behind a reverse proxy, under a path: a real nginx serves a site's pages and, under
//! `/comments/`, the comment server, configured with the README's own nginx block. The
//! loader comes from `/comments/embed.js` and finds the API beside itself; a `data-api`
//! that names the API's own path works too; one that names nothing says which URL it
//! tried; and live updates pass through the proxy unbuffered.

use std::path::Path;
use std::time::{Duration, Instant};

use colloquy_e2e::nginx::{readme_block, Nginx};
use colloquy_e2e::probes::{A_STREAM_IS_OPEN, PROBES};
use colloquy_e2e::server::Server;
use colloquy_e2e::stage::{js_string, Reader, WAIT};
use colloquy_e2e::webdriver::Browser;
use serde_json::json;

const HOST: &str = "[data-colloquy]";
const THREAD: &str = "/proxied";
/// Through the proxy, a comment posted elsewhere must reach an open page about as fast as
/// without it; a buffering proxy would hold it until its buffer filled (never, here).
const LIVE_WITHIN: Duration = Duration::from_secs(5);

/// A page of the site, with the loader from the proxied server and `attributes` on the
/// mount element.
fn write_page(site: &Path, name: &str, attributes: &str) {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Proxied</title>{PROBES}</head>\
         <body><h1>A post on a site behind nginx</h1>\
         <div data-colloquy data-thread=\"{THREAD}\"{attributes}></div>\
         <script src=\"/comments/embed.js\" async></script></body></html>"
    );
    std::fs::write(site.join(name), html).expect("write a page of the site");
}

/// Every resource the page fetched whose URL contains `/api/v1/`.
fn api_requests(browser: &Browser) -> Vec<String> {
    let names = browser.execute(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/v1/'));",
        json!([]),
    );
    names
        .as_array()
        .expect("a list of URLs")
        .iter()
        .map(|name| name.as_str().expect("a URL").to_owned())
        .collect()
}

#[test]
fn the_widget_works_behind_nginx_under_a_path() {
    let folder = tempfile::tempdir().expect("a scratch folder");
    let (proxy_folder, site) = (folder.path().join("nginx"), folder.path().join("site"));
    for made in [&proxy_folder, &site] {
        std::fs::create_dir(made).expect("a folder for nginx");
    }
    let server = Server::start(
        &folder.path().join("proxied.db"),
        &["--trusted-proxy", "127.0.0.1"],
    );
    let upstream = server.base.trim_start_matches("http://");
    let block = readme_block();
    assert!(
        block.contains("127.0.0.1:8080"),
        "the README's block proxies to 127.0.0.1:8080:\n{block}"
    );
    let nginx = Nginx::start(
        &proxy_folder,
        &site,
        &block.replace("127.0.0.1:8080", upstream),
    );
    let origin = nginx.origin.clone();
    write_page(&site, "index.html", "");
    write_page(
        &site,
        "mistake.html",
        &format!(" data-api=\"{origin}/comments/api/v1\""),
    );
    write_page(
        &site,
        "wrong.html",
        &format!(" data-api=\"{origin}/nothing-here\""),
    );

    server.post(THREAD, "Ann", "Seeded behind the proxy.");

    // First by hand what the page will do, so that a failure names the part of the proxy
    // that is wrong: the thread key arrives as the browser encoded it (`%2F`), and a
    // request from the site's own pages is recognised as coming from the server's own
    // origin (by the Host header the proxy passes on).
    let asked = ureq::get(&nginx.url("/comments/api/v1/threads/%2Fproxied/comments"))
        .set("Origin", &origin)
        .call();
    let page: serde_json::Value = match asked {
        Ok(answer) => answer.into_json().expect("a JSON thread"),
        Err(ureq::Error::Status(status, answer)) => panic!(
            "through nginx, a request from the site's own page was answered {status}: {} \
             (does the proxy pass the Host header with its port?)",
            answer.into_string().unwrap_or_default()
        ),
        Err(error) => panic!("no answer through nginx: {error}"),
    };
    assert_eq!(
        page["thread"], THREAD,
        "the server got the thread key as the browser sent it (%2F), not decoded by nginx"
    );

    let browser = Browser::start();
    let reader = Reader(&browser);

    // The snippet as the README gives it: the API is found under the loader's own path.
    browser.goto(&nginx.url("/"));
    reader.wait_for_count(HOST, "1 comment");
    let posted = "Posted through nginx.";
    reader.post_through(HOST, "Bea", posted);
    reader.wait_for_count(HOST, "2 comments");
    assert_eq!(reader.copies_of(HOST, posted), 1);
    let requests = api_requests(&browser);
    let through_proxy = format!("{origin}/comments/api/v1/");
    assert!(
        !requests.is_empty() && requests.iter().all(|url| url.starts_with(&through_proxy)),
        "every API request went through nginx under /comments/: {requests:?}"
    );
    assert!(
        requests
            .iter()
            .any(|url| url.contains("/threads/%2Fproxied/comments")),
        "the thread was read and posted to through nginx: {requests:?}"
    );

    // Live: a comment posted through nginx by someone else reaches the open page.
    browser.wait_for("the page's event stream to open", A_STREAM_IS_OPEN, WAIT);
    let stream = browser.execute("return window.__colloquyStreams[0].url;", json!([]));
    assert!(
        stream
            .as_str()
            .is_some_and(|url| url.starts_with(&through_proxy)),
        "the event stream goes through nginx: {stream}"
    );
    let live = "Posted over HTTP while the page was open.";
    browser.execute(
        "window.__colloquyWatch(arguments[0], arguments[1]);",
        json!([HOST, live]),
    );
    let sent = Instant::now();
    let answer = ureq::post(&nginx.url("/comments/api/v1/threads/%2Fproxied/comments"))
        .send_json(json!({
            "name": "Cat", "email": "cat@private.example", "body": live,
            "idempotency_key": "through-nginx-1",
        }))
        .expect("POST through nginx");
    assert_eq!(answer.status(), 201);
    browser.wait_for(
        "the comment posted through nginx to appear live",
        &format!("window.__colloquySeen[{}]", js_string(live)),
        LIVE_WITHIN,
    );
    let live_after = sent.elapsed();
    reader.wait_for_count(HOST, "3 comments");

    // The easy mistake: data-api naming the API's own path.
    browser.goto(&nginx.url("/mistake.html"));
    reader.wait_for_count(HOST, "3 comments");
    let mistaken = "Posted with data-api ending in /api/v1.";
    reader.post_through(HOST, "Dan", mistaken);
    reader.wait_for_count(HOST, "4 comments");
    assert_eq!(reader.copies_of(HOST, mistaken), 1);

    // A data-api where no Colloquy server answers is named to the reader.
    browser.goto(&nginx.url("/wrong.html"));
    let nowhere = format!("{origin}/nothing-here");
    let message = reader.wait_in_root(
        HOST,
        "the widget to say where no server answered",
        "root.querySelector('.status.failed p')?.textContent",
    );
    let message = message.as_str().expect("a message");
    assert!(
        message.contains(&nowhere),
        "the message names {nowhere}: {message:?}"
    );

    assert_eq!(
        server.get_json("/api/v1/threads/%2Fproxied/comments")["total"],
        4
    );
    println!(
        "reverse proxy: nginx at {origin}/comments/ with the README's block; the thread loaded and took posts (also with data-api …/api/v1), a comment posted through nginx was on screen {:.0} ms later, and a wrong data-api was told as {message:?}",
        live_after.as_secs_f64() * 1000.0
    );
}
