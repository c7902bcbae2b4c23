//! Mean cost of `dsp::echo::Canceller::process` per 20 ms frame for 16, 32
//! and 64 ms tails, NLP on, while adapting on speech with echo.
//!
//! `cargo run --release -p dsp --example echo_cost`

use std::time::Instant;

use dsp::echo::hybrid::{EchoPath, HybridModel};
use dsp::echo::{Canceller, CancellerConfig};
use dsp::voice::Voice;
use dsp::FRAME_SAMPLES;

fn main() {
    const FRAMES: usize = 2500; // 50 s
    let mut far = vec![0i16; FRAMES * FRAME_SAMPLES];
    Voice::new(1).fill(&mut far);
    let mut echo = vec![0i16; far.len()];
    let mut path = EchoPath::new(HybridModel::D5, 10.0, 20).expect("valid path");
    path.process(&far, &mut echo);
    println!("| tail | taps | mean µs / 20 ms frame | share of one core |");
    println!("|------|------|-----------------------|-------------------|");
    for tail_ms in [16, 32, 64] {
        let mut ec = Canceller::new(CancellerConfig {
            tail_ms,
            ..CancellerConfig::default()
        })
        .expect("valid config");
        let mut out = [0i16; FRAME_SAMPLES];
        let start = Instant::now();
        for (x, d) in far.chunks(FRAME_SAMPLES).zip(echo.chunks(FRAME_SAMPLES)) {
            ec.process(x, d, &mut out);
            std::hint::black_box(&out);
        }
        let per_frame = start.elapsed().as_secs_f64() * 1e6 / FRAMES as f64;
        println!(
            "| {tail_ms} ms | {} | {per_frame:.1} | {:.2} % |",
            ec.taps(),
            per_frame / 20_000.0 * 100.0
        );
    }
}
