//! What the IP client is told when the line cannot give it a call, and how the
//! gateway cleans up when either side gives up — all on the virtual clock.

mod support;

use std::time::Duration;

use sip::Event;
use support::Bench;

fn failure(b: &mut Bench, limit: Duration) -> Option<u16> {
    b.run_until(limit, |e| match e {
        Event::Failed { status, .. } => Some(*status),
        _ => None,
    })
}

#[test]
fn busy_line_gives_486() {
    let mut b = Bench::new("");
    b.call("5550100", &[]);
    assert_eq!(failure(&mut b, Duration::from_secs(15)), Some(486));
    b.run(Duration::from_millis(100));
    assert_eq!(b.port_state(0), "idle");
}

#[test]
fn unknown_number_gives_404_after_reorder() {
    let mut b = Bench::new("");
    b.call("999", &[]);
    assert_eq!(failure(&mut b, Duration::from_secs(20)), Some(404));
    assert_eq!(b.port_state(0), "idle");
}

#[test]
fn no_answer_gives_480_after_the_timeout() {
    let mut b = Bench::new("");
    let start = b.now;
    b.call("5550101", &[]);
    assert_eq!(failure(&mut b, Duration::from_secs(40)), Some(480));
    let took = b.now - start;
    assert!(
        took >= Duration::from_secs(20) && took < Duration::from_secs(23),
        "{took:?}"
    );
}

#[test]
fn undialable_user_gives_404_and_no_port_is_used() {
    let mut b = Bench::new("");
    b.call("alice", &[]);
    assert_eq!(failure(&mut b, Duration::from_secs(1)), Some(404));
    assert_eq!(b.port_state(0), "idle");
}

#[test]
fn all_lines_busy_gives_503() {
    let mut b = Bench::new("");
    b.call("5550103", &[]);
    b.call("5550103", &[]);
    b.run(Duration::from_secs(1));
    assert_ne!(b.port_state(0), "idle");
    assert_ne!(b.port_state(1), "idle");
    b.call("5550103", &[]);
    assert_eq!(failure(&mut b, Duration::from_secs(1)), Some(503));
}

#[test]
fn cancel_while_ringing_releases_the_line() {
    let mut b = Bench::new("");
    let call = b.call("5550101", &[]);
    b.run_until(Duration::from_secs(10), |e| {
        matches!(e, Event::Progress { status: 180, .. }).then_some(())
    })
    .expect("ringing");
    b.client.hangup(b.now, call).expect("CANCEL");
    b.run(Duration::from_secs(1));
    assert_eq!(b.port_state(0), "idle");
    assert!(b.gateway.calls_view(b.now).is_empty());
    // The client's core reports its own CANCEL as the call ending by us.
    let ended = b.run_until(Duration::from_secs(1), |e| match e {
        Event::Ended { call: c, by_remote } if *c == call => Some(*by_remote),
        _ => None,
    });
    assert_eq!(ended, Some(false), "{:?}", b.client_events);
}

#[test]
fn client_bye_hangs_up_the_line() {
    let mut b = Bench::new("");
    let call = b.call("5550103", &[]);
    b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    })
    .expect("answered");
    b.run(Duration::from_secs(2));
    assert_eq!(b.port_state(0), "connected");
    b.client.hangup(b.now, call).expect("BYE");
    b.run(Duration::from_millis(200));
    assert_eq!(b.port_state(0), "idle");
    let ended = b.run_until(Duration::from_secs(1), |e| match e {
        Event::Ended { by_remote, .. } => Some(*by_remote),
        _ => None,
    });
    assert_eq!(ended, Some(false));
}

#[test]
fn far_end_answering_and_hanging_up_at_once_ends_the_call() {
    let mut b = Bench::new("");
    b.call("5550102", &[]);
    let ended = b.run_until(Duration::from_secs(15), |e| match e {
        Event::Ended { by_remote, .. } => Some(*by_remote),
        Event::Failed { status, .. } => panic!("failed with {status}"),
        _ => None,
    });
    assert_eq!(ended, Some(true));
    assert_eq!(b.port_state(0), "idle");
}
