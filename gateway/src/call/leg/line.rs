//! Line legs: the party on a line port (FXO today: the PSTN; FXS next: a phone).
//!
//! The port itself ([`Line`]) lives as long as the box: it rings, is tested from
//! the console and holds its configuration whether or not a call uses it. A
//! [`LineLeg`] is one call's use of it: it turns the port machine's events into
//! [`LegEvent`]s and moves the port's frames. The line is frame-clocked: its
//! deadlines are checked on every 20 ms frame, so the leg has no timeout of
//! its own. Digits on a line are in band; the peer's media renders them.

use std::collections::VecDeque;
use std::time::Instant;

use drivers::{Frame, PortId};
use tracing::warn;

use super::{
    DigitOut, DigitTone, EndCause, FrameClock, Hangup, Leg, LegError, LegEvent, LegId, Technologies,
};
use crate::config::PortConfig;
use crate::line::{FxoError, FxoEvent, FxoPort, LinePort, TestOutcome};

/// A line port: its configuration, its signalling machine, the leg using it.
#[derive(Debug)]
pub(crate) struct Line {
    /// `[[ports]]` entry (ANI and inbound URI change live).
    pub config: PortConfig,
    /// FXO or FXS signalling, by `config.kind`.
    pub port: LinePort,
    /// The leg of the call using the port.
    pub leg: Option<LegId>,
    /// The last console test's result (`show ports`).
    pub last_test: Option<TestOutcome>,
}

impl Line {
    /// Free for a new outbound call: an idle FXO port no leg holds (a port
    /// under test or an FXS port is not free).
    pub(crate) fn is_free_fxo(&self) -> bool {
        self.leg.is_none() && self.port.fxo().is_some_and(FxoPort::is_idle)
    }
}

/// The line card's frames of this tick, by port.
#[derive(Debug)]
pub(crate) struct LineFrames<'a> {
    /// What each port sent.
    pub rx: &'a [Frame],
    /// What each port will be sent.
    pub tx: &'a mut [Frame],
}

/// One call's use of a line port.
#[derive(Debug)]
pub(crate) struct LineLeg {
    port: PortId,
    events: VecDeque<LegEvent>,
}

impl LineLeg {
    /// A leg on `port` (the caller marks the port as held by it).
    pub(crate) fn new(port: PortId) -> Self {
        LineLeg {
            port,
            events: VecDeque::new(),
        }
    }

    /// The port.
    pub(crate) fn port(&self) -> PortId {
        self.port
    }

    /// An event of the port's machine while this leg holds it.
    pub(crate) fn handle_port_event(&mut self, event: FxoEvent) {
        let mapped = match event {
            FxoEvent::Ringback => LegEvent::Alerting,
            FxoEvent::Answered => LegEvent::Answered,
            FxoEvent::Busy => LegEvent::Ended(EndCause::Busy),
            FxoEvent::Reorder => LegEvent::Ended(EndCause::Reorder),
            FxoEvent::NoAnswer => LegEvent::Ended(EndCause::NoAnswer),
            FxoEvent::Disconnected => LegEvent::Ended(EndCause::FarEndHangup),
            FxoEvent::RingingStopped => LegEvent::Ended(EndCause::CallerGaveUp),
            // A port held by a leg is not idle: it cannot start ringing anew.
            FxoEvent::IncomingRing => return,
        };
        self.events.push_back(mapped);
    }

    fn line<'t>(&self, tech: &'t mut Technologies) -> Option<&'t mut Line> {
        tech.lines.get_mut(self.port.index())
    }

    fn free(&mut self, tech: &mut Technologies) {
        let Some(line) = self.line(tech) else {
            return;
        };
        line.port.hang_up();
        line.leg = None;
    }
}

impl Leg for LineLeg {
    fn answer(
        &mut self,
        _now: Instant,
        tech: &mut Technologies,
        _near: Option<usize>,
    ) -> Result<(), LegError> {
        let line = self
            .line(tech)
            .ok_or(LegError::Line(FxoError::NotRinging("no such port")))?;
        Ok(line.port.answer()?)
    }

    fn alert(&mut self, _now: Instant, _tech: &mut Technologies) {
        // A line rings by itself (FXO) or will be rung by its FXS machine.
    }

    fn hang_up(&mut self, _now: Instant, tech: &mut Technologies, _how: Hangup) {
        self.free(tech);
    }

    fn release(&mut self, _now: Instant, tech: &mut Technologies) {
        self.free(tech);
    }

    fn start_media(&mut self, _now: Instant, _tech: &mut Technologies) {}

    fn send_digit(&mut self, _digit: DigitOut) {}

    fn play_digit(&mut self, digit: DigitTone) {
        // A line's audio is the peer's to shape; nothing renders here yet.
        warn!(port = %self.port, ?digit, "a line leg does not render digits");
    }

    fn frame_clock(&self) -> FrameClock {
        FrameClock::Line
    }

    fn read_frame(&mut self, frames: &LineFrames<'_>, out: &mut Frame) {
        match frames.rx.get(self.port.index()) {
            Some(rx) => out.copy_from_slice(rx),
            None => out.fill(0),
        }
    }

    fn write_frame(&mut self, frames: &mut LineFrames<'_>, frame: &Frame) {
        if let Some(tx) = frames.tx.get_mut(self.port.index()) {
            tx.copy_from_slice(frame);
        }
    }

    fn flush(&mut self, _now: Instant, _tech: &mut Technologies) {}

    fn poll_event(&mut self) -> Option<LegEvent> {
        self.events.pop_front()
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}
