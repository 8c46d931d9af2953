//! The reference: Isso 0.14 (Python, server-rendered markdown, a plain-JS client), run on
//! loopback beside Colloquy and given the very threads the bench gives Colloquy, written
//! straight into Isso's own SQLite tables. xtask installs it (`tools::ensure_isso`) and
//! names its `isso` command in `COLLOQUY_BENCH_ISSO`.
//!
//! Isso creates its tables when it starts, so the bench starts it first, on an empty
//! database, and then inserts rows as Isso's `db/comments.py` does: mode 1 (accepted), the
//! creation time in seconds, the voters Bloom filter of the remote address, and each reply
//! under its top-level ancestor. Isso nests one level only: its own `Comments.add` moves a
//! reply to a reply up to that ancestor (`_find`), and its client could not place a reply
//! whose parent is not a top-level comment, so the thread holds every comment, one level
//! deep.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use colloquy_e2e::loopback::free_port;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::seed::SeedComment;

/// The remote address every seeded comment carries (Isso keeps the /24 of the poster's).
const REMOTE_ADDR: &str = "127.0.0.0";

/// How long Isso may take to start answering.
const START_DEADLINE: Duration = Duration::from_secs(60);

/// Isso running on a loopback port of its own; dropping it kills that process (by the
/// handle of the child this module started), so a panic anywhere in the bench cannot leave
/// it running.
pub struct Isso {
    /// `http://127.0.0.1:PORT`, where Isso answers and serves its client.
    pub base: String,
    pub version: String,
    database: PathBuf,
    child: Child,
    _folder: tempfile::TempDir,
}

impl Drop for Isso {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Isso's configuration: a fresh database, the host page's origin as its `host` (so its
/// CORS answers allow that page), no moderation, no guard (nothing is posted), on
/// 127.0.0.1 only.
pub fn config(database: &Path, host_origin: &str, port: u16) -> String {
    format!(
        "[general]\ndbpath = {}\nhost = {host_origin}\nmax-age = 15m\nnotify = stdout\nlog-file =\n\n[moderation]\nenabled = false\n\n[guard]\nenabled = false\n\n[server]\nlisten = http://127.0.0.1:{port}\nreload = false\n",
        database.display()
    )
}

impl Isso {
    /// Starts `program` (the `isso` command of its virtual environment) on a free loopback
    /// port with a fresh database for pages of `host_origin`, and waits until it answers.
    pub fn start(program: &Path, host_origin: &str) -> Isso {
        let folder = tempfile::tempdir().expect("a folder for Isso");
        let database = folder.path().join("isso.db");
        let port = free_port();
        let conf = folder.path().join("isso.cfg");
        std::fs::write(&conf, config(&database, host_origin, port)).expect("write isso.cfg");
        let version = Command::new(program)
            .arg("--version")
            .output()
            .ok()
            .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_owned())
            .filter(|text| !text.is_empty())
            .unwrap_or_else(|| "isso (version unknown)".to_owned());
        let mut child = Command::new(program)
            .arg("-c")
            .arg(&conf)
            .arg("run")
            .current_dir(folder.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start Isso ({}): {e}", program.display()));
        let last_lines = keep_last_lines(child.stderr.take().expect("Isso's stderr"));
        let mut isso = Isso {
            base: format!("http://127.0.0.1:{port}"),
            version,
            database,
            child,
            _folder: folder,
        };
        isso.wait_until_answering(&last_lines);
        isso
    }

    /// Until `GET /config` answers 200, the process exits, or [`START_DEADLINE`] passes.
    fn wait_until_answering(&mut self, last_lines: &Mutex<Vec<String>>) {
        let deadline = Instant::now() + START_DEADLINE;
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(5))
            .build();
        loop {
            if agent
                .get(&format!("{}/config", self.base))
                .call()
                .is_ok_and(|answer| answer.status() == 200)
            {
                return;
            }
            let exited = self.child.try_wait().ok().flatten();
            if exited.is_some() || Instant::now() >= deadline {
                panic!(
                    "Isso did not answer on {} ({}); its last lines:\n{}",
                    self.base,
                    exited.map_or("deadline passed".to_owned(), |s| format!("exited: {s}")),
                    last_lines.lock().unwrap().join("\n")
                );
            }
            // A refused connection comes back at once: look again shortly.
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Inserts the thread `uri` with `comments` (oldest first, parents by index) into
    /// Isso's tables, in one transaction.
    pub async fn seed(&self, uri: &str, comments: &[SeedComment]) {
        let mut connection = SqliteConnectOptions::new()
            .filename(&self.database)
            .connect()
            .await
            .expect("open Isso's database");
        let mut transaction = connection.begin().await.expect("a transaction");
        let thread_id = sqlx::query("INSERT INTO threads (uri, title) VALUES (?, ?)")
            .bind(uri)
            .bind(uri.trim_start_matches('/'))
            .execute(&mut *transaction)
            .await
            .expect("insert Isso's thread")
            .last_insert_rowid();
        let voters = bloom_filter(REMOTE_ADDR).to_vec();
        let roots = top_level_ancestors(comments);
        let mut ids: Vec<i64> = Vec::with_capacity(comments.len());
        for (comment, root) in comments.iter().zip(roots) {
            let id = sqlx::query(
                "INSERT INTO comments (tid, parent, created, modified, mode, remote_addr, text, author, email, website, voters, notification) VALUES (?, ?, ?, NULL, 1, ?, ?, ?, ?, ?, ?, 0)",
            )
            .bind(thread_id)
            .bind(root.map(|index| ids[index]))
            .bind(comment.created_at_ms as f64 / 1000.0)
            .bind(REMOTE_ADDR)
            .bind(&comment.body)
            .bind(&comment.name)
            .bind(&comment.email)
            .bind(&comment.website)
            .bind(&voters)
            .execute(&mut *transaction)
            .await
            .expect("insert an Isso comment")
            .last_insert_rowid();
            ids.push(id);
        }
        transaction.commit().await.expect("commit Isso's thread");
        connection.close().await.ok();
    }

    /// Stops Isso (the process this module started).
    pub fn stop(self) {
        drop(self);
    }
}

/// Reads `stream` to its end on a thread of its own, keeping its last 20 lines (for the
/// message if Isso does not start); nothing is echoed, so Isso's request log stays out of
/// the bench's output.
fn keep_last_lines(stream: impl std::io::Read + Send + 'static) -> Arc<Mutex<Vec<String>>> {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let kept = lines.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut kept = kept.lock().unwrap();
            if kept.len() == 20 {
                kept.remove(0);
            }
            kept.push(line);
        }
    });
    lines
}

