//! G.168 tests 3A and 3B: double talk.
//!
//! Converge on far-end speech for 2 s, then a near-end talker joins for 3 s
//! (3B: as loud as the far end; 3A: 15 dB quieter, below the echo), then the
//! far end talks alone again. Checks:
//! * 3B, NLP on: while double talk is reported, the near talker loses at
//!   most 3 dB (output vs the near speech through the same high-pass);
//!   double talk is reported in most frames where the near talker talks
//!   while echo comes back (the far end's pauses are single talk).
//! * 3A/3B, NLP off: no divergence — ERLE over the 0.5 s after double talk
//!   ends (measured from 0.5 s on, i.e. recovered within 0.5 s) ≥ 25 dB.

mod g168_support;

use dsp::echo::hybrid::HybridModel;
use dsp::echo::HighPass;
use g168_support::*;

struct Outcome {
    erle_before: f32,
    erle_after: f32,
    attenuation: f32,
    detected_pct: f32,
}

fn scenario(model: HybridModel, erl: f32, near_rel_db: f32, nlp: bool, seed: u64) -> Outcome {
    let len = secs(6.5);
    let (dt_start, dt_end) = (secs(2.0), secs(5.0));
    let far = speech(seed, -15.0, len);
    let echo = echo_of(&far, model, erl, 30);
    let mut near = speech(seed + 1000, -15.0 + near_rel_db, len);
    near[..dt_start].fill(0);
    near[dt_end..].fill(0);
    let near_in = add(&echo, &near);
    let mut ec = canceller(32, nlp);
    let r = run(&mut ec, &far, &near_in);
    // Erle on the echo-only output: subtract nothing; near is zero outside DT.
    let erle_before = mean_erle(&echo, &r.out, secs(1.0), dt_start);
    let erle_after = mean_erle(&echo, &r.out, dt_end + secs(0.5), len);
    // Near-end attenuation in frames where double talk was reported and the
    // near talker is active.
    let mut near_hp = near.clone();
    HighPass::new().process(&mut near_hp);
    let (mut p_near, mut p_out, mut active, mut detected) = (0f64, 0f64, 0, 0);
    for f in dt_start / FRAME..dt_end / FRAME {
        let span = f * FRAME..(f + 1) * FRAME;
        // Double talk: the near talker talks while echo comes back (the far
        // end's speech has pauses; a near talker alone is single talk).
        if level(&near_hp[span.clone()]) < -40.0 || level(&echo[span.clone()]) < -45.0 {
            continue;
        }
        active += 1;
        if r.double_talk[f] {
            detected += 1;
            p_near += near_hp[span.clone()]
                .iter()
                .map(|&s| f64::from(s).powi(2))
                .sum::<f64>();
            p_out += r.out[span]
                .iter()
                .map(|&s| f64::from(s).powi(2))
                .sum::<f64>();
        }
    }
    Outcome {
        erle_before,
        erle_after,
        attenuation: (10.0 * (p_near / p_out.max(1.0)).log10()) as f32,
        detected_pct: 100.0 * detected as f32 / active.max(1) as f32,
    }
}

#[test]
fn test_3a_3b_double_talk() {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (i, model) in HybridModel::ALL.into_iter().enumerate() {
        for (test, near_rel) in [("3B", 0.0), ("3A", -15.0)] {
            let erl = if i % 2 == 0 { 6.0 } else { 15.0 };
            let off = scenario(model, erl, near_rel, false, 40 + i as u64);
            let on = scenario(model, erl, near_rel, true, 40 + i as u64);
            rows.push(vec![
                test.into(),
                format!("{model:?}"),
                f1(erl),
                f1(near_rel),
                f1(off.erle_before),
                f1(off.erle_after),
                f1(on.detected_pct),
                f1(on.attenuation),
            ]);
            if off.erle_after < 25.0 {
                failures.push(format!(
                    "{test} {model:?}: diverged, ERLE after {}",
                    off.erle_after
                ));
            }
            if test == "3B" && (on.attenuation > 3.0 || on.detected_pct < 70.0) {
                failures.push(format!(
                    "{test} {model:?}: near attenuated {} dB, detected {}%",
                    on.attenuation, on.detected_pct
                ));
            }
        }
    }
    table(
        "G.168 tests 3A/3B, far speech -15 dBm0, near talker 0 / -15 dB re far, 32 ms tail",
        &[
            "test",
            "model",
            "ERL dB",
            "near dB",
            "ERLE before",
            "ERLE 0.5 s after",
            "DT detected %",
            "near atten. dB (NLP on)",
        ],
        &rows,
    );
    assert!(failures.is_empty(), "{failures:?}");
}
