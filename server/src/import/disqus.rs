//! Disqus's export (Admin → Moderation → Export: `<forum>-<date>-all.xml`), read as a
//! stream.
//!
//! The document is `<disqus xmlns="http://disqus.com"
//! xmlns:dsq="http://disqus.com/disqus-internals">` holding, in this order, `<category>`s,
//! `<thread dsq:id>`s (`<link>`, `<title>`, `<id>` (the identifier the embed passed),
//! `<createdAt>`, `<author>`, `<isClosed>`, `<isDeleted>`…) and `<post dsq:id>`s
//! (`<message>` as HTML in CDATA, `<createdAt>`, `<isDeleted>`, `<isSpam>`, sometimes
//! `<isApproved>`, `<author>` with `<name>`, `<email>`, `<isAnonymous>`, `<username>`,
//! sometimes `<link>`; `<thread dsq:id>` and, for a reply, `<parent dsq:id>`).
//!
//! Threads come out as [`Record::Thread`] as they are read (key: the path and query of
//! `<link>`, less the tracking parameters Disqus links often carry, see
//! [`without_tracking`]; a site with plain permalinks has `/?p=12`), each key once: Disqus
//! exports are known to hold several `<thread>`s for one URL. Only `dsq:id → key` is
//! remembered, so memory grows with the number of threads, not of posts. Posts come out
//! as [`Record::Comment`]s.
//!
//! Decisions:
//! - A post naming a thread that the file did not give before it, or a thread without a
//!   `<link>`, belongs to no page: it comes out as [`Record::Skipped`] and is counted.
//! - Status: `isDeleted` → Deleted, else `isSpam` → Spam, else `isApproved` false →
//!   Pending, else Approved. A deleted post has lost its message (and often its author).
//! - The author is `<name>`, else `<username>`, else "Anonymous"; the website is the
//!   author's `<link>` when the export has one.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use super::html::html_to_markdown;
use super::wordpress::{non_empty, parse_iso8601, url_path, ANONYMOUS};
use super::xml::{next_record, ExportReader, ReaderState, XmlError};
use super::{ImportedComment, InputError, Record, SourceStatus};

/// Reads a Disqus export as records; the iterator ends after the first error.
pub fn read<R: BufRead>(input: R) -> impl Iterator<Item = Result<Record, InputError>> {
    DisqusRecords {
        state: ReaderState::new(input),
        threads: HashMap::new(),
        keys: HashSet::new(),
        posts: 0,
        thread: None,
        post: None,
    }
}

struct DisqusRecords<R> {
    state: ReaderState<R>,
    /// Every thread read so far: `dsq:id` → its key (`None`: it has no link).
    threads: HashMap<String, Option<String>>,
    /// The keys already given as [`Record::Thread`].
    keys: HashSet<String>,
    /// `<post>`s seen so far, for naming one without an id.
    posts: usize,
    thread: Option<Thread>,
    post: Option<Post>,
}

#[derive(Default)]
struct Thread {
    id: Option<String>,
    link: String,
    title: String,
}

#[derive(Default)]
struct Post {
    ordinal: usize,
    id: Option<String>,
    message: String,
    created_at: String,
    is_deleted: String,
    is_spam: String,
    is_approved: String,
    name: String,
    username: String,
    email: String,
    website: String,
    thread: Option<String>,
    parent: Option<String>,
}

impl<R: BufRead> Iterator for DisqusRecords<R> {
    type Item = Result<Record, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        next_record(self)
    }
}

/// The `dsq:id` among an element's attributes (any prefix bound to Disqus's internals;
/// the export always calls it `dsq`).
fn dsq_id(attributes: &[(String, String)]) -> Option<String> {
    attributes
        .iter()
        .find(|(key, _)| key.ends_with(":id"))
        .map(|(_, value)| value.trim().to_string())
        .filter(|value| !value.is_empty())
}

