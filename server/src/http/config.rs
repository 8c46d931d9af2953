use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use colloquy_core::model::{ErrorBody, PublicConfig};

use crate::state::AppState;

use super::origins::SiteId;
use super::ApiError;

pub fn router() -> Router<AppState> {
    Router::new().route("/config", get(public_config))
}

/// The rules the widget checks as the reader types; the server checks the same ones again.
#[utoipa::path(
    get,
    path = "/api/v1/config",
    responses(
        (status = 200, description = "The form rules and the site's edit window", body = PublicConfig),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
    )
)]
pub(super) async fn public_config(
    State(state): State<AppState>,
    SiteId(site): SiteId,
) -> Result<Json<PublicConfig>, ApiError> {
    Ok(Json(PublicConfig {
        rules: state.rules,
        edit_window_secs: state.settings(site).await?.edit_window_secs,
    }))
}
