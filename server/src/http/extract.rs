//! Request concerns, one extractor each, so a handler's arguments say what it needs and its
//! body is the business. Every rejection is an [`ApiError`]: malformed requests get the same
//! JSON error shape as everything else instead of axum's plain-text defaults.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::StatusCode;
use colloquy_core::messages::API_ENGLISH;
use colloquy_core::thread_key::check_thread_key;
use colloquy_core::tree::Sort;
use serde::de::DeserializeOwned;
use serde::Deserialize;

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
            ApiError::PayloadTooLarge(API_ENGLISH.body_too_large.into())
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            ApiError::UnsupportedMediaType(API_ENGLISH.not_json.into())
        }
        _ => ApiError::BadRequest((API_ENGLISH.bad_json)(&rejection.body_text())),
    }
}

/// The `{key}` of a thread route, checked against the documented character set.
pub struct ThreadKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ThreadKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(key) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(API_ENGLISH.thread_key_not_text.into()))?;
        check_thread_key(&key)
            .map_err(|error| ApiError::BadRequest((API_ENGLISH.thread_key)(error)))?;
        Ok(ThreadKey(key))
    }
}

/// The `{id}` of a comment route: a whole number.
pub struct CommentId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for CommentId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(id) = Path::<i64>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(API_ENGLISH.bad_comment_id.into()))?;
        Ok(CommentId(id))
    }
}

/// `?sort=oldest|newest|top`; oldest when absent.
pub struct SortQuery(pub Sort);

impl<S: Send + Sync> FromRequestParts<S> for SortQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        #[derive(Deserialize)]
        struct Raw {
            sort: Option<String>,
        }
        let Query(raw) = Query::<Raw>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::BadRequest(API_ENGLISH.bad_query.into()))?;
        match raw.sort.as_deref() {
            None => Ok(SortQuery(Sort::default())),
            Some(text) => Sort::parse(text)
                .map(SortQuery)
                .ok_or_else(|| ApiError::BadRequest(API_ENGLISH.bad_sort.into())),
        }
    }
}

/// The edit token of `Authorization: Bearer <token>` (never a URL, which ends up in logs).
/// A missing or malformed header is an empty token, which matches no comment: the handler
/// answers `404` for an unknown comment before it answers `403` for a wrong token.
pub struct EditToken(pub String);

impl<S: Send + Sync> FromRequestParts<S> for EditToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        Ok(EditToken(token.to_owned()))
    }
}
