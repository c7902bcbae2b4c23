//! Calls from the PSTN to an IP client: a ringing line calls the port's inbound
//! URI (or a registered user); the client's answer takes the line off hook.

use super::*;

impl Controller {
    pub(super) fn on_client_answered(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp: Option<&[u8]>,
    ) {
        let answer = sdp.and_then(remote_audio);
        let negotiated = answer
            .as_ref()
            .ok_or(negotiation::NegotiationError::NoAudio)
            .and_then(|a: &RemoteAudio| negotiation::read_answer(a, &self.config.media.codecs));
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let port = c.port;
        match negotiated {
            Ok(n) => {
                let Some(p) = self.ports.get_mut(port.index()) else {
                    return;
                };
                if let Err(e) = p.line.answer() {
                    warn!(%port, error = %e, "line no longer ringing");
                    let _ = self.sip.hangup(now, call);
                    self.end_call(now, call, "line-stopped-ringing");
                    return;
                }
                info!(%port, call_id = %c.context.call_id, "client answered; line off hook");
                c.negotiated = Some(n);
                c.connect(now, &mut self.rng, &self.config.media);
                self.notifications.push_back(answered(c));
            }
            Err(e) => {
                warn!(%port, error = %e, "client's answer unusable; hanging up");
                let _ = self.sip.hangup(now, call);
                self.end_call(now, call, "bad-answer-sdp");
            }
        }
    }

    pub(super) fn on_ring(&mut self, now: Instant, port: PortId) {
        let Some(p) = self.ports.get_mut(port.index()) else {
            return;
        };
        let Some(uri_text) = p.config.inbound_uri.clone() else {
            info!(%port, "ringing, but no inbound_uri is configured; ignoring");
            p.line.hang_up();
            return;
        };
        let target = match sip::Uri::parse(&uri_text) {
            Ok(u) => u,
            Err(e) => {
                warn!(%port, error = %e, "inbound_uri unusable");
                p.line.hang_up();
                return;
            }
        };
        // `sip:USER@registrar`: the phone USER registered with us.
        let (target, registered) = if target.host.eq_ignore_ascii_case("registrar") {
            let user = target.user.clone().unwrap_or_default();
            match self.sip.registered_contact(now, &user) {
                Some(binding) => (binding.contact, Some(binding.source)),
                None => {
                    info!(%port, %user, "ringing, but the inbound user is not registered; ignoring");
                    p.line.hang_up();
                    return;
                }
            }
        } else {
            (target, None)
        };
        let Some(destination) = registered.or_else(|| {
            target
                .host
                .trim_matches(|c| c == '[' || c == ']')
                .parse::<IpAddr>()
                .ok()
                .map(|ip| SocketAddr::new(ip, target.port.unwrap_or(5060)))
        }) else {
            warn!(%port, host = %target.host, "inbound_uri host must be an IP address (no DNS on the box)");
            p.line.hang_up();
            return;
        };
        self.sdp_version += 1;
        let offer = negotiation::sdp(
            p.rtp,
            u64::from(port.0) + 1,
            self.sdp_version,
            &self.config.media.codecs,
            Some(crate::media::rtp::PayloadType(
                self.config.media.telephone_event_payload_type,
            )),
        );
        let host = self.sip_addr.ip().to_string();
        // The caller: what caller ID said, else anonymous (RFC 3323 style).
        let caller_id = p.line.caller_id();
        let caller = caller_id
            .and_then(|m| m.number.as_deref())
            .filter(|n| !n.is_empty())
            .unwrap_or("anonymous")
            .to_string();
        let display = caller_id
            .and_then(|m| m.name.as_deref())
            .map(str::to_string)
            .unwrap_or_else(|| format!("PSTN port {port}"));
        let from = sip::Uri::sip(Some(&caller), &host, Some(self.sip_addr.port()));
        let invite = OutgoingInvite {
            target: target.clone(),
            destination,
            from,
            from_display: Some(display),
            to: target,
            sdp_offer: offer.into_bytes(),
            extra_headers: vec![
                ("X-Gateway-Port".into(), port.to_string()),
                ("X-Gateway-Ani".into(), p.config.ani.clone()),
            ],
        };
        match self.sip.invite(now, invite) {
            Ok(handle) => {
                p.call = Some(handle);
                let call_id = self
                    .sip
                    .call_info(handle)
                    .map(|i| i.call_id)
                    .unwrap_or_default();
                info!(%port, %call_id, uri = %uri_text, "line ringing; calling IP client");
                let context = CallContext::from_headers(&call_id, &uri_text, []);
                // A caller on the PSTN gets no command plane unless the port
                // names a table for it: commands are for the call centre's side,
                // here the IP client (the agent), who gets the port's table or
                // the default one.
                let name = p.config.command_table.clone();
                let line_table = match &name {
                    Some(name) => self.command_table(Some(name)),
                    None => no_commands(),
                };
                let client_table = self.command_table(name.as_deref());
                self.calls.insert(
                    handle,
                    Call::new(
                        port,
                        Direction::FromLine,
                        context,
                        &line_table,
                        &client_table,
                        now,
                    ),
                );
            }
            Err(e) => {
                warn!(%port, error = %e, "cannot INVITE the inbound URI");
                p.line.hang_up();
            }
        }
    }
}
