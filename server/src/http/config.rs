use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::model::PublicConfig;

use crate::state::AppState;

/// How long after posting a comment may be edited (editing arrives with the PATCH route).
const EDIT_WINDOW_SECS: u64 = 15 * 60;

pub fn router() -> Router<AppState> {
    Router::new().route("/config", get(public_config))
}

/// The rules the widget checks as the reader types; the server checks the same ones again.
async fn public_config(State(state): State<AppState>) -> Json<PublicConfig> {
    Json(PublicConfig {
        rules: state.rules,
        moderation: false,
        edit_window_secs: EDIT_WINDOW_SECS,
    })
}
