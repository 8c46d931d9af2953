//! What readers do beyond posting: threads in pages with cursors and permalinks, likes
//! (and their live events), deleting their own comment, avatar seeds, and the counts of a listing page.

use std::time::Duration;

use colloquy_core::model::{Comment, CommentEvent, EventKind, LikeState, ThreadCounts, ThreadPage};
use reqwest::StatusCode;
use serde_json::json;

use crate::harness::{
    comment, error_body, on_both_engines, Engine, EventStream, Place, TestServer,
};

async fn page(server: &TestServer, query: &str) -> ThreadPage {
    let answer = server
        .get(&format!("/api/v1/threads/t/comments?{query}"))
        .await;
    assert_eq!(answer.status(), StatusCode::OK, "{query}");
    answer.json().await.unwrap()
}

fn firsts(page: &ThreadPage) -> Vec<String> {
    page.comments
        .iter()
        .filter(|c| c.parent_id.is_none())
        .map(Comment::text)
        .collect()
}

async fn threads_come_in_pages_that_follow_their_cursors(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let mut ids = Vec::new();
    for n in 0..7 {
        let created = server
            .create("t", comment("Ada", &format!("top {n}"), &format!("k{n}")))
            .await;
        ids.push(created.comment.id);
    }
    let mut reply = comment("Ben", "a reply", "r1");
    reply["parent_id"] = json!(ids[5]);
    let reply_id = server.create("t", reply).await.comment.id;

    let first = page(&server, "limit=3").await;
    assert_eq!(firsts(&first), ["top 0", "top 1", "top 2"]);
    assert_eq!(first.total, 8);
    let next = first.next.clone().expect("more pages");
    // A comment arriving meanwhile moves nothing: the next page starts after "top 2".
    server.create("t", comment("Cy", "late", "k-late")).await;
    let second = page(&server, &format!("limit=3&after={next}")).await;
    assert_eq!(firsts(&second), ["top 3", "top 4", "top 5"]);
    assert!(
        second.comments.iter().any(|c| c.text() == "a reply"),
        "replies come along"
    );
    let third = page(&server, &format!("limit=3&after={}", second.next.unwrap())).await;
    assert_eq!(firsts(&third), ["top 6", "late"]);
    assert_eq!(third.next, None);

    let newest = page(&server, "sort=newest&limit=2").await;
    assert_eq!(firsts(&newest), ["late", "top 6"]);
    // A permalink to the reply: every page through the one holding its conversation.
    let around = page(&server, &format!("limit=2&around={reply_id}")).await;
    assert!(around.comments.iter().any(|c| c.text() == "a reply"));
    assert_eq!(firsts(&around).len(), 6);
    assert!(around.next.is_some());

    for bad in [
        "limit=0",
        "limit=201",
        "limit=x",
        "after=nonsense",
        "around=abc",
        &format!("sort=newest&after={next}"),
        &format!("after={next}&around=1"),
    ] {
        let answer = server
            .get(&format!("/api/v1/threads/t/comments?{bad}"))
            .await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        error_body(answer).await;
    }
    let missing = server.get("/api/v1/threads/t/comments?around=999999").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    error_body(missing).await;
    server.stop().await;
}

async fn like(
    server: &TestServer,
    id: i64,
    voter: &str,
    method: reqwest::Method,
) -> reqwest::Response {
    server
        .client
        .request(method, server.url(&format!("/api/v1/comments/{id}/like")))
        .json(&json!({ "voter": voter }))
        .send()
        .await
        .unwrap()
}

async fn one_like_per_reader_and_none_for_the_author(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let author_voter = "author-voter-token-0001";
    let mut posted = comment("Ada", "Like me", "k1");
    posted["voter"] = json!(author_voter);
    let id = server.create("t", posted).await.comment.id;
    let other = server
        .create("t", comment("Ben", "Or me", "k2"))
        .await
        .comment
        .id;

    let reader = "reader-voter-token-0001";
    for _ in 0..2 {
        let liked = like(&server, id, reader, reqwest::Method::POST).await;
        assert_eq!(liked.status(), StatusCode::OK);
        let liked: LikeState = liked.json().await.unwrap();
        assert_eq!(
            (liked.likes, liked.liked),
            (1, true),
            "liking twice counts once"
        );
    }
    like(&server, id, "second-reader-token-01", reqwest::Method::POST).await;
    let own = like(&server, id, author_voter, reqwest::Method::POST).await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    assert!(error_body(own).await.message.contains("own comment"));
    let top = page(&server, "sort=top").await;
    assert_eq!(firsts(&top), ["Like me", "Or me"]);
    assert_eq!(top.comments[0].likes, 2);

    let unliked: LikeState = like(&server, id, reader, reqwest::Method::DELETE)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!((unliked.likes, unliked.liked), (1, false));
    let again: LikeState = like(&server, id, reader, reqwest::Method::DELETE)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.likes, 1, "unliking what is not liked changes nothing");

    for bad in ["short", "has spaces in it okay", &"x".repeat(129)] {
        let answer = like(&server, other, bad, reqwest::Method::POST).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        error_body(answer).await;
    }
    let missing = like(&server, 999_999, reader, reqwest::Method::POST).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The limit: sixty a minute from one client.
    let mut limited = None;
    for n in 0..70 {
        let answer = like(
            &server,
            other,
            &format!("flood-voter-{n:010}"),
            reqwest::Method::POST,
        )
        .await;
        if answer.status() == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(answer);
            break;
        }
    }
    let limited = limited.expect("a flood of likes is limited");
    assert!(limited.headers().contains_key("retry-after"));
    server.stop().await;
}

