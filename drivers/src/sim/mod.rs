//! The simulated board: a virtual telephone exchange behind FXO ports.
//!
//! [`SimExchange`] implements [`crate::LineCard`] so the gateway above it runs the
//! code it runs on hardware. Everything a real exchange tells a telephone arrives
//! the way it would on copper: dial tone, ringback, busy and reorder tones, the far
//! party's voice and DTMF as *audio* in `rx` (tones from `dsp::tone` for the chosen
//! plan), ringing and supervision as [`crate::LineEvent`]s (`RingOn`/`RingOff` on the
//! plan's ring cadence, `PolarityReversal` at answer, `LoopCurrentDrop` at far-end
//! hang-up). What the gateway dials is found by a `dsp::dtmf::Detector` listening
//! to `tx`, as an exchange's digit receiver would.
//!
//! The exchange is sans-IO and frame-clocked: one `exchange_frames` call is 20 ms,
//! and nothing reads a clock, so tests run minutes of calls in milliseconds. The
//! only I/O is optional call recording (`record_dir`) and reading `wav:` sources at
//! construction.
//!
//! Layout:
//! - [`config`]: the `[simulation]` table (serde);
//! - `directory`: its checked, compiled form; [`error`]: typed faults;
//! - `port`: the per-line state machine (diagram there);
//! - `script` / `source`: what a far party does and sends;
//! - [`cadence`]: tone plan and ring cadence; `recorder`: WAV recording;
//! - [`control`]: [`SimControl`], the console's handle (requests + status).

pub mod cadence;
mod caller_id;
pub mod config;
pub mod control;
mod digits;
mod directory;
pub mod error;
mod events;
mod exchange;
mod port;
mod recorder;
mod script;
mod source;

pub use cadence::{RingCadence, TonePlan};
pub use config::{
    Behaviour, HybridEchoConfig, LineConfig, PhoneConfig, ScriptStep, SimConfig, SubscriberConfig,
};
pub use control::{InboundOutcome, InboundReport, LineStatus, SimControl};
pub use digits::{Digits, MAX_DIGITS};
pub use directory::MAX_PORTS;
pub use error::{ConfigPlace, SimConfigError, SimRequestError};
pub use exchange::SimExchange;
pub use script::ANSWER_HANGUP_MS;
pub use source::{DEFAULT_TONE_LEVEL_DBM0, MAX_TONE_FREQUENCIES};
