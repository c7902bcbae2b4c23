//! RFC 4475 torture messages through the parser and through a UAS endpoint.
//!
//! Each file in `tests/torture/` is parsed, printed and re-parsed
//! (`parse(print(parse(x))) == parse(x)` for every accepted message), then fed
//! to an `Endpoint` as one UDP datagram. What the endpoint did is compared
//! with the `expected` column of `expected.tsv`.
//!
//! This endpoint is a UA (UAS + UAC) and a registrar, not a proxy. So:
//! - REGISTER is processed by the registrar (no authentication configured
//!   here): 200 for cparam01/cparam02/regescrt/escnull/dblreq, 400 for
//!   unksm2's non-SIP address-of-record. No deviations remain.
//! - `accept` means "processed as a UA would": a new INVITE is answered
//!   100 Trying and raised as `IncomingCall`; OPTIONS/MESSAGE get 200; an
//!   INVITE with a To tag for a dialog we do not have (wsinv) gets 481, which
//!   is the normal UAS processing of RFC 3261 §12.2.2; a response that
//!   matches no transaction is dropped without an answer.
//! - `reject-400` is met only by a 400 whose reason phrase names the fault.
//!   RFC 4475 asks for the 400 wherever a response can be routed (a Via is
//!   all it takes, RFC 3261 §18.2.2); dropping instead is not a 400 and is
//!   counted as a deviation (insuf, no From, To or Call-ID, has a Via and
//!   gets its 400). A request is never "accepted" by silence: `accept`
//!   for a request needs a response or the call; silence satisfies `accept`
//!   and `discard` only for responses (RFC 3261 §8.1.3.3: an unmatched
//!   response is dropped).

use std::net::SocketAddr;
use std::time::Instant;

use sip::{Endpoint, EndpointConfig, Event, Message};

/// Files whose outcome differs from the `expected` column, and why.
const DEVIATIONS: &[(&str, &str)] = &[];

/// What the endpoint did with one datagram.
#[derive(Debug, PartialEq)]
enum Outcome {
    /// 100 Trying and `IncomingCall`.
    Call,
    /// A final response from a transaction (status).
    Answered(u16),
    /// A stateless error response to a message that did not parse.
    Rejected(u16, String),
    /// Nothing sent, `Event::Dropped` raised.
    Dropped,
    /// Nothing sent, no event (a response matching no transaction).
    Silent,
}

fn run_endpoint(data: &[u8]) -> Outcome {
    let local: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let peer: SocketAddr = "198.51.100.7:5062".parse().unwrap();
    let mut ep = Endpoint::new(EndpointConfig::new(local), 7);
    ep.handle_datagram(Instant::now(), peer, data);
    let mut responses = Vec::new();
    while let Some(t) = ep.poll_transmit() {
        assert_eq!(t.destination, peer, "responses go to the source address");
        let r = match Message::parse(&t.payload, 65535) {
            Ok(Message::Response(r)) => r,
            // A stateless error response copies the broken headers verbatim
            // (RFC 3261 §8.2.6.2), so it need not parse itself: read its
            // status line only.
            _ => {
                let text = String::from_utf8_lossy(&t.payload);
                let line = text.lines().next().unwrap_or("");
                let mut parts = line.splitn(3, ' ');
                assert_eq!(parts.next(), Some("SIP/2.0"), "{text}");
                sip::Response {
                    status: parts.next().and_then(|s| s.parse().ok()).expect("status"),
                    reason: parts.next().unwrap_or("").to_owned(),
                    headers: sip::Headers::new(),
                    body: Vec::new(),
                }
            }
        };
        responses.push(r);
    }
    let events: Vec<Event> = std::iter::from_fn(|| ep.poll_event()).collect();
    let finals: Vec<_> = responses.iter().filter(|r| r.status >= 200).collect();
    assert!(
        finals.len() <= 1,
        "more than one final response: {responses:?}"
    );
    let dropped = events.iter().any(|e| matches!(e, Event::Dropped { .. }));
    if events
        .iter()
        .any(|e| matches!(e, Event::IncomingCall { .. }))
    {
        assert_eq!(responses.len(), 1);
        assert_eq!(responses[0].status, 100);
        return Outcome::Call;
    }
    match (finals.first(), dropped) {
        (Some(r), true) => Outcome::Rejected(r.status, r.reason.clone()),
        (Some(r), false) => Outcome::Answered(r.status),
        (None, true) => Outcome::Dropped,
        (None, false) => {
            assert!(responses.is_empty());
            Outcome::Silent
        }
    }
}

