//! What a host page may carry to let a journey see inside it: a `<script>` for its `<head>`
//! that keeps every event stream the widget opens (`window.__colloquyStreams`, each with
//! the number of times it opened, `__opens`), notes when each post was answered `201`
//! (`window.__colloquyPosted`, `Date.now()` values), and offers
//! `window.__colloquyWatch(host, text)`, which notes in `window.__colloquySeen[text]` the
//! `Date.now()` at which a comment whose body reads `text` first appeared in the widget on
//! `host` (a MutationObserver: the moment the DOM changed, not the next time a journey
//! looked). Nothing in it changes what the widget does.

/// The probes, as a `<script>` element for a page's `<head>` (before the loader).
pub const PROBES: &str = r#"<script>
(() => {
  const NativeEventSource = window.EventSource;
  window.__colloquyStreams = [];
  window.EventSource = class extends NativeEventSource {
    constructor(url, options) {
      super(url, options);
      this.__opens = 0;
      this.addEventListener("open", () => { this.__opens += 1; });
      window.__colloquyStreams.push(this);
    }
  };
  const nativeFetch = window.fetch;
  window.__colloquyPosted = [];
  window.fetch = function (...args) {
    const request = args[0] instanceof Request ? args[0] : null;
    const method = String(request ? request.method : (args[1] && args[1].method) || "GET");
    return nativeFetch.apply(this, args).then((response) => {
      if (method.toUpperCase() === "POST" && response.status === 201) {
        window.__colloquyPosted.push(Date.now());
      }
      return response;
    });
  };
  window.__colloquySeen = {};
  window.__colloquyWatch = (host, text) => {
    const root = document.querySelector(host).shadowRoot;
    const observer = new MutationObserver(() => look());
    const look = () => {
      if (window.__colloquySeen[text]) return;
      const bodies = root.querySelectorAll("li.comment .body");
      if ([...bodies].some((body) => body.textContent.trim() === text)) {
        window.__colloquySeen[text] = Date.now();
        observer.disconnect();
      }
    };
    observer.observe(root, { childList: true, subtree: true, characterData: true });
    look();
  };
})();
</script>"#;

/// A JS expression: whether the page has an event stream that is open now.
pub const A_STREAM_IS_OPEN: &str =
    "window.__colloquyStreams.some((s) => s.readyState === EventSource.OPEN)";

/// A JS expression: whether every event stream the page opened is closed.
pub const EVERY_STREAM_IS_CLOSED: &str =
    "window.__colloquyStreams.length > 0 && window.__colloquyStreams.every((s) => s.readyState === EventSource.CLOSED)";
