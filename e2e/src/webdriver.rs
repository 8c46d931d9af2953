//! Chromium driven through ChromeDriver with the `fantoccini` WebDriver client.
//!
//! This module is a synchronous facade, and deliberately thin. The journeys read as a
//! reader's steps, one after the other, and the bench measures between such steps; both are
//! plain blocking code, while fantoccini is async. So [`Browser`] owns a current-thread tokio
//! runtime and blocks on it for each call, which also drives fantoccini's session task and
//! its HTTP connections to ChromeDriver (loopback only) for the length of that call. Nothing
//! runs in the background between calls, and every call either succeeds or panics with what
//! it was doing, as a test step should.
//!
//! The facade also owns the ChromeDriver process: it starts it on a free port, and kills
//! that very process (by its id) when the [`Browser`] is dropped.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::elements::{Element as Node, ShadowRoot};
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use tokio::runtime::Runtime;

use crate::child_output::first_line_containing;

/// The keys a journey presses besides characters (`Key::Tab`, `Key::Enter`, `Key::Escape`…).
pub use fantoccini::key::Key;

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

/// How long a script may run in the page before ChromeDriver gives up on it.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(60);

/// The longest single look a [`Browser::wait_for`] takes inside the page; a longer wait is
/// several looks, each well inside [`SCRIPT_TIMEOUT`].
const LOOK: Duration = Duration::from_secs(20);

/// How long closing the session may take on drop before ChromeDriver is killed anyway.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(30);

fn chromedriver_path() -> PathBuf {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("chromedriver"))
}

/// ChromeDriver and one browser session on it. Dropping it closes the session and kills
/// ChromeDriver.
pub struct Browser {
    runtime: Runtime,
    client: Client,
    /// ChromeDriver's own address, for the Chromium-specific endpoints fantoccini does not
    /// wrap ([`Browser::cdp`], [`Browser::performance_log`]).
    driver_url: String,
    // Dropped after the session is closed (fields drop after `Drop::drop`, in this order).
    _driver: Driver,
    _profile: tempfile::TempDir,
}

/// The ChromeDriver process this facade started. Dropping it kills that process, by its id,
/// whatever else failed: a panic while starting or closing the session cannot leave it
/// running.
struct Driver(Child);

