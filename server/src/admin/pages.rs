//! The admin pages at `/admin/…`: HTML written here, element by element, through the
//! feeds' escaping writer (see `admin/mod.rs` for why not a wasm app). Every page is one
//! level below `/admin/` and links relatively, so the console works under whatever path a
//! reverse proxy serves the server at.
//!
//! Every action is a `POST` form that answers `303 See Other` back to the page it came
//! from; `POST`s must come from this server's own pages (their `Origin`), and every page
//! forbids framing and inline script (`Content-Security-Policy`).

use std::io;

use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, LOCATION, REFERRER_POLICY, SET_COOKIE,
    X_FRAME_OPTIONS,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use quick_xml::events::{BytesText, Event};
use quick_xml::Writer;
use serde::Deserialize;
use tower_http::set_header::SetResponseHeaderLayer;

use super::auth::{self, LoginRefused};
use super::ops::{self, BlockRequest, Search};
use crate::feed_html::{element, empty_element, text_element, write_comment, RelativeLinks};
use crate::http::extract::ClientAddress;
use crate::http::ApiError;
use crate::settings::{Moderation, Settings};
use crate::state::AppState;
use crate::storage::{AdminComment, Owner, Status};
use crate::tokens::sha256_hex;

pub fn router() -> Router<AppState> {
    let pages = Router::new()
        .route("/admin", get(|| async { see_other("admin/") }))
        .route("/admin/", get(queue))
        .route("/admin/comments", get(comments))
        .route("/admin/comment", get(one_comment))
        .route("/admin/threads", get(threads))
        .route("/admin/blocks", get(blocks))
        .route("/admin/people", get(people))
        .route("/admin/settings", get(settings).post(save_settings))
        .route("/admin/audit", get(audit))
        .route("/admin/deliveries", get(deliveries))
        .route("/admin/login", post(log_in))
        .route("/admin/logout", post(log_out))
        .route("/admin/act", post(act))
        .route("/admin/edit", post(edit))
        .route("/admin/reply", post(reply))
        .route("/admin/lock", post(lock))
        .route("/admin/block", post(block))
        .route("/admin/unblock", post(unblock))
        .route("/admin/erase", post(erase))
        .route(
            "/admin/console.css",
            get(|| async { asset("text/css", include_str!("console.css")) }),
        )
        .route(
            "/admin/console.js",
            get(|| async { asset("text/javascript", include_str!("console.js")) }),
        );
    pages
        .layer(SetResponseHeaderLayer::overriding(
            CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                 connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // Not `no-referrer`: under it browsers send `Origin: null` with a form's post, and
        // the posts' origin check needs the real one. `same-origin` still tells other
        // sites nothing.
        .layer(SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    (
        [
            (CONTENT_TYPE, content_type),
            (CACHE_CONTROL, "public, max-age=300"),
        ],
        text,
    )
        .into_response()
}

fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(
            LOCATION,
            HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("./")),
        )],
    )
        .into_response()
}

type Html = Writer<Vec<u8>>;
type Part<'a> = Box<dyn FnOnce(&mut Html) -> io::Result<()> + 'a>;

/// The console's pages, in the order of its navigation.
const SECTIONS: [(&str, &str); 8] = [
    ("./", "Queue"),
    ("comments", "Comments"),
    ("threads", "Threads"),
    ("blocks", "Blocks"),
    ("people", "People"),
    ("settings", "Settings"),
    ("audit", "Audit log"),
    ("deliveries", "Deliveries"),
];

/// A whole page: `current` names the section it belongs to (none for sign-in).
fn page(
    status: StatusCode,
    title: &str,
    owner: Option<&Owner>,
    current: &str,
    main: Part<'_>,
) -> Response {
    let mut html = Writer::new(Vec::new());
    let written = (|| -> io::Result<()> {
        html.write_event(Event::DocType(BytesText::from_escaped("html")))?;
        element(&mut html, "html", &[("lang", "en")], |h| {
            element(h, "head", &[], |h| {
                empty_element(h, "meta", &[("charset", "utf-8")])?;
                empty_element(
                    h,
                    "meta",
                    &[
                        ("name", "viewport"),
                        ("content", "width=device-width, initial-scale=1"),
                    ],
                )?;
                text_element(h, "title", &[], &format!("{title} · Colloquy console"))?;
                empty_element(h, "link", &[("rel", "stylesheet"), ("href", "console.css")])?;
                element(
                    h,
                    "script",
                    &[("src", "console.js"), ("defer", "defer")],
                    |_| Ok(()),
                )
            })?;
            element(h, "body", &[], |h| {
                if let Some(owner) = owner {
                    element(h, "header", &[], |h| {
                        element(h, "nav", &[("aria-label", "Console")], |h| {
                            for (href, name) in SECTIONS {
                                let mut attributes = vec![("href", href)];
                                if href == current {
                                    attributes.push(("aria-current", "page"));
                                }
                                text_element(h, "a", &attributes, name)?;
                            }
                            Ok(())
                        })?;
                        element(
                            h,
                            "form",
                            &[("method", "post"), ("action", "logout")],
                            |h| {
                                text_element(
                                    h,
                                    "span",
                                    &[],
                                    &format!("{} ({})", owner.name, owner.email),
                                )?;
                                text_element(h, "button", &[("type", "submit")], "Sign out")
                            },
                        )
                    })?;
                }
                element(h, "main", &[("id", "main")], |h| {
                    text_element(h, "h1", &[], title)?;
                    main(h)
                })
            })
        })
    })();
    match written {
        Ok(()) => (
            status,
            [(CONTENT_TYPE, "text/html; charset=utf-8")],
            Bytes::from(html.into_inner()),
        )
            .into_response(),
        Err(error) => ApiError::Internal(error.to_string()).into_response(),
    }
}

