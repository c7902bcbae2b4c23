//! Server nonces with expiry and nonce-count replay protection
//! (RFC 7616 §3.3 `stale`, §3.4 `nc`, §5.5 replay attacks).
//!
//! Nonces are 128 random bits (from the cryptographic generator the runtime
//! keys from the OS) and kept in a bounded table: a nonce we never issued, one older than
//! the lifetime, or one whose `nc` does not increase is refused, and the
//! client is re-challenged with `stale=true`. When the table is full the
//! oldest nonce is forgotten (its client simply gets a fresh challenge).
//!
//! ```text
//!  issue(now) ──▶ Live { issued, last_nc: 0 } ──check(nc > last_nc, age < lifetime)──▶ Accepted
//!                    └─ nc <= last_nc ─▶ Replayed        └─ age >= lifetime ─▶ Expired
//! ```

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::endpoint::IdGenerator;

/// What [`NonceTable::check`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NonceCheck {
    /// Issued by us, within its lifetime, nonce-count higher than any seen.
    Accepted,
    /// Never issued by us, or already forgotten.
    Unknown,
    /// Older than the lifetime.
    Expired,
    /// The nonce-count was used before (or is not higher): a replay.
    Replayed,
}

#[derive(Clone, Copy, Debug)]
struct Live {
    issued: Instant,
    /// Highest nonce-count accepted so far (0: none).
    last_nc: u32,
}

/// The nonces we handed out.
#[derive(Debug)]
pub struct NonceTable {
    lifetime: Duration,
    capacity: usize,
    live: HashMap<String, Live>,
    /// Issue order, for eviction when full.
    order: VecDeque<String>,
    ids: IdGenerator,
}

impl NonceTable {
    /// A fixed `seed` makes nonces reproducible in tests; the runtime uses
    /// [`crate::Seed::from_os`].
    pub fn new(lifetime: Duration, capacity: usize, seed: impl Into<crate::Seed>) -> Self {
        Self {
            lifetime,
            capacity: capacity.max(1),
            live: HashMap::new(),
            order: VecDeque::new(),
            ids: IdGenerator::new(seed.into().derive(0x6e6f_6e63_655f_7365)),
        }
    }

    /// A fresh nonce, valid from `now` for the lifetime.
    pub fn issue(&mut self, now: Instant) -> String {
        self.purge(now);
        // `order` also holds forgotten nonces: bounding it bounds both.
        while self.order.len() >= self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.live.remove(&old);
                }
                None => break,
            }
        }
        let nonce = self.ids.token128();
        self.live.insert(
            nonce.clone(),
            Live {
                issued: now,
                last_nc: 0,
            },
        );
        self.order.push_back(nonce.clone());
        nonce
    }

    /// Check `nonce` used with nonce-count `nc` (`None`: no qop, the nonce
    /// may then be used once) and record the use when accepted.
    pub fn check(&mut self, now: Instant, nonce: &str, nc: Option<u32>) -> NonceCheck {
        let Some(live) = self.live.get_mut(nonce) else {
            return NonceCheck::Unknown;
        };
        if now.saturating_duration_since(live.issued) >= self.lifetime {
            return NonceCheck::Expired;
        }
        let nc = nc.unwrap_or(1);
        if nc == 0 || nc <= live.last_nc {
            return NonceCheck::Replayed;
        }
        live.last_nc = nc;
        NonceCheck::Accepted
    }

    /// Forget `nonce` (a wrong password was sent with it: the next guess
    /// needs a fresh challenge). Its place in the issue order goes at the
    /// next purge.
    pub fn forget(&mut self, nonce: &str) {
        self.live.remove(nonce);
    }

    /// Nonces currently remembered.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Forget expired nonces (they are in issue order).
    fn purge(&mut self, now: Instant) {
        while let Some(first) = self.order.front() {
            let expired = self
                .live
                .get(first)
                .is_none_or(|l| now.saturating_duration_since(l.issued) >= self.lifetime);
            if !expired {
                break;
            }
            if let Some(old) = self.order.pop_front() {
                self.live.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_count_must_increase() {
        let now = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(300), 8, 1);
        let n = t.issue(now);
        assert_eq!(n.len(), 32);
        assert_eq!(t.check(now, &n, Some(1)), NonceCheck::Accepted);
        assert_eq!(t.check(now, &n, Some(1)), NonceCheck::Replayed);
        assert_eq!(t.check(now, &n, Some(3)), NonceCheck::Accepted);
        assert_eq!(t.check(now, &n, Some(2)), NonceCheck::Replayed);
        assert_eq!(t.check(now, "feedface", Some(1)), NonceCheck::Unknown);
    }

    #[test]
    fn without_qop_a_nonce_is_single_use() {
        let now = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(300), 8, 1);
        let n = t.issue(now);
        assert_eq!(t.check(now, &n, None), NonceCheck::Accepted);
        assert_eq!(t.check(now, &n, None), NonceCheck::Replayed);
    }

    #[test]
    fn nonces_expire_on_the_virtual_clock() {
        let start = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(300), 8, 1);
        let n = t.issue(start);
        let later = start + Duration::from_secs(300);
        assert_eq!(t.check(later, &n, Some(1)), NonceCheck::Expired);
        // Issuing purges it.
        let _ = t.issue(later);
        assert_eq!(t.check(later, &n, Some(1)), NonceCheck::Unknown);
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn the_table_is_bounded() {
        let now = Instant::now();
        let mut t = NonceTable::new(Duration::from_secs(300), 4, 1);
        let first = t.issue(now);
        for _ in 0..10 {
            t.issue(now);
        }
        assert_eq!(t.len(), 4);
        assert_eq!(t.check(now, &first, Some(1)), NonceCheck::Unknown);
    }
}
