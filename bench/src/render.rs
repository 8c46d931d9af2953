//! Rendering in a real headless Chromium against the real server, on the page's own
//! Performance timeline: the widget's `colloquy:data` mark says when the thread's data was
//! ready, and a requestAnimationFrame watcher on the host page says when the first and the
//! last comment were in the DOM (the first frame that could paint them).

use std::time::Duration;

use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::server::Server;
use colloquy_e2e::webdriver::Browser;
use serde_json::{json, Value};

use crate::stats::Summary;

pub struct RenderFigures {
    pub comments: usize,
    pub first_visible_ms: Summary,
    pub all_in_dom_ms: Summary,
    pub data_to_rendered_ms: Summary,
    pub js_heap_mb: Summary,
    pub dom_nodes: Summary,
}

impl RenderFigures {
    pub fn json(&self) -> Value {
        json!({
            "comments": self.comments,
            "navigation_to_first_comment_ms": self.first_visible_ms.json(),
            "navigation_to_all_comments_ms": self.all_in_dom_ms.json(),
            "data_to_rendered_ms": self.data_to_rendered_ms.json(),
            "js_heap_mb": self.js_heap_mb.json(),
            "dom_nodes": self.dom_nodes.json(),
        })
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
  return [window.benchFirst, window.benchAll, mark('colloquy:data'), null,
          performance.memory ? performance.memory.usedJSHeapSize : null,
          document.querySelectorAll('*').length + root.querySelectorAll('*').length];";

/// Opens the thread `runs` times and summarises each figure.
pub fn measure(
    browser: &Browser,
    site: &HostSite,
    server: &Server,
    thread: &str,
    comments: usize,
    runs: usize,
) -> RenderFigures {
    let url = site.page(&format!("/{thread}"), page(server, thread, comments), None);
    let mut samples: [Vec<f64>; 5] = Default::default();
    for run in 0..runs {
        eprintln!("bench:   {comments} comments, run {}/{runs}", run + 1);
        browser.goto(&url);
        browser.wait_for(
            &format!("{comments} comments on the page"),
            "window.benchAll !== undefined",
            Duration::from_secs(300),
        );
        let values = browser.execute(COLLECT, json!([]));
        let number = |i: usize| values[i].as_f64().unwrap_or(f64::NAN);
        samples[0].push(number(0));
        samples[1].push(number(1));
        samples[2].push(number(1) - number(2));
        samples[3].push(number(4) / 1_048_576.0);
        samples[4].push(number(5));
    }
    RenderFigures {
        comments,
        first_visible_ms: Summary::of(&samples[0]),
        all_in_dom_ms: Summary::of(&samples[1]),
        data_to_rendered_ms: Summary::of(&samples[2]),
        js_heap_mb: Summary::of(&samples[3]),
        dom_nodes: Summary::of(&samples[4]),
    }
}
