//! Building the requests and responses the UA core sends (RFC 3261 §8.1.1,
//! §8.2.6, §9.1, §15.1.1) and stamping received Vias (§18.2.1, RFC 3581).

use std::net::SocketAddr;
use std::time::Instant;

use super::call::State;
use super::{CallError, CallHandle, ClientEntry, ClientTransaction, Endpoint, Purpose};
use crate::message::{split_via_line, Method, NameAddr, Request, Response, Uri, Via};
use crate::transaction::{ClientKey, ClientNonInvite, ServerKey};
use crate::Transmit;

/// Methods this UA implements.
pub(crate) const ALLOW: &str = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, MESSAGE, REGISTER";
/// Body types it accepts.
pub(crate) const ACCEPT: &str = "application/sdp";

impl Endpoint {
    /// A Via for a new client transaction to `peer`, with `rport` (RFC
    /// 3581 §3) and the transport it will travel on.
    pub(super) fn new_via(&mut self, peer: SocketAddr) -> Via {
        let local = self.config.local_addr;
        let transport = self.transport_to(peer).via_token();
        let mut via = Via::new(
            transport,
            &host_of(local),
            Some(local.port()),
            &self.ids.branch(),
        );
        via.params.set("rport", None);
        via
    }

    /// Our Contact for a dialog with `peer`: `;transport=tcp` when the
    /// dialog runs over a TCP connection, so the peer's requests reuse it.
    pub(super) fn contact(&self, user: Option<&str>, peer: SocketAddr) -> NameAddr {
        let local = self.config.local_addr;
        let mut uri = Uri::sip(user, &host_of(local), Some(local.port()));
        if self.transport_to(peer) == crate::transport::Transport::Tcp {
            uri.params.push(("transport".into(), Some("tcp".into())));
        }
        NameAddr::new(uri)
    }

    /// A response to `request` with a To tag on everything but 100 (§8.2.6.2)
    /// and our Server header.
    pub(super) fn response_to(
        &mut self,
        request: &Request,
        status: u16,
        to_tag: Option<&str>,
    ) -> Response {
        let mut response =
            Response::for_request(request, status, crate::message::reason_phrase(status));
        if status > 100 {
            let tag = match to_tag {
                Some(t) => t.to_owned(),
                None => self.ids.tag(),
            };
            response.set_to_tag(&tag);
        }
        response
            .headers
            .push("Server", self.config.user_agent.clone());
        response.headers.move_to_end("Content-Length");
        response
    }

    /// A response to the INVITE of `call` within its dialog: our tag, and
    /// Contact on 1xx/2xx (§12.1.1).
    pub(super) fn dialog_response(
        &mut self,
        call: CallHandle,
        key: &ServerKey,
        status: u16,
    ) -> Result<Response, CallError> {
        let c = self.calls.get(&call).ok_or(CallError::UnknownCall(call))?;
        let tag = c.dialog.local_tag.clone();
        let contact = self.contact(c.contact_user.as_deref(), c.peer);
        let request = self
            .server
            .get(key)
            .map(|e| e.request.clone())
            .ok_or(CallError::UnknownCall(call))?;
        let mut response = self.response_to(&request, status, Some(&tag));
        if status < 300 {
            for rr in request.headers.get_all("Record-Route") {
                response.headers.push("Record-Route", rr);
            }
            response.headers.push("Contact", contact.to_string());
        }
        if status == 200 {
            response.headers.push("Allow", ALLOW);
        }
        response.headers.move_to_end("Content-Length");
        Ok(response)
    }

