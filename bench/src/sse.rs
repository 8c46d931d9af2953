//! Reading a server-sent event stream over a raw loopback TCP connection: one small task per
//! stream, so a thousand of them cost a thousand sockets and little else. [`EventReader`]
//! is the pure part (HTTP/1.1 chunked decoding and the SSE line format) and is tested on
//! its own; [`EventStream`] feeds it from a socket.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One dispatched event: the fields the stream set before its blank line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    pub id: Option<String>,
    pub event: Option<String>,
    pub data: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Chunk {
    /// Waiting for a chunk-size line.
    Size,
    /// Inside a chunk, this many bytes still to come.
    Data(usize),
    /// After a chunk's data, waiting for its CRLF.
    DataEnd,
    /// The last (empty) chunk was seen.
    Done,
}

/// Turns the bytes of a response body, as they arrive in any pieces, into events.
#[derive(Debug)]
pub struct EventReader {
    /// `None`: the body is not chunked and runs until the connection closes.
    chunk: Option<Chunk>,
    /// Received bytes not yet taken apart as chunk framing.
    raw: Vec<u8>,
    /// Body bytes not yet ending in a full line.
    line: Vec<u8>,
    current: SseEvent,
    has_data: bool,
}

impl EventReader {
    pub fn new(chunked: bool) -> EventReader {
        EventReader {
            chunk: chunked.then_some(Chunk::Size),
            raw: Vec::new(),
            line: Vec::new(),
            current: SseEvent::default(),
            has_data: false,
        }
    }

    /// Whether the body's last chunk has arrived: nothing more will come.
    pub fn ended(&self) -> bool {
        self.chunk == Some(Chunk::Done)
    }

    /// Takes the next bytes of the body and returns the events they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, String> {
        let mut events = Vec::new();
        if self.chunk.is_none() {
            self.body(bytes, &mut events);
            return Ok(events);
        }
        self.raw.extend_from_slice(bytes);
        let mut at = 0;
        loop {
            match self.chunk {
                Some(Chunk::Size) => {
                    let Some(end) = find_crlf(&self.raw[at..]) else {
                        break;
                    };
                    let line = std::str::from_utf8(&self.raw[at..at + end])
                        .map_err(|_| "a chunk size that is not text".to_owned())?;
                    let hex = line.split(';').next().unwrap_or("").trim();
                    let size = usize::from_str_radix(hex, 16)
                        .map_err(|_| format!("a bad chunk size {line:?}"))?;
                    at += end + 2;
                    self.chunk = Some(if size == 0 {
                        Chunk::Done
                    } else {
                        Chunk::Data(size)
                    });
                }
                Some(Chunk::Data(left)) => {
                    if at == self.raw.len() {
                        break;
                    }
                    let take = left.min(self.raw.len() - at);
                    let piece = self.raw[at..at + take].to_vec();
                    self.body(&piece, &mut events);
                    at += take;
                    self.chunk = Some(if take == left {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data(left - take)
                    });
                }
                Some(Chunk::DataEnd) => {
                    if self.raw.len() - at < 2 {
                        break;
                    }
                    if &self.raw[at..at + 2] != b"\r\n" {
                        return Err("a chunk that does not end in CRLF".into());
                    }
                    at += 2;
                    self.chunk = Some(Chunk::Size);
                }
                Some(Chunk::Done) | None => break,
            }
        }
        self.raw.drain(..at);
        Ok(events)
    }

    /// Body bytes: complete lines are read as SSE fields, a blank line dispatches.
    fn body(&mut self, bytes: &[u8], events: &mut Vec<SseEvent>) {
        for &byte in bytes {
            if byte != b'\n' {
                self.line.push(byte);
                continue;
            }
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
            let line = String::from_utf8_lossy(&self.line).into_owned();
            self.line.clear();
            self.field(&line, events);
        }
    }

    fn field(&mut self, line: &str, events: &mut Vec<SseEvent>) {
        if line.is_empty() {
            // The standard dispatches only events that carried data; the retry line and
            // keep-alive comments carry none.
            let event = std::mem::take(&mut self.current);
            if std::mem::take(&mut self.has_data) {
                events.push(event);
            }
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (name, value) = match line.split_once(':') {
            Some((name, value)) => (name, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match name {
            "id" => self.current.id = Some(value.to_owned()),
            "event" => self.current.event = Some(value.to_owned()),
            "data" => {
                if self.has_data {
                    self.current.data.push('\n');
                }
                self.current.data.push_str(value);
                self.has_data = true;
            }
            _ => {}
        }
    }
}

fn find_crlf(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|pair| pair == b"\r\n")
}

/// A response's head: its status and whether its body is chunked, and how many bytes of
/// `bytes` it took; `None` until the blank line that ends it has arrived.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub status: u16,
    pub chunked: bool,
    pub length: usize,
}

pub fn parse_head(bytes: &[u8]) -> Option<Result<Head, String>> {
    let end = bytes.windows(4).position(|four| four == b"\r\n\r\n")?;
    let text = String::from_utf8_lossy(&bytes[..end]);
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok());
    let Some(status) = status else {
        return Some(Err(format!("not an HTTP answer: {status_line:?}")));
    };
    let chunked = lines.any(|line| {
        line.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("transfer-encoding")
                && value.to_ascii_lowercase().contains("chunked")
        })
    });
    Some(Ok(Head {
        status,
        chunked,
        length: end + 4,
    }))
}

