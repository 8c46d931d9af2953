//! The storage interface. Handlers see only [`Store`]; SQLite (`sqlite.rs`) and PostgreSQL
//! (`postgres.rs`) implement it, each with its own migrations under `server/migrations/`,
//! and one conformance suite (the server's tests) runs against both.

pub mod postgres;
mod queries;
pub mod sqlite;

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use colloquy_core::model::{Comment, CommentEvent, EventKind};
use colloquy_core::time::format_rfc3339;
use colloquy_core::validation::ValidComment;

use crate::tokens::ServerSecret;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("no randomness available: {0}")]
    Randomness(String),
    /// The stored installation secret is not the 32 bytes every server writes: the
    /// database was edited by hand or damaged. Refusing to start beats issuing tokens
    /// from a secret nobody chose.
    #[error("the stored installation secret has {0} bytes instead of 32")]
    SecretLength(usize),
    /// An operation the data does not allow, in words for the person who asked.
    #[error("{0}")]
    Refused(String),
}

/// A comment with everything stored about it: what an export writes and an import reads.
/// Comments are named by their key (the idempotency key, unique in its thread), so a
/// parent is found again in another database, whatever ids it gets there.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FullComment {
    pub thread: String,
    pub key: String,
    pub parent_key: Option<String>,
    pub author: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: String,
    pub created_at_ms: i64,
}

/// A transaction for an import: nothing it adds is visible, or kept, until
/// [`ImportSession::commit`]; dropping it undoes everything.
#[async_trait]
pub trait ImportSession: Send {
    /// Whether `thread` already has a comment under `key`.
    async fn has(&mut self, thread: &str, key: &str) -> Result<bool, StoreError>;

    /// Adds the comment unless its thread has one under its key already; answers whether
    /// it was added. Its parent (by key) must be in the thread already, or it is stored
    /// without one.
    async fn add(&mut self, comment: &FullComment) -> Result<bool, StoreError>;

    /// Keeps `title` for `thread` (a later one replaces it).
    async fn set_title(&mut self, thread: &str, title: &str) -> Result<(), StoreError>;

    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Where comments are kept, as `--database` names it: a PostgreSQL server
/// (`postgres://…` or `postgresql://…`), or else a SQLite file (a path, or `sqlite://path`).
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    Sqlite(PathBuf),
    Postgres(String),
}

impl FromStr for Database {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Database::Postgres(text.to_owned()));
        }
        let path = text.strip_prefix("sqlite://").unwrap_or(text);
        if path.is_empty() {
            return Err("give a SQLite file or a postgres:// URL".to_owned());
        }
        Ok(Database::Sqlite(PathBuf::from(path)))
    }
}

/// Names the database for logs and errors without its password.
impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
                match rest.split_once('@') {
                    Some((user, host)) => {
                        let user = user.split(':').next().unwrap_or_default();
                        write!(f, "{scheme}://{user}@{host}")
                    }
                    None => write!(f, "{url}"),
                }
            }
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({self})")
    }
}

/// The columns the API may show. `email` is deliberately absent: no query that feeds a
/// response ever selects it.
pub(crate) const PUBLIC_COLUMNS: &str = "id, parent_id, author, website, body, created_at_ms";

#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    id: i64,
    parent_id: Option<i64>,
    author: String,
    website: Option<String>,
    body: String,
    created_at_ms: i64,
}

impl From<CommentRow> for Comment {
    fn from(row: CommentRow) -> Self {
        Comment {
            id: row.id,
            parent_id: row.parent_id,
            author: row.author,
            website: row.website,
            body: row.body,
            created_at: format_rfc3339(row.created_at_ms),
        }
    }
}

/// One event of a thread's live stream, with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub event: CommentEvent,
}

/// The columns of an event and its comment as it is now, for [`EventRow`]; both engines
/// join `events` (as `e`) with `comments` (as `c`).
pub(crate) const EVENT_COLUMNS: &str =
    "e.id AS event_id, e.kind, c.id, c.parent_id, c.author, c.website, c.body, c.created_at_ms";

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    event_id: i64,
    kind: String,
    #[sqlx(flatten)]
    comment: CommentRow,
}

impl From<EventRow> for StoredEvent {
    fn from(row: EventRow) -> Self {
        let kind = match row.kind.as_str() {
            "edited" => EventKind::Edited,
            _ => EventKind::Created,
        };
        StoredEvent {
            id: row.event_id,
            event: CommentEvent {
                kind,
                comment: row.comment.into(),
            },
        }
    }
}

/// How an event's kind is stored.
pub(crate) fn kind_text(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Created => "created",
        EventKind::Edited => "edited",
    }
}

/// The stored installation secret, which must be the 32 bytes every server writes.
pub(crate) fn secret_from_bytes(stored: Vec<u8>) -> Result<ServerSecret, StoreError> {
    let length = stored.len();
    let bytes: [u8; 32] = stored
        .try_into()
        .map_err(|_| StoreError::SecretLength(length))?;
    Ok(ServerSecret(bytes))
}

/// What [`Store::listen_for_changes`] calls for each announcement.
pub type ChangeHandler = Arc<dyn Fn(Option<String>) + Send + Sync>;

/// Opens (or creates) the database, brings its tables up to date and returns its store.
pub async fn open(database: &Database) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match database {
        Database::Sqlite(path) => Arc::new(sqlite::SqliteStore::open(path).await?),
        Database::Postgres(url) => Arc::new(postgres::PgStore::open(url).await?),
    })
}

