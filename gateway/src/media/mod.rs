//! Per-call media: RTP (RFC 3550) and RTCP with G.711 or Opus (RFC 7587), RFC 4733
//! telephone events, an adaptive jitter buffer with packet-loss concealment, line
//! and acoustic echo control, and the `dsp` pipelines between the line and the IP
//! client.
//!
//! ```text
//!  line rx ─▶ dsp::echo (G.168) ─▶ dsp::LineToIp (DTMF + squelch) ─▶ codec ─▶ RtpSender ─▶ client
//!                       └─ digits ─▶ call control (commands) ─▶ EventSender (RFC 4733) ─▶ client
//!  client ─▶ RTP parse ─┬─ audio ─▶ JitterBuffer ─▶ Playout (decode, PLC/FEC, drift)
//!                       │              ─▶ acoustic echo control ─▶ dsp::IpToLine ─▶ line tx
//!                       └─ RFC 4733 ─▶ EventReceiver ─▶ IpToLine DTMF playout
//!  RTCP (RTP port + 1) ◀▶ rtcp: SR/RR with loss and jitter, SDES CNAME
//! ```
//!
//! | file | what |
//! |---|---|
//! | `rtp.rs` | RTP packets through `rtp-rs`, typed ids |
//! | `rtcp.rs` | RTCP SR/RR/SDES/BYE, reception statistics (RFC 3550 §6, §A) |
//! | `negotiation.rs` | SDP offer/answer: PCMU, PCMA, Opus, telephone-event |
//! | `codec.rs` | encoders/decoders between the 8 kHz line and the wire |
//! | `opus_packet.rs` | Opus packet framing: does a packet carry in-band FEC (RFC 6716 §3) |
//! | `jitter.rs` | the jitter buffer's packet store and RFC 3550 jitter |
//! | `playout.rs` | adaptive playout: target from jitter, loss, drift |
//! | `acoustic_echo.rs` | acoustic echo control trait: WebRTC AEC, half-duplex suppressor |
//! | `telephone_event.rs` | RFC 4733 sender and receiver |
//! | `session.rs` | one call's media, glued |
//! | `transport.rs` | RTP/RTCP socket pairs as a pool that SIP legs take from |
//!
//! Sans-IO: every call takes `now`; nothing here reads the clock or touches a
//! socket. Nothing allocates per frame: packets are built into caller-owned
//! buffers and every state is sized at construction.

/// Modules that parse what the network sends, held to the SIP crate's rule
/// (`gateway/sip/src/lib.rs`): no `unwrap`, `expect`, indexing or `panic!`
/// outside tests, whatever the bytes. Each has a fuzz target in
/// `gateway/fuzz`, also run bounded by `tests/media_parsers_fuzz.rs`.
macro_rules! network_parsers {
    ($($module:ident),*) => {
        $(
            #[cfg_attr(
                not(test),
                deny(
                    clippy::unwrap_used,
                    clippy::expect_used,
                    clippy::indexing_slicing,
                    clippy::panic
                )
            )]
            pub mod $module;
        )*
    };
}

pub mod acoustic_echo;
pub mod codec;
pub mod jitter;
pub mod negotiation;
pub mod playout;
pub mod session;
pub mod transport;
network_parsers!(opus_packet, rtcp, rtp, telephone_event);

pub use negotiation::{Negotiated, NegotiationError};
pub use session::{ClientDigit, MediaSession, MediaStats, RtpOut, StreamIds};
pub use transport::{MediaTransport, TransportId, TransportPool};
