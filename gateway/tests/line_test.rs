//! `test line PORT` in the core: an idle FXO port goes off hook, listens for
//! dial tone with the call-progress detector up to `[line] dial_tone_wait_ms`,
//! goes back on hook and reports what it heard, and when.
//!
//! Two benches, both on virtual clocks:
//! - `support::Bench`: the simulated exchange of the demo board, which gives dial
//!   tone as soon as a port seizes its line (what `test line` meets out of the
//!   box), with a SIP client for the calls that must not take a port under test;
//! - `line_support::LineBench`: a hardware-style card whose FXO port is the
//!   drivers' GPIO signalling (`drivers::slic::GpioSignalling`) over simulated
//!   GPIO lines, with a scripted exchange behind it for what the simulator cannot
//!   model: late dial tone, a dead line, reorder, a released loop, ringing that
//!   arrives during the test.

mod line_support;
mod support;

use std::time::Duration;

use drivers::{LineCommand, PortId};
use dsp::progress::ProgressEvent;
use dsp::tone::ToneKind;
use gateway::line::{LineTestResult, PortTestError, TestOutcome, TestReport};
use line_support::{ms, Exchange, LineBench};
use sip::Event;
use support::Bench;

/// Run the simulator bench until the core reports a test, at most `limit`.
fn sim_report(b: &mut Bench, limit: Duration) -> Option<TestReport> {
    let end = b.now + limit;
    while b.now < end {
        b.run(ms(20));
        if let Some(r) = b.gateway.poll_test_report() {
            return Some(r);
        }
    }
    None
}

fn line_result(report: TestReport) -> LineTestResult {
    match report.outcome {
        TestOutcome::Line(r) => r,
        other => panic!("expected a line test result, got {other:?}"),
    }
}

#[test]
fn dial_tone_on_the_simulated_exchange() {
    let mut b = Bench::new("");
    let t0 = b.now;
    assert_eq!(b.gateway.test_line(t0, PortId(0)), Ok(ms(3000)));
    b.pump();
    assert_eq!(b.port_state(0), "testing");
    b.run(ms(40));
    assert_eq!(
        b.sim.status()[0].state,
        "dialling",
        "the exchange sees the line seized"
    );
    let report = sim_report(&mut b, ms(3000)).expect("a result within the wait");
    assert_eq!(report.port, PortId(0));
    let LineTestResult::DialTone { after } = line_result(report) else {
        panic!("no dial tone: {report}");
    };
    // The exchange gives tone from the first frame after the seizure; the
    // detector confirms it after about 300 ms of steady tone (±20 ms blocks).
    assert!(
        (ms(260)..=ms(340)).contains(&after),
        "dial tone after {after:?}"
    );
    b.run(ms(40));
    assert_eq!(b.port_state(0), "idle");
    assert_eq!(b.sim.status()[0].state, "idle", "back on hook");
    let view = &b.gateway.ports_view()[0];
    assert_eq!(
        view.last_test.as_deref(),
        Some(format!("line test: dial tone after {} ms", after.as_millis()).as_str())
    );
    assert!(b.gateway.poll_test_report().is_none(), "reported once");
}

