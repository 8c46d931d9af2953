use std::net::IpAddr;
use std::path::Path;
use std::time::Duration;

use async_trait::async_trait;
use colloquy_core::model::Comment;
use colloquy_core::validation::ValidComment;
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::{Postgres, Transaction};

use super::queries::postgres as queries;
use super::{
    ChangeHandler, EditFacts, FullComment, ImportSession, Inserted, Liked, Provenance, Store,
    StoreError, StoredEvent, ThreadRef,
};
use crate::rate_limit::{seconds_until, WINDOW_MS};
use crate::tokens::ServerSecret;

/// PostgreSQL, for several server processes on one database. Every guarantee of the SQLite
/// store holds here too: an acknowledged comment is committed (PostgreSQL's default
/// `synchronous_commit`), retries find their first copy through the unique key, and the
/// duplicate check is made in the inserting statement. What SQLite gets from serialising
/// its writers, PostgreSQL gets from transaction-scoped advisory locks: one per thread for
/// inserts and one per client for the posting limit, so concurrent requests on different
/// processes cannot both slip past a check.
pub struct PgStore {
    pub(crate) pool: PgPool,
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

    /// A transaction holding `thread`'s lock, so its events commit in the order of their
    /// ids (see the events migration).
    pub(crate) async fn thread_transaction(
        &self,
        thread: &ThreadRef,
    ) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.locked(LOCK_THREAD, &thread.scoped()).await
    }
}

/// The `LISTEN`/`NOTIFY` channel on which processes announce changed threads.
const CHANGES_CHANNEL: &str = "colloquy_threads";

/// Advisory lock keys: a lock class in the text keeps thread locks and client locks apart.
const LOCK_THREAD: &str = "colloquy:thread:";
const LOCK_CLIENT: &str = "colloquy:client:";

#[async_trait]
impl Store for PgStore {
    async fn thread_comments(&self, thread: &ThreadRef) -> Result<Vec<Comment>, StoreError> {
        queries::thread_comments(&self.pool, thread).await
    }

    async fn comment_in_thread(&self, thread: &ThreadRef, id: i64) -> Result<bool, StoreError> {
        queries::comment_in_thread(&self.pool, thread, id).await
    }

    async fn insert_comment(
        &self,
        thread: &ThreadRef,
        comment: &ValidComment,
        created_at_ms: i64,
        edit_token_hash: &str,
        duplicate_since_ms: Option<i64>,
        provenance: &Provenance,
    ) -> Result<Inserted, StoreError> {
        // Two posts of one body racing on two processes would each miss the other's row
        // under READ COMMITTED; holding the thread's lock until commit puts them in line.
        let mut transaction = self.thread_transaction(thread).await?;
        let stored = queries::insert_comment(
            &mut transaction,
            thread,
            comment,
            created_at_ms,
            edit_token_hash,
            duplicate_since_ms,
            provenance,
        )
        .await?;
        transaction.commit().await?;
        queries::outcome(&self.pool, stored, thread, &comment.idempotency_key).await
    }

    async fn edit_facts(&self, id: i64) -> Result<Option<EditFacts>, StoreError> {
        queries::edit_facts(&self.pool, id).await
    }

    async fn comment_by_id(&self, id: i64) -> Result<Option<Comment>, StoreError> {
        queries::comment_by_id(&self.pool, id).await
    }

    async fn update_body(
        &self,
        thread: &ThreadRef,
        id: i64,
        body: &str,
    ) -> Result<Option<Comment>, StoreError> {
        // The thread's lock keeps its events committing in the order of their ids.
        let mut transaction = self.thread_transaction(thread).await?;
        let updated = queries::update_body(&mut transaction, thread, id, body).await?;
        transaction.commit().await?;
        Ok(updated)
    }

    async fn set_like(
        &self,
        id: i64,
        voter_hash: &str,
        like: bool,
        now_ms: i64,
    ) -> Result<Liked, StoreError> {
        queries::set_like(&self.pool, id, voter_hash, like, now_ms).await
    }

    async fn thread_counts(
        &self,
        site: i64,
        keys: &[String],
    ) -> Result<Vec<(String, u64)>, StoreError> {
        queries::thread_counts(&self.pool, site, keys).await
    }

    async fn latest_event_id(&self, thread: &ThreadRef) -> Result<i64, StoreError> {
        queries::latest_event_id(&self.pool, thread).await
    }

    async fn events_after(
        &self,
        thread: &ThreadRef,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        queries::events_after(&self.pool, thread, after, limit).await
    }

    async fn installation_secret(&self) -> Result<ServerSecret, StoreError> {
        // Two processes starting at once both try; the first row wins and both read it.
        queries::installation_secret(&self.pool).await
    }

    async fn begin_import(&self, site: i64) -> Result<Box<dyn ImportSession>, StoreError> {
        Ok(Box::new(queries::Import {
            transaction: self.pool.begin().await?,
            site,
            secret: queries::installation_secret(&self.pool).await?,
        }))
    }

    async fn thread_keys(&self, site: i64) -> Result<Vec<String>, StoreError> {
        queries::thread_keys(&self.pool, site).await
    }

    async fn thread_title(&self, thread: &ThreadRef) -> Result<Option<String>, StoreError> {
        queries::thread_title(&self.pool, thread).await
    }

    async fn export_thread(&self, thread: &ThreadRef) -> Result<Vec<FullComment>, StoreError> {
        queries::export_thread(&self.pool, thread).await
    }

    async fn recent_comments(
        &self,
        site: i64,
        limit: i64,
    ) -> Result<Vec<(String, Comment)>, StoreError> {
        queries::recent_comments(&self.pool, site, limit).await
    }

    async fn move_thread(
        &self,
        site: i64,
        from: &str,
        to: &str,
        merge: bool,
    ) -> Result<u64, StoreError> {
        // Both threads' locks, in one order, so no post lands in either meanwhile.
        let (first, second) = if from < to { (from, to) } else { (to, from) };
        let mut transaction = self
            .thread_transaction(&ThreadRef::new(site, first))
            .await?;
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .bind(format!(
                "{LOCK_THREAD}{}",
                ThreadRef::new(site, second).scoped()
            ))
            .execute(&mut *transaction)
            .await?;
        let moved = queries::move_thread(&mut transaction, site, from, to, merge).await?;
        transaction.commit().await?;
        Ok(moved)
    }

    /// PostgreSQL's own tools do this better than a copy through the server could.
    async fn backup(&self, _file: &Path) -> Result<(), StoreError> {
        Err(StoreError::Refused(
            "On PostgreSQL use its own tool while the servers run: pg_dump --format=custom \
             --file=colloquy.dump <database URL> (restore with pg_restore)."
                .to_owned(),
        ))
    }

    async fn announce_change(&self, thread: &ThreadRef) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_notify($1, $2)")
            .bind(CHANGES_CHANNEL)
            .bind(thread.scoped())
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
