//! Emails, composed when they are sent (so a burst of replies, or a reply deleted while
//! its email waited, is told as it is then): readers' emails in the language their widget
//! spoke, with the site's name and the page's title; owners' in English. Each has a plain
//! text part and an HTML part, the HTML written element by element, comments drawn from
//! core's markdown tree as the feeds draw them: nothing a reader wrote becomes markup.

use std::io;

use colloquy_core::messages::Messages;
use colloquy_core::model::Comment;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use quick_xml::events::{BytesText, Event};
use quick_xml::Writer;

use super::{page_url, permalink};
use crate::clock::now_ms;
use crate::feed_html::{element, empty_element, text_element, write_comment, RelativeLinks};
use crate::state::AppState;
use crate::storage::{kinds, purposes, Envelope, StoreError, ThreadRef, DEFAULT_SITE};
use crate::tokens::{sha256_hex, ServerSecret};
use crate::words;

/// How long the links in an email work.
const CONFIRM_LINK_MS: i64 = 7 * 86_400_000;
const MODERATE_LINK_MS: i64 = 7 * 86_400_000;
const UNSUBSCRIBE_LINK_MS: i64 = 366 * 86_400_000;
const PRIVACY_LINK_MS: i64 = 86_400_000;

pub enum Composed {
    Mail(Mail),
    /// Nothing left to tell.
    Nothing,
}

pub struct Mail {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (`List-Unsubscribe`, `List-Unsubscribe-Post`).
    pub headers: Vec<(&'static str, String)>,
}

impl Mail {
    pub fn message(&self, from: Mailbox, to: &str) -> Result<Message, String> {
        let to: Mailbox = to
            .parse()
            .map_err(|e| format!("the recipient is not an address: {e}"))?;
        let mut builder = Message::builder().from(from).to(to).subject(&self.subject);
        for (name, value) in &self.headers {
            builder = builder.raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str(name),
                value.clone(),
            ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                self.text.clone(),
                self.html.clone(),
            ))
            .map_err(|e| format!("the email could not be made: {e}"))
    }
}

/// What an email is about: the site and the page.
struct Place {
    site_name: String,
    /// The page's title, else its address, else the thread's key.
    page_name: String,
    page: Option<String>,
}

async fn place(state: &AppState, thread: &ThreadRef) -> Result<Place, StoreError> {
    let sites = state.store.sites().await?;
    let site = sites.iter().find(|s| s.id == thread.site);
    let origins = site.map(|s| s.origins.clone()).unwrap_or_default();
    let page = page_url(&state.notifier, thread, &origins);
    let site_name = match site {
        Some(site) if site.id != DEFAULT_SITE => site.name.clone(),
        _ => host_of(page.as_deref().unwrap_or(&state.notifier.public_url)),
    };
    let title = state.store.thread_title(thread).await?;
    let page_name = title
        .filter(|t| !t.trim().is_empty())
        .or_else(|| page.clone())
        .unwrap_or_else(|| thread.key.clone());
    Ok(Place {
        site_name,
        page_name,
        page,
    })
}

/// `blog.example.org` of `https://blog.example.org/post`.
fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or(rest)
        .to_owned()
}

/// A fresh link token for `purpose`, stored as a hash.
async fn link(
    state: &AppState,
    purpose: &str,
    site: i64,
    email_hash: Option<&str>,
    comment_id: Option<i64>,
    lifetime_ms: i64,
) -> Result<String, StoreError> {
    link_for(
        state,
        purpose,
        site,
        email_hash,
        None,
        comment_id,
        lifetime_ms,
    )
    .await
}

/// [`link`], remembering the address itself (a reader's request for their data, which
/// must find comments imported with no hash of it).
async fn link_for(
    state: &AppState,
    purpose: &str,
    site: i64,
    email_hash: Option<&str>,
    email: Option<&str>,
    comment_id: Option<i64>,
    lifetime_ms: i64,
) -> Result<String, StoreError> {
    let token = ServerSecret::random_token().map_err(|e| StoreError::Randomness(e.to_string()))?;
    state
        .store
        .create_mail_token(
            &sha256_hex(&token),
            purpose,
            site,
            email_hash,
            email,
            comment_id,
            now_ms() + lifetime_ms,
        )
        .await?;
    Ok(token)
}

pub async fn compose(state: &AppState, row: &Envelope) -> Result<Composed, StoreError> {
    match row.kind.as_str() {
        kinds::CONFIRM => confirm(state, row).await,
        kinds::REPLY => replies(state, row).await,
        kinds::OWNER_NEW | kinds::OWNER_PENDING => owner(state, row).await,
        kinds::PRIVACY => privacy(state, row).await,
        _ => Ok(Composed::Nothing),
    }
}

/// The thread of comment `id`.
async fn thread_of(state: &AppState, id: Option<i64>) -> Result<Option<ThreadRef>, StoreError> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(state.store.edit_facts(id).await?.map(|facts| facts.thread))
}

