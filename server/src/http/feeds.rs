//! Atom feeds (RFC 4287) of comments: `GET /threads/{key}/feed.atom`, the newest comments
//! of one thread, and `GET /feed.atom`, the newest comments of every thread; at most
//! [`FEED_ENTRIES`] each, newest first. There is no moderation yet: every stored comment is
//! published, in the feeds as in the JSON API. Nothing private is shown: the public
//! [`Comment`] has no email field.
//!
//! Decisions:
//! - **Ids** are `urn:uuid:` URNs (RFC 9562 version 8), derived with HMAC-SHA-256 from the
//!   installation secret and what they name (`comment:<id>`, `thread:<key>`, `recent`). An
//!   id is stable for as long as the database (which keeps the secret and the comment ids)
//!   is: whichever address or proxy the feed is fetched through, restarts, several servers
//!   on one database, a thread moved with `threads move`. Ids from two installations never
//!   collide, and nothing about the secret can be learned from them.
//! - **Times**: `published` and `updated` are when the comment was posted (the store keeps
//!   no time of edits; an edited comment shows its new text under its old time). The
//!   feed's `updated` is its newest entry's, or the Unix epoch when it has none.
//! - **Links.** The server cannot know a page's address from its thread key, so it links a
//!   page only when the key is a path (`/blog/post`) and the site's origin is known: with
//!   no `--allowed-origin` only pages of the server's own origin can show the widget, so
//!   the link is the path itself, relative (a reader resolves it against the feed's
//!   address, which is on that origin: right behind a proxy under `/comments/`); with
//!   exactly one allowed origin the link is that origin and the path. With several, or
//!   `*`, or a key that is not a path, there is no page link. The `Host` header is never
//!   used (it is the client's word). The `self` link is `feed.atom`, relative to the feed's
//!   own address. A comment's content carries the page link as `xml:base`, so relative
//!   links in it lead where they lead in the widget; without a page link they keep only
//!   their text (see [`RelativeLinks`]).
//! - **Content** is XHTML written from the markdown tree by `crate::feed_html`, never
//!   from strings. Authors are named, with their website as `uri` when it is a web address.
//! - **Titles**: an entry is "Ada on “Title”" when the thread's title is known (imports
//!   keep titles), else "Ada on /blog/post".
//! - **An unknown thread** has an empty feed (`200`), as its JSON page is empty: pages get
//!   threads by being commented on. A bad key is a `400` with the JSON error body.

use std::collections::HashMap;
use std::io;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use colloquy_core::model::{Comment, ErrorBody};
use colloquy_core::time::format_rfc3339;
use colloquy_core::validation::is_web_url;
use hmac::{Hmac, Mac};
use quick_xml::events::{BytesDecl, Event};
use quick_xml::Writer;
use sha2::Sha256;

use super::extract::ThreadKey;
use super::origins::SiteId;
use super::ApiError;
use crate::feed_html::{element, empty_element, text_element, write_comment, RelativeLinks};
use crate::state::AppState;
use crate::storage::{ThreadRef, DEFAULT_SITE};
use crate::tokens::ServerSecret;
use crate::words;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/threads/{key}/feed.atom", get(thread_feed))
        .route("/feed.atom", get(recent_feed))
}

/// The most entries a feed holds.
pub const FEED_ENTRIES: usize = 50;

pub const ATOM_CONTENT_TYPE: &str = "application/atom+xml; charset=utf-8";
const ATOM_NAMESPACE: &str = "http://www.w3.org/2005/Atom";

