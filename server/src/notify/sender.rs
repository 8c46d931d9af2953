//! The sender: every process runs one, which claims the outbox rows that are due and
//! delivers each on its own. A row is marked sent as soon as the SMTP server (or the
//! webhook) accepted it, so nothing accepted is sent twice; a failure is tried again after
//! a growing wait (the first `--delivery-retry-secs`, doubling up to an hour) and given up
//! after [`GIVE_UP_AFTER`] tries. A row a vanished process had claimed is claimed again
//! after [`CLAIM_MS`].

use std::time::Duration;

use futures_util::future::join_all;
use hmac::{Hmac, Mac};
use lettre::AsyncTransport;
use sha2::Sha256;
use tokio::sync::watch;

use super::compose::{self, Composed};
use crate::clock::now_ms;
use crate::state::AppState;
use crate::storage::{kinds, Envelope};

/// Rows claimed per look.
const BATCH: i64 = 20;
/// How long a claim holds.
const CLAIM_MS: i64 = 120_000;
/// Tries before a row is given up (about nine hours with the default first wait).
pub const GIVE_UP_AFTER: i64 = 16;
/// Emails one reader's address may receive in an hour; the owner's, [`OWNER_PER_HOUR`].
const READER_PER_HOUR: i64 = 20;
const OWNER_PER_HOUR: i64 = 500;
/// How long a webhook may take to answer.
const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);
/// Between looks at the outbox when nothing woke the sender.
const LOOK_EVERY: Duration = Duration::from_millis(500);

/// Runs until `closing` turns true: one loop for email, one for webhooks.
pub async fn run(state: AppState, closing: watch::Receiver<bool>) {
    let mail = state.notifier.mail_on();
    let hooks = !state.notifier.webhooks.is_empty();
    let client = reqwest::Client::builder()
        .timeout(WEBHOOK_TIMEOUT)
        .build()
        .unwrap_or_default();
    let mail_loop = async {
        if mail {
            deliver_loop(&state, kinds::MAIL, closing.clone(), &client).await;
        }
    };
    let hook_loop = async {
        if hooks {
            deliver_loop(&state, kinds::WEBHOOK, closing.clone(), &client).await;
        }
    };
    tokio::join!(mail_loop, hook_loop);
}

async fn deliver_loop(
    state: &AppState,
    channel: &str,
    mut closing: watch::Receiver<bool>,
    client: &reqwest::Client,
) {
    loop {
        if *closing.borrow() {
            return;
        }
        let claimed = state
            .store
            .claim_due(channel, now_ms(), CLAIM_MS, BATCH)
            .await;
        let rows = match claimed {
            Ok(rows) => rows,
            Err(error) => {
                tracing::warn!(%error, channel, "could not read the outbox");
                Vec::new()
            }
        };
        let busy = rows.len() as i64 == BATCH;
        join_all(rows.into_iter().map(|row| deliver(state, row, client))).await;
        if busy {
            continue;
        }
        tokio::select! {
            _ = closing.changed() => {}
            () = state.outbox_wakeup.notified() => {}
            () = tokio::time::sleep(LOOK_EVERY) => {}
        }
    }
}

/// Delivers one row and records how it went.
async fn deliver(state: &AppState, row: Envelope, client: &reqwest::Client) {
    let outcome = if row.channel == kinds::WEBHOOK {
        call_webhook(state, &row, client).await
    } else {
        send_mail(state, &row).await
    };
    let recorded = match outcome {
        Ok(Sent::Yes) | Ok(Sent::NothingToSay) => state.store.delivered(row.id, now_ms()).await,
        Ok(Sent::Later(due)) => state.store.postpone(row.id, due).await,
        Err(error) => {
            let tries = row.attempts + 1;
            let retry = (tries < GIVE_UP_AFTER).then(|| now_ms() + backoff_ms(state, tries));
            if retry.is_none() {
                tracing::error!(id = row.id, channel = %row.channel, %error, "gave up a delivery");
            } else {
                tracing::warn!(id = row.id, channel = %row.channel, %error, "a delivery failed; it will be tried again");
            }
            state.store.failed(row.id, retry, &error).await
        }
    };
    if let Err(error) = recorded {
        tracing::warn!(%error, id = row.id, "could not record a delivery");
    }
}

