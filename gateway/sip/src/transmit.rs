//! The one thing the core asks the runtime to put on the wire.

use std::net::SocketAddr;

/// A datagram to send: the runtime writes `payload` to `destination` over UDP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// The complete SIP message.
    pub payload: Vec<u8>,
}
