//! What a far party sends: the `play` sources of a script.
//!
//! Parsed once from configuration text into a [`SourceSpec`] (WAV files are read
//! then, so a bad file is a configuration error, never a mid-call surprise), then
//! instantiated per call as a [`Player`] that fills frames without allocating.
//!
//! | text | sound |
//! |---|---|
//! | `voice` | `dsp::voice::Voice`, a generated speech-like voice |
//! | `silence` | zeros |
//! | `tone:1000`, `tone:350+440`, `tone:1000@-13` | 1 to 4 sines, each at the given dBm0 (default −13) |
//! | `wav:/path.wav` | 8 kHz mono 16-bit PCM, looped |

use std::f64::consts::TAU;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::{ConfigPlace, SimConfigError};
use crate::line::SAMPLE_RATE_HZ;

/// Most frequencies in one `tone:` source.
pub const MAX_TONE_FREQUENCIES: usize = 4;
/// Level of each frequency of a `tone:` source without `@level`.
pub const DEFAULT_TONE_LEVEL_DBM0: f32 = -13.0;
const MIN_FREQ_HZ: f32 = 20.0;
const MAX_FREQ_HZ: f32 = 3800.0;
const MIN_LEVEL_DBM0: f32 = -60.0;
const MAX_LEVEL_DBM0: f32 = 3.0;

/// A parsed `play` source.
#[derive(Clone)]
pub(crate) enum SourceSpec {
    Voice,
    Silence,
    Tone(ToneMix),
    Wav { path: PathBuf, samples: Arc<[i16]> },
}

impl fmt::Debug for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::Voice => f.write_str("Voice"),
            SourceSpec::Silence => f.write_str("Silence"),
            SourceSpec::Tone(mix) => write!(f, "Tone({mix:?})"),
            SourceSpec::Wav { path, samples } => {
                write!(f, "Wav({}, {} samples)", path.display(), samples.len())
            }
        }
    }
}

/// Up to four sines, each at the same peak amplitude.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ToneMix {
    freqs_hz: [f32; MAX_TONE_FREQUENCIES],
    count: usize,
    peak: f32,
}

impl SourceSpec {
    /// Parse a `play` value; `at` names it in errors.
    pub(crate) fn parse(text: &str, at: &ConfigPlace) -> Result<SourceSpec, SimConfigError> {
        match text {
            "voice" => return Ok(SourceSpec::Voice),
            "silence" => return Ok(SourceSpec::Silence),
            _ => {}
        }
        if let Some(tone) = text.strip_prefix("tone:") {
            return parse_tone(tone).map(SourceSpec::Tone).map_err(|reason| {
                SimConfigError::BadTone {
                    at: at.clone(),
                    spec: text.to_owned(),
                    reason,
                }
            });
        }
        if let Some(path) = text.strip_prefix("wav:") {
            let path = PathBuf::from(path);
            let samples = read_wav(&path, at)?;
            return Ok(SourceSpec::Wav { path, samples });
        }
        Err(SimConfigError::UnknownPlaySource {
            at: at.clone(),
            value: text.to_owned(),
        })
    }
}

fn parse_tone(text: &str) -> Result<ToneMix, &'static str> {
    let (freqs, level) = match text.split_once('@') {
        Some((freqs, level)) => {
            let level: f32 = level
                .trim()
                .parse()
                .map_err(|_| "the level after @ is not a number of dBm0")?;
            (freqs, level)
        }
        None => (text, DEFAULT_TONE_LEVEL_DBM0),
    };
    if !level.is_finite() || !(MIN_LEVEL_DBM0..=MAX_LEVEL_DBM0).contains(&level) {
        return Err("the level must be between -60 and +3 dBm0");
    }
    let mut mix = ToneMix {
        freqs_hz: [0.0; MAX_TONE_FREQUENCIES],
        count: 0,
        peak: dsp::level::dbm0_to_peak(level),
    };
    for part in freqs.split('+') {
        let hz: f32 = part
            .trim()
            .parse()
            .map_err(|_| "a frequency is not a number of Hz")?;
        if !hz.is_finite() || !(MIN_FREQ_HZ..=MAX_FREQ_HZ).contains(&hz) {
            return Err("frequencies must be between 20 and 3800 Hz");
        }
        let slot = mix
            .freqs_hz
            .get_mut(mix.count)
            .ok_or("at most 4 frequencies")?;
        *slot = hz;
        mix.count += 1;
    }
    if mix.peak * mix.count as f32 > f32::from(i16::MAX) {
        return Err("the frequencies together clip at this level");
    }
    Ok(mix)
}

