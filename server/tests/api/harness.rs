//! What every API test stands on: a server on a loopback port over a fresh database (a
//! SQLite file in a temporary folder, or a PostgreSQL database made for the test and
//! dropped after it), a client, and a record of every response it sent.
//!
//! Every test runs on both engines: it is an `async fn(engine: Engine)`, and
//! [`on_both_engines!`] makes a `sqlite::…` and a `postgres::…` test of it. PostgreSQL is
//! reached at `COLLOQUY_TEST_POSTGRES` (an administrator's URL; `cargo xtask test` sets it),
//! by default `postgres://postgres@127.0.0.1:5432/postgres`. When none answers, the
//! PostgreSQL tests fail and say so: they are never skipped.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use colloquy_core::model::{CreatedComment, ErrorBody, ThreadPage};
use colloquy_server::storage::Database;
use colloquy_server::{AppState, Config};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_stream::StreamExt;

/// The domain of every address these tests post. No response may ever contain it.
pub const PRIVATE_DOMAIN: &str = "@private.example";

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    /// Every response this server sent: status, headers and body, as text.
    responses: Arc<Mutex<Vec<String>>>,
}

/// Keeps a copy of each response outside the owner's console, so [`TestServer::stop`] can
/// scan them all for addresses.
async fn record(
    responses: Arc<Mutex<Vec<String>>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    // The owner's console shows owners their readers' addresses: that is what it is for;
    // and a reader's own export, reached through a link mailed to that very address,
    // holds the reader's address. Everything else is scanned.
    let owners = path.starts_with("/api/v1/admin/") || path.starts_with("/admin");
    if owners || path == "/email/privacy/export" {
        return response;
    }
    let (parts, body) = response.into_parts();
    let streaming = parts
        .headers
        .get("content-type")
        .is_some_and(|value| value.as_bytes().starts_with(b"text/event-stream"));
    if streaming {
        // An event stream never ends: record each piece as it passes instead.
        let status = parts.status;
        let frames = body.into_data_stream().map(move |frame| {
            if let Ok(bytes) = &frame {
                responses.lock().unwrap().push(format!(
                    "{status} (event stream)\n{}",
                    String::from_utf8_lossy(bytes)
                ));
            }
            frame
        });
        return axum::response::Response::from_parts(parts, axum::body::Body::from_stream(frames));
    }
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
    pub async fn start(config: Config) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = AppState::open_at(&config, base.clone())
            .await
            .expect("open the store");
        let (stop, stopped) = oneshot::channel::<()>();
        let responses: Arc<Mutex<Vec<String>>> = Arc::default();
        let recorded = responses.clone();
        let app = colloquy_server::http::router(state.clone()).layer(axum::middleware::from_fn(
            move |request, next| record(recorded.clone(), request, next),
        ));
        let task = tokio::spawn(async move {
            colloquy_server::serve_app(listener, app, &state, async {
                stopped.await.ok();
            })
            .await
        });
        Self {
            base,
            stop: Some(stop),
            task,
            client: reqwest::Client::new(),
            responses,
        }
    }

    /// A server with the test defaults on `place`.
    pub async fn on(place: &Place) -> Self {
        Self::start(place.config()).await
    }

    /// Stops the server, then checks that none of its responses gave away an address.
    /// Returns how many responses (and pieces of event streams) were scanned.
    pub async fn stop(mut self) -> usize {
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

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, thread: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(&format!("/api/v1/threads/{thread}/comments")))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Posts a comment that must be stored, and returns what the server answered.
    pub async fn create(&self, thread: &str, body: Value) -> CreatedComment {
        let response = self.post(thread, body).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        response.json().await.unwrap()
    }

    pub async fn thread(&self, thread: &str) -> ThreadPage {
        let response = self
            .get(&format!("/api/v1/threads/{thread}/comments"))
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn edit(&self, id: &str, token: &str, body: &str) -> reqwest::Response {
        self.client
            .patch(self.url(&format!("/api/v1/comments/{id}")))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({ "body": body }))
            .send()
            .await
            .unwrap()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server the tests use, as an administrator who may create databases.
fn postgres_admin_url() -> String {
    std::env::var("COLLOQUY_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// One test's ground: a temporary folder (for `dist/` and a SQLite file) and its database.
/// A PostgreSQL database is created for it and dropped when it is dropped.
pub struct Place {
    pub dir: tempfile::TempDir,
    pub database: Database,
    postgres_name: Option<String>,
}

impl Place {
    pub async fn new(engine: Engine) -> Place {
        static MADE: AtomicUsize = AtomicUsize::new(0);
        let dir = tempfile::tempdir().unwrap();
        let (database, postgres_name) = match engine {
            Engine::Sqlite => (Database::Sqlite(dir.path().join("test.db")), None),
            Engine::Postgres => {
                let name = format!(
                    "colloquy_test_{}_{}",
                    std::process::id(),
                    MADE.fetch_add(1, Ordering::SeqCst)
                );
                let admin = postgres_admin_url();
                let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL does not answer at {admin} ({e}); `cargo xtask test` installs and starts it, or set COLLOQUY_TEST_POSTGRES")
                });
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut connection)
                    .await
                    .unwrap();
                connection.close().await.ok();
                let url = match admin.rsplit_once('/') {
                    Some((server, _)) => format!("{server}/{name}"),
                    None => panic!("COLLOQUY_TEST_POSTGRES names no database: {admin}"),
                };
                (Database::Postgres(url), Some(name))
            }
        };
        Place {
            dir,
            database,
            postgres_name,
        }
    }

    /// The test configuration (no posting limit, port 0) on this place.
    pub fn config(&self) -> Config {
        let mut config = Config::for_tests(self.database.clone());
        config.assets = Some(self.dir.path().join("dist"));
        config
    }

    pub fn folder(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let Some(name) = self.postgres_name.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread of its
        // own with a small runtime drops the database.
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                if let Ok(mut connection) = sqlx::PgConnection::connect(&postgres_admin_url()).await
                {
                    let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    if let Err(error) = sqlx::query(&drop).execute(&mut connection).await {
                        eprintln!("could not drop the test database {name}: {error}");
                    }
                }
            });
        })
        .join()
        .ok();
    }
}

