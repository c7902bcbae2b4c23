//! [`FxoSignalling`]: the FXO (DAA) side of a line, sans-IO.
//!
//! ```text
//!            OffHook                      on hook: ring detect ─▶ RingOn / RingOff
//!   OnHook ──────────▶ OffHook           off hook: loop current lost ≥ loop_drop ─▶ LoopCurrentDrop
//!          ◀──────────                   always:   polarity change ─▶ PolarityReversal
//!            OnHook                                (line reversal before caller ID, answer)
//! ```
//!
//! Loop current is only watched while off hook, and only after it has been seen
//! flowing since the seizure: opening our own loop, or an exchange that is slow to
//! feed current, is not a far-end disconnect.

use std::collections::VecDeque;
use std::time::Instant;

use board::gpio::{Debouncer, RingCadenceQualifier, RingEvent};

use super::config::{FxoGpioConfig, FxoTiming, RingDetect, SlicConfigError};
use super::NotApplicable;
use crate::line::{LineCommand, LineEvent};

/// Input levels of an FXO port at one instant (`None`: the card has no such input).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FxoInputs {
    /// Ring detector.
    pub ring: bool,
    /// Loop polarity reversed.
    pub polarity: Option<bool>,
    /// Loop current flowing.
    pub loop_current: Option<bool>,
}

#[derive(Clone, Debug)]
enum Ring {
    Pulses(RingCadenceQualifier),
    Level(Debouncer),
}

/// Signalling state machine of one FXO port.
#[derive(Clone, Debug)]
pub struct FxoSignalling {
    ring: Ring,
    polarity: Debouncer,
    loop_current: Debouncer,
    off_hook: bool,
    /// Loop current has flowed since we went off hook.
    current_seen: bool,
    events: VecDeque<LineEvent>,
}

impl FxoSignalling {
    /// An on-hook port with no ringing, normal polarity and no loop current.
    pub fn new(config: &FxoGpioConfig) -> Result<FxoSignalling, SlicConfigError> {
        let t: FxoTiming = config.timing()?;
        let ring = match t.ring {
            RingDetect::Pulses => Ring::Pulses(RingCadenceQualifier::new(t.ring_qualifier)?),
            RingDetect::Level => Ring::Level(Debouncer::new(t.ring_debounce, false)),
        };
        Ok(FxoSignalling {
            ring,
            polarity: Debouncer::new(t.polarity_debounce, false),
            loop_current: Debouncer::new(t.loop_drop, false),
            off_hook: false,
            current_seen: false,
            events: VecDeque::new(),
        })
    }

    /// Whether the hook relay should be active (loop closed).
    pub fn hook_relay(&self) -> bool {
        self.off_hook
    }

    /// `OffHook` / `OnHook`; ringing commands are for FXS ports.
    pub fn command(&mut self, command: LineCommand) -> Result<(), NotApplicable> {
        match command {
            LineCommand::OffHook => {
                if !self.off_hook {
                    self.off_hook = true;
                    self.current_seen = false;
                }
            }
            LineCommand::OnHook => self.off_hook = false,
            other => return Err(NotApplicable(other)),
        }
        Ok(())
    }

    /// The inputs read `inputs` at `now`.
    pub fn handle_inputs(&mut self, now: Instant, inputs: FxoInputs) {
        self.handle_timeout(now);
        let ring = match &mut self.ring {
            Ring::Pulses(q) => q.sample(now, inputs.ring).map(|e| match e {
                RingEvent::Started { .. } => LineEvent::RingOn,
                RingEvent::Stopped { .. } => LineEvent::RingOff,
            }),
            Ring::Level(d) => d.sample(now, inputs.ring).map(ring_level_event),
        };
        self.events.extend(ring);
        if let Some(level) = inputs.polarity {
            if self.polarity.sample(now, level).is_some() {
                self.events.push_back(LineEvent::PolarityReversal);
            }
        }
        if let Some(level) = inputs.loop_current {
            let change = self.loop_current.sample(now, level);
            self.loop_current_changed(change.map(|t| t.active));
        }
    }

    /// Time passed: confirm pending changes, end ring bursts.
    pub fn handle_timeout(&mut self, now: Instant) {
        let ring = match &mut self.ring {
            Ring::Pulses(q) => q.handle_timeout(now).map(|_| LineEvent::RingOff),
            Ring::Level(d) => d.handle_timeout(now).map(ring_level_event),
        };
        self.events.extend(ring);
        if self.polarity.handle_timeout(now).is_some() {
            self.events.push_back(LineEvent::PolarityReversal);
        }
        let change = self.loop_current.handle_timeout(now);
        self.loop_current_changed(change.map(|t| t.active));
    }

    /// When [`FxoSignalling::handle_timeout`] has something to do, if no input changes.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let ring = match &self.ring {
            Ring::Pulses(q) => q.poll_timeout(),
            Ring::Level(d) => d.poll_timeout(),
        };
        [
            ring,
            self.polarity.poll_timeout(),
            self.loop_current.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The next event seen.
    pub fn poll_event(&mut self) -> Option<LineEvent> {
        self.events.pop_front()
    }

    fn loop_current_changed(&mut self, flowing: Option<bool>) {
        match flowing {
            Some(true) => self.current_seen = true,
            Some(false) if self.off_hook && self.current_seen => {
                self.current_seen = false;
                self.events.push_back(LineEvent::LoopCurrentDrop);
            }
            _ => {}
        }
    }
}

fn ring_level_event(t: board::gpio::Transition) -> LineEvent {
    if t.active {
        LineEvent::RingOn
    } else {
        LineEvent::RingOff
    }
}
