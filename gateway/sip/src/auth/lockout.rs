//! Online password guessing brake: failed Digest checks counted per account
//! and per source prefix (IPv4 /24, IPv6 /64), each with a growing back-off.
//!
//! ```text
//!  failure(account, source) ─▶ count(account) += 1, count(prefix) += 1
//!     count > free_failures ─▶ blocked for base · 2^(count − free − 1), at most max
//!  attempt while blocked ───▶ refused unchecked (not a guess, not counted)
//!  success ─────────────────▶ the account's count is cleared (the prefix's is not)
//!  no failure for forget_after ─▶ the entry is forgotten
//! ```
//!
//! Counting per prefix and per account means neither many source addresses
//! (an IPv6 /64 holds 2^64 of them) nor many accounts from one address buy
//! more guesses. The table is bounded: when full, the least suspect entry
//! (not backing off, fewest failures, idle longest) is forgotten. Time comes from `now` (sans-IO).

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::{Duration, Instant};

/// Limits of a [`Lockout`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockoutConfig {
    /// Failures allowed before the first back-off.
    pub free_failures: u32,
    /// The first back-off; each further failure doubles it.
    pub base: Duration,
    /// The longest back-off.
    pub max: Duration,
    /// A key with no failure for this long starts again from zero.
    pub forget_after: Duration,
    /// Accounts and prefixes tracked at most.
    pub capacity: usize,
}

impl Default for LockoutConfig {
    /// 5 free failures, then 1 s doubling up to 15 min, forgotten after 1 h,
    /// 4096 keys.
    fn default() -> Self {
        Self {
            free_failures: 5,
            base: Duration::from_secs(1),
            max: Duration::from_secs(900),
            forget_after: Duration::from_secs(3600),
            capacity: 4096,
        }
    }
}

/// What failures are counted against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Account(String),
    /// A source address with its host bits cleared (/24 or /64).
    Prefix(IpAddr),
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Account(user) => write!(f, "account {user:?}"),
            Key::Prefix(IpAddr::V4(p)) => write!(f, "sources {p}/24"),
            Key::Prefix(IpAddr::V6(p)) => write!(f, "sources {p}/64"),
        }
    }
}