/// A paragraph saying what went wrong, announced to screen readers.
fn alert(h: &mut Html, message: &str) -> io::Result<()> {
    text_element(h, "p", &[("class", "alert"), ("role", "alert")], message)
}

fn message_of(error: &ApiError) -> String {
    match error {
        ApiError::Internal(_) => "The server had a problem; nothing was changed.".to_owned(),
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| e.message.clone())
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// The page for a refused action: what went wrong, and the way back.
fn error_page(owner: Option<&Owner>, error: &ApiError, back: &str) -> Response {
    let message = message_of(error);
    page(
        error.status(),
        "That did not work",
        owner,
        "",
        Box::new(move |h| {
            alert(h, &message)?;
            element(h, "p", &[], |h| {
                text_element(h, "a", &[("href", back)], "Back")
            })
        }),
    )
}

/// The page of a console section showing what was `loaded` for it, or the page that says
/// why it could not be.
fn section<T: 'static>(
    owner: &Owner,
    current: &str,
    title: &str,
    loaded: Result<T, ApiError>,
    body: impl FnOnce(&mut Html, T) -> io::Result<()> + 'static,
) -> Response {
    match loaded {
        Ok(data) => page(
            StatusCode::OK,
            title,
            Some(owner),
            current,
            Box::new(move |h| body(h, data)),
        ),
        Err(error) => error_page(Some(owner), &error, current),
    }
}

/// The signed-in owner of a console page: for a page, else the sign-in page in its place;
/// for a form's post, also proof that one of this server's own pages sent it.
struct PageOwner(Owner);

impl FromRequestParts<AppState> for PageOwner {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let headers = &parts.headers;
        let posted = parts.method == Method::POST;
        if posted && (!auth::from_own_origin(headers) || !auth::proves_own_page(headers)) {
            let refused = ApiError::Forbidden(auth::CROSS_SITE.to_owned());
            return Err(error_page(None, &refused, "./"));
        }
        match auth::session_owner(state, headers).await {
            Ok(Some(owner)) => Ok(PageOwner(owner)),
            Ok(None) if posted => Err(login_page(
                StatusCode::UNAUTHORIZED,
                Some("Your session has ended; sign in again."),
            )),
            Ok(None) => Err(login_page(StatusCode::OK, None)),
            Err(error) => Err(error_page(None, &error.into(), "./")),
        }
    }
}

fn login_page(status: StatusCode, problem: Option<&str>) -> Response {
    let problem = problem.map(str::to_owned);
    page(
        status,
        "Sign in",
        None,
        "",
        Box::new(move |h| {
            if let Some(problem) = &problem {
                alert(h, problem)?;
            }
            element(
                h,
                "form",
                &[("method", "post"), ("action", "login"), ("class", "login")],
                |h| {
                    field(
                        h,
                        "email",
                        "Email",
                        "email",
                        "",
                        &[("autocomplete", "username"), ("required", "required")],
                    )?;
                    field(
                        h,
                        "password",
                        "Password",
                        "password",
                        "",
                        &[
                            ("autocomplete", "current-password"),
                            ("required", "required"),
                        ],
                    )?;
                    text_element(h, "button", &[("type", "submit")], "Sign in")
                },
            )
        }),
    )
}

/// A table: `heads` name its columns, `rows` writes its body's rows.
fn table(
    h: &mut Html,
    heads: &[&str],
    rows: impl FnOnce(&mut Html) -> io::Result<()>,
) -> io::Result<()> {
    element(h, "table", &[], |h| {
        element(h, "thead", &[], |h| {
            element(h, "tr", &[], |h| {
                heads
                    .iter()
                    .try_for_each(|head| text_element(h, "th", &[("scope", "col")], head))
            })
        })?;
        element(h, "tbody", &[], rows)
    })
}

/// A labelled input.
fn field(
    h: &mut Html,
    name: &str,
    label: &str,
    kind: &str,
    value: &str,
    extra: &[(&str, &str)],
) -> io::Result<()> {
    let id = format!("field-{name}");
    element(h, "p", &[("class", "field")], |h| {
        text_element(h, "label", &[("for", &id)], label)?;
        let mut attributes = vec![
            ("id", id.as_str()),
            ("name", name),
            ("type", kind),
            ("value", value),
        ];
        attributes.extend_from_slice(extra);
        empty_element(h, "input", &attributes)
    })
}

fn hidden(h: &mut Html, name: &str, value: &str) -> io::Result<()> {
    empty_element(
        h,
        "input",
        &[("type", "hidden"), ("name", name), ("value", value)],
    )
}

