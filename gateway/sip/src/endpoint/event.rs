//! What the core tells call control, drained with
//! [`Endpoint::poll_event`](super::Endpoint::poll_event).

use std::net::SocketAddr;
use std::time::Duration;

use super::{CallHandle, RegistrationHandle, RequestHandle};
use crate::message::Request;
use crate::sdp::Direction;

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
    /// successful [`Endpoint::hangup`](super::Endpoint::hangup) ends with
    /// exactly one `Ended { by_remote: false }` (after BYE, CANCEL or a local
    /// reject).
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
    /// with back-off
    /// ([`EndpointConfig::registration_retry_base`](super::EndpointConfig::registration_retry_base)).
    RegistrationFailed {
        registration: RegistrationHandle,
        status: u16,
    },
    /// [`Endpoint::unregister`](super::Endpoint::unregister) completed (the
    /// registrar answered, or did not within Timer F); the handle is gone.
    Unregistered { registration: RegistrationHandle },
}
