//! The Atom feeds, read by a real feed parser: Python's `feedparser`, from the interpreter
//! named by `COLLOQUY_FEEDPARSER_PYTHON` (`cargo xtask test` installs one). Without it these
//! tests fail and say so: they are never skipped. Every feed is also read here with an XML
//! parser that allows only the feed's own elements and the few XHTML elements a comment
//! may become, so hostile markup cannot hide behind feedparser's own sanitising (which is
//! switched off besides).

use std::io::Write;
use std::process::{Command, Stdio};

use colloquy_server::storage;
use colloquy_server::storage::DEFAULT_SITE;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use reqwest::StatusCode;
use serde_json::Value;

use crate::harness::{
    comment, error_body, on_both_engines, Engine, Place, TestServer, PRIVATE_DOMAIN,
};

const ATOM_CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
const READER_LINK_REL: &str = "nofollow ugc noopener noreferrer";

/// Reads the feed on stdin as feedparser does for a feed fetched from `argv[1]` with the
/// content type `argv[2]`, its sanitiser off, and prints what the tests check as JSON.
const FEEDPARSER: &str = r#"
import json, sys
import feedparser
url, content_type = sys.argv[1], sys.argv[2]
parsed = feedparser.parse(
    sys.stdin.buffer.read(),
    response_headers={"content-type": content_type, "content-location": url},
    sanitize_html=False,
)
def links(item):
    return [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in item.get("links", [])]
print(json.dumps({
    "feedparser": feedparser.__version__,
    "bozo": int(bool(parsed.bozo)),
    "bozo_exception": str(parsed.get("bozo_exception", "")),
    "version": parsed.version,
    "encoding": parsed.get("encoding"),
    "feed": {
        "id": parsed.feed.get("id"),
        "title": parsed.feed.get("title"),
        "updated": parsed.feed.get("updated"),
        "links": links(parsed.feed),
    },
    "entries": [{
        "id": e.get("id"),
        "title": e.get("title"),
        "author": e.get("author"),
        "author_href": e.get("author_detail", {}).get("href"),
        "author_email": e.get("author_detail", {}).get("email"),
        "published": e.get("published"),
        "updated": e.get("updated"),
        "links": links(e),
        "content": [{"type": c.get("type"), "value": c.get("value")} for c in e.get("content", [])],
    } for e in parsed.entries],
}))
"#;

/// What feedparser made of `xml`, fetched from `url` as `content_type`.
async fn feedparser(xml: &str, url: &str, content_type: &str) -> Value {
    let python = std::env::var("COLLOQUY_FEEDPARSER_PYTHON").unwrap_or_else(|_| {
        panic!(
            "COLLOQUY_FEEDPARSER_PYTHON is not set: name a Python that has feedparser \
             (`cargo xtask test` installs one and sets it; by hand: \
             target/tools/venv/bin/pip install feedparser==6.0.14, then \
             COLLOQUY_FEEDPARSER_PYTHON=target/tools/venv/bin/python)"
        )
    });
    let (xml, url, content_type) = (xml.to_owned(), url.to_owned(), content_type.to_owned());
    let output = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(&python)
            .args(["-c", FEEDPARSER, &url, &content_type])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python} (COLLOQUY_FEEDPARSER_PYTHON): {e}"));
        child
            .stdin
            .take()
            .unwrap()
            .write_all(xml.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "feedparser failed (is it installed for COLLOQUY_FEEDPARSER_PYTHON?):\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The feed at `path`: checked to be `200` Atom, free of posted addresses and of any
/// markup outside the allowlists, then read by feedparser, which must find nothing wrong.
/// Returns the XML and what feedparser made of it.
async fn fetch_feed(server: &TestServer, path: &str) -> (String, Value) {
    let response = server.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(content_type, ATOM_CONTENT_TYPE);
    let xml = response.text().await.unwrap();
    assert!(
        !xml.contains(PRIVATE_DOMAIN),
        "an address in the feed:\n{xml}"
    );
    check_markup(&xml);
    let parsed = feedparser(&xml, &server.url(path), &content_type).await;
    assert_eq!(
        parsed["bozo"], 0,
        "feedparser: {}\n{xml}",
        parsed["bozo_exception"]
    );
    assert_eq!(parsed["version"], "atom10");
    assert_eq!(parsed["encoding"], "utf-8");
    (xml, parsed)
}

const ATOM_ELEMENTS: [&str; 12] = [
    "feed",
    "id",
    "title",
    "updated",
    "link",
    "generator",
    "entry",
    "published",
    "author",
    "name",
    "uri",
    "content",
];
const XHTML_ELEMENTS: [&str; 14] = [
    "div",
    "p",
    "strong",
    "em",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "br",
    "hr",
];
const ATTRIBUTES: [&str; 6] = ["xmlns", "rel", "type", "href", "xml:base", "start"];

/// Reads the whole document with an XML parser: it must be well-formed, hold only Atom
/// elements outside `<content>` and only the allowed XHTML elements inside, no attribute
/// but the allowed ones (so no `on…`), and links only to web, mail or
/// relative addresses, each reader link with the reader `rel`.
fn check_markup(xml: &str) {
    let mut reader = Reader::from_str(xml);
    let mut open: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed ({e}):\n{xml}"));
        let (tag, empty) = match event {
            Event::Start(tag) => (tag, false),
            Event::Empty(tag) => (tag, true),
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Text(_) | Event::GeneralRef(_) => continue,
            other => panic!("{other:?} in the feed:\n{xml}"),
        };
        let name = tag.name().as_ref().to_owned();
        let in_content = open.iter().any(|name| name == "content");
        let allowed = if in_content {
            &XHTML_ELEMENTS[..]
        } else {
            &ATOM_ELEMENTS[..]
        };
        assert!(
            allowed.contains(&name.as_str()),
            "<{name}> in the feed:\n{xml}"
        );
        let mut attributes = Vec::new();
        for attribute in tag.attributes() {
            let attribute = attribute.unwrap();
            let key = attribute.key.as_ref().to_owned();
            assert!(
                ATTRIBUTES.contains(&key.as_str()) && !key.starts_with("on"),
                "attribute {key} on <{name}>:\n{xml}"
            );
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .unwrap()
                .into_owned();
            attributes.push((key, value));
        }
        for (key, value) in &attributes {
            if key == "href" || key == "xml:base" {
                let lower = value.to_ascii_lowercase();
                let scheme = lower
                    .split_once(':')
                    .map(|(scheme, _)| scheme)
                    .filter(|scheme| !scheme.contains(['/', '?', '#']));
                assert!(
                    matches!(scheme, None | Some("http" | "https" | "mailto")),
                    "{key}={value:?} in the feed:\n{xml}"
                );
            }
        }
        if in_content && name == "a" {
            assert!(
                attributes.contains(&("rel".to_owned(), READER_LINK_REL.to_owned())),
                "a reader link without rel:\n{xml}"
            );
        }
        if !empty {
            open.push(name);
        }
    }
    assert!(open.is_empty());
}

