//! Requests from the network: transaction matching, the UAS checks of
//! RFC 3261 §8.2 (in that order: method 405/501, Request-URI scheme 416,
//! Require 420, content 415, Accept 406), dialogs (§12.2.2), CANCEL (§9.2),
//! BYE (§15.1.2) and the ACK for our 2xx (§13.3.1.4). REGISTER and the
//! Digest check of INVITEs are in `register`.

use std::net::SocketAddr;
use std::time::Instant;

use super::build::{stamp_via, ACCEPT, ALLOW};
use super::call::{AckFor, Call, State};
use super::register::Gate;
use super::{CallHandle, Endpoint, Event, ServerEntry, ServerTransaction};
use crate::dialog::Dialog;
use crate::message::{salvage_request, Method, ParseError, Request, Response, Scheme};
use crate::transaction::{AckDisposition, ServerInvite, ServerKey, ServerNonInvite};

impl Endpoint {
    pub(super) fn on_parse_error(&mut self, source: SocketAddr, data: &[u8], error: &ParseError) {
        let limit = data.len().min(self.config.max_message_size);
        let salvaged = salvage_request(data.get(..limit).unwrap_or(data));
        let reason = match salvaged {
            // Never answer an ACK (§17.2.1), even a broken one.
            Some(s) if s.method != "ACK" => {
                let status = error.status();
                let phrase = error.reason_phrase();
                let mut response = Response {
                    status,
                    reason: phrase.clone(),
                    headers: s.headers,
                    body: Vec::new(),
                };
                let tag = self.ids.tag();
                response.set_to_tag(&tag);
                response
                    .headers
                    .push("Server", self.config.user_agent.clone());
                response.headers.push("Content-Length", "0");
                self.send_raw(source, response.to_bytes());
                format!("{error}; answered {status} {phrase}")
            }
            _ => format!("{error}; dropped"),
        };
        tracing::debug!(%source, %reason, "malformed SIP message");
        self.events.push_back(Event::Dropped { source, reason });
    }

    pub(super) fn on_request(&mut self, now: Instant, source: SocketAddr, mut request: Request) {
        stamp_via(&mut request, source);
        let Some(key) = ServerKey::from_request(&request) else {
            return;
        };
        if request.method == Method::Ack {
            self.on_ack(now, &key, &request);
            return;
        }
        if let Some(entry) = self.server.get_mut(&key) {
            // A retransmission: answer with the last response (§17.2.1, §17.2.2).
            match &mut entry.tx {
                ServerTransaction::Invite(t) => t.on_retransmission(&mut self.transmits),
                ServerTransaction::NonInvite(t) => t.on_retransmission(&mut self.transmits),
            }
            return;
        }
        if self.transaction_count() >= self.config.max_transactions {
            let mut response = self.response_to(&request, 503, None);
            response.headers.push("Retry-After", "5");
            self.send_raw(source, response.to_bytes());
            tracing::warn!(%source, "transaction limit reached, answered 503");
            return;
        }
        let tx = if request.method == Method::Invite {
            ServerTransaction::Invite(ServerInvite::new(
                &request,
                source,
                self.timers_to(source),
                &mut self.transmits,
            ))
        } else {
            ServerTransaction::NonInvite(ServerNonInvite::new(source, self.timers_to(source)))
        };
        self.server.insert(
            key.clone(),
            ServerEntry {
                tx,
                request: request.clone(),
                call: None,
            },
        );
        if request.method == Method::Cancel {
            self.on_cancel(now, &key, &request);
        } else {
            self.dispatch(now, source, &key, request);
        }
    }

    /// Answer the request of server transaction `key` with `status`.
    pub(super) fn reply(
        &mut self,
        now: Instant,
        key: &ServerKey,
        status: u16,
        to_tag: Option<&str>,
        extra: &[(&str, &str)],
    ) {
        let Some(request) = self.server.get(key).map(|e| e.request.clone()) else {
            return;
        };
        let mut response = self.response_to(&request, status, to_tag);
        for (name, value) in extra {
            response.headers.push(name, *value);
        }
        response.headers.move_to_end("Content-Length");
        if let Err(error) = self.server_respond(now, key, &response) {
            tracing::debug!(%error, status, "response not sent");
        }
    }

