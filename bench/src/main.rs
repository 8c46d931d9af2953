//! colloquy-bench: the measurements behind `cargo xtask bench`. xtask builds everything in
//! release (the widget, its size variants, the server, this program) and runs it; it
//! measures, gathers every figure into one [`report::Report`] and writes it as
//! `bench/report.json` and `bench/REPORT.md`. `colloquy-bench soak --minutes N` (run by
//! `cargo xtask soak`) is the long run instead ([`soak`]). Every request goes to
//! 127.0.0.1, and every load phase is bounded in time.

mod budgets;
mod cluster;
mod gzip;
mod isso;
mod live;
mod load;
mod payload;
mod phone;
mod render;
mod report;
mod seed;
mod soak;
mod soak_report;
mod sse;
mod stats;
mod system;
mod wire;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use colloquy_core::model::NewComment;
use colloquy_e2e::host_site::HostSite;
use colloquy_e2e::server::Server;
use colloquy_e2e::webdriver::Browser;
use colloquy_server::storage::sqlite::SqliteStore;

use cluster::Cluster;
use isso::Isso;
use live::LiveRow;
use load::LoadRow;
use payload::{PayloadSizes, SizeMap, SizeStep};
use phone::PhoneRow;
use render::{FirstView, RenderRow};
use report::{
    Budget, ImportFigures, IssoFigures, Machine, PostgresFigures, Report, ServerFigures, Settings,
    WasmDependencies, COLLOQUY, ISSO,
};
use wire::WireFigures;

/// Thread sizes for the rendering figures, smallest first; the database's size on disk is
/// measured with the last alone.
const THREAD_SIZES: [usize; 4] = [7, 100, 1_000, 10_000];
/// Runs behind every timing: page loads per thread size, timed runs per load row.
const RUNS: usize = 5;
/// Each load row: RUNS runs of this long.
const LOAD_DURATION: Duration = Duration::from_secs(2);
/// Rows in the wasm's size map.
const SIZE_MAP_ITEMS: usize = 20;
/// Server processes on the one PostgreSQL database.
const PG_PROCESSES: usize = 2;
/// Readers following one thread in the live-update rows, and the comments posted to them.
const LIVE_SUBSCRIBERS: usize = 1_000;
const LIVE_POSTS: usize = 5;
const LIVE_THREAD: &str = "bench-live";
/// The thread every read row reads, and the seed it is generated from on both engines.
const READ_THREAD: &str = "bench-1000";
/// The largest thread, whose first page has a read row of its own (SQLite only).
const PAGE_THREAD: &str = "bench-10000";
/// The thread sizes Isso is measured at beside Colloquy, on the desktop and on the phone
/// profile (Colloquy's phone rows too).
const REFERENCE_SIZES: [usize; 3] = [7, 100, 1_000];
/// The thread of pathological markdown bodies.
const WORST_THREAD: &str = "bench-worst";
const STEPS: usize = 14;

/// Where xtask put what the bench measures, and where the report goes.
struct Inputs {
    dist: PathBuf,
    styles: PathBuf,
    variants: PathBuf,
    named_wasm: PathBuf,
    out: PathBuf,
    /// Isso's `isso` command, or why xtask could not install it.
    isso: Result<PathBuf, String>,
    /// `cargo tree -p colloquy --target wasm32-unknown-unknown -e normal`, as xtask wrote it.
    wasm_tree: Option<PathBuf>,
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
            isso: std::env::var_os("COLLOQUY_BENCH_ISSO")
                .map(PathBuf::from)
                .ok_or_else(|| {
                    std::env::var("COLLOQUY_BENCH_ISSO_MISSING")
                        .unwrap_or_else(|_| "COLLOQUY_BENCH_ISSO is not set".to_owned())
                }),
            wasm_tree: std::env::var_os("COLLOQUY_BENCH_WASM_TREE").map(PathBuf::from),
        }
    }
}

fn step(number: usize, what: &str) {
    eprintln!("bench: [{number}/{STEPS}] {what}");
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        None => bench(),
        Some("soak") => match soak::parse_args(&args[1..]) {
            Ok(minutes) => soak::run(minutes),
            Err(message) => usage(&message),
        },
        Some(other) => usage(&format!("unknown command {other:?}")),
    }
}

fn usage(message: &str) {
    eprintln!("colloquy-bench: {message}\nusage: colloquy-bench            (the bench, as `cargo xtask bench` runs it)\n       colloquy-bench soak --minutes N");
    std::process::exit(2);
}

