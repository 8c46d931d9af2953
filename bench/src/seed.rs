//! Realistic threads for the measurements: about 30 % top-level comments, replies at varied
//! depths (most answer a recent comment, some an old one), bodies from one line to several
//! paragraphs with markdown. Deterministic, so every run measures the same threads.

use std::path::Path;

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::ConnectOptions;

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

/// Writes a thread of `count` comments straight into the database (created and migrated by
/// the server's own store first), in one transaction: seeding is not what is measured.
pub async fn seed_thread(database: &Path, thread: &str, count: usize, seed: u64) {
    colloquy_server::storage::sqlite::SqliteStore::open(database)
        .await
        .expect("create the database");
    let mut connection = SqliteConnectOptions::new()
        .filename(database)
        .connect()
        .await
        .expect("open the database");
    let mut random = Random::new(seed);
    let parents = shape(count, &mut random);
    let mut transaction = sqlx::Connection::begin(&mut connection)
        .await
        .expect("begin");
    let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM comments")
        .fetch_one(&mut *transaction)
        .await
        .expect("next id");
    let start_ms = 1_767_225_600_000_i64; // 2026-01-01
    for (index, parent) in parents.iter().enumerate() {
        sqlx::query(
            "INSERT INTO comments (id, thread_key, parent_id, author, email, website, body, \
             created_at_ms, edit_token_hash, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(first_id + index as i64)
        .bind(thread)
        .bind(parent.map(|p| first_id + p as i64))
        .bind(format!("Reader {}", random.below(500)))
        .bind(format!("reader{index}@private.example"))
        .bind((random.below(4) == 0).then(|| format!("https://reader{index}.example.org")))
        .bind(body(&mut random))
        .bind(start_ms + index as i64 * 60_000)
        .bind("0".repeat(64))
        .bind(format!("bench-{index}"))
        .execute(&mut *transaction)
        .await
        .expect("insert a comment");
    }
    transaction.commit().await.expect("commit");
    // Fold the write-ahead log into the file, so its size is the data's, counted once.
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut connection)
        .await
        .expect("checkpoint");
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
