//! The test signals: a far end, the echo a G.168 Annex D hybrid returns,
//! optional line noise. Built once per scenario and fed unchanged to every
//! contender. Signal generators and measurements are those of our G.168
//! tests (`dsp/tests/g168_support`), so the figures mean the same thing.

use dsp::echo::hybrid::HybridModel;

use dsp::level::rms_dbm0;

use crate::g168_support::{add, echo_of, noise, secs, speech};

/// Length of every scenario, s.
pub const SECONDS: f32 = 10.0;
/// Far-end level (speech: while talking), dBm0.
pub const FAR_DBM0: f32 = -20.0;
/// Near-end line noise when present, dBm0.
pub const LINE_NOISE_DBM0: f32 = -55.0;
/// Bulk delay of the echo path, samples (5 ms): the longest model (D5,
/// 128 taps) still fits a 256-tap filter.
pub const BULK_DELAY: usize = 40;

const SPEECH_SEED: u64 = 11;
const NOISE_SEED: u64 = 12;
const LINE_NOISE_SEED: u64 = 13;

/// What the far end sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FarEnd {
    /// `dsp::voice::Voice`: phrases and pauses, about −20 dBm0 while talking.
    Speech,
    /// White Gaussian noise, continuous.
    WhiteNoise,
}

impl FarEnd {
    pub fn name(self) -> &'static str {
        match self {
            FarEnd::Speech => "speech",
            FarEnd::WhiteNoise => "white noise",
        }
    }

    /// `len` samples at [`FAR_DBM0`].
    pub fn signal(self, len: usize) -> Vec<i16> {
        match self {
            FarEnd::Speech => speech(SPEECH_SEED, FAR_DBM0, len),
            FarEnd::WhiteNoise => noise(NOISE_SEED, FAR_DBM0, len),
        }
    }
}

/// One line.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    pub far: FarEnd,
    pub model: HybridModel,
    /// Echo return loss measured on this far-end signal, dB.
    pub erl_db: f32,
    /// Line noise at [`LINE_NOISE_DBM0`] on the near end.
    pub line_noise: bool,
}

/// The signals of one scenario.
#[derive(Debug)]
pub struct Signals {
    pub far: Vec<i16>,
    /// The echo alone (the ERLE reference).
    pub echo: Vec<i16>,
    /// The line noise alone (zeros without).
    pub line_noise: Vec<i16>,
    /// What the canceller receives: echo plus line noise.
    pub near: Vec<i16>,
}

impl Scenario {
    /// Speech and white noise through D2, D5 and D8 at ERL 6 and 15 dB,
    /// each without and with line noise.
    pub fn grid() -> Vec<Scenario> {
        let mut v = Vec::new();
        for far in [FarEnd::Speech, FarEnd::WhiteNoise] {
            for model in [HybridModel::D2, HybridModel::D5, HybridModel::D8] {
                for erl_db in [6.0, 15.0] {
                    for line_noise in [false, true] {
                        v.push(Scenario {
                            far,
                            model,
                            erl_db,
                            line_noise,
                        });
                    }
                }
            }
        }
        v
    }

    pub fn signals(&self) -> Signals {
        let len = secs(SECONDS);
        let far = self.far.signal(len);
        let echo = echo_of(&far, self.model, self.erl_db, BULK_DELAY);
        let line_noise = if self.line_noise {
            noise(LINE_NOISE_SEED, LINE_NOISE_DBM0, len)
        } else {
            vec![0; len]
        };
        let near = add(&echo, &line_noise);
        Signals {
            far,
            echo,
            line_noise,
            near,
        }
    }
}

/// Level of `x` over its 100 ms windows above −50 dBm0 (the windows the
/// ERLE counts), dBm0.
pub fn active_level(x: &[i16]) -> f32 {
    let active: Vec<i16> = x
        .chunks(800)
        .filter(|w| rms_dbm0(w) > -50.0)
        .flatten()
        .copied()
        .collect();
    rms_dbm0(&active)
}
