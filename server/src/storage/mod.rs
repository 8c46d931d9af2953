//! The storage interface. Handlers see only [`Store`]; SQLite (`sqlite.rs`) and PostgreSQL
//! (`postgres.rs`) implement it, each with its own migrations under `server/migrations/`,
//! and one conformance suite (the server's tests) runs against both.

pub mod console;
pub mod outbox;
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

pub use console::*;
pub use outbox::*;

/// The site every server has: the one the flags (`--allowed-origin`, `--moderation`…)
/// describe, and where comments from before sites existed live.
pub const DEFAULT_SITE: i64 = 1;

/// A thread: its key is unique within its site.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ThreadRef {
    pub site: i64,
    pub key: String,
}

impl ThreadRef {
    pub fn new(site: i64, key: impl Into<String>) -> Self {
        Self {
            site,
            key: key.into(),
        }
    }

    /// A thread of the default site.
    pub fn default_site(key: impl Into<String>) -> Self {
        Self::new(DEFAULT_SITE, key)
    }

    /// One text for the thread, as the caches, the live feeds and the change announcements
    /// between processes name it: the site's id, a space (which no key contains), the key.
    pub fn scoped(&self) -> String {
        format!("{} {}", self.site, self.key)
    }

    pub fn from_scoped(text: &str) -> Option<Self> {
        let (site, key) = text.split_once(' ')?;
        Some(Self::new(site.parse().ok()?, key))
    }
}

/// Where a comment stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Published,
    /// Held for the owner's approval.
    Pending,
    /// A tombstone: author, email, address and body are gone.
    Deleted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Pending => "pending",
            Status::Deleted => "deleted",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "published" => Some(Status::Published),
            "pending" => Some(Status::Pending),
            "deleted" => Some(Status::Deleted),
            _ => None,
        }
    }
}

/// How a new comment is stored, beside what its author typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Published, or pending when moderation holds it.
    pub status: Status,
    pub by_owner: bool,
    /// Whom blocks by address match.
    pub client_address: Option<String>,
    /// A keyed hash of the normalised email (see `tokens::email_hash`).
    pub email_hash: Option<String>,
    /// What the write must send (emails, webhooks), written in its transaction.
    pub outgoing: Outgoing,
    /// The SHA-256 of the author's voter token: they may not like their own comment.
    pub voter_hash: Option<String>,
}

impl Provenance {
    /// Imports, the demo and the bench: published, from nobody in particular.
    pub fn published() -> Self {
        Provenance {
            status: Status::Published,
            by_owner: false,
            client_address: None,
            email_hash: None,
            outgoing: Outgoing::default(),
            voter_hash: None,
        }
    }
}

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
/// (`email_hash` is a keyed hash, which only becomes the avatar's seed: see
/// [`Comment::avatar_source`].)
pub(crate) const PUBLIC_COLUMNS: &str = "id, parent_id, author, website, body, created_at_ms, \
     status, by_owner, pinned, likes, edited_at_ms, email_hash";

#[derive(sqlx::FromRow)]
pub(crate) struct CommentRow {
    id: i64,
    parent_id: Option<i64>,
    author: String,
    website: Option<String>,
    body: String,
    created_at_ms: i64,
    status: String,
    by_owner: bool,
    pinned: bool,
    likes: i64,
    edited_at_ms: Option<i64>,
    email_hash: Option<String>,
}

/// What a comment's avatar is derived from: the keyed hash of its author's email, or, when
/// they gave none, their name with case and spacing folded.
pub(crate) fn avatar_source(email_hash: Option<&str>, author: &str) -> String {
    match email_hash {
        Some(hash) => format!("email {hash}"),
        None => {
            let name: Vec<String> = author.split_whitespace().map(str::to_lowercase).collect();
            format!("name {}", name.join(" "))
        }
    }
}

impl From<CommentRow> for Comment {
    fn from(row: CommentRow) -> Self {
        let deleted = row.status == Status::Deleted.as_str();
        Comment {
            avatar_source: if deleted {
                String::new()
            } else {
                avatar_source(row.email_hash.as_deref(), &row.author)
            },
            avatar: String::new(),
            likes: if deleted { 0 } else { row.likes.max(0) as u64 },
            edited: row.edited_at_ms.is_some() && !deleted,
            id: row.id,
            parent_id: row.parent_id,
            author: row.author,
            website: row.website,
            body: row.body,
            content: Vec::new(),
            created_at: format_rfc3339(row.created_at_ms),
            pending: row.status == Status::Pending.as_str(),
            by_owner: row.by_owner,
            pinned: row.pinned,
            deleted,
        }
    }
}

