//! re-INVITE from the phone (RFC 3264 §8.4): hold with sendonly, hold with
//! inactive, resume with sendrecv, a delayed offer, and the refusals (488 for
//! a dropped codec, 500 while our 2xx is not yet ACKed).

mod peer;

use std::net::SocketAddr;
use std::time::Duration;

use peer::{first_lines, request, text, to_tag, Script, GATEWAY_SDP, SDP};
use sip::sdp::Direction;
use sip::{CallHandle, CallState, Event};

fn phone() -> SocketAddr {
    "192.0.2.9:5062".parse().unwrap()
}

/// A confirmed call from the phone; returns the call and the gateway's tag.
fn confirmed(s: &mut Script) -> (CallHandle, String) {
    s.udp(
        phone(),
        &request("INVITE", "UDP", phone(), "i1", 1, None, SDP),
    );
    let call = match s.take_events().as_slice() {
        [Event::IncomingCall { call, .. }] => *call,
        other => panic!("{other:?}"),
    };
    s.endpoint
        .accept(s.now, call, GATEWAY_SDP.as_bytes())
        .unwrap();
    s.drain();
    let sent = s.take();
    let tag = to_tag(sent.last().unwrap());
    s.udp(
        phone(),
        &request("ACK", "UDP", phone(), "a1", 1, Some(&tag), ""),
    );
    assert_eq!(s.take_events(), vec![Event::Confirmed { call }]);
    (call, tag)
}

fn reinvite(s: &mut Script, tag: &str, cseq: u32, direction: &str) -> String {
    let sdp = format!(
        "{}{direction}",
        SDP.replace("1 1 IN", &format!("1 {cseq} IN"))
    );
    s.udp(
        phone(),
        &request(
            "INVITE",
            "UDP",
            phone(),
            &format!("r{cseq}"),
            cseq,
            Some(tag),
            &sdp,
        ),
    );
    let sent = s.take();
    assert_eq!(
        first_lines(&sent),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 200 OK"]
    );
    text(&sent[1])
}

#[test]
fn hold_with_sendonly_then_inactive_then_resume() {
    let mut s = Script::new(|_| {});
    let (call, tag) = confirmed(&mut s);

    let ok = reinvite(&mut s, &tag, 2, "a=sendonly\r\n");
    assert!(ok.contains("a=recvonly\r\n"), "{ok}");
    assert!(ok.contains("o=gw 5 6 IN IP4"), "version bumped: {ok}");
    assert!(ok.contains("m=audio 4000 RTP/AVP 0 101\r\n"), "{ok}");
    assert!(matches!(
        s.take_events().as_slice(),
        [Event::SessionModified { call: c, remote: Direction::SendOnly, local: Direction::RecvOnly, .. }] if *c == call
    ));
    // The 2xx is retransmitted until the ACK, which ends quietly.
    assert_eq!(
        s.endpoint.call_info(call).unwrap().state,
        CallState::AwaitingAck
    );
    s.udp(
        phone(),
        &request("ACK", "UDP", phone(), "a2", 2, Some(&tag), ""),
    );
    assert!(s.take_events().is_empty());
    assert_eq!(
        s.endpoint.call_info(call).unwrap().state,
        CallState::Confirmed
    );

    let ok = reinvite(&mut s, &tag, 3, "a=inactive\r\n");
    assert!(
        ok.contains("a=inactive\r\n") && ok.contains("o=gw 5 7 "),
        "{ok}"
    );
    s.udp(
        phone(),
        &request("ACK", "UDP", phone(), "a3", 3, Some(&tag), ""),
    );

    let ok = reinvite(&mut s, &tag, 4, "a=sendrecv\r\n");
    assert!(
        ok.contains("a=sendrecv\r\n") && ok.contains("o=gw 5 8 "),
        "{ok}"
    );
    let events = s.take_events();
    assert!(
        events.iter().any(|e| matches!(
            e,
            Event::SessionModified {
                local: Direction::SendRecv,
                ..
            }
        )),
        "{events:?}"
    );
    s.udp(
        phone(),
        &request("ACK", "UDP", phone(), "a4", 4, Some(&tag), ""),
    );

    // The call still ends normally.
    s.endpoint.hangup(s.now, call).unwrap();
    s.drain();
    assert_eq!(
        first_lines(&s.take()),
        vec!["BYE sip:phone@192.0.2.9:5062 SIP/2.0"]
    );
}

#[test]
fn a_second_reinvite_before_the_ack_gets_500_and_no_ack_ends_the_call() {
    let mut s = Script::new(|_| {});
    let (call, tag) = confirmed(&mut s);
    reinvite(&mut s, &tag, 2, "a=sendonly\r\n");
    s.take_events();
    s.udp(
        phone(),
        &request("INVITE", "UDP", phone(), "r3", 3, Some(&tag), SDP),
    );
    let sent = s.take();
    assert_eq!(
        first_lines(&sent).last().unwrap(),
        "SIP/2.0 500 Server Internal Error"
    );
    assert!(text(sent.last().unwrap()).contains("Retry-After: 1\r\n"));
    // No ACK for the first 2xx: retransmitted, then BYE after 64*T1.
    let start = s.now;
    s.advance(start + Duration::from_secs(33));
    let sent = first_lines(&s.take());
    assert!(
        sent.iter().filter(|l| *l == "SIP/2.0 200 OK").count() >= 5,
        "{sent:?}"
    );
    assert!(sent.iter().any(|l| l.starts_with("BYE ")), "{sent:?}");
    assert!(s.take_events().contains(&Event::Failed {
        call,
        status: 408,
        reason: "No ACK received".into()
    }));
}

#[test]
fn a_dropped_codec_is_refused_and_the_session_stays() {
    let mut s = Script::new(|_| {});
    let (call, tag) = confirmed(&mut s);
    let sdp = SDP.replace("RTP/AVP 0 8 101", "RTP/AVP 8 101");
    s.udp(
        phone(),
        &request("INVITE", "UDP", phone(), "r2", 2, Some(&tag), &sdp),
    );
    assert_eq!(
        first_lines(&s.take()),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 488 Not Acceptable Here"]
    );
    assert!(s.take_events().is_empty());
    assert_eq!(
        s.endpoint.call_info(call).unwrap().state,
        CallState::Confirmed
    );
    // The next offer is answered from the unchanged session (version 6).
    let ok = reinvite(&mut s, &tag, 3, "a=sendonly\r\n");
    assert!(ok.contains("o=gw 5 6 "), "{ok}");
}

#[test]
fn a_delayed_offer_is_answered_in_the_ack() {
    let mut s = Script::new(|_| {});
    let (call, tag) = confirmed(&mut s);
    s.udp(
        phone(),
        &request("INVITE", "UDP", phone(), "r2", 2, Some(&tag), ""),
    );
    let sent = s.take();
    let ok = text(sent.last().unwrap());
    assert!(
        ok.contains("a=sendrecv\r\n") && ok.contains("o=gw 5 6 "),
        "{ok}"
    );
    let answer = format!("{SDP}a=sendonly\r\n");
    s.udp(
        phone(),
        &request("ACK", "UDP", phone(), "a2", 2, Some(&tag), &answer),
    );
    assert!(matches!(
        s.take_events().as_slice(),
        [Event::SessionModified { call: c, remote: Direction::SendOnly, local: Direction::RecvOnly, .. }] if *c == call
    ));
}
