//! A per-client limit on posting, kept in this process's memory: at most `per_minute`
//! comments in any sixty seconds from one address. Reading is never limited. The window
//! slides, so a burst does not buy a second burst at the turn of a clock minute.
//!
//! The SQLite store uses it (one process owns a SQLite file); the PostgreSQL store keeps
//! the same window in the database instead, so several processes share one limit.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;

/// The window, in milliseconds.
pub const WINDOW_MS: i64 = 60_000;
/// Addresses remembered at most; past that, those without a recent post are forgotten.
const MAX_CLIENTS: usize = 100_000;

#[derive(Default)]
pub struct RateLimiter {
    recent: Mutex<HashMap<IpAddr, VecDeque<i64>>>,
}

impl RateLimiter {
    /// Counts a post from `client` at `now_ms`, or says how many seconds until one is
    /// allowed again (at least 1). A `per_minute` of 0 turns the limit off.
    pub fn check(&self, client: IpAddr, now_ms: i64, per_minute: u32) -> Result<(), u64> {
        if per_minute == 0 {
            return Ok(());
        }
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() >= MAX_CLIENTS {
            recent.retain(|_, posts| posts.back().is_some_and(|t| now_ms - t < WINDOW_MS));
        }
        let posts = recent.entry(client).or_default();
        while posts.front().is_some_and(|t| now_ms - t >= WINDOW_MS) {
            posts.pop_front();
        }
        if posts.len() >= per_minute as usize {
            let oldest = posts.front().copied().unwrap_or(now_ms);
            return Err(seconds_until(oldest + WINDOW_MS, now_ms));
        }
        posts.push_back(now_ms);
        Ok(())
    }
}

/// Whole seconds from `now_ms` until `free_at_ms`, rounded up and at least 1: what
/// `Retry-After` says.
pub fn seconds_until(free_at_ms: i64, now_ms: i64) -> u64 {
    let wait_ms = (free_at_ms - now_ms).max(1) as u64;
    wait_ms.div_ceil(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_a_minute_then_wait_for_the_oldest_to_age_out() {
        let limiter = RateLimiter::default();
        let client: IpAddr = [192, 0, 2, 1].into();
        let other: IpAddr = [192, 0, 2, 2].into();
        for second in 0..5 {
            assert_eq!(limiter.check(client, second * 1000, 5), Ok(()));
        }
        assert_eq!(limiter.check(client, 10_000, 5), Err(50));
        assert_eq!(limiter.check(other, 10_000, 5), Ok(()));
        assert_eq!(limiter.check(client, 60_000, 5), Ok(()));
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::default();
        let client: IpAddr = [192, 0, 2, 1].into();
        assert!((0..1000).all(|_| limiter.check(client, 0, 0).is_ok()));
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(seconds_until(1_001, 0), 2);
        assert_eq!(seconds_until(1_000, 0), 1);
        assert_eq!(seconds_until(0, 5), 1);
    }
}