/// What readers see of a thread's stored comments (published ones and tombstones, oldest
/// first): a tombstone only while something below it is shown, so a deleted comment
/// without replies disappears, and so does a chain of deleted ones left without any.
pub(crate) fn shown_to_readers(mut comments: Vec<Comment>) -> Vec<Comment> {
    use std::collections::HashMap;
    let mut replies: HashMap<i64, usize> = HashMap::new();
    for comment in &comments {
        if let Some(parent) = comment.parent_id {
            *replies.entry(parent).or_default() += 1;
        }
    }
    let parent_of: HashMap<i64, Option<i64>> =
        comments.iter().map(|c| (c.id, c.parent_id)).collect();
    let deleted: std::collections::HashSet<i64> = comments
        .iter()
        .filter(|c| c.deleted)
        .map(|c| c.id)
        .collect();
    let mut gone = std::collections::HashSet::new();
    let mut bare: Vec<i64> = deleted
        .iter()
        .copied()
        .filter(|id| replies.get(id).copied().unwrap_or(0) == 0)
        .collect();
    while let Some(id) = bare.pop() {
        if !gone.insert(id) {
            continue;
        }
        if let Some(Some(parent)) = parent_of.get(&id) {
            let left = replies.entry(*parent).or_default();
            *left = left.saturating_sub(1);
            if *left == 0 && deleted.contains(parent) {
                bare.push(*parent);
            }
        }
    }
    comments.retain(|c| !gone.contains(&c.id));
    comments
}

/// One event of a thread's live stream, with its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    pub id: i64,
    pub event: CommentEvent,
}

/// The columns of an event and its comment as it is now, for [`EventRow`]; both engines
/// join `events` (as `e`) with `comments` (as `c`).
pub(crate) const EVENT_COLUMNS: &str = "e.id AS event_id, e.kind, c.id, c.parent_id, c.author, \
     c.website, c.body, c.created_at_ms, c.status, c.by_owner, c.pinned, c.likes, \
     c.edited_at_ms, c.email_hash";

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    event_id: i64,
    kind: String,
    #[sqlx(flatten)]
    comment: CommentRow,
}

impl From<EventRow> for StoredEvent {
    fn from(row: EventRow) -> Self {
        // Events go to readers: the content, not the source.
        let comment = Comment::from(row.comment).for_readers();
        // Whatever the event was, a comment deleted since is sent as what it is now.
        let kind = match row.kind.as_str() {
            _ if comment.deleted => EventKind::Deleted,
            "edited" => EventKind::Edited,
            "deleted" => EventKind::Deleted,
            "liked" => EventKind::Liked,
            _ => EventKind::Created,
        };
        StoredEvent {
            id: row.event_id,
            event: CommentEvent { kind, comment },
        }
    }
}

