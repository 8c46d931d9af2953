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

/// One generated comment, as every product the bench seeds is given it: Colloquy through
/// its store, Isso straight into its tables ([`crate::isso`]), and the "before" JSON of the
/// wire figures ([`crate::wire`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedComment {
    /// The index in the thread of the comment it answers.
    pub parent: Option<usize>,
    pub name: String,
    pub email: String,
    pub website: Option<String>,
    pub body: String,
    pub idempotency_key: String,
    pub created_at_ms: i64,
}

/// The thread of `count` comments generated from `seed`, oldest first, one a minute from
/// 2026-01-01.
pub fn generate(count: usize, seed: u64) -> Vec<SeedComment> {
    let mut random = Random::new(seed);
    let parents = shape(count, &mut random);
    let start_ms = 1_767_225_600_000_i64; // 2026-01-01
    parents
        .into_iter()
        .enumerate()
        .map(|(index, parent)| {
            // The draws in this order (name, website, body): the threads stay those of
            // earlier reports.
            let name = format!("Reader {}", random.below(500));
            let website =
                (random.below(4) == 0).then(|| format!("https://reader{index}.example.org"));
            SeedComment {
                parent,
                name,
                email: format!("reader{index}@private.example"),
                website,
                body: body(&mut random),
                idempotency_key: format!("bench-{index}"),
                created_at_ms: start_ms + index as i64 * 60_000,
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
    store_comments(store, thread, &generate(count, seed)).await;
}

/// Stores `comments` in `thread` through the server's store, as [`seed_thread`] does; the
/// store takes whatever it is given (the caps on posting are the API's), so a thread may
/// hold what no reader could post. Returns the ids given, in order.
pub async fn store_comments(store: &dyn Store, thread: &str, comments: &[SeedComment]) -> Vec<i64> {
    let secret = store.installation_secret().await.expect("the secret");
    let mut ids: Vec<i64> = Vec::with_capacity(comments.len());
    for generated in comments {
        let comment = ValidComment {
            parent_id: generated.parent.map(|p| ids[p]),
            name: generated.name.clone(),
            email: Some(generated.email.clone()),
            website: generated.website.clone(),
            body: generated.body.clone(),
            idempotency_key: generated.idempotency_key.clone(),
        };
        let token = secret.edit_token(thread, &comment.idempotency_key);
        let stored = store
            .insert_comment(
                &ThreadRef::default_site(thread),
                &comment,
                generated.created_at_ms,
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
    ids
}

/// Characters in each body of the worst-case thread, and how many bodies it has.
pub const WORST_CASE_CHARS: usize = 10_000;
pub const WORST_CASE_BODIES: usize = 14;

/// `unit` repeated until the text is exactly `chars` characters long (the last copy cut).
fn repeated(unit: &str, chars: usize) -> String {
    unit.chars().cycle().take(chars).collect()
}

/// The worst-case thread's bodies: [`WORST_CASE_BODIES`] bodies of [`WORST_CASE_CHARS`]
/// characters each, every one a pattern that makes markdown parsers work hard or nest
/// deep (unclosed brackets and links, quote and list nesting, emphasis delimiters with no
/// partner, comment and entity runs, backtick runs of every length). More than a reader
/// may post; the bench stores them directly.
pub fn worst_case_bodies() -> Vec<String> {
    let n = WORST_CASE_CHARS;
    let backtick_runs: String = (1..)
        .flat_map(|run| std::iter::repeat_n('`', run % 40 + 1).chain(std::iter::once('a')))
        .take(n)
        .collect();
    let indented_list: String = (0..)
        .flat_map(|depth: usize| {
            format!("{}- item\n", "  ".repeat(depth % 200))
                .chars()
                .collect::<Vec<_>>()
        })
        .take(n)
        .collect();
    vec![
        repeated("[", n),
        repeated(">", n),
        repeated("*a", n),
        repeated("- ", n),
        indented_list,
        repeated("<!--", n),
        repeated("&amp;", n),
        repeated("&#x41;", n),
        backtick_runs,
        repeated("*_**__", n),
        repeated("[a](", n),
        repeated("[a]: <b> \"\n[a][", n),
        repeated("> - 1. ", n),
        repeated("![a](<", n),
    ]
}

/// The worst-case thread as comments: top-level, one a minute, from one author.
pub fn worst_case_thread() -> Vec<SeedComment> {
    worst_case_bodies()
        .into_iter()
        .enumerate()
        .map(|(index, body)| SeedComment {
            parent: None,
            name: "Worst case".to_owned(),
            email: "worst@private.example".to_owned(),
            website: None,
            body,
            idempotency_key: format!("worst-{index}"),
            created_at_ms: 1_767_225_600_000 + index as i64 * 60_000,
        })
        .collect()
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
    fn generated_threads_are_the_same_every_time_and_follow_the_shape() {
        let thread = generate(300, 9);
        assert_eq!(thread, generate(300, 9));
        let parents: Vec<Option<usize>> = thread.iter().map(|c| c.parent).collect();
        assert_eq!(parents, shape(300, &mut Random::new(9)));
        assert!(thread
            .windows(2)
            .all(|w| w[1].created_at_ms - w[0].created_at_ms == 60_000));
        assert_eq!(thread[7].idempotency_key, "bench-7");
        assert!(thread.iter().any(|c| c.website.is_some()));
        assert!(thread.iter().any(|c| c.website.is_none()));
    }

    #[test]
    fn the_worst_case_bodies_are_fourteen_different_bodies_of_ten_thousand_characters() {
        let bodies = worst_case_bodies();
        assert_eq!(bodies.len(), WORST_CASE_BODIES);
        for body in &bodies {
            assert_eq!(body.chars().count(), WORST_CASE_CHARS, "{}", &body[..40]);
        }
        let distinct: std::collections::HashSet<&String> = bodies.iter().collect();
        assert_eq!(distinct.len(), bodies.len());
        assert!(bodies[0].chars().all(|c| c == '['));
        assert!(
            bodies[4].contains(&format!("{}- item", "  ".repeat(40))),
            "lists nest deep"
        );
        let thread = worst_case_thread();
        assert!(thread.iter().all(|c| c.parent.is_none()));
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
