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
    /// `401`: an admin request without a valid session or token.
    #[error("{0}")]
    Unauthorized(String),
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
    /// `429` for previews, which have a limit of their own.
    #[error("too many previews; retry in {0} s")]
    TooManyPreviews(u64),
    /// `429` for likes, which have a limit of their own.
    #[error("too many likes; retry in {0} s")]
    TooManyLikes(u64),
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

    /// A `404` for a comment that does not exist (or is gone), in the catalog's words.
    pub fn no_such_comment() -> ApiError {
        ApiError::NotFound(words::current().api.no_such_comment.clone())
    }
}

impl ApiError {
    /// The status this error is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::TooManyRequests(_)
            | ApiError::TooManyPreviews(_)
            | ApiError::TooManyLikes(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            // A refusal is the data's answer to the request, in words: a conflict.
            StoreError::Refused(message) => ApiError::Conflict(message),
            error => ApiError::Internal(error.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (message, errors) = match self {
            ApiError::BadRequest(message)
            | ApiError::Unauthorized(message)
            | ApiError::Forbidden(message)
            | ApiError::NotFound(message)
            | ApiError::PayloadTooLarge(message)
            | ApiError::UnsupportedMediaType(message)
            | ApiError::Conflict(message)
            | ApiError::Unavailable(message) => (message, Vec::new()),
            ApiError::TooManyRequests(seconds) => {
                let message = words::current().api_too_many_requests(seconds);
                return retry_after(status, message, seconds);
            }
            ApiError::TooManyPreviews(seconds) => {
                let message = words::current().api_too_many_previews(seconds);
                return retry_after(status, message, seconds);
            }
            ApiError::TooManyLikes(seconds) => {
                let message = words::current().api_too_many_likes(seconds);
                return retry_after(status, message, seconds);
            }
            ApiError::Validation(errors) => {
                (words::current().api.fields_need_attention.clone(), errors)
            }
            ApiError::Internal(detail) => {
                tracing::error!(%detail, "request failed");
                (words::current().api.internal.clone(), Vec::new())
            }
        };
        (status, Json(ErrorBody { message, errors })).into_response()
    }
}

/// A `429` that says in words and in `Retry-After` how long to wait.
fn retry_after(status: StatusCode, message: String, seconds: u64) -> Response {
    let body = Json(ErrorBody {
        message,
        errors: Vec::new(),
    });
    let mut response = (status, body).into_response();
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(seconds));
    response
}
