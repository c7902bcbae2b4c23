//! An IP client (sipp) calls the simulated call centre through the gateway.
//!
//! Checks, against the real binary and a real SIP peer:
//! - the call is set up (INVITE/180/200/ACK) and the audio the gateway sends is the
//!   call centre's (its 1 kHz greeting tone, then speech);
//! - the agent's ordinary IVR digits `12` arrive as RFC 4733 events;
//! - the agent's `*76` arrives as an in-dialog INFO with the command's JSON, and
//!   neither `*76` nor `12` can be heard in the RTP audio;
//! - the CRM's ANI lookup returns the live call's context, and 404 once it ended.

use std::time::Duration;

use gateway_tests::audio;
use gateway_tests::config::{board, ANI0};
use gateway_tests::gateway::Gateway;
use gateway_tests::rtp_capture::{event_char, telephone_events, RtpCapture};
use gateway_tests::sipp::Sipp;
use gateway_tests::{have, http, wait_for};

#[test]
fn ip_client_calls_the_call_centre() {
    if !have("sipp") {
        eprintln!("sipp is not installed (run scripts/test.sh); skipping");
        return;
    }
    let gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none"));
    let rtp = RtpCapture::start();
    let port = rtp.addr.port().to_string();
    let sipp = Sipp::start(
        "uac_call_centre.xml",
        Some(gw.sip),
        &[
            "-s",
            "1800",
            "-m",
            "1",
            "-key",
            "rtp_port",
            &port,
            "-key",
            "session_id",
            "sess-e2e-1",
        ],
    );

    // During the call: the CRM finds the web session by the port's ANI.
    let live = wait_for(Duration::from_secs(30), || {
        let (status, body) = http::get(gw.api, &format!("/api/v1/ani/{ANI0}")).ok()?;
        let v: serde_json::Value = serde_json::from_str(&body).ok()?;
        (status == 200 && v["call"]["state"] == "connected").then_some(v)
    })
    .expect("the ANI lookup shows the connected call");
    let call = &live["call"];
    assert_eq!(call["context"]["session_id"], "sess-e2e-1");
    assert_eq!(call["context"]["customer_id"], "cust-42");
    assert_eq!(call["context"]["merchant_id"], "shop-1");
    assert_eq!(call["context"]["page_url"], "https://shop.example/cart");
    assert!(call["context"]["client_uri"]
        .as_str()
        .unwrap()
        .contains("customer@127.0.0.1"));
    assert!(!call["context"]["call_id"].as_str().unwrap().is_empty());
    assert_eq!(live["port"]["port"], 0);

    let outcome = sipp.wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );
    // The INFO carried the command, the port's ANI and the session.
    let info = outcome
        .messages
        .split("INFO sip:")
        .nth(1)
        .expect("an INFO was received");
    assert!(info.contains("application/json"), "{info}");
    assert!(info.contains("\"digits\":\"*76\""), "{info}");
    assert!(info.contains(&format!("\"ani\":\"{ANI0}\"")), "{info}");
    assert!(info.contains("\"session_id\":\"sess-e2e-1\""), "{info}");

    // After the call: 404 with a JSON error.
    let (status, body) = http::get(gw.api, &format!("/api/v1/ani/{ANI0}")).unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"error\""), "{body}");

    let packets = rtp.finish();
    let pcm = audio::decode(&packets, 0);
    assert!(
        pcm.len() > 8000 * 5,
        "at least 5 s of audio, got {} samples",
        pcm.len()
    );

    // The call centre's greeting: a 1 kHz tone in the first second of audio.
    let start = pcm
        .iter()
        .position(|s| s.unsigned_abs() > 1000)
        .expect("the call centre's audio is not silent");
    let greeting = &pcm[start..start + 4000];
    assert_eq!(
        audio::strongest(greeting, &[440.0, 697.0, 1000.0, 1209.0, 1400.0]),
        1000.0
    );
    // Then speech: loud enough, and not a single tone.
    let speech = &pcm[start + 14_000..start + 19_000];
    assert!(audio::rms_dbm0(speech) > -40.0, "speech is audible");

    // No DTMF can be heard: neither the command nor the IVR digits.
    assert_eq!(audio::dtmf_digits(&pcm), "", "DTMF leaked into the audio");

    // The IVR digits came as RFC 4733 events, the command's digits did not.
    let events = telephone_events(&packets, 101);
    let digits: String = events.iter().map(|e| event_char(e.1)).collect();
    assert_eq!(digits, "12", "events: {events:?}");
    assert!(events.iter().all(|e| e.2), "every event ended: {events:?}");
}