fn entries(parsed: &Value) -> &Vec<Value> {
    parsed["entries"].as_array().unwrap()
}

fn field<'a>(parsed: &'a Value, name: &str) -> Vec<&'a str> {
    entries(parsed)
        .iter()
        .map(|entry| entry[name].as_str().unwrap_or_default())
        .collect()
}

fn content(entry: &Value) -> &str {
    let content = entry["content"].as_array().unwrap();
    assert_eq!(content.len(), 1, "{entry}");
    assert_eq!(content[0]["type"], "application/xhtml+xml");
    content[0]["value"].as_str().unwrap()
}

fn link<'a>(item: &'a Value, rel: &str) -> Option<&'a str> {
    item["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|link| link["rel"] == rel)
        .map(|link| link["href"].as_str().unwrap())
}

/// Gives `thread` a title, as an import does.
async fn set_title(place: &Place, thread: &str, title: &str) {
    let store = storage::open(&place.database).await.unwrap();
    let mut import = store.begin_import(DEFAULT_SITE).await.unwrap();
    import.set_title(thread, title).await.unwrap();
    import.commit().await.unwrap();
}

const HOSTILE: &str = "<script>alert(1)</script>\n\n\
                       \"><img src=x onerror=alert(1)>\n\n\
                       [x](javascript:alert(1)) ]]> &lt;b&gt; `<i>code</i>` \u{7}\u{1b}[31m";

