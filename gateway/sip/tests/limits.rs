//! Limits: a flooding source is rate-limited (one 503 + Retry-After per
//! second, then silence) while another source is served; the dialog bound
//! answers 503 + Retry-After and refuses outgoing calls.

mod peer;

use std::net::SocketAddr;
use std::time::Duration;

use peer::{first_lines, request, text, Script, SDP};
use sip::rate_limit::RateLimitConfig;
use sip::{CallError, Event, OutgoingInvite, Uri};

#[test]
fn a_flood_from_one_source_does_not_hurt_another() {
    let mut s = Script::new(|c| {
        c.rate_limit = Some(RateLimitConfig {
            per_second: 10,
            burst: 20,
            max_sources: 64,
        })
    });
    let flooder: SocketAddr = "192.0.2.66:5060".parse().unwrap();
    let client: SocketAddr = "192.0.2.9:5060".parse().unwrap();
    for i in 0..500 {
        s.udp(
            flooder,
            &request("OPTIONS", "UDP", flooder, &format!("f{i}"), i, None, ""),
        );
        if i % 50 == 0 {
            s.udp(
                client,
                &request("OPTIONS", "UDP", client, &format!("c{i}"), i, None, ""),
            );
        }
    }
    let sent = s.take();
    let to_flooder: Vec<_> = sent.iter().filter(|t| t.destination == flooder).collect();
    let to_client: Vec<_> = sent.iter().filter(|t| t.destination == client).collect();
    assert_eq!(to_client.len(), 10);
    assert!(to_client
        .iter()
        .all(|t| text(t).starts_with("SIP/2.0 200 OK")));
    // The burst is answered, then one 503 and silence.
    assert_eq!(to_flooder.len(), 21);
    let refusal = text(to_flooder[20]);
    assert!(refusal.starts_with("SIP/2.0 503 Rate Limited"), "{refusal}");
    assert!(refusal.contains("Retry-After: 2\r\n"), "{refusal}");
    // A second later the flooder gets its rate back.
    let t = s.now;
    s.advance(t + Duration::from_secs(1));
    s.udp(
        flooder,
        &request("OPTIONS", "UDP", flooder, "late", 999, None, ""),
    );
    assert_eq!(first_lines(&s.take()), vec!["SIP/2.0 200 OK"]);
}

#[test]
fn over_the_dialog_bound_invites_get_503() {
    let mut s = Script::new(|c| c.max_dialogs = 2);
    for i in 0..3u16 {
        let phone: SocketAddr = format!("192.0.2.9:{}", 5060 + i).parse().unwrap();
        s.udp(
            phone,
            &request("INVITE", "UDP", phone, &format!("i{i}"), 1, None, SDP),
        );
    }
    let sent = first_lines(&s.take());
    assert_eq!(
        sent,
        vec![
            "SIP/2.0 100 Trying",
            "SIP/2.0 100 Trying",
            "SIP/2.0 100 Trying",
            "SIP/2.0 503 Service Unavailable"
        ]
    );
    assert_eq!(
        s.take_events()
            .iter()
            .filter(|e| matches!(e, Event::IncomingCall { .. }))
            .count(),
        2
    );
    let out = OutgoingInvite {
        target: Uri::parse("sip:a@192.0.2.9").unwrap(),
        destination: "192.0.2.9:5060".parse().unwrap(),
        from: Uri::parse("sip:gw@192.0.2.20").unwrap(),
        from_display: None,
        to: Uri::parse("sip:a@192.0.2.9").unwrap(),
        sdp_offer: Vec::new(),
        extra_headers: Vec::new(),
    };
    assert_eq!(
        s.endpoint.invite(s.now, out),
        Err(CallError::TooManyDialogs)
    );
}

#[test]
fn rejected_invites_release_their_transactions() {
    let mut s = Script::new(|_| {});
    let phone: SocketAddr = "192.0.2.9:5060".parse().unwrap();
    s.udp(phone, &request("INVITE", "UDP", phone, "i1", 1, None, SDP));
    let call = match s.take_events().as_slice() {
        [Event::IncomingCall { call, .. }] => *call,
        other => panic!("{other:?}"),
    };
    s.endpoint.reject(s.now, call, 404, "Not Found").unwrap();
    s.drain();
    let tag = peer::to_tag(s.take().last().unwrap());
    s.udp(
        phone,
        &request("ACK", "UDP", phone, "i1", 1, Some(&tag), ""),
    );
    assert_eq!(s.endpoint.transaction_count(), 1);
    let t = s.now;
    s.advance(t + Duration::from_secs(6));
    assert_eq!(s.endpoint.transaction_count(), 0, "Timer I (T4) ended it");
}
