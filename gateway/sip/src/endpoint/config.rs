//! The endpoint's configuration: addresses, limits, authentication and the
//! RFC 3261 timer values.

use std::net::SocketAddr;
use std::time::Duration;

use crate::auth::AuthConfig;
use crate::rate_limit::RateLimitConfig;
use crate::registrar::RegistrarConfig;
use crate::transaction::TimerConfig;

/// Configuration of an [`Endpoint`](super::Endpoint).
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
    /// 503 + Retry-After and [`Endpoint::invite`](super::Endpoint::invite) fails.
    pub max_dialogs: usize,
    /// Requests per source IP address; `None`: unlimited.
    pub rate_limit: Option<RateLimitConfig>,
    /// A TCP connection on which nothing arrived for this long is closed,
    /// unless a call or a registration uses it.
    pub tcp_idle_timeout: Duration,
    /// Open TCP connections at most.
    pub max_connections: usize,
    /// Open TCP connections from one IP address at most.
    pub max_connections_per_address: usize,
    /// Digest authentication (RFC 3261 §22). `None`: nobody is asked for
    /// credentials (the runtime allows that only on loopback).
    pub auth: Option<AuthConfig>,
    /// With `auth` set: still let INVITEs in without credentials (REGISTER
    /// is always authenticated when `auth` is set).
    pub allow_unauthenticated_invite: bool,
    /// Limits of the registrar.
    pub registrar: RegistrarConfig,
    /// Our own registrations
    /// ([`Endpoint::register`](super::Endpoint::register)): the first retry
    /// after a failure waits about this long, doubling per failure (RFC 5626
    /// §4.5).
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
    /// connections (16 per address), registration retries from 30 s up to 30 min.
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
            max_connections_per_address: 16,
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

    pub(super) fn timers(&self) -> TimerConfig {
        TimerConfig {
            t1: self.t1,
            t2: self.t2,
            t4: self.t4,
            reliable: false,
        }
    }
}
