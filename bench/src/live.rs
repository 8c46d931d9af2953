//! Live updates under a crowd: many readers follow one thread's event stream (split over
//! the given server processes), one comment is posted, and each reader's delay is the time
//! from sending the post until its stream delivered that comment's event. Repeated for a
//! few posts; every wait is bounded.

use std::collections::HashMap;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use colloquy_core::model::{CommentEvent, NewComment};
use serde::Serialize;

use crate::sse::EventStream;
use crate::stats::{quantile, Summary};

/// How long a reader may take to connect, and all of them together.
const CONNECT_LIMIT: Duration = Duration::from_secs(30);
const ALL_CONNECTED_LIMIT: Duration = Duration::from_secs(120);
/// How long after a post its event may take to reach everyone before the rest count as
/// never delivered.
const DELIVERY_LIMIT: Duration = Duration::from_secs(10);
/// Streams being opened at once (the rest wait their turn), so the listen queue never
/// overflows.
const OPENING_AT_ONCE: usize = 64;

/// One post's deliveries.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PostDelivery {
    /// Readers whose stream delivered the post's event within the limit.
    pub received: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

/// The delays (ms) of the readers that got the event; the quantiles are over those.
pub fn delivery(delays_ms: &mut [f64]) -> PostDelivery {
    PostDelivery {
        received: delays_ms.len(),
        p50_ms: quantile(delays_ms, 0.50),
        p99_ms: quantile(delays_ms, 0.99),
    }
}

/// One row of the live-update table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LiveRow {
    pub engine: String,
    /// Server processes the readers were split across (posts go through the first).
    pub processes: usize,
    pub subscribers: usize,
    /// Streams that opened (the server answered `200`).
    pub connected: usize,
    pub posts: usize,
    /// Deliveries over every post, and what every reader getting every post would make.
    pub received: usize,
    pub expected: usize,
    /// Events a reader got more than once (0 unless the server repeats itself).
    pub repeated: usize,
    /// The per-post p50 and p99 of the delays, summarised over the posts.
    pub p50_ms: Summary,
    pub p99_ms: Summary,
}

impl LiveRow {
    pub fn from_posts(
        engine: &str,
        processes: usize,
        subscribers: usize,
        connected: usize,
        repeated: usize,
        posts: &[PostDelivery],
    ) -> LiveRow {
        let figure = |pick: fn(&PostDelivery) -> f64| {
            Summary::of(&posts.iter().map(pick).collect::<Vec<f64>>())
        };
        LiveRow {
            engine: engine.to_owned(),
            processes,
            subscribers,
            connected,
            posts: posts.len(),
            received: posts.iter().map(|p| p.received).sum(),
            expected: subscribers * posts.len(),
            repeated,
            p50_ms: figure(|p| p.p50_ms),
            p99_ms: figure(|p| p.p99_ms),
        }
    }

    /// The figure its budget judges: the median post's p99, and only if every reader got
    /// every post exactly once (otherwise NaN, which misses).
    pub fn budget_p99_ms(&self) -> f64 {
        let whole = self.posts > 0 && self.received == self.expected && self.repeated == 0;
        if whole {
            self.p99_ms.median
        } else {
            f64::NAN
        }
    }
}

/// What to measure: `subscribers` readers of `thread`, reader `i` on `bases[i % n]`, and
/// `posts` comments posted through `bases[0]`.
pub struct Setup<'a> {
    pub engine: &'a str,
    pub bases: &'a [String],
    pub thread: &'a str,
    pub subscribers: usize,
    pub posts: usize,
}

/// (reader, comment id, when its event arrived)
type Arrival = (usize, i64, Instant);

