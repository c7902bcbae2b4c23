//! A line with no echo path: whatever the far end plays, the near end must come
//! through the canceller untouched (found with a softphone playing a loud tone:
//! the agent's audio was cut by 13 dB and DTMF digits were lost, because the
//! filter learnt to cancel the near end from the reference's quantisation noise).

use dsp::echo::{Canceller, CancellerConfig};
use dsp::tone::{Cadence, ToneGenerator, ToneSpec};

fn tone(freq: f32, level: f32) -> ToneGenerator {
    ToneGenerator::new(ToneSpec {
        freqs: [freq, 0.0],
        level_dbm0: level,
        cadence: Cadence::CONTINUOUS,
    })
}

#[test]
fn a_loud_far_end_tone_leaves_the_near_end_alone() {
    for tail_ms in [16, 32, 64] {
        for seed in [1, 0x1234_5679, 0xdead_beef] {
            check(tail_ms, seed);
        }
    }
}

fn check(tail_ms: u32, seed: u64) {
    let mut ec = Canceller::new(CancellerConfig {
        tail_ms,
        seed,
        ..CancellerConfig::default()
    })
    .unwrap();
    let (mut far_gen, mut near_gen) = (tone(440.0, -4.0), tone(1000.0, -10.0));
    let mut levels = Vec::new();
    // The reference is what was sent to the line one frame earlier, as in the
    // gateway's media session.
    let mut sent = [0i16; 160];
    for _ in 0..150 {
        let (mut near, mut out) = ([0i16; 160], [0i16; 160]);
        near_gen.fill(&mut near);
        ec.process(&sent, &near, &mut out);
        // What reached the line came through G.711: its quantisation error is
        // periodic and has lines at multiples of 40 Hz, one of them at the
        // near end's 1 kHz.
        far_gen.fill(&mut sent);
        let mut coded = [0u8; 160];
        dsp::g711::Law::Ulaw.encode(&sent, &mut coded);
        dsp::g711::Law::Ulaw.decode(&coded, &mut sent);
        levels.push(dsp::level::rms_dbm0(&out));
    }
    let worst = levels.iter().skip(5).cloned().fold(f32::MAX, f32::min);
    println!("tail {tail_ms} seed {seed:x}: near end worst {worst:.1} dBm0 (in: -10)");
    assert!(worst > -11.0, "tail {tail_ms} seed {seed:x}: {levels:?}");
}

/// Double talk for a minute on a line with no echo path (found in the media
/// bench): the background learnt to "explain" the near talker from the far
/// end's voice, was copied, and in the near end's pauses the output played
/// the far end's voice back at about -2 dB. Now an output filter that makes
/// the line's signal louder is cleared.
#[test]
fn double_talk_without_an_echo_path_never_plays_the_far_end_back() {
    fn rms(x: &[i16]) -> f64 {
        (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }
    let mut near_voice = dsp::voice::Voice::new(1);
    let mut far_voice = dsp::voice::Voice::new(2);
    let mut ec = Canceller::new(CancellerConfig::default()).unwrap();
    let (mut frames, mut out_sum, mut far_sum) = (0, 0.0, 0.0);
    for _ in 0..3000 {
        let (mut near, mut far, mut out) = ([0i16; 160], [0i16; 160], [0i16; 160]);
        near_voice.fill(&mut near);
        far_voice.fill(&mut far);
        ec.process(&far, &near, &mut out);
        // The near end's pauses while the far end talks: whatever comes out
        // is the canceller's own making.
        if near.iter().all(|&s| s == 0) && rms(&far) > 100.0 {
            frames += 1;
            out_sum += rms(&out);
            far_sum += rms(&far);
        }
    }
    let ratio_db = 20.0 * (out_sum / far_sum).log10();
    println!(
        "{frames} near-end pause frames: output {ratio_db:.1} dB under the far end, filters cleared {} times",
        ec.clears()
    );
    assert!(frames > 300, "{frames}");
    assert!(ratio_db < -20.0, "{ratio_db:.1} dB");
}