/// The newest comments of one thread, newest first, as an Atom feed. An unknown thread
/// has an empty feed.
#[utoipa::path(
    get,
    path = "/api/v1/threads/{key}/feed.atom",
    params(
        ("key" = String, Path, description = "The thread key, percent-encoded"),
    ),
    responses(
        (status = 200, description = "An Atom feed of the thread's newest 50 comments, newest first (empty for an unknown thread)", body = String, content_type = "application/atom+xml"),
        (status = 400, description = "A bad thread key", body = ErrorBody),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
    )
)]
pub(super) async fn thread_feed(
    State(state): State<AppState>,
    ThreadKey(thread_ref): ThreadKey,
) -> Result<Response, ApiError> {
    let title = state.store.thread_title(&thread_ref).await?;
    let comments = state.store.thread_comments(&thread_ref).await?;
    let thread = thread_ref.key.as_str();
    let context = Context::new(&state);
    let page = context.site.page(thread);
    // The store answers oldest first, by time and then id; the feed is the reverse.
    // Tombstones stay in the thread for their replies' sake; a feed has no use for them.
    let entries = comments
        .into_iter()
        .rev()
        .filter(|comment| !comment.deleted)
        .take(FEED_ENTRIES)
        .map(|comment| context.entry(thread, title.as_deref(), comment))
        .collect();
    let name = match thread_ref.site {
        DEFAULT_SITE => format!("thread:{thread}"),
        site => format!("site:{site}:thread:{thread}"),
    };
    let feed = Feed {
        id: context.ids.named(&name),
        title: words::current().feed_of_thread(&thread_name(thread, title.as_deref())),
        page,
        entries,
    };
    atom_response(&feed)
}

/// The newest comments of every thread, newest first, as an Atom feed.
#[utoipa::path(
    get,
    path = "/api/v1/feed.atom",
    responses(
        (status = 200, description = "An Atom feed of the newest 50 comments of all threads, newest first", body = String, content_type = "application/atom+xml"),
        (status = 403, description = "A browser page from an origin that is not allowed", body = ErrorBody),
    )
)]
pub(super) async fn recent_feed(
    State(state): State<AppState>,
    SiteId(site): SiteId,
) -> Result<Response, ApiError> {
    let recent = state
        .store
        .recent_comments(site, FEED_ENTRIES as i64)
        .await?;
    let mut titles: HashMap<String, Option<String>> = HashMap::new();
    for (thread, _) in &recent {
        if !titles.contains_key(thread) {
            let title = state
                .store
                .thread_title(&ThreadRef::new(site, thread.as_str()))
                .await?;
            titles.insert(thread.clone(), title);
        }
    }
    let context = Context::new(&state);
    let entries = recent
        .into_iter()
        .map(|(thread, comment)| {
            let title = titles.get(&thread).and_then(Option::as_deref);
            context.entry(&thread, title, comment)
        })
        .collect();
    let feed = Feed {
        id: context.ids.named(&match site {
            DEFAULT_SITE => "recent".to_owned(),
            site => format!("site:{site}:recent"),
        }),
        title: words::current().api.feed_of_recent.clone(),
        page: None,
        entries,
    };
    atom_response(&feed)
}

/// What both feeds need to turn comments into entries.
struct Context {
    ids: FeedIds,
    site: Site,
}

impl Context {
    fn new(state: &AppState) -> Self {
        Context {
            ids: FeedIds::new(&state.secret),
            site: Site::of(&state.allowed_origins),
        }
    }

    fn entry(&self, thread: &str, title: Option<&str>, comment: Comment) -> Entry {
        Entry {
            id: self.ids.named(&format!("comment:{}", comment.id)),
            title: words::current().feed_entry(&comment.author, &thread_name(thread, title)),
            author_uri: comment.website.filter(|website| is_web_url(website)),
            author: comment.author,
            published: comment.created_at,
            page: self.site.page(thread),
            body: comment.body,
        }
    }
}

/// How a thread is named in titles: “its title”, or its key.
fn thread_name(thread: &str, title: Option<&str>) -> String {
    match title.map(str::trim).filter(|title| !title.is_empty()) {
        Some(title) => format!("“{title}”"),
        None => thread.to_owned(),
    }
}

struct Feed {
    id: String,
    title: String,
    page: Option<String>,
    /// Newest first.
    entries: Vec<Entry>,
}

