//! A subscriber that never answers keeps ringback; one that answers and hangs
//! up gives polarity reversal then loop current drop.

mod common;

use common::{activity, progress_events, Bench, NA_RING_CYCLE};
use drivers::LineEvent;
use dsp::progress::ProgressEvent;
use dsp::tone::Plan;

#[test]
fn no_answer_keeps_ringback_for_a_minute() {
    let mut bench = Bench::standard();
    let routed = bench.call("1901");
    bench.run(10 * NA_RING_CYCLE);
    assert_eq!(bench.status(0).state, "ringback");
    assert!(
        bench.events.is_empty(),
        "no answer, no supervision: {:?}",
        bench.events
    );
    let audio = bench.heard(routed, routed + 10 * NA_RING_CYCLE).to_vec();
    let on = activity(&audio);
    for cycle in 0..10 {
        let start = (cycle * NA_RING_CYCLE) as usize;
        assert!(
            on[start..start + 100].iter().all(|&a| a),
            "2 s of ringback, cycle {cycle}"
        );
        assert!(
            on[start + 100..start + 300].iter().all(|&a| !a),
            "4 s of silence, cycle {cycle}"
        );
    }
    assert!(progress_events(Plan::NorthAmerica, &audio).contains(&ProgressEvent::Ringback));
}

#[test]
fn answer_hangup_answers_then_drops_loop_current() {
    let mut bench = Bench::standard();
    let routed = bench.call("1902");
    bench.run(NA_RING_CYCLE + 30);
    assert_eq!(
        bench.frames_of(0, LineEvent::PolarityReversal),
        vec![routed + NA_RING_CYCLE]
    );
    assert_eq!(
        bench.frames_of(0, LineEvent::LoopCurrentDrop),
        vec![routed + NA_RING_CYCLE + 10],
        "hang-up 200 ms after answer"
    );
    assert_eq!(bench.status(0).state, "far-end-gone");
}
