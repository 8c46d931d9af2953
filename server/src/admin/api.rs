//! `/api/v1/admin/…`: every console operation as JSON, for owners' scripts (a bearer token
//! from `colloquy-server admin token`) and for anything else signed in with the session
//! cookie. The admin pages call the same operations (`ops.rs`).

use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use colloquy_core::model::{Comment, CommentEdit, ErrorBody};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{self, AdminSession};
use super::ops::{self, BlockRequest, PersonalData, Search};
use crate::http::extract::{ApiJson, ClientAddress, CommentId, ThreadKey};
use crate::http::ApiError;
use crate::settings::Settings;
use crate::state::AppState;
use crate::storage::{AdminComment, AuditEntry, Block, Delivery, Owner, ThreadSummary};
use crate::tokens::sha256_hex;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/session", get(who).post(sign_in).delete(sign_out))
        .route("/admin/comments", get(comments))
        .route(
            "/admin/comments/{id}",
            get(one_comment).patch(edit).delete(delete),
        )
        .route("/admin/comments/{id}/approve", post(approve))
        .route("/admin/comments/{id}/pin", put(pin))
        .route("/admin/comments/{id}/reply", post(reply))
        .route("/admin/threads", get(threads))
        .route("/admin/threads/{key}/lock", put(lock))
        .route("/admin/blocks", get(blocks).post(block))
        .route("/admin/blocks/{id}", axum::routing::delete(unblock))
        .route("/admin/settings", get(settings).put(set_settings))
        .route("/admin/audit", get(audit))
        .route("/admin/deliveries", get(deliveries))
        .route("/admin/people", get(person))
        .route("/admin/people/erase", post(erase))
}

/// `POST /api/v1/admin/session`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// The owner signed in now.
#[utoipa::path(
    get,
    path = "/api/v1/admin/session",
    responses(
        (status = 200, description = "The owner this session or token belongs to", body = Owner),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn who(AdminSession(owner): AdminSession) -> Json<Owner> {
    Json(owner)
}

/// Signs in: the answer sets the session cookie (`HttpOnly`, `SameSite=Strict`). Wrong
/// passwords are answered more slowly, then refused for a while (see the README).
#[utoipa::path(
    post,
    path = "/api/v1/admin/session",
    request_body = Credentials,
    responses(
        (status = 200, description = "Signed in; the session is in Set-Cookie", body = Owner),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "A wrong email or password", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 429, description = "Locked after wrong passwords, or too many from this address", body = ErrorBody),
    )
)]
pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    ApiJson(credentials): ApiJson<Credentials>,
) -> Result<Response, ApiError> {
    if !auth::from_own_origin(&headers) {
        return Err(ApiError::Forbidden(auth::CROSS_SITE.to_owned()));
    }
    let outcome = auth::log_in(
        &state,
        &credentials.email,
        &credentials.password,
        &client.to_string(),
    )
    .await;
    match outcome {
        Ok((owner, session)) => {
            let secure = auth::is_https(&state, &headers, Some(client));
            let cookie = auth::session_cookie(&session, secure);
            Ok(([(SET_COOKIE, cookie)], Json(owner)).into_response())
        }
        Err(refused @ auth::LoginRefused::Wrong) => Err(ApiError::Unauthorized(refused.message())),
        Err(auth::LoginRefused::Store(error)) => Err(error.into()),
        Err(refused) => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            Json(ErrorBody {
                message: refused.message(),
                errors: Vec::new(),
            }),
        )
            .into_response()),
    }
}

/// Signs out: the session ends on the server, and the cookie is cleared.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/session",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn sign_out(
    State(state): State<AppState>,
    _session: AdminSession,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(session) = auth::session_id(&headers) {
        state.store.end_session(&sha256_hex(&session)).await?;
    }
    let secure = auth::is_https(&state, &headers, None);
    Ok((
        StatusCode::NO_CONTENT,
        [(SET_COOKIE, auth::cleared_cookie(secure))],
    )
        .into_response())
}

