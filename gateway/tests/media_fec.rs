//! Impairment scenario: Opus in-band FEC against 10 % random loss. While the
//! client's packets carry FEC and losses are seen, the playout keeps the next
//! packet one packet time ahead, so a lost frame is decoded from the FEC copy
//! the next packet carries instead of being extrapolated. The price is one
//! packet time (20 ms) of delay, only while losses go on: on a clean network,
//! and once losses stop, the delay is the minimum again.

mod media_support;
use media_support::{report, run, ClientCodec, Network};

/// The clean network's added delay for Opus: packet time + target 0 + 2 ms
/// band + Opus's 6.5 ms look-ahead (see `media_clean.rs`).
const CLEAN_BOUND_MS: f64 = 20.0 + 2.0 + 6.5;

#[test]
fn fec_recovers_most_isolated_losses() {
    let net = Network {
        loss: 0.10,
        ..Network::default()
    };
    let r = run(ClientCodec::Opus, net, 30, 21);
    report("fec opus 10 % loss", &net, &r);
    let p = r.stats.playout;
    let isolated = r.isolated_losses() as u64;
    assert!(
        isolated > 80,
        "the network lost {isolated} isolated packets"
    );
    // Every loss FEC can recover (the next packet arrived and carries an
    // LBRR frame) is recovered, the first one too: the first second's extra
    // frame (`jitter_frames = 1`) is still there when it comes.
    let (recoverable, candidates) = (r.recoverable_losses() as u64, r.fec_candidates() as u64);
    assert!(
        (recoverable..=candidates).contains(&p.recovered),
        "FEC recovered {} of {recoverable} recoverable losses",
        p.recovered
    );
    // That is most isolated losses (a lost frame whose successor carries no
    // LBRR, e.g. in a pause of the voice, is extrapolated).
    assert!(
        p.recovered * 10 >= isolated * 8,
        "FEC recovered {} of {isolated} isolated losses",
        p.recovered
    );
    // Nothing arrived too late to play.
    assert_eq!(p.late, 0);
    // The floor held the target at two packet times while losses went on
    // (from the first loss on: nearly the whole call).
    assert_eq!(r.target_ms, 40.0);
    assert!(p.fec_frames >= 25 * 50, "{p:?}");
    // The delay paid: one packet time over the clean network's, no more.
    assert!(r.max_added(&net) <= CLEAN_BOUND_MS + 20.0, "{:?}", r.lag_ms);
}

#[test]
fn without_loss_the_delay_stays_at_the_minimum() {
    let net = Network::default();
    let r = run(ClientCodec::Opus, net, 20, 22);
    report("fec opus clean", &net, &r);
    let p = r.stats.playout;
    assert_eq!(p.fec_frames, 0, "{p:?}");
    assert_eq!(r.target_ms, 0.0);
    assert!(r.max_added(&net) <= CLEAN_BOUND_MS, "{:?}", r.lag_ms);
}

#[test]
fn the_delay_returns_to_the_minimum_once_losses_stop() {
    // Losses for the first 8 s, then a clean network for 22 s.
    let net = Network {
        loss: 0.10,
        loss_until_s: 8.0,
        ..Network::default()
    };
    let r = run(ClientCodec::Opus, net, 30, 23);
    report("fec opus loss then clean", &net, &r);
    let p = r.stats.playout;
    assert!(p.recovered > 10, "{p:?}");
    assert_eq!(r.target_ms, 0.0, "the floor is gone at the end");
    // It held for the losses and FEC_HOLD (10 s) after the last one.
    assert!((8 * 50..=20 * 50).contains(&p.fec_frames), "{p:?}");
    // The last 5 s: the clean network's delay again.
    let added = r.added_ms(&net);
    let tail = &added[added.len() - 5..];
    assert!(
        tail.iter().all(|a| *a <= CLEAN_BOUND_MS),
        "added delay at the end: {tail:?}"
    );
    // While losses went on (seconds 3–7), one packet time more.
    let during = &added[2..7];
    assert!(
        during.iter().all(|a| *a > CLEAN_BOUND_MS - 2.0),
        "added delay during the losses: {during:?}"
    );
}

#[test]
fn g711_has_no_fec_floor() {
    let net = Network {
        loss: 0.10,
        ..Network::default()
    };
    let r = run(ClientCodec::Pcmu, net, 20, 24);
    report("fec pcmu 10 % loss", &net, &r);
    let p = r.stats.playout;
    assert_eq!((p.fec_frames, p.recovered), (0, 0), "{p:?}");
    assert_eq!(r.target_ms, 0.0);
    assert!(r.max_added(&net) <= 20.0 + 2.0, "{:?}", r.lag_ms);
}
