//! Legs: one party of a call, behind one interface whatever it is.
//!
//! A leg is what Asterisk calls a channel: a line port's party (`line.rs`, FXO
//! today, FXS next) or an IP client reached by SIP (`sip.rs`, either
//! direction). Every kind implements [`Leg`]: answer, alert, hang up, send a
//! digit, read and write 20 ms frames, `poll_event`, `poll_timeout`. Flows
//! (`super::flow`) connect legs without knowing which kind they hold, so a
//! bridge works line↔SIP, SIP↔SIP or line↔line alike.
//!
//! ```text
//!             LegEvent (Alerting, Answered, Digit, Overheard, Ended)
//!   Leg ───────────────────────────────────────────────────────────▶ flow
//!    ▲  answer / alert / hang_up / send_digit / play_digit / frames      │
//!    └───────────────────────────────────────────────────────────────────┘
//! ```
//!
//! A leg holds no socket and no line card: the technology behind it (the SIP
//! endpoint, the line ports, the pool of RTP transports) is lent to it in
//! [`Technologies`] on each call, and the switchboard owns it. A SIP leg's
//! media goes through a [`MediaTransport`](crate::media::MediaTransport) taken
//! from the pool, never through a line port.
//!
//! Frames move by the leg's [`FrameClock`]: a line's frame from the card is
//! there at the start of the tick and what it must send is taken at the end;
//! a packet leg (SIP) is written first and read after, so its media session
//! sees the frame it sends before it plays the next one (the line echo
//! canceller's reference depends on that order).

mod line;
mod sip;
pub(crate) mod table;

use std::fmt;
use std::time::Instant;

use drivers::Frame;
use dsp::dtmf::{Digit, DtmfEvent};

pub(crate) use line::{Line, LineFrames, LineLeg};
pub(crate) use sip::{OpenSipError, OutgoingSip, SipLeg, SipSide};
pub(crate) use table::{Legs, Technologies};

use crate::command::MAX_SEQUENCE;

/// One leg of a call, unique for the core's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct LegId(pub u32);

impl fmt::Display for LegId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "leg{}", self.0)
    }
}

/// What a leg reports to the flow that owns it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LegEvent {
    /// The party is being alerted (a SIP 18x, ringback heard on a line).
    Alerting,
    /// The party answered (a SIP 200 with a usable answer, answer on a line).
    Answered,
    /// A digit from the leg's own party: RFC 4733 start (`Some`) or end
    /// (`None`), or a whole digit sent by SIP INFO (`whole`).
    Digit { digit: Option<Digit>, whole: bool },
    /// A digit detected in the audio written to the leg (the peer's in-band
    /// digit), already squelched from what the party hears.
    Overheard(DtmfEvent),
    /// The leg is over on its party's side; it only waits to be released.
    Ended(EndCause),
}

/// Why a leg ended on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndCause {
    /// The line's far end was busy.
    Busy,
    /// Reorder tone (number unobtainable, congestion).
    Reorder,
    /// No answer in the configured time.
    NoAnswer,
    /// The line's far end hung up.
    FarEndHangup,
    /// The line stopped ringing before it was answered.
    CallerGaveUp,
    /// The IP client hung up (BYE).
    ClientBye,
    /// Our own BYE completed.
    GatewayBye,
    /// The IP client cancelled its INVITE.
    ClientCancel,
    /// The IP client refused or failed our INVITE.
    ClientFailed(u16),
    /// The IP client's answer had no usable media (we hung up).
    BadAnswer,
}

impl EndCause {
    /// The end reason in call records.
    pub(crate) fn reason(self) -> String {
        match self {
            EndCause::Busy => "busy".into(),
            EndCause::Reorder => "reorder".into(),
            EndCause::NoAnswer => "no-answer".into(),
            EndCause::FarEndHangup => "far-end-hangup".into(),
            EndCause::CallerGaveUp => "caller-gave-up".into(),
            EndCause::ClientBye => "client-bye".into(),
            EndCause::GatewayBye => "gateway-bye".into(),
            EndCause::ClientCancel => "client-cancel".into(),
            EndCause::ClientFailed(status) => format!("client-failed {status}"),
            EndCause::BadAnswer => "bad-answer-sdp".into(),
        }
    }
}

/// How a leg is told to end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hangup {
    /// End it the normal way: BYE, CANCEL, on hook.
    Normal,
    /// Refuse a call that was offered and not answered: a SIP final response
    /// (an answered or outgoing SIP leg, or a line, ends normally instead).
    Refuse {
        /// SIP status.
        status: u16,
        /// Reason phrase.
        reason: &'static str,
    },
}

