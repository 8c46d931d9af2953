//! The soak's judgement and its report: a row per interval, the verdicts (no errors,
//! memory flat after warm-up, p99 steady), and `bench/SOAK.md` and `bench/soak.json`
//! written from one typed [`SoakReport`]. `soak.rs` drives the load and fills them in.

use std::fmt::Write as _;

use serde::Serialize;

use crate::report::{busy_text, Machine};
use crate::soak::{Plan, Streams, Tally, STAY_SECONDS};
use crate::stats::{quantile, rounded, rounded_options};

pub const P99_SPREAD_LIMIT: f64 = 3.0;

/// The verdicts' limits.
pub const MEMORY_GROWTH_LIMIT: f64 = 1.2;

/// One row of the table over time.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SoakInterval {
    /// Seconds since the load began, at the interval's end.
    #[serde(serialize_with = "rounded")]
    pub end_seconds: f64,
    pub reads: usize,
    pub read_errors: u64,
    #[serde(serialize_with = "rounded")]
    pub reads_per_second: f64,
    #[serde(serialize_with = "rounded")]
    pub read_p50_ms: f64,
    #[serde(serialize_with = "rounded")]
    pub read_p99_ms: f64,
    pub writes: usize,
    pub write_errors: u64,
    #[serde(serialize_with = "rounded")]
    pub writes_per_second: f64,
    #[serde(serialize_with = "rounded")]
    pub write_p50_ms: f64,
    #[serde(serialize_with = "rounded")]
    pub write_p99_ms: f64,
    pub stream_errors: u64,
    pub repeated_events: u64,
    pub events: u64,
    pub streams_open: i64,
    pub streams_opened: u64,
    /// Each process's resident memory (VmRSS) at the interval's end.
    #[serde(serialize_with = "rounded_options")]
    pub rss_mb: Vec<Option<f64>>,
}

impl SoakInterval {
    pub(crate) fn new(
        end_seconds: f64,
        seconds: f64,
        mut tally: Tally,
        streams: Streams,
        rss_mb: Vec<Option<f64>>,
    ) -> SoakInterval {
        SoakInterval {
            end_seconds,
            reads: tally.reads_ms.len(),
            read_errors: tally.read_errors,
            reads_per_second: tally.reads_ms.len() as f64 / seconds,
            read_p50_ms: quantile(&mut tally.reads_ms, 0.50),
            read_p99_ms: quantile(&mut tally.reads_ms, 0.99),
            writes: tally.writes_ms.len(),
            write_errors: tally.write_errors,
            writes_per_second: tally.writes_ms.len() as f64 / seconds,
            write_p50_ms: quantile(&mut tally.writes_ms, 0.50),
            write_p99_ms: quantile(&mut tally.writes_ms, 0.99),
            stream_errors: streams.errors,
            repeated_events: streams.repeated,
            events: streams.events,
            streams_open: streams.open,
            streams_opened: streams.opened,
            rss_mb,
        }
    }

    pub(crate) fn errors(&self) -> u64 {
        self.read_errors + self.write_errors + self.stream_errors + self.repeated_events
    }
}

/// One judgement of the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    pub name: String,
    pub rule: String,
    pub result: String,
    pub met: bool,
}

/// The highest memory of the last third of the intervals against the memory at the end of
/// the first third (the warm-up): `(at warm-up's end, last third's highest)`; `None` with
/// fewer than three readings.
pub fn memory_after_warm_up(rss_mb: &[f64]) -> Option<(f64, f64)> {
    let third = rss_mb.len() / 3;
    if third == 0 {
        return None;
    }
    let warm = rss_mb[third - 1];
    let last = rss_mb[rss_mb.len() - third..]
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    Some((warm, last))
}

/// The median interval's p99 and the worst interval's; an interval without a figure (no
/// request succeeded in it) counts as infinitely slow.
pub fn p99_spread(p99_ms: &[f64]) -> (f64, f64) {
    let mut known: Vec<f64> = p99_ms.iter().copied().filter(|v| v.is_finite()).collect();
    let median = quantile(&mut known, 0.5);
    let worst = if known.len() < p99_ms.len() {
        f64::INFINITY
    } else {
        known.iter().copied().fold(f64::NAN, f64::max)
    };
    (median, worst)
}

