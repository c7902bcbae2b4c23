//! `ring PORT` in the core: an idle FXS port rings its phone until the phone is
//! lifted or 30 s pass, then reports "answered after N ms" or "no answer".
//!
//! Bench: `line_support::LineBench`, a `board.kind = "hardware"` configuration
//! whose FXS port is the drivers' real GPIO signalling
//! (`drivers::slic::GpioSignalling`: ring relay on its configured cadence,
//! debounced hook detect, ring trip) over `board::gpio`'s simulated lines; only
//! the phone's hook switch is scripted. The simulated exchange cannot serve
//! here: its ports are all FXO and it refuses `StartRinging`.

mod line_support;

use std::time::Instant;

use board::gpio::OutputHistory;
use drivers::{LineCommand, PortId};
use gateway::line::{PortTestError, RingTestResult, TestOutcome, TestReport};
use line_support::{ms, Exchange, LineBench};
use sip::Event;

fn ring_result(report: TestReport) -> RingTestResult {
    assert_eq!(report.port, PortId(1));
    match report.outcome {
        TestOutcome::Ring(r) => r,
        other => panic!("expected a ring result, got {other:?}"),
    }
}

/// The relay's edges as (ms since `t0`, level).
fn edges(relay: &OutputHistory, t0: Instant) -> Vec<(u64, bool)> {
    relay
        .driven()
        .iter()
        .map(|(at, on)| ((*at - t0).as_millis() as u64, *on))
        .collect()
}

#[test]
fn ring_answered_reports_the_delay() {
    let mut b = LineBench::new(Exchange::Dead);
    let t0 = b.now();
    assert_eq!(b.gateway.ring(t0, PortId(1)), Ok(ms(30_000)));
    b.pump();
    assert_eq!(b.port_state(1), "ringing");
    assert!(b.phone.ring_relay.current(), "ringing voltage at once");
    // Lifted during the second burst, with contact bounce.
    b.phone.hook.set_at(t0 + ms(6500), true);
    b.phone.hook.set_at(t0 + ms(6505), false);
    b.phone.hook.set_at(t0 + ms(6510), true);
    let (at, report) = b.run_until_report(ms(10_000)).expect("result");
    let after = at - t0;
    assert_eq!(ring_result(report), RingTestResult::Answered { after });
    // 30 ms hook debounce, sampled every 20 ms frame.
    assert!((ms(6540)..=ms(6580)).contains(&after), "{after:?}");
    assert_eq!(
        report.to_string(),
        format!("port 1: ring: answered after {} ms", after.as_millis())
    );
    // The relay followed the 2 s / 4 s cadence and tripped at the answer.
    let trip = after.as_millis() as u64;
    assert_eq!(
        edges(&b.phone.ring_relay, t0),
        [(0, true), (2000, false), (6000, true), (trip, false)]
    );
    assert_eq!(
        b.commands_to(1, t0),
        [
            (ms(0), LineCommand::StartRinging),
            (after, LineCommand::StopRinging)
        ]
    );
    assert_eq!(b.port_state(1), "off hook");
    // Put back: idle, and the result stays for `show ports`.
    b.phone.hook.set_at(b.now() + ms(100), false);
    b.run(ms(200));
    assert_eq!(b.port_state(1), "idle");
    let view = &b.gateway.ports_view()[1];
    assert_eq!(view.kind, "fxs");
    assert_eq!(
        view.last_test.as_deref(),
        Some(format!("ring: answered after {trip} ms").as_str())
    );
    assert_eq!(b.reports.len(), 1, "reported once");
}

