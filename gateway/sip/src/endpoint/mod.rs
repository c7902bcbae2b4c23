//! The UA core (RFC 3261 §8, §9, §12-§15) that call control drives.
//!
//! ```text
//!  runtime ── handle_datagram(now, src, bytes) ──▶ Endpoint ──▶ poll_transmit() ─▶ socket
//!          ── handle_timeout(now) ───────────────▶          ──▶ poll_event() ───▶ call control
//!          ◀─ poll_timeout() ─────────────────────          ◀── invite/accept/reject/hangup/...
//! ```
//!
//! Every input takes `now`; nothing reads the clock. After each call the
//! runtime drains `poll_transmit` and `poll_event`, then sleeps until
//! `poll_timeout`.
//!
//! Roles: a user agent (UAC and UAS) and a registrar, not a proxy.
//! REGISTER goes to the [`crate::registrar`]; INVITE and REGISTER pass the
//! Digest gate in `register.rs` when [`EndpointConfig::auth`] is set. Responses go to the source address
//! of the request (symmetric signalling, RFC 3581); in-dialog requests go to
//! the address the call was set up with.
//!
//! Transports: UDP datagrams come in through [`Endpoint::handle_datagram`],
//! messages framed from a TCP connection through
//! [`Endpoint::handle_stream_message`]; the runtime reports connections with
//! [`Endpoint::connection_opened`] / [`Endpoint::connection_closed`] and
//! closes those [`Endpoint::poll_close`] names (idle and unused). A
//! [`Transmit`] to the peer of an open connection goes over it (responses on
//! the connection the request came on, in-dialog requests reuse it); Via
//! says TCP and the transactions neither retransmit nor linger.
//!
//! Limits: a token bucket per source IP (`rate_limit`, 503 + Retry-After
//! once a second, then silence), `max_transactions` and `max_dialogs`
//! (503 + Retry-After).
//!
//! Our own registrations with an upstream registrar (`registration.rs`,
//! [`Endpoint::register`]) answer 401/407 with [`crate::auth::client`].
//!
//! Seams for later: answering 401/407 to our INVITEs belongs in
//! `uac::on_invite_response`; TLS is a third [`Transport`]; UPDATE and
//! our own re-INVITEs are not sent.

mod build;
mod call;
mod id;
mod register;
mod registration;
mod reinvite;
pub(crate) use id::IdGenerator;
pub use registration::{
    Registration, RegistrationError, RegistrationHandle, RegistrationInfo, RegistrationState,
};
mod uac;
mod uas;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::auth::{AuthConfig, Authenticator};
use crate::message::{Message, Method, NameAddr, ParseError, Request, Uri};
use crate::rate_limit::{RateLimitConfig, RateLimiter};
use crate::registrar::{Binding, Registrar, RegistrarConfig};
use crate::sdp::Direction;
use crate::transaction::{
    ClientInvite, ClientKey, ClientNonInvite, ServerInvite, ServerKey, ServerNonInvite,
    TimerConfig, TransactionError,
};
use crate::transport::{Connections, Transport};
use crate::Transmit;

use call::{AckFor, Call, CallTimer, Cancel, State};

/// Configuration of an [`Endpoint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointConfig {
    /// Our address: Via sent-by and Contact.
    pub local_addr: SocketAddr,
    /// Sent as User-Agent in requests and Server in responses.
    pub user_agent: String,
    /// Larger datagrams are answered 513 (if possible) and dropped.
    pub max_message_size: usize,
    /// Above this many live transactions new requests get 503 + Retry-After.
    pub max_transactions: usize,
    /// Above this many calls (dialogs, early or confirmed) new INVITEs get
    /// 503 + Retry-After and [`Endpoint::invite`] fails.
    pub max_dialogs: usize,
    /// Requests per source IP address; `None`: unlimited.
    pub rate_limit: Option<RateLimitConfig>,
    /// A TCP connection on which nothing arrived for this long is closed,
    /// unless a call or a registration uses it.
    pub tcp_idle_timeout: Duration,
    /// Open TCP connections at most.
    pub max_connections: usize,
    /// Digest authentication (RFC 3261 §22). `None`: nobody is asked for
    /// credentials (the runtime allows that only on loopback).
    pub auth: Option<AuthConfig>,
    /// With `auth` set: still let INVITEs in without credentials (REGISTER
    /// is always authenticated when `auth` is set).
    pub allow_unauthenticated_invite: bool,
    /// Limits of the registrar.
    pub registrar: RegistrarConfig,
    /// Our own registrations ([`Endpoint::register`]): the first retry after
    /// a failure waits about this long, doubling per failure (RFC 5626 §4.5).
    pub registration_retry_base: Duration,
    /// ... up to this.
    pub registration_retry_max: Duration,
    pub t1: Duration,
    pub t2: Duration,
    pub t4: Duration,
}

