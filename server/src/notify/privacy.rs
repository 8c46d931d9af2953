//! A reader's own request for their data (GDPR articles 15 and 17), where email is set up:
//! at `/privacy` they give the address they commented with; that address is sent a link
//! (good for a day) to a page that shows how many comments were written with it, offers
//! them as JSON, and erases them all with one button, exactly as the owner's erasure
//! does. Whoever asks learns nothing about the address on the page (the answer is the
//! same whether it wrote here or not, and only an address that did is mailed): only its
//! owner, who reads its mail, does.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use colloquy_core::messages::Messages;

use super::compose::document;
use super::links::{expired, html, said, token_of};
use crate::admin::ops;
use crate::clock::now_ms;
use crate::feed_html::{element, empty_element, text_element};
use crate::http::extract::ClientAddress;
use crate::state::AppState;
use crate::storage::{kinds, purposes, MailToken, Owner, DEFAULT_SITE};
use crate::tokens::sha256_hex;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(ask_page).post(ask))
        .route("/email/privacy", get(request_page).post(erase))
        .route("/email/privacy/export", get(export))
}

/// The site a `/privacy` page is for: `?site=NAME` (a form's `site`), else the default.
async fn site_of(state: &AppState, name: Option<&str>) -> Option<i64> {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => Some(DEFAULT_SITE),
        Some(name) => state.store.site_named(name).await.ok()?.map(|s| s.id),
    }
}

async fn site_name(state: &AppState, site: i64) -> String {
    super::links::site_name(state, site).await
}

/// What both `/privacy` answers start with: the site asked about and the page's title, or
/// the answer to give instead (no such site; no email on this server).
async fn opening(state: &AppState, site_param: &str) -> Result<(i64, String), Response> {
    let words = words::current();
    let mail = &words.mail;
    let Some(site) = site_of(state, Some(site_param)).await else {
        let title = Messages::fill_in(&mail.privacy_page_title, &[("site", site_param)]);
        return Err(said(StatusCode::NOT_FOUND, &title, &words.api.no_such_site));
    };
    let name = site_name(state, site).await;
    let title = Messages::fill_in(&mail.privacy_page_title, &[("site", &name)]);
    if !state.notifier.mail_on() {
        return Err(said(StatusCode::OK, &title, &mail.privacy_no_mail));
    }
    Ok((site, title))
}

async fn ask_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let mail = &words::current().mail;
    let site_param = query.get("site").cloned().unwrap_or_default();
    let title = match opening(&state, &site_param).await {
        Ok((_, title)) => title,
        Err(answer) => return answer,
    };
    let lang = words::current().lang.clone();
    html(
        StatusCode::OK,
        document(&lang, &title, |h| {
            text_element(h, "h1", &[], &title)?;
            text_element(h, "p", &[], &mail.privacy_intro)?;
            element(h, "form", &[("method", "post")], |h| {
                empty_element(
                    h,
                    "input",
                    &[("type", "hidden"), ("name", "site"), ("value", &site_param)],
                )?;
                text_element(
                    h,
                    "label",
                    &[("for", "privacy-email")],
                    &mail.privacy_email_label,
                )?;
                empty_element(
                    h,
                    "input",
                    &[
                        ("id", "privacy-email"),
                        ("type", "email"),
                        ("name", "email"),
                        ("required", "required"),
                        ("autocomplete", "email"),
                    ],
                )?;
                text_element(h, "button", &[("type", "submit")], &mail.privacy_send)
            })
        }),
    )
}

