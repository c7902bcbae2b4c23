//! The gateway's sans-IO core: SIP dialogs, line ports and media, glued per call.
//!
//! ```text
//!  to-line call (IP client → PSTN):
//!   INVITE ──▶ route + free FXO port ──▶ FxoPort::dial ─ ringback ─▶ 180
//!                                            └─ answer (polarity) ─▶ 200 + media
//!   busy/reorder/no answer ─▶ 486/404/480     BYE/CANCEL ◀─▶ on hook / loop drop
//!
//!  from-line call (PSTN → IP client):
//!   ring on FXO port ──▶ INVITE to the port's inbound URI ─ 200 ─▶ off hook + media
//!   ringing stops ──▶ CANCEL                  BYE ◀─▶ on hook / loop drop
//!
//!  console port tests (port_test.rs): `test line` seizes an idle FXO port and
//!  listens for dial tone; `ring` rings an idle FXS port ──▶ poll_test_report
//! ```
//!
//! During a call every line frame runs through the call's [`MediaSession`]; digits
//! detected on the line go through the DTMF command [`Recognizer`]: commands become
//! in-dialog SIP INFO, ordinary digits RFC 4733 events.

mod from_line;
mod port_test;
mod to_line;
mod views;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use drivers::{Frame, LineCommand, LineEvent, PortId};
use dsp::dtmf::DtmfEvent;
use dsp::tone::Plan;
use sip::{CallHandle, Endpoint, Event as SipEvent, OutgoingInvite, RequestHandle};
use tracing::{debug, info, warn};

use super::context::CallContext;
use super::route::Routes;
use super::state::{Call, CallState, Direction, FinishedCall};
use crate::command::CommandTable;
use crate::config::{Config, PortConfig, PortKindConfig};
use crate::line::{FxoEvent, FxoPort, FxoTimings, FxsPort, FxsTimings, LinePort, TestOutcome};
use crate::media::negotiation::{self, RemoteAudio};
use crate::media::session::RtpQueue;
use crate::media::{ClientDigit, RtpOut};
use crate::notify::Notification;
use crate::sdp_glue::remote_audio;

#[derive(Debug)]
struct Port {
    config: PortConfig,
    /// FXO or FXS signalling, by `config.kind`.
    line: LinePort,
    call: Option<CallHandle>,
    rtp: SocketAddr,
    /// The last console test's result (`show ports`).
    last_test: Option<TestOutcome>,
}

/// The core. See the module documentation.
#[derive(Debug)]
pub struct Controller {
    config: Arc<Config>,
    sip: Endpoint,
    sip_addr: SocketAddr,
    routes: Routes,
    commands: CommandTable,
    /// Named command tables (`[[command_tables]]`).
    command_tables: HashMap<String, CommandTable>,
    ports: Vec<Port>,
    calls: BTreeMap<CallHandle, Call>,
    /// INFO requests in flight, so a client that refuses INFO gets MESSAGE.
    infos: HashMap<RequestHandle, (CallHandle, Vec<u8>)>,
    rtp_out: RtpQueue,
    line_out: VecDeque<(PortId, LineCommand)>,
    finished: VecDeque<FinishedCall>,
    notifications: VecDeque<Notification>,
    /// Finished console port tests (`test line`, `ring`).
    test_reports: VecDeque<crate::line::TestReport>,
    /// SSRCs and first RTP sequence numbers (RFC 3550 §5.1, §8).
    rng: sip::IdGenerator,
    sdp_version: u64,
    /// Calls that ended, and their RTP, since start (`show stats`).
    ended_totals: crate::call::view::CallTotals,
}