impl EndpointConfig {
    /// Defaults: T1 500 ms, T2 4 s, T4 5 s, 65535-byte messages, 1024
    /// transactions, 256 dialogs, no rate limit, TCP idle after 120 s, 256
    /// connections, registration retries from 30 s up to 30 min.
    pub fn new(local_addr: SocketAddr) -> Self {
        let timers = TimerConfig::default();
        Self {
            local_addr,
            user_agent: concat!("gateway-sip/", env!("CARGO_PKG_VERSION")).into(),
            max_message_size: crate::message::DEFAULT_MAX_MESSAGE_SIZE,
            max_transactions: 1024,
            max_dialogs: 256,
            rate_limit: None,
            tcp_idle_timeout: Duration::from_secs(120),
            max_connections: 256,
            auth: None,
            allow_unauthenticated_invite: false,
            registrar: RegistrarConfig::default(),
            registration_retry_base: Duration::from_secs(30),
            registration_retry_max: Duration::from_secs(1800),
            t1: timers.t1,
            t2: timers.t2,
            t4: timers.t4,
        }
    }

    fn timers(&self) -> TimerConfig {
        TimerConfig {
            t1: self.t1,
            t2: self.t2,
            t4: self.t4,
            reliable: false,
        }
    }
}

/// The core's id for one call (not the SIP Call-ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(u64);

/// The core's id for one INFO or MESSAGE we sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RequestHandle(u64);

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

/// What the core tells call control.
// `IncomingCall` carries the whole INVITE as the API asks; events are rare
// and moved once, so boxing it would only make matching clumsier.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A new INVITE (100 Trying already sent). Answer with
    /// `send_provisional`, `accept` or `reject`.
    IncomingCall {
        call: CallHandle,
        request: Request,
        source: SocketAddr,
        sdp: Option<Vec<u8>>,
    },
    /// UAC got a 1xx other than 100.
    Progress {
        call: CallHandle,
        status: u16,
        sdp: Option<Vec<u8>>,
    },
    /// UAC got a 2xx; the core has sent the ACK.
    Answered {
        call: CallHandle,
        sdp: Option<Vec<u8>>,
    },
    /// UAS got the ACK for its 2xx.
    Confirmed { call: CallHandle },
    /// UAC final non-2xx, Timer B (408), or UAS 2xx never ACKed (408; the
    /// core sends BYE).
    Failed {
        call: CallHandle,
        status: u16,
        reason: String,
    },
    /// UAS: the caller sent CANCEL (answered 200, INVITE answered 487).
    Cancelled { call: CallHandle },
    /// BYE received (answered 200), or our hangup completed. Every
    /// successful [`Endpoint::hangup`] ends with exactly one
    /// `Ended { by_remote: false }` (after BYE, CANCEL or a local reject).
    Ended { call: CallHandle, by_remote: bool },
    /// INFO in a dialog (answered 200).
    InfoReceived {
        call: CallHandle,
        content_type: String,
        body: Vec<u8>,
    },
    /// MESSAGE in a dialog (`call` set) or outside one (answered 200).
    MessageReceived {
        call: Option<CallHandle>,
        source: SocketAddr,
        content_type: String,
        body: Vec<u8>,
    },
    /// Final response (or 408 on timeout) to our INFO or MESSAGE.
    RequestCompleted { request: RequestHandle, status: u16 },
    /// The peer changed the session with a re-INVITE (RFC 3264 §8), which
    /// the core answered 200 with our last SDP, the direction mirrored and
    /// the version bumped: hold (`sendonly`/`inactive` offered, we answered
    /// `recvonly`/`inactive`), resume (`sendrecv`), or a new address. `sdp`
    /// is the peer's new description (its RTP address may have changed);
    /// `local` is what we now do: send only when it is `SendRecv` or
    /// `SendOnly`.
    SessionModified {
        call: CallHandle,
        sdp: Vec<u8>,
        remote: Direction,
        local: Direction,
    },
    /// Malformed or oversize input, dropped or answered 4xx/5xx statelessly.
    Dropped { source: SocketAddr, reason: String },
    /// Our registration succeeded (first time or a refresh); the registrar
    /// granted `expires`. The refresh is already scheduled.
    Registered {
        registration: RegistrationHandle,
        expires: Duration,
    },
    /// Our REGISTER failed with `status` (408: no answer; 401/407: the
    /// credentials were refused or missing). A retry is already scheduled
    /// with back-off ([`EndpointConfig::registration_retry_base`]).
    RegistrationFailed {
        registration: RegistrationHandle,
        status: u16,
    },
    /// [`Endpoint::unregister`] completed (the registrar answered, or did
    /// not within Timer F); the handle is gone.
    Unregistered { registration: RegistrationHandle },
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

