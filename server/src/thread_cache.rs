//! Thread pages as the bytes last sent. A popular thread is read far more often than it is
//! written, so a read is a copy of these bytes instead of a query and a serialisation; a
//! write to the thread drops its entry.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::Bytes;

/// Entries kept at most; past that the cache starts over (threads are cheap to rebuild).
const MAX_THREADS: usize = 1024;

#[derive(Default)]
pub struct ThreadCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// Bumped by every invalidation: a page built before one must not be stored after it.
    generation: u64,
    pages: HashMap<String, Bytes>,
}

impl ThreadCache {
    /// The cached page, or the generation to hand back to [`ThreadCache::put`].
    pub fn get(&self, thread: &str) -> Result<Bytes, u64> {
        let inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.pages.get(thread).cloned().ok_or(inner.generation)
    }

    /// Stores a page built from a read that began at `generation`, unless a write has
    /// happened since (the page might then miss it).
    pub fn put(&self, thread: &str, generation: u64, page: Bytes) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if inner.generation != generation {
            return;
        }
        if inner.pages.len() >= MAX_THREADS {
            inner.pages.clear();
        }
        inner.pages.insert(thread.to_owned(), page);
    }

    pub fn invalidate(&self, thread: &str) {
        let mut inner = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        inner.generation += 1;
        inner.pages.remove(thread);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_drops_the_page_and_stale_reads_are_not_stored() {
        let cache = ThreadCache::default();
        let generation = cache.get("t").unwrap_err();
        cache.put("t", generation, Bytes::from_static(b"v1"));
        assert_eq!(cache.get("t").unwrap(), Bytes::from_static(b"v1"));

        let before_write = cache.get("u").unwrap_err();
        cache.invalidate("t");
        assert!(cache.get("t").is_err());
        cache.put("u", before_write, Bytes::from_static(b"stale"));
        assert!(
            cache.get("u").is_err(),
            "a read older than a write is not kept"
        );
    }
}
