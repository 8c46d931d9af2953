//! What an owner can do, once: the admin API and the admin pages both call these, so the
//! two can never disagree. Each action is checked, carried out, written to the audit log
//! and, when a thread changed, passed on to its caches and live readers.

use colloquy_core::model::Comment;
use colloquy_core::time::parse_date;
use colloquy_core::validation::{check_field, Field, ValidComment};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::clock::now_ms;
use crate::http::ApiError;
use crate::settings::Settings;
use crate::state::AppState;
use crate::storage::{
    AdminComment, CommentFilter, Inserted, Moderated, NewBlock, Owner, Provenance, Status,
    ThreadRef,
};
use crate::tokens::token_hash;
use crate::words;

/// What the admin's search form and `GET /api/v1/admin/comments` take: the filter, with
/// days written `YYYY-MM-DD` (UTC).
#[derive(Clone, Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Search {
    /// `pending`, `published` or `deleted`; all when absent.
    pub status: Option<String>,
    /// A thread's exact key.
    pub thread: Option<String>,
    /// Part of the author's name or email.
    pub author: Option<String>,
    /// Part of the text.
    pub text: Option<String>,
    /// The first day (YYYY-MM-DD, UTC).
    pub from: Option<String>,
    /// The last day (YYYY-MM-DD, UTC), included.
    pub to: Option<String>,
    /// At most this many (1 to 500; 100 by default).
    pub limit: Option<i64>,
    /// Skip this many.
    pub offset: Option<i64>,
}

impl Search {
    pub fn filter(&self) -> Result<CommentFilter, ApiError> {
        let text = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let day = |value: &Option<String>, name: &str| -> Result<Option<i64>, ApiError> {
            match text(value) {
                None => Ok(None),
                Some(value) => parse_date(&value).map(Some).ok_or_else(|| {
                    ApiError::BadRequest(format!("{name} must be a day written YYYY-MM-DD."))
                }),
            }
        };
        let status = match text(&self.status) {
            None => None,
            Some(value) => Some(Status::parse(&value).ok_or_else(|| {
                ApiError::BadRequest("status must be pending, published or deleted.".to_owned())
            })?),
        };
        Ok(CommentFilter {
            thread: text(&self.thread),
            author: text(&self.author),
            text: text(&self.text),
            from_ms: day(&self.from, "from")?,
            to_ms: day(&self.to, "to")?.map(|start| start + 86_400_000),
            status,
        })
    }

    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }

    pub fn offset(&self) -> i64 {
        self.offset.unwrap_or(0).max(0)
    }
}

async fn done(
    state: &AppState,
    owner: &Owner,
    action: &str,
    moderated: Option<Moderated>,
) -> Result<Comment, ApiError> {
    let Moderated { thread, comment } = moderated.ok_or_else(ApiError::no_such_comment)?;
    state.thread_changed(&thread).await;
    state.outbox_wakeup.notify_waiters();
    state
        .store
        .audit(
            owner.site,
            &owner.email,
            action,
            Some(comment.id),
            &thread.key,
        )
        .await?;
    Ok(comment)
}

pub async fn search(
    state: &AppState,
    owner: &Owner,
    search: &Search,
) -> Result<Vec<AdminComment>, ApiError> {
    Ok(state
        .store
        .search_comments(
            owner.site,
            &search.filter()?,
            search.limit(),
            search.offset(),
        )
        .await?)
}

pub async fn comment(state: &AppState, owner: &Owner, id: i64) -> Result<AdminComment, ApiError> {
    state
        .store
        .admin_comment(owner.site, id)
        .await?
        .ok_or_else(ApiError::no_such_comment)
}

pub async fn approve(state: &AppState, owner: &Owner, id: i64) -> Result<Comment, ApiError> {
    let approved = state
        .store
        .approve(owner.site, id, &state.notifier.outgoing(None))
        .await?;
    done(state, owner, "approve", approved).await
}

pub async fn delete(state: &AppState, owner: &Owner, id: i64) -> Result<Comment, ApiError> {
    let deleted = state
        .store
        .delete_comment(owner.site, id, &state.notifier.outgoing(None))
        .await?;
    done(state, owner, "delete", deleted).await
}

