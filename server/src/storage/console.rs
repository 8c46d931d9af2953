//! What the site owner's console reads and changes: sites and their settings, owners and
//! their sessions, moderation, blocks, locks, pins, erasure and the audit log. Both
//! engines implement [`Console`] with the same statements (`queries.rs`), so, as for
//! [`Store`](super::Store), one suite of tests covers both.

use async_trait::async_trait;
use colloquy_core::model::Comment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Outgoing, Status, StoreError, ThreadRef};

/// A site, with the origins its pages come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Site {
    pub id: i64,
    pub name: String,
    pub origins: Vec<String>,
}

/// A site's run-time settings as stored: `None` leaves the flag's default in force.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StoredSettings {
    /// `none`, `first-time` or `all`.
    pub moderation: Option<String>,
    pub posts_per_minute: Option<i64>,
    pub edit_window_secs: Option<i64>,
}

/// A comment as its site's owners see it: everything stored, email and address included.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct AdminComment {
    pub id: i64,
    pub thread: String,
    pub parent_id: Option<i64>,
    pub author: String,
    pub email: Option<String>,
    pub website: Option<String>,
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    pub status: Status,
    pub by_owner: bool,
    pub pinned: bool,
    /// The address it was posted from (absent for imported comments).
    pub client_address: Option<String>,
    /// Published replies to it.
    pub replies: i64,
}

/// What to look for among a site's comments; every part is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub struct CommentFilter {
    /// The thread's exact key.
    pub thread: Option<String>,
    /// Part of the author's name or email, any case.
    pub author: Option<String>,
    /// Part of the body, any case.
    pub text: Option<String>,
    /// Posted at or after this time (Unix milliseconds).
    pub from_ms: Option<i64>,
    /// Posted before this time (Unix milliseconds).
    pub to_ms: Option<i64>,
    pub status: Option<Status>,
}

/// A thread in the owner's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ThreadSummary {
    pub key: String,
    pub title: Option<String>,
    pub published: i64,
    pub pending: i64,
    /// The newest comment's time, RFC 3339 (absent: none yet).
    pub last_activity: Option<String>,
    pub locked: bool,
}

/// A block: comments whose email hash or address matches are refused until `until`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Block {
    pub id: i64,
    /// The keyed hash of the blocked email (never the address itself).
    pub email_hash: Option<String>,
    pub client_address: Option<String>,
    /// RFC 3339; absent: until unblocked.
    pub until: Option<String>,
    pub note: String,
    pub created_at: String,
}

/// What a new block matches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewBlock {
    pub email_hash: Option<String>,
    pub client_address: Option<String>,
    pub until_ms: Option<i64>,
    pub note: String,
}

/// An owner's account as stored (the password hash never leaves the server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnerAccount {
    pub owner: Owner,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until_ms: i64,
}

/// A signed-in owner.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Owner {
    pub id: i64,
    pub site: i64,
    pub email: String,
    pub name: String,
}

/// One line of the audit log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    /// The owner's email, or `email link` for actions taken from a signed link.
    pub actor: String,
    pub action: String,
    pub comment_id: Option<i64>,
    pub detail: String,
}

/// What a moderation action did to a comment, for the caches and the live readers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Moderated {
    pub thread: ThreadRef,
    pub comment: Comment,
}

#[async_trait]
pub trait Console: Send + Sync {
    // Sites.

    /// The site whose pages come from `origin` (scheme, host and port, no path).
    async fn site_of_origin(&self, origin: &str) -> Result<Option<i64>, StoreError>;
    async fn site_named(&self, name: &str) -> Result<Option<Site>, StoreError>;
    async fn sites(&self) -> Result<Vec<Site>, StoreError>;
    /// Adds a site with its origins; a name or an origin already taken is refused.
    async fn add_site(&self, name: &str, origins: &[String]) -> Result<i64, StoreError>;
    async fn settings(&self, site: i64) -> Result<StoredSettings, StoreError>;
    async fn set_settings(&self, site: i64, settings: &StoredSettings) -> Result<(), StoreError>;

    // Owners, sessions and tokens.

