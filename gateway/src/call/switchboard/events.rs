//! Events from SIP and the line ports: to the leg they concern, and from legs
//! to the flow that owns them. The two places where calls start are here:
//! [`Switchboard::on_incoming_call`] and [`Switchboard::on_ring`].

use std::net::SocketAddr;
use std::ops::Bound;
use std::time::Instant;

use drivers::PortId;
use sip::{CallHandle, Event as SipEvent};
use tracing::{debug, info, warn};

use super::Switchboard;
use crate::call::context::CallContext;
use crate::call::flow::{AnyFlow, Bridge, Desk, IncomingSip};
use crate::call::leg::{LegEvent, LegId};
use crate::call::merchant;
use crate::line::{FxoEvent, TestReport};
use crate::media::negotiation;

/// Rounds of leg events handled per drain; each round handles every leg's
/// queue, and a flow's reaction raises at most a few more.
const DISPATCH_ROUNDS: usize = 16;

impl Switchboard {
    pub(super) fn drain_sip(&mut self, now: Instant) {
        while let Some(event) = self.endpoint().poll_event() {
            self.on_sip_event(now, event);
        }
        self.dispatch(now);
        self.drain_ports(now);
    }

    fn on_sip_event(&mut self, now: Instant, event: SipEvent) {
        let call = match &event {
            SipEvent::IncomingCall { .. } => {
                if let SipEvent::IncomingCall {
                    call,
                    request,
                    source,
                    sdp,
                } = event
                {
                    self.on_incoming_call(now, call, &request, source, sdp.as_deref());
                }
                return;
            }
            SipEvent::RequestCompleted { request, status } => {
                self.legs.tech.sip.request_completed(now, *request, *status);
                return;
            }
            SipEvent::Dropped { source, reason } => {
                warn!(%source, %reason, "SIP datagram dropped or rejected");
                return;
            }
            SipEvent::Progress { call, .. }
            | SipEvent::Answered { call, .. }
            | SipEvent::Confirmed { call }
            | SipEvent::Failed { call, .. }
            | SipEvent::Cancelled { call }
            | SipEvent::Ended { call, .. }
            | SipEvent::InfoReceived { call, .. }
            | SipEvent::SessionModified { call, .. } => *call,
            other => {
                debug!(?other, "SIP event");
                return;
            }
        };
        match self.legs.by_call(call) {
            Some(leg) => self.legs.handle_sip_event(now, leg, event),
            None => debug!(?call, ?event, "SIP event for no leg"),
        }
    }

