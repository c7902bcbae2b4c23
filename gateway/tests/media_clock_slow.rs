//! Impairment scenario: the client's clock runs 0.1 % slow against the line's.
//! Over 120 s that is 120 ms of audio: one frame too few every 20 s, which is inserted (concealed). The buffer
//! neither grows nor drains: the delay at the end is the delay at the start.

mod media_support;
use media_support::{report, run, ClientCodec, Network};

#[test]
fn client_clock_0_1_percent_slow() {
    let net = Network {
        client_clock: 0.999,
        ..Network::default()
    };
    let r = run(ClientCodec::Pcmu, net, 120, 9);
    report("clock slow pcmu", &net, &r);
    let p = r.stats.playout;
    // 6 frames of drift (±2 for where the phase starts and ends).
    // With the default minimum spare of 0 the frame is inserted when the
    // buffer runs dry (an underrun concealed); with a spare, before.
    assert!((4..=8).contains(&(p.inserted + p.underruns)), "{p:?}");
    let steady = r.steady(&net);
    let max = steady.iter().map(|a| a.0).fold(f64::MIN, f64::max);
    let min = steady.iter().map(|a| a.0).fold(f64::MAX, f64::min);
    assert!(max <= 20.0 + r.target_ms + 2.0, "delay grew to {max} ms");
    assert!(min >= 0.0, "delay {min} ms");
    assert!(max - min <= 22.0, "delay wandered {min}..{max} ms");
    // Audio gaps: at most the frames the drift itself costs.
    assert!(p.lost + p.underruns + p.inserted <= 8, "{p:?}");
}
