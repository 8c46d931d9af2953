//! Threads as last read, and their pages as the bytes last sent. A popular thread is read
//! far more often than it is written, so a read is a copy of bytes instead of a query, a
//! markdown parse and a serialisation; a write to the thread drops its entry, and with it
//! every page made from it.
//!
//! Each page is kept raw and compressed ([`CachedPage`]): a reader's browser gets brotli or
//! gzip without the server compressing on every read.
//!
//! The cache is moka's, bounded by bytes (a thread weighs its comments as JSON, three times
//! over for the pages made from it), and its eviction (TinyLFU admission, LRU within) keeps
//! the threads people actually read: a crawler walking thousands of thread keys once each
//! cannot push the popular ones out.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::Response;
use colloquy_core::model::Comment;
use colloquy_core::tree::{conversations, Conversation, Sort};
use moka::sync::Cache;

use crate::http::assets::precompressed;
use crate::storage::ThreadRef;

/// One page's JSON, raw and compressed.
#[derive(Debug, PartialEq, Eq)]
pub struct CachedPage {
    pub raw: Bytes,
    pub gzip: Bytes,
    pub brotli: Bytes,
}

/// Brotli's quality for pages: compressed when a thread changes, on a reader's request,
/// so a middle level (close to the best ratio on JSON, a few milliseconds for 500 KB).
const BROTLI_QUALITY: u32 = 6;

impl CachedPage {
    pub fn compress(raw: Bytes) -> CachedPage {
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        let mut brotli = Vec::new();
        {
            let mut writer = brotli::CompressorWriter::new(&mut brotli, 4096, BROTLI_QUALITY, 22);
            // Writing to memory cannot fail.
            let _ = writer.write_all(&raw);
        }
        let _ = gzip.write_all(&raw);
        CachedPage {
            gzip: Bytes::from(gzip.finish().unwrap_or_default()),
            brotli: Bytes::from(brotli),
            raw,
        }
    }

    /// The JSON answer in the best form `Accept-Encoding` allows.
    pub fn response(&self, request: &HeaderMap) -> Response {
        precompressed(
            request,
            "application/json",
            self.raw.clone(),
            self.gzip.clone(),
            self.brotli.clone(),
        )
    }
}

/// The pages of one thread kept at most (distinct sorts, sizes and cursors); past it the
/// oldest are forgotten. Readers mostly ask for the first page and a few after it.
const PAGES_PER_THREAD: usize = 32;

/// The pages made of one thread, and the order they were made in (the oldest goes first).
#[derive(Debug, Default)]
struct KeptPages {
    order: Vec<String>,
    pages: HashMap<String, Arc<CachedPage>>,
}

/// A thread as readers see it (markdown parsed, avatars derived), with the pages asked
/// of it so far.
#[derive(Debug)]
pub struct CachedThread {
    pub comments: Vec<Comment>,
    /// Published comments.
    pub total: u64,
    pub last_event_id: i64,
    pub locked: bool,
    /// The conversations in each sort, made when first asked for.
    sorted: [OnceLock<Vec<Conversation>>; 3],
    pages: Mutex<KeptPages>,
    weight: usize,
}

impl CachedThread {
    pub fn new(comments: Vec<Comment>, last_event_id: i64, locked: bool) -> Self {
        let json = serde_json::to_vec(&comments).map_or(0, |json| json.len());
        CachedThread {
            total: comments.iter().filter(|c| !c.deleted).count() as u64,
            comments,
            last_event_id,
            locked,
            sorted: Default::default(),
            pages: Mutex::default(),
            weight: 3 * json + 256,
        }
    }

    pub fn conversations(&self, sort: Sort) -> &[Conversation] {
        let slot = match sort {
            Sort::Oldest => &self.sorted[0],
            Sort::Newest => &self.sorted[1],
            Sort::Top => &self.sorted[2],
        };
        slot.get_or_init(|| conversations(&self.comments, sort))
    }

    /// The page made for `query` earlier, if it is still kept.
    pub fn page(&self, query: &str) -> Option<Arc<CachedPage>> {
        let kept = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        kept.pages.get(query).cloned()
    }

    /// Keeps the page made for `query`.
    pub fn keep_page(&self, query: String, page: Arc<CachedPage>) {
        let mut kept = self.pages.lock().unwrap_or_else(|p| p.into_inner());
        if kept.pages.len() >= PAGES_PER_THREAD && !kept.order.is_empty() {
            let oldest = kept.order.remove(0);
            kept.pages.remove(&oldest);
        }
        if kept.pages.insert(query.clone(), page).is_none() {
            kept.order.push(query);
        }
    }
}

/// The bytes of pages kept by default: large enough for thousands of ordinary threads,
/// small enough beside the server's other memory.
pub const DEFAULT_CAPACITY_BYTES: u64 = 64 * 1024 * 1024;

