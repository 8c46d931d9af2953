//! The statements both engines run alike, written once. sqlx's pools and transactions are
//! typed per engine, so the functions are stamped out for each by [`engine_queries!`]
//! rather than written twice; the SQL uses `$n` placeholders, which PostgreSQL requires
//! and SQLite also reads. What differs between the engines (connection settings, locks,
//! the posting limit, change announcements) stays in `sqlite.rs` and `postgres.rs`.

macro_rules! engine_queries {
    ($engine:ty) => {
        use colloquy_core::model::{Comment, EventKind};
        use colloquy_core::validation::ValidComment;
        use sqlx::{Pool, Transaction};

        use crate::clock::now_ms;
        use crate::storage::{
            kind_text, secret_from_bytes, CommentRow, EditFacts, EventRow, FullComment,
            ImportSession, Inserted, StoreError, StoredEvent, EVENT_COLUMNS, PUBLIC_COLUMNS,
        };
        use crate::tokens::{sha256_hex, ServerSecret};

        type Engine = $engine;

        pub(crate) async fn thread_comments(
            pool: &Pool<Engine>,
            thread: &str,
        ) -> Result<Vec<Comment>, StoreError> {
            let sql = format!(
                "SELECT {PUBLIC_COLUMNS} FROM comments WHERE thread_key = $1 \
                 ORDER BY created_at_ms, id"
            );
            let rows: Vec<CommentRow> = sqlx::query_as(&sql).bind(thread).fetch_all(pool).await?;
            Ok(rows.into_iter().map(Comment::from).collect())
        }

        pub(crate) async fn comment_in_thread(
            pool: &Pool<Engine>,
            thread: &str,
            id: i64,
        ) -> Result<bool, StoreError> {
            let found: Option<i64> =
                sqlx::query_scalar("SELECT id FROM comments WHERE thread_key = $1 AND id = $2")
                    .bind(thread)
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            Ok(found.is_some())
        }

        /// Inserts the comment and its `created` event in `transaction`, unless its
        /// idempotency key is taken or (with `duplicate_since_ms`) its body is a recent
        /// repeat: both checks are part of the inserting statement.
        pub(crate) async fn insert_comment(
            transaction: &mut Transaction<'_, Engine>,
            thread: &str,
            comment: &ValidComment,
            created_at_ms: i64,
            edit_token_hash: &str,
            duplicate_since_ms: Option<i64>,
        ) -> Result<Option<Comment>, StoreError> {
            let sql = format!(
                "INSERT INTO comments (thread_key, parent_id, author, email, website, body, \
                 created_at_ms, edit_token_hash, idempotency_key, body_hash) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 \
                 WHERE CAST($11 AS BIGINT) IS NULL OR NOT EXISTS (SELECT 1 FROM comments \
                     WHERE thread_key = $1 AND body_hash = $10 AND created_at_ms >= $11 \
                     AND idempotency_key <> $9) \
                 ON CONFLICT (thread_key, idempotency_key) DO NOTHING \
                 RETURNING {PUBLIC_COLUMNS}"
            );
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
                .bind(sha256_hex(&comment.body))
                .bind(duplicate_since_ms)
                .fetch_optional(&mut **transaction)
                .await?;
            let Some(row) = inserted else {
                return Ok(None);
            };
            record_event(transaction, thread, EventKind::Created, row.id, created_at_ms).await?;
            Ok(Some(row.into()))
        }

        /// What a committed [`insert_comment`] amounts to: nothing stored means an earlier
        /// attempt of this very submission got through, or the body is a recent duplicate.
        pub(crate) async fn outcome(
            pool: &Pool<Engine>,
            stored: Option<Comment>,
            thread: &str,
            idempotency_key: &str,
        ) -> Result<Inserted, StoreError> {
            if let Some(comment) = stored {
                return Ok(Inserted::New(comment));
            }
            let sql = format!(
                "SELECT {PUBLIC_COLUMNS} FROM comments \
                 WHERE thread_key = $1 AND idempotency_key = $2"
            );
            let earlier: Option<CommentRow> = sqlx::query_as(&sql)
                .bind(thread)
                .bind(idempotency_key)
                .fetch_optional(pool)
                .await?;
            Ok(match earlier {
                Some(row) => Inserted::Replayed(row.into()),
                None => Inserted::Duplicate,
            })
        }

        pub(crate) async fn edit_facts(
            pool: &Pool<Engine>,
            id: i64,
        ) -> Result<Option<EditFacts>, StoreError> {
            let row: Option<(String, i64, String)> = sqlx::query_as(
                "SELECT thread_key, created_at_ms, edit_token_hash FROM comments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            Ok(
                row.map(|(thread, created_at_ms, edit_token_hash)| EditFacts {
                    thread,
                    created_at_ms,
                    edit_token_hash,
                }),
            )
        }

        /// Replaces the body and records an `edited` event, in `transaction`.
        pub(crate) async fn update_body(
            transaction: &mut Transaction<'_, Engine>,
            thread: &str,
            id: i64,
            body: &str,
        ) -> Result<Option<Comment>, StoreError> {
            let sql = format!(
                "UPDATE comments SET body = $1, body_hash = $2 WHERE id = $3 AND thread_key = $4 \
                 RETURNING {PUBLIC_COLUMNS}"
            );
            let row: Option<CommentRow> = sqlx::query_as(&sql)
                .bind(body)
                .bind(sha256_hex(body))
                .bind(id)
                .bind(thread)
                .fetch_optional(&mut **transaction)
                .await?;
            if row.is_some() {
                record_event(transaction, thread, EventKind::Edited, id, now_ms()).await?;
            }
            Ok(row.map(Comment::from))
        }

        pub(crate) async fn latest_event_id(
            pool: &Pool<Engine>,
            thread: &str,
        ) -> Result<i64, StoreError> {
            let latest: Option<i64> =
                sqlx::query_scalar("SELECT max(id) FROM events WHERE thread_key = $1")
                    .bind(thread)
                    .fetch_one(pool)
                    .await?;
            Ok(latest.unwrap_or(0))
        }

        pub(crate) async fn events_after(
            pool: &Pool<Engine>,
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
                .fetch_all(pool)
                .await?;
            Ok(rows.into_iter().map(StoredEvent::from).collect())
        }

        /// The installation secret, created by whichever process asks first.
        pub(crate) async fn installation_secret(
            pool: &Pool<Engine>,
        ) -> Result<ServerSecret, StoreError> {
            let fresh =
                ServerSecret::random().map_err(|e| StoreError::Randomness(e.to_string()))?;
            sqlx::query(
                "INSERT INTO server_secret (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
            )
            .bind(fresh.0.as_slice())
            .execute(pool)
            .await?;
            let stored: Vec<u8> =
                sqlx::query_scalar("SELECT secret FROM server_secret WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
            secret_from_bytes(stored)
        }

        /// An import's transaction. Imported comments record no live events (readers see
        /// them on their next load) and carry an edit-token hash no token matches.
        pub(crate) struct Import(pub(crate) Transaction<'static, Engine>);

        /// What imported comments have in place of an edit token's hash.
        const NO_EDIT_TOKEN: &str = "imported";

        #[async_trait::async_trait]
        impl ImportSession for Import {
            async fn has(&mut self, thread: &str, key: &str) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM comments WHERE thread_key = $1 AND idempotency_key = $2",
                )
                .bind(thread)
                .bind(key)
                .fetch_optional(&mut *self.0)
                .await?;
                Ok(found.is_some())
            }

            async fn add(&mut self, comment: &FullComment) -> Result<bool, StoreError> {
                let added: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO comments (thread_key, parent_id, author, email, website, body, \
                     created_at_ms, edit_token_hash, idempotency_key, body_hash) \
                     SELECT $1, (SELECT id FROM comments WHERE thread_key = $1 \
                                 AND idempotency_key = $2), $3, $4, $5, $6, $7, $8, $9, $10 \
                     ON CONFLICT (thread_key, idempotency_key) DO NOTHING RETURNING id",
                )
                .bind(&comment.thread)
                .bind(&comment.parent_key)
                .bind(&comment.author)
                .bind(&comment.email)
                .bind(&comment.website)
                .bind(&comment.body)
                .bind(comment.created_at_ms)
                .bind(NO_EDIT_TOKEN)
                .bind(&comment.key)
                .bind(sha256_hex(&comment.body))
                .fetch_optional(&mut *self.0)
                .await?;
                Ok(added.is_some())
            }

            async fn set_title(&mut self, thread: &str, title: &str) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO threads (key, title) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET title = excluded.title",
                )
                .bind(thread)
                .bind(title)
                .execute(&mut *self.0)
                .await?;
                Ok(())
            }

            async fn commit(self: Box<Self>) -> Result<(), StoreError> {
                self.0.commit().await?;
                Ok(())
            }
        }

        pub(crate) async fn thread_keys(pool: &Pool<Engine>) -> Result<Vec<String>, StoreError> {
            let mut keys: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT thread_key FROM comments UNION SELECT key FROM threads",
            )
            .fetch_all(pool)
            .await?;
            // Sorted here: the engines' collations differ, exports must not.
            keys.sort();
            keys.dedup();
            Ok(keys)
        }

        pub(crate) async fn thread_title(
            pool: &Pool<Engine>,
            thread: &str,
        ) -> Result<Option<String>, StoreError> {
            let title: Option<Option<String>> =
                sqlx::query_scalar("SELECT title FROM threads WHERE key = $1")
                    .bind(thread)
                    .fetch_optional(pool)
                    .await?;
            Ok(title.flatten())
        }

        pub(crate) async fn export_thread(
            pool: &Pool<Engine>,
            thread: &str,
        ) -> Result<Vec<FullComment>, StoreError> {
            type Row = (
                String,
                String,
                Option<String>,
                String,
                Option<String>,
                Option<String>,
                String,
                i64,
            );
            let rows: Vec<Row> = sqlx::query_as(
                "SELECT c.thread_key, c.idempotency_key, p.idempotency_key, c.author, c.email, \
                 c.website, c.body, c.created_at_ms FROM comments c \
                 LEFT JOIN comments p ON p.id = c.parent_id \
                 WHERE c.thread_key = $1 ORDER BY c.created_at_ms, c.id",
            )
            .bind(thread)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(
                    |(thread, key, parent_key, author, email, website, body, created_at_ms)| {
                        FullComment {
                            thread,
                            key,
                            parent_key,
                            author,
                            email,
                            website,
                            body,
                            created_at_ms,
                        }
                    },
                )
                .collect())
        }

        pub(crate) async fn recent_comments(
            pool: &Pool<Engine>,
            limit: i64,
        ) -> Result<Vec<(String, Comment)>, StoreError> {
            #[derive(sqlx::FromRow)]
            struct Row {
                thread_key: String,
                #[sqlx(flatten)]
                comment: CommentRow,
            }
            let sql = format!(
                "SELECT thread_key, {PUBLIC_COLUMNS} FROM comments \
                 ORDER BY created_at_ms DESC, id DESC LIMIT $1"
            );
            let rows: Vec<Row> = sqlx::query_as(&sql).bind(limit).fetch_all(pool).await?;
            Ok(rows
                .into_iter()
                .map(|row| (row.thread_key, row.comment.into()))
                .collect())
        }

        /// Moves `from`'s comments, events and title to `to` in `transaction`.
        pub(crate) async fn move_thread(
            transaction: &mut Transaction<'_, Engine>,
            from: &str,
            to: &str,
            merge: bool,
        ) -> Result<u64, StoreError> {
            if from == to {
                return Err(StoreError::Refused(format!("{from} is already {to}.")));
            }
            let waiting: i64 =
                sqlx::query_scalar("SELECT count(*) FROM comments WHERE thread_key = $1")
                    .bind(to)
                    .fetch_one(&mut **transaction)
                    .await?;
            if waiting > 0 && !merge {
                return Err(StoreError::Refused(format!(
                    "{to} already has {waiting} comments: merge the threads instead."
                )));
            }
            let shared: Option<String> = sqlx::query_scalar(
                "SELECT idempotency_key FROM comments WHERE thread_key = $1 \
                 AND idempotency_key IN (SELECT idempotency_key FROM comments \
                                         WHERE thread_key = $2) LIMIT 1",
            )
            .bind(from)
            .bind(to)
            .fetch_optional(&mut **transaction)
            .await?;
            if let Some(key) = shared {
                return Err(StoreError::Refused(format!(
                    "{from} and {to} both have a comment with the key {key}: \
                     they look like copies of one thread, not two."
                )));
            }
            let moved = sqlx::query("UPDATE comments SET thread_key = $2 WHERE thread_key = $1")
                .bind(from)
                .bind(to)
                .execute(&mut **transaction)
                .await?
                .rows_affected();
            sqlx::query("UPDATE events SET thread_key = $2 WHERE thread_key = $1")
                .bind(from)
                .bind(to)
                .execute(&mut **transaction)
                .await?;
            sqlx::query(
                "INSERT INTO threads (key, title) SELECT $2, title FROM threads WHERE key = $1 \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(from)
            .bind(to)
            .execute(&mut **transaction)
            .await?;
            sqlx::query("DELETE FROM threads WHERE key = $1")
                .bind(from)
                .execute(&mut **transaction)
                .await?;
            Ok(moved)
        }

        /// Adds an event to the thread's stream, inside the write that caused it.
        async fn record_event(
            transaction: &mut Transaction<'_, Engine>,
            thread: &str,
            kind: EventKind,
            comment_id: i64,
            at_ms: i64,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO events (thread_key, kind, comment_id, created_at_ms) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(thread)
            .bind(kind_text(kind))
            .bind(comment_id)
            .bind(at_ms)
            .execute(&mut **transaction)
            .await?;
            Ok(())
        }
    };
}

pub(crate) mod sqlite {
    engine_queries!(sqlx::Sqlite);
}

pub(crate) mod postgres {
    engine_queries!(sqlx::Postgres);
}
