//! A phone registers with Digest credentials and calls; wrong, missing,
//! replayed and stale credentials are refused; bindings expire on the
//! virtual clock.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::auth::digest::{authorization, Challenge};
use sip::auth::{Account, AuthConfig, Secret};
use sip::{Endpoint, EndpointConfig, Event, Message, Response};

const GW: &str = "192.0.2.1:5060";
const PHONE: &str = "198.51.100.7:5062";

fn gateway() -> Endpoint {
    let mut config = EndpointConfig::new(GW.parse().unwrap());
    config.auth = Some(AuthConfig::new(
        "gateway",
        vec![Account {
            username: "alice".into(),
            secret: Secret::Password("wonderland".into()),
        }],
    ));
    Endpoint::new(config, 3)
}

fn register(branch: &str, cseq: u32, contact: &str, auth: Option<String>) -> Vec<u8> {
    let mut m = format!(
        "REGISTER sip:192.0.2.1 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK{branch};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@192.0.2.1>;tag=reg1\r\n\
         To: <sip:alice@192.0.2.1>\r\n\
         Call-ID: reg-call-1\r\n\
         CSeq: {cseq} REGISTER\r\n\
         Contact: {contact}\r\n"
    );
    if let Some(a) = auth {
        m.push_str(&format!("Authorization: {a}\r\n"));
    }
    m.push_str("Content-Length: 0\r\n\r\n");
    m.into_bytes()
}

fn invite(branch: &str, cseq: u32, auth: Option<String>) -> Vec<u8> {
    let sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.7\r\ns=-\r\nc=IN IP4 10.0.0.7\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    let mut m = format!(
        "INVITE sip:1800@192.0.2.1 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.0.0.7:5062;branch=z9hG4bK{branch}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:alice@192.0.2.1>;tag=inv1\r\n\
         To: <sip:1800@192.0.2.1>\r\n\
         Call-ID: inv-call-1\r\n\
         CSeq: {cseq} INVITE\r\n\
         Contact: <sip:alice@10.0.0.7:5062>\r\n\
         Content-Type: application/sdp\r\n"
    );
    if let Some(a) = auth {
        m.push_str(&format!("Authorization: {a}\r\n"));
    }
    m.push_str(&format!("Content-Length: {}\r\n\r\n{sdp}", sdp.len()));
    m.into_bytes()
}

fn responses(ep: &mut Endpoint) -> Vec<Response> {
    std::iter::from_fn(|| ep.poll_transmit())
        .map(|t| match Message::parse(&t.payload, 65535).unwrap() {
            Message::Response(r) => r,
            Message::Request(r) => panic!("unexpected request {r:?}"),
        })
        .collect()
}

fn last(ep: &mut Endpoint) -> Response {
    responses(ep).pop().expect("a response")
}

fn md5_challenge(r: &Response) -> Challenge {
    assert_eq!(r.status, 401);
    let all: Vec<Challenge> = r
        .headers
        .get_all("WWW-Authenticate")
        .map(|v| Challenge::parse(v).unwrap())
        .collect();
    assert_eq!(all.len(), 2, "SHA-256 and MD5 offered");
    assert_eq!(all[0].algorithm.name(), "SHA-256");
    all[1].clone()
}

#[test]
fn register_with_credentials_then_expire() {
    let mut ep = gateway();
    let start = Instant::now();
    let phone: SocketAddr = PHONE.parse().unwrap();
    let contact = "<sip:alice@10.0.0.7:5062>;expires=120";
    ep.handle_datagram(start, phone, &register("a1", 1, contact, None));
    let challenge = md5_challenge(&last(&mut ep));
    assert!(ep.registered_contact(start, "alice").is_none());

    let auth = authorization(
        &challenge,
        "alice",
        "wonderland",
        "REGISTER",
        "sip:192.0.2.1",
        "cn1",
        1,
    );
    ep.handle_datagram(
        start,
        phone,
        &register("a2", 2, contact, Some(auth.clone())),
    );
    let ok = last(&mut ep);
    assert_eq!(ok.status, 200);
    assert_eq!(
        ok.headers.get("Contact"),
        Some("<sip:alice@10.0.0.7:5062>;expires=120")
    );
    let binding = ep.registered_contact(start, "alice").unwrap();
    assert_eq!(binding.contact.host, "10.0.0.7");
    // NAT: calls go where the REGISTER came from.
    assert_eq!(binding.source, phone);

    // The same credentials again (a replayed REGISTER): re-challenged, stale.
    ep.handle_datagram(start, phone, &register("a3", 3, contact, Some(auth)));
    let stale = last(&mut ep);
    assert!(stale
        .headers
        .get("WWW-Authenticate")
        .unwrap()
        .contains("stale=true"));

    // The binding expires on the virtual clock (after Timer J of the REGISTERs).
    ep.handle_timeout(start + Duration::from_secs(32));
    assert_eq!(ep.poll_timeout(), Some(start + Duration::from_secs(120)));
    ep.handle_timeout(start + Duration::from_secs(120));
    assert!(ep
        .registered_contact(start + Duration::from_secs(120), "alice")
        .is_none());
    assert_eq!(ep.registrar().user_count(), 0);
}

