//! colloquy-bench: the measurements behind `cargo xtask bench`. xtask builds everything in
//! release (the widget, its size variants, the server, this program) and runs it; it
//! measures and writes `bench/REPORT.md` and `bench/report.json`. Every request goes to
//! 127.0.0.1, and every load phase is bounded in time.

mod load;
mod payload;
mod render;
mod seed;
mod stats;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::server::Server;
use colloquy_e2e::webdriver::Browser;
use serde_json::{json, Value};

use payload::Sizes;

/// Thread sizes for the rendering figures.
const THREAD_SIZES: [usize; 4] = [7, 100, 1_000, 10_000];
const RUNS: usize = 5;
/// Each load row: RUNS runs of this long.
const LOAD_DURATION: Duration = Duration::from_secs(2);

fn env_path(name: &str) -> PathBuf {
    std::env::var_os(name)
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("{name} is not set: run this through `cargo xtask bench`"))
}

fn step(number: usize, what: &str) {
    eprintln!("bench: [{number}/5] {what}");
}

struct Budget {
    name: &'static str,
    what: &'static str,
    limit: f64,
    value: f64,
    /// true: the value must stay at or below the limit; false: at or above.
    at_most: bool,
}

impl Budget {
    fn met(&self) -> bool {
        if self.at_most {
            self.value <= self.limit
        } else {
            self.value >= self.limit
        }
    }
}

