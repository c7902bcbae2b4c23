//! A per-source request rate limit: one token bucket per source IP address
//! (sans-IO: refilled on `now`), in a bounded table.
//!
//! ```text
//!  request from IP ─▶ bucket(IP): refill rate*elapsed (up to burst)
//!                      ├─ a token left: take it, admit
//!                      └─ empty: refuse; answer 503 + Retry-After at most once
//!                         per second per source, drop the rest silently
//! ```
//!
//! A flooding source only empties its own bucket: other sources keep their
//! tokens. When the table is full a new source takes the place of the
//! bucket with the most tokens (the least limited source), so spoofed
//! addresses cannot push the limit out of memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Limits of a [`RateLimiter`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Sustained requests per second per source address.
    pub per_second: u32,
    /// Requests a source may send at once (bucket size).
    pub burst: u32,
    /// Source addresses tracked at most.
    pub max_sources: usize,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            per_second: 100,
            burst: 200,
            max_sources: 4096,
        }
    }
}

/// What to do with one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Admit,
    /// Over the limit: answer 503 with `Retry-After` (seconds).
    Refuse {
        retry_after: u32,
    },
    /// Over the limit and already told this second: drop silently.
    Drop,
}

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
    last_refusal: Option<Instant>,
}

/// Token buckets keyed by source IP.
#[derive(Debug)]
pub struct RateLimiter {
    config: RateLimitConfig,
    buckets: HashMap<IpAddr, Bucket>,
}

impl RateLimiter {
    pub fn new(config: RateLimitConfig) -> Self {
        Self {
            config,
            buckets: HashMap::new(),
        }
    }

    /// Charge one request from `source` at `now`.
    pub fn check(&mut self, now: Instant, source: IpAddr) -> Verdict {
        let burst = f64::from(self.config.burst.max(1));
        let rate = f64::from(self.config.per_second);
        if !self.buckets.contains_key(&source) && self.buckets.len() >= self.config.max_sources {
            self.evict(now);
        }
        let bucket = self.buckets.entry(source).or_insert(Bucket {
            tokens: burst,
            refilled: now,
            last_refusal: None,
        });
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Verdict::Admit;
        }
        let told = bucket
            .last_refusal
            .is_some_and(|t| now.saturating_duration_since(t) < Duration::from_secs(1));
        if told {
            return Verdict::Drop;
        }
        bucket.last_refusal = Some(now);
        // Time to earn a whole burst back, in whole seconds (at least 1).
        let retry_after = if rate > 0.0 {
            (burst / rate).ceil().clamp(1.0, 3600.0) as u32
        } else {
            3600
        };
        Verdict::Refuse { retry_after }
    }

    /// Sources tracked now.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    /// Drop the bucket with the most tokens at `now`.
    fn evict(&mut self, now: Instant) {
        let rate = f64::from(self.config.per_second);
        let fullest = self
            .buckets
            .iter()
            .map(|(ip, b)| {
                let elapsed = now.saturating_duration_since(b.refilled).as_secs_f64();
                (*ip, b.tokens + elapsed * rate)
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(ip, _)| ip);
        if let Some(ip) = fullest {
            self.buckets.remove(&ip);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    fn config() -> RateLimitConfig {
        RateLimitConfig {
            per_second: 10,
            burst: 20,
            max_sources: 3,
        }
    }

    #[test]
    fn a_flood_is_refused_once_then_dropped_while_others_pass() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(config());
        for _ in 0..20 {
            assert_eq!(r.check(t0, ip(1)), Verdict::Admit);
        }
        assert_eq!(r.check(t0, ip(1)), Verdict::Refuse { retry_after: 2 });
        assert_eq!(r.check(t0, ip(1)), Verdict::Drop);
        // Another source is untouched.
        assert_eq!(r.check(t0, ip(2)), Verdict::Admit);
        // 100 ms later one token is back.
        let t1 = t0 + Duration::from_millis(100);
        assert_eq!(r.check(t1, ip(1)), Verdict::Admit);
        assert_eq!(r.check(t1, ip(1)), Verdict::Drop);
        // A second after the refusal it is told again.
        let t2 = t0 + Duration::from_millis(1000);
        for _ in 0..9 {
            assert_eq!(r.check(t2, ip(1)), Verdict::Admit);
        }
        assert_eq!(r.check(t2, ip(1)), Verdict::Refuse { retry_after: 2 });
    }

    #[test]
    fn sustained_rate_at_the_limit_passes() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(config());
        for i in 0..1000u64 {
            let now = t0 + Duration::from_millis(100 * i);
            assert_eq!(r.check(now, ip(1)), Verdict::Admit, "request {i}");
        }
    }

    #[test]
    fn the_table_is_bounded_and_keeps_the_flooder() {
        let t0 = Instant::now();
        let mut r = RateLimiter::new(config());
        for _ in 0..25 {
            r.check(t0, ip(1));
        }
        for last in 2..50 {
            r.check(t0, ip(last));
        }
        assert_eq!(r.len(), 3);
        // The flooder had the fewest tokens and was never evicted.
        assert_eq!(r.check(t0, ip(1)), Verdict::Drop);
    }
}
