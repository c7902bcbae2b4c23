//! The bridge flow: one leg in, route, one leg out, connect.
//!
//! ```text
//!  IP client → line:   incoming SIP leg ─ route ─▶ line leg dials
//!  IP client → client: incoming SIP leg ─ route (uri) ─▶ outgoing SIP leg
//!  line → IP client:   ringing line leg ─ inbound_uri ─▶ outgoing SIP leg
//!
//!   Setup ─ callee Alerting ─▶ Alerting ─ callee Answered ─▶ answer caller ─▶ Connected
//!     └──────────────── any leg Ended / operator hang-up ─────────────────▶ Over
//! ```
//!
//! The callee's alerting is passed to the caller (a 180 toward an IP client);
//! its answer makes the bridge answer the caller and connect both legs'
//! media. Whichever leg ends first, the other is hung up with what the first
//! one's end means for it (busy → 486 toward an unanswered IP client, and so
//! on), and the call's record is written. Digits go through the
//! [`CommandPlane`] on the client leg; its inter-digit deadlines are the
//! bridge's timers.

use std::time::Instant;

use drivers::{Frame, PortId, FRAME_SAMPLES};
use dsp::dtmf::DtmfEvent;
use serde_json::json;
use tracing::{info, warn};

use super::digits::{CommandPlane, LineInfo};
use super::{Bridged, Desk, Dialplan, Flow};
use crate::call::context::CallContext;
use crate::call::leg::table::OpenLineError;
use crate::call::leg::OpenSipError;
use crate::call::leg::{DigitOut, DigitTone, EndCause, Hangup, LegEvent, LegId, Legs, OutgoingSip};
use crate::call::record::{notification, Direction, FinishedCall};
use crate::call::view::{CallView, MediaView};

/// Where a bridge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// to-line: dialling and waiting for the far end; otherwise calling the client.
    Setup { caller: LegId, callee: LegId },
    /// The callee is being alerted.
    Alerting { caller: LegId, callee: LegId },
    /// Both legs answered, media bridged.
    Connected {
        caller: LegId,
        callee: LegId,
        answered: Instant,
    },
    /// The record is written; the switchboard drops the flow.
    Over { answered: Option<Instant> },
}

impl State {
    fn legs(self) -> Option<(LegId, LegId)> {
        match self {
            State::Setup { caller, callee }
            | State::Alerting { caller, callee }
            | State::Connected { caller, callee, .. } => Some((caller, callee)),
            State::Over { .. } => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            State::Setup { .. } => "setup",
            State::Alerting { .. } => "alerting",
            State::Connected { .. } => "connected",
            State::Over { .. } => "over",
        }
    }

    fn answered(self) -> Option<Instant> {
        match self {
            State::Connected { answered, .. } => Some(answered),
            State::Over { answered } => answered,
            _ => None,
        }
    }
}

/// An incoming SIP call the switchboard accepted for routing.
#[derive(Debug, Clone)]
pub(crate) struct IncomingSip {
    /// Its leg (offered, not answered).
    pub leg: LegId,
    /// Who and what is behind it.
    pub context: CallContext,
    /// The Request-URI's user part.
    pub user: String,
    /// The caller's user part (the From URI's), for a call onward.
    pub caller: String,
}

/// One bridged call. See the module documentation.
#[derive(Debug)]
pub(crate) struct Bridge {
    direction: Direction,
    state: State,
    context: CallContext,
    /// The line port the call uses.
    line: Option<PortId>,
    /// The number dialled on the line.
    dialled: Option<String>,
    /// The SIP leg facing the IP client, where the command plane sits.
    client: LegId,
    plane: CommandPlane,
    started: Instant,
    heard: [Frame; 2],
}

