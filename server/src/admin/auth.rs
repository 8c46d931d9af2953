//! Owners sign in: passwords (Argon2id), sessions (a random id in an `HttpOnly`,
//! `SameSite=Strict` cookie; only its hash is stored), API tokens for scripts, and the
//! checks every admin request passes.
//!
//! - A wrong password is answered more slowly from the [`SLOW_AFTER`]th in a row on, and
//!   after [`LOCK_AFTER`] in a row the account is locked for [`LOCK_MINUTES`] minutes,
//!   whatever password comes next (`colloquy-server admin passwd` lifts it). An address
//!   with [`ADDRESS_LIMIT`] failures in that time is refused too, whichever accounts it
//!   tried.
//! - A session ends after [`IDLE_MINUTES`] minutes without a request, or at logout.
//! - Every admin request that comes from a browser page must come from this server's own
//!   origin: a page elsewhere (a site that embeds the widget included) is refused, so a
//!   cross-site form post cannot act for a signed-in owner, even before `SameSite` does.

use std::sync::OnceLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};

use crate::clock::now_ms;
use crate::http::ApiError;
use crate::state::AppState;
use crate::storage::{Owner, StoreError};
use crate::tokens::{sha256_hex, ServerSecret};

pub const SESSION_COOKIE: &str = "colloquy_session";
pub const IDLE_MINUTES: i64 = 120;
pub const LOCK_AFTER: i64 = 10;
pub const LOCK_MINUTES: i64 = 15;
pub const SLOW_AFTER: i64 = 3;
pub const ADDRESS_LIMIT: i64 = 30;
/// The shortest password `admin add` and `admin passwd` accept.
pub const MIN_PASSWORD_CHARS: usize = 10;

pub fn hash_password(password: &str) -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness for a salt: {e}"))?;
    let salt = SaltString::encode_b64(&bytes).map_err(|e| format!("bad salt: {e}"))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| format!("could not hash the password: {e}"))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash no password is checked against in earnest: an unknown email costs the same
/// time as a known one, so timing does not tell which emails are owners.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("not anyone's password").unwrap_or_default())
}

pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "A password needs at least {MIN_PASSWORD_CHARS} characters."
        ));
    }
    Ok(())
}

/// Why a sign-in was refused, in words for the person signing in.
#[derive(Debug)]
pub enum LoginRefused {
    Wrong,
    Locked { minutes: i64 },
    TooManyFromAddress,
    Store(StoreError),
}

impl LoginRefused {
    pub fn message(&self) -> String {
        match self {
            LoginRefused::Wrong => "The email or the password is wrong.".to_owned(),
            LoginRefused::Locked { minutes } => format!(
                "This account is locked after {LOCK_AFTER} wrong passwords in a row. Try again \
                 in {minutes} minute{}, or set a new password with colloquy-server admin passwd.",
                if *minutes == 1 { "" } else { "s" }
            ),
            LoginRefused::TooManyFromAddress => format!(
                "Too many failed sign-ins from your address; try again in {LOCK_MINUTES} minutes."
            ),
            LoginRefused::Store(_) => "The server had a problem; please try again.".to_owned(),
        }
    }
}

impl From<StoreError> for LoginRefused {
    fn from(error: StoreError) -> Self {
        LoginRefused::Store(error)
    }
}

/// Checks the password and opens a session: answers the owner and the session id for
/// the cookie.
pub async fn log_in(
    state: &AppState,
    email: &str,
    password: &str,
    address: &str,
) -> Result<(Owner, String), LoginRefused> {
    let now = now_ms();
    let window_start = now - LOCK_MINUTES * 60_000;
    if state.store.failures_from(address, window_start).await? >= ADDRESS_LIMIT {
        return Err(LoginRefused::TooManyFromAddress);
    }
    let account = state.store.owner_account(email).await?;
    if let Some(account) = &account {
        if account.locked_until_ms > now {
            let minutes = (account.locked_until_ms - now + 59_999) / 60_000;
            return Err(LoginRefused::Locked { minutes });
        }
    }
    let hash = account
        .as_ref()
        .map_or(decoy_hash(), |account| account.password_hash.as_str());
    let (password, hash) = (password.to_owned(), hash.to_owned());
    let right = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .unwrap_or(false);
    match account {
        Some(account) if right => {
            state.store.login_succeeded(account.owner.id).await?;
            let session =
                ServerSecret::random_token().map_err(|e| StoreError::Randomness(e.to_string()))?;
            state
                .store
                .create_session(&sha256_hex(&session), account.owner.id, now)
                .await?;
            Ok((account.owner, session))
        }
        account => {
            let owner = account.as_ref().map(|account| account.owner.id);
            let failures = state
                .store
                .login_failed(owner, address, now, LOCK_AFTER, now + LOCK_MINUTES * 60_000)
                .await?;
            if owner.is_some() && failures == LOCK_AFTER {
                tracing::warn!(%address, "locked an owner's account after wrong passwords");
                return Err(LoginRefused::Locked {
                    minutes: LOCK_MINUTES,
                });
            }
            if failures >= SLOW_AFTER {
                let wait = (250 * (failures - SLOW_AFTER + 1)).min(2_000);
                tokio::time::sleep(Duration::from_millis(wait as u64)).await;
            }
            Err(LoginRefused::Wrong)
        }
    }
}

