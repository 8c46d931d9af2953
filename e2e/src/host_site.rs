//! A stand-in for a site owner's web server: static pages on a loopback port of their own,
//! so the pages' origin differs from the comment server's, as it does in real life. Each
//! page may carry a Content-Security-Policy header. It can also serve a folder of files (a
//! developer's own app), each with the content type its name calls for.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::loopback::Loopback;

#[derive(Clone, Default)]
struct Page {
    html: String,
    csp: Option<String>,
}

#[derive(Default)]
struct Content {
    pages: HashMap<String, Page>,
    /// URL prefixes (ending in `/`) and the folders served under them.
    folders: Vec<(String, PathBuf)>,
}

/// Dropping it stops the server.
pub struct HostSite {
    pub origin: String,
    content: Arc<Mutex<Content>>,
    _server: Loopback,
}

impl HostSite {
    pub fn start() -> HostSite {
        let content: Arc<Mutex<Content>> = Arc::default();
        let server = {
            let content = content.clone();
            Loopback::start("a host site", move |stream| answer(stream, &content))
        };
        HostSite {
            origin: server.origin(),
            content,
            _server: server,
        }
    }

    /// Serves `html` at `path`, with `csp` as its Content-Security-Policy when given.
    pub fn page(&self, path: &str, html: String, csp: Option<String>) -> String {
        self.content
            .lock()
            .unwrap()
            .pages
            .insert(path.to_owned(), Page { html, csp });
        format!("{}{path}", self.origin)
    }

    /// Serves the files of `folder` under `prefix` (`/` or `/app/`): `prefix` + `a/b.js` is
    /// `folder/a/b.js`, typed by its extension (`.wasm` as `application/wasm`, `.js` as
    /// `text/javascript`). Pages given to [`HostSite::page`] win. Returns the folder's URL.
    pub fn serve_folder(&self, prefix: &str, folder: &Path) -> String {
        assert!(
            prefix.starts_with('/') && prefix.ends_with('/'),
            "a folder is served under a prefix like /app/, not {prefix:?}"
        );
        assert!(folder.is_dir(), "no folder to serve at {folder:?}");
        self.content
            .lock()
            .unwrap()
            .folders
            .push((prefix.to_owned(), folder.to_owned()));
        format!("{}{prefix}", self.origin)
    }
}

/// What one request gets: a status line's words, headers and the body.
struct Answer {
    status: &'static str,
    headers: Vec<String>,
    body: Vec<u8>,
}

fn answer(stream: TcpStream, content: &Mutex<Content>) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers; these pages take no input.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_owned();
    let answer = {
        let content = content.lock().unwrap();
        page_answer(&content, &path).or_else(|| file_answer(&content, &path))
    };
    let answer = answer.unwrap_or(Answer {
        status: "404 Not Found",
        headers: Vec::new(),
        body: Vec::new(),
    });
    let mut head = format!("HTTP/1.1 {}\r\n", answer.status);
    for header in &answer.headers {
        head.push_str(header);
        head.push_str("\r\n");
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        answer.body.len()
    ));
    let mut stream = &stream;
    if stream.write_all(head.as_bytes()).is_ok() {
        stream.write_all(&answer.body).ok();
    }
}

fn page_answer(content: &Content, path: &str) -> Option<Answer> {
    let page = content.pages.get(path)?;
    let mut headers = vec!["Content-Type: text/html; charset=utf-8".to_owned()];
    if let Some(csp) = &page.csp {
        headers.push(format!("Content-Security-Policy: {csp}"));
    }
    Some(Answer {
        status: "200 OK",
        headers,
        body: page.html.clone().into_bytes(),
    })
}

/// A file of a served folder; nothing outside the folder (no `..`), nothing that is not a
/// file.
fn file_answer(content: &Content, path: &str) -> Option<Answer> {
    content.folders.iter().find_map(|(prefix, folder)| {
        let relative = Path::new(path.strip_prefix(prefix.as_str())?);
        let inside = relative
            .components()
            .all(|part| matches!(part, Component::Normal(_)));
        if !inside || relative.as_os_str().is_empty() {
            return None;
        }
        let body = std::fs::read(folder.join(relative)).ok()?;
        Some(Answer {
            status: "200 OK",
            headers: vec![format!("Content-Type: {}", content_type(path))],
            body,
        })
    })
}

/// The content type a file's name calls for.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
