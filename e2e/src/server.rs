use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::child_output::first_line_containing;

/// The `colloquy-server` binary that `cargo xtask test` built for these journeys.
pub fn server_binary() -> PathBuf {
    std::env::var_os("COLLOQUY_SERVER_BIN")
        .map(PathBuf::from)
        .expect("COLLOQUY_SERVER_BIN is not set: run the journeys with `cargo xtask test`")
}

/// The release widget (`dist/`) built by `cargo xtask test`.
pub fn widget_dist() -> PathBuf {
    let dist = std::env::var_os("COLLOQUY_DIST")
        .map(PathBuf::from)
        .expect("COLLOQUY_DIST is not set: run the journeys with `cargo xtask test`");
    assert!(
        dist.join("colloquy_bg.wasm").is_file(),
        "no built widget in {dist:?}"
    );
    dist
}

/// A running server process on 127.0.0.1 with a free port. Dropping it kills it.
pub struct Server {
    pub base: String,
    child: Option<Child>,
}

impl Server {
    /// Starts the server on `database`, serving the release widget, with the demo thread.
    pub fn start(database: &Path, extra_args: &[&str]) -> Server {
        let mut child = Command::new(server_binary())
            .arg("--listen")
            .arg("127.0.0.1:0")
            .arg("--database")
            .arg(database)
            .arg("--assets")
            .arg(widget_dist())
            .arg("--seed-demo")
            .args(extra_args)
            .env("COLLOQUY_LOG", "warn")
            .stdout(Stdio::piped())
            .spawn()
            .expect("start colloquy-server");
        let stdout = child.stdout.take().expect("server stdout");
        let line = first_line_containing(stdout, "listening on", "server", Duration::from_secs(30))
            .unwrap_or_else(|e| {
                child.kill().ok();
                panic!("{e}")
            });
        let base = line
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .expect("an address in the server's first line")
            .trim_end_matches('/')
            .to_owned();
        Server {
            base,
            child: Some(child),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Asks the server to stop (SIGTERM), as an operator would, and waits for it to exit.
    pub fn stop(mut self) {
        if let Some(child) = self.child.take() {
            terminate(child);
        }
    }

    /// A GET of the API, parsed as JSON.
    pub fn get_json(&self, path: &str) -> serde_json::Value {
        ureq::get(&self.url(path))
            .call()
            .expect("GET the API")
            .into_json()
            .expect("a JSON answer")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// SIGTERM, then up to ten seconds for a graceful exit, then SIGKILL.
fn terminate(mut child: Child) {
    let pid = child.id().to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status();
    if signalled.is_ok_and(|status| status.success()) {
        let (exited, wait) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            exited.send(()).ok();
            (child, status)
        });
        if wait.recv_timeout(Duration::from_secs(10)).is_ok() {
            waiter.join().ok();
            return;
        }
        Command::new("kill").args(["-KILL", &pid]).status().ok();
        waiter.join().ok();
    } else {
        child.kill().ok();
        child.wait().ok();
    }
}
