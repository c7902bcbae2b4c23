//! The one thing the core asks the runtime to put on the wire.

use std::net::SocketAddr;

use crate::transport::Transport;

/// A message to send: the runtime writes `payload` to `destination` over
/// `transport` (over TCP: on the open connection with that peer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// UDP, or the TCP connection with `destination`.
    pub transport: Transport,
    /// The complete SIP message.
    pub payload: Vec<u8>,
}

impl Transmit {
    /// A datagram; the endpoint switches it to TCP when `destination` is
    /// the peer of an open connection (see [`crate::Endpoint::poll_transmit`]).
    pub fn new(destination: SocketAddr, payload: Vec<u8>) -> Self {
        Self {
            destination,
            transport: Transport::Udp,
            payload,
        }
    }
}
