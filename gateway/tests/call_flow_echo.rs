//! Echo on an analog line, measured through the gateway: the simulated hybrid
//! returns the client's voice 12 dB down; the line echo canceller removes it, and
//! the agent's keypad switches the canceller off and on again.

mod support;

use std::time::Duration;

use sip::Event;
use support::Bench;

const AGENT: &str = r#"
[simulation.hybrid_echo]
return_loss_db = 12
delay_ms = 4

[[simulation.subscribers]]
number = "1950"
name = "Quiet agent"
behaviour = "answer"
answer_after_rings = 1
script = [
  { at_ms = 0, play = "silence" },
  { at_ms = 8000, dial = "*33" },
  { at_ms = 14000, dial = "*34" },
]

[[commands.sequence]]
digits = "*33"
action = "echo-cancellation-off"

[[commands.sequence]]
digits = "*34"
action = "echo-cancellation-on"
"#;

/// The client's audio as the gateway sent it, from the answer on.
fn received(b: &Bench) -> Vec<i16> {
    let mut pcm = Vec::new();
    for p in &b.rtp {
        let Ok(r) = gateway::media::rtp::parse(p) else {
            continue;
        };
        if r.payload_type.0 == 0 {
            let mut f = [0i16; 160];
            dsp::g711::Law::Ulaw.decode(r.payload, &mut f);
            pcm.extend_from_slice(&f);
        }
    }
    pcm
}

fn level(pcm: &[i16], from_s: f64, to_s: f64) -> f32 {
    dsp::level::rms_dbm0(&pcm[(from_s * 8000.0) as usize..(to_s * 8000.0) as usize])
}

#[test]
fn the_line_echo_canceller_removes_the_hybrid_echo_and_the_keypad_switches_it() {
    let mut b = Bench::new(AGENT);
    b.client_tone = Some((1000.0, -20.0));
    b.call("1950", &[]);
    b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    })
    .expect("answered");
    b.run(Duration::from_secs(18));
    let pcm = received(&b);
    let converged = level(&pcm, 4.0, 7.5);
    let off = level(&pcm, 10.0, 13.5);
    let on_again = level(&pcm, 16.5, 17.8);
    println!("echo heard by the client: canceller on {converged:.1} dBm0, off {off:.1}, on again {on_again:.1}");
    // Without cancellation the client hears itself at -20 - 12 dBm0.
    assert!(
        (off + 32.0).abs() < 2.0,
        "echo with the canceller off: {off}"
    );
    // With it, at least 20 dB less (the G.168 tests measure the canceller itself).
    assert!(off - converged >= 20.0, "on {converged} vs off {off}");
    assert!(off - on_again >= 20.0, "on again {on_again} vs off {off}");
    let view = &b.gateway.calls_view(b.now)[0];
    assert!(view.settings.echo_cancellation);
    assert_eq!(view.commands, ["*33", "*34"]);
}
