//! Several server processes on one PostgreSQL database behave as one: what one stores the
//! other reads at once, and retries, the duplicate check, the posting limit and the
//! installation secret are shared through the database. (Two `AppState`s in this test
//! process each hold their own pool, cache and change listener, as two processes would;
//! the journeys run two real server processes.)

/// PostgreSQL only: SQLite is one process's file.
mod postgres {
    use std::time::{Duration, Instant};

    use colloquy_core::model::{Comment, CreatedComment};
    use reqwest::StatusCode;

    use crate::harness::{comment, Engine, EventStream, Place, TestServer};

    /// Reads `thread` through `server` until `done` holds, for at most two seconds; returns
    /// how long it took.
    async fn read_until(
        server: &TestServer,
        thread: &str,
        done: impl Fn(&[Comment]) -> bool,
    ) -> Duration {
        let start = Instant::now();
        loop {
            if done(&server.thread(thread).await.comments) {
                return start.elapsed();
            }
            assert!(
                start.elapsed() < Duration::from_secs(2),
                "the other server never showed the change"
            );
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn two_servers_on_one_database_behave_as_one() {
        let place = Place::new(Engine::Postgres).await;
        let mut config = place.config();
        config.posts_per_minute = 4;
        let a = TestServer::start(config.clone()).await;
        let b = TestServer::start(config).await;
        // Both have the empty thread cached before anything is posted.
        assert_eq!(a.thread("t").await.total, 0);
        assert_eq!(b.thread("t").await.total, 0);

        let mut live_on_b = EventStream::open(&b, "/api/v1/threads/t/events", None).await;
        let posted = Instant::now();
        let created = a.create("t", comment("Ada", "Hello from A", "k1")).await;
        let event = live_on_b
            .next_event(Duration::from_secs(1))
            .await
            .expect("the other server's reader hears of it within a second");
        println!(
            "live event through the other server after {:?}",
            posted.elapsed()
        );
        assert!(event.data.contains("Hello from A"), "{}", event.data);
        let took = read_until(&b, "t", |comments| comments.len() == 1).await;
        println!("a comment posted through one server was read through the other after {took:?}");
        drop(live_on_b);

        let replay = b.post("t", comment("Ada", "Hello from A", "k1")).await;
        assert_eq!(replay.status(), StatusCode::OK, "the retry is recognised");
        assert_eq!(
            replay.json::<CreatedComment>().await.unwrap(),
            created,
            "the same comment and the same token: the secret is shared"
        );
        let duplicate = b.post("t", comment("Ada", "Hello from A", "k2")).await;
        assert_eq!(duplicate.status(), StatusCode::CONFLICT);

        let id = created.comment.id.to_string();
        let edited = b.edit(&id, &created.edit_token, "Edited through B").await;
        assert_eq!(edited.status(), StatusCode::OK);
        read_until(&a, "t", |comments| comments[0].text() == "Edited through B").await;

        // The limit is four posts a minute for one address, whichever server they go through:
        // the first post, the retry and the duplicate above count (each was an attempt).
        a.create("t", comment("Ada", "two", "k3")).await;
        assert_eq!(
            b.post("t", comment("Ada", "three", "k4")).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            a.post("t", comment("Ada", "four", "k5")).await.status(),
            StatusCode::TOO_MANY_REQUESTS
        );
        read_until(&b, "t", |comments| comments.len() == 2).await;
        a.stop().await;
        b.stop().await;
    }

    /// The same body posted at the same moment through two servers, under different keys, is
    /// stored once: the check and the insert are one step across processes.
    #[tokio::test]
    async fn racing_duplicates_on_two_servers_are_stored_once() {
        let place = Place::new(Engine::Postgres).await;
        let a = TestServer::on(&place).await;
        let b = TestServer::on(&place).await;
        let mut racing = tokio::task::JoinSet::new();
        for n in 0..16 {
            let server = if n % 2 == 0 { &a } else { &b };
            let request = server
                .client
                .post(server.url("/api/v1/threads/race/comments"))
                .json(&comment("Ada", "The very same words", &format!("k{n}")));
            racing.spawn(async move { request.send().await.unwrap().status() });
        }
        let statuses: Vec<StatusCode> = racing.join_all().await;
        let created = statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count();
        let conflicts = statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count();
        assert_eq!((created, conflicts), (1, 15), "{statuses:?}");
        assert_eq!(a.thread("race").await.total, 1);
        a.stop().await;
        b.stop().await;
    }
}
