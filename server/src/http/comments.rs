use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::messages::ENGLISH;
use colloquy_core::model::{CreatedComment, NewComment, ThreadPage};
use colloquy_core::validation::{validate_new_comment, ErrorCode, Field, FieldError};

use super::extract::{ApiJson, ThreadKey};
use super::ApiError;
use crate::state::AppState;
use crate::storage::Inserted;
use crate::tokens::token_hash;

pub fn router() -> Router<AppState> {
    Router::new().route(
        "/threads/{key}/comments",
        get(list_comments).post(create_comment),
    )
}

/// The whole thread, oldest first. An unknown thread is simply empty: pages get threads by
/// being commented on, not by being registered.
async fn list_comments(
    State(state): State<AppState>,
    ThreadKey(thread): ThreadKey,
) -> Result<Json<ThreadPage>, ApiError> {
    let comments = state.store.thread_comments(&thread).await?;
    Ok(Json(ThreadPage {
        thread,
        total: comments.len() as u64,
        comments,
    }))
}

/// Validates with the same core rules as the widget, then stores. A retry with the same
/// idempotency key answers `200` with the comment the first attempt stored.
async fn create_comment(
    State(state): State<AppState>,
    ThreadKey(thread): ThreadKey,
    ApiJson(input): ApiJson<NewComment>,
) -> Result<(StatusCode, Json<CreatedComment>), ApiError> {
    let comment =
        validate_new_comment(&input, &state.rules, &ENGLISH).map_err(ApiError::Validation)?;
    if let Some(parent_id) = comment.parent_id {
        if !state.store.comment_in_thread(&thread, parent_id).await? {
            let code = ErrorCode::UnknownParent;
            return Err(ApiError::Validation(vec![FieldError {
                field: Field::ParentId,
                code,
                message: (ENGLISH.field_error)(Field::ParentId, code, &state.rules),
            }]));
        }
    }
    let edit_token = state.secret.edit_token(&thread, &comment.idempotency_key);
    let inserted = state
        .store
        .insert_comment(&thread, &comment, now_ms(), &token_hash(&edit_token))
        .await?;
    let (status, stored) = match inserted {
        Inserted::New(stored) => (StatusCode::CREATED, stored),
        Inserted::Replayed(stored) => (StatusCode::OK, stored),
    };
    Ok((
        status,
        Json(CreatedComment {
            comment: stored,
            edit_token,
        }),
    ))
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64)
}
