//! Line signalling through GPIO lines, for SLIC (FXS) and DAA (FXO) line cards.
//!
//! ```text
//!  FXO (DAA, toward an exchange)           FXS (SLIC, toward a phone)
//!  ring detect ─▶ cadence/debounce ─▶ RingOn/RingOff     hook detect ─▶ debounce ─▶ OffHook/OnHook
//!  polarity    ─▶ debounce ─▶ PolarityReversal            ring relay  ◀─ cadence ◀─ StartRinging/StopRinging
//!  loop current─▶ debounce ─▶ LoopCurrentDrop (off hook)              (ring trip: off hook stops it)
//!  hook relay  ◀─ OffHook/OnHook
//! ```
//!
//! The state machines ([`FxoSignalling`], [`FxsSignalling`]) are sans-IO: they take
//! input levels and commands with `now`, and say which relay level they want, which
//! [`crate::LineEvent`]s they saw and when they next need [`FxoSignalling::handle_timeout`]
//! / [`FxsSignalling::handle_timeout`]. They build on `board::gpio`'s
//! [`board::gpio::Debouncer`] and [`board::gpio::RingCadenceQualifier`].
//! [`GpioSignalling`] is the thin I/O shell over `board::gpio::{InputLine,
//! OutputLine}`: the Linux character-device lines on a box, the simulated twins in
//! tests.
//!
//! Sampling: level inputs (hook, polarity, loop current, a ring detector with a
//! filtered "ring present" output) are fine sampled once per 20 ms frame. A ring
//! detector that pulses at the ring frequency needs a sample every 5 ms or faster
//! ([`RingDetect::Pulses`]); call [`GpioSignalling::poll`] that often.

pub mod config;
mod fxo;
mod fxs;
mod port;

pub use config::{
    FxoGpioConfig, FxsGpioConfig, GpioLineConfig, GpioSignallingConfig, RingCadenceMs, RingDetect,
    SlicConfigError,
};
pub use fxo::{FxoInputs, FxoSignalling};
pub use fxs::FxsSignalling;
pub use port::GpioSignalling;

/// A command the port's kind does not take (ringing an FXO port, seizing an FXS one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} does not apply to this kind of port")]
pub struct NotApplicable(pub crate::LineCommand);
