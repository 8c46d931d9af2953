//! The report: one typed value holding every figure of a run, written twice from that one
//! value, as `report.json` (serde) and as `REPORT.md` ([`Report::markdown`]).

use std::fmt::Write as _;

use serde::Serialize;

use crate::budgets;
use crate::live::LiveRow;
use crate::load::LoadRow;
use crate::payload::{PayloadSizes, SizeMap, SizeStep, Sizes};
use crate::phone::{self, PhoneRow};
use crate::render::RenderRow;
use crate::stats::{rounded, rounded_option, rounded_options, Summary};
use crate::wire::WireFigures;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub machine: Machine,
    pub settings: Settings,
    pub budgets: Vec<Budget>,
    pub payload: PayloadSizes,
    pub size_steps: Vec<SizeStep>,
    pub size_map: SizeMap,
    pub render: Vec<RenderRow>,
    /// The Isso reference, the same thread sizes up to 1,000 comments.
    pub isso: IssoFigures,
    /// First visits on the phone profile, Colloquy's and Isso's.
    pub phone: Vec<PhoneRow>,
    /// The 1,000-comment thread's answer against the previous format.
    pub wire: WireFigures,
    /// The thread of pathological markdown bodies, in Colloquy.
    pub worst_case: RenderRow,
    pub wasm_dependencies: WasmDependencies,
    pub server: ServerFigures,
    pub postgres: PostgresFigures,
    pub live: Vec<LiveRow>,
    pub import: ImportFigures,
}

/// Isso, run beside Colloquy on the same threads; `missing` says why it was not, when it
/// was not (its rows are then empty).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IssoFigures {
    pub version: Option<String>,
    pub missing: Option<String>,
    pub render: Vec<RenderRow>,
}

/// What `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal` (run by xtask)
/// says of the widget's dependencies: how many lines name pulldown-cmark, and the first.
/// `None` when xtask gave no listing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WasmDependencies {
    pub pulldown_cmark_lines: Option<usize>,
    pub first_line: Option<String>,
}

impl WasmDependencies {
    /// Reads `cargo tree`'s listing.
    pub fn from_tree(tree: Option<&str>) -> WasmDependencies {
        let Some(tree) = tree else {
            return WasmDependencies {
                pulldown_cmark_lines: None,
                first_line: None,
            };
        };
        let naming: Vec<&str> = tree
            .lines()
            .filter(|line| line.contains("pulldown-cmark") || line.contains("pulldown_cmark"))
            .collect();
        WasmDependencies {
            pulldown_cmark_lines: Some(naming.len()),
            first_line: naming.first().map(|line| {
                line.trim_start_matches(|c: char| !c.is_ascii_alphanumeric())
                    .to_owned()
            }),
        }
    }
}

/// `colloquy-server import wordpress` on a generated export, as a site owner runs it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportFigures {
    pub comments: u64,
    pub file_bytes: u64,
    #[serde(serialize_with = "rounded")]
    pub seconds: f64,
    #[serde(serialize_with = "rounded")]
    pub comments_per_second: f64,
    /// The import process's peak resident memory; `None` off Linux.
    #[serde(serialize_with = "rounded_option")]
    pub peak_rss_mb: Option<f64>,
}

/// Where and when the bench ran.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Machine {
    /// RFC 3339, UTC.
    pub date: String,
    pub cores: usize,
    /// The bench program's own run time (not xtask's builds before it).
    #[serde(serialize_with = "rounded")]
    pub bench_seconds: f64,
    /// Processors busy with other work during one idle second before the bench measured
    /// anything, and after it had stopped every server (`None` off Linux).
    #[serde(serialize_with = "rounded_option")]
    pub busy_cores_before: Option<f64>,
    #[serde(serialize_with = "rounded_option")]
    pub busy_cores_after: Option<f64>,
}

/// How much each figure was measured.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Settings {
    /// Runs behind every summary (rendering: page loads; server: timed load runs).
    pub runs: usize,
    /// The length of one timed load run; a server row is `runs` of them.
    #[serde(serialize_with = "rounded")]
    pub load_run_seconds: f64,
}

/// The server half: load rows, memory and what the data weighs on disk. A read is one
/// page of a thread, the first, as the widget asks for it (the server answers a thread 50
/// conversations at a time).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ServerFigures {
    pub reads_1000_comments: Vec<LoadRow>,
    /// Reads of the 10,000-comment thread's first page.
    pub reads_first_page_10000_comments: Vec<LoadRow>,
    pub durable_writes: Vec<LoadRow>,
    /// The server's peak resident memory (VmHWM) over the whole run; `None` off Linux.
    #[serde(serialize_with = "rounded_option")]
    pub peak_rss_mb: Option<f64>,
    pub sqlite_bytes_per_10000_comments: u64,
}

/// The same load on PostgreSQL: `processes` server processes on one database, each
/// load's workers split evenly between them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PostgresFigures {
    pub processes: usize,
    pub reads_1000_comments: Vec<LoadRow>,
    pub durable_writes: Vec<LoadRow>,
    /// Each process's peak resident memory (VmHWM); `null` off Linux.
    #[serde(serialize_with = "rounded_options")]
    pub peak_rss_mb: Vec<Option<f64>>,
}

/// Which side of its limit a budget's value must stay on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    AtMost,
    AtLeast,
}

