//! Replies reach people: email (opt-in, confirmed, easy to leave) and webhooks, both
//! through the outbox.
//!
//! - A write that should tell someone writes outbox rows in its own transaction (the
//!   stores do, from the [`Outgoing`](crate::storage::Outgoing) the handler passes), so a
//!   comment and its emails are stored together or not at all.
//! - Every server process runs a sender (`sender.rs`) that claims due rows, composes each
//!   email at that moment (`compose.rs`: a burst of replies is one email), delivers it, and
//!   marks it sent at once; a failure is tried again later, with backoff, across restarts.
//!   Mail and webhooks are claimed apart, and each row is delivered on its own, so a dead
//!   webhook never holds up an email, nor one webhook another.
//! - The links in emails lead to pages on the server (`links.rs`) that change nothing on
//!   `GET`: confirming, leaving, or the owner's approve and delete.

pub mod compose;
pub mod links;
pub mod privacy;
pub mod sender;

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, Tokio1Executor};

use crate::config::Config;
use crate::storage::{Outgoing, Subscriber, ThreadRef, DEFAULT_SITE};

/// How email and webhooks are set up, from the flags.
#[derive(Clone)]
pub struct Notifier {
    pub smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    pub from: Option<Mailbox>,
    /// The server's own address, for the links in emails.
    pub public_url: String,
    pub owner: Option<String>,
    pub webhooks: Vec<String>,
    pub webhook_secret: Option<String>,
    pub burst: Duration,
    pub retry_base: Duration,
    /// `--allowed-origin`, for the default site's pages.
    pub allowed_origins: Vec<String>,
}

impl Notifier {
    /// Checks the flags that belong together and builds the SMTP transport.
    pub fn from_config(config: &Config, public_url: String) -> Result<Notifier, String> {
        let smtp = match &config.smtp_url {
            None => None,
            Some(url) => Some(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("--smtp-url {url:?} is not usable: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
        };
        let from = match (&smtp, &config.mail_from) {
            (Some(_), None) => {
                return Err("--smtp-url needs --mail-from (the address emails come from)".into())
            }
            (_, Some(from)) => Some(
                from.parse::<Mailbox>()
                    .map_err(|e| format!("--mail-from {from:?} is not an address: {e}"))?,
            ),
            (None, None) => None,
        };
        if !config.webhooks.is_empty() && config.webhook_secret.is_none() {
            return Err(
                "--webhook needs --webhook-secret (the key its calls are signed with)".into(),
            );
        }
        Ok(Notifier {
            smtp,
            from,
            public_url: public_url.trim_end_matches('/').to_owned(),
            owner: config.notify_owner.clone(),
            webhooks: config.webhooks.clone(),
            webhook_secret: config.webhook_secret.clone(),
            burst: Duration::from_secs(config.mail_burst_secs),
            retry_base: Duration::from_secs(config.delivery_retry_secs.max(1)),
            allowed_origins: config.allowed_origins.clone(),
        })
    }

    pub fn mail_on(&self) -> bool {
        self.smtp.is_some()
    }

    /// What a write must send, with `subscriber` when its author asked for replies (and
    /// email is on).
    pub fn outgoing(&self, subscriber: Option<Subscriber>) -> Outgoing {
        Outgoing {
            mail: self.mail_on(),
            owner: self.owner.clone().filter(|_| self.mail_on()),
            webhooks: self.webhooks.clone(),
            burst_ms: self.burst.as_millis() as i64,
            subscriber: subscriber.filter(|_| self.mail_on()),
        }
    }

    /// A link to one of the server's own pages.
    pub fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url)
    }
}

/// The page a thread is on, where its key is a path and the site's origin is known: a
/// site's first origin, or, for the default site, its one `--allowed-origin` (or the
/// server's own address when there is none).
pub fn page_url(
    notifier: &Notifier,
    thread: &ThreadRef,
    site_origins: &[String],
) -> Option<String> {
    if !thread.key.starts_with('/') || thread.key.starts_with("//") {
        return None;
    }
    let origin = if thread.site == DEFAULT_SITE {
        match notifier.allowed_origins.as_slice() {
            [] => notifier.public_url.clone(),
            [one] if one.trim() != "*" => one.trim().trim_end_matches('/').to_owned(),
            _ => return None,
        }
    } else {
        site_origins.first()?.clone()
    };
    Some(format!("{origin}{}", thread.key))
}

/// The permalink of comment `id` on its page (`#comment-<id>`, as WordPress and Isso
/// name theirs).
pub fn permalink(page: &str, id: i64) -> String {
    format!("{page}#comment-{id}")
}
