//! G.168 test 7 (stability) over 60 s of speech, and test 4 (leak rate):
//! the converged filter keeps its ERLE for a minute of talk, and does not
//! forget the path during 10 s of far-end silence.

mod g168_support;

use dsp::echo::hybrid::HybridModel;
use dsp::echo::HighPass;
use g168_support::*;

/// Residual echo: the output minus the line noise as the canceller's
/// high-pass shaped it (the noise itself is not the canceller's to remove).
fn residual(out: &[i16], noise: &[i16]) -> Vec<i16> {
    let mut hp = noise.to_vec();
    HighPass::new().process(&mut hp);
    out.iter()
        .zip(&hp)
        .map(|(&o, &n)| o.saturating_sub(n))
        .collect()
}

#[test]
fn test_7_stability_60_s_and_test_4_leak() {
    // One echo path for the whole run: 60 s of speech, 10 s of far-end
    // silence (test 4), 2 s of speech again. (`echo_of` calibrates the ERL
    // on the signal it is given, so a second call for the last 2 s would be
    // a slightly different path, which the canceller would have to re-learn.)
    let (talk, quiet, again) = (secs(60.0), secs(10.0), secs(2.0));
    let mut far = speech(70, -12.0, talk);
    far.extend(std::iter::repeat_n(0i16, quiet));
    far.extend(speech(72, -12.0, again));
    let echo = echo_of(&far, HybridModel::D5, 10.0, 60);
    let line_noise = noise(71, -55.0, far.len());
    let near_in = add(&echo, &line_noise);
    let mut ec = canceller(32, false);
    let r = run(&mut ec, &far, &near_in);
    let res = residual(&r.out, &line_noise);
    let mut rows = Vec::new();
    let mut worst: f32 = f32::MAX;
    for s in (0..60).step_by(10) {
        let from = secs(s as f32).max(secs(1.0));
        let to = secs(s as f32 + 10.0);
        let erle = mean_erle(&echo, &res, from, to);
        worst = worst.min(erle);
        rows.push(vec![format!("{s}-{} s", s + 10), f1(erle)]);
    }
    let after_silence = mean_erle(&echo, &res, talk + quiet, far.len());
    rows.push(vec![
        "after 10 s silence (test 4)".into(),
        f1(after_silence),
    ]);
    table(
        "G.168 tests 7 and 4, D5 ERL 10 dB, speech -12 dBm0, noise -55 dBm0, NLP off: ERLE dB (echo vs output minus noise)",
        &["period", "ERLE dB"],
        &rows,
    );
    assert!(worst >= 30.0, "ERLE fell to {worst} dB");
    assert!(after_silence >= 30.0, "leaked: {after_silence} dB");
}
