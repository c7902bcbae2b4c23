//! Seizing the line gives dial tone; the first digit stops it; silence gives reorder.

mod common;

use common::{activity, level, progress_events, tone_power, Bench};
use drivers::LineCommand;
use dsp::progress::ProgressEvent;
use dsp::tone::Plan;

#[test]
fn on_hook_line_is_silent() {
    let mut bench = Bench::standard();
    let audio = bench.run(50);
    assert!(audio.iter().all(|&s| s == 0));
    assert_eq!(bench.status(0).state, "idle");
    assert!(bench.events.is_empty());
}

#[test]
fn off_hook_gives_north_american_dial_tone() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OffHook);
    let audio = bench.run(150);
    assert_eq!(bench.status(0).state, "dialling");
    assert!(
        activity(&audio).iter().all(|&on| on),
        "dial tone is continuous"
    );
    // Two components at -13 dBm0 each: -10 dBm0 in all.
    let total = level(&audio);
    assert!((total + 10.0).abs() < 1.0, "dial tone at {total} dBm0");
    let (p350, p440, p1000) = (
        tone_power(&audio, 350.0),
        tone_power(&audio, 440.0),
        tone_power(&audio, 1000.0),
    );
    assert!(
        p350 > 1000.0 * p1000 && p440 > 1000.0 * p1000,
        "{p350} {p440} {p1000}"
    );
    assert!(
        progress_events(Plan::NorthAmerica, &audio).contains(&ProgressEvent::DialTone),
        "dsp::progress hears dial tone"
    );
    assert!(
        bench.events.is_empty(),
        "seizing a line signals nothing electrical"
    );
}

#[test]
fn cept_dial_tone_is_425_hz() {
    let text = common::EXCHANGE.replace("north-america", "cept");
    let mut bench = Bench::new(&text, 2);
    bench.command(0, LineCommand::OffHook);
    let audio = bench.run(100);
    assert!(tone_power(&audio, 425.0) > 1000.0 * tone_power(&audio, 350.0));
    assert!(progress_events(Plan::Cept, &audio).contains(&ProgressEvent::DialTone));
}

#[test]
fn first_digit_stops_dial_tone() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OffHook);
    bench.run(20);
    bench.dial("5");
    let after = bench.run(50);
    assert!(level(&after) < -100.0, "silence after the first digit");
    assert_eq!(bench.status(0).dialled.as_str(), "5");
}

#[test]
fn nothing_dialled_for_ten_seconds_gives_reorder() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OffHook);
    bench.run(520);
    assert_eq!(
        bench.transitions,
        vec![(0, "idle"), (0, "dialling"), (500, "reorder")]
    );
    let audio = bench.run(200).to_vec();
    assert!(progress_events(Plan::NorthAmerica, &audio).contains(&ProgressEvent::Reorder));
}

#[test]
fn on_hook_returns_to_idle_and_next_seizure_gets_dial_tone_again() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OffHook);
    bench.run(20);
    bench.dial("55");
    bench.command(0, LineCommand::OnHook);
    bench.step();
    assert_eq!(bench.status(0).state, "idle");
    bench.command(0, LineCommand::OffHook);
    let audio = bench.run(50);
    assert!((level(&audio) + 10.0).abs() < 1.0);
}
