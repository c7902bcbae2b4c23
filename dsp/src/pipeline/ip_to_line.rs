//! IP -> line media path: gain and RFC 4733 digit playout.
//!
//! While a digit plays (from `start_digit` to `stop_digit`), the generated
//! tone replaces the audio; during the short gap that follows a digit the
//! audio is silent, so back-to-back events stay separate digits on the line.

use crate::dtmf::{Digit, Generator, GeneratorConfig};
use crate::gain::Gain;
use crate::FRAME_SAMPLES;

/// IP -> line direction.
#[derive(Debug)]
pub struct IpToLine {
    generator: Generator,
    gain: Gain,
}

impl IpToLine {
    /// Unity gain, digits at −10 dBm0 per tone, 50 ms minimum gap.
    pub fn new() -> Self {
        Self {
            generator: Generator::new(GeneratorConfig {
                off_ms: 50,
                ..GeneratorConfig::default()
            }),
            gain: Gain::UNITY,
        }
    }

    /// One frame in, one frame out.
    pub fn process(&mut self, input: &[i16; FRAME_SAMPLES], output: &mut [i16; FRAME_SAMPLES]) {
        if self.generator.is_idle() {
            output.copy_from_slice(input);
            self.gain.apply(output);
        } else {
            self.generator.fill(output);
        }
    }

    /// Starts playing `digit` until [`IpToLine::stop_digit`] (RFC 4733 event start).
    pub fn start_digit(&mut self, digit: Digit) {
        self.generator.hold(digit);
    }

    /// Stops the digit (RFC 4733 end of event).
    pub fn stop_digit(&mut self) {
        self.generator.release();
    }

    /// Plays `digit` once with the generator's own timing (a digit that arrived
    /// whole, e.g. by SIP INFO, or one released late). Returns false if the
    /// queue is full.
    pub fn queue_digit(&mut self, digit: Digit) -> bool {
        self.generator.queue(digit).is_ok()
    }

    /// Audio gain, dB (saturating; clamped to ±24 dB, [`crate::gain`]).
    pub fn set_gain_db(&mut self, db: f32) {
        self.gain.set_db(db);
    }
}

impl Default for IpToLine {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digit_replaces_audio_then_gain_applies() {
        let mut p = IpToLine::new();
        let input = [1000i16; FRAME_SAMPLES];
        let mut out = [0i16; FRAME_SAMPLES];
        p.set_gain_db(6.0);
        p.process(&input, &mut out);
        assert!(out.iter().all(|&s| s == 1995));
        p.start_digit(Digit::from_char('7').unwrap());
        let mut tone = Vec::new();
        for _ in 0..5 {
            p.process(&input, &mut out);
            tone.extend_from_slice(&out);
        }
        let mut d = crate::dtmf::Detector::new(Default::default());
        d.process(&tone);
        p.stop_digit();
        for _ in 0..3 {
            p.process(&input, &mut out);
            d.process(&out);
        }
        d.process(&[0; 400]);
        assert!(matches!(
            d.poll_event(),
            Some(crate::dtmf::DtmfEvent::Start { digit, .. }) if digit.as_char() == '7'
        ));
        p.process(&input, &mut out);
        assert!(out.iter().all(|&s| s == 1995), "audio back after the gap");
        p.set_gain_db(100.0);
        p.process(&[20_000; FRAME_SAMPLES], &mut out);
        assert!(out.iter().all(|&s| s == i16::MAX));
    }
}
