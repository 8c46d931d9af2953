//! Several sites on one server: each keeps its threads, settings and owners, requests are
//! attributed by their `Origin`, and the data from before sites existed lives in the
//! default site.

use colloquy_core::model::ThreadPage;
use colloquy_server::storage::{self, Database, ThreadRef, DEFAULT_SITE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use sqlx::migrate::Migrator;

use crate::console::{add_owner, admin, sign_in};
use crate::harness::{comment, on_both_engines, Engine, Place, TestServer};

async fn page_from(server: &TestServer, origin: Option<&str>, query: &str) -> reqwest::Response {
    let mut request = server
        .client
        .get(server.url(&format!("/api/v1/threads/%2F/comments{query}")));
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    request.send().await.unwrap()
}

async fn post_from(server: &TestServer, origin: &str, body: &str, key: &str) -> StatusCode {
    server
        .client
        .post(server.url("/api/v1/threads/%2F/comments"))
        .header("origin", origin)
        .json(&comment("Ada", body, key))
        .send()
        .await
        .unwrap()
        .status()
}

async fn a_second_site_keeps_its_threads_apart(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.allowed_origins = vec!["http://first.example".into()];
    let store = storage::open(&place.database).await.unwrap();
    let second = store
        .add_site("second.example", &["http://second.example".into()])
        .await
        .unwrap();
    assert!(
        store
            .add_site("third.example", &["http://second.example".into()])
            .await
            .is_err(),
        "an origin belongs to one site"
    );
    add_owner(&place.database, second, "owner@second.example", "Sam").await;
    let server = TestServer::start(config).await;

    assert_eq!(
        post_from(&server, "http://first.example", "On the first", "k1").await,
        StatusCode::CREATED
    );
    // The same idempotency key on another site is another comment.
    assert_eq!(
        post_from(&server, "http://second.example", "On the second", "k1").await,
        StatusCode::CREATED
    );
    let bodies =
        |page: ThreadPage| -> Vec<String> { page.comments.iter().map(|c| c.text()).collect() };
    let first: ThreadPage = page_from(&server, Some("http://first.example"), "")
        .await
        .json()
        .await
        .unwrap();
    let second_page: ThreadPage = page_from(&server, Some("http://second.example"), "")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bodies(first), ["On the first"]);
    assert_eq!(bodies(second_page), ["On the second"]);
    // Without Origin (a feed reader, a script): the default site, or the one named.
    let named: ThreadPage = page_from(&server, None, "?site=second.example")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(bodies(named), ["On the second"]);
    let own: ThreadPage = page_from(&server, None, "").await.json().await.unwrap();
    assert_eq!(bodies(own), ["On the first"]);
    let unknown = page_from(&server, None, "?site=nowhere").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let stranger = page_from(&server, Some("http://third.example"), "").await;
    assert_eq!(stranger.status(), StatusCode::FORBIDDEN);

    // The second site's owner sees and changes only the second site.
    let cookie = sign_in(&server, "owner@second.example").await;
    let listed: Vec<Value> = admin(
        &server,
        &cookie,
        Method::GET,
        "/api/v1/admin/comments",
        None,
    )
    .await
    .json()
    .await
    .unwrap();
    let bodies: Vec<&str> = listed.iter().map(|c| c["body"].as_str().unwrap()).collect();
    assert_eq!(bodies, ["On the second"]);
    let locked = admin(
        &server,
        &cookie,
        Method::PUT,
        "/api/v1/admin/threads/%2F/lock",
        Some(json!({ "locked": true })),
    )
    .await;
    assert_eq!(locked.status(), StatusCode::OK);
    assert_eq!(
        post_from(&server, "http://second.example", "Closed here", "k2").await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        post_from(&server, "http://first.example", "Open here", "k2").await,
        StatusCode::CREATED
    );
    server.stop().await;
}

/// A database made by the release before sites (its migrations only, with a comment, an
/// event and a title in it) opens with everything in the default site.
async fn existing_data_moves_into_the_default_site(engine: Engine) {
    let place = Place::new(engine).await;
    let engine_folder = match place.database {
        Database::Sqlite(_) => "sqlite",
        Database::Postgres(_) => "postgres",
    };
    let before = place.folder().join("migrations-before-sites");
    std::fs::create_dir(&before).unwrap();
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine_folder);
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "20261127" {
            std::fs::copy(&path, before.join(&name)).unwrap();
        }
    }
    let migrator = Migrator::new(before.as_path()).await.unwrap();
    // A comment, its event and its thread's title, as that release wrote them.
    let rows = [
        "INSERT INTO comments (thread_key, parent_id, author, email, website, body, \
         created_at_ms, edit_token_hash, idempotency_key) \
         VALUES ('/old', NULL, 'Ada', 'ada@private.example', NULL, 'From before', 0, 'h', 'old-key')",
        "INSERT INTO events (thread_key, kind, comment_id, created_at_ms) \
         VALUES ('/old', 'created', 1, 0)",
        "INSERT INTO threads (key, title) VALUES ('/old', 'An old post')",
    ];
    match &place.database {
        Database::Sqlite(path) => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true);
            let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
            migrator.run(&pool).await.unwrap();
            for row in rows {
                sqlx::query(row).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
        Database::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            for row in rows {
                sqlx::query(row).execute(&pool).await.unwrap();
            }
            pool.close().await;
        }
    }
    let store = storage::open(&place.database).await.unwrap();
    let old = ThreadRef::new(DEFAULT_SITE, "/old");
    let comments = store.thread_comments(&old).await.unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].body, "From before");
    assert_eq!(
        store.thread_title(&old).await.unwrap().as_deref(),
        Some("An old post")
    );
    assert_eq!(store.latest_event_id(&old).await.unwrap(), 1);
    let sites = store.sites().await.unwrap();
    assert_eq!(sites.len(), 1);
    assert_eq!(
        (sites[0].id, sites[0].name.as_str()),
        (DEFAULT_SITE, "default")
    );
    // And the next comment there gets the next id.
    let server = TestServer::on(&place).await;
    let next = server
        .create("%2Fold", comment("Bo", "After", "new-key"))
        .await;
    assert_eq!(next.comment.id, 2);
    server.stop().await;
}

on_both_engines!(
    a_second_site_keeps_its_threads_apart,
    existing_data_moves_into_the_default_site,
);
