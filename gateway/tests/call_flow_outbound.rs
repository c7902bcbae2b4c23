//! Outbound call on the virtual clock: client → gateway → simulated call centre,
//! with the agent's command and IVR digits, ended by the far end.

mod support;

use std::time::Duration;

use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent};
use sip::Event;
use support::Bench;

#[test]
fn the_call_centre_call_runs_end_to_end_on_virtual_time() {
    let mut b = Bench::new("");
    let call = b.call(
        "1800",
        &[("X-Session-Id", "sess-1"), ("X-Merchant-Id", "m-9")],
    );
    assert_eq!(b.port_state(0), "seized");

    let ringing = b.run_until(Duration::from_secs(10), |e| match e {
        Event::Progress { status: 180, .. } => Some(()),
        _ => None,
    });
    assert!(
        ringing.is_some(),
        "180 once ringback is heard: {:?}",
        b.client_events
    );
    let answered = b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    });
    assert!(answered.is_some(), "200 when the far end answers");
    assert_eq!(b.port_state(0), "connected");

    let (_, live) = b.gateway.lookup_ani(b.now, "4155550100").expect("port");
    let live = live.expect("a live call");
    assert_eq!(live.context.session_id.as_deref(), Some("sess-1"));
    assert_eq!(live.context.merchant_id.as_deref(), Some("m-9"));

    let info = b.run_until(Duration::from_secs(5), |e| match e {
        Event::InfoReceived {
            body, content_type, ..
        } => Some((content_type.clone(), body.clone())),
        _ => None,
    });
    let (ct, body) = info.expect("the *76 command arrives as INFO");
    assert_eq!(ct, "application/json");
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["command"], "push-page");
    assert_eq!(v["url"], "https://shop.example/help");
    assert_eq!(v["ani"], "4155550100");
    assert_eq!(v["session_id"], "sess-1");

    let ended = b.run_until(Duration::from_secs(10), |e| match e {
        Event::Ended { call: c, by_remote } if *c == call => Some(*by_remote),
        _ => None,
    });
    assert_eq!(ended, Some(true), "the far end's hang-up becomes a BYE");
    b.run(Duration::from_millis(100));
    assert_eq!(b.port_state(0), "idle");
    assert!(b
        .gateway
        .lookup_ani(b.now, "4155550100")
        .unwrap()
        .1
        .is_none());
    assert!(b.gateway.calls_view(b.now).is_empty());

    // Audio: the call centre's tone, no DTMF; events: only the IVR digits.
    let mut pcm = Vec::new();
    let mut events = Vec::new();
    for p in &b.rtp {
        let Ok(r) = gateway::media::rtp::parse(p) else {
            continue; // RTCP
        };
        match r.payload_type.0 {
            0 => {
                let mut f = [0i16; 160];
                dsp::g711::Law::Ulaw.decode(r.payload, &mut f);
                pcm.extend_from_slice(&f);
            }
            101 => {
                let key = (r.timestamp.0, r.payload[0]);
                if !events.contains(&key) {
                    events.push(key);
                }
            }
            other => panic!("unexpected payload type {other}"),
        }
    }
    let digits: String = events
        .iter()
        .map(|(_, e)| dsp::dtmf::Digit::from_event_code(*e).unwrap().as_char())
        .collect();
    assert_eq!(digits, "12");
    let mut d = Detector::new(DetectorConfig::default());
    d.process(&pcm);
    let mut heard = Vec::new();
    while let Some(e) = d.poll_event() {
        if let DtmfEvent::Start { digit, .. } = e {
            heard.push(digit.as_char());
        }
    }
    assert!(heard.is_empty(), "DTMF leaked into the audio: {heard:?}");
    assert!(
        dsp::level::rms_dbm0(&pcm[..8000]) > -20.0,
        "the call centre's tone is heard"
    );
}
