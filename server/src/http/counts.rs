//! `GET /counts?thread=…&thread=…`: how many comments each of a listing page's threads
//! has, in one request, with the count in words (`lang`, else `Accept-Language`), for the
//! count script (`count.js`), which downloads no widget.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::model::{ErrorBody, ThreadCount, ThreadCounts};
use colloquy_core::thread_key::check_thread_key;

use super::origins::SiteId;
use super::ApiError;
use crate::state::AppState;
use crate::words;

/// Threads one request may ask about: more than any listing page shows.
pub const MAX_THREADS: usize = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/counts", get(counts))
}

/// One count per `thread` asked for, in the order asked (a key asked twice comes twice).
#[utoipa::path(
    get,
    path = "/api/v1/counts",
    params(
        ("thread" = Vec<String>, Query, description = "A thread key; repeat for each thread (1 to 100)"),
        ("lang" = Option<String>, Query, description = "The language of `text` (a language tag); else Accept-Language"),
    ),
    responses(
        (status = 200, description = "The counts", body = ThreadCounts),
        (status = 400, description = "No thread, too many, or a bad key", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
    )
)]
pub(super) async fn counts(
    State(state): State<AppState>,
    SiteId(site): SiteId,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<ThreadCounts>, ApiError> {
    let Query(query) =
        query.map_err(|_| ApiError::BadRequest(words::current().api.bad_query.clone()))?;
    let messages = match query.iter().find(|(name, _)| name == "lang") {
        Some((_, tag)) => words::catalog(tag),
        None => words::current(),
    };
    let keys: Vec<String> = query
        .into_iter()
        .filter(|(name, _)| name == "thread")
        .map(|(_, key)| key)
        .collect();
    if keys.is_empty() || keys.len() > MAX_THREADS {
        return Err(ApiError::BadRequest(
            words::current().counts_threads(MAX_THREADS),
        ));
    }
    for key in &keys {
        check_thread_key(key)
            .map_err(|error| ApiError::BadRequest(words::current().thread_key(error)))?;
    }
    let mut distinct = keys.clone();
    distinct.sort();
    distinct.dedup();
    let found = state.store.thread_counts(site, &distinct).await?;
    let counts = keys
        .into_iter()
        .map(|thread| {
            let count = found
                .iter()
                .find(|(key, _)| *key == thread)
                .map_or(0, |(_, n)| *n);
            ThreadCount {
                text: messages.comment_count(count),
                thread,
                count,
            }
        })
        .collect();
    Ok(Json(ThreadCounts { counts }))
}
