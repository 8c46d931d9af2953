//! Isso's database (its `comments.db`, SQLite), read as a stream.
//!
//! Isso keeps two tables that matter here (`isso/db/threads.py`, `isso/db/comments.py`,
//! schema version 5):
//! - `threads(id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))`;
//! - `comments(tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
//!   created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR, text
//!   VARCHAR NOT NULL, author VARCHAR, email VARCHAR, website VARCHAR, likes INTEGER,
//!   dislikes INTEGER, voters BLOB NOT NULL, notification INTEGER)`.
//!
//! Comment ids are unique across threads; `created` is Unix seconds (a float); `mode` is 1
//! (accepted), 2 (waiting for moderation) or 4 (deleted, kept because it has replies: its
//! text is empty, its author and website gone); `text` is the markdown the commenter
//! wrote, which Colloquy reads as it is (Isso let some HTML through its sanitiser, which
//! Colloquy shows as text). Since Isso 0.10 a reply always answers a top-level comment.
//!
//! Not imported: `likes` and `dislikes` ([`super::ImportedComment`] has no place for
//! votes, and Colloquy has none), `voters`, `remote_addr` (already anonymised by Isso),
//! `modified` and `notification` (Colloquy asks again for notifications).

use std::future::ready;
use std::path::Path;

use futures_util::{Stream, StreamExt};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use super::wordpress::{non_empty, ANONYMOUS};
use super::{ImportedComment, InputError, Record, SourceStatus};

/// The columns this reader needs, table by table.
const REQUIRED: &[(&str, &[&str])] = &[
    ("threads", &["id", "uri", "title"]),
    (
        "comments",
        &[
            "tid", "id", "parent", "created", "mode", "text", "author", "email", "website",
        ],
    ),
];

