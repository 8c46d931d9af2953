//! `GET /api/v1/openapi.json`: the contract, generated from the handlers' own annotations
//! and the core types, so it cannot drift from the code. `cargo xtask test` points
//! schemathesis at it.

use axum::routing::get;
use axum::{Json, Router};
use utoipa::OpenApi;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Colloquy",
        description = "The comment API of a Colloquy server."
    ),
    paths(
        super::config::public_config,
        super::comments::list_comments,
        super::comments::create_comment,
        super::edits::edit_comment,
        super::events::thread_events,
        super::feeds::thread_feed,
        super::feeds::recent_feed,
    )
)]
struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
