//! Line → IP added delay: the line's voice goes through the whole line → IP
//! path (echo canceller, DTMF detector and squelch, gain, codec) into RTP; the
//! client decodes each packet as it is sent and plays it at once. The lag of
//! the client's audio behind the line, found by cross-correlation, minus the
//! packet time (20 ms) is the gateway's added delay.
//!
//! The bound is one packet time + the jitter target (0: there is no jitter
//! buffer in this direction) + 2 ms. The DTMF squelch's default look-ahead
//! (1 ms) is what the gateway adds; the full look-ahead (19 ms) is measured
//! too, and Opus's own delays come on top for Opus.

mod media_support;

use std::time::{Duration, Instant};

use dsp::FRAME_SAMPLES;
use gateway::config::MediaConfig;
use gateway::media::codec::{Decoder, MAX_DECODED};
use gateway::media::rtp;
use gateway::media::session::RtpQueue;
use media_support::{lag_per_second, session, ClientCodec};

const SECONDS: usize = 12;

/// Added delay per second of the call (after the first), ms, and the least
/// correlation found.
fn added_delay(codec: ClientCodec, config: &MediaConfig) -> (Vec<f64>, f64) {
    let t0 = Instant::now();
    let mut gw = session(codec, config, t0);
    let mut decoder = match codec {
        ClientCodec::Pcmu => Decoder::g711(dsp::g711::Law::Ulaw),
        ClientCodec::Opus => Decoder::opus().unwrap(),
    };
    let mut voice = dsp::voice::Voice::new(7);
    let mut line = vec![0i16; SECONDS * 8000];
    voice.fill(&mut line);
    // The line's DC and hum filter (the canceller's first stage) shifts the
    // phase below 300 Hz, where the synthetic voice has its pitch, enough to
    // blur the correlation; its group delay in the speech band (0.8 ms at
    // 300 Hz, 0.07 ms at 1 kHz) is left out of the figure.
    let mut reference = line.clone();
    dsp::echo::HighPass::new().process(&mut reference);
    // The client's playback: a packet sent at the end of line frame j plays
    // from client sample 160 (j + 1): one packet time behind the frame's start.
    let mut client = vec![0i16; FRAME_SAMPLES];
    let mut queue = RtpQueue::new();
    let mut pcm = [0i16; MAX_DECODED];
    for (j, frame) in line.chunks_exact(FRAME_SAMPLES).enumerate() {
        let now = t0 + Duration::from_millis(20 * (j as u64 + 1));
        gw.process_line(frame.try_into().unwrap());
        while gw.poll_dtmf().is_some() {}
        gw.transmit(now, &mut queue);
        let mut audio = 0;
        while let Some(out) = queue.pop_front() {
            let Ok(r) = rtp::parse(out.bytes()) else {
                continue; // RTCP
            };
            if r.payload_type == gw.payload_type() {
                let n = decoder.decode(r.payload, &mut pcm);
                assert_eq!(n, FRAME_SAMPLES);
                client.extend_from_slice(&pcm[..n]);
                audio += 1;
            }
        }
        assert_eq!(audio, 1, "one audio packet per frame");
    }
    let (lags, correlation) = lag_per_second(&reference, &client, SECONDS - 1, 1.0);
    assert!(
        lags.len() >= SECONDS - 4,
        "voice found in {} seconds",
        lags.len()
    );
    let least = correlation.iter().copied().fold(1.0, f64::min);
    (lags.iter().map(|l| l - 20.0).collect(), least)
}

#[test]
fn pcmu_adds_the_squelch_look_ahead_only() {
    let (added, c) = added_delay(ClientCodec::Pcmu, &MediaConfig::default());
    eprintln!("line → IP, PCMU, default: added {added:?} ms, correlation ≥ {c:.3}");
    assert!(c > 0.95, "correlation {c}");
    // One packet time + jitter target (0: no jitter buffer this way) + 2 ms.
    for a in added {
        assert!((a - 1.0).abs() < 0.2, "added {a} ms");
        assert!(a <= 2.0, "added {a} ms");
    }
}

#[test]
fn full_squelch_look_ahead_costs_19_ms() {
    let config = MediaConfig {
        dtmf_squelch_lookahead_ms: 19,
        ..MediaConfig::default()
    };
    let (added, c) = added_delay(ClientCodec::Pcmu, &config);
    eprintln!("line → IP, PCMU, 19 ms look-ahead: added {added:?} ms");
    assert!(c > 0.95, "correlation {c}");
    for a in added {
        assert_eq!(a, 19.0);
    }
}

#[test]
fn opus_adds_the_look_ahead_and_the_codec_delay() {
    let (added, c) = added_delay(ClientCodec::Opus, &MediaConfig::default());
    eprintln!("line → IP, Opus, default: added {added:?} ms, correlation ≥ {c:.3}");
    assert!(c > 0.8, "correlation {c}");
    // On top of the 1 ms look-ahead: the 8 → 48 kHz resampler's group delay
    // (31.5 samples at 8 kHz, 3.94 ms; `dsp::resample`) and Opus's own
    // look-ahead (6.5 ms). Single seconds can lock onto a pitch period
    // instead; the typical second is the figure.
    let expected = 1.0 + 3.94 + 6.5;
    let mut sorted = added.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    assert!((median - expected).abs() < 0.5, "median {median} ms");
    let agree = added.iter().filter(|a| (*a - expected).abs() < 0.5).count();
    assert!(
        agree * 10 >= added.len() * 7,
        "{agree} of {} seconds",
        added.len()
    );
}
