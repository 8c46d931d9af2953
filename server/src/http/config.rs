use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::model::PublicConfig;

use crate::state::AppState;

use super::edits::EDIT_WINDOW_SECS;

pub fn router() -> Router<AppState> {
    Router::new().route("/config", get(public_config))
}

/// The rules the widget checks as the reader types; the server checks the same ones again.
#[utoipa::path(
    get,
    path = "/api/v1/config",
    responses((status = 200, description = "The form rules and the edit window", body = PublicConfig))
)]
pub(super) async fn public_config(State(state): State<AppState>) -> Json<PublicConfig> {
    Json(PublicConfig {
        rules: state.rules,
        edit_window_secs: EDIT_WINDOW_SECS,
    })
}