/// Does `outcome` satisfy one alternative of the expected column, for a
/// message of `kind` (`request` or `response`)?
fn satisfies(expected: &str, kind: &str, outcome: &Outcome) -> bool {
    use Outcome::*;
    let response = kind == "response";
    match (expected, outcome) {
        // A request is processed: the call is raised, or it is answered
        // (481 for a To tag of no dialog we have, RFC 3261 §12.2.2).
        ("accept", Call | Answered(200) | Answered(481)) => !response,
        // A response that matches no transaction is dropped (§8.1.3.3).
        ("accept", Silent) => response,
        // RFC 4475 §3.1.2 and §3.3: "respond 400" wherever a response can be
        // routed; silence is not a 400.
        ("reject-400", Rejected(400, reason)) => reason.starts_with("Bad Request - "),
        // Responses the RFC says to drop (§3.1.2.5, §3.1.2.19, §3.3.10).
        ("discard", Silent | Dropped) => response,
        ("process-endpoint" | "2543-fallback", Answered(200)) => true,
        ("200-register", Answered(200)) => true,
        ("400-registrar", Answered(400)) => true,
        (code, Answered(s) | Rejected(s, _)) => code.parse::<u16>().ok() == Some(*s),
        _ => false,
    }
}

fn expected_allows(expected: &str, kind: &str, outcome: &Outcome) -> bool {
    match expected.strip_prefix("other:") {
        Some(alternatives) => alternatives
            .split('|')
            .any(|alt| satisfies(alt, kind, outcome)),
        None => satisfies(expected, kind, outcome),
    }
}

#[test]
fn rfc4475_torture_suite() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/torture");
    let tsv = std::fs::read_to_string(format!("{dir}/expected.tsv")).unwrap();
    let mut deviations = Vec::new();
    let mut rows = 0;
    for line in tsv.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (file, kind, expected) = (cols[0], cols[2], cols[3]);
        let data = std::fs::read(format!("{dir}/{file}")).unwrap();
        rows += 1;

        let parsed = Message::parse(&data, 65535);
        if let Ok(message) = &parsed {
            let printed = message.to_bytes();
            assert_eq!(
                Message::parse(&printed, 65535).as_ref(),
                Ok(message),
                "{file}: round trip"
            );
            assert_eq!(
                matches!(message, Message::Request(_)),
                kind == "request",
                "{file}"
            );
        }
        let outcome = run_endpoint(&data);
        // A message that parses is never answered as malformed, and the
        // reverse: the endpoint and the parser agree.
        assert_eq!(
            parsed.is_err(),
            matches!(outcome, Outcome::Rejected(..) | Outcome::Dropped)
                && file != "3.3.10-bcast.dat",
            "{file}: parser {parsed:?} vs endpoint {outcome:?}"
        );
        println!("{file:28} {expected:34} {outcome:?}");
        if !expected_allows(expected, kind, &outcome) {
            deviations.push(file);
        }
    }
    assert_eq!(rows, 49);
    let listed: Vec<&str> = DEVIATIONS.iter().map(|(f, _)| *f).collect();
    assert_eq!(
        deviations, listed,
        "deviations changed; update DEVIATIONS and the report"
    );
}

fn request(file: &str) -> sip::Request {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/torture");
    let data = std::fs::read(format!("{dir}/{file}")).unwrap();
    match Message::parse(&data, 65535).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => panic!("{file} is a response"),
    }
}

