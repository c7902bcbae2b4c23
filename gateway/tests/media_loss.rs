//! Impairment scenario: 5 % random packet loss. Every lost packet is concealed
//! (G.711: Appendix I PLC; Opus: in-band FEC from the next packet or its PLC),
//! no packet that arrived is thrown away, and the delay stays at the clean
//! network's plus the jitter target (for Opus with FEC, one packet time more
//! while losses go on: media_fec.rs).

mod media_support;
use media_support::{report, run, ClientCodec, Network};

fn check(codec: ClientCodec, name: &str, seed: u64) {
    let net = Network {
        loss: 0.05,
        ..Network::default()
    };
    let r = run(codec, net, 30, seed);
    report(name, &net, &r);
    assert!(r.lost > 40, "the network lost {}", r.lost);
    // Each loss is one concealed frame; nothing else is a gap.
    let p = r.stats.playout;
    assert!(
        p.lost + p.underruns <= r.lost + 2,
        "{p:?} for {} lost",
        r.lost
    );
    assert!(
        p.lost + p.underruns + 6 >= r.lost,
        "{p:?} for {} lost",
        r.lost
    );
    assert_eq!(p.late, 0);
    // The clean network's bound (media_clean.rs): one packet time, the
    // jitter target and 2 ms of measurement. Opus adds its look-ahead,
    // 6.5 ms beyond the 20 ms frame (libopus's default algorithmic delay is
    // 26.5 ms for 20 ms frames).
    // G.711 codes sample by sample (ITU-T G.711: no look-ahead, no frame),
    // so PCMU gets no such allowance.
    let codec_delay = if codec == ClientCodec::Opus { 6.5 } else { 0.0 };
    assert!(
        r.max_added(&net) <= 20.0 + r.target_ms + 2.0 + codec_delay,
        "{:?}",
        r.lag_ms
    );
    if codec == ClientCodec::Opus {
        // The playout holds the next packet back while losses go on, so
        // nearly every loss whose next packet carries FEC is recovered from it
        // (see media_fec.rs).
        let (recoverable, candidates) = (r.recoverable_losses() as u64, r.fec_candidates() as u64);
        assert!(
            (recoverable..=candidates).contains(&p.recovered),
            "FEC recovered {} of {recoverable}",
            p.recovered
        );
    }
}

#[test]
fn five_percent_loss_pcmu() {
    check(ClientCodec::Pcmu, "loss pcmu", 3);
}

#[test]
fn five_percent_loss_opus() {
    check(ClientCodec::Opus, "loss opus", 4);
}
