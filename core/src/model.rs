use serde::{Deserialize, Deserializer, Serialize};

use crate::content::Node;
use crate::rules::FormRules;
use crate::validation::FieldError;

/// A comment as the API shows it. It has no email field on purpose: the address is stored
/// by the server and never leaves it (docs/ARCHITECTURE.md, "Rules").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Comment {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub author: String,
    pub website: Option<String>,
    /// The markdown source as the author wrote it. Readers get [`Comment::content`]
    /// instead, so this is empty (and absent) in threads, events and posting answers; the
    /// author's own `GET /api/v1/comments/{id}` (with the edit token) and webhooks carry it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub body: String,
    /// The body parsed by the server, as the widget draws it (see `content`, content
    /// version 1). Empty for a tombstone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub content: Vec<Node>,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// Held for the site owner's approval: only its author is shown it (in the answer to
    /// their post, and with their edit token from `GET /api/v1/comments/{id}`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub pending: bool,
    /// Written by an owner of the site, signed in: the widget shows an "Author" badge.
    /// Only the server sets it; no name a reader types can.
    #[serde(default, skip_serializing_if = "is_false")]
    pub by_owner: bool,
    /// Pinned by the site's owner: shown first among the top-level comments.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
    /// Deleted, and kept only as "This comment was deleted." above its replies: `author`
    /// and `body` are empty, `website` is absent.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deleted: bool,
    /// How many readers like it (one like per reader: see `POST /api/v1/comments/{id}/like`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub likes: u64,
    /// Its author changed it after posting.
    #[serde(default, skip_serializing_if = "is_false")]
    pub edited: bool,
    /// A short seed for the author's picture (an identicon the widget draws): a keyed hash
    /// the server derives from the author's normalised email, or their name when they gave
    /// none, so one person has one picture across the site's threads and nothing about the
    /// address can be learned from it. Empty for a tombstone.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub avatar: String,
    /// What the server derives [`Comment::avatar`] from (the stored email hash, or the
    /// name). Never serialised: it exists between the database and the answer.
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub avatar_source: String,
}

#[cfg(feature = "markdown")]
impl Comment {
    /// The comment as readers get it: the body parsed into [`Comment::content`] (bounded:
    /// see `markdown::parse_comment`), and the source left out.
    pub fn for_readers(mut self) -> Comment {
        if !self.body.is_empty() {
            self.content = crate::markdown::parse_comment(&self.body);
        }
        self.body = String::new();
        self
    }
}

impl Comment {
    /// What a reader reads, without markup: the content's text, or the source where there
    /// is no content (an answer that carries the source instead).
    pub fn text(&self) -> String {
        if self.content.is_empty() {
            self.body.clone()
        } else {
            crate::content::text_of(&self.content)
        }
    }
}

fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

/// `GET /api/v1/threads/{key}/comments`: one page of a thread's top-level conversations,
/// each with all its replies, in the order asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadPage {
    pub thread: String,
    /// The thread's published comments, on every page, not only this one.
    pub total: u64,
    /// The page's comments: each conversation's first comment, then its replies (oldest
    /// first), conversation after conversation in the order asked for.
    pub comments: Vec<Comment>,
    /// The cursor of the next page (`after`), or `null` on the last one. Opaque, and
    /// stable while comments arrive: the next page starts after the last conversation of
    /// this one, wherever that now stands.
    #[serde(default)]
    pub next: Option<String>,
    /// The id of the thread's latest live event when this page was read (0: none yet).
    /// Subscribing to the thread's events after it misses nothing that came later.
    #[serde(default)]
    pub last_event_id: i64,
    /// The site's owner closed the thread: it is shown, and new comments are refused.
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
    /// The version of the comments' `content` format (`colloquy_core::content`). A client
    /// that knows an older one still shows every node it knows, and the rest as text.
    #[serde(default)]
    pub content_version: u32,
}

/// `POST /api/v1/preview`: a body to see as it would be shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviewRequest {
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub body: String,
}

/// The answer to a preview: the body's content, exactly as a thread would carry it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preview {
    pub content: Vec<Node>,
    pub content_version: u32,
}

