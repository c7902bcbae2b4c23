//! The switchboard: the gateway's sans-IO core. It owns every leg and every
//! flow, feeds them what the runtime brings, and merges what they want sent.
//!
//! ```text
//!  runtime ── handle_sip / handle_rtp / handle_line_event / handle_frames / handle_timeout ──▶ Switchboard
//!                                                                                              │
//!        SIP event ─▶ its SIP leg ─┐                 IncomingCall ─▶ new SIP leg ─▶ Bridge::from_sip
//!        port event ─▶ its line leg ┼─ LegEvent ─▶ owning flow ─▶ Desk (open/answer/connect/hang up legs)
//!        RTP ─▶ the leg holding the transport        ringing idle port ─▶ new line leg ─▶ Bridge::from_line
//!                                                                                              │
//!  runtime ◀── poll_sip / poll_rtp / poll_line_command / poll_notification / poll_finished ────┘
//!              poll_timeout = earliest of SIP's, every flow's and every leg's
//! ```
//!
//! Every 20 ms (`handle_frames`, `media.rs`) the media of each connected
//! flow's legs moves by their frame clocks: packet legs are written, digits
//! and timers run, packets go out, packet legs are read and line legs
//! written; then every line port's signalling machine runs its frame.
//!
//! The places where calls start are `on_incoming_call` (an IP client's
//! INVITE) and `on_ring` (a ringing idle port), both in `events.rs`.

mod events;
mod media;
mod port_test;
#[cfg(test)]
mod tests;
mod views;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use drivers::{LineCommand, LineEvent, PortId};
use dsp::tone::Plan;
use sip::Endpoint;
use tracing::{debug, info, warn};

use super::flow::{AnyFlow, Desk, Dialplan, FlowId, Records};
use super::leg::{LegId, Legs, Line, SipSide, Technologies};
use super::record::FinishedCall;
use crate::config::{Config, PortKindConfig};
use crate::line::{FxoPort, FxoTimings, FxsPort, FxsTimings, LinePort, TestReport};
use crate::media::session::RtpQueue;
use crate::media::{RtpOut, TransportId, TransportPool};
use crate::notify::Notification;

/// The core. See the module documentation.
#[derive(Debug)]
pub struct Switchboard {
    config: Arc<Config>,
    legs: Legs,
    flows: BTreeMap<FlowId, AnyFlow>,
    /// Which flow owns each leg.
    owner: HashMap<LegId, FlowId>,
    next_flow: u32,
    dialplan: Dialplan,
    records: Records,
    /// Finished console port tests (`test line`, `ring`).
    test_reports: VecDeque<TestReport>,
}

impl Switchboard {
    /// A core for `config`, with SIP bound at `sip_addr` and the runtime's RTP
    /// transports at `rtp_addrs` (transport `n`'s RTP socket at `rtp_addrs[n]`,
    /// RTCP on the next port). `seed` keys tags, nonces, SSRCs and sequence
    /// numbers: [`sip::Seed::from_os`] in service, a fixed `u64` for
    /// reproducible tests.
    pub fn new(
        config: Arc<Config>,
        sip_addr: SocketAddr,
        rtp_addrs: &[SocketAddr],
        seed: impl Into<sip::Seed>,
    ) -> Self {
        let seed = seed.into();
        let plan: Plan = config.board.tones.parse().unwrap_or(Plan::NorthAmerica);
        let timings = FxoTimings {
            dial_tone_wait: ms(config.line.dial_tone_wait_ms),
            no_answer: ms(config.line.no_answer_timeout_ms),
            digit: ms(config.line.dial_digit_ms),
            ..FxoTimings::default()
        };
        let lines = config
            .ports
            .iter()
            .map(|p| Line {
                config: p.clone(),
                port: match p.kind {
                    PortKindConfig::Fxo => LinePort::Fxo(FxoPort::new(plan, timings)),
                    PortKindConfig::Fxs => LinePort::Fxs(FxsPort::new(FxsTimings::default())),
                },
                leg: None,
                last_test: None,
            })
            .collect();
        let endpoint = Endpoint::new(config.sip.endpoint_config(sip_addr), seed);
        let tech = Technologies {
            sip: SipSide::new(
                endpoint,
                sip_addr,
                sip::IdGenerator::new(seed.derive(0x5353_5243)),
            ),
            lines,
            pool: TransportPool::new(rtp_addrs),
            rtp_out: RtpQueue::new(),
            line_out: VecDeque::new(),
            media: config.media.clone(),
            ended_packets: (0, 0),
        };
        Switchboard {
            legs: Legs::new(tech),
            flows: BTreeMap::new(),
            owner: HashMap::new(),
            next_flow: 1,
            dialplan: Dialplan::from_config(&config),
            records: Records::default(),
            test_reports: VecDeque::new(),
            config,
        }
    }

