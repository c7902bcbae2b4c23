//! SIP over a TCP connection through the endpoint: responses go back on the
//! connection the request came on, our in-dialog requests reuse it (Via TCP,
//! Contact `;transport=tcp`), nothing is retransmitted (RFC 3261 §17 over a
//! reliable transport), idle connections are closed unless a call uses them;
//! and IPv6 addresses in Via, Contact and Call-ID.

mod peer;

use std::net::SocketAddr;
use std::time::Duration;

use peer::{all_tcp, first_lines, request, text, to_tag, Script, GATEWAY_SDP, SDP};
use sip::{Endpoint, EndpointConfig, Event, OutgoingInvite, Transport, Uri};

fn phone() -> SocketAddr {
    "192.0.2.9:40123".parse().unwrap()
}

#[test]
fn a_call_over_tcp_stays_on_the_connection() {
    let mut s = Script::new(|_| {});
    assert!(s.endpoint.connection_opened(s.now, phone()));
    s.tcp(
        phone(),
        &request("INVITE", "TCP", phone(), "i1", 1, None, SDP),
    );
    let call = match s.take_events().as_slice() {
        [Event::IncomingCall { call, .. }] => *call,
        other => panic!("{other:?}"),
    };
    s.endpoint.send_provisional(s.now, call, 180, None).unwrap();
    s.endpoint
        .accept(s.now, call, GATEWAY_SDP.as_bytes())
        .unwrap();
    s.drain();
    let sent = s.take();
    assert_eq!(
        first_lines(&sent),
        vec![
            "SIP/2.0 100 Trying",
            "SIP/2.0 180 Ringing",
            "SIP/2.0 200 OK"
        ]
    );
    assert!(all_tcp(&sent), "{sent:?}");
    assert!(sent.iter().all(|t| t.destination == phone()));
    let ok = text(&sent[2]);
    assert!(
        ok.contains("Contact: <sip:1800@192.0.2.20:5060;transport=tcp>"),
        "{ok}"
    );
    let tag = to_tag(&sent[2]);
    s.tcp(
        phone(),
        &request("ACK", "TCP", phone(), "a1", 1, Some(&tag), ""),
    );
    assert_eq!(s.take_events(), vec![Event::Confirmed { call }]);

    // Long past the idle timeout: the call keeps the connection open.
    let t = s.now;
    s.advance(t + Duration::from_secs(600));
    assert_eq!(s.endpoint.poll_close(), None);
    assert_eq!(s.endpoint.connection_count(), 1);

    s.endpoint.hangup(s.now, call).unwrap();
    s.drain();
    let sent = s.take();
    assert_eq!(
        first_lines(&sent),
        vec!["BYE sip:phone@192.0.2.9:40123 SIP/2.0"]
    );
    assert!(all_tcp(&sent));
    let bye = text(&sent[0]);
    assert!(bye.contains("Via: SIP/2.0/TCP 192.0.2.20:5060;"), "{bye}");
    // Over TCP the BYE is not retransmitted (no Timer E) ...
    let t = s.now;
    s.advance(t + Duration::from_secs(31));
    assert!(s.take().is_empty());
    // ... and times out (Timer F) without an answer.
    s.advance(t + Duration::from_secs(33));
    assert!(s.take_events().contains(&Event::Ended {
        call,
        by_remote: false
    }));
    // Then the idle connection is closed.
    let t = s.now;
    s.advance(t + Duration::from_secs(121));
    assert_eq!(s.endpoint.poll_close(), Some(phone()));
}