#[test]
fn ring_not_answered_stops_after_30_seconds() {
    let mut b = LineBench::new(Exchange::Dead);
    let t0 = b.now();
    b.gateway.ring(t0, PortId(1)).unwrap();
    b.pump();
    b.run(ms(29_900));
    assert_eq!(b.port_state(1), "ringing");
    let (at, report) = b.run_until_report(ms(1000)).expect("result");
    assert_eq!(at - t0, ms(30_000));
    assert_eq!(
        ring_result(report),
        RingTestResult::NoAnswer { waited: ms(30_000) }
    );
    assert_eq!(
        report.to_string(),
        "port 1: ring: no answer within 30000 ms"
    );
    assert_eq!(
        b.commands_to(1, t0),
        [
            (ms(0), LineCommand::StartRinging),
            (ms(30_000), LineCommand::StopRinging)
        ]
    );
    // Five whole bursts on the cadence, then the relay stays off.
    let bursts: Vec<(u64, bool)> = edges(&b.phone.ring_relay, t0)
        .into_iter()
        .filter(|(at, _)| *at < 30_000)
        .collect();
    assert_eq!(
        bursts,
        [
            (0, true),
            (2000, false),
            (6000, true),
            (8000, false),
            (12_000, true),
            (14_000, false),
            (18_000, true),
            (20_000, false),
            (24_000, true),
            (26_000, false)
        ]
    );
    b.run(ms(10_000));
    assert!(!b.phone.ring_relay.current());
    assert_eq!(b.port_state(1), "idle");
}

#[test]
fn ring_and_test_line_refuse_the_wrong_kind_and_a_busy_port() {
    let mut b = LineBench::new(Exchange::Dead);
    let t0 = b.now();
    let fxo = b.gateway.ring(t0, PortId(0)).unwrap_err();
    assert_eq!(fxo, PortTestError::NotFxs(PortId(0)));
    assert_eq!(fxo.to_string(), "port 0 is FXO: ring needs an FXS port");
    assert_eq!(
        b.gateway.test_line(t0, PortId(1)),
        Err(PortTestError::NotFxo(PortId(1)))
    );
    assert_eq!(
        b.gateway.ring(t0, PortId(2)),
        Err(PortTestError::NoSuchPort(PortId(2)))
    );
    // The phone is off hook: nothing to ring.
    b.phone.hook.set_at(t0 + ms(20), true);
    b.run(ms(100));
    assert_eq!(b.port_state(1), "off hook");
    let busy = b.gateway.ring(b.now(), PortId(1)).unwrap_err();
    assert_eq!(
        busy,
        PortTestError::Busy {
            port: PortId(1),
            state: "off hook"
        }
    );
    assert_eq!(
        busy.to_string(),
        "port 1 is busy (off hook): try again when it is idle"
    );
    // Put down: it rings, and a second ring is refused while it does.
    b.phone.hook.set_at(b.now() + ms(20), false);
    b.run(ms(100));
    b.gateway.ring(b.now(), PortId(1)).unwrap();
    assert!(matches!(
        b.gateway.ring(b.now(), PortId(1)),
        Err(PortTestError::Busy {
            state: "ringing",
            ..
        })
    ));
    b.pump();
    assert_eq!(
        b.commands_to(1, t0)
            .iter()
            .map(|(_, c)| *c)
            .collect::<Vec<_>>(),
        [LineCommand::StartRinging],
        "nothing but the one accepted ring reached the card"
    );
    assert!(
        b.commands_to(0, t0).is_empty(),
        "the FXO port was not touched"
    );
}

#[test]
fn an_fxs_port_is_never_picked_for_an_outbound_call() {
    let mut b = LineBench::new(Exchange::Dead);
    let t0 = b.now();
    // The only FXO port is under test; the idle FXS port must not be used.
    b.gateway.test_line(t0, PortId(0)).unwrap();
    b.pump();
    b.call("5550100");
    let status = (0..50).find_map(|_| {
        b.frame();
        b.client_events.iter().find_map(|e| match e {
            Event::Failed { status, .. } => Some(*status),
            _ => None,
        })
    });
    assert_eq!(status, Some(503));
    assert!(b.commands_to(1, t0).is_empty());
    assert_eq!(b.port_state(1), "idle");
}