    // ---- inputs -------------------------------------------------------------

    /// A SIP datagram arrived.
    pub fn handle_sip(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        self.endpoint().handle_datagram(now, source, data);
        self.drain_sip(now);
    }

    /// A SIP message framed from the TCP connection with `peer`.
    pub fn handle_sip_stream(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        self.endpoint().handle_stream_message(now, peer, data);
        self.drain_sip(now);
    }

    /// The SIP core's transport bookkeeping for the runtime: TCP connections
    /// opened and closed, and those to close (`poll_close`). Raises no events.
    pub fn sip_transport(&mut self) -> &mut Endpoint {
        self.endpoint()
    }

    fn endpoint(&mut self) -> &mut Endpoint {
        &mut self.legs.tech.sip.endpoint
    }

    /// An RTP datagram arrived on transport `transport`'s RTP socket at `now`.
    pub fn handle_rtp(
        &mut self,
        now: Instant,
        transport: TransportId,
        source: SocketAddr,
        data: &[u8],
    ) {
        let Some(media) = self
            .legs
            .by_transport(transport)
            .and_then(|leg| leg.media_mut())
        else {
            return;
        };
        if let Err(e) = media.receive(now, source, data) {
            debug!(%transport, %source, error = %e, "RTP datagram ignored");
        }
    }

    /// An RTCP datagram arrived on transport `transport`'s RTCP socket.
    pub fn handle_rtcp(
        &mut self,
        now: Instant,
        transport: TransportId,
        source: SocketAddr,
        data: &[u8],
    ) {
        if let Some(media) = self
            .legs
            .by_transport(transport)
            .and_then(|leg| leg.media_mut())
        {
            media.receive_rtcp(now, source, data);
        }
    }

    /// The line card reported an event.
    pub fn handle_line_event(&mut self, now: Instant, port: PortId, event: LineEvent) {
        debug!(%port, ?event, "line event");
        if let Some(line) = self.legs.tech.lines.get_mut(port.index()) {
            line.port.handle_line_event(now, event);
        }
        self.drain_ports(now);
    }

    /// Caller ID for `port` that the line interface decoded itself (a voice
    /// modem's report): the ringing call's INVITE carries it, as if the port had
    /// decoded it from the line's audio.
    pub fn handle_caller_id(
        &mut self,
        now: Instant,
        port: PortId,
        message: dsp::callerid::CallerIdMessage,
    ) {
        let taken = self
            .legs
            .tech
            .lines
            .get_mut(port.index())
            .and_then(|l| l.port.fxo_mut())
            .is_some_and(|fxo| fxo.set_caller_id(now, message));
        debug!(%port, taken, "caller ID from the line interface");
        self.drain_ports(now);
    }

