//! `colloquy-bench soak --minutes N` (run by `cargo xtask soak`): two server processes on
//! one fresh PostgreSQL database under mixed load for N minutes, near the peak the bench
//! measured: paced reads of the 1,000-comment thread, paced durable writes spread over a
//! few threads, and readers following those threads' event streams, each leaving after a
//! while and coming back with `after` set to the last event it saw. Every 30 seconds it
//! records errors, read and write latency and each process's memory; at the end it judges
//! the run (no errors, memory flat after warm-up, p99 steady) and writes `bench/SOAK.md`
//! and `bench/soak.json`. Every loop stops at the run's deadline; only loopback is used.

use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::cluster::Cluster;
use crate::report::Machine;
use crate::seed::Random;
use crate::soak_report::{cell, verdicts, Achieved, SoakInterval, SoakReport};
use crate::sse::EventStream;
use crate::stats::rounded;
use crate::{load, system};

/// One row of the table every this long.
const INTERVAL: Duration = Duration::from_secs(30);
const PROCESSES: usize = 2;
/// The load is this share of the peak: of the capacity, [`READ_SHARE`] goes to reads at the
/// peak read rate and the rest to writes at the peak write rate.
const SHARE_OF_PEAK: f64 = 0.8;
const READ_SHARE: f64 = 0.75;
/// The concurrency the peaks were measured at, split evenly across the processes.
const READ_WORKERS: usize = 16;
const WRITE_WORKERS: usize = 8;
/// Readers following event streams (split across the processes), the threads written to
/// (each followed by FOLLOWERS / LIVE_THREADS of them), and how long a reader stays.
const FOLLOWERS: usize = 200;
const LIVE_THREADS: usize = 20;
pub(crate) const STAY_SECONDS: (u64, u64) = (20, 60);
const OPEN_LIMIT: Duration = Duration::from_secs(10);
const FOLLOWER_GRACE: Duration = Duration::from_secs(5);
/// Without a bench report, the peak is measured with one run this long per load.
const PEAK_RUN: Duration = Duration::from_secs(5);
/// Stream errors printed as they happen (all are counted).
const PRINTED_ERRORS: u64 = 5;

/// `--minutes N`, N at least 1.
pub fn parse_args(args: &[String]) -> Result<u64, String> {
    match args {
        [flag, minutes] if flag == "--minutes" => minutes
            .parse::<u64>()
            .ok()
            .filter(|&minutes| minutes >= 1)
            .ok_or_else(|| format!("--minutes takes a whole number, at least 1, not {minutes:?}")),
        _ => Err("soak takes --minutes N".into()),
    }
}

/// The rates the soak's load is derived from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Peak {
    #[serde(serialize_with = "rounded")]
    pub reads_per_second: f64,
    #[serde(serialize_with = "rounded")]
    pub writes_per_second: f64,
    pub source: String,
}

/// Reads and writes per second from a bench report's PostgreSQL rows at the soak's own
/// concurrency ([`READ_WORKERS`], [`WRITE_WORKERS`]; the median of each row's runs);
/// `None` if it has no such rows.
pub fn peak_from_report(json: &str) -> Option<(f64, f64)> {
    let report: serde_json::Value = serde_json::from_str(json).ok()?;
    let rate = |rows: &serde_json::Value, concurrency: usize| {
        rows.as_array()?
            .iter()
            .find(|row| row["concurrency"].as_u64() == Some(concurrency as u64))?["per_second"]
            ["median"]
            .as_f64()
            .filter(|&rate| rate > 0.0)
    };
    let postgres = &report["postgres"];
    Some((
        rate(&postgres["reads_1000_comments"], READ_WORKERS)?,
        rate(&postgres["durable_writes"], WRITE_WORKERS)?,
    ))
}

/// What the soak does.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    pub minutes: u64,
    pub interval_seconds: u64,
    pub processes: usize,
    pub peak: Peak,
    pub share_of_peak: f64,
    pub read_share: f64,
    #[serde(serialize_with = "rounded")]
    pub reads_per_second: f64,
    #[serde(serialize_with = "rounded")]
    pub writes_per_second: f64,
    pub read_workers: usize,
    pub write_workers: usize,
    pub followers: usize,
    pub live_threads: usize,
}

