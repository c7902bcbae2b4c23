//! RTP packets (RFC 3550 §5.1) through `rtp-rs`, with typed ids.
//!
//! Parses what the network sends: never panics, whatever the bytes (lints in
//! `media/mod.rs`, fuzz target in `gateway/fuzz`).

use rtp_rs::{RtpPacketBuilder, RtpReader, Seq};

/// A synchronisation source identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ssrc(pub u32);

/// An RTP payload type (0..=127).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PayloadType(pub u8);

/// G.711 µ-law's static payload type.
pub const PT_PCMU: PayloadType = PayloadType(0);
/// G.711 A-law's static payload type.
pub const PT_PCMA: PayloadType = PayloadType(8);

/// RTP media time, in clock-rate units, wrapping at 2^32.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RtpTimestamp(pub u32);

impl RtpTimestamp {
    /// This timestamp plus `units`.
    pub fn wrapping_add(self, units: u32) -> RtpTimestamp {
        RtpTimestamp(self.0.wrapping_add(units))
    }
}

/// Building a packet failed (the buffer is too small).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RTP packet does not fit the {0}-byte buffer")]
pub struct BufferTooSmall(pub usize);

/// The sending side of one RTP stream: SSRC, sequence numbers and media clock.
#[derive(Debug, Clone)]
pub struct RtpSender {
    ssrc: Ssrc,
    seq: u16,
    timestamp: RtpTimestamp,
    first: bool,
}

impl RtpSender {
    /// A stream starting at random-looking (seeded) sequence number and timestamp,
    /// as RFC 3550 §5.1 asks.
    pub fn new(ssrc: Ssrc, first_seq: u16, first_timestamp: RtpTimestamp) -> Self {
        RtpSender {
            ssrc,
            seq: first_seq,
            timestamp: first_timestamp,
            first: true,
        }
    }

    /// The stream's SSRC.
    pub fn ssrc(&self) -> Ssrc {
        self.ssrc
    }

    /// The timestamp the next audio packet will carry.
    pub fn timestamp(&self) -> RtpTimestamp {
        self.timestamp
    }

    /// Build an audio packet carrying `samples` media-clock units, then advance the
    /// clock. The first packet of the stream carries the marker bit.
    pub fn audio(
        &mut self,
        payload_type: PayloadType,
        payload: &[u8],
        samples: u32,
        out: &mut [u8],
    ) -> Result<usize, BufferTooSmall> {
        let marker = std::mem::take(&mut self.first);
        let len = self.build(payload_type, self.timestamp, marker, payload, out)?;
        self.timestamp = self.timestamp.wrapping_add(samples);
        Ok(len)
    }

    /// Advance the media clock by `samples` without sending (a DTX frame); the
    /// next packet starts a talkspurt and carries the marker bit.
    pub fn skip(&mut self, samples: u32) {
        self.timestamp = self.timestamp.wrapping_add(samples);
        self.first = true;
    }

    /// Build a packet at an explicit timestamp without moving the media clock
    /// (RFC 4733 events keep their start timestamp).
    pub fn at(
        &mut self,
        payload_type: PayloadType,
        timestamp: RtpTimestamp,
        marker: bool,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, BufferTooSmall> {
        self.build(payload_type, timestamp, marker, payload, out)
    }

    fn build(
        &mut self,
        payload_type: PayloadType,
        timestamp: RtpTimestamp,
        marker: bool,
        payload: &[u8],
        out: &mut [u8],
    ) -> Result<usize, BufferTooSmall> {
        let len = RtpPacketBuilder::new()
            .payload_type(payload_type.0)
            .ssrc(self.ssrc.0)
            .sequence(Seq::from(self.seq))
            .timestamp(timestamp.0)
            .marked(marker)
            .payload(payload)
            .build_into(out)
            .map_err(|_| BufferTooSmall(out.len()))?;
        self.seq = self.seq.wrapping_add(1);
        Ok(len)
    }
}

/// The parts of a received packet the gateway uses.
#[derive(Debug, Clone, Copy)]
pub struct Received<'a> {
    /// Its SSRC.
    pub ssrc: Ssrc,
    /// Payload type.
    pub payload_type: PayloadType,
    /// Sequence number.
    pub seq: u16,
    /// Media timestamp.
    pub timestamp: RtpTimestamp,
    /// Marker bit.
    pub marker: bool,
    /// The payload (padding removed).
    pub payload: &'a [u8],
}

/// Why a datagram is not a usable RTP packet.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtpError {
    /// Too short, wrong version, or inconsistent lengths.
    #[error("malformed RTP packet: {0}")]
    Malformed(String),
    /// An RTCP packet (payload types 200-204 in the second byte), handled elsewhere.
    #[error("RTCP packet")]
    Rtcp,
}

/// Parse a datagram as RTP. Never panics.
pub fn parse(data: &[u8]) -> Result<Received<'_>, RtpError> {
    if let Some(&pt) = data.get(1) {
        if (200..=204).contains(&pt) {
            return Err(RtpError::Rtcp);
        }
    }
    let reader = RtpReader::new(data).map_err(|e| RtpError::Malformed(format!("{e:?}")))?;
    Ok(Received {
        ssrc: Ssrc(reader.ssrc()),
        payload_type: PayloadType(reader.payload_type()),
        seq: u16::from(reader.sequence_number()),
        timestamp: RtpTimestamp(reader.timestamp()),
        marker: reader.mark(),
        payload: reader.payload(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audio_packets_advance_sequence_and_clock() {
        let mut s = RtpSender::new(Ssrc(0x1234_5678), 65535, RtpTimestamp(u32::MAX - 10));
        let mut buf = [0u8; 256];
        let n = s.audio(PT_PCMU, &[0xff; 160], 160, &mut buf).unwrap();
        assert_eq!(n, 12 + 160);
        let p = parse(&buf[..n]).unwrap();
        assert!(p.marker);
        assert_eq!(p.seq, 65535);
        assert_eq!(p.timestamp, RtpTimestamp(u32::MAX - 10));
        assert_eq!(p.ssrc, Ssrc(0x1234_5678));
        let n = s.audio(PT_PCMU, &[0xff; 160], 160, &mut buf).unwrap();
        let p = parse(&buf[..n]).unwrap();
        assert!(!p.marker);
        assert_eq!(p.seq, 0);
        assert_eq!(p.timestamp, RtpTimestamp(149));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for len in 0..40 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let _ = parse(&data);
        }
        assert!(parse(&[0x80, 200, 0, 0]).is_err());
        assert!(parse(&[0x80]).is_err());
    }

    #[test]
    fn a_small_buffer_is_an_error() {
        let mut s = RtpSender::new(Ssrc(1), 0, RtpTimestamp(0));
        let mut buf = [0u8; 20];
        assert!(s.audio(PT_PCMU, &[0; 160], 160, &mut buf).is_err());
    }
}