fn main() {
    let started = Instant::now();
    let dist = env_path("COLLOQUY_DIST");
    let variants_dir = env_path("COLLOQUY_BENCH_VARIANTS");
    let named_wasm = env_path("COLLOQUY_BENCH_NAMED_WASM");
    let out = env_path("COLLOQUY_BENCH_OUT");
    let mut report = json!({});
    let mut markdown = String::new();

    step(
        1,
        "payload: sizes, the wasm's largest items, what each size step saves",
    );
    let loader = Sizes::of(&payload::read(&dist.join("embed.js")));
    let wasm = Sizes::of(&payload::read(&dist.join("colloquy_bg.wasm")));
    let glue = Sizes::of(&payload::read(&dist.join("colloquy.js")));
    let css = Sizes::of(&payload::read(&env_path("COLLOQUY_STYLES")));
    let widget = wasm.add(glue);
    let (items, named_total) = payload::largest_items(&payload::read(&named_wasm), 20);
    let variants = measure_variants(&variants_dir);
    report["payload"] = json!({
        "loader": loader.json(),
        "wasm": wasm.json(),
        "js_glue": glue.json(),
        "css_inside_wasm": css.json(),
        "widget_total": widget.json(),
        "largest_wasm_items": items.iter().map(|i| json!({"name": i.name, "bytes": i.bytes})).collect::<Vec<_>>(),
        "size_steps": variants.iter().map(|(id, description, base, sizes)| json!({"id": id, "description": description, "compared_to": base, "sizes": sizes.json()})).collect::<Vec<_>>(),
    });

    step(2, "seeding threads of 7, 100, 1,000 and 10,000 comments");
    let folder = tempfile::tempdir().expect("a temporary folder");
    let database = folder.path().join("bench.db");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for (i, size) in THREAD_SIZES.iter().enumerate() {
        runtime.block_on(seed::seed_thread(
            &database,
            &format!("bench-{size}"),
            *size,
            11 + i as u64,
        ));
    }
    let alone = folder.path().join("ten-thousand.db");
    runtime.block_on(seed::seed_thread(&alone, "bench-10000", 10_000, 14));
    let file_bytes: u64 = ["", "-wal"]
        .iter()
        .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", alone.display())).ok())
        .map(|m| m.len())
        .sum();

    step(3, "rendering in headless Chromium (5 runs per thread size)");
    let site = HostSite::start();
    let server = Server::start(&database, &["--allowed-origin", &site.origin]);
    let browser = Browser::start_with(&["--enable-precise-memory-info"]);
    let renders: Vec<render::RenderFigures> = THREAD_SIZES
        .iter()
        .map(|&size| {
            render::measure(
                &browser,
                &site,
                &server,
                &format!("bench-{size}"),
                size,
                RUNS,
            )
        })
        .collect();
    drop(browser);
    report["render"] = Value::Array(renders.iter().map(|r| r.json()).collect());

    step(
        4,
        "server: reads of the 1,000-comment thread and durable writes",
    );
    let read_url = server.url("/api/v1/threads/bench-1000/comments");
    let reads: Vec<(usize, load::LoadSummary)> = [1, 16]
        .into_iter()
        .map(|concurrency| {
            eprintln!(
                "bench:   reads at concurrency {concurrency} ({RUNS} runs of {LOAD_DURATION:?})"
            );
            let url = read_url.clone();
            (
                concurrency,
                load::repeated(
                    RUNS,
                    concurrency,
                    LOAD_DURATION,
                    std::sync::Arc::new(move |agent: &ureq::Agent, _| {
                        agent
                            .get(&url)
                            .call()
                            .is_ok_and(|r| r.into_string().is_ok())
                    }),
                ),
            )
        })
        .collect();
    let write_url = server.url("/api/v1/threads/bench-writes/comments");
    let writes: Vec<(usize, load::LoadSummary)> = [1, 8]
        .into_iter()
        .map(|concurrency| {
            eprintln!(
                "bench:   writes at concurrency {concurrency} ({RUNS} runs of {LOAD_DURATION:?})"
            );
            let url = write_url.clone();
            (
                concurrency,
                load::repeated(
                    RUNS,
                    concurrency,
                    LOAD_DURATION,
                    std::sync::Arc::new(move |agent: &ureq::Agent, n| {
                        let body = json!({
                            "name": "Load", "email": "load@private.example",
                            "body": format!("Write number {n} at concurrency {concurrency}."),
                            "idempotency_key": format!("load-{concurrency}-{n}"),
                        });
                        agent.post(&url).send_json(body).is_ok()
                    }),
                ),
            )
        })
        .collect();
    let peak_rss_mb = server
        .pid()
        .and_then(|pid| std::fs::read_to_string(format!("/proc/{pid}/status")).ok())
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0);
    server.stop();
    report["server"] = json!({
        "reads_1000_comments": reads.iter().map(|(c, r)| json!({"concurrency": c, "result": r.json()})).collect::<Vec<_>>(),
        "durable_writes": writes.iter().map(|(c, r)| json!({"concurrency": c, "result": r.json()})).collect::<Vec<_>>(),
        "peak_rss_mb": peak_rss_mb.map(stats::round),
        "sqlite_bytes_per_10000_comments": file_bytes,
    });

    step(5, "budgets and the report");
    let render_1000 = renders
        .iter()
        .find(|r| r.comments == 1_000)
        .expect("the 1,000 run");
    let budgets = [
        Budget {
            name: "loader_gzip_bytes",
            what: "loader, gzipped",
            limit: 1536.0,
            value: loader.gzip as f64,
            at_most: true,
        },
        Budget {
            name: "widget_gzip_bytes",
            what: "widget (wasm + JS + CSS), gzipped",
            limit: 120.0 * 1024.0,
            value: widget.gzip as f64,
            at_most: true,
        },
        Budget {
            name: "render_1000_data_to_rendered_ms",
            what: "1,000-comment first view, data to rendered (median ms)",
            limit: 150.0,
            value: render_1000.data_to_rendered_ms.median,
            at_most: true,
        },
        Budget {
            name: "reads_per_second_1000_comments",
            what: "thread reads per second, 1,000 comments, concurrency 16",
            limit: 500.0,
            value: reads.last().map_or(0.0, |r| r.1.per_second.median),
            at_most: false,
        },
        Budget {
            name: "durable_writes_per_second",
            what: "durable writes per second, concurrency 8",
            limit: 1000.0,
            value: writes.last().map_or(0.0, |w| w.1.per_second.median),
            at_most: false,
        },
    ];
    report["budgets"] = budgets
        .iter()
        .map(|b| {
            (
                b.name.to_owned(),
                json!({"limit": b.limit, "value": stats::round(b.value), "met": b.met()}),
            )
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    let elapsed = started.elapsed().as_secs_f64();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    report["machine"] = json!({"date": colloquy_core::time::format_rfc3339(now_ms), "cores": cores, "bench_seconds": stats::round(elapsed)});

    write_markdown(
        &mut markdown,
        &report,
        &budgets,
        &renders,
        &items,
        named_total,
        &variants,
    );
    std::fs::create_dir_all(&out).expect("the bench folder");
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&report).expect("json") + "\n",
    )
    .expect("write report.json");
    std::fs::write(out.join("REPORT.md"), markdown).expect("write REPORT.md");
    for budget in &budgets {
        eprintln!(
            "bench: budget {:<36} {:>10.1} (limit {:>8.1}) {}",
            budget.name,
            budget.value,
            budget.limit,
            if budget.met() { "met" } else { "MISSED" }
        );
    }
    eprintln!(
        "bench: wrote {} and report.json in {elapsed:.0} s",
        out.join("REPORT.md").display()
    );
}