#[derive(Debug)]
// Both variants are a few hundred bytes (the fixed timer table); boxing one
// would not make the map entries smaller.
#[allow(clippy::large_enum_variant)]
enum ClientTransaction {
    Invite(ClientInvite),
    NonInvite(ClientNonInvite),
}

/// Why we started a client transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Invite(CallHandle),
    Cancel(CallHandle),
    Bye(CallHandle),
    Request(RequestHandle),
    /// One of our REGISTERs.
    Register(RegistrationHandle),
    /// BYE for a 2xx that arrived after its call was gone.
    Orphan,
}

#[derive(Debug)]
struct ClientEntry {
    tx: ClientTransaction,
    purpose: Purpose,
}

#[derive(Debug)]
enum ServerTransaction {
    Invite(ServerInvite),
    NonInvite(ServerNonInvite),
}

#[derive(Debug)]
struct ServerEntry {
    tx: ServerTransaction,
    /// The request, to build responses from.
    request: Request,
    call: Option<CallHandle>,
}

impl ServerEntry {
    fn poll_timeout(&self) -> Option<Instant> {
        match &self.tx {
            ServerTransaction::Invite(t) => t.poll_timeout(),
            ServerTransaction::NonInvite(t) => t.poll_timeout(),
        }
    }
}

impl ClientEntry {
    fn poll_timeout(&self) -> Option<Instant> {
        match &self.tx {
            ClientTransaction::Invite(t) => t.poll_timeout(),
            ClientTransaction::NonInvite(t) => t.poll_timeout(),
        }
    }
}

/// The SIP user agent: transactions, dialogs and calls, sans-IO.
#[derive(Debug)]
pub struct Endpoint {
    config: EndpointConfig,
    ids: IdGenerator,
    next_handle: u64,
    calls: BTreeMap<CallHandle, Call>,
    client: HashMap<ClientKey, ClientEntry>,
    server: HashMap<ServerKey, ServerEntry>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<Event>,
    /// Branches of our INVITEs that ended without a 2xx (see `uac`).
    ended_invites: VecDeque<String>,
    authenticator: Option<Authenticator>,
    registrar: Registrar,
    connections: Connections,
    /// Connections the runtime should close (idle, full table).
    closing: VecDeque<SocketAddr>,
    rate_limiter: Option<RateLimiter>,
    /// Our own registrations with upstream registrars.
    registrations: BTreeMap<RegistrationHandle, registration::ClientRegistration>,
}

impl Endpoint {
    /// `seed` drives tags, branches and Call-IDs (identical runs in tests).
    pub fn new(config: EndpointConfig, seed: u64) -> Self {
        let authenticator = config
            .auth
            .clone()
            .map(|a| Authenticator::new(a, seed.rotate_left(17) ^ 0xa076_1d64_78bd_642f));
        let registrar = Registrar::new(config.registrar.clone());
        Self {
            authenticator,
            registrar,
            connections: Connections::new(config.tcp_idle_timeout, config.max_connections),
            closing: VecDeque::new(),
            rate_limiter: config.rate_limit.map(RateLimiter::new),
            config,
            ids: IdGenerator::new(seed),
            next_handle: 1,
            calls: BTreeMap::new(),
            client: HashMap::new(),
            server: HashMap::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            ended_invites: VecDeque::new(),
            registrations: BTreeMap::new(),
        }
    }

    pub fn config(&self) -> &EndpointConfig {
        &self.config
    }

    /// Feed one received UDP datagram.
    pub fn handle_datagram(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        self.receive(now, source, data);
    }

