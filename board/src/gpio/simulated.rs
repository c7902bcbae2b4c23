//! GPIO twins on a [`VirtualClock`]: [`ScriptedInput`] follows a script of levels,
//! [`SimulatedOutput`] records what was driven.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{GpioError, InputLine, OutputLine};
use crate::VirtualClock;

/// An input whose level follows a script of `(instant, level)` changes. Clones share
/// the script, so a test (or the simulated board's operator) keeps a clone to press
/// a button while the runtime owns the other.
#[derive(Clone, Debug)]
pub struct ScriptedInput {
    clock: VirtualClock,
    initial: bool,
    script: Arc<Mutex<BTreeMap<Instant, bool>>>,
}

impl ScriptedInput {
    /// An input at `initial` until the script says otherwise.
    pub fn new(clock: VirtualClock, initial: bool) -> Self {
        Self {
            clock,
            initial,
            script: Arc::default(),
        }
    }

    /// From `at` on, the line reads `level` (until a later change).
    pub fn set_at(&self, at: Instant, level: bool) {
        self.script
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(at, level);
    }

    /// The level at `at`.
    pub fn level_at(&self, at: Instant) -> bool {
        self.script
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .range(..=at)
            .next_back()
            .map_or(self.initial, |(_, level)| *level)
    }
}

impl InputLine for ScriptedInput {
    fn read(&mut self) -> Result<bool, GpioError> {
        Ok(self.level_at(self.clock.now()))
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
