//! RTCP (RFC 3550 §6): sender and receiver reports with loss and jitter, SDES
//! CNAME, and the reception statistics behind them (§A.1 sequence numbers,
//! §A.3 loss, §A.8 jitter — the jitter figure comes from the playout).
//!
//! Every compound packet the gateway sends is SR (or RR when nothing was sent
//! yet) + SDES CNAME, as §6.1 requires; the last one, when the call's media
//! ends, has a BYE after them (§6.6). Reports go every [`INTERVAL_MS`]
//! (§6.2's 5 s minimum for a two-party session), randomised 0.5–1.5×, the
//! first after half of it. The NTP field of SRs carries elapsed time since
//! the call started (§6.4.1 allows elapsed time where no wallclock is known);
//! it is used only for round-trip time through LSR/DLSR.
//!
//! Parses what the network sends: never panics, whatever the bytes (lints in
//! `media/mod.rs`, fuzz target in `gateway/fuzz`).

use super::rtp::Ssrc;

/// Nominal report interval, ms.
pub const INTERVAL_MS: u64 = 5000;
/// Largest RTCP packet the gateway sends.
pub const RTCP_MAX: usize = 128;

const PT_SR: u8 = 200;
const PT_RR: u8 = 201;
const PT_SDES: u8 = 202;
const PT_BYE: u8 = 203;

/// What we know of the stream we receive (RFC 3550 §A.1, §A.3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reception {
    ssrc: Option<Ssrc>,
    base_seq: u32,
    max_seq: u16,
    cycles: u32,
    received: u32,
    expected_prior: u32,
    received_prior: u32,
    /// Middle 32 bits of the last SR's NTP time, and when (our NTP) it came.
    last_sr: Option<(u32, u64)>,
}

/// Loss figures of one report block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loss {
    /// Fraction lost since the last report, ×256.
    pub fraction: u8,
    /// Cumulative packets lost (24-bit signed in the packet).
    pub cumulative: i32,
    /// Highest sequence number received, extended.
    pub highest: u32,
}

impl Reception {
    /// Restart for a new source.
    pub fn start(&mut self, ssrc: Ssrc, seq: u16) {
        *self = Reception {
            ssrc: Some(ssrc),
            base_seq: u32::from(seq),
            max_seq: seq,
            ..Reception::default()
        };
    }

    /// The source reported on.
    pub fn ssrc(&self) -> Option<Ssrc> {
        self.ssrc
    }

    /// A packet with sequence number `seq` (§A.1, without probation: the
    /// session decides when a new SSRC is accepted).
    pub fn packet(&mut self, seq: u16) {
        let delta = seq.wrapping_sub(self.max_seq);
        if delta < 0x8000 {
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(1 << 16);
            }
            self.max_seq = seq;
        }
        self.received = self.received.wrapping_add(1);
    }

    /// Extended highest sequence number.
    pub fn highest(&self) -> u32 {
        self.cycles | u32::from(self.max_seq)
    }

    /// Packets lost so far (may be negative with duplicates, §A.3).
    pub fn cumulative_lost(&self) -> i64 {
        let expected = i64::from(self.highest()) - i64::from(self.base_seq) + 1;
        expected - i64::from(self.received)
    }

    /// Loss since the previous call, for a report block (§A.3).
    pub fn loss_interval(&mut self) -> Loss {
        let expected = self.highest().wrapping_sub(self.base_seq).wrapping_add(1);
        let expected_interval = expected.wrapping_sub(self.expected_prior);
        self.expected_prior = expected;
        let received_interval = self.received.wrapping_sub(self.received_prior);
        self.received_prior = self.received;
        let lost = i64::from(expected_interval) - i64::from(received_interval);
        let fraction = if expected_interval == 0 || lost <= 0 {
            0
        } else {
            ((lost << 8) / i64::from(expected_interval)).min(255) as u8
        };
        Loss {
            fraction,
            cumulative: self.cumulative_lost().clamp(-0x80_0000, 0x7f_ffff) as i32,
            highest: self.highest(),
        }
    }

    /// An SR from the source arrived at our NTP time `now_ntp`.
    pub fn sender_report(&mut self, ntp: u64, now_ntp: u64) {
        self.last_sr = Some(((ntp >> 16) as u32, now_ntp));
    }

    /// LSR and DLSR for a report block at our NTP time `now_ntp` (§6.4.1).
    pub fn lsr_dlsr(&self, now_ntp: u64) -> (u32, u32) {
        match self.last_sr {
            Some((lsr, at)) => (lsr, (now_ntp.saturating_sub(at) >> 16) as u32),
            None => (0, 0),
        }
    }
}

/// Our sending side's counters for the SR sender info.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderInfo {
    /// NTP timestamp (32.32 fixed point).
    pub ntp: u64,
    /// RTP timestamp corresponding to `ntp`.
    pub rtp: u32,
    /// Packets sent.
    pub packets: u32,
    /// Payload octets sent.
    pub octets: u32,
}

