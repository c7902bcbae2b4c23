//! GPIO twins on a [`VirtualClock`]: [`ScriptedInput`] follows a script of levels
//! (and of read failures), [`SimulatedOutput`] records what was driven.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{GpioError, GpioLine, InputLine, OutputLine};
use crate::VirtualClock;

/// `EIO`, what a GPIO expander on a failing I2C bus returns.
const EIO: i32 = 5;

type Script = Arc<Mutex<BTreeMap<Instant, bool>>>;

/// An input whose level follows a script of `(instant, level)` changes. Clones share
/// the script, so a test (or the simulated board's operator) keeps a clone to press
/// a button while the runtime owns the other. A second script makes reads fail
/// for a while ([`ScriptedInput::fail_at`]), as a line on an I2C GPIO expander
/// does when the bus stops answering.
#[derive(Clone, Debug)]
pub struct ScriptedInput {
    clock: VirtualClock,
    initial: bool,
    script: Script,
    failing: Script,
}

impl ScriptedInput {
    /// An input at `initial` until the script says otherwise.
    pub fn new(clock: VirtualClock, initial: bool) -> Self {
        Self {
            clock,
            initial,
            script: Arc::default(),
            failing: Arc::default(),
        }
    }

    /// From `at` on, the line reads `level` (until a later change).
    pub fn set_at(&self, at: Instant, level: bool) {
        self.script
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(at, level);
    }

    /// From `at` on, reads fail with `EIO` (`failing`) or work again (until a
    /// later change).
    pub fn fail_at(&self, at: Instant, failing: bool) {
        self.failing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(at, failing);
    }

    /// The level at `at`.
    pub fn level_at(&self, at: Instant) -> bool {
        latest(&self.script, at).unwrap_or(self.initial)
    }

    /// Whether reads fail at `at`.
    pub fn failing_at(&self, at: Instant) -> bool {
        latest(&self.failing, at).unwrap_or(false)
    }
}

/// The last value `script` set at or before `at`.
fn latest(script: &Script, at: Instant) -> Option<bool> {
    script
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .range(..=at)
        .next_back()
        .map(|(_, value)| *value)
}

impl InputLine for ScriptedInput {
    fn read(&mut self) -> Result<bool, GpioError> {
        let now = self.clock.now();
        if self.failing_at(now) {
            return Err(GpioError::Access {
                line: GpioLine {
                    chip: PathBuf::from("simulated"),
                    offset: 0,
                    active_low: false,
                },
                source: std::io::Error::from_raw_os_error(EIO).into(),
            });
        }
        Ok(self.level_at(now))
    }
}

type Driven = Arc<Mutex<Vec<(Instant, bool)>>>;

/// An output that records every level driven, initially inactive.
#[derive(Debug)]
pub struct SimulatedOutput {
    clock: VirtualClock,
    driven: Driven,
}

/// A read-only view of a [`SimulatedOutput`]'s history.
#[derive(Clone, Debug)]
pub struct OutputHistory {
    driven: Driven,
}

impl SimulatedOutput {
    /// An inactive output.
    pub fn new(clock: VirtualClock) -> Self {
        Self {
            clock,
            driven: Arc::default(),
        }
    }

    /// A handle on what this output was driven to.
    pub fn history(&self) -> OutputHistory {
        OutputHistory {
            driven: Arc::clone(&self.driven),
        }
    }
}

impl OutputLine for SimulatedOutput {
    fn set(&mut self, active: bool) -> Result<(), GpioError> {
        let now = self.clock.now();
        self.driven
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((now, active));
        Ok(())
    }
}

impl OutputHistory {
    /// The current level.
    pub fn current(&self) -> bool {
        self.driven().last().is_some_and(|(_, level)| *level)
    }

    /// Every `set`, oldest first.
    pub fn driven(&self) -> Vec<(Instant, bool)> {
        self.driven
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn scripted_input_follows_its_script_on_virtual_time() {
        let clock = VirtualClock::starting_at(Instant::now());
        let t0 = clock.now();
        let mut input = ScriptedInput::new(clock.clone(), false);
        let operator = input.clone();
        operator.set_at(t0 + Duration::from_secs(1), true);
        operator.set_at(t0 + Duration::from_secs(3), false);
        assert!(!input.read().unwrap());
        clock.advance(Duration::from_secs(1));
        assert!(input.read().unwrap());
        clock.advance(Duration::from_secs(2));
        assert!(!input.read().unwrap());

        operator.fail_at(t0 + Duration::from_secs(4), true);
        operator.fail_at(t0 + Duration::from_secs(5), false);
        clock.advance(Duration::from_secs(1));
        let err = input.read().unwrap_err();
        assert!(matches!(err, GpioError::Access { .. }), "{err}");
        clock.advance(Duration::from_secs(1));
        assert!(!input.read().unwrap(), "reads work again");
    }

    #[test]
    fn simulated_output_records_levels() {
        let clock = VirtualClock::starting_at(Instant::now());
        let mut relay = SimulatedOutput::new(clock.clone());
        let seen = relay.history();
        assert!(!seen.current());
        relay.set(true).unwrap();
        clock.advance(Duration::from_millis(300));
        relay.set(false).unwrap();
        let t0 = clock.origin();
        assert_eq!(
            seen.driven(),
            vec![(t0, true), (t0 + Duration::from_millis(300), false)]
        );
    }
}
