//! Cost of `dsp::echo::Canceller::process` per 20 ms frame for 16, 32 and
//! 64 ms tails, NLP on, in three situations: adapting on speech with echo,
//! far end silent with line noise on the near end, and an idle line
//! (digital silence both ways).
//!
//! Every frame is timed on its own: the mean includes the frames during
//! which the thread was preempted, the median hardly does, so on a busy
//! machine the median is the better figure (both are printed).
//!
//! `cargo run --release -p dsp --example echo_cost`

use std::time::Instant;

use dsp::echo::hybrid::{EchoPath, HybridModel};
use dsp::echo::{Canceller, CancellerConfig};
use dsp::noise::WhiteNoise;
use dsp::voice::Voice;
use dsp::FRAME_SAMPLES;

const FRAMES: usize = 2500; // 50 s

/// Mean and median µs per frame.
fn cost(tail_ms: u32, far: &[i16], near: &[i16]) -> (f64, f64) {
    let mut ec = Canceller::new(CancellerConfig {
        tail_ms,
        ..CancellerConfig::default()
    })
    .expect("valid config");
    let mut out = [0i16; FRAME_SAMPLES];
    let mut times = Vec::with_capacity(FRAMES);
    let start = Instant::now();
    for (x, d) in far.chunks(FRAME_SAMPLES).zip(near.chunks(FRAME_SAMPLES)) {
        let t = Instant::now();
        ec.process(x, d, &mut out);
        std::hint::black_box(&out);
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let mean = start.elapsed().as_secs_f64() * 1e6 / FRAMES as f64;
    times.sort_by(f64::total_cmp);
    (mean, times[times.len() / 2])
}

fn main() {
    let mut far = vec![0i16; FRAMES * FRAME_SAMPLES];
    Voice::new(1).fill(&mut far);
    let mut echo = vec![0i16; far.len()];
    let mut path = EchoPath::new(HybridModel::D5, 10.0, 20).expect("valid path");
    path.process(&far, &mut echo);
    let silent = vec![0i16; far.len()];
    let mut line_noise = vec![0i16; far.len()];
    WhiteNoise::new(3, -60.0).fill(&mut line_noise);

    let cases: [(&str, &[i16], &[i16]); 3] = [
        ("speech + echo", &far, &echo),
        ("far silent, -60 dBm0 noise", &silent, &line_noise),
        ("idle (all zero)", &silent, &silent),
    ];
    println!(
        "| input | tail | taps | mean µs / 20 ms frame | median µs | share of one core (mean) |"
    );
    println!(
        "|-------|------|------|-----------------------|-----------|--------------------------|"
    );
    for (name, x, d) in cases {
        for tail_ms in [16, 32, 64] {
            let (mean, median) = cost(tail_ms, x, d);
            println!(
                "| {name} | {tail_ms} ms | {} | {mean:.1} | {median:.1} | {:.2} % |",
                tail_ms * 8,
                mean / 20_000.0 * 100.0
            );
        }
    }
}
