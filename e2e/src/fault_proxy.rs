//! A loopback proxy in front of the server that loses responses on purpose: it forwards a
//! chosen number of comment posts, lets the server store them, and then drops the
//! connection instead of answering, as a flaky mobile network does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::loopback::Loopback;

/// Dropping it stops the proxy.
pub struct FaultProxy {
    pub origin: String,
    /// The bodies of the comment posts that passed through, in order.
    pub posts: Arc<Mutex<Vec<String>>>,
    _server: Loopback,
}

impl FaultProxy {
    /// Proxies to `upstream` (`host:port`), dropping the responses of the first
    /// `responses_to_drop` POSTs to a comments URL.
    pub fn start(upstream: &str, responses_to_drop: usize) -> FaultProxy {
        let posts: Arc<Mutex<Vec<String>>> = Arc::default();
        let to_drop = AtomicUsize::new(responses_to_drop);
        let server = {
            let (posts, upstream) = (posts.clone(), upstream.to_owned());
            Loopback::start("the fault proxy", move |client| {
                relay(client, &upstream, &posts, &to_drop)
            })
        };
        FaultProxy {
            origin: server.origin(),
            posts,
            _server: server,
        }
    }
}

/// One request, one response, one connection (`Connection: close` both ways).
fn relay(client: TcpStream, upstream: &str, posts: &Mutex<Vec<String>>, to_drop: &AtomicUsize) {
    let mut reader = BufReader::new(&client);
    let mut head = String::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            content_length = value.trim().parse().unwrap_or(0);
        }
        if !lower.starts_with("connection:") && !lower.starts_with("keep-alive:") {
            head.push_str(&line);
        }
    }
    let mut body = vec![0u8; content_length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let is_post =
        head.starts_with("POST ") && head.lines().next().is_some_and(|l| l.contains("/comments"));
    if is_post {
        posts
            .lock()
            .unwrap()
            .push(String::from_utf8_lossy(&body).into_owned());
    }
    let Ok(mut server) = TcpStream::connect(upstream) else {
        return;
    };
    let request = [head.as_bytes(), b"Connection: close\r\n\r\n", &body].concat();
    if server.write_all(&request).is_err() {
        return;
    }
    let mut response = Vec::new();
    if server.read_to_end(&mut response).is_err() {
        return;
    }
    let drop_it = is_post
        && to_drop
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
    if drop_it {
        // The server has stored the comment; the reader never hears of it.
        return;
    }
    let mut client = &client;
    client.write_all(&response).ok();
}
