//! The site owner's side of a journey: owners and sites made with the server's own
//! commands (`colloquy-server admin add`, `site add`), and the console's pages in a
//! browser.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::json;

use crate::server::{server_binary, Server};
use crate::stage::{js_string, WAIT};
use crate::webdriver::Browser;

pub const OWNER_PASSWORD: &str = "the owner's long password";

/// Runs `colloquy-server ARGS --database <the server's>`, with `stdin` as its input, and
/// answers its standard output and standard error.
fn command(server: &Server, args: &[&str], stdin: &str) -> (String, String) {
    let mut child = Command::new(server_binary())
        .args(args)
        .arg("--database")
        .arg(server.launch().database())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start colloquy-server");
    child
        .stdin
        .take()
        .expect("its input")
        .write_all(stdin.as_bytes())
        .expect("write its input");
    let output = child.wait_with_output().expect("its output");
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "colloquy-server {args:?} failed: {said}"
    );
    (String::from_utf8_lossy(&output.stdout).into_owned(), said)
}

/// A new API token for the owner `email` (`colloquy-server admin token`).
pub fn admin_token(server: &Server, email: &str) -> String {
    let (token, _) = command(server, &["admin", "token", email], "");
    token.trim().to_owned()
}

/// `colloquy-server admin add EMAIL --name NAME --password-stdin [--site SITE]`.
pub fn add_owner(server: &Server, site: Option<&str>, email: &str, name: &str) {
    let mut args = vec!["admin", "add", email, "--name", name, "--password-stdin"];
    if let Some(site) = site {
        args.extend(["--site", site]);
    }
    command(server, &args, &format!("{OWNER_PASSWORD}\n"));
}

/// `colloquy-server site add NAME --origin ORIGIN`.
pub fn add_site(server: &Server, name: &str, origin: &str) {
    command(server, &["site", "add", name, "--origin", origin], "");
}

/// Signs in at the console's page in `browser`, by keyboard and clicks as an owner does,
/// and waits for the queue.
pub fn sign_in(browser: &Browser, server: &Server, email: &str) {
    browser.goto(&server.url("/admin/"));
    browser.type_text(&browser.find("#field-email"), email);
    browser.type_text(&browser.find("#field-password"), OWNER_PASSWORD);
    browser.click(&browser.find("form.login button"));
    wait_for_heading(browser, "Awaiting approval");
}

/// Waits until the console page's heading starts with `start`.
pub fn wait_for_heading(browser: &Browser, start: &str) {
    let condition = format!(
        "document.querySelector('main h1')?.textContent.startsWith({})",
        js_string(start)
    );
    if let Err(why) = browser.try_wait_for(&condition, WAIT) {
        let shown = browser.execute(
            "return location.href + ' shows: ' + (document.querySelector('main')?.textContent ?? document.body?.textContent ?? '');",
            json!([]),
        );
        panic!(
            "timed out after {WAIT:?} waiting for the console's heading {start:?}{why}; {shown}"
        );
    }
}

/// The console's heading now.
pub fn heading(browser: &Browser) -> String {
    browser
        .execute(
            "return document.querySelector('main h1')?.textContent ?? '';",
            json!([]),
        )
        .as_str()
        .unwrap_or_default()
        .to_owned()
}
