//! An SMTP server on a loopback port that keeps every message it accepts, for the tests
//! that read emails (the journeys, and the server's HTTP tests, which include this file).
//! It speaks enough of RFC 5321 for the server's SMTP client (lettre); quoted-printable
//! bodies are decoded, so links read as sent. It can stop and come back on the same port,
//! to play an outage.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// One accepted email: its recipients and its decoded text.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: Vec<String>,
    pub text: String,
}

impl Mail {
    /// The value of header `name` (its first occurrence), unfolded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.text.split("\r\n\r\n").next().unwrap_or_default();
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.eq_ignore_ascii_case(name)
                .then(|| value.trim().to_owned())
        })
    }

    /// The first link in the message that contains `part`.
    pub fn link(&self, part: &str) -> Option<String> {
        let at = self.text.find(part)?;
        let start = self.text[..at].rfind("http")?;
        let end = self.text[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>'))
            .map_or(self.text.len(), |end| start + end);
        Some(self.text[start..end].to_owned())
    }
}

type Kept = Arc<(Mutex<Vec<Mail>>, Condvar)>;

/// Cheap to clone: the clones share the messages (a test may wait on one in a thread of
/// its own).
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    kept: Kept,
    stopping: Arc<AtomicBool>,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::listen(0, Kept::default())
    }

    fn listen(port: u16, kept: Kept) -> SmtpSink {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let stopping = Arc::new(AtomicBool::new(false));
        let (shared, stop) = (kept.clone(), stopping.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let shared = shared.clone();
                std::thread::spawn(move || {
                    session(stream, &shared).ok();
                });
            }
        });
        SmtpSink {
            port,
            kept,
            stopping,
        }
    }

    /// Stops listening (an outage): connections are refused until [`SmtpSink::restart`].
    pub fn stop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        // The listening thread sees the flag on its next connection: this one.
        TcpStream::connect(("127.0.0.1", self.port)).ok();
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            assert!(Instant::now() < deadline, "the SMTP sink would not stop");
            std::thread::yield_now();
        }
    }

    /// Listens again on the same port, keeping what it received.
    pub fn restart(&mut self) {
        *self = SmtpSink::listen(self.port, self.kept.clone());
    }

    /// Every message to `to` so far.
    pub fn to(&self, to: &str) -> Vec<Mail> {
        let mails = self.kept.0.lock().unwrap();
        mails
            .iter()
            .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
            .cloned()
            .collect()
    }

    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages to `to` once there are `count` of them (a deadline, then a panic).
    pub fn wait_for(&self, to: &str, count: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        let (mails, arrived) = &*self.kept;
        let mut mails = mails.lock().unwrap();
        loop {
            let mine: Vec<Mail> = mails
                .iter()
                .filter(|m| m.to.iter().any(|t| t.eq_ignore_ascii_case(to)))
                .cloned()
                .collect();
            if mine.len() >= count {
                return mine;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{count} emails to {to} did not arrive within {timeout:?}; {} did",
                mine.len()
            );
            mails = arrived.wait_timeout(mails, left).unwrap().0;
        }
    }
}

fn session(stream: TcpStream, kept: &Kept) -> std::io::Result<()> {
    let mut write = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    write.write_all(b"220 sink.test ESMTP\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_ascii_uppercase();
        if command.starts_with("EHLO") {
            write.write_all(b"250-sink.test\r\n250 8BITMIME\r\n")?;
        } else if command.starts_with("RCPT TO") {
            let address = line.trim_end()[8..]
                .trim()
                .trim_start_matches('<')
                .trim_end_matches('>');
            to.push(address.to_owned());
            write.write_all(b"250 OK\r\n")?;
        } else if command == "DATA" {
            write.write_all(b"354 go ahead\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                let unstuffed = if line.starts_with("..") {
                    &line[1..]
                } else {
                    &line[..]
                };
                data.push_str(unstuffed);
            }
            let (mails, arrived) = &**kept;
            mails.lock().unwrap().push(Mail {
                to: std::mem::take(&mut to),
                text: decoded(&data),
            });
            arrived.notify_all();
            write.write_all(b"250 accepted\r\n")?;
        } else if command == "QUIT" {
            write.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            write.write_all(b"250 OK\r\n")?;
        }
    }
}

/// The message with its body's quoted-printable decoded; the headers stay as sent (a
/// header is never quoted-printable, and decoding one could change it).
fn decoded(message: &str) -> String {
    match message.split_once("\r\n\r\n") {
        Some((head, body)) => format!("{head}\r\n\r\n{}", unquote(body)),
        None => message.to_owned(),
    }
}

/// Quoted-printable text decoded.
fn unquote(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
