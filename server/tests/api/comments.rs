//! Posting and listing comments: the rules, replies, retries, thread keys, restarts.

use colloquy_core::model::{CreatedComment, PublicConfig, ThreadPage};
use colloquy_core::rules::FormRules;
use colloquy_core::validation::{ErrorCode, Field};
use colloquy_server::storage::ThreadRef;
use colloquy_server::AppState;
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{
    comment, error_body, field_codes, on_both_engines, Engine, Place, TestServer,
};

async fn config_publishes_the_rules_and_the_edit_window(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.email_required = false;
    config.body_max_chars = 500;
    let server = TestServer::start(config).await;
    let text = server.get("/api/v1/config").await.text().await.unwrap();
    let published: PublicConfig = serde_json::from_str(&text).unwrap();
    let mut expected = FormRules::default();
    expected.email.required = false;
    expected.body.max_len = 500;
    assert_eq!(published.rules, expected);
    assert_eq!(published.edit_window_secs, 15 * 60);
    assert!(
        !text.contains("moderation"),
        "no claim about a feature that does not exist: {text}"
    );
    server.stop().await;
}

async fn a_posted_comment_is_listed_in_its_thread_only(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    assert_eq!(server.thread("post-1").await.total, 0);

    let created = server
        .create("post-1", comment("Ada", "Hello *world*", "k1"))
        .await;
    assert_eq!(created.comment.author, "Ada");
    // Readers get the parsed content, not the source.
    assert_eq!(
        serde_json::to_value(&created.comment.content).unwrap(),
        json!([["p", "Hello ", ["em", "world"]]])
    );
    assert!(created.comment.body.is_empty());
    assert_eq!(created.edit_token.len(), 64);

    let page: ThreadPage = server.thread("post-1").await;
    assert_eq!(page.total, 1);
    assert_eq!(page.comments, vec![created.comment]);
    assert_eq!(
        server.thread("post-2").await.total,
        0,
        "threads are separate"
    );
    server.stop().await;
}

async fn invalid_comments_get_every_field_error_and_store_nothing(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let response = server
        .post(
            "post",
            json!({"name": "  ", "email": "not-an-address", "website": "javascript:alert(1)", "body": "", "idempotency_key": "k"}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let expected: Vec<(String, String)> = [
        ("name", "required"),
        ("email", "invalid_email"),
        ("website", "invalid_url"),
        ("body", "required"),
    ]
    .iter()
    .map(|(f, c)| (f.to_string(), c.to_string()))
    .collect();
    assert_eq!(field_codes(&error_body(response).await), expected);

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

/// The API accepts what it emits: answers carry `"website": null`, so a post may too.
async fn null_fields_count_as_absent(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.email_required = false;
    let server = TestServer::start(config).await;
    let created = server
        .create(
            "t",
            json!({"name": "Ada", "email": null, "website": null, "body": "Hi", "idempotency_key": "k1", "honeypot": null}),
        )
        .await;
    assert_eq!(created.comment.website, None);
    assert_eq!(server.thread("t").await.total, 1);

    let nameless = server
        .post(
            "t",
            json!({"name": null, "body": "Hello", "idempotency_key": "k2"}),
        )
        .await;
    assert_eq!(nameless.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&error_body(nameless).await),
        vec![("name".to_owned(), "required".to_owned())]
    );
    let edit = server
        .client
        .patch(server.url(&format!("/api/v1/comments/{}", created.comment.id)))
        .header("authorization", format!("Bearer {}", created.edit_token))
        .json(&json!({ "body": null }))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), StatusCode::UNPROCESSABLE_ENTITY);
    server.stop().await;
}

/// The server answers in the reader's language (the widget sends its own as
/// `Accept-Language`), English when it has no catalog for it.
async fn errors_come_in_the_readers_language(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let post_in = |language: &'static str| {
        server
            .client
            .post(server.url("/api/v1/threads/t/comments"))
            .header("accept-language", language)
            .json(&json!({"name": "", "email": "a@private.example", "body": "x", "idempotency_key": "k"}))
            .send()
    };
    let rules = FormRules::default();
    for (header, tag) in [
        ("de-AT, de;q=0.9", "de"),
        ("ar", "ar"),
        ("tlh", "en"),
        ("zh-TW", "zh-Hant"),
    ] {
        let answer = error_body(post_in(header).await.unwrap()).await;
        let words = colloquy_server::words::catalog(tag);
        assert_eq!(answer.message, words.api.fields_need_attention, "{header}");
        assert_eq!(
            answer.errors[0].message,
            words.field_error(Field::Name, ErrorCode::Required, &rules),
            "{header}"
        );
    }
    assert_ne!(
        colloquy_server::words::catalog("de")
            .api
            .fields_need_attention,
        colloquy_server::words::catalog("en")
            .api
            .fields_need_attention,
        "German is not English"
    );
    server.stop().await;
}

