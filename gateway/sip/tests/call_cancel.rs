//! CANCEL: before the answer, before any provisional, and racing the 200 OK.

mod common;

use common::{Pair, Side, ANSWER};
use sip::{CallState, Event};

#[test]
fn cancel_before_answer() {
    let mut p = Pair::new();
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uas.send_provisional(p.now, uas_call, 180, None).unwrap();
    p.deliver();
    p.uac.hangup(p.now, uac_call).unwrap();
    assert_eq!(
        p.uac.call_info(uac_call).unwrap().state,
        CallState::Cancelling
    );
    p.deliver();
    assert_eq!(p.count_on_wire(Side::Uac, "CANCEL "), 1);
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 487"), 1);
    assert!(p.uas_events.contains(&Event::Cancelled { call: uas_call }));
    assert!(p.uac_events.contains(&Event::Ended {
        call: uac_call,
        by_remote: false
    }));
    // The transaction layer ACKed the 487.
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 1);
    assert!(p.uas.call_info(uas_call).is_none());
    assert!(matches!(
        p.uas.accept(p.now, uas_call, ANSWER),
        Err(sip::CallError::UnknownCall(_))
    ));
    p.run_for(std::time::Duration::from_secs(60));
    assert_eq!(p.uac.transaction_count() + p.uas.transaction_count(), 0);
}

#[test]
fn hangup_before_any_provisional_waits_for_one() {
    let mut p = Pair::new();
    // Lose the 100 Trying so the UAC has seen no provisional response.
    p.drop = Box::new(|side, t| side == Side::Uas && t.payload.starts_with(b"SIP/2.0 100"));
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uac.hangup(p.now, uac_call).unwrap();
    p.deliver();
    assert_eq!(
        p.count_on_wire(Side::Uac, "CANCEL "),
        0,
        "RFC 3261 §9.1: no CANCEL before a 1xx"
    );
    p.uas.send_provisional(p.now, uas_call, 180, None).unwrap();
    p.deliver();
    assert_eq!(p.count_on_wire(Side::Uac, "CANCEL "), 1);
    assert!(p.uac_events.contains(&Event::Ended {
        call: uac_call,
        by_remote: false
    }));
    assert!(!p
        .uac_events
        .iter()
        .any(|e| matches!(e, Event::Progress { .. })));
}

#[test]
fn cancel_racing_200_ok_gets_ack_and_bye() {
    let mut p = Pair::new();
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uas.send_provisional(p.now, uas_call, 180, None).unwrap();
    p.deliver();
    // Both act at the same instant: the UAS answers while the CANCEL is in flight.
    p.uas.accept(p.now, uas_call, ANSWER).unwrap();
    p.uac.hangup(p.now, uac_call).unwrap();
    p.deliver();
    // The CANCEL found the INVITE answered: 200 to CANCEL, no 487.
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 487"), 0);
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 1);
    assert_eq!(p.count_on_wire(Side::Uac, "BYE "), 1);
    assert!(!p
        .uac_events
        .iter()
        .any(|e| matches!(e, Event::Answered { .. })));
    assert!(p.uac_events.contains(&Event::Ended {
        call: uac_call,
        by_remote: false
    }));
    assert!(p.uas_events.contains(&Event::Confirmed { call: uas_call }));
    assert!(p.uas_events.contains(&Event::Ended {
        call: uas_call,
        by_remote: true
    }));
    assert!(!p
        .uas_events
        .iter()
        .any(|e| matches!(e, Event::Cancelled { .. })));
}

#[test]
fn uas_hangup_before_answer_rejects_with_480() {
    let mut p = Pair::new();
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uas.hangup(p.now, uas_call).unwrap();
    p.deliver();
    assert!(p.uas_events.contains(&Event::Ended {
        call: uas_call,
        by_remote: false
    }));
    assert!(p.uac_events.iter().any(|e| matches!(e,
        Event::Failed { call, status: 480, .. } if *call == uac_call)));
}

#[test]
fn uas_reject_busy() {
    let mut p = Pair::new();
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uas.reject(p.now, uas_call, 486, "Busy Here").unwrap();
    p.deliver();
    assert!(p.uac_events.contains(&Event::Failed {
        call: uac_call,
        status: 486,
        reason: "Busy Here".into()
    }));
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 1);
}
