//! Front-panel LEDs: the [`Led`] trait, the Linux LED class implementation
//! ([`SysfsLed`]), the simulated twin ([`SimulatedLed`]) and the sans-IO
//! [`LedPolicy`] that maps the gateway's state to LED states, shown on a
//! [`LedPanel`].

mod panel;
mod policy;
mod simulated;
mod sysfs;

pub use panel::LedPanel;
pub use policy::{GatewayStatus, LedPlan, LedPolicy, PortActivity, Registration};
pub use simulated::{LedHistory, SimulatedLed};
pub use sysfs::{SysfsLed, DEFAULT_SYSFS_ROOT};

use std::path::PathBuf;

/// What an LED shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LedState {
    /// Dark.
    Off,
    /// Lit.
    On,
    /// Blinking, lit for `on_ms` then dark for `off_ms` (milliseconds, the unit of the
    /// kernel's `timer` trigger).
    Blink {
        /// Milliseconds lit per cycle; above zero.
        on_ms: u32,
        /// Milliseconds dark per cycle; above zero.
        off_ms: u32,
    },
}

/// A single LED.
pub trait Led {
    /// Show `state`. Setting the state already shown is allowed and cheap (a blinking
    /// LED does not restart its cycle).
    fn set(&mut self, state: LedState) -> Result<(), LedError>;
}

/// A boxed LED is an LED, so a panel can mix implementations (the runtime picks
/// the Linux LED or its twin by configuration).
impl<L: Led + ?Sized> Led for Box<L> {
    fn set(&mut self, state: LedState) -> Result<(), LedError> {
        (**self).set(state)
    }
}

/// What went wrong with an LED.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedError {
    /// No LED of that name under the LED class folder.
    #[error("no LED at {path}: {source}")]
    NotFound {
        /// The LED's folder, e.g. `/sys/class/leds/gw:green:sip`.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Reading an attribute failed.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The attribute file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// Writing an attribute failed (for `delay_on`/`delay_off`: the kernel lacks the
    /// `timer` trigger, `CONFIG_LEDS_TRIGGER_TIMER`).
    #[error("cannot write {value:?} to {path}: {source}")]
    Write {
        /// The attribute file.
        path: PathBuf,
        /// What was being written.
        value: String,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// An attribute held something that is not what the LED class writes there.
    #[error("{path} holds {content:?}, expected {expected}")]
    Malformed {
        /// The attribute file.
        path: PathBuf,
        /// What it held.
        content: String,
        /// What was expected.
        expected: &'static str,
    },
    /// A blink with a zero on or off time was asked for.
    #[error("blink needs on and off times above zero, got {on_ms} ms on, {off_ms} ms off")]
    InvalidBlink {
        /// Requested on time.
        on_ms: u32,
        /// Requested off time.
        off_ms: u32,
    },
}

pub(crate) fn validate(state: LedState) -> Result<LedState, LedError> {
    match state {
        LedState::Blink { on_ms, off_ms } if on_ms == 0 || off_ms == 0 => {
            Err(LedError::InvalidBlink { on_ms, off_ms })
        }
        _ => Ok(state),
    }
}
