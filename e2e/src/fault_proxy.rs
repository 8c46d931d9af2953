//! A loopback proxy in front of the server that loses responses on purpose: it forwards a
//! chosen number of comment posts, lets the server store them, and then drops the
//! connection instead of answering, as a flaky mobile network does.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

pub struct FaultProxy {
    pub origin: String,
    /// The bodies of the comment posts that passed through, in order.
    pub posts: Arc<Mutex<Vec<String>>>,
    stopping: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FaultProxy {
    /// Proxies to `upstream` (`host:port`), dropping the responses of the first
    /// `responses_to_drop` POSTs to a comments URL.
    pub fn start(upstream: &str, responses_to_drop: usize) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the proxy");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        let posts: Arc<Mutex<Vec<String>>> = Arc::default();
        let stopping = Arc::new(AtomicBool::new(false));
        let to_drop = Arc::new(AtomicUsize::new(responses_to_drop));
        let thread = {
            let (posts, stopping, upstream) =
                (posts.clone(), stopping.clone(), upstream.to_owned());
            std::thread::spawn(move || {
                for client in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(client) = client else { continue };
                    let (posts, to_drop, upstream) =
                        (posts.clone(), to_drop.clone(), upstream.clone());
                    std::thread::spawn(move || relay(client, &upstream, &posts, &to_drop));
                }
            })
        };
        FaultProxy {
            origin,
            posts,
            stopping,
            thread: Some(thread),
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

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        TcpStream::connect(self.origin.trim_start_matches("http://")).ok();
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}
