//! Comments put on a thread through the API before a journey opens the page, as other
//! readers would have posted them: replies, a website, many at once. The server's posting
//! limit is off for journeys ([`Launch`](crate::server::Launch) sees to it).

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{json, Value};

use crate::server::Server;

/// A comment to post: a name and a body, perhaps a parent and a website.
#[derive(Clone, Debug)]
pub struct Post<'a> {
    pub name: &'a str,
    pub body: &'a str,
    pub parent: Option<i64>,
    pub website: Option<&'a str>,
}

impl<'a> Post<'a> {
    pub fn new(name: &'a str, body: &'a str) -> Post<'a> {
        Post {
            name,
            body,
            parent: None,
            website: None,
        }
    }

    /// The same comment as a reply to `parent`.
    pub fn reply_to(mut self, parent: i64) -> Post<'a> {
        self.parent = Some(parent);
        self
    }

    pub fn website(mut self, url: &'a str) -> Post<'a> {
        self.website = Some(url);
        self
    }
}

/// The thread's comments URL on `server`.
fn comments_url(server: &Server, thread: &str) -> String {
    server.url(&format!(
        "/api/v1/threads/{}/comments",
        thread.replace('/', "%2F")
    ))
}

/// Posts `post` on `thread` and returns the new comment's id; panics unless the server
/// stored it.
pub fn post(server: &Server, thread: &str, post: &Post) -> i64 {
    static POSTED: AtomicU64 = AtomicU64::new(0);
    let key = format!("journey-{}", POSTED.fetch_add(1, Ordering::SeqCst));
    let mut comment = json!({
        "name": post.name,
        "email": "seed@private.example",
        "body": post.body,
        "idempotency_key": key,
    });
    if let Some(parent) = post.parent {
        comment["parent_id"] = json!(parent);
    }
    if let Some(website) = post.website {
        comment["website"] = json!(website);
    }
    let created: Value = ureq::post(&comments_url(server, thread))
        .send_json(comment)
        .unwrap_or_else(|e| panic!("POST {post:?} on {thread}: {e}"))
        .into_json()
        .expect("a JSON answer");
    created["comment"]["id"].as_i64().expect("an id")
}

/// Posts `count` top-level comments on `thread`, each with a body of its own (the server
/// refuses a body the thread already got a moment ago).
pub fn post_many(server: &Server, thread: &str, count: u64) {
    for n in 1..=count {
        let body = format!("Comment {n} of {count} on {thread}.");
        post(server, thread, &Post::new("Seeder", &body));
    }
}

/// One comment of an imported thread (see [`import`]): named by `key`, answering the
/// comment named `parent`, written `minutes_ago`.
#[derive(Clone, Debug)]
pub struct Imported {
    pub key: String,
    pub parent: Option<String>,
    pub author: String,
    pub email: String,
    pub body: String,
    pub minutes_ago: i64,
}

/// Puts `comments` on `thread` through the real binary's `import colloquy`, as a site owner
/// moving a large thread in would: thousands of comments in one transaction, in seconds,
/// where posting them one by one would take minutes. The server may be running on the
/// same database (SQLite lets the import write beside it).
pub fn import(database: &std::ffi::OsStr, thread: &str, comments: &[Imported]) {
    let folder = tempfile::tempdir().expect("a scratch folder");
    let file = folder.path().join("import.jsonl");
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("a clock after 1970")
        .as_millis() as i64;
    let mut lines = vec![
        json!({"format": "colloquy-export", "version": 1}).to_string(),
        json!({"thread": {"key": thread, "title": null}}).to_string(),
    ];
    for comment in comments {
        lines.push(
            json!({"comment": {
                "thread": thread,
                "key": comment.key,
                "parent_key": comment.parent,
                "author": comment.author,
                "email": comment.email,
                "website": null,
                "body": comment.body,
                "created_at_ms": now_ms - comment.minutes_ago * 60_000,
            }})
            .to_string(),
        );
    }
    std::fs::write(&file, lines.join("\n") + "\n").expect("write the import file");
    let output = std::process::Command::new(crate::server::server_binary())
        .args(["import", "colloquy"])
        .arg(&file)
        .arg("--database")
        .arg(database)
        .env_remove("COLLOQUY_DATABASE")
        .env("COLLOQUY_LOG", "warn")
        .output()
        .expect("run colloquy-server import");
    assert!(
        output.status.success(),
        "the import failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
