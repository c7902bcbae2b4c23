//! G.168 test 5: infinite return loss. The far end talks but nothing comes
//! back (4-wire or open line): the canceller must not make up an output,
//! and a near talker alone must pass unchanged.

mod g168_support;

use g168_support::*;

#[test]
fn test_5_no_echo_path() {
    let len = secs(5.0);
    let mut rows = Vec::new();
    for (name, far) in [
        ("noise -10", noise(5, -10.0, len)),
        ("speech -10", speech(6, -10.0, len)),
    ] {
        for nlp in [false, true] {
            let silent = vec![0i16; len];
            let mut ec = canceller(32, nlp);
            let r = run(&mut ec, &far, &silent);
            let peak = peak_frame_dbm0(&r.out, 0);
            rows.push(vec![
                name.into(),
                nlp.to_string(),
                "silence".into(),
                f1(peak),
                "-".into(),
            ]);
            assert!(
                peak <= -70.0,
                "{name} nlp {nlp}: output {peak} dBm0 with no echo"
            );
        }
    }
    // Near talker alone (far end silent), NLP off and high-pass off: the
    // output is the input, sample for sample.
    let near = speech(8, -15.0, len);
    let silent = vec![0i16; len];
    let mut ec = dsp::echo::Canceller::new(dsp::echo::CancellerConfig {
        high_pass: false,
        ..Default::default()
    })
    .unwrap();
    let r = run(&mut ec, &silent, &near);
    let diff: Vec<i16> = r.out.iter().zip(&near).map(|(a, b)| a - b).collect();
    rows.push(vec![
        "silence".into(),
        "true".into(),
        "speech -15".into(),
        f1(level(&r.out)),
        f1(level(&diff)),
    ]);
    assert_eq!(r.out, near, "near talker altered with no far end");
    table(
        "G.168 test 5, infinite return loss (32 ms tail)",
        &[
            "far end",
            "NLP",
            "near end",
            "output dBm0 (peak frame / level)",
            "out - in dBm0",
        ],
        &rows,
    );
}
