//! A site owner moves from WordPress: the export that Tools → Export writes (WordPress 6,
//! WXR 1.2, from `colloquy_server::import::samples`) goes through the real binary's
//! `import wordpress`, the same binary then serves that database with the blog allowed, and
//! a reader opens the post at its old permalink with the plain snippet. The thread is there,
//! nested as it was on WordPress, with WordPress's HTML turned into what Colloquy shows (and
//! nothing a commenter typed turned into markup), and it takes a reply like any other.

use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::server::{server_binary, Assets, Launch};
use colloquy_e2e::stage::{js_string, Reader, Shown};
use colloquy_e2e::webdriver::Browser;
use colloquy_server::import::samples::{
    example_posts, wordpress_wxr, SampleKind, SamplePost, SampleStatus,
};
use serde_json::{json, Value};

/// The widget on the post's page.
const HOST: &str = "[data-colloquy]";
/// How long the import of a small file may take.
const IMPORT_DEADLINE: Duration = Duration::from_secs(60);
/// What Colloquy puts on every link a commenter wrote.
const READER_REL: &str = "nofollow ugc noopener noreferrer";

/// Runs `colloquy-server import wordpress FILE --database DB` as a site owner would, with a
/// deadline; returns its exit status and what it wrote on standard error.
fn import_wordpress(file: &Path, database: &Path) -> (ExitStatus, String) {
    let mut child = Command::new(server_binary())
        .arg("import")
        .arg("wordpress")
        .arg(file)
        .arg("--database")
        .arg(database)
        // Only the flags above say where things are.
        .env_remove("COLLOQUY_DATABASE")
        .env("COLLOQUY_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start colloquy-server import");
    let mut stderr = child.stderr.take().expect("the import's standard error");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).ok();
        text
    });
    let pid = child.id();
    let (finished, wait) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let status = child.wait();
        finished.send(()).ok();
        status
    });
    if wait.recv_timeout(IMPORT_DEADLINE).is_err() {
        // Ours, by its id: nothing else is touched.
        Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .ok();
        waiter.join().ok();
        panic!("the import did not finish within {IMPORT_DEADLINE:?}");
    }
    let status = waiter
        .join()
        .expect("the waiting thread")
        .expect("the import's exit status");
    let text = reader.join().expect("the reading thread");
    for line in text.lines() {
        eprintln!("[import] {line}");
    }
    (status, text)
}

/// What WordPress showed on the post: approved comments, not pingbacks or trackbacks.
fn shown_on_wordpress(post: &SamplePost) -> usize {
    post.comments
        .iter()
        .filter(|c| c.status == SampleStatus::Approved && c.kind == SampleKind::Comment)
        .count()
}

/// A blog post as the WordPress theme had it, with Colloquy's snippet where the comments
/// were: no `data-thread`, so the thread is the page's own path. The page keeps every
/// `alert()` instead of showing it, so a script that ran would be seen.
fn post_page(comment_server: &str, title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} – Example &amp; Co</title>\
         <script>window.__alerts = []; window.alert = (message) => window.__alerts.push(String(message));</script>\
         </head><body><article><h1>{title}</h1><p>Welcome to WordPress. This is your first post.</p></article>\
         <section id=\"comments\"><div data-colloquy></div>\
         <script src=\"{comment_server}/embed.js\" async></script></section></body></html>"
    )
}

/// Each comment's author, as shown, in page order, with its `depth-N` class.
fn authors_and_depth_classes(reader: &Reader) -> Vec<(String, String)> {
    let rows = reader.in_root(
        HOST,
        "Array.from(root.querySelectorAll('li.comment')).map(li => [
           li.querySelector('.meta .author').textContent,
           Array.from(li.classList).find(c => c.startsWith('depth-')) ?? ''])",
    );
    rows.as_array()
        .expect("a list of comments")
        .iter()
        .map(|row| {
            (
                row[0].as_str().expect("an author").to_owned(),
                row[1].as_str().expect("a class").to_owned(),
            )
        })
        .collect()
}

/// The `li` of the comment with `id`, as a selector inside the widget.
fn comment_li(id: i64) -> String {
    format!("li.comment[data-comment-id='{id}']")
}

/// Evaluates `expression` with `body` bound to the `.body` of the comment with `id`.
fn in_body(reader: &Reader, id: i64, expression: &str) -> Value {
    reader.in_root(
        HOST,
        &format!(
            "(() => {{ const body = root.querySelector({selector}); return {expression}; }})()",
            selector = js_string(&format!("{} .body", comment_li(id))),
        ),
    )
}

