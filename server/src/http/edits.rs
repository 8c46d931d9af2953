//! `PATCH` and `DELETE /comments/{id}`: an author corrects or deletes their comment with
//! the edit token they were given, within the edit window. The token travels in `Authorization: Bearer …` (never in
//! a URL, which ends up in logs) and is checked against its stored hash in constant time.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::model::{Comment, CommentEdit, ErrorBody};
use colloquy_core::validation::{check_field, Field};

use super::extract::{ApiJson, CommentId, EditToken};
use super::ApiError;
use crate::clock::now_ms;
use crate::state::AppState;
use crate::storage::{EditFacts, Status};
use crate::tokens::token_matches;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/comments/{id}",
        get(own_comment).patch(edit_comment).delete(delete_comment),
    )
}

/// Its author's view of a comment, whatever its state: how the widget shows a reader
/// their own comment while it waits for approval (nobody else is shown it). A deleted
/// comment is gone for its author too. It carries both the `content` readers see and the
/// markdown `body` as written, which only this answer gives (for editing).
#[utoipa::path(
    get,
    path = "/api/v1/comments/{id}",
    params(
        ("id" = i64, Path, description = "The comment's id"),
        ("Authorization" = String, Header, description = "Bearer and the edit token given when the comment was posted"),
    ),
    responses(
        (status = 200, description = "The comment as it is now", body = Comment),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 403, description = "Wrong token, or a refused origin", body = ErrorBody),
        (status = 404, description = "No such comment, or deleted", body = ErrorBody),
    )
)]
pub(super) async fn own_comment(
    State(state): State<AppState>,
    CommentId(id): CommentId,
    EditToken(token): EditToken,
) -> Result<Json<Comment>, ApiError> {
    author_of(&state, id, &token).await?;
    let comment = state
        .store
        .comment_by_id(id)
        .await?
        .ok_or_else(ApiError::no_such_comment)?;
    // Its author may edit it, so the source comes too, beside the content.
    let body = comment.body.clone();
    Ok(Json(Comment {
        body,
        ..state.for_readers(comment)
    }))
}

#[utoipa::path(
    patch,
    path = "/api/v1/comments/{id}",
    params(
        ("id" = i64, Path, description = "The comment's id"),
        ("Authorization" = String, Header, description = "Bearer and the edit token given when the comment was posted"),
    ),
    request_body = CommentEdit,
    responses(
        (status = 200, description = "Edited", body = Comment),
        (status = 400, description = "Malformed JSON or id", body = ErrorBody),
        (status = 403, description = "Wrong token, closed edit window, or a refused origin", body = ErrorBody),
        (status = 404, description = "No such comment, or deleted", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A body that breaks the rules", body = ErrorBody),
    )
)]
pub(super) async fn edit_comment(
    State(state): State<AppState>,
    CommentId(id): CommentId,
    EditToken(token): EditToken,
    ApiJson(edit): ApiJson<CommentEdit>,
) -> Result<Json<Comment>, ApiError> {
    let facts = authorised(&state, id, &token).await?;
    if let Some(code) = check_field(Field::Body, &edit.body, &state.rules) {
        return Err(ApiError::invalid(Field::Body, code, &state.rules));
    }
    super::comments::content_within_limits(edit.body.trim(), &state)?;
    let updated = state
        .store
        .update_body(&facts.thread, id, edit.body.trim())
        .await?
        .ok_or_else(ApiError::no_such_comment)?;
    state.thread_changed(&facts.thread).await;
    Ok(Json(state.for_readers(updated)))
}

/// The author deletes their comment, within the edit window, as the owner's console does:
/// one with replies leaves "This comment was deleted." in its place, its replies intact;
/// one without disappears. Either way its name, email, address and text are gone.
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}",
    params(
        ("id" = i64, Path, description = "The comment's id"),
        ("Authorization" = String, Header, description = "Bearer and the edit token given when the comment was posted"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 403, description = "Wrong token, closed edit window, or a refused origin", body = ErrorBody),
        (status = 404, description = "No such comment, or deleted already", body = ErrorBody),
    )
)]
pub(super) async fn delete_comment(
    State(state): State<AppState>,
    CommentId(id): CommentId,
    EditToken(token): EditToken,
) -> Result<StatusCode, ApiError> {
    let facts = authorised(&state, id, &token).await?;
    let outgoing = state.notifier.outgoing(None);
    state
        .store
        .delete_comment(facts.thread.site, id, &outgoing)
        .await?
        .ok_or_else(ApiError::no_such_comment)?;
    tracing::info!(thread = %facts.thread.scoped(), id, "an author deleted their comment");
    state.outbox_wakeup.notify_waiters();
    state.thread_changed(&facts.thread).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The comment `id` when `token` is its edit token: a comment that does not exist or was
/// deleted is `404` whatever the token (a deleted comment is gone for its author too),
/// then a wrong token is `403`.
async fn author_of(state: &AppState, id: i64, token: &str) -> Result<EditFacts, ApiError> {
    let facts = state
        .store
        .edit_facts(id)
        .await?
        .ok_or_else(ApiError::no_such_comment)?;
    if facts.status == Status::Deleted {
        return Err(ApiError::no_such_comment());
    }
    if !token_matches(token, &facts.edit_token_hash) {
        return Err(ApiError::Forbidden(
            words::current().api.wrong_edit_token.clone(),
        ));
    }
    Ok(facts)
}

/// What an author's change needs: [`author_of`], and the site's edit window still open.
async fn authorised(state: &AppState, id: i64, token: &str) -> Result<EditFacts, ApiError> {
    let facts = author_of(state, id, token).await?;
    let window = state.settings(facts.thread.site).await?.edit_window_secs;
    if now_ms() - facts.created_at_ms > window as i64 * 1000 {
        return Err(ApiError::Forbidden(
            words::current().api.edit_window_closed.clone(),
        ));
    }
    Ok(facts)
}