fn read_wav(path: &Path, at: &ConfigPlace) -> Result<Arc<[i16]>, SimConfigError> {
    let unreadable = |e: hound::Error| SimConfigError::WavUnreadable {
        at: at.clone(),
        path: path.to_owned(),
        message: e.to_string(),
    };
    let mut reader = hound::WavReader::open(path).map_err(unreadable)?;
    let spec = reader.spec();
    let format_ok = spec.sample_rate == SAMPLE_RATE_HZ
        && spec.channels == 1
        && spec.bits_per_sample == 16
        && spec.sample_format == hound::SampleFormat::Int;
    if !format_ok || reader.len() == 0 {
        return Err(SimConfigError::WavFormat {
            at: at.clone(),
            path: path.to_owned(),
            found: format!(
                "{} Hz, {} channel(s), {}-bit {:?}, {} samples",
                spec.sample_rate,
                spec.channels,
                spec.bits_per_sample,
                spec.sample_format,
                reader.len()
            ),
        });
    }
    let samples: Result<Vec<i16>, hound::Error> = reader.samples::<i16>().collect();
    Ok(Arc::from(samples.map_err(unreadable)?))
}

/// A running source, one per call.
pub(crate) enum Player {
    Silence,
    Voice(dsp::voice::Voice),
    Tone(Oscillator),
    Wav { samples: Arc<[i16]>, pos: usize },
}

impl Player {
    /// Start `spec`; `seed` makes a voice differ between calls yet repeat between runs.
    pub(crate) fn start(spec: &SourceSpec, seed: u64) -> Player {
        match spec {
            SourceSpec::Voice => Player::Voice(dsp::voice::Voice::new(seed)),
            SourceSpec::Silence => Player::Silence,
            SourceSpec::Tone(mix) => Player::Tone(Oscillator::new(*mix)),
            SourceSpec::Wav { samples, .. } => Player::Wav {
                samples: Arc::clone(samples),
                pos: 0,
            },
        }
    }

    /// Write the next frame of the source into `out`.
    pub(crate) fn fill(&mut self, out: &mut [i16]) {
        match self {
            Player::Silence => out.fill(0),
            Player::Voice(voice) => voice.fill(out),
            Player::Tone(osc) => osc.fill(out),
            Player::Wav { samples, pos } => {
                for s in out.iter_mut() {
                    if *pos >= samples.len() {
                        *pos = 0;
                    }
                    *s = samples.get(*pos).copied().unwrap_or(0);
                    *pos += 1;
                }
            }
        }
    }
}

/// A phase-continuous sum of sines.
pub(crate) struct Oscillator {
    mix: ToneMix,
    phase: [f64; MAX_TONE_FREQUENCIES],
}

impl Oscillator {
    pub(crate) fn new(mix: ToneMix) -> Oscillator {
        Oscillator {
            mix,
            phase: [0.0; MAX_TONE_FREQUENCIES],
        }
    }

    pub(crate) fn fill(&mut self, out: &mut [i16]) {
        let rate = f64::from(SAMPLE_RATE_HZ);
        let count = self.mix.count;
        for s in out.iter_mut() {
            let mut acc = 0.0f64;
            for (phase, hz) in self.phase.iter_mut().zip(self.mix.freqs_hz).take(count) {
                acc += (TAU * *phase).sin();
                *phase = (*phase + f64::from(hz) / rate).fract();
            }
            let v = acc * f64::from(self.mix.peak);
            *s = v.round().clamp(f64::from(i16::MIN), f64::from(i16::MAX)) as i16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place() -> ConfigPlace {
        ConfigPlace::new("test", "play")
    }

    #[test]
    fn parses_tones() {
        let SourceSpec::Tone(mix) = SourceSpec::parse("tone:350+440", &place()).unwrap() else {
            panic!("not a tone");
        };
        assert_eq!(mix.count, 2);
        assert_eq!(mix.freqs_hz[..2], [350.0, 440.0]);
        let SourceSpec::Tone(quiet) = SourceSpec::parse("tone:1000@-20", &place()).unwrap() else {
            panic!("not a tone");
        };
        assert!(quiet.peak < mix.peak);
    }

    #[test]
    fn rejects_bad_tones() {
        for bad in [
            "tone:",
            "tone:abc",
            "tone:5000",
            "tone:1000@",
            "tone:1000@+10",
            "tone:1+2+3+4+5",
            "tone:1000@NaN",
        ] {
            let err = SourceSpec::parse(bad, &place()).unwrap_err();
            assert!(
                matches!(err, SimConfigError::BadTone { .. }),
                "{bad}: {err}"
            );
        }
        assert!(matches!(
            SourceSpec::parse("music", &place()),
            Err(SimConfigError::UnknownPlaySource { .. })
        ));
        assert!(matches!(
            SourceSpec::parse("wav:/nonexistent/x.wav", &place()),
            Err(SimConfigError::WavUnreadable { .. })
        ));
    }

    #[test]
    fn oscillator_is_at_level() {
        let SourceSpec::Tone(mix) = SourceSpec::parse("tone:1000@-10", &place()).unwrap() else {
            panic!("not a tone");
        };
        let mut osc = Oscillator::new(mix);
        let mut buf = [0i16; 800];
        osc.fill(&mut buf);
        let peak = buf.iter().map(|s| s.unsigned_abs()).max().unwrap();
        let expected = dsp::level::dbm0_to_peak(-10.0);
        assert!(
            (f32::from(peak) - expected).abs() < expected * 0.02,
            "{peak} vs {expected}"
        );
    }
}
