//! What a browser journey stands on, set up in one call: the real server on a fresh database
//! in a scratch folder, a host site on an origin of its own that the server allows, and a
//! Chromium. Plus the steps the journeys share: opening pages, waiting for the thread's
//! count, reaching into a widget's shadow root, and posting through its form.
//!
//! A widget is named by the CSS selector of its host element (`"[data-colloquy]"`, `"#app"`),
//! so one page may hold several.

use std::time::Duration;

use serde_json::{json, Value};

use crate::host_site::HostSite;
use crate::server::Server;
use crate::webdriver::{Browser, Element};

/// How long a journey waits for the widget to show what it expects.
pub const WAIT: Duration = Duration::from_secs(30);

/// The top-level comment form (reply forms carry the extra class).
pub const MAIN_FORM: &str = "form.comment-form:not(.reply-form)";

/// One comment as the widget shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    pub id: i64,
    pub parent: Option<i64>,
    pub depth: usize,
    /// The rendered text of its body.
    pub body: String,
}

/// Dropping it stops the browser, the server and the host site, and removes the folder.
pub struct Stage {
    pub server: Server,
    /// A site the server allows (`--allowed-origin`).
    pub site: HostSite,
    pub browser: Browser,
    _folder: tempfile::TempDir,
}

impl Stage {
    pub fn start() -> Stage {
        Stage::start_with(&[])
    }

    /// A stage whose server gets `server_args` as well.
    pub fn start_with(server_args: &[&str]) -> Stage {
        Stage::start_with_browser(server_args, Browser::start)
    }

    /// A stage whose server gets `server_args` as well and whose browser is the one
    /// `browser` starts ([`Browser::start_zoomed`], flags of its own).
    pub fn start_with_browser(server_args: &[&str], browser: impl FnOnce() -> Browser) -> Stage {
        let folder = tempfile::tempdir().expect("a scratch folder");
        let site = HostSite::start();
        let mut args = vec!["--allowed-origin", site.origin.as_str()];
        args.extend_from_slice(server_args);
        let server = Server::start(&folder.path().join("journey.db"), &args);
        Stage {
            server,
            site,
            browser: browser(),
            _folder: folder,
        }
    }

    /// The demo page the server itself serves.
    pub fn open_demo_page(&self) {
        self.browser.goto(&self.server.url("/"));
    }

    /// A host page with `head` and `body`, and the loader from the comment server.
    pub fn host_page(&self, head: &str, body: &str) -> String {
        self.host_page_with("lang=\"en\"", head, body)
    }

    /// [`Stage::host_page`] whose `<html>` element has `html_attributes` instead of
    /// `lang="en"` (`lang="ar" dir="rtl"`, say).
    pub fn host_page_with(&self, html_attributes: &str, head: &str, body: &str) -> String {
        format!(
            "<!doctype html><html {html_attributes}><head><meta charset=\"utf-8\"><title>Host</title>{head}</head>\
             <body>{body}<script src=\"{}/embed.js\" async></script></body></html>",
            self.server.base
        )
    }

    /// Serves [`Stage::host_page`] at `path` on the host site (with `csp` as its policy,
    /// when given) and opens it.
    pub fn open(&self, path: &str, head: &str, body: &str, csp: Option<String>) {
        let url = self.site.page(path, self.host_page(head, body), csp);
        self.browser.goto(&url);
    }

    /// [`Stage::open`] with [`Stage::host_page_with`]'s page, without a policy.
    pub fn open_with(&self, path: &str, html_attributes: &str, head: &str, body: &str) {
        let page = self.host_page_with(html_attributes, head, body);
        let url = self.site.page(path, page, None);
        self.browser.goto(&url);
    }

    /// The steps below, in this stage's browser.
    pub fn reader(&self) -> Reader<'_> {
        Reader(&self.browser)
    }

    /// Waits until `expression` (JS, with `root` bound to the shadow root of the widget on
    /// `host`) is truthy, and returns its value.
    pub fn wait_in_root(&self, host: &str, what: &str, expression: &str) -> Value {
        self.reader().wait_in_root(host, what, expression)
    }

    /// Waits for the count heading of the widget on `host` to read `expected`.
    pub fn wait_for_count(&self, host: &str, expected: &str) {
        self.reader().wait_for_count(host, expected)
    }

    /// Evaluates `expression` (JS) with `root` bound to the shadow root of `host`.
    pub fn in_root(&self, host: &str, expression: &str) -> Value {
        self.reader().in_root(host, expression)
    }

    /// The first element matching `css` inside the widget on `host`.
    pub fn in_widget(&self, host: &str, css: &str) -> Element {
        self.reader().in_widget(host, css)
    }

    /// Types a name, an email and a comment into `form` (a selector inside the widget).
    pub fn fill(&self, host: &str, form: &str, name: &str, email: &str, body: &str) {
        self.reader().fill(host, form, name, email, body)
    }

    /// Clicks the submit button of `form`.
    pub fn submit(&self, host: &str, form: &str) {
        self.reader().submit(host, form)
    }

    /// Posts a top-level comment through the widget's form, as a reader would.
    pub fn post_through(&self, host: &str, name: &str, body: &str) {
        self.reader().post_through(host, name, body)
    }

    /// Every comment the widget on `host` shows, in page order.
    pub fn shape(&self, host: &str) -> Vec<Shown> {
        self.reader().shape(host)
    }

    /// How many comments the server holds on `thread`, asked through its API.
    pub fn total(&self, thread: &str) -> u64 {
        let path = format!("/api/v1/threads/{}/comments", thread.replace('/', "%2F"));
        self.server.get_json(&path)["total"]
            .as_u64()
            .expect("a total")
    }
}

