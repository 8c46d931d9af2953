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
        super::edits::own_comment,
        super::preview::preview,
        super::edits::delete_comment,
        super::likes::like,
        super::likes::unlike,
        super::counts::counts,
        crate::admin::api::who,
        crate::admin::api::sign_in,
        crate::admin::api::sign_out,
        crate::admin::api::comments,
        crate::admin::api::one_comment,
        crate::admin::api::edit,
        crate::admin::api::delete,
        crate::admin::api::approve,
        crate::admin::api::pin,
        crate::admin::api::reply,
        crate::admin::api::threads,
        crate::admin::api::lock,
        crate::admin::api::blocks,
        crate::admin::api::block,
        crate::admin::api::unblock,
        crate::admin::api::settings,
        crate::admin::api::set_settings,
        crate::admin::api::audit,
        crate::admin::api::deliveries,
        crate::admin::api::person,
        crate::admin::api::erase,
    )
)]
struct ApiDoc;

pub fn router() -> Router<AppState> {
    Router::new().route("/openapi.json", get(|| async { Json(ApiDoc::openapi()) }))
}