    /// Feed one message framed (by [`crate::transport::StreamFramer`]) from
    /// the TCP connection with `peer`. Responses and requests to `peer` then
    /// go back over that connection.
    pub fn handle_stream_message(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        if !self.connections.contains(peer) && !self.connection_opened(now, peer) {
            return;
        }
        self.connections.touch(now, peer);
        self.receive(now, peer, data);
    }

    /// A TCP connection with `peer` was accepted (or opened). `false`: the
    /// table is full, close it.
    pub fn connection_opened(&mut self, now: Instant, peer: SocketAddr) -> bool {
        let accepted = self.connections.open(now, peer);
        if !accepted {
            tracing::warn!(%peer, "too many TCP connections, closing the new one");
        }
        accepted
    }

    /// The TCP connection with `peer` is gone (closed by the peer, an I/O
    /// error, broken framing, or [`Endpoint::poll_close`]).
    pub fn connection_closed(&mut self, peer: SocketAddr) {
        self.connections.close(peer);
    }

    /// A TCP connection the runtime should close now.
    pub fn poll_close(&mut self) -> Option<SocketAddr> {
        self.closing.pop_front()
    }

    /// Open TCP connections.
    pub fn connection_count(&self) -> usize {
        self.connections.len()
    }

    fn receive(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        match Message::parse(data, self.config.max_message_size) {
            Ok(Message::Request(request)) => {
                if self.admit(now, source, &request) {
                    self.on_request(now, source, request)
                }
            }
            Ok(Message::Response(response)) => self.on_response(now, source, response),
            // CRLF keep-alives (RFC 5626 §3.5.1) are not worth an event.
            Err(ParseError::Empty) => {}
            Err(error) => self.on_parse_error(source, data, &error),
        }
    }

    /// The per-source rate limit: every request but ACK costs a token.
    fn admit(&mut self, now: Instant, source: SocketAddr, request: &Request) -> bool {
        use crate::rate_limit::Verdict;
        let Some(limiter) = self.rate_limiter.as_mut() else {
            return true;
        };
        if request.method == Method::Ack {
            return true;
        }
        match limiter.check(now, source.ip()) {
            Verdict::Admit => true,
            Verdict::Refuse { retry_after } => {
                let mut response = self.response_to(request, 503, None);
                response.reason = "Rate Limited".into();
                response
                    .headers
                    .push("Retry-After", retry_after.to_string());
                response.headers.move_to_end("Content-Length");
                self.send_raw(source, response.to_bytes());
                tracing::warn!(%source, "request rate limit exceeded, answered 503");
                false
            }
            Verdict::Drop => false,
        }
    }

    /// The transport to `peer`: TCP when a connection with it is open.
    fn transport_to(&self, peer: SocketAddr) -> Transport {
        if self.connections.contains(peer) {
            Transport::Tcp
        } else {
            Transport::Udp
        }
    }

    /// Transaction timers for messages to or from `peer` (§17: none of the
    /// retransmissions over a reliable transport).
    fn timers_to(&self, peer: SocketAddr) -> TimerConfig {
        self.config
            .timers()
            .with_reliable(self.transport_to(peer).is_reliable())
    }

