use std::net::IpAddr;
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use colloquy_core::model::Comment;
use colloquy_core::validation::ValidComment;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::queries::sqlite as queries;
use super::{
    EditFacts, FullComment, ImportSession, Inserted, Liked, Provenance, Store, StoreError,
    StoredEvent, ThreadRef,
};
use crate::rate_limit::RateLimiter;
use crate::tokens::ServerSecret;

/// SQLite in WAL mode with `synchronous = FULL`: a comment answered with `201` has reached
/// the disk, and readers never wait for writers. One process owns the file, so the posting
/// limit lives in its memory.
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
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
}

impl SqliteStore {
    /// SQLite lets one writer in at a time: a plain transaction keeps a thread's events
    /// in order.
    pub(crate) async fn thread_transaction(
        &self,
        _thread: &ThreadRef,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        Ok(self.pool.begin().await?)
    }
}

#[async_trait]
impl Store for SqliteStore {
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
        // SQLite lets one writer in at a time, so the checks in the statement cannot race.
        let mut transaction = self.pool.begin().await?;
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
        let mut transaction = self.pool.begin().await?;
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
        let mut transaction = self.pool.begin().await?;
        let moved = queries::move_thread(&mut transaction, site, from, to, merge).await?;
        transaction.commit().await?;
        Ok(moved)
    }

    /// `VACUUM INTO`: SQLite's consistent copy of a live database, taken in one read
    /// transaction, so writers carry on (WAL) and the copy holds exactly what was committed
    /// when it began.
    async fn backup(&self, file: &Path) -> Result<(), StoreError> {
        if file.exists() {
            return Err(StoreError::Refused(format!(
                "{} exists already; a backup never overwrites a file.",
                file.display()
            )));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(file.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
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
