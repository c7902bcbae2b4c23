//! Dialling the call centre: ringback for two ring cycles, answer by polarity
//! reversal, a voice, scripted DTMF at the scripted times, hang-up by loop
//! current drop.

mod common;

use common::{dtmf_digits, level, progress_events, tone_power, Bench, NA_RING_CYCLE};
use drivers::{LineCommand, LineEvent};
use dsp::progress::ProgressEvent;
use dsp::tone::Plan;

#[test]
fn call_centre_answers_talks_keys_digits_and_hangs_up() {
    let mut bench = Bench::standard();
    let routed = bench.call("1800");
    assert_eq!(bench.status(0).state, "ringback");
    assert_eq!(bench.status(0).dialled.as_str(), "1800");
    assert_eq!(bench.status(0).party.as_deref(), Some("Call centre <1800>"));

    // Ringback until the answer, exactly two NA ring cycles (12 s) after routing.
    let answered = bench
        .run_until(2 * NA_RING_CYCLE + 10, |b| {
            !b.frames_of(0, LineEvent::PolarityReversal).is_empty()
        })
        .expect("answered");
    assert_eq!(answered, routed + 2 * NA_RING_CYCLE);
    let ringback = bench.heard(routed + 5, answered).to_vec();
    assert!(tone_power(&ringback, 440.0) > 100.0 * tone_power(&ringback, 350.0));
    assert!(tone_power(&ringback, 480.0) > 100.0 * tone_power(&ringback, 620.0));
    assert!(progress_events(Plan::NorthAmerica, &ringback).contains(&ProgressEvent::Ringback));
    assert_eq!(bench.status(0).state, "connected");

    // 12 s of conversation, then the script hangs up.
    bench.run(2 * NA_RING_CYCLE + 10);
    let drops = bench.frames_of(0, LineEvent::LoopCurrentDrop);
    assert_eq!(
        drops,
        vec![answered + 600],
        "hang-up at 12 000 ms after answer"
    );

    let call = bench.heard(answered, answered + 600).to_vec();
    let voice = &call[..150 * 160];
    assert!(
        level(voice) > -35.0,
        "the call centre's voice is audible: {} dBm0",
        level(voice)
    );

    let digits = dtmf_digits(&call);
    let keys: String = digits.iter().map(|(_, c)| *c).collect();
    assert_eq!(keys, "*7612", "{digits:?}");
    let star = digits[0].0;
    assert!(
        (150..=153).contains(&star),
        "'*' starts {star} frames after answer"
    );
    let one = digits[3].0;
    assert!(
        (300..=303).contains(&one),
        "'1' starts {one} frames after answer"
    );

    let after = bench.heard(answered + 601, answered + 610);
    assert!(level(after) < -100.0, "silence after the far end hung up");
    assert_eq!(bench.status(0).state, "far-end-gone");

    bench.command(0, LineCommand::OnHook);
    bench.step();
    assert_eq!(bench.status(0).state, "idle");
    let events: Vec<LineEvent> = bench.events.iter().map(|e| e.2).collect();
    assert_eq!(
        events,
        vec![LineEvent::PolarityReversal, LineEvent::LoopCurrentDrop]
    );
}

#[test]
fn status_shows_the_call_while_it_lasts() {
    let mut bench = Bench::standard();
    let routed = bench.call("1800");
    let answered = routed + 2 * NA_RING_CYCLE;
    bench.run(answered + 50 - bench.frame + 1);
    let status = bench.status(0);
    assert_eq!(status.state, "connected");
    assert_eq!(status.number.as_deref(), Some("4155550100"));
    assert_eq!(
        status.call_duration,
        Some(std::time::Duration::from_millis(50 * 20))
    );
    // On hook mid-call: back to idle, no loop current drop (the gateway released).
    bench.command(0, LineCommand::OnHook);
    bench.step();
    assert_eq!(bench.status(0).state, "idle");
    assert!(bench.frames_of(0, LineEvent::LoopCurrentDrop).is_empty());
}
