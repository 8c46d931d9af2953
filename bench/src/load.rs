//! Server throughput and latency, from this process (the load generator) to the server
//! process over loopback, bounded in time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::stats::{quantile, round};

pub struct LoadResult {
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: usize,
    pub errors: usize,
}

impl LoadResult {
    pub fn json(&self) -> Value {
        json!({
            "per_second": round(self.per_second), "p50_ms": round(self.p50_ms),
            "p99_ms": round(self.p99_ms), "requests": self.requests, "errors": self.errors,
        })
    }
}

/// `concurrency` workers, each with its own keep-alive connection, send requests for
/// `duration`; every latency is kept.
pub fn run(
    concurrency: usize,
    duration: Duration,
    request: impl Fn(&ureq::Agent, u64) -> bool + Send + Sync + 'static,
) -> LoadResult {
    let request = Arc::new(request);
    let sequence = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
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
                    if request(&agent, n) {
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
