//! The leg table: every live leg by id, and the technologies they run on.
//!
//! Flows reach legs only through [`Legs`]: open one (a line dialling out, a
//! ringing line, an incoming or outgoing SIP call), answer, alert, connect,
//! send digits, hang up. A leg that was hung up or released leaves the table
//! at once; its id is never reused.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::Instant;

use drivers::{Frame, LineCommand, PortId};
use sip::CallHandle;
use tracing::{info, warn};

use super::sip::OpenSipError;
use super::{
    AnyLeg, DigitOut, DigitTone, FrameClock, Hangup, LegError, LegEvent, LegId, Line, LineFrames,
    LineLeg, OutgoingSip, SipLeg, SipSide,
};
use crate::call::settings::CallSettings;
use crate::config::MediaConfig;
use crate::line::FxoError;
use crate::media::session::RtpQueue;
use crate::media::{Negotiated, TransportId, TransportPool};

/// What legs run on, lent to them on each call.
#[derive(Debug)]
pub(crate) struct Technologies {
    /// SIP: the UA core, INFO bookkeeping, stream ids.
    pub sip: SipSide,
    /// The line ports, by index.
    pub lines: Vec<Line>,
    /// The RTP transports.
    pub pool: TransportPool,
    /// RTP and RTCP to send, across all legs.
    pub rtp_out: RtpQueue,
    /// Commands for the line card.
    pub line_out: VecDeque<(PortId, LineCommand)>,
    /// Media settings for new sessions.
    pub media: MediaConfig,
    /// RTP packets sent and received by media that ended (`show stats`).
    pub ended_packets: (u64, u64),
}

impl Technologies {
    /// A SIP leg's media ends: its RTCP BYE goes out (RFC 3550 §6.6) and its
    /// packets join the totals.
    pub(crate) fn close_media(&mut self, now: Instant, media: crate::media::MediaSession) {
        let s = media.stats();
        self.ended_packets.0 += s.packets_sent;
        self.ended_packets.1 += s.packets_received;
        media.close(now, &mut self.rtp_out);
    }
}

/// A line could not be opened for an outbound call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum OpenLineError {
    /// Every port the route allows is busy, under test, or not FXO.
    #[error("all lines busy")]
    AllBusy,
    /// The port refused to dial the number.
    #[error("cannot dial: {0}")]
    Dial(FxoError),
}

/// The live legs.
#[derive(Debug)]
pub(crate) struct Legs {
    /// What they run on.
    pub tech: Technologies,
    table: BTreeMap<LegId, AnyLeg>,
    by_call: HashMap<CallHandle, LegId>,
    next: u32,
}

impl Legs {
    /// No legs yet.
    pub(crate) fn new(tech: Technologies) -> Self {
        Legs {
            tech,
            table: BTreeMap::new(),
            by_call: HashMap::new(),
            next: 1,
        }
    }

    fn add(&mut self, leg: AnyLeg) -> LegId {
        let id = LegId(self.next);
        self.next += 1;
        match &leg {
            AnyLeg::Line(l) => {
                if let Some(line) = self.tech.lines.get_mut(l.port().index()) {
                    line.leg = Some(id);
                }
            }
            AnyLeg::Sip(s) => {
                self.by_call.insert(s.call(), id);
            }
        }
        self.table.insert(id, leg);
        id
    }

    fn remove(&mut self, id: LegId) -> Option<AnyLeg> {
        let leg = self.table.remove(&id)?;
        if let AnyLeg::Sip(s) = &leg {
            self.by_call.remove(&s.call());
        }
        Some(leg)
    }

    /// A leg for the ringing line `port`.
    pub(crate) fn open_ringing_line(&mut self, port: PortId) -> LegId {
        self.add(AnyLeg::Line(LineLeg::new(port)))
    }

