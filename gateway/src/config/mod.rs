//! The gateway's configuration: one TOML file describes the board, its ports, SIP,
//! RTP, the HTTP API, the console, routes and DTMF command sequences.
//!
//! [`load`] reads and validates it; every fault names the file, the line and the key
//! (see [`ConfigError`]). The repository's `config/demo.toml` is the default.

mod board;
mod call_server;
mod document;
pub mod edit;
mod error;
pub mod live;
mod load;
mod media;
mod model;
pub mod password_hash;
mod sip;
pub mod webhook_url;

pub use board::{LedsConfig, ResetButtonLine};
pub use call_server::{
    CallServerConfig, CallServerSettings, CentreConfig, DestinationConfig, DeviceConditionsConfig,
    HoursConfig, RuleConfig, StrategyConfig,
};
pub use error::ConfigError;
pub use load::{load, parse};
pub use media::{Codec, MediaConfig};
pub use model::*;

/// Longest DTMF command sequence, in digits (a `[[commands.sequence]]`
/// longer than this is refused).
pub const MAX_SEQUENCE_DIGITS: usize = 16;
