#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]
#![forbid(unsafe_code)]
//! Sans-IO SIP for the gateway: messages, SDP, transactions, dialogs and a
//! user-agent core ([`Endpoint`]) driven by `now`.
//!
//! Nothing in this crate opens a socket or reads the clock. The runtime feeds
//! datagrams with [`Endpoint::handle_datagram`], wakes the core at
//! [`Endpoint::poll_timeout`] with [`Endpoint::handle_timeout`], and after
//! every call drains [`Endpoint::poll_transmit`] and [`Endpoint::poll_event`].
//!
//! Layout (one protocol noun per module):
//!
//! | module          | RFC                         | what                                   |
//! |-----------------|-----------------------------|----------------------------------------|
//! | [`message`]     | RFC 3261 §7, §20, §25       | request/response, headers, URIs        |
//! | [`sdp`]         | RFC 4566                    | session descriptions                   |
//! | [`timer`]       | RFC 3261 §17, App. A        | fixed timer tables                     |
//! | [`transaction`] | RFC 3261 §17, RFC 6026      | the four transaction state machines   |
//! | [`dialog`]      | RFC 3261 §12                | dialog state (tags, CSeq, route set)   |
//! | [`endpoint`]    | RFC 3261 §8, §9, §13, §15   | the UA core the call control drives    |
//! | [`auth`]        | RFC 3261 §22, RFC 7616      | Digest authentication (both sides)     |
//! | [`registrar`]   | RFC 3261 §10.3              | bindings of registered IP phones       |
//! | [`transport`]   | RFC 3261 §18, RFC 5626 §3.5.1 | UDP/TCP, stream framing, connections |
//! | [`rate_limit`]  |                             | token bucket per source address        |
//!
//! UDP and TCP over IPv4 and IPv6, our own registrations with an upstream
//! registrar ([`Endpoint::register`]); TLS and Digest answers to our own
//! INVITEs are left for later (see the seams named in
//! [`endpoint`]).

pub mod auth;
pub mod dialog;
pub mod endpoint;
pub mod message;
pub mod rate_limit;
pub mod registrar;
pub mod sdp;
pub mod timer;
pub mod transaction;
mod transmit;
pub mod transport;

pub use endpoint::{
    CallError, CallHandle, CallInfo, CallState, Endpoint, EndpointConfig, Event, IdGenerator,
    OutgoingInvite, Registration, RegistrationError, RegistrationHandle, RegistrationInfo,
    RegistrationState, RequestHandle, Seed, SeedError,
};
pub use message::{Headers, Message, Method, NameAddr, ParseError, Request, Response, Uri};
pub use transmit::Transmit;
pub use transport::Transport;