    fn find_dialog(&self, request: &Request) -> Option<CallHandle> {
        // A gateway has tens of calls at most: a scan beats keeping an index in step.
        self.calls
            .iter()
            .find(|(_, c)| c.dialog.matches_request(request))
            .map(|(h, _)| *h)
    }

    fn dispatch(&mut self, now: Instant, source: SocketAddr, key: &ServerKey, request: Request) {
        if request.headers.to().is_some_and(|t| t.tag().is_some()) {
            match self.find_dialog(&request) {
                Some(call) => self.in_dialog(now, source, key, call, request),
                None => self.reply(now, key, 481, None, &[]),
            }
            return;
        }
        // §8.2.1 method inspection.
        match request.method {
            Method::Invite | Method::Options | Method::Message | Method::Register => {}
            Method::Bye | Method::Info | Method::Prack | Method::Update => {
                return self.reply(now, key, 481, None, &[])
            }
            _ => return self.reply(now, key, 501, None, &[("Allow", ALLOW)]),
        }
        // §8.2.2.1 Request-URI scheme.
        if !matches!(
            request.uri.scheme,
            Some(Scheme::Sip | Scheme::Sips | Scheme::Tel)
        ) {
            return self.reply(now, key, 416, None, &[]);
        }
        // §8.2.2.3 Require: we support no extensions.
        let required: Vec<&str> = request
            .headers
            .list("Require")
            .filter(|t| !t.is_empty())
            .collect();
        if !required.is_empty() {
            let unsupported = required.join(", ");
            return self.reply(now, key, 420, None, &[("Unsupported", &unsupported)]);
        }
        match request.method {
            Method::Options => self.reply(
                now,
                key,
                200,
                None,
                &[("Allow", ALLOW), ("Accept", ACCEPT), ("Supported", "")],
            ),
            Method::Message => {
                self.reply(now, key, 200, None, &[]);
                self.events.push_back(Event::MessageReceived {
                    call: None,
                    source,
                    content_type: request.headers.content_type().unwrap_or_default(),
                    body: request.body,
                });
            }
            Method::Register => self.on_register(now, source, key, &request),
            _ => {
                if self.calls.len() >= self.config.max_dialogs {
                    tracing::warn!(%source, "dialog limit reached, answered 503");
                    return self.reply(now, key, 503, None, &[("Retry-After", "5")]);
                }
                if let Gate::Pass(user) = self.authenticate(now, source, key, &request) {
                    self.new_incoming_call(now, source, key, request, user)
                }
            }
        }
    }

    fn new_incoming_call(
        &mut self,
        now: Instant,
        source: SocketAddr,
        key: &ServerKey,
        request: Request,
        authenticated_user: Option<String>,
    ) {
        // §8.2.3 content processing: only SDP (or no body) is understood.
        let content_type = request.headers.content_type();
        if !request.body.is_empty() && content_type.as_deref() != Some("application/sdp") {
            return self.reply(now, key, 415, None, &[("Accept", ACCEPT)]);
        }
        // Our answer will carry SDP; the caller must accept it (§20.1).
        let accepts = request.headers.list("Accept").collect::<Vec<_>>();
        if request.headers.get("Accept").is_some()
            && !accepts.iter().any(|a| {
                let t = a
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                t == "application/sdp" || t == "application/*" || t == "*/*"
            })
        {
            return self.reply(now, key, 406, None, &[("Accept", ACCEPT)]);
        }
        let tag = self.ids.tag();
        let local_seq = self.ids.cseq();
        let Some(dialog) = Dialog::uas(&request, &tag, local_seq) else {
            return self.reply(now, key, 400, None, &[]);
        };
        let handle = CallHandle(self.new_handle());
        if let Some(entry) = self.server.get_mut(key) {
            entry.call = Some(handle);
        }
        let contact_user = request.uri.user.clone();
        let sdp = (!request.body.is_empty()).then(|| request.body.clone());
        self.calls.insert(
            handle,
            Call {
                outgoing: false,
                dialog,
                peer: source,
                invite: request.clone(),
                state: State::Incoming {
                    invite: key.clone(),
                },
                timers: Default::default(),
                ack: None,
                contact_user,
                authenticated_user,
                local_sdp: None,
            },
        );
        self.events.push_back(Event::IncomingCall {
            call: handle,
            request,
            source,
            sdp,
        });
    }