/// One budget: a limit from [`crate::budgets`], the value this run measured, and whether it
/// was met. A budget is reported, never enforced here.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Budget {
    pub name: &'static str,
    pub what: &'static str,
    pub bound: Bound,
    pub limit: f64,
    /// `null` when the run produced no value (a missing thread size, say): missed.
    #[serde(serialize_with = "rounded")]
    pub value: f64,
    pub met: bool,
    /// More figures shown beside the value (the brotli size, the other thread sizes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Budget {
    pub fn new(
        name: &'static str,
        what: &'static str,
        bound: Bound,
        limit: f64,
        value: f64,
    ) -> Budget {
        let met = match bound {
            Bound::AtMost => value <= limit,
            Bound::AtLeast => value >= limit,
        };
        Budget {
            name,
            what,
            bound,
            limit,
            value,
            met,
            note: None,
        }
    }

    fn with_note(mut self, note: String) -> Budget {
        self.note = Some(note);
        self
    }

    /// Every budget, checked against this run's figures.
    pub fn all(
        payload: &PayloadSizes,
        render: &[RenderRow],
        server: &ServerFigures,
        live: &[LiveRow],
        import: &ImportFigures,
        phone: &[PhoneRow],
        wasm: &WasmDependencies,
    ) -> Vec<Budget> {
        let row_of = |comments: usize| render.iter().find(|row| row.comments == comments);
        let render_ms = |comments: usize| {
            row_of(comments).map_or(f64::NAN, |row| row.decode_to_render_ms.median)
        };
        let render_note = |comments: usize| match row_of(comments) {
            Some(row) => format!(
                "from {}; first view (the first page): {} of {} comments",
                row.decode_start, row.first_view, row.comments
            ),
            None => "not measured".to_owned(),
        };
        let row_10000 = row_of(10_000);
        let heap_10000 = row_10000.map_or(f64::NAN, |row| row.heap_after_gc_mb.median * MB);
        let heap_note = match row_10000 {
            Some(row) => format!(
                "{} MB after `HeapProfiler.collectGarbage` (`Runtime.getHeapUsage`); Blink's heap (the DOM) besides: {} MB; `performance.memory` before the collection: {} MB",
                figure(row.heap_after_gc_mb.median),
                figure(row.blink_heap_after_gc_mb.median),
                figure(row.js_heap_mb.median)
            ),
            None => "not measured".to_owned(),
        };
        let phone_first = |comments: usize| {
            phone
                .iter()
                .find(|row| row.product == COLLOQUY && row.comments == comments)
                .map_or(f64::NAN, |row| row.first_comment_ms.median)
        };
        let pulldown_note = match (&wasm.pulldown_cmark_lines, &wasm.first_line) {
            (None, _) => "not measured: xtask gave no `cargo tree` listing".to_owned(),
            (Some(_), Some(line)) => format!(
                "value: lines of `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal` naming it; the first: `{line}`"
            ),
            (Some(_), None) => "value: lines of `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal` naming it".to_owned(),
        };
        let at_concurrency = |rows: &[LoadRow], concurrency: usize| {
            rows.iter()
                .find(|row| row.concurrency == concurrency)
                .map_or(f64::NAN, |row| row.per_second.median)
        };
        let live_p99 = |engine: &str| {
            live.iter()
                .find(|row| row.engine == engine)
                .map_or(f64::NAN, LiveRow::budget_p99_ms)
        };
        vec![
            Budget::new(
                "loader_gzip_bytes",
                "loader, gzipped (bytes)",
                Bound::AtMost,
                budgets::LOADER_GZIP_BYTES as f64,
                payload.loader.gzip as f64,
            ),
            Budget::new(
                "widget_gzip_bytes",
                "widget (wasm + JS glue, CSS inside), gzipped (bytes)",
                Bound::AtMost,
                budgets::WIDGET_GZIP_BYTES as f64,
                payload.widget_total.gzip as f64,
            )
            .with_note(format!(
                "brotli: {}; zlib's gzip -9 (the earlier reports' measure): {}",
                payload.widget_total.brotli, payload.widget_zlib9
            )),
            Budget::new(
                "widget_pulldown_cmark_lines",
                "the widget's wasm contains no pulldown-cmark",
                Bound::AtMost,
                budgets::WIDGET_PULLDOWN_CMARK_LINES as f64,
                wasm.pulldown_cmark_lines.map_or(f64::NAN, |n| n as f64),
            )
            .with_note(pulldown_note),
            Budget::new(
                "render_1000_decode_to_render_ms",
                "1,000-comment first view, decode to render (median ms)",
                Bound::AtMost,
                budgets::RENDER_1000_DECODE_TO_RENDER_MS,
                render_ms(1_000),
            )
            .with_note(render_note(1_000)),
            Budget::new(
                "render_10000_first_view_ms",
                "10,000-comment first view, decode to render (median ms)",
                Bound::AtMost,
                budgets::RENDER_10000_FIRST_VIEW_MS,
                render_ms(10_000),
            )
            .with_note(render_note(10_000)),
            Budget::new(
                "heap_10000_first_view_bytes",
                "10,000-comment first view, JS heap used after a garbage collection (median bytes)",
                Bound::AtMost,
                budgets::HEAP_10000_FIRST_VIEW_BYTES,
                heap_10000,
            )
            .with_note(heap_note),
            Budget::new(
                "phone_first_comment_100_ms",
                "phone profile, first visit, 100 comments: first comment visible (median ms)",
                Bound::AtMost,
                budgets::PHONE_FIRST_COMMENT_100_MS,
                phone_first(100),
            )
            .with_note(format!(
                "7 comments: {} ms; 1,000: {} ms",
                figure(phone_first(7)),
                figure(phone_first(1_000))
            )),
            Budget::new(
                "reads_per_second_1000_comments",
                "thread reads per second (its first page), 1,000 comments, concurrency 16",
                Bound::AtLeast,
                budgets::READS_PER_SECOND_1000_COMMENTS,
                at_concurrency(&server.reads_1000_comments, 16),
            ),
            Budget::new(
                "reads_per_second_page_10000",
                "first-page reads per second, 10,000-comment thread, concurrency 16",
                Bound::AtLeast,
                budgets::READS_PER_SECOND_PAGE_10000,
                at_concurrency(&server.reads_first_page_10000_comments, 16),
            ),
            Budget::new(
                "durable_writes_per_second",
                "durable writes per second, concurrency 8",
                Bound::AtLeast,
                budgets::DURABLE_WRITES_PER_SECOND,
                at_concurrency(&server.durable_writes, 8),
            ),
            Budget::new(
                "live_p99_ms_sqlite",
                "live update reaching 1,000 readers on SQLite, p99 (median post, ms; all delivered)",
                Bound::AtMost,
                budgets::LIVE_DELIVERY_P99_MS,
                live_p99(SQLITE),
            ),
            Budget::new(
                "live_p99_ms_postgresql",
                "live update reaching 1,000 readers on PostgreSQL, 2 processes, p99 (median post, ms; all delivered)",
                Bound::AtMost,
                budgets::LIVE_DELIVERY_P99_MS,
                live_p99(POSTGRESQL),
            ),
            Budget::new(
                "import_comments_per_second",
                "WordPress import, comments per second (100,000-comment export)",
                Bound::AtLeast,
                budgets::IMPORT_COMMENTS_PER_SECOND,
                import.comments_per_second,
            ),
        ]
    }
}

/// The products' names as the phone rows carry them.
pub const COLLOQUY: &str = "Colloquy";
pub const ISSO: &str = "Isso";