pub fn verdicts(intervals: &[SoakInterval]) -> Vec<Verdict> {
    let sum = |pick: fn(&SoakInterval) -> u64| intervals.iter().map(pick).sum::<u64>();
    let errors = sum(SoakInterval::errors);
    let mut verdicts = vec![Verdict {
        name: "no errors".into(),
        rule: "every read, write and event stream succeeds, and no reader gets an event twice"
            .into(),
        result: format!(
            "{errors} ({} reads, {} writes, {} streams, {} repeated events)",
            sum(|i| i.read_errors),
            sum(|i| i.write_errors),
            sum(|i| i.stream_errors),
            sum(|i| i.repeated_events)
        ),
        met: errors == 0 && !intervals.is_empty(),
    }];
    let processes = intervals.first().map_or(0, |i| i.rss_mb.len());
    for process in 0..processes {
        let readings: Option<Vec<f64>> = intervals.iter().map(|i| i.rss_mb[process]).collect();
        let judged = readings.as_deref().and_then(memory_after_warm_up);
        let (result, met) = match judged {
            Some((warm, last)) => (
                format!("{last:.1} MB against {warm:.1} MB ({:.2}×)", last / warm),
                last <= MEMORY_GROWTH_LIMIT * warm,
            ),
            None => ("not measured (too short, or no /proc)".to_owned(), false),
        };
        verdicts.push(Verdict {
            name: format!("memory flat, process {}", process + 1),
            rule: format!("after warm-up (the first third of the run), the last third's highest RSS ≤ {MEMORY_GROWTH_LIMIT} × the RSS at the end of the first third"),
            result,
            met,
        });
    }
    for (what, pick) in [
        (
            "reads",
            (|i: &SoakInterval| i.read_p99_ms) as fn(&SoakInterval) -> f64,
        ),
        ("writes", |i: &SoakInterval| i.write_p99_ms),
    ] {
        let series: Vec<f64> = intervals.iter().map(pick).collect();
        let (median, worst) = p99_spread(&series);
        verdicts.push(Verdict {
            name: format!("p99 steady, {what}"),
            rule: format!("no interval's p99 above {P99_SPREAD_LIMIT} × the median interval's"),
            result: if worst.is_finite() {
                format!("worst {worst:.1} ms, median {median:.1} ms")
            } else {
                format!("an interval without a successful request; median {median:.1} ms")
            },
            met: worst <= P99_SPREAD_LIMIT * median,
        });
    }
    verdicts
}

/// What the run achieved against its plan, over all its intervals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Achieved {
    #[serde(serialize_with = "rounded")]
    pub reads_per_second: f64,
    #[serde(serialize_with = "rounded")]
    pub writes_per_second: f64,
    /// The peak capacity the achieved rates used, by the plan's own measure: reads over the
    /// peak read rate plus writes over the peak write rate (the plan aims at
    /// `share_of_peak`).
    #[serde(serialize_with = "rounded")]
    pub share_of_peak: f64,
}

impl Achieved {
    pub fn of(plan: &Plan, intervals: &[SoakInterval]) -> Achieved {
        let seconds = intervals.len() as f64 * plan.interval_seconds as f64;
        let count = |pick: fn(&SoakInterval) -> usize| {
            intervals.iter().map(pick).sum::<usize>() as f64 / seconds
        };
        let reads_per_second = count(|i| i.reads);
        let writes_per_second = count(|i| i.writes);
        Achieved {
            reads_per_second,
            writes_per_second,
            share_of_peak: reads_per_second / plan.peak.reads_per_second
                + writes_per_second / plan.peak.writes_per_second,
        }
    }
}

/// Everything `SOAK.md` and `soak.json` say.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SoakReport {
    pub machine: Machine,
    pub plan: Plan,
    pub achieved: Achieved,
    pub verdicts: Vec<Verdict>,
    pub intervals: Vec<SoakInterval>,
}