/// The thread of `size` comments is generated from this seed, on either engine, so every
/// run measures the same threads.
fn seed_of(size: usize) -> u64 {
    11 + THREAD_SIZES.iter().position(|&s| s == size).unwrap_or(0) as u64
}

fn bench() {
    let started = Instant::now();
    let inputs = Inputs::from_env();
    let open_files = system::raise_open_file_limit();
    eprintln!("bench: open-file limit {open_files} (inherited by the servers)");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let busy_cores_before = system::busy_cores_now(cores);
    let payload = sizes(&inputs);
    let size_steps = size_steps(&inputs);
    let size_map = size_map(&inputs);
    let wasm_dependencies = wasm_dependencies(&inputs);
    let folder = tempfile::tempdir().expect("a temporary folder");
    let seeded = seed(folder.path());
    let site = HostSite::start();
    let server = Server::start(&seeded.database, &["--allowed-origin", &site.origin]);
    let isso = start_isso(&inputs, &site);
    let (render, isso_render, worst_case) = rendering(&site, &server, isso.as_ref().ok());
    let phone = phone_profile(&site, &server, isso.as_ref().ok());
    let wire = wire_bytes(&server);
    let isso = match isso {
        Ok(isso) => {
            let version = isso.version.clone();
            isso.stop();
            IssoFigures {
                version: Some(version),
                missing: None,
                render: isso_render,
            }
        }
        Err(missing) => IssoFigures {
            version: None,
            missing: Some(missing),
            render: Vec::new(),
        },
    };
    let server = load(server, seeded.bytes_per_10000_comments);
    let mut live = vec![live_on_sqlite(&seeded.database)];
    let cluster = postgres_cluster();
    let postgres = load_postgres(&cluster);
    live.push(live_on_postgres(cluster));
    let import = import_speed(folder.path());
    let report = Report {
        machine: machine(started, cores, busy_cores_before),
        settings: Settings {
            runs: RUNS,
            load_run_seconds: LOAD_DURATION.as_secs_f64(),
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
        size_steps,
        size_map,
        render,
        isso,
        phone,
        wire,
        worst_case,
        wasm_dependencies,
        server,
        postgres,
        live,
        import,
    };
    write(&report, &inputs.out);
}

/// What xtask's `cargo tree` listing says of pulldown-cmark in the widget.
fn wasm_dependencies(inputs: &Inputs) -> WasmDependencies {
    let tree = inputs
        .wasm_tree
        .as_ref()
        .and_then(|path| std::fs::read_to_string(path).ok());
    if tree.is_none() {
        eprintln!("bench: no `cargo tree` listing of the widget (COLLOQUY_BENCH_WASM_TREE)");
    }
    WasmDependencies::from_tree(tree.as_deref())
}

fn sizes(inputs: &Inputs) -> PayloadSizes {
    step(
        1,
        "payload: the loader and the widget, raw, gzipped (zopfli) and brotli",
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
        "seeding threads of 7, 100, 1,000 and 10,000 comments and the worst case through the server's store",
    );
    let began = Instant::now();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let database = folder.join("bench.db");
    let [smaller @ .., largest] = THREAD_SIZES;
    let bytes_per_10000_comments = runtime.block_on(async {
        let store = SqliteStore::open(&database).await.expect("the database");
        let thread = |size: usize| format!("bench-{size}");
        seed::seed_thread(&store, &thread(largest), largest, seed_of(largest)).await;
        let alone = seed::database_bytes(&database).await;
        for size in smaller {
            seed::seed_thread(&store, &thread(size), size, seed_of(size)).await;
        }
        seed::store_comments(&store, WORST_THREAD, &seed::worst_case_thread()).await;
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

/// Isso on loopback for the host site's pages, holding the reference threads, or why not:
/// a reference that cannot be had (not installed, or failing to start) leaves its rows
/// empty and says why in the report, and Colloquy's figures are measured all the same.
fn start_isso(inputs: &Inputs, site: &HostSite) -> Result<Isso, String> {
    step(
        5,
        "Isso 0.14 beside Colloquy: started on loopback, seeded with the same threads",
    );
    let origin = site.origin.as_str();
    let started = match &inputs.isso {
        Ok(program) => std::panic::catch_unwind(|| seeded_isso(program, origin)).map_err(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("it panicked");
            format!("Isso did not start: {message}")
        }),
        Err(why) => Err(why.clone()),
    };
    match &started {
        Ok(isso) => eprintln!("bench:   {} on {}", isso.version, isso.base),
        Err(why) => eprintln!("bench:   Isso is not measured: {why}"),
    }
    started
}

/// Isso started for pages of `origin` and given the reference threads; a panic on the way
/// stops it again (its guard is dropped).
fn seeded_isso(program: &Path, origin: &str) -> Isso {
    let isso = Isso::start(program, origin);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        for size in REFERENCE_SIZES {
            let comments = seed::generate(size, seed_of(size));
            isso.seed(&isso_uri(size), &comments).await;
        }
    });
    isso
}

fn isso_uri(size: usize) -> String {
    format!("/bench-{size}")
}

/// The first view of Colloquy's thread `thread`: its first page, asked for as the widget
/// asks for it, each conversation cut as the widget cuts it.
fn first_view(server: &Server, thread: &str) -> FirstView {
    let view = FirstView::ask(&server.base, thread);
    eprintln!(
        "bench:   {thread}: first page {} of {} comments, {} conversations ({}); {} comments in the first view",
        view.page_comments,
        view.total,
        view.conversations,
        if view.more { "more pages after it" } else { "the whole thread" },
        view.comments
    );
    view
}

/// The host page of Colloquy's thread `thread`, whose first view has `expected` comments.
fn colloquy_url(site: &HostSite, server: &Server, thread: &str, expected: usize) -> String {
    let page = render::colloquy_page(&server.base, thread, expected);
    site.page(&format!("/colloquy/{thread}"), page, None)
}

/// The host page of Isso's thread of `size` comments.
fn isso_url(site: &HostSite, isso: &Isso, size: usize) -> String {
    let page = render::isso_page(&isso.base, &isso_uri(size), size);
    site.page(&format!("/isso/bench-{size}"), page, None)
}

/// Colloquy's rows, Isso's beside them (up to 1,000 comments) and the worst-case thread.
fn rendering(
    site: &HostSite,
    server: &Server,
    isso: Option<&Isso>,
) -> (Vec<RenderRow>, Vec<RenderRow>, RenderRow) {
    step(
        6,
        &format!("rendering in headless Chromium, Colloquy and Isso ({RUNS} runs per thread size)"),
    );
    // Without the back-forward cache: the pages of earlier runs, kept alive for a Back
    // that never comes, would otherwise count in each later page's heap.
    let browser = Browser::start_with(&[
        "--enable-precise-memory-info",
        "--disable-back-forward-cache",
    ]);
    let mut colloquy = Vec::new();
    let mut reference = Vec::new();
    for size in THREAD_SIZES {
        let thread = format!("bench-{size}");
        let expected = first_view(server, &thread).comments;
        let url = colloquy_url(site, server, &thread, expected);
        colloquy.push(render::measure(
            &browser, COLLOQUY, &url, size, expected, RUNS,
        ));
        if let (Some(isso), true) = (isso, REFERENCE_SIZES.contains(&size)) {
            // Isso draws every comment at once.
            let url = isso_url(site, isso, size);
            reference.push(render::measure(&browser, ISSO, &url, size, size, RUNS));
        }
    }
    let worst = seed::WORST_CASE_BODIES;
    let expected = first_view(server, WORST_THREAD).comments;
    let url = colloquy_url(site, server, WORST_THREAD, expected);
    let worst_case = render::measure(
        &browser,
        "Colloquy, worst case",
        &url,
        worst,
        expected,
        RUNS,
    );
    (colloquy, reference, worst_case)
}

/// First visits on the phone profile, in a browser of their own that keeps the
/// performance log; the profile is taken off again before the browser closes.
fn phone_profile(site: &HostSite, server: &Server, isso: Option<&Isso>) -> Vec<PhoneRow> {
    step(
        7,
        &format!(
            "the phone profile: first visits, throttled, Colloquy and Isso ({RUNS} runs each)"
        ),
    );
    let browser = Browser::start_with_performance_log(&[]);
    let profile = phone::Profile::on(&browser);
    let mut rows = Vec::new();
    for size in REFERENCE_SIZES {
        let thread = format!("bench-{size}");
        let expected = first_view(server, &thread).comments;
        let url = colloquy_url(site, server, &thread, expected);
        rows.push(phone::measure(&browser, COLLOQUY, &url, size, RUNS));
        if let Some(isso) = isso {
            let url = isso_url(site, isso, size);
            rows.push(phone::measure(&browser, ISSO, &url, size, RUNS));
        }
    }
    drop(profile);
    rows
}

/// The 1,000-comment thread's answer against the previous format.
fn wire_bytes(server: &Server) -> WireFigures {
    step(
        8,
        "the 1,000-comment thread on the wire, against the previous format",
    );
    let comments = seed::generate(1_000, seed_of(1_000));
    wire::measure(&server.base, READ_THREAD, &comments)
}

/// Reads and durable writes against the running server, then its peak memory; stops it.
fn load(server: Server, sqlite_bytes_per_10000_comments: u64) -> ServerFigures {
    step(
        9,
        "server: reads of the 1,000- and 10,000-comment threads' first pages, and durable writes",
    );
    let bases = [server.base.clone()];
    let reads = [1, 16].map(|concurrency| read_row(&bases, concurrency));
    let page_reads = [16].map(|concurrency| page_read_row(&bases, concurrency));
    let writes = [1, 8].map(|concurrency| write_row(&bases, concurrency, "sqlite"));
    let peak_rss_mb = server
        .pid()
        .and_then(|pid| system::process_mb(pid, "VmHWM:"));
    server.stop();
    ServerFigures {
        reads_1000_comments: reads.into(),
        reads_first_page_10000_comments: page_reads.into(),
        durable_writes: writes.into(),
        peak_rss_mb,
        sqlite_bytes_per_10000_comments,
    }
}

/// Reads of the 1,000-comment thread (its first page: the server answers a page at a
/// time), worker `w` asking `bases[w % n]`.
fn read_row(bases: &[String], concurrency: usize) -> LoadRow {
    reads_of("reads", bases, concurrency, |base| {
        format!("{base}/api/v1/threads/{READ_THREAD}/comments")
    })
}

/// Reads of the 10,000-comment thread's first page (the default limit), as the widget asks
/// for it, worker `w` asking `bases[w % n]`.
fn page_read_row(bases: &[String], concurrency: usize) -> LoadRow {
    reads_of(
        "reads of the 10,000-comment thread's first page",
        bases,
        concurrency,
        |base| render::first_page_url(base, PAGE_THREAD),
    )
}

/// Reads of the URL `url` makes of each base, worker `w` asking `bases[w % n]`; each
/// answer is read to its end.
fn reads_of(
    what: &str,
    bases: &[String],
    concurrency: usize,
    url: impl Fn(&str) -> String,
) -> LoadRow {
    let urls: Vec<String> = bases.iter().map(|base| url(base)).collect();
    load_row(what, bases.len(), concurrency, move |agent, worker, _| {
        agent
            .get(&urls[worker % urls.len()])
            .call()
            .is_ok_and(|answer| answer.into_string().is_ok())
    })
}

/// Durable writes of new comments to one thread, worker `w` posting to `bases[w % n]`.
fn write_row(bases: &[String], concurrency: usize, engine: &'static str) -> LoadRow {
    let urls: Vec<String> = bases
        .iter()
        .map(|base| format!("{base}/api/v1/threads/bench-writes/comments"))
        .collect();
    load_row(
        "writes",
        bases.len(),
        concurrency,
        move |agent, worker, n| {
            agent
                .post(&urls[worker % urls.len()])
                .send_json(load_comment(engine, concurrency, n))
                .is_ok()
        },
    )
}

/// A new comment for the write load; its body and key are unique in the run.
pub fn load_comment(label: &str, concurrency: usize, n: u64) -> NewComment {
    NewComment {
        name: "Load".into(),
        email: "load@private.example".into(),
        body: format!("Write number {n} at concurrency {concurrency} ({label})."),
        idempotency_key: format!("load-{label}-{concurrency}-{n}"),
        ..NewComment::default()
    }
}

fn load_row(
    what: &str,
    processes: usize,
    concurrency: usize,
    request: impl Fn(&ureq::Agent, usize, u64) -> bool + Send + Sync + 'static,
) -> LoadRow {
    eprintln!("bench:   {what} at concurrency {concurrency} on {processes} process(es) ({RUNS} runs of {LOAD_DURATION:?})");
    load::repeated(RUNS, concurrency, LOAD_DURATION, Arc::new(request))
}

/// 1,000 readers of one thread on one SQLite server (started afresh on the bench's
/// database, so its memory figure above is not changed by them).
fn live_on_sqlite(database: &Path) -> LiveRow {
    step(
        10,
        &format!("live updates on SQLite: {LIVE_SUBSCRIBERS} readers, {LIVE_POSTS} posts"),
    );
    let server = Server::start(database, &["--max-subscribers", cluster::MAX_SUBSCRIBERS]);
    let row = live::measure(&live::Setup {
        engine: report::SQLITE,
        bases: std::slice::from_ref(&server.base),
        thread: LIVE_THREAD,
        subscribers: LIVE_SUBSCRIBERS,
        posts: LIVE_POSTS,
    });
    server.stop();
    row
}

/// Two processes on a fresh PostgreSQL database holding the 1,000-comment thread.
fn postgres_cluster() -> Cluster {
    step(
        11,
        &format!("PostgreSQL: {PG_PROCESSES} processes on one database, reads and durable writes split across them"),
    );
    Cluster::start(
        "bench",
        &[(READ_THREAD, 1_000, seed_of(1_000))],
        PG_PROCESSES,
    )
}

/// The SQLite rows' loads, split across the processes (the smallest split: one worker
/// on each).
fn load_postgres(cluster: &Cluster) -> PostgresFigures {
    let bases = cluster.bases();
    let reads = [PG_PROCESSES, 16].map(|concurrency| read_row(&bases, concurrency));
    let writes = [PG_PROCESSES, 8].map(|concurrency| write_row(&bases, concurrency, "postgres"));
    PostgresFigures {
        processes: PG_PROCESSES,
        reads_1000_comments: reads.into(),
        durable_writes: writes.into(),
        peak_rss_mb: cluster.memory_mb("VmHWM:"),
    }
}

/// 1,000 readers split across the processes, posts through the first; stops the cluster.
fn live_on_postgres(cluster: Cluster) -> LiveRow {
    step(
        12,
        &format!("live updates on PostgreSQL: {LIVE_SUBSCRIBERS} readers across {PG_PROCESSES} processes, {LIVE_POSTS} posts"),
    );
    let row = live::measure(&live::Setup {
        engine: report::POSTGRESQL,
        bases: &cluster.bases(),
        thread: LIVE_THREAD,
        subscribers: LIVE_SUBSCRIBERS,
        posts: LIVE_POSTS,
    });
    cluster.stop();
    row
}

/// Comments in the generated WordPress export the import is timed on.
const IMPORT_COMMENTS: usize = 100_000;

/// Times `colloquy-server import wordpress` on a generated export of
/// [`IMPORT_COMMENTS`] comments into a new SQLite file, and reads its peak memory from the
/// kernel's account of the finished process.
fn import_speed(folder: &Path) -> ImportFigures {
    step(
        STEPS - 1,
        "importing a generated 100,000-comment WordPress export",
    );
    let file = folder.join("generated.xml");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&file).expect("the export"));
    let file_bytes =
        colloquy_server::import::samples::write_generated_wordpress(&mut out, IMPORT_COMMENTS, 7)
            .expect("write the generated export");
    drop(out);
    let started = Instant::now();
    let child = std::process::Command::new(colloquy_e2e::server::server_binary())
        .arg("import")
        .arg("wordpress")
        .arg(&file)
        .arg("--database")
        .arg(folder.join("imported.db"))
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start the import");
    let (succeeded, peak_rss_mb) = system::wait_with_peak_memory(child);
    let seconds = started.elapsed().as_secs_f64();
    assert!(succeeded, "the import of the generated export failed");
    ImportFigures {
        comments: IMPORT_COMMENTS as u64,
        file_bytes,
        seconds,
        comments_per_second: IMPORT_COMMENTS as f64 / seconds,
        peak_rss_mb,
    }
}

/// Now as RFC 3339, UTC.
pub fn now_text() -> String {
    colloquy_core::time::format_rfc3339(colloquy_server::clock::now_ms())
}

fn machine(started: Instant, cores: usize, busy_cores_before: Option<f64>) -> Machine {
    let bench_seconds = started.elapsed().as_secs_f64();
    Machine {
        date: now_text(),
        cores,
        bench_seconds,
        busy_cores_before,
        busy_cores_after: system::busy_cores_now(cores),
    }
}

fn write(report: &Report, out: &Path) {
    step(STEPS, "budgets and the report");
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
