//! What a thread costs on the wire, per comment: the server's actual answers to
//! `GET /api/v1/threads/{key}/comments` ("after"), against the same comments in the
//! previous format ("before": each comment with its markdown `body` and no `content` tree,
//! written here from the seeded data with serde_json), raw, gzipped (zopfli) and brotli, and the
//! answers as the server itself compressed them when asked for gzip. The server sends a
//! thread a page at a time, so "after" is every page of it, asked for as the widget asks
//! ("Show more comments": `after=` the previous page's `next`), each page compressed on
//! its own as it travels; the previous format was one answer.

use std::io::Read;

use serde::Serialize;
use serde_json::Value;

use crate::payload::Sizes;
use crate::seed::SeedComment;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WireFigures {
    pub thread: String,
    pub comments: usize,
    /// The pages the server answered the thread in.
    pub pages: usize,
    /// The server's answers, every page, summed (each page compressed on its own).
    pub after: Sizes,
    /// The previous format, whole.
    pub before: Sizes,
    /// The answers' bytes as the server sent them with `Accept-Encoding: gzip`, summed
    /// (`None` when it sent any uncompressed).
    pub served_gzip: Option<usize>,
}

impl WireFigures {
    /// Bytes per comment of `sizes`: raw, gzip, brotli.
    pub fn per_comment(&self, sizes: &Sizes) -> [f64; 3] {
        let n = self.comments.max(1) as f64;
        [
            sizes.raw as f64 / n,
            sizes.gzip as f64 / n,
            sizes.brotli as f64 / n,
        ]
    }
}

/// A comment in the previous format (the field order the server used then).
#[derive(Serialize)]
struct BeforeComment<'a> {
    id: i64,
    parent_id: Option<i64>,
    author: &'a str,
    website: Option<&'a str>,
    body: &'a str,
    created_at: String,
}

#[derive(Serialize)]
struct BeforePage<'a> {
    thread: &'a str,
    total: u64,
    comments: Vec<BeforeComment<'a>>,
    last_event_id: i64,
}

/// The thread `thread` of `comments` (oldest first, parents by index) as the server would
/// have answered in the previous format: `ids` are the comments' ids in order (from the
/// actual answer), `last_event_id` as the answer has it.
pub fn before_json(
    thread: &str,
    comments: &[SeedComment],
    ids: &[i64],
    last_event_id: i64,
) -> String {
    assert_eq!(comments.len(), ids.len(), "an id for every comment");
    let page = BeforePage {
        thread,
        total: comments.len() as u64,
        comments: comments
            .iter()
            .zip(ids)
            .map(|(comment, &id)| BeforeComment {
                id,
                parent_id: comment.parent.map(|parent| ids[parent]),
                author: &comment.name,
                website: comment.website.as_deref(),
                body: &comment.body,
                created_at: colloquy_core::time::format_rfc3339(comment.created_at_ms),
            })
            .collect(),
        last_event_id,
    };
    serde_json::to_string(&page).expect("the previous format as JSON")
}

/// The ids of the comments in the answers (pages), when they have one for each of `count`
/// comments: ascending, the order the seeded comments were stored in (a page lists them
/// by conversation); else ids counted from 1 (only the figures' widths depend on them).
pub fn ids_in(answers: &[Value], count: usize) -> Vec<i64> {
    let mut ids: Vec<i64> = answers
        .iter()
        .filter_map(|answer| answer["comments"].as_array())
        .flatten()
        .filter_map(|c| c["id"].as_i64())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.len() == count {
        ids
    } else {
        (1..=count as i64).collect()
    }
}

/// The sizes of answers sent one by one, summed.
pub fn summed(sizes: impl IntoIterator<Item = Sizes>) -> Sizes {
    sizes.into_iter().fold(Sizes::default(), |sum, page| Sizes {
        raw: sum.raw + page.raw,
        gzip: sum.gzip + page.gzip,
        brotli: sum.brotli + page.brotli,
    })
}

