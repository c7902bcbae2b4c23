//! Cost per 20 ms frame. Every frame is timed on its own, as in
//! `dsp/examples/echo_cost.rs`: the mean includes the frames during which the
//! thread was preempted, the median hardly does, so on a shared machine the
//! median is the better figure (both are printed). The rounds of all
//! contenders are interleaved so that a burst of load elsewhere falls on all
//! of them alike.

use std::hint::black_box;
use std::time::Instant;

use dsp::echo::hybrid::HybridModel;
use dsp::FRAME_SAMPLES;
use dsp_compare::spandsp::debug_prints::{Diverted, Prints};

use crate::contender::Contender;
use crate::scenario::{FarEnd, Scenario, LINE_NOISE_DBM0, SECONDS};

/// Rounds per contender; the best round's mean is reported.
pub const ROUNDS: usize = 3;

/// One timed configuration. `prints` only matters to spandsp.
#[derive(Clone, Copy, Debug)]
struct Timed {
    contender: Contender,
    prints: Prints,
}

impl Timed {
    fn label(self) -> String {
        match (self.contender, self.prints) {
            (Contender::Ours { .. }, _) => self.contender.label(),
            (Contender::Spandsp { .. }, Prints::Skipped) => {
                format!("{}, debug prints skipped", self.contender.label())
            }
            (Contender::Spandsp { .. }, Prints::Formatted) => format!(
                "{}, as packaged (debug prints formatted into /dev/null)",
                self.contender.label()
            ),
        }
    }
}

const TIMED: [Timed; 5] = [
    Timed {
        contender: Contender::Ours { tail_ms: 32 },
        prints: Prints::Skipped,
    },
    Timed {
        contender: Contender::Ours { tail_ms: 64 },
        prints: Prints::Skipped,
    },
    Timed {
        contender: Contender::Spandsp { taps: 256 },
        prints: Prints::Skipped,
    },
    Timed {
        contender: Contender::Spandsp { taps: 256 },
        prints: Prints::Formatted,
    },
    Timed {
        contender: Contender::Spandsp { taps: 512 },
        prints: Prints::Skipped,
    },
];

/// Median µs over every frame of every round, and the best round's mean.
fn time(diverted: &mut Diverted, far: &[i16], near: &[i16]) -> Vec<(f64, f64)> {
    let frames = far.len() / FRAME_SAMPLES;
    let mut per_frame: Vec<Vec<f64>> = vec![Vec::with_capacity(frames * ROUNDS); TIMED.len()];
    let mut best_mean = vec![f64::MAX; TIMED.len()];
    let mut out = [0i16; FRAME_SAMPLES];
    for _ in 0..ROUNDS {
        for (i, timed) in TIMED.iter().enumerate() {
            diverted.set(timed.prints);
            let mut canceller = timed.contender.build(true);
            let start = Instant::now();
            for (x, d) in far
                .chunks_exact(FRAME_SAMPLES)
                .zip(near.chunks_exact(FRAME_SAMPLES))
            {
                let t = Instant::now();
                canceller.process(black_box(x), black_box(d), &mut out);
                black_box(&out);
                per_frame[i].push(t.elapsed().as_secs_f64() * 1e6);
            }
            let mean = start.elapsed().as_secs_f64() * 1e6 / frames as f64;
            best_mean[i] = best_mean[i].min(mean);
        }
    }
    diverted.set(Prints::Skipped);
    per_frame
        .iter_mut()
        .zip(best_mean)
        .map(|(times, mean)| {
            times.sort_by(f64::total_cmp);
            (times[times.len() / 2], mean)
        })
        .collect()
}

/// Prints the cost table: speech with echo, and far end silent with line
/// noise; NLP on everywhere (the settings a gateway runs).
pub fn print_cost_table(diverted: &mut Diverted) {
    let speech = Scenario {
        far: FarEnd::Speech,
        model: HybridModel::D5,
        erl_db: 6.0,
        line_noise: true,
    }
    .signals();
    let silent = vec![0i16; speech.far.len()];
    let inputs: [(String, &[i16], &[i16]); 2] = [
        (
            format!("speech + echo (D5, ERL 6 dB, line noise {LINE_NOISE_DBM0} dBm0)"),
            &speech.far,
            &speech.near,
        ),
        (
            format!("far end silent, line noise {LINE_NOISE_DBM0} dBm0"),
            &silent,
            &speech.line_noise,
        ),
    ];
    println!(
        "Cost per 20 ms frame (160 samples), NLP on, {SECONDS:.0} s per input, \
         {ROUNDS} interleaved rounds; median over all frames, mean of the best round\n"
    );
    println!(
        "| input | canceller | taps | median µs / frame | best-of-{ROUNDS} mean µs / frame | \
         median vs ours 32 ms |"
    );
    println!("|---|---|---|---|---|---|");
    for (name, far, near) in inputs {
        eprintln!("timing {name} ...");
        let results = time(diverted, far, near);
        let reference = results[0].0;
        for (timed, (median, mean)) in TIMED.iter().zip(results) {
            println!(
                "| {name} | {} | {} | {median:.1} | {mean:.1} | {:.2}× |",
                timed.label(),
                timed.contender.taps(),
                median / reference
            );
        }
    }
}