/// ChromeDriver on a port of its choosing, and that port. On `--port=0` it binds IPv4 and
/// IPv6 to one number it picks; when another program (a parallel journey's server, say)
/// takes that number on one of them in between, it exits at once ("IPv4 port not
/// available"), as seen in a full run. A start that ends that way, before the deadline,
/// is tried again; one that says nothing until the deadline is a failure.
fn start_chromedriver() -> (Driver, u16) {
    const ATTEMPTS: usize = 5;
    const DEADLINE: Duration = Duration::from_secs(30);
    let mut last = String::new();
    for _ in 0..ATTEMPTS {
        let mut driver = Driver(
            Command::new(chromedriver_path())
                .arg("--port=0")
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver (install chromium-driver, or run `cargo xtask test`)"),
        );
        let greeting = driver.0.stdout.take().expect("chromedriver's stdout");
        let started = Instant::now();
        let port = first_line_containing(
            greeting,
            "started successfully on port",
            "chromedriver",
            DEADLINE,
        )
        .and_then(|line| {
            line.trim_end()
                .trim_end_matches('.')
                .rsplit(' ')
                .next()
                .and_then(|port| port.parse::<u16>().ok())
                .ok_or_else(|| format!("no port in chromedriver's greeting {line:?}"))
        });
        match port {
            Ok(port) => return (driver, port),
            Err(message) if started.elapsed() < DEADLINE => last = message,
            Err(message) => panic!("{message}"),
        }
    }
    panic!("chromedriver exited at its start {ATTEMPTS} times; the last: {last}")
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// An element of the page, or a shadow root (what [`Browser::shadow_root`] returns).
#[derive(Clone, Debug)]
pub struct Element(Target);

#[derive(Clone, Debug)]
enum Target {
    Node(Node),
    Shadow(ShadowRoot),
}

impl Browser {
    pub fn start() -> Browser {
        Browser::start_with(&[])
    }

    /// A browser with extra Chromium flags (the bench asks for precise memory figures).
    pub fn start_with(extra_args: &[&str]) -> Browser {
        Browser::start_with_prefs(extra_args, Value::Null)
    }

    /// A browser whose pages are zoomed to `percent` (200.0 for 200 %), as a reader sets
    /// it in the browser: the zoom of the profile, so a page's CSS pixels grow, the
    /// viewport holds fewer of them and media queries see that width. (A journey that
    /// relies on it checks `devicePixelRatio` and `innerWidth` before it judges.)
    pub fn start_zoomed(percent: f64) -> Browser {
        // Chromium keeps the default zoom as a level whose every step is a factor of 1.2.
        let level = (percent / 100.0).ln() / 1.2_f64.ln();
        Browser::start_with_prefs(
            &[],
            json!({ "partition": { "default_zoom_level": { "x": level } } }),
        )
    }

    /// A browser with extra Chromium flags and preferences for its fresh profile (a JSON
    /// object, as Chromium's `Preferences` file holds them; null for none).
    pub fn start_with_prefs(extra_args: &[&str], prefs: Value) -> Browser {
        Browser::start_with_capabilities(extra_args, prefs, Value::Null)
    }

    /// A browser that keeps Chromium's performance log: every DevTools `Network.*` event of
    /// its pages, read (and emptied) with [`Browser::performance_log`]. The bench counts the
    /// bytes a page received with it.
    pub fn start_with_performance_log(extra_args: &[&str]) -> Browser {
        Browser::start_with_capabilities(
            extra_args,
            Value::Null,
            json!({
                "goog:loggingPrefs": { "performance": "ALL" },
                "goog:chromeOptions": {
                    "perfLoggingPrefs": { "enableNetwork": true, "enablePage": false },
                },
            }),
        )
    }

    /// [`Browser::start_with_prefs`] with more capabilities (a JSON object, or null): each
    /// of its keys is added to the session's capabilities, and the keys of its
    /// `goog:chromeOptions` to those Chromium gets.
    pub fn start_with_capabilities(extra_args: &[&str], prefs: Value, extra: Value) -> Browser {
        let (driver, port) = start_chromedriver();

        let profile = tempfile::tempdir().expect("a profile folder");
        let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(extra_args.iter().map(|a| a.to_string()));
        let mut chrome_options = json!({ "args": args });
        if !prefs.is_null() {
            chrome_options["prefs"] = prefs;
        }
        let mut capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": chrome_options,
            "timeouts": {
                "script": SCRIPT_TIMEOUT.as_millis() as u64,
                "pageLoad": 60_000,
                "implicit": 0,
            },
        });
        if let Value::Object(extra) = extra {
            for (key, value) in extra {
                match (key.as_str(), value) {
                    ("goog:chromeOptions", Value::Object(options)) => {
                        for (option, value) in options {
                            capabilities["goog:chromeOptions"][option] = value;
                        }
                    }
                    (_, value) => capabilities[key] = value,
                }
            }
        }
        let Value::Object(capabilities) = capabilities else {
            unreachable!("the capabilities are a JSON object")
        };

        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the WebDriver client");
        let url = format!("http://127.0.0.1:{port}");
        let connected = runtime.block_on(
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&url),
        );
        let client = connected.unwrap_or_else(|error| {
            panic!("no Chromium session from chromedriver at {url}: {error}")
        });
        Browser {
            runtime,
            client,
            driver_url: url,
            _driver: driver,
            _profile: profile,
        }
    }

    /// Runs one WebDriver command to completion; a failure panics with `what`.
    fn run<T>(
        &self,
        what: &str,
        command: impl std::future::Future<Output = Result<T, CmdError>>,
    ) -> T {
        self.runtime
            .block_on(command)
            .unwrap_or_else(|error| panic!("WebDriver could not {what}: {error}"))
    }

    pub fn goto(&self, url: &str) {
        self.run(&format!("open {url}"), self.client.goto(url));
    }

    pub fn refresh(&self) {
        self.run("reload the page", self.client.refresh());
    }

    /// Runs `script` (a function body; `arguments` holds the items of `args`, a JSON array)
    /// and returns its value.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.run("run a script", self.client.execute(script, arguments(args)))
    }

    /// Runs an asynchronous script: it finishes by calling its last argument.
    pub fn execute_async(&self, script: &str) -> Value {
        self.execute_async_with(script, json!([]))
    }

    /// [`Browser::execute_async`] with arguments (a JSON array).
    pub fn execute_async_with(&self, script: &str, args: Value) -> Value {
        self.run(
            "run an asynchronous script",
            self.client.execute_async(script, arguments(args)),
        )
    }

    /// Waits until `condition` (a JS expression) is truthy in the page and returns its
    /// value; panics with `what` once `timeout` has passed. See [`Browser::try_wait_for`].
    pub fn wait_for(&self, what: &str, condition: &str, timeout: Duration) -> Value {
        self.try_wait_for(condition, timeout).unwrap_or_else(|why| {
            panic!("timed out after {timeout:?} waiting for {what} ({condition}){why}")
        })
    }

    /// Waits until `condition` (a JS expression) is truthy in the page and returns its
    /// value, or, once `timeout` has passed, says why not (empty, or the last failure). The
    /// page itself re-evaluates the condition at every turn of its event loop timer (every
    /// 20 ms) until the deadline, in looks of at most [`LOOK`]; a look that fails (the page
    /// was being replaced) is followed by another until the deadline.
    pub fn try_wait_for(&self, condition: &str, timeout: Duration) -> Result<Value, String> {
        let deadline = Instant::now() + timeout;
        let mut last_error = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let look = left.min(LOOK);
            let script = format!(
                "const done = arguments[arguments.length - 1];
                 const until = Date.now() + {ms};
                 const check = () => {{
                   let value = null;
                   try {{ value = (() => ({condition}))(); }} catch (e) {{ value = null; }}
                   if (value) return done(value);
                   if (Date.now() >= until) return done(null);
                   setTimeout(check, 20);
                 }};
                 check();",
                ms = look.as_millis(),
            );
            match self
                .runtime
                .block_on(self.client.execute_async(&script, Vec::new()))
            {
                Ok(value) if !value.is_null() => return Ok(value),
                Ok(_) => {}
                Err(error) => last_error = Some(error.to_string()),
            }
            if Instant::now() >= deadline {
                return Err(last_error
                    .map(|e| format!("; the last look failed: {e}"))
                    .unwrap_or_default());
            }
        }
    }

    /// The first element of the page that matches `css`.
    pub fn find(&self, css: &str) -> Element {
        let node = self.run(
            &format!("find {css:?}"),
            self.client.find(Locator::Css(css)),
        );
        Element(Target::Node(node))
    }

    /// The shadow root that `host` carries.
    pub fn shadow_root(&self, host: &Element) -> Element {
        let shadow = self.run("reach a shadow root", node(host).shadow_root());
        Element(Target::Shadow(shadow))
    }

    /// The first element inside `shadow` (from [`Browser::shadow_root`]) that matches `css`.
    pub fn find_in_shadow(&self, shadow: &Element, css: &str) -> Element {
        let Target::Shadow(root) = &shadow.0 else {
            panic!("find_in_shadow({css:?}) was given an element, not a shadow root")
        };
        let node = self.run(
            &format!("find {css:?} in a shadow root"),
            root.find(Locator::Css(css)),
        );
        Element(Target::Node(node))
    }

    pub fn click(&self, element: &Element) {
        self.run("click", node(element).click());
    }

    /// Types `text` into `element` key by key, as a reader would.
    pub fn type_text(&self, element: &Element, text: &str) {
        self.run("type", node(element).send_keys(text));
    }

    /// The element's rendered text.
    pub fn text(&self, element: &Element) -> String {
        self.run("read an element's text", node(element).text())
    }

    /// Presses and releases `key` (a [`Key`] or a character) wherever the focus is, as a
    /// reader's keyboard does: the page gets keydown, keypress and keyup, and the browser
    /// does what the key does (Tab moves the focus, Enter and Space press a button).
    pub fn press(&self, key: impl Into<char>) {
        self.press_keys(&[], key.into());
    }

    /// Presses `key` while `modifier` is held (`Key::Shift` with `Key::Tab`).
    pub fn press_with(&self, modifier: Key, key: impl Into<char>) {
        self.press_keys(&[modifier.into()], key.into());
    }

    /// Tab: the focus moves to the next thing in the page's order.
    pub fn tab(&self) {
        self.press(Key::Tab);
    }

    /// Shift+Tab: the focus moves back.
    pub fn shift_tab(&self) {
        self.press_with(Key::Shift, Key::Tab);
    }

    /// Types `text` key by key into whatever has the focus, without moving it first (as
    /// [`Browser::type_text`] does with the element it is given).
    pub fn type_keys(&self, text: &str) {
        let mut keys = KeyActions::new("keyboard".to_owned());
        for character in text.chars() {
            keys = keys
                .then(KeyAction::Down { value: character })
                .then(KeyAction::Up { value: character });
        }
        self.run("type on the keyboard", self.client.perform_actions(keys));
    }

    fn press_keys(&self, modifiers: &[char], key: char) {
        let mut keys = KeyActions::new("keyboard".to_owned());
        for &modifier in modifiers {
            keys = keys.then(KeyAction::Down { value: modifier });
        }
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        for &modifier in modifiers.iter().rev() {
            keys = keys.then(KeyAction::Up { value: modifier });
        }
        self.run("press a key", self.client.perform_actions(keys));
    }

    /// Sets the size of the browser's window, in CSS pixels at 100 % zoom. Headless
    /// Chromium gives the page the whole window (its `innerWidth` is `width`), even below
    /// the 500 pixels it reports as `outerWidth`.
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.run(
            &format!("make the window {width}×{height}"),
            self.client.set_window_size(width, height),
        );
    }
}

