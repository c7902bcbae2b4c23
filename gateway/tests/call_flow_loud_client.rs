//! A loud, continuous tone from the client must not disturb the line's audio
//! toward it, nor DTMF detection on the line (found with baresip's tone source).

mod support;

use std::time::Duration;

use sip::Event;
use support::Bench;

#[test]
fn a_loud_client_tone_leaves_the_line_audio_and_commands_intact() {
    let mut b = Bench::new("");
    b.client_tone = Some((440.0, -4.0));
    b.call("1800", &[]);
    b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    })
    .expect("answered");
    b.run(Duration::from_secs(3));
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
    // The call centre's 1 kHz greeting (first 2 s) reaches the client in full.
    let windows: Vec<f32> = pcm[..16_000]
        .chunks(400)
        .map(dsp::level::rms_dbm0)
        .collect();
    assert!(
        windows.iter().skip(2).all(|l| (l + 10.0).abs() < 2.0),
        "{windows:?}"
    );
    let infos = b
        .client_events
        .iter()
        .filter(|e| matches!(e, Event::InfoReceived { .. }))
        .count();
    assert_eq!(infos, 1, "*76 recognised despite the loud client");
}
