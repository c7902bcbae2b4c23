//! Line-card drivers.
//!
//! Everything above this crate talks to telephone lines through [`line::LineCard`]:
//! a small, channel-technology-shaped trait (hook and ring signalling, 8 kHz audio
//! frames). The simulated exchange in [`sim`] implements it for machines without line
//! cards; hardware drivers implement the same trait, so the gateway runs the same code
//! above it in both cases.

pub mod alsa;
pub mod hardware;
pub mod line;
pub mod modem;
pub mod sim;
pub mod slic;

pub use line::{
    Frame, LineCard, LineCommand, LineError, LineEvent, PortId, PortKind, FRAME_DURATION,
    FRAME_SAMPLES, SAMPLE_RATE_HZ,
};
