//! Shared harness for the DTMF receiver conformance suite: the tests of
//! `TELEPHONY.md` ("The spandsp-style conformance tests"), after spandsp's
//! `dtmf_rx_tests.c` (itself after Mitel's CM7291 test tape).
//!
//! Every measurement is generic over a [`Receiver`], so the same generated
//! signals and the same corpora run through our [`dsp::dtmf::Detector`] in the
//! `conformance_*` tests and through spandsp in the `dsp-compare` bench (which
//! includes this folder with `#[path]`). Each measurement takes a [`Channel`]:
//! the signal goes through linearly, or through a G.711 µ-law or A-law
//! encode/decode, before reaching the receiver.
//!
//! Signals are laid out on a [`Tape`]: a sequence of slots, each a tone burst
//! followed by silence; a receiver's digits are attributed to the slot during
//! which it reported them, so every burst is scored on its own (exactly one
//! correct digit, missed, wrong, or repeated).
// Each test binary uses only part of the harness.
#![allow(dead_code)]

pub mod bandwidth;
pub mod decode;
pub mod dial_tone;
pub mod dynamic_range;
pub mod guard_time;
pub mod signal_to_noise;
pub mod talk_off;
pub mod tape;
pub mod twist;

use dsp::dtmf::{Detector, DetectorConfig, DtmfEvent};
use dsp::g711;

pub use tape::{Score, Tape};

/// The 16 keys in keypad order.
pub const ALL_DIGITS: &str = "123A456B789C*0#D";

/// Samples fed per call: one 20 ms frame.
pub const FRAME: usize = dsp::FRAME_SAMPLES;

/// Samples in `ms` milliseconds at 8 kHz.
pub const fn ms(ms: usize) -> usize {
    ms * 8
}

/// A DTMF receiver under test, fed 16-bit linear samples at 8 kHz.
pub trait Receiver {
    /// Display name.
    const NAME: &'static str;
    /// A receiver with its default settings.
    fn new() -> Self;
    /// Feeds samples.
    fn process(&mut self, samples: &[i16]);
    /// Appends the digits reported since the last call to `out`.
    fn take_digits(&mut self, out: &mut String);
    /// Near-misses so far: maximal runs of consecutive analysis blocks that
    /// the per-block test judged to hold a digit, none of which became a
    /// reported digit (see `talk_off.rs`).
    fn near_misses(&self) -> u64;
}

impl Receiver for Detector {
    const NAME: &'static str = "dsp::dtmf";

    fn new() -> Self {
        Detector::new(DetectorConfig::default())
    }

    fn process(&mut self, samples: &[i16]) {
        Detector::process(self, samples);
    }

    fn take_digits(&mut self, out: &mut String) {
        while let Some(e) = self.poll_event() {
            if let DtmfEvent::Start { digit, .. } = e {
                out.push(digit.as_char());
            }
        }
    }

    fn near_misses(&self) -> u64 {
        Detector::near_misses(self)
    }
}

/// How the signal reaches the receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    /// 16-bit linear PCM, untouched.
    Linear,
    /// Through G.711 µ-law encode + decode.
    Ulaw,
    /// Through G.711 A-law encode + decode.
    Alaw,
}

impl Channel {
    /// The three ways every synthetic test is run.
    pub const ALL: [Channel; 3] = [Channel::Linear, Channel::Ulaw, Channel::Alaw];

    /// Short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Channel::Linear => "linear",
            Channel::Ulaw => "µ-law",
            Channel::Alaw => "A-law",
        }
    }

    /// Passes `samples` through the channel in place.
    pub fn carry(self, samples: &mut [i16]) {
        match self {
            Channel::Linear => {}
            Channel::Ulaw => samples
                .iter_mut()
                .for_each(|s| *s = g711::ulaw_decode(g711::ulaw_encode(*s))),
            Channel::Alaw => samples
                .iter_mut()
                .for_each(|s| *s = g711::alaw_decode(g711::alaw_encode(*s))),
        }
    }
}