/// One report block (§6.4.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReportBlock {
    /// The source reported on.
    pub ssrc: u32,
    /// Loss.
    pub loss: Loss,
    /// Interarrival jitter, RTP units.
    pub jitter: u32,
    /// Last SR.
    pub lsr: u32,
    /// Delay since last SR (1/65536 s).
    pub dlsr: u32,
}

/// Why an RTCP packet could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("RTCP packet does not fit the buffer")]
pub struct RtcpTooSmall;

struct Writer<'a> {
    out: &'a mut [u8],
    len: usize,
}

impl Writer<'_> {
    fn bytes(&mut self, b: &[u8]) -> Result<(), RtcpTooSmall> {
        let end = self.len + b.len();
        self.out
            .get_mut(self.len..end)
            .ok_or(RtcpTooSmall)?
            .copy_from_slice(b);
        self.len = end;
        Ok(())
    }
    fn u32(&mut self, v: u32) -> Result<(), RtcpTooSmall> {
        self.bytes(&v.to_be_bytes())
    }
}

/// Build SR (with `sender`) or RR (without) + SDES CNAME into `out`.
pub fn build_report(
    ssrc: Ssrc,
    sender: Option<SenderInfo>,
    block: Option<ReportBlock>,
    cname: &str,
    out: &mut [u8],
) -> Result<usize, RtcpTooSmall> {
    let mut w = Writer { out, len: 0 };
    let rc = u8::from(block.is_some());
    let words = 1 + if sender.is_some() { 5 } else { 0 } + 6 * usize::from(rc);
    let pt = if sender.is_some() { PT_SR } else { PT_RR };
    w.bytes(&[0x80 | rc, pt])?;
    w.bytes(&(words as u16).to_be_bytes())?;
    w.u32(ssrc.0)?;
    if let Some(s) = sender {
        w.u32((s.ntp >> 32) as u32)?;
        w.u32(s.ntp as u32)?;
        w.u32(s.rtp)?;
        w.u32(s.packets)?;
        w.u32(s.octets)?;
    }
    if let Some(b) = block {
        w.u32(b.ssrc)?;
        let cum = (b.loss.cumulative as u32) & 0x00ff_ffff;
        w.u32((u32::from(b.loss.fraction) << 24) | cum)?;
        w.u32(b.loss.highest)?;
        w.u32(b.jitter)?;
        w.u32(b.lsr)?;
        w.u32(b.dlsr)?;
    }
    // SDES: one chunk, CNAME item, null terminator, padded to 32 bits.
    let cname = cname
        .as_bytes()
        .get(..cname.len().min(255))
        .unwrap_or_default();
    let chunk = 4 + 2 + cname.len() + 1;
    let padded = chunk.div_ceil(4) * 4;
    w.bytes(&[0x81, PT_SDES])?;
    w.bytes(&((padded / 4) as u16).to_be_bytes())?;
    w.u32(ssrc.0)?;
    w.bytes(&[1, cname.len() as u8])?;
    w.bytes(cname)?;
    for _ in chunk - 1..padded {
        w.bytes(&[0])?;
    }
    Ok(w.len)
}

/// Build the compound packet that leaves the session (§6.6, §6.1): SR (with
/// `sender`) or RR, SDES CNAME, then BYE with our SSRC and no reason. The BYE
/// is last, as §6.1 requires; a compound packet must start with a report.
pub fn build_bye(
    ssrc: Ssrc,
    sender: Option<SenderInfo>,
    block: Option<ReportBlock>,
    cname: &str,
    out: &mut [u8],
) -> Result<usize, RtcpTooSmall> {
    let len = build_report(ssrc, sender, block, cname, out)?;
    let mut w = Writer { out, len };
    // V=2, P=0, SC=1; length 1: the header word plus one SSRC.
    w.bytes(&[0x81, PT_BYE, 0, 1])?;
    w.u32(ssrc.0)?;
    Ok(w.len)
}

/// What a received compound packet told us.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Received {
    /// A sender report: its SSRC and NTP time.
    pub sender_report: Option<(Ssrc, u64)>,
    /// The peer's report about our stream.
    pub about_us: Option<ReportBlock>,
    /// The peer said BYE.
    pub bye: bool,
}

/// Why a datagram is not RTCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RtcpError {
    /// Too short, wrong version, lengths past the end.
    #[error("malformed RTCP packet")]
    Malformed,
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    let b: [u8; 4] = d.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_be_bytes(b))
}

