//! Responses from the network (RFC 3261 §8.1.3, §13.2.2) and client
//! transaction timeouts.

use std::net::SocketAddr;
use std::time::Instant;

use super::call::{Cancel, State};
use super::{CallHandle, ClientTransaction, Endpoint, Event, Purpose};
use crate::message::{Method, Response};
use crate::transaction::{same_address, ClientKey};
use crate::transport::Transport;

/// The dialog a stray 2xx describes, seen from our (UAC) side.
fn orphan_dialog(response: &Response) -> Option<crate::dialog::Dialog> {
    let from = response.headers.from()?;
    let to = response.headers.to()?;
    let mut local_uri = from.clone();
    local_uri.params.remove("tag");
    let mut remote_uri = to.clone();
    remote_uri.params.remove("tag");
    let mut routes = response.headers.record_routes();
    routes.reverse();
    Some(crate::dialog::Dialog {
        call_id: response.headers.call_id()?.to_owned(),
        local_tag: from.tag()?.to_owned(),
        remote_tag: Some(to.tag()?.to_owned()),
        local_uri,
        remote_uri,
        local_seq: response.headers.cseq()?.seq,
        remote_seq: None,
        remote_target: response.headers.contacts().into_iter().next()?.uri,
        route_set: routes,
        state: crate::dialog::DialogState::Confirmed,
    })
}

/// How many ended INVITE branches are remembered for late 2xx handling.
const ENDED_INVITES: usize = 64;

fn sdp_of(response: &Response) -> Option<Vec<u8>> {
    (!response.body.is_empty()).then(|| response.body.clone())
}

impl Endpoint {
    pub(super) fn on_response(
        &mut self,
        now: Instant,
        source: SocketAddr,
        transport: Transport,
        response: Response,
    ) {
        // §8.1.3.3: a response with more than one Via was not meant for us.
        let vias = response.headers.list("Via").count();
        if vias != 1 {
            self.events.push_back(Event::Dropped {
                source,
                reason: format!("response with {vias} Via values"),
            });
            return;
        }
        let Some(key) = ClientKey::from_response(&response) else {
            return;
        };
        let Some(entry) = self.client.get_mut(&key) else {
            self.on_stray_response(now, source, &response);
            return;
        };
        // §17.1.3 plus the transport: the key alone could be guessed or
        // sniffed; the answer must come from where the request went.
        if let Err(error) = entry.tx.origin().check(source, transport, &response) {
            tracing::warn!(%source, %error, "response refused");
            self.events.push_back(Event::Dropped {
                source,
                reason: error.to_string(),
            });
            return;
        }
        let pass = match &mut entry.tx {
            ClientTransaction::Invite(t) => t.on_response(now, &response, &mut self.transmits),
            ClientTransaction::NonInvite(t) => t.on_response(now, &response),
        };
        if !pass {
            return;
        }
        match entry.purpose {
            Purpose::Invite(call) => self.on_invite_response(now, call, response),
            Purpose::Register(registration) => {
                self.on_registration_response(now, registration, &key, &response)
            }
            Purpose::Cancel(_) | Purpose::Orphan => {}
            Purpose::Bye(call) if !response.is_provisional() => self.bye_done(call),
            Purpose::Request(request) if !response.is_provisional() => {
                self.events.push_back(Event::RequestCompleted {
                    request,
                    status: response.status,
                })
            }
            Purpose::Bye(_) | Purpose::Request(_) => {}
        }
    }

    /// A 2xx retransmission after the INVITE transaction ended: ACK again.
    fn on_stray_response(&mut self, now: Instant, source: SocketAddr, response: &Response) {
        if !response.is_success()
            || response.headers.cseq().map(|c| c.method) != Some(Method::Invite)
        {
            tracing::trace!(status = response.status, "stray response dropped");
            return;
        }
        if let Some(c) = self
            .calls
            .values()
            .find(|c| c.outgoing && c.dialog.matches_response(response))
        {
            if let Some(ack) = c.ack.clone() {
                let peer = c.peer;
                self.send_raw(peer, ack);
            }
            return;
        }
        // Only for INVITEs we really sent, answered from where they went:
        // otherwise a forged 2xx would make us send requests to whoever
        // forged it.
        let ours = response
            .headers
            .top_via()
            .and_then(|v| v.branch().map(str::to_owned))
            .is_some_and(|b| {
                self.ended_invites
                    .iter()
                    .any(|(branch, to)| *branch == b && same_address(*to, source))
            });
        if ours {
            self.end_orphan_2xx(now, source, response);
        }
    }