#[test]
fn escapes_decode_exactly_once() {
    let r = request("3.1.1.3-esc01.dat");
    assert_eq!(r.uri.user.as_deref(), Some("sips:user@example.com"));
    assert_eq!(r.headers.to().unwrap().uri.user.as_deref(), Some("user"));
    assert_eq!(
        r.headers.from().unwrap().uri.user.as_deref(),
        Some("I have spaces")
    );
    let contact = &r.headers.contacts()[0].uri;
    assert_eq!(contact.user.as_deref(), Some("caller"));
    assert_eq!(contact.param("lr"), Some(None));
    assert_eq!(contact.param("name"), Some(Some("value%41")));

    let r = request("3.1.1.4-escnull.dat");
    let contacts = r.headers.contacts();
    assert_eq!(contacts[0].uri.user.as_deref(), Some("\0"));
    assert_eq!(contacts[1].uri.user.as_deref(), Some("\0\0"));
    assert_eq!(
        r.headers.to().unwrap().uri.user.as_deref(),
        Some("null-\0-null")
    );

    let r = request("3.1.1.5-esc02.dat");
    assert_eq!(r.method.as_str(), "RE%47IST%45R");
    assert_eq!(
        r.headers.from().unwrap().display_name.as_deref(),
        Some("%Z%45")
    );
    assert_eq!(r.headers.contacts().len(), 2);
    assert_eq!(
        r.headers.get("C%6Fntact"),
        Some("<sip:alias2@host2.example.com>")
    );

    let r = request("3.1.1.9-semiuri.dat");
    assert_eq!(r.uri.user.as_deref(), Some("user;par=u@example.net"));
    assert_eq!(r.headers.list("Accept").count(), 6);
}

#[test]
fn whitespace_and_long_values() {
    let r = request("3.1.1.1-wsinv.dat");
    assert_eq!(r.headers.max_forwards(), Some(68));
    assert_eq!(r.headers.cseq().unwrap().seq, 9);
    assert_eq!(r.headers.to().unwrap().tag(), Some("1918181833n"));
    assert_eq!(
        r.headers.from().unwrap().display_name.as_deref(),
        Some("J Rosenberg \\\"")
    );
    assert_eq!(r.headers.vias().len(), 3);
    assert_eq!(
        r.headers.get("NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(
        r.headers.get("UnknownHeaderWithUnusualValue"),
        Some(";;,,;;,;")
    );
    assert_eq!(r.body.len(), 150);

    let r = request("3.1.1.7-longreq.dat");
    assert_eq!(r.headers.vias().len(), 34);
    let r = request("3.1.1.6-lwsdisp.dat");
    assert_eq!(
        r.headers.from().unwrap().display_name.as_deref(),
        Some("caller")
    );
    let r = request("3.1.1.11-mpart01.dat");
    assert_eq!(r.body.len(), 553);
    let r = request("3.1.1.8-dblreq.dat");
    assert!(r.body.is_empty());
    let r = request("3.4.1-inv2543.dat");
    assert!(r.body.starts_with(b"v=0"));
    assert!(sip::sdp::SessionDescription::parse(&r.body).is_ok());
}

#[test]
fn contact_params_versus_uri_params() {
    let r = request("3.3.12-cparam01.dat");
    let c = &r.headers.contacts()[0];
    assert!(c.uri.params.is_empty());
    assert!(c.params.contains("unknownparam"));
    let r = request("3.3.13-cparam02.dat");
    let c = &r.headers.contacts()[0];
    assert_eq!(c.uri.param("unknownparam"), Some(None));
    assert!(c.params.is_empty());
    let r = request("3.3.14-regescrt.dat");
    let c = &r.headers.contacts()[0];
    assert_eq!(
        c.uri.headers,
        vec![("Route".to_owned(), "<sip:sip.example.com>".to_owned())]
    );
    let r = request("3.3.4-unksm2.dat");
    assert_eq!(r.headers.to().unwrap().uri.to_string(), "isbn:2983792873");
}