    fn in_dialog(
        &mut self,
        now: Instant,
        source: SocketAddr,
        key: &ServerKey,
        call: CallHandle,
        request: Request,
    ) {
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if c.dialog.on_remote_request(&request).is_err() {
            // §12.2.2: lower CSeq than the last one is answered 500.
            return self.reply(now, key, 500, None, &[]);
        }
        match request.method {
            Method::Bye => {
                let ringing = match &c.state {
                    State::Incoming { invite } => Some(invite.clone()),
                    _ => None,
                };
                self.reply(now, key, 200, None, &[]);
                if let Some(invite) = ringing {
                    if let Ok(response) = self.dialog_response(call, &invite, 487) {
                        let _ = self.server_respond(now, &invite, &response);
                    }
                }
                self.calls.remove(&call);
                self.events.push_back(Event::Ended {
                    call,
                    by_remote: true,
                });
            }
            Method::Info => {
                self.reply(now, key, 200, None, &[]);
                self.events.push_back(Event::InfoReceived {
                    call,
                    content_type: request.headers.content_type().unwrap_or_default(),
                    body: request.body,
                });
            }
            Method::Message => {
                self.reply(now, key, 200, None, &[]);
                self.events.push_back(Event::MessageReceived {
                    call: Some(call),
                    source,
                    content_type: request.headers.content_type().unwrap_or_default(),
                    body: request.body,
                });
            }
            Method::Options => {
                self.reply(now, key, 200, None, &[("Allow", ALLOW), ("Accept", ACCEPT)])
            }
            Method::Invite => self.on_reinvite(now, key, call, request),
            _ => self.reply(now, key, 501, None, &[("Allow", ALLOW)]),
        }
    }

    /// CANCEL (§9.2): 200 to the CANCEL, then 487 to the INVITE if it is
    /// still unanswered; 481 when there is no such INVITE.
    fn on_cancel(&mut self, now: Instant, key: &ServerKey, request: &Request) {
        let invite_key = key.with_method(Method::Invite);
        let Some(entry) = self.server.get(&invite_key) else {
            return self.reply(now, key, 481, None, &[]);
        };
        let call = entry.call;
        let tag = call
            .and_then(|h| self.calls.get(&h))
            .map(|c| c.dialog.local_tag.clone());
        self.reply(now, key, 200, tag.as_deref(), &[]);
        let Some(call) = call else {
            return;
        };
        if matches!(
            self.calls.get(&call).map(|c| &c.state),
            Some(State::Incoming { .. })
        ) {
            if let Ok(response) = self.dialog_response(call, &invite_key, 487) {
                let _ = self.server_respond(now, &invite_key, &response);
            }
            self.calls.remove(&call);
            self.events.push_back(Event::Cancelled { call });
        }
        let _ = request;
    }

    /// ACK: for our non-2xx it belongs to the INVITE transaction; for our
    /// 2xx it confirms the dialog (§13.3.1.4, RFC 6026).
    fn on_ack(&mut self, now: Instant, key: &ServerKey, request: &Request) {
        if let Some(ServerEntry {
            tx: ServerTransaction::Invite(t),
            ..
        }) = self.server.get_mut(key)
        {
            if t.on_ack(now) == AckDisposition::Absorbed {
                return;
            }
        }
        let Some(call) = self.find_dialog(request) else {
            tracing::debug!("ACK outside any dialog dropped");
            return;
        };
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        if let State::AwaitingAck {
            hangup, ack_for, ..
        } = c.state
        {
            c.timers.stop_all();
            c.state = State::Confirmed;
            match ack_for {
                AckFor::Invite => self.events.push_back(Event::Confirmed { call }),
                AckFor::Reoffer => {}
                AckFor::DelayedOffer => self.on_delayed_answer(call, request),
            }
            if hangup {
                self.send_bye(now, call, true);
            }
        }
    }
}
