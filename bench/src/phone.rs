//! The phone profile: the same host pages as the rendering rows, opened as a reader on a
//! slow phone would open them for the first time. Through ChromeDriver's DevTools endpoint
//! the browser is given 150 ms of latency, 1.6 Mbit/s down and 750 kbit/s up
//! (`Network.emulateNetworkConditions`), a processor four times slower
//! (`Emulation.setCPUThrottlingRate`), and no cache (`Network.setCacheDisabled`, and the
//! cache cleared before every run). Each run gives the time from navigation start to the
//! first comment in the DOM, and the bytes the browser received before it: the encoded
//! length (compressed body and headers) of every response that had finished loading by
//! then, the host page included, from Chromium's performance log
//! (`Network.loadingFinished.encodedDataLength`). Resource Timing cannot give that
//! figure: its `transferSize` is 0 across origins without `Timing-Allow-Origin`.

use std::collections::HashSet;
use std::time::Duration;

use colloquy_e2e::webdriver::Browser;
use serde::Serialize;
use serde_json::{json, Value};

use crate::render;
use crate::stats::Summary;

/// 150 ms round trip, 1.6 Mbit/s down, 750 kbit/s up (in bytes a second).
pub const LATENCY_MS: f64 = 150.0;
pub const DOWNLOAD_BYTES_PER_SECOND: f64 = 200_000.0;
pub const UPLOAD_BYTES_PER_SECOND: f64 = 93_750.0;
pub const CPU_SLOWDOWN: f64 = 4.0;

/// One product and thread size on the phone profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhoneRow {
    pub product: String,
    pub comments: usize,
    pub first_comment_ms: Summary,
    /// When the last of the responses finished before the first comment finished, from
    /// navigation start: what came after it was the page's own work (on the throttled
    /// processor), what came before, the network's.
    pub last_response_ms: Summary,
    /// Encoded bytes received before the first comment was in the DOM.
    pub bytes_before_first_comment: Summary,
    /// Responses finished by then.
    pub responses_before_first_comment: Summary,
}

/// What one run found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhoneSample {
    pub first_ms: f64,
    /// From navigation start, as `first_ms`.
    pub last_response_ms: f64,
    pub received: Received,
}

impl PhoneRow {
    pub fn from_samples(product: &str, comments: usize, samples: &[PhoneSample]) -> PhoneRow {
        let summary = |figure: fn(&PhoneSample) -> f64| {
            Summary::of(&samples.iter().map(figure).collect::<Vec<f64>>())
        };
        PhoneRow {
            product: product.to_owned(),
            comments,
            first_comment_ms: summary(|s| s.first_ms),
            last_response_ms: summary(|s| s.last_response_ms),
            bytes_before_first_comment: summary(|s| s.received.bytes as f64),
            responses_before_first_comment: summary(|s| s.received.responses as f64),
        }
    }
}

/// One network event of the performance log that the byte count needs.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkEvent {
    /// `Network.requestWillBeSent`: the monotonic `timestamp` and the `wallTime` (seconds)
    /// of the same moment.
    Sent {
        request: String,
        timestamp_s: f64,
        wall_s: Option<f64>,
    },
    /// `Network.loadingFinished`.
    Finished {
        request: String,
        timestamp_s: f64,
        encoded_bytes: f64,
    },
}

/// The events of the log that the count uses, in order; the others are left out.
pub fn network_events(log: &[Value]) -> Vec<NetworkEvent> {
    log.iter()
        .filter_map(|event| {
            let params = &event["params"];
            let request = params["requestId"].as_str()?.to_owned();
            let timestamp_s = params["timestamp"].as_f64()?;
            match event["method"].as_str()? {
                "Network.requestWillBeSent" => Some(NetworkEvent::Sent {
                    request,
                    timestamp_s,
                    wall_s: params["wallTime"].as_f64(),
                }),
                "Network.loadingFinished" => Some(NetworkEvent::Finished {
                    request,
                    timestamp_s,
                    encoded_bytes: params["encodedDataLength"].as_f64()?,
                }),
                _ => None,
            }
        })
        .collect()
}

