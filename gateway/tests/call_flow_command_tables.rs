//! Command tables per route: the same agent keypresses are a command on one
//! route and ordinary digits on another.

mod support;

use std::time::Duration;

use sip::Event;
use support::Bench;

const AGENT: &str = r#"
[[simulation.subscribers]]
number = "1903"
name = "Agent"
behaviour = "answer"
answer_after_rings = 1
script = [
  { at_ms = 0, play = "silence" },
  { at_ms = 2000, dial = "*76" },
  { at_ms = 4000, dial = "*12" },
]
"#;

/// Call `user`, run 7 s of the call, and return the commands the client got
/// and the RFC 4733 digits it got.
fn run(user: &str) -> (Vec<String>, String) {
    let mut b = Bench::new(AGENT);
    b.call(user, &[]);
    b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    })
    .expect("answered");
    b.run(Duration::from_secs(8));
    let urls = b
        .client_events
        .iter()
        .filter_map(|e| match e {
            Event::InfoReceived { body, .. } => {
                let v: serde_json::Value = serde_json::from_slice(body).ok()?;
                Some(v["url"].as_str()?.to_string())
            }
            _ => None,
        })
        .collect();
    let mut events: Vec<(u32, u8)> = Vec::new();
    for p in &b.rtp {
        let Ok(r) = gateway::media::rtp::parse(p) else {
            continue;
        };
        if r.payload_type.0 == 101 && !events.contains(&(r.timestamp.0, r.payload[0])) {
            events.push((r.timestamp.0, r.payload[0]));
        }
    }
    let digits = events
        .iter()
        .map(|(_, e)| dsp::dtmf::Digit::from_event_code(*e).unwrap().as_char())
        .collect();
    (urls, digits)
}

#[test]
fn the_default_table_knows_star_76_only() {
    let (urls, digits) = run("1903");
    assert_eq!(urls, ["https://shop.example/help"]);
    assert_eq!(
        digits, "*12",
        "*12 is not a command here: released as digits"
    );
}

#[test]
fn the_sales_route_has_its_own_table() {
    let (urls, digits) = run("771903");
    assert_eq!(urls, ["https://shop.example/sales"]);
    assert_eq!(digits, "*76", "*76 is not a command on this route");
}
