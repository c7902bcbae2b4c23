//! Read-only views of ports and calls for the console and the HTTP API.

use std::net::SocketAddr;

use serde::Serialize;

use super::context::CallContext;
use super::settings::CallSettings;

/// A port as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PortView {
    /// Index on the card.
    pub port: u8,
    /// `fxo` or `fxs`.
    pub kind: &'static str,
    /// The port's ANI.
    pub ani: String,
    /// Line state (`idle`, `dialling`, `connected`, ...).
    pub state: &'static str,
    /// SIP URI that inbound calls go to.
    pub inbound_uri: Option<String>,
    /// The Call-ID of the call on the port, if any.
    pub call_id: Option<String>,
    /// The last console test's result (`line test: dial tone after 340 ms`).
    pub last_test: Option<String>,
}

/// Media counters of a call.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MediaView {
    /// Codec name.
    pub codec: &'static str,
    /// Where RTP goes.
    pub remote_rtp: SocketAddr,
    /// RFC 4733 negotiated.
    pub telephone_event: bool,
    /// Packets sent.
    pub packets_sent: u64,
    /// Packets received.
    pub packets_received: u64,
}

/// Calls and RTP counted since the gateway started (calls in progress
/// included), for `show stats`.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct CallTotals {
    /// Calls, refused ones included.
    pub calls: u64,
    /// Calls answered.
    pub answered: u64,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// RTP packets received.
    pub packets_received: u64,
}

/// A call as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CallView {
    /// The port it uses.
    pub port: u8,
    /// The port's ANI.
    pub ani: String,
    /// `to-line` (an IP client called out) or `from-line` (the PSTN called in).
    pub direction: &'static str,
    /// Call state.
    pub state: &'static str,
    /// The number dialled (to-line calls).
    pub dialled: Option<String>,
    /// The caller's number from caller ID (from-line calls, when the line
    /// sent one).
    pub caller: Option<String>,
    /// Milliseconds since the call started.
    pub age_ms: u64,
    /// Milliseconds since it was answered.
    pub answered_ms: Option<u64>,
    /// Command sequences used so far.
    pub commands: Vec<String>,
    /// Volume and echo settings the commands changed.
    pub settings: CallSettings,
    /// The web session behind the call.
    pub context: CallContext,
    /// Media, once answered.
    pub media: Option<MediaView>,
}
