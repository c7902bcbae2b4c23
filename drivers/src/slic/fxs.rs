//! [`FxsSignalling`]: the FXS (SLIC) side of a line, sans-IO.
//!
//! ```text
//!   Idle ──StartRinging──▶ Ringing(cadence from `since`) ──StopRinging──▶ Idle
//!                             │ phone off hook (ring trip): relay off at once
//!                             ▼
//!                            Idle
//!   hook detect, debounced ─▶ OffHook / OnHook, in any state
//! ```
//!
//! The ring relay follows the cadence: on for `cadence[0]`, off for `cadence[1]`,
//! on for `cadence[2]`… repeated from the start until stopped.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use board::gpio::Debouncer;

use super::config::{FxsGpioConfig, SlicConfigError};
use super::NotApplicable;
use crate::line::{LineCommand, LineEvent};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Ringing { since: Instant },
}

/// Signalling state machine of one FXS port.
#[derive(Clone, Debug)]
pub struct FxsSignalling {
    cadence: Vec<Duration>,
    period: Duration,
    hook: Debouncer,
    state: State,
    events: VecDeque<LineEvent>,
}

impl FxsSignalling {
    /// An idle port with the phone on hook.
    pub fn new(config: &FxsGpioConfig) -> Result<FxsSignalling, SlicConfigError> {
        let cadence = config.cadence()?;
        Ok(FxsSignalling {
            period: cadence.iter().sum(),
            cadence,
            hook: Debouncer::new(config.hook_debounce()?, false),
            state: State::Idle,
            events: VecDeque::new(),
        })
    }

    /// Whether the phone is off hook (debounced).
    pub fn off_hook(&self) -> bool {
        self.hook.level()
    }

    /// Ringing commands; hook commands are for FXO ports.
    pub fn command(&mut self, now: Instant, command: LineCommand) -> Result<(), NotApplicable> {
        match command {
            LineCommand::StartRinging => {
                if matches!(self.state, State::Idle) && !self.off_hook() {
                    self.state = State::Ringing { since: now };
                }
            }
            LineCommand::StopRinging => self.state = State::Idle,
            other => return Err(NotApplicable(other)),
        }
        Ok(())
    }

    /// Whether the ring relay should be active at `now`.
    pub fn ring_relay(&self, now: Instant) -> bool {
        match self.state {
            State::Ringing { since } => {
                self.segment(now.saturating_duration_since(since)).0 & 1 == 0
            }
            _ => false,
        }
    }

    /// The hook-detect input read `off_hook` at `now`.
    pub fn handle_hook(&mut self, now: Instant, off_hook: bool) {
        self.handle_timeout(now);
        let change = self.hook.sample(now, off_hook);
        self.hook_changed(change.map(|t| t.active));
    }

    /// Time passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        let change = self.hook.handle_timeout(now);
        self.hook_changed(change.map(|t| t.active));
    }

    /// The next cadence edge or pending hook change.
    pub fn poll_timeout(&self, now: Instant) -> Option<Instant> {
        let cadence = match self.state {
            State::Ringing { since } => {
                let (_, left) = self.segment(now.saturating_duration_since(since));
                Some(now + left)
            }
            _ => None,
        };
        [cadence, self.hook.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The next event seen.
    pub fn poll_event(&mut self) -> Option<LineEvent> {
        self.events.pop_front()
    }

    fn hook_changed(&mut self, off_hook: Option<bool>) {
        match off_hook {
            Some(true) => {
                // Ring trip: never ring into an answered phone.
                self.state = State::Idle;
                self.events.push_back(LineEvent::OffHook);
            }
            Some(false) => self.events.push_back(LineEvent::OnHook),
            None => {}
        }
    }

    /// Which cadence segment `elapsed` falls in, and the time left in it.
    fn segment(&self, elapsed: Duration) -> (usize, Duration) {
        let period_ns = self.period.as_nanos().max(1);
        let mut into = Duration::from_nanos((elapsed.as_nanos() % period_ns) as u64);
        for (i, len) in self.cadence.iter().enumerate() {
            if into < *len {
                return (i, *len - into);
            }
            into -= *len;
        }
        (0, self.cadence.first().copied().unwrap_or_default())
    }
}
