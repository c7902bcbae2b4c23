//! G.711 against an independent, table-free implementation of the standard's
//! encoding rules (written from ITU-T G.711 Tables 1a/2a, not from dsp's code),
//! for all 65 536 inputs, plus fixed points.

use dsp::g711::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode, Law};

/// µ-law per G.711 Table 2a: 14-bit magnitude, biased by 33; segment =
/// floor(log2(biased)) − 5; 4 mantissa bits below the leading one; all bits inverted.
fn ref_ulaw_encode(x: i16) -> u8 {
    let v = i32::from(x) / 4 - if x < 0 && x % 4 != 0 { 1 } else { 0 }; // floor division
    let (negative, mag) = if v < 0 { (0x80u8, -v) } else { (0x00u8, v) };
    let biased = (mag.min(8158) + 33) as u32;
    let mut seg = 0u32;
    while seg < 7 && biased >= (64 << seg) {
        seg += 1;
    }
    let mantissa = (biased >> (seg + 1)) & 0x0F;
    // Before inversion the sign bit is 1 for negative values.
    !(negative | (seg << 4) as u8 | mantissa as u8)
}

/// µ-law decode: mid-point of the decision interval, minus the bias, times 4.
fn ref_ulaw_decode(b: u8) -> i16 {
    let b = !b;
    let seg = u32::from((b >> 4) & 7);
    let mantissa = i32::from(b & 0x0F);
    let mag = (((2 * mantissa + 33) << seg) - 33) * 4;
    if b & 0x80 != 0 {
        (-mag) as i16
    } else {
        mag as i16
    }
}

/// A-law per G.711 Table 1a: 13-bit magnitude (one's-complement style for
/// negatives), segment 0 and 1 linear with step 2, even bits inverted.
fn ref_alaw_encode(x: i16) -> u8 {
    let v = i32::from(x) >> 3;
    let (sign, mag) = if v >= 0 {
        (0x80u8, v)
    } else {
        (0x00u8, -v - 1)
    };
    let code = if mag >= 4096 {
        0x7F
    } else if mag < 32 {
        (mag >> 1) as u8
    } else {
        let mut seg = 1;
        while mag >= (32 << seg) {
            seg += 1;
        }
        ((seg << 4) | ((mag >> seg) & 0x0F)) as u8
    };
    (sign | code) ^ 0x55
}

fn ref_alaw_decode(b: u8) -> i16 {
    let a = b ^ 0x55;
    let seg = i32::from((a >> 4) & 7);
    let m = i32::from(a & 0x0F);
    // Mid-point of the step, on the 13-bit scale, then times 8.
    let mag13 = if seg == 0 {
        2 * m + 1
    } else {
        (2 * m + 33) << (seg - 1)
    };
    let mag = mag13 * 8;
    if a & 0x80 != 0 {
        mag as i16
    } else {
        (-mag) as i16
    }
}

#[test]
fn ulaw_all_inputs() {
    for x in i16::MIN..=i16::MAX {
        assert_eq!(ulaw_encode(x), ref_ulaw_encode(x), "encode {x}");
    }
    for b in 0..=255u8 {
        assert_eq!(ulaw_decode(b), ref_ulaw_decode(b), "decode {b:#04x}");
    }
}

#[test]
fn alaw_all_inputs() {
    for x in i16::MIN..=i16::MAX {
        assert_eq!(alaw_encode(x), ref_alaw_encode(x), "encode {x}");
    }
    for b in 0..=255u8 {
        assert_eq!(alaw_decode(b), ref_alaw_decode(b), "decode {b:#04x}");
    }
}

#[test]
fn fixed_points() {
    assert_eq!(ulaw_encode(0), 0xFF);
    assert_eq!(ulaw_decode(0xFF), 0);
    assert_eq!(ulaw_decode(0x7F), 0);
    assert_eq!(ulaw_encode(-1), 0x7E);
    assert_eq!(ulaw_encode(-4), 0x7E);
    assert_eq!(ulaw_encode(-5), 0x7E);
    assert_eq!(ulaw_decode(0x80), 32124);
    assert_eq!(ulaw_decode(0x00), -32124);
    assert_eq!(ulaw_encode(i16::MAX), 0x80);
    assert_eq!(ulaw_encode(i16::MIN), 0x00);
    assert_eq!(alaw_encode(0), 0xD5);
    assert_eq!(alaw_encode(-1), 0x55);
    assert_eq!(alaw_decode(0xD5), 8);
    assert_eq!(alaw_decode(0x55), -8);
    assert_eq!(alaw_decode(0xAA), 32256);
    assert_eq!(alaw_decode(0x2A), -32256);
    assert_eq!(alaw_encode(i16::MAX), 0xAA);
    assert_eq!(alaw_encode(i16::MIN), 0x2A);
}

#[test]
fn round_trip_is_idempotent_and_bounded() {
    for law in [Law::Ulaw, Law::Alaw] {
        for b in 0..=255u8 {
            let mut pcm = [0i16; 1];
            law.decode(&[b], &mut pcm);
            let mut again = [0u8; 1];
            law.encode(&pcm, &mut again);
            let mut pcm2 = [0i16; 1];
            law.decode(&again, &mut pcm2);
            assert_eq!(pcm, pcm2, "{law:?} {b:#04x}");
        }
        // Quantisation error within half a step (steps are at most 1024 / 2048).
        for x in (i16::MIN..=i16::MAX).step_by(7) {
            let mut b = [0u8; 1];
            law.encode(&[x], &mut b);
            let mut y = [0i16; 1];
            law.decode(&b, &mut y);
            let err = (i32::from(x) - i32::from(y[0])).abs();
            let bound = (i32::from(x).abs() / 16).max(16);
            assert!(err <= bound.max(1100), "{law:?} {x} -> {}", y[0]);
            assert!(err <= bound + 16, "{law:?} {x} -> {} err {err}", y[0]);
        }
        assert_eq!(law.decode(&[law.silence()], &mut [1i16]), 1);
    }
    // Buffer lengths.
    let mut out = [0u8; 3];
    assert_eq!(Law::Ulaw.encode(&[0; 5], &mut out), 3);
    let mut pcm = [0i16; 2];
    assert_eq!(Law::Alaw.decode(&[0; 5], &mut pcm), 2);
}
