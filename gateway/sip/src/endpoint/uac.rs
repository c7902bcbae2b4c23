//! Responses from the network (RFC 3261 §8.1.3, §13.2.2) and client
//! transaction timeouts.

use std::net::SocketAddr;
use std::time::Instant;

use super::call::{Cancel, State};
use super::{CallHandle, ClientTransaction, Endpoint, Event, Purpose};
use crate::message::{Method, Response};
use crate::transaction::ClientKey;

fn sdp_of(response: &Response) -> Option<Vec<u8>> {
    (!response.body.is_empty()).then(|| response.body.clone())
}

impl Endpoint {
    pub(super) fn on_response(&mut self, now: Instant, source: SocketAddr, response: Response) {
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
            self.on_stray_response(&response);
            return;
        };
        let pass = match &mut entry.tx {
            ClientTransaction::Invite(t) => t.on_response(now, &response, &mut self.transmits),
            ClientTransaction::NonInvite(t) => t.on_response(now, &response),
        };
        if !pass {
            return;
        }
        match entry.purpose {
            Purpose::Invite(call) => self.on_invite_response(now, call, response),
            Purpose::Cancel(_) => {}
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
    fn on_stray_response(&mut self, response: &Response) {
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
        }
    }

    fn on_invite_response(&mut self, now: Instant, call: CallHandle, response: Response) {
        let via = self.new_via();
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
            (State::Outgoing { cancel, .. }, _) => {
                let cancelled = *cancel != Cancel::NotRequested;
                self.calls.remove(&call);
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

    pub(super) fn on_client_timeout(&mut self, _now: Instant, purpose: Purpose) {
        match purpose {
            Purpose::Invite(call) => {
                let Some(c) = self.calls.get(&call) else {
                    return;
                };
                if let State::Outgoing { cancel, .. } = c.state {
                    self.calls.remove(&call);
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
            Purpose::Cancel(_) => {}
            Purpose::Bye(call) => self.bye_done(call),
            Purpose::Request(request) => self.events.push_back(Event::RequestCompleted {
                request,
                status: 408,
            }),
        }
    }
}