/// How long a page is kept at most. Writes through any server drop pages at once; this
/// bounds how long a change made by another program (an import into a SQLite file the
/// server has open) takes to show.
const TIME_TO_LIVE: Duration = Duration::from_secs(60);

pub struct ThreadCache {
    pages: Cache<String, Arc<CachedThread>>,
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
            .weigher(|key: &String, thread: &Arc<CachedThread>| {
                u32::try_from(key.len() + thread.weight).unwrap_or(u32::MAX)
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

    /// The cached thread, or the generation to hand back to [`ThreadCache::put`].
    pub fn get(&self, thread: &ThreadRef) -> Result<Arc<CachedThread>, u64> {
        let generation = *self.generation();
        self.pages.get(&thread.scoped()).ok_or(generation)
    }

    /// Stores a thread read from a read that began at `generation`, unless a write has
    /// happened since (it might then miss it).
    pub fn put(&self, thread: &ThreadRef, generation: u64, page: Arc<CachedThread>) {
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

    /// Forgets every thread (a lost link to other processes' announcements).
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
    use axum::http::header::{CONTENT_ENCODING, VARY};
    use axum::http::HeaderValue;

    use super::*;

    fn t(key: &str) -> ThreadRef {
        ThreadRef::default_site(key)
    }

    fn page(bytes: &'static [u8]) -> Arc<CachedPage> {
        Arc::new(CachedPage::compress(Bytes::from_static(bytes)))
    }

    /// A thread of one comment by `author`.
    fn thread_by(author: &str) -> Arc<CachedThread> {
        let comment = Comment {
            id: 1,
            author: author.to_owned(),
            ..Default::default()
        };
        Arc::new(CachedThread::new(vec![comment], 0, false))
    }

    #[test]
    fn a_write_drops_the_page_and_stale_reads_are_not_stored() {
        let cache = ThreadCache::default();
        let generation = cache.get(&t("t")).unwrap_err();
        cache.put(&t("t"), generation, thread_by("v1"));
        assert_eq!(cache.get(&t("t")).unwrap().comments[0].author, "v1");

        let before_write = cache.get(&t("u")).unwrap_err();
        cache.invalidate(&t("t"));
        assert!(cache.get(&t("t")).is_err());
        cache.put(&t("u"), before_write, thread_by("stale"));
        assert!(
            cache.get(&t("u")).is_err(),
            "a read older than a write is not kept"
        );
    }

    #[test]
    fn bytes_are_bounded_and_a_scan_does_not_evict_a_popular_thread() {
        let cache = ThreadCache::with_capacity(100_000);
        // About 30 KB each, as JSON weighed three times over.
        let page = thread_by(&"x".repeat(10_000));
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

    #[test]
    fn a_thread_keeps_a_bounded_number_of_pages() {
        let thread = thread_by("Ada");
        for n in 0..PAGES_PER_THREAD + 5 {
            thread.keep_page(format!("page {n}"), page(b"{}"));
        }
        assert!(thread.page("page 0").is_none(), "the oldest went");
        assert!(thread
            .page(&format!("page {}", PAGES_PER_THREAD + 4))
            .is_some());
        let kept = thread.pages.lock().unwrap();
        assert_eq!(kept.pages.len(), PAGES_PER_THREAD);
        assert_eq!(kept.order.len(), PAGES_PER_THREAD);
    }

    #[test]
    fn pages_are_sent_in_the_best_encoding_the_client_accepts() {
        let json: &'static [u8] = br#"{"comments":[{"content":["hello hello hello hello"]}]}"#;
        let page = page(json);
        let ask = |accept: &str| {
            let mut headers = HeaderMap::new();
            if !accept.is_empty() {
                headers.insert("accept-encoding", HeaderValue::from_str(accept).unwrap());
            }
            let response = page.response(&headers);
            let encoding = response
                .headers()
                .get(CONTENT_ENCODING)
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(response.headers()[VARY], "accept-encoding");
            encoding
        };
        assert_eq!(ask("gzip, deflate, br"), Some("br".to_owned()));
        assert_eq!(ask("gzip"), Some("gzip".to_owned()));
        assert_eq!(ask("br;q=0, gzip"), Some("gzip".to_owned()));
        assert_eq!(ask(""), None);
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&page.gzip[..]),
            &mut unzipped,
        )
        .unwrap();
        assert_eq!(unzipped, json);
        let mut unbrotlied = Vec::new();
        std::io::Read::read_to_end(
            &mut brotli::Decompressor::new(&page.brotli[..], 4096),
            &mut unbrotlied,
        )
        .unwrap();
        assert_eq!(unbrotlied, json);
    }
}