impl Plan {
    pub fn new(minutes: u64, peak: Peak) -> Plan {
        Plan {
            minutes,
            interval_seconds: INTERVAL.as_secs(),
            processes: PROCESSES,
            reads_per_second: SHARE_OF_PEAK * READ_SHARE * peak.reads_per_second,
            writes_per_second: SHARE_OF_PEAK * (1.0 - READ_SHARE) * peak.writes_per_second,
            peak,
            share_of_peak: SHARE_OF_PEAK,
            read_share: READ_SHARE,
            read_workers: READ_WORKERS,
            write_workers: WRITE_WORKERS,
            followers: FOLLOWERS,
            live_threads: LIVE_THREADS,
        }
    }

    fn intervals(&self) -> u64 {
        (self.minutes * 60 / self.interval_seconds).max(1)
    }
}

/// What the load saw in one interval.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub(crate) reads_ms: Vec<f64>,
    pub(crate) read_errors: u64,
    pub(crate) writes_ms: Vec<f64>,
    pub(crate) write_errors: u64,
}

/// What every worker and reader adds to; the coordinator empties it each interval.
#[derive(Default)]
struct Shared {
    tally: Mutex<Tally>,
    stream_errors: AtomicU64,
    /// Events whose id was not above the reader's last one (a repeat or a bad id).
    repeated: AtomicU64,
    events: AtomicU64,
    /// Streams open now (a gauge, never emptied) and opened this interval.
    open: AtomicI64,
    opened: AtomicU64,
}

impl Shared {
    fn record(&self, read: bool, ok: bool, took: Duration) {
        let mut tally = self.tally.lock().unwrap_or_else(|p| p.into_inner());
        let ms = took.as_secs_f64() * 1000.0;
        match (read, ok) {
            (true, true) => tally.reads_ms.push(ms),
            (true, false) => tally.read_errors += 1,
            (false, true) => tally.writes_ms.push(ms),
            (false, false) => tally.write_errors += 1,
        }
    }

    fn stream_error(&self, error: &str) {
        if self.stream_errors.fetch_add(1, Ordering::Relaxed) < PRINTED_ERRORS {
            eprintln!("soak:   a stream failed: {error}");
        }
    }

    /// The interval that ended `end_seconds` into the run, with the streams open and the
    /// memory read at that moment.
    fn take(&self, end_seconds: f64, open: i64, rss_mb: Vec<Option<f64>>) -> SoakInterval {
        let tally = std::mem::take(&mut *self.tally.lock().unwrap_or_else(|p| p.into_inner()));
        SoakInterval::new(
            end_seconds,
            INTERVAL.as_secs_f64(),
            tally,
            Streams {
                errors: self.stream_errors.swap(0, Ordering::Relaxed),
                repeated: self.repeated.swap(0, Ordering::Relaxed),
                events: self.events.swap(0, Ordering::Relaxed),
                open,
                opened: self.opened.swap(0, Ordering::Relaxed),
            },
            rss_mb,
        )
    }
}

pub(crate) struct Streams {
    pub(crate) errors: u64,
    pub(crate) repeated: u64,
    pub(crate) events: u64,
    pub(crate) open: i64,
    pub(crate) opened: u64,
}

/// The next time to send after sending now: one period later, or, once more than a period
/// behind (a stall), now, so the rhythm resumes instead of catching up in a burst.
pub fn next_send(scheduled: Instant, period: Duration, now: Instant) -> Instant {
    let next = scheduled + period;
    if next + period < now {
        now
    } else {
        next
    }
}

/// Calls `send` every `period` from `first` until `deadline`.
fn paced(first: Instant, deadline: Instant, period: Duration, mut send: impl FnMut()) {
    let mut next = first;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return;
        }
        if next > now {
            std::thread::sleep((next - now).min(deadline - now));
            continue;
        }
        send();
        next = next_send(next, period, Instant::now());
    }
}

fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build()
}

