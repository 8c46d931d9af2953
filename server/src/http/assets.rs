use std::path::Path;

use axum::handler::HandlerWithoutStateExt;
use axum::http::StatusCode;
use axum::routing::{get_service, MethodRouter};
use tower_http::services::ServeDir;

/// The built widget (`dist/`): the loader at `/embed.js`, the wasm (served as
/// `application/wasm`, which streaming compilation requires) and the demo page at `/`.
pub fn service(folder: &Path) -> MethodRouter {
    let built = folder.join("index.html").is_file();
    let missing = move || async move {
        let text = if built {
            "Not found."
        } else {
            "Not found: the widget has not been built. Run `cargo xtask demo` to build it and start the server."
        };
        (StatusCode::NOT_FOUND, text)
    };
    get_service(ServeDir::new(folder).fallback(missing.into_service()))
}
