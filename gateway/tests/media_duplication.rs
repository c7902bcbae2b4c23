//! Impairment scenario: 10 % of packets arrive twice (the copy up to 40 ms
//! later). Copies are dropped; the audio has no gap and no extra delay.

mod media_support;
use media_support::{report, run, ClientCodec, Network};

#[test]
fn duplicates_are_dropped() {
    let net = Network {
        duplicate: 0.1,
        ..Network::default()
    };
    let r = run(ClientCodec::Pcmu, net, 30, 8);
    report("duplication pcmu", &net, &r);
    let p = r.stats.playout;
    assert!(p.duplicates + p.late >= 100, "{p:?}");
    assert_eq!(r.gaps(), 0, "{p:?}");
    for (added, c) in r.steady(&net) {
        assert!(c > 0.99, "correlation {c}");
        assert!(added <= 20.0 + r.target_ms + 2.0, "added {added}");
    }
}
