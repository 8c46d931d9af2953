//! What keeps floods out: the posting limit, the honeypot, the duplicate check.

use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{comment, error_body, on_both_engines, Engine, Place, TestServer};

async fn a_client_over_its_posting_limit_is_told_when_to_come_back(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
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
        body.message
            .contains(&format!("Try again in {wait} second")),
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

/// Behind a trusted proxy the limit counts the address the proxy forwarded; from anyone
/// else the header is ignored.
async fn a_trusted_proxy_names_the_client(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.posts_per_minute = 2;
    config.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    let server = TestServer::start(config).await;
    let post_as = |client: &'static str, key: String| {
        server
            .client
            .post(server.url("/api/v1/threads/t/comments"))
            .header("x-forwarded-for", format!("203.0.113.50, {client}"))
            .json(&comment("Ada", &format!("post {key}"), &key))
            .send()
    };
    for n in 0..2 {
        let response = post_as("198.51.100.1", format!("a{n}")).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let third = post_as("198.51.100.1", "a2".into()).await.unwrap();
    assert_eq!(third.status(), StatusCode::TOO_MANY_REQUESTS);
    let other = post_as("198.51.100.2", "b0".into()).await.unwrap();
    assert_eq!(
        other.status(),
        StatusCode::CREATED,
        "another reader is not held back"
    );
    server.stop().await;

    // Without --trusted-proxy the same header buys nothing: one address, one limit.
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.posts_per_minute = 2;
    let server = TestServer::start(config).await;
    let mut statuses = Vec::new();
    for (n, client) in ["198.51.100.1", "198.51.100.2", "198.51.100.3"]
        .iter()
        .enumerate()
    {
        let response = server
            .client
            .post(server.url("/api/v1/threads/t/comments"))
            .header("x-forwarded-for", *client)
            .json(&comment("Ada", &format!("spoof {n}"), &format!("s{n}")))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
    }
    assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");
    server.stop().await;
}

async fn a_filled_honeypot_is_dropped_quietly(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let mut bot = comment("Bot", "Buy now", "k1");
    bot["honeypot"] = json!("http://spam.example");
    let answer = server.create("t", bot).await;
    assert_eq!(answer.comment.text(), "Buy now");
    assert_eq!(server.thread("t").await.total, 0, "nothing was stored");
    server.stop().await;
}

async fn the_same_body_twice_in_ten_minutes_is_a_conflict(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
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

on_both_engines!(
    a_trusted_proxy_names_the_client,
    a_client_over_its_posting_limit_is_told_when_to_come_back,
    a_filled_honeypot_is_dropped_quietly,
    the_same_body_twice_in_ten_minutes_is_a_conflict,
);
