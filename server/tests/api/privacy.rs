//! What never leaves the server: email addresses, and secrets it cannot trust.

use colloquy_server::storage::{Database, StoreError};
use colloquy_server::AppState;
use serde_json::json;
use sqlx::Connection;

use crate::harness::{comment, on_both_engines, Engine, Place, TestServer, PRIVATE_DOMAIN};

/// A tour of every endpoint and every kind of answer (success, replay, each error), after
/// which no response may contain any of the addresses posted. (Every other test's server
/// is scanned the same way when it stops.)
async fn no_response_ever_contains_an_email_address(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
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
        .post("t", json!({ "email": format!("eve{PRIVATE_DOMAIN}") }))
        .await; // 422
    server.post("%3Cx%3E", comment("Eve", "x", "k4")).await; // 400
    let id = created.comment.id.to_string();
    server.edit(&id, &created.edit_token, "Edited").await;
    server.edit(&id, "wrong", "Edited").await;
    for path in [
        "/api/v1/config",
        "/api/v1/threads/t/comments",
        "/api/v1/threads/t/comments?sort=top",
        "/api/v1/openapi.json",
        "/api/v1/threads/t/feed.atom",
        "/api/v1/feed.atom",
        "/api/v1/nope",
        "/",
    ] {
        server.get(path).await;
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
        scanned, 18,
        "every request of the tour was answered and scanned"
    );
    println!("email scan: {scanned} responses of this tour, and every response of every other server test, hold no posted address");
}

/// A damaged installation secret stops the server with its own error, instead of a
/// misleading "row not found" or tokens from a secret nobody chose.
async fn a_secret_of_the_wrong_length_is_its_own_error(engine: Engine) {
    let place = Place::new(engine).await;
    let config = place.config();
    drop(AppState::open(&config).await.unwrap());
    let damage = "UPDATE server_secret SET secret = x'0102030405'";
    match &config.database {
        Database::Sqlite(path) => {
            let url = format!("sqlite:{}", path.display());
            let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(damage).execute(&mut connection).await.unwrap();
            connection.close().await.unwrap();
        }
        Database::Postgres(url) => {
            let mut connection = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query(&damage.replace("x'", "'\\x"))
                .execute(&mut connection)
                .await
                .unwrap();
            connection.close().await.unwrap();
        }
    }
    match AppState::open(&config).await {
        Err(StoreError::SecretLength(5)) => {}
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a damaged secret was accepted"),
    }
}

on_both_engines!(
    no_response_ever_contains_an_email_address,
    a_secret_of_the_wrong_length_is_its_own_error,
);
