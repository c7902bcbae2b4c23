//! [`LinePort`]: a port's signalling machine, chosen by its configured kind.
//!
//! Call control reaches the FXO-only operations (dial, answer, caller ID)
//! through [`LinePort::fxo`] / [`LinePort::fxo_mut`], so an FXS port can never
//! be picked for an outbound call or take an inbound one by mistake.

use std::time::Instant;

use drivers::{Frame, LineCommand, LineEvent, PortKind};
use dsp::callerid::CallerIdMessage;

use super::fxo::{FxoError, FxoEvent, FxoPort};
use super::fxs::FxsPort;
use super::port_test::TestOutcome;

/// One port's signalling.
// Built once per port at start and never moved: an FXS port taking the FXO
// machine's size (its DSP detectors, ~5 kB) costs nothing, a box an indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum LinePort {
    /// Toward an exchange.
    Fxo(FxoPort),
    /// Toward a telephone.
    Fxs(FxsPort),
}

impl LinePort {
    /// FXO or FXS.
    pub fn kind(&self) -> PortKind {
        match self {
            LinePort::Fxo(_) => PortKind::Fxo,
            LinePort::Fxs(_) => PortKind::Fxs,
        }
    }

    /// The FXO machine, if this is an FXO port.
    pub fn fxo(&self) -> Option<&FxoPort> {
        match self {
            LinePort::Fxo(p) => Some(p),
            LinePort::Fxs(_) => None,
        }
    }

    /// The FXO machine, if this is an FXO port.
    pub fn fxo_mut(&mut self) -> Option<&mut FxoPort> {
        match self {
            LinePort::Fxo(p) => Some(p),
            LinePort::Fxs(_) => None,
        }
    }

    /// The FXS machine, if this is an FXS port.
    pub fn fxs_mut(&mut self) -> Option<&mut FxsPort> {
        match self {
            LinePort::Fxo(_) => None,
            LinePort::Fxs(p) => Some(p),
        }
    }

    /// The state's name, for the console and the API.
    pub fn state_name(&self) -> &'static str {
        match self {
            LinePort::Fxo(p) => p.state_name(),
            LinePort::Fxs(p) => p.state_name(),
        }
    }

    /// Answer a ringing FXO line; an FXS port is never ringing in that sense.
    pub fn answer(&mut self) -> Result<(), FxoError> {
        match self {
            LinePort::Fxo(p) => p.answer(),
            LinePort::Fxs(p) => Err(FxoError::NotRinging(p.state_name())),
        }
    }

    /// End the port's call ([`FxoPort::hang_up`]); FXS ports carry no calls.
    pub fn hang_up(&mut self) {
        if let LinePort::Fxo(p) = self {
            p.hang_up();
        }
    }

    /// Caller ID of the FXO line's current ringing episode.
    pub fn caller_id(&self) -> Option<&CallerIdMessage> {
        self.fxo().and_then(FxoPort::caller_id)
    }

    /// An electrical event from the driver.
    pub fn handle_line_event(&mut self, now: Instant, event: LineEvent) {
        match self {
            LinePort::Fxo(p) => p.handle_line_event(now, event),
            LinePort::Fxs(p) => p.handle_line_event(now, event),
        }
    }

    /// One frame of line time.
    pub fn process_frame(&mut self, now: Instant, rx: &Frame, tx: &mut Frame) {
        match self {
            LinePort::Fxo(p) => p.process_frame(now, rx, tx),
            LinePort::Fxs(p) => p.process_frame(now, rx, tx),
        }
    }

    /// The next command for the driver.
    pub fn poll_command(&mut self) -> Option<LineCommand> {
        match self {
            LinePort::Fxo(p) => p.poll_command(),
            LinePort::Fxs(p) => p.poll_command(),
        }
    }

    /// The next event for call control (FXO ports only raise any).
    pub fn poll_event(&mut self) -> Option<FxoEvent> {
        self.fxo_mut().and_then(FxoPort::poll_event)
    }

    /// A finished test's result, once.
    pub fn poll_test_result(&mut self) -> Option<TestOutcome> {
        match self {
            LinePort::Fxo(p) => p.poll_test_result().map(TestOutcome::Line),
            LinePort::Fxs(p) => p.poll_test_result().map(TestOutcome::Ring),
        }
    }
}