impl Bridge {
    /// A bridge from an incoming SIP call (the client leg) to `callee`.
    fn new(
        direction: Direction,
        call: &IncomingSip,
        callee: LegId,
        plane: CommandPlane,
        now: Instant,
    ) -> Self {
        Bridge {
            direction,
            state: State::Setup {
                caller: call.leg,
                callee,
            },
            context: call.context.clone(),
            line: None,
            dialled: None,
            client: call.leg,
            plane,
            started: now,
            heard: [[0; FRAME_SAMPLES]; 2],
        }
    }

    /// An IP client called: route its Request-URI to a line or another
    /// client. `None` if it was refused (and recorded as such).
    pub(crate) fn from_sip(now: Instant, desk: &mut Desk<'_>, call: IncomingSip) -> Option<Self> {
        let call_id = call.context.call_id.clone();
        let decision = match desk.dialplan.routes.decide(&call.user) {
            Ok(d) => d,
            Err(e) => {
                info!(%call_id, error = %e, "not routable");
                refuse(now, desk, call.leg, call.context, 404, "Not Found");
                return None;
            }
        };
        if let Some(uri) = decision.uri {
            let request = OutgoingSip {
                target: uri.clone(),
                caller: call.caller.clone(),
                display: String::new(),
                extra_headers: Vec::new(),
                near: None,
            };
            let callee = match desk.legs.open_sip(now, request) {
                Ok((callee, _)) => callee,
                Err(e) => {
                    warn!(%call_id, %uri, error = %e, "cannot call the route's URI");
                    let reason = "Service Unavailable";
                    refuse(now, desk, call.leg, call.context, 503, reason);
                    return None;
                }
            };
            info!(%call_id, %uri, "calling the route's URI");
            // The caller is the agent's softphone: its keypad drives the
            // route's commands; the far client's digits just pass.
            let table = desk
                .dialplan
                .command_table(decision.command_table.as_deref());
            let plane = CommandPlane::new(&Dialplan::no_commands(), &table);
            let bridge = Bridge::new(Direction::SipToSip, &call, callee, plane, now);
            return Some(bridge);
        }
        let callee = match desk.legs.open_line(now, &decision.ports, &decision.number) {
            Ok(leg) => leg,
            Err(OpenLineError::AllBusy) => {
                info!(%call_id, "all lines busy");
                let reason = "Service Unavailable (all lines busy)";
                refuse(now, desk, call.leg, call.context, 503, reason);
                return None;
            }
            Err(e) => {
                warn!(%call_id, error = %e, "cannot dial");
                refuse(now, desk, call.leg, call.context, 484, "Address Incomplete");
                return None;
            }
        };
        let port = desk.legs.get(callee).and_then(|l| l.port());
        info!(%call_id, ?port, number = %decision.number, "seizing line");
        let port_table = port
            .and_then(|p| desk.legs.tech.lines.get(p.index()))
            .and_then(|l| l.config.command_table.clone());
        let table = desk
            .dialplan
            .command_table(decision.command_table.as_deref().or(port_table.as_deref()));
        // The agent is on the line: its keypad drives the commands; the web
        // customer's own digits (IVR navigation) just pass to the line.
        let plane = CommandPlane::new(&table, &Dialplan::no_commands());
        let mut bridge = Bridge::new(Direction::ToLine, &call, callee, plane, now);
        bridge.line = port;
        bridge.dialled = Some(decision.number);
        Some(bridge)
    }

