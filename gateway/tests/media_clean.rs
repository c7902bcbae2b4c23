//! Impairment scenario: a clean network (10 ms one way, no jitter). The
//! baseline for the others: the gateway adds at most one packet time plus the
//! jitter target plus 2 ms, and nothing is concealed.

mod media_support;
use media_support::{report, run, ClientCodec, Network};

#[test]
fn clean_network_pcmu() {
    let net = Network::default();
    let r = run(ClientCodec::Pcmu, net, 20, 1);
    report("clean pcmu", &net, &r);
    assert_eq!(r.gaps(), 0);
    for (added, c) in r.steady(&net) {
        assert!(c > 0.99, "correlation {c}");
        assert!(
            (0.0..=20.0 + r.target_ms + 2.0).contains(&added),
            "added {added} ms"
        );
    }
}

#[test]
fn clean_network_opus() {
    let net = Network::default();
    let r = run(ClientCodec::Opus, net, 20, 2);
    report("clean opus", &net, &r);
    assert_eq!(r.gaps(), 0);
    // Opus's own algorithmic delay (6.5 ms lookahead) comes on top.
    for (added, c) in r.steady(&net) {
        assert!(c > 0.8, "correlation {c}");
        assert!(added <= 20.0 + r.target_ms + 2.0 + 6.5, "added {added} ms");
    }
}
