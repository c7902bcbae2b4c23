//! Runs N 20 ms frames of speech through one DSP hot path and nothing else,
//! for counting instructions per frame on another architecture:
//!
//! `cargo run --release -p dsp --example frame_insns -- dtmf|echo FRAMES`
//!
//! `scripts/aarch64-insns.sh` builds it for aarch64, runs it under qemu-user
//! with one instruction per translation block and counts the blocks executed,
//! for two frame counts: the difference over the extra frames is the cost of
//! one frame, start-up and input synthesis cancelled out.

use dsp::dtmf::{Detector, DetectorConfig};
use dsp::echo::hybrid::{EchoPath, HybridModel};
use dsp::echo::{Canceller, CancellerConfig};
use dsp::voice::Voice;
use dsp::FRAME_SAMPLES;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(which), Some(frames)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: frame_insns dtmf|echo FRAMES");
        std::process::exit(2);
    };
    // The input is made for the largest count used, so both runs make the same.
    let total = frames.max(200);
    let mut far = vec![0i16; total * FRAME_SAMPLES];
    Voice::new(1).fill(&mut far);
    let mut near = vec![0i16; far.len()];
    let Ok(mut path) = EchoPath::new(HybridModel::D5, 10.0, 20) else {
        std::process::exit(1);
    };
    path.process(&far, &mut near);
    match which.as_str() {
        "dtmf" => {
            let mut d = Detector::new(DetectorConfig::default());
            // What the receiver hears on a line: speech at its full level.
            for f in far.chunks(FRAME_SAMPLES).take(frames) {
                d.process(f);
                std::hint::black_box(&d);
            }
        }
        "echo" => {
            let Ok(mut ec) = Canceller::new(CancellerConfig::default()) else {
                std::process::exit(1);
            };
            let mut out = [0i16; FRAME_SAMPLES];
            for (x, d) in far
                .chunks(FRAME_SAMPLES)
                .zip(near.chunks(FRAME_SAMPLES))
                .take(frames)
            {
                ec.process(x, d, &mut out);
                std::hint::black_box(&out);
            }
        }
        other => {
            eprintln!("unknown path {other:?}: dtmf or echo");
            std::process::exit(2);
        }
    }
}
