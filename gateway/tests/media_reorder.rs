//! Impairment scenario: 10 % of packets held back 30 ms, so they arrive after
//! the one or two that follow them. The buffer puts them back in order; the
//! jitter estimate rises and the target with it, so that after settling none
//! is played late.

mod media_support;
use media_support::{report, run, ClientCodec, Network};

#[test]
fn reordered_packets_are_put_back_in_order() {
    let net = Network {
        reorder: 0.1,
        reorder_ms: 30.0,
        ..Network::default()
    };
    let r = run(ClientCodec::Pcmu, net, 30, 5);
    report("reorder pcmu", &net, &r);
    let p = r.stats.playout;
    // Late packets only while the target grows, in the first seconds.
    assert!(p.late <= 6, "{p:?}");
    assert!(r.gaps() <= 8, "{p:?}");
    assert!(r.target_ms >= 6.0, "the target followed the jitter");
    // Packets held back 30 ms need a buffer that long.
    assert!(r.max_added(&net) <= 20.0 + 30.0 + 2.0, "{:?}", r.lag_ms);
    for (_, c) in r.steady(&net).iter().skip(3) {
        assert!(*c > 0.9, "correlation {c}");
    }
}