/// The size of each variant xtask built: `variants.json` lists `{id, description}` in
/// order, each in a folder with `colloquy_bg.wasm` and `colloquy.js`.
fn measure_variants(dir: &Path) -> Vec<(String, String, String, Sizes)> {
    let listing: Value =
        serde_json::from_slice(&payload::read(&dir.join("variants.json"))).expect("variants.json");
    listing
        .as_array()
        .expect("a list of variants")
        .iter()
        .map(|v| {
            let id = v["id"].as_str().unwrap_or_default().to_owned();
            let folder = dir.join(&id);
            let sizes = Sizes::of(&payload::read(&folder.join("colloquy_bg.wasm")))
                .add(Sizes::of(&payload::read(&folder.join("colloquy.js"))));
            let text = |key: &str| v[key].as_str().unwrap_or_default().to_owned();
            (id, text("description"), text("compared_to"), sizes)
        })
        .collect()
}

/// `median (min–max)` from a summary in the report.
fn summary_text(summary: &Value) -> String {
    let number = |key: &str| summary[key].as_f64().unwrap_or(f64::NAN);
    stats::Summary {
        median: number("median"),
        min: number("min"),
        max: number("max"),
        runs: 0,
    }
    .text()
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

#[allow(clippy::too_many_arguments)]
fn write_markdown(
    md: &mut String,
    report: &Value,
    budgets: &[Budget],
    renders: &[render::RenderFigures],
    items: &[payload::Item],
    named_total: usize,
    variants: &[(String, String, String, Sizes)],
) {
    use std::fmt::Write as _;
    let p = &report["payload"];
    let s = &report["server"];
    let m = &report["machine"];
    let size_row = |name: &str, v: &Value| {
        format!(
            "| {name} | {} | {} | {} |\n",
            v["raw"], v["gzip"], v["brotli"]
        )
    };
    let _ = writeln!(md, "# Colloquy bench report\n");
    let _ = writeln!(
        md,
        "Measured by `cargo xtask bench` on {} with {} cores, in {} s. Timings are the median of {RUNS} runs, with min–max beside them. Every figure below comes from that run; `report.json` holds the same figures.\n",
        m["date"].as_str().unwrap_or_default(), m["cores"], m["bench_seconds"]
    );
    let _ = writeln!(
        md,
        "## Budgets\n\n| budget | limit | value | |\n|---|---:|---:|---|"
    );
    for b in budgets {
        let _ = writeln!(
            md,
            "| {} | {}{} | {:.1} | {} |",
            b.what,
            if b.at_most { "≤ " } else { "≥ " },
            b.limit,
            b.value,
            if b.met() { "met" } else { "**missed**" }
        );
    }
    let _ = writeln!(
        md,
        "\n## Payload (bytes)\n\n| file | raw | gzip -9 | brotli |\n|---|---:|---:|---:|"
    );
    md.push_str(&size_row("loader `embed.js`", &p["loader"]));
    md.push_str(&size_row("wasm `colloquy_bg.wasm`", &p["wasm"]));
    md.push_str(&size_row("JS glue `colloquy.js`", &p["js_glue"]));
    md.push_str(&size_row(
        "**widget total** (wasm + JS; the CSS is inside the wasm)",
        &p["widget_total"],
    ));
    md.push_str(&size_row(
        "(the stylesheet, counted inside the wasm)",
        &p["css_inside_wasm"],
    ));
    let _ = writeln!(md, "\n## What each size step saves (wasm + JS glue, bytes)\n\nEach row is built separately by the bench; \"saved\" compares its gzipped size with the row it names (negative: the step costs bytes).\n\n| step | raw | gzip -9 | brotli | gzip saved |\n|---|---:|---:|---:|---:|");
    for (id, description, base, sizes) in variants {
        let saved = variants
            .iter()
            .find(|(other, ..)| other == base)
            .map_or("—".to_owned(), |(.., before)| {
                format!("{} vs `{base}`", before.gzip as i64 - sizes.gzip as i64)
            });
        let _ = writeln!(
            md,
            "| `{id}`: {description} | {} | {} | {} | {saved} |",
            sizes.raw, sizes.gzip, sizes.brotli
        );
    }
    let _ = writeln!(md, "\n## The 20 largest items in the wasm\n\nFrom the release build before wasm-opt, which keeps function names; shares are of its code and data ({}).\n\n| item | bytes | share |\n|---|---:|---:|", kb(named_total));
    for item in items {
        let name: String = item.name.chars().take(110).collect();
        let _ = writeln!(
            md,
            "| `{}` | {} | {:.1} % |",
            name.replace('|', "\\|"),
            item.bytes,
            item.bytes as f64 * 100.0 / named_total as f64
        );
    }
    let _ = writeln!(md, "\n## Rendering in headless Chromium (ms unless noted)\n\nFrom navigation start; the thread is served by the real server to a page on another origin. \"data → rendered\" runs from the widget's `colloquy:data` mark (the thread received and parsed) to the first animation frame with every comment in the DOM. The widget renders the whole thread at once, so the first view is every comment.\n\n| comments | first comment visible | all comments in the DOM | data → rendered | JS heap (MB) | DOM nodes |\n|---:|---:|---:|---:|---:|---:|");
    for r in renders {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {:.0} |",
            r.comments,
            r.first_visible_ms.text(),
            r.all_in_dom_ms.text(),
            r.data_to_rendered_ms.text(),
            r.js_heap_mb.text(),
            r.dom_nodes.median
        );
    }
    let _ = writeln!(md, "\n## Server (load from a second process over loopback)\n\nEach row is {RUNS} runs of {} s; figures are the median with min–max, requests and errors the sum.\n\n| what | concurrency | per second | p50 ms | p99 ms | requests | errors |\n|---|---:|---:|---:|---:|---:|---:|", LOAD_DURATION.as_secs());
    for (label, key) in [
        ("read the 1,000-comment thread", "reads_1000_comments"),
        ("durable write (synchronous commit)", "durable_writes"),
    ] {
        for row in s[key].as_array().into_iter().flatten() {
            let r = &row["result"];
            let _ = writeln!(
                md,
                "| {label} | {} | {} | {} | {} | {} | {} |",
                row["concurrency"],
                summary_text(&r["per_second"]),
                summary_text(&r["p50_ms"]),
                summary_text(&r["p99_ms"]),
                r["requests"],
                r["errors"]
            );
        }
    }
    let _ = writeln!(
        md,
        "\nPeak server memory (VmHWM): {} MB. SQLite file for 10,000 comments: {} bytes ({}).",
        s["peak_rss_mb"],
        s["sqlite_bytes_per_10000_comments"],
        kb(s["sqlite_bytes_per_10000_comments"].as_u64().unwrap_or(0) as usize)
    );
}
