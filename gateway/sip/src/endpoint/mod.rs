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
//!
//! | file | holds |
//! |---|---|
//! | `mod.rs` | the [`Endpoint`]: input, output, timers, transports, limits |
//! | `config.rs` | [`EndpointConfig`] |
//! | `event.rs` | [`Event`], what the core tells call control |
//! | `call_api.rs` | what call control calls: invite, answer, reject, hang up, INFO, MESSAGE |
//! | `call.rs` | one call: its dialog, state and timers |
//! | `transactions.rs` | the client and server transaction tables |
//! | `uas.rs`, `uac.rs` | requests and responses from the network |
//! | `reinvite.rs` | re-INVITE from the peer |
//! | `register.rs` | REGISTER and the Digest gate |
//! | `registration.rs` | our own registrations with upstream registrars |
//! | `build.rs` | building what we send |

mod build;
mod call;
mod call_api;
mod config;
mod event;
mod id;
mod register;
mod registration;
mod reinvite;
mod transactions;
pub use call_api::{CallError, CallHandle, CallInfo, CallState, OutgoingInvite, RequestHandle};
pub use config::EndpointConfig;
pub use event::Event;
pub use id::{IdGenerator, Seed, SeedError};
pub use registration::{
    Registration, RegistrationError, RegistrationHandle, RegistrationInfo, RegistrationState,
};
mod uac;
mod uas;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use crate::auth::Authenticator;
use crate::message::{Message, Method, ParseError, Request};
use crate::rate_limit::RateLimiter;
use crate::registrar::{Binding, Registrar};
use crate::transaction::{ClientKey, ServerKey, TimerConfig};
use crate::transport::{Connections, Transport};
use crate::Transmit;

use call::{Call, CallTimer, State};
use transactions::{ClientEntry, ClientTransaction, Purpose, ServerEntry, ServerTransaction};

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
    /// Branches and destinations of our INVITEs that ended without a 2xx
    /// (see `uac`).
    ended_invites: VecDeque<(String, SocketAddr)>,
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
    /// `seed` keys the generator of tags, branches, Call-IDs and nonces:
    /// [`Seed::from_os`] in service, a fixed `u64` for identical test runs.
    pub fn new(config: EndpointConfig, seed: impl Into<Seed>) -> Self {
        let seed = seed.into();
        let authenticator = config
            .auth
            .clone()
            .map(|a| Authenticator::new(a, seed.derive(0xa076_1d64_78bd_642f)));
        let registrar = Registrar::new(config.registrar.clone());
        Self {
            authenticator,
            registrar,
            connections: Connections::new(config.tcp_idle_timeout, config.max_connections)
                .with_max_per_address(config.max_connections_per_address),
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
        self.receive(now, source, Transport::Udp, data);
    }

    /// Feed one message framed (by [`crate::transport::StreamFramer`]) from
    /// the TCP connection with `peer`. Responses and requests to `peer` then
    /// go back over that connection.
    pub fn handle_stream_message(&mut self, now: Instant, peer: SocketAddr, data: &[u8]) {
        if !self.connections.contains(peer) && !self.connection_opened(now, peer) {
            return;
        }
        self.connections.touch(now, peer);
        self.receive(now, peer, Transport::Tcp, data);
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

    fn receive(&mut self, now: Instant, source: SocketAddr, transport: Transport, data: &[u8]) {
        match Message::parse(data, self.config.max_message_size) {
            Ok(Message::Request(request)) => {
                if self.admit(now, source, &request) {
                    self.on_request(now, source, request)
                }
            }
            Ok(Message::Response(response)) => self.on_response(now, source, transport, response),
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

    fn new_handle(&mut self) -> u64 {
        let h = self.next_handle;
        self.next_handle += 1;
        h
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