    /// A 2xx for an INVITE we no longer have a call for (it arrived after
    /// Timer B or after our CANCEL completed): ACK it and send BYE, so the
    /// far end does not keep a one-sided call (RFC 3261 §13.2.2.4, §15).
    fn end_orphan_2xx(&mut self, now: Instant, source: SocketAddr, response: &Response) {
        let Some(dialog) = orphan_dialog(response) else {
            return;
        };
        let mut dialog = dialog;
        let via = self.new_via(source);
        let mut ack = dialog.request_with_seq(Method::Ack, dialog.local_seq, &via);
        ack.headers.push("Content-Length", "0");
        self.send_raw(source, ack.to_bytes());
        let via = self.new_via(source);
        let mut bye = dialog.request(Method::Bye, &via);
        bye.headers.push("Content-Length", "0");
        // Fire and forget: a transaction without an owner still retransmits.
        let tx = crate::transaction::ClientNonInvite::new(
            now,
            &bye,
            source,
            self.timers_to(source),
            &mut self.transmits,
        );
        self.client.insert(
            ClientKey {
                branch: via.branch().unwrap_or_default().to_owned(),
                method: Method::Bye,
            },
            super::ClientEntry {
                tx: ClientTransaction::NonInvite(tx),
                purpose: Purpose::Orphan,
            },
        );
    }

    fn on_invite_response(&mut self, now: Instant, call: CallHandle, response: Response) {
        let Some(peer) = self.calls.get(&call).map(|c| c.peer) else {
            return;
        };
        let via = self.new_via(peer);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        match (&mut c.state, response.status) {
            (
                State::Outgoing {
                    provisional,
                    cancel,
                    ..
                },
                100..=199,
            ) => {
                *provisional = true;
                if response.status > 100 && response.headers.to().is_some_and(|t| t.tag().is_some())
                {
                    c.dialog.on_response(&response);
                }
                match cancel {
                    Cancel::Pending => {
                        *cancel = Cancel::Sent;
                        self.send_cancel(now, call);
                    }
                    Cancel::NotRequested if response.status > 100 => {
                        self.events.push_back(Event::Progress {
                            call,
                            status: response.status,
                            sdp: sdp_of(&response),
                        })
                    }
                    _ => {}
                }
            }
            (State::Outgoing { cancel, .. }, 200..=299) => {
                let cancelled = *cancel != Cancel::NotRequested;
                c.dialog.on_response(&response);
                let seq = c.invite.headers.cseq().map_or(0, |s| s.seq);
                let mut ack = c.dialog.request_with_seq(Method::Ack, seq, &via);
                ack.headers.push("Content-Length", "0");
                let ack = ack.to_bytes();
                c.ack = Some(ack.clone());
                c.state = State::Confirmed;
                let peer = c.peer;
                self.send_raw(peer, ack);
                if cancelled {
                    // CANCEL lost the race with 200 OK: end the call with BYE (§9.1).
                    self.send_bye(now, call, true);
                } else {
                    self.events.push_back(Event::Answered {
                        call,
                        sdp: sdp_of(&response),
                    });
                }
            }
            (State::Outgoing { cancel, invite, .. }, _) => {
                let cancelled = *cancel != Cancel::NotRequested;
                let ended = (invite.branch.clone(), c.peer);
                self.calls.remove(&call);
                self.remember_ended_invite(ended);
                self.events.push_back(if cancelled {
                    Event::Ended {
                        call,
                        by_remote: false,
                    }
                } else {
                    Event::Failed {
                        call,
                        status: response.status,
                        reason: response.reason,
                    }
                });
            }
            (_, 200..=299) if c.dialog.matches_response(&response) => {
                // Retransmitted 2xx: the ACK was lost (§13.2.2.4).
                if let Some(ack) = c.ack.clone() {
                    let peer = c.peer;
                    self.send_raw(peer, ack);
                }
            }
            _ => {}
        }
    }

    /// Keep the branches (and destinations) of the last INVITEs that ended
    /// without a 2xx, so a late 2xx can be recognised as ours (bounded:
    /// oldest forgotten).
    fn remember_ended_invite(&mut self, branch: (String, SocketAddr)) {
        if self.ended_invites.len() >= ENDED_INVITES {
            self.ended_invites.pop_front();
        }
        self.ended_invites.push_back(branch);
    }

    fn bye_done(&mut self, call: CallHandle) {
        if let Some(c) = self.calls.remove(&call) {
            if let State::Terminating { notify: true } = c.state {
                self.events.push_back(Event::Ended {
                    call,
                    by_remote: false,
                });
            }
        }
    }

    pub(super) fn on_client_timeout(&mut self, now: Instant, purpose: Purpose) {
        match purpose {
            Purpose::Invite(call) => {
                let Some(c) = self.calls.get(&call) else {
                    return;
                };
                if let State::Outgoing { cancel, invite, .. } = &c.state {
                    let cancel = *cancel;
                    let ended = (invite.branch.clone(), c.peer);
                    self.calls.remove(&call);
                    self.remember_ended_invite(ended);
                    self.events.push_back(if cancel == Cancel::NotRequested {
                        Event::Failed {
                            call,
                            status: 408,
                            reason: "Request Timeout".into(),
                        }
                    } else {
                        Event::Ended {
                            call,
                            by_remote: false,
                        }
                    });
                }
            }
            Purpose::Cancel(_) | Purpose::Orphan => {}
            Purpose::Bye(call) => self.bye_done(call),
            Purpose::Request(request) => self.events.push_back(Event::RequestCompleted {
                request,
                status: 408,
            }),
            Purpose::Register(registration) => self.on_registration_timeout(now, registration),
        }
    }
}
