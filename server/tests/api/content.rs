//! Comments reach readers as content trees parsed on the server; `POST /api/v1/preview`
//! parses with the same code; bodies with too much formatting are refused when written and
//! shown as plain text when already stored; thread pages come compressed.

use std::io::Read;

use colloquy_core::markdown::MAX_NODES;
use colloquy_core::validation::ValidComment;
use colloquy_server::storage::{Provenance, ThreadRef};
use colloquy_server::AppState;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::harness::{
    comment, error_body, field_codes, on_both_engines, Engine, Place, TestServer,
};

/// A body over the node limit: every `*a*` is two nodes.
fn too_much_formatting() -> String {
    "*a* ".repeat(MAX_NODES)
}

async fn preview(server: &TestServer, body: Value) -> reqwest::Response {
    server
        .client
        .post(server.url("/api/v1/preview"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn threads_carry_content_and_never_the_source(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let body = "**Bold** and <b>raw</b>\nsee https://example.org/a_(b) or [x](javascript:alert(1))";
    let created = server.create("t", comment("Ada", body, "k1")).await;
    let raw: Value = server
        .get("/api/v1/threads/t/comments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(raw["content_version"], 1);
    let shown = &raw["comments"][0];
    assert!(shown.get("body").is_none(), "{shown}");
    assert_eq!(
        shown["content"],
        json!([[
            "p",
            ["strong", "Bold"],
            " and <b>raw</b>",
            ["br"],
            "see ",
            [
                "a",
                "https://example.org/a_(b)",
                "https://example.org/a_(b)"
            ],
            " or x"
        ]])
    );
    assert_eq!(
        serde_json::to_value(&created.comment.content).unwrap(),
        shown["content"]
    );
    server.stop().await;
}

async fn previews_parse_like_posts_and_are_limited_apart(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.posts_per_minute = 2;
    let server = TestServer::start(config).await;

    let shown = preview(&server, json!({ "body": "**hi** <i>x</i>" })).await;
    assert_eq!(shown.status(), StatusCode::OK);
    let shown: Value = shown.json().await.unwrap();
    assert_eq!(
        shown,
        json!({ "content": [["p", ["strong", "hi"], " <i>x</i>"]], "content_version": 1 })
    );

    for (body, code) in [
        (json!({ "body": "  " }), "required"),
        (json!({}), "required"),
        (json!({ "body": "x".repeat(20_000) }), "too_long"),
        (
            json!({ "body": too_much_formatting() }),
            "too_much_formatting",
        ),
    ] {
        let refused = preview(&server, body).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let answer = error_body(refused).await;
        assert_eq!(
            field_codes(&answer),
            vec![("body".to_owned(), code.to_owned())]
        );
        assert!(!answer.errors[0].message.is_empty());
    }
    let malformed = server
        .client
        .post(server.url("/api/v1/preview"))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);

    // Previews do not count against posting, and have a limit of their own.
    let mut statuses = Vec::new();
    for _ in 0..70 {
        statuses.push(preview(&server, json!({ "body": "again" })).await.status());
    }
    let first_refusal = statuses
        .iter()
        .position(|status| *status == StatusCode::TOO_MANY_REQUESTS)
        .expect("a flood of previews is limited");
    assert!(first_refusal >= 50, "refused after {first_refusal}");
    let refused = preview(&server, json!({ "body": "again" })).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers().contains_key("retry-after"));
    assert!(error_body(refused).await.message.contains("preview"));
    for key in ["k1", "k2"] {
        assert_eq!(
            server.post("t", comment("Ada", key, key)).await.status(),
            StatusCode::CREATED
        );
    }
    assert_eq!(server.thread("t").await.total, 2);
    server.stop().await;
}

async fn too_much_formatting_is_refused_and_stored_bodies_show_as_text(engine: Engine) {
    let place = Place::new(engine).await;
    let config = place.config();
    let server = TestServer::start(config.clone()).await;
    let refused = server
        .post("t", comment("Ada", &too_much_formatting(), "k1"))
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&error_body(refused).await),
        vec![("body".to_owned(), "too_much_formatting".to_owned())]
    );
    assert_eq!(server.thread("t").await.total, 0, "nothing was stored");
    let created = server.create("t", comment("Ada", "fine", "k2")).await;
    let edit = server
        .edit(
            &created.comment.id.to_string(),
            &created.edit_token,
            &too_much_formatting(),
        )
        .await;
    assert_eq!(edit.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(server.thread("t").await.comments[0].text(), "fine");
    server.stop().await;

    // Stored before the limit (an import): shown, as plain text.
    let state = AppState::open(&config).await.unwrap();
    let imported = ValidComment {
        parent_id: None,
        name: "Old".into(),
        email: None,
        website: None,
        body: too_much_formatting(),
        idempotency_key: "old".into(),
    };
    state
        .store
        .insert_comment(
            &ThreadRef::default_site("u"),
            &imported,
            0,
            "x",
            None,
            &Provenance::published(),
        )
        .await
        .unwrap();
    drop(state);
    let server = TestServer::start(config).await;
    let page: Value = server
        .get("/api/v1/threads/u/comments")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["comments"][0]["content"],
        json!([["plain", too_much_formatting()]])
    );
    server.stop().await;
}

async fn thread_pages_are_compressed_for_clients_that_accept_it(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    for n in 0..20 {
        server
            .create(
                "t",
                comment("Ada", &format!("comment number {n}"), &format!("k{n}")),
            )
            .await;
    }
    let fetch = |encoding: &'static str| {
        let request = server
            .client
            .get(server.url("/api/v1/threads/t/comments"))
            .header("accept-encoding", encoding);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let coding = response
                .headers()
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            (coding, response.bytes().await.unwrap().to_vec())
        }
    };
    let (plain_coding, plain) = fetch("identity").await;
    assert_eq!(plain_coding, None);
    // Twice each: built once, then from the cache.
    for _ in 0..2 {
        let (coding, bytes) = fetch("gzip, deflate, br").await;
        assert_eq!(coding.as_deref(), Some("br"));
        assert!(
            bytes.len() < plain.len() / 2,
            "{} of {}",
            bytes.len(),
            plain.len()
        );
        let mut unpacked = Vec::new();
        brotli::Decompressor::new(&bytes[..], 4096)
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, plain);
        let (coding, bytes) = fetch("gzip").await;
        assert_eq!(coding.as_deref(), Some("gzip"));
        let mut unpacked = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut unpacked)
            .unwrap();
        assert_eq!(unpacked, plain);
    }
    // Other JSON answers are compressed too.
    let config = server
        .client
        .get(server.url("/api/v1/config"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(config.headers()["content-encoding"], "gzip");
    server.stop().await;
}

async fn the_contract_describes_content_and_preview(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let document: Value = server
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    assert!(document["paths"]["/api/v1/preview"]["post"].is_object());
    let node = &document["components"]["schemas"]["Node"];
    assert!(node["oneOf"].is_array(), "{node}");
    assert_eq!(
        document["components"]["schemas"]["Comment"]["properties"]["content"]["items"]["$ref"],
        "#/components/schemas/Node"
    );
    server.stop().await;
}

on_both_engines!(
    threads_carry_content_and_never_the_source,
    previews_parse_like_posts_and_are_limited_apart,
    too_much_formatting_is_refused_and_stored_bodies_show_as_text,
    thread_pages_are_compressed_for_clients_that_accept_it,
    the_contract_describes_content_and_preview,
);
