//! Server throughput and latency, from this process (the load generator) to the server
//! process over loopback, bounded in time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::stats::{quantile, Summary};

/// One request from worker `w` (0..concurrency, so a load can be split across servers);
/// `true` when it succeeded. The number `n` is unique across every run.
pub type Request = Arc<dyn Fn(&ureq::Agent, usize, u64) -> bool + Send + Sync>;

struct LoadResult {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: usize,
    errors: usize,
}

/// One row of the server table: several timed runs of one load at one concurrency,
/// summarised like every other timing; requests and errors are the sums over the runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadRow {
    pub concurrency: usize,
    pub per_second: Summary,
    pub p50_ms: Summary,
    pub p99_ms: Summary,
    pub requests: usize,
    pub errors: usize,
}

/// `runs` runs of `each`, one after the other.
pub fn repeated(runs: usize, concurrency: usize, each: Duration, request: Request) -> LoadRow {
    let sequence = Arc::new(AtomicU64::new(0));
    let results: Vec<LoadResult> = (0..runs)
        .map(|_| run(concurrency, each, request.clone(), sequence.clone()))
        .collect();
    let figure =
        |pick: fn(&LoadResult) -> f64| Summary::of(&results.iter().map(pick).collect::<Vec<f64>>());
    LoadRow {
        concurrency,
        per_second: figure(|r| r.per_second),
        p50_ms: figure(|r| r.p50_ms),
        p99_ms: figure(|r| r.p99_ms),
        requests: results.iter().map(|r| r.requests).sum(),
        errors: results.iter().map(|r| r.errors).sum(),
    }
}

/// `concurrency` workers, each with its own keep-alive connection, send requests for
/// `duration`; every latency is kept.
fn run(
    concurrency: usize,
    duration: Duration,
    request: Request,
    sequence: Arc<AtomicU64>,
) -> LoadResult {
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|worker| {
            let (request, sequence) = (request.clone(), sequence.clone());
            std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new()
                    .timeout(Duration::from_secs(30))
                    .build();
                let mut latencies = Vec::new();
                let mut errors = 0;
                while Instant::now() < deadline {
                    let n = sequence.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    if request(&agent, worker, n) {
                        latencies.push(sent.elapsed().as_secs_f64() * 1000.0);
                    } else {
                        errors += 1;
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for worker in workers {
        let (mut mine, failed) = worker.join().expect("a load worker");
        latencies.append(&mut mine);
        errors += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    LoadResult {
        per_second: latencies.len() as f64 / elapsed,
        p50_ms: quantile(&mut latencies, 0.50),
        p99_ms: quantile(&mut latencies, 0.99),
        requests: latencies.len(),
        errors,
    }
}
