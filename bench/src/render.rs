//! Rendering in a real headless Chromium against the real server, on the page's own
//! Performance timeline, the same way for Colloquy and for the Isso reference:
//!
//! - a requestAnimationFrame watcher on the host page says when the first and the last
//!   comment were in the DOM (the first frame that could paint them);
//! - the start of "decode to render" is the end of the response that brought the thread's
//!   comments: its Resource Timing entry's `responseEnd` (a cross-origin entry keeps it
//!   without `Timing-Allow-Origin`); where that is 0 or absent, the time a hook in the host
//!   page saw the response's body read (a wrapped `fetch` and `XMLHttpRequest`, the same
//!   for both products); for Colloquy, last, the widget's own `colloquy:data` mark. Each
//!   row says which it used.
//!
//! The widget's `colloquy:data` mark (the thread received and parsed) is kept as a figure
//! of its own.
//!
//! Colloquy's server sends a thread a page at a time, and the widget draws the first page
//! (20 conversations, each cut to its first comment and [`REPLIES_SHOWN`] replies) with a
//! "Show more comments" button: its first view is that page, not the whole thread. The
//! number of comments the watcher waits for is counted from the very page the widget asks
//! for ([`FirstView`]). Isso's page draws every comment.
//!
//! Once the first view is drawn, a full garbage collection is asked for through DevTools
//! (`HeapProfiler.collectGarbage`) and V8's heap is read (`Runtime.getHeapUsage`): the
//! heap the page keeps, not the garbage its rendering left.

use std::collections::BTreeMap;
use std::time::Duration;

use colloquy_core::model::Comment;
use colloquy_core::tree::{conversations, Sort};
use colloquy_e2e::webdriver::Browser;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::stats::Summary;

/// One row of the rendering table: one thread size, every figure summarised over the runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RenderRow {
    /// Comments in the thread.
    pub comments: usize,
    /// Comments of the first view, which the watcher waited for: Colloquy's first page as
    /// the widget draws it ([`FirstView::comments`]); Isso's whole thread.
    pub first_view: usize,
    pub navigation_to_first_comment_ms: Summary,
    pub navigation_to_all_comments_ms: Summary,
    /// From the `colloquy:data` mark to every comment in the DOM (Colloquy only).
    pub data_to_rendered_ms: Summary,
    /// From the end of the thread's response to every comment of the first view in the DOM.
    pub decode_to_render_ms: Summary,
    /// Where "decode to render" started, with the number of runs each start was used in
    /// (`responseEnd`, `page hook`, `colloquy:data mark`).
    pub decode_start: String,
    pub js_heap_mb: Summary,
    /// V8's used heap (`Runtime.getHeapUsage`) after a full garbage collection, the first
    /// view drawn.
    pub heap_after_gc_mb: Summary,
    /// At the same moment, Blink's garbage-collected heap, the DOM's objects mostly
    /// (`embedderHeapUsedSize`); no runs when Chromium does not report it. Neither counts
    /// the wasm's linear memory.
    pub blink_heap_after_gc_mb: Summary,
    pub dom_nodes: Summary,
}

/// What [`COLLECT`] returns from one run; `null` (no such mark, no `performance.memory`)
/// becomes `None` and leaves that run out of the figure's summary.
#[derive(Debug, Default, Deserialize)]
pub struct Sample {
    pub first_ms: Option<f64>,
    pub all_ms: Option<f64>,
    pub data_mark_ms: Option<f64>,
    /// The widget's `colloquy:ask` mark: it was ready and asked for the thread (taking the
    /// answer the loader had already started, if any).
    #[serde(default)]
    pub ask_mark_ms: Option<f64>,
    /// `responseEnd` of the first Resource Timing entry of the thread's request.
    pub response_end_ms: Option<f64>,
    /// When the page hook saw the thread's response body read.
    pub body_read_ms: Option<f64>,
    pub js_heap_bytes: Option<f64>,
    pub dom_nodes: Option<f64>,
    /// `performance.timeOrigin`: navigation start, in ms since the epoch.
    pub time_origin_ms: Option<f64>,
    /// [`HeapUsage`] after a garbage collection (not from [`COLLECT`]: from DevTools).
    #[serde(default)]
    pub heap_after_gc_bytes: Option<f64>,
    #[serde(default)]
    pub blink_heap_after_gc_bytes: Option<f64>,
}