/// The site's comments, newest first: `status=pending` is the moderation queue.
#[utoipa::path(
    get,
    path = "/api/v1/admin/comments",
    params(Search),
    responses(
        (status = 200, description = "The matching comments, everything stored included", body = [AdminComment]),
        (status = 400, description = "A malformed filter", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn comments(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    search: Result<Query<Search>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Vec<AdminComment>>, ApiError> {
    let Query(search) =
        search.map_err(|_| ApiError::BadRequest("The query string could not be read.".into()))?;
    Ok(Json(ops::search(&state, &owner, &search).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/comments/{id}",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "The comment, everything stored included", body = AdminComment),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No such comment on this site", body = ErrorBody),
    )
)]
pub(crate) async fn one_comment(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
) -> Result<Json<AdminComment>, ApiError> {
    Ok(Json(ops::comment(&state, &owner, id).await?))
}

/// Replaces a comment's text (any comment of the site, at any time).
#[utoipa::path(
    patch,
    path = "/api/v1/admin/comments/{id}",
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = CommentEdit,
    responses(
        (status = 200, description = "Edited", body = Comment),
        (status = 400, description = "A malformed id or JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No such comment on this site, or deleted", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A body that breaks the rules", body = ErrorBody),
    )
)]
pub(crate) async fn edit(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
    ApiJson(edit): ApiJson<CommentEdit>,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(ops::edit(&state, &owner, id, &edit.body).await?))
}

/// Deletes a comment: with replies it stays as "This comment was deleted." above them,
/// without it disappears; its author's email, address, name and text are gone either way.
#[utoipa::path(
    delete,
    path = "/api/v1/admin/comments/{id}",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "Deleted: the tombstone", body = Comment),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No such comment on this site", body = ErrorBody),
    )
)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(ops::delete(&state, &owner, id).await?))
}

/// Publishes a comment held for approval; its author's next comments need none (with
/// `first-time` moderation).
#[utoipa::path(
    post,
    path = "/api/v1/admin/comments/{id}/approve",
    params(("id" = i64, Path, description = "The comment's id")),
    responses(
        (status = 200, description = "Published", body = Comment),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No comment awaiting approval with this id", body = ErrorBody),
    )
)]
pub(crate) async fn approve(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(ops::approve(&state, &owner, id).await?))
}

/// `PUT /api/v1/admin/comments/{id}/pin`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct PinRequest {
    pub pinned: bool,
}

/// Pins a published comment to the top of its thread, or unpins it.
#[utoipa::path(
    put,
    path = "/api/v1/admin/comments/{id}/pin",
    params(("id" = i64, Path, description = "The comment's id")),
    request_body = PinRequest,
    responses(
        (status = 200, description = "Pinned or unpinned", body = Comment),
        (status = 400, description = "A malformed id or JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No published comment with this id", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub(crate) async fn pin(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
    ApiJson(request): ApiJson<PinRequest>,
) -> Result<Json<Comment>, ApiError> {
    Ok(Json(ops::pin(&state, &owner, id, request.pinned).await?))
}

/// `POST /api/v1/admin/comments/{id}/reply`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ReplyRequest {
    pub body: String,
}

/// The owner answers a comment, as the owner: under their name, with the "Author" badge.
#[utoipa::path(
    post,
    path = "/api/v1/admin/comments/{id}/reply",
    params(("id" = i64, Path, description = "The id of the comment answered")),
    request_body = ReplyRequest,
    responses(
        (status = 201, description = "Published", body = Comment),
        (status = 400, description = "A malformed id or JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No such comment on this site", body = ErrorBody),
        (status = 409, description = "The comment answered is not published", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A body that breaks the rules", body = ErrorBody),
    )
)]
pub(crate) async fn reply(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
    ApiJson(request): ApiJson<ReplyRequest>,
) -> Result<(StatusCode, Json<Comment>), ApiError> {
    let comment = ops::reply(&state, &owner, id, &request.body).await?;
    Ok((StatusCode::CREATED, Json(comment)))
}

