//! The board description: what this box is and where its devices are.
//!
//! Read once at start from a TOML file written at manufacturing (or shipped with the
//! image for a board type), or built by [`BoardDescription::simulated`] for the
//! simulated board. Every error names the offending key.
//!
//! ```toml
//! model = "GW-400"
//! serial = "GW4A-000123"
//! mac = "00:1b:21:3a:4f:5c"          # unicast, six colon-separated hex octets
//! hardware_revision = "B2"
//!
//! [ports]
//! count = 4
//! kinds = ["fxs", "fxs", "fxo", "fxo"]   # one per port
//!
//! [devices]                           # optional, as is every key below
//! watchdog = "/dev/watchdog0"
//! led_root = "/sys/class/leds"        # default
//!
//! [devices.leds]
//! fault = "gw:red:fault"
//! registration = "gw:green:sip"
//! ports = ["gw:green:port0", "gw:green:port1", "gw:green:port2", "gw:green:port3"]
//!
//! [devices.gpio.reset_button]
//! chip = "/dev/gpiochip0"
//! offset = 4
//! active_low = true                   # default false
//!
//! [[devices.gpio.hook_relay]]         # one table per port that has one
//! port = 2
//! chip = "/dev/gpiochip0"
//! offset = 10
//!
//! [[devices.gpio.ring_detect]]
//! port = 2
//! chip = "/dev/gpiochip0"
//! offset = 11
//! active_low = true
//! ```

mod description;
mod document;
mod error;
mod mac_address;

pub use error::{DescriptionError, IdentityError};
pub use mac_address::{MacAddress, MacAddressError};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::gpio::GpioLine;

/// Most line ports a board can have.
pub const MAX_PORTS: u8 = 32;

/// A line port's index on the board, from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortIndex(pub u8);

impl fmt::Display for PortIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which side of the analog loop a port sits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortKind {
    /// Foreign Exchange Office: faces an exchange, like a telephone.
    Fxo,
    /// Foreign Exchange Station: feeds and rings a telephone.
    Fxs,
}

/// What the box is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BoardDescription {
    /// Product model.
    pub model: String,
    /// Serial number (ASCII letters, digits, `-`, `_`, `.`; at most 32).
    pub serial: String,
    /// Ethernet address.
    pub mac: MacAddress,
    /// Hardware revision.
    pub hardware_revision: String,
    /// Line ports, in port order.
    pub ports: Vec<PortKind>,
    /// Where the devices are; empty on boards that have none of them.
    pub devices: DevicePaths,
}

/// Device locations; all optional.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct DevicePaths {
    /// The watchdog device, e.g. `/dev/watchdog0`.
    pub watchdog: Option<PathBuf>,
    /// The LED class folder; [`crate::led::DEFAULT_SYSFS_ROOT`] when absent.
    pub led_root: Option<PathBuf>,
    /// LED class device names.
    pub leds: LedNames,
    /// GPIO lines.
    pub gpio: GpioLines,
}

/// LED class device names (folders under the LED root).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct LedNames {
    /// The fault LED.
    pub fault: Option<String>,
    /// The SIP registration LED.
    pub registration: Option<String>,
    /// One per port, in port order, or none at all.
    pub ports: Vec<String>,
}

/// GPIO lines.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct GpioLines {
    /// The reset button.
    pub reset_button: Option<GpioLine>,
    /// Hook relays (FXO ports' off-hook switch), by port.
    pub hook_relays: BTreeMap<PortIndex, GpioLine>,
    /// Ring-detect inputs (FXO ports), by port.
    pub ring_detects: BTreeMap<PortIndex, GpioLine>,
}

impl BoardDescription {
    /// Read and check the description at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, IdentityError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| IdentityError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml_str(&text).map_err(|problem| IdentityError::Invalid {
            path: path.to_path_buf(),
            problem,
        })
    }

    /// Parse and check a description.
    pub fn from_toml_str(text: &str) -> Result<Self, DescriptionError> {
        description::parse(text)
    }

    /// The simulated board: four FXO ports facing the simulated exchange, a
    /// locally administered MAC address, and no device paths (the simulated board
    /// uses the twins).
    pub fn simulated() -> Self {
        Self {
            model: "simulated".to_owned(),
            serial: "SIM-0000".to_owned(),
            mac: MacAddress::new([0x02, 0x00, 0x00, 0x00, 0x00, 0x01])
                .expect("a locally administered unicast address"),
            hardware_revision: "sim".to_owned(),
            ports: vec![PortKind::Fxo; 4],
            devices: DevicePaths::default(),
        }
    }

    /// Number of line ports.
    pub fn port_count(&self) -> u8 {
        // `parse` and `simulated` keep this within MAX_PORTS.
        u8::try_from(self.ports.len()).unwrap_or(u8::MAX)
    }
}