/// The engines' names as the live rows carry them.
pub const SQLITE: &str = "SQLite";
pub const POSTGRESQL: &str = "PostgreSQL";

/// Bytes in a MB, as the heap figures count them.
const MB: f64 = 1_048_576.0;

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn size_row(md: &mut String, name: &str, sizes: &Sizes) {
    let _ = writeln!(
        md,
        "| {name} | {} | {} | {} |",
        sizes.raw, sizes.gzip, sizes.brotli
    );
}

/// A value that may be missing (NaN), to one decimal.
fn figure(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        "—".to_owned()
    }
}

/// `median (min–max)` of a count, without decimals.
fn count_text(summary: &Summary) -> String {
    format!(
        "{:.0} ({:.0}–{:.0})",
        summary.median, summary.min, summary.max
    )
}

impl Report {
    /// REPORT.md: the same figures as report.json, as tables.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        self.write_summary(&mut md);
        self.write_budgets(&mut md);
        self.write_payload(&mut md);
        self.write_size_steps(&mut md);
        self.write_size_map(&mut md);
        self.write_render(&mut md);
        self.write_worst_case(&mut md);
        self.write_phone(&mut md);
        self.write_wire(&mut md);
        self.write_server(&mut md);
        self.write_postgres(&mut md);
        self.write_live(&mut md);
        self.write_import(&mut md);
        md
    }

    fn write_summary(&self, md: &mut String) {
        let m = &self.machine;
        let _ = writeln!(md, "# Colloquy bench report\n");
        let _ = writeln!(
            md,
            "Measured by `cargo xtask bench` on {} with {} cores{}, in {:.0} s. Timings are the median of {} runs, with min–max beside them. Every figure below comes from that run; `report.json` holds the same figures.\n",
            m.date,
            m.cores,
            busy_text(m.busy_cores_before, m.busy_cores_after),
            m.bench_seconds,
            self.settings.runs
        );
    }

    fn write_budgets(&self, md: &mut String) {
        let _ = writeln!(
            md,
            "## Budgets\n\nReported, never enforced here; only the loader's also fails `cargo xtask test`. The limits are stated once, in `bench/src/budgets.rs`.\n\n| budget | limit | value | | also |\n|---|---:|---:|---|---|"
        );
        for b in &self.budgets {
            let bound = match b.bound {
                Bound::AtMost => "≤",
                Bound::AtLeast => "≥",
            };
            let _ = writeln!(
                md,
                "| {} | {bound} {} | {} | {} | {} |",
                b.what,
                b.limit,
                figure(b.value),
                if b.met { "met" } else { "**missed**" },
                b.note.as_deref().unwrap_or("")
            );
        }
    }

    fn write_payload(&self, md: &mut String) {
        let p = &self.payload;
        let _ = writeln!(
            md,
            "\n## Payload (bytes)\n\nCompressed as `cargo xtask dist` compresses them for the server to send: gzip by zopfli (the gzip format at its smallest), brotli at quality 11.\n\n| file | raw | gzip | brotli |\n|---|---:|---:|---:|"
        );
        size_row(md, "loader `embed.js`", &p.loader);
        size_row(md, "wasm `colloquy_bg.wasm`", &p.wasm);
        size_row(md, "JS glue `colloquy.js`", &p.js_glue);
        size_row(
            md,
            "**widget total** (wasm + JS; the CSS is inside the wasm)",
            &p.widget_total,
        );
        size_row(
            md,
            "(the stylesheet, counted inside the wasm)",
            &p.css_inside_wasm,
        );
        let (tag, sizes) = &p.largest_language;
        size_row(
            md,
            &format!("largest language file, `locales/{tag}.json` (fetched when a reader needs it; English is inside the wasm)"),
            sizes,
        );
    }

    fn write_size_steps(&self, md: &mut String) {
        let _ = writeln!(md, "\n## What each size step saves (wasm + JS glue, bytes)\n\nEach row is built separately by the bench; \"saved\" compares its gzipped size with the row it names (negative: the step costs bytes).\n\n| step | raw | gzip | brotli | gzip saved |\n|---|---:|---:|---:|---:|");
        for step in &self.size_steps {
            let saved = match (&step.compared_to, step.gzip_saved) {
                (Some(base), Some(saved)) => format!("{saved} vs `{base}`"),
                _ => "—".to_owned(),
            };
            let _ = writeln!(
                md,
                "| `{}`: {} | {} | {} | {} | {saved} |",
                step.id, step.description, step.sizes.raw, step.sizes.gzip, step.sizes.brotli
            );
        }
    }

    fn write_size_map(&self, md: &mut String) {
        let map = &self.size_map;
        let _ = writeln!(md, "\n## The {} largest items in the wasm\n\nFrom the release build before wasm-opt, which keeps function names; shares are of its code and data ({}).\n\n| item | bytes | share |\n|---|---:|---:|", map.largest.len(), kb(map.total_bytes));
        for item in &map.largest {
            let name: String = item.name.chars().take(110).collect();
            let _ = writeln!(
                md,
                "| `{}` | {} | {:.1} % |",
                name.replace('|', "\\|"),
                item.bytes,
                item.bytes as f64 * 100.0 / map.total_bytes.max(1) as f64
            );
        }
    }

    fn write_render(&self, md: &mut String) {
        let isso_name = self.isso.version.as_deref().unwrap_or("Isso");
        let _ = writeln!(md, "\n## Rendering in headless Chromium, beside {isso_name} (ms unless noted)\n\nFrom navigation start; each thread is served by its own server (Colloquy's release binary; Isso 0.14's `isso run`, the Werkzeug server it ships with, rendering markdown with its default, mistune) to a host page on another origin, {runs} page loads each in one browser (its HTTP cache allowed). Both pages carry the same instruments: a requestAnimationFrame watcher notes the first frame with one comment in the DOM and the first with every comment of the first view, and \"decode → render\" runs from the end of the response that brought the thread's comments (its Resource Timing `responseEnd`: Colloquy's `GET /api/v1/threads/{{key}}/comments`, Isso's `GET /?uri=…`) to that last frame, so it holds parsing the JSON and building and laying out the DOM. Colloquy's loader fetches the thread while the wasm loads, so its answer often ends before the widget can read it; then the count starts at the widget's `colloquy:ask` mark (it was ready and asked), since the wait before it is loading, not decoding. Where an entry had no `responseEnd` the page's hook on `fetch` and `XMLHttpRequest` (the moment the body was read) is used instead; the column \"start\" says which, with its number of runs. \"data mark → rendered\" is the old figure, from the widget's `colloquy:data` mark (the thread received and parsed). Isso nests one level: its threads hold the same comments (authors, texts, times), each reply under its top-level ancestor, as Isso itself stores a reply to a reply. DOM nodes count the page's elements and those in shadow roots.\n\nColloquy's first view is its first page, not the whole thread: the server answers a thread 20 top-level conversations at a time, each with all its replies, and the widget draws that page, each conversation cut to its first comment and {replies} replies (the rest behind \"more replies\"), with \"Show more comments\" below. The column \"first view\" is how many comments that is, counted from the very page the widget asks for (`GET …/comments?sort=oldest`), and the watcher waits for that many. So where a thread has more than 20 conversations, or a conversation more than {replies} replies, Colloquy's row draws a part of the thread while Isso's (its page asks for every comment, no \"show more\") draws all of it: compare the two with that in mind. \"JS heap\" is `performance.memory.usedJSHeapSize` as the last frame came; \"heap after GC\" is V8's used heap (`Runtime.getHeapUsage`) right after a full garbage collection (`HeapProfiler.collectGarbage`), both asked through ChromeDriver's DevTools endpoint once the timings are read: what the page keeps, not the garbage rendering left. Neither counts the wasm's linear memory; Blink's own heap after the collection (the DOM's objects mostly, DevTools' `embedderHeapUsedSize`) is in `report.json` as `blink_heap_after_gc_mb`.\n", runs = self.settings.runs, replies = crate::render::REPLIES_SHOWN);
        if let Some(missing) = &self.isso.missing {
            let _ = writeln!(md, "Isso was not measured: {missing}.\n");
        }
        let _ = writeln!(md, "| comments | first view (Colloquy) | first comment visible | Isso | all comments of the first view in the DOM | Isso | decode → render | Isso | start (Colloquy; Isso) | data mark → rendered | JS heap (MB) | Isso | heap after GC (MB) | Isso | DOM nodes | Isso |\n|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        let dash = "—".to_owned();
        for r in &self.render {
            let isso = self.isso.render.iter().find(|i| i.comments == r.comments);
            let other = |figure: fn(&RenderRow) -> String| isso.map_or(dash.clone(), figure);
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {}; {} | {} | {} | {} | {} | {} | {} | {} |",
                r.comments,
                r.first_view,
                r.navigation_to_first_comment_ms.text(),
                other(|i| i.navigation_to_first_comment_ms.text()),
                r.navigation_to_all_comments_ms.text(),
                other(|i| i.navigation_to_all_comments_ms.text()),
                r.decode_to_render_ms.text(),
                other(|i| i.decode_to_render_ms.text()),
                r.decode_start,
                other(|i| i.decode_start.clone()),
                r.data_to_rendered_ms.text(),
                r.js_heap_mb.text(),
                other(|i| i.js_heap_mb.text()),
                r.heap_after_gc_mb.text(),
                other(|i| i.heap_after_gc_mb.text()),
                count_text(&r.dom_nodes),
                other(|i| count_text(&i.dom_nodes)),
            );
        }
    }

    fn write_worst_case(&self, md: &mut String) {
        let w = &self.worst_case;
        let _ = writeln!(md, "\n## The worst-case thread (Colloquy, headless Chromium)\n\n{} top-level comments of {} characters each, every body one pathological markdown pattern (runs of `[`, of `>`, `*a` repeated, `- - - …` and a list indented a level a line, `<!--` repeated, `&amp;` and `&#x41;` repeated, backtick runs of every length, `*_**__` mixes, `[a](` repeated, link-reference mess, `> - 1. ` nesting, `![a](<` repeated), stored straight into the database (more than a reader may post), rendered as the rows above are ({} runs).\n\n| comments | decode → render (ms) | start | data mark → rendered (ms) | all comments in the DOM (ms) | DOM nodes | JS heap (MB) |\n|---:|---:|---|---:|---:|---:|---:|\n| {} | {} | {} | {} | {} | {} | {} |",
            w.comments,
            crate::seed::WORST_CASE_CHARS,
            self.settings.runs,
            w.comments,
            w.decode_to_render_ms.text(),
            w.decode_start,
            w.data_to_rendered_ms.text(),
            w.navigation_to_all_comments_ms.text(),
            count_text(&w.dom_nodes),
            w.js_heap_mb.text(),
        );
    }

    fn write_phone(&self, md: &mut String) {
        let _ = writeln!(md, "\n## The phone profile: a first visit on a slow phone\n\nThe same pages in another headless Chromium, put through ChromeDriver's DevTools endpoint on {latency} ms latency, {down} Mbit/s down, {up} kbit/s up (`Network.emulateNetworkConditions`), a processor {cpu} times slower (`Emulation.setCPUThrottlingRate`) and no cache (`Network.setCacheDisabled`, and the cache cleared before each run), so every run is a first visit; taken off again afterwards. The window stays 1024 pixels wide. \"first comment visible\" is from navigation start to the first animation frame with a comment in the DOM; \"last response\" is when the last of the responses that finished before it did (the time between the two is the page's own work on the slowed processor, the wasm's compiling included); the bytes are the encoded length (compressed body plus headers) of every response that had finished loading by then, the host page included, from Chromium's performance log (`Network.loadingFinished.encodedDataLength`, its monotonic times mapped to the page's clock through each request's `wallTime`): Resource Timing's `transferSize` is 0 across origins. Median (min–max) of {runs} runs.\n\n| product | comments | first comment visible (ms) | last response (ms) | bytes before it | responses before it |\n|---|---:|---:|---:|---:|---:|",
            latency = phone::LATENCY_MS,
            down = phone::DOWNLOAD_BYTES_PER_SECOND * 8.0 / 1_000_000.0,
            up = phone::UPLOAD_BYTES_PER_SECOND * 8.0 / 1_000.0,
            cpu = phone::CPU_SLOWDOWN,
            runs = self.settings.runs,
        );
        if self.phone.is_empty() {
            let _ = writeln!(md, "| — | — | not measured | — | — | — |");
        }
        for row in &self.phone {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} |",
                row.product,
                row.comments,
                row.first_comment_ms.text(),
                row.last_response_ms.text(),
                count_text(&row.bytes_before_first_comment),
                count_text(&row.responses_before_first_comment)
            );
        }
    }

    fn write_wire(&self, md: &mut String) {
        let w = &self.wire;
        let after = w.per_comment(&w.after);
        let before = w.per_comment(&w.before);
        let served = w.served_gzip.map_or_else(
            || "the server sent it uncompressed".to_owned(),
            |bytes| {
                format!(
                    "{bytes} bytes ({:.1} a comment)",
                    bytes as f64 / w.comments.max(1) as f64
                )
            },
        );
        let _ = writeln!(md, "\n## The thread on the wire: bytes per comment ({} comments)\n\n\"after\" is the server's actual answers to `GET /api/v1/threads/{}/comments`: it sends a thread a page at a time (20 conversations), so this is all {} pages, asked for as the widget asks (the first, then `after=` each page's `next`, as \"Show more comments\" does), each compressed on its own as it travels, summed. \"before\" is the same comments in the previous format, one answer (each comment with its markdown `body` and no `content` tree), written by the bench from the seeded data with serde_json; so the difference is what the tree (and the paging) costs on the wire. Whole thread divided by the count; gzip (zopfli) and brotli 11 as the bench compresses them. Asked for gzip, the server itself sent, over all the pages, {served}.\n\n| format | raw | gzip | brotli | whole thread raw | whole thread gzip |\n|---|---:|---:|---:|---:|---:|\n| after (the server's answer) | {:.1} | {:.1} | {:.1} | {} | {} |\n| before (body only) | {:.1} | {:.1} | {:.1} | {} | {} |",
            w.comments, w.thread, w.pages,
            after[0], after[1], after[2], w.after.raw, w.after.gzip,
            before[0], before[1], before[2], w.before.raw, w.before.gzip,
        );
    }

    fn write_server(&self, md: &mut String) {
        let s = &self.server;
        let _ = writeln!(md, "\n## Server on SQLite (load from a second process over loopback)\n\nEach row is {} runs of {} s; figures are the median with min–max, requests and errors the sum. A read asks for a thread as the widget first does: its first page (20 conversations, each with all its replies), not the whole thread.\n", self.settings.runs, self.settings.load_run_seconds);
        load_table(
            md,
            &[
                (READ_1000, &s.reads_1000_comments),
                (
                    "read the 10,000-comment thread's first page",
                    &s.reads_first_page_10000_comments,
                ),
                (WRITE, &s.durable_writes),
            ],
        );
        let memory = s
            .peak_rss_mb
            .map_or("not measured".to_owned(), |mb| format!("{mb:.1} MB"));
        let _ = writeln!(
            md,
            "\nPeak server memory (VmHWM, over rendering and load): {memory}. SQLite file for 10,000 comments: {} bytes ({}).",
            s.sqlite_bytes_per_10000_comments,
            kb(s.sqlite_bytes_per_10000_comments as usize)
        );
    }

    fn write_postgres(&self, md: &mut String) {
        let p = &self.postgres;
        let _ = writeln!(md, "\n## Server on PostgreSQL ({} processes on one database)\n\nThe same loads, each one's workers split evenly across the processes (concurrency counts them all); {} runs of {} s a row. The database was seeded with the 1,000-comment thread through the server's store.\n", p.processes, self.settings.runs, self.settings.load_run_seconds);
        load_table(
            md,
            &[
                (READ_1000, &p.reads_1000_comments),
                (WRITE, &p.durable_writes),
            ],
        );
        let memory: Vec<String> = p
            .peak_rss_mb
            .iter()
            .map(|mb| mb.map_or("not measured".to_owned(), |mb| format!("{mb:.1} MB")))
            .collect();
        let _ = writeln!(
            md,
            "\nPeak memory of each process (VmHWM): {}.",
            memory.join(", ")
        );
    }

    fn write_live(&self, md: &mut String) {
        let _ = writeln!(md, "\n## Live updates (readers following one thread's event stream)\n\nEach reader holds an open `GET /api/v1/threads/{{key}}/events` on a connection of its own, split evenly across the processes; comments are posted one at a time through the first process. A reader's delay runs from sending the post to its stream delivering that comment's event. p50 and p99 are over the readers of one post, then the median (min–max) over the posts; \"delivered\" counts events received within 10 s against readers × posts.\n\n| engine | processes | readers (open) | posts | delivered | repeated | p50 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|");
        for row in &self.live {
            let _ = writeln!(
                md,
                "| {} | {} | {} ({}) | {} | {} of {} | {} | {} | {} |",
                row.engine,
                row.processes,
                row.subscribers,
                row.connected,
                row.posts,
                row.received,
                row.expected,
                row.repeated,
                row.p50_ms.text(),
                row.p99_ms.text()
            );
        }
    }
}

