//! End-to-end caller ID tests: generator or hand-built FSK → impairments → receiver.

use super::fsk::Modulator;
use super::*;
use crate::noise::{Rng, WhiteNoise};

fn mdmf_msg() -> CallerIdMessage {
    CallerIdMessage {
        date_time: Some(DateTime::new(11, 5, 18, 42).unwrap()),
        number: Some(Number::try_from("0123456789").unwrap()),
        name: Some(Name::try_from("SMITH JANE").unwrap()),
        ..Default::default()
    }
}

fn sdmf_msg() -> CallerIdMessage {
    CallerIdMessage {
        name: None,
        ..mdmf_msg()
    }
}

/// Impairments applied to a hand-built FSK transmission.
#[derive(Clone, Copy, Debug)]
struct Line {
    standard: FskStandard,
    level_dbm0: f32,
    /// Tone frequency error, percent.
    tone_offset_pct: f32,
    /// Bit rate error, percent.
    baud_offset_pct: f32,
    /// Signal to white-noise ratio, dB (None: no noise).
    snr_db: Option<f32>,
    seed: u64,
}

impl Line {
    fn new(standard: FskStandard) -> Self {
        Self {
            standard,
            level_dbm0: -13.0,
            tone_offset_pct: 0.0,
            baud_offset_pct: 0.0,
            snr_db: None,
            seed: 1,
        }
    }
}

/// Builds the transmission independently of `Generator`: 300 seizure bits,
/// 180 marks, framed bytes, 10 marks, with silence around it.
fn fsk_signal(bytes: &[u8], line: Line) -> std::vec::Vec<i16> {
    let k = 1.0 + line.tone_offset_pct / 100.0;
    let baud = (1200.0 * (1.0 + line.baud_offset_pct / 100.0)).round() as u32;
    let mut m = Modulator::with_frequencies(
        line.standard.mark_hz() * k,
        line.standard.space_hz() * k,
        baud,
        line.level_dbm0,
    );
    let mut bits = std::vec::Vec::new();
    bits.extend((0..300).map(|i| i % 2 == 1));
    bits.extend(std::iter::repeat_n(true, 180));
    for &b in bytes {
        bits.push(false);
        bits.extend((0..8).map(|i| (b >> i) & 1 == 1));
        bits.push(true);
    }
    bits.extend(std::iter::repeat_n(true, 10));
    let mut out = vec![0i16; 800];
    let mut it = bits.into_iter();
    loop {
        if m.at_bit_boundary() {
            match it.next() {
                Some(b) => out.push(m.next_sample(|| b).round() as i16),
                None => break,
            }
        } else {
            out.push(m.next_sample(|| true).round() as i16);
        }
    }
    out.extend(std::iter::repeat_n(0, 1600));
    if let Some(snr) = line.snr_db {
        WhiteNoise::new(line.seed, line.level_dbm0 - snr).mix(&mut out);
    }
    out
}

fn receive(signal: &[i16]) -> std::vec::Vec<Result<CallerIdMessage, ReceiveError>> {
    let mut rx = Receiver::new(ReceiverConfig {
        dtmf: false,
        ..Default::default()
    });
    let mut out = std::vec::Vec::new();
    for frame in signal.chunks(crate::FRAME_SAMPLES) {
        rx.process(frame);
        while let Some(r) = rx.poll_message() {
            out.push(r);
        }
    }
    out
}

fn encode(msg: &CallerIdMessage, format: Format) -> std::vec::Vec<u8> {
    let mut buf = [0u8; message::MAX_MESSAGE];
    let n = msg.encode(format, &mut buf).unwrap();
    buf[..n].to_vec()
}

fn assert_decodes(line: Line) {
    for (msg, format) in [(mdmf_msg(), Format::Mdmf), (sdmf_msg(), Format::Sdmf)] {
        let got = receive(&fsk_signal(&encode(&msg, format), line));
        assert_eq!(got, vec![Ok(msg)], "{format:?} {line:?}");
    }
}

#[test]
fn generator_round_trip_both_standards_and_formats() {
    for config in [FskConfig::bellcore(), FskConfig::etsi()] {
        for (msg, format) in [(mdmf_msg(), Format::Mdmf), (sdmf_msg(), Format::Sdmf)] {
            let mut tx = Generator::new(Signalling::Fsk(FskConfig { format, ..config }));
            let mut rx = Receiver::default();
            tx.send(&msg).unwrap();
            assert_eq!(tx.send(&msg), Err(GeneratorError::Busy));
            let mut frame = [0i16; crate::FRAME_SAMPLES];
            let mut frames = 0;
            while tx.fill(&mut frame) {
                rx.process(&frame);
                frames += 1;
            }
            assert!(tx.is_idle());
            // 300 + 180 + 10·n + 10 bits at 1200 baud.
            let bits = 490 + 10 * encode(&msg, format).len();
            assert_eq!(frames, (bits * 8000 / 1200).div_ceil(160), "{config:?}");
            rx.process(&[0; 800]);
            assert_eq!(rx.poll_message(), Some(Ok(msg)), "{config:?}");
            assert_eq!(rx.poll_message(), None);
        }
    }
}

#[test]
fn levels() {
    for standard in [FskStandard::Bell202, FskStandard::V23] {
        for level_dbm0 in [-40.0, -30.0, -20.0, -10.0, 0.0] {
            assert_decodes(Line {
                level_dbm0,
                ..Line::new(standard)
            });
        }
    }
}