fn button(h: &mut Html, name: &str, value: &str, text: &str, class: &str) -> io::Result<()> {
    text_element(
        h,
        "button",
        &[
            ("type", "submit"),
            ("name", name),
            ("value", value),
            ("class", class),
        ],
        text,
    )
}

/// One comment as the owner sees it, with its actions as buttons of the page's form
/// (`one` = `action id`), and, in a list that allows it, a checkbox for bulk actions.
fn comment_item(h: &mut Html, comment: &AdminComment, selectable: bool) -> io::Result<()> {
    let id = comment.id.to_string();
    let status = comment.status.as_str();
    element(
        h,
        "li",
        &[
            ("class", &format!("comment {status}")),
            ("data-id", &id),
            ("tabindex", "-1"),
        ],
        |h| {
            element(h, "div", &[("class", "meta")], |h| {
                if selectable {
                    let label = format!("Select the comment by {}", shown_author(comment));
                    empty_element(
                        h,
                        "input",
                        &[
                            ("type", "checkbox"),
                            ("name", "id"),
                            ("value", &id),
                            ("aria-label", &label),
                        ],
                    )?;
                }
                text_element(h, "strong", &[("dir", "auto")], &shown_author(comment))?;
                if let Some(email) = &comment.email {
                    text_element(h, "span", &[("class", "email")], email)?;
                }
                if comment.by_owner {
                    text_element(h, "span", &[("class", "badge")], "Author")?;
                }
                if comment.pinned {
                    text_element(h, "span", &[("class", "badge")], "Pinned")?;
                }
                text_element(h, "span", &[("class", &format!("status {status}"))], status)?;
                element(h, "span", &[], |h| {
                    h.write_event(Event::Text(BytesText::new(" on ")))?;
                    let href = format!("comments?thread={}", url_part(&comment.thread));
                    text_element(h, "a", &[("href", &href)], &comment.thread)
                })?;
                text_element(
                    h,
                    "time",
                    &[("datetime", &comment.created_at)],
                    &comment.created_at,
                )?;
                if let Some(address) = &comment.client_address {
                    text_element(h, "span", &[("class", "address")], address)?;
                }
                Ok(())
            })?;
            element(h, "div", &[("class", "body")], |h| {
                if comment.status == Status::Deleted {
                    text_element(h, "p", &[], "This comment was deleted.")
                } else {
                    write_comment(h, &comment.body, RelativeLinks::AsText)
                }
            })?;
            element(h, "div", &[("class", "actions")], |h| {
                if comment.status == Status::Pending {
                    button(h, "one", &format!("approve {id}"), "Approve", "approve")?;
                }
                if comment.status != Status::Deleted {
                    button(h, "one", &format!("delete {id}"), "Delete", "delete")?;
                }
                text_element(
                    h,
                    "a",
                    &[("href", &format!("comment?id={id}")), ("class", "open")],
                    "Open",
                )
            })
        },
    )
}

fn shown_author(comment: &AdminComment) -> String {
    if comment.status == Status::Deleted {
        "(deleted)".to_owned()
    } else {
        comment.author.clone()
    }
}

