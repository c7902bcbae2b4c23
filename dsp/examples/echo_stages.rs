//! What each stage of the line echo canceller costs: the same speech-and-echo
//! input (hybrid D5, ERL 10 dB, 50 s) through the default canceller and with
//! one stage switched off at a time, µs per 20 ms frame (first quartile of
//! 2500 frames, best of three runs: the figures least disturbed by other
//! work on the machine).
//!
//! `cargo run --release -p dsp --example echo_stages`

use std::time::Instant;

use dsp::echo::hybrid::{EchoPath, HybridModel};
use dsp::echo::{Canceller, CancellerConfig};
use dsp::voice::Voice;
use dsp::FRAME_SAMPLES;

const FRAMES: usize = 2500;

fn cost(config: CancellerConfig, far: &[i16], near: &[i16]) -> f64 {
    let mut ec = Canceller::new(config).expect("valid config");
    let mut out = [0i16; FRAME_SAMPLES];
    let mut times = Vec::with_capacity(FRAMES);
    for (x, d) in far.chunks(FRAME_SAMPLES).zip(near.chunks(FRAME_SAMPLES)) {
        let t = Instant::now();
        ec.process(x, d, &mut out);
        std::hint::black_box(&out);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 4]
}

fn main() {
    let mut far = vec![0i16; FRAMES * FRAME_SAMPLES];
    Voice::new(1).fill(&mut far);
    let mut echo = vec![0i16; far.len()];
    EchoPath::new(HybridModel::D5, 10.0, 20)
        .expect("valid path")
        .process(&far, &mut echo);
    let d = CancellerConfig::default();
    let cases = [
        ("default (32 ms)", d),
        (
            "pre-whitening off",
            CancellerConfig {
                prewhiten: false,
                ..d
            },
        ),
        ("NLP off", CancellerConfig { nlp: false, ..d }),
        (
            "comfort noise off",
            CancellerConfig {
                comfort_noise: false,
                ..d
            },
        ),
        (
            "high-pass off",
            CancellerConfig {
                high_pass: false,
                ..d
            },
        ),
        ("16 ms tail", CancellerConfig { tail_ms: 16, ..d }),
        ("64 ms tail", CancellerConfig { tail_ms: 64, ..d }),
    ];
    println!("| canceller | µs per 20 ms frame |");
    println!("|---|---|");
    for (name, config) in cases {
        let best = (0..3)
            .map(|_| cost(config, &far, &echo))
            .fold(f64::MAX, f64::min);
        println!("| {name} | {best:.1} |");
    }
}
