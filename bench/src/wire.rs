//! What a thread costs on the wire, per comment: the server's actual answer to
//! `GET /api/v1/threads/{key}/comments` ("after"), against the same comments in the
//! previous format ("before": each comment with its markdown `body` and no `content` tree,
//! written here from the seeded data with serde_json), raw, gzip -9 and brotli, and the
//! answer as the server itself compressed it when asked for gzip.

use std::io::Read;

use serde::Serialize;
use serde_json::Value;

use crate::payload::Sizes;
use crate::seed::SeedComment;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WireFigures {
    pub thread: String,
    pub comments: usize,
    /// The server's answer, whole.
    pub after: Sizes,
    /// The previous format, whole.
    pub before: Sizes,
    /// The answer's bytes as the server sent them with `Accept-Encoding: gzip` (`None`
    /// when it sent them uncompressed).
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

/// The comments' ids in the answer, in its order, when it has one for each of `count`
/// comments; else ids counted from 1 (only the figures' widths depend on them).
pub fn ids_in(answer: &Value, count: usize) -> Vec<i64> {
    let ids: Vec<i64> = answer["comments"]
        .as_array()
        .map(|comments| comments.iter().filter_map(|c| c["id"].as_i64()).collect())
        .unwrap_or_default();
    if ids.len() == count {
        ids
    } else {
        (1..=count as i64).collect()
    }
}

/// Asks the server at `base` for `thread` (seeded from `comments`), plainly and with
/// `Accept-Encoding: gzip`, and measures both formats.
pub fn measure(base: &str, thread: &str, comments: &[SeedComment]) -> WireFigures {
    let url = format!("{base}/api/v1/threads/{thread}/comments");
    let body = ureq::get(&url)
        .call()
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .into_string()
        .expect("the thread's answer");
    let answer: Value = serde_json::from_str(&body).expect("the thread's answer is JSON");
    let ids = ids_in(&answer, comments.len());
    let last_event_id = answer["last_event_id"].as_i64().unwrap_or(0);
    let before = before_json(thread, comments, &ids, last_event_id);
    let compressed = ureq::get(&url)
        .set("Accept-Encoding", "gzip")
        .call()
        .unwrap_or_else(|e| panic!("GET {url} (gzip): {e}"));
    let gzipped = compressed.header("Content-Encoding") == Some("gzip");
    let mut served = Vec::new();
    compressed
        .into_reader()
        .read_to_end(&mut served)
        .expect("the gzipped answer");
    WireFigures {
        thread: thread.to_owned(),
        comments: comments.len(),
        after: Sizes::of(body.as_bytes()),
        before: Sizes::of(before.as_bytes()),
        served_gzip: gzipped.then_some(served.len()),
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
    fn ids_come_from_the_answer_when_it_has_all_of_them() {
        let answer = json!({"comments": [{"id": 7}, {"id": 9}]});
        assert_eq!(ids_in(&answer, 2), [7, 9]);
        assert_eq!(ids_in(&answer, 3), [1, 2, 3]);
        assert_eq!(ids_in(&json!({}), 1), [1]);
    }

    #[test]
    fn bytes_per_comment_divide_by_the_count() {
        let figures = WireFigures {
            thread: "t".into(),
            comments: 4,
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
