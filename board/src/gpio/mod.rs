//! GPIO lines and the sans-IO recognisers that read meaning into them.
//!
//! - [`InputLine`] / [`OutputLine`]: one line each, levels as *logical* booleans
//!   (`true` = active, after any active-low inversion).
//! - [`CdevInput`] / [`CdevOutput`]: Linux implementation over the GPIO character
//!   device (`/dev/gpiochipN`, uAPI v2) with the `gpiocdev` crate.
//! - [`ScriptedInput`] / [`SimulatedOutput`]: twins on a [`crate::VirtualClock`]: an
//!   input that follows a script of levels, an output that records what was set.
//! - [`Debouncer`], [`ResetButton`], [`RingCadenceQualifier`]: sans-IO, driven by
//!   `(now, level)` samples and `handle_timeout(now)`; they never read the clock.

mod cdev;
mod debouncer;
mod reset_button;
mod ring_cadence;
mod simulated;

pub use cdev::{CdevInput, CdevOutput};
pub use debouncer::{Debouncer, Transition};
pub use reset_button::{ResetButton, ResetButtonConfig, ResetButtonError, ResetRequest};
pub use ring_cadence::{RingCadenceConfig, RingCadenceError, RingCadenceQualifier, RingEvent};
pub use simulated::{OutputHistory, ScriptedInput, SimulatedOutput};

use std::fmt;
use std::path::PathBuf;

/// Where a line is: its chip's character device and its offset on that chip.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GpioLine {
    /// The chip, e.g. `/dev/gpiochip0`.
    pub chip: PathBuf,
    /// The line's offset on the chip.
    pub offset: u32,
    /// Whether the line is active when electrically low (e.g. a button to ground).
    pub active_low: bool,
}

impl fmt::Display for GpioLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} line {}", self.chip.display(), self.offset)?;
        if self.active_low {
            f.write_str(" (active low)")?;
        }
        Ok(())
    }
}

/// A digital input.
pub trait InputLine {
    /// The line's logical level: `true` when active.
    fn read(&mut self) -> Result<bool, GpioError>;
}

/// A digital output.
pub trait OutputLine {
    /// Drive the line active (`true`) or inactive.
    fn set(&mut self, active: bool) -> Result<(), GpioError>;
}

/// What went wrong with a GPIO line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GpioError {
    /// The chip could not be opened or the line not requested (missing chip, offset
    /// out of range, line busy).
    #[error("cannot request GPIO {line}: {source}")]
    Request {
        /// The line asked for.
        line: GpioLine,
        /// `gpiocdev`'s reason.
        #[source]
        source: gpiocdev::Error,
    },
    /// Reading or setting the line's value failed.
    #[error("cannot access GPIO {line}: {source}")]
    Access {
        /// The line.
        line: GpioLine,
        /// `gpiocdev`'s reason.
        #[source]
        source: gpiocdev::Error,
    },
}