/// The steps a reader takes in one browser, for journeys with several browsers (a
/// [`Stage`] has one, and its steps are these).
#[derive(Clone, Copy)]
pub struct Reader<'a>(pub &'a Browser);

impl Reader<'_> {
    /// Waits until `expression` (JS, with `root` bound to the shadow root of the widget on
    /// `host`) is truthy, and returns its value.
    pub fn wait_in_root(&self, host: &str, what: &str, expression: &str) -> Value {
        let condition = format!(
            "(() => {{ const root = document.querySelector({host})?.shadowRoot;
                       return root ? ({expression}) : null; }})()",
            host = js_string(host),
        );
        self.0.try_wait_for(&condition, WAIT).unwrap_or_else(|why| {
            // What the reader sees instead, to say why.
            let shown = self.0.execute(
                &format!(
                    "const host = document.querySelector({host});
                     return host ? (host.shadowRoot ?? host).textContent : 'no element ' + {host};",
                    host = js_string(host),
                ),
                json!([]),
            );
            panic!("timed out after {WAIT:?} waiting for {what}{why}; the widget shows {shown}")
        })
    }

    /// Waits for the count heading of the widget on `host` to read `expected`.
    pub fn wait_for_count(&self, host: &str, expected: &str) {
        self.wait_in_root(
            host,
            &format!("'{expected}' in {host}"),
            &format!(
                "root.querySelector('h2.count')?.textContent === {}",
                js_string(expected)
            ),
        );
    }

    /// Evaluates `expression` (JS) with `root` bound to the shadow root of `host`.
    pub fn in_root(&self, host: &str, expression: &str) -> Value {
        let script = format!(
            "const root = document.querySelector({host}).shadowRoot; return ({expression});",
            host = js_string(host),
        );
        self.0.execute(&script, json!([]))
    }

    /// The first element matching `css` inside the widget on `host`.
    pub fn in_widget(&self, host: &str, css: &str) -> Element {
        let host = self.0.find(host);
        let shadow = self.0.shadow_root(&host);
        self.0.find_in_shadow(&shadow, css)
    }

    /// Types a name, an email and a comment into `form` (a selector inside the widget).
    pub fn fill(&self, host: &str, form: &str, name: &str, email: &str, body: &str) {
        for (field, value) in [
            ("input[name=name]", name),
            ("input[name=email]", email),
            ("textarea[name=body]", body),
        ] {
            let input = self.in_widget(host, &format!("{form} {field}"));
            self.0.type_text(&input, value);
        }
    }

    /// Clicks the submit button of `form`.
    pub fn submit(&self, host: &str, form: &str) {
        self.0
            .click(&self.in_widget(host, &format!("{form} button.submit")));
    }

    /// Posts a top-level comment through the widget's form, as a reader would.
    pub fn post_through(&self, host: &str, name: &str, body: &str) {
        self.fill(host, MAIN_FORM, name, "reader@private.example", body);
        self.submit(host, MAIN_FORM);
    }

    /// Every comment the widget on `host` shows, in page order.
    pub fn shape(&self, host: &str) -> Vec<Shown> {
        let rows = self.in_root(
            host,
            "Array.from(root.querySelectorAll('li.comment')).map(li => [
               Number(li.dataset.commentId),
               li.dataset.parentId ? Number(li.dataset.parentId) : null,
               Number(li.dataset.depth),
               li.querySelector('.body').textContent])",
        );
        rows.as_array()
            .expect("a list of comments")
            .iter()
            .map(|row| Shown {
                id: row[0].as_i64().expect("a comment id"),
                parent: row[1].as_i64(),
                depth: row[2].as_u64().expect("a depth") as usize,
                body: row[3].as_str().expect("a body").to_owned(),
            })
            .collect()
    }

    /// How many comments the widget on `host` shows whose body reads exactly `text`.
    pub fn copies_of(&self, host: &str, text: &str) -> u64 {
        self.in_root(
            host,
            &format!(
                "[...root.querySelectorAll('li.comment .body')].filter(b => b.textContent.trim() === {}).length",
                js_string(text)
            ),
        )
        .as_u64()
        .expect("a number of comments")
    }
}

/// `text` as a JS string literal.
pub fn js_string(text: &str) -> String {
    Value::from(text).to_string()
}