    /// An IP client's INVITE: agree media, make its leg, route it.
    pub(super) fn on_incoming_call(
        &mut self,
        now: Instant,
        call: CallHandle,
        request: &sip::Request,
        source: SocketAddr,
        sdp: Option<&[u8]>,
    ) {
        let user = request.uri.user.clone().unwrap_or_default();
        let call_id = request.headers.call_id().unwrap_or_default().to_string();
        let from_header = request.headers.from();
        let from_uri = from_header.as_ref().map(|f| &f.uri);
        let from = from_uri.map(ToString::to_string).unwrap_or_default();
        let caller = from_uri
            .and_then(|u| u.user.clone())
            .unwrap_or_else(|| "anonymous".into());
        info!(%call_id, %source, %user, %from, "INVITE from IP client");
        let headers = request
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()));
        let mut context = CallContext::from_headers(&call_id, &from, headers);
        let account = self
            .endpoint()
            .call_info(call)
            .and_then(|i| i.authenticated_user);
        if let Err(e) = merchant::bind(&mut context, account.as_deref(), &self.config) {
            warn!(%call_id, error = %e, "merchant spoofing refused");
            return self.refuse_call(now, call, context, 403, merchant::REFUSAL);
        }
        let Some(offer) = sdp.and_then(negotiation::remote_audio) else {
            let reason = "Not Acceptable Here (an SDP offer is required)";
            self.refuse_call(now, call, context, 488, reason);
            return;
        };
        let agreed = match negotiation::answer_offer(&offer, &self.config.media.codecs) {
            Ok(n) => n,
            Err(e) => {
                info!(%call_id, error = %e, "no common media");
                self.refuse_call(now, call, context, 488, "Not Acceptable Here");
                return;
            }
        };
        let leg = self.legs.open_incoming_sip(call, agreed);
        let incoming = IncomingSip {
            leg,
            context,
            user,
            caller,
        };
        let mut desk = Desk {
            legs: &mut self.legs,
            records: &mut self.records,
            dialplan: &self.dialplan,
        };
        if let Some(bridge) = Bridge::from_sip(now, &mut desk, incoming) {
            self.add_flow(AnyFlow::Bridge(Box::new(bridge)));
        }
    }

    /// A call refused before it has a leg (a merchant it may not claim, an
    /// offer we cannot answer): the final response, recorded.
    fn refuse_call(
        &mut self,
        now: Instant,
        call: CallHandle,
        context: CallContext,
        status: u16,
        reason: &str,
    ) {
        if let Err(e) = self.endpoint().reject(now, call, status, reason) {
            warn!(?call, error = %e, "cannot reject");
        }
        let record = crate::call::flow::refused(now, context, status);
        self.records.finish(record);
    }

    /// An idle port rings: make its leg and call the port's inbound URI.
    fn on_ring(&mut self, now: Instant, port: PortId) {
        let leg = self.legs.open_ringing_line(port);
        let mut desk = Desk {
            legs: &mut self.legs,
            records: &mut self.records,
            dialplan: &self.dialplan,
        };
        if let Some(bridge) = Bridge::from_line(now, &mut desk, leg, port) {
            self.add_flow(AnyFlow::Bridge(Box::new(bridge)));
        }
    }

    // ---- ports ---------------------------------------------------------------

    pub(super) fn drain_ports(&mut self, now: Instant) {
        for i in 0..self.legs.tech.lines.len() {
            while let Some(event) = self.next_port_output(i) {
                let port = PortId(i as u8);
                info!(%port, ?event, "line");
                let leg = self.legs.tech.lines.get(i).and_then(|l| l.leg);
                match (leg, event) {
                    (Some(leg), event) => self.legs.handle_port_event(leg, event),
                    (None, FxoEvent::IncomingRing) => self.on_ring(now, port),
                    (None, _) => {}
                }
            }
        }
        self.dispatch(now);
    }

    /// Queue port `i`'s line commands and return its next event.
    fn next_port_output(&mut self, i: usize) -> Option<FxoEvent> {
        let tech = &mut self.legs.tech;
        let line = tech.lines.get_mut(i)?;
        while let Some(cmd) = line.port.poll_command() {
            tech.line_out.push_back((PortId(i as u8), cmd));
        }
        if let Some(outcome) = line.port.poll_test_result() {
            info!(port = i, result = %outcome, "port test finished");
            line.last_test = Some(outcome);
            self.test_reports.push_back(TestReport {
                port: PortId(i as u8),
                outcome,
            });
        }
        line.port.poll_event()
    }

    // ---- legs to flows -------------------------------------------------------

    /// Hand every leg's pending events to the flow that owns it, until none is
    /// left (bounded: see [`DISPATCH_ROUNDS`]).
    pub(super) fn dispatch(&mut self, now: Instant) {
        for _ in 0..DISPATCH_ROUNDS {
            let mut moved = false;
            let mut after = Bound::Unbounded;
            while let Some(leg) = self.legs.next_after(after) {
                after = Bound::Excluded(leg);
                while let Some(event) = self.legs.poll_event(leg) {
                    moved = true;
                    self.deliver(now, leg, event);
                }
            }
            if !moved {
                return;
            }
        }
        warn!("leg events still pending after {DISPATCH_ROUNDS} rounds");
    }

    fn deliver(&mut self, now: Instant, leg: LegId, event: LegEvent) {
        let Some(&id) = self.owner.get(&leg) else {
            debug!(%leg, ?event, "event of a leg no flow owns");
            return;
        };
        let Some(flow) = self.flows.get_mut(&id) else {
            return;
        };
        let mut desk = Desk {
            legs: &mut self.legs,
            records: &mut self.records,
            dialplan: &self.dialplan,
        };
        flow.as_flow().handle_leg_event(now, &mut desk, leg, event);
        self.drop_if_over(id);
    }
}