/// How an event's kind is stored.
pub(crate) fn kind_text(kind: EventKind) -> &'static str {
    match kind {
        EventKind::Created => "created",
        EventKind::Edited => "edited",
        EventKind::Deleted => "deleted",
        EventKind::Liked => "liked",
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

/// What a like or an unlike found.
#[derive(Debug, PartialEq, Eq)]
pub enum Liked {
    /// No published comment has that id.
    NoComment,
    /// The voter wrote the comment.
    Own,
    /// The comment's count now, and whether this like or unlike changed it.
    Now {
        thread: ThreadRef,
        likes: u64,
        changed: bool,
    },
}

/// See [`Store::edit_facts`].
#[derive(Debug)]
pub struct EditFacts {
    pub thread: ThreadRef,
    pub created_at_ms: i64,
    pub edit_token_hash: String,
    pub status: Status,
}

#[async_trait]
pub trait Store: Console + Outbox + Send + Sync + 'static {
    /// What readers see of a thread, oldest first: its published comments, and tombstones
    /// of deleted ones that still have replies (see [`shown_to_readers`]).
    async fn thread_comments(&self, thread: &ThreadRef) -> Result<Vec<Comment>, StoreError>;

    /// Whether comment `id` is in `thread` and may be answered (published).
    async fn comment_in_thread(&self, thread: &ThreadRef, id: i64) -> Result<bool, StoreError>;

    /// Stores a comment (with a `created` event when it is published) unless one with the same idempotency key is
    /// already in the thread (a retry), or, when `duplicate_since_ms` is given, one with the same body was posted
    /// there since then (`None` skips that check: imports and seeding keep every comment).
    /// Both checks and the insert are one statement, so concurrent posts cannot slip past.
    async fn insert_comment(
        &self,
        thread: &ThreadRef,
        comment: &ValidComment,
        created_at_ms: i64,
        edit_token_hash: &str,
        duplicate_since_ms: Option<i64>,
        provenance: &Provenance,
    ) -> Result<Inserted, StoreError>;

    /// What an edit needs to know about comment `id`: its thread, when it was posted and the
    /// hash of its edit token.
    async fn edit_facts(&self, id: i64) -> Result<Option<EditFacts>, StoreError>;

    /// Comment `id` whatever its status (for its author, who holds its edit token).
    async fn comment_by_id(&self, id: i64) -> Result<Option<Comment>, StoreError>;

    /// Replaces the body of comment `id` (of `thread`), records an `edited` event, and
    /// returns the comment as now shown.
    async fn update_body(
        &self,
        thread: &ThreadRef,
        id: i64,
        body: &str,
    ) -> Result<Option<Comment>, StoreError>;

    /// Adds a like from the voter whose token hashes to `voter_hash` (once per voter and
    /// comment), or with `like` false takes it back.
    async fn set_like(
        &self,
        id: i64,
        voter_hash: &str,
        like: bool,
        now_ms: i64,
    ) -> Result<Liked, StoreError>;

    /// How many published comments each of `keys` of `site` has; threads without any are
    /// left out.
    async fn thread_counts(
        &self,
        site: i64,
        keys: &[String],
    ) -> Result<Vec<(String, u64)>, StoreError>;

    /// The id of the thread's latest event (0: none yet).
    async fn latest_event_id(&self, thread: &ThreadRef) -> Result<i64, StoreError>;

    /// The thread's events after event `after`, oldest first, at most `limit` of them, each
    /// with its comment as it is now.
    async fn events_after(
        &self,
        thread: &ThreadRef,
        after: i64,
        limit: i64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The installation secret, created on first use.
    async fn installation_secret(&self) -> Result<ServerSecret, StoreError>;

    /// Tells every server process on this database that `thread` changed, so each drops
    /// its cached page and tells its live readers. SQLite has one process: nothing to tell.
    async fn announce_change(&self, _thread: &ThreadRef) -> Result<(), StoreError> {
        Ok(())
    }

    /// Starts hearing other processes' announcements: `heard` gets each changed thread, or
    /// `None` when the link to the database was lost and announcements may have been
    /// missed (then everything cached must go). SQLite has no other processes.
    async fn listen_for_changes(&self, _heard: ChangeHandler) -> Result<(), StoreError> {
        Ok(())
    }

    /// Begins an import; see [`ImportSession`].
    async fn begin_import(&self, site: i64) -> Result<Box<dyn ImportSession>, StoreError>;

    /// Every thread that has comments or a title, sorted by key (byte order, the same on
    /// both engines).
    async fn thread_keys(&self, site: i64) -> Result<Vec<String>, StoreError>;

    /// The thread's title, if one is known.
    async fn thread_title(&self, thread: &ThreadRef) -> Result<Option<String>, StoreError>;

    /// The thread's published comments with everything stored (emails too: an export is
    /// the owner's data), oldest first.
    async fn export_thread(&self, thread: &ThreadRef) -> Result<Vec<FullComment>, StoreError>;

    /// The newest published comments of every thread of `site`, newest first, with their
    /// thread's key.
    async fn recent_comments(
        &self,
        site: i64,
        limit: i64,
    ) -> Result<Vec<(String, Comment)>, StoreError>;

    /// Moves every comment of `from` into `to` and answers how many. Unless `merge`, `to`
    /// must have no comments; with it, the two may not share a comment key.
    async fn move_thread(
        &self,
        site: i64,
        from: &str,
        to: &str,
        merge: bool,
    ) -> Result<u64, StoreError>;

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
    fn avatars_come_from_the_email_hash_else_the_folded_name() {
        assert_eq!(avatar_source(Some("ab12"), "Ada"), "email ab12");
        assert_eq!(
            avatar_source(None, "  Ada   LOVELACE "),
            "name ada lovelace"
        );
        assert_eq!(
            avatar_source(None, "ada lovelace"),
            avatar_source(None, "Ada Lovelace")
        );
    }

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
