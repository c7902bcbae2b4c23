//! re-INVITE from the peer (RFC 3261 §14.2, RFC 3264 §8): hold, resume, a
//! new address. The core answers by itself from the call's last SDP
//! (`sdp::reoffer`), so call control only learns the result
//! ([`Event::SessionModified`]).
//!
//! ```text
//! Confirmed --re-INVITE + offer--> 200 + answer, SessionModified --> AwaitingAck(Reoffer) --ACK--> Confirmed
//! Confirmed --re-INVITE, no SDP--> 200 + our offer (sendrecv) --> AwaitingAck(DelayedOffer)
//!                                      --ACK + answer: SessionModified--> Confirmed
//! AwaitingAck (our 2xx not ACKed yet) --re-INVITE--> 500 + Retry-After (§14.2)
//! offer we cannot answer (codec dropped, fewer streams, garbage) --> 488, session unchanged
//! ```
//!
//! The 2xx is retransmitted until the ACK like the first one (§13.3.1.4);
//! no ACK ends the call with BYE.

use std::time::Instant;

use super::build::ACCEPT;
use super::call::{AckFor, State};
use super::{CallHandle, CallTimer, Endpoint, Event};
use crate::message::{NameAddr, Request};
use crate::sdp::{reoffer, Direction, SessionDescription};
use crate::transaction::ServerKey;

impl Endpoint {
    pub(super) fn on_reinvite(
        &mut self,
        now: Instant,
        key: &ServerKey,
        call: CallHandle,
        request: Request,
    ) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        match c.state {
            State::Confirmed => {}
            // §14.2: an INVITE while our 2xx to the last one is not ACKed.
            State::AwaitingAck { .. } => {
                return self.reply(now, key, 500, None, &[("Retry-After", "1")])
            }
            _ => return self.reply(now, key, 491, None, &[]),
        }
        let content_type = request.headers.content_type();
        if !request.body.is_empty() && content_type.as_deref() != Some("application/sdp") {
            return self.reply(now, key, 415, None, &[("Accept", ACCEPT)]);
        }
        let Some(local) = c.local_sdp.clone() else {
            tracing::debug!(?call, "re-INVITE in a call without SDP, answered 488");
            return self.reply(now, key, 488, None, &[]);
        };
        let (body, ack_for, event) = if request.body.is_empty() {
            match reoffer::reoffer(&local) {
                Ok(offer) => (offer, AckFor::DelayedOffer, None),
                Err(error) => {
                    tracing::debug!(%error, "re-INVITE not answered");
                    return self.reply(now, key, 488, None, &[]);
                }
            }
        } else {
            match reoffer::answer(&local, &request.body) {
                Ok(r) => {
                    let event = Event::SessionModified {
                        call,
                        sdp: request.body.clone(),
                        remote: r.remote,
                        local: r.local,
                    };
                    (r.answer, AckFor::Reoffer, Some(event))
                }
                Err(error) => {
                    tracing::info!(?call, %error, "re-INVITE refused with 488");
                    return self.reply(now, key, 488, None, &[]);
                }
            }
        };
        let body = body.to_bytes();
        let Ok(mut response) = self.dialog_response(call, key, 200) else {
            return;
        };
        response.set_body(Some("application/sdp"), body.clone());
        if let Err(error) = self.server_respond(now, key, &response) {
            tracing::debug!(%error, "re-INVITE response not sent");
            return;
        }
        let timers = self.config.timers();
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        // §12.2.2: a re-INVITE's Contact is the new remote target.
        if let Some(contact) = request
            .headers
            .get("Contact")
            .and_then(|v| NameAddr::parse(v).ok())
        {
            c.dialog.remote_target = contact.uri;
        }
        c.local_sdp = Some(body);
        c.state = State::AwaitingAck {
            response: response.to_bytes(),
            interval: timers.t1,
            hangup: false,
            ack_for,
        };
        c.timers.set(CallTimer::Retransmit2xx, now + timers.t1);
        c.timers.set(CallTimer::AckWait, now + timers.timeout());
        if let Some(event) = event {
            self.events.push_back(event);
        }
    }

    /// The ACK to the 2xx in which we offered: its body is the answer.
    pub(super) fn on_delayed_answer(&mut self, call: CallHandle, ack: &Request) {
        let Ok(answer) = SessionDescription::parse(&ack.body) else {
            tracing::debug!(?call, "ACK without a usable SDP answer; session unchanged");
            return;
        };
        let Some(media) = answer.media.iter().find(|m| !m.is_rejected()) else {
            return;
        };
        let remote = answer.direction_of(media);
        self.events.push_back(Event::SessionModified {
            call,
            sdp: ack.body.clone(),
            remote,
            local: match remote {
                Direction::SendRecv => Direction::SendRecv,
                d => d.reversed(),
            },
        });
    }
}