pub fn measure(setup: &Setup) -> LiveRow {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let (arrived, arrivals) = mpsc::channel::<Arrival>();
    let (opened, openings) = mpsc::channel::<Result<(), String>>();
    let gate = Arc::new(tokio::sync::Semaphore::new(OPENING_AT_ONCE));
    let path = format!("/api/v1/threads/{}/events", setup.thread);
    for reader in 0..setup.subscribers {
        let base = setup.bases[reader % setup.bases.len()].clone();
        let (path, gate, arrived, opened) =
            (path.clone(), gate.clone(), arrived.clone(), opened.clone());
        runtime.spawn(async move {
            let permit = gate.acquire_owned().await;
            let stream = EventStream::open(&base, &path, CONNECT_LIMIT).await;
            drop(permit);
            let mut stream = match stream {
                Ok(stream) => stream,
                Err(error) => {
                    opened.send(Err(error)).ok();
                    return;
                }
            };
            opened.send(Ok(())).ok();
            while let Ok(events) = stream.next().await {
                let at = Instant::now();
                for event in events {
                    if let Ok(event) = serde_json::from_str::<CommentEvent>(&event.data) {
                        arrived.send((reader, event.comment.id, at)).ok();
                    }
                }
            }
        });
    }
    drop(arrived);
    let connected = wait_for_openings(&openings, setup.subscribers);
    eprintln!(
        "bench:   {connected} of {} streams open on {} process(es)",
        setup.subscribers,
        setup.bases.len()
    );
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(30))
        .build();
    let post_url = format!(
        "{}/api/v1/threads/{}/comments",
        setup.bases[0], setup.thread
    );
    let mut seen: HashMap<i64, HashMap<usize, Instant>> = HashMap::new();
    let mut repeated = 0;
    let mut posts = Vec::with_capacity(setup.posts);
    for number in 0..setup.posts {
        let sent = Instant::now();
        let Some(id) = post(&agent, &post_url, setup.engine, number) else {
            posts.push(delivery(&mut []));
            continue;
        };
        let deadline = sent + DELIVERY_LIMIT;
        while seen.get(&id).map_or(0, HashMap::len) < connected {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok((reader, comment, at)) = arrivals.recv_timeout(left) else {
                break;
            };
            if seen
                .entry(comment)
                .or_default()
                .insert(reader, at)
                .is_some()
            {
                repeated += 1;
            }
        }
        let mut delays: Vec<f64> = seen
            .get(&id)
            .map(|readers| {
                readers
                    .values()
                    .map(|at| at.duration_since(sent).as_secs_f64() * 1000.0)
                    .collect()
            })
            .unwrap_or_default();
        let figures = delivery(&mut delays);
        eprintln!(
            "bench:   post {}/{}: {} received, p50 {:.1} ms, p99 {:.1} ms",
            number + 1,
            setup.posts,
            figures.received,
            figures.p50_ms,
            figures.p99_ms
        );
        posts.push(figures);
    }
    runtime.shutdown_timeout(Duration::from_secs(5));
    LiveRow::from_posts(
        setup.engine,
        setup.bases.len(),
        setup.subscribers,
        connected,
        repeated,
        &posts,
    )
}

/// Counts the streams that opened, waiting at most [`ALL_CONNECTED_LIMIT`] in all; the
/// first refusal is printed.
fn wait_for_openings(openings: &mpsc::Receiver<Result<(), String>>, expected: usize) -> usize {
    let deadline = Instant::now() + ALL_CONNECTED_LIMIT;
    let (mut connected, mut refused) = (0, 0);
    while connected + refused < expected {
        let left = deadline.saturating_duration_since(Instant::now());
        match openings.recv_timeout(left) {
            Ok(Ok(())) => connected += 1,
            Ok(Err(error)) => {
                if refused == 0 {
                    eprintln!("bench:   a stream did not open: {error}");
                }
                refused += 1;
            }
            Err(_) => break,
        }
    }
    connected
}

/// Posts one comment and returns its id.
fn post(agent: &ureq::Agent, url: &str, engine: &str, number: usize) -> Option<i64> {
    let comment = NewComment {
        name: "Live".into(),
        email: "live@private.example".into(),
        body: format!("Live update number {number} on {engine}."),
        idempotency_key: format!("live-{engine}-{number}"),
        ..NewComment::default()
    };
    let answer: serde_json::Value = agent.post(url).send_json(comment).ok()?.into_json().ok()?;
    answer["comment"]["id"].as_i64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_is_judged_on_the_readers_that_got_it() {
        let mut delays: Vec<f64> = (1..=1000).rev().map(f64::from).collect();
        let post = delivery(&mut delays);
        assert_eq!(
            (post.received, post.p50_ms, post.p99_ms),
            (1000, 500.0, 990.0)
        );
        let none = delivery(&mut []);
        assert_eq!(none.received, 0);
        assert!(none.p50_ms.is_nan() && none.p99_ms.is_nan());
    }

    fn post(received: usize, p99_ms: f64) -> PostDelivery {
        PostDelivery {
            received,
            p50_ms: p99_ms / 4.0,
            p99_ms,
        }
    }

    #[test]
    fn a_row_sums_deliveries_and_summarises_posts() {
        let row = LiveRow::from_posts(
            "PostgreSQL",
            2,
            1000,
            1000,
            0,
            &[post(1000, 40.0), post(1000, 80.0), post(1000, 60.0)],
        );
        assert_eq!((row.received, row.expected, row.posts), (3000, 3000, 3));
        assert_eq!((row.p99_ms.median, row.p99_ms.max), (60.0, 80.0));
        assert_eq!(row.p50_ms.median, 15.0);
        assert_eq!(row.budget_p99_ms(), 60.0);
    }

    #[test]
    fn a_missed_or_repeated_delivery_leaves_no_figure_for_the_budget() {
        let short = LiveRow::from_posts("SQLite", 1, 1000, 1000, 0, &[post(999, 5.0)]);
        assert!(short.budget_p99_ms().is_nan());
        let twice = LiveRow::from_posts("SQLite", 1, 1000, 1000, 1, &[post(1000, 5.0)]);
        assert!(twice.budget_p99_ms().is_nan());
        let failed_post = LiveRow::from_posts("SQLite", 1, 10, 10, 0, &[delivery(&mut [])]);
        assert_eq!((failed_post.received, failed_post.expected), (0, 10));
        assert!(failed_post.budget_p99_ms().is_nan());
        assert!(LiveRow::from_posts("SQLite", 1, 10, 10, 0, &[])
            .budget_p99_ms()
            .is_nan());
    }
}
