//! Where the links in emails lead, on the server's own origin. A `GET` only shows what the
//! link would do, with one button; the button's `POST` does it. So a mail program or a
//! scanner that opens every link changes nothing, while the one-click unsubscribe of
//! RFC 8058 (a `POST` to the `List-Unsubscribe` address, with
//! `List-Unsubscribe=One-Click`) works at once.
//!
//! - `/email/confirm?token=…`: confirms the reader's address (single use, seven days).
//! - `/email/unsubscribe?token=…`: ends the emails about one conversation, or every email
//!   from the site (as the link says); it keeps working for a year.
//! - `/email/moderate?token=…`: the owner's approve or delete of a held comment (single
//!   use, seven days), written to the audit log as done from an email link.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, REFERRER_POLICY};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use super::compose::document;
use crate::admin::ops;
use crate::clock::now_ms;
use crate::feed_html::{element, empty_element, text_element, write_comment, RelativeLinks};
use crate::state::AppState;
use crate::storage::{purposes, MailToken, Owner};
use crate::tokens::sha256_hex;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/email/confirm", get(confirm_page).post(confirm))
        .route(
            "/email/unsubscribe",
            get(unsubscribe_page).post(unsubscribe),
        )
        .route("/email/moderate", get(moderate_page).post(moderate))
        .layer(SetResponseHeaderLayer::overriding(
            axum::http::header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

pub(crate) fn html(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// A page saying `sentence`.
pub(crate) fn said(status: StatusCode, title: &str, sentence: &str) -> Response {
    let lang = words::current().lang.clone();
    html(
        status,
        document(&lang, title, |h| {
            text_element(h, "h1", &[], title)?;
            text_element(h, "p", &[("role", "status")], sentence)
        }),
    )
}

/// A page asking `question`, with one button that posts the token back.
fn asking(
    title: &str,
    question: &str,
    token: &str,
    button: &str,
    quoted: Option<&str>,
) -> Response {
    let lang = words::current().lang.clone();
    html(
        StatusCode::OK,
        document(&lang, title, |h| {
            text_element(h, "h1", &[], title)?;
            text_element(h, "p", &[], question)?;
            if let Some(body) = quoted {
                element(h, "blockquote", &[], |h| {
                    write_comment(h, body, RelativeLinks::AsText)
                })?;
            }
            element(h, "form", &[("method", "post")], |h| {
                empty_element(
                    h,
                    "input",
                    &[("type", "hidden"), ("name", "token"), ("value", token)],
                )?;
                text_element(h, "button", &[("type", "submit")], button)
            })
        }),
    )
}

pub(crate) fn expired() -> Response {
    let mail = &words::current().mail;
    said(
        StatusCode::GONE,
        &mail.confirm_page_title,
        &mail.link_expired,
    )
}

/// The token of `?token=` or of a form's `token` field.
pub(crate) fn token_of(query: &HashMap<String, String>, body: &Bytes) -> String {
    query.get("token").cloned().unwrap_or_else(|| {
        form_urlencoded::parse(body)
            .find(|(name, _)| name == "token")
            .map(|(_, value)| value.into_owned())
            .unwrap_or_default()
    })
}

/// The stored token, if it is one for `purposes`, unexpired (and, when `single_use`,
/// unused).
async fn valid(
    state: &AppState,
    token: &str,
    allowed: &[&str],
    single_use: bool,
) -> Option<MailToken> {
    let stored = state.store.mail_token(&sha256_hex(token)).await.ok()??;
    let fresh = stored.expires_at_ms > now_ms();
    let unused = !single_use || stored.used_at_ms.is_none();
    (allowed.contains(&stored.purpose.as_str()) && fresh && unused).then_some(stored)
}

async fn confirm_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = token_of(&query, &Bytes::new());
    let mail = &words::current().mail;
    match valid(&state, &token, &[purposes::CONFIRM], true).await {
        Some(_) => asking(
            &mail.confirm_page_title,
            &mail.confirm_action,
            &token,
            &mail.confirm_button,
            None,
        ),
        None => expired(),
    }
}

async fn confirm(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let token = token_of(&query, &body);
    let mail = &words::current().mail;
    let Some(stored) = valid(&state, &token, &[purposes::CONFIRM], true).await else {
        return expired();
    };
    let Some(hash) = stored.email_hash else {
        return expired();
    };
    let done = async {
        if !state
            .store
            .use_mail_token(&sha256_hex(&token), now_ms())
            .await?
        {
            return Ok(false);
        }
        state.store.confirm_address(&hash, now_ms()).await?;
        Ok::<bool, crate::storage::StoreError>(true)
    };
    match done.await {
        Ok(true) => said(StatusCode::OK, &mail.confirm_page_title, &mail.confirmed),
        Ok(false) => expired(),
        Err(error) => {
            tracing::warn!(%error, "could not confirm an address");
            said(
                StatusCode::INTERNAL_SERVER_ERROR,
                &mail.confirm_page_title,
                &words::current().api.internal,
            )
        }
    }
}

/// The site's name for the unsubscribe pages.
pub(crate) async fn site_name(state: &AppState, site: i64) -> String {
    let sites = state.store.sites().await.unwrap_or_default();
    match sites.into_iter().find(|s| s.id == site) {
        Some(site) if site.id != crate::storage::DEFAULT_SITE => site.name,
        _ => state
            .notifier
            .allowed_origins
            .first()
            .cloned()
            .unwrap_or_else(|| state.notifier.public_url.clone()),
    }
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = token_of(&query, &Bytes::new());
    let mail = &words::current().mail;
    let allowed = [purposes::UNSUBSCRIBE, purposes::UNSUBSCRIBE_SITE];
    let Some(stored) = valid(&state, &token, &allowed, false).await else {
        return expired();
    };
    let question = if stored.purpose == purposes::UNSUBSCRIBE_SITE {
        let site = site_name(&state, stored.site_id).await;
        colloquy_core::messages::Messages::fill_in(
            &mail.unsubscribe_site_question,
            &[("site", &site)],
        )
    } else {
        mail.unsubscribe_question.clone()
    };
    asking(
        &mail.unsubscribe_page_title,
        &question,
        &token,
        &mail.stop_button,
        None,
    )
}

async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let token = token_of(&query, &body);
    let mail = &words::current().mail;
    let allowed = [purposes::UNSUBSCRIBE, purposes::UNSUBSCRIBE_SITE];
    let Some(stored) = valid(&state, &token, &allowed, false).await else {
        return expired();
    };
    let done = if stored.purpose == purposes::UNSUBSCRIBE_SITE {
        match &stored.email_hash {
            Some(hash) => state.store.unsubscribe_site(stored.site_id, hash).await,
            None => Ok(()),
        }
    } else {
        match stored.comment_id {
            Some(id) => state.store.unsubscribe(id).await,
            None => Ok(()),
        }
    };
    if let Err(error) = done {
        tracing::warn!(%error, "could not unsubscribe");
        return said(
            StatusCode::INTERNAL_SERVER_ERROR,
            &mail.unsubscribe_page_title,
            &words::current().api.internal,
        );
    }
    let sentence = if stored.purpose == purposes::UNSUBSCRIBE_SITE {
        let site = site_name(&state, stored.site_id).await;
        colloquy_core::messages::Messages::fill_in(&mail.unsubscribed_site, &[("site", &site)])
    } else {
        mail.unsubscribed.clone()
    };
    said(StatusCode::OK, &mail.unsubscribe_page_title, &sentence)
}

async fn moderate_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = token_of(&query, &Bytes::new());
    let allowed = [purposes::APPROVE, purposes::DELETE];
    let Some(stored) = valid(&state, &token, &allowed, true).await else {
        return expired();
    };
    let comment = match stored.comment_id {
        Some(id) => state
            .store
            .admin_comment(stored.site_id, id)
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let Some(comment) = comment else {
        return expired();
    };
    let (title, button) = if stored.purpose == purposes::APPROVE {
        ("Approve this comment?", "Approve")
    } else {
        ("Delete this comment?", "Delete")
    };
    let question = format!("By {} on {}:", comment.author, comment.thread);
    asking(title, &question, &token, button, Some(&comment.body))
}

async fn moderate(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let token = token_of(&query, &body);
    let allowed = [purposes::APPROVE, purposes::DELETE];
    let Some(stored) = valid(&state, &token, &allowed, true).await else {
        return expired();
    };
    let (Some(id), Ok(true)) = (
        stored.comment_id,
        state
            .store
            .use_mail_token(&sha256_hex(&token), now_ms())
            .await,
    ) else {
        return expired();
    };
    // The owner acts through the link the server mailed them.
    let owner = Owner {
        id: 0,
        site: stored.site_id,
        email: format!(
            "email link to {}",
            state.notifier.owner.as_deref().unwrap_or("the owner")
        ),
        name: String::new(),
    };
    let done = if stored.purpose == purposes::APPROVE {
        ops::approve(&state, &owner, id)
            .await
            .map(|_| "Approved: readers see it now.")
    } else {
        ops::delete(&state, &owner, id).await.map(|_| "Deleted.")
    };
    match done {
        Ok(sentence) => said(StatusCode::OK, "Done", sentence),
        Err(error) => said(error.status(), "That did not work", &error.to_string()),
    }
}
