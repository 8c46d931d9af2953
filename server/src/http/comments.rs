use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::messages::ENGLISH;
use colloquy_core::model::{CreatedComment, NewComment, ThreadPage};
use colloquy_core::tree::Sort;
use colloquy_core::validation::{validate_new_comment, ErrorCode, Field, FieldError};
use serde::Deserialize;

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

#[derive(Deserialize)]
struct ListQuery {
    sort: Option<String>,
}

/// The whole thread, oldest first. An unknown thread is simply empty: pages get threads by
/// being commented on, not by being registered.
///
/// `sort` (`oldest`, `newest`, `top`) is checked now and will order pages once threads are
/// paginated; while the whole thread comes in one answer the widget arranges it itself.
async fn list_comments(
    State(state): State<AppState>,
    ThreadKey(thread): ThreadKey,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Query(query)) = query else {
        return Err(ApiError::BadRequest(
            "The query string could not be read.".into(),
        ));
    };
    if let Some(sort) = query.sort.as_deref() {
        if Sort::parse(sort).is_none() {
            return Err(ApiError::BadRequest(
                "sort must be one of oldest, newest or top.".into(),
            ));
        }
    }
    let generation = match state.thread_cache.get(&thread) {
        Ok(page) => return Ok(json_bytes(page)),
        Err(generation) => generation,
    };
    let comments = state.store.thread_comments(&thread).await?;
    let page = serde_json::to_vec(&ThreadPage {
        total: comments.len() as u64,
        thread: thread.clone(),
        comments,
    })
    .map_err(|e| ApiError::Internal(e.to_string()))?;
    let page = Bytes::from(page);
    state.thread_cache.put(&thread, generation, page.clone());
    Ok(json_bytes(page))
}

fn json_bytes(page: Bytes) -> Response {
    ([(CONTENT_TYPE, "application/json")], page).into_response()
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
        Inserted::New(stored) => {
            state.thread_cache.invalidate(&thread);
            (StatusCode::CREATED, stored)
        }
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
