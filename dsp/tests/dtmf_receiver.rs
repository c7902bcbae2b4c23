//! DTMF receiver conformance, after spandsp's `dtmf_rx_tests` and the Q.24
//! figures in `TELEPHONY.md`. Each test prints its measured figure.

mod common;

use common::*;
use dsp::dtmf::{DetectorConfig, Digit, DtmfEvent};

const ALL: &str = "123A456B789C*0#D";

fn sequence(digits: &str, on: usize, off: usize, dbm0: f32) -> Vec<f32> {
    let mut v = vec![0f32; off];
    for (i, c) in digits.chars().enumerate() {
        let d = Digit::from_char(c).unwrap();
        v.extend(digit_burst(d, on, dbm0, i as f64 * 0.7));
        v.extend(std::iter::repeat_n(0.0, off));
    }
    v
}

#[test]
fn decode_all_digits_10_times_50_50() {
    let mut s = String::new();
    for _ in 0..10 {
        s.push_str(ALL);
    }
    let sig = to_i16(&sequence(&s, ms(50), ms(50), -4.0));
    let events = detect(&sig, 160);
    assert_eq!(digits(&events), s);
    // Every Start has an End, timing close to the truth (tone i starts at off + i*(on+off)).
    let starts: Vec<u64> = events
        .iter()
        .filter_map(|e| match e {
            DtmfEvent::Start { at, level_dbm0, .. } => {
                assert!((level_dbm0 + 4.0).abs() < 1.0, "level {level_dbm0}");
                Some(*at)
            }
            _ => None,
        })
        .collect();
    let ends: Vec<(u64, u64)> = events
        .iter()
        .filter_map(|e| match e {
            DtmfEvent::End { at, duration, .. } => Some((*at, *duration)),
            _ => None,
        })
        .collect();
    assert_eq!(ends.len(), starts.len());
    let mut worst = 0i64;
    let mut sum = 0i64;
    for (i, (&st, &(en, dur))) in starts.iter().zip(&ends).enumerate() {
        let truth = (400 + i * 800) as i64;
        let (e1, e2) = ((st as i64 - truth).abs(), (en as i64 - truth - 400).abs());
        worst = worst.max(e1).max(e2);
        sum += e1 + e2;
        assert_eq!(en - st, dur);
    }
    let mean = sum as f64 / (2 * starts.len()) as f64;
    println!("start/end timing error: mean {mean:.1}, worst {worst} samples");
    assert!(worst <= 51, "timing error {worst}");
    assert!(mean <= 12.0, "mean timing error {mean}");
}

#[test]
fn any_frame_size() {
    let sig = to_i16(&sequence("159#", ms(50), ms(50), -10.0));
    for chunk in [1, 7, 80, 160, 333, 4000] {
        assert_eq!(digits(&detect(&sig, chunk)), "159#", "chunk {chunk}");
    }
}

/// Q.24 bandwidth: shift one tone in 0.1 % steps; record the accepted band.
#[test]
fn frequency_tolerance() {
    let mut report = String::new();
    for c in ALL.chars().take(4).chain("*0#D".chars()) {
        let d = Digit::from_char(c).unwrap();
        let (r, col) = d.frequencies();
        for (which, nominal) in [("row", r), ("col", col)] {
            let mut accepted = Vec::new();
            for step in -60..=60 {
                let f = f64::from(nominal) * (1.0 + step as f64 / 1000.0);
                let (fr, fc) = if which == "row" {
                    (f, f64::from(col))
                } else {
                    (f64::from(r), f)
                };
                let mut v = vec![0f32; ms(100)];
                let mut tone = vec![0f32; ms(60)];
                add_dual(&mut tone, fr, -17.0, fc, -17.0, 0.3);
                v.extend(tone);
                v.extend(vec![0f32; ms(100)]);
                let got = digits(&detect(&to_i16(&v), 160));
                if got == c.to_string() {
                    accepted.push(step);
                } else {
                    assert!(got.is_empty(), "wrong digit {got} for {c} {which} {step}");
                }
            }
            let lo = *accepted.first().unwrap_or(&0) as f32 / 10.0;
            let hi = *accepted.last().unwrap_or(&0) as f32 / 10.0;
            report.push_str(&format!("{c} {which} {nominal}: {lo:+.1}% .. {hi:+.1}%\n"));
            let must = 1.5 + 200.0 / nominal; // ±1.5 % + 2 Hz, in percent
            assert!(
                lo <= -must + 0.1 && hi >= must - 0.1,
                "{c} {which}: accept band {lo}..{hi} narrower than ±{must}"
            );
            assert!(
                lo > -3.5 && hi < 3.5,
                "{c} {which}: accepts beyond 3.5%: {lo}..{hi}"
            );
            // Contiguous band.
            assert_eq!(
                accepted.len() as i32,
                accepted.last().unwrap() - accepted[0] + 1
            );
        }
    }
    println!("{report}");
}

