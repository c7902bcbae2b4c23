//! Per-call media: RTP (RFC 3550) with G.711, RFC 4733 telephone events, a playout
//! buffer, and the `dsp` pipelines between the line and the IP client.
//!
//! ```text
//!  line rx ─▶ dsp::LineToIp (DTMF detect + squelch) ─▶ G.711 encode ─▶ RtpSender ─▶ client
//!                       └─ digits ─▶ call control (commands) ─▶ EventSender (RFC 4733) ─▶ client
//!  client ─▶ RTP parse ─┬─ audio ─▶ G.711 decode ─▶ Playout ─▶ dsp::IpToLine ─▶ line tx
//!                       └─ RFC 4733 ─▶ EventReceiver ─▶ IpToLine DTMF playout
//! ```
//!
//! Nothing here allocates per frame: packets are built into caller-owned buffers.

pub mod negotiation;
pub mod playout;
pub mod rtp;
pub mod session;
pub mod telephone_event;

pub use negotiation::{Negotiated, NegotiationError};
pub use session::{MediaSession, RtpOut};
