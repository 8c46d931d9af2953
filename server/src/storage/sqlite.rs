use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use colloquy_core::model::{Comment, EventKind};
use colloquy_core::validation::ValidComment;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Sqlite, Transaction};

use super::{
    kind_text, secret_from_bytes, CommentRow, EditFacts, EventRow, Inserted, Store, StoreError,
    StoredEvent, EVENT_COLUMNS, PUBLIC_COLUMNS,
};
use crate::clock::now_ms;
use crate::rate_limit::RateLimiter;
use crate::tokens::{sha256_hex, ServerSecret};

/// SQLite in WAL mode with `synchronous = FULL`: a comment answered with `201` has reached
/// the disk, and readers never wait for writers. One process owns the file, so the posting
/// limit lives in its memory.
pub struct SqliteStore {
    pool: SqlitePool,
    post_limit: RateLimiter,
}

impl SqliteStore {
    pub async fn open(path: &Path) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        Ok(Self {
            pool,
            post_limit: RateLimiter::default(),
        })
    }

    async fn find_by_key(&self, thread: &str, key: &str) -> Result<Option<Comment>, StoreError> {
        let sql = format!(
            "SELECT {PUBLIC_COLUMNS} FROM comments WHERE thread_key = ? AND idempotency_key = ?"
        );
        let row: Option<CommentRow> = sqlx::query_as(&sql)
            .bind(thread)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Comment::from))
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn thread_comments(&self, thread: &str) -> Result<Vec<Comment>, StoreError> {
        let sql = format!(
            "SELECT {PUBLIC_COLUMNS} FROM comments WHERE thread_key = ? ORDER BY created_at_ms, id"
        );
        let rows: Vec<CommentRow> = sqlx::query_as(&sql)
            .bind(thread)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Comment::from).collect())
    }

    async fn comment_in_thread(&self, thread: &str, id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM comments WHERE thread_key = ? AND id = ?")
                .bind(thread)
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(found.is_some())
    }

    async fn insert_comment(
        &self,
        thread: &str,
        comment: &ValidComment,
        created_at_ms: i64,
        edit_token_hash: &str,
        duplicate_since_ms: Option<i64>,
    ) -> Result<Inserted, StoreError> {
        let body_hash = sha256_hex(&comment.body);
        let sql = format!(
            "INSERT INTO comments (thread_key, parent_id, author, email, website, body, \
             created_at_ms, edit_token_hash, idempotency_key, body_hash) \
             SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ? \
             WHERE ? IS NULL OR NOT EXISTS (SELECT 1 FROM comments WHERE thread_key = ? \
                               AND body_hash = ? AND created_at_ms >= ? AND idempotency_key <> ?) \
             ON CONFLICT (thread_key, idempotency_key) DO NOTHING \
             RETURNING {PUBLIC_COLUMNS}"
        );
        let mut transaction = self.pool.begin().await?;
        let inserted: Option<CommentRow> = sqlx::query_as(&sql)
            .bind(thread)
            .bind(comment.parent_id)
            .bind(&comment.name)
            .bind(&comment.email)
            .bind(&comment.website)
            .bind(&comment.body)
            .bind(created_at_ms)
            .bind(edit_token_hash)
            .bind(&comment.idempotency_key)
            .bind(&body_hash)
            .bind(duplicate_since_ms)
            .bind(thread)
            .bind(&body_hash)
            .bind(duplicate_since_ms)
            .bind(&comment.idempotency_key)
            .fetch_optional(&mut *transaction)
            .await?;
        if let Some(row) = inserted {
            record_event(
                &mut transaction,
                thread,
                EventKind::Created,
                row.id,
                created_at_ms,
            )
            .await?;
            transaction.commit().await?;
            return Ok(Inserted::New(row.into()));
        }
        transaction.commit().await?;
        // Nothing stored: either an earlier attempt of this very submission got through, or
        // the body is a recent duplicate.
        match self.find_by_key(thread, &comment.idempotency_key).await? {
            Some(existing) => Ok(Inserted::Replayed(existing)),
            None => Ok(Inserted::Duplicate),
        }
    }

    async fn edit_facts(&self, id: i64) -> Result<Option<EditFacts>, StoreError> {
        let row: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT thread_key, created_at_ms, edit_token_hash FROM comments WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(
            row.map(|(thread, created_at_ms, edit_token_hash)| EditFacts {
                thread,
                created_at_ms,
                edit_token_hash,
            }),
        )
    }

    async fn update_body(
        &self,
        thread: &str,
        id: i64,
        body: &str,
    ) -> Result<Option<Comment>, StoreError> {
        let sql = format!(
            "UPDATE comments SET body = ?, body_hash = ? WHERE id = ? AND thread_key = ? \
             RETURNING {PUBLIC_COLUMNS}"
        );
        let mut transaction = self.pool.begin().await?;
        let row: Option<CommentRow> = sqlx::query_as(&sql)
            .bind(body)
            .bind(sha256_hex(body))
            .bind(id)
            .bind(thread)
            .fetch_optional(&mut *transaction)
            .await?;
        if row.is_some() {
            record_event(&mut transaction, thread, EventKind::Edited, id, now_ms()).await?;
        }
        transaction.commit().await?;
        Ok(row.map(Comment::from))
    }

    async fn latest_event_id(&self, thread: &str) -> Result<i64, StoreError> {
        let latest: Option<i64> =
            sqlx::query_scalar("SELECT max(id) FROM events WHERE thread_key = ?")
                .bind(thread)
                .fetch_one(&self.pool)
                .await?;
        Ok(latest.unwrap_or(0))
    }

    async fn events_after(
        &self,
        thread: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let sql = format!(
            "SELECT {EVENT_COLUMNS} FROM events e JOIN comments c ON c.id = e.comment_id \
             WHERE e.thread_key = ? AND e.id > ? ORDER BY e.id LIMIT ?"
        );
        let rows: Vec<EventRow> = sqlx::query_as(&sql)
            .bind(thread)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(StoredEvent::from).collect())
    }

    async fn installation_secret(&self) -> Result<ServerSecret, StoreError> {
        let fresh = ServerSecret::random().map_err(|e| StoreError::Randomness(e.to_string()))?;
        sqlx::query("INSERT INTO server_secret (id, secret) VALUES (1, ?) ON CONFLICT DO NOTHING")
            .bind(fresh.0.as_slice())
            .execute(&self.pool)
            .await?;
        let stored: Vec<u8> = sqlx::query_scalar("SELECT secret FROM server_secret WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        secret_from_bytes(stored)
    }

    async fn claim_post_slot(
        &self,
        client: IpAddr,
        now_ms: i64,
        per_minute: u32,
    ) -> Result<Result<(), u64>, StoreError> {
        Ok(self.post_limit.check(client, now_ms, per_minute))
    }
}

/// Adds an event to the thread's stream, inside the write that caused it.
async fn record_event(
    transaction: &mut Transaction<'_, Sqlite>,
    thread: &str,
    kind: EventKind,
    comment_id: i64,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (thread_key, kind, comment_id, created_at_ms) VALUES (?, ?, ?, ?)",
    )
    .bind(thread)
    .bind(kind_text(kind))
    .bind(comment_id)
    .bind(at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