impl Controller {
    /// A core for `config`, with SIP bound at `sip_addr` and port `n`'s RTP socket
    /// at `rtp_addrs[n]`. `seed` keys tags, nonces, SSRCs and sequence numbers:
    /// [`sip::Seed::from_os`] in service, a fixed `u64` for reproducible tests.
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
        let ports = config
            .ports
            .iter()
            .zip(rtp_addrs)
            .map(|(p, rtp)| Port {
                config: p.clone(),
                line: match p.kind {
                    PortKindConfig::Fxo => LinePort::Fxo(FxoPort::new(plan, timings)),
                    PortKindConfig::Fxs => LinePort::Fxs(FxsPort::new(FxsTimings::default())),
                },
                call: None,
                rtp: *rtp,
                last_test: None,
            })
            .collect();
        let sip_config = config.sip.endpoint_config(sip_addr);
        Controller {
            sip: Endpoint::new(sip_config, seed),
            sip_addr,
            routes: Routes::from_config(&config),
            commands: CommandTable::from_config(&config.commands),
            command_tables: config
                .command_tables
                .iter()
                .filter_map(|t| Some((t.name.clone()?, CommandTable::from_config(t))))
                .collect(),
            ports,
            calls: BTreeMap::new(),
            infos: HashMap::new(),
            rtp_out: RtpQueue::new(),
            line_out: VecDeque::new(),
            finished: VecDeque::new(),
            notifications: VecDeque::new(),
            test_reports: VecDeque::new(),
            rng: sip::IdGenerator::new(seed.derive(0x5353_5243)),
            sdp_version: 1,
            ended_totals: Default::default(),
            config,
        }
    }

    // ---- inputs -------------------------------------------------------------

    /// A SIP datagram arrived.
    pub fn handle_sip(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        self.sip.handle_datagram(now, source, data);
        self.drain_sip(now);
    }

    /// A SIP message framed from the TCP connection with `peer`.
    pub fn handle_sip_stream(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        self.sip.handle_stream_message(now, peer, data);
        self.drain_sip(now);
    }

    /// The SIP core's transport bookkeeping for the runtime: TCP connections
    /// opened and closed, and those to close (`poll_close`). Raises no events.
    pub fn sip_transport(&mut self) -> &mut Endpoint {
        &mut self.sip
    }

    /// An RTP datagram arrived on port `port`'s socket at `now`.
    pub fn handle_rtp(&mut self, now: Instant, port: PortId, source: SocketAddr, data: &[u8]) {
        let Some(handle) = self.ports.get(port.index()).and_then(|p| p.call) else {
            return;
        };
        if let Some(media) = self.calls.get_mut(&handle).and_then(|c| c.media.as_mut()) {
            if let Err(e) = media.receive(now, source, data) {
                debug!(%port, %source, error = %e, "RTP datagram ignored");
            }
        }
    }

    /// An RTCP datagram arrived on port `port`'s RTCP socket (RTP port + 1).
    pub fn handle_rtcp(&mut self, now: Instant, port: PortId, source: SocketAddr, data: &[u8]) {
        let Some(handle) = self.ports.get(port.index()).and_then(|p| p.call) else {
            return;
        };
        if let Some(media) = self.calls.get_mut(&handle).and_then(|c| c.media.as_mut()) {
            media.receive_rtcp(now, source, data);
        }
    }

    /// The line card reported an event.
    pub fn handle_line_event(&mut self, now: Instant, port: PortId, event: LineEvent) {
        debug!(%port, ?event, "line event");
        if let Some(p) = self.ports.get_mut(port.index()) {
            p.line.handle_line_event(now, event);
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
            .ports
            .get_mut(port.index())
            .and_then(|p| p.line.fxo_mut())
            .is_some_and(|fxo| fxo.set_caller_id(now, message));
        debug!(%port, taken, "caller ID from the line interface");
        self.drain_ports(now);
    }

    /// One 20 ms frame of line time: `rx[n]` came from port `n`, `tx[n]` is filled
    /// with what to send it next.
    pub fn handle_frames(&mut self, now: Instant, rx: &[Frame], tx: &mut [Frame]) {
        for (i, (rx, tx)) in rx.iter().zip(tx.iter_mut()).enumerate() {
            tx.fill(0);
            let Some(port) = self.ports.get_mut(i) else {
                continue;
            };
            if let Some(handle) = port.call {
                if let Some(call) = self.calls.get_mut(&handle) {
                    let mut digits: heapless::Vec<DtmfEvent, 8> = heapless::Vec::new();
                    if let Some(media) = call.media.as_mut() {
                        media.process_line(rx);
                        while let Some(event) = media.poll_dtmf() {
                            if digits.push(event).is_err() {
                                warn!(port = i, "more DTMF events in one frame than expected");
                            }
                        }
                    }
                    for event in digits {
                        if let Some(body) = call.line_digit(now, &port.config, event) {
                            self.notifications.push_back(notification(
                                call,
                                "command",
                                body.clone(),
                            ));
                            send_command(&mut self.sip, now, handle, body, &mut self.infos);
                        }
                    }
                    let mut from_client: heapless::Vec<ClientDigit, 8> = heapless::Vec::new();
                    if let Some(media) = call.media.as_mut() {
                        while let Some(d) = media.poll_client_digit() {
                            let _ = from_client.push(d);
                        }
                    }
                    for d in from_client {
                        let digit = match d {
                            ClientDigit::Start(digit) => Some(digit),
                            ClientDigit::End => None,
                        };
                        if let Some(body) = call.client_digit(now, &port.config, digit, false) {
                            self.notifications.push_back(notification(
                                call,
                                "command",
                                body.clone(),
                            ));
                            send_command(&mut self.sip, now, handle, body, &mut self.infos);
                        }
                    }
                    call.poll_command_timeout(now);
                    if let Some(media) = call.media.as_mut() {
                        media.transmit(now, &mut self.rtp_out);
                        media.play_to_line(tx);
                    }
                }
            }
            port.line.process_frame(now, rx, tx);
        }
        self.drain_ports(now);
        self.drain_sip(now);
    }

    /// Let time pass for SIP timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.sip.handle_timeout(now);
        self.drain_sip(now);
    }

    /// The gateway is stopping `now`: every call's media ends with its RTCP
    /// BYE (RFC 3550 §6.6), queued for [`Controller::poll_rtp`] so the runtime
    /// can send it before it closes the sockets. The calls themselves stay.
    pub fn close_media(&mut self, now: Instant) {
        for call in self.calls.values_mut() {
            if let Some(media) = call.media.take() {
                media.close(now, &mut self.rtp_out);
            }
        }
    }

    // ---- outputs ------------------------------------------------------------

    /// When [`Controller::handle_timeout`] must next be called (line frames drive
    /// everything else).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.sip.poll_timeout()
    }

    /// A SIP datagram to send.
    pub fn poll_sip(&mut self) -> Option<sip::Transmit> {
        self.sip.poll_transmit()
    }

    /// An RTP packet to send, and the port whose socket sends it.
    pub fn poll_rtp(&mut self) -> Option<RtpOut> {
        self.rtp_out.pop_front()
    }

    /// A call that ended, for the call records.
    pub fn poll_finished(&mut self) -> Option<FinishedCall> {
        self.finished.pop_front()
    }

    /// A call event or command for webhooks and event streams.
    pub fn poll_notification(&mut self) -> Option<Notification> {
        self.notifications.pop_front()
    }

    /// A command for the line card.
    pub fn poll_line_command(&mut self) -> Option<(PortId, LineCommand)> {
        self.line_out.pop_front()
    }

    /// The address SIP is bound to.
    pub fn sip_addr(&self) -> SocketAddr {
        self.sip_addr
    }

    /// The command table called `name`, or the default one.
    fn command_table(&self, name: Option<&str>) -> CommandTable {
        name.and_then(|n| self.command_tables.get(n))
            .unwrap_or(&self.commands)
            .clone()
    }

    // ---- management ---------------------------------------------------------

    /// Take the settings that apply live from `config` (already validated, same
    /// ports): routes, DTMF command tables and the ports' ANIs and inbound URIs.
    /// Calls in progress keep the command table they started with; new calls use
    /// the new settings. Nothing else changes (the caller restarts for the rest).
    pub fn reconfigure(&mut self, config: Arc<Config>) {
        self.routes = Routes::from_config(&config);
        self.commands = CommandTable::from_config(&config.commands);
        for (port, new) in self.ports.iter_mut().zip(&config.ports) {
            port.config.ani.clone_from(&new.ani);
            port.config.inbound_uri.clone_from(&new.inbound_uri);
        }
        self.config = config;
    }

    /// Hang up the call on `port` from the management side: BYE (or CANCEL, or
    /// a 480 to an IP client still waiting) and the port goes on hook. Returns the
    /// call's Call-ID, `None` when the port has no call.
    pub fn hang_up_port(&mut self, now: Instant, port: PortId) -> Option<String> {
        let handle = self.ports.get(port.index())?.call?;
        let c = self.calls.get(&handle)?;
        let call_id = c.context.call_id.clone();
        if c.state == CallState::Connected || c.direction == Direction::FromLine {
            if let Err(e) = self.sip.hangup(now, handle) {
                warn!(%port, error = %e, "cannot hang up toward the IP client");
            }
        } else {
            self.reject(now, handle, 480, "Temporarily Unavailable");
        }
        self.end_call(now, handle, "operator-hangup");
        Some(call_id)
    }

    /// SIP registrations of the configured accounts: user and its live bindings.
    pub fn registrations(&self, now: Instant) -> Vec<(String, Vec<sip::registrar::Binding>)> {
        self.config
            .sip
            .accounts
            .iter()
            .map(|a| (a.user.clone(), self.sip.registrar().bindings(now, &a.user)))
            .collect()
    }

    /// Register the ports' addresses-of-record with the `[[sip.upstream]]`
    /// registrars (once, at start; the SIP core refreshes and retries).
    pub fn register_upstream(&mut self, now: Instant) {
        for registration in self.config.sip.upstream_registrations(&self.config.ports) {
            let aor = registration.aor.to_string();
            let registrar = registration.registrar;
            match self.sip.register(now, registration) {
                Ok(_) => info!(%aor, %registrar, "registering with upstream registrar"),
                Err(e) => warn!(%aor, %registrar, error = %e, "cannot register upstream"),
            }
        }
        self.drain_sip(now);
    }

    /// Our own registrations with upstream registrars and where each stands
    /// (for the console's `show sip registrations`).
    pub fn upstream_registrations(&self) -> Vec<sip::RegistrationInfo> {
        self.sip.registrations()
    }

    // ---- SIP events ---------------------------------------------------------

    fn drain_sip(&mut self, now: Instant) {
        while let Some(event) = self.sip.poll_event() {
            self.on_sip_event(now, event);
        }
        self.drain_ports(now);
    }

    fn on_sip_event(&mut self, now: Instant, event: SipEvent) {
        match event {
            SipEvent::IncomingCall {
                call,
                request,
                source,
                sdp,
            } => self.on_incoming_call(now, call, &request, source, sdp.as_deref()),
            SipEvent::Progress { call, status, .. } => {
                if let Some(c) = self.calls.get_mut(&call) {
                    info!(port = %c.port, status, "client alerting");
                    c.state = CallState::Alerting;
                }
            }
            SipEvent::Answered { call, sdp } => self.on_client_answered(now, call, sdp.as_deref()),
            SipEvent::Confirmed { call } => debug!(?call, "ACK received"),
            SipEvent::Failed {
                call,
                status,
                reason,
            } => {
                info!(?call, status, %reason, "call failed on the SIP side");
                self.end_call(now, call, format!("client-failed {status}"));
            }
            SipEvent::Cancelled { call } => {
                info!(?call, "caller cancelled");
                self.end_call(now, call, "client-cancel");
            }
            SipEvent::Ended { call, by_remote } => {
                info!(?call, by_remote, "call ended by BYE");
                let reason = if by_remote {
                    "client-bye"
                } else {
                    "gateway-bye"
                };
                self.end_call(now, call, reason);
            }
            SipEvent::InfoReceived {
                call,
                content_type,
                body,
            } => self.on_info(now, call, &content_type, &body),
            SipEvent::RequestCompleted { request, status } => {
                self.on_request_completed(now, request, status)
            }
            // The SIP core answered a re-INVITE (hold/resume) itself; media
            // keeps running (a held client discards what it receives).
            SipEvent::SessionModified {
                call,
                remote,
                local,
                ..
            } => {
                let port = self.calls.get(&call).map(|c| c.port);
                info!(
                    ?port,
                    remote = remote.as_str(),
                    local = local.as_str(),
                    "session modified by re-INVITE"
                );
            }
            SipEvent::Dropped { source, reason } => {
                warn!(%source, %reason, "SIP datagram dropped or rejected");
            }
            other => debug!(?other, "SIP event"),
        }
    }

    /// An INFO from the client: DTMF (`application/dtmf-relay`, `application/dtmf`)
    /// goes through the call's command recognizer like RFC 4733 digits.
    fn on_info(&mut self, now: Instant, handle: CallHandle, content_type: &str, body: &[u8]) {
        let Some(digit) = super::dtmf_relay::digit(content_type, body) else {
            debug!(?handle, %content_type, "INFO from client");
            return;
        };
        let Some(call) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some(port) = self.ports.get(call.port.index()) else {
            return;
        };
        if let Some(body) = call.client_digit(now, &port.config, Some(digit), true) {
            self.notifications
                .push_back(notification(call, "command", body.clone()));
            send_command(&mut self.sip, now, handle, body, &mut self.infos);
        }
    }

    fn on_request_completed(&mut self, now: Instant, request: RequestHandle, status: u16) {
        let Some((call, body)) = self.infos.remove(&request) else {
            return;
        };
        if (200..300).contains(&status) {
            debug!(?call, status, "command delivered by INFO");
        } else if matches!(status, 405 | 415 | 501) {
            info!(
                ?call,
                status, "client refused INFO; sending the command as MESSAGE"
            );
            if let Err(e) = self.sip.send_message(now, call, "application/json", &body) {
                warn!(?call, error = %e, "MESSAGE failed");
            }
        } else {
            warn!(?call, status, "command INFO failed");
        }
    }

    fn reject(&mut self, now: Instant, call: CallHandle, status: u16, reason: &str) {
        if let Err(e) = self.sip.reject(now, call, status, reason) {
            warn!(?call, error = %e, "cannot reject");
        }
    }

    /// Forget a call and put its port back on hook.
    fn end_call(&mut self, now: Instant, call: CallHandle, reason: impl Into<String>) {
        let Some(mut c) = self.calls.remove(&call) else {
            return;
        };
        // RFC 3550 §6.6: the media leaves with an RTCP BYE, sent with this
        // turn's packets (before the port's next call reuses the sockets).
        if let Some(media) = c.media.take() {
            let s = media.stats();
            self.ended_totals.packets_sent += s.packets_sent;
            self.ended_totals.packets_received += s.packets_received;
            media.close(now, &mut self.rtp_out);
        }
        let reason = reason.into();
        info!(port = %c.port, call_id = %c.context.call_id, commands = ?c.commands, %reason, "call ended");
        let mut ani = None;
        if let Some(p) = self.ports.get_mut(c.port.index()) {
            ani = Some(p.config.ani.clone());
            if p.call == Some(call) {
                p.call = None;
                p.line.hang_up();
            }
        }
        self.push_finished(c.finish(now, ani, reason));
    }

    fn push_finished(&mut self, finished: FinishedCall) {
        self.ended_totals.calls += 1;
        self.ended_totals.answered += u64::from(finished.answered.is_some());
        self.notifications.push_back(ended(&finished));
        self.finished.push_back(finished);
    }

    /// Record a call refused before it got a line port.
    fn refuse(
        &mut self,
        now: Instant,
        call: CallHandle,
        context: CallContext,
        status: u16,
        reason: &str,
    ) {
        self.reject(now, call, status, reason);
        self.push_finished(FinishedCall {
            direction: Direction::ToLine,
            port: None,
            ani: None,
            destination: None,
            context,
            started: now,
            answered: None,
            ended: now,
            commands: Vec::new(),
            end_reason: format!("rejected {status}"),
        });
    }

    // ---- port events --------------------------------------------------------

    fn drain_ports(&mut self, now: Instant) {
        for i in 0..self.ports.len() {
            while let Some(event) = self.next_port_output(i) {
                self.on_port_event(now, PortId(i as u8), event);
            }
        }
    }

    /// Queue port `i`'s line commands and return its next event.
    fn next_port_output(&mut self, i: usize) -> Option<FxoEvent> {
        let p = self.ports.get_mut(i)?;
        while let Some(cmd) = p.line.poll_command() {
            self.line_out.push_back((PortId(i as u8), cmd));
        }
        if let Some(outcome) = p.line.poll_test_result() {
            info!(port = i, result = %outcome, "port test finished");
            p.last_test = Some(outcome);
            self.test_reports.push_back(crate::line::TestReport {
                port: PortId(i as u8),
                outcome,
            });
        }
        p.line.poll_event()
    }

    fn on_port_event(&mut self, now: Instant, port: PortId, event: FxoEvent) {
        info!(%port, ?event, "line");
        let Some(p) = self.ports.get(port.index()) else {
            return;
        };
        let handle = p.call;
        match event {
            FxoEvent::IncomingRing => self.on_ring(now, port),
            FxoEvent::RingingStopped => {
                if let Some(h) = handle {
                    let _ = self.sip.hangup(now, h);
                    self.end_call(now, h, "caller-gave-up");
                }
            }
            FxoEvent::Ringback => {
                if let Some(h) = handle {
                    if let Some(c) = self.calls.get_mut(&h) {
                        c.state = CallState::Alerting;
                    }
                    if let Err(e) = self.sip.send_provisional(now, h, 180, None) {
                        warn!(%port, error = %e, "cannot send 180");
                    }
                }
            }
            FxoEvent::Answered => {
                if let Some(h) = handle {
                    self.on_line_answered(now, port, h);
                }
            }
            FxoEvent::Busy | FxoEvent::Reorder | FxoEvent::NoAnswer => {
                let (status, reason, why) = match event {
                    FxoEvent::Busy => (486, "Busy Here", "busy"),
                    FxoEvent::Reorder => (404, "Not Found (reorder tone)", "reorder"),
                    _ => (480, "Temporarily Unavailable (no answer)", "no-answer"),
                };
                if let Some(h) = handle {
                    self.reject(now, h, status, reason);
                    self.end_call(now, h, why);
                }
            }
            FxoEvent::Disconnected => {
                if let Some(h) = handle {
                    let connected = self
                        .calls
                        .get(&h)
                        .is_some_and(|c| c.state == CallState::Connected);
                    if connected {
                        if let Err(e) = self.sip.hangup(now, h) {
                            warn!(%port, error = %e, "cannot send BYE");
                        }
                    } else {
                        self.reject(now, h, 480, "Temporarily Unavailable");
                    }
                    self.end_call(now, h, "far-end-hangup");
                }
            }
        }
    }
}

