//! colloquy-bench: the measurements behind `cargo xtask bench`. xtask builds everything in
//! release (the widget, its size variants, the server, this program) and runs it; it
//! measures, gathers every figure into one [`report::Report`] and writes it as
//! `bench/report.json` and `bench/REPORT.md`. Every request goes to 127.0.0.1, and every
//! load phase is bounded in time.

mod budgets;
mod load;
mod payload;
mod render;
mod report;
mod seed;
mod stats;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use colloquy_core::model::NewComment;
use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::server::Server;
use colloquy_e2e::webdriver::Browser;
use colloquy_server::storage::sqlite::SqliteStore;

use load::LoadRow;
use payload::{PayloadSizes, SizeMap, SizeStep};
use render::RenderRow;
use report::{Budget, Machine, Report, ServerFigures, Settings};

/// Thread sizes for the rendering figures, smallest first; the database's size on disk is
/// measured with the last alone.
const THREAD_SIZES: [usize; 4] = [7, 100, 1_000, 10_000];
/// Runs behind every timing: page loads per thread size, timed runs per load row.
const RUNS: usize = 5;
/// Each load row: RUNS runs of this long.
const LOAD_DURATION: Duration = Duration::from_secs(2);
/// Rows in the wasm's size map.
const SIZE_MAP_ITEMS: usize = 20;
const STEPS: usize = 7;

/// Where xtask put what the bench measures, and where the report goes.
struct Inputs {
    dist: PathBuf,
    styles: PathBuf,
    variants: PathBuf,
    named_wasm: PathBuf,
    out: PathBuf,
}

impl Inputs {
    fn from_env() -> Inputs {
        let path = |name: &str| {
            std::env::var_os(name)
                .map(PathBuf::from)
                .unwrap_or_else(|| {
                    panic!("{name} is not set: run this through `cargo xtask bench`")
                })
        };
        Inputs {
            dist: path("COLLOQUY_DIST"),
            styles: path("COLLOQUY_STYLES"),
            variants: path("COLLOQUY_BENCH_VARIANTS"),
            named_wasm: path("COLLOQUY_BENCH_NAMED_WASM"),
            out: path("COLLOQUY_BENCH_OUT"),
        }
    }
}

fn step(number: usize, what: &str) {
    eprintln!("bench: [{number}/{STEPS}] {what}");
}

fn main() {
    let started = Instant::now();
    let inputs = Inputs::from_env();
    let payload = sizes(&inputs);
    let size_steps = size_steps(&inputs);
    let size_map = size_map(&inputs);
    let folder = tempfile::tempdir().expect("a temporary folder");
    let seeded = seed(folder.path());
    let site = HostSite::start();
    let server = Server::start(&seeded.database, &["--allowed-origin", &site.origin]);
    let render = rendering(&site, &server);
    let server = load(server, seeded.bytes_per_10000_comments);
    let report = Report {
        machine: machine(started),
        settings: Settings {
            runs: RUNS,
            load_run_seconds: LOAD_DURATION.as_secs_f64(),
        },
        budgets: Budget::all(&payload, &render, &server),
        payload,
        size_steps,
        size_map,
        render,
        server,
    };
    write(&report, &inputs.out);
}

fn sizes(inputs: &Inputs) -> PayloadSizes {
    step(
        1,
        "payload: the loader and the widget, raw, gzip -9 and brotli",
    );
    PayloadSizes::measure(&inputs.dist, &inputs.styles)
}

fn size_steps(inputs: &Inputs) -> Vec<SizeStep> {
    step(2, "what each size step saves");
    payload::size_steps(&inputs.variants)
}

fn size_map(inputs: &Inputs) -> SizeMap {
    step(3, "the wasm's largest items");
    payload::size_map(&payload::read(&inputs.named_wasm), SIZE_MAP_ITEMS)
}

/// The database the server will serve, and what the largest thread weighs on disk alone.
struct Seeded {
    database: PathBuf,
    bytes_per_10000_comments: u64,
}

