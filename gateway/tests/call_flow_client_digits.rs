//! Commands keyed on the IP client's side: on a call from the PSTN the agent is
//! the IP client. Its RFC 4733 digits and its SIP INFO digits go through the
//! command recognizer; commands are delivered, their digits never reach the
//! line, and ordinary digits are played to the caller.

mod support;

use std::time::Duration;

use dsp::dtmf::{Detector, DetectorConfig, Digit, DtmfEvent};
use gateway::config::Codec;
use gateway::media::negotiation;
use gateway::media::rtp::{PayloadType, RtpSender, RtpTimestamp, Ssrc};
use gateway::media::telephone_event::EventPayload;
use sip::Event;
use support::{Bench, CLIENT_RTP};

/// A phone whose call lasts long enough for the agent to key.
const PHONE: &str = r#"
[[simulation.phones]]
name = "long caller"
number = "2125550111"
give_up_after_rings = 6
script = [ { at_ms = 0, play = "silence" }, { at_ms = 20000, hangup = true } ]
"#;

/// Send one digit as RFC 4733: a start, updates for 100 ms, three ends.
fn key(b: &mut Bench, rtp: &mut RtpSender, ts: &mut u32, digit: char) {
    let code = Digit::from_char(digit).unwrap().event_code();
    let start = RtpTimestamp(*ts);
    for (i, duration) in [160u16, 320, 480, 640, 800, 800, 800, 800]
        .iter()
        .enumerate()
    {
        let payload = EventPayload {
            event: code,
            end: i >= 5,
            volume: 10,
            duration: *duration,
        }
        .encode();
        let mut buf = [0u8; 64];
        let n = rtp
            .at(PayloadType(101), start, i == 0, &payload, &mut buf)
            .unwrap();
        b.gateway.handle_rtp(
            b.now,
            gateway::media::TransportId(0),
            CLIENT_RTP.parse().unwrap(),
            &buf[..n],
        );
        b.run(Duration::from_millis(20));
    }
    *ts = ts.wrapping_add(1600);
    b.run(Duration::from_millis(200));
}

fn info_bodies(b: &Bench) -> Vec<serde_json::Value> {
    b.client_events
        .iter()
        .filter_map(|e| match e {
            Event::InfoReceived { body, .. } => serde_json::from_slice(body).ok(),
            _ => None,
        })
        .collect()
}

#[test]
fn the_agents_keypad_on_the_ip_side_drives_commands() {
    let mut b = Bench::new(PHONE);
    b.sim.place_call("long caller", "4155550100").unwrap();
    let call = b
        .run_until(Duration::from_secs(10), |e| match e {
            Event::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .expect("the agent's client is called");
    let answer = negotiation::sdp(
        CLIENT_RTP.parse().unwrap(),
        5,
        1,
        &[Codec::Pcmu],
        Some(PayloadType(101)),
    );
    b.client.accept(b.now, call, answer.as_bytes()).unwrap();
    b.run(Duration::from_millis(500));
    let line_from = b.line_tx.len();

    let mut rtp = RtpSender::new(Ssrc(0xa9e7), 1, RtpTimestamp(0));
    let mut ts = 0u32;
    for d in ['*', '7', '6', '5'] {
        key(&mut b, &mut rtp, &mut ts, d);
    }
    // '*22' by SIP INFO (application/dtmf-relay), one digit per INFO.
    for d in ['*', '2', '2'] {
        let body = format!("Signal={d}\r\nDuration=160\r\n");
        b.client
            .send_info(b.now, call, "application/dtmf-relay", body.as_bytes())
            .unwrap();
        b.run(Duration::from_millis(300));
    }
    b.run(Duration::from_secs(1));

    let commands: Vec<String> = info_bodies(&b)
        .iter()
        .map(|v| v["command"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(commands, ["push-page", "volume-up"]);
    let view = &b.gateway.calls_view(b.now)[0];
    assert_eq!(view.commands, ["*76", "*22"]);

    // The caller on the line heard the ordinary 5, and no command digit.
    let mut detector = Detector::new(DetectorConfig::default());
    detector.process(&b.line_tx[line_from..]);
    let mut heard = String::new();
    while let Some(e) = detector.poll_event() {
        if let DtmfEvent::Start { digit, .. } = e {
            heard.push(digit.as_char());
        }
    }
    assert_eq!(heard, "5");
}