#[test]
fn too_weak_is_ignored() {
    let line = Line {
        level_dbm0: -55.0,
        ..Line::new(FskStandard::Bell202)
    };
    assert!(receive(&fsk_signal(&encode(&mdmf_msg(), Format::Mdmf), line)).is_empty());
}

#[test]
fn frequency_and_bit_rate_offsets() {
    for standard in [FskStandard::Bell202, FskStandard::V23] {
        for tone_offset_pct in [-1.0, 1.0] {
            for baud_offset_pct in [-1.0, 0.0, 1.0] {
                assert_decodes(Line {
                    tone_offset_pct,
                    baud_offset_pct,
                    ..Line::new(standard)
                });
            }
        }
    }
}

#[test]
fn noise_at_20_db_snr() {
    for standard in [FskStandard::Bell202, FskStandard::V23] {
        for (i, level_dbm0) in [-40.0, -25.0, -13.0, 0.0].into_iter().enumerate() {
            for seed in 0..5 {
                assert_decodes(Line {
                    level_dbm0,
                    tone_offset_pct: if seed % 2 == 0 { 1.0 } else { -1.0 },
                    snr_db: Some(20.0),
                    seed: seed + 10 * i as u64,
                    ..Line::new(standard)
                });
            }
        }
    }
}

#[test]
fn corrupted_checksum_is_reported_not_delivered() {
    let mut bytes = encode(&mdmf_msg(), Format::Mdmf);
    let last = bytes.len() - 1;
    bytes[last] ^= 0x10;
    let got = receive(&fsk_signal(&bytes, Line::new(FskStandard::Bell202)));
    assert!(
        matches!(
            got.as_slice(),
            [Err(ReceiveError::Message(MessageError::BadChecksum { .. }))]
        ),
        "{got:?}"
    );
}

#[test]
fn carrier_lost_mid_message() {
    let bytes = encode(&mdmf_msg(), Format::Mdmf);
    let mut signal = fsk_signal(&bytes, Line::new(FskStandard::V23));
    // Cut the carrier in the middle of the message.
    let cut = 800 + (490 + 50) * 8000 / 1200;
    for s in signal[cut..].iter_mut() {
        *s = 0;
    }
    let got = receive(&signal);
    assert!(
        // The carrier detector needs a few bits to notice; what it decodes
        // meanwhile may end in a framing error first. Either way: no message.
        matches!(
            got.as_slice(),
            [Err(
                ReceiveError::Incomplete { .. } | ReceiveError::Framing { .. }
            )]
        ),
        "{got:?}"
    );
}

#[test]
fn two_messages_in_a_row() {
    let a = fsk_signal(
        &encode(&mdmf_msg(), Format::Mdmf),
        Line::new(FskStandard::Bell202),
    );
    let b = fsk_signal(
        &encode(&sdmf_msg(), Format::Sdmf),
        Line::new(FskStandard::Bell202),
    );
    let got = receive(&[a, b].concat());
    assert_eq!(got, vec![Ok(mdmf_msg()), Ok(sdmf_msg())]);
}

#[test]
fn random_samples_never_panic_nor_decode() {
    let mut rng = Rng::new(3);
    let mut rx = Receiver::default();
    let mut frame = [0i16; 173];
    let mut ok = 0;
    for _ in 0..3000 {
        for s in frame.iter_mut() {
            *s = rng.next_u64() as i16;
        }
        rx.process(&frame);
        while let Some(r) = rx.poll_message() {
            ok += usize::from(r.is_ok());
        }
    }
    assert_eq!(ok, 0);
}

#[test]
fn dtmf_clip_round_trip() {
    let number = CallerIdMessage {
        number: Some(Number::try_from("4512345678").unwrap()),
        ..Default::default()
    };
    let private = CallerIdMessage {
        number_absence: Some(Absence::Private),
        ..Default::default()
    };
    let unavailable = CallerIdMessage {
        number_absence: Some(Absence::Unavailable),
        ..Default::default()
    };
    for start in [ClipStart::A, ClipStart::D] {
        for msg in [&number, &private, &unavailable] {
            for level_dbm0 in [-25.0, -10.0] {
                let config = DtmfClipConfig {
                    start,
                    tone: crate::dtmf::GeneratorConfig {
                        level_dbm0,
                        ..DtmfClipConfig::default().tone
                    },
                };
                let mut tx = Generator::new(Signalling::Dtmf(config));
                let mut rx = Receiver::default();
                tx.send(msg).unwrap();
                let mut frame = [0i16; crate::FRAME_SAMPLES];
                let mut noise = WhiteNoise::new(9, level_dbm0 - 20.0);
                for _ in 0..200 {
                    tx.fill(&mut frame);
                    noise.mix(&mut frame);
                    rx.process(&frame);
                }
                assert!(tx.is_idle());
                assert_eq!(rx.poll_message(), Some(Ok(msg.clone())), "{start:?}");
                assert_eq!(rx.poll_message(), None);
            }
        }
    }
}

#[test]
fn dtmf_clip_timeout() {
    let mut g = crate::dtmf::Generator::default();
    g.queue_str("A123").unwrap();
    let mut rx = Receiver::default();
    let mut frame = [0i16; crate::FRAME_SAMPLES];
    for _ in 0..100 {
        g.fill(&mut frame);
        rx.process(&frame);
    }
    assert_eq!(rx.poll_message(), Some(Err(ReceiveError::DtmfTimeout)));
}