fn ms(v: u32) -> std::time::Duration {
    std::time::Duration::from_millis(u64::from(v))
}

/// Send a recognised command to the client in the call's dialog.
fn send_command(
    sip: &mut Endpoint,
    now: Instant,
    handle: CallHandle,
    body: serde_json::Value,
    infos: &mut HashMap<RequestHandle, (CallHandle, Vec<u8>)>,
) {
    let body = body.to_string().into_bytes();
    match sip.send_info(now, handle, "application/json", &body) {
        Ok(request) => {
            infos.insert(request, (handle, body));
        }
        Err(e) => warn!(error = %e, "cannot send command INFO"),
    }
}

fn notification(call: &Call, event: &'static str, data: serde_json::Value) -> Notification {
    Notification {
        event,
        call_id: call.context.call_id.clone(),
        merchant_id: call.context.merchant_id.clone(),
        session_id: call.context.session_id.clone(),
        data,
    }
}

fn answered(call: &Call) -> Notification {
    let data = serde_json::json!({
        "direction": call.direction.name(),
        "port": call.port.0,
        "destination": call.dialled,
    });
    notification(call, "call-answered", data)
}

fn ended(f: &FinishedCall) -> Notification {
    let duration_ms = f.answered.map_or(0, |a| {
        f.ended.saturating_duration_since(a).as_millis() as u64
    });
    Notification {
        event: "call-ended",
        call_id: f.context.call_id.clone(),
        merchant_id: f.context.merchant_id.clone(),
        session_id: f.context.session_id.clone(),
        data: serde_json::json!({
            "direction": f.direction.name(),
            "port": f.port.map(|p| p.0),
            "end_reason": f.end_reason,
            "commands": f.commands,
            "duration_ms": duration_ms,
        }),
    }
}

/// A table with no commands: every digit passes.
fn no_commands() -> CommandTable {
    CommandTable::from_config(&crate::config::CommandsConfig::default())
}