async fn replies_need_a_parent_in_the_same_thread(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let parent: CreatedComment = server.create("a", comment("Ada", "first", "k1")).await;

    let mut reply = comment("Bob", "reply", "k2");
    reply["parent_id"] = json!(parent.comment.id);
    let created = server.create("a", reply.clone()).await;
    assert_eq!(created.comment.parent_id, Some(parent.comment.id));

    let elsewhere = server.post("b", reply).await;
    assert_eq!(elsewhere.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        field_codes(&error_body(elsewhere).await),
        vec![("parent_id".to_owned(), "unknown_parent".to_owned())]
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

/// A retry with the same idempotency key gets the first comment and the same token back
/// (`200`), before and after a restart: the comment and the installation secret are both
/// on disk.
async fn a_retry_returns_the_first_comment_even_after_a_restart(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let created = server.create("t", comment("Ada", "kept", "same-key")).await;
    let again = server.post("t", comment("Ada", "kept", "same-key")).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(again.json::<CreatedComment>().await.unwrap(), created);
    server.stop().await;

    let server = TestServer::on(&place).await;
    assert_eq!(
        server.thread("t").await.comments,
        vec![created.comment.clone()]
    );
    let replay = server.post("t", comment("Ada", "kept", "same-key")).await;
    assert_eq!(
        replay.status(),
        StatusCode::OK,
        "a replay, not a new comment"
    );
    assert_eq!(replay.json::<CreatedComment>().await.unwrap(), created);
    assert_eq!(server.thread("t").await.total, 1);
    server.stop().await;
}

async fn malformed_requests_get_clear_json_4xx_and_change_nothing(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
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
        let response = server.get(&format!("/api/v1/threads/{key}/comments")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{key}");
        error_body(response).await;
        let posted = server.post(key, comment("Ada", "x", "k")).await;
        assert_eq!(posted.status(), StatusCode::BAD_REQUEST, "{key}");
    }

    for sort in ["oldest", "newest", "top"] {
        let listed = server
            .get(&format!("/api/v1/threads/t/comments?sort={sort}"))
            .await;
        assert_eq!(listed.status(), StatusCode::OK, "{sort}");
    }
    let bad_sort = server.get("/api/v1/threads/t/comments?sort=best").await;
    assert_eq!(bad_sort.status(), StatusCode::BAD_REQUEST);
    assert!(error_body(bad_sort).await.message.contains("oldest"));

    let unknown = server.get("/api/v1/nope").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    error_body(unknown).await;
    assert_eq!(server.thread("t").await.total, 0);
    server.stop().await;
}

async fn percent_encoded_paths_are_thread_keys(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    server
        .create("%2Fblog%2Fpost%2F", comment("Ada", "x", "k"))
        .await;
    let page = server.thread("%2Fblog%2Fpost%2F").await;
    assert_eq!(page.thread, "/blog/post/");
    assert_eq!(page.total, 1);
    server.stop().await;
}

async fn the_demo_thread_is_seeded_once(engine: Engine) {
    let place = Place::new(engine).await;
    let config = place.config();
    let state = AppState::open(&config).await.unwrap();
    colloquy_server::demo::seed(&state).await.unwrap();
    colloquy_server::demo::seed(&state).await.unwrap();
    let comments = state
        .store
        .thread_comments(&ThreadRef::default_site(colloquy_server::demo::DEMO_THREAD))
        .await
        .unwrap();
    assert_eq!(comments.len(), colloquy_server::demo::SEED_COUNT);
    let entries = colloquy_core::tree::build_reply_tree(&comments);
    assert!(entries.iter().any(|entry| entry.depth >= 3), "{entries:?}");
}

on_both_engines!(
    errors_come_in_the_readers_language,
    config_publishes_the_rules_and_the_edit_window,
    a_posted_comment_is_listed_in_its_thread_only,
    invalid_comments_get_every_field_error_and_store_nothing,
    null_fields_count_as_absent,
    replies_need_a_parent_in_the_same_thread,
    a_retry_returns_the_first_comment_even_after_a_restart,
    malformed_requests_get_clear_json_4xx_and_change_nothing,
    percent_encoded_paths_are_thread_keys,
    the_demo_thread_is_seeded_once,
);