impl Report {
    fn write_import(&self, md: &mut String) {
        let import = &self.import;
        let _ = writeln!(
            md,
            "\n## Import\n\n`colloquy-server import wordpress` (release) on a generated WordPress export into a new SQLite file, in one transaction, as a site owner runs it.\n\n| comments | file | seconds | comments per second | peak memory |\n|---:|---:|---:|---:|---:|\n| {} | {:.1} MB | {:.2} | {:.0} | {} |",
            import.comments,
            import.file_bytes as f64 / 1_000_000.0,
            import.seconds,
            import.comments_per_second,
            import
                .peak_rss_mb
                .map_or_else(|| "—".to_owned(), |mb| format!("{mb:.1} MB"))
        );
    }
}

/// `, with 1.2 of them busy with other work before the bench and 0.3 after` (nothing when
/// it was not measured).
pub fn busy_text(before: Option<f64>, after: Option<f64>) -> String {
    match (before, after) {
        (Some(before), Some(after)) => format!(
            " ({before:.1} of them busy with other work just before the bench, {after:.1} just after{})",
            if before.max(after) >= 0.5 {
                ": the machine was shared, so timings may be slower than on an idle one"
            } else {
                ""
            }
        ),
        _ => String::new(),
    }
}

/// The load rows' labels in the tables.
const READ_1000: &str = "read the 1,000-comment thread's first page";
const WRITE: &str = "durable write (synchronous commit)";

