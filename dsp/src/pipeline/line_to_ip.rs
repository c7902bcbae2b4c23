//! Line -> IP media path with DTMF squelch (the RFC 4733 §2.6 requirement that
//! in-band tones not be sent alongside their events; `TELEPHONY.md`: "the first
//! milliseconds of an in-band tone leak into the audio before the detector
//! fires").
//!
//! # Squelch
//!
//! Input samples go into a delay line and are released `lookahead` samples
//! later. The DTMF detector judges a 102-sample window every 51 samples
//! (see [`crate::dtmf::Detector`]). Each window that passes the detector's
//! loose *early* test, or that falls inside a confirmed digit, marks the input
//! samples `[window_end − 152, window_end + 51)` for muting; muted samples are
//! released as silence. Samples already released when their mark arrives have
//! gone to the client: that is the onset leak.
//!
//! With [`FULL_LOOKAHEAD`] (152 samples, 19 ms) nothing of a tone leaks:
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
//!   window's end = last_end + 51, which the last mark reaches. Marks reach
//!   forward, so the tail is covered whatever the look-ahead.
//!
//! 152 samples is the smallest look-ahead with no leak for this window grid,
//! but it is 19 ms on top of the packet time. The default,
//! [`DEFAULT_LOOKAHEAD`] (8 samples, 1 ms), keeps the gateway's added delay
//! within one packet time + 2 ms, with room for the echo canceller's DC and
//! hum filter (its group delay is 0.8 ms at 300 Hz, 0.07 ms at 1 kHz). The whole frame is analysed before any of it
//! is released, so a tone is muted from its onset when the detector saw it in
//! the same frame; what can leak is the part of an onset that lies in the last
//! `152 − lookahead` samples before a frame's release point: at most 144
//! samples (18 ms), always followed by silence for the rest of the tone. That
//! is under the 20 ms that no receiver may detect (ETSI ES 201 235-3), and the
//! digit itself reaches the client as an RFC 4733 event. The `squelch` test
//! measures the leak over many onset phases.
//!
//! A window that passes the early test but is not confirmed (speech) costs up
//! to 203 samples (25 ms) of muted audio; see the `squelch` test for the
//! measured figure on the `voice` generator.

use crate::dtmf::{self, DtmfEvent};
use crate::gain::Gain;
use crate::FRAME_SAMPLES;

/// Look-ahead with which no part of a tone leaks, samples (see the module docs).
pub const FULL_LOOKAHEAD: usize = dtmf::detector_suspect_back();

/// Default look-ahead, samples: 1 ms, within the gateway's delay budget of
/// 2 ms beyond the packet time (see the module docs for the onset this lets
/// through).
pub const DEFAULT_LOOKAHEAD: usize = 8;

const RING: usize = 512;
const _: () = assert!(RING >= FULL_LOOKAHEAD + 2 * FRAME_SAMPLES);

/// Line -> IP settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineToIpConfig {
    /// DTMF receiver thresholds.
    pub dtmf: dtmf::DetectorConfig,
    /// Remove detected DTMF from the audio.
    pub squelch: bool,
    /// Delay the squelch may add, samples; at most [`FULL_LOOKAHEAD`] (larger
    /// values are clamped). Unused without squelch.
    pub lookahead: usize,
}

impl Default for LineToIpConfig {
    fn default() -> Self {
        Self {
            dtmf: dtmf::DetectorConfig::default(),
            squelch: true,
            lookahead: DEFAULT_LOOKAHEAD,
        }
    }
}

/// Line -> IP direction: removes detected DTMF from the audio (all of it with
/// [`FULL_LOOKAHEAD`], all but an onset under 20 ms by default), and reports
/// the digits.
#[derive(Debug)]
pub struct LineToIp {
    squelch: bool,
    /// Output delay, samples.
    delay: usize,
    detector: dtmf::Detector,
    gain: Gain,
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
            delay: if config.squelch {
                config.lookahead.min(FULL_LOOKAHEAD)
            } else {
                0
            },
            detector: dtmf::Detector::new(config.dtmf),
            gain: Gain::UNITY,
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
            self.store(chunk);
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
        // Before the first input sample (the look-ahead's start): silence.
        let lead = (-first).clamp(0, FRAME_SAMPLES as i64) as usize;
        output[..lead].fill(0);
        let mut out = &mut output[lead..];
        let mut slot = ((first + lead as i64) as u64 % RING as u64) as usize;
        while !out.is_empty() {
            // Up to the ring's end, then from its start.
            let n = out.len().min(RING - slot);
            let (now, rest) = out.split_at_mut(n);
            let ring = &self.ring[slot..slot + n];
            let muted = &self.muted[slot..slot + n];
            let mut count = 0;
            for ((o, &x), &m) in now.iter_mut().zip(ring).zip(muted) {
                count += usize::from(m);
                *o = if m { 0 } else { x };
            }
            self.gain.apply(now);
            self.muted_count += count as u64;
            out = rest;
            slot = 0;
        }
        self.released = (first + FRAME_SAMPLES as i64).max(0) as u64;
    }

    /// Appends input samples to the ring, marked muted where an earlier mark
    /// reached past the input received so far.
    fn store(&mut self, mut chunk: &[i16]) {
        while !chunk.is_empty() {
            let slot = (self.received % RING as u64) as usize;
            let n = chunk.len().min(RING - slot);
            self.ring[slot..slot + n].copy_from_slice(&chunk[..n]);
            let marked = self.mute_until.saturating_sub(self.received).min(n as u64) as usize;
            self.muted[slot..slot + marked].fill(true);
            self.muted[slot + marked..slot + n].fill(false);
            self.received += n as u64;
            chunk = &chunk[n..];
        }
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

    /// Delay from input to output: the configured look-ahead with squelch,
    /// 0 without.
    pub fn delay_samples(&self) -> usize {
        self.delay
    }

    /// Output gain, dB (saturating; clamped to ±24 dB, [`crate::gain`]).
    pub fn set_gain_db(&mut self, db: f32) {
        self.gain.set_db(db);
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