/// What had arrived by a moment: bytes and responses.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Received {
    pub bytes: u64,
    pub responses: usize,
    /// When the last of them finished, in epoch milliseconds (0 with none).
    pub last_finished_epoch_ms: f64,
}

/// The encoded bytes of every response of a request sent in `events` that finished at or
/// before `cutoff_epoch_ms` (the page's `timeOrigin` plus its first-comment time).
/// DevTools stamps events with a monotonic clock; a request's `wallTime` beside its
/// `timestamp` says how that clock maps to the epoch. Returns `None` when no request
/// carried a `wallTime` (nothing to map with).
pub fn received_before(events: &[NetworkEvent], cutoff_epoch_ms: f64) -> Option<Received> {
    let mut sent = HashSet::new();
    let mut offset_ms = None;
    for event in events {
        if let NetworkEvent::Sent {
            request,
            timestamp_s,
            wall_s,
        } = event
        {
            sent.insert(request.as_str());
            if let (None, Some(wall_s)) = (offset_ms, wall_s) {
                offset_ms = Some(wall_s * 1000.0 - timestamp_s * 1000.0);
            }
        }
    }
    let offset_ms = offset_ms?;
    let mut received = Received::default();
    for event in events {
        if let NetworkEvent::Finished {
            request,
            timestamp_s,
            encoded_bytes,
        } = event
        {
            let finished_epoch_ms = timestamp_s * 1000.0 + offset_ms;
            if sent.contains(request.as_str()) && finished_epoch_ms <= cutoff_epoch_ms {
                received.bytes += *encoded_bytes as u64;
                received.responses += 1;
                received.last_finished_epoch_ms =
                    received.last_finished_epoch_ms.max(finished_epoch_ms);
            }
        }
    }
    Some(received)
}

/// Puts the browser on the phone profile; [`Profile::drop`] takes it off again (also on a
/// panic), so rows measured later in the same browser are not slowed.
pub struct Profile<'a> {
    browser: &'a Browser,
}

impl<'a> Profile<'a> {
    pub fn on(browser: &'a Browser) -> Profile<'a> {
        browser.cdp("Network.enable", json!({}));
        browser.cdp("Network.setCacheDisabled", json!({ "cacheDisabled": true }));
        browser.cdp(
            "Network.emulateNetworkConditions",
            json!({
                "offline": false,
                "latency": LATENCY_MS,
                "downloadThroughput": DOWNLOAD_BYTES_PER_SECOND,
                "uploadThroughput": UPLOAD_BYTES_PER_SECOND,
            }),
        );
        browser.cdp(
            "Emulation.setCPUThrottlingRate",
            json!({ "rate": CPU_SLOWDOWN }),
        );
        Profile { browser }
    }
}

impl Drop for Profile<'_> {
    fn drop(&mut self) {
        let browser = self.browser;
        // Off again: no latency, no limits (-1), full speed, the cache back.
        let reset = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            browser.cdp(
                "Network.emulateNetworkConditions",
                json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
            );
            browser.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": 1 }));
            browser.cdp(
                "Network.setCacheDisabled",
                json!({ "cacheDisabled": false }),
            );
        }));
        if reset.is_err() {
            eprintln!("bench:   could not take the browser off the phone profile");
        }
    }
}

