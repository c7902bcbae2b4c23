//! Line -> IP media path with DTMF squelch (the RFC 4733 §2.6 requirement that
//! in-band tones not be sent alongside their events; `TELEPHONY.md`: "the first
//! milliseconds of an in-band tone leak into the audio before the detector
//! fires").
//!
//! # Squelch
//!
//! Input samples go into a delay line and are released [`LOOKAHEAD`] samples
//! later. The DTMF detector judges a 102-sample window every 51 samples
//! (see [`crate::dtmf::Detector`]). Each window that passes the detector's
//! loose *early* test, or that falls inside a confirmed digit, marks the input
//! samples `[window_end − 152, window_end + 51)` for muting; muted samples are
//! released as silence.
//!
//! Why that covers a whole tone, and why the delay is 152 samples (19 ms):
//! - Windows end every 51 samples, so the first window lying entirely inside a
//!   tone that starts at sample t ends at most t + 50 + 102 = t + 152. A fully
//!   covered window passes the early test whenever the tone is one the detector
//!   would confirm (every hit passes the early test, which is looser on every
//!   criterion).
//! - Sample t is released only once the frame ending after t + 152 has been
//!   analysed, i.e. after that window was judged; its mark starts at
//!   window_end − 152 <= t.
//! - At the end: if the window after the last early-positive one was not
//!   positive, it was not fully covered, so the tone ended before that
//!   window's end = last_end + 51, which the last mark reaches.
//!
//! So 152 samples is the smallest look-ahead for this window grid; it is under
//! one frame (160). A window that passes the early test but is not confirmed
//! (speech) costs up to 203 samples (25 ms) of muted audio; see the `squelch`
//! test for the measured figure on the `voice` generator.

use crate::dtmf::{self, DtmfEvent};
use crate::level::{db_to_gain, saturate};
use crate::FRAME_SAMPLES;

/// Delay the squelch needs, samples (see the module docs).
pub const LOOKAHEAD: usize = dtmf::detector_suspect_back();

const RING: usize = 512;
const _: () = assert!(RING >= LOOKAHEAD + 2 * FRAME_SAMPLES);

/// Line -> IP settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineToIpConfig {
    /// DTMF receiver thresholds.
    pub dtmf: dtmf::DetectorConfig,
    /// Remove detected DTMF from the audio (adds [`LOOKAHEAD`] of delay).
    pub squelch: bool,
}

impl Default for LineToIpConfig {
    fn default() -> Self {
        Self {
            dtmf: dtmf::DetectorConfig::default(),
            squelch: true,
        }
    }
}

/// Line -> IP direction: removes detected DTMF from the audio so that no part
/// of a detected tone leaks (including its first milliseconds), and reports
/// the digits.
#[derive(Debug)]
pub struct LineToIp {
    squelch: bool,
    detector: dtmf::Detector,
    gain: f32,
    ring: [i16; RING],
    muted: [bool; RING],
    /// Input samples received.
    received: u64,
    /// Input index of the next sample to release.
    released: u64,
    /// Samples at or after `received` that are already marked, up to here.
    mute_until: u64,
    muted_count: u64,
}

impl LineToIp {
    /// A path with `config`.
    pub fn new(config: LineToIpConfig) -> Self {
        Self {
            squelch: config.squelch,
            detector: dtmf::Detector::new(config.dtmf),
            gain: 1.0,
            ring: [0; RING],
            muted: [false; RING],
            received: 0,
            released: 0,
            mute_until: 0,
            muted_count: 0,
        }
    }

    /// One frame in, one frame out. The output is the input delayed by
    /// [`LineToIp::delay_samples`], with DTMF replaced by silence.
    pub fn process(&mut self, input: &[i16; FRAME_SAMPLES], output: &mut [i16; FRAME_SAMPLES]) {
        let mut pos = 0;
        while pos < FRAME_SAMPLES {
            let n = self
                .detector
                .samples_to_next_window()
                .min(FRAME_SAMPLES - pos);
            let chunk = &input[pos..pos + n];
            for &s in chunk {
                let slot = (self.received % RING as u64) as usize;
                self.ring[slot] = s;
                self.muted[slot] = self.received < self.mute_until;
                self.received += 1;
            }
            self.detector.process(chunk);
            if let Some((from, to)) = self.detector.take_suspect() {
                if self.squelch {
                    self.mark(from, to);
                }
            }
            pos += n;
        }
        let delay = self.delay_samples() as u64;
        let first = (self.received - FRAME_SAMPLES as u64) as i64 - delay as i64;
        for (k, out) in output.iter_mut().enumerate() {
            let idx = first + k as i64;
            *out = if idx < 0 {
                0
            } else {
                let slot = (idx as u64 % RING as u64) as usize;
                if self.muted[slot] {
                    self.muted_count += 1;
                    0
                } else {
                    saturate(f32::from(self.ring[slot]) * self.gain)
                }
            };
        }
        self.released = (first + FRAME_SAMPLES as i64).max(0) as u64;
    }

    fn mark(&mut self, from: u64, to: u64) {
        for i in from.max(self.released)..to.min(self.received) {
            self.muted[(i % RING as u64) as usize] = true;
        }
        self.mute_until = self.mute_until.max(to);
    }

    /// Next detected digit event; `at` is on the input sample timeline.
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.detector.poll_event()
    }

    /// Delay from input to output: [`LOOKAHEAD`] (152 samples, 19 ms) with
    /// squelch, 0 without.
    pub fn delay_samples(&self) -> usize {
        if self.squelch {
            LOOKAHEAD
        } else {
            0
        }
    }

    /// Output gain, dB (saturating).
    pub fn set_gain_db(&mut self, db: f32) {
        self.gain = db_to_gain(db.clamp(-96.0, 40.0));
    }

    /// Output samples replaced by silence so far (squelch statistics).
    pub fn muted_samples(&self) -> u64 {
        self.muted_count
    }
}

impl Default for LineToIp {
    fn default() -> Self {
        Self::new(LineToIpConfig::default())
    }
}
