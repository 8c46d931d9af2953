//! The statements both engines run alike, written once. sqlx's pools and transactions are
//! typed per engine, so the functions are stamped out for each by [`engine_queries!`]
//! rather than written twice; the SQL uses `$n` placeholders, which PostgreSQL requires
//! and SQLite also reads. What differs between the engines (connection settings, locks,
//! the posting limit, change announcements) stays in `sqlite.rs` and `postgres.rs`; each
//! store has a `pool` and a `thread_transaction` (a transaction that may write events of a
//! thread: on PostgreSQL it holds the thread's lock), which the console's statements use.

macro_rules! engine_queries {
    ($engine:ty, $store:ty) => {
        use colloquy_core::model::{Comment, EventKind};
        use colloquy_core::time::format_rfc3339;
        use colloquy_core::validation::ValidComment;
        use sqlx::{Pool, Transaction};

        use crate::clock::now_ms;
        use crate::storage::{
            kind_text, kinds, secret_from_bytes, Liked, shown_to_readers, AdminComment, AuditEntry,
            Block, CommentFilter, CommentRow, Console, Delivery, EditFacts, Envelope, EventRow,
            FullComment, ImportSession, Inserted, MailAddress, MailToken, Moderated, NewBlock,
            Outbox, Outgoing, Owner, OwnerAccount, Provenance, Site, Status, StoreError,
            StoredEvent, StoredSettings, Subscriber, ThreadRef, ThreadSummary, EVENT_COLUMNS,
            PUBLIC_COLUMNS,
        };
        use crate::tokens::{sha256_hex, ServerSecret};

        type Engine = $engine;

        pub(crate) async fn thread_comments(
            pool: &Pool<Engine>,
            thread: &ThreadRef,
        ) -> Result<Vec<Comment>, StoreError> {
            let sql = format!(
                "SELECT {PUBLIC_COLUMNS} FROM comments WHERE site_id = $1 AND thread_key = $2 \
                 AND status <> 'pending' ORDER BY created_at_ms, id"
            );
            let rows: Vec<CommentRow> = sqlx::query_as(&sql)
                .bind(thread.site)
                .bind(&thread.key)
                .fetch_all(pool)
                .await?;
            Ok(shown_to_readers(rows.into_iter().map(Comment::from).collect()))
        }

        pub(crate) async fn comment_in_thread(
            pool: &Pool<Engine>,
            thread: &ThreadRef,
            id: i64,
        ) -> Result<bool, StoreError> {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM comments WHERE site_id = $1 AND thread_key = $2 AND id = $3 \
                 AND status = 'published'",
            )
            .bind(thread.site)
            .bind(&thread.key)
            .bind(id)
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        }

        /// Inserts the comment (and, when it is published, its `created` event) in
        /// `transaction`, unless its idempotency key is taken or (with
        /// `duplicate_since_ms`) its body is a recent repeat: both checks are part of the
        /// inserting statement.
        #[allow(clippy::too_many_arguments)]
        pub(crate) async fn insert_comment(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            comment: &ValidComment,
            created_at_ms: i64,
            edit_token_hash: &str,
            duplicate_since_ms: Option<i64>,
            provenance: &Provenance,
        ) -> Result<Option<Comment>, StoreError> {
            let sql = format!(
                "INSERT INTO comments (site_id, thread_key, parent_id, author, email, website, \
                 body, created_at_ms, edit_token_hash, idempotency_key, body_hash, status, \
                 by_owner, client_address, email_hash, voter_hash) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $13, $14, $15, $16, $17 \
                 WHERE CAST($12 AS BIGINT) IS NULL OR NOT EXISTS (SELECT 1 FROM comments \
                     WHERE site_id = $1 AND thread_key = $2 AND body_hash = $11 \
                     AND created_at_ms >= $12 AND idempotency_key <> $10) \
                 ON CONFLICT (site_id, thread_key, idempotency_key) DO NOTHING \
                 RETURNING {PUBLIC_COLUMNS}"
            );
            let inserted: Option<CommentRow> = sqlx::query_as(&sql)
                .bind(thread.site)
                .bind(&thread.key)
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
                .bind(provenance.status.as_str())
                .bind(provenance.by_owner)
                .bind(&provenance.client_address)
                .bind(&provenance.email_hash)
                .bind(&provenance.voter_hash)
                .fetch_optional(&mut **transaction)
                .await?;
            let Some(row) = inserted else {
                return Ok(None);
            };
            let stored: Comment = row.into();
            let outgoing = &provenance.outgoing;
            if provenance.status == Status::Published {
                record_event(transaction, thread, EventKind::Created, stored.id, created_at_ms)
                    .await?;
                let hash = provenance.email_hash.as_deref();
                enqueue_published(transaction, thread, &stored, hash, outgoing, "created").await?;
            } else {
                enqueue_pending(transaction, thread, &stored, outgoing).await?;
            }
            if let Some(subscriber) = &outgoing.subscriber {
                subscribe(transaction, thread.site, stored.id, subscriber).await?;
            }
            Ok(Some(stored))
        }

        /// What a committed [`insert_comment`] amounts to: nothing stored means an earlier
        /// attempt of this very submission got through, or the body is a recent duplicate.
        pub(crate) async fn outcome(
            pool: &Pool<Engine>,
            stored: Option<Comment>,
            thread: &ThreadRef,
            idempotency_key: &str,
        ) -> Result<Inserted, StoreError> {
            if let Some(comment) = stored {
                return Ok(Inserted::New(comment));
            }
            let sql = format!(
                "SELECT {PUBLIC_COLUMNS} FROM comments \
                 WHERE site_id = $1 AND thread_key = $2 AND idempotency_key = $3"
            );
            let earlier: Option<CommentRow> = sqlx::query_as(&sql)
                .bind(thread.site)
                .bind(&thread.key)
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
            let row: Option<(i64, String, i64, String, String)> = sqlx::query_as(
                "SELECT site_id, thread_key, created_at_ms, edit_token_hash, status \
                 FROM comments WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?;
            Ok(row.map(
                |(site, key, created_at_ms, edit_token_hash, status)| EditFacts {
                    thread: ThreadRef::new(site, key),
                    created_at_ms,
                    edit_token_hash,
                    status: Status::parse(&status).unwrap_or(Status::Deleted),
                },
            ))
        }

        /// A comment as its author may see it, whatever its status.
        pub(crate) async fn comment_by_id(
            pool: &Pool<Engine>,
            id: i64,
        ) -> Result<Option<Comment>, StoreError> {
            let sql = format!("SELECT {PUBLIC_COLUMNS} FROM comments WHERE id = $1");
            let row: Option<CommentRow> =
                sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?;
            Ok(row.map(Comment::from))
        }

        /// Replaces the body and, unless the comment is pending (which nobody else sees),
        /// records an `edited` event, in `transaction`.
        pub(crate) async fn update_body(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            id: i64,
            body: &str,
        ) -> Result<Option<Comment>, StoreError> {
            let sql = format!(
                "UPDATE comments SET body = $1, body_hash = $2, edited_at_ms = $6 \
                 WHERE id = $3 AND site_id = $4 AND thread_key = $5 AND status <> 'deleted' \
                 RETURNING {PUBLIC_COLUMNS}"
            );
            let row: Option<CommentRow> = sqlx::query_as(&sql)
                .bind(body)
                .bind(sha256_hex(body))
                .bind(id)
                .bind(thread.site)
                .bind(&thread.key)
                .bind(now_ms())
                .fetch_optional(&mut **transaction)
                .await?;
            let comment = row.map(Comment::from);
            if comment.as_ref().is_some_and(|c| !c.pending) {
                record_event(transaction, thread, EventKind::Edited, id, now_ms()).await?;
            }
            Ok(comment)
        }

        /// Adds `voter_hash`'s like to comment `id` (once: a second like changes nothing),
        /// or with `like` false takes it back, unless the comment is not published or is
        /// the voter's own.
        pub(crate) async fn set_like(
            pool: &Pool<Engine>,
            id: i64,
            voter_hash: &str,
            like: bool,
            now_ms: i64,
        ) -> Result<Liked, StoreError> {
            let mut transaction = pool.begin().await?;
            let Some(thread) = likeable(&mut transaction, id, voter_hash).await? else {
                return Ok(Liked::NoComment);
            };
            let Some(thread) = thread else {
                return Ok(Liked::Own);
            };
            let changed: Option<i64> = if like {
                sqlx::query_scalar(
                    "INSERT INTO likes (comment_id, voter_hash, created_at_ms) \
                     VALUES ($1, $2, $3) \
                     ON CONFLICT (comment_id, voter_hash) DO NOTHING RETURNING comment_id",
                )
                .bind(id)
                .bind(voter_hash)
                .bind(now_ms)
                .fetch_optional(&mut *transaction)
                .await?
            } else {
                sqlx::query_scalar(
                    "DELETE FROM likes WHERE comment_id = $1 AND voter_hash = $2 \
                     RETURNING comment_id",
                )
                .bind(id)
                .bind(voter_hash)
                .fetch_optional(&mut *transaction)
                .await?
            };
            let by = match (changed.is_some(), like) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => -1,
            };
            let likes = count_likes(&mut transaction, id, by).await?;
            // Readers following the thread see the count move (one event per change; a
            // like sent twice changes nothing and tells nobody).
            if changed.is_some() {
                record_event(&mut transaction, &thread, EventKind::Liked, id, now_ms).await?;
            }
            transaction.commit().await?;
            Ok(Liked::Now {
                thread,
                likes,
                changed: changed.is_some(),
            })
        }

        /// The thread of a published comment `id`: `None` when there is no such comment,
        /// `Some(None)` when `voter_hash` wrote it.
        async fn likeable(
            transaction: &mut Transaction<'_, Engine>,
            id: i64,
            voter_hash: &str,
        ) -> Result<Option<Option<ThreadRef>>, StoreError> {
            let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT site_id, thread_key, voter_hash FROM comments \
                 WHERE id = $1 AND status = 'published'",
            )
            .bind(id)
            .fetch_optional(&mut **transaction)
            .await?;
            Ok(row.map(|(site, key, author)| {
                (author.as_deref() != Some(voter_hash)).then(|| ThreadRef::new(site, key))
            }))
        }

        /// Moves comment `id`'s count by `by` and answers the count now.
        async fn count_likes(
            transaction: &mut Transaction<'_, Engine>,
            id: i64,
            by: i64,
        ) -> Result<u64, StoreError> {
            let likes: i64 = sqlx::query_scalar(
                "UPDATE comments SET likes = likes + $1 WHERE id = $2 RETURNING likes",
            )
            .bind(by)
            .bind(id)
            .fetch_one(&mut **transaction)
            .await?;
            Ok(likes.max(0) as u64)
        }

        /// The published comments of each of `keys` in `site` (absent: none).
        pub(crate) async fn thread_counts(
            pool: &Pool<Engine>,
            site: i64,
            keys: &[String],
        ) -> Result<Vec<(String, u64)>, StoreError> {
            if keys.is_empty() {
                return Ok(Vec::new());
            }
            let places: Vec<String> = (0..keys.len()).map(|n| format!("${}", n + 2)).collect();
            let sql = format!(
                "SELECT thread_key, count(*) FROM comments WHERE site_id = $1 \
                 AND status = 'published' AND thread_key IN ({}) GROUP BY thread_key",
                places.join(", ")
            );
            let mut query = sqlx::query_as::<_, (String, i64)>(&sql).bind(site);
            for key in keys {
                query = query.bind(key);
            }
            let rows = query.fetch_all(pool).await?;
            Ok(rows.into_iter().map(|(key, n)| (key, n.max(0) as u64)).collect())
        }

        pub(crate) async fn latest_event_id(
            pool: &Pool<Engine>,
            thread: &ThreadRef,
        ) -> Result<i64, StoreError> {
            let latest: Option<i64> = sqlx::query_scalar(
                "SELECT max(id) FROM events WHERE site_id = $1 AND thread_key = $2",
            )
            .bind(thread.site)
            .bind(&thread.key)
            .fetch_one(pool)
            .await?;
            Ok(latest.unwrap_or(0))
        }

        pub(crate) async fn events_after(
            pool: &Pool<Engine>,
            thread: &ThreadRef,
            after: i64,
            limit: i64,
        ) -> Result<Vec<StoredEvent>, StoreError> {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM events e JOIN comments c ON c.id = e.comment_id \
                 WHERE e.site_id = $1 AND e.thread_key = $2 AND e.id > $3 \
                 AND c.status <> 'pending' ORDER BY e.id LIMIT $4"
            );
            let rows: Vec<EventRow> = sqlx::query_as(&sql)
                .bind(thread.site)
                .bind(&thread.key)
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

        /// An import's transaction into one site. Imported comments record no live events
        /// (readers see them on their next load) and carry an edit-token hash no token
        /// matches.
        pub(crate) struct Import {
            pub(crate) transaction: Transaction<'static, Engine>,
            pub(crate) site: i64,
            /// Keys the email hash each imported comment is recognised by (and its
            /// avatar derived from), as for a posted one.
            pub(crate) secret: ServerSecret,
        }

        /// What imported comments have in place of an edit token's hash.
        const NO_EDIT_TOKEN: &str = "imported";

        #[async_trait::async_trait]
        impl ImportSession for Import {
            async fn has(&mut self, thread: &str, key: &str) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM comments WHERE site_id = $1 AND thread_key = $2 \
                     AND idempotency_key = $3",
                )
                .bind(self.site)
                .bind(thread)
                .bind(key)
                .fetch_optional(&mut *self.transaction)
                .await?;
                Ok(found.is_some())
            }

            async fn add(&mut self, comment: &FullComment) -> Result<bool, StoreError> {
                let added: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO comments (site_id, thread_key, parent_id, author, email, \
                     website, body, created_at_ms, edit_token_hash, idempotency_key, body_hash, \
                     email_hash) \
                     SELECT $1, $2, (SELECT id FROM comments WHERE site_id = $1 \
                                     AND thread_key = $2 AND idempotency_key = $3), \
                            $4, $5, $6, $7, $8, $9, $10, $11, $12 \
                     ON CONFLICT (site_id, thread_key, idempotency_key) DO NOTHING RETURNING id",
                )
                .bind(self.site)
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
                .bind(
                    comment
                        .email
                        .as_deref()
                        .filter(|email| !email.trim().is_empty())
                        .map(|email| self.secret.email_hash(email)),
                )
                .fetch_optional(&mut *self.transaction)
                .await?;
                Ok(added.is_some())
            }

            async fn set_title(&mut self, thread: &str, title: &str) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO threads (site_id, key, title) VALUES ($1, $2, $3) \
                     ON CONFLICT (site_id, key) DO UPDATE SET title = excluded.title",
                )
                .bind(self.site)
                .bind(thread)
                .bind(title)
                .execute(&mut *self.transaction)
                .await?;
                Ok(())
            }

            async fn commit(self: Box<Self>) -> Result<(), StoreError> {
                self.transaction.commit().await?;
                Ok(())
            }
        }

        pub(crate) async fn thread_keys(
            pool: &Pool<Engine>,
            site: i64,
        ) -> Result<Vec<String>, StoreError> {
            let mut keys: Vec<String> = sqlx::query_scalar(
                "SELECT DISTINCT thread_key FROM comments WHERE site_id = $1 \
                 UNION SELECT key FROM threads WHERE site_id = $1",
            )
            .bind(site)
            .fetch_all(pool)
            .await?;
            // Sorted here: the engines' collations differ, exports must not.
            keys.sort();
            keys.dedup();
            Ok(keys)
        }

        pub(crate) async fn thread_title(
            pool: &Pool<Engine>,
            thread: &ThreadRef,
        ) -> Result<Option<String>, StoreError> {
            let title: Option<Option<String>> =
                sqlx::query_scalar("SELECT title FROM threads WHERE site_id = $1 AND key = $2")
                    .bind(thread.site)
                    .bind(&thread.key)
                    .fetch_optional(pool)
                    .await?;
            Ok(title.flatten())
        }

        pub(crate) async fn export_thread(
            pool: &Pool<Engine>,
            thread: &ThreadRef,
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
                 LEFT JOIN comments p ON p.id = c.parent_id AND p.status = 'published' \
                 WHERE c.site_id = $1 AND c.thread_key = $2 AND c.status = 'published' \
                 ORDER BY c.created_at_ms, c.id",
            )
            .bind(thread.site)
            .bind(&thread.key)
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
            site: i64,
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
                 WHERE site_id = $1 AND status = 'published' \
                 ORDER BY created_at_ms DESC, id DESC LIMIT $2"
            );
            let rows: Vec<Row> = sqlx::query_as(&sql)
                .bind(site)
                .bind(limit)
                .fetch_all(pool)
                .await?;
            Ok(rows
                .into_iter()
                .map(|row| (row.thread_key, row.comment.into()))
                .collect())
        }

        /// Moves `from`'s comments, events and title to `to` (both of `site`) in
        /// `transaction`.
        pub(crate) async fn move_thread(
            transaction: &mut Transaction<'_, Engine>,
            site: i64,
            from: &str,
            to: &str,
            merge: bool,
        ) -> Result<u64, StoreError> {
            if from == to {
                return Err(StoreError::Refused(format!("{from} is already {to}.")));
            }
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM comments WHERE site_id = $1 AND thread_key = $2",
            )
            .bind(site)
            .bind(to)
            .fetch_one(&mut **transaction)
            .await?;
            if waiting > 0 && !merge {
                return Err(StoreError::Refused(format!(
                    "{to} already has {waiting} comments: merge the threads instead."
                )));
            }
            let shared: Option<String> = sqlx::query_scalar(
                "SELECT idempotency_key FROM comments WHERE site_id = $1 AND thread_key = $2 \
                 AND idempotency_key IN (SELECT idempotency_key FROM comments \
                                         WHERE site_id = $1 AND thread_key = $3) LIMIT 1",
            )
            .bind(site)
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
            let moved = sqlx::query(
                "UPDATE comments SET thread_key = $3 WHERE site_id = $1 AND thread_key = $2",
            )
            .bind(site)
            .bind(from)
            .bind(to)
            .execute(&mut **transaction)
            .await?
            .rows_affected();
            sqlx::query("UPDATE events SET thread_key = $3 WHERE site_id = $1 AND thread_key = $2")
                .bind(site)
                .bind(from)
                .bind(to)
                .execute(&mut **transaction)
                .await?;
            sqlx::query(
                "INSERT INTO threads (site_id, key, title, locked) \
                 SELECT site_id, $3, title, locked FROM threads WHERE site_id = $1 AND key = $2 \
                 ON CONFLICT (site_id, key) DO NOTHING",
            )
            .bind(site)
            .bind(from)
            .bind(to)
            .execute(&mut **transaction)
            .await?;
            sqlx::query("DELETE FROM threads WHERE site_id = $1 AND key = $2")
                .bind(site)
                .bind(from)
                .execute(&mut **transaction)
                .await?;
            Ok(moved)
        }

        /// Adds an event to the thread's stream, inside the write that caused it.
        async fn record_event(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            kind: EventKind,
            comment_id: i64,
            at_ms: i64,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO events (site_id, thread_key, kind, comment_id, created_at_ms) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(thread.site)
            .bind(&thread.key)
            .bind(kind_text(kind))
            .bind(comment_id)
            .bind(at_ms)
            .execute(&mut **transaction)
            .await?;
            Ok(())
        }

        /// Writes what a comment just published must send, in its write's transaction: the
        /// webhooks' `event`, the owner's email (for a comment not held first), and a reply
        /// email to the author of the comment it answers (when they asked for one,
        /// confirmed their address, did not leave, and are not the one replying). Replies to
        /// one comment within `outgoing.burst_ms` of the first go out as one email.
        pub(crate) async fn enqueue_published(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            comment: &Comment,
            email_hash: Option<&str>,
            outgoing: &Outgoing,
            event: &str,
        ) -> Result<(), StoreError> {
            let now = now_ms();
            enqueue_webhooks(transaction, thread, comment, outgoing, event).await?;
            // The owner hears of a comment once: held ones when held (see enqueue_pending).
            let news = !comment.by_owner && event == "created";
            if let Some(owner) = outgoing.owner.as_deref().filter(|_| news) {
                enqueue_mail(transaction, thread.site, owner, kinds::OWNER_NEW, comment.id, "", "en", now).await?;
            }
            let Some(parent) = comment.parent_id.filter(|_| outgoing.mail) else {
                return Ok(());
            };
            let subscriber: Option<(String, String, String)> = sqlx::query_as(
                "SELECT s.email_hash, a.email, a.lang FROM subscriptions s \
                 JOIN mail_addresses a ON a.email_hash = s.email_hash \
                 WHERE s.comment_id = $1 AND s.active = TRUE AND a.confirmed_at_ms IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM site_unsubscribes u \
                                 WHERE u.site_id = $2 AND u.email_hash = s.email_hash)",
            )
            .bind(parent)
            .bind(thread.site)
            .fetch_optional(&mut **transaction)
            .await?;
            let Some((hash, email, lang)) = subscriber else {
                return Ok(());
            };
            if Some(hash.as_str()) == email_hash {
                return Ok(());
            }
            let joined: Option<i64> = sqlx::query_scalar(
                "UPDATE outbox SET items = items || ',' || $1 WHERE channel = 'mail' \
                 AND kind = 'reply' AND recipient = $2 AND comment_id = $3 \
                 AND state = 'waiting' AND due_at_ms > $4 RETURNING id",
            )
            .bind(comment.id.to_string())
            .bind(&email)
            .bind(parent)
            .bind(now)
            .fetch_optional(&mut **transaction)
            .await?;
            if joined.is_none() {
                let items = comment.id.to_string();
                enqueue_mail(transaction, thread.site, &email, kinds::REPLY, parent, &items, &lang, now + outgoing.burst_ms).await?;
            }
            Ok(())
        }

        /// What a comment held for approval must send: the owner's email (with its approve
        /// and delete links) and the webhooks' `pending`.
        pub(crate) async fn enqueue_pending(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            comment: &Comment,
            outgoing: &Outgoing,
        ) -> Result<(), StoreError> {
            enqueue_webhooks(transaction, thread, comment, outgoing, "pending").await?;
            if let Some(owner) = &outgoing.owner {
                enqueue_mail(transaction, thread.site, owner, kinds::OWNER_PENDING, comment.id, "", "en", now_ms()).await?;
            }
            Ok(())
        }

        /// The webhooks' `event` for `comment`, one row per webhook.
        pub(crate) async fn enqueue_webhooks(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            comment: &Comment,
            outgoing: &Outgoing,
            event: &str,
        ) -> Result<(), StoreError> {
            if outgoing.webhooks.is_empty() {
                return Ok(());
            }
            let body = serde_json::json!({
                "event": event,
                "site": thread.site,
                "thread": thread.key,
                "comment": comment,
            })
            .to_string();
            let now = now_ms();
            for url in &outgoing.webhooks {
                sqlx::query(
                    "INSERT INTO outbox (site_id, channel, recipient, kind, comment_id, items, \
                     created_at_ms, due_at_ms) VALUES ($1, 'webhook', $2, $3, $4, $5, $6, $6)",
                )
                .bind(thread.site)
                .bind(url)
                .bind(event)
                .bind(comment.id)
                .bind(&body)
                .bind(now)
                .execute(&mut **transaction)
                .await?;
            }
            Ok(())
        }

        #[allow(clippy::too_many_arguments)]
        async fn enqueue_mail(
            transaction: &mut Transaction<'_, Engine>,
            site: i64,
            recipient: &str,
            kind: &str,
            comment_id: i64,
            items: &str,
            lang: &str,
            due_at_ms: i64,
        ) -> Result<(), StoreError> {
            sqlx::query(
                "INSERT INTO outbox (site_id, channel, recipient, kind, comment_id, items, lang, \
                 created_at_ms, due_at_ms) VALUES ($1, 'mail', $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(site)
            .bind(recipient)
            .bind(kind)
            .bind(comment_id)
            .bind(items)
            .bind(lang)
            .bind(now_ms())
            .bind(due_at_ms)
            .execute(&mut **transaction)
            .await?;
            Ok(())
        }

        /// The author of comment `comment_id` asked to hear of replies: their address is
        /// remembered, and, unless it is confirmed (or a confirmation went out in the last
        /// day), one confirmation email is written.
        pub(crate) async fn subscribe(
            transaction: &mut Transaction<'_, Engine>,
            site: i64,
            comment_id: i64,
            subscriber: &Subscriber,
        ) -> Result<(), StoreError> {
            let now = now_ms();
            let (confirmed, asked): (Option<i64>, Option<i64>) = sqlx::query_as(
                "INSERT INTO mail_addresses (email_hash, email, lang) VALUES ($1, $2, $3) \
                 ON CONFLICT (email_hash) DO UPDATE SET lang = excluded.lang \
                 RETURNING confirmed_at_ms, confirmation_sent_at_ms",
            )
            .bind(&subscriber.email_hash)
            .bind(&subscriber.email)
            .bind(&subscriber.lang)
            .fetch_one(&mut **transaction)
            .await?;
            sqlx::query(
                "INSERT INTO subscriptions (comment_id, email_hash) VALUES ($1, $2) \
                 ON CONFLICT (comment_id) DO NOTHING",
            )
            .bind(comment_id)
            .bind(&subscriber.email_hash)
            .execute(&mut **transaction)
            .await?;
            let recently = asked.is_some_and(|at| at > now - 86_400_000);
            if confirmed.is_none() && !recently {
                sqlx::query("UPDATE mail_addresses SET confirmation_sent_at_ms = $2 WHERE email_hash = $1")
                    .bind(&subscriber.email_hash)
                    .bind(now)
                    .execute(&mut **transaction)
                    .await?;
                enqueue_mail(transaction, site, &subscriber.email, kinds::CONFIRM, comment_id, "", &subscriber.lang, now).await?;
            }
            Ok(())
        }

        /// The columns of [`Envelope`].
        const ENVELOPE_COLUMNS: &str =
            "id, site_id, channel, recipient, kind, comment_id, items, lang, attempts, created_at_ms";

        #[async_trait::async_trait]
        impl Outbox for $store {
            async fn claim_due(
                &self,
                channel: &str,
                now_ms: i64,
                claim_ms: i64,
                limit: i64,
            ) -> Result<Vec<Envelope>, StoreError> {
                // The state is checked again on the row itself, so two processes that picked
                // the same row cannot both claim it.
                let due = "((state = 'waiting' AND due_at_ms <= $2) \
                            OR (state = 'sending' AND claimed_until_ms < $2))";
                let sql = format!(
                    "UPDATE outbox SET state = 'sending', claimed_until_ms = $2 + $3 \
                     WHERE id IN (SELECT id FROM outbox WHERE channel = $1 AND {due} \
                                  ORDER BY id LIMIT $4) \
                     AND {due} RETURNING {ENVELOPE_COLUMNS}"
                );
                Ok(sqlx::query_as(&sql)
                    .bind(channel)
                    .bind(now_ms)
                    .bind(claim_ms)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE outbox SET state = 'sent', sent_at_ms = $2, attempts = attempts + 1 WHERE id = $1")
                    .bind(id)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn failed(
                &self,
                id: i64,
                retry_at_ms: Option<i64>,
                error: &str,
            ) -> Result<(), StoreError> {
                let (state, due) = match retry_at_ms {
                    Some(due) => ("waiting", due),
                    None => ("failed", now_ms()),
                };
                sqlx::query(
                    "UPDATE outbox SET state = $2, due_at_ms = $3, attempts = attempts + 1, \
                     last_error = $4 WHERE id = $1",
                )
                .bind(id)
                .bind(state)
                .bind(due)
                .bind(error.chars().take(500).collect::<String>())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn postpone(&self, id: i64, due_at_ms: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE outbox SET state = 'waiting', due_at_ms = $2 WHERE id = $1")
                    .bind(id)
                    .bind(due_at_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn sent_to(&self, recipient: &str, since_ms: i64) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT count(*) FROM outbox WHERE channel = 'mail' AND recipient = $1 \
                     AND state = 'sent' AND sent_at_ms >= $2",
                )
                .bind(recipient)
                .bind(since_ms)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn undelivered(&self) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "SELECT count(*) FROM outbox WHERE state IN ('waiting', 'sending')",
                )
                .fetch_one(&self.pool)
                .await?)
            }

            async fn deliveries(&self, site: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
                type Row = (i64, String, String, String, Option<i64>, String, i64, i64, Option<i64>, Option<String>);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, channel, recipient, kind, comment_id, state, attempts, \
                     created_at_ms, sent_at_ms, last_error FROM outbox WHERE site_id = $1 \
                     ORDER BY id DESC LIMIT $2",
                )
                .bind(site)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, channel, recipient, kind, comment_id, state, attempts, created, sent, last_error)| Delivery {
                        recipient: if channel == kinds::WEBHOOK { recipient } else { "an email".to_owned() },
                        id,
                        channel,
                        kind,
                        comment_id,
                        state,
                        attempts,
                        created_at: format_rfc3339(created),
                        sent_at: sent.map(format_rfc3339),
                        last_error,
                    })
                    .collect())
            }

            async fn mail_address(&self, email_hash: &str) -> Result<Option<MailAddress>, StoreError> {
                Ok(sqlx::query_as(
                    "SELECT email, lang, confirmed_at_ms FROM mail_addresses WHERE email_hash = $1",
                )
                .bind(email_hash)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn confirm_address(&self, email_hash: &str, now_ms: i64) -> Result<(), StoreError> {
                sqlx::query(
                    "UPDATE mail_addresses SET confirmed_at_ms = $2 \
                     WHERE email_hash = $1 AND confirmed_at_ms IS NULL",
                )
                .bind(email_hash)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn unsubscribe(&self, comment_id: i64) -> Result<(), StoreError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query("UPDATE subscriptions SET active = FALSE WHERE comment_id = $1")
                    .bind(comment_id)
                    .execute(&mut *transaction)
                    .await?;
                // What was waiting to tell of this conversation goes too.
                sqlx::query(
                    "DELETE FROM outbox WHERE channel = 'mail' AND kind = 'reply' \
                     AND comment_id = $1 AND state = 'waiting'",
                )
                .bind(comment_id)
                .execute(&mut *transaction)
                .await?;
                transaction.commit().await?;
                Ok(())
            }

            async fn unsubscribe_site(&self, site: i64, email_hash: &str) -> Result<(), StoreError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query(
                    "INSERT INTO site_unsubscribes (site_id, email_hash) VALUES ($1, $2) \
                     ON CONFLICT (site_id, email_hash) DO NOTHING",
                )
                .bind(site)
                .bind(email_hash)
                .execute(&mut *transaction)
                .await?;
                sqlx::query(
                    "DELETE FROM outbox WHERE channel = 'mail' AND kind = 'reply' AND site_id = $1 \
                     AND state = 'waiting' AND recipient = \
                         (SELECT email FROM mail_addresses WHERE email_hash = $2)",
                )
                .bind(site)
                .bind(email_hash)
                .execute(&mut *transaction)
                .await?;
                transaction.commit().await?;
                Ok(())
            }

            #[allow(clippy::too_many_arguments)]
            async fn create_mail_token(
                &self,
                token_hash: &str,
                purpose: &str,
                site: i64,
                email_hash: Option<&str>,
                email: Option<&str>,
                comment_id: Option<i64>,
                expires_at_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO mail_tokens (token_hash, purpose, site_id, email_hash, email, \
                     comment_id, expires_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(token_hash)
                .bind(purpose)
                .bind(site)
                .bind(email_hash)
                .bind(email)
                .bind(comment_id)
                .bind(expires_at_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn mail_token(&self, token_hash: &str) -> Result<Option<MailToken>, StoreError> {
                Ok(sqlx::query_as(
                    "SELECT purpose, site_id, email_hash, email, comment_id, expires_at_ms, \
                     used_at_ms FROM mail_tokens WHERE token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn enqueue_mail_now(
                &self,
                site: i64,
                recipient: &str,
                kind: &str,
                lang: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO outbox (site_id, channel, recipient, kind, lang, created_at_ms, \
                     due_at_ms) VALUES ($1, 'mail', $2, $3, $4, $5, $5)",
                )
                .bind(site)
                .bind(recipient)
                .bind(kind)
                .bind(lang)
                .bind(now_ms())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn remember_title(&self, thread: &ThreadRef, title: &str) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO threads (site_id, key, title) VALUES ($1, $2, $3) \
                     ON CONFLICT (site_id, key) DO UPDATE SET title = excluded.title \
                     WHERE threads.title IS NULL",
                )
                .bind(thread.site)
                .bind(&thread.key)
                .bind(title)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn use_mail_token(&self, token_hash: &str, now_ms: i64) -> Result<bool, StoreError> {
                let used = sqlx::query(
                    "UPDATE mail_tokens SET used_at_ms = $2 WHERE token_hash = $1 AND used_at_ms IS NULL",
                )
                .bind(token_hash)
                .bind(now_ms)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(used > 0)
            }
        }

        /// The columns of [`AdminRow`], over `comments` as `c`.
        const ADMIN_COLUMNS: &str = "c.id, c.thread_key, c.parent_id, c.author, c.email, \
             c.website, c.body, c.created_at_ms, c.status, c.by_owner, c.pinned, \
             c.client_address, (SELECT count(*) FROM comments k WHERE k.parent_id = c.id \
                                AND k.status = 'published') AS replies";

        #[derive(sqlx::FromRow)]
        struct AdminRow {
            id: i64,
            thread_key: String,
            parent_id: Option<i64>,
            author: String,
            email: Option<String>,
            website: Option<String>,
            body: String,
            created_at_ms: i64,
            status: String,
            by_owner: bool,
            pinned: bool,
            client_address: Option<String>,
            replies: i64,
        }

        impl From<AdminRow> for AdminComment {
            fn from(row: AdminRow) -> Self {
                AdminComment {
                    id: row.id,
                    thread: row.thread_key,
                    parent_id: row.parent_id,
                    author: row.author,
                    email: row.email,
                    website: row.website,
                    body: row.body,
                    created_at: format_rfc3339(row.created_at_ms),
                    status: Status::parse(&row.status).unwrap_or(Status::Deleted),
                    by_owner: row.by_owner,
                    pinned: row.pinned,
                    client_address: row.client_address,
                    replies: row.replies,
                }
            }
        }

        #[derive(sqlx::FromRow)]
        struct OwnerRow {
            id: i64,
            site_id: i64,
            email: String,
            name: String,
        }

        impl From<OwnerRow> for Owner {
            fn from(row: OwnerRow) -> Self {
                Owner {
                    id: row.id,
                    site: row.site_id,
                    email: row.email,
                    name: row.name,
                }
            }
        }

        /// `text` as a `LIKE` pattern that finds it anywhere, its own `%`, `_` and `\`
        /// taken literally.
        fn anywhere(text: &str) -> String {
            let escaped = text
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        }

        /// The comment `id` of `site` with its thread, read inside `transaction`.
        async fn thread_of(
            pool: &Pool<Engine>,
            site: i64,
            id: i64,
        ) -> Result<Option<ThreadRef>, StoreError> {
            let key: Option<String> =
                sqlx::query_scalar("SELECT thread_key FROM comments WHERE site_id = $1 AND id = $2")
                    .bind(site)
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            Ok(key.map(|key| ThreadRef::new(site, key)))
        }

        /// Turns comment `id` into a tombstone and records its `deleted` event.
        async fn tombstone(
            transaction: &mut Transaction<'_, Engine>,
            thread: &ThreadRef,
            id: i64,
        ) -> Result<Option<Comment>, StoreError> {
            let sql = format!(
                "UPDATE comments SET status = 'deleted', author = '', email = NULL, \
                 website = NULL, body = '', body_hash = NULL, client_address = NULL, \
                 email_hash = NULL, pinned = FALSE, by_owner = FALSE \
                 WHERE site_id = $1 AND thread_key = $2 AND id = $3 AND status <> 'deleted' \
                 RETURNING {PUBLIC_COLUMNS}"
            );
            let row: Option<CommentRow> = sqlx::query_as(&sql)
                .bind(thread.site)
                .bind(&thread.key)
                .bind(id)
                .fetch_optional(&mut **transaction)
                .await?;
            if row.is_some() {
                record_event(transaction, thread, EventKind::Deleted, id, now_ms()).await?;
            }
            Ok(row.map(Comment::from))
        }

        #[async_trait::async_trait]
        impl Console for $store {
            async fn site_of_origin(&self, origin: &str) -> Result<Option<i64>, StoreError> {
                Ok(sqlx::query_scalar("SELECT site_id FROM site_origins WHERE origin = $1")
                    .bind(origin.to_ascii_lowercase())
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn site_named(&self, name: &str) -> Result<Option<Site>, StoreError> {
                Ok(self
                    .sites()
                    .await?
                    .into_iter()
                    .find(|site| site.name == name))
            }

            async fn sites(&self) -> Result<Vec<Site>, StoreError> {
                let sites: Vec<(i64, String)> =
                    sqlx::query_as("SELECT id, name FROM sites ORDER BY id")
                        .fetch_all(&self.pool)
                        .await?;
                let origins: Vec<(i64, String)> =
                    sqlx::query_as("SELECT site_id, origin FROM site_origins ORDER BY origin")
                        .fetch_all(&self.pool)
                        .await?;
                Ok(sites
                    .into_iter()
                    .map(|(id, name)| Site {
                        id,
                        name,
                        origins: origins
                            .iter()
                            .filter(|(site, _)| *site == id)
                            .map(|(_, origin)| origin.clone())
                            .collect(),
                    })
                    .collect())
            }

            async fn add_site(&self, name: &str, origins: &[String]) -> Result<i64, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM sites WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&mut *transaction)
                    .await?;
                if taken.is_some() {
                    return Err(StoreError::Refused(format!("There is a site named {name} already.")));
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO sites (name, created_at_ms) VALUES ($1, $2) RETURNING id",
                )
                .bind(name)
                .bind(now_ms())
                .fetch_one(&mut *transaction)
                .await?;
                for origin in origins {
                    let origin = origin.to_ascii_lowercase();
                    let owner: Option<i64> =
                        sqlx::query_scalar("SELECT site_id FROM site_origins WHERE origin = $1")
                            .bind(&origin)
                            .fetch_optional(&mut *transaction)
                            .await?;
                    if owner.is_some() {
                        return Err(StoreError::Refused(format!(
                            "{origin} belongs to another site already."
                        )));
                    }
                    sqlx::query("INSERT INTO site_origins (origin, site_id) VALUES ($1, $2)")
                        .bind(&origin)
                        .bind(id)
                        .execute(&mut *transaction)
                        .await?;
                }
                transaction.commit().await?;
                Ok(id)
            }

            async fn settings(&self, site: i64) -> Result<StoredSettings, StoreError> {
                let row: Option<(Option<String>, Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT moderation, posts_per_minute, edit_window_secs FROM site_settings \
                     WHERE site_id = $1",
                )
                .bind(site)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row
                    .map(|(moderation, posts_per_minute, edit_window_secs)| StoredSettings {
                        moderation,
                        posts_per_minute,
                        edit_window_secs,
                    })
                    .unwrap_or_default())
            }

            async fn set_settings(
                &self,
                site: i64,
                settings: &StoredSettings,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO site_settings (site_id, moderation, posts_per_minute, \
                     edit_window_secs) VALUES ($1, $2, $3, $4) ON CONFLICT (site_id) DO UPDATE \
                     SET moderation = excluded.moderation, \
                         posts_per_minute = excluded.posts_per_minute, \
                         edit_window_secs = excluded.edit_window_secs",
                )
                .bind(site)
                .bind(&settings.moderation)
                .bind(settings.posts_per_minute)
                .bind(settings.edit_window_secs)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn add_owner(
                &self,
                site: i64,
                email: &str,
                name: &str,
                password_hash: &str,
            ) -> Result<i64, StoreError> {
                if self.owner_account(email).await?.is_some() {
                    return Err(StoreError::Refused(format!("{email} is an owner already.")));
                }
                Ok(sqlx::query_scalar(
                    "INSERT INTO owners (site_id, email, name, password_hash, created_at_ms) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(site)
                .bind(email.to_lowercase())
                .bind(name)
                .bind(password_hash)
                .bind(now_ms())
                .fetch_one(&self.pool)
                .await?)
            }

            async fn set_password(
                &self,
                email: &str,
                password_hash: &str,
            ) -> Result<bool, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    "UPDATE owners SET password_hash = $2, failed_logins = 0, \
                     locked_until_ms = 0 WHERE email = $1 RETURNING id",
                )
                .bind(email.to_lowercase())
                .bind(password_hash)
                .fetch_optional(&mut *transaction)
                .await?;
                if let Some(id) = id {
                    sqlx::query("DELETE FROM sessions WHERE owner_id = $1")
                        .bind(id)
                        .execute(&mut *transaction)
                        .await?;
                }
                transaction.commit().await?;
                Ok(id.is_some())
            }

            async fn remove_owner(&self, email: &str) -> Result<bool, StoreError> {
                let mut transaction = self.pool.begin().await?;
                let id: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM owners WHERE email = $1")
                        .bind(email.to_lowercase())
                        .fetch_optional(&mut *transaction)
                        .await?;
                if let Some(id) = id {
                    for table in ["sessions", "api_tokens"] {
                        sqlx::query(&format!("DELETE FROM {table} WHERE owner_id = $1"))
                            .bind(id)
                            .execute(&mut *transaction)
                            .await?;
                    }
                    sqlx::query("DELETE FROM owners WHERE id = $1")
                        .bind(id)
                        .execute(&mut *transaction)
                        .await?;
                }
                transaction.commit().await?;
                Ok(id.is_some())
            }

            async fn owner_account(
                &self,
                email: &str,
            ) -> Result<Option<OwnerAccount>, StoreError> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    owner: OwnerRow,
                    password_hash: String,
                    failed_logins: i64,
                    locked_until_ms: i64,
                }
                let row: Option<Row> = sqlx::query_as(
                    "SELECT id, site_id, email, name, password_hash, failed_logins, \
                     locked_until_ms FROM owners WHERE email = $1",
                )
                .bind(email.trim().to_lowercase())
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(|row| OwnerAccount {
                    owner: row.owner.into(),
                    password_hash: row.password_hash,
                    failed_logins: row.failed_logins,
                    locked_until_ms: row.locked_until_ms,
                }))
            }

            async fn owner_names(&self, site: i64) -> Result<Vec<String>, StoreError> {
                Ok(sqlx::query_scalar("SELECT name FROM owners WHERE site_id = $1")
                    .bind(site)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn login_failed(
                &self,
                owner: Option<i64>,
                address: &str,
                now_ms: i64,
                lock_after: i64,
                lock_until_ms: i64,
            ) -> Result<i64, StoreError> {
                let mut transaction = self.pool.begin().await?;
                sqlx::query("INSERT INTO login_failures (client_address, at_ms) VALUES ($1, $2)")
                    .bind(address)
                    .bind(now_ms)
                    .execute(&mut *transaction)
                    .await?;
                let mut failures = 0;
                if let Some(owner) = owner {
                    failures = sqlx::query_scalar(
                        "UPDATE owners SET failed_logins = failed_logins + 1 WHERE id = $1 \
                         RETURNING failed_logins",
                    )
                    .bind(owner)
                    .fetch_one(&mut *transaction)
                    .await?;
                    if failures >= lock_after {
                        sqlx::query(
                            "UPDATE owners SET locked_until_ms = $2, failed_logins = 0 \
                             WHERE id = $1",
                        )
                        .bind(owner)
                        .bind(lock_until_ms)
                        .execute(&mut *transaction)
                        .await?;
                    }
                }
                transaction.commit().await?;
                Ok(failures)
            }

            async fn failures_from(&self, address: &str, since_ms: i64) -> Result<i64, StoreError> {
                sqlx::query("DELETE FROM login_failures WHERE at_ms < $1")
                    .bind(since_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar(
                    "SELECT count(*) FROM login_failures WHERE client_address = $1 AND at_ms >= $2",
                )
                .bind(address)
                .bind(since_ms)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn login_succeeded(&self, owner: i64) -> Result<(), StoreError> {
                sqlx::query("UPDATE owners SET failed_logins = 0 WHERE id = $1")
                    .bind(owner)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_session(
                &self,
                id_hash: &str,
                owner: i64,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query("INSERT INTO sessions (id_hash, owner_id, last_seen_ms) VALUES ($1, $2, $3)")
                    .bind(id_hash)
                    .bind(owner)
                    .bind(now_ms)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session_owner(
                &self,
                id_hash: &str,
                now_ms: i64,
                idle_since_ms: i64,
            ) -> Result<Option<Owner>, StoreError> {
                sqlx::query("DELETE FROM sessions WHERE last_seen_ms < $1")
                    .bind(idle_since_ms)
                    .execute(&self.pool)
                    .await?;
                let touched =
                    sqlx::query("UPDATE sessions SET last_seen_ms = $2 WHERE id_hash = $1")
                        .bind(id_hash)
                        .bind(now_ms)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                if touched == 0 {
                    return Ok(None);
                }
                let owner: Option<OwnerRow> = sqlx::query_as(
                    "SELECT o.id, o.site_id, o.email, o.name FROM sessions s \
                     JOIN owners o ON o.id = s.owner_id WHERE s.id_hash = $1",
                )
                .bind(id_hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(owner.map(Owner::from))
            }

            async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
                sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                    .bind(id_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_token(
                &self,
                token_hash: &str,
                owner: i64,
                now_ms: i64,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO api_tokens (token_hash, owner_id, created_at_ms) VALUES ($1, $2, $3)",
                )
                .bind(token_hash)
                .bind(owner)
                .bind(now_ms)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn token_owner(&self, token_hash: &str) -> Result<Option<Owner>, StoreError> {
                let owner: Option<OwnerRow> = sqlx::query_as(
                    "SELECT o.id, o.site_id, o.email, o.name FROM api_tokens t \
                     JOIN owners o ON o.id = t.owner_id WHERE t.token_hash = $1",
                )
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(owner.map(Owner::from))
            }

            async fn admin_comment(
                &self,
                site: i64,
                id: i64,
            ) -> Result<Option<AdminComment>, StoreError> {
                let sql =
                    format!("SELECT {ADMIN_COLUMNS} FROM comments c WHERE c.site_id = $1 AND c.id = $2");
                let row: Option<AdminRow> = sqlx::query_as(&sql)
                    .bind(site)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(AdminComment::from))
            }

            async fn search_comments(
                &self,
                site: i64,
                filter: &CommentFilter,
                limit: i64,
                offset: i64,
            ) -> Result<Vec<AdminComment>, StoreError> {
                let sql = format!(
                    "SELECT {ADMIN_COLUMNS} FROM comments c WHERE c.site_id = $1 \
                     AND (CAST($2 AS TEXT) IS NULL OR c.thread_key = $2) \
                     AND (CAST($3 AS TEXT) IS NULL OR lower(c.author) LIKE $3 ESCAPE '\\' \
                          OR lower(coalesce(c.email, '')) LIKE $3 ESCAPE '\\') \
                     AND (CAST($4 AS TEXT) IS NULL OR lower(c.body) LIKE $4 ESCAPE '\\') \
                     AND (CAST($5 AS BIGINT) IS NULL OR c.created_at_ms >= $5) \
                     AND (CAST($6 AS BIGINT) IS NULL OR c.created_at_ms < $6) \
                     AND (CAST($7 AS TEXT) IS NULL OR c.status = $7) \
                     ORDER BY c.created_at_ms DESC, c.id DESC LIMIT $8 OFFSET $9"
                );
                let rows: Vec<AdminRow> = sqlx::query_as(&sql)
                    .bind(site)
                    .bind(filter.thread.as_deref().filter(|t| !t.is_empty()))
                    .bind(filter.author.as_deref().filter(|t| !t.is_empty()).map(anywhere))
                    .bind(filter.text.as_deref().filter(|t| !t.is_empty()).map(anywhere))
                    .bind(filter.from_ms)
                    .bind(filter.to_ms)
                    .bind(filter.status.map(Status::as_str))
                    .bind(limit)
                    .bind(offset)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(AdminComment::from).collect())
            }

            async fn approve(
                &self,
                site: i64,
                id: i64,
                outgoing: &Outgoing,
            ) -> Result<Option<Moderated>, StoreError> {
                let Some(thread) = thread_of(&self.pool, site, id).await? else {
                    return Ok(None);
                };
                let mut transaction = self.thread_transaction(&thread).await?;
                let sql = format!(
                    "UPDATE comments SET status = 'published' WHERE site_id = $1 AND id = $2 \
                     AND status = 'pending' RETURNING {PUBLIC_COLUMNS}"
                );
                let row: Option<CommentRow> = sqlx::query_as(&sql)
                    .bind(site)
                    .bind(id)
                    .fetch_optional(&mut *transaction)
                    .await?;
                let Some(row) = row else {
                    return Ok(None);
                };
                let email_hash: Option<String> =
                    sqlx::query_scalar("SELECT email_hash FROM comments WHERE id = $1")
                        .bind(id)
                        .fetch_one(&mut *transaction)
                        .await?;
                if let Some(hash) = &email_hash {
                    sqlx::query(
                        "INSERT INTO trusted_authors (site_id, email_hash) VALUES ($1, $2) \
                         ON CONFLICT (site_id, email_hash) DO NOTHING",
                    )
                    .bind(site)
                    .bind(hash)
                    .execute(&mut *transaction)
                    .await?;
                }
                record_event(&mut transaction, &thread, EventKind::Created, id, now_ms()).await?;
                let comment: Comment = row.into();
                let hash = email_hash.as_deref();
                enqueue_published(&mut transaction, &thread, &comment, hash, outgoing, "approved")
                    .await?;
                transaction.commit().await?;
                Ok(Some(Moderated { thread, comment }))
            }

            async fn delete_comment(
                &self,
                site: i64,
                id: i64,
                outgoing: &Outgoing,
            ) -> Result<Option<Moderated>, StoreError> {
                let Some(thread) = thread_of(&self.pool, site, id).await? else {
                    return Ok(None);
                };
                let mut transaction = self.thread_transaction(&thread).await?;
                let comment = tombstone(&mut transaction, &thread, id).await?;
                if let Some(comment) = &comment {
                    enqueue_webhooks(&mut transaction, &thread, comment, outgoing, "deleted").await?;
                }
                transaction.commit().await?;
                Ok(comment.map(|comment| Moderated { thread, comment }))
            }

            async fn owner_edit(
                &self,
                site: i64,
                id: i64,
                body: &str,
            ) -> Result<Option<Moderated>, StoreError> {
                let Some(thread) = thread_of(&self.pool, site, id).await? else {
                    return Ok(None);
                };
                let mut transaction = self.thread_transaction(&thread).await?;
                let comment = update_body(&mut transaction, &thread, id, body).await?;
                transaction.commit().await?;
                Ok(comment.map(|comment| Moderated { thread, comment }))
            }

            async fn set_pinned(
                &self,
                site: i64,
                id: i64,
                pinned: bool,
            ) -> Result<Option<Moderated>, StoreError> {
                let Some(thread) = thread_of(&self.pool, site, id).await? else {
                    return Ok(None);
                };
                let mut transaction = self.thread_transaction(&thread).await?;
                let sql = format!(
                    "UPDATE comments SET pinned = $3 WHERE site_id = $1 AND id = $2 \
                     AND status = 'published' RETURNING {PUBLIC_COLUMNS}"
                );
                let row: Option<CommentRow> = sqlx::query_as(&sql)
                    .bind(site)
                    .bind(id)
                    .bind(pinned)
                    .fetch_optional(&mut *transaction)
                    .await?;
                if row.is_some() {
                    record_event(&mut transaction, &thread, EventKind::Edited, id, now_ms())
                        .await?;
                }
                transaction.commit().await?;
                Ok(row.map(|row| Moderated {
                    thread,
                    comment: row.into(),
                }))
            }

            async fn is_trusted(&self, site: i64, email_hash: &str) -> Result<bool, StoreError> {
                let found: Option<String> = sqlx::query_scalar(
                    "SELECT email_hash FROM trusted_authors WHERE site_id = $1 AND email_hash = $2",
                )
                .bind(site)
                .bind(email_hash)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn thread_summaries(&self, site: i64) -> Result<Vec<ThreadSummary>, StoreError> {
                type Row = (String, Option<String>, i64, i64, Option<i64>, bool);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT k.key, t.title, \
                        (SELECT count(*) FROM comments c WHERE c.site_id = $1 \
                         AND c.thread_key = k.key AND c.status = 'published'), \
                        (SELECT count(*) FROM comments c WHERE c.site_id = $1 \
                         AND c.thread_key = k.key AND c.status = 'pending'), \
                        (SELECT max(created_at_ms) FROM comments c WHERE c.site_id = $1 \
                         AND c.thread_key = k.key), \
                        coalesce(t.locked, FALSE) \
                     FROM (SELECT thread_key AS key FROM comments WHERE site_id = $1 \
                           UNION SELECT key FROM threads WHERE site_id = $1) k \
                     LEFT JOIN threads t ON t.site_id = $1 AND t.key = k.key",
                )
                .bind(site)
                .fetch_all(&self.pool)
                .await?;
                let mut threads: Vec<ThreadSummary> = rows
                    .into_iter()
                    .map(|(key, title, published, pending, last, locked)| ThreadSummary {
                        key,
                        title,
                        published,
                        pending,
                        last_activity: last.map(format_rfc3339),
                        locked,
                    })
                    .collect();
                // Liveliest first: RFC 3339 in UTC sorts as time does.
                threads.sort_by(|a, b| {
                    b.last_activity
                        .cmp(&a.last_activity)
                        .then_with(|| a.key.cmp(&b.key))
                });
                Ok(threads)
            }

            async fn is_locked(&self, thread: &ThreadRef) -> Result<bool, StoreError> {
                let locked: Option<bool> =
                    sqlx::query_scalar("SELECT locked FROM threads WHERE site_id = $1 AND key = $2")
                        .bind(thread.site)
                        .bind(&thread.key)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(locked.unwrap_or(false))
            }

            async fn set_locked(&self, thread: &ThreadRef, locked: bool) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO threads (site_id, key, locked) VALUES ($1, $2, $3) \
                     ON CONFLICT (site_id, key) DO UPDATE SET locked = excluded.locked",
                )
                .bind(thread.site)
                .bind(&thread.key)
                .bind(locked)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn add_block(
                &self,
                site: i64,
                block: &NewBlock,
                now_ms: i64,
            ) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO blocks (site_id, email_hash, client_address, until_ms, note, \
                     created_at_ms) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(site)
                .bind(&block.email_hash)
                .bind(&block.client_address)
                .bind(block.until_ms)
                .bind(&block.note)
                .bind(now_ms)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn remove_block(&self, site: i64, id: i64) -> Result<bool, StoreError> {
                let removed = sqlx::query("DELETE FROM blocks WHERE site_id = $1 AND id = $2")
                    .bind(site)
                    .bind(id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(removed > 0)
            }

            async fn blocks(&self, site: i64) -> Result<Vec<Block>, StoreError> {
                type Row = (i64, Option<String>, Option<String>, Option<i64>, String, i64);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, email_hash, client_address, until_ms, note, created_at_ms \
                     FROM blocks WHERE site_id = $1 ORDER BY id DESC",
                )
                .bind(site)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, email_hash, client_address, until, note, created)| Block {
                        id,
                        email_hash,
                        client_address,
                        until: until.map(format_rfc3339),
                        note,
                        created_at: format_rfc3339(created),
                    })
                    .collect())
            }

            async fn is_blocked(
                &self,
                site: i64,
                email_hash: Option<&str>,
                address: &str,
                now_ms: i64,
            ) -> Result<bool, StoreError> {
                let found: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM blocks WHERE site_id = $1 \
                     AND (until_ms IS NULL OR until_ms > $4) \
                     AND ((CAST($2 AS TEXT) IS NOT NULL AND email_hash = $2) \
                          OR client_address = $3) LIMIT 1",
                )
                .bind(site)
                .bind(email_hash)
                .bind(address)
                .bind(now_ms)
                .fetch_optional(&self.pool)
                .await?;
                Ok(found.is_some())
            }

            async fn comments_by_email(
                &self,
                site: i64,
                email: &str,
            ) -> Result<Vec<AdminComment>, StoreError> {
                let sql = format!(
                    "SELECT {ADMIN_COLUMNS} FROM comments c WHERE c.site_id = $1 \
                     AND lower(c.email) = $2 ORDER BY c.created_at_ms, c.id"
                );
                let rows: Vec<AdminRow> = sqlx::query_as(&sql)
                    .bind(site)
                    .bind(email.trim().to_lowercase())
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(AdminComment::from).collect())
            }

            async fn erase(
                &self,
                site: i64,
                email: &str,
                email_hash: &str,
                outgoing: &Outgoing,
            ) -> Result<Vec<Moderated>, StoreError> {
                let mut erased = Vec::new();
                for comment in self.comments_by_email(site, email).await? {
                    if let Some(done) = self.delete_comment(site, comment.id, outgoing).await? {
                        erased.push(done);
                    }
                }
                // And everything email kept of the address: the address itself, its
                // subscriptions and links, and every email to it, sent or waiting.
                let email = email.trim().to_lowercase();
                for sql in [
                    "DELETE FROM subscriptions WHERE email_hash = $1",
                    "DELETE FROM mail_tokens WHERE email_hash = $1",
                    "DELETE FROM site_unsubscribes WHERE email_hash = $1",
                    "DELETE FROM mail_addresses WHERE email_hash = $1",
                ] {
                    sqlx::query(sql).bind(email_hash).execute(&self.pool).await?;
                }
                sqlx::query("DELETE FROM outbox WHERE channel = 'mail' AND lower(recipient) = $1")
                    .bind(&email)
                    .execute(&self.pool)
                    .await?;
                for table in ["trusted_authors", "blocks"] {
                    sqlx::query(&format!(
                        "DELETE FROM {table} WHERE site_id = $1 AND email_hash = $2"
                    ))
                    .bind(site)
                    .bind(email_hash)
                    .execute(&self.pool)
                    .await?;
                }
                Ok(erased)
            }

            async fn audit(
                &self,
                site: i64,
                actor: &str,
                action: &str,
                comment_id: Option<i64>,
                detail: &str,
            ) -> Result<(), StoreError> {
                sqlx::query(
                    "INSERT INTO audit_log (site_id, at_ms, actor, action, comment_id, detail) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(site)
                .bind(now_ms())
                .bind(actor)
                .bind(action)
                .bind(comment_id)
                .bind(detail)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn audit_log(&self, site: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
                type Row = (i64, i64, String, String, Option<i64>, String);
                let rows: Vec<Row> = sqlx::query_as(
                    "SELECT id, at_ms, actor, action, comment_id, detail FROM audit_log \
                     WHERE site_id = $1 ORDER BY id DESC LIMIT $2",
                )
                .bind(site)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, at, actor, action, comment_id, detail)| AuditEntry {
                        id,
                        at: format_rfc3339(at),
                        actor,
                        action,
                        comment_id,
                        detail,
                    })
                    .collect())
            }
        }
    };
}

pub(crate) mod sqlite {
    engine_queries!(sqlx::Sqlite, crate::storage::sqlite::SqliteStore);
}

pub(crate) mod postgres {
    engine_queries!(sqlx::Postgres, crate::storage::postgres::PgStore);
}
