//! Just enough of the W3C WebDriver protocol for the journeys, spoken to ChromeDriver over
//! loopback HTTP: sessions, navigation, scripts, elements (including those inside the
//! widget's shadow root), clicks and typing.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::child_output::first_line_containing;

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW_KEY: &str = "shadow-6066-11e4-a52e-4f735466cecf";

/// The flags Chromium needs here: headless, runnable as root in a container, and silent
/// towards the network (this machine only reaches loopback).
const CHROMIUM_ARGS: [&str; 9] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1024,900",
];

fn chromedriver_path() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromedriver"))
}

/// ChromeDriver and one browser session. Dropping it ends both.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
    _profile: tempfile::TempDir,
}

/// A reference to an element (or a shadow root) in the page.
#[derive(Clone, Debug)]
pub struct Element(pub String);

impl Browser {
    pub fn start() -> Browser {
        Browser::start_with(&[])
    }

    /// A browser with extra Chromium flags (the bench asks for precise memory figures).
    pub fn start_with(extra_args: &[&str]) -> Browser {
        let mut driver = Command::new(chromedriver_path())
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (install chromium-driver, or run `cargo xtask test`)");
        let stdout = driver.stdout.take().expect("chromedriver stdout");
        let line = first_line_containing(
            stdout,
            "started successfully on port",
            "chromedriver",
            Duration::from_secs(30),
        )
        .unwrap_or_else(|e| {
            driver.kill().ok();
            panic!("{e}")
        });
        let port: u16 = line
            .trim_end_matches('.')
            .rsplit(' ')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("a port in chromedriver's greeting");
        let base = format!("http://127.0.0.1:{port}");
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let profile = tempfile::tempdir().expect("a profile folder");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(extra_args.iter().map(|a| a.to_string()));
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
            _profile: profile,
        };
        let created = browser.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"args": args},
                "timeouts": {"script": 60_000, "pageLoad": 60_000, "implicit": 0},
            }}})),
        );
        browser.session = created["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        browser
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let request = self.agent.request(method, &url);
        let result = match body {
            Some(body) => request.send_json(body),
            None => request.call(),
        };
        let response = match result {
            Ok(response) => response,
            Err(ureq::Error::Status(code, response)) => {
                let text = response.into_string().unwrap_or_default();
                panic!("WebDriver {method} {path} answered {code}: {text}");
            }
            Err(error) => panic!("WebDriver {method} {path} failed: {error}"),
        };
        let mut value: Value = response.into_json().expect("WebDriver JSON");
        value["value"].take()
    }

    fn session_call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    pub fn goto(&self, url: &str) {
        self.session_call("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn refresh(&self) {
        self.session_call("POST", "/refresh", Some(json!({})));
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// Waits until `condition` (a JS expression) is truthy in the page and returns its
    /// value; panics with `what` after `timeout`. The polling happens in the browser.
    pub fn wait_for(&self, what: &str, condition: &str, timeout: Duration) -> Value {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const deadline = Date.now() + {ms};
             const poll = () => {{
               let value = null;
               try {{ value = (() => ({condition}))(); }} catch (e) {{ value = null; }}
               if (value) return done(value);
               if (Date.now() > deadline) return done(null);
               setTimeout(poll, 20);
             }};
             poll();",
            ms = timeout.as_millis(),
        );
        let value = self.session_call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": [] })),
        );
        assert!(
            !value.is_null(),
            "timed out after {timeout:?} waiting for {what} ({condition})"
        );
        value
    }

    /// Runs an asynchronous script: it finishes by calling its last argument.
    pub fn execute_async(&self, script: &str) -> Value {
        self.execute_async_with(script, json!([]))
    }

    /// [`Browser::execute_async`] with arguments.
    pub fn execute_async_with(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/async",
            Some(json!({ "script": script, "args": args })),
        )
    }

    pub fn find(&self, css: &str) -> Element {
        let found = self.session_call(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        Element(found[ELEMENT_KEY].as_str().expect("an element").to_owned())
    }

    pub fn shadow_root(&self, host: &Element) -> Element {
        let found = self.session_call("GET", &format!("/element/{}/shadow", host.0), None);
        Element(
            found[SHADOW_KEY]
                .as_str()
                .expect("a shadow root")
                .to_owned(),
        )
    }

    /// Finds `css` inside a shadow root, with WebDriver's shadow-root lookup.
    pub fn find_in_shadow(&self, shadow: &Element, css: &str) -> Element {
        let found = self.session_call(
            "POST",
            &format!("/shadow/{}/element", shadow.0),
            Some(json!({"using": "css selector", "value": css})),
        );
        Element(found[ELEMENT_KEY].as_str().expect("an element").to_owned())
    }

    pub fn click(&self, element: &Element) {
        self.session_call(
            "POST",
            &format!("/element/{}/click", element.0),
            Some(json!({})),
        );
    }

    /// Types `text` into `element` key by key, as a reader would.
    pub fn type_text(&self, element: &Element, text: &str) {
        self.session_call(
            "POST",
            &format!("/element/{}/value", element.0),
            Some(json!({ "text": text })),
        );
    }

    pub fn text(&self, element: &Element) -> String {
        self.session_call("GET", &format!("/element/{}/text", element.0), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let url = format!("{}/session/{}", self.base, self.session);
            self.agent.delete(&url).call().ok();
        }
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}