/// Opens an Isso database read-only (`mode=ro`: nothing is written to it, not even a
/// journal) and checks that it has Isso's tables and columns.
pub async fn open(path: &Path) -> Result<SqlitePool, InputError> {
    let name = path.display().to_string();
    let options = SqliteConnectOptions::new()
        .filename(path)
        .read_only(true)
        .create_if_missing(false);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .map_err(|e| InputError::new(&name, format!("cannot open it as SQLite: {e}")))?;
    for (table, columns) in REQUIRED {
        let present: Vec<String> = sqlx::query_scalar("SELECT name FROM pragma_table_info(?1)")
            .bind(*table)
            .fetch_all(&pool)
            .await
            .map_err(|e| {
                InputError::new(&name, format!("not an SQLite database Isso wrote: {e}"))
            })?;
        if present.is_empty() {
            pool.close().await;
            return Err(InputError::new(
                &name,
                format!("no `{table}` table: not an Isso database"),
            ));
        }
        let missing: Vec<&str> = columns
            .iter()
            .copied()
            .filter(|column| !present.iter().any(|p| p == column))
            .collect();
        if !missing.is_empty() {
            pool.close().await;
            return Err(InputError::new(
                &name,
                format!(
                    "the `{table}` table has no {}: not an Isso database",
                    missing
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
    Ok(pool)
}

type ThreadRow = (i64, Option<String>, Option<String>);

type CommentRow = (
    i64,
    i64,
    Option<String>,
    Option<i64>,
    Option<f64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// Every thread, then every comment (thread by thread, in id order, so a comment comes
/// after the one it answers), as records; the stream ends after the first error.
pub fn read(pool: &SqlitePool) -> impl Stream<Item = Result<Record, InputError>> + '_ {
    let threads = sqlx::query_as::<_, ThreadRow>(
        "SELECT id, CAST(uri AS TEXT), CAST(title AS TEXT) FROM threads ORDER BY id",
    )
    .fetch(pool)
    .map(|row| {
        let (id, uri, title) =
            row.map_err(|e| InputError::new("threads", format!("cannot read: {e}")))?;
        let key = uri
            .as_deref()
            .and_then(thread_key)
            .ok_or_else(|| InputError::new(format!("thread {id}"), "it has no uri"))?;
        Ok(Record::Thread {
            key,
            title: title.as_deref().and_then(non_empty),
        })
    });
    let comments = sqlx::query_as::<_, CommentRow>(
        "SELECT c.id, CAST(c.tid AS INTEGER), CAST(t.uri AS TEXT), CAST(c.parent AS INTEGER), \
         CAST(c.created AS REAL), CAST(c.mode AS INTEGER), CAST(c.text AS TEXT), \
         CAST(c.author AS TEXT), CAST(c.email AS TEXT), CAST(c.website AS TEXT) \
         FROM comments AS c LEFT JOIN threads AS t ON t.id = c.tid \
         ORDER BY c.tid, c.id",
    )
    .fetch(pool)
    .map(|row| {
        let row = row.map_err(|e| InputError::new("comments", format!("cannot read: {e}")))?;
        comment(row)
    });
    threads.chain(comments).scan(false, |failed, item| {
        if *failed {
            return ready(None);
        }
        *failed = item.is_err();
        ready(Some(item))
    })
}

/// A thread's `uri` as a key: Isso stores the page's path (`/2019/hello/`), but an
/// absolute URL is brought down to its path and query.
fn thread_key(uri: &str) -> Option<String> {
    let uri = uri.trim();
    if uri.is_empty() {
        return None;
    }
    if uri.contains("://") || uri.starts_with("//") {
        return super::wordpress::url_path(uri, true);
    }
    Some(uri.to_string())
}

fn comment(
    (id, tid, uri, parent, created, mode, text, author, email, website): CommentRow,
) -> Result<Record, InputError> {
    let record = format!("comment {id}");
    let thread = uri.as_deref().and_then(thread_key).ok_or_else(|| {
        InputError::new(
            &record,
            format!("its thread {tid} is not in `threads` (or has no uri)"),
        )
    })?;
    let created = created
        .filter(|c| c.is_finite())
        .ok_or_else(|| InputError::new(&record, "`created` is not a time"))?;
    let status = match mode {
        Some(1) => SourceStatus::Approved,
        Some(2) => SourceStatus::Pending,
        Some(4) => SourceStatus::Deleted,
        other => {
            return Err(InputError::new(
                &record,
                format!(
                    "mode is {}, not 1 (accepted), 2 (pending) or 4 (deleted)",
                    other.map_or("NULL".to_string(), |m| m.to_string())
                ),
            ))
        }
    };
    Ok(Record::Comment(ImportedComment {
        thread,
        source_id: id.to_string(),
        parent_source_id: parent.filter(|p| *p != 0).map(|p| p.to_string()),
        author: author
            .as_deref()
            .and_then(non_empty)
            .unwrap_or_else(|| ANONYMOUS.to_string()),
        email: email.as_deref().and_then(non_empty),
        website: website.as_deref().and_then(non_empty),
        body: text.unwrap_or_default().trim().to_string(),
        created_at_ms: (created * 1000.0).round() as i64,
        status,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::samples::{example_isso_posts, isso_database};

    /// 2024-03-01T12:00:00Z, as the samples count.
    const BASE: i64 = 1_709_294_400_000;

    async fn read_all(path: &Path) -> Vec<Result<Record, InputError>> {
        let pool = open(path).await.unwrap();
        let records = read(&pool).collect().await;
        pool.close().await;
        records
    }

    async fn sqlite(path: &Path, statements: &[&str]) {
        // As Python's sqlite3, which Isso uses: no foreign keys.
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(false);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        for statement in statements {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;
    }

    #[tokio::test]
    async fn the_example_database_gives_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comments.db");
        isso_database(&path, &example_isso_posts()).await.unwrap();
        let before = std::fs::read(&path).unwrap();
        let records: Vec<Record> = read_all(&path)
            .await
            .into_iter()
            .map(Result::unwrap)
            .collect();
        let comment = |id: &str,
                       thread: &str,
                       parent: Option<&str>,
                       author: &str,
                       body: &str,
                       status: SourceStatus| {
            Record::Comment(ImportedComment {
                thread: thread.into(),
                source_id: id.into(),
                parent_source_id: parent.map(Into::into),
                author: author.into(),
                email: None,
                website: None,
                body: body.into(),
                created_at_ms: BASE + id.parse::<i64>().unwrap() * 7 * 60_000 + 250,
                status,
            })
        };
        let hello = "/2019/hello/";
        use SourceStatus::*;
        assert_eq!(
            records,
            vec![
                Record::Thread {
                    key: hello.into(),
                    title: Some("Hello, Isso".into())
                },
                Record::Thread {
                    key: "/2019/second/".into(),
                    title: None
                },
                Record::Comment(ImportedComment {
                    thread: hello.into(),
                    source_id: "1".into(),
                    parent_source_id: None,
                    author: "Zoë Ångström".into(),
                    email: Some("zoe@example.org".into()),
                    website: Some("https://zoe.example.org".into()),
                    body: "Hello *world*.\n\nA [link](https://example.com).".into(),
                    created_at_ms: BASE + 7 * 60_000 + 250,
                    status: Approved,
                }),
                comment(
                    "2",
                    hello,
                    Some("1"),
                    "José Müller",
                    "A reply with `code`.",
                    Approved
                ),
                // Isso made the reply to a reply answer the top-level comment.
                comment(
                    "3",
                    hello,
                    Some("1"),
                    "山田太郎",
                    "A reply to the reply.",
                    Approved
                ),
                comment("4", hello, None, "Anonymous", "Waiting.", Pending),
                // Deleted but kept for its reply: no text, no author.
                comment("5", hello, None, "Anonymous", "", Deleted),
                comment(
                    "6",
                    hello,
                    Some("5"),
                    "Replier",
                    "Answering a deleted comment.",
                    Approved
                ),
                comment(
                    "7",
                    "/2019/second/",
                    None,
                    "Solo",
                    "Only one here.",
                    Approved
                ),
            ]
        );
        // Read-only: the file is as it was and no journal was left.
        assert_eq!(std::fs::read(&path).unwrap(), before);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["comments.db"]);
    }

    #[tokio::test]
    async fn what_is_not_an_isso_database_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.db");
        let e = open(&missing).await.unwrap_err();
        assert!(
            e.record.ends_with("missing.db") && e.reason.contains("cannot open"),
            "{e}"
        );
        assert!(!missing.exists(), "opening must not create the file");

        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "not a database, just words ".repeat(100)).unwrap();
        let e = open(&text).await.unwrap_err();
        assert!(e.reason.contains("SQLite"), "{e}");

        let other = dir.path().join("other.db");
        sqlite(
            &other,
            &["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"],
        )
        .await;
        let e = open(&other).await.unwrap_err();
        assert!(e.reason.contains("no `threads` table"), "{e}");

        let old = dir.path().join("old.db");
        sqlite(
            &old,
            &[
                "CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256))",
                "CREATE TABLE comments (tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER, created FLOAT NOT NULL, text VARCHAR, author VARCHAR)",
            ],
        )
        .await;
        let e = open(&old).await.unwrap_err();
        assert!(e.reason.contains("`mode`, `email`, `website`"), "{e}");
    }

    #[tokio::test]
    async fn bad_rows_end_the_stream_with_their_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("comments.db");
        isso_database(&path, &example_isso_posts()).await.unwrap();
        sqlite(
            &path,
            &[
                "UPDATE comments SET mode = 8 WHERE id = 2",
                // Isso stores created as a float; an integer reads too.
                "UPDATE comments SET created = 1709294820 WHERE id = 1",
            ],
        )
        .await;
        let records = read_all(&path).await;
        assert_eq!(records.len(), 4, "{records:?}");
        match &records[2] {
            Ok(Record::Comment(c)) => assert_eq!(c.created_at_ms, 1_709_294_820_000),
            other => panic!("{other:?}"),
        }
        let e = records[3].clone().unwrap_err();
        assert_eq!(e.record, "comment 2");
        assert!(e.reason.contains("mode is 8"), "{e}");

        sqlite(
            &path,
            &[
                "UPDATE comments SET mode = 1",
                "DELETE FROM threads WHERE id = 2",
            ],
        )
        .await;
        let records = read_all(&path).await;
        let e = records.last().unwrap().clone().unwrap_err();
        assert_eq!(e.record, "comment 7");
        assert!(e.reason.contains("thread 2"), "{e}");
    }
}