/// `text` for a URL's query, percent-encoded.
fn url_part(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A list of comments inside the form that acts on them.
fn comment_list<'a>(comments: &'a [AdminComment], back: &'a str, bulk: bool) -> Part<'a> {
    Box::new(move |h| {
        if comments.is_empty() {
            return text_element(h, "p", &[("class", "empty")], "Nothing here.");
        }
        element(
            h,
            "form",
            &[("method", "post"), ("action", "act"), ("class", "list")],
            |h| {
                hidden(h, "return", back)?;
                if bulk {
                    element(h, "p", &[("class", "bulk")], |h| {
                        button(h, "action", "approve", "Approve selected", "approve")?;
                        button(h, "action", "delete", "Delete selected", "delete")
                    })?;
                }
                element(h, "ol", &[("class", "comments")], |h| {
                    comments.iter().try_for_each(|c| comment_item(h, c, bulk))
                })
            },
        )
    })
}

const SHORTCUTS: &str =
    "Keys: j and k move between comments, x selects one, a approves, d deletes, \
     o opens it. Tab reaches every button too.";

async fn queue(State(state): State<AppState>, PageOwner(owner): PageOwner) -> Response {
    let search = Search {
        status: Some("pending".into()),
        ..Search::default()
    };
    match ops::search(&state, &owner, &search).await {
        Ok(pending) => page(
            StatusCode::OK,
            &format!("Awaiting approval ({})", pending.len()),
            Some(&owner),
            "./",
            Box::new(move |h| {
                text_element(h, "p", &[("class", "keys"), ("id", "keys")], SHORTCUTS)?;
                comment_list(&pending, "./", true)(h)
            }),
        ),
        Err(error) => error_page(Some(&owner), &error, "./"),
    }
}

async fn comments(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    search: Result<Query<Search>, QueryRejection>,
) -> Response {
    let search = search.map(|Query(s)| s).unwrap_or_default();
    let found = match ops::search(&state, &owner, &search).await {
        Ok(found) => found,
        Err(error) => return error_page(Some(&owner), &error, "comments"),
    };
    let back = format!(
        "comments?{}",
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("status", search.status.as_deref().unwrap_or("")),
                ("thread", search.thread.as_deref().unwrap_or("")),
                ("author", search.author.as_deref().unwrap_or("")),
                ("text", search.text.as_deref().unwrap_or("")),
                ("from", search.from.as_deref().unwrap_or("")),
                ("to", search.to.as_deref().unwrap_or("")),
            ])
            .finish()
    );
    page(
        StatusCode::OK,
        "Comments",
        Some(&owner),
        "comments",
        Box::new(move |h| {
            element(
                h,
                "form",
                &[
                    ("method", "get"),
                    ("action", "comments"),
                    ("class", "search"),
                ],
                |h| {
                    field(
                        h,
                        "thread",
                        "Thread",
                        "text",
                        search.thread.as_deref().unwrap_or(""),
                        &[],
                    )?;
                    field(
                        h,
                        "author",
                        "Author or email",
                        "text",
                        search.author.as_deref().unwrap_or(""),
                        &[],
                    )?;
                    field(
                        h,
                        "text",
                        "Text",
                        "search",
                        search.text.as_deref().unwrap_or(""),
                        &[],
                    )?;
                    field(
                        h,
                        "from",
                        "From (day)",
                        "date",
                        search.from.as_deref().unwrap_or(""),
                        &[],
                    )?;
                    field(
                        h,
                        "to",
                        "To (day)",
                        "date",
                        search.to.as_deref().unwrap_or(""),
                        &[],
                    )?;
                    element(h, "p", &[("class", "field")], |h| {
                        text_element(h, "label", &[("for", "field-status")], "Status")?;
                        element(
                            h,
                            "select",
                            &[("id", "field-status"), ("name", "status")],
                            |h| {
                                let chosen = search.status.as_deref().unwrap_or("");
                                for (value, label) in [
                                    ("", "Any"),
                                    ("pending", "Awaiting approval"),
                                    ("published", "Published"),
                                    ("deleted", "Deleted"),
                                ] {
                                    let mut attributes = vec![("value", value)];
                                    if value == chosen {
                                        attributes.push(("selected", "selected"));
                                    }
                                    text_element(h, "option", &attributes, label)?;
                                }
                                Ok(())
                            },
                        )
                    })?;
                    text_element(h, "button", &[("type", "submit")], "Search")
                },
            )?;
            text_element(h, "p", &[("class", "keys"), ("id", "keys")], SHORTCUTS)?;
            comment_list(&found, &back, true)(h)
        }),
    )
}

#[derive(Deserialize)]
struct IdQuery {
    id: Option<String>,
}

async fn one_comment(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    query: Result<Query<IdQuery>, QueryRejection>,
) -> Response {
    let id = query
        .ok()
        .and_then(|Query(q)| q.id)
        .and_then(|id| id.trim().parse::<i64>().ok());
    let found = match id {
        Some(id) => ops::comment(&state, &owner, id).await,
        None => Err(ApiError::BadRequest("Which comment? Give ?id=.".into())),
    };
    let comment = match found {
        Ok(comment) => comment,
        Err(error) => return error_page(Some(&owner), &error, "comments"),
    };
    let id = comment.id.to_string();
    let back = format!("comment?id={id}");
    page(
        StatusCode::OK,
        &format!("Comment {id}"),
        Some(&owner),
        "comments",
        Box::new(move |h| {
            element(h, "form", &[("method", "post"), ("action", "act")], |h| {
                hidden(h, "return", &back)?;
                element(h, "ol", &[("class", "comments")], |h| {
                    comment_item(h, &comment, false)
                })?;
                if comment.status == Status::Published {
                    element(h, "p", &[("class", "actions")], |h| {
                        if comment.pinned {
                            button(h, "one", &format!("unpin {id}"), "Unpin", "pin")
                        } else {
                            button(h, "one", &format!("pin {id}"), "Pin to the top", "pin")
                        }
                    })?;
                }
                Ok(())
            })?;
            if comment.status == Status::Deleted {
                return Ok(());
            }
            text_element(h, "h2", &[], "Edit")?;
            element(h, "form", &[("method", "post"), ("action", "edit")], |h| {
                hidden(h, "id", &id)?;
                text_element(h, "label", &[("for", "edit-body")], "Text")?;
                text_element(
                    h,
                    "textarea",
                    &[("id", "edit-body"), ("name", "body"), ("rows", "6")],
                    &comment.body,
                )?;
                text_element(h, "button", &[("type", "submit")], "Save")
            })?;
            if comment.status == Status::Published {
                text_element(h, "h2", &[], "Reply as the author")?;
                element(h, "form", &[("method", "post"), ("action", "reply")], |h| {
                    hidden(h, "id", &id)?;
                    text_element(h, "label", &[("for", "reply-body")], "Your reply")?;
                    text_element(
                        h,
                        "textarea",
                        &[
                            ("id", "reply-body"),
                            ("name", "body"),
                            ("rows", "4"),
                            ("required", "required"),
                        ],
                        "",
                    )?;
                    text_element(h, "button", &[("type", "submit")], "Reply")
                })?;
            }
            text_element(h, "h2", &[], "Block the author")?;
            element(h, "form", &[("method", "post"), ("action", "block")], |h| {
                hidden(h, "comment_id", &id)?;
                text_element(
                    h,
                    "p",
                    &[],
                    "Their email and address will be refused from now on.",
                )?;
                field(
                    h,
                    "until",
                    "Until (day; empty: until unblocked)",
                    "date",
                    "",
                    &[],
                )?;
                field(h, "note", "Note", "text", "", &[])?;
                text_element(h, "button", &[("type", "submit")], "Block")
            })
        }),
    )
}