struct Entry {
    id: String,
    title: String,
    author: String,
    author_uri: Option<String>,
    /// RFC 3339.
    published: String,
    page: Option<String>,
    /// Markdown, as the reader wrote it.
    body: String,
}

fn atom_response(feed: &Feed) -> Result<Response, ApiError> {
    let xml = write_atom(feed).map_err(|error| ApiError::Internal(error.to_string()))?;
    Ok(([(CONTENT_TYPE, ATOM_CONTENT_TYPE)], xml).into_response())
}

fn write_atom(feed: &Feed) -> io::Result<Vec<u8>> {
    let mut writer = Writer::new(Vec::with_capacity(4096 + 2048 * feed.entries.len()));
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    let updated = feed
        .entries
        .iter()
        .map(|entry| entry.published.as_str())
        .max()
        .map_or_else(|| format_rfc3339(0), str::to_owned);
    element(
        &mut writer,
        "feed",
        &[("xmlns", ATOM_NAMESPACE)],
        |writer| {
            text_element(writer, "id", &[], &feed.id)?;
            text_element(writer, "title", &[], &feed.title)?;
            text_element(writer, "updated", &[], &updated)?;
            empty_element(
                writer,
                "link",
                &[
                    ("rel", "self"),
                    ("type", "application/atom+xml"),
                    ("href", "feed.atom"),
                ],
            )?;
            if let Some(page) = &feed.page {
                empty_element(
                    writer,
                    "link",
                    &[("rel", "alternate"), ("type", "text/html"), ("href", page)],
                )?;
            }
            text_element(writer, "generator", &[], "Colloquy")?;
            feed.entries
                .iter()
                .try_for_each(|entry| write_entry(writer, entry))
        },
    )?;
    Ok(writer.into_inner())
}

fn write_entry(writer: &mut Writer<Vec<u8>>, entry: &Entry) -> io::Result<()> {
    element(writer, "entry", &[], |writer| {
        text_element(writer, "id", &[], &entry.id)?;
        text_element(writer, "title", &[], &entry.title)?;
        text_element(writer, "published", &[], &entry.published)?;
        text_element(writer, "updated", &[], &entry.published)?;
        element(writer, "author", &[], |writer| {
            text_element(writer, "name", &[], &entry.author)?;
            match &entry.author_uri {
                Some(uri) => text_element(writer, "uri", &[], uri),
                None => Ok(()),
            }
        })?;
        let (relative, base) = match &entry.page {
            Some(page) => {
                empty_element(
                    writer,
                    "link",
                    &[("rel", "alternate"), ("type", "text/html"), ("href", page)],
                )?;
                (RelativeLinks::Keep, Some(page.as_str()))
            }
            None => (RelativeLinks::AsText, None),
        };
        let mut attributes = vec![("type", "xhtml")];
        attributes.extend(base.map(|base| ("xml:base", base)));
        element(writer, "content", &attributes, |writer| {
            write_comment(writer, &entry.body, relative)
        })
    })
}

/// Where the pages that show the widget live, as far as the server can tell from
/// `--allowed-origin` (see the module's documentation).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Site {
    /// No other origin may use the server: the pages are on its own origin.
    Own,
    /// Exactly one other origin may, and it is where the pages are.
    One(String),
    /// Several, or any: a page cannot be told from its key.
    Unknown,
}

impl Site {
    fn of(allowed: &[String]) -> Site {
        let mut origins: Vec<String> = allowed
            .iter()
            .map(|origin| origin.trim().trim_end_matches('/').to_ascii_lowercase())
            .filter(|origin| !origin.is_empty())
            .collect();
        origins.dedup();
        match origins.as_slice() {
            [] => Site::Own,
            [origin] if is_origin(origin) => Site::One(origin.clone()),
            _ => Site::Unknown,
        }
    }