#[test]
fn a_busy_port_is_refused_and_a_port_under_test_takes_no_call() {
    let mut b = Bench::new("");
    let t0 = b.now;
    b.gateway.test_line(t0, PortId(0)).unwrap();
    assert_eq!(
        b.gateway.test_line(t0, PortId(0)),
        Err(PortTestError::Busy {
            port: PortId(0),
            state: "testing"
        })
    );
    assert_eq!(
        b.gateway.test_line(t0, PortId(2)),
        Err(PortTestError::NoSuchPort(PortId(2)))
    );
    b.pump();
    // A call during the test goes out on the other port...
    b.call("5550103", &[]);
    b.run(ms(100));
    assert_eq!(b.port_state(0), "testing");
    assert_ne!(b.port_state(1), "idle");
    let err = b.gateway.test_line(b.now, PortId(1)).unwrap_err();
    assert!(
        matches!(
            err,
            PortTestError::Busy {
                port: PortId(1),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("port 1 is busy ("), "{err}");
    // ...and with that one busy too, the next call finds no line.
    b.call("5550103", &[]);
    let status = b.run_until(ms(1000), |e| match e {
        Event::Failed { status, .. } => Some(*status),
        _ => None,
    });
    assert_eq!(status, Some(503));
    assert_eq!(b.port_state(0), "testing");
    // The test itself is not disturbed.
    let report = sim_report(&mut b, ms(3000)).expect("result");
    assert!(matches!(
        line_result(report),
        LineTestResult::DialTone { .. }
    ));
    assert_eq!(b.port_state(0), "idle");
}

#[test]
fn late_dial_tone_is_measured_from_the_seizure() {
    let mut b = LineBench::new(Exchange::Working {
        tone: ToneKind::Dial,
        after: ms(1000),
    });
    let t0 = b.now();
    b.gateway.test_line(t0, PortId(0)).unwrap();
    b.pump();
    assert!(b.fxo.hook_relay.current(), "off hook at once");
    let (at, report) = b.run_until_report(ms(3000)).expect("result");
    let LineTestResult::DialTone { after } = line_result(report) else {
        panic!("{report}");
    };
    assert_eq!(after, at - t0);
    // 1 s to the tone, about 300 ms for the detector to confirm it.
    assert!((ms(1260)..=ms(1340)).contains(&after), "{after:?}");
    assert_eq!(
        b.commands_to(0, t0),
        [(ms(0), LineCommand::OffHook), (after, LineCommand::OnHook)]
    );
    assert!(!b.fxo.hook_relay.current(), "the relay let go");
    assert_eq!(b.port_state(0), "idle");
}

#[test]
fn a_dead_line_gives_no_dial_tone_after_the_whole_wait() {
    let mut b = LineBench::new(Exchange::Dead);
    let t0 = b.now();
    b.gateway.test_line(t0, PortId(0)).unwrap();
    b.pump();
    b.run(ms(2900));
    assert_eq!(b.port_state(0), "testing");
    assert!(b.reports.is_empty());
    let (_, report) = b.run_until_report(ms(200)).expect("result");
    assert_eq!(
        line_result(report),
        LineTestResult::NoDialTone {
            waited: ms(3000),
            heard: None
        }
    );
    assert_eq!(
        report.to_string(),
        "port 0: line test: no dial tone within 3000 ms"
    );
    assert_eq!(
        b.commands_to(0, t0),
        [
            (ms(0), LineCommand::OffHook),
            (ms(3000), LineCommand::OnHook)
        ]
    );
}

#[test]
fn reorder_instead_of_dial_tone_ends_the_test_early() {
    let mut b = LineBench::new(Exchange::Working {
        tone: ToneKind::Reorder,
        after: ms(0),
    });
    let t0 = b.now();
    b.gateway.test_line(t0, PortId(0)).unwrap();
    b.pump();
    let (at, report) = b.run_until_report(ms(3000)).expect("result");
    assert_eq!(
        line_result(report),
        LineTestResult::NoDialTone {
            waited: at - t0,
            heard: Some(ProgressEvent::Reorder)
        }
    );
    // Two 250/250 ms cycles qualify reorder, well inside the wait.
    assert!(at - t0 < ms(1500), "{:?}", at - t0);
}

#[test]
fn a_loop_current_drop_means_no_line() {
    // Dial tone would come too late to matter.
    let mut b = LineBench::new(Exchange::Working {
        tone: ToneKind::Dial,
        after: ms(10_000),
    });
    let t0 = b.now();
    b.fxo.release_at(t0 + ms(500));
    b.gateway.test_line(t0, PortId(0)).unwrap();
    b.pump();
    let (at, report) = b.run_until_report(ms(3000)).expect("result");
    // Current flowed from the seizure, stopped at 500 ms; the DAA reports a
    // drop of 150 ms (`loop_drop_ms`).
    assert_eq!(
        line_result(report),
        LineTestResult::NoLine { after: at - t0 }
    );
    assert!((ms(650)..=ms(700)).contains(&(at - t0)), "{:?}", at - t0);
    assert_eq!(b.port_state(0), "idle");
    assert!(!b.fxo.hook_relay.current());
}

/// Decision: ringing that reaches a port under test (the exchange rang just as
/// the port seized) stops the test at once, on hook, and the port takes the
/// ringing as an inbound call: the IP client is called (here at the second
/// burst, no caller ID having come).
#[test]
fn ringing_during_a_test_stops_it_and_the_call_goes_through() {
    let mut b = LineBench::new(Exchange::Working {
        tone: ToneKind::Dial,
        after: ms(2000),
    });
    let t0 = b.now();
    b.gateway.test_line(t0, PortId(0)).unwrap();
    b.pump();
    // A 2 s ring burst from 200 ms, the next one 4 s after it ends.
    b.fxo.ring.set_at(t0 + ms(200), true);
    b.fxo.ring.set_at(t0 + ms(2200), false);
    b.fxo.ring.set_at(t0 + ms(6200), true);
    b.fxo.ring.set_at(t0 + ms(8200), false);
    let (at, report) = b.run_until_report(ms(3000)).expect("result");
    assert_eq!(
        line_result(report),
        LineTestResult::Interrupted { after: at - t0 }
    );
    // The ring detector's 50 ms debounce.
    assert!((ms(240)..=ms(280)).contains(&(at - t0)), "{:?}", at - t0);
    assert_eq!(
        b.commands_to(0, t0),
        [
            (ms(0), LineCommand::OffHook),
            (at - t0, LineCommand::OnHook)
        ]
    );
    assert_eq!(b.port_state(0), "ringing");
    // The second burst announces the call: the IP client is called.
    let invite = (0..400).find_map(|_| {
        b.frame();
        b.client_events.iter().find_map(|e| match e {
            Event::IncomingCall { request, .. } => Some(request.uri.to_string()),
            _ => None,
        })
    });
    assert_eq!(invite.as_deref(), Some("sip:agent@127.0.0.1:5070"));
    assert!(b.now() - t0 >= ms(6200), "at the second burst");
}