async fn a_thread_feed_shows_its_newest_comments_first_as_safe_markup(engine: Engine) {
    let place = Place::new(engine).await;
    set_title(&place, "/blog/post", "Hello <b>world</b> & \"friends\"").await;
    let server = TestServer::on(&place).await;
    let mut ada = comment(
        "Ada",
        "Hello *world*, see [my site](https://ada.example/?a=1&b=2) and [about](/about).",
        "k1",
    );
    ada["website"] = "https://ada.example".into();
    server.create("%2Fblog%2Fpost", ada).await;
    server
        .create("%2Fblog%2Fpost", comment("Bob", HOSTILE, "k2"))
        .await;
    server
        .create(
            "%2Fblog%2Fpost",
            comment("Cy", "- one\n  - two\n    1. three\n\n> quoted", "k3"),
        )
        .await;
    server
        .create("elsewhere", comment("Dee", "Not in this thread", "k4"))
        .await;

    let path = "/api/v1/threads/%2Fblog%2Fpost/feed.atom";
    let (xml, parsed) = fetch_feed(&server, path).await;
    let title = "“Hello <b>world</b> & \"friends\"”";
    assert_eq!(parsed["feed"]["title"], format!("Comments on {title}"));
    assert_eq!(
        link(&parsed["feed"], "self"),
        Some(server.url(path).as_str())
    );
    let page = server.url("/blog/post");
    assert_eq!(link(&parsed["feed"], "alternate"), Some(page.as_str()));

    assert_eq!(
        field(&parsed, "author"),
        ["Cy", "Bob", "Ada"],
        "newest first"
    );
    assert_eq!(
        field(&parsed, "title"),
        ["Cy", "Bob", "Ada"].map(|name| format!("{name} on {title}"))
    );
    assert!(entries(&parsed)
        .iter()
        .all(|entry| entry["author_email"].is_null()));
    let ids = field(&parsed, "id");
    assert!(ids.iter().all(|id| id.starts_with("urn:uuid:")), "{ids:?}");
    assert_eq!(
        ids.iter().collect::<std::collections::HashSet<_>>().len(),
        3
    );
    let published = field(&parsed, "published");
    assert!(published.windows(2).all(|pair| pair[0] >= pair[1]));
    assert_eq!(parsed["feed"]["updated"], published[0]);
    assert_eq!(field(&parsed, "updated"), published);
    for entry in entries(&parsed) {
        assert_eq!(link(entry, "alternate"), Some(page.as_str()));
    }

    let [cy, bob, ada] = &entries(&parsed)[..] else {
        panic!("three entries")
    };
    assert_eq!(ada["author_href"], "https://ada.example");
    assert!(bob["author_href"].is_null());
    let ada = content(ada);
    assert!(ada.contains("<em>world</em>"), "{ada}");
    assert!(ada.contains(&format!("rel=\"{READER_LINK_REL}\"")), "{ada}");
    assert!(
        ada.contains(&format!("href=\"{}\"", server.url("/about"))),
        "relative links lead where they do on the page: {ada}"
    );
    let bob = content(bob);
    for markup in ["<script", "<img", "javascript:", "]]>"] {
        assert!(!bob.contains(markup), "{markup} in {bob}");
    }
    assert!(
        bob.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{bob}"
    );
    assert!(bob.contains("onerror=alert(1)&gt;"), "{bob}");
    assert!(
        bob.contains("<code>&lt;i&gt;code&lt;/i&gt;</code>"),
        "{bob}"
    );
    assert!(bob.contains("&lt;b&gt;"), "an entity stays text: {bob}");
    assert!(
        bob.contains('\u{fffd}'),
        "control characters replaced: {bob}"
    );
    let cy = content(cy);
    let nesting = [
        "<ul>",
        "<li>",
        "one",
        "<ul>",
        "<li>",
        "two",
        "<ol",
        "three",
        "<blockquote>",
    ];
    let mut rest = cy;
    for piece in nesting {
        let at = rest
            .find(piece)
            .unwrap_or_else(|| panic!("{piece} in {cy}"));
        rest = &rest[at + piece.len()..];
    }
    assert!(!xml.contains("Not in this thread"));

    let (_, again) = fetch_feed(&server, path).await;
    assert_eq!(field(&again, "id"), ids, "ids are stable");
    server.stop().await;
}