/// Asks the server at `base` for every page of `thread` (seeded from `comments`) as the
/// widget asks for them, plainly and with `Accept-Encoding: gzip`, and measures both
/// formats.
pub fn measure(base: &str, thread: &str, comments: &[SeedComment]) -> WireFigures {
    let first = crate::render::first_page_url(base, thread);
    let mut urls = vec![first.clone()];
    let mut bodies = Vec::new();
    let mut answers = Vec::new();
    loop {
        let url = urls.last().expect("a page to ask for");
        let body = ureq::get(url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .into_string()
            .expect("the thread's answer");
        let answer: Value = serde_json::from_str(&body).expect("the thread's answer is JSON");
        let next = answer["next"].as_str().map(str::to_owned);
        bodies.push(body);
        answers.push(answer);
        match next {
            // A cursor is `c1` and hex digits: nothing to encode.
            Some(cursor) if urls.len() <= comments.len() => {
                urls.push(format!("{first}&after={cursor}"))
            }
            Some(_) => panic!("{thread}: more pages than comments"),
            None => break,
        }
    }
    let ids = ids_in(&answers, comments.len());
    let last_event_id = answers[0]["last_event_id"].as_i64().unwrap_or(0);
    let before = before_json(thread, comments, &ids, last_event_id);
    let mut served_gzip = Some(0);
    for url in &urls {
        let compressed = ureq::get(url)
            .set("Accept-Encoding", "gzip")
            .call()
            .unwrap_or_else(|e| panic!("GET {url} (gzip): {e}"));
        let gzipped = compressed.header("Content-Encoding") == Some("gzip");
        let mut served = Vec::new();
        compressed
            .into_reader()
            .read_to_end(&mut served)
            .expect("the gzipped answer");
        served_gzip = served_gzip
            .filter(|_| gzipped)
            .map(|sum| sum + served.len());
    }
    WireFigures {
        thread: thread.to_owned(),
        comments: comments.len(),
        pages: bodies.len(),
        after: summed(bodies.iter().map(|body| Sizes::of(body.as_bytes()))),
        before: Sizes::of(before.as_bytes()),
        served_gzip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn comment(parent: Option<usize>, website: Option<&str>, body: &str) -> SeedComment {
        SeedComment {
            parent,
            name: "Reader 3".into(),
            email: "reader@private.example".into(),
            website: website.map(str::to_owned),
            body: body.into(),
            idempotency_key: "k".into(),
            created_at_ms: 1_767_225_600_000,
        }
    }

    #[test]
    fn the_previous_format_has_bodies_ids_and_parents_and_no_tree() {
        let comments = [
            comment(None, None, "First *one*."),
            comment(Some(0), Some("https://a.example.org"), "A reply."),
        ];
        let text = before_json("bench-2", &comments, &[41, 42], 9);
        assert_eq!(
            text,
            r#"{"thread":"bench-2","total":2,"comments":[{"id":41,"parent_id":null,"author":"Reader 3","website":null,"body":"First *one*.","created_at":"2026-01-01T00:00:00Z"},{"id":42,"parent_id":41,"author":"Reader 3","website":"https://a.example.org","body":"A reply.","created_at":"2026-01-01T00:00:00Z"}],"last_event_id":9}"#
        );
        assert!(!text.contains("content") && !text.contains("private.example"));
    }

    #[test]
    fn ids_come_from_the_pages_when_they_have_all_of_them() {
        let pages = [
            json!({"comments": [{"id": 7}, {"id": 12}, {"id": 9}]}),
            json!({"comments": [{"id": 8}]}),
        ];
        assert_eq!(ids_in(&pages, 4), [7, 8, 9, 12]);
        assert_eq!(ids_in(&pages[..1], 4), [1, 2, 3, 4]);
        assert_eq!(ids_in(&[json!({})], 1), [1]);
    }

    #[test]
    fn pages_sent_one_by_one_add_up() {
        let page = |raw: usize| Sizes {
            raw,
            gzip: raw / 4,
            brotli: raw / 5,
        };
        assert_eq!(summed([page(400), page(100)]), page(500));
        assert_eq!(summed([]), Sizes::default());
    }

    #[test]
    fn bytes_per_comment_divide_by_the_count() {
        let figures = WireFigures {
            thread: "t".into(),
            comments: 4,
            pages: 1,
            after: Sizes {
                raw: 400,
                gzip: 100,
                brotli: 80,
            },
            before: Sizes::default(),
            served_gzip: None,
        };
        assert_eq!(figures.per_comment(&figures.after), [100.0, 25.0, 20.0]);
    }
}
