//! Per-call media pipelines, one per direction, frame in / frame out
//! ([`crate::FRAME_SAMPLES`] samples, 20 ms).
//!
//! - [`LineToIp`]: analog line -> network. DTMF is detected, reported as events
//!   (for RFC 4733) and squelched from the audio: all of a tone with the full
//!   19 ms look-ahead, all but an onset under 20 ms with the 1 ms default.
//! - [`IpToLine`]: network -> analog line. Gain, plus RFC 4733 digit playout.

mod ip_to_line;
mod line_to_ip;

pub use ip_to_line::IpToLine;
pub use line_to_ip::{LineToIp, LineToIpConfig, DEFAULT_LOOKAHEAD, FULL_LOOKAHEAD};
