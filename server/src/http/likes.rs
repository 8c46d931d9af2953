//! `POST` and `DELETE /comments/{id}/like`: one like per reader and comment. A reader is
//! their voter token, a random string their browser keeps (no cookie, no account); the
//! server stores only its SHA-256, and the token given when a comment was posted marks
//! its author, who cannot like it. Likes have a limit per client of their own.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use colloquy_core::model::{ErrorBody, LikeRequest, LikeState};

use super::extract::{ApiJson, ClientAddress, CommentId};
use super::ApiError;
use crate::clock::now_ms;
use crate::state::AppState;
use crate::storage::Liked;
use crate::tokens::token_hash;
use crate::words;

/// Likes and unlikes one client may send in any sixty seconds: far more than a reader
/// reading, few enough that a script cannot stuff a count quickly.
pub const LIKES_PER_MINUTE: u32 = 60;

pub fn router() -> Router<AppState> {
    Router::new().route("/comments/{id}/like", post(like).delete(unlike))
}

/// Likes the comment for this voter. Liking twice counts once.
#[utoipa::path(
    post,
    path = "/api/v1/comments/{id}/like",
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = LikeRequest,
    responses(
        (status = 200, description = "Liked; the count now", body = LikeState),
        (status = 400, description = "Malformed JSON, id or voter token", body = ErrorBody),
        (status = 403, description = "The voter wrote the comment, or a refused origin", body = ErrorBody),
        (status = 404, description = "No published comment with this id", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 429, description = "Too many likes; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn like(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    CommentId(id): CommentId,
    ApiJson(request): ApiJson<LikeRequest>,
) -> Result<Json<LikeState>, ApiError> {
    set_like(&state, client, id, &request, true).await
}

/// Takes this voter's like back. Unliking what was not liked changes nothing.
#[utoipa::path(
    delete,
    path = "/api/v1/comments/{id}/like",
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = LikeRequest,
    responses(
        (status = 200, description = "Not liked (any more); the count now", body = LikeState),
        (status = 400, description = "Malformed JSON, id or voter token", body = ErrorBody),
        (status = 403, description = "The voter wrote the comment, or a refused origin", body = ErrorBody),
        (status = 404, description = "No published comment with this id", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 429, description = "Too many likes; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn unlike(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    CommentId(id): CommentId,
    ApiJson(request): ApiJson<LikeRequest>,
) -> Result<Json<LikeState>, ApiError> {
    set_like(&state, client, id, &request, false).await
}

/// Likes or unlikes for a well-formed voter token from a client under its limit.
async fn set_like(
    state: &AppState,
    client: std::net::IpAddr,
    id: i64,
    request: &LikeRequest,
    like: bool,
) -> Result<Json<LikeState>, ApiError> {
    if !request.is_valid() {
        return Err(ApiError::BadRequest(words::current().api.bad_voter.clone()));
    }
    state
        .like_limit
        .check(client, now_ms(), LIKES_PER_MINUTE)
        .map_err(ApiError::TooManyLikes)?;
    let voter = token_hash(&request.voter);
    match state.store.set_like(id, &voter, like, now_ms()).await? {
        Liked::NoComment => Err(ApiError::no_such_comment()),
        Liked::Own => Err(ApiError::Forbidden(words::current().api.own_like.clone())),
        Liked::Now {
            thread,
            likes,
            changed,
        } => {
            if changed {
                // The count is part of the thread's pages (and of `top`'s order).
                state.thread_changed(&thread).await;
            }
            Ok(Json(LikeState { likes, liked: like }))
        }
    }
}