/// A digit a leg sends its party as an event (RFC 4733 on SIP; lines carry
/// digits in band, so a line leg ignores these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DigitOut {
    /// A digit starts now (its end follows).
    Start(Digit),
    /// The digit that started ended after `duration` (8 kHz units).
    End { duration: u32 },
    /// Digits that were held back, sent late with a default duration.
    Late(heapless::Vec<Digit, MAX_SEQUENCE>),
}

/// A digit a leg renders as tone in the audio it reads out (toward the peer):
/// how an IP client's RFC 4733 digit reaches a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DigitTone {
    /// Play this digit until told to stop.
    Play(Digit),
    /// Stop the digit being played.
    Stop,
    /// Play these digits one after the other, with standard durations.
    Queue(heapless::Vec<Digit, MAX_SEQUENCE>),
}

/// When a leg's frame is ready: see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FrameClock {
    /// A line card frame: read at the start of the tick, written at its end.
    Line,
    /// A packet stream: written first, then read.
    Packet,
}

/// A leg cannot do what it was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum LegError {
    /// The line is no longer ringing (or not an FXO port).
    #[error("line not answerable: {0}")]
    Line(#[from] crate::line::FxoError),
    /// The SIP core refused.
    #[error("SIP: {0}")]
    Sip(String),
    /// No RTP transport is free.
    #[error(transparent)]
    NoTransport(#[from] crate::media::transport::PoolExhausted),
    /// The leg has nothing to answer with (no offer agreed).
    #[error("nothing to answer")]
    NothingToAnswer,
}

/// What every kind of leg does. `tech` is lent by the switchboard; see the
/// module documentation.
pub(crate) trait Leg {
    /// Answer the party's call (a line going off hook, a SIP 200 with our SDP
    /// answer). `near` is a line port the leg is bridged to, if any, whose RTP
    /// transport it prefers.
    fn answer(
        &mut self,
        now: Instant,
        tech: &mut Technologies,
        near: Option<usize>,
    ) -> Result<(), LegError>;
    /// Tell the party its call is being alerted (a SIP 180).
    fn alert(&mut self, now: Instant, tech: &mut Technologies);
    /// End the leg toward its party and free what it holds.
    fn hang_up(&mut self, now: Instant, tech: &mut Technologies, how: Hangup);
    /// Free what the leg holds after it ended on its own ([`LegEvent::Ended`]).
    fn release(&mut self, now: Instant, tech: &mut Technologies);
    /// Start the leg's media: the leg is now bridged.
    fn start_media(&mut self, now: Instant, tech: &mut Technologies);
    /// Send a digit to the party as an event.
    fn send_digit(&mut self, digit: DigitOut);
    /// Render a digit as tone toward the peer.
    fn play_digit(&mut self, digit: DigitTone);
    /// Which way its frames are clocked.
    fn frame_clock(&self) -> FrameClock;
    /// The 20 ms frame the party sent (silence if none).
    fn read_frame(&mut self, frames: &LineFrames<'_>, out: &mut Frame);
    /// The 20 ms frame the party must hear.
    fn write_frame(&mut self, frames: &mut LineFrames<'_>, frame: &Frame);
    /// Hand this tick's media to the leg's transport.
    fn flush(&mut self, now: Instant, tech: &mut Technologies);
    /// The next event for the flow.
    fn poll_event(&mut self) -> Option<LegEvent>;
    /// When the leg must next be woken (`None`: frames and input drive it).
    fn poll_timeout(&self) -> Option<Instant>;
}

/// Every kind of leg, held by the switchboard's leg table.
#[derive(Debug)]
pub(crate) enum AnyLeg {
    /// A line port's party.
    Line(LineLeg),
    /// An IP client.
    Sip(Box<SipLeg>),
}

impl AnyLeg {
    /// The leg behind the common interface.
    pub(crate) fn as_leg(&mut self) -> &mut dyn Leg {
        match self {
            AnyLeg::Line(l) => l,
            AnyLeg::Sip(s) => s.as_mut(),
        }
    }

    /// The leg behind the common interface, read-only.
    pub(crate) fn as_leg_ref(&self) -> &dyn Leg {
        match self {
            AnyLeg::Line(l) => l,
            AnyLeg::Sip(s) => s.as_ref(),
        }
    }

    /// The line port, for a line leg.
    pub(crate) fn port(&self) -> Option<drivers::PortId> {
        match self {
            AnyLeg::Line(l) => Some(l.port()),
            AnyLeg::Sip(_) => None,
        }
    }

    /// The SIP leg, if it is one.
    pub(crate) fn sip(&self) -> Option<&SipLeg> {
        match self {
            AnyLeg::Sip(s) => Some(s),
            AnyLeg::Line(_) => None,
        }
    }
}