#[test]
fn a_final_response_over_tcp_is_not_retransmitted() {
    let mut s = Script::new(|_| {});
    s.tcp(
        phone(),
        &request("INVITE", "TCP", phone(), "i1", 1, None, SDP),
    );
    let call = match s.take_events().as_slice() {
        [Event::IncomingCall { call, .. }] => *call,
        other => panic!("{other:?}"),
    };
    s.endpoint.reject(s.now, call, 486, "Busy Here").unwrap();
    s.drain();
    assert_eq!(
        first_lines(&s.take()),
        vec!["SIP/2.0 100 Trying", "SIP/2.0 486 Busy Here"]
    );
    // Over UDP Timer G would resend the 486 at 0.5 s, 1.5 s, ...
    let t = s.now;
    s.advance(t + Duration::from_secs(10));
    assert!(s.take().is_empty());
}

#[test]
fn udp_and_tcp_peers_side_by_side() {
    let mut s = Script::new(|_| {});
    let udp_phone: SocketAddr = "192.0.2.8:5060".parse().unwrap();
    s.tcp(
        phone(),
        &request("OPTIONS", "TCP", phone(), "o1", 1, None, ""),
    );
    s.udp(
        udp_phone,
        &request("OPTIONS", "UDP", udp_phone, "o2", 1, None, ""),
    );
    let sent = s.take();
    assert_eq!(first_lines(&sent), vec!["SIP/2.0 200 OK", "SIP/2.0 200 OK"]);
    assert_eq!(sent[0].transport, Transport::Tcp);
    assert_eq!(sent[1].transport, Transport::Udp);
    // The peer closed: later messages to it would go by UDP.
    s.endpoint.connection_closed(phone());
    assert_eq!(s.endpoint.connection_count(), 0);
}

#[test]
fn idle_connection_without_calls_is_closed() {
    let mut s = Script::new(|c| c.tcp_idle_timeout = Duration::from_secs(30));
    s.tcp(
        phone(),
        &request("OPTIONS", "TCP", phone(), "o1", 1, None, ""),
    );
    let t = s.now;
    s.advance(t + Duration::from_secs(29));
    assert_eq!(s.endpoint.poll_close(), None);
    s.advance(t + Duration::from_secs(30));
    assert_eq!(s.endpoint.poll_close(), Some(phone()));
}

#[test]
fn the_connection_table_is_bounded() {
    let mut s = Script::new(|c| c.max_connections = 1);
    let other: SocketAddr = "192.0.2.7:40000".parse().unwrap();
    assert!(s.endpoint.connection_opened(s.now, phone()));
    assert!(!s.endpoint.connection_opened(s.now, other));
    // A message from a connection that was refused is ignored.
    s.tcp(other, &request("OPTIONS", "TCP", other, "o1", 1, None, ""));
    assert!(s.take().is_empty());
}

#[test]
fn ipv6_addresses_are_bracketed() {
    let gw: SocketAddr = "[2001:db8::20]:5060".parse().unwrap();
    let phone: SocketAddr = "[2001:db8::9]:5062".parse().unwrap();
    let mut e = Endpoint::new(EndpointConfig::new(gw), 3);
    let now = std::time::Instant::now();
    let host = gw.ip().to_string();
    e.invite(
        now,
        OutgoingInvite {
            target: Uri::parse("sip:alice@[2001:db8::9]:5062").unwrap(),
            destination: phone,
            from: Uri::sip(Some("4155550100"), &host, Some(5060)),
            from_display: None,
            to: Uri::parse("sip:alice@[2001:db8::9]").unwrap(),
            sdp_offer: Vec::new(),
            extra_headers: Vec::new(),
        },
    )
    .unwrap();
    let invite = e.poll_transmit().unwrap();
    let text = String::from_utf8(invite.payload).unwrap();
    assert!(
        text.contains("Via: SIP/2.0/UDP [2001:db8::20]:5060;"),
        "{text}"
    );
    assert!(
        text.contains("From: <sip:4155550100@[2001:db8::20]:5060>;tag="),
        "{text}"
    );
    assert!(
        text.contains("Contact: <sip:4155550100@[2001:db8::20]:5060>"),
        "{text}"
    );
    assert!(sip::Message::parse(text.as_bytes(), 65535).is_ok());
}