    /// The line `port` rings (its leg is `leg`): call the port's inbound URI.
    /// `None` if the call cannot be placed (the line is left to ring out).
    pub(crate) fn from_line(
        now: Instant,
        desk: &mut Desk<'_>,
        leg: LegId,
        port: PortId,
    ) -> Option<Self> {
        let line = desk.legs.tech.lines.get(port.index())?;
        let Some(uri_text) = line.config.inbound_uri.clone() else {
            info!(%port, "ringing, but no inbound_uri is configured; ignoring");
            desk.legs.hang_up(now, leg, Hangup::Normal);
            return None;
        };
        // The caller: what caller ID said, else anonymous (RFC 3323 style).
        let caller_id = line.port.caller_id();
        let caller = caller_id
            .and_then(|m| m.number.as_deref())
            .filter(|n| !n.is_empty())
            .unwrap_or("anonymous")
            .to_string();
        let display = caller_id
            .and_then(|m| m.name.as_deref())
            .map(str::to_string)
            .unwrap_or_else(|| format!("PSTN port {port}"));
        let table_name = line.config.command_table.clone();
        let request = OutgoingSip {
            target: uri_text.clone(),
            caller,
            display,
            extra_headers: vec![
                ("X-Gateway-Port".into(), port.to_string()),
                ("X-Gateway-Ani".into(), line.config.ani.clone()),
            ],
            near: Some(port.index()),
        };
        let (callee, call_id) = match desk.legs.open_sip(now, request) {
            Ok(opened) => opened,
            Err(OpenSipError::NotRegistered(user)) => {
                info!(%port, %user, "ringing, but the inbound user is not registered; ignoring");
                desk.legs.hang_up(now, leg, Hangup::Normal);
                return None;
            }
            Err(e) => {
                warn!(%port, uri = %uri_text, error = %e, "cannot INVITE the inbound URI");
                desk.legs.hang_up(now, leg, Hangup::Normal);
                return None;
            }
        };
        info!(%port, %call_id, uri = %uri_text, "line ringing; calling IP client");
        let context = CallContext::from_headers(&call_id, &uri_text, []);
        // A caller on the PSTN gets no command plane unless the port names a
        // table for it: commands are for the call centre's side, here the IP
        // client (the agent), who gets the port's table or the default one.
        let line_table = match &table_name {
            Some(name) => desk.dialplan.command_table(Some(name)),
            None => Dialplan::no_commands(),
        };
        let client_table = desk.dialplan.command_table(table_name.as_deref());
        let plane = CommandPlane::new(&line_table, &client_table);
        let bridge = Bridge {
            direction: Direction::FromLine,
            state: State::Setup {
                caller: leg,
                callee,
            },
            context,
            line: Some(port),
            dialled: None,
            client: callee,
            plane,
            started: now,
            heard: [[0; FRAME_SAMPLES]; 2],
        };
        Some(bridge)
    }

    fn line_info(&self, legs: &Legs) -> LineInfo {
        LineInfo {
            port: self.line.map(|p| p.0),
            ani: self.ani(legs),
        }
    }

    /// The caller's number from caller ID, on a call from the line.
    fn caller_number(&self, legs: &Legs) -> Option<String> {
        if self.direction != Direction::FromLine {
            return None;
        }
        let line = legs.tech.lines.get(self.line?.index())?;
        let number = line.port.caller_id()?.number.as_deref()?;
        (!number.is_empty()).then(|| number.to_string())
    }

    fn ani(&self, legs: &Legs) -> Option<String> {
        let port = self.line?;
        Some(legs.tech.lines.get(port.index())?.config.ani.clone())
    }

    fn on_callee_answered(
        &mut self,
        now: Instant,
        desk: &mut Desk<'_>,
        caller: LegId,
        callee: LegId,
    ) {
        let near = self.line.map(PortId::index);
        if let Err(e) = desk.legs.answer(now, caller, near) {
            let (why, reason) = match self.direction {
                Direction::FromLine => ("line no longer ringing", "line-stopped-ringing"),
                _ => ("cannot answer the client", "cannot-answer"),
            };
            warn!(port = ?self.line, error = %e, "{why}");
            desk.legs.hang_up(now, caller, Hangup::Normal);
            desk.legs.hang_up(now, callee, Hangup::Normal);
            self.finish(now, desk, reason.to_string());
            return;
        }
        desk.legs.connect(now, caller, callee);
        desk.legs.apply_settings(self.client, &self.plane.settings);
        self.state = State::Connected {
            caller,
            callee,
            answered: now,
        };
        let data = json!({
            "direction": self.direction.name(),
            "port": self.line.map(|p| p.0),
            "destination": self.dialled,
        });
        let note = notification(&self.context, "call-answered", data);
        desk.records.notifications.push_back(note);
        info!(port = ?self.line, call_id = %self.context.call_id, "answered; call connected");
    }