    /// Seize the first free FXO port among `ports` and dial `number` on it.
    pub(crate) fn open_line(
        &mut self,
        now: Instant,
        ports: &[u8],
        number: &str,
    ) -> Result<LegId, OpenLineError> {
        let lines = &mut self.tech.lines;
        let index = ports
            .iter()
            .map(|p| usize::from(*p))
            .find(|&i| lines.get(i).is_some_and(Line::is_free_fxo))
            .ok_or(OpenLineError::AllBusy)?;
        let fxo = lines
            .get_mut(index)
            .and_then(|l| l.port.fxo_mut())
            .ok_or(OpenLineError::AllBusy)?;
        fxo.dial(now, number).map_err(OpenLineError::Dial)?;
        Ok(self.add(AnyLeg::Line(LineLeg::new(PortId(index as u8)))))
    }

    /// A leg for an incoming SIP call whose offer agreed as `agreed`.
    pub(crate) fn open_incoming_sip(&mut self, call: CallHandle, agreed: Negotiated) -> LegId {
        let leg = SipLeg::incoming(call, agreed, &self.tech.media);
        self.add(AnyLeg::Sip(Box::new(leg)))
    }

    /// Call an IP client; returns the leg and the call's Call-ID.
    pub(crate) fn open_sip(
        &mut self,
        now: Instant,
        request: OutgoingSip,
    ) -> Result<(LegId, String), OpenSipError> {
        let (leg, call_id) = SipLeg::outgoing(now, &mut self.tech, request)?;
        Ok((self.add(AnyLeg::Sip(Box::new(leg))), call_id))
    }

    /// The leg, if it is still there.
    pub(crate) fn get(&self, id: LegId) -> Option<&AnyLeg> {
        self.table.get(&id)
    }

    /// The first live leg after `after` (a walk that tolerates legs leaving).
    pub(crate) fn next_after(&self, after: std::ops::Bound<LegId>) -> Option<LegId> {
        self.table
            .range((after, std::ops::Bound::Unbounded))
            .next()
            .map(|(id, _)| *id)
    }

    /// How many legs are live.
    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// The leg of a SIP call.
    pub(crate) fn by_call(&self, call: CallHandle) -> Option<LegId> {
        self.by_call.get(&call).copied()
    }

    /// The leg holding a transport (a handful of legs: a scan is cheapest).
    pub(crate) fn by_transport(&mut self, transport: TransportId) -> Option<&mut SipLeg> {
        self.table.values_mut().find_map(|leg| match leg {
            AnyLeg::Sip(s) if s.transport().is_some_and(|t| t.id == transport) => Some(s.as_mut()),
            _ => None,
        })
    }

    /// Answer the leg's party.
    pub(crate) fn answer(
        &mut self,
        now: Instant,
        id: LegId,
        near: Option<usize>,
    ) -> Result<(), LegError> {
        let leg = self.table.get_mut(&id).ok_or(LegError::NothingToAnswer)?;
        leg.as_leg().answer(now, &mut self.tech, near)
    }

    /// Tell the leg's party it is being alerted.
    pub(crate) fn alert(&mut self, now: Instant, id: LegId) {
        if let Some(leg) = self.table.get_mut(&id) {
            leg.as_leg().alert(now, &mut self.tech);
        }
    }

    /// Start both legs' media: they are bridged.
    pub(crate) fn connect(&mut self, now: Instant, a: LegId, b: LegId) {
        for id in [a, b] {
            if let Some(leg) = self.table.get_mut(&id) {
                leg.as_leg().start_media(now, &mut self.tech);
            }
        }
        info!(%a, %b, "legs connected");
    }

    /// End the leg toward its party; it leaves the table.
    pub(crate) fn hang_up(&mut self, now: Instant, id: LegId, how: Hangup) {
        if let Some(mut leg) = self.remove(id) {
            leg.as_leg().hang_up(now, &mut self.tech, how);
        }
    }

    /// Free a leg that ended on its own; it leaves the table.
    pub(crate) fn release(&mut self, now: Instant, id: LegId) {
        if let Some(mut leg) = self.remove(id) {
            leg.as_leg().release(now, &mut self.tech);
        }
    }