    /// UAC: CANCEL the INVITE of `call` (§9.1).
    pub(super) fn send_cancel(&mut self, now: Instant, call: CallHandle) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let State::Outgoing { invite: key, .. } = &c.state else {
            return;
        };
        let invite = &c.invite;
        let mut cancel = Request::new(Method::Cancel, invite.uri.clone());
        if let Some(via) = invite.headers.list("Via").next() {
            cancel.headers.push("Via", via);
        }
        cancel.headers.push("Max-Forwards", "70");
        for route in invite.headers.get_all("Route") {
            cancel.headers.push("Route", route);
        }
        for name in ["From", "To", "Call-ID"] {
            if let Some(v) = invite.headers.get(name) {
                cancel.headers.push(name, v);
            }
        }
        let seq = invite.headers.cseq().map_or(0, |c| c.seq);
        cancel.headers.push("CSeq", format!("{seq} CANCEL"));
        cancel
            .headers
            .push("User-Agent", self.config.user_agent.clone());
        cancel.headers.push("Content-Length", "0");
        let key = ClientKey {
            branch: key.branch.clone(),
            method: Method::Cancel,
        };
        let peer = c.peer;
        let tx = ClientNonInvite::new(
            now,
            &cancel,
            peer,
            self.timers_to(peer),
            &mut self.transmits,
        );
        self.client.insert(
            key,
            ClientEntry {
                tx: ClientTransaction::NonInvite(tx),
                purpose: Purpose::Cancel(call),
            },
        );
        let invite_key = ClientKey {
            branch: self
                .calls
                .get(&call)
                .and_then(|c| match &c.state {
                    State::Outgoing { invite, .. } => Some(invite.branch.clone()),
                    _ => None,
                })
                .unwrap_or_default(),
            method: Method::Invite,
        };
        if let Some(ClientEntry {
            tx: ClientTransaction::Invite(t),
            ..
        }) = self.client.get_mut(&invite_key)
        {
            t.cancel_sent(now);
        }
    }

    /// Send BYE in the dialog of `call` (§15.1.1); `notify` = report Ended.
    pub(super) fn send_bye(&mut self, now: Instant, call: CallHandle, notify: bool) {
        let Some(peer) = self.calls.get(&call).map(|c| c.peer) else {
            return;
        };
        let via = self.new_via(peer);
        let user_agent = self.config.user_agent.clone();
        let timers = self.timers_to(peer);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        let mut bye = c.dialog.request(Method::Bye, &via);
        bye.headers.push("User-Agent", user_agent);
        bye.headers.push("Content-Length", "0");
        c.state = State::Terminating { notify };
        c.timers.stop_all();
        let tx = ClientNonInvite::new(now, &bye, c.peer, timers, &mut self.transmits);
        self.client.insert(
            ClientKey {
                branch: via.branch().unwrap_or_default().to_owned(),
                method: Method::Bye,
            },
            ClientEntry {
                tx: ClientTransaction::NonInvite(tx),
                purpose: Purpose::Bye(call),
            },
        );
    }

    /// Send bytes to `destination` outside any transaction.
    pub(super) fn send_raw(&mut self, destination: SocketAddr, payload: Vec<u8>) {
        self.transmits
            .push_back(Transmit::new(destination, payload));
    }
}

/// The host part of a SIP URI or Via for `addr` (IPv6 in brackets).
fn host_of(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => a.ip().to_string(),
        SocketAddr::V6(a) => format!("[{}]", a.ip()),
    }
}

/// Add `received` (and fill `rport`) to the top Via of a request that came
/// from `source` (RFC 3261 §18.2.1, RFC 3581 §4).
pub(super) fn stamp_via(request: &mut Request, source: SocketAddr) {
    let Some(header) = request
        .headers
        .0
        .iter_mut()
        .find(|h| h.name.eq_ignore_ascii_case("Via"))
    else {
        return;
    };
    let (first, rest) = split_via_line(&header.value);
    let Ok(mut via) = Via::parse(first) else {
        return;
    };
    let ip = source.ip().to_string();
    let host = via.host.trim_start_matches('[').trim_end_matches(']');
    let rport = via.rport().is_some();
    if host != ip || rport {
        via.params.set("received", Some(ip));
    }
    if rport {
        via.params.set("rport", Some(source.port().to_string()));
    }
    header.value = match rest {
        Some(rest) => format!("{via}, {rest}"),
        None => via.to_string(),
    };
}
