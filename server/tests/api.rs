//! The API over real HTTP: the real router on a loopback port, a real SQLite file in a
//! temporary folder, and an ordinary HTTP client.

use std::path::Path;
use std::sync::{Arc, Mutex};

use colloquy_core::model::{Comment, CreatedComment, ErrorBody, PublicConfig, ThreadPage};
use colloquy_core::rules::FormRules;
use colloquy_server::{AppState, Config};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

struct TestServer {
    base: String,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    client: reqwest::Client,
    /// Every response this server sent: headers and body, as text.
    responses: Arc<Mutex<Vec<String>>>,
}

/// The domain of every address these tests post. No response may ever contain it.
const PRIVATE_DOMAIN: &str = "@private.example";

/// Keeps a copy of each response, so [`TestServer::stop`] can scan them all for addresses.
async fn record(
    responses: Arc<Mutex<Vec<String>>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let headers: Vec<String> = parts
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect();
    responses.lock().unwrap().push(format!(
        "{}\n{}\n{}",
        parts.status,
        headers.join("\n"),
        String::from_utf8_lossy(&bytes)
    ));
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

impl TestServer {
    async fn start(config: Config) -> Self {
        let state = AppState::open(&config).await.expect("open the store");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let responses: Arc<Mutex<Vec<String>>> = Arc::default();
        let recorded = responses.clone();
        let app = colloquy_server::http::router(state).layer(axum::middleware::from_fn(
            move |request, next| record(recorded.clone(), request, next),
        ));
        let task = tokio::spawn(colloquy_server::serve_app(listener, app, async {
            stopped.await.ok();
        }));
        Self {
            base,
            stop: Some(stop),
            task,
            client: reqwest::Client::new(),
            responses,
        }
    }

    async fn in_folder(folder: &Path) -> Self {
        let mut config = Config::for_tests(folder.join("test.db"));
        config.assets = folder.join("dist");
        Self::start(config).await
    }

    /// Stops the server, then checks that none of its responses gave away an address.
    async fn stop(mut self) -> usize {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
        (&mut self.task).await.unwrap().unwrap();
        let responses = self.responses.lock().unwrap();
        for response in responses.iter() {
            assert!(
                !response.contains(PRIVATE_DOMAIN),
                "a response contains a posted email address:\n{response}"
            );
        }
        responses.len()
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    async fn post(&self, thread: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/threads/{thread}/comments")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a comment that must be stored, and returns what the server answered.
    async fn create(&self, thread: &str, body: Value) -> CreatedComment {
        let response = self.post(thread, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    async fn thread(&self, thread: &str) -> ThreadPage {
        let response = self
            .client
            .get(self.url(&format!("/api/v1/threads/{thread}/comments")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }
}

/// A stand-in for the built widget in `folder/dist`: the page, the loader and the wasm.
fn fake_widget(folder: &Path, loader: &str, wasm: &[u8]) {
    let dist = folder.join("dist");
    std::fs::create_dir(&dist).unwrap();
    std::fs::write(
        dist.join("index.html"),
        "<!doctype html><title>demo</title>",
    )
    .unwrap();
    std::fs::write(dist.join("embed.js"), loader).unwrap();
    std::fs::write(dist.join("colloquy_bg.wasm"), wasm).unwrap();
}

fn comment(name: &str, body: &str, key: &str) -> Value {
    json!({
        "name": name,
        "email": format!("{}@private.example", name.to_lowercase()),
        "website": "",
        "body": body,
        "idempotency_key": key,
    })
}

async fn error_body(response: reqwest::Response) -> ErrorBody {
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let body: ErrorBody = response.json().await.unwrap();
    assert!(!body.message.is_empty());
    body
}

#[tokio::test]
async fn config_publishes_the_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("t.db"));
    config.email_required = false;
    config.body_max_chars = 500;
    let server = TestServer::start(config).await;
    let published: PublicConfig = server
        .client
        .get(server.url("/api/v1/config"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut expected = FormRules::default();
    expected.email.required = false;
    expected.body.max_len = 500;
    assert_eq!(published.rules, expected);
    server.stop().await;
}

#[tokio::test]
async fn a_posted_comment_is_listed_without_its_email() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    assert_eq!(server.thread("post-1").await.total, 0);

    let response = server
        .post("post-1", comment("Ada", "Hello *world*", "k1"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let text = response.text().await.unwrap();
    assert!(!text.contains("private.example"), "{text}");
    let created: CreatedComment = serde_json::from_str(&text).unwrap();
    assert_eq!(created.comment.author, "Ada");
    assert_eq!(created.comment.body, "Hello *world*");
    assert_eq!(created.edit_token.len(), 64);

    let listing = server
        .client
        .get(server.url("/api/v1/threads/post-1/comments"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listing.contains("private.example"), "{listing}");
    let page: ThreadPage = serde_json::from_str(&listing).unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.comments, vec![created.comment]);
    assert_eq!(
        server.thread("post-2").await.total,
        0,
        "threads are separate"
    );
    server.stop().await;
}

#[tokio::test]
async fn invalid_comments_get_every_field_error_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let response = server
        .post(
            "post",
            json!({"name": "  ", "email": "not-an-address", "website": "javascript:alert(1)", "body": "", "idempotency_key": "k"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = error_body(response).await;
    let found: Vec<(String, String)> = body
        .errors
        .iter()
        .map(|e| {
            let v = serde_json::to_value(e).unwrap();
            (
                v["field"].as_str().unwrap().to_owned(),
                v["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("name", "required"),
        ("email", "invalid_email"),
        ("website", "invalid_url"),
        ("body", "required"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    assert_eq!(found, expected);

    let missing_fields = server.post("post", json!({})).await;
    assert_eq!(missing_fields.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let too_long = server
        .post("post", comment("Ada", &"x".repeat(10_001), "k2"))
        .await;
    assert_eq!(too_long.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_body(too_long).await.errors[0].message,
        "Comment must be at most 10000 characters."
    );
    assert_eq!(server.thread("post").await.total, 0);
    server.stop().await;
}

#[tokio::test]
async fn replies_need_a_parent_in_the_same_thread() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let parent: CreatedComment = server.create("a", comment("Ada", "first", "k1")).await;

    let mut reply = comment("Bob", "reply", "k2");
    reply["parent_id"] = json!(parent.comment.id);
    let response = server.post("a", reply.clone()).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: CreatedComment = response.json().await.unwrap();
    assert_eq!(created.comment.parent_id, Some(parent.comment.id));

    let elsewhere = server.post("b", reply).await;
    assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = error_body(elsewhere).await;
    assert_eq!(
        serde_json::to_value(&body.errors[0]).unwrap()["code"],
        "unknown_parent"
    );
    let mut ghost = comment("Bob", "reply", "k3");
    ghost["parent_id"] = json!(999_999);
    assert_eq!(
        server.post("a", ghost).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(server.thread("a").await.total, 2);
    assert_eq!(server.thread("b").await.total, 0);
    server.stop().await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_comment() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let first = server.post("t", comment("Ada", "once", "same-key")).await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: CreatedComment = first.json().await.unwrap();
    let again = server.post("t", comment("Ada", "once", "same-key")).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: CreatedComment = again.json().await.unwrap();
    assert_eq!(again, first);
    assert_eq!(server.thread("t").await.total, 1);
    server.stop().await;
}

#[tokio::test]
async fn malformed_requests_get_clear_json_4xx() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let url = server.url("/api/v1/threads/t/comments");
    let send = |body: String, content_type: &'static str| {
        server
            .client
            .post(&url)
            .header("content-type", content_type)
            .body(body)
            .send()
    };

    let broken = send("{\"name\": ".into(), "application/json")
        .await
        .unwrap();
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    error_body(broken).await;

    let wrong_type = send(r#"{"name": 5}"#.into(), "application/json")
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), StatusCode::BAD_REQUEST);
    assert!(error_body(wrong_type).await.message.contains("name"));

    let not_json = send("name=Ada".into(), "application/x-www-form-urlencoded")
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    error_body(not_json).await;

    let huge = format!(r#"{{"body": "{}"}}"#, "x".repeat(2_000_000));
    let too_large = send(huge, "application/json").await.unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    error_body(too_large).await;

    for key in [
        "a%20b",
        "%3Cscript%3E",
        &"k".repeat(300),
        "caf%C3%A9",
        "%FF",
    ] {
        let response = server
            .client
            .get(server.url(&format!("/api/v1/threads/{key}/comments")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key}");
        error_body(response).await;
        let posted = server.post(key, comment("Ada", "x", "k")).await;
        assert_eq!(posted.status(), StatusCode::BAD_REQUEST, "{key}");
    }

    let unknown = server
        .client
        .get(server.url("/api/v1/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    error_body(unknown).await;
    assert_eq!(server.thread("t").await.total, 0);
    server.stop().await;
}

#[tokio::test]
async fn percent_encoded_paths_are_thread_keys() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let response = server
        .post("%2Fblog%2Fpost%2F", comment("Ada", "x", "k"))
        .await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let page = server.thread("%2Fblog%2Fpost%2F").await;
    assert_eq!(page.thread, "/blog/post/");
    assert_eq!(page.total, 1);
    server.stop().await;
}

#[tokio::test]
async fn comments_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let created: CreatedComment = server.create("t", comment("Ada", "kept", "k")).await;
    server.stop().await;

    let server = TestServer::in_folder(dir.path()).await;
    assert_eq!(server.thread("t").await.comments, vec![created.comment]);
    // The installation secret survives too, so the same submission keeps the same token.
    let replay = server.post("t", comment("Ada", "kept", "k")).await;
    assert_eq!(
        replay.status(),
        StatusCode::OK,
        "a replay, not a new comment"
    );
    let replay: CreatedComment = replay.json().await.unwrap();
    assert_eq!(replay.edit_token, created.edit_token);
    server.stop().await;
}

#[tokio::test]
async fn serves_the_built_widget_with_the_right_types() {
    let dir = tempfile::tempdir().unwrap();
    fake_widget(dir.path(), "/* loader */", b"\0asm\x01\0\0\0");
    let server = TestServer::in_folder(dir.path()).await;
    for (path, expected) in [
        ("/", "text/html"),
        ("/embed.js", "text/javascript"),
        ("/colloquy_bg.wasm", "application/wasm"),
    ] {
        let response = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with(expected), "{path}: {content_type}");
    }
    let missing = server
        .client
        .get(server.url("/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn without_a_build_the_page_says_how_to_build_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let response = server.client.get(server.url("/")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("cargo xtask demo"));
    server.stop().await;
}

#[tokio::test]
async fn only_allowed_origins_get_cors_headers() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("t.db"));
    config.allowed_origins = vec!["https://blog.example.org".into()];
    let server = TestServer::start(config).await;
    let ask = |origin: &'static str| {
        server
            .client
            .get(server.url("/api/v1/config"))
            .header("origin", origin)
            .send()
    };
    let allowed = ask("https://blog.example.org").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://blog.example.org"
    );
    assert_eq!(allowed.status(), StatusCode::OK);
    let refused = ask("https://evil.example").await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(
        error_body(refused).await.errors.is_empty(),
        "a refusal carries no data"
    );
    server.stop().await;
}

#[tokio::test]
async fn the_demo_thread_is_seeded_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("t.db"));
    let state = AppState::open(&config).await.unwrap();
    colloquy_server::demo::seed(&state).await.unwrap();
    colloquy_server::demo::seed(&state).await.unwrap();
    let comments = state
        .store
        .thread_comments(colloquy_server::demo::DEMO_THREAD)
        .await
        .unwrap();
    assert!(comments.len() >= 7);
    let entries = colloquy_core::tree::build_reply_tree(&comments);
    assert!(entries.iter().any(|entry| entry.depth >= 3), "{entries:?}");
}

#[tokio::test]
async fn other_origins_are_refused_in_words_and_same_origin_passes() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("t.db"));
    config.allowed_origins = vec!["http://blog.example".into()];
    let server = TestServer::start(config).await;
    let thread = server.url("/api/v1/threads/t/comments");

    let refused = server
        .client
        .post(&thread)
        .header("origin", "http://evil.example")
        .json(&comment("Eve", "spam", "k1"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "http://evil.example",
        "the widget must be able to read the refusal"
    );
    let body = error_body(refused).await;
    assert!(
        body.message.contains("http://evil.example"),
        "{}",
        body.message
    );
    assert!(body.message.contains("not allowed"));

    let own_origin = server.base.clone();
    let same = server
        .client
        .post(&thread)
        .header("origin", own_origin)
        .json(&comment("Ada", "hello", "k2"))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::CREATED);
    let listed = server
        .client
        .post(&thread)
        .header("origin", "http://blog.example")
        .json(&comment("Bob", "hi", "k3"))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.status(), StatusCode::CREATED);
    let page = server.thread("t").await;
    let authors: Vec<&str> = page.comments.iter().map(|c| c.author.as_str()).collect();
    assert_eq!(authors, vec!["Ada", "Bob"]);
    server.stop().await;
}

#[tokio::test]
async fn assets_are_compressed_shared_and_cached_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .cycle()
        .take(8_000)
        .collect();
    fake_widget(dir.path(), &"/* loader */ ".repeat(200), &wasm);
    let server = TestServer::in_folder(dir.path()).await;
    let get = |path: &'static str| {
        server
            .client
            .get(server.url(path))
            .header("accept-encoding", "gzip")
            .header("origin", "http://elsewhere.example")
            .send()
    };
    let wasm_response = get("/colloquy_bg.wasm?v=abc123").await.unwrap();
    assert_eq!(wasm_response.headers()["content-type"], "application/wasm");
    assert_eq!(wasm_response.headers()["content-encoding"], "gzip");
    assert_eq!(wasm_response.headers()["access-control-allow-origin"], "*");
    assert_eq!(
        wasm_response.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let compressed = wasm_response.bytes().await.unwrap();
    assert!(
        compressed.len() < wasm.len() / 4,
        "{} bytes",
        compressed.len()
    );

    let loader = get("/embed.js").await.unwrap();
    assert_eq!(loader.headers()["cache-control"], "public, max-age=300");
    let page = get("/").await.unwrap();
    assert_eq!(page.headers()["cache-control"], "no-cache");
    server.stop().await;
}

#[tokio::test]
async fn sort_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    for sort in ["oldest", "newest", "top"] {
        let url = server.url(&format!("/api/v1/threads/t/comments?sort={sort}"));
        assert_eq!(
            server.client.get(url).send().await.unwrap().status(),
            StatusCode::OK
        );
    }
    let bad = server
        .client
        .get(server.url("/api/v1/threads/t/comments?sort=best"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(error_body(bad).await.message.contains("oldest"));
    server.stop().await;
}

#[tokio::test]
async fn a_client_over_its_posting_limit_is_told_when_to_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("t.db"));
    config.posts_per_minute = 5;
    let server = TestServer::start(config).await;
    for n in 0..5 {
        server
            .create("t", comment("Ada", &format!("post {n}"), &format!("k{n}")))
            .await;
    }
    let refused = server.post("t", comment("Ada", "post 6", "k6")).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body = error_body(refused).await;
    assert!(
        body.message.contains(&format!("{wait} seconds")),
        "{}",
        body.message
    );
    assert_eq!(server.thread("t").await.total, 5);
    // Reading is not limited.
    for _ in 0..50 {
        assert_eq!(server.thread("t").await.total, 5);
    }
    server.stop().await;
}

#[tokio::test]
async fn a_filled_honeypot_is_dropped_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let mut bot = comment("Bot", "Buy now", "k1");
    bot["honeypot"] = json!("http://spam.example");
    let answer = server.create("t", bot).await;
    assert_eq!(answer.comment.body, "Buy now");
    assert_eq!(server.thread("t").await.total, 0, "nothing was stored");
    server.stop().await;
}

#[tokio::test]
async fn the_same_body_twice_in_ten_minutes_is_a_conflict() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    server.create("t", comment("Ada", "Same words", "k1")).await;
    let again = server.post("t", comment("Ada", "Same words", "k2")).await;
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(error_body(again).await.message.contains("already posted"));
    // A retry of the first submission is still a replay, and another thread is free.
    let replay = server.post("t", comment("Ada", "Same words", "k1")).await;
    assert_eq!(replay.status(), StatusCode::OK);
    server.create("u", comment("Ada", "Same words", "k3")).await;
    assert_eq!(server.thread("t").await.total, 1);
    server.stop().await;
}

impl TestServer {
    async fn edit(&self, id: &str, token: &str, body: &str) -> reqwest::Response {
        self.client
            .patch(self.url(&format!("/api/v1/comments/{id}")))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({ "body": body }))
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn authors_edit_with_their_token_and_nobody_else_can() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::in_folder(dir.path()).await;
    let created = server.create("t", comment("Ada", "Frist!", "k1")).await;
    assert_eq!(server.thread("t").await.comments[0].body, "Frist!");
    let id = created.comment.id.to_string();

    let wrong = server.edit(&id, &"0".repeat(64), "Hijacked").await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    error_body(wrong).await;
    let no_token = server.edit(&id, "", "Hijacked").await;
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let empty = server.edit(&id, &created.edit_token, "   ").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = server.edit("999999", &created.edit_token, "x").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let not_a_number = server.edit("abc", &created.edit_token, "x").await;
    assert_eq!(not_a_number.status(), StatusCode::BAD_REQUEST);
    error_body(not_a_number).await;

    let fixed = server.edit(&id, &created.edit_token, " First! ").await;
    assert_eq!(fixed.status(), StatusCode::OK);
    let fixed: Comment = fixed.json().await.unwrap();
    assert_eq!(fixed.body, "First!");
    assert_eq!(server.thread("t").await.comments[0].body, "First!");
    server.stop().await;
}

#[tokio::test]
async fn the_edit_window_closes() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::for_tests(dir.path().join("t.db"));
    let state = AppState::open(&config).await.unwrap();
    let old = colloquy_core::validation::ValidComment {
        parent_id: None,
        name: "Ada".into(),
        email: None,
        website: None,
        body: "Long ago".into(),
        idempotency_key: "old".into(),
    };
    let token = state.secret.edit_token("t", "old");
    let an_hour_ago = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        - 3_600_000;
    let stored = match state
        .store
        .insert_comment(
            "t",
            &old,
            an_hour_ago,
            &colloquy_server::tokens::token_hash(&token),
            0,
        )
        .await
        .unwrap()
    {
        colloquy_server::storage::Inserted::New(comment) => comment,
        other => panic!("{other:?}"),
    };
    drop(state);
    let server = TestServer::start(config).await;
    let late = server
        .edit(&stored.id.to_string(), &token, "Rewritten")
        .await;
    assert_eq!(late.status(), StatusCode::FORBIDDEN);
    assert!(error_body(late).await.message.contains("edit window"));
    assert_eq!(server.thread("t").await.comments[0].body, "Long ago");
    server.stop().await;
}

/// A tour of every endpoint and every kind of answer (success, replay, each error), after
/// which no response may contain any of the addresses posted.
#[tokio::test]
async fn no_response_ever_contains_an_email_address() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path().join("t.db"));
    config.posts_per_minute = 3;
    config.allowed_origins = vec!["http://blog.example".into()];
    let server = TestServer::start(config).await;
    let created = server.create("t", comment("Ada", "First", "k1")).await;
    let mut reply = comment("Bob", "Reply", "k2");
    reply["parent_id"] = json!(created.comment.id);
    server.create("t", reply).await;
    server.post("t", comment("Ada", "First", "k1")).await; // replay
    server.post("t", comment("Cy", "First", "k9")).await; // 409 or 429
    server.post("t", comment("Dee", "Too fast", "k3")).await; // 429
    server
        .post("t", json!({"email": "eve@private.example"}))
        .await; // 422
    server.post("%3Cx%3E", comment("Eve", "x", "k4")).await; // 400
    server
        .edit(
            &created.comment.id.to_string(),
            &created.edit_token,
            "Edited",
        )
        .await;
    server
        .edit(&created.comment.id.to_string(), "wrong", "Edited")
        .await;
    for path in [
        "/api/v1/config",
        "/api/v1/threads/t/comments",
        "/api/v1/threads/t/comments?sort=top",
        "/api/v1/openapi.json",
        "/api/v1/nope",
        "/",
    ] {
        server.client.get(server.url(path)).send().await.unwrap();
    }
    server
        .client
        .get(server.url("/api/v1/threads/t/comments"))
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    let scanned = server.stop().await;
    assert_eq!(
        scanned, 16,
        "every request of the tour was answered and scanned"
    );
    println!("email scan: {scanned} responses of this tour, and every response of every other server test, hold no posted address");
}
