//! The command plane end to end: an agent on the simulated call centre keys every
//! kind of command; the IP client (sipp) receives each as an INFO, the merchant's
//! webhook and the browser's event stream receive each event, no command tone is
//! in the audio the client hears, and the ordinary IVR digits pass as RFC 4733.

use std::time::Duration;

use gateway_tests::audio;
use gateway_tests::config::{board, merchants, SHOP1_TOKEN};
use gateway_tests::gateway::Gateway;
use gateway_tests::rtp_capture::{event_char, telephone_events, RtpCapture};
use gateway_tests::sipp::Sipp;
use gateway_tests::sse::SseClient;
use gateway_tests::webhook::WebhookReceiver;
use gateway_tests::{require, wait_for};

const AGENT: &str = r##"
[[simulation.subscribers]]
number = "1850"
name = "Agent keying everything"
behaviour = "answer"
answer_after_rings = 1
script = [
  { at_ms = 0, play = "voice" },
  { at_ms = 1500, dial = "*76" },
  { at_ms = 3000, dial = "*22" },
  { at_ms = 4500, dial = "*88" },
  { at_ms = 6000, dial = "*31" },
  { at_ms = 7500, dial = "*33" },
  { at_ms = 9000, dial = "#42" },
  { at_ms = 10500, dial = "12" },
  { at_ms = 12500, hangup = true },
]

[[commands.sequence]]
digits = "*88"
action = "volume-down"

[[commands.sequence]]
digits = "*31"
action = "echo-suppression-on"

[[commands.sequence]]
digits = "*33"
action = "echo-cancellation-off"

[commands.channel]
key = "#"
digits = 2
url_prefix = "https://crm.example/desk/"
"##;

const EXPECTED: [&str; 6] = [
    "push-page",
    "volume-up",
    "volume-down",
    "echo-suppression-on",
    "echo-cancellation-off",
    "link-desk",
];

#[test]
fn every_command_reaches_client_webhook_and_browser_and_none_is_heard() {
    if !require(&["sipp"]) {
        return;
    }
    let hook = WebhookReceiver::start(0);
    let config = format!(
        "{}\n{}\n{AGENT}",
        board("sip:agent@127.0.0.1:9", "none"),
        merchants(Some(&format!("http://{}/hook", hook.addr)))
    );
    let gw = Gateway::start(&config);
    let browser = SseClient::connect_session(gw.api, "sess-cmd", SHOP1_TOKEN);
    let rtp = RtpCapture::start();
    let port = rtp.addr.port().to_string();
    let outcome = Sipp::start(
        "uac_commands.xml",
        Some(gw.sip),
        &[
            "-s",
            "1850",
            "-m",
            "1",
            "-key",
            "rtp_port",
            &port,
            "-key",
            "session_id",
            "sess-cmd",
        ],
    )
    .wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "sipp failed:\n{}\n{}",
        outcome.errors,
        outcome.messages
    );

    // The client: one INFO per command, in order, each with its details.
    let infos: Vec<serde_json::Value> = outcome
        .messages
        .split("INFO sip:")
        .skip(1)
        .filter_map(|m| {
            // The JSON body is one line of the logged message.
            let line = m.lines().find(|l| l.trim_start().starts_with('{'))?;
            serde_json::from_str(line.trim()).ok()
        })
        .collect();
    let commands: Vec<&str> = infos
        .iter()
        .map(|v| v["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(commands, EXPECTED, "{}", outcome.messages);
    assert_eq!(infos[0]["url"], "https://shop.example/help");
    assert_eq!(infos[1]["volume_percent"], 120);
    assert_eq!(infos[2]["volume_percent"], 100);
    assert_eq!(infos[5]["url"], "https://crm.example/desk/42");
    assert!(infos.iter().all(|v| v["session_id"] == "sess-cmd"));

    // The merchant's webhook and the browser's stream: the same commands.
    let posted = wait_for(Duration::from_secs(10), || {
        let got = hook.accepted();
        got.iter()
            .any(|v| v["event"] == "call-ended")
            .then_some(got)
    })
    .expect("webhook gets the call's end");
    let hooked: Vec<&str> = posted
        .iter()
        .filter(|v| v["event"] == "command")
        .map(|v| v["data"]["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(hooked, EXPECTED);
    let streamed = wait_for(Duration::from_secs(5), || {
        let e = browser.events();
        e.iter().any(|(n, _)| n == "call-ended").then_some(e)
    })
    .unwrap_or_else(|| panic!("SSE: {}", browser.raw()));
    let sse: Vec<&str> = streamed
        .iter()
        .filter(|(n, _)| n == "command")
        .map(|(_, v)| v["data"]["command"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(sse, EXPECTED);

    // No command tone in what the client heard; the IVR digits passed as events.
    let packets = rtp.finish();
    let pcm = audio::decode(&packets, 0);
    assert!(pcm.len() > 8000 * 8, "{} samples", pcm.len());
    assert_eq!(audio::dtmf_digits(&pcm), "", "DTMF leaked into the audio");
    let digits: String = telephone_events(&packets, 101)
        .iter()
        .map(|e| event_char(e.1))
        .collect();
    assert_eq!(digits, "12");
}
