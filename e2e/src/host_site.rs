//! A stand-in for a site owner's web server: static pages on a loopback port of their own,
//! so the pages' origin differs from the comment server's, as it does in real life. Each
//! page may carry a Content-Security-Policy header.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use crate::loopback::Loopback;

#[derive(Clone, Default)]
struct Page {
    html: String,
    csp: Option<String>,
}

/// Dropping it stops the server.
pub struct HostSite {
    pub origin: String,
    pages: Arc<Mutex<HashMap<String, Page>>>,
    _server: Loopback,
}

impl HostSite {
    pub fn start() -> HostSite {
        let pages: Arc<Mutex<HashMap<String, Page>>> = Arc::default();
        let server = {
            let pages = pages.clone();
            Loopback::start("a host site", move |stream| answer(stream, &pages))
        };
        HostSite {
            origin: server.origin(),
            pages,
            _server: server,
        }
    }

    /// Serves `html` at `path`, with `csp` as its Content-Security-Policy when given.
    pub fn page(&self, path: &str, html: String, csp: Option<String>) -> String {
        self.pages
            .lock()
            .unwrap()
            .insert(path.to_owned(), Page { html, csp });
        format!("{}{path}", self.origin)
    }
}

fn answer(stream: TcpStream, pages: &Mutex<HashMap<String, Page>>) {
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
    let page = pages.lock().unwrap().get(&path).cloned();
    let mut stream = &stream;
    let response = match page {
        Some(page) => {
            let csp = page
                .csp
                .map(|csp| format!("Content-Security-Policy: {csp}\r\n"))
                .unwrap_or_default();
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{csp}Content-Length: {}\r\nConnection: close\r\n\r\n{}",
                page.html.len(),
                page.html
            )
        }
        None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".into(),
    };
    stream.write_all(response.as_bytes()).ok();
}
