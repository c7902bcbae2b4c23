//! Line signalling above the driver trait: what the gateway does with a port's
//! electrical events and its call-progress audio.

pub mod fxo;

pub use fxo::{FxoEvent, FxoPort, FxoTimings};