async fn threads(State(state): State<AppState>, PageOwner(owner): PageOwner) -> Response {
    let loaded = state
        .store
        .thread_summaries(owner.site)
        .await
        .map_err(ApiError::from);
    section(&owner, "threads", "Threads", loaded, move |h, threads| {
        if threads.is_empty() {
            return text_element(h, "p", &[("class", "empty")], "No threads yet.");
        }
        table(
            h,
            &[
                "Thread",
                "Published",
                "Awaiting approval",
                "Last activity",
                "Comments",
            ],
            |h| {
                for thread in &threads {
                    element(h, "tr", &[], |h| {
                        element(h, "th", &[("scope", "row")], |h| {
                            let href = format!("comments?thread={}", url_part(&thread.key));
                            text_element(h, "a", &[("href", &href)], &thread.key)?;
                            if let Some(title) = &thread.title {
                                text_element(
                                    h,
                                    "span",
                                    &[("class", "title"), ("dir", "auto")],
                                    title,
                                )?;
                            }
                            Ok(())
                        })?;
                        text_element(h, "td", &[], &thread.published.to_string())?;
                        text_element(h, "td", &[], &thread.pending.to_string())?;
                        text_element(h, "td", &[], thread.last_activity.as_deref().unwrap_or("–"))?;
                        element(h, "td", &[], |h| {
                            element(h, "form", &[("method", "post"), ("action", "lock")], |h| {
                                hidden(h, "key", &thread.key)?;
                                if thread.locked {
                                    text_element(h, "span", &[("class", "status")], "Closed")?;
                                    button(h, "locked", "false", "Open", "lock")
                                } else {
                                    button(h, "locked", "true", "Close", "lock")
                                }
                            })
                        })?;
                        Ok(())
                    })?;
                }
                Ok(())
            },
        )
    })
}

async fn blocks(State(state): State<AppState>, PageOwner(owner): PageOwner) -> Response {
    let loaded = state.store.blocks(owner.site).await.map_err(ApiError::from);
    section(&owner, "blocks", "Blocks", loaded, move |h, blocks| {
        if blocks.is_empty() {
            text_element(h, "p", &[("class", "empty")], "Nobody is blocked.")?;
        } else {
            element(h, "ul", &[("class", "blocks")], |h| {
                for block in &blocks {
                    element(h, "li", &[], |h| {
                        element(
                            h,
                            "form",
                            &[("method", "post"), ("action", "unblock")],
                            |h| {
                                let whom = match (&block.email_hash, &block.client_address) {
                                    (Some(_), Some(address)) => {
                                        format!("an email and {address}")
                                    }
                                    (Some(_), None) => "an email".to_owned(),
                                    (None, Some(address)) => address.clone(),
                                    (None, None) => "nobody".to_owned(),
                                };
                                let until = block.until.as_deref().unwrap_or("until unblocked");
                                text_element(
                                    h,
                                    "span",
                                    &[],
                                    &format!("{whom}, {until}, since {}", block.created_at),
                                )?;
                                if !block.note.is_empty() {
                                    text_element(h, "span", &[("class", "note")], &block.note)?;
                                }
                                hidden(h, "id", &block.id.to_string())?;
                                text_element(h, "button", &[("type", "submit")], "Unblock")
                            },
                        )
                    })?;
                }
                Ok(())
            })?;
        }
        text_element(h, "h2", &[], "Block someone")?;
        element(h, "form", &[("method", "post"), ("action", "block")], |h| {
            field(h, "email", "Email", "email", "", &[])?;
            field(h, "client_address", "Address", "text", "", &[])?;
            field(
                h,
                "until",
                "Until (day; empty: until unblocked)",
                "date",
                "",
                &[],
            )?;
            field(h, "note", "Note", "text", "", &[])?;
            text_element(h, "button", &[("type", "submit")], "Block")
        })
    })
}

#[derive(Deserialize)]
struct EmailQuery {
    email: Option<String>,
    erased: Option<String>,
}

