//! The budgets, each stated once. `colloquy-bench` reports every one of them as met or
//! missed; xtask includes this very file (`#[path]` in `xtask/src/bench.rs`) so that
//! `cargo xtask test` fails on the loader against the same number the report uses. Plain
//! constants only: both crates compile this file, and neither needs anything else from it.

/// The most the loader (`dist/embed.js`) may weigh gzipped as it is served (by zopfli, see
/// `cargo xtask dist`), in bytes. It is on every page that has a thread, whether anyone
/// reads the thread or not, so it is the one budget that fails a test (`cargo xtask test`)
/// as well as being reported by the bench.
pub const LOADER_GZIP_BYTES: usize = 1536;

/// The most the widget (wasm + JS glue, the CSS compiled into the wasm) may weigh gzipped
/// as it is served (by zopfli, as the loader), in bytes.
pub const WIDGET_GZIP_BYTES: usize = 120 * 1024;

/// The longest the 1,000-comment thread may take from the end of the response that brought
/// it (its Resource Timing `responseEnd`) to the first animation frame with every comment
/// of the first view in the DOM ("decode to render"): the median over the runs, in ms. The
/// first view is the thread's first page (20 conversations, each cut to its first comment
/// and 10 replies), not the whole thread.
pub const RENDER_1000_DECODE_TO_RENDER_MS: f64 = 100.0;

/// The longest the 10,000-comment thread may take from the end of the response that
/// brought its first page to the first animation frame with every comment of the first
/// view in the DOM, measured as the 1,000-comment row is ("decode to render"): the median
/// over the runs, in ms.
pub const RENDER_10000_FIRST_VIEW_MS: f64 = 150.0;

/// The most JavaScript heap the page may use once the 10,000-comment thread's first view is
/// drawn: V8's used heap (DevTools `Runtime.getHeapUsage`, `usedSize`) right after a full
/// garbage collection (`HeapProfiler.collectGarbage`), the median over the runs, in bytes.
pub const HEAP_10000_FIRST_VIEW_BYTES: f64 = 10.0 * 1024.0 * 1024.0;

/// The most lines of `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal`
/// that may name pulldown-cmark: none, so the widget's wasm carries no markdown parser
/// (the server sends the parsed tree).
pub const WIDGET_PULLDOWN_CMARK_LINES: usize = 0;

/// The longest a first visit on the phone profile (150 ms latency, 1.6 Mbit/s down,
/// 750 kbit/s up, a processor four times slower, no cache) may take from navigation start
/// to the first comment of the 100-comment thread in the DOM: the median, in ms.
pub const PHONE_FIRST_COMMENT_100_MS: f64 = 1500.0;

/// The fewest reads of the 1,000-comment thread per second at concurrency 16 (median):
/// each read is its first page, as the widget asks for it (`GET …/comments`, 50
/// conversations).
pub const READS_PER_SECOND_1000_COMMENTS: f64 = 500.0;

/// The fewest reads per second of the 10,000-comment thread's first page (the default
/// limit, 20 conversations, as the widget asks for it) at concurrency 16 (median).
pub const READS_PER_SECOND_PAGE_10000: f64 = 2000.0;

/// The fewest durable writes per second at concurrency 8 (median).
pub const DURABLE_WRITES_PER_SECOND: f64 = 1000.0;

/// The longest a live update may take to reach a crowd of readers: from sending a comment
/// to the 99th percentile of 1,000 readers' streams delivering its event (the median post,
/// in ms; a reader that never gets it misses the budget).
pub const LIVE_DELIVERY_P99_MS: f64 = 1000.0;

/// The fewest comments a second `colloquy-server import wordpress` may bring in from a
/// generated 100,000-comment WordPress export (the release binary, SQLite, one run).
pub const IMPORT_COMMENTS_PER_SECOND: f64 = 5000.0;