/// Where a run's "decode to render" started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DecodeStart {
    ResponseEnd,
    /// The answer had arrived (the loader fetched it while the wasm loaded) before the
    /// widget was ready for it: decoding starts when the widget asks.
    WidgetAsked,
    PageHook,
    DataMark,
}

impl DecodeStart {
    fn name(self) -> &'static str {
        match self {
            DecodeStart::ResponseEnd => "responseEnd",
            DecodeStart::WidgetAsked => "colloquy:ask mark",
            DecodeStart::PageHook => "page hook",
            DecodeStart::DataMark => "colloquy:data mark",
        }
    }
}

impl Sample {
    /// The start of "decode to render": `responseEnd` when the entry has one (or the
    /// widget's `colloquy:ask` mark when that came later: an answer fetched ahead of the
    /// wasm waits for the code that decodes it), else the page hook's time, else the
    /// `colloquy:data` mark.
    pub fn decode_start(&self) -> Option<(f64, DecodeStart)> {
        let response_end =
            self.response_end_ms
                .filter(|&end| end > 0.0)
                .map(|end| match self.ask_mark_ms {
                    Some(asked) if asked > end => (asked, DecodeStart::WidgetAsked),
                    _ => (end, DecodeStart::ResponseEnd),
                });
        response_end
            .or(self.body_read_ms.map(|at| (at, DecodeStart::PageHook)))
            .or(self.data_mark_ms.map(|at| (at, DecodeStart::DataMark)))
    }

    pub fn decode_to_render_ms(&self) -> Option<f64> {
        Some(self.all_ms? - self.decode_start()?.0)
    }
}

