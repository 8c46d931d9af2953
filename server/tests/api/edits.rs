//! `PATCH /comments/{id}`: authors correct their comments with their token, in the window.

use colloquy_core::model::Comment;
use colloquy_core::validation::ValidComment;
use colloquy_server::storage::{Inserted, Provenance, ThreadRef};
use colloquy_server::tokens::token_hash;
use colloquy_server::AppState;
use reqwest::StatusCode;

use crate::harness::{comment, error_body, on_both_engines, Engine, Place, TestServer};

async fn authors_edit_with_their_token_and_nobody_else_can(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let created = server.create("t", comment("Ada", "Frist!", "k1")).await;
    assert_eq!(server.thread("t").await.comments[0].text(), "Frist!");
    let id = created.comment.id.to_string();

    let wrong = server.edit(&id, &"0".repeat(64), "Hijacked").await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    error_body(wrong).await;
    let no_token = server.edit(&id, "", "Hijacked").await;
    assert_eq!(no_token.status(), StatusCode::FORBIDDEN);
    let no_header = server
        .client
        .patch(server.url(&format!("/api/v1/comments/{id}")))
        .json(&serde_json::json!({ "body": "Hijacked" }))
        .send()
        .await
        .unwrap();
    assert_eq!(no_header.status(), StatusCode::FORBIDDEN);
    let empty = server.edit(&id, &created.edit_token, "   ").await;
    assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = server.edit("999999", &created.edit_token, "x").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let not_a_number = server.edit("abc", &created.edit_token, "x").await;
    assert_eq!(not_a_number.status(), StatusCode::BAD_REQUEST);
    error_body(not_a_number).await;
    assert_eq!(server.thread("t").await.comments[0].text(), "Frist!");

    let fixed = server.edit(&id, &created.edit_token, " First! ").await;
    assert_eq!(fixed.status(), StatusCode::OK);
    let fixed: Comment = fixed.json().await.unwrap();
    assert_eq!(fixed.text(), "First!");
    assert_eq!(server.thread("t").await.comments[0].text(), "First!");
    server.stop().await;
}

async fn the_edit_window_closes(engine: Engine) {
    let place = Place::new(engine).await;
    let config = place.config();
    let state = AppState::open(&config).await.unwrap();
    let old = ValidComment {
        parent_id: None,
        name: "Ada".into(),
        email: None,
        website: None,
        body: "Long ago".into(),
        idempotency_key: "old".into(),
    };
    let token = state.secret.edit_token("t", "old");
    let an_hour_ago = colloquy_server::clock::now_ms() - 3_600_000;
    let stored = match state
        .store
        .insert_comment(
            &ThreadRef::default_site("t"),
            &old,
            an_hour_ago,
            &token_hash(&token),
            None,
            &Provenance::published(),
        )
        .await
        .unwrap()
    {
        Inserted::New(comment) => comment,
        other => panic!("{other:?}"),
    };
    drop(state);
    let server = TestServer::start(config).await;
    let late = server
        .edit(&stored.id.to_string(), &token, "Rewritten")
        .await;
    assert_eq!(late.status(), StatusCode::FORBIDDEN);
    assert!(error_body(late).await.message.contains("edit window"));
    assert_eq!(server.thread("t").await.comments[0].text(), "Long ago");
    server.stop().await;
}

on_both_engines!(
    authors_edit_with_their_token_and_nobody_else_can,
    the_edit_window_closes,
);
