//! [`VirtualClock`]: the time source of the simulated twins.
//!
//! The sans-IO parts of this crate take `now: Instant` as an argument and never read
//! the clock. The simulated twins sit behind hardware traits whose methods have no
//! `now` (a real `keep_alive` or `read` happens "now"), so they read a shared virtual
//! clock instead, which the test or the simulated board's runtime moves forward.
//! Nothing here sleeps: advancing the clock by ten minutes takes no real time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A shared, manually advanced clock. Clones share the same time.
#[derive(Clone, Debug)]
pub struct VirtualClock {
    origin: Instant,
    elapsed_ns: Arc<AtomicU64>,
}

impl VirtualClock {
    /// A clock standing at `origin` (any `Instant`; tests usually take `Instant::now()`
    /// once and only ever add virtual durations to it).
    pub fn starting_at(origin: Instant) -> Self {
        Self {
            origin,
            elapsed_ns: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> Instant {
        self.origin + self.elapsed()
    }

    /// The instant this clock started at.
    pub fn origin(&self) -> Instant {
        self.origin
    }

    /// Virtual time elapsed since [`VirtualClock::origin`].
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.elapsed_ns.load(Ordering::Acquire))
    }

    /// Move the clock forward by `step`.
    pub fn advance(&self, step: Duration) {
        let step_ns = u64::try_from(step.as_nanos()).unwrap_or(u64::MAX);
        self.elapsed_ns.fetch_add(step_ns, Ordering::AcqRel);
    }

    /// Move the clock forward to `when`; a `when` in the past leaves it where it is
    /// (virtual time never runs backwards).
    pub fn advance_to(&self, when: Instant) {
        let target = when.saturating_duration_since(self.origin);
        let target_ns = u64::try_from(target.as_nanos()).unwrap_or(u64::MAX);
        self.elapsed_ns.fetch_max(target_ns, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_time_and_time_never_runs_backwards() {
        let origin = Instant::now();
        let clock = VirtualClock::starting_at(origin);
        let other = clock.clone();
        clock.advance(Duration::from_secs(600));
        assert_eq!(other.now(), origin + Duration::from_secs(600));
        other.advance_to(origin + Duration::from_secs(1));
        assert_eq!(clock.elapsed(), Duration::from_secs(600));
    }
}
