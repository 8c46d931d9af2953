use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use colloquy_core::model::ErrorBody;
use colloquy_core::rules::FormRules;
use colloquy_core::validation::{ErrorCode, Field, FieldError};

use crate::storage::StoreError;
use crate::words;

/// Every way a request can fail, each with its status. Internal details are logged, never
/// sent: the client gets a readable sentence and, for field errors, the codes its form
/// understands.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    Conflict(String),
    /// `429`, with the seconds until the client may post again.
    #[error("too many posts; retry in {0} s")]
    TooManyRequests(u64),
    #[error("the comment has invalid fields")]
    Validation(Vec<FieldError>),
    /// `503`: the server is at a limit of its own (live readers); later may work.
    #[error("{0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A `422` for one field, worded by the message catalog.
    pub fn invalid(field: Field, code: ErrorCode, rules: &FormRules) -> ApiError {
        ApiError::Validation(vec![FieldError {
            field,
            code,
            message: words::current().field_error(field, code, rules),
        }])
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        ApiError::Internal(error.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message, errors) = match self {
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, message, Vec::new()),
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, message, Vec::new()),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, message, Vec::new()),
            ApiError::PayloadTooLarge(message) => {
                (StatusCode::PAYLOAD_TOO_LARGE, message, Vec::new())
            }
            ApiError::UnsupportedMediaType(message) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, message, Vec::new())
            }
            ApiError::Conflict(message) => (StatusCode::CONFLICT, message, Vec::new()),
            ApiError::Unavailable(message) => {
                (StatusCode::SERVICE_UNAVAILABLE, message, Vec::new())
            }
            ApiError::TooManyRequests(seconds) => {
                let message = words::current().api_too_many_requests(seconds);
                let mut response = (
                    StatusCode::TOO_MANY_REQUESTS,
                    Json(ErrorBody {
                        message,
                        errors: Vec::new(),
                    }),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(RETRY_AFTER, HeaderValue::from(seconds));
                return response;
            }
            ApiError::Validation(errors) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                words::current().api.fields_need_attention.clone(),
                errors,
            ),
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    words::current().api.internal.clone(),
                    Vec::new(),
                )
            }
        };
        (status, Json(ErrorBody { message, errors })).into_response()
    }
}
