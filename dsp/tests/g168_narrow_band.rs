//! G.168 test 6: non-divergence on narrow-band signals. Converge on speech,
//! then feed each of the tones and DTMF pairs of G.168 6.4.2.7 for 5 s,
//! then speech again: the ERLE on the speech that follows must stay high
//! (the filter must not have drifted into a state that only fits the tone).

mod g168_support;

use dsp::echo::hybrid::HybridModel;
use g168_support::*;

const TONES: [&[f32]; 8] = [
    &[697.0],
    &[941.0],
    &[1336.0],
    &[1633.0],
    &[697.0, 1209.0],
    &[770.0, 1336.0],
    &[852.0, 1477.0],
    &[941.0, 1633.0],
];

#[test]
fn test_6_narrow_band_signals() {
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (i, tone) in TONES.into_iter().enumerate() {
        let model = HybridModel::ALL[i];
        let (a, b) = (secs(2.0), secs(7.0));
        let len = secs(9.0);
        let mut far = speech(60 + i as u64, -15.0, len);
        let t = tones(tone, -15.0, b - a);
        far[a..b].copy_from_slice(&t);
        let echo = echo_of(&far, model, 10.0, 20);
        let mut ec = canceller(32, false);
        let r = run(&mut ec, &far, &echo);
        let before = mean_erle(&echo, &r.out, secs(1.0), a);
        let during = mean_erle(&echo, &r.out, a + secs(1.0), b);
        let after = mean_erle(&echo, &r.out, b, b + secs(0.5));
        let later = mean_erle(&echo, &r.out, b + secs(0.5), len);
        rows.push(vec![
            format!("{tone:?}"),
            format!("{model:?}"),
            f1(before),
            f1(during),
            f1(after),
            f1(later),
        ]);
        if after < 20.0 || later < 25.0 {
            failures.push(format!("{tone:?}: after {after} later {later}"));
        }
    }
    table(
        "G.168 test 6, 5 s tone at -15 dBm0 between speech, ERL 10 dB, NLP off: ERLE dB",
        &[
            "tone Hz",
            "model",
            "speech before",
            "during tone",
            "speech 0-0.5 s after",
            "0.5-2 s after",
        ],
        &rows,
    );
    assert!(failures.is_empty(), "{failures:?}");
}
