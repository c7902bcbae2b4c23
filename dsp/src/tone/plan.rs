//! Tone plans: which frequencies, levels and cadences each national plan uses.

/// Most (on, off) pairs a [`Cadence`] holds.
pub const MAX_CADENCE_STEPS: usize = 4;

/// An on/off cadence of up to [`MAX_CADENCE_STEPS`] (on_ms, off_ms) pairs,
/// repeated; continuous when empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cadence {
    steps: [(u32, u32); MAX_CADENCE_STEPS],
    len: u8,
}

impl Cadence {
    /// A tone that never stops.
    pub const CONTINUOUS: Cadence = Cadence {
        steps: [(0, 0); MAX_CADENCE_STEPS],
        len: 0,
    };

    /// A single repeated on/off pair.
    pub fn on_off(on_ms: u32, off_ms: u32) -> Cadence {
        let mut c = Self::CONTINUOUS;
        c.steps[0] = (on_ms, off_ms);
        c.len = 1;
        c
    }

    /// Up to [`MAX_CADENCE_STEPS`] pairs; extra pairs are ignored.
    pub fn from_steps(steps: &[(u32, u32)]) -> Cadence {
        let mut c = Self::CONTINUOUS;
        for (slot, step) in c.steps.iter_mut().zip(steps) {
            *slot = *step;
            c.len += 1;
        }
        c
    }

    /// The (on_ms, off_ms) pairs.
    pub fn steps(&self) -> &[(u32, u32)] {
        &self.steps[..usize::from(self.len).min(MAX_CADENCE_STEPS)]
    }

    /// True when the tone never stops.
    pub fn is_continuous(&self) -> bool {
        self.steps().iter().all(|&(_, off)| off == 0)
    }
}

/// A call-progress tone: one or two frequencies, a level per frequency, and an
/// on/off cadence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToneSpec {
    /// Frequencies in Hz; the second is 0.0 for a single-frequency tone.
    pub freqs: [f32; 2],
    /// Level of each frequency, dBm0.
    pub level_dbm0: f32,
    /// On/off pattern.
    pub cadence: Cadence,
}

/// The call-progress tones a plan defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ToneKind {
    /// Ready to dial.
    Dial,
    /// Far end is being alerted.
    Ringback,
    /// Far end is busy.
    Busy,
    /// Network cannot complete the call (fast busy).
    Reorder,
    /// Network congestion (all trunks busy).
    Congestion,
}

/// A national tone plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Plan {
    /// North American Precise Tone Plan.
    NorthAmerica,
    /// CEPT (most of Europe): 425 Hz tones.
    Cept,
}

impl Plan {
    /// The plan's figures for `kind`.
    ///
    /// North America: dial 350+440 continuous at −13 dBm0; ringback 440+480
    /// 2 s/4 s at −19 dBm0; busy 480+620 0.5/0.5 s and reorder (= congestion)
    /// 480+620 0.25/0.25 s at −24 dBm0.
    /// CEPT: all 425 Hz at −10 dBm0; dial continuous; busy 0.5/0.5 s; ringback
    /// 1 s/4 s; congestion (= reorder) 0.2/0.2 s.
    pub fn tone(self, kind: ToneKind) -> ToneSpec {
        match self {
            Plan::NorthAmerica => {
                let (freqs, level_dbm0, cadence) = match kind {
                    ToneKind::Dial => ([350.0, 440.0], -13.0, Cadence::CONTINUOUS),
                    ToneKind::Ringback => ([440.0, 480.0], -19.0, Cadence::on_off(2000, 4000)),
                    ToneKind::Busy => ([480.0, 620.0], -24.0, Cadence::on_off(500, 500)),
                    ToneKind::Reorder | ToneKind::Congestion => {
                        ([480.0, 620.0], -24.0, Cadence::on_off(250, 250))
                    }
                };
                ToneSpec {
                    freqs,
                    level_dbm0,
                    cadence,
                }
            }
            Plan::Cept => {
                let cadence = match kind {
                    ToneKind::Dial => Cadence::CONTINUOUS,
                    ToneKind::Ringback => Cadence::on_off(1000, 4000),
                    ToneKind::Busy => Cadence::on_off(500, 500),
                    ToneKind::Reorder | ToneKind::Congestion => Cadence::on_off(200, 200),
                };
                ToneSpec {
                    freqs: [425.0, 0.0],
                    level_dbm0: -10.0,
                    cadence,
                }
            }
        }
    }

    /// The configuration name ("north-america", "cept").
    pub fn name(self) -> &'static str {
        match self {
            Plan::NorthAmerica => "north-america",
            Plan::Cept => "cept",
        }
    }
}

impl core::fmt::Display for Plan {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// A tone plan name that is not known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsePlanError {
    /// What was given.
    pub input: String,
}

impl core::fmt::Display for ParsePlanError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "unknown tone plan {:?} (expected \"north-america\" or \"cept\")",
            self.input
        )
    }
}

impl std::error::Error for ParsePlanError {}

impl core::str::FromStr for Plan {
    type Err = ParsePlanError;

    /// "north-america" or "cept" (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("north-america") {
            Ok(Plan::NorthAmerica)
        } else if s.eq_ignore_ascii_case("cept") {
            Ok(Plan::Cept)
        } else {
            Err(ParsePlanError {
                input: s.to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        assert_eq!("north-america".parse::<Plan>(), Ok(Plan::NorthAmerica));
        assert_eq!("CEPT".parse::<Plan>(), Ok(Plan::Cept));
        assert!("uk".parse::<Plan>().is_err());
        let na = Plan::NorthAmerica;
        assert_eq!(na.tone(ToneKind::Congestion), na.tone(ToneKind::Reorder));
        assert_ne!(na.tone(ToneKind::Busy), na.tone(ToneKind::Reorder));
        assert!(na.tone(ToneKind::Dial).cadence.is_continuous());
        assert_eq!(na.tone(ToneKind::Ringback).cadence.steps(), &[(2000, 4000)]);
        let cept = Plan::Cept;
        assert_eq!(
            cept.tone(ToneKind::Reorder),
            cept.tone(ToneKind::Congestion)
        );
        assert_eq!(
            cept.tone(ToneKind::Congestion).cadence.steps(),
            &[(200, 200)]
        );
        assert_eq!(cept.tone(ToneKind::Busy).freqs, [425.0, 0.0]);
    }
}
