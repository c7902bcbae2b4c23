//! UAS behaviour of the endpoint towards hand-written requests.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::message::Response;

const LOCAL: &str = "192.0.2.1:5060";
const PEER: &str = "198.51.100.7:40000";

fn endpoint() -> Endpoint {
    Endpoint::new(EndpointConfig::new(LOCAL.parse().unwrap()), 5)
}

fn request(method: &str, extra: &str) -> Vec<u8> {
    format!(
        "{method} sip:gw@192.0.2.1 SIP/2.0\r\n\
Via: SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK-{method}-1;rport\r\n\
Max-Forwards: 70\r\nFrom: <sip:a@example.com>;tag=f1\r\nTo: <sip:gw@192.0.2.1>\r\n\
Call-ID: test-{method}@10.0.0.5\r\nCSeq: 1 {method}\r\n{extra}Content-Length: 0\r\n\r\n"
    )
    .into_bytes()
}

fn answers(ep: &mut Endpoint) -> Vec<(SocketAddr, Response)> {
    std::iter::from_fn(|| ep.poll_transmit())
        .map(|t| match Message::parse(&t.payload, 65535).unwrap() {
            Message::Response(r) => (t.destination, r),
            Message::Request(r) => panic!("unexpected request {r:?}"),
        })
        .collect()
}

#[test]
fn options_gets_200_with_capabilities_and_nat_friendly_via() {
    let mut ep = endpoint();
    let now = Instant::now();
    let peer: SocketAddr = PEER.parse().unwrap();
    ep.handle_datagram(now, peer, &request("OPTIONS", ""));
    let out = answers(&mut ep);
    assert_eq!(out.len(), 1);
    let (dest, r) = &out[0];
    assert_eq!(*dest, peer, "answer the source address, not the Via");
    assert_eq!(r.status, 200);
    assert!(r.headers.get("Allow").unwrap().contains("INFO"));
    assert_eq!(r.headers.get("Accept"), Some("application/sdp"));
    assert!(r.headers.get("Supported").is_some());
    assert!(r.headers.to().unwrap().tag().is_some());
    let via = r.headers.top_via().unwrap();
    assert_eq!(via.received(), Some("198.51.100.7"));
    assert_eq!(via.rport(), Some(Some(40000)));

    // A retransmission is answered from the transaction, not processed again.
    ep.handle_datagram(now, peer, &request("OPTIONS", ""));
    let again = answers(&mut ep);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].1, out[0].1);
    assert_eq!(ep.transaction_count(), 1);
    // Timer J frees it after 64*T1.
    assert_eq!(ep.poll_timeout(), Some(now + Duration::from_secs(32)));
    ep.handle_timeout(now + Duration::from_secs(32));
    assert_eq!(ep.transaction_count(), 0);
}

#[test]
fn unsupported_things_get_the_right_codes() {
    let mut ep = endpoint();
    let now = Instant::now();
    let peer: SocketAddr = PEER.parse().unwrap();
    let cases: &[(&str, &str, u16)] = &[
        ("FOO", "", 501),
        ("REGISTER", "Contact: <sip:a@10.0.0.5>\r\n", 200),
        ("BYE", "", 481),
        ("INFO", "", 481),
        ("SUBSCRIBE", "", 501),
        ("OPTIONS", "Require: 100rel, timer\r\n", 420),
    ];
    for (method, extra, status) in cases {
        ep.handle_datagram(now, peer, &request(method, extra));
        let out = answers(&mut ep);
        assert_eq!(out.len(), 1, "{method}");
        let r = &out[0].1;
        assert_eq!(r.status, *status, "{method}");
        if *status == 501 {
            assert!(r.headers.get("Allow").is_some());
        }
        if *status == 420 {
            assert_eq!(r.headers.get("Unsupported"), Some("100rel, timer"));
        }
    }
    // In an unknown dialog.
    let bye = String::from_utf8(request("BYE", ""))
        .unwrap()
        .replace("To: <sip:gw@192.0.2.1>", "To: <sip:gw@192.0.2.1>;tag=nope");
    ep.handle_datagram(now, peer, bye.as_bytes());
    assert_eq!(answers(&mut ep)[0].1.status, 481);
    // ACK never gets an answer.
    let ack = String::from_utf8(request("ACK", "")).unwrap();
    ep.handle_datagram(now, peer, ack.as_bytes());
    assert!(answers(&mut ep).is_empty());
}