async fn the_site_feed_holds_every_thread_and_links_pages_it_can_know(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    for (thread, name, body) in [
        ("slug", "A1", "first [rel](/x)"),
        ("%2Fb", "B1", "second [rel](/x)"),
        ("slug", "A2", "third"),
        ("%2F%2Fevil.example%2Fx", "E1", "fourth"),
        ("%2Fb", "B2", "fifth"),
    ] {
        server
            .create(thread, comment(name, body, &format!("k{name}")))
            .await;
    }
    let (_, parsed) = fetch_feed(&server, "/api/v1/feed.atom").await;
    assert_eq!(parsed["feed"]["title"], "Recent comments");
    assert_eq!(link(&parsed["feed"], "alternate"), None);
    assert_eq!(
        link(&parsed["feed"], "self"),
        Some(server.url("/api/v1/feed.atom").as_str())
    );
    assert_eq!(field(&parsed, "author"), ["B2", "E1", "A2", "B1", "A1"]);
    assert_eq!(
        field(&parsed, "title"),
        [
            "B2 on /b",
            "E1 on //evil.example/x",
            "A2 on slug",
            "B1 on /b",
            "A1 on slug"
        ]
    );
    let pages: Vec<Option<&str>> = entries(&parsed)
        .iter()
        .map(|entry| link(entry, "alternate"))
        .collect();
    let b = server.url("/b");
    assert_eq!(
        pages,
        [Some(b.as_str()), None, None, Some(b.as_str()), None],
        "only a path on a known site is a page"
    );
    let [_, _, _, b1, a1] = &entries(&parsed)[..] else {
        panic!("five entries")
    };
    assert!(content(b1).contains(&format!("href=\"{}\"", server.url("/x"))));
    assert!(
        !content(a1).contains("<a"),
        "no page, so a relative link keeps only its text: {}",
        content(a1)
    );
    let ids = field(&parsed, "id").join(" ");
    server.stop().await;

    // One allowed origin is where the pages are.
    let mut config = place.config();
    config.allowed_origins = vec!["https://blog.example/".into()];
    let server = TestServer::start(config).await;
    let (_, parsed) = fetch_feed(&server, "/api/v1/feed.atom").await;
    assert_eq!(field(&parsed, "id").join(" "), ids, "ids survive restarts");
    let pages: Vec<Option<&str>> = entries(&parsed)
        .iter()
        .map(|entry| link(entry, "alternate"))
        .collect();
    let b = Some("https://blog.example/b");
    assert_eq!(pages, [b, None, None, b, None]);
    let b1 = &entries(&parsed)[3];
    assert!(content(b1).contains("href=\"https://blog.example/x\""));
    let (_, thread) = fetch_feed(&server, "/api/v1/threads/%2Fb/feed.atom").await;
    assert_eq!(link(&thread["feed"], "alternate"), b);
    server.stop().await;

    // Several: the page cannot be known.
    let mut config = place.config();
    config.allowed_origins = vec!["https://a.example".into(), "https://b.example".into()];
    let server = TestServer::start(config).await;
    let (_, parsed) = fetch_feed(&server, "/api/v1/feed.atom").await;
    assert!(entries(&parsed)
        .iter()
        .all(|entry| link(entry, "alternate").is_none()));
    server.stop().await;
}

async fn feeds_hold_the_newest_fifty(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    for n in 1..=55 {
        let name = format!("N{n}");
        let body = format!("number {n}");
        server
            .create("%2Flong", comment(&name, &body, &format!("k{n}")))
            .await;
    }
    for name in ["O1", "O2"] {
        server
            .create("%2Fother", comment(name, name, &format!("k{name}")))
            .await;
    }
    let numbered = |newest: usize, oldest: usize| (oldest..=newest).rev().map(|n| format!("N{n}"));
    let (_, long) = fetch_feed(&server, "/api/v1/threads/%2Flong/feed.atom").await;
    assert_eq!(field(&long, "author"), numbered(55, 6).collect::<Vec<_>>());
    let (_, site) = fetch_feed(&server, "/api/v1/feed.atom").await;
    let expected: Vec<String> = ["O2".to_owned(), "O1".to_owned()]
        .into_iter()
        .chain(numbered(55, 8))
        .collect();
    assert_eq!(field(&site, "author"), expected);
    server.stop().await;
}

async fn an_unknown_thread_has_an_empty_feed_and_a_bad_key_is_a_400(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let (xml, parsed) = fetch_feed(&server, "/api/v1/feed.atom").await;
    assert!(entries(&parsed).is_empty(), "{xml}");
    let (xml, parsed) = fetch_feed(&server, "/api/v1/threads/nothing-here/feed.atom").await;
    assert!(entries(&parsed).is_empty(), "{xml}");
    assert_eq!(parsed["feed"]["title"], "Comments on nothing-here");
    assert_eq!(parsed["feed"]["updated"], "1970-01-01T00:00:00Z");
    assert!(parsed["feed"]["id"]
        .as_str()
        .unwrap()
        .starts_with("urn:uuid:"));
    for bad in ["%3Cx%3E", &"a".repeat(257), "%FF"] {
        let response = server
            .get(&format!("/api/v1/threads/{bad}/feed.atom"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        error_body(response).await;
    }
    server.stop().await;
}

/// Two installations, each with its comment number 1: their entries must not share an id
/// (a reader following both would take one for the other).
async fn entry_ids_belong_to_their_installation(engine: Engine) {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let place = Place::new(engine).await;
        let server = TestServer::on(&place).await;
        let created = server.create("t", comment("Ada", "Hello", "k1")).await;
        let (_, parsed) = fetch_feed(&server, "/api/v1/threads/t/feed.atom").await;
        ids.push((created.comment.id, field(&parsed, "id")[0].to_owned()));
        server.stop().await;
    }
    assert_eq!(ids[0].0, ids[1].0, "the same comment id in both");
    assert_ne!(ids[0].1, ids[1].1);
}

on_both_engines!(
    a_thread_feed_shows_its_newest_comments_first_as_safe_markup,
    the_site_feed_holds_every_thread_and_links_pages_it_can_know,
    feeds_hold_the_newest_fifty,
    an_unknown_thread_has_an_empty_feed_and_a_bad_key_is_a_400,
    entry_ids_belong_to_their_installation,
);