/// The prefix `source` is counted in: IPv4 /24, IPv6 /64 (an IPv4-mapped
/// IPv6 address counts as IPv4).
pub fn prefix(source: IpAddr) -> IpAddr {
    match source.to_canonical() {
        IpAddr::V4(a) => IpAddr::V4((u32::from(a) & 0xffff_ff00).into()),
        IpAddr::V6(a) => IpAddr::V6((u128::from(a) & !((1u128 << 64) - 1)).into()),
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    failures: u32,
    last_failure: Instant,
    blocked_until: Option<Instant>,
}

/// Failure counts and back-offs.
#[derive(Debug)]
pub struct Lockout {
    config: LockoutConfig,
    entries: HashMap<Key, Entry>,
}

impl Lockout {
    pub fn new(config: LockoutConfig) -> Self {
        Self {
            config,
            entries: HashMap::new(),
        }
    }

    /// The key that blocks an attempt for `user` from `source` at `now`,
    /// with the time it is blocked until.
    pub fn blocked(&self, now: Instant, user: &str, source: IpAddr) -> Option<(Key, Instant)> {
        [Key::Account(user.to_owned()), Key::Prefix(prefix(source))]
            .into_iter()
            .find_map(|key| {
                let until = self.entries.get(&key)?.blocked_until?;
                (until > now).then_some((key, until))
            })
    }

    /// Count a failed check; returns the keys that became blocked, with for
    /// how long (for the log).
    pub fn failure(
        &mut self,
        now: Instant,
        user: &str,
        source: IpAddr,
    ) -> Vec<(Key, u32, Duration)> {
        let mut newly = Vec::new();
        for key in [Key::Account(user.to_owned()), Key::Prefix(prefix(source))] {
            self.make_room(now, &key);
            let c = self.config;
            let entry = self.entries.entry(key.clone()).or_insert(Entry {
                failures: 0,
                last_failure: now,
                blocked_until: None,
            });
            if now.saturating_duration_since(entry.last_failure) >= c.forget_after {
                entry.failures = 0;
            }
            entry.failures = entry.failures.saturating_add(1);
            entry.last_failure = now;
            if entry.failures > c.free_failures {
                let doublings = (entry.failures - c.free_failures - 1).min(30);
                let delay = c.base.saturating_mul(1 << doublings).min(c.max);
                entry.blocked_until = Some(now + delay);
                newly.push((key, entry.failures, delay));
            }
        }
        newly
    }

    /// A successful check: the account starts again from zero.
    pub fn success(&mut self, user: &str) {
        self.entries.remove(&Key::Account(user.to_owned()));
    }

    /// Keys tracked.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Keep the table within capacity: drop forgotten entries, then the one
    /// idle longest.
    fn make_room(&mut self, now: Instant, incoming: &Key) {
        if self.entries.contains_key(incoming) || self.entries.len() < self.config.capacity.max(1) {
            return;
        }
        let forget = self.config.forget_after;
        self.entries
            .retain(|_, e| now.saturating_duration_since(e.last_failure) < forget);
        if self.entries.len() >= self.config.capacity.max(1) {
            // A flood of made-up names must not push a backing-off account
            // out: the entry to go is the least suspect (not blocked, fewest
            // failures, idle longest).
            if let Some(least) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| {
                    let blocked = e.blocked_until.is_some_and(|u| u > now);
                    (blocked, e.failures, e.last_failure)
                })
                .map(|(k, _)| k.clone())
            {
                self.entries.remove(&least);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn prefixes_are_24_and_64_bits() {
        assert_eq!(prefix(ip("192.0.2.77")), ip("192.0.2.0"));
        assert_eq!(prefix(ip("::ffff:192.0.2.77")), ip("192.0.2.0"));
        assert_eq!(prefix(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
    }

    #[test]
    fn back_off_grows_per_account_across_addresses_and_success_clears_it() {
        let now = Instant::now();
        let mut l = Lockout::new(LockoutConfig::default());
        // Five failures from five different /64s: free.
        for n in 0..5 {
            let src = ip(&format!("2001:db8:{n}::1"));
            assert!(l.failure(now, "alice", src).is_empty());
            assert!(l.blocked(now, "alice", src).is_none());
        }
        // The sixth, from yet another network, blocks the account for 1 s.
        let newly = l.failure(now, "alice", ip("2001:db8:9::1"));
        assert_eq!(
            newly,
            vec![(Key::Account("alice".into()), 6, Duration::from_secs(1))]
        );
        let fresh = ip("2001:db8:77::1");
        assert!(l.blocked(now, "alice", fresh).is_some());
        assert!(l.blocked(now, "bob", fresh).is_none());
        let later = now + Duration::from_secs(1);
        assert!(l.blocked(later, "alice", fresh).is_none());
        // Then 2 s, 4 s ...
        let newly = l.failure(later, "alice", fresh);
        assert_eq!(newly[0].2, Duration::from_secs(2));
        l.success("alice");
        assert!(l.blocked(later, "alice", ip("2001:db8:55::1")).is_none());
    }

    #[test]
    fn one_prefix_guessing_many_accounts_is_blocked() {
        let now = Instant::now();
        let mut l = Lockout::new(LockoutConfig::default());
        for n in 0..6 {
            l.failure(now, &format!("user{n}"), ip(&format!("2001:db8::{n}")));
        }
        let blocked = l.blocked(now, "someone-else", ip("2001:db8::ffff:1"));
        assert_eq!(blocked.map(|b| b.0), Some(Key::Prefix(ip("2001:db8::"))));
        assert!(l.blocked(now, "someone-else", ip("2001:db9::1")).is_none());
        // Capped and forgotten.
        for _ in 0..40 {
            l.failure(now, "user0", ip("2001:db8::1"));
        }
        let until = l.blocked(now, "user0", ip("2001:db8::1")).unwrap().1;
        assert_eq!(until - now, Duration::from_secs(900));
        let much_later = now + Duration::from_secs(3600 + 900);
        assert!(l
            .failure(much_later, "user0", ip("198.51.100.1"))
            .is_empty());
    }

    #[test]
    fn the_table_is_bounded() {
        let now = Instant::now();
        let mut l = Lockout::new(LockoutConfig {
            capacity: 8,
            ..LockoutConfig::default()
        });
        // An account backing off survives a flood of made-up names.
        for _ in 0..6 {
            l.failure(now, "alice", ip("192.0.2.1"));
        }
        for n in 0..100u32 {
            l.failure(
                now + Duration::from_millis(u64::from(n)),
                &format!("u{n}"),
                ip(&format!("10.{n}.0.1")),
            );
            assert!(l.len() <= 8);
        }
        assert!(l.blocked(now, "alice", ip("198.51.100.1")).is_some());
    }
}
