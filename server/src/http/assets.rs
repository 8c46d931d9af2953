use std::path::Path;

use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;

/// The built widget (`dist/`): the loader at `/embed.js`, the glue and the wasm (served as
/// `application/wasm`, which streaming compilation requires) and the demo page at `/`.
///
/// - Any origin may fetch them: they are public, and the glue module and the wasm are
///   fetched in CORS mode by pages on other sites. Who may use the API is decided there.
/// - Compressed (brotli or gzip) for clients that accept it.
/// - Cached by how they are named: see [`cache_control`].
pub fn service(folder: &Path) -> Router {
    let built = folder.join("index.html").is_file();
    let missing = move || async move {
        let text = if built {
            "Not found."
        } else {
            "Not found: the widget has not been built. Run `cargo xtask demo` to build it and start the server."
        };
        (StatusCode::NOT_FOUND, text)
    };
    Router::new()
        .fallback_service(ServeDir::new(folder).fallback(missing.into_service()))
        .layer(axum::middleware::from_fn(cache_control))
        .layer(CompressionLayer::new())
        .layer(
            CorsLayer::new()
                .allow_origin(Any)
                .allow_methods([Method::GET, Method::HEAD]),
        )
}

/// The loader's address never changes, so it is cached briefly (a new release reaches
/// readers within minutes); it asks for the glue and the wasm with `?v=<content hash>`, so
/// those are cached for a year. Everything else is revalidated.
async fn cache_control(request: Request, next: Next) -> Response {
    let versioned = request
        .uri()
        .query()
        .is_some_and(|query| query.split('&').any(|pair| pair.starts_with("v=")));
    let is_loader = request.uri().path() == "/embed.js";
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if versioned {
            "public, max-age=31536000, immutable"
        } else if is_loader {
            "public, max-age=300"
        } else {
            "no-cache"
        };
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}