/// `POST` and `DELETE /api/v1/comments/{id}/like`: the reader's voter token, a random
/// string their browser keeps (16 to 128 of `A-Z a-z 0-9 - _`). The server keeps only its
/// hash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LikeRequest {
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub voter: String,
}

impl LikeRequest {
    /// Whether the voter token has the shape every widget makes (16 to 128 of
    /// `A-Z a-z 0-9 - _`).
    pub fn is_valid(&self) -> bool {
        (16..=128).contains(&self.voter.len())
            && self
                .voter
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }
}

/// The answer to a like or an unlike: the comment's count now, and whether this voter
/// likes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LikeState {
    pub likes: u64,
    pub liked: bool,
}

/// One thread's count, as `GET /api/v1/counts` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadCount {
    /// The key as it was asked for.
    pub thread: String,
    /// Its published comments (0 for a thread nobody commented on).
    pub count: u64,
    /// The count in words, in the language asked for ("7 comments").
    pub text: String,
}

/// `GET /api/v1/counts`: one count per thread asked for, in the order asked.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadCounts {
    pub counts: Vec<ThreadCount>,
}

/// What happened to a comment, as the thread's event stream tells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// A comment was published (posted, or approved by the site's owner).
    Created,
    Edited,
    /// A comment was deleted: it comes as a tombstone (see [`Comment::deleted`]), to be
    /// shown only while it has replies.
    Deleted,
    /// A reader liked or unliked a comment: its `likes` is the news. Nothing new is shown
    /// for it; a widget that shows the comment shows its count.
    Liked,
}

/// One event of `GET /api/v1/threads/{key}/events`: the `data` of a server-sent event
/// named `comment`, whose `id` is the event's id. The comment is as it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentEvent {
    pub kind: EventKind,
    pub comment: Comment,
}

/// `POST /api/v1/threads/{key}/comments`. Every field defaults to empty, and `null` counts
/// as absent (the API accepts what it emits: answers carry `"website": null`), so a missing
/// field is reported like an empty one, as a field error the form can show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewComment {
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub email: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub website: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub body: String,
    /// Chosen by the client once per submission, so a retry cannot store a second copy.
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub idempotency_key: String,
    /// A form field people never see: anything in it means a bot filled the form, and the
    /// comment is dropped without a word.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "String::is_empty"
    )]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub honeypot: String,
    /// Email the author when someone replies (once their address is confirmed; the first
    /// time, a confirmation email goes out). Needs an email.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub notify_replies: bool,
    /// The page's title, as the site shows it: emails name the page by it.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "String::is_empty"
    )]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub page_title: String,
    /// The author's voter token (see [`LikeRequest`]), so that they cannot like their own
    /// comment. Optional; only its hash is kept.
    #[serde(
        default,
        deserialize_with = "null_as_empty",
        skip_serializing_if = "String::is_empty"
    )]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub voter: String,
}

/// `PATCH /api/v1/comments/{id}`: the new body; the edit token goes in `Authorization`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommentEdit {
    #[serde(default, deserialize_with = "null_as_empty")]
    #[cfg_attr(feature = "openapi", schema(nullable))]
    pub body: String,
}

/// A text field given as `null` reads as an empty one (then required or not, as the rules
/// say), never as malformed JSON.
fn null_as_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// `201 Created`: the stored comment and the secret that lets its author edit it.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_text_fields_read_as_absent() {
        let posted: NewComment = serde_json::from_str(
            r#"{"name":"Ada","email":null,"website":null,"body":"Hi","idempotency_key":"k","honeypot":null}"#,
        )
        .unwrap();
        assert_eq!(posted.email, "");
        assert_eq!(posted.website, "");
        assert_eq!(posted.honeypot, "");
        assert_eq!(posted.name, "Ada");
        let edit: CommentEdit = serde_json::from_str(r#"{"body":null}"#).unwrap();
        assert_eq!(edit.body, "");
        assert!(serde_json::from_str::<NewComment>(r#"{"name":7}"#).is_err());
    }
}
