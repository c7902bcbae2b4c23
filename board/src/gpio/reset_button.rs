//! [`ResetButton`]: turns a (debounced) reset button into requests. Sans-IO.
//!
//! ```text
//!            press                       held ≥ factory_reset_after
//!   Released ──────▶ Pressed { since } ────────────────────────────▶ Latched ─┐
//!      ▲                 │ release:                (FactoryReset, at once)    │
//!      │                 │  held < reboot_within → Reboot                     │
//!      │                 │  otherwise            → nothing                    │
//!      └─────────────────┴────────────────── release ◀─────────────────────────┘
//! ```
//!
//! The factory reset is requested the moment the threshold is reached (so the LEDs
//! can confirm it while the button is still held), not on release. A button already
//! pressed when the recogniser starts counts as `Latched`: it must be released first,
//! so a stuck button cannot wipe the box at every boot. Hold durations run from the
//! raw press to the raw release, excluding the debounce delay.

use std::time::{Duration, Instant};

use super::debouncer::{Debouncer, Transition};

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResetRequest {
    /// A short press: restart the firmware.
    Reboot,
    /// A long hold: erase the configuration and restart.
    FactoryReset,
}

/// Thresholds of the reset button.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResetButtonConfig {
    /// Debounce window.
    pub debounce: Duration,
    /// A press released before this is a reboot request.
    pub reboot_within: Duration,
    /// A press held this long is a factory reset request.
    pub factory_reset_after: Duration,
}

impl Default for ResetButtonConfig {
    fn default() -> Self {
        Self {
            debounce: Duration::from_millis(30),
            reboot_within: Duration::from_secs(2),
            factory_reset_after: Duration::from_secs(10),
        }
    }
}

/// Inconsistent [`ResetButtonConfig`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResetButtonError {
    /// The thresholds must satisfy `debounce < reboot_within ≤ factory_reset_after`.
    #[error("reset button thresholds out of order: debounce {debounce:?}, reboot within {reboot_within:?}, factory reset after {factory_reset_after:?}")]
    ThresholdsOutOfOrder {
        /// Configured debounce.
        debounce: Duration,
        /// Configured reboot limit.
        reboot_within: Duration,
        /// Configured factory reset threshold.
        factory_reset_after: Duration,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Released,
    Pressed {
        since: Instant,
    },
    /// Pressed, but its outcome is already decided (factory reset sent, or pressed
    /// at start): waiting for the release.
    Latched,
}

/// Recognises reboot and factory-reset gestures on the reset button.
#[derive(Clone, Debug)]
pub struct ResetButton {
    config: ResetButtonConfig,
    debouncer: Debouncer,
    state: State,
}

impl ResetButton {
    /// A recogniser starting with the button `pressed` or not.
    pub fn new(config: ResetButtonConfig, pressed: bool) -> Result<Self, ResetButtonError> {
        if config.debounce >= config.reboot_within
            || config.reboot_within > config.factory_reset_after
        {
            return Err(ResetButtonError::ThresholdsOutOfOrder {
                debounce: config.debounce,
                reboot_within: config.reboot_within,
                factory_reset_after: config.factory_reset_after,
            });
        }
        Ok(Self {
            config,
            debouncer: Debouncer::new(config.debounce, pressed),
            state: if pressed {
                State::Latched
            } else {
                State::Released
            },
        })
    }

    /// The button read `pressed` at `now`.
    pub fn sample(&mut self, now: Instant, pressed: bool) -> Option<ResetRequest> {
        let transition = self.debouncer.sample(now, pressed);
        self.step(now, transition)
    }

    /// Time passed without a sample.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<ResetRequest> {
        let transition = self.debouncer.handle_timeout(now);
        self.step(now, transition)
    }

    /// When to call [`ResetButton::handle_timeout`] next, if anything is pending.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let factory = match self.state {
            State::Pressed { since } => Some(since + self.config.factory_reset_after),
            State::Released | State::Latched => None,
        };
        match (self.debouncer.poll_timeout(), factory) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn step(&mut self, now: Instant, transition: Option<Transition>) -> Option<ResetRequest> {
        let mut request = None;
        if let Some(Transition { active, since: at }) = transition {
            match (self.state, active) {
                (State::Released, true) => self.state = State::Pressed { since: at },
                (State::Pressed { since }, false) => {
                    self.state = State::Released;
                    let held = at.saturating_duration_since(since);
                    if held < self.config.reboot_within {
                        request = Some(ResetRequest::Reboot);
                    } else {
                        tracing::info!(
                            ?held,
                            "reset button released between reboot and factory reset: ignored"
                        );
                    }
                }
                (State::Latched, false) => self.state = State::Released,
                _ => {}
            }
        }
        if let State::Pressed { since } = self.state {
            let threshold = since + self.config.factory_reset_after;
            // A release that began before the threshold but is still being debounced
            // decides: the hold was shorter than the threshold unless it bounces back.
            let releasing_early = self
                .debouncer
                .pending_since()
                .is_some_and(|r| r < threshold);
            if now >= threshold && !releasing_early {
                self.state = State::Latched;
                request = Some(ResetRequest::FactoryReset);
            }
        }
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn thresholds_out_of_order_are_rejected() {
        let config = ResetButtonConfig {
            reboot_within: Duration::from_secs(12),
            ..ResetButtonConfig::default()
        };
        assert!(matches!(
            ResetButton::new(config, false),
            Err(ResetButtonError::ThresholdsOutOfOrder { .. })
        ));
    }

    #[test]
    fn poll_timeout_points_at_the_factory_reset_threshold() {
        let t0 = Instant::now();
        let mut button = ResetButton::new(ResetButtonConfig::default(), false).unwrap();
        assert_eq!(button.poll_timeout(), None);
        button.sample(t0, true);
        assert_eq!(button.poll_timeout(), Some(t0 + ms(30)));
        button.handle_timeout(t0 + ms(30));
        assert_eq!(button.poll_timeout(), Some(t0 + Duration::from_secs(10)));
        assert_eq!(
            button.handle_timeout(t0 + Duration::from_secs(10)),
            Some(ResetRequest::FactoryReset)
        );
        assert_eq!(button.poll_timeout(), None);
    }
}