    async fn add_owner(
        &self,
        site: i64,
        email: &str,
        name: &str,
        password_hash: &str,
    ) -> Result<i64, StoreError>;
    /// Sets the password and lifts a lock; ends the owner's sessions.
    async fn set_password(&self, email: &str, password_hash: &str) -> Result<bool, StoreError>;
    async fn remove_owner(&self, email: &str) -> Result<bool, StoreError>;
    async fn owner_account(&self, email: &str) -> Result<Option<OwnerAccount>, StoreError>;
    /// The names of the site's owners, which readers may not post under.
    async fn owner_names(&self, site: i64) -> Result<Vec<String>, StoreError>;
    /// Records a wrong password for `owner` (when the email named one) and `address`;
    /// after `lock_after` in a row the account is locked until `lock_until_ms`. Answers
    /// the owner's failures in a row.
    async fn login_failed(
        &self,
        owner: Option<i64>,
        address: &str,
        now_ms: i64,
        lock_after: i64,
        lock_until_ms: i64,
    ) -> Result<i64, StoreError>;
    async fn failures_from(&self, address: &str, since_ms: i64) -> Result<i64, StoreError>;
    async fn login_succeeded(&self, owner: i64) -> Result<(), StoreError>;
    async fn create_session(
        &self,
        id_hash: &str,
        owner: i64,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    /// The owner of a session last seen after `idle_since_ms`, which counts as seen now.
    async fn session_owner(
        &self,
        id_hash: &str,
        now_ms: i64,
        idle_since_ms: i64,
    ) -> Result<Option<Owner>, StoreError>;
    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError>;
    async fn create_token(
        &self,
        token_hash: &str,
        owner: i64,
        now_ms: i64,
    ) -> Result<(), StoreError>;
    async fn token_owner(&self, token_hash: &str) -> Result<Option<Owner>, StoreError>;

    // Comments.

    /// A comment with everything stored, if it is of `site`.
    async fn admin_comment(&self, site: i64, id: i64) -> Result<Option<AdminComment>, StoreError>;
    /// The site's comments that match, newest first.
    async fn search_comments(
        &self,
        site: i64,
        filter: &CommentFilter,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AdminComment>, StoreError>;
    /// Publishes a pending comment (with its `created` event) and trusts its author from
    /// then on. `None`: no pending comment `id` on the site.
    async fn approve(
        &self,
        site: i64,
        id: i64,
        outgoing: &Outgoing,
    ) -> Result<Option<Moderated>, StoreError>;
    /// Turns the comment into a tombstone (with a `deleted` event): author, email,
    /// website, address and body go.
    async fn delete_comment(
        &self,
        site: i64,
        id: i64,
        outgoing: &Outgoing,
    ) -> Result<Option<Moderated>, StoreError>;
    /// The owner's edit of any comment's body (with an `edited` event).
    async fn owner_edit(
        &self,
        site: i64,
        id: i64,
        body: &str,
    ) -> Result<Option<Moderated>, StoreError>;
    async fn set_pinned(
        &self,
        site: i64,
        id: i64,
        pinned: bool,
    ) -> Result<Option<Moderated>, StoreError>;
    /// Whether an earlier comment by this email hash was approved on the site.
    async fn is_trusted(&self, site: i64, email_hash: &str) -> Result<bool, StoreError>;

    // Threads.

    async fn thread_summaries(&self, site: i64) -> Result<Vec<ThreadSummary>, StoreError>;
    async fn is_locked(&self, thread: &ThreadRef) -> Result<bool, StoreError>;
    async fn set_locked(&self, thread: &ThreadRef, locked: bool) -> Result<(), StoreError>;

    // Blocks.

    async fn add_block(&self, site: i64, block: &NewBlock, now_ms: i64) -> Result<i64, StoreError>;
    async fn remove_block(&self, site: i64, id: i64) -> Result<bool, StoreError>;
    async fn blocks(&self, site: i64) -> Result<Vec<Block>, StoreError>;
    /// Whether a block in force at `now_ms` matches the email hash or the address.
    async fn is_blocked(
        &self,
        site: i64,
        email_hash: Option<&str>,
        address: &str,
        now_ms: i64,
    ) -> Result<bool, StoreError>;

    // Erasure.

    /// Every comment of the site written with `email` (any case), oldest first.
    async fn comments_by_email(
        &self,
        site: i64,
        email: &str,
    ) -> Result<Vec<AdminComment>, StoreError>;
    /// Deletes every comment written with `email` as [`Console::delete_comment`] does,
    /// and forgets `email_hash` (trust and blocks). Answers the threads that changed.
    async fn erase(
        &self,
        site: i64,
        email: &str,
        email_hash: &str,
        outgoing: &Outgoing,
    ) -> Result<Vec<Moderated>, StoreError>;

    // The audit log.

    async fn audit(
        &self,
        site: i64,
        actor: &str,
        action: &str,
        comment_id: Option<i64>,
        detail: &str,
    ) -> Result<(), StoreError>;
    async fn audit_log(&self, site: i64, limit: i64) -> Result<Vec<AuditEntry>, StoreError>;
}