impl Browser {
    /// Sends one DevTools protocol command (`Network.enable`, `Emulation.setCPUThrottlingRate`
    /// …) to the page's target through ChromeDriver (`goog/cdp/execute`) and returns its
    /// result. What it sets stays for the session's later pages until it is set back.
    pub fn cdp(&self, command: &str, params: Value) -> Value {
        self.driver_post(
            "goog/cdp/execute",
            json!({ "cmd": command, "params": params }),
            &format!("run the DevTools command {command}"),
        )
    }

    /// The entries of Chromium's performance log since the last call (which empties it),
    /// each the DevTools event ChromeDriver recorded (`{"method": "Network.…", "params":
    /// {…}}`), in order. Needs a browser from [`Browser::start_with_performance_log`].
    pub fn performance_log(&self) -> Vec<Value> {
        let entries = self.driver_post(
            "se/log",
            json!({ "type": "performance" }),
            "read the performance log",
        );
        entries
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .filter_map(|entry| entry["message"].as_str())
                    .filter_map(|message| serde_json::from_str::<Value>(message).ok())
                    .map(|mut message| message["message"].take())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A POST to one of ChromeDriver's endpoints of this session (over loopback, as every
    /// command); its `value`. A failure panics with `what`.
    fn driver_post(&self, endpoint: &str, body: Value, what: &str) -> Value {
        let session = self
            .runtime
            .block_on(self.client.session_id())
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("WebDriver could not {what}: no session"));
        let url = format!("{}/session/{session}/{endpoint}", self.driver_url);
        let mut answer: Value = ureq::post(&url)
            .timeout(SCRIPT_TIMEOUT)
            .send_json(body)
            .map_err(|error| error.to_string())
            .and_then(|answer| answer.into_json().map_err(|error| error.to_string()))
            .unwrap_or_else(|error| panic!("WebDriver could not {what}: {error}"));
        answer["value"].take()
    }
}

/// The element behind `element`; a shadow root cannot be clicked, typed into or read.
fn node(element: &Element) -> &Node {
    match &element.0 {
        Target::Node(node) => node,
        Target::Shadow(_) => panic!("this needs an element, and was given a shadow root"),
    }
}

/// A script's `arguments`: the items of a JSON array (anything else is one argument).
fn arguments(args: Value) -> Vec<Value> {
    match args {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        single => vec![single],
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The timer is made inside the runtime: tokio's timers belong to one.
        let client = self.client.clone();
        let close = async move { tokio::time::timeout(CLOSE_TIMEOUT, client.close()).await };
        self.runtime.block_on(close).ok();
    }
}
