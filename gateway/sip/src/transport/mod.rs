//! Transports (RFC 3261 §18): which one a message travels on, the framing of
//! a byte stream into messages ([`stream`]), and the table of open stream
//! connections with their idle deadlines ([`connection`]).
//!
//! ```text
//!  UDP datagram ───────────────────────────────▶ Endpoint::handle_datagram
//!  TCP bytes ─▶ StreamFramer (Content-Length) ─▶ Endpoint::handle_stream_message
//!                  └─ bad framing: close the connection
//!  Endpoint::poll_transmit ─▶ Transmit { transport: Udp | Tcp } (TCP: the open
//!                             connection with that peer: responses go back on the
//!                             connection the request came on, requests reuse it)
//!  Endpoint::poll_close ─▶ connection idle and unused: the runtime closes it
//! ```
//!
//! The runtime owns the sockets; everything here is sans-IO. TLS would be a
//! third [`Transport`] over the same framing.

pub mod connection;
pub mod stream;

pub use connection::Connections;
pub use stream::{Frame, FramingError, StreamFramer};

/// The transport a message is sent or was received on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    Udp,
    /// The open TCP connection with the message's peer address.
    Tcp,
}

impl Transport {
    /// The Via transport token (RFC 3261 §20.42).
    pub fn via_token(self) -> &'static str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
        }
    }

    /// Reliable transports neither retransmit nor wait for retransmissions
    /// (RFC 3261 §17).
    pub fn is_reliable(self) -> bool {
        self == Transport::Tcp
    }
}
