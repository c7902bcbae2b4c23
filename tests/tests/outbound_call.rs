//! An IP client (sipp) calls the simulated call centre through the gateway.
//!
//! Checks, against the real binary and a real SIP peer:
//! - the call is set up (INVITE/180/200/ACK) and the audio the gateway sends is the
//!   call centre's (its 1 kHz greeting tone, then speech);
//! - the agent's ordinary IVR digits `12` arrive as RFC 4733 events;
//! - the agent's `*76` arrives as an in-dialog INFO with the command's JSON, and
//!   neither `*76` nor `12` can be heard in the RTP audio;
//! - the CRM's ANI lookup returns the live call's context to the merchant's token
//!   (also by port and by Call-ID), 403 to another merchant, 401 without a token,
//!   and 404 once the call ended;
//! - the merchant's webhook receives the call's events and the command (after a
//!   refused first attempt), and the browser's event stream for the session gets
//!   the same events.

use std::time::Duration;

use gateway_tests::audio;
use gateway_tests::config::{board, merchants, ANI0, SHOP1_TOKEN, SHOP2_TOKEN};
use gateway_tests::gateway::Gateway;
use gateway_tests::rtp_capture::{event_char, telephone_events, RtpCapture};
use gateway_tests::sipp::Sipp;
use gateway_tests::sse::SseClient;
use gateway_tests::webhook::WebhookReceiver;
use gateway_tests::{http, require, wait_for};

#[test]
fn ip_client_calls_the_call_centre() {
    if !require(&["sipp"]) {
        return;
    }
    let hook = WebhookReceiver::start(1);
    let webhook_url = format!("http://{}/hooks/calls", hook.addr);
    let config = format!(
        "{}\n{}",
        board("sip:agent@127.0.0.1:9", "none"),
        merchants(Some(&webhook_url))
    );
    let gw = Gateway::start(&config);
    // The page follows its session with the token the merchant's server got.
    let browser = SseClient::connect_session(gw.api, "sess-e2e-1", SHOP1_TOKEN);
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

    // During the call: the merchant's CRM finds the web session by the port's ANI.
    let ani_path = format!("/api/v1/ani/{ANI0}");
    let live = wait_for(Duration::from_secs(30), || {
        let (status, body) = http::get_as(gw.api, &ani_path, Some(SHOP1_TOKEN)).ok()?;
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
    assert!(call["started_unix"].as_f64().unwrap() > 1.7e9);
    let call_id = call["context"]["call_id"].as_str().unwrap().to_string();
    assert!(!call_id.is_empty());
    assert_eq!(live["port"]["port"], 0);
    // The same call by port and by Call-ID.
    let (status, by_port) = http::get_as(gw.api, "/api/v1/ports/0", Some(SHOP1_TOKEN)).unwrap();
    assert_eq!(status, 200, "{by_port}");
    assert!(by_port.contains(&call_id));
    let (status, by_id) = http::get_as(
        gw.api,
        &format!("/api/v1/calls/{call_id}"),
        Some(SHOP1_TOKEN),
    )
    .unwrap();
    assert_eq!(status, 200, "{by_id}");
    // Another merchant's CRM may not see it; no token is refused.
    let (status, body) = http::get_as(gw.api, &ani_path, Some(SHOP2_TOKEN)).unwrap();
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("\"forbidden\""));
    let (status, calls) = http::get_as(gw.api, "/api/v1/calls", Some(SHOP2_TOKEN)).unwrap();
    assert_eq!(status, 200);
    assert!(!calls.contains(&call_id), "{calls}");
    let (status, _) = http::get_as(gw.api, &ani_path, None).unwrap();
    assert_eq!(status, 401);
    let (status, _) = http::get_as(gw.api, &ani_path, Some("not-a-token")).unwrap();
    assert_eq!(status, 401);

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
    let (status, body) = http::get_as(gw.api, &ani_path, Some(SHOP1_TOKEN)).unwrap();
    assert_eq!(status, 404, "{body}");
    assert!(body.contains("\"error\""), "{body}");

    // The merchant's webhook got the call's events, the command after one retry.
    let delivered = wait_for(Duration::from_secs(10), || {
        let got = hook.accepted();
        got.iter()
            .any(|v| v["event"] == "call-ended")
            .then_some(got)
    })
    .expect("the webhook receives the call's end");
    assert_eq!(hook.refused(), 1, "the first POST was refused and retried");
    let kinds: Vec<&str> = delivered
        .iter()
        .map(|v| v["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["call-answered", "command", "call-ended"],
        "{delivered:?}"
    );
    let command = &delivered[1];
    assert_eq!(command["data"]["command"], "push-page");
    assert_eq!(command["data"]["url"], "https://shop.example/help");
    assert_eq!(command["session_id"], "sess-e2e-1");
    assert_eq!(command["call_id"], call_id.as_str());
    assert_eq!(delivered[2]["data"]["end_reason"], "far-end-hangup");
    assert_eq!(delivered[2]["data"]["commands"][0], "*76");
    // The browser's event stream for the session saw the same.
    let seen = wait_for(Duration::from_secs(5), || {
        let e = browser.events();
        (e.len() >= 3).then_some(e)
    })
    .unwrap_or_else(|| panic!("SSE events: {:?}", browser.raw()));
    let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["call-answered", "command", "call-ended"]);
    assert_eq!(seen[1].1["data"]["command"], "push-page");

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
