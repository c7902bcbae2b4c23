//! Scripted phones calling in: ring cadence events, answer, the phone's audio,
//! giving up, busy lines, and control errors.

mod common;

use common::{level, tone_power, Bench, NA_RING_CYCLE};
use drivers::sim::{InboundOutcome, SimRequestError};
use drivers::{LineCommand, LineEvent, PortId};

#[test]
fn rings_with_the_north_american_cadence_and_answer_gives_phone_audio() {
    let mut bench = Bench::standard();
    bench.run(7);
    let start = bench.frame;
    bench.control.place_call("customer", "4155550100").unwrap();
    bench.run(550);
    assert_eq!(
        bench.frames_of(0, LineEvent::RingOn),
        vec![start, start + 300]
    );
    assert_eq!(
        bench.frames_of(0, LineEvent::RingOff),
        vec![start + 100, start + 400]
    );
    let status = bench.status(0);
    assert_eq!(status.state, "ringing");
    assert_eq!(status.party.as_deref(), Some("customer <2125550199>"));
    assert_eq!(
        status.last_inbound.unwrap().outcome,
        InboundOutcome::Ringing
    );
    assert!(
        bench.events.iter().all(|e| e.1 == PortId(0)),
        "only the called line rings"
    );

    // Answer in the silent part of the cadence.
    bench.command(0, LineCommand::OffHook);
    let answered = bench.frame;
    bench.run(100);
    assert_eq!(bench.status(0).state, "connected");
    assert_eq!(
        bench.frames_of(0, LineEvent::RingOff),
        vec![start + 100, start + 400]
    );
    let audio = bench.heard(answered, answered + 100).to_vec();
    assert!(
        (level(&audio) + 13.0).abs() < 0.5,
        "1 kHz at -13 dBm0: {}",
        level(&audio)
    );
    assert!(tone_power(&audio, 1000.0) > 1000.0 * tone_power(&audio, 440.0));

    // The phone's script hangs up 5 s after the answer.
    bench.run(200);
    assert_eq!(
        bench.frames_of(0, LineEvent::LoopCurrentDrop),
        vec![answered + 250]
    );
    assert_eq!(
        bench.status(0).last_inbound.unwrap().outcome,
        InboundOutcome::CallerHungUp
    );
    assert_eq!(bench.status(0).state, "far-end-gone");
    bench.command(0, LineCommand::OnHook);
    bench.step();
    assert_eq!(bench.status(0).state, "idle");
}

#[test]
fn answering_during_a_ring_burst_ends_the_burst() {
    let mut bench = Bench::standard();
    bench.control.place_call("customer", "4155550100").unwrap();
    bench.run(40);
    bench.command(0, LineCommand::OffHook);
    bench.step();
    assert_eq!(bench.frames_of(0, LineEvent::RingOn), vec![0]);
    assert_eq!(bench.frames_of(0, LineEvent::RingOff), vec![40]);
    assert_eq!(
        bench.status(0).last_inbound.unwrap().outcome,
        InboundOutcome::Answered
    );
}

#[test]
fn impatient_caller_gives_up_after_two_rings() {
    let mut bench = Bench::standard();
    bench.control.place_call("impatient", "4155550100").unwrap();
    bench.run(3 * NA_RING_CYCLE);
    assert_eq!(bench.frames_of(0, LineEvent::RingOn), vec![0, 300]);
    assert_eq!(bench.frames_of(0, LineEvent::RingOff), vec![100, 400]);
    assert_eq!(bench.transitions.last(), Some(&(600, "idle")));
    assert_eq!(
        bench.status(0).last_inbound.unwrap().outcome,
        InboundOutcome::GaveUp
    );
}

#[test]
fn second_line_rings_on_its_own_port() {
    let mut bench = Bench::standard();
    bench.control.place_call("customer", "4155550101").unwrap();
    bench.run(120);
    assert_eq!(bench.frames_of(1, LineEvent::RingOn), vec![0]);
    assert_eq!(bench.frames_of(1, LineEvent::RingOff), vec![100]);
    assert!(bench.frames_of(0, LineEvent::RingOn).is_empty());
    assert_eq!(bench.control.status()[1].state, "ringing");
}

#[test]
fn busy_line_reports_busy() {
    let mut bench = Bench::standard();
    bench.command(0, LineCommand::OffHook);
    bench.run(5);
    bench.control.place_call("customer", "4155550100").unwrap();
    bench.run(5);
    assert!(bench.events.is_empty());
    let status = bench.status(0);
    assert_eq!(status.state, "dialling");
    let report = status.last_inbound.unwrap();
    assert_eq!(&*report.phone, "customer");
    assert_eq!(report.outcome, InboundOutcome::LineBusy);
}

#[test]
fn a_phone_in_a_call_cannot_call_again() {
    let mut bench = Bench::standard();
    bench.control.place_call("customer", "4155550100").unwrap();
    bench.step();
    bench.control.place_call("customer", "4155550101").unwrap();
    bench.step();
    assert_eq!(
        bench.control.status()[1]
            .last_inbound
            .as_ref()
            .unwrap()
            .outcome,
        InboundOutcome::PhoneBusy
    );
}

#[test]
fn caller_can_abandon_while_ringing() {
    let mut bench = Bench::standard();
    bench.control.place_call("customer", "4155550100").unwrap();
    bench.run(50);
    bench.control.hang_up("customer").unwrap();
    bench.run(400);
    assert_eq!(bench.frames_of(0, LineEvent::RingOn), vec![0]);
    assert_eq!(bench.frames_of(0, LineEvent::RingOff), vec![50]);
    assert_eq!(bench.status(0).state, "idle");
    assert_eq!(
        bench.status(0).last_inbound.unwrap().outcome,
        InboundOutcome::CallerHungUp
    );
}

#[test]
fn unknown_phone_or_number_is_refused_at_once() {
    let bench = Bench::standard();
    assert_eq!(
        bench.control.place_call("nobody", "4155550100"),
        Err(SimRequestError::UnknownPhone("nobody".into()))
    );
    assert_eq!(
        bench.control.place_call("customer", "1800"),
        Err(SimRequestError::UnknownNumber("1800".into()))
    );
    assert_eq!(
        bench.control.hang_up("nobody"),
        Err(SimRequestError::UnknownPhone("nobody".into()))
    );
}

#[test]
fn control_reports_exchange_gone() {
    let bench = Bench::standard();
    let control = bench.control.clone();
    drop(bench);
    assert_eq!(
        control.place_call("customer", "4155550100"),
        Err(SimRequestError::ExchangeGone)
    );
}
