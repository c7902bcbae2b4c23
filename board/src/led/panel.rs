//! [`LedPanel`]: the box's LEDs together, showing a [`LedPlan`].

use std::path::Path;

use super::{Led, LedError, LedPlan, SysfsLed};
use crate::identity::LedNames;

/// Every LED of the front panel; a board may lack any of them.
#[derive(Debug)]
pub struct LedPanel<L> {
    /// The fault LED.
    pub fault: Option<L>,
    /// The SIP registration LED.
    pub registration: Option<L>,
    /// Port LEDs in port order (empty if the board has none).
    pub ports: Vec<L>,
}

impl<L: Led> LedPanel<L> {
    /// Show `plan` on the LEDs that exist. Stops at the first failing LED.
    pub fn show(&mut self, plan: &LedPlan) -> Result<(), LedError> {
        if let Some(led) = &mut self.fault {
            led.set(plan.fault)?;
        }
        if let Some(led) = &mut self.registration {
            led.set(plan.registration)?;
        }
        for (led, state) in self.ports.iter_mut().zip(&plan.ports) {
            led.set(*state)?;
        }
        Ok(())
    }
}

impl LedPanel<SysfsLed> {
    /// Open the LEDs a board description names, under `root`.
    pub fn open(root: &Path, names: &LedNames) -> Result<Self, LedError> {
        let open =
            |name: &Option<String>| name.as_deref().map(|n| SysfsLed::open(root, n)).transpose();
        Ok(Self {
            fault: open(&names.fault)?,
            registration: open(&names.registration)?,
            ports: names
                .ports
                .iter()
                .map(|n| SysfsLed::open(root, n))
                .collect::<Result<_, _>>()?,
        })
    }
}