/// The `Set-Cookie` value that opens a session (`secure` over https).
pub fn session_cookie(session: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Strict{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that ends one.
pub fn cleared_cookie(secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The session id the request's cookie carries.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|value| !value.is_empty())
}

/// The owner whose session the request's cookie names, if it is still open.
pub async fn session_owner(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Owner>, StoreError> {
    let Some(session) = session_id(headers) else {
        return Ok(None);
    };
    let now = now_ms();
    state
        .store
        .session_owner(&sha256_hex(&session), now, now - IDLE_MINUTES * 60_000)
        .await
}

/// Whether the request came over https: only a trusted proxy (`--trusted-proxy`) is
/// believed when it says so.
pub fn is_https(state: &AppState, headers: &HeaderMap, peer: Option<std::net::IpAddr>) -> bool {
    let trusted =
        peer.is_some_and(|peer| state.trusted_proxies.iter().any(|net| net.contains(&peer)));
    trusted
        && headers
            .get("x-forwarded-proto")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// Whether `Origin`, when the request has one, is this server's own: the admin answers
/// only its own pages and programs that send none.
pub fn from_own_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let host = headers.get(HOST).and_then(|host| host.to_str().ok());
    match (origin.to_str().ok(), host) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// Whether a request that changes something carries the proof that a page of this
/// server sent it: browsers send `Origin` with every such request (or, at least,
/// `Sec-Fetch-Site`); a request with neither is not from a browser page, which only a
/// bearer token may make.
pub fn proves_own_page(headers: &HeaderMap) -> bool {
    headers.contains_key(ORIGIN)
        || headers
            .get("sec-fetch-site")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|site| site == "same-origin")
}

/// An owner, signed in with the session cookie or a bearer token (`colloquy-server admin
/// token`), on a request that passed the origin checks. Every admin API handler takes one.
pub struct AdminSession(pub Owner);

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if !from_own_origin(&parts.headers) {
            return Err(ApiError::Forbidden(CROSS_SITE.to_owned()));
        }
        let bearer = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer {
            return match state.store.token_owner(&sha256_hex(token)).await? {
                Some(owner) => Ok(AdminSession(owner)),
                None => Err(ApiError::Unauthorized(NOT_SIGNED_IN.to_owned())),
            };
        }
        if session_id(&parts.headers).is_none() {
            return Err(ApiError::Unauthorized(NOT_SIGNED_IN.to_owned()));
        }
        let changes = !matches!(parts.method, Method::GET | Method::HEAD);
        if changes && !proves_own_page(&parts.headers) {
            return Err(ApiError::Forbidden(CROSS_SITE.to_owned()));
        }
        match session_owner(state, &parts.headers).await? {
            Some(owner) => Ok(AdminSession(owner)),
            None => Err(ApiError::Unauthorized(NOT_SIGNED_IN.to_owned())),
        }
    }
}

pub const NOT_SIGNED_IN: &str =
    "Sign in at /admin first, or send a token from colloquy-server admin token as Authorization: Bearer.";
pub const CROSS_SITE: &str =
    "Admin requests are taken only from this server's own pages, never from another site.";

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(check_new_password("short").is_err());
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("theme=dark; colloquy_session=abc123; x=y"),
        );
        assert_eq!(session_id(&headers).as_deref(), Some("abc123"));
        assert_eq!(session_id(&HeaderMap::new()), None);
        let cookie = session_cookie("abc", true);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
        assert!(cookie.ends_with("; Secure"));
        assert!(!session_cookie("abc", false).contains("Secure"));
    }

    #[test]
    fn only_the_servers_own_origin_passes() {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, HeaderValue::from_static("c.example:8080"));
        assert!(from_own_origin(&headers), "no Origin: not a browser page");
        headers.insert(ORIGIN, HeaderValue::from_static("http://c.example:8080"));
        assert!(from_own_origin(&headers));
        headers.insert(ORIGIN, HeaderValue::from_static("https://blog.example"));
        assert!(!from_own_origin(&headers));
        headers.insert(ORIGIN, HeaderValue::from_static("null"));
        assert!(!from_own_origin(&headers));
    }
}
