//! [`SimulatedLed`]: the LED's twin, recording every state change on a
//! [`VirtualClock`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{validate, Led, LedError, LedState};
use crate::VirtualClock;

type Changes = Arc<Mutex<Vec<(Instant, LedState)>>>;

/// A simulated LED, dark at creation.
#[derive(Debug)]
pub struct SimulatedLed {
    name: String,
    clock: VirtualClock,
    changes: Changes,
}

/// A read-only view of what a [`SimulatedLed`] showed and when.
#[derive(Clone, Debug)]
pub struct LedHistory {
    changes: Changes,
}

impl SimulatedLed {
    /// A dark LED called `name`.
    pub fn new(name: impl Into<String>, clock: VirtualClock) -> Self {
        Self {
            name: name.into(),
            clock,
            changes: Arc::default(),
        }
    }

    /// The LED's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A handle on the LED's history.
    pub fn history(&self) -> LedHistory {
        LedHistory {
            changes: Arc::clone(&self.changes),
        }
    }
}

impl Led for SimulatedLed {
    fn set(&mut self, state: LedState) -> Result<(), LedError> {
        let state = validate(state)?;
        let mut changes = self.changes.lock().unwrap_or_else(PoisonError::into_inner);
        // Like the sysfs LED: setting the state already shown changes nothing.
        if changes.last().map(|(_, s)| *s) != Some(state) {
            changes.push((self.clock.now(), state));
        }
        Ok(())
    }
}

impl LedHistory {
    /// What the LED shows now.
    pub fn current(&self) -> LedState {
        self.changes()
            .last()
            .map_or(LedState::Off, |(_, state)| *state)
    }

    /// Every change, oldest first, with the virtual time it happened.
    pub fn changes(&self) -> Vec<(Instant, LedState)> {
        self.changes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
