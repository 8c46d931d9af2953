//! Realistic threads for the measurements: about 30 % top-level comments, replies at varied
//! depths (most answer a recent comment, some an old one), bodies from one line to several
//! paragraphs with markdown. Deterministic, so every run measures the same threads.

use std::path::Path;

use colloquy_core::validation::ValidComment;
use colloquy_server::storage::{Inserted, Provenance, Store, ThreadRef};
use colloquy_server::tokens::token_hash;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};

/// A small, fast, deterministic generator (xorshift64*): no `rand` needed for a bench.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: [&str; 24] = [
    "thread",
    "reply",
    "comment",
    "reader",
    "page",
    "quiet",
    "server",
    "widget",
    "browser",
    "markdown",
    "draft",
    "moderation",
    "link",
    "idea",
    "question",
    "answer",
    "example",
    "site",
    "owner",
    "week",
    "release",
    "design",
    "detail",
    "feedback",
];

fn sentence(random: &mut Random) -> String {
    let length = 6 + random.below(12) as usize;
    let mut words: Vec<String> = (0..length)
        .map(|_| WORDS[random.below(WORDS.len() as u64) as usize].to_owned())
        .collect();
    match random.below(10) {
        0 => words[1] = format!("*{}*", words[1]),
        1 => words[2] = format!("**{}**", words[2]),
        2 => words[3] = format!("`{}()`", words[3]),
        3 => words[0] = format!("[{}](https://example.org/{})", words[0], random.below(999)),
        _ => {}
    }
    let mut text = words.join(" ");
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    text.push('.');
    text
}

/// One comment body: usually a line or two, sometimes paragraphs, a quote or a list.
pub fn body(random: &mut Random) -> String {
    let paragraphs = match random.below(10) {
        0..=5 => 1,
        6..=8 => 2,
        _ => 4,
    };
    let mut parts = Vec::new();
    for _ in 0..paragraphs {
        let sentences = 1 + random.below(3);
        let text: Vec<String> = (0..sentences).map(|_| sentence(random)).collect();
        parts.push(text.join(" "));
    }
    match random.below(12) {
        0 => parts.insert(0, format!("> {}", sentence(random))),
        1 => parts.push(format!("- {}\n- {}", sentence(random), sentence(random))),
        _ => {}
    }
    parts.join("\n\n")
}

/// Parents for `count` comments: `None` for top-level ones.
pub fn shape(count: usize, random: &mut Random) -> Vec<Option<usize>> {
    (0..count)
        .map(|index| {
            if index == 0 || random.below(100) < 30 {
                None
            } else if random.below(100) < 70 {
                // A recent comment: conversations go deep.
                let back = 1 + random.below(5.min(index as u64)) as usize;
                Some(index - back)
            } else {
                Some(random.below(index as u64) as usize)
            }
        })
        .collect()
}

/// Stores a thread of `count` comments through the server's own store, as the demo seeds
/// its thread: one `insert_comment` each (no duplicate check), with the edit token the
/// server would have handed out, so every figure measures the rows the server writes. Each
/// insert is its own durable transaction; seeding is not what is measured. Either engine's
/// store will do.
pub async fn seed_thread(store: &dyn Store, thread: &str, count: usize, seed: u64) {
    let secret = store.installation_secret().await.expect("the secret");
    let mut random = Random::new(seed);
    let parents = shape(count, &mut random);
    let start_ms = 1_767_225_600_000_i64; // 2026-01-01
    let mut ids: Vec<i64> = Vec::with_capacity(count);
    for (index, parent) in parents.into_iter().enumerate() {
        let comment = ValidComment {
            parent_id: parent.map(|p| ids[p]),
            name: format!("Reader {}", random.below(500)),
            email: Some(format!("reader{index}@private.example")),
            website: (random.below(4) == 0).then(|| format!("https://reader{index}.example.org")),
            body: body(&mut random),
            idempotency_key: format!("bench-{index}"),
        };
        let token = secret.edit_token(thread, &comment.idempotency_key);
        let created_at_ms = start_ms + index as i64 * 60_000;
        let stored = store
            .insert_comment(
                &ThreadRef::default_site(thread),
                &comment,
                created_at_ms,
                &token_hash(&token),
                None,
                &Provenance::published(),
            )
            .await
            .expect("store a comment");
        match stored {
            Inserted::New(stored) => ids.push(stored.id),
            other => panic!("seeding {thread} into a fresh database stored nothing: {other:?}"),
        }
    }
}

/// The bytes the database at `path` takes on disk once its write-ahead log is folded into
/// the file, so the data is counted once. The checkpoint is the one statement the bench
/// runs itself: it writes no rows, and the store has no call for it.
pub async fn database_bytes(path: &Path) -> u64 {
    let mut connection = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .expect("open the database");
    let (busy, _, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)")
        .fetch_one(&mut connection)
        .await
        .expect("checkpoint");
    assert_eq!(
        busy, 0,
        "the checkpoint of {path:?} was blocked by a reader"
    );
    connection.close().await.expect("close the database");
    ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
        .map(|metadata| metadata.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use colloquy_server::storage::sqlite::SqliteStore;

    #[test]
    fn threads_have_the_intended_shape() {
        let mut random = Random::new(7);
        let parents = shape(10_000, &mut random);
        let top = parents.iter().filter(|p| p.is_none()).count();
        assert!((2_500..3_500).contains(&top), "{top} top-level");
        assert!(parents
            .iter()
            .enumerate()
            .all(|(i, p)| p.is_none_or(|p| p < i)));
        let mut depth = vec![0usize; parents.len()];
        for (i, p) in parents.iter().enumerate() {
            depth[i] = p.map_or(0, |p| depth[p] + 1);
        }
        assert!(depth.iter().any(|&d| d >= 5), "some conversations go deep");
        assert_ne!(body(&mut random), body(&mut random));
    }

    #[test]
    fn a_seeded_thread_is_stored_as_shaped_and_counted_on_disk() {
        let folder = tempfile::tempdir().expect("a folder");
        let path = folder.path().join("seed.db");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let (stored, bytes) = runtime.block_on(async {
            let store = SqliteStore::open(&path).await.expect("the store");
            seed_thread(&store, "small", 60, 5).await;
            let stored = store
                .thread_comments(&ThreadRef::default_site("small"))
                .await
                .expect("the thread");
            // Measured with the store still open, as the bench does.
            (stored, database_bytes(&path).await)
        });
        let expected = shape(60, &mut Random::new(5));
        assert_eq!(stored.len(), 60);
        let index_of = |id: i64| stored.iter().position(|c| c.id == id);
        let parents: Vec<Option<usize>> = stored
            .iter()
            .map(|c| {
                c.parent_id
                    .map(|id| index_of(id).expect("a parent in the thread"))
            })
            .collect();
        assert_eq!(parents, expected, "replies hang where the shape put them");
        let wal = std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len());
        assert_eq!(wal, 0, "the log is folded into the file");
        assert!(bytes >= 4096 * 3, "{bytes} bytes: the file holds the rows");
    }
}