/// The site's threads, most recently active first.
#[utoipa::path(
    get,
    path = "/api/v1/admin/threads",
    responses(
        (status = 200, description = "Every thread with its counts and last activity", body = [ThreadSummary]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn threads(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
) -> Result<Json<Vec<ThreadSummary>>, ApiError> {
    Ok(Json(state.store.thread_summaries(owner.site).await?))
}

/// `PUT /api/v1/admin/threads/{key}/lock`.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct LockRequest {
    pub locked: bool,
}

/// Closes a thread to new comments (readers see "Comments are closed"), or opens it.
#[utoipa::path(
    put,
    path = "/api/v1/admin/threads/{key}/lock",
    params(("key" = String, Path, description = "The thread key, percent-encoded")),
    request_body = LockRequest,
    responses(
        (status = 200, description = "Done", body = LockRequest),
        (status = 400, description = "A bad thread key or JSON", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub(crate) async fn lock(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    ThreadKey(thread): ThreadKey,
    ApiJson(request): ApiJson<LockRequest>,
) -> Result<Json<LockRequest>, ApiError> {
    ops::lock(&state, &owner, &thread.key, request.locked).await?;
    Ok(Json(request))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/blocks",
    responses(
        (status = 200, description = "The site's blocks, newest first", body = [Block]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn blocks(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
) -> Result<Json<Vec<Block>>, ApiError> {
    Ok(Json(state.store.blocks(owner.site).await?))
}

/// `201` to `POST /api/v1/admin/blocks`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BlockCreated {
    pub id: i64,
}

/// Refuses an author's next comments: by their email (kept only as a keyed hash) and/or
/// their address, until a day or until unblocked.
#[utoipa::path(
    post,
    path = "/api/v1/admin/blocks",
    request_body = BlockRequest,
    responses(
        (status = 201, description = "Blocked", body = BlockCreated),
        (status = 400, description = "Nobody named, or a malformed address or day", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No such comment on this site", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub(crate) async fn block(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    ApiJson(request): ApiJson<BlockRequest>,
) -> Result<(StatusCode, Json<BlockCreated>), ApiError> {
    let id = ops::block(&state, &owner, &request).await?;
    Ok((StatusCode::CREATED, Json(BlockCreated { id })))
}

#[utoipa::path(
    delete,
    path = "/api/v1/admin/blocks/{id}",
    params(("id" = i64, Path, description = "The block's id")),
    responses(
        (status = 204, description = "Unblocked"),
        (status = 400, description = "A malformed id", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 404, description = "No such block", body = ErrorBody),
    )
)]
pub(crate) async fn unblock(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    CommentId(id): CommentId,
) -> Result<StatusCode, ApiError> {
    ops::unblock(&state, &owner, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/settings",
    responses(
        (status = 200, description = "The settings in force for the site", body = Settings),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn settings(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(ops::settings(&state, &owner).await?))
}

/// Changes the site's settings at run time (kept in the database; the flags are only
/// the defaults).
#[utoipa::path(
    put,
    path = "/api/v1/admin/settings",
    request_body = Settings,
    responses(
        (status = 200, description = "The settings now in force", body = Settings),
        (status = 400, description = "Malformed JSON or an edit window over a year", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub(crate) async fn set_settings(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    ApiJson(settings): ApiJson<Settings>,
) -> Result<Json<Settings>, ApiError> {
    Ok(Json(ops::set_settings(&state, &owner, settings).await?))
}

#[utoipa::path(
    get,
    path = "/api/v1/admin/audit",
    responses(
        (status = 200, description = "The newest 500 lines of the audit log, newest first", body = [AuditEntry]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn audit(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(state.store.audit_log(owner.site, 500).await?))
}

/// The delivery log: the site's newest emails (never their addresses) and webhook calls,
/// with their state, tries and last error.
#[utoipa::path(
    get,
    path = "/api/v1/admin/deliveries",
    responses(
        (status = 200, description = "The newest 200 deliveries, newest first", body = [Delivery]),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn deliveries(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
) -> Result<Json<Vec<Delivery>>, ApiError> {
    Ok(Json(state.store.deliveries(owner.site, 200).await?))
}

/// `?email=` of `GET /api/v1/admin/people`, and the body of its `erase`.
#[derive(Clone, Debug, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Person {
    /// The address the person wrote their comments with.
    pub email: String,
}

/// Everything the site holds that was written with an email address (GDPR article 15),
/// as JSON to hand over.
#[utoipa::path(
    get,
    path = "/api/v1/admin/people",
    params(Person),
    responses(
        (status = 200, description = "The person's comments", body = PersonalData),
        (status = 400, description = "No email address given", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
    )
)]
pub(crate) async fn person(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    person: Result<Query<Person>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<PersonalData>, ApiError> {
    let Query(person) =
        person.map_err(|_| ApiError::BadRequest("Give the email address: ?email=…".into()))?;
    Ok(Json(
        ops::personal_data(&state, &owner, &person.email).await?,
    ))
}

/// `200` to `POST /api/v1/admin/people/erase`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Erased {
    pub comments: usize,
}

/// Erases everything written with an email address (GDPR article 17), in one action.
#[utoipa::path(
    post,
    path = "/api/v1/admin/people/erase",
    request_body = Person,
    responses(
        (status = 200, description = "Erased", body = Erased),
        (status = 400, description = "Malformed JSON or email", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "From another site's page", body = ErrorBody),
        (status = 413, description = "The body is too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
    )
)]
pub(crate) async fn erase(
    State(state): State<AppState>,
    AdminSession(owner): AdminSession,
    ApiJson(person): ApiJson<Person>,
) -> Result<Json<Erased>, ApiError> {
    let comments = ops::erase(&state, &owner, &person.email).await?;
    Ok(Json(Erased { comments }))
}
