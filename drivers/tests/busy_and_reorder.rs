//! Busy subscribers give busy tone; unknown and `reorder` numbers give reorder.

mod common;

use common::{activity, progress_events, Bench};
use drivers::LineCommand;
use dsp::progress::ProgressEvent;
use dsp::tone::Plan;

/// Lengths of the on and off runs in `flags`, skipping the first (partial) run.
fn runs(flags: &[bool]) -> Vec<(bool, usize)> {
    let mut out: Vec<(bool, usize)> = Vec::new();
    for &f in flags {
        match out.last_mut() {
            Some((v, n)) if *v == f => *n += 1,
            _ => out.push((f, 1)),
        }
    }
    out.into_iter().skip(1).collect()
}

#[test]
fn busy_number_gives_busy_cadence() {
    let mut bench = Bench::standard();
    let routed = bench.call("1900");
    assert_eq!(bench.status(0).state, "busy-tone");
    assert_eq!(bench.status(0).party.as_deref(), Some("Busy office <1900>"));
    bench.run(300);
    let audio = bench.heard(routed, routed + 300).to_vec();
    let runs = runs(&activity(&audio));
    let last_full = &runs[..runs.len() - 1];
    assert!(last_full.len() >= 8);
    assert!(
        last_full.iter().all(|&(_, n)| n == 25),
        "0.5 s on / 0.5 s off: {runs:?}"
    );
    assert!(progress_events(Plan::NorthAmerica, &audio).contains(&ProgressEvent::Busy));
    assert!(bench.events.is_empty());
}

#[test]
fn unknown_number_gives_reorder_after_interdigit_timeout() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OffHook);
    bench.run(10);
    bench.dial("555");
    let last_key = bench.frame;
    let routed = bench
        .run_until(400, |b| b.status(0).state != "dialling")
        .expect("routed");
    // 3000 ms after the end of the last digit (the keypad's 60 ms gap already ran).
    let wait = routed - last_key;
    assert!(
        (144..=150).contains(&wait),
        "routed {wait} frames after keying"
    );
    assert_eq!(bench.status(0).state, "reorder");
    let audio = bench.run(200).to_vec();
    let runs = runs(&activity(&audio));
    assert!(
        runs[..runs.len() - 1]
            .iter()
            .all(|&(_, n)| n == 12 || n == 13),
        "{runs:?}"
    );
    assert!(progress_events(Plan::NorthAmerica, &audio).contains(&ProgressEvent::Reorder));
}

#[test]
fn reorder_subscriber_routes_at_once() {
    let mut bench = Bench::standard();
    let routed = bench.call("1903");
    assert!(
        routed < 30,
        "exact match routes without the interdigit wait"
    );
    assert_eq!(bench.status(0).state, "reorder");
    let audio = bench.run(150).to_vec();
    assert!(progress_events(Plan::NorthAmerica, &audio).contains(&ProgressEvent::Reorder));
}
