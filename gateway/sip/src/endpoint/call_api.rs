//! What call control calls: start a call, answer or reject one, hang up,
//! send INFO and MESSAGE in a dialog, and the handles, states and errors of
//! that API.

use std::net::SocketAddr;
use std::time::Instant;

use thiserror::Error;

use super::build;
use super::call::{AckFor, Call, CallTimer, Cancel, State};
use super::{ClientEntry, ClientTransaction, Endpoint, Event, Purpose};
use crate::message::{Method, NameAddr, Request, Uri};
use crate::transaction::{ClientInvite, ClientKey, ClientNonInvite, ServerKey, TransactionError};

/// The core's id for one call (not the SIP Call-ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub(super) u64);

/// The core's id for one INFO or MESSAGE we sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestHandle(pub(super) u64);

/// An outgoing call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutgoingInvite {
    /// Request-URI.
    pub target: Uri,
    /// Where to send the INVITE (and the rest of the call).
    pub destination: SocketAddr,
    pub from: Uri,
    pub from_display: Option<String>,
    pub to: Uri,
    pub sdp_offer: Vec<u8>,
    /// Added as-is (e.g. `X-Line: 2`).
    pub extra_headers: Vec<(String, String)>,
}

/// Where a call stands, for the console and the API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallState {
    /// UAC: INVITE sent, nothing but 100 received.
    Calling,
    /// UAC: provisional (1xx) received.
    Early,
    /// UAC: hangup requested before the final response; CANCEL pending or sent.
    Cancelling,
    /// UAS: waiting for call control to answer.
    Incoming,
    /// UAS: 2xx sent, waiting for the ACK.
    AwaitingAck,
    Confirmed,
    /// BYE sent.
    Terminating,
}

/// Snapshot of one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallInfo {
    pub call_id: String,
    /// True when we sent the INVITE.
    pub outgoing: bool,
    pub state: CallState,
    pub local_uri: Uri,
    pub remote_uri: Uri,
    pub remote_display: Option<String>,
    pub remote_target: Uri,
    pub local_tag: String,
    pub remote_tag: Option<String>,
    pub peer: SocketAddr,
    /// UAS: the account whose Digest credentials the INVITE carried.
    pub authenticated_user: Option<String>,
}
/// API misuse by call control.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CallError {
    #[error("no call {0:?}")]
    UnknownCall(CallHandle),
    #[error("{operation} is not possible while the call is {state:?}")]
    InvalidState {
        operation: &'static str,
        state: CallState,
    },
    #[error("status {0} is not allowed for this operation")]
    InvalidStatus(u16),
    #[error("transaction limit reached")]
    TooManyTransactions,
    #[error("dialog limit reached")]
    TooManyDialogs,
    /// The From/To URIs of an `OutgoingInvite` do not make a valid request.
    #[error("the INVITE built from these URIs does not parse")]
    InvalidInvite,
    #[error(transparent)]
    Transaction(#[from] TransactionError),
}

