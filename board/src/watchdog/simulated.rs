//! [`SimulatedWatchdog`]: the watchdog's twin on a [`VirtualClock`].
//!
//! It behaves like an opened Linux watchdog: running from creation, fed by
//! [`Watchdog::keep_alive`], stopped by [`Watchdog::close`]. It cannot reset anything,
//! so it reports instead: [`WatchdogObserver::expired`] and
//! [`WatchdogObserver::reset_at`] say when real hardware would have reset the box, and
//! every later call fails with [`WatchdogError::Expired`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::{Watchdog, WatchdogError, WatchdogTimeout};
use crate::VirtualClock;

#[derive(Debug)]
struct State {
    timeout: Duration,
    last_keep_alive: Instant,
    keep_alives: Vec<Instant>,
    closed: bool,
}

impl State {
    fn reset_at(&self) -> Option<Instant> {
        (!self.closed).then_some(self.last_keep_alive + self.timeout)
    }
}

/// A simulated watchdog, started at creation.
#[derive(Debug)]
pub struct SimulatedWatchdog {
    clock: VirtualClock,
    state: Arc<Mutex<State>>,
}

/// A read-only view of a [`SimulatedWatchdog`] that stays usable after the watchdog
/// itself was moved into a runtime or closed.
#[derive(Clone, Debug)]
pub struct WatchdogObserver {
    clock: VirtualClock,
    state: Arc<Mutex<State>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // The state is plain data updated in single statements: a panic elsewhere cannot
    // leave it half-written, so a poisoned lock is still consistent.
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SimulatedWatchdog {
    /// A watchdog started now (by `clock`) with `timeout`.
    pub fn start(clock: VirtualClock, timeout: WatchdogTimeout) -> Self {
        let now = clock.now();
        Self {
            clock,
            state: Arc::new(Mutex::new(State {
                timeout: timeout.as_duration(),
                last_keep_alive: now,
                keep_alives: Vec::new(),
                closed: false,
            })),
        }
    }

    /// A handle to watch this watchdog from a test.
    pub fn observer(&self) -> WatchdogObserver {
        WatchdogObserver {
            clock: self.clock.clone(),
            state: Arc::clone(&self.state),
        }
    }

    fn check_alive(&self, state: &State) -> Result<(), WatchdogError> {
        match state.reset_at() {
            Some(at) if self.clock.now() >= at => Err(WatchdogError::Expired {
                reset_after: at.saturating_duration_since(self.clock.origin()),
            }),
            _ => Ok(()),
        }
    }
}

impl Watchdog for SimulatedWatchdog {
    fn set_timeout(&mut self, timeout: WatchdogTimeout) -> Result<WatchdogTimeout, WatchdogError> {
        if timeout.as_secs() == 0 {
            return Err(WatchdogError::TimeoutOutOfRange { requested: timeout });
        }
        let mut state = lock(&self.state);
        self.check_alive(&state)?;
        // Like most drivers, setting the timeout also restarts the countdown.
        state.timeout = timeout.as_duration();
        state.last_keep_alive = self.clock.now();
        Ok(timeout)
    }

    fn keep_alive(&mut self) -> Result<(), WatchdogError> {
        let mut state = lock(&self.state);
        self.check_alive(&state)?;
        let now = self.clock.now();
        state.last_keep_alive = now;
        state.keep_alives.push(now);
        Ok(())
    }

    fn close(self) -> Result<(), WatchdogError> {
        let mut state = lock(&self.state);
        self.check_alive(&state)?;
        state.closed = true;
        Ok(())
    }
}

impl WatchdogObserver {
    /// Whether real hardware would have reset the box by `now`.
    pub fn expired(&self, now: Instant) -> bool {
        lock(&self.state).reset_at().is_some_and(|at| now >= at)
    }

    /// When real hardware would reset the box if not fed again (`None` once closed).
    pub fn reset_at(&self) -> Option<Instant> {
        lock(&self.state).reset_at()
    }

    /// Instants of every successful keep-alive, oldest first.
    pub fn keep_alives(&self) -> Vec<Instant> {
        lock(&self.state).keep_alives.clone()
    }

    /// Whether the watchdog was stopped with a magic close.
    pub fn closed(&self) -> bool {
        lock(&self.state).closed
    }

    /// The virtual clock the watchdog runs on.
    pub fn clock(&self) -> &VirtualClock {
        &self.clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twin_expires_one_timeout_after_the_last_keep_alive() {
        let clock = VirtualClock::starting_at(Instant::now());
        let mut dog = SimulatedWatchdog::start(clock.clone(), WatchdogTimeout::from_secs(10));
        let seen = dog.observer();
        clock.advance(Duration::from_secs(9));
        dog.keep_alive().unwrap();
        let fed_at = clock.now();
        assert_eq!(seen.reset_at(), Some(fed_at + Duration::from_secs(10)));
        assert!(!seen.expired(fed_at + Duration::from_millis(9_999)));
        assert!(seen.expired(fed_at + Duration::from_secs(10)));
        clock.advance(Duration::from_secs(10));
        let err = dog.keep_alive().unwrap_err();
        assert!(
            matches!(err, WatchdogError::Expired { reset_after } if reset_after == Duration::from_secs(19))
        );
    }

    #[test]
    fn twin_magic_close_stops_it() {
        let clock = VirtualClock::starting_at(Instant::now());
        let dog = SimulatedWatchdog::start(clock.clone(), WatchdogTimeout::from_secs(10));
        let seen = dog.observer();
        dog.close().unwrap();
        clock.advance(Duration::from_secs(3600));
        assert!(seen.closed());
        assert!(!seen.expired(clock.now()));
    }
}
