//! `POST /api/v1/preview`: a body as it would be shown, parsed by the same code and under
//! the same rules as a posted one, so the widget's Preview draws exactly what readers will
//! see. Nothing is stored, and previews have their own limit per client, apart from the
//! posting limit.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use colloquy_core::content::CONTENT_VERSION;
use colloquy_core::model::{ErrorBody, Preview, PreviewRequest};
use colloquy_core::validation::{check_field, Field};

use super::extract::{ApiJson, ClientAddress};
use super::ApiError;
use crate::clock::now_ms;
use crate::state::AppState;

/// Previews one client may ask for in any sixty seconds: far more than a person toggling
/// Write and Preview asks for, few enough that the parser is no free service.
pub const PREVIEWS_PER_MINUTE: u32 = 60;

pub fn router() -> Router<AppState> {
    Router::new().route("/preview", post(preview))
}

/// The body's content, exactly as a thread would carry it; a body that breaks a rule
/// (empty, too long, too much formatting) gets the field error posting would give.
#[utoipa::path(
    post,
    path = "/api/v1/preview",
    request_body = PreviewRequest,
    responses(
        (status = 200, description = "The body as it would be shown", body = Preview),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A body that breaks the rules", body = ErrorBody),
        (status = 429, description = "Too many previews; see Retry-After", body = ErrorBody),
    )
)]
pub(super) async fn preview(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<PreviewRequest>,
) -> Result<Json<Preview>, ApiError> {
    state
        .preview_limit
        .check(client, now_ms(), PREVIEWS_PER_MINUTE)
        .map_err(ApiError::TooManyPreviews)?;
    if let Some(code) = check_field(Field::Body, &request.body, &state.rules) {
        return Err(ApiError::invalid(Field::Body, code, &state.rules));
    }
    let content = super::comments::content_within_limits(request.body.trim(), &state)?;
    Ok(Json(Preview {
        content,
        content_version: CONTENT_VERSION,
    }))
}