/// For each comment, the index of the top-level comment its conversation hangs from
/// (`None` for a top-level one): where Isso's `Comments.add` puts a reply.
pub fn top_level_ancestors(comments: &[SeedComment]) -> Vec<Option<usize>> {
    let mut roots: Vec<Option<usize>> = Vec::with_capacity(comments.len());
    for comment in comments {
        let root = comment
            .parent
            .map(|parent| roots.get(parent).copied().flatten().unwrap_or(parent));
        roots.push(root);
    }
    roots
}

/// Isso's `Bloomfilter(iterable=[key]).array`: 256 bytes, 11 probes of 11 bits each taken
/// from the low end of the key's SHA-256 read as one big number. Isso keeps it per comment
/// (who voted); its schema wants it present.
pub fn bloom_filter(key: &str) -> [u8; 256] {
    let hex = colloquy_server::tokens::sha256_hex(key);
    let digest: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    // Bit `i` of the number, counting from its least significant end (big-endian bytes).
    let bit = |i: usize| (digest[digest.len() - 1 - i / 8] >> (i % 8)) & 1;
    let mut array = [0u8; 256];
    for probe in 0..11 {
        let index = (0..11).fold(0usize, |value, b| {
            value | (bit(probe * 11 + b) as usize) << b
        });
        array[index / 8] |= 1 << (index % 8);
    }
    array
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(parent: Option<usize>) -> SeedComment {
        SeedComment {
            parent,
            name: "A".into(),
            email: "a@private.example".into(),
            website: None,
            body: "text".into(),
            idempotency_key: "k".into(),
            created_at_ms: 0,
        }
    }

    #[test]
    fn replies_hang_from_their_top_level_ancestor_as_isso_stores_them() {
        let thread: Vec<SeedComment> = [None, Some(0), Some(1), Some(2), None, Some(4), Some(1)]
            .into_iter()
            .map(comment)
            .collect();
        assert_eq!(
            top_level_ancestors(&thread),
            [None, Some(0), Some(0), Some(0), None, Some(4), Some(0)]
        );
    }

    #[test]
    fn the_voters_filter_is_the_one_isso_computes() {
        // Isso 0.14: Bloomfilter(iterable=["127.0.0.0"]).array, its non-zero bytes.
        let expected = [
            (17, 72),
            (24, 8),
            (51, 32),
            (80, 2),
            (84, 64),
            (138, 64),
            (189, 16),
            (194, 128),
            (210, 128),
            (243, 1),
        ];
        let array = bloom_filter("127.0.0.0");
        let set: Vec<(usize, u8)> = array
            .iter()
            .enumerate()
            .filter(|(_, &byte)| byte != 0)
            .map(|(index, &byte)| (index, byte))
            .collect();
        assert_eq!(set, expected);
    }

    #[test]
    fn the_configuration_names_the_database_the_page_and_loopback() {
        let text = config(Path::new("/tmp/x/isso.db"), "http://127.0.0.1:4000", 4100);
        assert!(text.contains("dbpath = /tmp/x/isso.db\n"));
        assert!(text.contains("host = http://127.0.0.1:4000\n"));
        assert!(text.contains("[moderation]\nenabled = false"));
        assert!(text.contains("listen = http://127.0.0.1:4100\n"));
    }
}
