//! The cancellers compared, behind one frame-by-frame interface.

use dsp::echo::{Canceller, CancellerConfig};
use dsp::FRAME_SAMPLES;
use dsp_compare::spandsp::echo::{EchoCan, Mode};

/// A line echo canceller fed 20 ms frames: `far_end` went to the line,
/// `near_end` came back, the cleaned near end goes to `out`.
pub trait LineCanceller {
    fn process(&mut self, far_end: &[i16], near_end: &[i16], out: &mut [i16]);
}

impl LineCanceller for Canceller {
    fn process(&mut self, far_end: &[i16], near_end: &[i16], out: &mut [i16]) {
        Canceller::process(self, far_end, near_end, out);
    }
}

impl LineCanceller for EchoCan {
    fn process(&mut self, far_end: &[i16], near_end: &[i16], out: &mut [i16]) {
        EchoCan::process(self, far_end, near_end, out);
    }
}

/// Which canceller, with which filter length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contender {
    /// `dsp::echo::Canceller` at its default configuration but for the tail.
    Ours { tail_ms: u32 },
    /// spandsp's `echo_can` with `taps` taps.
    Spandsp { taps: usize },
}

impl Contender {
    /// Our default (32 ms), our longest (64 ms), spandsp at 256 taps.
    pub const QUALITY: [Contender; 3] = [
        Contender::Ours { tail_ms: 32 },
        Contender::Ours { tail_ms: 64 },
        Contender::Spandsp { taps: 256 },
    ];

    /// Short name for table headers.
    pub fn label(self) -> String {
        match self {
            Contender::Ours { tail_ms } => format!("ours {tail_ms} ms"),
            Contender::Spandsp { taps } => format!("spandsp {taps}"),
        }
    }

    /// Taps of the adaptive filter.
    pub fn taps(self) -> usize {
        match self {
            Contender::Ours { tail_ms } => tail_ms as usize * 8,
            Contender::Spandsp { taps } => taps,
        }
    }

    /// A fresh canceller. `nlp` on: ours with its defaults (NLP and comfort
    /// noise), spandsp with [`Mode::FULL`]. Off: ours with `nlp: false`,
    /// spandsp with [`Mode::LINEAR`].
    pub fn build(self, nlp: bool) -> Box<dyn LineCanceller> {
        match self {
            Contender::Ours { tail_ms } => Box::new(
                Canceller::new(CancellerConfig {
                    tail_ms,
                    nlp,
                    ..CancellerConfig::default()
                })
                .expect("valid canceller config"),
            ),
            Contender::Spandsp { taps } => Box::new(EchoCan::new(
                taps,
                if nlp { Mode::FULL } else { Mode::LINEAR },
            )),
        }
    }
}

/// Runs a fresh `contender` over `far_end` / `near_end` in 20 ms frames;
/// the output.
pub fn run(contender: Contender, nlp: bool, far_end: &[i16], near_end: &[i16]) -> Vec<i16> {
    let mut canceller = contender.build(nlp);
    let mut out = vec![0i16; far_end.len().min(near_end.len())];
    for ((x, d), o) in far_end
        .chunks(FRAME_SAMPLES)
        .zip(near_end.chunks(FRAME_SAMPLES))
        .zip(out.chunks_mut(FRAME_SAMPLES))
    {
        canceller.process(x, d, o);
    }
    out
}