/// A key without the query parameters that only say where a visitor came from
/// (`utm_*`, `fbclid`…, which Disqus keeps in the link of a thread first opened from such
/// a URL) nor WordPress's `replytocom`; the rest of the query stays (`/?p=12`).
fn without_tracking(key: &str) -> String {
    let Some((path, query)) = key.split_once('?') else {
        return key.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|parameter| {
            let name = parameter.split('=').next().unwrap_or_default();
            !(parameter.is_empty()
                || name.starts_with("utm_")
                || matches!(
                    name,
                    "fbclid"
                        | "gclid"
                        | "dclid"
                        | "msclkid"
                        | "mc_cid"
                        | "mc_eid"
                        | "_ga"
                        | "_gl"
                        | "replytocom"
                ))
        })
        .collect();
    if kept.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

fn is_true(text: &str) -> bool {
    matches!(text.trim(), "true" | "1")
}

impl<R: BufRead> ExportReader<R> for DisqusRecords<R> {
    const ROOT: &'static str = "disqus";
    const NAME: &'static str = "a Disqus export";

    fn state(&mut self) -> &mut ReaderState<R> {
        &mut self.state
    }

    fn start(&mut self, name: String) -> Result<(), InputError> {
        let parent = self.state.xml.open_from_end(1);
        let grandparent = self.state.xml.open_from_end(2);
        match (grandparent, parent, name.as_str()) {
            (_, Some("disqus"), "thread") => {
                self.thread = Some(Thread {
                    id: dsq_id(self.state.xml.attributes()),
                    ..Thread::default()
                });
            }
            (_, Some("disqus"), "post") => {
                self.posts += 1;
                self.post = Some(Post {
                    ordinal: self.posts,
                    id: dsq_id(self.state.xml.attributes()),
                    ..Post::default()
                });
            }
            (_, Some("post"), "thread") => {
                let id = dsq_id(self.state.xml.attributes());
                if let Some(post) = &mut self.post {
                    post.thread = id;
                }
            }
            (_, Some("post"), "parent") => {
                let id = dsq_id(self.state.xml.attributes());
                if let Some(post) = &mut self.post {
                    post.parent = id;
                }
            }
            (Some("disqus"), Some("thread"), "link" | "title")
            | (
                Some("disqus"),
                Some("post"),
                "message" | "createdAt" | "isDeleted" | "isSpam" | "isApproved",
            )
            | (Some("post"), Some("author"), "name" | "username" | "email" | "link") => {
                self.state.capture_here()
            }
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self, name: String) -> Result<(), InputError> {
        if let Some(text) = self.state.captured_at_close() {
            let container = self
                .state
                .xml
                .open_from_end(0)
                .unwrap_or_default()
                .to_string();
            self.store(&container, &name, text);
        }
        // The depth of the element that closes.
        if self.state.xml.depth() + 1 == 2 {
            match name.as_str() {
                "thread" => {
                    if let Some(thread) = self.thread.take() {
                        self.finish_thread(thread)?;
                    }
                }
                "post" => {
                    if let Some(post) = self.post.take() {
                        let record = self.finish_post(post)?;
                        self.state.queue.push_back(record);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn located(&self, error: XmlError) -> InputError {
        self.locate(error)
    }
}

impl<R: BufRead> DisqusRecords<R> {
    fn store(&mut self, container: &str, name: &str, text: String) {
        if let Some(thread) = &mut self.thread {
            match name {
                "link" => thread.link = text,
                "title" => thread.title = text,
                _ => {}
            }
            return;
        }
        let Some(post) = &mut self.post else {
            return;
        };
        let field = match (container, name) {
            ("author", "name") => &mut post.name,
            ("author", "username") => &mut post.username,
            ("author", "email") => &mut post.email,
            ("author", "link") => &mut post.website,
            ("post", "message") => &mut post.message,
            ("post", "createdAt") => &mut post.created_at,
            ("post", "isDeleted") => &mut post.is_deleted,
            ("post", "isSpam") => &mut post.is_spam,
            ("post", "isApproved") => &mut post.is_approved,
            _ => return,
        };
        *field = text;
    }

    fn finish_thread(&mut self, thread: Thread) -> Result<(), InputError> {
        let Some(id) = thread.id else {
            return Err(InputError::new(
                format!("byte {}", self.state.xml.position()),
                "a <thread> without its dsq:id",
            ));
        };
        let key = url_path(&thread.link, true).map(|key| without_tracking(&key));
        if let Some(key) = &key {
            if self.keys.insert(key.clone()) {
                let title = thread.title.trim();
                self.state.queue.push_back(Record::Thread {
                    key: key.clone(),
                    title: (!title.is_empty()).then(|| title.to_string()),
                });
            }
        }
        self.threads.insert(id, key);
        Ok(())
    }

    fn finish_post(&mut self, post: Post) -> Result<Record, InputError> {
        let Some(id) = post.id else {
            return Err(InputError::new(
                format!("post #{}", post.ordinal),
                format!(
                    "a <post> without its dsq:id (byte {})",
                    self.state.xml.position()
                ),
            ));
        };
        let record = format!("post {id}");
        let Some(thread_id) = post.thread else {
            return Err(InputError::new(
                record,
                "no <thread dsq:id> says where it belongs",
            ));
        };
        // Disqus's exports do hold posts of threads that are gone (or never had a link):
        // they belong to no page, so they are left out and counted, not fatal.
        let thread = match self.threads.get(&thread_id) {
            Some(Some(key)) => key.clone(),
            Some(None) => return Ok(Record::Skipped("its Disqus thread has no link")),
            None => return Ok(Record::Skipped("its Disqus thread is not in the export")),
        };
        let created_at_ms = parse_iso8601(&post.created_at).ok_or_else(|| {
            InputError::new(
                &record,
                format!(
                    "createdAt is `{}`, not a time as 2013-05-14T10:12:01Z",
                    post.created_at.trim()
                ),
            )
        })?;
        let status = if is_true(&post.is_deleted) {
            SourceStatus::Deleted
        } else if is_true(&post.is_spam) {
            SourceStatus::Spam
        } else if matches!(post.is_approved.trim(), "false" | "0") {
            SourceStatus::Pending
        } else {
            SourceStatus::Approved
        };
        let author = non_empty(&post.name)
            .or_else(|| non_empty(&post.username))
            .unwrap_or_else(|| ANONYMOUS.to_string());
        Ok(Record::Comment(ImportedComment {
            thread,
            source_id: id,
            parent_source_id: post.parent,
            author,
            email: non_empty(&post.email),
            website: non_empty(&post.website),
            body: html_to_markdown(&post.message),
            created_at_ms,
            status,
        }))
    }

    fn locate(&self, error: XmlError) -> InputError {
        let record = if let Some(post) = &self.post {
            match &post.id {
                Some(id) => format!("post {id}"),
                None => format!("post #{}", post.ordinal),
            }
        } else if let Some(Thread { id: Some(id), .. }) = &self.thread {
            format!("thread {id}")
        } else {
            format!("byte {}", error.position)
        };
        InputError::new(
            record,
            format!("{} (byte {})", error.reason, error.position),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::samples::{disqus_export, example_posts, wordpress_wxr};

    fn all(xml: &str) -> Vec<Result<Record, InputError>> {
        read(xml.as_bytes()).collect()
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

    fn error(records: &[Result<Record, InputError>]) -> InputError {
        let errors: Vec<&InputError> = records.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(errors.len(), 1, "{records:?}");
        assert!(
            records.last().unwrap().is_err(),
            "the error ends the records"
        );
        errors[0].clone()
    }

    const HELLO: &str = "/2024/03/01/hello-world/";
    /// 2024-03-01T12:00:00Z, as the samples count.
    const BASE: i64 = 1_709_294_400_000;

    #[test]
    fn the_example_export_gives_every_field() {
        let records = all(&disqus_export(&example_posts()));
        assert!(records.iter().all(Result::is_ok), "{records:?}");
        let threads: Vec<Record> = records
            .iter()
            .flatten()
            .filter(|r| matches!(r, Record::Thread { .. }))
            .cloned()
            .collect();
        assert_eq!(
            threads,
            [
                Record::Thread {
                    key: HELLO.into(),
                    title: Some("Hello world!".into())
                },
                Record::Thread {
                    key: "/about/".into(),
                    title: Some("About".into())
                },
                Record::Thread {
                    key: "/?p=12".into(),
                    title: Some("Plain permalinks & more".into())
                },
            ]
        );
        let comments = comments(&records);
        let ids: Vec<&str> = comments.iter().map(|c| c.source_id.as_str()).collect();
        assert_eq!(
            ids,
            ["1", "2", "3", "4", "5", "7", "8", "9", "10", "20", "21"]
        );
        assert_eq!(
            comments[0],
            ImportedComment {
                thread: HELLO.into(),
                source_id: "1".into(),
                parent_source_id: None,
                author: "A WordPress Commenter".into(),
                email: Some("wapuu@wordpress.example".into()),
                website: Some("https://wordpress.org/".into()),
                body: "Hi, this is a comment.  \nTo get started with moderating, editing, and deleting comments, please visit the Comments screen in the dashboard.  \nCommenter avatars come from [Gravatar](https://en.gravatar.com/).".into(),
                created_at_ms: BASE + 7 * 60_000,
                status: SourceStatus::Approved,
            }
        );
        assert_eq!(
            comments[1],
            ImportedComment {
                thread: HELLO.into(),
                source_id: "2".into(),
                parent_source_id: Some("1".into()),
                author: "Zoë Ångström".into(),
                email: Some("zoe@example.org".into()),
                website: None,
                body:
                    "Thanks! I\u{2019}m glad it works & looks fine\u{2026}\n\nA second paragraph :)"
                        .into(),
                created_at_ms: BASE + 14 * 60_000,
                status: SourceStatus::Approved,
            }
        );
        let by_id = |id: &str| comments.iter().find(|c| c.source_id == id).unwrap();
        // Replies three deep.
        assert_eq!(by_id("3").parent_source_id.as_deref(), Some("2"));
        assert_eq!(by_id("10").parent_source_id.as_deref(), Some("3"));
        assert_eq!(
            by_id("3").body,
            "See [the *docs*](https://example.com/docs?a=1&b=2) for more."
        );
        // Statuses.
        assert_eq!(by_id("4").status, SourceStatus::Pending);
        assert_eq!(by_id("5").status, SourceStatus::Spam);
        assert_eq!(by_id("8").status, SourceStatus::Deleted);
        assert_eq!(by_id("8").body, "");
        // Anonymous guests have no email; the name stays.
        assert_eq!(by_id("9").author, "山田太郎");
        assert_eq!(by_id("9").email, None);
        assert_eq!(by_id("9").parent_source_id, None);
        assert_eq!(by_id("9").body, "日本語のコメントです。  \n二行目。");
        assert_eq!(
            by_id("7").body,
            "Nice post \\<script>alert(\"gotcha\")\\</script> really."
        );
        assert_eq!(
            by_id("20").body,
            "Look: [https://example.com/photo.jpg](https://example.com/photo.jpg), and [A cat](https://example.com/cat.png)"
        );
        assert_eq!(
            by_id("21").body,
            "> Quoted text  \n> line two\n\nMy answer."
        );
        assert_eq!(by_id("21").thread, "/?p=12");
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
"#;

    fn thread(id: &str, link: &str) -> String {
        format!(
            "<thread dsq:id=\"{id}\"><id/><forum>f</forum><category dsq:id=\"1\"/><link>{link}</link><title>T {id}</title><message/><createdAt>2012-12-12T12:12:12Z</createdAt><author><name>Owner</name><isAnonymous>false</isAnonymous><username>owner</username></author><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>\n"
        )
    }

    fn post(id: &str, thread: &str, extra: &str) -> String {
        format!(
            "<post dsq:id=\"{id}\"><id/><message><![CDATA[<p>Post {id}</p>]]></message><createdAt>2013-10-10T19:20:29Z</createdAt><isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Peter</name><isAnonymous>true</isAnonymous></author><ipAddress>127.0.0.1</ipAddress><thread dsq:id=\"{thread}\"/>{extra}</post>\n"
        )
    }

    #[test]
    fn one_thread_per_key_and_no_tracking_queries() {
        let xml = format!(
            "{HEAD}{}{}{}{}{}</disqus>",
            thread(
                "1",
                "https://example.org/post/?utm_source=twitter&amp;utm_medium=social"
            ),
            thread("2", "http://example.org/post/#comments"),
            thread("3", "https://example.org/?p=5&amp;fbclid=abc"),
            post("10", "1", ""),
            post("11", "2", "<parent dsq:id=\"10\"/>"),
        );
        let records = all(&xml);
        let keys: Vec<String> = records
            .iter()
            .flatten()
            .filter_map(|r| match r {
                Record::Thread { key, .. } => Some(key.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(keys, ["/post/", "/?p=5"]);
        let comments = comments(&records);
        assert_eq!(comments.len(), 2);
        assert!(comments.iter().all(|c| c.thread == "/post/"));
        assert_eq!(comments[1].parent_source_id.as_deref(), Some("10"));
        assert_eq!(comments[0].body, "Post 10");
        assert_eq!(comments[0].created_at_ms, 1_381_432_829_000);
    }

    #[test]
    fn posts_of_threads_that_are_gone_are_skipped_not_fatal() {
        let skipped = |xml: String| -> Vec<&'static str> {
            all(&xml)
                .into_iter()
                .map(|record| record.expect("no error"))
                .filter_map(|record| match record {
                    Record::Skipped(reason) => Some(reason),
                    _ => None,
                })
                .collect()
        };
        let unknown = format!(
            "{HEAD}{}{}</disqus>",
            thread("1", "https://e.org/a/"),
            post("10", "1337", "")
        );
        assert_eq!(
            skipped(unknown),
            vec!["its Disqus thread is not in the export"]
        );
        // A thread without a link is fine until a post needs it.
        let linkless = format!("{HEAD}<thread dsq:id=\"3\"><id/></thread>\n");
        let records = all(&format!("{linkless}</disqus>"));
        assert!(records.is_empty(), "{records:?}");
        assert_eq!(
            skipped(format!("{linkless}{}</disqus>", post("10", "3", ""))),
            vec!["its Disqus thread has no link"]
        );
        // A post without any thread reference is malformed.
        let e = error(&all(&format!(
            "{HEAD}{}{}</disqus>",
            thread("1", "https://e.org/a/"),
            post("10", "1", "").replace("<thread dsq:id=\"1\"/>", "")
        )));
        assert_eq!(e.record, "post 10");
    }

    #[test]
    fn statuses_and_authors() {
        let xml = format!(
            "{HEAD}{}{}{}{}{}</disqus>",
            thread("1", "https://e.org/a/"),
            post("10", "1", "").replace("<isDeleted>false", "<isDeleted>true"),
            post("11", "1", "").replace("<isSpam>false", "<isSpam>true"),
            post("12", "1", "<isApproved>false</isApproved>"),
            post("13", "1", "").replace(
                "<author><name>Peter</name><isAnonymous>true</isAnonymous></author>",
                "<author><email>u@e.org</email><name></name><isAnonymous>false</isAnonymous><username>user13</username><link>https://user13.example/</link></author>",
            ),
        );
        let comments = comments(&all(&xml));
        let statuses: Vec<SourceStatus> = comments.iter().map(|c| c.status).collect();
        use SourceStatus::*;
        assert_eq!(statuses, [Deleted, Spam, Pending, Approved]);
        assert_eq!(comments[3].author, "user13");
        assert_eq!(comments[3].email.as_deref(), Some("u@e.org"));
        assert_eq!(
            comments[3].website.as_deref(),
            Some("https://user13.example/")
        );
        assert_eq!(comments[0].author, "Peter");
        assert_eq!(comments[0].email, None);
    }

    #[test]
    fn bad_input_names_where() {
        let xml = disqus_export(&example_posts());
        let cases = [
            (
                xml.replacen("2024-03-01T12:14:00Z", "last tuesday", 1),
                "post 2",
                "last tuesday",
            ),
            (
                xml.replacen("<post dsq:id=\"3\">", "<post>", 1),
                "post #3",
                "dsq:id",
            ),
            (
                xml.replacen("</isSpam>", "</isSpan>", 1),
                "post 1",
                "malformed XML",
            ),
            (
                wordpress_wxr(&example_posts()),
                "byte 0",
                "not a Disqus export",
            ),
            (String::new(), "byte 0", "empty"),
        ];
        for (xml, record, reason) in cases {
            let e = error(&all(&xml));
            assert!(
                e.record == record && e.reason.contains(reason),
                "expected {record}: …{reason}…, got {e}"
            );
        }
        // Cut short anywhere: an error naming a post, a thread or a byte.
        for cut in [
            xml.len() / 3,
            xml.len() / 2,
            xml.find("Zoë").unwrap(),
            xml.len() - 3,
        ] {
            let e = error(&all(&xml[..cut]));
            assert!(
                ["post ", "thread ", "byte "]
                    .iter()
                    .any(|p| e.record.starts_with(p))
                    && e.reason.contains("byte "),
                "cut at {cut}: {e}"
            );
        }
    }
}
