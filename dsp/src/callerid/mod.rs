//! Caller ID (CLIP) on analog lines: generation on FXS ports, detection on FXO.
//!
//! - [`fsk`]: Bell 202 / V.23 1200 baud FSK modulator and demodulator.
//! - [`message`]: SDMF / MDMF data messages with checksum (GR-30-CORE,
//!   ETSI EN 300 659-3).
//! - [`dtmf_clip`]: DTMF-signalled caller ID ("A…C", "B00C", "B10C").
//! - [`Generator`]: sends a [`CallerIdMessage`] as FSK or DTMF into frames.
//! - [`Receiver`]: decodes frames into [`CallerIdMessage`]s.
//!
//! ```
//! use dsp::callerid::{
//!     CallerIdMessage, DateTime, FskConfig, Generator, Number, Receiver, Signalling,
//! };
//!
//! let msg = CallerIdMessage {
//!     date_time: Some(DateTime::new(5, 17, 9, 30).unwrap()),
//!     number: Some(Number::try_from("5551234").unwrap()),
//!     ..Default::default()
//! };
//! let mut tx = Generator::new(Signalling::Fsk(FskConfig::bellcore()));
//! let mut rx = Receiver::default();
//! tx.send(&msg).unwrap();
//! let mut frame = [0i16; dsp::FRAME_SAMPLES];
//! while !tx.is_idle() {
//!     tx.fill(&mut frame);
//!     rx.process(&frame);
//! }
//! assert_eq!(rx.poll_message(), Some(Ok(msg)));
//! ```

pub mod dtmf_clip;
pub mod fsk;
mod generator;
pub mod message;
mod receiver;

pub use dtmf_clip::{ClipStart, DtmfClipError};
pub use fsk::FskStandard;
pub use generator::{DtmfClipConfig, FskConfig, Generator, GeneratorError, Signalling};
pub use message::{
    Absence, CallerIdMessage, DateTime, EncodeError, Format, MessageError, Name, Number,
};
pub use receiver::{
    ReceiveError, Receiver, ReceiverConfig, DTMF_TIMEOUT_MS, MAX_GAP_BITS, MIN_MARK_BITS,
};

#[cfg(test)]
mod tests;