fn read_url(base: &str) -> String {
    format!("{base}/api/v1/threads/{}/comments", crate::READ_THREAD)
}

fn write_url(base: &str, n: u64) -> String {
    format!(
        "{base}/api/v1/threads/soak-live-{}/comments",
        n % LIVE_THREADS as u64
    )
}

pub fn run(minutes: u64) {
    let started = Instant::now();
    let out = std::env::var_os("COLLOQUY_BENCH_OUT")
        .map(PathBuf::from)
        .expect("COLLOQUY_BENCH_OUT is not set: run this through `cargo xtask soak`");
    let open_files = system::raise_open_file_limit();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let busy_cores_before = system::busy_cores_now(cores);
    eprintln!(
        "soak: {PROCESSES} processes on a fresh PostgreSQL database (open-file limit {open_files})"
    );
    let cluster = Cluster::start(
        "soak",
        &[(crate::READ_THREAD, 1_000, crate::seed_of(1_000))],
        PROCESSES,
    );
    let report_json = std::fs::read_to_string(out.join("report.json")).unwrap_or_default();
    let peak = match peak_from_report(&report_json) {
        Some((reads, writes)) => Peak {
            reads_per_second: reads,
            writes_per_second: writes,
            source: format!("the PostgreSQL rows of `bench/report.json` at concurrency {READ_WORKERS} (reads) and {WRITE_WORKERS} (writes)"),
        },
        None => measure_peak(&cluster),
    };
    let plan = Plan::new(minutes, peak);
    eprintln!(
        "soak: {} minutes at {:.0} reads/s and {:.0} writes/s with {} readers following",
        plan.minutes, plan.reads_per_second, plan.writes_per_second, plan.followers
    );
    let intervals = drive(&cluster, &plan);
    cluster.stop();
    let achieved = Achieved::of(&plan, &intervals);
    let report = SoakReport {
        achieved,
        machine: Machine {
            date: crate::now_text(),
            cores,
            bench_seconds: started.elapsed().as_secs_f64(),
            busy_cores_before,
            busy_cores_after: system::busy_cores_now(cores),
        },
        plan,
        verdicts: verdicts(&intervals),
        intervals,
    };
    std::fs::create_dir_all(&out).expect("the bench folder");
    let json = serde_json::to_string_pretty(&report).expect("the soak as JSON") + "\n";
    std::fs::write(out.join("soak.json"), json).expect("write soak.json");
    std::fs::write(out.join("SOAK.md"), report.markdown()).expect("write SOAK.md");
    for v in &report.verdicts {
        let mark = if v.met { "met" } else { "MISSED" };
        eprintln!("soak: {:<28} {:<60} {mark}", v.name, v.result);
    }
    eprintln!("soak: wrote {}", out.join("SOAK.md").display());
}

/// One run of each load at the bench's concurrency, when no bench report says the peak.
fn measure_peak(cluster: &Cluster) -> Peak {
    eprintln!(
        "soak: no PostgreSQL rows in bench/report.json: measuring the peak ({PEAK_RUN:?} each)"
    );
    let reads: Vec<String> = cluster.bases().iter().map(|b| read_url(b)).collect();
    let read = load::repeated(
        1,
        READ_WORKERS,
        PEAK_RUN,
        Arc::new(move |agent: &ureq::Agent, worker, _| {
            agent
                .get(&reads[worker % reads.len()])
                .call()
                .is_ok_and(|answer| answer.into_string().is_ok())
        }),
    );
    let bases = cluster.bases();
    let write = load::repeated(
        1,
        WRITE_WORKERS,
        PEAK_RUN,
        Arc::new(move |agent: &ureq::Agent, worker, n| {
            agent
                .post(&write_url(&bases[worker % bases.len()], n))
                .send_json(crate::load_comment("soak-peak", WRITE_WORKERS, n))
                .is_ok()
        }),
    );
    Peak {
        reads_per_second: read.per_second.median,
        writes_per_second: write.per_second.median,
        source: format!(
            "a run of {} s per load at concurrency {READ_WORKERS} and {WRITE_WORKERS} just before (no PostgreSQL rows in `bench/report.json`)",
            PEAK_RUN.as_secs()
        ),
    }
}