/// Readers following a thread see a count move: one `liked` event per change, carrying the
/// comment with its count; a like that changes nothing tells nobody.
async fn likes_reach_the_threads_followers(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let id = server
        .create("t", comment("Ada", "Like me", "k1"))
        .await
        .comment
        .id;
    let after = server.thread("t").await.last_event_id;
    let mut stream = EventStream::open(
        &server,
        &format!("/api/v1/threads/t/events?after={after}"),
        None,
    )
    .await;
    let reader = "reader-voter-token-0001";
    let mut told = Vec::new();
    // The event carries the comment as it is when the event is sent, so each change waits
    // for what it told before the next: an unlike sent at once could be read with the like.
    for method in [
        reqwest::Method::POST,
        reqwest::Method::POST,
        reqwest::Method::DELETE,
    ] {
        let answer = like(&server, id, reader, method).await;
        assert_eq!(answer.status(), StatusCode::OK);
        while let Some(event) = stream.next_event(Duration::from_millis(700)).await {
            let event: CommentEvent = serde_json::from_str(&event.data).unwrap();
            told.push((event.kind, event.comment.id, event.comment.likes));
        }
    }
    assert_eq!(
        told,
        [(EventKind::Liked, id, 1), (EventKind::Liked, id, 0)],
        "the second like changed nothing"
    );
    server.stop().await;
}

async fn authors_delete_their_own_comment_within_the_window(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let parent = server
        .create("t", comment("Ada", "With a reply", "k1"))
        .await;
    let mut reply = comment("Ben", "The reply", "k2");
    reply["parent_id"] = json!(parent.comment.id);
    server.create("t", reply).await;
    let alone = server.create("t", comment("Cy", "Alone", "k3")).await;
    let delete = |id: i64, token: String| {
        let request = server
            .client
            .delete(server.url(&format!("/api/v1/comments/{id}")))
            .bearer_auth(token);
        async move { request.send().await.unwrap() }
    };
    let wrong = delete(alone.comment.id, "0".repeat(64)).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    error_body(wrong).await;
    assert_eq!(
        delete(parent.comment.id, parent.edit_token.clone())
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        delete(alone.comment.id, alone.edit_token.clone())
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let again = delete(alone.comment.id, alone.edit_token.clone()).await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    // Gone is gone, whatever the token: reading, editing and deleting it again are all
    // 404, with the right token or a wrong one (the order `edits.rs` settles).
    for token in [alone.edit_token.clone(), "0".repeat(64)] {
        assert_eq!(
            delete(alone.comment.id, token.clone()).await.status(),
            StatusCode::NOT_FOUND
        );
        let url = server.url(&format!("/api/v1/comments/{}", alone.comment.id));
        let read = server
            .client
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::NOT_FOUND);
        assert_eq!(
            server
                .edit(&alone.comment.id.to_string(), &token, "Back")
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
    }
    let thread = server.thread("t").await;
    let shown: Vec<(bool, String)> = thread
        .comments
        .iter()
        .map(|c| (c.deleted, c.text()))
        .collect();
    assert_eq!(shown, [(true, String::new()), (false, "The reply".into())]);
    assert_eq!(thread.total, 1);
    server.stop().await;
}

async fn avatars_follow_the_person_not_the_thread(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let a = server
        .create("one", comment("Ada", "Hi", "k1"))
        .await
        .comment;
    let mut renamed = comment("Ada L", "Hi again", "k2");
    renamed["email"] = json!(" ADA@private.example ");
    let b = server.create("two", renamed).await.comment;
    let c = server
        .create("two", comment("Ben", "Someone else", "k3"))
        .await
        .comment;
    assert_eq!(a.avatar.len(), 12);
    assert_eq!(
        a.avatar, b.avatar,
        "one email, one picture, whatever the name"
    );
    assert_ne!(a.avatar, c.avatar);
    assert!(c.avatar.bytes().all(|b| b.is_ascii_hexdigit()));
    let read = server.thread("two").await;
    assert_eq!(read.comments[0].avatar, a.avatar);
    // Another installation (another secret) gives the same person another picture.
    let elsewhere = Place::new(engine).await;
    let other = TestServer::on(&elsewhere).await;
    let d = other
        .create("one", comment("Ada", "Hi", "k1"))
        .await
        .comment;
    assert_ne!(d.avatar, a.avatar);
    other.stop().await;
    server.stop().await;
}

async fn counts_come_for_many_threads_in_one_answer(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    server.create("%2Fa", comment("Ada", "One", "k1")).await;
    for n in 0..7 {
        server
            .create("%2Fb", comment("Ben", &format!("B {n}"), &format!("b{n}")))
            .await;
    }
    let answer = server
        .get("/api/v1/counts?thread=/b&thread=/a&thread=/none&lang=en")
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let counts: ThreadCounts = answer.json().await.unwrap();
    let seen: Vec<(&str, u64, &str)> = counts
        .counts
        .iter()
        .map(|c| (c.thread.as_str(), c.count, c.text.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("/b", 7, "7 comments"),
            ("/a", 1, "1 comment"),
            ("/none", 0, "No comments")
        ]
    );
    let german: ThreadCounts = server
        .get("/api/v1/counts?thread=/b&lang=de")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(german.counts[0].text, "7 Kommentare");
    let many: String = (0..101).map(|n| format!("thread=/t{n}&")).collect();
    for bad in ["", "thread=", "lang=en", &many, "thread=a%20b"] {
        let answer = server.get(&format!("/api/v1/counts?{bad}")).await;
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{bad}");
        error_body(answer).await;
    }
    server.stop().await;
}

on_both_engines!(
    threads_come_in_pages_that_follow_their_cursors,
    one_like_per_reader_and_none_for_the_author,
    likes_reach_the_threads_followers,
    authors_delete_their_own_comment_within_the_window,
    avatars_follow_the_person_not_the_thread,
    counts_come_for_many_threads_in_one_answer,
);