/// `http://127.0.0.1:40123` → `127.0.0.1:40123`.
pub fn host_port(base: &str) -> &str {
    base.trim_start_matches("http://").trim_end_matches('/')
}

/// An open event stream on a plain HTTP/1.1 connection.
pub struct EventStream {
    socket: TcpStream,
    reader: EventReader,
    /// Events that came with the head, handed out by the first [`EventStream::next`].
    pending: Vec<SseEvent>,
}

impl EventStream {
    /// Connects to `base` (`http://host:port`), asks for `path` and waits, at most `limit`,
    /// for a `200` head: from then on the server counts this reader.
    pub async fn open(base: &str, path: &str, limit: Duration) -> Result<EventStream, String> {
        tokio::time::timeout(limit, Self::connect(base, path))
            .await
            .map_err(|_| format!("no answer to GET {path} within {limit:?}"))?
    }

    async fn connect(base: &str, path: &str) -> Result<EventStream, String> {
        let address = host_port(base);
        let mut socket = TcpStream::connect(address)
            .await
            .map_err(|e| format!("connect to {address}: {e}"))?;
        socket.set_nodelay(true).ok();
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {address}\r\nAccept: text/event-stream\r\n\r\n");
        socket
            .write_all(request.as_bytes())
            .await
            .map_err(|e| format!("send the request: {e}"))?;
        let mut received = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            let read = socket
                .read(&mut buffer)
                .await
                .map_err(|e| format!("read the head: {e}"))?;
            if read == 0 {
                return Err("the connection closed before the head".into());
            }
            received.extend_from_slice(&buffer[..read]);
            let Some(head) = parse_head(&received) else {
                continue;
            };
            let head = head?;
            if head.status != 200 {
                return Err(format!("GET {path} answered {}", head.status));
            }
            let mut reader = EventReader::new(head.chunked);
            let pending = reader.push(&received[head.length..])?;
            return Ok(EventStream {
                socket,
                reader,
                pending,
            });
        }
    }

    /// The next events, as soon as at least one has arrived; an error when the stream ends.
    pub async fn next(&mut self) -> Result<Vec<SseEvent>, String> {
        if !self.pending.is_empty() {
            return Ok(std::mem::take(&mut self.pending));
        }
        let mut buffer = [0u8; 8192];
        loop {
            if self.reader.ended() {
                return Err("the stream ended".into());
            }
            let read = self
                .socket
                .read(&mut buffer)
                .await
                .map_err(|e| format!("read the stream: {e}"))?;
            if read == 0 {
                return Err("the server closed the stream".into());
            }
            let events = self.reader.push(&buffer[..read])?;
            if !events.is_empty() {
                return Ok(events);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(parts: &[&str]) -> Vec<u8> {
        let mut body = Vec::new();
        for part in parts {
            body.extend_from_slice(format!("{:x}\r\n{part}\r\n", part.len()).as_bytes());
        }
        body.extend_from_slice(b"0\r\n\r\n");
        body
    }

    const STREAM: [&str; 4] = [
        "retry: 3000\n\n",
        ": keep-alive\n\nevent: comment\nid: 7\ndata: {\"a\":",
        "1}\n\n",
        "id: 8\r\nevent: comment\r\ndata: one\r\ndata: two\r\n\r\n",
    ];

    fn expected() -> Vec<SseEvent> {
        vec![
            SseEvent {
                id: Some("7".into()),
                event: Some("comment".into()),
                data: "{\"a\":1}".into(),
            },
            SseEvent {
                id: Some("8".into()),
                event: Some("comment".into()),
                data: "one\ntwo".into(),
            },
        ]
    }

    #[test]
    fn chunked_events_come_out_whole_however_the_bytes_are_cut() {
        let body = chunked(&STREAM);
        for piece in [1, 2, 3, 5, 7, 64, body.len()] {
            let mut reader = EventReader::new(true);
            let mut events = Vec::new();
            for bytes in body.chunks(piece) {
                events.extend(reader.push(bytes).expect("a well-formed body"));
            }
            assert_eq!(events, expected(), "pieces of {piece} bytes");
            assert!(reader.ended(), "the last chunk was seen");
        }
    }

    #[test]
    fn a_body_without_chunks_is_read_as_it_comes() {
        let mut reader = EventReader::new(false);
        let mut events = Vec::new();
        for part in STREAM {
            events.extend(reader.push(part.as_bytes()).expect("text"));
        }
        assert_eq!(events, expected());
        assert!(!reader.ended());
    }

    #[test]
    fn bad_framing_is_an_error() {
        assert!(EventReader::new(true).push(b"zz\r\n").is_err());
        assert!(EventReader::new(true).push(b"2\r\nabXY").is_err());
    }

    #[test]
    fn heads_give_status_chunking_and_length() {
        let answer = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n";
        assert_eq!(
            parse_head(answer),
            Some(Ok(Head {
                status: 200,
                chunked: true,
                length: answer.len() - 3
            }))
        );
        let refused = b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 2\r\n\r\n{}";
        assert_eq!(
            parse_head(refused).map(|head| head.map(|h| (h.status, h.chunked))),
            Some(Ok((503, false)))
        );
        assert_eq!(parse_head(b"HTTP/1.1 200 OK\r\n"), None, "not complete yet");
        assert!(matches!(parse_head(b"garbage\r\n\r\n"), Some(Err(_))));
        assert_eq!(host_port("http://127.0.0.1:4000/"), "127.0.0.1:4000");
    }
}