#[test]
fn transaction_limit_answers_503() {
    let mut config = EndpointConfig::new(LOCAL.parse().unwrap());
    config.max_transactions = 2;
    let mut ep = Endpoint::new(config, 1);
    let now = Instant::now();
    let peer: SocketAddr = PEER.parse().unwrap();
    for i in 0..3 {
        let req = String::from_utf8(request("OPTIONS", ""))
            .unwrap()
            .replace("-1;", &format!("-{i};"));
        ep.handle_datagram(now, peer, req.as_bytes());
    }
    let statuses: Vec<u16> = answers(&mut ep).iter().map(|(_, r)| r.status).collect();
    assert_eq!(statuses, vec![200, 200, 503]);
    assert_eq!(ep.transaction_count(), 2);
}

#[test]
fn malformed_request_answered_400_and_reported() {
    let mut ep = endpoint();
    let peer: SocketAddr = PEER.parse().unwrap();
    let bad = String::from_utf8(request("OPTIONS", ""))
        .unwrap()
        .replace("Content-Length: 0", "Content-Length: 10");
    ep.handle_datagram(Instant::now(), peer, bad.as_bytes());
    let t = ep.poll_transmit().unwrap();
    assert!(t
        .payload
        .starts_with(b"SIP/2.0 400 Bad Request - Invalid Content-Length\r\n"));
    assert!(
        matches!(ep.poll_event(), Some(Event::Dropped { reason, .. }) if reason.contains("answered 400"))
    );
    // A broken response is dropped without an answer.
    ep.handle_datagram(Instant::now(), peer, b"SIP/2.0 999 Nope\r\n\r\n");
    assert!(ep.poll_transmit().is_none());
    assert!(matches!(ep.poll_event(), Some(Event::Dropped { .. })));
    // CRLF keep-alives are ignored quietly.
    ep.handle_datagram(Instant::now(), peer, b"\r\n\r\n");
    assert!(ep.poll_transmit().is_none());
    assert!(ep.poll_event().is_none());
}

#[test]
fn incoming_invite_with_unacceptable_body_or_accept() {
    let mut ep = endpoint();
    let now = Instant::now();
    let peer: SocketAddr = PEER.parse().unwrap();
    let invite = String::from_utf8(request("INVITE", "Accept: text/plain\r\n")).unwrap();
    ep.handle_datagram(now, peer, invite.as_bytes());
    let statuses: Vec<u16> = answers(&mut ep).iter().map(|(_, r)| r.status).collect();
    assert_eq!(statuses, vec![100, 406]);
    assert!(ep.poll_event().is_none());
    // The caller's ACK for the 406 is absorbed by the transaction.
    let ack = invite
        .replace("INVITE sip", "ACK sip")
        .replace("1 INVITE", "1 ACK");
    ep.handle_datagram(now, peer, ack.as_bytes());
    assert!(answers(&mut ep).is_empty());
}

#[test]
fn in_dialog_cseq_must_increase() {
    let mut ep = endpoint();
    let now = Instant::now();
    let peer: SocketAddr = PEER.parse().unwrap();
    ep.handle_datagram(
        now,
        peer,
        &request("INVITE", "Contact: <sip:a@10.0.0.5>\r\n"),
    );
    let Some(Event::IncomingCall { call, .. }) = ep.poll_event() else {
        panic!("no call")
    };
    ep.accept(now, call, b"v=0\r\n").unwrap();
    let tag = ep.call_info(call).unwrap().local_tag;
    let _ = answers(&mut ep);
    let info = String::from_utf8(request("INFO", ""))
        .unwrap()
        .replace(
            "To: <sip:gw@192.0.2.1>",
            &format!("To: <sip:gw@192.0.2.1>;tag={tag}"),
        )
        .replace("test-INFO@", "test-INVITE@");
    ep.handle_datagram(now, peer, info.as_bytes());
    assert_eq!(
        answers(&mut ep)[0].1.status,
        500,
        "CSeq 1 is not above the INVITE's 1"
    );
    let info = info
        .replace("CSeq: 1 INFO", "CSeq: 2 INFO")
        .replace("-INFO-1", "-INFO-2");
    ep.handle_datagram(now, peer, info.as_bytes());
    assert_eq!(answers(&mut ep)[0].1.status, 200);
    assert!(matches!(ep.poll_event(), Some(Event::InfoReceived { .. })));
}
