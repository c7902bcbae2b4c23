//! [`Debouncer`]: reports a level change only once the new level has been stable for
//! a set time. Sans-IO: fed `(now, level)` samples, and [`Debouncer::handle_timeout`]
//! at [`Debouncer::poll_timeout`] so a change is confirmed on time even when no new
//! sample arrives.
//!
//! ```text
//!   raw    ▁▁▁▁█▁█▁████████████▁▁▁▁▁
//!   stable ▁▁▁▁▁▁▁▁▁▁▁▁▁█████████▁▁▁▁  (changes after `stable_for` without a flip)
//! ```

use std::time::{Duration, Instant};

/// A confirmed change of the debounced level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The new level.
    pub active: bool,
    /// When the raw level last flipped to it (the start of the stable run), so
    /// durations measured between transitions exclude the debounce delay.
    pub since: Instant,
}

/// Debounces one input.
#[derive(Clone, Debug)]
pub struct Debouncer {
    stable_for: Duration,
    level: bool,
    /// The raw level differs from `level` since this instant.
    pending_since: Option<Instant>,
}

impl Debouncer {
    /// A debouncer whose level starts at `initial`, reporting changes stable for
    /// `stable_for`.
    pub fn new(stable_for: Duration, initial: bool) -> Self {
        Self {
            stable_for,
            level: initial,
            pending_since: None,
        }
    }

    /// The debounced level.
    pub fn level(&self) -> bool {
        self.level
    }

    /// Since when the raw level has differed from the debounced one, if it does.
    pub fn pending_since(&self) -> Option<Instant> {
        self.pending_since
    }

    /// The raw level was `level` at `now`.
    pub fn sample(&mut self, now: Instant, level: bool) -> Option<Transition> {
        if level == self.level {
            self.pending_since = None;
            return None;
        }
        let since = *self.pending_since.get_or_insert(now);
        self.confirm(now, since)
    }

    /// No new sample, but time passed: confirm a pending change that is now stable.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<Transition> {
        let since = self.pending_since?;
        self.confirm(now, since)
    }

    /// When a pending change will be confirmed, if the raw level holds.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending_since.map(|since| since + self.stable_for)
    }

    fn confirm(&mut self, now: Instant, since: Instant) -> Option<Transition> {
        if now.saturating_duration_since(since) < self.stable_for {
            return None;
        }
        self.level = !self.level;
        self.pending_since = None;
        Some(Transition {
            active: self.level,
            since,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn bounces_shorter_than_the_window_are_ignored() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(ms(20), false);
        // Contact bounce: 1 ms flips for 10 ms.
        for i in 0..10 {
            assert_eq!(d.sample(t0 + ms(i), i % 2 == 0), None);
        }
        assert_eq!(d.sample(t0 + ms(10), false), None);
        assert!(!d.level());
        assert_eq!(d.poll_timeout(), None);
    }

    #[test]
    fn change_is_reported_once_stable_with_its_start_time() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(ms(20), false);
        assert_eq!(d.sample(t0, true), None);
        assert_eq!(d.poll_timeout(), Some(t0 + ms(20)));
        assert_eq!(d.sample(t0 + ms(19), true), None);
        assert_eq!(
            d.sample(t0 + ms(20), true),
            Some(Transition {
                active: true,
                since: t0
            })
        );
        assert_eq!(d.sample(t0 + ms(21), true), None);
    }

    #[test]
    fn timeout_confirms_without_a_new_sample() {
        let t0 = Instant::now();
        let mut d = Debouncer::new(ms(20), true);
        d.sample(t0, false);
        assert_eq!(d.handle_timeout(t0 + ms(5)), None);
        assert_eq!(
            d.handle_timeout(t0 + ms(20)),
            Some(Transition {
                active: false,
                since: t0
            })
        );
        assert_eq!(d.handle_timeout(t0 + ms(40)), None);
    }
}
