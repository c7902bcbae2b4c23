//! Calls from an IP client to the PSTN: route, seize a line, dial, and answer the
//! client once the far end answers (see the parent module's diagram).

use super::*;
use crate::call::merchant;

impl Controller {
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
        let from = request
            .headers
            .from()
            .map(|f| f.uri.to_string())
            .unwrap_or_default();
        info!(%call_id, %source, %user, %from, "INVITE from IP client");
        let headers = request
            .headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_str()));
        let mut context = CallContext::from_headers(&call_id, &from, headers);
        let account = self.sip.call_info(call).and_then(|i| i.authenticated_user);
        if let Err(e) = merchant::bind(&mut context, account.as_deref(), &self.config) {
            warn!(%call_id, error = %e, "merchant spoofing refused");
            return self.refuse(now, call, context, 403, merchant::REFUSAL);
        }
        let Some(offer) = sdp.and_then(remote_audio) else {
            let reason = "Not Acceptable Here (an SDP offer is required)";
            self.refuse(now, call, context, 488, reason);
            return;
        };
        let negotiated = match negotiation::answer_offer(&offer, &self.config.media.codecs) {
            Ok(n) => n,
            Err(e) => {
                info!(%call_id, error = %e, "no common media");
                self.refuse(now, call, context, 488, "Not Acceptable Here");
                return;
            }
        };
        let decision = match self.routes.decide(&user) {
            Ok(d) => d,
            Err(e) => {
                info!(%call_id, error = %e, "not routable");
                self.refuse(now, call, context, 404, "Not Found");
                return;
            }
        };
        let Some(index) = decision.ports.iter().map(|p| usize::from(*p)).find(|&i| {
            // Idle FXO ports only: a port under test or an FXS port is not free.
            self.ports
                .get(i)
                .is_some_and(|p| p.call.is_none() && p.line.fxo().is_some_and(FxoPort::is_idle))
        }) else {
            info!(%call_id, "all lines busy");
            let reason = "Service Unavailable (all lines busy)";
            self.refuse(now, call, context, 503, reason);
            return;
        };
        let Some(port) = self.ports.get_mut(index) else {
            return;
        };
        // Only idle FXO ports are picked above; an FXS port never dials.
        match port
            .line
            .fxo_mut()
            .map(|fxo| fxo.dial(now, &decision.number))
        {
            Some(Ok(())) => {}
            Some(Err(e)) => {
                warn!(%call_id, error = %e, "cannot dial");
                self.refuse(now, call, context, 484, "Address Incomplete");
                return;
            }
            None => {
                self.refuse(now, call, context, 503, "Service Unavailable");
                return;
            }
        }
        port.call = Some(call);
        let port_id = PortId(index as u8);
        info!(%call_id, port = %port_id, number = %decision.number, "seizing line");
        let port_table = self
            .ports
            .get(index)
            .and_then(|p| p.config.command_table.as_deref());
        let table = self.command_table(decision.command_table.as_deref().or(port_table));
        // The agent is on the line: its keypad drives the commands; the web
        // customer's own digits (IVR navigation) just pass to the line.
        let mut c = Call::new(
            port_id,
            Direction::ToLine,
            context,
            &table,
            &no_commands(),
            now,
        );
        c.dialled = Some(decision.number);
        c.negotiated = Some(negotiated);
        self.calls.insert(call, c);
    }

    pub(super) fn on_line_answered(&mut self, now: Instant, port: PortId, handle: CallHandle) {
        let Some(p) = self.ports.get(port.index()) else {
            return;
        };
        let local = p.rtp;
        let Some(c) = self.calls.get_mut(&handle) else {
            return;
        };
        let Some(n) = c.negotiated else {
            return;
        };
        self.sdp_version += 1;
        let body = negotiation::answer_sdp(local, u64::from(port.0) + 1, self.sdp_version, &n);
        if let Err(e) = self.sip.accept(now, handle, body.as_bytes()) {
            warn!(%port, error = %e, "cannot answer the client");
            self.end_call(now, handle, "cannot-answer");
            return;
        }
        c.connect(now, &mut self.rng, &self.config.media);
        self.notifications.push_back(answered(c));
        info!(%port, call_id = %c.context.call_id, "far end answered; call connected");
    }
}
