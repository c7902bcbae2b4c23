//! [`Supervisor`]: decides, sans-IO, whether the watchdog may be fed.
//!
//! Each supervised loop (media, SIP, …) is registered with the longest silence it is
//! allowed and reports a heartbeat with the caller's `now` every time round its loop.
//! The runtime calls [`Supervisor::poll`] at its feeding period (a third of the
//! watchdog timeout is usual) and at [`Supervisor::poll_timeout`], and calls
//! `keep_alive` only on [`Decision::Feed`].
//!
//! ```text
//!            every component beat within its interval
//!   Feeding ─────────────────────────────────────────▶ Feeding
//!      │ some component silent for ≥ its interval
//!      ▼
//!   Withholding { stalled }   (latched: the hardware resets the box at its timeout)
//! ```
//!
//! Withholding is latched on purpose: a loop that stalled once leaves the box in an
//! unknown state, and a heartbeat that comes back must not cancel the reset. A
//! supervisor with no components registered feeds (there is nothing to supervise).
//! It never reads the clock.

use std::fmt;
use std::time::{Duration, Instant};

/// A supervised loop's name, e.g. `Component("media")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Component(pub &'static str);

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// What the runtime should do with the watchdog now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Every component is alive: call `keep_alive`.
    Feed,
    /// A component stalled: do not feed; the watchdog will reset the box.
    Withhold {
        /// The first component that went silent.
        stalled: Component,
        /// Its last heartbeat (or its registration, if it never beat).
        last_beat: Instant,
    },
}

/// Misuse of the [`Supervisor`] API.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SupervisorError {
    /// The component was registered twice.
    #[error("component {0} is already supervised")]
    AlreadyRegistered(Component),
    /// A heartbeat came from a component nobody registered.
    #[error("component {0} is not supervised")]
    Unknown(Component),
    /// A component was registered with a zero allowed interval.
    #[error("component {0} needs an allowed interval above zero")]
    ZeroInterval(Component),
}

#[derive(Debug)]
struct Entry {
    component: Component,
    allowed: Duration,
    last_beat: Instant,
}

impl Entry {
    fn deadline(&self) -> Instant {
        self.last_beat + self.allowed
    }
}

/// Watches the heartbeats of the firmware's loops.
#[derive(Debug, Default)]
pub struct Supervisor {
    entries: Vec<Entry>,
    withheld: Option<Decision>,
}

impl Supervisor {
    /// A supervisor with no components.
    pub fn new() -> Self {
        Self::default()
    }

    /// Start supervising `component`, which must beat at least every `allowed`
    /// (pick two or three of its loop periods). Registration counts as its first beat.
    pub fn register(
        &mut self,
        component: Component,
        allowed: Duration,
        now: Instant,
    ) -> Result<(), SupervisorError> {
        if allowed.is_zero() {
            return Err(SupervisorError::ZeroInterval(component));
        }
        if self.entries.iter().any(|e| e.component == component) {
            return Err(SupervisorError::AlreadyRegistered(component));
        }
        self.entries.push(Entry {
            component,
            allowed,
            last_beat: now,
        });
        Ok(())
    }

    /// `component` is alive at `now`.
    pub fn heartbeat(&mut self, component: Component, now: Instant) -> Result<(), SupervisorError> {
        let entry = self
            .entries
            .iter_mut()
            .find(|e| e.component == component)
            .ok_or(SupervisorError::Unknown(component))?;
        entry.last_beat = entry.last_beat.max(now);
        Ok(())
    }

    /// Decide whether to feed the watchdog at `now`.
    pub fn poll(&mut self, now: Instant) -> Decision {
        if let Some(decision) = self.withheld {
            return decision;
        }
        let first_stalled = self
            .entries
            .iter()
            .filter(|e| now >= e.deadline())
            .min_by_key(|e| e.deadline());
        match first_stalled {
            None => Decision::Feed,
            Some(entry) => {
                let decision = Decision::Withhold {
                    stalled: entry.component,
                    last_beat: entry.last_beat,
                };
                tracing::error!(
                    component = %entry.component,
                    silent_for = ?now.saturating_duration_since(entry.last_beat),
                    allowed = ?entry.allowed,
                    "component stalled: withholding watchdog keep-alives",
                );
                self.withheld = Some(decision);
                decision
            }
        }
    }

    /// The earliest instant at which a component would count as stalled, if it stays
    /// silent; `None` with no components or once withholding.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.withheld.is_some() {
            return None;
        }
        self.entries.iter().map(Entry::deadline).min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEDIA: Component = Component("media");
    const SIP: Component = Component("sip");

    #[test]
    fn registration_misuse_is_a_typed_error() {
        let now = Instant::now();
        let mut sup = Supervisor::new();
        sup.register(MEDIA, Duration::from_secs(1), now).unwrap();
        assert_eq!(
            sup.register(MEDIA, Duration::from_secs(1), now),
            Err(SupervisorError::AlreadyRegistered(MEDIA))
        );
        assert_eq!(
            sup.register(SIP, Duration::ZERO, now),
            Err(SupervisorError::ZeroInterval(SIP))
        );
        assert_eq!(sup.heartbeat(SIP, now), Err(SupervisorError::Unknown(SIP)));
    }

    #[test]
    fn reports_the_first_component_to_stall_and_latches() {
        let t0 = Instant::now();
        let mut sup = Supervisor::new();
        sup.register(MEDIA, Duration::from_secs(2), t0).unwrap();
        sup.register(SIP, Duration::from_secs(5), t0).unwrap();
        assert_eq!(sup.poll_timeout(), Some(t0 + Duration::from_secs(2)));
        assert_eq!(sup.poll(t0 + Duration::from_millis(1999)), Decision::Feed);
        let late = t0 + Duration::from_secs(6);
        assert_eq!(
            sup.poll(late),
            Decision::Withhold {
                stalled: MEDIA,
                last_beat: t0
            }
        );
        sup.heartbeat(MEDIA, late).unwrap();
        sup.heartbeat(SIP, late).unwrap();
        assert!(matches!(
            sup.poll(late),
            Decision::Withhold { stalled: MEDIA, .. }
        ));
        assert_eq!(sup.poll_timeout(), None);
    }
}