impl Endpoint {
    /// Handles of the calls that exist now.
    pub fn calls(&self) -> impl Iterator<Item = CallHandle> + '_ {
        self.calls.keys().copied()
    }

    pub fn call_info(&self, call: CallHandle) -> Option<CallInfo> {
        let c = self.calls.get(&call)?;
        Some(CallInfo {
            call_id: c.dialog.call_id.clone(),
            outgoing: c.outgoing,
            state: c.public_state(),
            local_uri: c.dialog.local_uri.uri.clone(),
            remote_uri: c.dialog.remote_uri.uri.clone(),
            remote_display: c.dialog.remote_uri.display_name.clone(),
            remote_target: c.dialog.remote_target.clone(),
            local_tag: c.dialog.local_tag.clone(),
            remote_tag: c.dialog.remote_tag.clone(),
            peer: c.peer,
            authenticated_user: c.authenticated_user.clone(),
        })
    }

    pub(super) fn call_mut(&mut self, call: CallHandle) -> Result<&mut Call, CallError> {
        self.calls
            .get_mut(&call)
            .ok_or(CallError::UnknownCall(call))
    }
    /// UAS: send 101-199 (183 with SDP for early media).
    pub fn send_provisional(
        &mut self,
        now: Instant,
        call: CallHandle,
        status: u16,
        sdp: Option<&[u8]>,
    ) -> Result<(), CallError> {
        if !(101..=199).contains(&status) {
            return Err(CallError::InvalidStatus(status));
        }
        let key = self.incoming_key(call, "send_provisional")?;
        let mut response = self.dialog_response(call, &key, status)?;
        if let Some(sdp) = sdp {
            response.set_body(Some("application/sdp"), sdp.to_vec());
        }
        self.server_respond(now, &key, &response)?;
        Ok(())
    }

    /// UAS: answer 200 with Contact and `sdp_answer`; retransmitted until ACK.
    pub fn accept(
        &mut self,
        now: Instant,
        call: CallHandle,
        sdp_answer: &[u8],
    ) -> Result<(), CallError> {
        let key = self.incoming_key(call, "accept")?;
        let mut response = self.dialog_response(call, &key, 200)?;
        response.set_body(Some("application/sdp"), sdp_answer.to_vec());
        self.server_respond(now, &key, &response)?;
        let timers = self.config.timers();
        let c = self.call_mut(call)?;
        c.dialog.state = crate::dialog::DialogState::Confirmed;
        c.state = State::AwaitingAck {
            response: response.to_bytes(),
            interval: timers.t1,
            hangup: false,
            ack_for: AckFor::Invite,
        };
        c.local_sdp = Some(sdp_answer.to_vec());
        c.timers.set(CallTimer::Retransmit2xx, now + timers.t1);
        c.timers.set(CallTimer::AckWait, now + timers.timeout());
        Ok(())
    }

    /// UAS: answer 300-699 and forget the call.
    pub fn reject(
        &mut self,
        now: Instant,
        call: CallHandle,
        status: u16,
        reason: &str,
    ) -> Result<(), CallError> {
        if !(300..=699).contains(&status) {
            return Err(CallError::InvalidStatus(status));
        }
        let key = self.incoming_key(call, "reject")?;
        let mut response = self.dialog_response(call, &key, status)?;
        response.reason = reason.to_owned();
        self.server_respond(now, &key, &response)?;
        self.calls.remove(&call);
        Ok(())
    }

    /// UAC: start a call.
    pub fn invite(
        &mut self,
        now: Instant,
        invite: OutgoingInvite,
    ) -> Result<CallHandle, CallError> {
        if self.transaction_count() >= self.config.max_transactions {
            return Err(CallError::TooManyTransactions);
        }
        if self.calls.len() >= self.config.max_dialogs {
            return Err(CallError::TooManyDialogs);
        }
        let handle = CallHandle(self.new_handle());
        let tag = self.ids.tag();
        let call_id = self.ids.call_id(&self.config.local_addr.ip().to_string());
        let via = self.new_via(invite.destination);
        let mut request = Request::new(Method::Invite, invite.target.clone());
        let h = &mut request.headers;
        h.push("Via", via.to_string());
        h.push("Max-Forwards", "70");
        let mut from = NameAddr::new(invite.from.clone());
        from.display_name = invite.from_display.clone();
        from.set_tag(&tag);
        h.push("From", from.to_string());
        h.push("To", NameAddr::new(invite.to.clone()).to_string());
        h.push("Call-ID", call_id);
        h.push("CSeq", format!("{} INVITE", self.ids.cseq()));
        h.push(
            "Contact",
            self.contact(invite.from.user.as_deref(), invite.destination)
                .to_string(),
        );
        h.push("Allow", build::ALLOW);
        h.push("User-Agent", self.config.user_agent.clone());
        for (name, value) in &invite.extra_headers {
            h.push(name, value.clone());
        }
        let content_type = (!invite.sdp_offer.is_empty()).then_some("application/sdp");
        request.set_body(content_type, invite.sdp_offer.clone());
        let dialog = crate::dialog::Dialog::uac(&request, &tag).ok_or(CallError::InvalidInvite)?;
        let key = ClientKey {
            branch: via.branch().unwrap_or_default().to_owned(),
            method: Method::Invite,
        };
        let tx = ClientInvite::new(
            now,
            request.clone(),
            invite.destination,
            self.timers_to(invite.destination),
            &mut self.transmits,
        );
        self.client.insert(
            key.clone(),
            ClientEntry {
                tx: ClientTransaction::Invite(tx),
                purpose: Purpose::Invite(handle),
            },
        );
        self.calls.insert(
            handle,
            Call {
                outgoing: true,
                dialog,
                peer: invite.destination,
                invite: request,
                state: State::Outgoing {
                    invite: key,
                    provisional: false,
                    cancel: Cancel::NotRequested,
                },
                timers: Default::default(),
                ack: None,
                contact_user: invite.from.user.clone(),
                authenticated_user: None,
                local_sdp: (!invite.sdp_offer.is_empty()).then(|| invite.sdp_offer.clone()),
            },
        );
        Ok(handle)
    }

    /// End a call however its state requires: BYE when confirmed, CANCEL
    /// when we are calling, 480 when we have not answered. Completes with
    /// `Event::Ended { by_remote: false }`.
    pub fn hangup(&mut self, now: Instant, call: CallHandle) -> Result<(), CallError> {
        let c = self.call_mut(call)?;
        let state = c.public_state();
        match &mut c.state {
            State::Outgoing {
                provisional,
                cancel: cancel @ Cancel::NotRequested,
                ..
            } => {
                if *provisional {
                    *cancel = Cancel::Sent;
                    self.send_cancel(now, call);
                } else {
                    *cancel = Cancel::Pending;
                }
            }
            State::Incoming { .. } => {
                let key = self.incoming_key(call, "hangup")?;
                let response = self.dialog_response(call, &key, 480)?;
                self.server_respond(now, &key, &response)?;
                self.calls.remove(&call);
                self.events.push_back(Event::Ended {
                    call,
                    by_remote: false,
                });
            }
            // RFC 3261 §15: no BYE before the ACK (or its timeout).
            State::AwaitingAck {
                hangup: h @ false, ..
            } => *h = true,
            State::Confirmed => self.send_bye(now, call, true),
            _ => {
                return Err(CallError::InvalidState {
                    operation: "hangup",
                    state,
                })
            }
        }
        Ok(())
    }

    /// Send INFO in a confirmed dialog.
    pub fn send_info(
        &mut self,
        now: Instant,
        call: CallHandle,
        content_type: &str,
        body: &[u8],
    ) -> Result<RequestHandle, CallError> {
        self.send_in_dialog(now, call, Method::Info, content_type, body)
    }

    /// Send MESSAGE in a confirmed dialog.
    pub fn send_message(
        &mut self,
        now: Instant,
        call: CallHandle,
        content_type: &str,
        body: &[u8],
    ) -> Result<RequestHandle, CallError> {
        self.send_in_dialog(now, call, Method::Message, content_type, body)
    }

    fn send_in_dialog(
        &mut self,
        now: Instant,
        call: CallHandle,
        method: Method,
        content_type: &str,
        body: &[u8],
    ) -> Result<RequestHandle, CallError> {
        if self.transaction_count() >= self.config.max_transactions {
            return Err(CallError::TooManyTransactions);
        }
        let peer = self.calls.get(&call).map(|c| c.peer);
        let via = self.new_via(peer.ok_or(CallError::UnknownCall(call))?);
        let user_agent = self.config.user_agent.clone();
        let c = self.call_mut(call)?;
        if !matches!(c.state, State::Confirmed | State::AwaitingAck { .. }) {
            return Err(CallError::InvalidState {
                operation: "an in-dialog request",
                state: c.public_state(),
            });
        }
        let mut request = c.dialog.request(method.clone(), &via);
        request.headers.push("User-Agent", user_agent);
        request.set_body(Some(content_type), body.to_vec());
        let peer = c.peer;
        let handle = RequestHandle(self.new_handle());
        let tx = ClientNonInvite::new(
            now,
            &request,
            peer,
            self.timers_to(peer),
            &mut self.transmits,
        );
        self.client.insert(
            ClientKey {
                branch: via.branch().unwrap_or_default().to_owned(),
                method,
            },
            ClientEntry {
                tx: ClientTransaction::NonInvite(tx),
                purpose: Purpose::Request(handle),
            },
        );
        Ok(handle)
    }

    fn incoming_key(
        &self,
        call: CallHandle,
        operation: &'static str,
    ) -> Result<ServerKey, CallError> {
        let c = self.calls.get(&call).ok_or(CallError::UnknownCall(call))?;
        match &c.state {
            State::Incoming { invite } => Ok(invite.clone()),
            _ => Err(CallError::InvalidState {
                operation,
                state: c.public_state(),
            }),
        }
    }
}
