//! What each media parser must do with any bytes: return, never panic, and
//! keep its own promises about what it returns. Shared by the `cargo fuzz`
//! targets (`fuzz_targets/*.rs`, nightly) and by the bounded run in the
//! normal test suite (`gateway/tests/media_parsers_fuzz.rs`), so both check
//! the same things.
// Each fuzz target uses one of these.
#![allow(dead_code)]

use gateway::media::opus_packet;
use gateway::media::rtcp;
use gateway::media::rtp::{self, RtpSender, Ssrc};
use gateway::media::telephone_event::{EventPayload, EventReceiver, PAYLOAD_LEN};

/// True if `part` lies inside `whole` (a borrowed view, not a copy).
fn within(part: &[u8], whole: &[u8]) -> bool {
    let (w, p) = (whole.as_ptr_range(), part.as_ptr_range());
    part.is_empty() || (w.start <= p.start && p.end <= w.end)
}

/// RTP (RFC 3550 §5.1): a packet that parses has its payload inside the
/// datagram after the 12-byte header, and rebuilt from the parsed fields it
/// parses to the same fields.
pub fn rtp(data: &[u8]) {
    let Ok(r) = rtp::parse(data) else {
        return;
    };
    assert!(within(r.payload, data), "payload outside the datagram");
    assert!(
        r.payload.len() + 12 <= data.len(),
        "payload overlaps the header"
    );
    let mut sender = RtpSender::new(r.ssrc, r.seq, r.timestamp);
    let mut out = vec![0u8; 12 + r.payload.len()];
    let n = sender
        .at(r.payload_type, r.timestamp, r.marker, r.payload, &mut out)
        .expect("a header and the payload fit");
    let again = rtp::parse(&out[..n]).expect("a built packet parses");
    assert_eq!(
        (
            again.ssrc,
            again.payload_type,
            again.seq,
            again.timestamp,
            again.marker
        ),
        (r.ssrc, r.payload_type, r.seq, r.timestamp, r.marker)
    );
    assert_eq!(again.payload, r.payload);
}

/// RTCP (RFC 3550 §6.4): parsed for an arbitrary SSRC and for the one the
/// first report block names; a report "about us" is about our SSRC.
pub fn rtcp(data: &[u8]) {
    let named = data
        .get(8..12)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u32::from_be_bytes);
    for ours in [Ssrc(0x1234_5678), Ssrc(named)] {
        if let Ok(r) = rtcp::parse(data, ours) {
            if let Some(block) = r.about_us {
                assert_eq!(block.ssrc, ours.0, "a report about another stream");
            }
        }
    }
}

/// RFC 4733 events: a payload that decodes encodes back to the same four
/// bytes (but the reserved R bit, §2.3: sent as 0, ignored when received),
/// and the de-duplicating receiver takes anything.
pub fn telephone_event(data: &[u8]) {
    if let Some(p) = EventPayload::decode(data) {
        let mut want: [u8; PAYLOAD_LEN] = data[..PAYLOAD_LEN].try_into().expect("four bytes");
        want[1] &= !0x40;
        assert_eq!(p.encode(), want);
    }
    let mut rx = EventReceiver::default();
    for chunk in data.chunks(PAYLOAD_LEN) {
        let _ = rx.receive(Ssrc(1), rtp::RtpTimestamp(160), chunk);
    }
}

/// Opus framing (RFC 6716 §3.1–3.2): the first frame lies inside the packet
/// after the TOC byte; in-band FEC is only ever found in a frame there is.
pub fn opus_packet(data: &[u8]) {
    let first = opus_packet::first_frame(data);
    if let Some(f) = first {
        assert!(
            within(f, data.get(1..).unwrap_or_default()),
            "frame outside the packet"
        );
    }
    if opus_packet::has_lbrr(data) {
        assert!(first.is_some_and(|f| !f.is_empty()), "LBRR in no frame");
    }
}