    /// The page of a thread, if its key is a path and the site is known. A key such as
    /// `//evil.example/x` is not a path here: relative, it would name another host.
    fn page(&self, thread: &str) -> Option<String> {
        if !thread.starts_with('/') || thread.starts_with("//") {
            return None;
        }
        match self {
            Site::Own => Some(thread.to_owned()),
            Site::One(origin) => Some(format!("{origin}{thread}")),
            Site::Unknown => None,
        }
    }
}

/// `http(s)://host[:port]` and nothing more.
fn is_origin(origin: &str) -> bool {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    is_web_url(origin) && rest.is_some_and(|rest| !rest.contains(['/', '?', '#', '@']))
}

/// Makes the feeds' ids; see the module's documentation.
struct FeedIds {
    key: [u8; 32],
}

type HmacSha256 = Hmac<Sha256>;

impl FeedIds {
    fn new(secret: &ServerSecret) -> Self {
        // A key of the feeds' own, so that nothing computed here is ever an edit token.
        let mut mac = HmacSha256::new_from_slice(&secret.0).expect("HMAC takes any key");
        mac.update(b"colloquy feed ids v1");
        FeedIds {
            key: mac.finalize().into_bytes().into(),
        }
    }

    /// `urn:uuid:…` for `name`: the HMAC's first 16 bytes with the version (8) and variant
    /// bits of RFC 9562.
    fn named(&self, name: &str) -> String {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(name.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut bytes = [0u8; 16];
        bytes.copy_from_slice(&digest[..16]);
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex = hex::encode(bytes);
        format!(
            "urn:uuid:{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..]
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_version_8_uuids_stable_per_installation_and_name() {
        let ids = FeedIds::new(&ServerSecret([7; 32]));
        let id = ids.named("comment:1");
        assert_eq!(id, ids.named("comment:1"), "stable");
        assert_ne!(id, ids.named("comment:2"));
        assert_ne!(id, FeedIds::new(&ServerSecret([8; 32])).named("comment:1"));
        let uuid = id.strip_prefix("urn:uuid:").unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{uuid}");
        assert!(uuid
            .chars()
            .all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_eq!(&uuid[14..15], "8", "version 8: {uuid}");
        assert!("89ab".contains(&uuid[19..20]), "RFC 9562 variant: {uuid}");
    }

    #[test]
    fn a_page_is_linked_only_when_its_origin_is_known_and_its_key_a_path() {
        let own = Site::of(&[]);
        assert_eq!(own, Site::Own);
        assert_eq!(own.page("/blog/post").as_deref(), Some("/blog/post"));
        assert_eq!(own.page("post-42"), None);
        assert_eq!(own.page("//evil.example/x"), None);

        let one = Site::of(&[" https://Blog.example/ ".to_owned()]);
        assert_eq!(one, Site::One("https://blog.example".into()));
        assert_eq!(
            one.page("/caf%C3%A9").as_deref(),
            Some("https://blog.example/caf%C3%A9")
        );
        assert_eq!(one.page("a:b@c"), None);

        for allowed in [
            vec!["*".to_owned()],
            vec![
                "https://a.example".to_owned(),
                "https://b.example".to_owned(),
            ],
            vec!["https://a.example/path".to_owned()],
            vec!["javascript:alert(1)".to_owned()],
            vec!["https://user@a.example".to_owned()],
        ] {
            let site = Site::of(&allowed);
            assert_eq!(site, Site::Unknown, "{allowed:?}");
            assert_eq!(site.page("/blog/post"), None);
        }
    }

    #[test]
    fn an_empty_feed_is_still_a_whole_feed() {
        let feed = Feed {
            id: "urn:uuid:x".into(),
            title: "Comments on /nothing".into(),
            page: None,
            entries: Vec::new(),
        };
        let xml = String::from_utf8(write_atom(&feed).unwrap()).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(
            xml.contains("<updated>1970-01-01T00:00:00Z</updated>"),
            "{xml}"
        );
        assert!(xml.ends_with("</feed>"), "{xml}");
    }
}