pub async fn edit(
    state: &AppState,
    owner: &Owner,
    id: i64,
    body: &str,
) -> Result<Comment, ApiError> {
    if let Some(code) = check_field(Field::Body, body, &state.rules) {
        return Err(ApiError::invalid(Field::Body, code, &state.rules));
    }
    let edited = state.store.owner_edit(owner.site, id, body.trim()).await?;
    done(state, owner, "edit", edited).await
}

pub async fn pin(
    state: &AppState,
    owner: &Owner,
    id: i64,
    pinned: bool,
) -> Result<Comment, ApiError> {
    let changed = state.store.set_pinned(owner.site, id, pinned).await?;
    done(state, owner, if pinned { "pin" } else { "unpin" }, changed).await
}

/// The owner's reply to comment `id`, in its thread, under the owner's name and with the
/// badge; published at once.
pub async fn reply(
    state: &AppState,
    owner: &Owner,
    id: i64,
    body: &str,
) -> Result<Comment, ApiError> {
    let parent = comment(state, owner, id).await?;
    if parent.status != Status::Published {
        return Err(ApiError::Conflict(
            "Only a published comment can be answered.".to_owned(),
        ));
    }
    let thread = ThreadRef::new(owner.site, parent.thread.as_str());
    post_as_owner(state, owner, &thread, Some(id), body).await
}

pub async fn post_as_owner(
    state: &AppState,
    owner: &Owner,
    thread: &ThreadRef,
    parent_id: Option<i64>,
    body: &str,
) -> Result<Comment, ApiError> {
    if let Some(code) = check_field(Field::Body, body, &state.rules) {
        return Err(ApiError::invalid(Field::Body, code, &state.rules));
    }
    let key = crate::tokens::ServerSecret::random_token()
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let key = key[..32].to_owned();
    let comment = ValidComment {
        parent_id,
        name: owner.name.clone(),
        email: Some(owner.email.clone()),
        website: None,
        body: body.trim().to_owned(),
        idempotency_key: key.clone(),
    };
    let token = state.secret.thread_edit_token(thread, &key);
    let provenance = Provenance {
        by_owner: true,
        outgoing: state.notifier.outgoing(None),
        ..Provenance::published()
    };
    let stored = match state
        .store
        .insert_comment(
            thread,
            &comment,
            now_ms(),
            &token_hash(&token),
            None,
            &provenance,
        )
        .await?
    {
        Inserted::New(stored) | Inserted::Replayed(stored) => stored,
        Inserted::Duplicate => {
            return Err(ApiError::Conflict(words::current().api.duplicate.clone()))
        }
    };
    state.thread_changed(thread).await;
    state
        .store
        .audit(
            owner.site,
            &owner.email,
            "reply",
            Some(stored.id),
            &thread.key,
        )
        .await?;
    Ok(stored)
}

pub async fn lock(
    state: &AppState,
    owner: &Owner,
    key: &str,
    locked: bool,
) -> Result<(), ApiError> {
    colloquy_core::thread_key::check_thread_key(key)
        .map_err(|error| ApiError::BadRequest(words::current().thread_key(error)))?;
    let thread = ThreadRef::new(owner.site, key);
    state.store.set_locked(&thread, locked).await?;
    state.thread_changed(&thread).await;
    let action = if locked { "lock" } else { "unlock" };
    state
        .store
        .audit(owner.site, &owner.email, action, None, key)
        .await?;
    Ok(())
}

/// `POST /api/v1/admin/blocks`: whom to refuse. Give a comment (its author's email and
/// address are blocked), or an email and/or an address.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct BlockRequest {
    pub comment_id: Option<i64>,
    pub email: Option<String>,
    pub client_address: Option<String>,
    /// The last day of the block (YYYY-MM-DD, UTC), included; absent: until unblocked.
    pub until: Option<String>,
    #[serde(default)]
    pub note: String,
}

