//! The demo thread: a small, lively conversation under the demo page's blog post, with
//! replies three levels deep and a little of everything the markdown policy allows.

use colloquy_core::validation::ValidComment;

use crate::clock::now_ms;
use crate::state::AppState;
use crate::storage::{Inserted, StoreError};
use crate::storage::{Provenance, ThreadRef};
use crate::tokens::token_hash;

/// The thread the demo page (`index.html`) names in its `data-thread`.
pub const DEMO_THREAD: &str = "demo/a-quieter-comment-section";

/// (index of the parent in this list, author, website, body, hours before now)
type Seed = (
    Option<usize>,
    &'static str,
    Option<&'static str>,
    &'static str,
    i64,
);

/// How many comments the demo thread has once seeded.
pub const SEED_COUNT: usize = 8;

const SEEDS: [Seed; SEED_COUNT] = [
    (None, "Marta Lindqvist", Some("https://marta.example.org"),
     "Lovely write-up. The part about *owning your readers' words* is exactly why I left the big hosted services :-)", 50),
    (Some(0), "Jonas Weber", None,
     "Same here. Did you keep the old comments when you moved? I exported mine as JSON & imported them with a tiny script.", 47),
    (Some(1), "Marta Lindqvist", Some("https://marta.example.org"),
     "I did! The export was a single `comments.json`; the import took an afternoon.", 45),
    (Some(2), "Priya Raman", None,
     "An afternoon sounds optimistic :) Mine took a weekend, mostly fixing **broken links**.", 40),
    (None, "Sam O'Connor", None,
     "Does it work without JavaScript? Asking for the people who read on e-readers.", 30),
    (Some(4), "The Colloquy team", Some("https://colloquy.example.org"),
     "Not yet: the thread needs the widget. A plain HTML fallback is on [the roadmap](https://colloquy.example.org/roadmap).", 28),
    (None, "Wei Chen", None,
     "Tried it on my phone: replies nest nicely & the form kept my half-written comment after a reload. 👍", 6),
    (Some(6), "Ana Souza", None,
     "> the form kept my half-written comment\n\nThat alone would make me switch ;-)", 2),
];

/// Adds the demo comments that are not there yet. Each seed has a fixed idempotency key, so
/// seeding twice (every `cargo xtask demo` start) stores nothing new.
pub async fn seed(state: &AppState) -> Result<(), StoreError> {
    let now_ms = now_ms();
    let mut ids: Vec<i64> = Vec::with_capacity(SEEDS.len());
    for (index, (parent, name, website, body, hours_ago)) in SEEDS.into_iter().enumerate() {
        let key = format!("demo-seed-{index}");
        let comment = ValidComment {
            parent_id: parent.and_then(|p| ids.get(p).copied()),
            name: name.to_owned(),
            email: Some(format!("reader{index}@example.org")),
            website: website.map(str::to_owned),
            body: body.to_owned(),
            idempotency_key: key.clone(),
        };
        let token = state.secret.edit_token(DEMO_THREAD, &key);
        let created_at = now_ms - hours_ago * 3_600_000;
        let stored = match state
            .store
            .insert_comment(
                &ThreadRef::default_site(DEMO_THREAD),
                &comment,
                created_at,
                &token_hash(&token),
                None,
                &Provenance::published(),
            )
            .await?
        {
            Inserted::New(stored) | Inserted::Replayed(stored) => stored,
            // Cannot happen without a duplicate check; skip rather than fail the start.
            Inserted::Duplicate => continue,
        };
        ids.push(stored.id);
    }
    Ok(())
}