/// Runs the plan's load until its end and returns a row per interval.
fn drive(cluster: &Cluster, plan: &Plan) -> Vec<SoakInterval> {
    let shared = Arc::new(Shared::default());
    let bases = cluster.bases();
    let start = Instant::now();
    let deadline = start + Duration::from_secs(plan.intervals() * plan.interval_seconds);
    let mut workers = Vec::new();
    let sequence = Arc::new(AtomicU64::new(0));
    for (read, count, rate) in [
        (true, plan.read_workers, plan.reads_per_second),
        (false, plan.write_workers, plan.writes_per_second),
    ] {
        let period = Duration::from_secs_f64(count as f64 / rate.max(0.001));
        for worker in 0..count {
            let base = bases[worker % bases.len()].clone();
            let (shared, sequence) = (shared.clone(), sequence.clone());
            let first = start + period.mul_f64(worker as f64 / count as f64);
            workers.push(std::thread::spawn(move || {
                let agent = agent();
                let url = read_url(&base);
                paced(first, deadline, period, || {
                    let sent = Instant::now();
                    let ok = if read {
                        agent
                            .get(&url)
                            .call()
                            .is_ok_and(|answer| answer.into_string().is_ok())
                    } else {
                        let n = sequence.fetch_add(1, Ordering::Relaxed);
                        agent
                            .post(&write_url(&base, n))
                            .send_json(crate::load_comment("soak", count, n))
                            .is_ok()
                    };
                    shared.record(read, ok, sent.elapsed());
                });
            }));
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    // Readers would leave at the load's deadline, the very moment the last interval counts
    // the streams open; they stay a little longer, and the runtime's shutdown ends them.
    let readers_leave = deadline + FOLLOWER_GRACE;
    for reader in 0..plan.followers {
        runtime.spawn(follow(
            bases[reader % bases.len()].clone(),
            format!("soak-live-{}", reader % plan.live_threads),
            readers_leave,
            shared.clone(),
            1 + reader as u64,
        ));
    }
    let mut intervals = Vec::new();
    let count = plan.intervals();
    for k in 1..=count {
        let end = start + Duration::from_secs(k * plan.interval_seconds);
        std::thread::sleep(end.saturating_duration_since(Instant::now()));
        let end_seconds = start.elapsed().as_secs_f64();
        let open = shared.open.load(Ordering::Relaxed);
        let rss_mb = cluster.memory_mb("VmRSS:");
        if k == count {
            // What was in flight at the deadline belongs to the last interval.
            for worker in workers.drain(..) {
                worker.join().expect("a load worker");
            }
        }
        let interval = shared.take(end_seconds, open, rss_mb);
        let rss: Vec<String> = interval
            .rss_mb
            .iter()
            .map(|mb| mb.map_or("—".into(), cell))
            .collect();
        eprintln!(
            "soak: {:>5.0} s  reads {:>5.0}/s p50 {:>6} p99 {:>6}  writes {:>4.0}/s p50 {:>6} p99 {:>6}  errors {}  streams {}  events {}  RSS {} MB",
            interval.end_seconds,
            interval.reads_per_second,
            cell(interval.read_p50_ms),
            cell(interval.read_p99_ms),
            interval.writes_per_second,
            cell(interval.write_p50_ms),
            cell(interval.write_p99_ms),
            interval.errors(),
            interval.streams_open,
            interval.events,
            rss.join(" / ")
        );
        intervals.push(interval);
    }
    runtime.shutdown_timeout(Duration::from_secs(5));
    intervals
}

/// One reader: follows `thread` for a while, leaves, comes back after the last event it
/// saw, until `deadline`.
async fn follow(base: String, thread: String, deadline: Instant, shared: Arc<Shared>, seed: u64) {
    use tokio::time::{sleep_until, timeout_at, Instant as At};
    let deadline = At::from_std(deadline);
    let mut random = Random::new(seed);
    let mut last: Option<i64> = None;
    while At::now() < deadline {
        let stay = STAY_SECONDS.0 + random.below(STAY_SECONDS.1 - STAY_SECONDS.0 + 1);
        let until = (At::now() + Duration::from_secs(stay)).min(deadline);
        let path = match last {
            Some(id) => format!("/api/v1/threads/{thread}/events?after={id}"),
            None => format!("/api/v1/threads/{thread}/events"),
        };
        let mut stream =
            match timeout_at(deadline, EventStream::open(&base, &path, OPEN_LIMIT)).await {
                Err(_) => return,
                Ok(Ok(stream)) => stream,
                Ok(Err(error)) => {
                    shared.stream_error(&error);
                    sleep_until((At::now() + Duration::from_secs(1)).min(deadline)).await;
                    continue;
                }
            };
        shared.open.fetch_add(1, Ordering::Relaxed);
        shared.opened.fetch_add(1, Ordering::Relaxed);
        loop {
            match timeout_at(until, stream.next()).await {
                Err(_) => break,
                Ok(Err(error)) => {
                    shared.stream_error(&error);
                    break;
                }
                Ok(Ok(events)) => {
                    for event in events {
                        let id = event.id.and_then(|id| id.parse::<i64>().ok());
                        match id {
                            Some(id) if last.is_none_or(|last| id > last) => {
                                last = Some(id);
                                shared.events.fetch_add(1, Ordering::Relaxed);
                            }
                            _ => {
                                shared.repeated.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    }
                }
            }
        }
        shared.open.fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soak_report::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn minutes_are_a_whole_number_of_at_least_one() {
        assert_eq!(parse_args(&strings(&["--minutes", "10"])), Ok(10));
        assert!(parse_args(&strings(&["--minutes", "0"])).is_err());
        assert!(parse_args(&strings(&["--minutes", "ten"])).is_err());
        assert!(parse_args(&strings(&["--minutes"])).is_err());
        assert!(parse_args(&strings(&[])).is_err());
    }

    #[test]
    fn the_peak_is_the_postgresql_rows_at_the_soaks_concurrency() {
        let json = r#"{"server": {"reads_1000_comments": [{"concurrency": 16, "per_second": {"median": 9999.0}}]},
            "postgres": {"reads_1000_comments": [{"concurrency": 2, "per_second": {"median": 6200.0}}, {"concurrency": 16, "per_second": {"median": 3200.0}}],
                         "durable_writes": [{"concurrency": 2, "per_second": {"median": 1000.0}}, {"concurrency": 8, "per_second": {"median": 700.0}}]}}"#;
        assert_eq!(peak_from_report(json), Some((3200.0, 700.0)));
        let no_figure = json.replace("700.0", "null");
        assert_eq!(peak_from_report(&no_figure), None);
        assert_eq!(
            peak_from_report(r#"{"server": {}}"#),
            None,
            "a report from before PostgreSQL"
        );
        assert_eq!(
            peak_from_report(r#"{"postgres": {"reads_1000_comments": [], "durable_writes": []}}"#),
            None
        );
        assert_eq!(peak_from_report("not json"), None);
    }

    fn peak() -> Peak {
        Peak {
            reads_per_second: 3000.0,
            writes_per_second: 800.0,
            source: "a test".into(),
        }
    }

    #[test]
    fn the_plan_spends_four_fifths_of_the_capacity() {
        let plan = Plan::new(10, peak());
        assert_eq!(plan.reads_per_second, 0.8 * 0.75 * 3000.0);
        assert_eq!(plan.writes_per_second, 0.8 * 0.25 * 800.0);
        let used = plan.reads_per_second / 3000.0 + plan.writes_per_second / 800.0;
        assert!((used - 0.8).abs() < 1e-9, "{used} of the capacity");
        assert_eq!(plan.intervals(), 20);
        assert_eq!(Plan::new(1, peak()).intervals(), 2);
    }

    #[test]
    fn pacing_keeps_its_rhythm_and_resumes_after_a_stall() {
        let t0 = Instant::now();
        let period = Duration::from_millis(10);
        assert_eq!(
            next_send(t0, period, t0 + Duration::from_millis(3)),
            t0 + period
        );
        // A little late: the next one comes sooner, keeping the rate.
        assert_eq!(
            next_send(t0, period, t0 + Duration::from_millis(15)),
            t0 + period
        );
        // Far behind: no burst to catch up.
        let late = t0 + Duration::from_millis(100);
        assert_eq!(next_send(t0, period, late), late);
    }

    fn interval(read_p99: f64, write_p99: f64, rss: &[Option<f64>]) -> SoakInterval {
        SoakInterval {
            end_seconds: 30.0,
            reads: 100,
            read_errors: 0,
            reads_per_second: 3.3,
            read_p50_ms: 1.0,
            read_p99_ms: read_p99,
            writes: 10,
            write_errors: 0,
            writes_per_second: 0.3,
            write_p50_ms: 2.0,
            write_p99_ms: write_p99,
            stream_errors: 0,
            repeated_events: 0,
            events: 40,
            streams_open: 200,
            streams_opened: 12,
            rss_mb: rss.to_vec(),
        }
    }

    #[test]
    fn achieved_rates_are_counted_over_the_whole_run() {
        let plan = Plan::new(1, peak());
        let mut run = vec![interval(5.0, 20.0, &[]), interval(5.0, 20.0, &[])];
        run[0].reads = 60_000;
        run[1].reads = 48_000;
        run[0].writes = 4_800;
        run[1].writes = 4_800;
        let achieved = Achieved::of(&plan, &run);
        assert_eq!(achieved.reads_per_second, 1800.0);
        assert_eq!(achieved.writes_per_second, 160.0);
        assert!((achieved.share_of_peak - 0.8).abs() < 1e-9);
    }

    #[test]
    fn memory_is_judged_after_warm_up() {
        let flat = [20.0, 30.0, 38.0, 39.0, 40.0, 41.0, 40.0, 42.0, 41.0];
        assert_eq!(memory_after_warm_up(&flat), Some((38.0, 42.0)));
        let growing = [20.0, 30.0, 38.0, 40.0, 44.0, 48.0, 52.0, 56.0, 60.0];
        assert_eq!(memory_after_warm_up(&growing), Some((38.0, 60.0)));
        assert_eq!(memory_after_warm_up(&[1.0, 2.0]), None);
    }

    #[test]
    fn p99_spread_counts_an_empty_interval_as_infinitely_slow() {
        assert_eq!(p99_spread(&[5.0, 6.0, 40.0, 4.0, 5.5]), (5.5, 40.0));
        assert_eq!(p99_spread(&[5.0, f64::NAN, 6.0]).1, f64::INFINITY);
    }

    fn names_met(verdicts: &[Verdict]) -> Vec<(&str, bool)> {
        verdicts.iter().map(|v| (v.name.as_str(), v.met)).collect()
    }

    #[test]
    fn a_steady_run_meets_every_verdict() {
        let run: Vec<SoakInterval> = (0..9)
            .map(|k| {
                interval(
                    5.0 + k as f64 % 2.0,
                    20.0,
                    &[Some(40.0), Some(35.0 + k as f64 * 0.1)],
                )
            })
            .collect();
        assert_eq!(
            names_met(&verdicts(&run)),
            [
                ("no errors", true),
                ("memory flat, process 1", true),
                ("memory flat, process 2", true),
                ("p99 steady, reads", true),
                ("p99 steady, writes", true),
            ]
        );
    }

    #[test]
    fn errors_growth_and_spikes_are_each_caught() {
        let mut run: Vec<SoakInterval> = (0..9)
            .map(|k| interval(5.0, 20.0, &[Some(40.0), Some(30.0 + 5.0 * k as f64)]))
            .collect();
        run[4].repeated_events = 1;
        run[7].write_p99_ms = 61.0;
        let verdicts = verdicts(&run);
        assert_eq!(
            names_met(&verdicts),
            [
                ("no errors", false),
                ("memory flat, process 1", true),
                ("memory flat, process 2", false),
                ("p99 steady, reads", true),
                ("p99 steady, writes", false),
            ]
        );
        assert_eq!(
            verdicts[0].result,
            "1 (0 reads, 0 writes, 0 streams, 1 repeated events)"
        );
        assert_eq!(verdicts[2].result, "70.0 MB against 40.0 MB (1.75×)");
        assert_eq!(verdicts[4].result, "worst 61.0 ms, median 20.0 ms");
        let unmeasured = [
            interval(5.0, 20.0, &[None]),
            interval(5.0, 20.0, &[None]),
            interval(5.0, 20.0, &[None]),
        ];
        assert!(!verdicts_named(&unmeasured, "memory flat, process 1").met);
        assert!(
            !verdicts_named(&[], "no errors").met,
            "a run without intervals proves nothing"
        );
    }

    fn verdicts_named(intervals: &[SoakInterval], name: &str) -> Verdict {
        verdicts(intervals)
            .into_iter()
            .find(|v| v.name == name)
            .expect("the verdict")
    }

    #[test]
    fn the_markdown_has_the_plan_the_verdicts_and_a_row_per_interval() {
        let mut intervals: Vec<SoakInterval> = (0..3)
            .map(|_| interval(5.0, 20.0, &[Some(40.0), Some(41.25)]))
            .collect();
        for (k, i) in intervals.iter_mut().enumerate() {
            i.end_seconds = 30.0 * (k + 1) as f64;
        }
        intervals[2].rss_mb[1] = None;
        intervals[1].read_p99_ms = f64::NAN;
        let plan = Plan::new(1, peak());
        let report = SoakReport {
            achieved: Achieved::of(&plan, &intervals),
            machine: Machine {
                date: "2026-11-26T03:00:00Z".into(),
                cores: 2,
                bench_seconds: 95.2,
                busy_cores_before: Some(1.4),
                busy_cores_after: Some(0.2),
            },
            plan,
            verdicts: verdicts(&intervals),
            intervals,
        };
        let md = report.markdown();
        assert!(md.starts_with("# Colloquy soak report\n"));
        assert!(md.contains("`cargo xtask soak --minutes 1` on 2026-11-26T03:00:00Z with 2 cores (1.4 of them busy with other work just before the bench, 0.2 just after: the machine was shared"));
        assert!(md.contains("reads of the 1,000-comment thread at 1800 a second (16 workers) and durable writes at 160 a second (8 workers), spread over 20 threads"));
        assert!(md.contains("for 1 minute: reads"));
        assert!(md.contains("Achieved over the run: 3 reads and 0 writes a second (0 % and 0 % of the plan), 0 % of the peak"));
        assert!(md.contains("The rates are 80 % of the peak — 3000 reads and 800 writes a second, from a test — with 75 % of that capacity"));
        assert!(md.contains("| no errors | every read, write and event stream succeeds, and no reader gets an event twice | 0 (0 reads, 0 writes, 0 streams, 0 repeated events) | met |"));
        assert!(md.contains("| p99 steady, reads | no interval's p99 above 3 × the median interval's | an interval without a successful request; median 5.0 ms | **missed** |"));
        assert!(md.contains("| t (s) | reads/s | p50 ms | p99 ms | writes/s | p50 ms | p99 ms | errors | streams open (opened) | events | RSS 1 MB | RSS 2 MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"));
        assert!(md.contains(
            "| 30 | 3 | 1.0 | 5.0 | 0 | 2.0 | 20.0 | 0 | 200 (12) | 40 | 40.0 | 41.2 |\n"
        ));
        assert!(md.contains("| 60 | 3 | 1.0 | — | 0 |"));
        assert!(
            md.contains("| 90 | 3 | 1.0 | 5.0 | 0 | 2.0 | 20.0 | 0 | 200 (12) | 40 | 40.0 | — |\n")
        );
        let json = serde_json::to_string(&report).expect("json");
        assert!(json.contains(r#""rss_mb":[40.0,null]"#), "{json}");
        assert!(json.contains(r#""read_p99_ms":null"#), "{json}");
        assert!(
            json.contains(
                r#""peak":{"reads_per_second":3000.0,"writes_per_second":800.0,"source":"a test"}"#
            ),
            "{json}"
        );
    }
}
