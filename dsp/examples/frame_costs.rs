//! Mean cost per 20 ms frame of the media-path blocks.
//!
//! `cargo run --release -p dsp --example frame_costs`
//!
//! Each frame of 40 s of signal is timed on its own and the median frame is
//! reported: on a machine other jobs share, a frame the scheduler interrupts
//! costs milliseconds and would swamp a mean, but it is one frame of 2000
//! and leaves the median alone. (Blocks whose cost varies with the signal,
//! like the Opus encoder, report their typical frame.) A rough guide until
//! Criterion benchmarks exist.

use std::hint::black_box;
use std::time::Instant;

use dsp::callerid::{
    CallerIdMessage, DateTime, FskConfig, Generator, Name, Number, Receiver, ReceiverConfig,
    Signalling,
};
use dsp::opus::{Application, OpusDecoder, OpusEncoder, MAX_PACKET};
use dsp::rate::SampleRate;
use dsp::resample::Resampler;
use dsp::FRAME_SAMPLES;

const FRAMES: usize = 2000; // 40 s of audio per measurement

fn voice_frames(rate: SampleRate) -> Vec<Vec<i16>> {
    let mut v = dsp::voice::Voice::new(7);
    let mut up =
        (rate != SampleRate::Hz8000).then(|| Resampler::new(SampleRate::Hz8000, rate).unwrap());
    (0..FRAMES)
        .map(|_| {
            let mut f = [0i16; FRAME_SAMPLES];
            v.fill(&mut f);
            match up.as_mut() {
                Some(r) => {
                    let mut out = vec![0i16; rate.samples_in_ms(20)];
                    r.process(&f, &mut out).unwrap();
                    out
                }
                None => f.to_vec(),
            }
        })
        .collect()
}

fn measure(name: &str, frames: usize, mut f: impl FnMut(usize)) {
    // Warm up, then time each frame.
    for i in 0..frames.min(50) {
        f(i);
    }
    let mut each: Vec<f64> = (0..frames)
        .map(|i| {
            let t = Instant::now();
            f(i);
            t.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    each.sort_by(f64::total_cmp);
    let us = each[each.len() / 2];
    println!(
        "{name:<40} {us:>9.2} µs/frame  ({:>5.2} % of one core)",
        us / 200.0
    );
}

fn main() {
    let narrow = voice_frames(SampleRate::Hz8000);
    let wide = voice_frames(SampleRate::Hz48000);

    let mut bytes = [0u8; FRAME_SAMPLES];
    let mut pcm = [0i16; FRAME_SAMPLES];
    measure("G.711 µ-law encode+decode", FRAMES, |i| {
        dsp::g711::Law::Ulaw.encode(black_box(&narrow[i]), &mut bytes);
        dsp::g711::Law::Ulaw.decode(&bytes, &mut pcm);
        black_box(&pcm);
    });
    measure("G.711 A-law encode+decode", FRAMES, |i| {
        dsp::g711::Law::Alaw.encode(black_box(&narrow[i]), &mut bytes);
        dsp::g711::Law::Alaw.decode(&bytes, &mut pcm);
        black_box(&pcm);
    });

    let mut det = dsp::dtmf::Detector::new(dsp::dtmf::DetectorConfig::default());
    measure("DTMF detector (speech)", FRAMES, |i| {
        det.process(black_box(&narrow[i]));
        while det.poll_event().is_some() {}
    });

    // Caller ID FSK: a looped MDMF transmission.
    let msg = CallerIdMessage {
        date_time: Some(DateTime::new(1, 2, 3, 4).unwrap()),
        number: Some(Number::try_from("0123456789").unwrap()),
        name: Some(Name::try_from("DOE JOHN").unwrap()),
        ..Default::default()
    };
    let mut tx = Generator::new(Signalling::Fsk(FskConfig::bellcore()));
    let fsk: Vec<[i16; FRAME_SAMPLES]> = (0..FRAMES)
        .map(|_| {
            if tx.is_idle() {
                tx.send(&msg).unwrap();
            }
            let mut f = [0i16; FRAME_SAMPLES];
            tx.fill(&mut f);
            f
        })
        .collect();
    let mut tx = Generator::new(Signalling::Fsk(FskConfig::bellcore()));
    measure("caller ID FSK generate", FRAMES, |_| {
        if tx.is_idle() {
            tx.send(&msg).unwrap();
        }
        tx.fill(&mut pcm);
        black_box(&pcm);
    });
    let mut rx = Receiver::new(ReceiverConfig {
        dtmf: false,
        ..Default::default()
    });
    let mut decoded = 0;
    measure("caller ID FSK demodulate+decode", FRAMES, |i| {
        rx.process(black_box(&fsk[i]));
        while let Some(r) = rx.poll_message() {
            decoded += usize::from(r.is_ok());
        }
    });
    assert!(decoded > 0);
    let mut rx = Receiver::default();
    measure("caller ID receiver, FSK + DTMF CLIP", FRAMES, |i| {
        rx.process(black_box(&fsk[i]));
        while rx.poll_message().is_some() {}
    });

    let mut up = Resampler::new(SampleRate::Hz8000, SampleRate::Hz48000).unwrap();
    let mut down = Resampler::new(SampleRate::Hz48000, SampleRate::Hz8000).unwrap();
    let mut hi = [0i16; 960];
    measure("resample 8 kHz -> 48 kHz", FRAMES, |i| {
        up.process(black_box(&narrow[i]), &mut hi).unwrap();
        black_box(&hi);
    });
    measure("resample 48 kHz -> 8 kHz", FRAMES, |i| {
        down.process(black_box(&wide[i]), &mut pcm).unwrap();
        black_box(&pcm);
    });
    let mut up16 = Resampler::new(SampleRate::Hz8000, SampleRate::Hz16000).unwrap();
    let mut mid = [0i16; 320];
    measure("resample 8 kHz -> 16 kHz", FRAMES, |i| {
        up16.process(black_box(&narrow[i]), &mut mid).unwrap();
        black_box(&mid);
    });

    let mut packet = [0u8; MAX_PACKET];
    for (rate, frames) in [(SampleRate::Hz8000, &narrow), (SampleRate::Hz48000, &wide)] {
        for complexity in [0, 5, 10] {
            let mut enc =
                OpusEncoder::new(rate, Application::Voip, complexity, 24_000, false, false)
                    .unwrap();
            measure(
                &format!("Opus encode {rate}, complexity {complexity}"),
                FRAMES / 4,
                |i| {
                    black_box(enc.encode(black_box(&frames[i]), &mut packet).unwrap());
                },
            );
        }
        let mut enc = OpusEncoder::new(rate, Application::Voip, 5, 24_000, false, false).unwrap();
        let packets: Vec<Vec<u8>> = frames
            .iter()
            .take(FRAMES / 4)
            .map(|f| {
                let n = enc.encode(f, &mut packet).unwrap();
                packet[..n].to_vec()
            })
            .collect();
        let mut dec = OpusDecoder::new(rate).unwrap();
        let mut out = vec![0i16; rate.samples_in_ms(20)];
        measure(&format!("Opus decode {rate}"), packets.len(), |i| {
            black_box(
                dec.decode(Some(black_box(&packets[i])), false, &mut out)
                    .unwrap(),
            );
        });
        measure(&format!("Opus PLC {rate}"), FRAMES / 4, |_| {
            black_box(dec.decode(None, false, &mut out).unwrap());
        });
    }
}
