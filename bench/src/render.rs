//! Rendering in a real headless Chromium against the real server, on the page's own
//! Performance timeline: the widget's `colloquy:data` mark says when the thread's data was
//! ready, and a requestAnimationFrame watcher on the host page says when the first and the
//! last comment were in the DOM (the first frame that could paint them).

use std::time::Duration;

use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::server::Server;
use colloquy_e2e::webdriver::Browser;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::stats::Summary;

/// One row of the rendering table: one thread size, every figure summarised over the runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RenderRow {
    pub comments: usize,
    pub navigation_to_first_comment_ms: Summary,
    pub navigation_to_all_comments_ms: Summary,
    pub data_to_rendered_ms: Summary,
    pub js_heap_mb: Summary,
    pub dom_nodes: Summary,
}

/// What [`COLLECT`] returns from one run; `null` (no such mark, no `performance.memory`)
/// becomes `None` and leaves that run out of the figure's summary.
#[derive(Debug, Deserialize)]
struct Sample {
    first_ms: Option<f64>,
    all_ms: Option<f64>,
    data_mark_ms: Option<f64>,
    js_heap_bytes: Option<f64>,
    dom_nodes: Option<f64>,
}

impl RenderRow {
    /// The row for `comments` comments from each run's sample.
    fn from_samples(comments: usize, samples: &[Sample]) -> RenderRow {
        let summary = |figure: fn(&Sample) -> Option<f64>| {
            let values: Vec<f64> = samples.iter().filter_map(figure).collect();
            Summary::of(&values)
        };
        RenderRow {
            comments,
            navigation_to_first_comment_ms: summary(|s| s.first_ms),
            navigation_to_all_comments_ms: summary(|s| s.all_ms),
            data_to_rendered_ms: summary(|s| Some(s.all_ms? - s.data_mark_ms?)),
            js_heap_mb: summary(|s| s.js_heap_bytes.map(|bytes| bytes / 1_048_576.0)),
            dom_nodes: summary(|s| s.dom_nodes),
        }
    }
}

fn page(server: &Server, thread: &str, expected: usize) -> String {
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bench</title></head><body>
<div data-colloquy data-thread="{thread}" data-loading="eager"></div>
<script>
(function () {{
  var poll = function () {{
    var root = document.querySelector('[data-colloquy]').shadowRoot;
    var shown = root ? root.querySelectorAll('li.comment').length : 0;
    var now = performance.now();
    if (shown > 0 && window.benchFirst === undefined) window.benchFirst = now;
    if (shown >= {expected}) {{ window.benchAll = now; return; }}
    requestAnimationFrame(poll);
  }};
  requestAnimationFrame(poll);
}})();
</script>
<script src="{base}/embed.js" async></script>
</body></html>"#,
        base = server.base
    )
}

const COLLECT: &str = "
  const mark = (name) => { const m = performance.getEntriesByName(name)[0]; return m ? m.startTime : null; };
  const root = document.querySelector('[data-colloquy]').shadowRoot;
  return {
    first_ms: window.benchFirst === undefined ? null : window.benchFirst,
    all_ms: window.benchAll === undefined ? null : window.benchAll,
    data_mark_ms: mark('colloquy:data'),
    js_heap_bytes: performance.memory ? performance.memory.usedJSHeapSize : null,
    dom_nodes: document.querySelectorAll('*').length + root.querySelectorAll('*').length,
  };";

/// Opens the thread `runs` times and summarises each figure.
pub fn measure(
    browser: &Browser,
    site: &HostSite,
    server: &Server,
    thread: &str,
    comments: usize,
    runs: usize,
) -> RenderRow {
    let url = site.page(&format!("/{thread}"), page(server, thread, comments), None);
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        eprintln!("bench:   {comments} comments, run {}/{runs}", run + 1);
        browser.goto(&url);
        browser.wait_for(
            &format!("{comments} comments on the page"),
            "window.benchAll !== undefined",
            Duration::from_secs(300),
        );
        let sample: Sample = serde_json::from_value(browser.execute(COLLECT, json!([])))
            .expect("the page's figures");
        samples.push(sample);
    }
    RenderRow::from_samples(comments, &samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_without_a_figure_are_left_out_of_its_summary() {
        let samples: Vec<Sample> = serde_json::from_value(json!([
            {"first_ms": 40.0, "all_ms": 50.0, "data_mark_ms": 30.0,
             "js_heap_bytes": 2_097_152.0, "dom_nodes": 100},
            {"first_ms": 60.0, "all_ms": 90.0, "data_mark_ms": null,
             "js_heap_bytes": null, "dom_nodes": 120},
        ]))
        .expect("samples");
        let row = RenderRow::from_samples(7, &samples);
        assert_eq!(row.comments, 7);
        assert_eq!(row.navigation_to_first_comment_ms.median, 50.0);
        assert_eq!(row.navigation_to_all_comments_ms.max, 90.0);
        assert_eq!(row.data_to_rendered_ms.median, 20.0);
        assert_eq!(row.data_to_rendered_ms.runs, 1);
        assert_eq!((row.js_heap_mb.median, row.js_heap_mb.runs), (2.0, 1));
        assert_eq!(row.dom_nodes.min, 100.0);
    }
}
