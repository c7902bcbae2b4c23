//! DTMF receiver conformance, test 5 (guard time); see
//! `conformance/guard_time.rs`.

mod conformance;

use conformance::{guard_time, Channel};
use dsp::dtmf::Detector;

#[test]
fn nothing_under_20_ms_everything_from_40_ms() {
    for ch in Channel::ALL {
        let g = guard_time::run::<Detector>(ch);
        println!(
            "guard time [{}]: shortest detected {:?} ms, all detected from {:?} ms, detected per length {:?}",
            ch.name(),
            g.shortest_detected_ms(),
            g.all_detected_from_ms(),
            g.detected
        );
        assert_eq!(g.wrong_or_repeated, 0, "{}", ch.name());
        for length in guard_time::SHORTEST_MS..20 {
            assert_eq!(g.at(length), 0, "{}: {length} ms detected", ch.name());
        }
        for length in 40..=guard_time::LONGEST_MS {
            assert_eq!(g.at(length), 16, "{}: {length} ms missed", ch.name());
        }
    }
}