async fn people(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    query: Result<Query<EmailQuery>, QueryRejection>,
) -> Response {
    let (email, erased) = query
        .ok()
        .map(|Query(q)| (q.email.unwrap_or_default(), q.erased))
        .unwrap_or_default();
    let found = if email.trim().is_empty() {
        None
    } else {
        match ops::personal_data(&state, &owner, &email).await {
            Ok(found) => Some(found),
            Err(error) => return error_page(Some(&owner), &error, "people"),
        }
    };
    page(
        StatusCode::OK,
        "People",
        Some(&owner),
        "people",
        Box::new(move |h| {
            if let Some(count) = &erased {
                text_element(
                    h,
                    "p",
                    &[("class", "done"), ("role", "status")],
                    &format!("Erased: {count} comments."),
                )?;
            }
            text_element(
                h,
                "p",
                &[],
                "Find everything written with an email address, hand it over as JSON (GDPR \
                 article 15), or erase it (article 17).",
            )?;
            element(
                h,
                "form",
                &[("method", "get"), ("action", "people"), ("class", "search")],
                |h| {
                    field(
                        h,
                        "email",
                        "Email",
                        "email",
                        &email,
                        &[("required", "required")],
                    )?;
                    text_element(h, "button", &[("type", "submit")], "Find")
                },
            )?;
            let Some(found) = &found else {
                return Ok(());
            };
            text_element(
                h,
                "h2",
                &[],
                &format!("{} comments by {}", found.comments.len(), found.email),
            )?;
            let json = format!("../api/v1/admin/people?email={}", url_part(&found.email));
            element(h, "p", &[], |h| {
                text_element(
                    h,
                    "a",
                    &[("href", &json), ("download", "personal-data.json")],
                    "Download as JSON",
                )
            })?;
            comment_list(&found.comments, "people", false)(h)?;
            if found.comments.is_empty() {
                return Ok(());
            }
            element(
                h,
                "form",
                &[("method", "post"), ("action", "erase"), ("class", "danger")],
                |h| {
                    hidden(h, "email", &found.email)?;
                    element(h, "p", &[], |h| {
                        empty_element(
                            h,
                            "input",
                            &[
                                ("type", "checkbox"),
                                ("id", "erase-sure"),
                                ("name", "sure"),
                                ("value", "yes"),
                                ("required", "required"),
                            ],
                        )?;
                        text_element(
                            h,
                            "label",
                            &[("for", "erase-sure")],
                            "Erase everything of this person; this cannot be undone.",
                        )
                    })?;
                    text_element(
                        h,
                        "button",
                        &[("type", "submit"), ("class", "delete")],
                        "Erase",
                    )
                },
            )
        }),
    )
}

async fn settings(State(state): State<AppState>, PageOwner(owner): PageOwner) -> Response {
    match ops::settings(&state, &owner).await {
        Ok(current) => settings_page(&owner, current, None),
        Err(error) => error_page(Some(&owner), &error, "settings"),
    }
}

fn settings_page(owner: &Owner, current: Settings, saved: Option<&str>) -> Response {
    let saved = saved.map(str::to_owned);
    page(
        StatusCode::OK,
        "Settings",
        Some(owner),
        "settings",
        Box::new(move |h| {
            if let Some(saved) = &saved {
                text_element(h, "p", &[("class", "done"), ("role", "status")], saved)?;
            }
            element(
                h,
                "form",
                &[("method", "post"), ("action", "settings")],
                |h| {
                    element(h, "p", &[("class", "field")], |h| {
                        text_element(h, "label", &[("for", "field-moderation")], "Moderation")?;
                        element(
                            h,
                            "select",
                            &[("id", "field-moderation"), ("name", "moderation")],
                            |h| {
                                for (mode, label) in [
                            (Moderation::None, "None: publish every comment at once"),
                            (Moderation::FirstTime, "First time: hold a commenter's comments until one is approved"),
                            (Moderation::All, "All: hold every comment"),
                        ] {
                            let mut attributes = vec![("value", mode.as_str())];
                            if mode == current.moderation {
                                attributes.push(("selected", "selected"));
                            }
                            text_element(h, "option", &attributes, label)?;
                        }
                                Ok(())
                            },
                        )
                    })?;
                    field(
                        h,
                        "posts_per_minute",
                        "Comments per minute from one address (0: no limit)",
                        "number",
                        &current.posts_per_minute.to_string(),
                        &[("min", "0")],
                    )?;
                    field(
                        h,
                        "edit_window_secs",
                        "Seconds an author may edit their comment",
                        "number",
                        &current.edit_window_secs.to_string(),
                        &[("min", "0")],
                    )?;
                    text_element(h, "button", &[("type", "submit")], "Save")
                },
            )
        }),
    )
}

async fn audit(State(state): State<AppState>, PageOwner(owner): PageOwner) -> Response {
    let loaded = state
        .store
        .audit_log(owner.site, 500)
        .await
        .map_err(ApiError::from);
    section(&owner, "audit", "Audit log", loaded, move |h, entries| {
        if entries.is_empty() {
            return text_element(h, "p", &[("class", "empty")], "Nothing done yet.");
        }
        table(h, &["When", "Who", "What", "Comment", "Details"], |h| {
            for entry in &entries {
                element(h, "tr", &[], |h| {
                    text_element(h, "td", &[], &entry.at)?;
                    text_element(h, "td", &[], &entry.actor)?;
                    text_element(h, "td", &[], &entry.action)?;
                    element(h, "td", &[], |h| match entry.comment_id {
                        Some(id) => text_element(
                            h,
                            "a",
                            &[("href", &format!("comment?id={id}"))],
                            &id.to_string(),
                        ),
                        None => Ok(()),
                    })?;
                    text_element(h, "td", &[], &entry.detail)
                })?;
            }
            Ok(())
        })
    })
}

