//! A response to our INVITE counts only from where the INVITE went, with the
//! INVITE's Call-ID, From tag and CSeq (RFC 3261 §17.1.3, §8.1.3.3): even an
//! attacker who knows the branch cannot answer the call for the callee.

mod common;

use std::cell::RefCell;
use std::net::SocketAddr;
use std::rc::Rc;

use common::{Pair, Side, ANSWER};
use sip::{CallState, Event};

#[test]
fn a_200_with_the_right_branch_from_elsewhere_or_for_another_call_is_refused() {
    let mut p = Pair::new();
    // Hold back the callee's 200 OK so the test can forge variants of it.
    let held: Rc<RefCell<Vec<Vec<u8>>>> = Rc::default();
    let keep = held.clone();
    p.drop = Box::new(move |side, t| {
        let ok = side == Side::Uas && t.payload.starts_with(b"SIP/2.0 200");
        if ok {
            keep.borrow_mut().push(t.payload.clone());
        }
        ok
    });
    let now = p.now;
    let call = p.uac.invite(now, p.outgoing()).unwrap();
    p.deliver();
    let incoming = p.incoming_call();
    p.uas.accept(now, incoming, ANSWER).unwrap();
    p.deliver();
    let genuine = held.borrow()[0].clone();
    let text = String::from_utf8(genuine.clone()).unwrap();

    // The exact 200 OK (right branch, tags, Call-ID) from another address.
    let attacker: SocketAddr = "203.0.113.66:5060".parse().unwrap();
    p.uac.handle_datagram(p.now, attacker, &genuine);
    // From the callee's address, but for another Call-ID / From tag / CSeq.
    let call_id = p.uac.call_info(call).unwrap().call_id;
    for forged in [
        text.replace(&call_id, "forged@203.0.113.66"),
        text.replace(";tag=", ";tag=x"),
        text.replacen("CSeq: ", "CSeq: 9", 1),
    ] {
        assert_ne!(forged, text, "the forgery changed something");
        p.uac.handle_datagram(p.now, p.uas_addr, forged.as_bytes());
    }
    // Over TCP from the right address: the INVITE went over UDP.
    p.uac.handle_stream_message(p.now, p.uas_addr, &genuine);
    let events: Vec<Event> = std::iter::from_fn(|| p.uac.poll_event()).collect();
    let dropped = events
        .iter()
        .filter(|e| matches!(e, Event::Dropped { .. }))
        .count();
    assert_eq!(dropped, 5, "{events:?}");
    assert!(!events.iter().any(|e| matches!(e, Event::Answered { .. })));
    assert_ne!(p.uac.call_info(call).unwrap().state, CallState::Confirmed);
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 0, "no ACK to anyone");

    // The genuine answer still sets the call up.
    p.uac.handle_datagram(p.now, p.uas_addr, &genuine);
    let events: Vec<Event> = std::iter::from_fn(|| p.uac.poll_event()).collect();
    assert!(events.iter().any(|e| matches!(e, Event::Answered { .. })));
    assert_eq!(p.uac.call_info(call).unwrap().state, CallState::Confirmed);
}
