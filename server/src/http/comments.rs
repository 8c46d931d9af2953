use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::model::{Comment, CreatedComment, ErrorBody, NewComment, ThreadPage};
use colloquy_core::time::format_rfc3339;
use colloquy_core::validation::{validate_new_comment, ErrorCode, Field, ValidComment};

use super::extract::{ApiJson, ClientAddress, SortQuery, ThreadKey};
use super::ApiError;
use crate::clock::now_ms;
use crate::state::AppState;
use crate::storage::Inserted;
use crate::tokens::token_hash;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/threads/{key}/comments",
        get(list_comments).post(create_comment),
    )
}

/// The whole thread, oldest first. An unknown thread is simply empty: pages get threads by
/// being commented on, not by being registered.
///
/// `sort` (`oldest`, `newest`, `top`) is checked but does not change the answer: the whole
/// thread comes in one answer and the widget arranges it. (Threads are not paginated.)
#[utoipa::path(
    get,
    path = "/api/v1/threads/{key}/comments",
    params(
        ("key" = String, Path, description = "The thread key, percent-encoded: 1 to 256 of A-Z a-z 0-9 - . _ ~ / : @ ! $ & ' ( ) * + , ; = %"),
        ("sort" = Option<String>, Query, description = "oldest, newest or top"),
    ),
    responses(
        (status = 200, description = "The whole thread, oldest first", body = ThreadPage),
        (status = 400, description = "A bad thread key or sort", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
    )
)]
pub(super) async fn list_comments(
    State(state): State<AppState>,
    ThreadKey(thread): ThreadKey,
    // Checked, so a bad value is a 400; the order is the widget's (see above).
    SortQuery(_sort): SortQuery,
) -> Result<Response, ApiError> {
    let generation = match state.thread_cache.get(&thread) {
        Ok(page) => return Ok(json_bytes(page)),
        Err(generation) => generation,
    };
    // The event id first: an event that lands between the two reads is then both in the
    // page and replayed to a subscriber, which the widget shows once, instead of missed.
    let last_event_id = state.store.latest_event_id(&thread).await?;
    let comments = state.store.thread_comments(&thread).await?;
    let page = serde_json::to_vec(&ThreadPage {
        total: comments.len() as u64,
        thread: thread.clone(),
        comments,
        last_event_id,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let page = Bytes::from(page);
    state.thread_cache.put(&thread, generation, page.clone());
    Ok(json_bytes(page))
}

fn json_bytes(page: Bytes) -> Response {
    ([(CONTENT_TYPE, "application/json")], page).into_response()
}

/// How long the same body may not be posted again in the same thread.
const DUPLICATE_WINDOW_MS: i64 = 10 * 60 * 1000;

/// Validates with the same core rules as the widget, then stores. A retry with the same
/// idempotency key answers `200` with the comment the first attempt stored; the same body
/// again within ten minutes answers `409`; a client over its posting limit gets `429` with
/// `Retry-After`; a filled honeypot gets a quiet, fake `201`.
#[utoipa::path(
    post,
    path = "/api/v1/threads/{key}/comments",
    params(("key" = String, Path, description = "The thread key, percent-encoded")),
    request_body = NewComment,
    responses(
        (status = 201, description = "Stored", body = CreatedComment),
        (status = 200, description = "A retry of a submission that was already stored", body = CreatedComment),
        (status = 400, description = "Malformed JSON or thread key", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
        (status = 409, description = "The same body was posted in this thread minutes ago", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Fields that break the rules", body = ErrorBody),
        (status = 429, description = "Posting too quickly; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn create_comment(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ThreadKey(thread): ThreadKey,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<CreatedComment>), ApiError> {
    let comment = validate_new_comment(&input, &state.rules, words::current())
        .map_err(ApiError::Validation)?;
    if !input.honeypot.trim().is_empty() {
        tracing::info!(%thread, "dropped a comment that filled the honeypot");
        return Ok(quiet_drop(comment));
    }
    let now = now_ms();
    if let Err(wait) = state
        .store
        .claim_post_slot(client, now, state.posts_per_minute)
        .await?
    {
        tracing::info!(client = %client, "refused a post over the posting limit");
        return Err(ApiError::TooManyRequests(wait));
    }
    if let Some(parent_id) = comment.parent_id {
        if !state.store.comment_in_thread(&thread, parent_id).await? {
            return Err(ApiError::invalid(
                Field::ParentId,
                ErrorCode::UnknownParent,
                &state.rules,
            ));
        }
    }
    let edit_token = state.secret.edit_token(&thread, &comment.idempotency_key);
    let inserted = state
        .store
        .insert_comment(
            &thread,
            &comment,
            now,
            &token_hash(&edit_token),
            Some(now - DUPLICATE_WINDOW_MS),
        )
        .await?;
    let (status, stored) = match inserted {
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
            comment: stored,
            edit_token,
        }),
    ))
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
            },
            edit_token: token_hash(&comment.idempotency_key),
        }),
    )
}
