//! A phone on the PSTN calls a port's number; the port's inbound URI (the bench's
//! client) is called, answers and hears the caller.

mod support;

use std::time::Duration;

use gateway::config::Codec;
use gateway::media::negotiation;
use gateway::media::rtp::PayloadType;
use sip::Event;
use support::{Bench, CLIENT_RTP};

/// The phone calls port 0's number; the gateway waits for caller ID after the
/// first ring (2 s burst, then Bell 202 FSK) and calls the client with it.
fn incoming(b: &mut Bench) -> sip::CallHandle {
    let start = b.now;
    b.sim
        .place_call("customer", "4155550100")
        .expect("place call");
    let call = b
        .run_until(Duration::from_secs(10), |e| match e {
            Event::IncomingCall { call, request, .. } => {
                assert_eq!(request.headers.get("X-Gateway-Port"), Some("0"));
                let from = request.headers.from().expect("From");
                assert_eq!(
                    from.uri.user.as_deref(),
                    Some("2125550199"),
                    "caller ID number"
                );
                assert_eq!(
                    from.display_name.as_deref(),
                    Some("customer"),
                    "caller ID name"
                );
                Some(*call)
            }
            _ => None,
        })
        .expect("the client is called");
    let waited = b.now - start;
    assert!(
        waited > Duration::from_secs(2) && waited < Duration::from_secs(6),
        "INVITE once caller ID is in, before the second ring: {waited:?}"
    );
    call
}

#[test]
fn the_client_answers_and_hears_the_caller() {
    let mut b = Bench::new("");
    let call = incoming(&mut b);
    assert_eq!(b.port_state(0), "ringing");
    let answer = negotiation::sdp(
        CLIENT_RTP.parse().unwrap(),
        5,
        1,
        &[Codec::Pcmu],
        Some(PayloadType(101)),
    );
    b.client
        .accept(b.now, call, answer.as_bytes())
        .expect("accept");
    b.run(Duration::from_millis(200));
    assert_eq!(b.port_state(0), "connected");
    let ended = b.run_until(Duration::from_secs(5), |e| match e {
        Event::Ended { by_remote, .. } => Some(*by_remote),
        _ => None,
    });
    assert_eq!(ended, Some(true), "the caller's hang-up becomes a BYE");
    b.run(Duration::from_millis(100));
    assert_eq!(b.port_state(0), "idle");

    let mut pcm = Vec::new();
    for p in &b.rtp {
        let Ok(r) = gateway::media::rtp::parse(p) else {
            continue; // RTCP
        };
        let mut f = [0i16; 160];
        dsp::g711::Law::Ulaw.decode(r.payload, &mut f);
        pcm.extend_from_slice(&f);
    }
    assert!(pcm.len() >= 8000 * 2, "about 3 s of audio");
    assert!(
        dsp::level::rms_dbm0(&pcm[4000..12000]) > -14.0,
        "the caller's -10 dBm0 tone"
    );
}

#[test]
fn the_caller_giving_up_cancels_the_client() {
    let mut b = Bench::new("");
    let call = incoming(&mut b);
    let cancelled = b.run_until(Duration::from_secs(30), |e| match e {
        Event::Cancelled { call: c } if *c == call => Some(()),
        _ => None,
    });
    assert!(cancelled.is_some(), "{:?}", b.client_events);
    b.run(Duration::from_secs(8));
    assert_eq!(b.port_state(0), "idle");
}

#[test]
fn a_rejected_call_leaves_the_line_ringing_unanswered() {
    let mut b = Bench::new("");
    let call = incoming(&mut b);
    b.client
        .reject(b.now, call, 486, "Busy Here")
        .expect("reject");
    b.run(Duration::from_secs(1));
    assert_eq!(b.port_state(0), "ringing (ignored)");
    assert!(b.gateway.calls_view(b.now).is_empty());
    // No second INVITE for the same ringing episode.
    let again = b.run_until(Duration::from_secs(25), |e| match e {
        Event::IncomingCall { call: c, .. } if *c != call => Some(()),
        _ => None,
    });
    assert!(again.is_none());
    assert_eq!(b.port_state(0), "idle");
}