    /// A leg ended on its own: release it, hang up the other with what that
    /// end means for it, and write the record.
    fn on_leg_ended(&mut self, now: Instant, desk: &mut Desk<'_>, leg: LegId, cause: EndCause) {
        let Some((caller, callee)) = self.state.legs() else {
            return;
        };
        let other = if leg == caller { callee } else { caller };
        let how = match cause {
            EndCause::Busy => Hangup::Refuse {
                status: 486,
                reason: "Busy Here",
            },
            EndCause::Reorder => Hangup::Refuse {
                status: 404,
                reason: "Not Found (reorder tone)",
            },
            EndCause::NoAnswer => Hangup::Refuse {
                status: 480,
                reason: "Temporarily Unavailable (no answer)",
            },
            _ => Hangup::Normal,
        };
        desk.legs.release(now, leg);
        desk.legs.hang_up(now, other, how);
        self.finish(now, desk, cause.reason());
    }

    fn finish(&mut self, now: Instant, desk: &mut Desk<'_>, reason: String) {
        let answered = self.state.answered();
        self.state = State::Over { answered };
        let commands = std::mem::take(&mut self.plane.commands);
        info!(port = ?self.line, call_id = %self.context.call_id, ?commands, %reason, "call ended");
        desk.records.finish(FinishedCall {
            direction: self.direction,
            port: self.line,
            ani: self.ani(desk.legs),
            destination: self.dialled.clone(),
            context: self.context.clone(),
            started: self.started,
            answered,
            ended: now,
            commands,
            end_reason: reason,
        });
    }

    /// A command was keyed: tell the client and the world.
    fn command(&mut self, now: Instant, desk: &mut Desk<'_>, mut body: serde_json::Value) {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("call_id".into(), json!(self.context.call_id));
            obj.insert("session_id".into(), json!(self.context.session_id));
        }
        let note = notification(&self.context, "command", body.clone());
        desk.records.notifications.push_back(note);
        desk.legs.send_command(now, self.client, &body);
    }

    /// A digit on a leg other than the client leg (the far SIP leg of a
    /// SIP↔SIP bridge) passes without commands.
    fn pass_digit(desk: &mut Desk<'_>, leg: LegId, event: LegEvent) {
        match event {
            LegEvent::Overheard(DtmfEvent::Start { digit, .. }) => {
                desk.legs.send_digit(leg, DigitOut::Start(digit));
            }
            LegEvent::Overheard(DtmfEvent::End { duration, .. }) => {
                let duration = u32::try_from(duration).unwrap_or(u32::MAX);
                desk.legs.send_digit(leg, DigitOut::End { duration });
            }
            LegEvent::Digit {
                digit: Some(d),
                whole: false,
            } => desk.legs.play_digit(leg, DigitTone::Play(d)),
            LegEvent::Digit {
                digit: Some(d),
                whole: true,
            } => desk
                .legs
                .play_digit(leg, DigitTone::Queue([d].into_iter().collect())),
            LegEvent::Digit { digit: None, .. } => desk.legs.play_digit(leg, DigitTone::Stop),
            _ => {}
        }
    }
}

/// Refuse an incoming call before it got a second leg, and record it.
fn refuse(
    now: Instant,
    desk: &mut Desk<'_>,
    leg: LegId,
    context: CallContext,
    status: u16,
    reason: &'static str,
) {
    desk.legs
        .hang_up(now, leg, Hangup::Refuse { status, reason });
    desk.records.finish(refused(now, context, status));
}

/// The record of an IP client's call refused before it got a line.
pub(crate) fn refused(now: Instant, context: CallContext, status: u16) -> FinishedCall {
    FinishedCall {
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
    }
}

