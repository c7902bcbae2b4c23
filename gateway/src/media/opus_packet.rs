//! Reading an Opus packet's framing (RFC 6716 §3.1 TOC byte, §3.2 frame
//! packing) far enough to tell whether it carries in-band FEC: the LBRR
//! ("low bit-rate redundancy") copy of the previous frame that the decoder can
//! play when that frame was lost (§4.2.4).
//!
//! ```text
//!  TOC: config(5) s(1) c(2)      config 0–11 SILK, 12–15 hybrid, 16–31 CELT
//!  c=0 one frame   c=1 two equal   c=2 two, first length coded   c=3 M frames
//!  first frame's first byte (SILK range coder, 50 % symbols, MSB first):
//!    VAD flag per 20 ms SILK frame (1–3), then the LBRR flag (one per channel)
//! ```
//!
//! Same rule as libopus 1.5's `opus_packet_has_lbrr` (Debian's libopus 1.3
//! has no such call). CELT-only packets never carry LBRR. Never panics;
//! allocates nothing.
//!
//! Parses what the network sends: never panics, whatever the bytes (lints in
//! `media/mod.rs`, fuzz target in `gateway/fuzz`).

/// The first Opus frame of `packet` (RFC 6716 §3.2), or `None` for a packet
/// that breaks the framing rules (R1–R7) or has an empty first frame.
pub fn first_frame(packet: &[u8]) -> Option<&[u8]> {
    let (&toc, rest) = packet.split_first()?;
    let frame = match toc & 0x3 {
        // One frame: the rest of the packet.
        0 => rest,
        // Two frames of equal size (R3: the rest must be even).
        1 => {
            if rest.len() % 2 != 0 {
                return None;
            }
            rest.get(..rest.len() / 2)?
        }
        // Two frames, the first's length coded in one or two bytes (R4).
        2 => {
            let (len, used) = frame_length(rest)?;
            rest.get(used..used + len)?
        }
        // M frames, CBR or VBR, optional padding (R5–R7).
        _ => code3_first(rest)?,
    };
    (!frame.is_empty()).then_some(frame)
}

/// A frame length (§3.2.1): one byte below 252, else two bytes
/// (`first + 4 × second`). Returns the length and the bytes used.
fn frame_length(data: &[u8]) -> Option<(usize, usize)> {
    let &b0 = data.first()?;
    if b0 < 252 {
        return Some((usize::from(b0), 1));
    }
    let &b1 = data.get(1)?;
    Some((usize::from(b0) + 4 * usize::from(b1), 2))
}

/// The first frame of a code 3 packet (§3.2.5); `data` follows the TOC byte.
fn code3_first(data: &[u8]) -> Option<&[u8]> {
    let (&header, mut rest) = data.split_first()?;
    let vbr = header & 0x80 != 0;
    let padded = header & 0x40 != 0;
    let count = usize::from(header & 0x3f);
    if count == 0 {
        return None;
    }
    let mut padding = 0usize;
    if padded {
        // Each 255 means 254 bytes of padding and another length byte.
        loop {
            let (&b, after) = rest.split_first()?;
            rest = after;
            if b == 255 {
                padding += 254;
            } else {
                padding += usize::from(b);
                break;
            }
        }
    }
    let payload = rest.len().checked_sub(padding)?;
    if vbr {
        let (mut lengths, mut used) = (0usize, 0usize);
        let mut first = None;
        for _ in 0..count - 1 {
            let (len, n) = frame_length(rest.get(used..)?)?;
            first.get_or_insert(len);
            lengths += len;
            used += n;
        }
        if used + lengths > payload {
            return None;
        }
        let frames = rest.get(used..payload)?;
        // The last frame's length is what is left over.
        let len = first.unwrap_or(frames.len());
        frames.get(..len)
    } else {
        if payload % count != 0 {
            return None;
        }
        rest.get(..payload / count)
    }
}

