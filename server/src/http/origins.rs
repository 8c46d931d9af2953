//! Which sites may use this comment server. A browser on a page from another origin sends
//! `Origin`; unless that origin is the server's own or on the allowlist, the request is
//! refused with a `403` that still carries `Access-Control-Allow-Origin`, so the widget can
//! read the refusal and tell the reader why, instead of seeing an anonymous network error.
//! The refusal holds no data, and the server logs which origin it refused.

use axum::extract::{Request, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, HOST, ORIGIN, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::state::AppState;
use crate::words;

pub async fn origin_gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(ORIGIN).cloned() else {
        // No Origin: a same-origin GET, or not a browser at all. CORS is a browser matter.
        return next.run(request).await;
    };
    let text = origin.to_str().unwrap_or_default();
    if is_allowed(text, request.headers(), &state.allowed_origins) {
        return next.run(request).await;
    }
    tracing::warn!(
        origin = %text,
        path = %request.uri().path(),
        "refused a request from an origin that is not allowed (add it with --allowed-origin)"
    );
    let mut response = ApiError::Forbidden(words::current().origin_refused(text)).into_response();
    response
        .headers_mut()
        .insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    response
        .headers_mut()
        .insert(VARY, HeaderValue::from_static("origin"));
    response
}

fn is_allowed(origin: &str, headers: &HeaderMap, allowed: &[String]) -> bool {
    let same_origin = headers
        .get(HOST)
        .and_then(|host| host.to_str().ok())
        .is_some_and(|host| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
        });
    same_origin
        || allowed.iter().any(|entry| {
            let entry = entry.trim().trim_end_matches('/');
            entry == "*" || entry.eq_ignore_ascii_case(origin)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn own_listed_and_wildcard_origins_pass() {
        let listed = vec!["https://blog.example.org/".to_owned()];
        assert!(is_allowed(
            "http://127.0.0.1:8080",
            &host("127.0.0.1:8080"),
            &[]
        ));
        assert!(is_allowed(
            "https://blog.example.org",
            &host("c.example"),
            &listed
        ));
        assert!(is_allowed(
            "https://any.example",
            &host("c.example"),
            &["*".into()]
        ));
    }

    #[test]
    fn others_are_refused() {
        let listed = vec!["https://blog.example.org".to_owned()];
        assert!(!is_allowed(
            "https://evil.example",
            &host("c.example"),
            &listed
        ));
        assert!(!is_allowed("null", &host("c.example"), &listed));
        assert!(!is_allowed(
            "http://127.0.0.1:9000",
            &host("127.0.0.1:8080"),
            &[]
        ));
        assert!(!is_allowed(
            "https://blog.example.org.evil",
            &host("c.example"),
            &listed
        ));
    }
}