/// Makes a `sqlite::name` and a `postgres::name` test of each `async fn name(Engine)`.
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::harness::Engine::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name($crate::harness::Engine::Postgres).await
                }
            )*
        }
    };
}
pub(crate) use on_both_engines;

/// A stand-in for the built widget in `folder/dist`: the page, the loader and the wasm.
pub fn fake_widget(folder: &Path, loader: &str, wasm: &[u8]) {
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

/// A valid new comment whose address is in [`PRIVATE_DOMAIN`].
pub fn comment(name: &str, body: &str, key: &str) -> Value {
    json!({
        "name": name,
        "email": format!("{}{PRIVATE_DOMAIN}", name.to_lowercase()),
        "website": "",
        "body": body,
        "idempotency_key": key,
    })
}

/// The body of an error answer, checked to be JSON with a readable message.
pub async fn error_body(response: reqwest::Response) -> ErrorBody {
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

/// The `(field, code)` pairs of a `422`, as the wire names them.
pub fn field_codes(body: &ErrorBody) -> Vec<(String, String)> {
    body.errors
        .iter()
        .map(|error| {
            let value = serde_json::to_value(error).unwrap();
            (
                value["field"].as_str().unwrap().to_owned(),
                value["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// A reader of one server-sent event stream.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

/// One event as it came over the wire.
#[derive(Debug)]
pub struct WireEvent {
    pub id: Option<String>,
    pub name: Option<String>,
    pub data: String,
}

impl EventStream {
    /// Opens `path` (under the server) as an event stream; `last_event_id` is sent as the
    /// browser sends it when it reconnects.
    pub async fn open(server: &TestServer, path: &str, last_event_id: Option<&str>) -> Self {
        let mut request = server.client.get(server.url(path));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        EventStream {
            response,
            buffer: String::new(),
        }
    }

    /// The next block (event or comment) within `timeout`, or None when none came.
    pub async fn next_block(&mut self, timeout: std::time::Duration) -> Option<String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block = self.buffer[..end].to_owned();
                self.buffer.drain(..end + 2);
                return Some(block);
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .ok()?
                .unwrap()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next event with data within `timeout` (skipping keep-alive comments and the
    /// `retry` line), or None.
    pub async fn next_event(&mut self, timeout: std::time::Duration) -> Option<WireEvent> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let block = self.next_block(left).await?;
            let mut event = WireEvent {
                id: None,
                name: None,
                data: String::new(),
            };
            for line in block.lines() {
                if let Some(id) = line.strip_prefix("id:") {
                    event.id = Some(id.trim().to_owned());
                } else if let Some(name) = line.strip_prefix("event:") {
                    event.name = Some(name.trim().to_owned());
                } else if let Some(data) = line.strip_prefix("data:") {
                    event.data.push_str(data.trim_start());
                }
            }
            if !event.data.is_empty() {
                return Some(event);
            }
        }
    }
}