fn twist_detects(d: Digit, row_dbm0: f32, col_dbm0: f32) -> bool {
    let (r, c) = d.frequencies();
    let mut v = vec![0f32; ms(60)];
    let mut t = vec![0f32; ms(60)];
    add_dual(&mut t, f64::from(r), row_dbm0, f64::from(c), col_dbm0, 0.1);
    v.extend(t);
    v.extend(vec![0f32; ms(60)]);
    digits(&detect(&to_i16(&v), 160)) == d.to_string()
}

#[test]
fn twist_limits() {
    // One tone at -3 dBm0, the other stepped down in 0.5 dB steps.
    let mut worst_normal = f32::MAX;
    let mut worst_reverse = f32::MAX;
    for d in Digit::all() {
        let mut normal = 0.0;
        while twist_detects(d, -3.0 - normal - 0.5, -3.0) {
            normal += 0.5;
        }
        let mut reverse = 0.0;
        while twist_detects(d, -3.0, -3.0 - reverse - 0.5) {
            reverse += 0.5;
        }
        assert!((8.0..=11.0).contains(&normal), "{d}: normal twist {normal}");
        assert!(
            (4.0..=7.0).contains(&reverse),
            "{d}: reverse twist {reverse}"
        );
        worst_normal = worst_normal.min(normal);
        worst_reverse = worst_reverse.min(reverse);
    }
    println!("accepted twist: normal {worst_normal} dB, reverse {worst_reverse} dB (all digits)");
}

#[test]
fn guard_time() {
    // 10..49 ms pulses, each digit, pulse then 60 ms silence.
    let mut shortest_detected = usize::MAX;
    let mut longest_rejected = 0;
    for len_ms in 10..50 {
        for (i, c) in ALL.chars().enumerate() {
            let d = Digit::from_char(c).unwrap();
            // Offset within the block grid varies with i.
            let mut v = vec![0f32; ms(40) + i * 13];
            v.extend(digit_burst(d, ms(len_ms), -10.0, 0.2 * i as f64));
            v.extend(vec![0f32; ms(60)]);
            let got = digits(&detect(&to_i16(&v), 160));
            if len_ms < 20 {
                assert!(got.is_empty(), "{len_ms} ms {c} detected");
            }
            if len_ms >= 40 {
                assert_eq!(got, c.to_string(), "{len_ms} ms {c} missed");
            }
            if got.is_empty() {
                longest_rejected = longest_rejected.max(len_ms);
            } else {
                shortest_detected = shortest_detected.min(len_ms);
            }
        }
    }
    println!("shortest detected {shortest_detected} ms, longest missed {longest_rejected} ms");
}

#[test]
fn dynamic_range() {
    let mut detected = Vec::new();
    for tenth in (-500..=30).step_by(5) {
        let level = tenth as f32 / 10.0;
        let sig = to_i16(&sequence("5", ms(50), ms(50), level));
        if digits(&detect(&sig, 160)) == "5" {
            detected.push(level);
        }
    }
    let lo = detected.first().copied().unwrap_or(0.0);
    let hi = detected.last().copied().unwrap_or(0.0);
    println!("detected from {lo} to {hi} dBm0 per tone ({} dB)", hi - lo);
    assert!((-43.0..=-40.0).contains(&lo), "weakest {lo}");
    assert!(hi >= -4.0, "strongest {hi}");
    for l in [-40.0f32, -30.0, -20.0, -10.0, -4.0] {
        assert!(detected.contains(&l), "{l}");
    }
    // Below the configured minimum nothing.
    let weak = to_i16(&sequence("5", ms(50), ms(50), -46.0));
    assert!(digits(&detect(&weak, 160)).is_empty());
}