#[test]
fn unregister_with_star() {
    let mut ep = gateway();
    let now = Instant::now();
    let phone: SocketAddr = PHONE.parse().unwrap();
    ep.handle_datagram(now, phone, &register("b1", 1, "<sip:alice@10.0.0.7>", None));
    let c = md5_challenge(&last(&mut ep));
    let auth = authorization(
        &c,
        "alice",
        "wonderland",
        "REGISTER",
        "sip:192.0.2.1",
        "cn",
        1,
    );
    ep.handle_datagram(
        now,
        phone,
        &register("b2", 2, "<sip:alice@10.0.0.7>", Some(auth)),
    );
    assert_eq!(last(&mut ep).status, 200);
    let auth = authorization(
        &c,
        "alice",
        "wonderland",
        "REGISTER",
        "sip:192.0.2.1",
        "cn",
        2,
    );
    let star = String::from_utf8(register("b3", 3, "*", Some(auth)))
        .unwrap()
        .replace("Content-Length: 0", "Expires: 0\r\nContent-Length: 0");
    ep.handle_datagram(now, phone, star.as_bytes());
    let ok = last(&mut ep);
    assert_eq!(ok.status, 200);
    assert!(ok.headers.get("Contact").is_none());
    assert!(ep.registered_contact(now, "alice").is_none());
}

#[test]
fn a_user_registers_only_its_own_address() {
    let mut ep = gateway();
    let now = Instant::now();
    let phone: SocketAddr = PHONE.parse().unwrap();
    let other = |a: Option<String>| {
        String::from_utf8(register("c1", 1, "<sip:bob@10.0.0.7>", a))
            .unwrap()
            .replace("To: <sip:alice@", "To: <sip:bob@")
    };
    ep.handle_datagram(now, phone, other(None).as_bytes());
    let c = md5_challenge(&last(&mut ep));
    let auth = authorization(
        &c,
        "alice",
        "wonderland",
        "REGISTER",
        "sip:192.0.2.1",
        "cn",
        1,
    );
    ep.handle_datagram(now, phone, other(Some(auth)).replace("c1", "c2").as_bytes());
    assert_eq!(last(&mut ep).status, 403);
}

#[test]
fn invite_needs_credentials() {
    let mut ep = gateway();
    let now = Instant::now();
    let phone: SocketAddr = PHONE.parse().unwrap();
    ep.handle_datagram(now, phone, &invite("i1", 1, None));
    let statuses: Vec<u16> = responses(&mut ep).iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![100, 401]);
    ep.handle_datagram(now, phone, &invite("i1", 1, None));
    let challenge = md5_challenge(&last(&mut ep));
    assert!(ep.poll_event().is_none(), "no call without credentials");

    // Wrong password: 403, and still no call.
    let bad = authorization(
        &challenge,
        "alice",
        "guess",
        "INVITE",
        "sip:1800@192.0.2.1",
        "cn",
        1,
    );
    ep.handle_datagram(now, phone, &invite("i2", 2, Some(bad)));
    assert_eq!(last(&mut ep).status, 403);
    assert!(ep.poll_event().is_none());

    // The wrong guess burnt its nonce: the right password on it is only
    // re-challenged (stale), so every guess costs a fresh 401.
    let late = authorization(
        &challenge,
        "alice",
        "wonderland",
        "INVITE",
        "sip:1800@192.0.2.1",
        "cn",
        2,
    );
    ep.handle_datagram(now, phone, &invite("i2b", 2, Some(late)));
    let stale = last(&mut ep);
    assert_eq!(stale.status, 401);
    let challenge = md5_challenge(&stale);
    assert!(challenge.stale);
    assert!(ep.poll_event().is_none());

    let good = authorization(
        &challenge,
        "alice",
        "wonderland",
        "INVITE",
        "sip:1800@192.0.2.1",
        "cn",
        1,
    );
    ep.handle_datagram(now, phone, &invite("i3", 3, Some(good)));
    assert_eq!(
        responses(&mut ep)
            .iter()
            .map(|r| r.status)
            .collect::<Vec<_>>(),
        vec![100]
    );
    let call = match ep.poll_event() {
        Some(Event::IncomingCall { call, .. }) => call,
        other => panic!("expected a call, got {other:?}"),
    };
    assert_eq!(
        ep.call_info(call).unwrap().authenticated_user.as_deref(),
        Some("alice")
    );
}

#[test]
fn unauthenticated_invites_when_allowed() {
    let mut config = EndpointConfig::new(GW.parse().unwrap());
    config.auth = Some(AuthConfig::new("gateway", vec![]));
    config.allow_unauthenticated_invite = true;
    let mut ep = Endpoint::new(config, 3);
    let phone: SocketAddr = PHONE.parse().unwrap();
    ep.handle_datagram(Instant::now(), phone, &invite("u1", 1, None));
    assert!(matches!(ep.poll_event(), Some(Event::IncomingCall { .. })));
}
