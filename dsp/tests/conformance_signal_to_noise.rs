//! DTMF receiver conformance, test 6 (signal to noise); see
//! `conformance/signal_to_noise.rs`.
//!
//! About 1000 bursts (100 s of audio) per S/N level tried, three channels:
//! a few seconds in a debug build.

mod conformance;

use conformance::{signal_to_noise, Channel};
use dsp::dtmf::Detector;

#[test]
fn lowest_passing_snr_at_most_26_db_without_wrong_digits() {
    for ch in Channel::ALL {
        let r = signal_to_noise::run::<Detector>(ch);
        for (snr, s) in &r.levels {
            println!(
                "S/N [{}] {snr} dB: {}/{} exact, {} missed, {} wrong, {} repeated",
                ch.name(),
                s.exact,
                s.slots,
                s.missed,
                s.wrong,
                s.repeated
            );
        }
        println!(
            "S/N [{}]: lowest passing {:?} dB",
            ch.name(),
            r.lowest_passing_db
        );
        let lowest = r.lowest_passing_db.expect("no S/N level passed");
        assert!(lowest <= 26, "{}: {lowest} dB", ch.name());
        assert_eq!(r.wrong(), 0, "{}: wrong digits", ch.name());
    }
}
