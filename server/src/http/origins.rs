//! Which sites may use this comment server. A browser on a page from another origin sends
//! `Origin`; unless that origin is the server's own or on the allowlist, the request is
//! refused with a `403` that still carries `Access-Control-Allow-Origin`, so the widget can
//! read the refusal and tell the reader why, instead of seeing an anonymous network error.
//! The refusal holds no data, and the server logs which origin it refused.

use std::collections::HashMap;

use axum::extract::{Query, Request, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, HOST, ORIGIN, VARY};
use axum::http::{HeaderMap, HeaderValue, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::state::AppState;
use crate::storage::DEFAULT_SITE;
use crate::words;

/// The site a request is attributed to: the site whose origin its `Origin` is (`colloquy-server
/// site add`), else the default site (the server's own pages, the `--allowed-origin` list,
/// and requests without `Origin`, which may name a site with `?site=NAME`: a feed reader,
/// a script).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteId(pub i64);

pub async fn origin_gate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let site = match request.headers().get(ORIGIN).cloned() {
        None => match site_named_in_query(&state, request.uri().clone()).await {
            Ok(site) => site,
            Err(error) => return error.into_response(),
        },
        Some(origin) => {
            let text = origin.to_str().unwrap_or_default();
            match state.site_of_origin(text).await {
                Ok(Some(site)) => site,
                Ok(None) if is_allowed(text, request.headers(), &state.allowed_origins) => {
                    DEFAULT_SITE
                }
                Ok(None) => return refuse(&request, origin),
                Err(error) => return ApiError::from(error).into_response(),
            }
        }
    };
    request.extensions_mut().insert(SiteId(site));
    next.run(request).await
}

/// `?site=NAME`, for requests that carry no `Origin`.
async fn site_named_in_query(state: &AppState, uri: Uri) -> Result<i64, ApiError> {
    let Ok(Query(query)) = Query::<HashMap<String, String>>::try_from_uri(&uri) else {
        return Ok(DEFAULT_SITE);
    };
    let Some(name) = query.get("site") else {
        return Ok(DEFAULT_SITE);
    };
    match state.store.site_named(name).await? {
        Some(site) => Ok(site.id),
        None => Err(ApiError::NotFound(
            words::current().api.no_such_site.clone(),
        )),
    }
}

fn refuse(request: &Request, origin: HeaderValue) -> Response {
    let text = origin.to_str().unwrap_or_default();
    tracing::warn!(
        origin = %text,
        path = %request.uri().path(),
        "refused a request from an origin that is not allowed (add it with --allowed-origin \
         or colloquy-server site add)"
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

pub(crate) fn is_allowed(origin: &str, headers: &HeaderMap, allowed: &[String]) -> bool {
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