/// `responseEnd (5)`, or `responseEnd (3), page hook (2)`; `none` when no run had one.
pub fn starts_text(samples: &[Sample]) -> String {
    let mut counts: BTreeMap<DecodeStart, usize> = BTreeMap::new();
    for (_, start) in samples.iter().filter_map(Sample::decode_start) {
        *counts.entry(start).or_default() += 1;
    }
    if counts.is_empty() {
        return "none".to_owned();
    }
    counts
        .iter()
        .map(|(start, runs)| format!("{} ({runs})", start.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl RenderRow {
    /// The row for a thread of `comments` comments, `first_view` of them drawn first, from
    /// each run's sample.
    pub fn from_samples(comments: usize, first_view: usize, samples: &[Sample]) -> RenderRow {
        let summary = |figure: &dyn Fn(&Sample) -> Option<f64>| {
            let values: Vec<f64> = samples.iter().filter_map(figure).collect();
            Summary::of(&values)
        };
        let mb = |bytes: f64| bytes / 1_048_576.0;
        RenderRow {
            comments,
            first_view,
            navigation_to_first_comment_ms: summary(&|s| s.first_ms),
            navigation_to_all_comments_ms: summary(&|s| s.all_ms),
            data_to_rendered_ms: summary(&|s| Some(s.all_ms? - s.data_mark_ms?)),
            decode_to_render_ms: summary(&Sample::decode_to_render_ms),
            decode_start: starts_text(samples),
            js_heap_mb: summary(&|s| s.js_heap_bytes.map(mb)),
            heap_after_gc_mb: summary(&|s| s.heap_after_gc_bytes.map(mb)),
            blink_heap_after_gc_mb: summary(&|s| s.blink_heap_after_gc_bytes.map(mb)),
            dom_nodes: summary(&|s| s.dom_nodes),
        }
    }
}

/// Replies a conversation shows before its "more replies" button: the widget's
/// `REPLIES_SHOWN` (`src/components/thread_view.rs`).
pub const REPLIES_SHOWN: usize = 10;

/// What Colloquy's widget draws first of a thread: the first page the server answers (the
/// request the widget makes, [`first_page_url`]), each conversation cut to its first
/// comment and [`REPLIES_SHOWN`] replies (the rest wait behind "more replies").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct FirstView {
    /// `li.comment` elements of the first view.
    pub comments: usize,
    /// Conversations (top-level comments) on the page.
    pub conversations: usize,
    /// Comments on the page, those behind "more replies" included.
    pub page_comments: usize,
    /// Comments in the whole thread (the page's `total`).
    pub total: u64,
    /// Whether pages follow (the page's `next`: a "Show more comments" button).
    pub more: bool,
}

impl FirstView {
    /// The first view of `page`, a `GET /api/v1/threads/{key}/comments` answer: its
    /// comments grouped into conversations as the widget groups them (core's
    /// [`conversations`]), each counted as at most 1 + [`REPLIES_SHOWN`].
    pub fn of_page(page: &Value) -> FirstView {
        let comments: Vec<Comment> = serde_json::from_value(page["comments"].clone())
            .expect("the page's comments, as the widget reads them");
        let conversations = conversations(&comments, Sort::Oldest);
        FirstView {
            comments: first_view_comments(conversations.iter().map(|c| c.entries.len())),
            conversations: conversations.len(),
            page_comments: comments.len(),
            total: page["total"].as_u64().unwrap_or(comments.len() as u64),
            more: !page["next"].is_null(),
        }
    }

    /// Asks the server at `api_base` for the first page of `thread`, as the widget does.
    pub fn ask(api_base: &str, thread: &str) -> FirstView {
        let url = first_page_url(api_base, thread);
        let page: Value = ureq::get(&url)
            .call()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"))
            .into_json()
            .unwrap_or_else(|e| panic!("GET {url}: the answer is not JSON: {e}"));
        FirstView::of_page(&page)
    }
}

/// The comments drawn of conversations of these lengths (first comment and replies):
/// each shows at most its first comment and [`REPLIES_SHOWN`] replies.
pub fn first_view_comments(lengths: impl IntoIterator<Item = usize>) -> usize {
    lengths
        .into_iter()
        .map(|length| length.min(1 + REPLIES_SHOWN))
        .sum()
}

/// The URL the widget (and the loader, ahead of it) asks for a thread's first page: the
/// default sort spelled out, the default limit (20 conversations). The bench's thread keys
/// need no percent-encoding.
pub fn first_page_url(api_base: &str, thread: &str) -> String {
    format!("{api_base}/api/v1/threads/{thread}/comments?sort=oldest")
}

/// V8's heap as DevTools reports it (`Runtime.getHeapUsage`), in bytes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HeapUsage {
    pub used: f64,
    /// `embedderHeapUsedSize`: Blink's heap, which older Chromiums do not report.
    pub embedder: Option<f64>,
}

impl HeapUsage {
    /// Reads the answer to `Runtime.getHeapUsage`; `None` without a `usedSize`.
    pub fn from_devtools(answer: &Value) -> Option<HeapUsage> {
        Some(HeapUsage {
            used: answer["usedSize"].as_f64()?,
            embedder: answer["embedderHeapUsedSize"].as_f64(),
        })
    }
}

/// A full garbage collection in the page (`HeapProfiler.collectGarbage`), then its heap
/// (`Runtime.getHeapUsage`), through ChromeDriver's DevTools endpoint; `None` (the run
/// left out of those figures) when the browser would not say.
pub fn heap_after_gc(browser: &Browser) -> Option<HeapUsage> {
    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        browser.cdp("HeapProfiler.collectGarbage", json!({}));
        browser.cdp("Runtime.getHeapUsage", json!({}))
    }));
    let usage = answer.ok().as_ref().and_then(HeapUsage::from_devtools);
    if usage.is_none() {
        eprintln!("bench:   DevTools gave no heap usage; run left out of the heap figure");
    }
    usage
}