/// Opens the page at `url` `runs` times as a first visit on the phone profile (which the
/// caller has put `browser` on) and summarises the first comment's time and the bytes
/// before it. The browser must keep a performance log
/// ([`Browser::start_with_performance_log`]).
pub fn measure(
    browser: &Browser,
    product: &str,
    url: &str,
    comments: usize,
    runs: usize,
) -> PhoneRow {
    let mut samples = Vec::with_capacity(runs);
    for run in 0..runs {
        eprintln!(
            "bench:   phone profile, {product}, {comments} comments, run {}/{runs}",
            run + 1
        );
        // A blank page first, so the last page's connections are closed, then the log is
        // emptied: what it holds next is this visit's.
        browser.goto("about:blank");
        browser.cdp("Network.clearBrowserCache", json!({}));
        browser.performance_log();
        browser.goto(url);
        browser.wait_for(
            &format!("the first of {comments} comments on the phone profile ({product})"),
            "window.benchFirst !== undefined",
            Duration::from_secs(300),
        );
        let sample = render::collect(browser);
        let log = browser.performance_log();
        let (Some(first_ms), Some(origin_ms)) = (sample.first_ms, sample.time_origin_ms) else {
            eprintln!("bench:   the page gave no first-comment time; run left out");
            continue;
        };
        match received_before(&network_events(&log), origin_ms + first_ms) {
            Some(received) => samples.push(PhoneSample {
                first_ms,
                last_response_ms: received.last_finished_epoch_ms - origin_ms,
                received,
            }),
            None => eprintln!("bench:   the performance log had no requests; run left out"),
        }
    }
    PhoneRow::from_samples(product, comments, &samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(id: &str, timestamp: f64, wall: f64) -> Value {
        json!({"method": "Network.requestWillBeSent",
               "params": {"requestId": id, "timestamp": timestamp, "wallTime": wall}})
    }

    fn finished(id: &str, timestamp: f64, bytes: f64) -> Value {
        json!({"method": "Network.loadingFinished",
               "params": {"requestId": id, "timestamp": timestamp, "encodedDataLength": bytes}})
    }

    #[test]
    fn the_bytes_before_the_first_comment_are_those_of_responses_finished_by_then() {
        // Monotonic 100 s is the epoch's 1,800,000,000 s.
        let log = vec![
            sent("page", 100.0, 1_800_000_000.0),
            json!({"method": "Network.responseReceived", "params": {"requestId": "page", "timestamp": 100.2}}),
            finished("page", 100.3, 1_000.0),
            sent("script", 100.35, 1_800_000_000.35),
            finished("script", 100.9, 20_000.0),
            sent("thread", 101.0, 1_800_000_001.0),
            finished("thread", 101.5, 5_000.0),
            // The last page's stream closing: never sent in this visit.
            finished("old-stream", 100.1, 300.0),
            // After the first comment.
            sent("avatar", 101.6, 1_800_000_001.6),
            finished("avatar", 102.5, 700.0),
        ];
        let events = network_events(&log);
        assert_eq!(events.len(), 9, "responseReceived is not needed");
        let first_comment = 1_800_000_002_000.0; // 102.0 s monotonic
        assert_eq!(
            received_before(&events, first_comment),
            Some(Received {
                bytes: 26_000,
                responses: 3,
                last_finished_epoch_ms: 1_800_000_001_500.0
            })
        );
        assert_eq!(
            received_before(&events, 1_800_000_000_300.0),
            Some(Received {
                bytes: 1_000,
                responses: 1,
                last_finished_epoch_ms: 1_800_000_000_300.0
            }),
            "a response finishing at the very moment counts"
        );
        assert_eq!(
            received_before(&network_events(&[finished("x", 1.0, 5.0)]), 1e12),
            None
        );
    }

    #[test]
    fn a_row_summarises_time_bytes_and_responses() {
        let sample = |ms: f64, bytes: u64| PhoneSample {
            first_ms: ms,
            last_response_ms: ms - 300.0,
            received: Received {
                bytes,
                responses: 4,
                last_finished_epoch_ms: 0.0,
            },
        };
        let row = PhoneRow::from_samples(
            "Isso",
            100,
            &[sample(900.0, 10), sample(1000.0, 30), sample(1100.0, 20)],
        );
        assert_eq!(row.product, "Isso");
        assert_eq!(row.first_comment_ms.median, 1000.0);
        assert_eq!(row.last_response_ms.median, 700.0);
        assert_eq!(row.bytes_before_first_comment.median, 20.0);
        assert_eq!(row.responses_before_first_comment.max, 4.0);
    }
}
