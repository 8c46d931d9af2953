//! `GET /threads/{key}/events`: live events, resumed without gaps or repeats.

use std::time::Duration;

use colloquy_core::model::{CommentEvent, EventKind};
use reqwest::StatusCode;

use crate::harness::{
    comment, error_body, on_both_engines, Engine, EventStream, Place, TestServer, WireEvent,
};

const SOON: Duration = Duration::from_secs(2);

fn parse(event: &WireEvent) -> (i64, CommentEvent) {
    assert_eq!(event.name.as_deref(), Some("comment"));
    let id = event.id.as_deref().unwrap().parse().unwrap();
    (id, serde_json::from_str(&event.data).unwrap())
}

async fn new_comments_and_edits_arrive_live_and_resume_without_gaps(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let first = server
        .create("t", comment("Ada", "Before anyone listened", "k0"))
        .await;
    let page = server.thread("t").await;
    assert!(page.last_event_id > 0);

    // From the page on: nothing old is replayed, what is new arrives.
    let mut stream = EventStream::open(
        &server,
        &format!("/api/v1/threads/t/events?after={}", page.last_event_id),
        None,
    )
    .await;
    let second = server
        .create("t", comment("Bob", "Hello, live", "k1"))
        .await;
    let (second_id, event) = parse(&stream.next_event(SOON).await.expect("the new comment"));
    assert_eq!(event.kind, EventKind::Created);
    assert_eq!(event.comment, second.comment);
    let edited = server
        .edit(
            &first.comment.id.to_string(),
            &first.edit_token,
            "Edited live",
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let (edit_id, event) = parse(&stream.next_event(SOON).await.expect("the edit"));
    assert!(edit_id > second_id);
    assert_eq!(event.kind, EventKind::Edited);
    assert_eq!(event.comment.text(), "Edited live");
    assert!(
        event.comment.body.is_empty(),
        "readers get the content, not the source"
    );
    // Another thread's news is not sent here.
    server.create("u", comment("Cy", "Elsewhere", "k2")).await;
    drop(stream);

    // Missed while away, then resumed with Last-Event-ID as a browser does: exactly what
    // came after, once, in order.
    let third = server
        .create("t", comment("Dee", "While you were away", "k3"))
        .await;
    let mut resumed = EventStream::open(
        &server,
        "/api/v1/threads/t/events",
        Some(&edit_id.to_string()),
    )
    .await;
    let (third_id, event) = parse(&resumed.next_event(SOON).await.expect("the missed one"));
    assert!(third_id > edit_id);
    assert_eq!(event.comment, third.comment);
    assert!(
        resumed
            .next_event(Duration::from_millis(300))
            .await
            .is_none(),
        "nothing else, and nothing twice"
    );

    // From the start: the whole history of the thread, in order.
    let mut all = EventStream::open(&server, "/api/v1/threads/t/events?after=0", None).await;
    let mut ids = Vec::new();
    while let Some(event) = all.next_event(Duration::from_millis(300)).await {
        ids.push(parse(&event).0);
    }
    assert_eq!(ids.len(), 4, "{ids:?}");
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");
    drop((resumed, all));
    server.stop().await;
}

async fn streams_are_bounded_kept_alive_and_checked(engine: Engine) {
    let place = Place::new(engine).await;
    let mut config = place.config();
    config.max_subscribers = 1;
    config.heartbeat_secs = 1;
    let server = TestServer::start(config).await;
    let mut stream = EventStream::open(&server, "/api/v1/threads/t/events", None).await;
    let full = server.get("/api/v1/threads/t/events").await;
    assert_eq!(full.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(error_body(full).await.message.contains("live"));

    // An idle stream carries comment lines, which proxies and browsers count as traffic.
    let mut heartbeat = false;
    while let Some(block) = stream.next_block(Duration::from_secs(3)).await {
        if block.starts_with(':') {
            heartbeat = true;
            break;
        }
    }
    assert!(heartbeat, "no keep-alive line within three seconds");
    drop(stream);

    // Its place is free again once the reader has gone.
    let deadline = tokio::time::Instant::now() + SOON;
    let open = loop {
        let again = server.get("/api/v1/threads/t/events").await;
        if again.status() == StatusCode::OK {
            break again;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the place was never freed"
        );
        tokio::task::yield_now().await;
    };
    for bad in ["-1", "x", "1.5"] {
        let response = server
            .get(&format!("/api/v1/threads/u/events?after={bad}"))
            .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{bad}");
        error_body(response).await;
    }
    // Stopping the server ends open streams instead of waiting for them.
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("shutdown finished with a stream open");
    drop(open);
}

on_both_engines!(
    new_comments_and_edits_arrive_live_and_resume_without_gaps,
    streams_are_bounded_kept_alive_and_checked,
);