async fn confirm(state: &AppState, row: &Envelope) -> Result<Composed, StoreError> {
    let words = words::catalog(&row.lang);
    let mail = &words.mail;
    let thread = thread_of(state, row.comment_id)
        .await?
        .unwrap_or_else(|| ThreadRef::new(row.site_id, "/"));
    let place = place(state, &thread).await?;
    let hash = state.secret.email_hash(&row.recipient);
    let token = link(
        state,
        purposes::CONFIRM,
        row.site_id,
        Some(&hash),
        row.comment_id,
        CONFIRM_LINK_MS,
    )
    .await?;
    let url = state
        .notifier
        .link(&format!("/email/confirm?token={token}"));
    let values = [
        ("site", place.site_name.as_str()),
        ("page", place.page_name.as_str()),
    ];
    let subject = Messages::fill_in(&mail.confirm_subject, &values);
    let intro = Messages::fill_in(&mail.confirm_intro, &values);
    let text = format!(
        "{intro}\n\n{}: {url}\n\n{}\n",
        mail.confirm_action, mail.confirm_ignore
    );
    let html = document(&words.lang, &subject, |h| {
        text_element(h, "p", &[], &intro)?;
        element(h, "p", &[], |h| {
            text_element(h, "a", &[("href", &url)], &mail.confirm_action)
        })?;
        text_element(h, "p", &[], &mail.confirm_ignore)
    });
    Ok(Composed::Mail(Mail {
        subject,
        text,
        html,
        headers: Vec::new(),
    }))
}

/// The link a reader asked for at `/privacy`, to see, download or erase their comments.
async fn privacy(state: &AppState, row: &Envelope) -> Result<Composed, StoreError> {
    let words = words::catalog(&row.lang);
    let mail = &words.mail;
    let site = place(state, &ThreadRef::new(row.site_id, "/"))
        .await?
        .site_name;
    let hash = state.secret.email_hash(&row.recipient);
    let token = link_for(
        state,
        purposes::PRIVACY,
        row.site_id,
        Some(&hash),
        Some(&row.recipient),
        None,
        PRIVACY_LINK_MS,
    )
    .await?;
    let url = state
        .notifier
        .link(&format!("/email/privacy?token={token}"));
    let values = [("site", site.as_str())];
    let subject = Messages::fill_in(&mail.privacy_subject, &values);
    let intro = Messages::fill_in(&mail.privacy_mail, &values);
    let text = format!("{intro}\n{url}\n\n{}\n", mail.privacy_not_you);
    let html = document(&words.lang, &subject, |h| {
        text_element(h, "p", &[], &intro)?;
        element(h, "p", &[], |h| {
            text_element(h, "a", &[("href", &url)], &url)
        })?;
        text_element(h, "p", &[], &mail.privacy_not_you)
    });
    Ok(Composed::Mail(Mail {
        subject,
        text,
        html,
        headers: Vec::new(),
    }))
}

async fn replies(state: &AppState, row: &Envelope) -> Result<Composed, StoreError> {
    let Some(parent_id) = row.comment_id else {
        return Ok(Composed::Nothing);
    };
    let Some(thread) = thread_of(state, Some(parent_id)).await? else {
        return Ok(Composed::Nothing);
    };
    let mut shown: Vec<Comment> = Vec::new();
    for id in row
        .items
        .split(',')
        .filter_map(|id| id.trim().parse::<i64>().ok())
    {
        if let Some(reply) = state.store.comment_by_id(id).await? {
            if !reply.deleted && !reply.pending {
                shown.push(reply);
            }
        }
    }
    if shown.is_empty() {
        return Ok(Composed::Nothing);
    }
    let words = words::catalog(&row.lang);
    let mail = &words.mail;
    let place = place(state, &thread).await?;
    let hash = state.secret.email_hash(&row.recipient);
    let stop_one = link(
        state,
        purposes::UNSUBSCRIBE,
        row.site_id,
        Some(&hash),
        Some(parent_id),
        UNSUBSCRIBE_LINK_MS,
    )
    .await?;
    let stop_all = link(
        state,
        purposes::UNSUBSCRIBE_SITE,
        row.site_id,
        Some(&hash),
        Some(parent_id),
        UNSUBSCRIBE_LINK_MS,
    )
    .await?;
    let stop_one = state
        .notifier
        .link(&format!("/email/unsubscribe?token={stop_one}"));
    let stop_all = state
        .notifier
        .link(&format!("/email/unsubscribe?token={stop_all}"));
    let first = &shown[0];
    let count = shown.len() as u64;
    let subject = words.reply_subject(count, &first.author, &place.page_name);
    let intro = words.reply_intro(count, &first.author, &place.page_name);
    let stop_site = Messages::fill_in(&mail.stop_site, &[("site", place.site_name.as_str())]);
    let why = Messages::fill_in(&mail.why, &[("site", place.site_name.as_str())]);
    let mut text = format!("{intro}\n");
    for reply in &shown {
        text.push_str(&format!("\n{}:\n{}\n", reply.author, reply.body));
        if let Some(page) = &place.page {
            text.push_str(&format!(
                "{}: {}\n",
                mail.view_reply,
                permalink(page, reply.id)
            ));
        }
    }
    text.push_str(&format!(
        "\n--\n{why}\n{}: {stop_one}\n{stop_site}: {stop_all}\n",
        mail.stop_conversation
    ));
    let html = document(&words.lang, &subject, |h| {
        text_element(h, "p", &[], &intro)?;
        for reply in &shown {
            text_element(h, "p", &[], &reply.author)?;
            element(h, "blockquote", &[], |h| {
                write_comment(h, &reply.body, RelativeLinks::AsText)
            })?;
            if let Some(page) = &place.page {
                let href = permalink(page, reply.id);
                element(h, "p", &[], |h| {
                    text_element(h, "a", &[("href", &href)], &mail.view_reply)
                })?;
            }
        }
        empty_element(h, "hr", &[])?;
        text_element(h, "p", &[], &why)?;
        element(h, "p", &[], |h| {
            text_element(h, "a", &[("href", &stop_one)], &mail.stop_conversation)?;
            h.write_event(Event::Text(BytesText::new(" · ")))?;
            text_element(h, "a", &[("href", &stop_all)], &stop_site)
        })
    });
    Ok(Composed::Mail(Mail {
        subject,
        text,
        html,
        // RFC 8058: one click in the mail program unsubscribes from this conversation,
        // by a POST to the link (a GET only shows what it would do).
        headers: vec![
            ("List-Unsubscribe", format!("<{stop_one}>")),
            (
                "List-Unsubscribe-Post",
                "List-Unsubscribe=One-Click".to_owned(),
            ),
        ],
    }))
}

