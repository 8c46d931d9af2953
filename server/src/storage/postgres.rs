use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use colloquy_core::model::{Comment, EventKind};
use colloquy_core::validation::ValidComment;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use super::{
    kind_text, secret_from_bytes, ChangeHandler, CommentRow, EditFacts, EventRow, Inserted, Store,
    StoreError, StoredEvent, EVENT_COLUMNS, PUBLIC_COLUMNS,
};
use crate::clock::now_ms;
use crate::rate_limit::{seconds_until, WINDOW_MS};
use crate::tokens::{sha256_hex, ServerSecret};

/// PostgreSQL, for several server processes on one database. Every guarantee of the SQLite
/// store holds here too: an acknowledged comment is committed (PostgreSQL's default
/// `synchronous_commit`), retries find their first copy through the unique key, and the
/// duplicate check is made in the inserting statement. What SQLite gets from serialising
/// its writers, PostgreSQL gets from transaction-scoped advisory locks: one per thread for
/// inserts and one per client for the posting limit, so concurrent requests on different
/// processes cannot both slip past a check.
pub struct PgStore {
    pool: PgPool,
}

impl PgStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }

    /// A transaction holding the advisory lock of `class` + `name` until it ends.
    async fn locked(
        &self,
        class: &str,
        name: &str,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut transaction = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!("{class}{name}"))
            .execute(&mut *transaction)
            .await?;
        Ok(transaction)
    }

    async fn find_by_key(&self, thread: &str, key: &str) -> Result<Option<Comment>, StoreError> {
        let sql = format!(
            "SELECT {PUBLIC_COLUMNS} FROM comments WHERE thread_key = $1 AND idempotency_key = $2"
        );
        let row: Option<CommentRow> = sqlx::query_as(&sql)
            .bind(thread)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(Comment::from))
    }
}

/// The `LISTEN`/`NOTIFY` channel on which processes announce changed threads.
const CHANGES_CHANNEL: &str = "colloquy_threads";

/// Advisory lock keys: a lock class in the text keeps thread locks and client locks apart.
const LOCK_THREAD: &str = "colloquy:thread:";
const LOCK_CLIENT: &str = "colloquy:client:";

#[async_trait]
impl Store for PgStore {
    async fn thread_comments(&self, thread: &str) -> Result<Vec<Comment>, StoreError> {
        let sql = format!(
            "SELECT {PUBLIC_COLUMNS} FROM comments WHERE thread_key = $1 ORDER BY created_at_ms, id"
        );
        let rows: Vec<CommentRow> = sqlx::query_as(&sql)
            .bind(thread)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(Comment::from).collect())
    }

    async fn comment_in_thread(&self, thread: &str, id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM comments WHERE thread_key = $1 AND id = $2")
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
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
             WHERE $11::BIGINT IS NULL OR NOT EXISTS (SELECT 1 FROM comments \
                 WHERE thread_key = $1 AND body_hash = $10 AND created_at_ms >= $11 \
                 AND idempotency_key <> $9) \
             ON CONFLICT (thread_key, idempotency_key) DO NOTHING \
             RETURNING {PUBLIC_COLUMNS}"
        );
        // Two posts of one body racing on two processes would each miss the other's row
        // under READ COMMITTED; holding the thread's lock until commit puts them in line.
        let mut transaction = self.locked(LOCK_THREAD, thread).await?;
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
        match self.find_by_key(thread, &comment.idempotency_key).await? {
            Some(existing) => Ok(Inserted::Replayed(existing)),
            None => Ok(Inserted::Duplicate),
        }
    }

    async fn edit_facts(&self, id: i64) -> Result<Option<EditFacts>, StoreError> {
        let row: Option<(String, i64, String)> = sqlx::query_as(
            "SELECT thread_key, created_at_ms, edit_token_hash FROM comments WHERE id = $1",
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
            "UPDATE comments SET body = $1, body_hash = $2 WHERE id = $3 AND thread_key = $4 \
             RETURNING {PUBLIC_COLUMNS}"
        );
        let mut transaction = self.locked(LOCK_THREAD, thread).await?;
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
            sqlx::query_scalar("SELECT max(id) FROM events WHERE thread_key = $1")
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
             WHERE e.thread_key = $1 AND e.id > $2 ORDER BY e.id LIMIT $3"
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
        // Two processes starting at once both try; the first row wins and both read it.
        sqlx::query(
            "INSERT INTO server_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
        )
        .bind(fresh.0.as_slice())
        .execute(&self.pool)
        .await?;
        let stored: Vec<u8> = sqlx::query_scalar("SELECT secret FROM server_secret WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        secret_from_bytes(stored)
    }

    async fn announce_change(&self, thread: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANGES_CHANNEL)
            .bind(thread)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn listen_for_changes(&self, heard: ChangeHandler) -> Result<(), StoreError> {
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(CHANGES_CHANNEL).await?;
        tokio::spawn(async move {
            loop {
                match listener.try_recv().await {
                    Ok(Some(notice)) => heard(Some(notice.payload().to_owned())),
                    // The connection dropped and was made again: whatever was announced in
                    // between is lost, so the caller forgets everything it cached.
                    Ok(None) => heard(None),
                    Err(error) => {
                        tracing::warn!(%error, "lost the database's change announcements; retrying");
                        heard(None);
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(())
    }

    async fn claim_post_slot(
        &self,
        client: IpAddr,
        now_ms: i64,
        per_minute: u32,
    ) -> Result<Result<(), u64>, StoreError> {
        if per_minute == 0 {
            return Ok(Ok(()));
        }
        let client = client.to_string();
        let mut transaction = self.locked(LOCK_CLIENT, &client).await?;
        sqlx::query("DELETE FROM recent_posts WHERE at_ms <= $1")
            .bind(now_ms - WINDOW_MS)
            .execute(&mut *transaction)
            .await?;
        let (count, oldest): (i64, Option<i64>) =
            sqlx::query_as("SELECT count(*), min(at_ms) FROM recent_posts WHERE client = $1")
                .bind(&client)
                .fetch_one(&mut *transaction)
                .await?;
        let verdict = if count >= i64::from(per_minute) {
            Err(seconds_until(oldest.unwrap_or(now_ms) + WINDOW_MS, now_ms))
        } else {
            sqlx::query("INSERT INTO recent_posts (client, at_ms) VALUES ($1, $2)")
                .bind(&client)
                .bind(now_ms)
                .execute(&mut *transaction)
                .await?;
            Ok(())
        };
        transaction.commit().await?;
        Ok(verdict)
    }
}

/// Adds an event to the thread's stream, inside the write that caused it (which holds the
/// thread's lock, so events of a thread commit in the order of their ids).
async fn record_event(
    transaction: &mut Transaction<'_, Postgres>,
    thread: &str,
    kind: EventKind,
    comment_id: i64,
    at_ms: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO events (thread_key, kind, comment_id, created_at_ms) VALUES ($1, $2, $3, $4)",
    )
    .bind(thread)
    .bind(kind_text(kind))
    .bind(comment_id)
    .bind(at_ms)
    .execute(&mut **transaction)
    .await?;
    Ok(())
}
