//! ITU-T G.711 µ-law and A-law companding, bit-exact.
//!
//! Encoding follows the segment (chord) and step structure of G.711 §2 and the
//! reference formulae of Sun Microsystems' public-domain `g711.c`: µ-law works on
//! the 14-bit magnitude with a bias of 33 (0x84 on the 16-bit scale) and inverts
//! all bits; A-law works on the 13-bit magnitude and inverts the even bits (0x55).
//! µ-law `0xFF` decodes to 0 (positive zero), A-law `0xD5` to +8.
//!
//! Decoding uses 256-entry tables built at compile time; encoding is a handful of
//! integer operations (no table), so neither can panic on any input.

/// G.711 §2: segment end points of the 14-bit biased µ-law magnitude.
const ULAW_BIAS: i32 = 0x84;
const ULAW_CLIP: i32 = 8159;

/// Encodes one 16-bit linear sample to µ-law.
pub fn ulaw_encode(s: i16) -> u8 {
    let mut pcm = i32::from(s) >> 2;
    let mask: u8 = if pcm < 0 {
        pcm = -pcm;
        0x7F
    } else {
        0xFF
    };
    let pcm = pcm.min(ULAW_CLIP) + (ULAW_BIAS >> 2);
    if pcm > 0x1FFF {
        return 0x7F ^ mask;
    }
    // Segment = position of the highest set bit, counted from bit 5 (pcm >= 0x21).
    let seg = (31 - pcm.leading_zeros() as i32 - 5).clamp(0, 7);
    let uval = ((seg << 4) | ((pcm >> (seg + 1)) & 0xF)) as u8;
    uval ^ mask
}

const fn ulaw_decode_formula(b: u8) -> i16 {
    let u = !b;
    let mut t = (((u & 0x0F) as i32) << 3) + ULAW_BIAS;
    t <<= (u & 0x70) >> 4;
    (if u & 0x80 != 0 {
        ULAW_BIAS - t
    } else {
        t - ULAW_BIAS
    }) as i16
}

/// Encodes one 16-bit linear sample to A-law.
pub fn alaw_encode(s: i16) -> u8 {
    let mut pcm = i32::from(s) >> 3;
    let mask: u8 = if pcm >= 0 {
        0xD5
    } else {
        pcm = -pcm - 1;
        0x55
    };
    if pcm > 0xFFF {
        return 0x7F ^ mask;
    }
    // Segment 0 covers 0..=0x1F, segment n >= 1 covers 2^(n+4)..2^(n+5)-1.
    let seg = (32 - pcm.leading_zeros() as i32 - 5).max(0);
    let quant = if seg < 2 {
        (pcm >> 1) & 0xF
    } else {
        (pcm >> seg) & 0xF
    };
    (((seg << 4) | quant) as u8) ^ mask
}

const fn alaw_decode_formula(b: u8) -> i16 {
    let a = b ^ 0x55;
    let mut t = ((a & 0x0F) as i32) << 4;
    let seg = ((a & 0x70) >> 4) as i32;
    match seg {
        0 => t += 8,
        1 => t += 0x108,
        _ => {
            t += 0x108;
            t <<= seg - 1;
        }
    }
    (if a & 0x80 != 0 { t } else { -t }) as i16
}

const fn build_table(alaw: bool) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = if alaw {
            alaw_decode_formula(i as u8)
        } else {
            ulaw_decode_formula(i as u8)
        };
        i += 1;
    }
    table
}

static ULAW_TO_LINEAR: [i16; 256] = build_table(false);
static ALAW_TO_LINEAR: [i16; 256] = build_table(true);

/// Decodes one µ-law byte to a 16-bit linear sample.
pub fn ulaw_decode(b: u8) -> i16 {
    ULAW_TO_LINEAR[usize::from(b)]
}

/// Decodes one A-law byte to a 16-bit linear sample.
pub fn alaw_decode(b: u8) -> i16 {
    ALAW_TO_LINEAR[usize::from(b)]
}

/// Which G.711 companding law.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Law {
    /// µ-law (North America, Japan; RTP payload type 0, PCMU).
    Ulaw,
    /// A-law (rest of the world; RTP payload type 8, PCMA).
    Alaw,
}

impl Law {
    /// Encodes min(pcm.len(), out.len()) samples; returns how many.
    pub fn encode(self, pcm: &[i16], out: &mut [u8]) -> usize {
        let n = pcm.len().min(out.len());
        // One loop per law, so the encoder is inlined (through a function
        // pointer it was a call per sample).
        match self {
            Law::Ulaw => {
                for (o, &s) in out.iter_mut().zip(pcm) {
                    *o = ulaw_encode(s);
                }
            }
            Law::Alaw => {
                for (o, &s) in out.iter_mut().zip(pcm) {
                    *o = alaw_encode(s);
                }
            }
        }
        n
    }

    /// Decodes min(data.len(), out.len()) bytes; returns how many.
    pub fn decode(self, data: &[u8], out: &mut [i16]) -> usize {
        let n = data.len().min(out.len());
        let table = match self {
            Law::Ulaw => &ULAW_TO_LINEAR,
            Law::Alaw => &ALAW_TO_LINEAR,
        };
        for (o, &b) in out.iter_mut().zip(data) {
            *o = table[usize::from(b)];
        }
        n
    }

    /// The byte that decodes to silence (µ-law 0xFF, A-law 0xD5).
    pub fn silence(self) -> u8 {
        match self {
            Law::Ulaw => 0xFF,
            Law::Alaw => 0xD5,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slice encoder gives the per-sample encoders' bytes for every input.
    #[test]
    fn slice_encode_matches_the_sample_encoders() {
        let pcm: std::vec::Vec<i16> = (i16::MIN..=i16::MAX).collect();
        let mut out = std::vec![0u8; pcm.len()];
        for (law, f) in [
            (Law::Ulaw, ulaw_encode as fn(i16) -> u8),
            (Law::Alaw, alaw_encode),
        ] {
            assert_eq!(law.encode(&pcm, &mut out), pcm.len());
            assert!(pcm.iter().zip(&out).all(|(&s, &b)| f(s) == b), "{law:?}");
        }
    }
}