async fn deliveries(State(state): State<AppState>, PageOwner(owner): PageOwner) -> Response {
    let loaded = state
        .store
        .deliveries(owner.site, 200)
        .await
        .map_err(ApiError::from);
    section(
        &owner,
        "deliveries",
        "Deliveries",
        loaded,
        move |h, deliveries| {
            if deliveries.is_empty() {
                return text_element(
                    h,
                    "p",
                    &[("class", "empty")],
                    "No email or webhook call yet (email needs --smtp-url; webhooks --webhook).",
                );
            }
            table(
                h,
                &["Made", "To", "What", "State", "Tries", "Sent", "Last error"],
                |h| {
                    for delivery in &deliveries {
                        element(h, "tr", &[("class", &delivery.state)], |h| {
                            text_element(h, "td", &[], &delivery.created_at)?;
                            text_element(h, "td", &[], &delivery.recipient)?;
                            text_element(h, "td", &[], &delivery.kind)?;
                            text_element(h, "td", &[], &delivery.state)?;
                            text_element(h, "td", &[], &delivery.attempts.to_string())?;
                            text_element(h, "td", &[], delivery.sent_at.as_deref().unwrap_or("–"))?;
                            text_element(h, "td", &[], delivery.last_error.as_deref().unwrap_or(""))
                        })?;
                    }
                    Ok(())
                },
            )
        },
    )
}

/// A form's fields, every value of every name kept (bulk actions repeat `id`).
struct FormFields(Vec<(String, String)>);

impl FormFields {
    fn parse(body: &Bytes) -> Self {
        FormFields(form_urlencoded::parse(body).into_owned().collect())
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn text(&self, name: &str) -> String {
        self.get(name).unwrap_or_default().to_owned()
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    fn id(&self, name: &str) -> Result<i64, ApiError> {
        self.get(name)
            .and_then(|id| id.trim().parse().ok())
            .ok_or_else(|| ApiError::BadRequest(format!("The form's {name} is not a number.")))
    }
}

/// Where a form sends the owner back: one of the console's own pages, never elsewhere.
fn safe_return(target: &str) -> &str {
    let own = !target.is_empty()
        && !target.starts_with('/')
        && !target.contains("//")
        && !target.contains(':')
        && !target.contains('\\');
    if own {
        target
    } else {
        "./"
    }
}

async fn log_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !auth::from_own_origin(&headers) {
        return login_page(StatusCode::FORBIDDEN, Some(auth::CROSS_SITE));
    }
    let form = FormFields::parse(&body);
    match auth::log_in(
        &state,
        &form.text("email"),
        &form.text("password"),
        &client.to_string(),
    )
    .await
    {
        Ok((_owner, session)) => {
            let cookie =
                auth::session_cookie(&session, auth::is_https(&state, &headers, Some(client)));
            let mut response = see_other("./");
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().insert(SET_COOKIE, value);
            }
            response
        }
        Err(refused) => {
            let status = match refused {
                LoginRefused::Wrong => StatusCode::UNAUTHORIZED,
                LoginRefused::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
                _ => StatusCode::TOO_MANY_REQUESTS,
            };
            login_page(status, Some(&refused.message()))
        }
    }
}

async fn log_out(
    State(state): State<AppState>,
    _signed_in: PageOwner,
    headers: HeaderMap,
) -> Response {
    if let Some(session) = auth::session_id(&headers) {
        if let Err(error) = state.store.end_session(&sha256_hex(&session)).await {
            return error_page(None, &error.into(), "./");
        }
    }
    let mut response = see_other("./");
    if let Ok(value) = HeaderValue::from_str(&auth::cleared_cookie(auth::is_https(
        &state, &headers, None,
    ))) {
        response.headers_mut().insert(SET_COOKIE, value);
    }
    response
}

/// Approve, delete, pin or unpin: one comment (a button named `one`, valued
/// `action id`), or every selected one (`action`, with each `id`).
async fn act(State(state): State<AppState>, PageOwner(owner): PageOwner, body: Bytes) -> Response {
    let form = FormFields::parse(&body);
    let back = safe_return(form.get("return").unwrap_or("./")).to_owned();
    let (action, ids): (String, Vec<String>) =
        match form.get("one").and_then(|one| one.split_once(' ')) {
            Some((action, id)) => (action.to_owned(), vec![id.to_owned()]),
            None => (
                form.text("action"),
                form.all("id").map(str::to_owned).collect(),
            ),
        };
    if ids.is_empty() {
        return error_page(
            Some(&owner),
            &ApiError::BadRequest("Select a comment first.".into()),
            &back,
        );
    }
    for id in ids {
        let Ok(id) = id.trim().parse::<i64>() else {
            return error_page(
                Some(&owner),
                &ApiError::BadRequest("A comment id is not a number.".into()),
                &back,
            );
        };
        let done = match action.as_str() {
            "approve" => ops::approve(&state, &owner, id).await,
            "delete" => ops::delete(&state, &owner, id).await,
            "pin" => ops::pin(&state, &owner, id, true).await,
            "unpin" => ops::pin(&state, &owner, id, false).await,
            _ => Err(ApiError::BadRequest(
                "The form asked for no known action.".into(),
            )),
        };
        if let Err(error) = done {
            return error_page(Some(&owner), &error, &back);
        }
    }
    see_other(&back)
}