#[test]
fn after_a_wordpress_import_the_post_shows_its_thread_nested_and_takes_a_reply() {
    let started = Instant::now();
    let folder = tempfile::tempdir().expect("a scratch folder");
    let posts = example_posts();
    let post = &posts[0];
    assert_eq!(
        post.path, "/2024/03/01/hello-world/",
        "the post with the cases"
    );

    // The export, named as WordPress names it.
    let wxr = wordpress_wxr(&posts);
    assert!(
        wxr.contains("generator=\"WordPress/6."),
        "a WordPress 6 export"
    );
    let file = folder.path().join("example.WordPress.2024-03-31.xml");
    std::fs::write(&file, &wxr).expect("write the export");

    // The import, as the README tells a site owner to run it.
    let database = folder.path().join("colloquy.db");
    let (status, summary) = import_wordpress(&file, &database);
    assert!(status.success(), "the import failed ({status}): {summary}");
    let on_post = shown_on_wordpress(post);
    let in_all: usize = posts.iter().map(shown_on_wordpress).sum();
    assert_eq!(on_post, 6, "the samples' post keeps six comments");
    for expected in [
        // The permalink `/…/hello-world/` is stored as the path the loader asks for.
        format!(
            "  /2024/03/01/hello-world/ → /2024/03/01/hello-world: {on_post} added, 0 already there"
        ),
        format!("{in_all} comments added, 0 already there"),
        "skipped 1: awaiting moderation in the source".to_owned(),
        "skipped 1: marked as spam".to_owned(),
        "skipped 1: deleted in the source".to_owned(),
    ] {
        assert!(
            summary.contains(&expected),
            "the summary says {expected:?}: {summary}"
        );
    }
    assert!(
        !summary.contains("dry run"),
        "a real import, not a dry run: {summary}"
    );

    // The same binary serves that database, the widget it carries, and the blog's origin.
    let blog = HostSite::start();
    let server = Launch::new(&database)
        .assets(Assets::Carried)
        .working_folder(folder.path())
        .seed_demo(false)
        .args(&["--allowed-origin", &blog.origin])
        .start();

    // A reader opens the post at its WordPress permalink.
    let browser = Browser::start();
    let reader = Reader(&browser);
    browser.goto(&blog.page(&post.path, post_page(&server.base, &post.title), None));
    reader.wait_for_count(HOST, &format!("{on_post} comments"));

    // The conversation in order, nested as on WordPress: the reply of a reply of a reply
    // three deep; 山田太郎 answered the pingback, which was not imported, so answers the post.
    let expected = [
        ("A WordPress Commenter", 0),
        ("Zoë Ångström", 1),
        ("José Müller", 2),
        ("Old Timer", 3),
        ("Mallory", 0),
        ("山田太郎", 0),
    ];
    let shape: Vec<Shown> = reader.shape(HOST);
    let shown = authors_and_depth_classes(&reader);
    assert_eq!(
        shown,
        expected
            .iter()
            .map(|(author, depth)| (author.to_string(), format!("depth-{depth}")))
            .collect::<Vec<_>>(),
        "authors and depths in conversation order"
    );
    let depths: Vec<usize> = shape.iter().map(|c| c.depth).collect();
    assert_eq!(depths, expected.iter().map(|(_, d)| *d).collect::<Vec<_>>());
    let id = |author: &str| {
        let at = expected
            .iter()
            .position(|(a, _)| *a == author)
            .expect("an expected author");
        shape[at].id
    };
    let parents: Vec<Option<i64>> = shape.iter().map(|c| c.parent).collect();
    assert_eq!(
        parents,
        vec![
            None,
            Some(id("A WordPress Commenter")),
            Some(id("Zoë Ångström")),
            Some(id("José Müller")),
            None,
            None,
        ],
        "each reply answers the comment it answered on WordPress"
    );

    // WordPress's first comment: its line breaks, its link, and its author's website.
    let first = id("A WordPress Commenter");
    assert_eq!(
        in_body(
            &reader,
            first,
            "[body.querySelectorAll('br').length, body.textContent.startsWith('Hi, this is a comment.')]"
        ),
        json!([2, true]),
        "the commenter's line breaks are kept"
    );
    assert_eq!(
        in_body(
            &reader,
            first,
            "Array.from(body.querySelectorAll('a')).map(a => [a.textContent, a.href, a.rel])"
        ),
        json!([["Gravatar", "https://en.gravatar.com/", READER_REL]])
    );
    assert_eq!(
        reader.in_root(
            HOST,
            &format!(
                "(a => [a.textContent, a.href, a.rel])(root.querySelector(\"{} .meta a.author\"))",
                comment_li(first)
            )
        ),
        json!([
            "A WordPress Commenter",
            "https://wordpress.org/",
            READER_REL
        ]),
        "the author's website is a link with Colloquy's rel"
    );

    // HTML entities decoded, paragraphs kept, the smiley as the text it stood for.
    let zoe = id("Zoë Ångström");
    assert_eq!(
        in_body(
            &reader,
            zoe,
            "Array.from(body.querySelectorAll('p')).map(p => p.textContent)"
        ),
        json!([
            "Thanks! I\u{2019}m glad it works & looks fine\u{2026}",
            "A second paragraph :)"
        ])
    );

    // The rel="nofollow" link of WordPress: a link with Colloquy's rel, its emphasis kept.
    let jose = id("José Müller");
    assert_eq!(
        in_body(
            &reader,
            jose,
            "[body.textContent, Array.from(body.querySelectorAll('a')).map(a =>
               [a.textContent, a.getAttribute('href'), a.rel, a.querySelector('em')?.textContent ?? null])]"
        ),
        json!([
            "See the docs for more.",
            [["the docs", "https://example.com/docs?a=1&b=2", READER_REL, "docs"]]
        ])
    );

    // What Old Timer typed as asterisks and underscores stays as typed.
    assert_eq!(
        in_body(
            &reader,
            id("Old Timer"),
            "[body.textContent, body.querySelectorAll('em, strong').length]"
        ),
        json!(["Replying *way* back_then.", 0])
    );

    // Mallory's script is text: no script element in the widget, nothing ran.
    assert_eq!(
        in_body(&reader, id("Mallory"), "body.textContent"),
        json!("Nice post <script>alert(\"gotcha\")</script> really.")
    );
    assert_eq!(
        reader.in_root(
            HOST,
            "[root.querySelectorAll('script').length, root.querySelectorAll('img').length]"
        ),
        json!([0, 0]),
        "no script and no image (the smiley) inside the widget"
    );
    assert_eq!(
        browser.execute("return window.__alerts;", json!([])),
        json!([]),
        "no commenter's script ran"
    );

    // Non-ASCII text intact, its line break kept.
    assert_eq!(
        in_body(
            &reader,
            id("山田太郎"),
            "[body.textContent, body.querySelectorAll('br').length]"
        ),
        json!(["日本語のコメントです。二行目。", 1])
    );

    // What WordPress did not show is not shown, and no email is.
    let everything = reader
        .in_root(HOST, "root.textContent")
        .as_str()
        .expect("the widget's text")
        .to_owned();
    for absent in [
        "Pending Pat",
        "Waiting for a moderator.",
        "Cheap Pills",
        "cheap pills",
        "Trash Talker",
        "Something regrettable.",
        "About hello",
        "as seen in Hello world!",
    ] {
        assert!(
            !everything.contains(absent),
            "{absent:?} is not shown: {everything}"
        );
    }
    for email in post
        .comments
        .iter()
        .map(|c| &c.email)
        .filter(|e| !e.is_empty())
    {
        assert!(!everything.contains(email.as_str()), "{email} is not shown");
    }

    // A reader answers José's imported comment through its reply form.
    browser.click(&reader.in_widget(HOST, &format!("{} button.reply", comment_li(jose))));
    let reply_form = format!("{} form.reply-form", comment_li(jose));
    reader.wait_in_root(
        HOST,
        "the reply form under José's comment",
        &format!("root.querySelector({})", js_string(&reply_form)),
    );
    reader.fill(
        HOST,
        &reply_form,
        "Åsa Lindqvist",
        "asa@private.example",
        "Danke, José – the *docs* helped.",
    );
    reader.submit(HOST, &reply_form);
    reader.wait_for_count(HOST, &format!("{} comments", on_post + 1));
    let after = reader.shape(HOST);
    let reply = &after[4];
    assert_eq!(
        (reply.body.as_str(), reply.parent, reply.depth),
        ("Danke, José – the docs helped.", Some(jose), 3),
        "the reply sits under José's comment, after the earlier answer to it: {after:?}"
    );
    assert_eq!(
        authors_and_depth_classes(&reader)[4],
        ("Åsa Lindqvist".to_owned(), "depth-3".to_owned())
    );
    assert_eq!(
        after
            .iter()
            .filter(|c| c.id != reply.id)
            .cloned()
            .collect::<Vec<_>>(),
        shape,
        "the imported comments stay as they were"
    );

    // Stored in the thread the import filled, which is the page's path.
    let stored = server.get_json("/api/v1/threads/%2F2024%2F03%2F01%2Fhello-world/comments");
    assert_eq!(stored["total"], json!(on_post + 1));
    assert!(!stored.to_string().contains("private.example"));

    println!(
        "wordpress import: {in_all} comments imported, {on_post} shown nested on {} (depths {depths:?}), a reply nested under an imported one, in {:.1?}",
        post.path,
        started.elapsed()
    );
}