/// True if `packet` carries in-band FEC (an LBRR frame) for the packet before
/// it: SILK or hybrid mode and the first frame's LBRR flag set (for stereo,
/// either channel's).
pub fn has_lbrr(packet: &[u8]) -> bool {
    let Some(&toc) = packet.first() else {
        return false;
    };
    let config = toc >> 3;
    // 20 ms SILK frames in the first Opus frame: SILK configs 0–11 last 10,
    // 20, 40 or 60 ms (config % 4); hybrid 12–15 last 10 or 20 ms.
    let silk_frames = match config {
        0..=11 => match config % 4 {
            2 => 2,
            3 => 3,
            _ => 1,
        },
        12..=15 => 1,
        _ => return false,
    };
    let Some(&first) = first_frame(packet).and_then(|f| f.first()) else {
        return false;
    };
    let stereo = toc & 0x4 != 0;
    let mid = (first >> (7 - silk_frames)) & 1 != 0;
    let side = stereo && (first >> (6 - 2 * silk_frames)) & 1 != 0;
    mid || side
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsp::opus::{Application, OpusEncoder};
    use dsp::rate::SampleRate;
    use dsp::FRAME_SAMPLES;

    /// How many of 100 voice packets carry LBRR, for an encoder at `rate`.
    fn lbrr_packets(rate: SampleRate, app: Application, fec: bool) -> usize {
        let mut enc = OpusEncoder::new(rate, app, 5, 24_000, fec, false).unwrap();
        let samples = FRAME_SAMPLES * rate.hz() as usize / 8000;
        let mut voice = dsp::voice::Voice::new(5);
        let mut pcm = vec![0i16; samples];
        let mut out = [0u8; 1500];
        (0..100)
            .filter(|_| {
                voice.fill(&mut pcm);
                let n = enc.encode(&pcm, &mut out).unwrap();
                has_lbrr(&out[..n])
            })
            .count()
    }

    #[test]
    fn libopus_fec_packets_are_recognised() {
        // SILK (narrowband) and hybrid (fullband at 24 kb/s) with FEC on.
        let silk = lbrr_packets(SampleRate::Hz8000, Application::Voip, true);
        let hybrid = lbrr_packets(SampleRate::Hz48000, Application::Voip, true);
        assert!(silk > 50 && hybrid > 50, "SILK {silk}, hybrid {hybrid}");
        // Without FEC, or CELT only, never.
        assert_eq!(
            lbrr_packets(SampleRate::Hz8000, Application::Voip, false),
            0
        );
        assert_eq!(
            lbrr_packets(SampleRate::Hz48000, Application::RestrictedLowDelay, true),
            0
        );
    }

    #[test]
    fn framing_codes_find_the_first_frame() {
        // SILK NB 20 ms (config 1), mono; first frame starts with 0b0100_0000:
        // VAD off, LBRR on.
        let lbrr = 0x40;
        assert!(has_lbrr(&[1 << 3, lbrr, 9]));
        assert!(!has_lbrr(&[1 << 3, 0x80, 9]), "VAD only");
        // Code 1: two equal frames; odd rest is invalid.
        assert_eq!(
            first_frame(&[(1 << 3) | 1, lbrr, 0, 7, 7]),
            Some(&[lbrr, 0][..])
        );
        assert_eq!(first_frame(&[(1 << 3) | 1, 1, 2, 3]), None);
        // Code 2: first length 1, then the second frame.
        assert_eq!(
            first_frame(&[(1 << 3) | 2, 1, lbrr, 5, 5]),
            Some(&[lbrr][..])
        );
        assert_eq!(first_frame(&[(1 << 3) | 2, 9, lbrr]), None);
        // Two-byte length: 252 + 4 × 1 = 256.
        let mut long = vec![(1 << 3) | 2, 252, 1];
        long.extend(std::iter::repeat_n(lbrr, 300));
        assert_eq!(first_frame(&long).map(<[u8]>::len), Some(256));
        // Code 3 CBR, 2 frames, 2 bytes of padding.
        assert_eq!(
            first_frame(&[(1 << 3) | 3, 0x42, 2, lbrr, 1, 2, 3, 0, 0]),
            Some(&[lbrr, 1][..])
        );
        // Code 3 VBR, 3 frames: lengths 1 and 2, the last takes the rest.
        assert_eq!(
            first_frame(&[(1 << 3) | 3, 0x83, 1, 2, lbrr, 5, 5, 6]),
            Some(&[lbrr][..])
        );
        // 40 ms SILK (config 2): two VAD flags, then LBRR.
        assert!(has_lbrr(&[2 << 3, 0x20]));
        assert!(!has_lbrr(&[2 << 3, 0x40]));
        // Stereo 20 ms: the side channel's LBRR flag (bit 4).
        assert!(has_lbrr(&[(1 << 3) | 0x4, 0x10]));
        // CELT only (config 31) never; empty frames and empty packets neither.
        assert!(!has_lbrr(&[31 << 3, 0xff]));
        assert!(!has_lbrr(&[1 << 3]));
        assert!(!has_lbrr(&[]));
    }

    #[test]
    fn no_input_panics() {
        for a in 0..=255u8 {
            for b in [0u8, 1, 2, 0x3f, 0x40, 0x7f, 0x80, 0xc1, 0xff] {
                for len in 0..8 {
                    let mut p = vec![a, b];
                    p.extend((0..len).map(|i| (i * 97 + 251) as u8));
                    let _ = has_lbrr(&p);
                    let _ = has_lbrr(&p[..1]);
                }
            }
        }
    }
}