async fn ask(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    body: Bytes,
) -> Response {
    let mail = &words::current().mail;
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let site_param = form.get("site").cloned().unwrap_or_default();
    let (site, title) = match opening(&state, &site_param).await {
        Ok(opened) => opened,
        Err(answer) => return answer,
    };
    let email = form
        .get("email")
        .map(|e| e.trim().to_lowercase())
        .unwrap_or_default();
    if !colloquy_core::validation::is_plausible_email(&email) {
        let words = words::current();
        return said(
            StatusCode::BAD_REQUEST,
            &title,
            &words.errors_invalid_email(),
        );
    }
    // Bounded like posting: a page that mails strangers must not mail them often.
    match state.store.claim_post_slot(client, now_ms(), 5).await {
        Ok(Ok(())) => {}
        Ok(Err(seconds)) => {
            return said(
                StatusCode::TOO_MANY_REQUESTS,
                &title,
                &words::current().api_too_many_requests(seconds),
            );
        }
        Err(error) => {
            return said(
                StatusCode::INTERNAL_SERVER_ERROR,
                &title,
                &error.to_string(),
            )
        }
    }
    // Only an address that wrote here is mailed; the answer is the same either way.
    let wrote = match state.store.comments_by_email(site, &email).await {
        Ok(found) => !found.is_empty(),
        Err(error) => {
            return said(
                StatusCode::INTERNAL_SERVER_ERROR,
                &title,
                &error.to_string(),
            )
        }
    };
    if !wrote {
        return said(StatusCode::OK, &title, &mail.privacy_sent);
    }
    let lang = words::current().lang.clone();
    if let Err(error) = state
        .store
        .enqueue_mail_now(site, &email, kinds::PRIVACY, &lang)
        .await
    {
        tracing::warn!(%error, "could not write a privacy request's email");
        return said(
            StatusCode::INTERNAL_SERVER_ERROR,
            &title,
            &words::current().api.internal,
        );
    }
    state.outbox_wakeup.notify_waiters();
    said(StatusCode::OK, &title, &mail.privacy_sent)
}

/// The stored request behind a link, while it is good.
async fn request(state: &AppState, token: &str) -> Option<(MailToken, String)> {
    let stored = state.store.mail_token(&sha256_hex(token)).await.ok()??;
    let good = stored.purpose == purposes::PRIVACY
        && stored.expires_at_ms > now_ms()
        && stored.used_at_ms.is_none();
    let email = stored.email.clone()?;
    good.then_some((stored, email))
}

/// Who acts when a reader erases their own comments, for the audit log.
fn the_reader(site: i64) -> Owner {
    Owner {
        id: 0,
        site,
        email: "the person's own request (email link)".to_owned(),
        name: String::new(),
    }
}

async fn request_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = token_of(&query, &Bytes::new());
    let Some((stored, email)) = request(&state, &token).await else {
        return expired();
    };
    let words = words::current();
    let mail = &words.mail;
    let name = site_name(&state, stored.site_id).await;
    let title = Messages::fill_in(&mail.privacy_page_title, &[("site", &name)]);
    let found = match ops::personal_data(&state, &the_reader(stored.site_id), &email).await {
        Ok(found) => found,
        Err(error) => return said(error.status(), &title, &error.to_string()),
    };
    let count = found
        .comments
        .iter()
        .filter(|c| c.status != crate::storage::Status::Deleted)
        .count() as u64;
    let lang = words.lang.clone();
    let export = format!("privacy/export?token={token}");
    html(
        StatusCode::OK,
        document(&lang, &title, |h| {
            text_element(h, "h1", &[], &title)?;
            text_element(h, "p", &[], &words.privacy_found(count, &name))?;
            if count == 0 {
                return Ok(());
            }
            element(h, "p", &[], |h| {
                text_element(
                    h,
                    "a",
                    &[("href", &export), ("download", "comments.json")],
                    &mail.privacy_download,
                )
            })?;
            text_element(h, "p", &[], &mail.privacy_erase_note)?;
            element(h, "form", &[("method", "post")], |h| {
                empty_element(
                    h,
                    "input",
                    &[("type", "hidden"), ("name", "token"), ("value", &token)],
                )?;
                text_element(h, "button", &[("type", "submit")], &mail.privacy_erase)
            })
        }),
    )
}

async fn export(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = token_of(&query, &Bytes::new());
    let Some((stored, email)) = request(&state, &token).await else {
        return expired();
    };
    match ops::personal_data(&state, &the_reader(stored.site_id), &email).await {
        Ok(found) => (
            [
                (CONTENT_TYPE, "application/json"),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"comments.json\"",
                ),
            ],
            serde_json::to_string_pretty(&found).unwrap_or_default(),
        )
            .into_response(),
        Err(error) => said(error.status(), "", &error.to_string()),
    }
}

async fn erase(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let token = token_of(&query, &body);
    let Some((stored, email)) = request(&state, &token).await else {
        return expired();
    };
    let words = words::current();
    let name = site_name(&state, stored.site_id).await;
    let title = Messages::fill_in(&words.mail.privacy_page_title, &[("site", &name)]);
    if !matches!(
        state
            .store
            .use_mail_token(&sha256_hex(&token), now_ms())
            .await,
        Ok(true)
    ) {
        return expired();
    }
    match ops::erase(&state, &the_reader(stored.site_id), &email).await {
        Ok(count) => said(StatusCode::OK, &title, &words.privacy_erased(count as u64)),
        Err(error) => said(error.status(), &title, &error.to_string()),
    }
}