    /// Send a digit to the leg's party as an event.
    pub(crate) fn send_digit(&mut self, id: LegId, digit: DigitOut) {
        if let Some(leg) = self.table.get_mut(&id) {
            leg.as_leg().send_digit(digit);
        }
    }

    /// Render a digit as tone in what the leg reads out.
    pub(crate) fn play_digit(&mut self, id: LegId, digit: DigitTone) {
        if let Some(leg) = self.table.get_mut(&id) {
            leg.as_leg().play_digit(digit);
        }
    }

    /// Put the command plane's settings into a SIP leg's media.
    pub(crate) fn apply_settings(&mut self, id: LegId, settings: &CallSettings) {
        if let Some(AnyLeg::Sip(s)) = self.table.get_mut(&id) {
            s.apply_settings(settings);
        }
    }

    /// Send a command's JSON to a SIP leg's client.
    pub(crate) fn send_command(&mut self, now: Instant, id: LegId, body: &serde_json::Value) {
        match self.table.get(&id) {
            Some(AnyLeg::Sip(s)) => s.send_command(now, &mut self.tech.sip, body),
            _ => warn!(%id, "a command can only go to a SIP leg"),
        }
    }

    /// A SIP event for the leg `id`.
    pub(crate) fn handle_sip_event(&mut self, now: Instant, id: LegId, event: sip::Event) {
        if let Some(AnyLeg::Sip(s)) = self.table.get_mut(&id) {
            s.handle_sip_event(now, &mut self.tech, event);
        }
    }

    /// A line port event for the line leg `id`.
    pub(crate) fn handle_port_event(&mut self, id: LegId, event: crate::line::FxoEvent) {
        if let Some(AnyLeg::Line(l)) = self.table.get_mut(&id) {
            l.handle_port_event(event);
        }
    }

    /// The leg's next event.
    pub(crate) fn poll_event(&mut self, id: LegId) -> Option<LegEvent> {
        self.table.get_mut(&id)?.as_leg().poll_event()
    }

    /// When a leg must next be woken.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.table
            .values()
            .filter_map(|l| l.as_leg_ref().poll_timeout())
            .min()
    }

    /// The leg's frame clock (a gone leg reads as a packet leg: silence).
    pub(crate) fn frame_clock(&mut self, id: LegId) -> FrameClock {
        self.table
            .get_mut(&id)
            .map_or(FrameClock::Packet, |l| l.as_leg().frame_clock())
    }

    /// The frame the leg's party sent.
    pub(crate) fn read_frame(&mut self, id: LegId, frames: &LineFrames<'_>, out: &mut Frame) {
        match self.table.get_mut(&id) {
            Some(leg) => leg.as_leg().read_frame(frames, out),
            None => out.fill(0),
        }
    }

    /// The frame the leg's party must hear.
    pub(crate) fn write_frame(&mut self, id: LegId, frames: &mut LineFrames<'_>, frame: &Frame) {
        if let Some(leg) = self.table.get_mut(&id) {
            leg.as_leg().write_frame(frames, frame);
        }
    }

    /// RTP packets sent and received by the live legs' media.
    pub(crate) fn live_packets(&self) -> (u64, u64) {
        self.table
            .values()
            .filter_map(|l| l.sip()?.media())
            .map(|m| m.stats())
            .fold((0, 0), |(s, r), m| {
                (s + m.packets_sent, r + m.packets_received)
            })
    }

    /// Every leg hands this tick's media to its transport.
    pub(crate) fn flush(&mut self, now: Instant) {
        for leg in self.table.values_mut() {
            leg.as_leg().flush(now, &mut self.tech);
        }
    }

    /// The gateway stops: every SIP leg's media ends with its RTCP BYE. The
    /// legs stay.
    pub(crate) fn close_media(&mut self, now: Instant) {
        for leg in self.table.values_mut() {
            if let AnyLeg::Sip(s) = leg {
                if let Some(media) = s.take_media() {
                    self.tech.close_media(now, media);
                }
            }
        }
    }
}
