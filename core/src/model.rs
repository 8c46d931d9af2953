use serde::{Deserialize, Serialize};

use crate::rules::FormRules;
use crate::validation::FieldError;

/// A comment as the API shows it. It has no email field on purpose: the address is stored
/// by the server and never leaves it (DESIGN.md rule 5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author: String,
    pub website: Option<String>,
    /// The markdown source as the reader wrote it; the widget renders it.
    pub body: String,
    /// RFC 3339, UTC.
    pub created_at: String,
}

/// `GET /api/v1/threads/{key}/comments`: the whole thread, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadPage {
    pub thread: String,
    pub total: u64,
    pub comments: Vec<Comment>,
}

/// `POST /api/v1/threads/{key}/comments`. Every field defaults to empty so that a missing
/// field is reported like an empty one, as a field error the form can show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub website: String,
    #[serde(default)]
    pub body: String,
    /// Chosen by the client once per submission, so a retry cannot store a second copy.
    #[serde(default)]
    pub idempotency_key: String,
    /// A form field people never see: anything in it means a bot filled the form, and the
    /// comment is dropped without a word.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub honeypot: String,
}

/// `PATCH /api/v1/comments/{id}`: the new body; the edit token goes in `Authorization`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentEdit {
    #[serde(default)]
    pub body: String,
}

/// `201 Created`: the stored comment and the secret that lets its author edit or delete it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedComment {
    pub comment: Comment,
    pub edit_token: String,
}

/// `GET /api/v1/config`: what the widget needs to agree with the server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicConfig {
    pub rules: FormRules,
    /// Whether new comments wait for a moderator before they are shown.
    pub moderation: bool,
    /// How long after posting a comment may be edited, in seconds.
    pub edit_window_secs: u64,
}

/// The body of every error answer. `errors` is empty unless fields were at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}