async fn owner(state: &AppState, row: &Envelope) -> Result<Composed, StoreError> {
    let Some(id) = row.comment_id else {
        return Ok(Composed::Nothing);
    };
    let Some(comment) = state.store.comment_by_id(id).await? else {
        return Ok(Composed::Nothing);
    };
    let Some(thread) = thread_of(state, Some(id)).await? else {
        return Ok(Composed::Nothing);
    };
    let place = place(state, &thread).await?;
    let pending = row.kind == kinds::OWNER_PENDING && comment.pending;
    let console = state.notifier.link(&format!("/admin/comment?id={id}"));
    let mut actions: Vec<(String, String)> = Vec::new();
    if pending {
        for (purpose, label) in [(purposes::APPROVE, "Approve"), (purposes::DELETE, "Delete")] {
            let token = link(
                state,
                purpose,
                row.site_id,
                None,
                Some(id),
                MODERATE_LINK_MS,
            )
            .await?;
            let url = state
                .notifier
                .link(&format!("/email/moderate?token={token}"));
            actions.push((label.to_owned(), url));
        }
    }
    actions.push(("Open in the console".to_owned(), console));
    let subject = if pending {
        format!("A comment awaits your approval on {}", place.page_name)
    } else {
        format!("New comment by {} on {}", comment.author, place.page_name)
    };
    let intro = format!(
        "{} wrote on {} ({}):",
        comment.author, place.page_name, place.site_name
    );
    let mut text = format!("{intro}\n\n{}\n\n", comment.body);
    for (label, url) in &actions {
        text.push_str(&format!("{label}: {url}\n"));
    }
    if pending {
        text.push_str(
            "\nEach link asks you to confirm before it acts, works once, and for seven days.\n",
        );
    }
    let html = document("en", &subject, |h| {
        text_element(h, "p", &[], &intro)?;
        element(h, "blockquote", &[], |h| {
            write_comment(h, &comment.body, RelativeLinks::AsText)
        })?;
        element(h, "p", &[], |h| {
            for (label, url) in &actions {
                text_element(h, "a", &[("href", url)], label)?;
                h.write_event(Event::Text(BytesText::new(" ")))?;
            }
            Ok(())
        })
    });
    Ok(Composed::Mail(Mail {
        subject,
        text,
        html,
        headers: Vec::new(),
    }))
}

/// A whole HTML document around `body` (emails, and the pages their links lead to).
pub(crate) fn document(
    lang: &str,
    title: &str,
    body: impl FnOnce(&mut Writer<Vec<u8>>) -> io::Result<()>,
) -> String {
    let mut html = Writer::new(Vec::new());
    let written = (|| -> io::Result<()> {
        html.write_event(Event::DocType(BytesText::from_escaped("html")))?;
        element(&mut html, "html", &[("lang", lang)], |h| {
            element(h, "head", &[], |h| {
                empty_element(h, "meta", &[("charset", "utf-8")])?;
                text_element(h, "title", &[], title)
            })?;
            element(h, "body", &[], body)
        })
    })();
    match written {
        Ok(()) => String::from_utf8(html.into_inner()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_addresses() {
        assert_eq!(
            host_of("https://blog.example.org/post#x"),
            "blog.example.org"
        );
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1:8080");
    }

    #[test]
    fn html_parts_escape_whatever_they_are_given() {
        let html = document("en", "<t>", |h| {
            text_element(h, "p", &[], "<script>x</script>")
        });
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>"));
    }
}