/// Stores every thread through the server's store into one database, the largest first so
/// that the file can be measured while it holds that thread alone.
fn seed(folder: &Path) -> Seeded {
    step(
        4,
        "seeding threads of 7, 100, 1,000 and 10,000 comments through the server's store",
    );
    let began = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = folder.join("bench.db");
    // Each thread size has its own fixed seed, so every run measures the same threads.
    let seed_of = |index: usize| 11 + index as u64;
    let [smaller @ .., largest] = THREAD_SIZES;
    let bytes_per_10000_comments = runtime.block_on(async {
        let store = SqliteStore::open(&database).await.expect("the database");
        let thread = |size: usize| format!("bench-{size}");
        seed::seed_thread(&store, &thread(largest), largest, seed_of(smaller.len())).await;
        let alone = seed::database_bytes(&database).await;
        for (index, size) in smaller.into_iter().enumerate() {
            seed::seed_thread(&store, &thread(size), size, seed_of(index)).await;
        }
        alone
    });
    eprintln!(
        "bench:   stored {} comments in {:.1} s",
        THREAD_SIZES.iter().sum::<usize>(),
        began.elapsed().as_secs_f64()
    );
    Seeded {
        database,
        bytes_per_10000_comments,
    }
}

fn rendering(site: &HostSite, server: &Server) -> Vec<RenderRow> {
    step(
        5,
        &format!("rendering in headless Chromium ({RUNS} runs per thread size)"),
    );
    let browser = Browser::start_with(&["--enable-precise-memory-info"]);
    THREAD_SIZES
        .iter()
        .map(|&size| render::measure(&browser, site, server, &format!("bench-{size}"), size, RUNS))
        .collect()
}

/// Reads and durable writes against the running server, then its peak memory; stops it.
fn load(server: Server, sqlite_bytes_per_10000_comments: u64) -> ServerFigures {
    step(
        6,
        "server: reads of the 1,000-comment thread and durable writes",
    );
    let read_url = server.url("/api/v1/threads/bench-1000/comments");
    let reads = [1, 16].map(|concurrency| {
        let url = read_url.clone();
        load_row("reads", concurrency, move |agent, _| {
            agent
                .get(&url)
                .call()
                .is_ok_and(|answer| answer.into_string().is_ok())
        })
    });
    let write_url = server.url("/api/v1/threads/bench-writes/comments");
    let writes = [1, 8].map(|concurrency| {
        let url = write_url.clone();
        load_row("writes", concurrency, move |agent, n| {
            let comment = NewComment {
                name: "Load".into(),
                email: "load@private.example".into(),
                body: format!("Write number {n} at concurrency {concurrency}."),
                idempotency_key: format!("load-{concurrency}-{n}"),
                ..NewComment::default()
            };
            agent.post(&url).send_json(comment).is_ok()
        })
    });
    let peak_rss_mb = server.pid().and_then(peak_rss_mb);
    server.stop();
    ServerFigures {
        reads_1000_comments: reads.into(),
        durable_writes: writes.into(),
        peak_rss_mb,
        sqlite_bytes_per_10000_comments,
    }
}

fn load_row(
    what: &str,
    concurrency: usize,
    request: impl Fn(&ureq::Agent, u64) -> bool + Send + Sync + 'static,
) -> LoadRow {
    eprintln!("bench:   {what} at concurrency {concurrency} ({RUNS} runs of {LOAD_DURATION:?})");
    load::repeated(RUNS, concurrency, LOAD_DURATION, Arc::new(request))
}

/// The process's peak resident memory in MB, from `/proc` (Linux only).
fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn machine(started: Instant) -> Machine {
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_millis() as i64);
    Machine {
        date: colloquy_core::time::format_rfc3339(now_ms),
        cores: std::thread::available_parallelism().map_or(0, |n| n.get()),
        bench_seconds: started.elapsed().as_secs_f64(),
    }
}

fn write(report: &Report, out: &Path) {
    step(7, "budgets and the report");
    std::fs::create_dir_all(out).expect("the bench folder");
    let json = serde_json::to_string_pretty(report).expect("the report as JSON") + "\n";
    std::fs::write(out.join("report.json"), json).expect("write report.json");
    std::fs::write(out.join("REPORT.md"), report.markdown()).expect("write REPORT.md");
    for budget in &report.budgets {
        eprintln!(
            "bench: budget {:<36} {:>10.1} (limit {:>8.1}) {}",
            budget.name,
            budget.value,
            budget.limit,
            if budget.met { "met" } else { "MISSED" }
        );
    }
    eprintln!(
        "bench: wrote {} and report.json in {:.0} s",
        out.join("REPORT.md").display(),
        report.machine.bench_seconds
    );
}