impl Flow for Bridge {
    fn handle_leg_event(&mut self, now: Instant, desk: &mut Desk<'_>, leg: LegId, event: LegEvent) {
        let Some((caller, callee)) = self.state.legs() else {
            return;
        };
        match event {
            LegEvent::Alerting if leg == callee => {
                if let State::Setup { .. } = self.state {
                    self.state = State::Alerting { caller, callee };
                }
                desk.legs.alert(now, caller);
            }
            LegEvent::Answered if leg == callee => {
                if !matches!(self.state, State::Connected { .. }) {
                    self.on_callee_answered(now, desk, caller, callee);
                }
            }
            LegEvent::Ended(cause) => self.on_leg_ended(now, desk, leg, cause),
            LegEvent::Digit { digit, whole } if leg == self.client => {
                let line = self.line_info(desk.legs);
                let body = self
                    .plane
                    .client_digit(now, desk.legs, leg, &line, digit, whole);
                if let Some(body) = body {
                    self.command(now, desk, body);
                }
            }
            LegEvent::Overheard(event) if leg == self.client => {
                let line = self.line_info(desk.legs);
                if let Some(body) = self.plane.line_digit(now, desk.legs, leg, &line, event) {
                    self.command(now, desk, body);
                }
            }
            LegEvent::Digit { .. } | LegEvent::Overheard(_) => Bridge::pass_digit(desk, leg, event),
            LegEvent::Alerting | LegEvent::Answered => {}
        }
    }

    fn handle_timeout(&mut self, now: Instant, desk: &mut Desk<'_>) {
        if self.state.legs().is_some() {
            self.plane.handle_timeout(now, desk.legs, self.client);
        }
    }

    fn poll_timeout(&self) -> Option<Instant> {
        self.state.legs().and(self.plane.poll_timeout())
    }

    fn hang_up(&mut self, now: Instant, desk: &mut Desk<'_>, reason: &str) {
        let Some((caller, callee)) = self.state.legs() else {
            return;
        };
        desk.legs.hang_up(now, caller, Hangup::Normal);
        desk.legs.hang_up(now, callee, Hangup::Normal);
        self.finish(now, desk, reason.to_string());
    }

    fn bridged(&mut self) -> Option<Bridged<'_>> {
        match self.state {
            State::Connected { caller, callee, .. } => Some(Bridged {
                legs: [caller, callee],
                heard: &mut self.heard,
            }),
            _ => None,
        }
    }

    fn legs(&self) -> heapless::Vec<LegId, 2> {
        self.state
            .legs()
            .map(|(a, b)| [a, b].into_iter().collect())
            .unwrap_or_default()
    }

    fn is_over(&self) -> bool {
        matches!(self.state, State::Over { .. })
    }

    fn call_id(&self) -> &str {
        &self.context.call_id
    }

    fn is_answered(&self) -> bool {
        self.state.answered().is_some()
    }

    fn view(&self, now: Instant, legs: &Legs) -> Option<CallView> {
        // The views name a call by its line port; a SIP↔SIP bridge has none.
        let port = self.line?;
        let media = legs
            .get(self.client)
            .and_then(|l| l.sip())
            .and_then(|s| s.media());
        Some(CallView {
            port: port.0,
            ani: self.ani(legs).unwrap_or_default(),
            direction: self.direction.name(),
            state: self.state.name(),
            dialled: self.dialled.clone(),
            caller: self.caller_number(legs),
            age_ms: now.saturating_duration_since(self.started).as_millis() as u64,
            answered_ms: self
                .state
                .answered()
                .map(|a| now.saturating_duration_since(a).as_millis() as u64),
            commands: self.plane.commands.clone(),
            settings: self.plane.settings,
            context: self.context.clone(),
            media: media.map(|m| {
                let s = m.stats();
                MediaView {
                    codec: m.negotiated().codec_name(),
                    remote_rtp: m.remote(),
                    telephone_event: m.negotiated().telephone_event.is_some(),
                    packets_sent: s.packets_sent,
                    packets_received: s.packets_received,
                }
            }),
        })
    }
}