pub fn cell(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.1}")
    } else {
        "—".to_owned()
    }
}

impl SoakReport {
    pub fn markdown(&self) -> String {
        let (m, p) = (&self.machine, &self.plan);
        let mut md = String::new();
        let _ = writeln!(md, "# Colloquy soak report\n");
        let _ = writeln!(
            md,
            "Measured by `cargo xtask soak --minutes {}` on {} with {} cores{}, in {:.0} s. `soak.json` holds the same figures.\n",
            p.minutes,
            m.date,
            m.cores,
            busy_text(m.busy_cores_before, m.busy_cores_after),
            m.bench_seconds
        );
        let _ = writeln!(
            md,
            "{} server processes on one fresh PostgreSQL database (the 1,000-comment thread seeded through the server's store), for {} minute{}: reads of the 1,000-comment thread at {:.0} a second ({} workers) and durable writes at {:.0} a second ({} workers), spread over {} threads, each load's workers split evenly across the processes and paced to their rate; meanwhile {} readers (half on each process) follow those threads' event streams, each for {}–{} s before it leaves and comes back with `after` set to the last event it saw. The rates are {:.0} % of the peak — {:.0} reads and {:.0} writes a second, from {} — with {:.0} % of that capacity given to reads and the rest to writes.\n",
            p.processes,
            p.minutes,
            if p.minutes == 1 { "" } else { "s" },
            p.reads_per_second,
            p.read_workers,
            p.writes_per_second,
            p.write_workers,
            p.live_threads,
            p.followers,
            STAY_SECONDS.0,
            STAY_SECONDS.1,
            p.share_of_peak * 100.0,
            p.peak.reads_per_second,
            p.peak.writes_per_second,
            p.peak.source,
            p.read_share * 100.0
        );
        let a = &self.achieved;
        let _ = writeln!(
            md,
            "Achieved over the run: {:.0} reads and {:.0} writes a second ({:.0} % and {:.0} % of the plan), {:.0} % of the peak by the same measure; the event streams, the load generator and PostgreSQL share the same cores.\n",
            a.reads_per_second,
            a.writes_per_second,
            a.reads_per_second / p.reads_per_second * 100.0,
            a.writes_per_second / p.writes_per_second * 100.0,
            a.share_of_peak * 100.0
        );
        let _ = writeln!(
            md,
            "## Verdicts\n\n| verdict | rule | result | |\n|---|---|---|---|"
        );
        for v in &self.verdicts {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} |",
                v.name,
                v.rule,
                v.result,
                if v.met { "met" } else { "**missed**" }
            );
        }
        let processes = self.intervals.first().map_or(0, |i| i.rss_mb.len());
        let rss_heads: String = (1..=processes).map(|n| format!(" RSS {n} MB |")).collect();
        let rss_rule: String = (0..processes).map(|_| "---:|").collect();
        let _ = writeln!(
            md,
            "\n## Every {} seconds\n\nLatency is of the requests that completed in the interval; errors count failed requests, failed or broken streams and repeated events; RSS is each process's VmRSS at the interval's end.\n\n| t (s) | reads/s | p50 ms | p99 ms | writes/s | p50 ms | p99 ms | errors | streams open (opened) | events |{rss_heads}\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|{rss_rule}",
            p.interval_seconds
        );
        for i in &self.intervals {
            let rss: String = i
                .rss_mb
                .iter()
                .map(|mb| format!(" {} |", mb.map_or("—".to_owned(), cell)))
                .collect();
            let _ = writeln!(
                md,
                "| {:.0} | {:.0} | {} | {} | {:.0} | {} | {} | {} | {} ({}) | {} |{rss}",
                i.end_seconds,
                i.reads_per_second,
                cell(i.read_p50_ms),
                cell(i.read_p99_ms),
                i.writes_per_second,
                cell(i.write_p50_ms),
                cell(i.write_p99_ms),
                i.errors(),
                i.streams_open,
                i.streams_opened,
                i.events
            );
        }
        md
    }
}