#[test]
fn white_noise_snr() {
    // 160 bursts at -10 dBm0 per tone with white noise; S/N = total tone power / noise power.
    for snr in [20.0f32, 15.0] {
        let mut ok = 0;
        let digits_str: String = ALL.repeat(10);
        let mut v = sequence(&digits_str, ms(50), ms(50), -10.0);
        let n = noise(snr as u64, -7.0 - snr, v.len());
        for (s, n) in v.iter_mut().zip(n) {
            *s += n;
        }
        let got = digits(&detect(&to_i16(&v), 160));
        // Never a wrong digit.
        let mut it = digits_str.chars().peekable();
        for c in got.chars() {
            while it.peek().is_some_and(|&e| e != c) {
                it.next();
            }
            assert!(it.next().is_some(), "wrong or extra digit at {snr} dB");
            ok += 1;
        }
        println!("S/N {snr} dB: {ok}/160 detected");
        assert!(ok >= if snr >= 20.0 { 160 } else { 155 }, "{snr}: {ok}");
    }
}

#[test]
fn with_dial_tone() {
    // Digits at -15 dBm0 per tone, 350+440 Hz dial tone 10 dB below (-25 dBm0 per tone).
    let mut v = sequence(ALL, ms(50), ms(50), -15.0);
    let len = v.len();
    let mut dial = vec![0f32; len];
    add_dual(&mut dial, 350.0, -25.0, 440.0, -25.0, 0.0);
    for (s, d) in v.iter_mut().zip(dial) {
        *s += d;
    }
    assert_eq!(digits(&detect(&to_i16(&v), 160)), ALL);
    // Dial tone alone gives nothing.
    let mut dial = vec![0f32; 8000 * 5];
    add_dual(&mut dial, 350.0, -13.0, 440.0, -13.0, 0.0);
    assert!(detect(&to_i16(&dial), 160).is_empty());
}

#[test]
fn talk_off_voice_60_s() {
    let mut total = 0;
    for seed in 0..4u64 {
        let mut voice = dsp::voice::Voice::new(seed);
        let mut sig = vec![0i16; 8000 * 60];
        voice.fill(&mut sig);
        let n = detect(&sig, 160).len();
        total += n;
    }
    println!("talk-off: {total} false events in 4 x 60 s of voice");
    assert_eq!(total, 0);
}

#[test]
fn talk_off_voice_through_g711() {
    use dsp::g711::Law;
    let mut voice = dsp::voice::Voice::new(99);
    let mut sig = vec![0i16; 8000 * 60];
    voice.fill(&mut sig);
    for law in [Law::Ulaw, Law::Alaw] {
        let mut bytes = vec![0u8; sig.len()];
        law.encode(&sig, &mut bytes);
        let mut back = vec![0i16; sig.len()];
        law.decode(&bytes, &mut back);
        assert!(detect(&back, 160).is_empty(), "{law:?}");
    }
}

#[test]
fn digits_survive_g711() {
    use dsp::g711::Law;
    let sig = to_i16(&sequence(ALL, ms(50), ms(50), -20.0));
    for law in [Law::Ulaw, Law::Alaw] {
        let mut bytes = vec![0u8; sig.len()];
        law.encode(&sig, &mut bytes);
        let mut back = vec![0i16; sig.len()];
        law.decode(&bytes, &mut back);
        assert_eq!(digits(&detect(&back, 160)), ALL, "{law:?}");
    }
}

#[test]
fn config_is_per_instance() {
    // A strict twist setting rejects what the default accepts.
    let d = Digit::from_char('5').unwrap();
    let (r, c) = d.frequencies();
    let mut v = vec![0f32; ms(100)];
    add_dual(
        &mut v[ms(20)..ms(80)],
        f64::from(r),
        -12.0,
        f64::from(c),
        -6.0,
        0.0,
    );
    let sig = to_i16(&v);
    assert_eq!(digits(&detect(&sig, 160)), "5");
    let strict = DetectorConfig {
        max_normal_twist_db: 3.0,
        ..DetectorConfig::default()
    };
    assert_eq!(digits(&detect_with(&sig, 160, strict)), "");
}
