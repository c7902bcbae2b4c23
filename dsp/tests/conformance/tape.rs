//! A synthetic test tape: tone bursts in slots, plus optional continuous
//! tones (dial tone) and white noise over the whole tape.

use std::f64::consts::TAU;

use dsp::dtmf::Digit;
use dsp::level::DBM0_PEAK;
use dsp::noise::WhiteNoise;

use super::{Channel, Receiver, FRAME};

const FS: f64 = dsp::SAMPLE_RATE_HZ as f64;

/// Peak amplitude of a sine at `dbm0` (0 dBm0 = 22 790 peak, spandsp's scale).
pub fn peak(dbm0: f64) -> f64 {
    f64::from(DBM0_PEAK) * 10f64.powf(dbm0 / 20.0)
}

/// One tone of a burst.
#[derive(Clone, Copy, Debug)]
pub struct Tone {
    /// Frequency, Hz.
    pub hz: f64,
    /// Level, dBm0.
    pub dbm0: f64,
}

/// The nominal (row, column) tones of `digit` at `dbm0` each.
pub fn tones(digit: char, dbm0: f64) -> (Tone, Tone) {
    let (r, c) = Digit::from_char(digit).expect("a DTMF key").frequencies();
    (
        Tone {
            hz: f64::from(r),
            dbm0,
        },
        Tone {
            hz: f64::from(c),
            dbm0,
        },
    )
}

/// One scored stretch of the tape: `[start, end)` holds one burst (or none
/// when `expect` is `None`).
#[derive(Clone, Copy, Debug)]
pub struct Slot {
    /// First sample.
    pub start: usize,
    /// One past the last sample.
    pub end: usize,
    /// The digit sent in this slot.
    pub expect: Option<char>,
}

/// How a receiver did on a set of slots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Slots scored.
    pub slots: usize,
    /// Slots with exactly the one expected digit.
    pub exact: usize,
    /// Slots with a burst and no digit.
    pub missed: usize,
    /// Digits other than the one sent (or any digit in an empty slot).
    pub wrong: usize,
    /// Repeats of the right digit within one slot.
    pub repeated: usize,
}

impl Score {
    /// Every slot exactly right.
    pub fn perfect(&self) -> bool {
        self.exact == self.slots
    }

    /// Scores the digits reported per slot.
    pub fn of(slots: &[Slot], got: &[String]) -> Score {
        let mut s = Score {
            slots: slots.len(),
            ..Score::default()
        };
        for (slot, got) in slots.iter().zip(got) {
            let right = got.chars().filter(|&c| Some(c) == slot.expect).count();
            s.wrong += got.chars().count() - right;
            s.repeated += right.saturating_sub(1);
            match (slot.expect, right) {
                (Some(_), 0) => s.missed += 1,
                (Some(_), 1) if right == got.chars().count() => s.exact += 1,
                (None, 0) => s.exact += 1,
                _ => {}
            }
        }
        s
    }
}

/// A generated signal and its slots.
#[derive(Clone, Debug, Default)]
pub struct Tape {
    samples: Vec<f64>,
    slots: Vec<Slot>,
    noise: Option<(u64, f32)>,
}

impl Tape {
    /// An empty tape.
    pub fn new() -> Self {
        Self::default()
    }

    /// The slots so far.
    pub fn slots(&self) -> &[Slot] {
        &self.slots
    }

    /// Samples so far.
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    /// Appends a slot: `lead` samples of silence, the two tones for `on`
    /// samples, then `off` samples of silence. The tones' starting phases vary
    /// from slot to slot (deterministically).
    pub fn burst(&mut self, digit: char, row: Tone, col: Tone, lead: usize, on: usize, off: usize) {
        let start = self.samples.len();
        let k = self.slots.len() as f64;
        let (pr, pc) = (0.7 * k, 1.3 * k);
        let (ar, ac) = (peak(row.dbm0), peak(col.dbm0));
        let (wr, wc) = (TAU * row.hz / FS, TAU * col.hz / FS);
        self.samples.extend(std::iter::repeat_n(0.0, lead));
        self.samples.extend(
            (0..on).map(|n| ar * (wr * n as f64 + pr).sin() + ac * (wc * n as f64 + pc).sin()),
        );
        self.samples.extend(std::iter::repeat_n(0.0, off));
        self.slots.push(Slot {
            start,
            end: self.samples.len(),
            expect: Some(digit),
        });
    }

    /// Appends a burst of `digit`'s nominal tones at `dbm0` each.
    pub fn digit(&mut self, digit: char, dbm0: f64, on: usize, off: usize) {
        let (r, c) = tones(digit, dbm0);
        self.burst(digit, r, c, 0, on, off);
    }

    /// Appends a slot of silence in which no digit is expected.
    pub fn quiet(&mut self, samples: usize) {
        let start = self.samples.len();
        self.samples.extend(std::iter::repeat_n(0.0, samples));
        self.slots.push(Slot {
            start,
            end: self.samples.len(),
            expect: None,
        });
    }

    /// Adds a continuous tone at `hz`, `dbm0` over the whole tape so far.
    pub fn add_tone(&mut self, hz: f64, dbm0: f64) {
        let (a, w) = (peak(dbm0), TAU * hz / FS);
        for (n, s) in self.samples.iter_mut().enumerate() {
            *s += a * (w * n as f64).sin();
        }
    }

    /// Adds white Gaussian noise (seeded, `dbm0` RMS) when the tape is rendered.
    pub fn add_noise(&mut self, seed: u64, dbm0: f32) {
        self.noise = Some((seed, dbm0));
    }

    /// The tape as 16-bit samples (rounded, saturated) after `channel`.
    pub fn render(&self, channel: Channel) -> Vec<i16> {
        let mut out: Vec<i16> = self
            .samples
            .iter()
            .map(|&v| v.round().clamp(-32768.0, 32767.0) as i16)
            .collect();
        if let Some((seed, dbm0)) = self.noise {
            WhiteNoise::new(seed, dbm0).mix(&mut out);
        }
        channel.carry(&mut out);
        out
    }

    /// Plays the tape through `channel` into a fresh `R` and returns the
    /// digits it reported during each slot.
    pub fn play<R: Receiver>(&self, channel: Channel) -> Vec<String> {
        let signal = self.render(channel);
        play_slots::<R>(&signal, &self.slots)
    }

    /// Plays the tape and scores every slot.
    pub fn score<R: Receiver>(&self, channel: Channel) -> Score {
        Score::of(&self.slots, &self.play::<R>(channel))
    }
}

/// Feeds `signal` slot by slot (in frames of at most [`FRAME`] samples) into a
/// fresh `R`; returns the digits reported while each slot was fed.
pub fn play_slots<R: Receiver>(signal: &[i16], slots: &[Slot]) -> Vec<String> {
    let mut rx = R::new();
    let mut got = Vec::with_capacity(slots.len());
    let mut fed = 0;
    for slot in slots {
        let mut digits = String::new();
        if slot.start > fed {
            // Samples before the slot (none on tapes built by `Tape`).
            rx.process(&signal[fed..slot.start]);
            rx.take_digits(&mut digits);
            digits.clear();
        }
        for frame in signal[slot.start..slot.end].chunks(FRAME) {
            rx.process(frame);
            rx.take_digits(&mut digits);
        }
        fed = slot.end;
        got.push(digits);
    }
    got
}
