use std::net::IpAddr;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::content::{Node, CONTENT_VERSION};
use colloquy_core::markdown::parse_bounded;
use colloquy_core::model::{
    Comment, CreatedComment, ErrorBody, LikeRequest, NewComment, ThreadPage,
};
use colloquy_core::time::format_rfc3339;
use colloquy_core::validation::{validate_new_comment, ErrorCode, Field, ValidComment};

use super::extract::{ApiJson, ClientAddress, PageQuery, ThreadKey};
use super::ApiError;
use crate::admin::auth;
use crate::clock::now_ms;
use crate::paging::{self, select};
use crate::settings::Moderation;
use crate::state::AppState;
use crate::storage::{Inserted, Provenance, Status, Subscriber, ThreadRef};
use crate::thread_cache::{CachedPage, CachedThread};
use crate::tokens::token_hash;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/threads/{key}/comments",
        get(list_comments).post(create_comment),
    )
}

/// One page of the thread: its top-level conversations in `sort` order, `limit` at a time
/// (default 20, at most 200), each with all its replies, and the cursor of the next page
/// (`next`, to pass as `after`; `null` on the last page). `around=<comment id>` answers
/// every page from the first through the one that holds that comment, so a permalink opens
/// with the thread read up to it and "more" carries on from there.
///
/// A thread shows its published comments and "deleted" tombstones of comments that still
/// have replies (never comments held for approval; `total` counts published comments on
/// every page). An unknown thread is simply empty: pages get threads by being commented
/// on, not by being registered. `top` ranks by likes, then replies, then age; the owner's
/// pinned conversations lead every sort.
///
/// Each comment comes as `content`, the tree the server parsed its markdown into, not as
/// its source. The answer is compressed (brotli or gzip) when the client accepts it.
#[utoipa::path(
    get,
    path = "/api/v1/threads/{key}/comments",
    params(
        ("key" = String, Path, description = "The thread key, percent-encoded: 1 to 256 of A-Z a-z 0-9 - . _ ~ / : @ ! $ & ' ( ) * + , ; = %"),
        ("sort" = Option<String>, Query, description = "oldest (default), newest or top"),
        ("limit" = Option<u32>, Query, description = "Conversations per page, 1 to 200 (default 20)"),
        ("after" = Option<String>, Query, description = "The `next` cursor of the previous page"),
        ("around" = Option<i64>, Query, description = "A comment id: every page through the one that holds it (not with after)"),
    ),
    responses(
        (status = 200, description = "One page of the thread", body = ThreadPage),
        (status = 400, description = "A bad thread key, sort, limit, cursor or comment id", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
        (status = 404, description = "around names a comment this thread does not show", body = ErrorBody),
    )
)]
pub(super) async fn list_comments(
    State(state): State<AppState>,
    ThreadKey(thread): ThreadKey,
    query: PageQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let cached = match state.thread_cache.get(&thread) {
        Ok(cached) => cached,
        Err(generation) => {
            // The event id first: an event that lands between the two reads is then both
            // in the page and replayed to a subscriber, which the widget shows once,
            // instead of missed.
            let last_event_id = state.store.latest_event_id(&thread).await?;
            let comments = state.store.thread_comments(&thread).await?;
            let locked = state.store.is_locked(&thread).await?;
            // Parsing happens once per change of the thread, not once per read.
            let comments = comments
                .into_iter()
                .map(|comment| state.for_readers(comment))
                .collect();
            let cached = Arc::new(CachedThread::new(comments, last_event_id, locked));
            state.thread_cache.put(&thread, generation, cached.clone());
            cached
        }
    };
    let key = query.cache_key();
    if let Some(page) = cached.page(&key) {
        return Ok(page.response(&headers));
    }
    let conversations = cached.conversations(query.sort);
    let selection = select(&cached.comments, conversations, &query.window, query.limit)
        .ok_or_else(|| ApiError::NotFound(words::current().api.comment_not_in_thread.clone()))?;
    let shown = &conversations[selection.shown.clone()];
    let next = match shown.last() {
        Some(last) if selection.more => Some(paging::cursor(query.sort, &last.rank)),
        _ => None,
    };
    let comments: Vec<&Comment> = shown
        .iter()
        .flat_map(|conversation| &conversation.entries)
        .map(|entry| &cached.comments[entry.index])
        .collect();
    let json = serde_json::to_vec(&PageOut {
        thread: &thread.key,
        total: cached.total,
        comments,
        next,
        last_event_id: cached.last_event_id,
        locked: cached.locked,
        content_version: CONTENT_VERSION,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    // Compressed once per page and change of the thread, not once per read.
    let page = Arc::new(CachedPage::compress(Bytes::from(json)));
    cached.keep_page(key, page.clone());
    Ok(page.response(&headers))
}

/// [`ThreadPage`] as written, borrowing the cached comments instead of copying them.
#[derive(serde::Serialize)]
struct PageOut<'a> {
    thread: &'a str,
    total: u64,
    comments: Vec<&'a Comment>,
    next: Option<String>,
    last_event_id: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    locked: bool,
    content_version: u32,
}

/// The content of a body about to be stored or previewed, or, for one whose markdown
/// would draw too much (`markdown::parse_bounded`), a field error as for any other rule.
pub(super) fn content_within_limits(body: &str, state: &AppState) -> Result<Vec<Node>, ApiError> {
    parse_bounded(body)
        .map_err(|_| ApiError::invalid(Field::Body, ErrorCode::TooMuchFormatting, &state.rules))
}

/// How long the same body may not be posted again in the same thread.
const DUPLICATE_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Validates with the same core rules as the widget, then stores. A retry with the same
/// idempotency key answers `200` with the comment the first attempt stored; a comment
/// held for the owner's approval (`--moderation`) answers `202`; the same body again
/// within ten minutes answers `409`; a locked thread or a blocked author `403`; a client
/// over its posting limit gets `429` with `Retry-After`; a filled honeypot gets a quiet,
/// fake `201`.
///
/// An owner signed in to the console who posts from a page of this server's own origin
/// speaks as the owner (`by_owner`): published at once, and with the badge.
#[utoipa::path(
    post,
    path = "/api/v1/threads/{key}/comments",
    params(("key" = String, Path, description = "The thread key, percent-encoded")),
    request_body = NewComment,
    responses(
        (status = 201, description = "Stored and published", body = CreatedComment),
        (status = 202, description = "Stored and held for the owner's approval: only its author sees it", body = CreatedComment),
        (status = 200, description = "A retry of a submission that was already stored", body = CreatedComment),
        (status = 400, description = "Malformed JSON or thread key", body = ErrorBody),
        (status = 403, description = "A locked thread, a blocked author, or a browser page from an origin that is not allowed", body = ErrorBody),
        (status = 409, description = "The same body was posted in this thread minutes ago", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Fields that break the rules (a name that belongs to an owner included)", body = ErrorBody),
        (status = 429, description = "Posting too quickly; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn create_comment(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ThreadKey(thread): ThreadKey,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<CreatedComment>), ApiError> {
    let comment = validate_new_comment(&input, &state.rules, words::current())
        .map_err(ApiError::Validation)?;
    content_within_limits(&comment.body, &state)?;
    if !input.honeypot.trim().is_empty() {
        tracing::info!(thread = %thread.scoped(), "dropped a comment that filled the honeypot");
        return Ok(quiet_drop(comment));
    }
    let owner = if auth::from_own_origin(&headers) {
        auth::session_owner(&state, &headers)
            .await?
            .filter(|owner| owner.site == thread.site)
    } else {
        None
    };
    let mut provenance = admission(&state, &thread, &comment, client, owner.is_some()).await?;
    // A voter token of another shape is left out rather than refused: it only keeps the
    // author from liking their own comment.
    let voter = LikeRequest {
        voter: input.voter.clone(),
    };
    provenance.voter_hash = voter.is_valid().then(|| token_hash(&voter.voter));
    let subscriber = match (&comment.email, &provenance.email_hash) {
        (Some(email), Some(hash)) if input.notify_replies => Some(Subscriber {
            email: email.trim().to_lowercase(),
            email_hash: hash.clone(),
            lang: words::current().lang.clone(),
        }),
        _ => None,
    };
    provenance.outgoing = state.notifier.outgoing(subscriber);
    if let Some(title) = page_title(&input.page_title) {
        state.store.remember_title(&thread, &title).await?;
    }
    let now = now_ms();
    if let Some(parent_id) = comment.parent_id {
        if !state.store.comment_in_thread(&thread, parent_id).await? {
            return Err(ApiError::invalid(
                Field::ParentId,
                ErrorCode::UnknownParent,
                &state.rules,
            ));
        }
    }
    let edit_token = state
        .secret
        .thread_edit_token(&thread, &comment.idempotency_key);
    let inserted = state
        .store
        .insert_comment(
            &thread,
            &comment,
            now,
            &token_hash(&edit_token),
            Some(now - DUPLICATE_WINDOW_MS),
            &provenance,
        )
        .await?;
    if matches!(inserted, Inserted::New(_)) {
        state.outbox_wakeup.notify_waiters();
    }
    let (status, stored) = match inserted {
        Inserted::New(stored) if stored.pending => {
            tracing::info!(thread = %thread.scoped(), id = stored.id, "held a comment for approval");
            (StatusCode::ACCEPTED, stored)
        }
        Inserted::New(stored) => {
            state.thread_changed(&thread).await;
            (StatusCode::CREATED, stored)
        }
        Inserted::Replayed(stored) => (StatusCode::OK, stored),
        Inserted::Duplicate => {
            return Err(ApiError::Conflict(words::current().api.duplicate.clone()))
        }
    };
    Ok((
        status,
        Json(CreatedComment {
            comment: state.for_readers(stored),
            edit_token,
        }),
    ))
}

/// Whether the thread takes this comment and how it is stored: refused on a locked
/// thread, from a blocked author, under an owner's name, or over the posting limit;
/// otherwise published or held as the site's moderation says. An owner's own comment
/// passes every check and is published.
async fn admission(
    state: &AppState,
    thread: &ThreadRef,
    comment: &ValidComment,
    client: IpAddr,
    by_owner: bool,
) -> Result<Provenance, ApiError> {
    let email_hash = comment
        .email
        .as_deref()
        .map(|email| state.secret.email_hash(email));
    let mut provenance = Provenance {
        status: Status::Published,
        by_owner,
        client_address: Some(client.to_string()),
        email_hash,
        outgoing: Default::default(),
        voter_hash: None,
    };
    if by_owner {
        return Ok(provenance);
    }
    if state.store.is_locked(thread).await? {
        return Err(ApiError::Forbidden(
            words::current().api.thread_locked.clone(),
        ));
    }
    let now = now_ms();
    let email_hash = provenance.email_hash.as_deref();
    if state
        .store
        .is_blocked(thread.site, email_hash, &client.to_string(), now)
        .await?
    {
        tracing::info!(client = %client, "refused a post from a blocked author");
        return Err(ApiError::Forbidden(words::current().api.blocked.clone()));
    }
    let owners = state.store.owner_names(thread.site).await?;
    if owners.iter().any(|owner| same_name(owner, &comment.name)) {
        return Err(ApiError::invalid(
            Field::Name,
            ErrorCode::Reserved,
            &state.rules,
        ));
    }
    let settings = state.settings(thread.site).await?;
    if let Err(wait) = state
        .store
        .claim_post_slot(client, now, settings.posts_per_minute)
        .await?
    {
        tracing::info!(client = %client, "refused a post over the posting limit");
        return Err(ApiError::TooManyRequests(wait));
    }
    let held = match settings.moderation {
        Moderation::None => false,
        Moderation::All => true,
        Moderation::FirstTime => match email_hash {
            Some(hash) => !state.store.is_trusted(thread.site, hash).await?,
            None => true,
        },
    };
    if held {
        provenance.status = Status::Pending;
    }
    Ok(provenance)
}

/// The page's title as a post names it: trimmed, one line, at most 300 characters; none
/// when empty.
fn page_title(title: &str) -> Option<String> {
    let title: String = title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    (!title.is_empty()).then_some(title)
}

/// Whether two names are the same to a reader's eye: case, spacing and punctuation
/// aside ("Ada  Lovelace", "ada lovelace", "Ada-Lovelace").
fn same_name(a: &str, b: &str) -> bool {
    let folded = |name: &str| -> String {
        name.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let a = folded(a);
    !a.is_empty() && a == folded(b)
}

/// What a bot that filled the honeypot is told: a plausible success, with nothing stored
/// and a token that opens nothing.
fn quiet_drop(comment: ValidComment) -> (StatusCode, Json<CreatedComment>) {
    (
        StatusCode::CREATED,
        Json(CreatedComment {
            comment: Comment {
                id: 0,
                parent_id: comment.parent_id,
                author: comment.name,
                website: comment.website,
                body: comment.body,
                created_at: format_rfc3339(now_ms()),
                ..Default::default()
            }
            .for_readers(),
            edit_token: token_hash(&comment.idempotency_key),
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_as_a_reader_sees_them() {
        assert!(same_name("Ada Lovelace", "ada  lovelace"));
        assert!(same_name("Ada Lovelace", "ADA-LOVELACE"));
        assert!(!same_name("Ada Lovelace", "Ada Lovelac"));
        assert!(!same_name("", ""), "an empty name is nobody's");
    }

    #[test]
    fn page_titles_are_one_trimmed_line() {
        assert_eq!(
            page_title("  A  post\nabout\towls "),
            Some("A post about owls".into())
        );
        assert_eq!(page_title(" \n "), None);
        assert_eq!(page_title(&"x".repeat(400)).map(|t| t.len()), Some(300));
    }
}