/// The load table: each load (reads, then writes), one row per concurrency.
fn load_table(md: &mut String, loads: &[(&str, &[LoadRow])]) {
    let _ = writeln!(md, "| what | concurrency | per second | p50 ms | p99 ms | requests | errors |\n|---|---:|---:|---:|---:|---:|---:|");
    for &(label, rows) in loads {
        for row in rows {
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} |",
                row.concurrency,
                row.per_second.text(),
                row.p50_ms.text(),
                row.p99_ms.text(),
                row.requests,
                row.errors
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::PostDelivery;
    use crate::payload::Item;

    fn summary(median: f64) -> Summary {
        Summary::of(&[median - 1.0, median, median + 1.0])
    }

    fn sizes(gzip: usize) -> Sizes {
        Sizes {
            raw: gzip * 4,
            gzip,
            brotli: gzip - 10,
        }
    }

    fn load(concurrency: usize, per_second: f64) -> LoadRow {
        LoadRow {
            concurrency,
            per_second: summary(per_second),
            p50_ms: summary(2.0),
            p99_ms: summary(9.0),
            requests: 1234,
            errors: 0,
        }
    }

    fn live(engine: &str, processes: usize, p99_ms: f64) -> LiveRow {
        let post = PostDelivery {
            received: 1000,
            p50_ms: p99_ms / 3.0,
            p99_ms,
        };
        LiveRow::from_posts(engine, processes, 1000, 1000, 0, &[post; 5])
    }

    fn render_row(comments: usize, decode_ms: f64) -> RenderRow {
        RenderRow {
            comments,
            first_view: comments.min(420),
            navigation_to_first_comment_ms: summary(140.0),
            navigation_to_all_comments_ms: summary(141.0),
            data_to_rendered_ms: summary(decode_ms - 6.0),
            decode_to_render_ms: summary(decode_ms),
            decode_start: "responseEnd (3)".into(),
            js_heap_mb: summary(6.0),
            heap_after_gc_mb: summary(4.0),
            blink_heap_after_gc_mb: summary(3.0),
            dom_nodes: summary(11_489.0),
        }
    }

    fn phone_row(product: &str, comments: usize, first_ms: f64) -> PhoneRow {
        PhoneRow {
            product: product.into(),
            comments,
            first_comment_ms: summary(first_ms),
            last_response_ms: summary(first_ms - 200.0),
            bytes_before_first_comment: summary(250_000.0),
            responses_before_first_comment: summary(5.0),
        }
    }

    /// A small report whose widget, its wasm's markdown parser and PostgreSQL live updates
    /// miss their budgets and everything else meets its own.
    fn small_report() -> Report {
        let payload = PayloadSizes {
            loader: sizes(1400),
            wasm: sizes(200_000),
            js_glue: sizes(8_000),
            css_inside_wasm: sizes(1_800),
            widget_total: sizes(208_000),
            widget_zlib9: 218_000,
            largest_language: ("ar".into(), sizes(9_000)),
        };
        let render = vec![render_row(1_000, 66.0), render_row(10_000, 120.0)];
        let phone = vec![
            phone_row(COLLOQUY, 7, 800.0),
            phone_row(COLLOQUY, 100, 1_400.0),
            phone_row(ISSO, 100, 2_000.0),
        ];
        let wasm_dependencies = WasmDependencies::from_tree(Some(
            "colloquy v0.1.0\n├── colloquy-core v0.1.0\n│   ├── pulldown-cmark v0.13.0\n│   │   └── unicase v2.8.1\n",
        ));
        let server = ServerFigures {
            reads_1000_comments: vec![load(1, 3000.0), load(16, 6000.0)],
            reads_first_page_10000_comments: vec![load(16, 4500.0)],
            durable_writes: vec![load(1, 1900.0), load(8, 2200.0)],
            peak_rss_mb: Some(29.734),
            sqlite_bytes_per_10000_comments: 5_840_896,
        };
        let live = vec![live(SQLITE, 1, 45.0), live(POSTGRESQL, 2, 1200.0)];
        let import = ImportFigures {
            comments: 100_000,
            file_bytes: 52_000_000,
            seconds: 8.0,
            comments_per_second: 12_500.0,
            peak_rss_mb: Some(14.0),
        };
        Report {
            machine: Machine {
                date: "2026-11-25T19:39:10Z".into(),
                cores: 2,
                bench_seconds: 61.994,
                busy_cores_before: Some(0.04),
                busy_cores_after: Some(0.1),
            },
            settings: Settings {
                runs: 5,
                load_run_seconds: 2.0,
            },
            budgets: Budget::all(
                &payload,
                &render,
                &server,
                &live,
                &import,
                &phone,
                &wasm_dependencies,
            ),
            payload,
            size_steps: vec![SizeStep {
                id: "z".into(),
                description: "opt-level \"z\"".into(),
                compared_to: Some("o3".into()),
                sizes: sizes(300_000),
                gzip_saved: Some(-12),
            }],
            size_map: SizeMap {
                total_bytes: 1000,
                largest: vec![Item {
                    name: "a|b".into(),
                    bytes: 250,
                }],
            },
            render,
            isso: IssoFigures {
                version: Some("isso 0.14.0".into()),
                missing: None,
                render: vec![render_row(1_000, 400.0)],
            },
            phone,
            wire: WireFigures {
                thread: "bench-1000".into(),
                comments: 1_000,
                pages: 6,
                after: sizes(300_000),
                before: sizes(200_000),
                served_gzip: Some(310_000),
            },
            worst_case: render_row(14, 90.0),
            wasm_dependencies,
            server,
            postgres: PostgresFigures {
                processes: 2,
                reads_1000_comments: vec![load(2, 1500.0), load(16, 3100.0)],
                durable_writes: vec![load(2, 400.0), load(8, 950.0)],
                peak_rss_mb: vec![Some(31.256), None],
            },
            live,
            import,
        }
    }

    #[test]
    fn budgets_are_met_on_the_right_side_of_their_limits() {
        assert!(Budget::new("a", "a", Bound::AtMost, 10.0, 10.0).met);
        assert!(!Budget::new("a", "a", Bound::AtMost, 10.0, 10.5).met);
        assert!(Budget::new("a", "a", Bound::AtLeast, 10.0, 10.0).met);
        assert!(!Budget::new("a", "a", Bound::AtLeast, 10.0, 9.5).met);
        assert!(!Budget::new("a", "a", Bound::AtMost, 10.0, f64::NAN).met);
        assert!(!Budget::new("a", "a", Bound::AtLeast, 10.0, f64::NAN).met);
    }

    #[test]
    fn budgets_read_the_right_rows() {
        let report = small_report();
        let values: Vec<(&str, f64, bool)> = report
            .budgets
            .iter()
            .map(|b| (b.name, b.value, b.met))
            .collect();
        assert_eq!(
            values,
            [
                ("loader_gzip_bytes", 1400.0, true),
                ("widget_gzip_bytes", 208_000.0, false),
                ("widget_pulldown_cmark_lines", 1.0, false),
                ("render_1000_decode_to_render_ms", 66.0, true),
                ("render_10000_first_view_ms", 120.0, true),
                ("heap_10000_first_view_bytes", 4.0 * 1_048_576.0, true),
                ("phone_first_comment_100_ms", 1_400.0, true),
                ("reads_per_second_1000_comments", 6000.0, true),
                ("reads_per_second_page_10000", 4500.0, true),
                ("durable_writes_per_second", 2200.0, true),
                ("live_p99_ms_sqlite", 45.0, true),
                ("live_p99_ms_postgresql", 1200.0, false),
                ("import_comments_per_second", 12_500.0, true),
            ]
        );
        let no_rows = Budget::all(
            &report.payload,
            &[],
            &ServerFigures {
                reads_1000_comments: vec![],
                reads_first_page_10000_comments: vec![],
                durable_writes: vec![load(1, 5000.0)],
                ..report.server.clone()
            },
            &[],
            &ImportFigures {
                comments_per_second: f64::NAN,
                ..report.import.clone()
            },
            &[],
            &WasmDependencies::from_tree(None),
        );
        assert!(
            no_rows[2..].iter().all(|b| !b.met && b.value.is_nan()),
            "a figure that was not measured misses its budget"
        );
        assert_eq!(
            report.budgets[6].note.as_deref(),
            Some("7 comments: 800.0 ms; 1,000: — ms")
        );
        assert_eq!(
            report.budgets[4].note.as_deref(),
            Some("from responseEnd (3); first view (the first page): 420 of 10000 comments")
        );
        assert_eq!(
            report.budgets[5].note.as_deref(),
            Some("4.0 MB after `HeapProfiler.collectGarbage` (`Runtime.getHeapUsage`); Blink's heap (the DOM) besides: 3.0 MB; `performance.memory` before the collection: 6.0 MB")
        );
        assert_eq!(no_rows[4].note.as_deref(), Some("not measured"));
        assert_eq!(no_rows[5].note.as_deref(), Some("not measured"));
        assert_eq!(
            report.budgets[2].note.as_deref(),
            Some("value: lines of `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal` naming it; the first: `pulldown-cmark v0.13.0`")
        );
        let clean = WasmDependencies::from_tree(Some("colloquy v0.1.0\n└── yew v0.21.0\n"));
        assert_eq!(
            (clean.pulldown_cmark_lines, clean.first_line),
            (Some(0), None)
        );
    }

    #[test]
    fn the_markdown_shows_rows_and_budgets_and_marks_a_miss() {
        let md = small_report().markdown();
        assert!(md.starts_with("# Colloquy bench report\n"));
        assert!(md.contains("on 2026-11-25T19:39:10Z with 2 cores (0.0 of them busy with other work just before the bench, 0.1 just after), in 62 s"));
        assert!(md.contains("| loader, gzipped (bytes) | ≤ 1536 | 1400.0 | met |  |"));
        assert!(md.contains(
            "| widget (wasm + JS glue, CSS inside), gzipped (bytes) | ≤ 122880 | 208000.0 | **missed** | brotli: 207990; zlib's gzip -9 (the earlier reports' measure): 218000 |"
        ));
        assert!(
            md.contains("| durable writes per second, concurrency 8 | ≥ 1000 | 2200.0 | met |  |")
        );
        assert_eq!(md.matches("**missed**").count(), 3);
        assert!(md.contains("| live update reaching 1,000 readers on PostgreSQL, 2 processes, p99 (median post, ms; all delivered) | ≤ 1000 | 1200.0 | **missed** |  |"));
        assert!(md
            .contains("| the widget's wasm contains no pulldown-cmark | ≤ 0 | 1.0 | **missed** |"));
        assert!(md.contains(
            "| 1,000-comment first view, decode to render (median ms) | ≤ 100 | 66.0 | met | from responseEnd (3); first view (the first page): 420 of 1000 comments |"
        ));
        assert!(md.contains(
            "| 10,000-comment first view, decode to render (median ms) | ≤ 150 | 120.0 | met | from responseEnd (3); first view (the first page): 420 of 10000 comments |"
        ));
        assert!(md.contains(
            "| 10,000-comment first view, JS heap used after a garbage collection (median bytes) | ≤ 10485760 | 4194304.0 | met | 4.0 MB after"
        ), "{md}");
        assert!(md.contains(
            "| first-page reads per second, 10,000-comment thread, concurrency 16 | ≥ 2000 | 4500.0 | met |  |"
        ));
        assert!(md.contains("Colloquy's first view is its first page, not the whole thread"));
        assert!(md.contains("each conversation cut to its first comment and 10 replies"));
        assert!(md.contains("| phone profile, first visit, 100 comments: first comment visible (median ms) | ≤ 1500 | 1400.0 | met | 7 comments: 800.0 ms; 1,000: — ms |"));
        assert!(md.contains("| loader `embed.js` | 5600 | 1400 | 1390 |"));
        assert!(
            md.contains("| 100000 | 52.0 MB | 8.00 | 12500 | 14.0 MB |"),
            "{md}"
        );
        assert!(md.contains("| `z`: opt-level \"z\" | 1200000 | 300000 | 299990 | -12 vs `o3` |"));
        assert!(md.contains("## The 1 largest items"));
        assert!(md.contains("| `a\\|b` | 250 | 25.0 % |"));
        assert!(md.contains(
            "| 1000 | 420 | 140.0 (139.0–141.0) | 140.0 (139.0–141.0) | 141.0 (140.0–142.0) | 141.0 (140.0–142.0) | 66.0 (65.0–67.0) | 400.0 (399.0–401.0) | responseEnd (3); responseEnd (3) | 60.0 (59.0–61.0) | 6.0 (5.0–7.0) | 6.0 (5.0–7.0) | 4.0 (3.0–5.0) | 4.0 (3.0–5.0) | 11489 (11488–11490) | 11489 (11488–11490) |"
        ), "{md}");
        assert!(
            md.contains("| 10000 | 420 | 140.0 (139.0–141.0) | — |"),
            "{md}"
        );
        assert!(md.contains("## Rendering in headless Chromium, beside isso 0.14.0"));
        assert!(md.contains("| 14 | 90.0 (89.0–91.0) | responseEnd (3) | 84.0 (83.0–85.0) |"));
        assert!(md.contains(
            "| Colloquy | 100 | 1400.0 (1399.0–1401.0) | 1200.0 (1199.0–1201.0) | 250000 (249999–250001) | 5 (4–6) |"
        ));
        assert!(md.contains("| Isso | 100 | 2000.0 (1999.0–2001.0) |"));
        assert!(md.contains("on 150 ms latency, 1.6 Mbit/s down, 750 kbit/s up"));
        assert!(
            md.contains(
                "| after (the server's answer) | 1200.0 | 300.0 | 300.0 | 1200000 | 300000 |"
            ),
            "{md}"
        );
        assert!(md.contains("| before (body only) | 800.0 | 200.0 | 200.0 | 800000 | 200000 |"));
        assert!(
            md.contains("Asked for gzip, the server itself sent, over all the pages, 310000 bytes (310.0 a comment).")
        );
        assert!(md.contains("Each row is 5 runs of 2 s;"));
        assert!(md.contains(
            "| durable write (synchronous commit) | 8 | 2200.0 (2199.0–2201.0) | 2.0 (1.0–3.0) | 9.0 (8.0–10.0) | 1234 | 0 |"
        ));
        assert!(md.contains(
            "| read the 10,000-comment thread's first page | 16 | 4500.0 (4499.0–4501.0) | 2.0 (1.0–3.0) |"
        ));
        assert!(md.contains("so this is all 6 pages, asked for as the widget asks"));
        assert!(md.contains("VmHWM, over rendering and load): 29.7 MB. SQLite file for 10,000 comments: 5840896 bytes (5704.0 KB)."));
        let postgres = &md[md
            .find("## Server on PostgreSQL (2 processes on one database)")
            .expect("the PostgreSQL section")..];
        assert!(postgres.contains(
            "| read the 1,000-comment thread's first page | 16 | 3100.0 (3099.0–3101.0) | 2.0 (1.0–3.0) | 9.0 (8.0–10.0) | 1234 | 0 |"
        ));
        assert!(
            !postgres[..postgres.find("Peak memory").expect("the memory line")]
                .contains("10,000-comment")
        );
        assert!(
            postgres.contains("| durable write (synchronous commit) | 2 | 400.0 (399.0–401.0) |")
        );
        assert!(postgres.contains("Peak memory of each process (VmHWM): 31.3 MB, not measured."));
        let live = &md[md.find("## Live updates").expect("the live section")..];
        assert!(live.contains("| SQLite | 1 | 1000 (1000) | 5 | 5000 of 5000 | 0 | 15.0 (15.0–15.0) | 45.0 (45.0–45.0) |"));
        assert!(live.contains("| PostgreSQL | 2 | 1000 (1000) | 5 | 5000 of 5000 | 0 | 400.0 (400.0–400.0) | 1200.0 (1200.0–1200.0) |"));
    }

    #[test]
    fn a_missing_reference_is_said_and_leaves_dashes() {
        let mut report = small_report();
        report.isso = IssoFigures {
            version: None,
            missing: Some("pip could not install it".into()),
            render: Vec::new(),
        };
        let md = report.markdown();
        assert!(md.contains("## Rendering in headless Chromium, beside Isso (ms unless noted)"));
        assert!(md.contains("Isso was not measured: pip could not install it.\n"));
        assert!(md.contains("| 1000 | 420 | 140.0 (139.0–141.0) | — | 141.0 (140.0–142.0) | — |"));
    }

    #[test]
    fn a_busy_machine_is_said_to_be_shared() {
        assert_eq!(busy_text(None, Some(1.0)), "");
        assert!(!busy_text(Some(0.1), Some(0.2)).contains("shared"));
        assert!(busy_text(Some(1.3), Some(0.2)).contains(
            " (1.3 of them busy with other work just before the bench, 0.2 just after: the machine was shared"
        ));
    }

    #[test]
    fn the_json_is_the_same_report() {
        let text = serde_json::to_string(&small_report()).expect("json");
        assert!(
            text.contains(
                r#""machine":{"date":"2026-11-25T19:39:10Z","cores":2,"bench_seconds":61.99,"busy_cores_before":0.04,"busy_cores_after":0.1}"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"{"name":"widget_gzip_bytes","what":"widget (wasm + JS glue, CSS inside), gzipped (bytes)","bound":"at_most","limit":122880.0,"value":208000.0,"met":false,"note":"brotli: 207990; zlib's gzip -9 (the earlier reports' measure): 218000"}"#), "{text}");
        assert!(text.contains(r#""peak_rss_mb":29.73"#), "{text}");
        assert!(text.contains(r#""size_steps":[{"id":"z","description":"opt-level \"z\"","compared_to":"o3","sizes":{"raw":1200000,"gzip":300000,"brotli":299990},"gzip_saved":-12}]"#), "{text}");
        assert!(
            text.contains(r#""durable_writes":[{"concurrency":1,"#),
            "{text}"
        );
        assert!(
            text.contains(r#""postgres":{"processes":2,"reads_1000_comments":[{"concurrency":2,"#),
            "{text}"
        );
        assert!(text.contains(r#""peak_rss_mb":[31.26,null]}"#), "{text}");
        assert!(text.contains(r#""wire":{"thread":"bench-1000","comments":1000,"pages":6,"after":{"raw":1200000,"gzip":300000,"brotli":299990},"#), "{text}");
        assert!(text.contains(r#""reads_first_page_10000_comments":[{"concurrency":16,"per_second":{"median":4500.0,"#), "{text}");
        assert!(text.contains(r#"{"name":"heap_10000_first_view_bytes","what":"10,000-comment first view, JS heap used after a garbage collection (median bytes)","bound":"at_most","limit":10485760.0,"value":4194304.0,"met":true,"#), "{text}");
        assert!(
            text.contains(r#""render":[{"comments":1000,"first_view":420,"#),
            "{text}"
        );
        assert!(
            text.contains(r#""heap_after_gc_mb":{"median":4.0,"#),
            "{text}"
        );
        assert!(text.contains(r#""wasm_dependencies":{"pulldown_cmark_lines":1,"first_line":"pulldown-cmark v0.13.0"}"#), "{text}");
        assert!(
            text.contains(
                r#""phone":[{"product":"Colloquy","comments":7,"first_comment_ms":{"median":800.0,"#
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r#""isso":{"version":"isso 0.14.0","missing":null,"render":[{"comments":1000,"#
            ),
            "{text}"
        );
        assert!(text.contains(r#""live":[{"engine":"SQLite","processes":1,"subscribers":1000,"connected":1000,"posts":5,"received":5000,"expected":5000,"repeated":0,"p50_ms":{"median":15.0,"#), "{text}");
    }
}
