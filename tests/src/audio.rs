//! Audio checks on what the gateway sent: decode G.711, measure tones, look for
//! DTMF with the firmware's own detector (and an independent Goertzel check).

use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent};
use dsp::g711::Law;

use crate::rtp_capture::Packet;

/// Decode the audio packets of payload type `pt` (0 = PCMU, 8 = PCMA) in
/// sequence order into 8 kHz PCM; gaps are not filled.
pub fn decode(packets: &[Packet], pt: u8) -> Vec<i16> {
    let law = if pt == 8 { Law::Alaw } else { Law::Ulaw };
    let mut audio: Vec<&Packet> = packets.iter().filter(|p| p.payload_type() == pt).collect();
    audio.sort_by_key(|p| p.at);
    let mut pcm = Vec::new();
    for p in audio {
        let mut frame = vec![0i16; p.payload().len()];
        law.decode(p.payload(), &mut frame);
        pcm.extend_from_slice(&frame);
    }
    pcm
}

/// Power of `freq` in `samples` (Goertzel), normalised by length.
pub fn goertzel(samples: &[i16], freq: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * freq / 8000.0;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s = f64::from(x) + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let p = s1 * s1 + s2 * s2 - c * s1 * s2;
    p / (samples.len().max(1) as f64).powi(2)
}

/// RMS level of `samples` in dBm0 (16-bit scale, 0 dBm0 = sine peak 22790).
pub fn rms_dbm0(samples: &[i16]) -> f64 {
    f64::from(dsp::level::rms_dbm0(samples))
}

/// The strongest of `candidates` in `samples`.
pub fn strongest(samples: &[i16], candidates: &[f64]) -> f64 {
    candidates
        .iter()
        .copied()
        .max_by(|a, b| goertzel(samples, *a).total_cmp(&goertzel(samples, *b)))
        .unwrap_or(0.0)
}

/// Digits the firmware's detector finds in `samples`.
pub fn dtmf_digits(samples: &[i16]) -> String {
    let mut d = Detector::new(DetectorConfig::default());
    let mut out = String::new();
    for chunk in samples.chunks(160) {
        d.process(chunk);
        while let Some(e) = d.poll_event() {
            if let DtmfEvent::Start { digit, .. } = e {
                out.push(digit.as_char());
            }
        }
    }
    out
}

/// The DTMF frequencies.
pub const DTMF_FREQS: [f64; 8] = [697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0];

/// The highest level (dBm0-like, relative to a full 0 dBm0 sine) of any DTMF
/// frequency in any 20 ms window of `samples`.
pub fn max_dtmf_level_db(samples: &[i16]) -> f64 {
    // A 0 dBm0 sine of peak 22790 gives goertzel power (A/2)^2.
    let reference = (22790.0f64 / 2.0).powi(2);
    samples
        .chunks(160)
        .filter(|c| c.len() == 160)
        .flat_map(|c| DTMF_FREQS.iter().map(move |f| goertzel(c, *f)))
        .map(|p| 10.0 * (p / reference).max(1e-12).log10())
        .fold(f64::NEG_INFINITY, f64::max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f64, peak: f64, n: usize) -> Vec<i16> {
        (0..n)
            .map(|i| (peak * (2.0 * std::f64::consts::PI * freq * i as f64 / 8000.0).sin()) as i16)
            .collect()
    }

    #[test]
    fn goertzel_finds_the_tone_and_level() {
        let s = sine(1000.0, 22790.0, 1600);
        assert_eq!(strongest(&s, &[400.0, 1000.0, 1400.0]), 1000.0);
        let db = max_dtmf_level_db(&sine(697.0, 22790.0 / 10f64.powf(0.5), 1600));
        assert!((db + 10.0).abs() < 1.0, "{db}");
    }
}
