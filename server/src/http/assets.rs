use std::path::Path;

use axum::body::Body;
use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{Any, CorsLayer};
use tower_http::services::ServeDir;

/// The built widget: the loader at `/embed.js` (and the count script for listing pages at
/// `/count.js`), the glue and the wasm (served as
/// `application/wasm`, which streaming compilation requires) and the demo page at `/`.
/// From the `--assets` folder when one is named; else from the files this binary carries
/// (a build with `COLLOQUY_EMBED_DIST`, as `cargo xtask dist` makes); else from `./dist`.
///
/// - Any origin may fetch them: they are public, and the glue module and the wasm are
///   fetched in CORS mode by pages on other sites. Who may use the API is decided there.
/// - Compressed (brotli or gzip) for clients that accept it; the carried files were
///   compressed at build time at the best levels.
/// - Cached by how they are named: see [`cache_control`].
pub fn service(folder: Option<&Path>) -> Router {
    let files = match folder {
        Some(folder) => folder_service(folder),
        None if !EMBEDDED.is_empty() => Router::new().fallback(embedded),
        None => folder_service(Path::new("dist")),
    };
    files.layer(axum::middleware::from_fn(cache_control)).layer(
        CorsLayer::new()
            .allow_origin(Any)
            .allow_methods([Method::GET, Method::HEAD]),
    )
}

/// Whether this binary carries the widget's files.
pub fn carries_widget() -> bool {
    !EMBEDDED.is_empty()
}

fn folder_service(folder: &Path) -> Router {
    let built = folder.join("index.html").is_file();
    let missing = move || async move {
        let text = if built {
            "Not found."
        } else {
            "Not found: the widget has not been built. Run `cargo xtask demo` to build it and start the server."
        };
        (StatusCode::NOT_FOUND, text)
    };
    // The widget's files come with `.br` and `.gz` copies made at build time at the best
    // levels (xtask); anything without one is compressed as it is sent.
    let files = ServeDir::new(folder)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(missing.into_service());
    Router::new()
        .fallback_service(files)
        .layer(CompressionLayer::new())
}

/// One file of the widget carried in the binary, raw and compressed.
struct EmbeddedFile {
    path: &'static str,
    raw: &'static [u8],
    gzip: &'static [u8],
    brotli: &'static [u8],
}

/// Written by `build.rs`: empty unless the build named the widget's folder.
static EMBEDDED: &[EmbeddedFile] = include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

async fn embedded(method: Method, request_headers: HeaderMap, request: Request) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let path = match request.uri().path() {
        "/" => "/index.html",
        path => path,
    };
    let Some(file) = EMBEDDED.iter().find(|file| file.path == path) else {
        return (StatusCode::NOT_FOUND, "Not found.").into_response();
    };
    precompressed(
        &request_headers,
        content_type(path),
        file.raw,
        file.gzip,
        file.brotli,
    )
}

/// `raw` in the best form `Accept-Encoding` allows among it and its brotli and gzip
/// copies, made beforehand (an empty copy counts as missing), with `Vary` saying so: the
/// widget's files carried in the binary, and thread pages from their cache.
pub(crate) fn precompressed<B: AsRef<[u8]> + Into<Body>>(
    request: &HeaderMap,
    content_type: &'static str,
    raw: B,
    gzip: B,
    brotli: B,
) -> Response {
    let usable =
        |coding: &str, copy: &B| accepts_encoding(request, coding) && !copy.as_ref().is_empty();
    let (body, encoding) = if usable("br", &brotli) {
        (brotli, Some("br"))
    } else if usable("gzip", &gzip) {
        (gzip, Some("gzip"))
    } else {
        (raw, None)
    };
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(encoding) = encoding {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    (headers, body.into()).into_response()
}

/// Whether `Accept-Encoding` allows `coding` (present, and not with `q=0`).
fn accepts_encoding(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';').map(str::trim);
            let name = parts.next().unwrap_or_default();
            let refused = parts.any(|parameter| {
                parameter
                    .strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case(coding) && !refused
        })
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The scripts site owners reference by a fixed address: the loader and the count script
/// for listing pages.
const SITE_SCRIPTS: [&str; 2] = ["/embed.js", "/count.js"];

/// The `Cache-Control` of a successful answer for `path`: see [`cache_control`].
fn cache_policy(path: &str, query: Option<&str>) -> &'static str {
    let versioned = query.is_some_and(|query| query.split('&').any(|pair| pair.starts_with("v=")));
    if versioned {
        "public, max-age=31536000, immutable"
    } else if SITE_SCRIPTS.contains(&path) {
        "public, max-age=300"
    } else {
        "no-cache"
    }
}

/// The loader's and the count script's addresses never change, so they are cached briefly
/// (a new release reaches readers within minutes); the loader asks for the glue and the
/// wasm with `?v=<content hash>`, so those are cached for a year. Everything else is
/// revalidated.
async fn cache_control(request: Request, next: Next) -> Response {
    let policy = cache_policy(request.uri().path(), request.uri().query());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_read_with_their_weights() {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, "gzip, deflate, br;q=0".parse().unwrap());
        assert!(accepts_encoding(&headers, "gzip"));
        assert!(!accepts_encoding(&headers, "br"));
        headers.insert(ACCEPT_ENCODING, "BR;q=0.8".parse().unwrap());
        assert!(accepts_encoding(&headers, "br"));
        assert!(!accepts_encoding(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn the_wasm_is_typed_for_streaming_compilation() {
        assert_eq!(content_type("/colloquy_bg.wasm"), "application/wasm");
        assert!(content_type("/embed.js").starts_with("text/javascript"));
        assert!(content_type("/count.js").starts_with("text/javascript"));
        assert!(content_type("/index.html").starts_with("text/html"));
    }

    #[test]
    fn the_site_scripts_are_cached_briefly_and_versioned_files_for_a_year() {
        for script in ["/embed.js", "/count.js"] {
            assert_eq!(cache_policy(script, None), "public, max-age=300");
        }
        assert_eq!(
            cache_policy("/colloquy_bg.wasm", Some("v=0123abcd")),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_policy("/colloquy.js", None), "no-cache");
        assert_eq!(cache_policy("/", None), "no-cache");
    }
}
