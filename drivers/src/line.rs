//! The line port abstraction: what a line card can do, whatever it is made of.
//!
//! The shape follows the channel-technology interface of Asterisk and FreeSWITCH
//! (hook, ring, audio frames) cut down to what an analog line really signals:
//!
//! ```text
//!   gateway ──LineCommand──▶ LineCard ──▶ FXO/FXS hardware or simulated exchange
//!   gateway ◀──LineEvent──── LineCard ◀──
//!   gateway ◀══ 20 ms Frame ══▶ LineCard   (8 kHz, 16-bit linear, both directions)
//! ```
//!
//! Dialling, dial tone, ringback, busy tone and caller ID travel as *audio*, as on a
//! real line: the gateway generates and detects them with the `dsp` crate. A card
//! only reports what the line's electrical state shows (ring voltage, polarity
//! reversal, loop current, hook state).
//!
//! A card is frame-clocked: every call to [`LineCard::exchange_frames`] moves exactly
//! [`FRAME_DURATION`] of line time. Hardware drivers block on their audio device for
//! that; the simulated exchange is stepped by the caller's timer (or by a test's
//! virtual clock).

use std::fmt;
use std::time::Duration;

/// Line audio sample rate.
pub const SAMPLE_RATE_HZ: u32 = 8000;
/// Samples in one 20 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 160;
/// Line time covered by one frame.
pub const FRAME_DURATION: Duration = Duration::from_millis(20);

/// One 20 ms frame of 8 kHz 16-bit linear audio.
pub type Frame = [i16; FRAME_SAMPLES];

/// A port's index on its card, counted from 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortId(pub u8);

impl PortId {
    /// The port's index as a slice index.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for PortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which side of the analog loop a port sits on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortKind {
    /// Foreign Exchange Office: the port behaves like a telephone toward an exchange.
    Fxo,
    /// Foreign Exchange Station: the port feeds and rings a telephone.
    Fxs,
}

impl fmt::Display for PortKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortKind::Fxo => "FXO",
            PortKind::Fxs => "FXS",
        })
    }
}

/// What the gateway asks a port to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineCommand {
    /// FXO: close the loop (seize the line for a call, or answer a ringing one).
    OffHook,
    /// FXO: open the loop (release the line).
    OnHook,
    /// FXS: apply ringing voltage with the card's cadence.
    StartRinging,
    /// FXS: stop ringing.
    StopRinging,
}

/// What a port reports about its line's electrical state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineEvent {
    /// FXO: ringing voltage appeared (one ring burst begins). Cadence is qualified
    /// above the driver.
    RingOn,
    /// FXO: ringing voltage went away (one ring burst ended).
    RingOff,
    /// FXO: loop polarity reversed; exchanges that give answer supervision do this
    /// when the far end answers.
    PolarityReversal,
    /// FXO: loop current dropped; the exchange's disconnect signal.
    LoopCurrentDrop,
    /// FXS: the phone went off hook.
    OffHook,
    /// FXS: the phone went on hook.
    OnHook,
}

/// A driver fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The port does not exist on this card.
    #[error("no port {0} on this card")]
    NoSuchPort(PortId),
    /// The command does not apply to this kind of port (e.g. ringing an FXO port).
    #[error("command {command:?} is not valid on {kind} port {port}")]
    WrongKind {
        /// The port addressed.
        port: PortId,
        /// Its kind.
        kind: PortKind,
        /// The command refused.
        command: LineCommand,
    },
    /// The frame slices do not have one frame per port.
    #[error("expected {expected} frames (one per port), got {got}")]
    FrameCount {
        /// Ports on the card.
        expected: usize,
        /// Frames passed.
        got: usize,
    },
    /// The hardware failed (audio device, GPIO, serial line).
    #[error("device {device}: {message}")]
    Device {
        /// Device name or path.
        device: String,
        /// What went wrong.
        message: String,
    },
}

/// A line card: a set of ports sharing one audio clock.
pub trait LineCard: Send {
    /// Number of ports; ports are `PortId(0)..PortId(n-1)`.
    fn port_count(&self) -> usize;

    /// The kind of a port, or `None` if it does not exist.
    fn port_kind(&self, port: PortId) -> Option<PortKind>;

    /// Ask a port to change its line state.
    fn command(&mut self, port: PortId, command: LineCommand) -> Result<(), LineError>;

    /// Move one frame of line time: `tx[p]` is the audio the gateway sends into port
    /// `p` during this frame, `rx[p]` receives the audio heard from port `p`'s line.
    /// Both slices hold exactly one frame per port.
    fn exchange_frames(&mut self, tx: &[Frame], rx: &mut [Frame]) -> Result<(), LineError>;

    /// The next line event that happened during the frames exchanged so far.
    fn poll_event(&mut self) -> Option<(PortId, LineEvent)>;
}
