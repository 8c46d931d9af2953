//! What the outbox keeps: readers' addresses and their subscriptions, the emails and
//! webhook calls waiting to go, and the links emails carry. Rows are written in the same
//! transaction as the comment that causes them (see `Outgoing` and the stores' inserts),
//! and delivered by `notify::sender`.

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use super::StoreError;

/// What a write to a thread must send, as the server's flags say: the stores turn it into
/// outbox rows inside the write's own transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outgoing {
    /// Whether email is on (`--smtp-url`): without it no email row is written.
    pub mail: bool,
    /// `--notify-owner`.
    pub owner: Option<String>,
    /// `--webhook`: each gets every event.
    pub webhooks: Vec<String>,
    /// How long a reply email waits for more replies to the same comment.
    pub burst_ms: i64,
    /// The author of the comment being written asked to hear of replies.
    pub subscriber: Option<Subscriber>,
}

/// A reader who asked for email.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscriber {
    pub email: String,
    pub email_hash: String,
    /// The widget's language, for the emails.
    pub lang: String,
}

/// The kinds of outbox rows.
pub mod kinds {
    pub const MAIL: &str = "mail";
    pub const WEBHOOK: &str = "webhook";
    pub const CONFIRM: &str = "confirm";
    pub const REPLY: &str = "reply";
    pub const OWNER_NEW: &str = "owner_new";
    pub const OWNER_PENDING: &str = "owner_pending";
    /// A reader's own request for their comments.
    pub const PRIVACY: &str = "privacy";
}

/// One row of the outbox, claimed for delivery.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Envelope {
    pub id: i64,
    pub site_id: i64,
    pub channel: String,
    pub recipient: String,
    pub kind: String,
    pub comment_id: Option<i64>,
    pub items: String,
    pub lang: String,
    pub attempts: i64,
    pub created_at_ms: i64,
}

/// A webhook call or an email, as the console's delivery log shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    /// `mail` or `webhook`.
    pub channel: String,
    /// The webhook's URL; for an email, only that it was one (never the address).
    pub recipient: String,
    pub kind: String,
    pub comment_id: Option<i64>,
    /// `waiting`, `sending`, `sent` or `failed` (given up after many tries).
    pub state: String,
    pub attempts: i64,
    pub created_at: String,
    pub sent_at: Option<String>,
    pub last_error: Option<String>,
}

/// What a link in an email does.
pub mod purposes {
    pub const CONFIRM: &str = "confirm";
    pub const UNSUBSCRIBE: &str = "unsubscribe";
    pub const UNSUBSCRIBE_SITE: &str = "unsubscribe_site";
    pub const APPROVE: &str = "approve";
    pub const DELETE: &str = "delete";
    pub const PRIVACY: &str = "privacy";
}

/// A link's token as stored.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MailToken {
    pub purpose: String,
    pub site_id: i64,
    pub email_hash: Option<String>,
    /// A reader's request for their data: the address.
    pub email: Option<String>,
    pub comment_id: Option<i64>,
    pub expires_at_ms: i64,
    pub used_at_ms: Option<i64>,
}

/// A reader's address as the outbox knows it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct MailAddress {
    pub email: String,
    pub lang: String,
    pub confirmed_at_ms: Option<i64>,
}

#[async_trait]
pub trait Outbox: Send + Sync {
    /// Claims up to `limit` rows of `channel` that are due (or whose sender vanished
    /// mid-delivery), each for `claim_ms`.
    async fn claim_due(
        &self,
        channel: &str,
        now_ms: i64,
        claim_ms: i64,
        limit: i64,
    ) -> Result<Vec<Envelope>, StoreError>;
    async fn delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError>;
    /// A failed try: again at `retry_at_ms`, or never (`None`: given up).
    async fn failed(
        &self,
        id: i64,
        retry_at_ms: Option<i64>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Puts a claimed row back for later without counting a try (a recipient over its
    /// limit).
    async fn postpone(&self, id: i64, due_at_ms: i64) -> Result<(), StoreError>;
    /// Emails sent to `recipient` since `since_ms`.
    async fn sent_to(&self, recipient: &str, since_ms: i64) -> Result<i64, StoreError>;
    /// Rows not yet delivered nor given up.
    async fn undelivered(&self) -> Result<i64, StoreError>;
    /// The site's newest deliveries (emails named only as such).
    async fn deliveries(&self, site: i64, limit: i64) -> Result<Vec<Delivery>, StoreError>;

    async fn mail_address(&self, email_hash: &str) -> Result<Option<MailAddress>, StoreError>;
    /// Marks the address confirmed.
    async fn confirm_address(&self, email_hash: &str, now_ms: i64) -> Result<(), StoreError>;
    /// Ends the subscription of comment `comment_id`.
    async fn unsubscribe(&self, comment_id: i64) -> Result<(), StoreError>;
    /// Ends every email from `site` to the address.
    async fn unsubscribe_site(&self, site: i64, email_hash: &str) -> Result<(), StoreError>;

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
    ) -> Result<(), StoreError>;

    /// Writes an email of `kind` to `recipient`, due now (a reader's own request).
    async fn enqueue_mail_now(
        &self,
        site: i64,
        recipient: &str,
        kind: &str,
        lang: &str,
    ) -> Result<(), StoreError>;
    async fn mail_token(&self, token_hash: &str) -> Result<Option<MailToken>, StoreError>;
    /// Uses a single-use token: false when it was used already.
    async fn use_mail_token(&self, token_hash: &str, now_ms: i64) -> Result<bool, StoreError>;

    /// Keeps `title` as the thread's, unless it has one already (an import's, or an
    /// earlier post's).
    async fn remember_title(
        &self,
        thread: &super::ThreadRef,
        title: &str,
    ) -> Result<(), StoreError>;
}
