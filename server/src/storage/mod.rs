//! The storage interface. Handlers see only [`Store`]; SQLite is the one implementation
//! today. Another engine is meant to be a second file beside it, not a change to the
//! handlers.

pub mod sqlite;

use async_trait::async_trait;
use colloquy_core::model::Comment;
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

    /// Stores a comment unless one with the same idempotency key is already in the thread
    /// (a retry), or, when `duplicate_since_ms` is given, one with the same body was posted
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

    /// Replaces the body of comment `id` and returns the comment as now shown.
    async fn update_body(&self, id: i64, body: &str) -> Result<Option<Comment>, StoreError>;

    /// The installation secret, created on first use.
    async fn installation_secret(&self) -> Result<ServerSecret, StoreError>;
}
