//! Thread pages as the bytes last sent. A popular thread is read far more often than it is
//! written, so a read is a copy of these bytes instead of a query and a serialisation; a
//! write to the thread drops its entry.
//!
//! The cache is moka's, bounded by bytes (a page weighs its key and its JSON), and its
//! eviction (TinyLFU admission, LRU within) keeps the threads people actually read: a
//! crawler walking thousands of thread keys once each cannot push the popular ones out.

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use moka::sync::Cache;

use crate::storage::ThreadRef;

/// The bytes of pages kept by default: large enough for thousands of ordinary threads,
/// small enough beside the server's other memory.
pub const DEFAULT_CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// How long a page is kept at most. Writes through any server drop pages at once; this
/// bounds how long a change made by another program (an import into a SQLite file the
/// server has open) takes to show.
const TIME_TO_LIVE: Duration = Duration::from_secs(60);

pub struct ThreadCache {
    pages: Cache<String, Bytes>,
    /// Bumped by every invalidation: a page built before one must not be stored after it.
    /// Held while storing and while invalidating, so the check and the store are one step.
    generation: Mutex<u64>,
}

impl Default for ThreadCache {
    fn default() -> Self {
        Self::with_capacity(DEFAULT_CAPACITY_BYTES)
    }
}

impl ThreadCache {
    pub fn with_capacity(bytes: u64) -> Self {
        let pages = Cache::builder()
            .max_capacity(bytes)
            .weigher(|key: &String, page: &Bytes| {
                u32::try_from(key.len() + page.len()).unwrap_or(u32::MAX)
            })
            .time_to_live(TIME_TO_LIVE)
            .build();
        Self {
            pages,
            generation: Mutex::new(0),
        }
    }

    fn generation(&self) -> std::sync::MutexGuard<'_, u64> {
        self.generation
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The cached page, or the generation to hand back to [`ThreadCache::put`].
    pub fn get(&self, thread: &ThreadRef) -> Result<Bytes, u64> {
        let generation = *self.generation();
        self.pages.get(&thread.scoped()).ok_or(generation)
    }

    /// Stores a page built from a read that began at `generation`, unless a write has
    /// happened since (the page might then miss it).
    pub fn put(&self, thread: &ThreadRef, generation: u64, page: Bytes) {
        let current = self.generation();
        if *current == generation {
            self.pages.insert(thread.scoped(), page);
        }
    }

    pub fn invalidate(&self, thread: &ThreadRef) {
        let mut current = self.generation();
        *current += 1;
        self.pages.invalidate(&thread.scoped());
    }

    /// Forgets every page (a lost link to other processes' announcements).
    pub fn clear(&self) {
        let mut current = self.generation();
        *current += 1;
        self.pages.invalidate_all();
    }

    /// The bytes held now (after pending evictions have run).
    pub fn weighed_bytes(&self) -> u64 {
        self.pages.run_pending_tasks();
        self.pages.weighted_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(key: &str) -> ThreadRef {
        ThreadRef::default_site(key)
    }

    #[test]
    fn a_write_drops_the_page_and_stale_reads_are_not_stored() {
        let cache = ThreadCache::default();
        let generation = cache.get(&t("t")).unwrap_err();
        cache.put(&t("t"), generation, Bytes::from_static(b"v1"));
        assert_eq!(cache.get(&t("t")).unwrap(), Bytes::from_static(b"v1"));

        let before_write = cache.get(&t("u")).unwrap_err();
        cache.invalidate(&t("t"));
        assert!(cache.get(&t("t")).is_err());
        cache.put(&t("u"), before_write, Bytes::from_static(b"stale"));
        assert!(
            cache.get(&t("u")).is_err(),
            "a read older than a write is not kept"
        );
    }

    #[test]
    fn bytes_are_bounded_and_a_scan_does_not_evict_a_popular_thread() {
        let cache = ThreadCache::with_capacity(100_000);
        let page = Bytes::from(vec![b'x'; 10_000]);
        for key in [
            "popular", "other-1", "other-2", "other-3", "other-4", "other-5",
        ] {
            let generation = cache.get(&t(key)).unwrap_err();
            cache.put(&t(key), generation, page.clone());
        }
        // Readers come back to one thread, over time.
        for _ in 0..20 {
            assert!(cache.get(&t("popular")).is_ok());
            cache.weighed_bytes();
        }
        // A crawler asks for many threads once each, each far bigger than the rest.
        for index in 0..1_000 {
            let key = format!("crawled-{index}");
            let generation = cache.get(&t(&key)).unwrap_err();
            cache.put(&t(&key), generation, page.clone());
        }
        assert!(
            cache.weighed_bytes() <= 100_000,
            "{} bytes held",
            cache.weighed_bytes()
        );
        assert!(
            cache.get(&t("popular")).is_ok(),
            "the thread readers ask for survived the scan"
        );
    }
}