/// The hook and the watcher every bench page carries in its `<head>`, before the product's
/// own script: `thread_request` is a JS function body given `url` that says whether a
/// request fetches the thread's comments; `count` a JS expression counting the comments in
/// the DOM. The hook notes `window.benchThreadRead` (`performance.now()`) when the first
/// such response's body has been read, whether through `fetch` (its `text`, `json`,
/// `arrayBuffer` or `blob`) or `XMLHttpRequest` (its `readyState` 4); the watcher notes
/// `window.benchFirst` and `window.benchAll` at the first animation frame with one comment,
/// and with `expected`, in the DOM.
fn instruments(thread_request: &str, count: &str, expected: usize) -> String {
    format!(
        r#"<script>
(function () {{
  var isThread = function (url) {{ {thread_request} }};
  window.benchThreadUrl = isThread;
  var note = function () {{
    if (window.benchThreadRead === undefined) window.benchThreadRead = performance.now();
  }};
  var nativeFetch = window.fetch;
  window.fetch = function (input, init) {{
    var url = String(input instanceof Request ? input.url : input);
    var answer = nativeFetch.apply(this, arguments);
    if (!isThread(url)) return answer;
    return answer.then(function (response) {{
      ['text', 'json', 'arrayBuffer', 'blob'].forEach(function (name) {{
        var read = response[name].bind(response);
        response[name] = function () {{
          return read().then(function (value) {{ note(); return value; }});
        }};
      }});
      return response;
    }});
  }};
  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {{
    if (isThread(String(url))) {{
      var request = this;
      request.addEventListener('readystatechange', function () {{
        if (request.readyState === 4) note();
      }});
    }}
    return open.apply(this, arguments);
  }};
  var poll = function () {{
    var shown = {count};
    var now = performance.now();
    if (shown > 0 && window.benchFirst === undefined) window.benchFirst = now;
    if (shown >= {expected}) {{ window.benchAll = now; return; }}
    requestAnimationFrame(poll);
  }};
  requestAnimationFrame(poll);
}})();
</script>"#
    )
}

/// The host page of Colloquy's widget from the server at `api_base`, eager, for a page of
/// another origin; its watcher waits for `expected` comments (the first view: count them
/// with [`FirstView::ask`], since the widget draws the first page only).
pub fn colloquy_page(api_base: &str, thread: &str, expected: usize) -> String {
    let head = instruments(
        "return url.indexOf('/api/v1/threads/') >= 0 && /\\/comments(\\?|$)/.test(url);",
        "(function () { var host = document.querySelector('[data-colloquy]'); var root = host && host.shadowRoot; return root ? root.querySelectorAll('li.comment').length : 0; })()",
        expected,
    );
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>{head}</head><body>
<div data-colloquy data-thread="{thread}" data-loading="eager"></div>
<script src="{api_base}/embed.js" async></script>
</body></html>"#
    )
}

/// The host page of Isso's client from Isso at `isso_base`, every comment shown at once
/// (no "show more"), for a page of another origin. Isso draws each comment as a
/// `div.isso-comment` under `#isso-root` (its postbox has one outside that root).
pub fn isso_page(isso_base: &str, uri: &str, expected: usize) -> String {
    let head = instruments(
        "return url.indexOf('/?uri=') >= 0;",
        "document.querySelectorAll('#isso-root .isso-comment').length",
        expected,
    );
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title>{head}</head><body>
<section id="isso-thread" data-isso-id="{uri}"></section>
<script data-isso="{isso_base}/" data-isso-max-comments-top="inf" data-isso-max-comments-nested="inf" data-isso-reveal-on-click="inf" src="{isso_base}/js/embed.min.js"></script>
</body></html>"#
    )
}

pub const COLLECT: &str = "
  const mark = (name) => { const m = performance.getEntriesByName(name)[0]; return m ? m.startTime : null; };
  const entry = performance.getEntriesByType('resource').find((e) => window.benchThreadUrl(e.name));
  let nodes = 0;
  for (const element of document.querySelectorAll('*')) {
    nodes += 1;
    if (element.shadowRoot) nodes += element.shadowRoot.querySelectorAll('*').length;
  }
  return {
    first_ms: window.benchFirst === undefined ? null : window.benchFirst,
    all_ms: window.benchAll === undefined ? null : window.benchAll,
    data_mark_ms: mark('colloquy:data'),
    ask_mark_ms: mark('colloquy:ask'),
    response_end_ms: entry ? entry.responseEnd : null,
    body_read_ms: window.benchThreadRead === undefined ? null : window.benchThreadRead,
    js_heap_bytes: performance.memory ? performance.memory.usedJSHeapSize : null,
    dom_nodes: nodes,
    time_origin_ms: performance.timeOrigin,
  };";

/// Reads the page's figures after a run.
pub fn collect(browser: &Browser) -> Sample {
    serde_json::from_value(browser.execute(COLLECT, json!([]))).expect("the page's figures")
}

