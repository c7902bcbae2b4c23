//! DTMF (dual-tone multi-frequency) signalling, ITU-T Q.23 (tones) and Q.24
//! (reception), with RFC 4733 §3.2 event codes.
//!
//! - [`Digit`]: the 16 keys, their frequencies and event codes.
//! - [`Generator`]: dials queued digits, or holds one for RFC 4733 playout.
//! - [`Detector`]: Goertzel receiver with Q.24 frequency/twist/timing figures.

mod bank;
mod detector;
mod digit;
mod generator;
mod verify;

pub use detector::{Detector, DetectorConfig, DtmfEvent};
pub use digit::Digit;
pub use generator::{Generator, GeneratorConfig, GeneratorError, QUEUE_CAPACITY};
pub use verify::WholeToneChecks;

/// How far before the end of a suspect window a tone may have begun; the
/// squelch look-ahead of [`crate::pipeline::LineToIp`].
pub(crate) const fn detector_suspect_back() -> usize {
    detector::SUSPECT_BACK as usize
}

/// Q.23 row (low group) frequencies, Hz.
pub const ROW_FREQS: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
/// Q.23 column (high group) frequencies, Hz.
pub const COL_FREQS: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];
