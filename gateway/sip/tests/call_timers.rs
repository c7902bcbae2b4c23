//! Timers on a virtual clock: Timer A/B against a silent peer, 2xx
//! retransmission until the ACK, and the 64*T1 give-up when it never comes.

mod common;

use std::time::Duration;

use common::{Pair, Side, ANSWER};
use sip::Event;

#[test]
fn timer_b_when_far_side_is_silent() {
    let mut p = Pair::new();
    p.drop = Box::new(|side, _| side == Side::Uac);
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    p.run_for(Duration::from_secs(40));
    let failed_at = p
        .uac_events
        .iter()
        .position(|e| matches!(e, Event::Failed { call, status: 408, .. } if *call == uac_call));
    assert!(failed_at.is_some(), "{:?}", p.uac_events);
    // Timer A: sent at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s: 7 INVITEs before B at 32 s.
    assert_eq!(p.count_on_wire(Side::Uac, "INVITE "), 7);
    assert!(p.uac.call_info(uac_call).is_none());
    assert_eq!(p.uac.transaction_count(), 0);
}

#[test]
fn timer_b_fires_at_exactly_64_t1() {
    let mut p = Pair::new();
    p.drop = Box::new(|_, _| true);
    p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let start = p.now;
    while p.uac_events.is_empty() {
        assert!(p.step(start + Duration::from_secs(60)));
    }
    assert_eq!(p.now - start, Duration::from_secs(32));
}

#[test]
fn two_hundred_retransmitted_until_ack() {
    let mut p = Pair::new();
    // Lose the first two ACKs.
    let mut lost = 0;
    p.drop = Box::new(move |side, t| {
        if side == Side::Uac && t.payload.starts_with(b"ACK") && lost < 2 {
            lost += 1;
            return true;
        }
        false
    });
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uas.accept(p.now, uas_call, ANSWER).unwrap();
    p.deliver();
    assert!(p.uac_events.contains(&Event::Answered {
        call: uac_call,
        sdp: Some(ANSWER.to_vec())
    }));
    assert!(!p.uas_events.contains(&Event::Confirmed { call: uas_call }));
    p.run_for(Duration::from_secs(10));
    // 200 at 0, 0.5 and 1.5 s; each retransmission re-ACKed; the third ACK lands.
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 200"), 3);
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 3);
    assert!(p.uas_events.contains(&Event::Confirmed { call: uas_call }));
    assert_eq!(
        p.uac_events
            .iter()
            .filter(|e| matches!(e, Event::Answered { .. }))
            .count(),
        1
    );
}

#[test]
fn ack_never_arrives_ends_the_call_with_bye() {
    let mut p = Pair::new();
    p.drop = Box::new(|side, t| side == Side::Uac && t.payload.starts_with(b"ACK"));
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.uas.accept(p.now, uas_call, ANSWER).unwrap();
    p.deliver();
    p.run_for(Duration::from_secs(40));
    // T1 doubling capped at T2: 0, .5, 1.5, 3.5, 7.5, 11.5, 15.5, ... 31.5 s.
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 200"), 11);
    assert!(p.uas_events.iter().any(|e| matches!(e,
        Event::Failed { call, status: 408, .. } if *call == uas_call)));
    assert_eq!(p.count_on_wire(Side::Uas, "BYE "), 1);
    assert!(p.uac_events.contains(&Event::Ended {
        call: uac_call,
        by_remote: true
    }));
}

#[test]
fn retransmitted_invite_is_absorbed() {
    let mut p = Pair::new();
    // Lose the 100 Trying: the UAC retransmits the INVITE on Timer A.
    p.drop = Box::new(|side, t| side == Side::Uas && t.payload.starts_with(b"SIP/2.0 100"));
    p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    p.run_for(Duration::from_millis(1600));
    assert_eq!(p.count_on_wire(Side::Uac, "INVITE "), 3);
    assert_eq!(
        p.uas_events
            .iter()
            .filter(|e| matches!(e, Event::IncomingCall { .. }))
            .count(),
        1
    );
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 100"), 3);
}

#[test]
fn late_200_after_timer_b_is_acked_and_hung_up() {
    let mut p = Pair::new();
    // The UAS's answers are lost until it finally answers after Timer B.
    p.drop = Box::new(|side, _| side == Side::Uas);
    let uac_call = p.uac.invite(p.now, p.outgoing()).unwrap();
    p.deliver();
    let uas_call = p.incoming_call();
    p.run_for(Duration::from_secs(33));
    assert!(p.uac_events.iter().any(|e| matches!(e,
        Event::Failed { call, status: 408, .. } if *call == uac_call)));
    p.drop = Box::new(|_, _| false);
    p.uas.accept(p.now, uas_call, ANSWER).unwrap();
    p.deliver();
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 1);
    assert_eq!(p.count_on_wire(Side::Uac, "BYE "), 1);
    assert!(p.uas_events.contains(&Event::Confirmed { call: uas_call }));
    assert!(p.uas_events.contains(&Event::Ended {
        call: uas_call,
        by_remote: true
    }));
    assert!(!p
        .uac_events
        .iter()
        .any(|e| matches!(e, Event::Answered { .. })));
}

#[test]
fn forged_200_for_an_unknown_invite_is_ignored() {
    let mut p = Pair::new();
    let forged = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKforged\r\n\
From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\
Contact: <sip:victim@203.0.113.9>\r\nContent-Length: 0\r\n\r\n";
    p.uac
        .handle_datagram(p.now, "203.0.113.9:5060".parse().unwrap(), forged);
    assert!(p.uac.poll_transmit().is_none());
}