    /// Run every timer due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let calls = &self.calls;
        let registrar = &self.registrar;
        let idle = self.connections.expire(now, |peer| {
            calls.values().any(|c| c.peer == peer) || registrar.has_source(now, peer)
        });
        for peer in idle {
            tracing::debug!(%peer, "closing idle TCP connection");
            self.closing.push_back(peer);
        }
        self.registrar.purge(now);
        self.client_timeouts(now);
        self.server_timeouts(now);
        self.call_timeouts(now);
        self.registration_timeouts(now);
    }

    /// The earliest deadline of any timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let client = self.client.values().filter_map(ClientEntry::poll_timeout);
        let server = self.server.values().filter_map(ServerEntry::poll_timeout);
        let calls = self.calls.values().filter_map(|c| c.timers.next());
        let bindings = self.registrar.next_expiry();
        let connections = self.connections.next_deadline();
        let registrations = self.registrations.values().filter_map(|r| r.timers.next());
        client
            .chain(server)
            .chain(calls)
            .chain(bindings)
            .chain(connections)
            .chain(registrations)
            .min()
    }

    /// The registrar's bindings.
    pub fn registrar(&self) -> &Registrar {
        &self.registrar
    }

    /// Where a call to the registered `user` should go (see
    /// [`Registrar::lookup`]).
    pub fn registered_contact(&self, now: Instant, user: &str) -> Option<Binding> {
        self.registrar.lookup(now, user).cloned()
    }

    /// The next message to send; over TCP when its destination is the peer
    /// of an open connection.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let mut transmit = self.transmits.pop_front()?;
        transmit.transport = self.transport_to(transmit.destination);
        Some(transmit)
    }

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Number of live transactions (client and server).
    pub fn transaction_count(&self) -> usize {
        self.client.len() + self.server.len()
    }

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

    fn call_mut(&mut self, call: CallHandle) -> Result<&mut Call, CallError> {
        self.calls
            .get_mut(&call)
            .ok_or(CallError::UnknownCall(call))
    }

    fn new_handle(&mut self) -> u64 {
        let h = self.next_handle;
        self.next_handle += 1;
        h
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

    fn server_respond(
        &mut self,
        now: Instant,
        key: &ServerKey,
        response: &crate::message::Response,
    ) -> Result<(), TransactionError> {
        match self.server.get_mut(key).map(|e| &mut e.tx) {
            Some(ServerTransaction::Invite(t)) => t.respond(now, response, &mut self.transmits),
            Some(ServerTransaction::NonInvite(t)) => t.respond(now, response, &mut self.transmits),
            None => Err(TransactionError::FinalResponseSent),
        }
    }

    fn client_timeouts(&mut self, now: Instant) {
        let due: Vec<ClientKey> = self
            .client
            .iter()
            .filter(|(_, e)| e.poll_timeout().is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let Some(entry) = self.client.get_mut(&key) else {
                continue;
            };
            let timed_out = match &mut entry.tx {
                ClientTransaction::Invite(t) => t.on_timeout(now, &mut self.transmits),
                ClientTransaction::NonInvite(t) => t.on_timeout(now, &mut self.transmits),
            };
            let purpose = entry.purpose;
            if timed_out {
                self.on_client_timeout(now, purpose);
            }
        }
        self.client.retain(|_, e| match &e.tx {
            ClientTransaction::Invite(t) => !t.is_terminated(),
            ClientTransaction::NonInvite(t) => !t.is_terminated(),
        });
    }

    fn server_timeouts(&mut self, now: Instant) {
        for entry in self.server.values_mut() {
            if entry.poll_timeout().is_some_and(|t| t <= now) {
                match &mut entry.tx {
                    ServerTransaction::Invite(t) => {
                        // Timer H: the ACK for our non-2xx never came; the
                        // call is already gone, nothing to report.
                        let _ = t.on_timeout(now, &mut self.transmits);
                    }
                    ServerTransaction::NonInvite(t) => t.on_timeout(now),
                }
            }
        }
        self.server.retain(|_, e| match &e.tx {
            ServerTransaction::Invite(t) => !t.is_terminated(),
            ServerTransaction::NonInvite(t) => !t.is_terminated(),
        });
    }

    fn call_timeouts(&mut self, now: Instant) {
        let due: Vec<CallHandle> = self
            .calls
            .iter()
            .filter(|(_, c)| c.timers.next().is_some_and(|t| t <= now))
            .map(|(h, _)| *h)
            .collect();
        let t2 = self.config.t2;
        for handle in due {
            while let Some(timer) = self
                .calls
                .get_mut(&handle)
                .and_then(|c| c.timers.pop_expired(now))
            {
                let Some(c) = self.calls.get_mut(&handle) else {
                    break;
                };
                match (timer, &mut c.state) {
                    (
                        CallTimer::Retransmit2xx,
                        State::AwaitingAck {
                            response, interval, ..
                        },
                    ) => {
                        self.transmits
                            .push_back(Transmit::new(c.peer, response.clone()));
                        *interval = interval.saturating_mul(2).min(t2);
                        let next = now + *interval;
                        c.timers.set(CallTimer::Retransmit2xx, next);
                    }
                    (CallTimer::AckWait, State::AwaitingAck { hangup, .. }) => {
                        // §13.3.1.4: no ACK after 64*T1; end the session with BYE.
                        let hangup = *hangup;
                        c.timers.stop_all();
                        if !hangup {
                            self.events.push_back(Event::Failed {
                                call: handle,
                                status: 408,
                                reason: "No ACK received".into(),
                            });
                        }
                        self.send_bye(now, handle, hangup);
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
