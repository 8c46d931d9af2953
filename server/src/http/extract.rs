//! Extractors whose rejections are [`ApiError`]s, so malformed requests get the same JSON
//! error shape as everything else instead of axum's plain-text defaults.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use colloquy_core::thread_key::check_thread_key;
use serde::de::DeserializeOwned;

use super::ApiError;

/// A JSON body.
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(request, state).await {
            Ok(axum::Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection.status() {
        StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge("The request body is too large.".into())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType(
            "Send the comment as JSON with Content-Type: application/json.".into(),
        ),
        _ => ApiError::BadRequest(format!(
            "The request body is not valid JSON for this endpoint: {}",
            rejection.body_text()
        )),
    }
}

/// The `{key}` of a thread route, checked against the documented character set.
pub struct ThreadKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ThreadKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(key) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest("The thread key is not valid UTF-8 text.".into()))?;
        check_thread_key(&key).map_err(|error| ApiError::BadRequest(error.message().into()))?;
        Ok(ThreadKey(key))
    }
}
