//! A per-client limit on posting: at most `per_minute` comments in any sixty seconds from
//! one address. Reading is never limited. The window slides, so a burst does not buy a
//! second burst at the turn of a clock minute.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past that, those without a recent post are forgotten.
const MAX_CLIENTS: usize = 100_000;

pub struct RateLimiter {
    /// 0 turns the limit off.
    per_minute: u32,
    recent: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            recent: Mutex::default(),
        }
    }

    /// Counts a post from `client` at `now`, or says how long until one is allowed again.
    pub fn check(&self, client: IpAddr, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if recent.len() >= MAX_CLIENTS {
            recent.retain(|_, posts| {
                posts
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        let posts = recent.entry(client).or_default();
        while posts
            .front()
            .is_some_and(|t| now.duration_since(*t) >= WINDOW)
        {
            posts.pop_front();
        }
        if posts.len() >= self.per_minute as usize {
            let oldest = posts.front().copied().unwrap_or(now);
            return Err(WINDOW.saturating_sub(now.duration_since(oldest)));
        }
        posts.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_a_minute_then_wait_for_the_oldest_to_age_out() {
        let limiter = RateLimiter::new(5);
        let client: IpAddr = [192, 0, 2, 1].into();
        let other: IpAddr = [192, 0, 2, 2].into();
        let start = Instant::now();
        for second in 0..5 {
            assert_eq!(
                limiter.check(client, start + Duration::from_secs(second)),
                Ok(())
            );
        }
        let refused = limiter.check(client, start + Duration::from_secs(10));
        assert_eq!(refused, Err(Duration::from_secs(50)));
        assert_eq!(
            limiter.check(other, start + Duration::from_secs(10)),
            Ok(())
        );
        assert_eq!(
            limiter.check(client, start + Duration::from_secs(60)),
            Ok(())
        );
    }

    #[test]
    fn zero_means_no_limit() {
        let limiter = RateLimiter::new(0);
        let client: IpAddr = [192, 0, 2, 1].into();
        let now = Instant::now();
        assert!((0..1000).all(|_| limiter.check(client, now).is_ok()));
    }
}