    /// Let time pass for SIP's and the flows' timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.endpoint().handle_timeout(now);
        self.fire_timers(now);
        self.drain_sip(now);
    }

    /// The gateway is stopping `now`: every call's media ends with its RTCP
    /// BYE (RFC 3550 §6.6), queued for [`Switchboard::poll_rtp`] so the runtime
    /// can send it before it closes the sockets. The calls themselves stay.
    pub fn close_media(&mut self, now: Instant) {
        self.legs.close_media(now);
    }

    // ---- outputs ------------------------------------------------------------

    /// When [`Switchboard::handle_timeout`] must next be called: the earliest
    /// of SIP's timers, every flow's and every leg's (line frames drive the
    /// rest).
    pub fn poll_timeout(&self) -> Option<Instant> {
        let flows = self
            .flows
            .values()
            .filter_map(|f| f.as_flow_ref().poll_timeout());
        [
            self.legs.tech.sip.endpoint.poll_timeout(),
            self.legs.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .chain(flows)
        .min()
    }

    /// A SIP datagram to send.
    pub fn poll_sip(&mut self) -> Option<sip::Transmit> {
        self.endpoint().poll_transmit()
    }

    /// An RTP or RTCP packet to send, and the transport whose socket sends it.
    pub fn poll_rtp(&mut self) -> Option<RtpOut> {
        self.legs.tech.rtp_out.pop_front()
    }

    /// A call that ended, for the call records.
    pub fn poll_finished(&mut self) -> Option<FinishedCall> {
        self.records.finished.pop_front()
    }

    /// A call event or command for webhooks and event streams.
    pub fn poll_notification(&mut self) -> Option<Notification> {
        self.records.notifications.pop_front()
    }

    /// A command for the line card.
    pub fn poll_line_command(&mut self) -> Option<(PortId, LineCommand)> {
        self.legs.tech.line_out.pop_front()
    }

    /// The address SIP is bound to.
    pub fn sip_addr(&self) -> SocketAddr {
        self.legs.tech.sip.addr
    }

    // ---- management ---------------------------------------------------------

    /// Take the settings that apply live from `config` (already validated, same
    /// ports): routes, DTMF command tables and the ports' ANIs and inbound URIs.
    /// Calls in progress keep the command table they started with; new calls use
    /// the new settings. Nothing else changes (the caller restarts for the rest).
    pub fn reconfigure(&mut self, config: Arc<Config>) {
        self.dialplan.reconfigure(&config);
        for (line, new) in self.legs.tech.lines.iter_mut().zip(&config.ports) {
            line.config.ani.clone_from(&new.ani);
            line.config.inbound_uri.clone_from(&new.inbound_uri);
        }
        self.config = config;
    }

    /// Hang up the call on `port` from the management side: BYE (or CANCEL, or
    /// a 480 to an IP client still waiting) and the port goes on hook. Returns the
    /// call's Call-ID, `None` when the port has no call.
    pub fn hang_up_port(&mut self, now: Instant, port: PortId) -> Option<String> {
        let leg = self.legs.tech.lines.get(port.index())?.leg?;
        let id = *self.owner.get(&leg)?;
        let flow = self.flows.get_mut(&id)?.as_flow();
        let call_id = flow.call_id().to_string();
        let mut desk = Desk {
            legs: &mut self.legs,
            records: &mut self.records,
            dialplan: &self.dialplan,
        };
        flow.hang_up(now, &mut desk, "operator-hangup");
        self.drop_if_over(id);
        Some(call_id)
    }

    /// SIP registrations of the configured accounts: user and its live bindings.
    pub fn registrations(&self, now: Instant) -> Vec<(String, Vec<sip::registrar::Binding>)> {
        let registrar = self.legs.tech.sip.endpoint.registrar();
        self.config
            .sip
            .accounts
            .iter()
            .map(|a| (a.user.clone(), registrar.bindings(now, &a.user)))
            .collect()
    }

    /// Register the ports' addresses-of-record with the `[[sip.upstream]]`
    /// registrars (once, at start; the SIP core refreshes and retries).
    pub fn register_upstream(&mut self, now: Instant) {
        for registration in self.config.sip.upstream_registrations(&self.config.ports) {
            let aor = registration.aor.to_string();
            let registrar = registration.registrar;
            match self.legs.tech.sip.endpoint.register(now, registration) {
                Ok(_) => info!(%aor, %registrar, "registering with upstream registrar"),
                Err(e) => warn!(%aor, %registrar, error = %e, "cannot register upstream"),
            }
        }
        self.drain_sip(now);
    }

    /// Our own registrations with upstream registrars and where each stands
    /// (for the console's `show sip registrations`).
    pub fn upstream_registrations(&self) -> Vec<sip::RegistrationInfo> {
        self.legs.tech.sip.endpoint.registrations()
    }

    // ---- flows --------------------------------------------------------------

    /// Keep a new flow and note which legs it owns.
    fn add_flow(&mut self, flow: AnyFlow) {
        let id = FlowId(self.next_flow);
        self.next_flow += 1;
        for leg in flow.as_flow_ref().legs() {
            self.owner.insert(leg, id);
        }
        self.flows.insert(id, flow);
    }

    /// Forget a flow that is over (its legs are gone already).
    fn drop_if_over(&mut self, id: FlowId) {
        if self
            .flows
            .get(&id)
            .is_some_and(|f| f.as_flow_ref().is_over())
        {
            self.flows.remove(&id);
            self.owner.retain(|_, owner| *owner != id);
        }
    }

    /// Fire every flow's due timers.
    fn fire_timers(&mut self, now: Instant) {
        let mut over = false;
        for flow in self.flows.values_mut() {
            let flow = flow.as_flow();
            if flow.poll_timeout().is_some_and(|t| t <= now) {
                let mut desk = Desk {
                    legs: &mut self.legs,
                    records: &mut self.records,
                    dialplan: &self.dialplan,
                };
                flow.handle_timeout(now, &mut desk);
                over |= flow.is_over();
            }
        }
        if over {
            self.drop_over_flows();
        }
    }

    fn drop_over_flows(&mut self) {
        self.flows.retain(|_, f| !f.as_flow_ref().is_over());
        let flows = &self.flows;
        self.owner.retain(|_, id| flows.contains_key(id));
    }
}

fn ms(v: u32) -> std::time::Duration {
    std::time::Duration::from_millis(u64::from(v))
}