/// Opens the page at `url` (a thread of `comments` comments, whose first view holds
/// `expected`) `runs` times and summarises each figure, the heap read after a garbage
/// collection once the timings are taken; `label` names it in the bench's progress lines.
pub fn measure(
    browser: &Browser,
    label: &str,
    url: &str,
    comments: usize,
    expected: usize,
    runs: usize,
) -> RenderRow {
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        eprintln!(
            "bench:   {label}, {comments} comments ({expected} in the first view), run {}/{runs}",
            run + 1
        );
        browser.goto(url);
        browser.wait_for(
            &format!("{expected} comments on the page ({label})"),
            "window.benchAll !== undefined",
            Duration::from_secs(300),
        );
        let mut sample = collect(browser);
        if let Some(heap) = heap_after_gc(browser) {
            sample.heap_after_gc_bytes = Some(heap.used);
            sample.blink_heap_after_gc_bytes = heap.embedder;
        }
        samples.push(sample);
    }
    RenderRow::from_samples(comments, expected, &samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_without_a_figure_are_left_out_of_its_summary() {
        let samples: Vec<Sample> = serde_json::from_value(json!([
            {"first_ms": 40.0, "all_ms": 50.0, "data_mark_ms": 30.0, "response_end_ms": 20.0,
             "body_read_ms": 25.0, "js_heap_bytes": 2_097_152.0, "dom_nodes": 100},
            {"first_ms": 60.0, "all_ms": 90.0, "data_mark_ms": null, "response_end_ms": 0.0,
             "body_read_ms": 70.0, "js_heap_bytes": null, "dom_nodes": 120},
        ]))
        .expect("samples");
        let row = RenderRow::from_samples(7, 5, &samples);
        assert_eq!((row.comments, row.first_view), (7, 5));
        assert_eq!(row.navigation_to_first_comment_ms.median, 50.0);
        assert_eq!(row.navigation_to_all_comments_ms.max, 90.0);
        assert_eq!(row.data_to_rendered_ms.median, 20.0);
        assert_eq!(row.data_to_rendered_ms.runs, 1);
        assert_eq!(row.decode_to_render_ms.min, 20.0);
        assert_eq!(row.decode_to_render_ms.max, 30.0);
        assert_eq!(row.decode_start, "responseEnd (1), page hook (1)");
        assert_eq!((row.js_heap_mb.median, row.js_heap_mb.runs), (2.0, 1));
        assert_eq!(row.heap_after_gc_mb.runs, 0, "COLLECT does not read it");
        assert_eq!(row.dom_nodes.min, 100.0);
    }

    #[test]
    fn the_heap_after_a_collection_is_summarised_in_mb() {
        let sample = |used: f64, blink: Option<f64>| Sample {
            heap_after_gc_bytes: Some(used),
            blink_heap_after_gc_bytes: blink,
            ..Sample::default()
        };
        let row = RenderRow::from_samples(
            10_000,
            420,
            &[
                sample(3_145_728.0, Some(2_097_152.0)),
                sample(4_194_304.0, None),
            ],
        );
        assert_eq!(row.heap_after_gc_mb.median, 3.5);
        assert_eq!(
            (
                row.blink_heap_after_gc_mb.median,
                row.blink_heap_after_gc_mb.runs
            ),
            (2.0, 1)
        );
        // As Chromium 156 answers.
        let answer = json!({"backingStorageSize": 234, "embedderHeapUsedSize": 293_632,
                            "totalSize": 5_050_368, "usedSize": 4_419_728});
        assert_eq!(
            HeapUsage::from_devtools(&answer),
            Some(HeapUsage {
                used: 4_419_728.0,
                embedder: Some(293_632.0)
            })
        );
        assert_eq!(
            HeapUsage::from_devtools(&json!({"usedSize": 10.0})).map(|h| h.embedder),
            Some(None)
        );
        assert_eq!(HeapUsage::from_devtools(&json!({})), None);
    }

    /// A comment as the server's page carries it.
    fn comment(id: i64, parent: Option<i64>) -> Value {
        json!({"id": id, "parent_id": parent, "author": format!("Reader {id}"),
               "content": [], "created_at": format!("2026-01-01T00:{:02}:00Z", id % 60)})
    }

    #[test]
    fn the_first_view_cuts_each_conversation_to_its_first_comment_and_ten_replies() {
        assert_eq!(first_view_comments([]), 0);
        assert_eq!(
            first_view_comments([1, 11, 12, 40, 3]),
            1 + 11 + 11 + 11 + 3
        );
        // A conversation of 1 + 14 replies at several depths, one of 1 + 2, one alone.
        let mut comments = vec![comment(1, None)];
        for id in 2..=15 {
            let parent = if id % 3 == 0 { id - 1 } else { 1 };
            comments.push(comment(id, Some(parent)));
        }
        comments.extend([
            comment(20, None),
            comment(21, Some(20)),
            comment(22, Some(21)),
            comment(30, None),
        ]);
        let page = json!({"thread": "t", "total": 400, "comments": comments,
                          "next": "c1abc", "last_event_id": 0, "content_version": 1});
        assert_eq!(
            FirstView::of_page(&page),
            FirstView {
                comments: 11 + 3 + 1,
                conversations: 3,
                page_comments: 19,
                total: 400,
                more: true,
            }
        );
        // An orphan (its parent on no page) opens a conversation of its own, as the
        // widget draws it; the last page has no `next`.
        let last = json!({"total": 2, "comments": [comment(5, Some(99)), comment(6, Some(5))],
                          "next": null});
        let view = FirstView::of_page(&last);
        assert_eq!(
            (view.comments, view.conversations, view.more),
            (2, 1, false)
        );
    }

    #[test]
    fn the_first_page_is_asked_for_as_the_widget_asks() {
        assert_eq!(
            first_page_url("http://127.0.0.1:9", "bench-10000"),
            "http://127.0.0.1:9/api/v1/threads/bench-10000/comments?sort=oldest"
        );
    }

    #[test]
    fn decode_starts_at_the_response_end_then_the_hook_then_the_mark() {
        let sample = |end: Option<f64>, hook: Option<f64>, mark: Option<f64>| Sample {
            all_ms: Some(100.0),
            response_end_ms: end,
            body_read_ms: hook,
            data_mark_ms: mark,
            ..Sample::default()
        };
        let from = |s: Sample| {
            (
                s.decode_to_render_ms(),
                s.decode_start().map(|(_, how)| how),
            )
        };
        assert_eq!(
            from(sample(Some(40.0), Some(45.0), Some(50.0))),
            (Some(60.0), Some(DecodeStart::ResponseEnd))
        );
        assert_eq!(
            from(sample(Some(0.0), Some(45.0), Some(50.0))),
            (Some(55.0), Some(DecodeStart::PageHook))
        );
        assert_eq!(
            from(sample(None, None, Some(50.0))),
            (Some(50.0), Some(DecodeStart::DataMark))
        );
        assert_eq!(from(sample(None, None, None)), (None, None));
        assert_eq!(starts_text(&[sample(None, None, None)]), "none");
    }

    #[test]
    fn the_pages_embed_each_product_with_the_same_instruments() {
        let colloquy = colloquy_page("http://127.0.0.1:1", "bench-7", 7);
        let isso = isso_page("http://127.0.0.1:2", "/bench-7", 7);
        for page in [&colloquy, &isso] {
            assert!(page.contains("window.benchThreadRead"));
            assert!(page.contains("if (shown >= 7)"));
        }
        assert!(
            colloquy.contains(r#"<div data-colloquy data-thread="bench-7" data-loading="eager">"#)
        );
        assert!(
            isso.contains(r#"data-isso="http://127.0.0.1:2/" data-isso-max-comments-top="inf""#)
        );
        assert!(isso.contains(r#"src="http://127.0.0.1:2/js/embed.min.js""#));
        assert!(isso.contains(r#"<section id="isso-thread" data-isso-id="/bench-7">"#));
    }

    #[test]
    fn an_answer_fetched_ahead_of_the_wasm_counts_from_when_the_widget_asked() {
        let early = Sample {
            all_ms: Some(300.0),
            response_end_ms: Some(40.0),
            ask_mark_ms: Some(120.0),
            ..Sample::default()
        };
        assert_eq!(
            early.decode_start(),
            Some((120.0, DecodeStart::WidgetAsked))
        );
        assert_eq!(early.decode_to_render_ms(), Some(180.0));
        let late = Sample {
            ask_mark_ms: Some(20.0),
            ..early
        };
        assert_eq!(late.decode_start(), Some((40.0, DecodeStart::ResponseEnd)));
    }
}
