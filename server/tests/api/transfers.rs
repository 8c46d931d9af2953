//! Moving comments in and out: Colloquy's own export and its round trip, replies that
//! arrive before their parents, moving and merging threads, and a backup taken while the
//! server writes.

use std::time::Duration;

use colloquy_server::import::engine::{self, KeyMapping, Options, Source};
use colloquy_server::import::{colloquy, ImportedComment, InputError, Record, SourceStatus};
use colloquy_server::storage::{self, Database, Store, StoreError, ThreadRef, DEFAULT_SITE};
use futures_util::stream;
use serde_json::json;

use crate::harness::{comment, on_both_engines, Engine, Place, TestServer};

async fn export_of(store: &dyn Store) -> String {
    let mut out = Vec::new();
    colloquy::export(store, DEFAULT_SITE, None, &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// Imports `records` into `store` with the default options.
async fn import(
    store: &dyn Store,
    source: Source,
    records: Vec<Result<Record, InputError>>,
) -> Result<engine::Summary, engine::ImportError> {
    let options = Options::default();
    engine::run(store, source, stream::iter(records), &options, |_| {}).await
}

fn imported(thread: &str, id: &str, parent: Option<&str>, status: SourceStatus) -> Record {
    Record::Comment(ImportedComment {
        thread: thread.to_owned(),
        source_id: id.to_owned(),
        parent_source_id: parent.map(str::to_owned),
        author: format!("Author {id}"),
        email: Some(format!("a{id}@private.example")),
        website: None,
        body: format!("Comment {id}"),
        created_at_ms: 1_600_000_000_000 + id.parse::<i64>().unwrap_or(0) * 1000,
        status,
    })
}

async fn export_then_import_gives_the_same_export(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let first = server
        .create("%2Fpost", comment("Ada", "First", "k1"))
        .await;
    let mut reply = comment("Bob", "A reply with *markdown*", "k2");
    reply["parent_id"] = json!(first.comment.id);
    server.create("%2Fpost", reply).await;
    server
        .create("other", comment("Cy", "Elsewhere", "k3"))
        .await;
    server.stop().await;
    let store = storage::open(&place.database).await.unwrap();
    let first_export = export_of(store.as_ref()).await;
    assert!(
        first_export.contains("ada@private.example"),
        "the owner's data, emails included"
    );

    // Into an empty database of either engine: the same bytes come out.
    for target in [Engine::Sqlite, Engine::Postgres] {
        let empty = Place::new(target).await;
        let fresh = storage::open(&empty.database).await.unwrap();
        let records = colloquy::read(first_export.as_bytes()).collect();
        let summary = import(fresh.as_ref(), Source::Colloquy, records)
            .await
            .unwrap();
        assert_eq!(summary.added, 3);
        assert_eq!(
            export_of(fresh.as_ref()).await,
            first_export,
            "into {target:?}"
        );
        let records = colloquy::read(first_export.as_bytes()).collect();
        let again = import(fresh.as_ref(), Source::Colloquy, records)
            .await
            .unwrap();
        assert_eq!(
            (again.added, again.already_there),
            (0, 3),
            "importing twice adds nothing"
        );
    }
}

async fn replies_before_parents_and_missing_parents(engine: Engine) {
    let place = Place::new(engine).await;
    let store = storage::open(&place.database).await.unwrap();
    let records = vec![
        Ok(Record::Thread {
            key: "https://blog.example/2009/07/post/".into(),
            title: Some("A post".into()),
        }),
        Ok(imported(
            "/2009/07/post/",
            "3",
            Some("2"),
            SourceStatus::Approved,
        )),
        Ok(imported(
            "/2009/07/post/",
            "2",
            Some("1"),
            SourceStatus::Approved,
        )),
        Ok(imported(
            "/2009/07/post/",
            "1",
            None,
            SourceStatus::Approved,
        )),
        Ok(imported(
            "/2009/07/post/",
            "4",
            Some("99"),
            SourceStatus::Approved,
        )),
        Ok(imported(
            "/2009/07/post/",
            "5",
            Some("4"),
            SourceStatus::Approved,
        )),
        Ok(imported("/2009/07/post/", "6", None, SourceStatus::Spam)),
        Ok(imported("/2009/07/post/", "7", None, SourceStatus::Pending)),
        Ok(imported("/2009/07/post/", "8", None, SourceStatus::Deleted)),
    ];
    let summary = import(store.as_ref(), Source::WordPress, records)
        .await
        .unwrap();
    assert_eq!(summary.added, 5);
    assert_eq!(
        summary.orphans, 1,
        "only the first of the branch whose parent is missing"
    );
    assert_eq!(summary.skipped.values().sum::<u64>(), 3);
    let thread = &summary.threads["https://blog.example/2009/07/post/"];
    assert_eq!(
        thread.stored_as, "/2009/07/post",
        "the loader's own normalisation"
    );
    assert_eq!(
        store
            .thread_title(&ThreadRef::default_site("/2009/07/post"))
            .await
            .unwrap()
            .as_deref(),
        Some("A post")
    );
    let exported = store
        .export_thread(&ThreadRef::default_site("/2009/07/post"))
        .await
        .unwrap();
    let parent_of = |key: &str| {
        exported
            .iter()
            .find(|c| c.key == key)
            .and_then(|c| c.parent_key.clone())
    };
    assert_eq!(parent_of("wp-3").as_deref(), Some("wp-2"));
    assert_eq!(parent_of("wp-2").as_deref(), Some("wp-1"));
    assert_eq!(parent_of("wp-4"), None);
    assert_eq!(parent_of("wp-5").as_deref(), Some("wp-4"));
}

async fn bad_input_and_dry_runs_write_nothing(engine: Engine) {
    let place = Place::new(engine).await;
    let store = storage::open(&place.database).await.unwrap();
    let records = vec![
        Ok(imported("/a", "1", None, SourceStatus::Approved)),
        Err(InputError::new("comment 2", "no date")),
        Ok(imported("/a", "3", None, SourceStatus::Approved)),
    ];
    let failed = import(store.as_ref(), Source::WordPress, records).await;
    let message = failed.unwrap_err().to_string();
    assert!(
        message.contains("comment 2") && message.contains("no date"),
        "{message}"
    );
    let dry = Options {
        dry_run: true,
        ..Options::default()
    };
    let records = vec![Ok(imported("/a", "1", None, SourceStatus::Approved))];
    let summary = engine::run(
        store.as_ref(),
        Source::WordPress,
        stream::iter(records),
        &dry,
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(summary.added, 1, "a dry run says what it would do");
    assert!(
        store.thread_keys(DEFAULT_SITE).await.unwrap().is_empty(),
        "and writes nothing"
    );
}

async fn threads_move_and_merge(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    server.create("old", comment("Ada", "One", "k1")).await;
    server.create("new", comment("Bob", "Two", "k2")).await;
    server.create("third", comment("Cy", "Three", "k1")).await;
    let store = storage::open(&place.database).await.unwrap();
    match store.move_thread(DEFAULT_SITE, "old", "new", false).await {
        Err(StoreError::Refused(message)) => assert!(message.contains("merge"), "{message}"),
        other => panic!("a move onto a thread with comments: {other:?}"),
    }
    match store.move_thread(DEFAULT_SITE, "old", "third", true).await {
        Err(StoreError::Refused(message)) => assert!(message.contains("k1"), "{message}"),
        other => panic!("a merge of two copies: {other:?}"),
    }
    assert_eq!(
        store
            .move_thread(DEFAULT_SITE, "old", "new", true)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .move_thread(DEFAULT_SITE, "new", "newest", false)
            .await
            .unwrap(),
        2
    );
    // Another process changed the threads: this server's answers follow once it is told
    // (PostgreSQL) or its cache expires (SQLite); a fresh server shows them at once.
    server.stop().await;
    let server = TestServer::on(&place).await;
    assert_eq!(server.thread("old").await.total, 0);
    assert_eq!(server.thread("new").await.total, 0);
    assert_eq!(server.thread("newest").await.total, 2);
    server.stop().await;
}

/// A backup taken while comments keep arriving holds every comment acknowledged before it
/// began, and opens as a database of its own.
async fn a_backup_during_writes_holds_what_was_acknowledged(engine: Engine) {
    let place = Place::new(engine).await;
    let server = TestServer::on(&place).await;
    let store = storage::open(&place.database).await.unwrap();
    if engine == Engine::Postgres {
        let refused = store.backup(&place.folder().join("copy.db")).await;
        assert!(matches!(refused, Err(StoreError::Refused(ref m)) if m.contains("pg_dump")));
        server.stop().await;
        return;
    }
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let client = server.client.clone();
    let url = server.url("/api/v1/threads/busy/comments");
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<i64>::new()));
    let writer = {
        let acknowledged = acknowledged.clone();
        tokio::spawn(async move {
            for n in 0..10_000 {
                if *stopped.borrow_and_update() {
                    break;
                }
                let posted = client
                    .post(&url)
                    .json(&comment("Ada", &format!("busy {n}"), &format!("b{n}")))
                    .send()
                    .await
                    .unwrap();
                if posted.status() == reqwest::StatusCode::CREATED {
                    let created: colloquy_core::model::CreatedComment =
                        posted.json().await.unwrap();
                    acknowledged.lock().unwrap().push(created.comment.id);
                }
            }
        })
    };
    // Wait until the load is under way, note what is acknowledged, and back up.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the writer never got going"
        );
        tokio::task::yield_now().await;
    }
    let before: Vec<i64> = acknowledged.lock().unwrap().clone();
    let copy = place.folder().join("copy.db");
    store.backup(&copy).await.unwrap();
    stop.send(true).unwrap();
    writer.await.unwrap();
    let after = acknowledged.lock().unwrap().len();
    assert!(
        after > before.len(),
        "the server kept taking comments during the backup"
    );
    let restored = storage::open(&Database::Sqlite(copy.clone()))
        .await
        .unwrap();
    let kept: std::collections::HashSet<i64> = restored
        .thread_comments(&ThreadRef::default_site("busy"))
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let missing: Vec<&i64> = before.iter().filter(|id| !kept.contains(id)).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, missing from it: {missing:?}"
    );
    assert!(
        matches!(store.backup(&copy).await, Err(StoreError::Refused(_))),
        "never overwrites"
    );
    server.stop().await;
}

#[test]
fn keys_are_mapped_then_normalised_like_the_loader_does() {
    let mut mapping = KeyMapping::default();
    mapping.add_rewrite("/blog/=/").unwrap();
    assert_eq!(
        mapping.map("/blog/2009/07/post/", true).unwrap(),
        "/2009/07/post"
    );
    assert_eq!(
        mapping
            .map("https://example.org/about/index.html", true)
            .unwrap(),
        "/about"
    );
    assert_eq!(mapping.map("/?p=12", true).unwrap(), "/%3Fp=12");
    assert_eq!(mapping.map("/café/", true).unwrap(), "/caf%C3%A9");
    assert_eq!(mapping.map("demo/thread", false).unwrap(), "demo/thread");
    assert!(mapping.map(&format!("/{}", "x".repeat(300)), true).is_err());
    assert!(mapping.add_rewrite("no-equals-sign").is_err());
}

on_both_engines!(
    export_then_import_gives_the_same_export,
    replies_before_parents_and_missing_parents,
    bad_input_and_dry_runs_write_nothing,
    threads_move_and_merge,
    a_backup_during_writes_holds_what_was_acknowledged,
);