/// Parse a compound RTCP packet, keeping what concerns `ours`. Never panics.
pub fn parse(data: &[u8], ours: Ssrc) -> Result<Received, RtcpError> {
    let mut r = Received::default();
    let mut at = 0;
    if data.len() < 8 {
        return Err(RtcpError::Malformed);
    }
    while at + 4 <= data.len() {
        let (Some(&b0), Some(&pt)) = (data.get(at), data.get(at + 1)) else {
            break;
        };
        if b0 >> 6 != 2 {
            return Err(RtcpError::Malformed);
        }
        let length: [u8; 2] = data
            .get(at + 2..at + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or(RtcpError::Malformed)?;
        let words = usize::from(u16::from_be_bytes(length));
        let end = at + 4 + 4 * words;
        let body = data.get(at..end).ok_or(RtcpError::Malformed)?;
        let count = usize::from(b0 & 0x1f);
        let blocks_at = match pt {
            PT_SR => {
                let ssrc = be32(body, 4).ok_or(RtcpError::Malformed)?;
                let hi = be32(body, 8).ok_or(RtcpError::Malformed)?;
                let lo = be32(body, 12).ok_or(RtcpError::Malformed)?;
                r.sender_report = Some((Ssrc(ssrc), (u64::from(hi) << 32) | u64::from(lo)));
                Some(28)
            }
            PT_RR => Some(8),
            PT_BYE => {
                r.bye = true;
                None
            }
            _ => None,
        };
        if let Some(first) = blocks_at {
            for i in 0..count {
                let b = first + 24 * i;
                let Some(ssrc) = be32(body, b) else { break };
                if ssrc != ours.0 {
                    continue;
                }
                let w1 = be32(body, b + 4).ok_or(RtcpError::Malformed)?;
                let cum = ((w1 & 0x00ff_ffff) << 8) as i32 >> 8;
                r.about_us = Some(ReportBlock {
                    ssrc,
                    loss: Loss {
                        fraction: (w1 >> 24) as u8,
                        cumulative: cum,
                        highest: be32(body, b + 8).ok_or(RtcpError::Malformed)?,
                    },
                    jitter: be32(body, b + 12).ok_or(RtcpError::Malformed)?,
                    lsr: be32(body, b + 16).ok_or(RtcpError::Malformed)?,
                    dlsr: be32(body, b + 20).ok_or(RtcpError::Malformed)?,
                });
            }
        }
        at = end;
    }
    Ok(r)
}

/// NTP 32.32 fixed point of a duration.
pub fn ntp_of(elapsed: std::time::Duration) -> u64 {
    (elapsed.as_secs() << 32) | ((u64::from(elapsed.subsec_nanos()) << 32) / 1_000_000_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sr_with_a_block_round_trips() {
        let block = ReportBlock {
            ssrc: 7,
            loss: Loss {
                fraction: 25,
                cumulative: -3,
                highest: 70_000,
            },
            jitter: 123,
            lsr: 0x1234_5678,
            dlsr: 65536,
        };
        let sender = SenderInfo {
            ntp: 0x0000_0005_8000_0000,
            rtp: 1000,
            packets: 50,
            octets: 8000,
        };
        let mut buf = [0u8; RTCP_MAX];
        let n = build_report(Ssrc(9), Some(sender), Some(block), "gw@port0", &mut buf).unwrap();
        assert_eq!(n % 4, 0);
        assert_eq!(buf[1], PT_SR);
        let r = parse(&buf[..n], Ssrc(7)).unwrap();
        assert_eq!(r.sender_report, Some((Ssrc(9), sender.ntp)));
        assert_eq!(r.about_us, Some(block));
        let n = build_report(Ssrc(9), None, None, "x", &mut buf).unwrap();
        assert_eq!(buf[1], PT_RR);
        assert!(parse(&buf[..n], Ssrc(7)).unwrap().about_us.is_none());
        let n = build_bye(Ssrc(9), Some(sender), Some(block), "gw@port0", &mut buf).unwrap();
        let r = parse(&buf[..n], Ssrc(7)).unwrap();
        assert!(r.bye);
        assert_eq!(r.sender_report, Some((Ssrc(9), sender.ntp)));
        assert_eq!(&buf[n - 8..n], &[0x81, PT_BYE, 0, 1, 0, 0, 0, 9]);
        assert!(build_bye(
            Ssrc(9),
            Some(sender),
            Some(block),
            "gw@port0",
            &mut buf[..n - 1]
        )
        .is_err());
    }

    #[test]
    fn loss_and_wrap() {
        let mut r = Reception::default();
        r.start(Ssrc(1), 65530);
        for s in [65530u16, 65531, 65533, 65535, 0, 1, 3] {
            r.packet(s);
        }
        assert_eq!(r.highest(), 65536 + 3);
        assert_eq!(r.cumulative_lost(), 3);
        let l = r.loss_interval();
        assert_eq!(l.fraction, (3 * 256 / 10) as u8);
    }

    #[test]
    fn garbage_never_panics() {
        for len in 0..64 {
            let d: Vec<u8> = (0..len).map(|i| (i * 91 + 0x80) as u8).collect();
            let _ = parse(&d, Ssrc(0));
        }
    }
}