/// What an insert did: stored a new comment, found the one an earlier attempt with the
/// same idempotency key stored, or refused a body the thread already has from recently.
#[derive(Debug)]
pub enum Inserted {
    New(Comment),
    Replayed(Comment),
    Duplicate,
}

/// See [`Store::edit_facts`].
#[derive(Debug)]
pub struct EditFacts {
    pub thread: String,
    pub created_at_ms: i64,
    pub edit_token_hash: String,
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Every comment of a thread, oldest first.
    async fn thread_comments(&self, thread: &str) -> Result<Vec<Comment>, StoreError>;

    /// Whether comment `id` exists in `thread`.
    async fn comment_in_thread(&self, thread: &str, id: i64) -> Result<bool, StoreError>;

    /// Stores a comment (with a `created` event) unless one with the same idempotency key is
    /// already in the thread (a retry), or, when `duplicate_since_ms` is given, one with the same body was posted
    /// there since then (`None` skips that check: imports and seeding keep every comment).
    /// Both checks and the insert are one statement, so concurrent posts cannot slip past.
    async fn insert_comment(
        &self,
        thread: &str,
        comment: &ValidComment,
        created_at_ms: i64,
        edit_token_hash: &str,
        duplicate_since_ms: Option<i64>,
    ) -> Result<Inserted, StoreError>;

    /// What an edit needs to know about comment `id`: its thread, when it was posted and the
    /// hash of its edit token.
    async fn edit_facts(&self, id: i64) -> Result<Option<EditFacts>, StoreError>;

    /// Replaces the body of comment `id` (of `thread`), records an `edited` event, and
    /// returns the comment as now shown.
    async fn update_body(
        &self,
        thread: &str,
        id: i64,
        body: &str,
    ) -> Result<Option<Comment>, StoreError>;

    /// The id of the thread's latest event (0: none yet).
    async fn latest_event_id(&self, thread: &str) -> Result<i64, StoreError>;

    /// The thread's events after event `after`, oldest first, at most `limit` of them, each
    /// with its comment as it is now.
    async fn events_after(
        &self,
        thread: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The installation secret, created on first use.
    async fn installation_secret(&self) -> Result<ServerSecret, StoreError>;

    /// Tells every server process on this database that `thread` changed, so each drops
    /// its cached page and tells its live readers. SQLite has one process: nothing to tell.
    async fn announce_change(&self, _thread: &str) -> Result<(), StoreError> {
        Ok(())
    }

    /// Starts hearing other processes' announcements: `heard` gets each changed thread, or
    /// `None` when the link to the database was lost and announcements may have been
    /// missed (then everything cached must go). SQLite has no other processes.
    async fn listen_for_changes(&self, _heard: ChangeHandler) -> Result<(), StoreError> {
        Ok(())
    }

    /// Begins an import; see [`ImportSession`].
    async fn begin_import(&self) -> Result<Box<dyn ImportSession>, StoreError>;

    /// Every thread that has comments or a title, sorted by key (byte order, the same on
    /// both engines).
    async fn thread_keys(&self) -> Result<Vec<String>, StoreError>;

    /// The thread's title, if one is known.
    async fn thread_title(&self, thread: &str) -> Result<Option<String>, StoreError>;

    /// The thread's comments with everything stored (emails too: an export is the owner's
    /// data), oldest first.
    async fn export_thread(&self, thread: &str) -> Result<Vec<FullComment>, StoreError>;

    /// The newest comments of every thread, newest first, with their thread's key.
    async fn recent_comments(&self, limit: i64) -> Result<Vec<(String, Comment)>, StoreError>;

    /// Moves every comment of `from` into `to` and answers how many. Unless `merge`, `to`
    /// must have no comments; with it, the two may not share a comment key.
    async fn move_thread(&self, from: &str, to: &str, merge: bool) -> Result<u64, StoreError>;

    /// Writes a consistent copy of the database to `file` while it keeps serving.
    async fn backup(&self, file: &Path) -> Result<(), StoreError>;

    /// Counts a post from `client` at `now_ms` against `per_minute` posts in any sixty
    /// seconds, or answers how many seconds until one is allowed (0 turns the limit off).
    /// SQLite keeps the window in memory; PostgreSQL in the database, so that every
    /// server process on it shares one limit.
    async fn claim_post_slot(
        &self,
        client: IpAddr,
        now_ms: i64,
        per_minute: u32,
    ) -> Result<Result<(), u64>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_choose_the_engine_and_passwords_stay_out_of_logs() {
        assert_eq!(
            "colloquy.db".parse::<Database>(),
            Ok(Database::Sqlite("colloquy.db".into()))
        );
        assert_eq!(
            "sqlite:///var/lib/c.db".parse::<Database>(),
            Ok(Database::Sqlite("/var/lib/c.db".into()))
        );
        let pg: Database = "postgres://app:s3cret@db.internal:5432/colloquy"
            .parse()
            .unwrap();
        assert!(matches!(pg, Database::Postgres(_)));
        assert_eq!(pg.to_string(), "postgres://app@db.internal:5432/colloquy");
        assert!("postgresql://db/c".parse::<Database>().is_ok());
        assert!("".parse::<Database>().is_err());
    }
}
