//! [`SimulatedBoard`]: every board device as its simulated twin, on one
//! [`VirtualClock`], laid out from a [`BoardDescription`].
//!
//! The firmware's runtime drives it through the same traits as the real devices
//! ([`Watchdog`](crate::watchdog::Watchdog), [`Led`](crate::led::Led),
//! [`InputLine`](crate::gpio::InputLine), [`OutputLine`](crate::gpio::OutputLine));
//! tests keep the observers and script the inputs.

use std::collections::BTreeMap;

use crate::gpio::{ScriptedInput, SimulatedOutput};
use crate::identity::{BoardDescription, PortIndex, PortKind};
use crate::led::{LedPanel, SimulatedLed};
use crate::watchdog::{SimulatedWatchdog, WatchdogTimeout};
use crate::VirtualClock;

/// The simulated board's devices.
#[derive(Debug)]
pub struct SimulatedBoard {
    /// What the board is.
    pub description: BoardDescription,
    /// The clock every twin runs on.
    pub clock: VirtualClock,
    /// The watchdog, started at creation.
    pub watchdog: SimulatedWatchdog,
    /// Fault, registration and one LED per port.
    pub leds: LedPanel<SimulatedLed>,
    /// The reset button, released at start.
    pub reset_button: ScriptedInput,
    /// A hook relay per FXO port.
    pub hook_relays: BTreeMap<PortIndex, SimulatedOutput>,
    /// A ring-detect input per FXO port, inactive at start.
    pub ring_detects: BTreeMap<PortIndex, ScriptedInput>,
}

impl SimulatedBoard {
    /// Twins for `description`, on `clock`, with the watchdog started at `timeout`.
    pub fn new(
        description: BoardDescription,
        clock: VirtualClock,
        timeout: WatchdogTimeout,
    ) -> Self {
        let fxo_ports: Vec<PortIndex> = description
            .ports
            .iter()
            .enumerate()
            .filter(|(_, kind)| **kind == PortKind::Fxo)
            .filter_map(|(i, _)| u8::try_from(i).ok().map(PortIndex))
            .collect();
        Self {
            watchdog: SimulatedWatchdog::start(clock.clone(), timeout),
            leds: LedPanel {
                fault: Some(SimulatedLed::new("fault", clock.clone())),
                registration: Some(SimulatedLed::new("registration", clock.clone())),
                ports: (0..description.ports.len())
                    .map(|i| SimulatedLed::new(format!("port{i}"), clock.clone()))
                    .collect(),
            },
            reset_button: ScriptedInput::new(clock.clone(), false),
            hook_relays: fxo_ports
                .iter()
                .map(|&p| (p, SimulatedOutput::new(clock.clone())))
                .collect(),
            ring_detects: fxo_ports
                .iter()
                .map(|&p| (p, ScriptedInput::new(clock.clone(), false)))
                .collect(),
            description,
            clock,
        }
    }
}