pub async fn block(
    state: &AppState,
    owner: &Owner,
    request: &BlockRequest,
) -> Result<i64, ApiError> {
    let mut block = NewBlock {
        note: request.note.trim().chars().take(500).collect(),
        ..NewBlock::default()
    };
    if let Some(id) = request.comment_id {
        let comment = comment(state, owner, id).await?;
        block.email_hash = comment.email.as_deref().map(|e| state.secret.email_hash(e));
        block.client_address = comment.client_address;
    }
    if let Some(email) = request
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        block.email_hash = Some(state.secret.email_hash(email));
    }
    if let Some(address) = request
        .client_address
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        let address: std::net::IpAddr = address
            .parse()
            .map_err(|_| ApiError::BadRequest(format!("{address:?} is not an IP address.")))?;
        block.client_address = Some(address.to_string());
    }
    if block.email_hash.is_none() && block.client_address.is_none() {
        return Err(ApiError::BadRequest(
            "Name whom to block: a comment, an email or an address.".to_owned(),
        ));
    }
    if let Some(until) = request
        .until
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        let day = parse_date(until).ok_or_else(|| {
            ApiError::BadRequest("until must be a day written YYYY-MM-DD.".to_owned())
        })?;
        block.until_ms = Some(day + 86_400_000);
    }
    let id = state.store.add_block(owner.site, &block, now_ms()).await?;
    state
        .store
        .audit(
            owner.site,
            &owner.email,
            "block",
            request.comment_id,
            &block.note,
        )
        .await?;
    Ok(id)
}

pub async fn unblock(state: &AppState, owner: &Owner, id: i64) -> Result<(), ApiError> {
    if !state.store.remove_block(owner.site, id).await? {
        return Err(ApiError::NotFound(
            "There is no block with this id.".to_owned(),
        ));
    }
    state
        .store
        .audit(
            owner.site,
            &owner.email,
            "unblock",
            None,
            &format!("block {id}"),
        )
        .await?;
    Ok(())
}

pub async fn settings(state: &AppState, owner: &Owner) -> Result<Settings, ApiError> {
    Ok(state.settings(owner.site).await?)
}

pub async fn set_settings(
    state: &AppState,
    owner: &Owner,
    settings: Settings,
) -> Result<Settings, ApiError> {
    if settings.edit_window_secs > 366 * 86_400 {
        return Err(ApiError::BadRequest(
            "The edit window can be at most a year.".to_owned(),
        ));
    }
    state
        .store
        .set_settings(owner.site, &settings.to_stored())
        .await?;
    state.settings_changed(owner.site).await;
    let detail = format!(
        "moderation {}, {} posts a minute, edit window {} s",
        settings.moderation, settings.posts_per_minute, settings.edit_window_secs
    );
    state
        .store
        .audit(owner.site, &owner.email, "settings", None, &detail)
        .await?;
    Ok(settings)
}

/// Everything a site holds about one person (GDPR article 15).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PersonalData {
    pub email: String,
    pub comments: Vec<AdminComment>,
}

fn checked_email(email: &str) -> Result<String, ApiError> {
    let email = email.trim().to_lowercase();
    if !colloquy_core::validation::is_plausible_email(&email) {
        return Err(ApiError::BadRequest(
            "Give the email address as the person wrote it.".to_owned(),
        ));
    }
    Ok(email)
}

pub async fn personal_data(
    state: &AppState,
    owner: &Owner,
    email: &str,
) -> Result<PersonalData, ApiError> {
    let email = checked_email(email)?;
    let comments = state.store.comments_by_email(owner.site, &email).await?;
    Ok(PersonalData { email, comments })
}

/// Erases everything written with `email` (GDPR article 17): each comment becomes a
/// deleted one (a tombstone while it has replies, else gone from every page), and the
/// address and what was derived from it (trust, blocks) are forgotten. The audit log
/// records how many, never the address.
pub async fn erase(state: &AppState, owner: &Owner, email: &str) -> Result<usize, ApiError> {
    let email = checked_email(email)?;
    let erased = state
        .store
        .erase(
            owner.site,
            &email,
            &state.secret.email_hash(&email),
            &state.notifier.outgoing(None),
        )
        .await?;
    state.outbox_wakeup.notify_waiters();
    let mut threads: Vec<&ThreadRef> = erased.iter().map(|m| &m.thread).collect();
    threads.dedup();
    for thread in threads {
        state.thread_changed(thread).await;
    }
    state
        .store
        .audit(
            owner.site,
            &owner.email,
            "erase",
            None,
            &format!("{} comments of one person", erased.len()),
        )
        .await?;
    Ok(erased.len())
}
