//! The agent's keypad drives the caller's side: volume up/down change the level
//! of the client's audio on the line by 20% a step (and tell the client), and the
//! channel code links the agent's desk. All on the virtual clock.

mod support;

use std::time::Duration;

use sip::Event;
use support::Bench;

const AGENT: &str = r##"
[[simulation.subscribers]]
number = "1900"
name = "Agent with a keypad"
behaviour = "answer"
answer_after_rings = 1
script = [
  { at_ms = 0, play = "silence" },
  { at_ms = 2000, dial = "*22" },
  { at_ms = 4000, dial = "*88" },
  { at_ms = 5000, dial = "*88" },
  { at_ms = 6000, dial = "#42" },
  { at_ms = 7000, dial = "5" },
]
"##;

/// RMS level in dBm0 of the line audio between `from` and `to` seconds after `t0`.
fn level(b: &Bench, t0: usize, from: f64, to: f64) -> f32 {
    let s = t0 + (from * 8000.0) as usize;
    let e = t0 + (to * 8000.0) as usize;
    dsp::level::rms_dbm0(&b.line_tx[s..e])
}

#[test]
fn volume_and_channel_commands_act_and_are_delivered() {
    let mut b = Bench::new(AGENT);
    b.client_tone = Some((1000.0, -20.0));
    b.call("1900", &[("X-Session-Id", "s-7")]);
    b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    })
    .expect("answered");
    let answered_at = b.line_tx.len();
    b.run(Duration::from_secs(8));

    let infos: Vec<serde_json::Value> = b
        .client_events
        .iter()
        .filter_map(|e| match e {
            Event::InfoReceived { body, .. } => serde_json::from_slice(body).ok(),
            _ => None,
        })
        .collect();
    let commands: Vec<&str> = infos
        .iter()
        .map(|v| v["command"].as_str().unwrap())
        .collect();
    assert_eq!(
        commands,
        ["volume-up", "volume-down", "volume-down", "link-desk"]
    );
    assert_eq!(infos[0]["volume_percent"], 120);
    assert_eq!(infos[1]["volume_percent"], 100);
    assert_eq!(infos[2]["volume_percent"], 83);
    assert_eq!(infos[3]["url"], "https://crm.example/desk/42");
    assert_eq!(infos[3]["channel"], "42");
    assert_eq!(infos[3]["digits"], "#42");

    // The client's -20 dBm0 tone on the line: 0 dB, then +1.58 dB, 0 dB, -1.58 dB.
    let base = level(&b, answered_at, 1.0, 1.8);
    let up = level(&b, answered_at, 3.0, 3.8);
    let back = level(&b, answered_at, 4.6, 4.9);
    let down = level(&b, answered_at, 5.6, 5.9);
    assert!((base + 20.0).abs() < 0.5, "base level {base}");
    assert!((up - base - 1.58).abs() < 0.2, "up {up} vs {base}");
    assert!((back - base).abs() < 0.2, "back {back} vs {base}");
    assert!((down - base + 1.58).abs() < 0.2, "down {down} vs {base}");

    // The settings are visible in the call's view; the ordinary digit passed.
    let view = &b.gateway.calls_view(b.now)[0];
    assert_eq!(view.settings.volume_step, -1);
    assert_eq!(view.commands, ["*22", "*88", "*88", "#42"]);
    let events: usize = b
        .rtp
        .iter()
        .filter(|p| {
            gateway::media::rtp::parse(p).is_ok_and(|r| r.payload_type.0 == 101 && r.marker)
        })
        .count();
    assert_eq!(
        events, 1,
        "only the ordinary digit 5 went as an RFC 4733 event"
    );
}