/// The wait before try `tries + 1`: the first wait, doubled each time, at most an hour.
fn backoff_ms(state: &AppState, tries: i64) -> i64 {
    let first = state.notifier.retry_base.as_millis() as i64;
    let doubled = first.saturating_mul(1i64 << tries.clamp(1, 20).saturating_sub(1));
    doubled.min(3_600_000)
}

enum Sent {
    Yes,
    /// The email has nothing left to tell (its replies were all deleted meanwhile).
    NothingToSay,
    /// Not now: the recipient is over its limit; due again then.
    Later(i64),
}

async fn send_mail(state: &AppState, row: &Envelope) -> Result<Sent, String> {
    let notifier = &state.notifier;
    let (Some(smtp), Some(from)) = (&notifier.smtp, &notifier.from) else {
        return Err("email is off (no --smtp-url)".to_owned());
    };
    let limit = if notifier.owner.as_deref() == Some(row.recipient.as_str()) {
        OWNER_PER_HOUR
    } else {
        READER_PER_HOUR
    };
    let hour_ago = now_ms() - 3_600_000;
    let sent = state
        .store
        .sent_to(&row.recipient, hour_ago)
        .await
        .map_err(|e| e.to_string())?;
    if sent >= limit {
        tracing::info!(
            id = row.id,
            "an address is over its hourly limit; its email waits"
        );
        return Ok(Sent::Later(now_ms() + 600_000));
    }
    let composed = compose::compose(state, row)
        .await
        .map_err(|e| e.to_string())?;
    let Composed::Mail(mail) = composed else {
        return Ok(Sent::NothingToSay);
    };
    let message = mail.message(from.clone(), &row.recipient)?;
    smtp.send(message)
        .await
        .map_err(|e| format!("the SMTP server refused or was unreachable: {e}"))?;
    tracing::info!(id = row.id, kind = %row.kind, "sent an email");
    Ok(Sent::Yes)
}

/// `POST`s the row's JSON, signed: `X-Colloquy-Signature: sha256=<hex>` is HMAC-SHA-256
/// with the webhook secret over `<X-Colloquy-Timestamp>.<body>`, so a receiver can check
/// both who sent it and that it is fresh (and refuse a replay of an old one).
async fn call_webhook(
    state: &AppState,
    row: &Envelope,
    client: &reqwest::Client,
) -> Result<Sent, String> {
    let secret = state
        .notifier
        .webhook_secret
        .as_deref()
        .ok_or("no --webhook-secret")?;
    let timestamp = (now_ms() / 1000).to_string();
    let signature = sign(secret, &timestamp, &row.items);
    let response = client
        .post(&row.recipient)
        .header("content-type", "application/json")
        .header("user-agent", "Colloquy")
        .header("x-colloquy-event", &row.kind)
        .header("x-colloquy-delivery", row.id.to_string())
        .header("x-colloquy-timestamp", &timestamp)
        .header("x-colloquy-signature", format!("sha256={signature}"))
        .body(row.items.clone())
        .send()
        .await
        .map_err(|e| format!("the webhook did not answer: {e}"))?;
    if response.status().is_success() {
        Ok(Sent::Yes)
    } else {
        Err(format!("the webhook answered {}", response.status()))
    }
}

/// The hex HMAC-SHA-256 of `<timestamp>.<body>` under `secret`.
pub fn sign(secret: &str, timestamp: &str, body: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let one = sign("secret", "1700000000", "{\"a\":1}");
        assert_eq!(one.len(), 64);
        assert_eq!(one, sign("secret", "1700000000", "{\"a\":1}"));
        assert_ne!(one, sign("secret", "1700000001", "{\"a\":1}"));
        assert_ne!(one, sign("secret", "1700000000", "{\"a\":2}"));
        assert_ne!(one, sign("other", "1700000000", "{\"a\":1}"));
    }
}
