//! The router: one `router()` per resource under `/api/v1`, the widget's files and the demo
//! page beside them, and the layers every answer passes through.

pub mod assets;
mod comments;
mod config;
mod counts;
mod edits;
mod error;
mod events;
pub(crate) mod extract;
mod feeds;
mod likes;
mod openapi;
mod origins;
mod preview;

use std::any::Any;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use error::ApiError;

use crate::state::AppState;
use crate::words;

pub fn router(state: AppState) -> Router {
    let body_limit = request_body_limit(&state);
    let api = Router::new()
        .merge(config::router())
        .merge(comments::router())
        .merge(counts::router())
        .merge(edits::router())
        .merge(likes::router())
        .merge(events::router())
        .merge(feeds::router())
        .merge(openapi::router())
        .merge(preview::router())
        .merge(crate::admin::api::router())
        .fallback(|| async { ApiError::NotFound(words::current().api.no_such_endpoint.clone()) })
        .layer(DefaultBodyLimit::max(body_limit))
        // JSON answers go out compressed to clients that accept it (thread pages come
        // compressed from their cache; event streams are never compressed).
        .layer(CompressionLayer::new())
        .layer(cors_layer())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            origins::origin_gate,
        ));
    Router::new()
        .nest("/api/v1", api)
        .merge(crate::admin::pages::router())
        .merge(crate::notify::links::router())
        .merge(crate::notify::privacy::router())
        .fallback_service(assets::service(state.assets.as_deref()))
        .with_state(state)
        // The page that made a request may read its full timing (the host page's own
        // performance monitoring, and the bench); it learns nothing it could not time.
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("timing-allow-origin"),
            HeaderValue::from_static("*"),
        ))
        // A bug must cost one request a JSON 500, never the process or a torn connection.
        .layer(CatchPanicLayer::custom(panic_response))
        // Outermost, so every answer (a refused origin, a panic) is in the reader's words.
        .layer(axum::middleware::from_fn(words::in_the_readers_language))
        .layer(TraceLayer::new_for_http())
}

/// Large enough for every field at its limit written entirely in `\uXXXX` escapes, so the
/// validator, not the transport, reports an over-long field.
fn request_body_limit(state: &AppState) -> usize {
    let rules = &state.rules;
    let chars =
        rules.name.max_len + rules.email.max_len + rules.website.max_len + rules.body.max_len;
    chars * 12 + 4096
}

/// CORS answers any origin that reached it: the origin gate, outside this layer, has
/// already refused every origin that is neither listed nor a site's, so echoing the rest
/// lets sites added while the server runs work at once. No credentials are allowed, so a
/// page elsewhere can never read an answer made with an owner's session.
fn cors_layer() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION])
        // The widget reads how long to wait after a 429, and the server's clock (so that
        // "5 minutes ago" is right on a reader's machine whose clock is off).
        .expose_headers([header::RETRY_AFTER, header::DATE])
}

fn panic_response(_panic: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::Internal("handler panicked".into()).into_response()
}