async fn edit(State(state): State<AppState>, PageOwner(owner): PageOwner, body: Bytes) -> Response {
    let form = FormFields::parse(&body);
    let done = match form.id("id") {
        Ok(id) => ops::edit(&state, &owner, id, &form.text("body"))
            .await
            .map(|_| id),
        Err(error) => Err(error),
    };
    match done {
        Ok(id) => see_other(&format!("comment?id={id}")),
        Err(error) => error_page(Some(&owner), &error, "comments"),
    }
}

async fn reply(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    body: Bytes,
) -> Response {
    let form = FormFields::parse(&body);
    let done = match form.id("id") {
        Ok(id) => ops::reply(&state, &owner, id, &form.text("body")).await,
        Err(error) => Err(error),
    };
    match done {
        Ok(reply) => see_other(&format!("comment?id={}", reply.id)),
        Err(error) => error_page(Some(&owner), &error, "comments"),
    }
}

async fn lock(State(state): State<AppState>, PageOwner(owner): PageOwner, body: Bytes) -> Response {
    let form = FormFields::parse(&body);
    let locked = form.get("locked") == Some("true");
    match ops::lock(&state, &owner, &form.text("key"), locked).await {
        Ok(()) => see_other("threads"),
        Err(error) => error_page(Some(&owner), &error, "threads"),
    }
}

async fn block(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    body: Bytes,
) -> Response {
    let form = FormFields::parse(&body);
    let request = BlockRequest {
        comment_id: form.get("comment_id").and_then(|id| id.trim().parse().ok()),
        email: form.get("email").map(str::to_owned),
        client_address: form.get("client_address").map(str::to_owned),
        until: form.get("until").map(str::to_owned),
        note: form.text("note"),
    };
    match ops::block(&state, &owner, &request).await {
        Ok(_) => see_other("blocks"),
        Err(error) => error_page(Some(&owner), &error, "blocks"),
    }
}

async fn unblock(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    body: Bytes,
) -> Response {
    let form = FormFields::parse(&body);
    let done = match form.id("id") {
        Ok(id) => ops::unblock(&state, &owner, id).await,
        Err(error) => Err(error),
    };
    match done {
        Ok(()) => see_other("blocks"),
        Err(error) => error_page(Some(&owner), &error, "blocks"),
    }
}

async fn save_settings(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    body: Bytes,
) -> Response {
    let form = FormFields::parse(&body);
    let parsed = (|| -> Result<Settings, ApiError> {
        let number = |name: &str, what: &str| -> Result<u64, ApiError> {
            form.get(name)
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("{what} must be a whole number from 0."))
                })
        };
        Ok(Settings {
            moderation: form
                .text("moderation")
                .parse()
                .map_err(ApiError::BadRequest)?,
            posts_per_minute: u32::try_from(number("posts_per_minute", "Comments per minute")?)
                .map_err(|_| ApiError::BadRequest("Comments per minute is too large.".into()))?,
            edit_window_secs: number("edit_window_secs", "The edit window")?,
        })
    })();
    let saved = match parsed {
        Ok(settings) => ops::set_settings(&state, &owner, settings).await,
        Err(error) => Err(error),
    };
    match saved {
        Ok(settings) => settings_page(&owner, settings, Some("Saved.")),
        Err(error) => error_page(Some(&owner), &error, "settings"),
    }
}

async fn erase(
    State(state): State<AppState>,
    PageOwner(owner): PageOwner,
    body: Bytes,
) -> Response {
    let form = FormFields::parse(&body);
    if form.get("sure") != Some("yes") {
        return error_page(
            Some(&owner),
            &ApiError::BadRequest("Tick the box to say you mean it.".into()),
            "people",
        );
    }
    match ops::erase(&state, &owner, &form.text("email")).await {
        Ok(count) => see_other(&format!("people?erased={count}")),
        Err(error) => error_page(Some(&owner), &error, "people"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_send_the_owner_back_only_to_console_pages() {
        assert_eq!(
            safe_return("comments?thread=%2Fpost"),
            "comments?thread=%2Fpost"
        );
        assert_eq!(safe_return("comment?id=4"), "comment?id=4");
        for elsewhere in [
            "https://evil.example/",
            "//evil.example",
            "/admin/",
            "javascript:alert(1)",
            "",
        ] {
            assert_eq!(safe_return(elsewhere), "./", "{elsewhere}");
        }
    }

    #[test]
    fn repeated_fields_are_all_kept() {
        let form = FormFields::parse(&Bytes::from_static(b"action=approve&id=1&id=2&return=.%2F"));
        assert_eq!(form.all("id").collect::<Vec<_>>(), ["1", "2"]);
        assert_eq!(form.get("return"), Some("./"));
        assert!(form.id("nothing").is_err());
    }
}
