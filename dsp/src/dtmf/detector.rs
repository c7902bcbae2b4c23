//! DTMF receiver after ITU-T Q.24 (figures in `TELEPHONY.md`), spandsp-style.
//!
//! # Analysis
//!
//! Eight Goertzel filters (Q.23 row and column frequencies) run over 51-sample
//! half-blocks, all eight in one 8-lane vector (`bank.rs`). Every half-block (6.4 ms) the detector judges the 102-sample
//! window made of the last two halves (spandsp's block length); the bins are
//! kept as complex values referenced to absolute sample time, so windows can be
//! added coherently and their phases compared to estimate each tone's
//! frequency.
//!
//! A window is a **hit** for digit d when all of these hold:
//! - the strongest row and column tones are each at least `min_level_dbm0`;
//! - twist within `max_normal_twist_db` (column louder) / `max_reverse_twist_db`
//!   (row louder); level and twist get a 1.5 dB measurement allowance
//!   (rectangular-window leakage between the groups, see `LEVEL_ALLOWANCE_DB`);
//! - each tone is `min_relative_peak_db` above the other tones of its group;
//! - the two tones carry at least `min_tone_to_total_db` of the window's energy
//!   (rejects speech, music, harmonics and broadband noise);
//! - the tone sits in both halves with powers within 3 dB (rejects tone edges,
//!   which is what makes tones under 20 ms undetectable);
//! - a coarse frequency estimate (phase advance over 51 samples) is within 4.5 % + 5 Hz.
//!
//! # States
//!
//! ```text
//!     3 consecutive hits of d + fine frequency + whole-tone checks
//!   Idle ────────────────────────────────────────────────────▶ InDigit(d)   => Start
//!     ▲                                                            │
//!     └──────────── 3 consecutive windows that are not hits of d ──┘        => End
//! ```
//! Three consecutive windows span two non-overlapping 102-sample blocks
//! (spandsp's "two agreeing blocks"). The fine frequency check measures the
//! phase advance between the first and last window (102 samples apart,
//! unwrapped with the coarse estimate) and requires each tone within
//! `frequency_tolerance_pct` % + 2 Hz of nominal (Q.24: accept ±1.5 % + 2 Hz,
//! reject beyond ±3.5 %).
//!
//! # Whole-tone checks
//!
//! The window test judges 102 samples through eight fixed bins, and has to be
//! lenient (−2 dB energy share, 2.3 % frequency) to meet the dial-tone, S/N
//! and bandwidth figures; on hours of music that let through sustained
//! chords whose two notes sit near a row and a column frequency (760 false
//! digits in 141.8 h played of the issue-13 corpus). So a candidate (three
//! agreeing windows) is also judged once over its whole length —
//! the three full half-blocks, 153 samples, at the tones' *measured*
//! frequencies — by [`super::verify`], asking what a keypad digit is:
//! - **in band, nothing but the two tones**: the samples through a
//!   600–1800 Hz band-pass, two sinusoids least-squares fitted; what they
//!   leave must be 12 dB under them. Out-of-band sound (dial tone, hum) does
//!   not count, so the dial-tone figure holds while in-band speech and
//!   music, which the window test can only see as "energy", are measured;
//! - **no second harmonic** of either tone (≤ −15 dB): instruments and
//!   voices have them, a DTMF generator must not;
//! - **both tones begin together**: in the four half-blocks before the
//!   candidate, each no louder than the tones, the two tones' shares (a
//!   joint fit of the continued tones) may not differ by more than 0.35 — a
//!   chord in which one note was already sounding is not a key press;
//! - **frequency pair**: beyond the Q.24 box (both tones within ±1.5 % +
//!   2 Hz) only one tone may be off (the other within 0.3 % + 2 Hz): the
//!   bandwidth figure (one tone shifted) is unchanged, while two notes both
//!   1.5–2.5 % off their DTMF neighbours (tempered tuning) are turned down.
//!
//! One verdict per run of hits: a candidate turned down is not tried again
//! until a window is not a hit of it. Measured effect of each check on the
//! corpus: `docs/PERFORMANCE.md` ("Talk-off ablation",
//! `cargo run --release -p dsp --example talk_off_ablation`); none of them
//! moves a conformance figure. [`Detector::rejections`] counts the verdicts.
//!
//! # Timing
//!
//! The smallest tone that can give three hits is about 174 samples (21.8 ms),
//! so tones under 20 ms are never reported; any tone of 304 samples (38 ms) or
//! more contains three full windows. `Start::at` and `End::at` are refined
//! below the half-block grid from the coherent amplitude of the partial
//! half-blocks at the tone's edges; they are typically within ±3 samples, and
//! within one half-block (51 samples) in the worst case. Events are reported
//! 3 windows (≈ 19 ms) after the digit qualifies / ends.
//!
//! # Squelch support
//!
//! Every window that passes a looser *early* test (which every hit also
//! passes) marks the samples `[end − 152, end + 51)` as suspect; see
//! [`crate::pipeline::LineToIp`] for why these bounds cover the whole tone.

use heapless::Deque;

use super::bank::{freq_of, Bank};
use super::verify::{self, BandPass, Candidate, Rejection, WholeToneChecks};
use super::Digit;
use crate::level::{dbm0_to_power, power_to_dbm0};

/// Samples per half-block.
pub(crate) const HALF: usize = 51;
/// Samples per analysis window (two half-blocks).
pub(crate) const WINDOW: usize = 2 * HALF;
/// How far before the end of an early-positive window a tone may have begun
/// (first fully covered window ends at most `WINDOW + HALF - 1` after onset).
pub(crate) const SUSPECT_BACK: u64 = (WINDOW + HALF - 1) as u64;
/// How far after the end of an early-positive window the tone may still last.
pub(crate) const SUSPECT_AHEAD: u64 = HALF as u64;

/// Measurement allowance on levels and twist. With a 102-sample rectangular
/// window a tone leaks about 9 % of its amplitude into a bin 268 Hz away
/// (941 vs 1209 Hz), so each tone's measured level can be off by up to
/// ±0.8 dB at equal levels and ±1.8 dB for the weaker tone at 8 dB twist.
const LEVEL_ALLOWANCE_DB: f32 = 1.5;

/// Coarse (51-sample phase advance) frequency gates, percent + 5 Hz. The
/// precise Q.24 check is done at confirmation over 102 samples.
const HIT_COARSE_PCT: f32 = 4.5;
const EARLY_COARSE_PCT: f32 = 5.0;

const HISTORY: usize = 8;
/// Stands for the halves before the first sample.
static ZERO_HALF: [i16; HALF] = [0; HALF];
const EVENT_CAPACITY: usize = 32;
const HITS_TO_START: u64 = 3;
const MISSES_TO_END: u32 = 3;

/// Receiver thresholds; defaults meet Q.24 / `TELEPHONY.md`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DetectorConfig {
    /// Most the column tone may exceed the row tone, dB (Q.24: 8).
    pub max_normal_twist_db: f32,
    /// Most the row tone may exceed the column tone, dB. `TELEPHONY.md` asks
    /// for at least 4; Bellcore and spandsp name this direction "normal" and
    /// allow 8, because long loops attenuate the high (column) group most. The
    /// default stays at 4 dB because talk-off pays for more: measured, 6 dB gave
    /// one false digit in 1.7 h of recorded speech (spandsp: none) and 8 dB two
    /// in 4 minutes of the synthetic voice. Raise it per instance for very long
    /// loops (see docs/PERFORMANCE.md).
    pub max_reverse_twist_db: f32,
    /// Weakest tone accepted, dBm0 per tone.
    pub min_level_dbm0: f32,
    /// Each tone must exceed the other tones of its group by this, dB.
    pub min_relative_peak_db: f32,
    /// The two tones' share of the total energy, dB (negative). Default −2 dB
    /// (tones ≥ 63 % of the energy): at −3 dB a sustained vowel in the
    /// Asterisk prompt `digits/tomorrow.wav` (F1/F2 on 697/1209 Hz, tones at
    /// −2.8 dB of the total) gave a false '1'; spandsp uses −0.85 dB. With
    /// −2 dB, dial tone up to 4 dB below the digit is still tolerated.
    pub min_tone_to_total_db: f32,
    /// Frequency acceptance half-width, percent of nominal (plus 2 Hz).
    pub frequency_tolerance_pct: f32,
    /// The checks over the whole candidate tone (module docs).
    pub whole_tone: WholeToneChecks,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            max_normal_twist_db: 8.0,
            max_reverse_twist_db: 4.0,
            min_level_dbm0: -40.0,
            min_relative_peak_db: 8.0,
            min_tone_to_total_db: -2.0,
            frequency_tolerance_pct: 2.3,
            whole_tone: WholeToneChecks::default(),
        }
    }
}

/// A detected digit starting or ending.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DtmfEvent {
    /// The tone began. `at`: index (from the detector's first sample, 0-based)
    /// of the tone's first sample, as estimated; `level_dbm0`: mean level of
    /// the two tones, dBm0 per tone.
    Start {
        /// Which key.
        digit: Digit,
        /// First sample of the tone.
        at: u64,
        /// Level per tone, dBm0.
        level_dbm0: f32,
    },
    /// The tone ended. `at`: index of the first sample after the tone;
    /// `duration`: samples the tone lasted.
    End {
        /// Which key.
        digit: Digit,
        /// First sample after the tone.
        at: u64,
        /// Tone length in samples.
        duration: u64,
    },
}

#[derive(Clone, Copy, Debug)]
struct Half {
    start: u64,
    x: [(f32, f32); 8],
    energy: f32,
    samples: [i16; HALF],
}

impl Default for Half {
    fn default() -> Self {
        Self {
            start: 0,
            x: [(0.0, 0.0); 8],
            energy: 0.0,
            samples: [0; HALF],
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct Window {
    hit: Option<Digit>,
    power_row: f32,
    power_col: f32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Idle,
    InDigit {
        digit: Digit,
        start: u64,
        last_hit: u64,
        misses: u32,
    },
}

/// Precomputed linear thresholds.
#[derive(Clone, Copy, Debug)]
struct Thresholds {
    min_power: f32,
    normal_twist: f32,
    reverse_twist: f32,
    relative_peak: f32,
    tone_to_total: f32,
    early_min_power: f32,
    early_normal_twist: f32,
    early_reverse_twist: f32,
    early_relative_peak: f32,
    early_tone_to_total: f32,
    /// Cosines of the coarse frequency gates per filter, as phase advances
    /// over one half-block: `[hit, early]`.
    coarse_cos: [[f32; 8]; 2],
}

/// |phase of z| ≤ θ, given cos θ, without an arctangent.
fn phase_within(z: (f32, f32), cos_theta: f32) -> bool {
    let r2 = z.0 * z.0;
    let bound = cos_theta * cos_theta * norm_sqr(z);
    if cos_theta >= 0.0 {
        z.0 >= 0.0 && r2 >= bound
    } else {
        z.0 >= 0.0 || r2 <= bound
    }
}

impl Thresholds {
    fn new(c: &DetectorConfig) -> Self {
        let ratio = |db: f32| 10f32.powf(db / 10.0);
        Self {
            min_power: dbm0_to_power(c.min_level_dbm0 - LEVEL_ALLOWANCE_DB),
            normal_twist: ratio(c.max_normal_twist_db + LEVEL_ALLOWANCE_DB),
            reverse_twist: ratio(c.max_reverse_twist_db + LEVEL_ALLOWANCE_DB),
            relative_peak: ratio(c.min_relative_peak_db),
            tone_to_total: ratio(c.min_tone_to_total_db),
            early_min_power: dbm0_to_power(c.min_level_dbm0 - 6.0),
            early_normal_twist: ratio(c.max_normal_twist_db + 4.0),
            early_reverse_twist: ratio(c.max_reverse_twist_db + 4.0),
            // Relative peak and energy share are not relaxed: on speech these
            // two decide how much audio gets muted, and a fully covered window
            // of a real tone passes them anyway.
            early_relative_peak: ratio(c.min_relative_peak_db),
            early_tone_to_total: ratio(c.min_tone_to_total_db),
            coarse_cos: [HIT_COARSE_PCT, EARLY_COARSE_PCT].map(|pct| {
                core::array::from_fn(|k| {
                    let hz = freq_of(k) * pct / 100.0 + 5.0;
                    let theta =
                        core::f32::consts::TAU * hz / crate::SAMPLE_RATE_HZ as f32 * HALF as f32;
                    if theta >= core::f32::consts::PI {
                        -1.0
                    } else {
                        theta.cos()
                    }
                })
            }),
        }
    }
}

/// DTMF receiver. Feed any number of samples with [`Detector::process`],
/// then drain [`Detector::poll_event`].
#[derive(Debug)]
pub struct Detector {
    config: DetectorConfig,
    th: Thresholds,
    bank: Bank,
    half_energy: f32,
    half_fill: usize,
    /// Completed half-blocks so far; half i starts at sample i * HALF.
    halves_done: u64,
    halves: [Half; HISTORY],
    windows: [Window; HISTORY],
    state: State,
    events: Deque<DtmfEvent, EVENT_CAPACITY>,
    dropped_events: u64,
    suspect: Option<(u64, u64)>,
    seen: u64,
    /// The run of consecutive hit windows in progress, and whether it has
    /// been confirmed into a digit.
    run: Option<bool>,
    near_misses: u64,
    /// A candidate the whole-tone checks turned down, until its run ends.
    rejected: Option<Digit>,
    /// Candidates turned down, per [`Rejection`].
    rejections: [u64; 4],
    band: BandPass,
}

fn add(a: (f32, f32), b: (f32, f32)) -> (f32, f32) {
    (a.0 + b.0, a.1 + b.1)
}

fn norm_sqr(a: (f32, f32)) -> f32 {
    a.0 * a.0 + a.1 * a.1
}

/// a · conj(b)
fn mul_conj(a: (f32, f32), b: (f32, f32)) -> (f32, f32) {
    (a.0 * b.0 + a.1 * b.1, a.1 * b.0 - a.0 * b.1)
}

fn angle(a: (f32, f32)) -> f32 {
    a.1.atan2(a.0)
}

fn wrap(phase: f32) -> f32 {
    use core::f32::consts::{PI, TAU};
    (phase + PI).rem_euclid(TAU) - PI
}

/// Radians per sample to Hz.
fn rad_to_hz(w: f32) -> f32 {
    w * crate::SAMPLE_RATE_HZ as f32 / core::f32::consts::TAU
}

impl Detector {
    /// A receiver with `config`.
    pub fn new(config: DetectorConfig) -> Self {
        Self {
            config,
            th: Thresholds::new(&config),
            bank: Bank::new(),
            half_energy: 0.0,
            half_fill: 0,
            halves_done: 0,
            halves: [Half::default(); HISTORY],
            windows: [Window::default(); HISTORY],
            state: State::Idle,
            events: Deque::new(),
            dropped_events: 0,
            suspect: None,
            seen: 0,
            run: None,
            near_misses: 0,
            rejected: None,
            rejections: [0; 4],
            band: BandPass::new(),
        }
    }

    /// The configuration in use.
    pub fn config(&self) -> &DetectorConfig {
        &self.config
    }

    /// Feeds samples (any length).
    pub fn process(&mut self, mut samples: &[i16]) {
        while !samples.is_empty() {
            let (now, rest) = samples.split_at((HALF - self.half_fill).min(samples.len()));
            self.half_energy += self.bank.run(now);
            let slot = (self.halves_done % HISTORY as u64) as usize;
            self.halves[slot].samples[self.half_fill..self.half_fill + now.len()]
                .copy_from_slice(now);
            self.half_fill += now.len();
            self.seen += now.len() as u64;
            samples = rest;
            if self.half_fill == HALF {
                self.finish_half();
            }
        }
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        self.events.pop_front()
    }

    /// Samples fed so far.
    pub fn samples_seen(&self) -> u64 {
        self.seen
    }

    /// Near-misses so far: maximal runs of consecutive windows that passed
    /// the per-window test for some digit without any of them becoming a
    /// reported digit. Talk-off measurements count them (an unconfirmed run
    /// is a false digit that the later checks caught).
    pub fn near_misses(&self) -> u64 {
        self.near_misses
    }

    /// Candidates turned down by the whole-tone checks so far:
    /// `[onset, in band, harmonic, frequency pair]`.
    pub fn rejections(&self) -> [u64; 4] {
        self.rejections
    }

    /// Events lost because the queue was full (the caller did not poll).
    pub fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// The digit currently sounding (after its `Start`, before its `End`).
    pub fn current_digit(&self) -> Option<Digit> {
        match self.state {
            State::InDigit { digit, .. } => Some(digit),
            State::Idle => None,
        }
    }

    /// Samples to feed before the next window is judged (1..=HALF).
    pub(crate) fn samples_to_next_window(&self) -> usize {
        HALF - self.half_fill
    }

    /// Range of samples `[from, to)` judged possibly DTMF since the last call.
    pub(crate) fn take_suspect(&mut self) -> Option<(u64, u64)> {
        self.suspect.take()
    }

    fn half(&self, i: u64) -> &Half {
        &self.halves[(i % HISTORY as u64) as usize]
    }

    fn finish_half(&mut self) {
        let i = self.halves_done;
        let start = i * HALF as u64;
        // The samples are already in place (`process`).
        let half = &mut self.halves[(i % HISTORY as u64) as usize];
        half.start = start;
        half.energy = self.half_energy;
        self.bank.finish(&mut half.x);
        self.half_energy = 0.0;
        self.half_fill = 0;
        self.halves_done += 1;
        if i >= 1 {
            self.judge_window(i);
        }
    }

    /// Judges the window made of halves `i-1` and `i`.
    fn judge_window(&mut self, i: u64) {
        let (a, b) = (self.half(i - 1), self.half(i));
        let scale = 2.0 / (WINDOW * WINDOW) as f32;
        let mut p = [0f32; 8];
        for (k, pk) in p.iter_mut().enumerate() {
            *pk = norm_sqr(add(a.x[k], b.x[k])) * scale;
        }
        let best = |lo: usize| (lo..lo + 4).fold(lo, |m, k| if p[k] > p[m] { k } else { m });
        let (r, c) = (best(0), best(4));
        let (pr, pc) = (p[r], p[c]);
        let second = |lo: usize, top: usize| {
            (lo..lo + 4)
                .filter(|&k| k != top)
                .map(|k| p[k])
                .fold(0f32, f32::max)
        };
        let (sr, sc) = (second(0, r), second(4, c));
        let energy = (a.energy + b.energy) / WINDOW as f32;
        let th = &self.th;
        // Phase advance over one half-block within the gate: the coarse
        // frequency estimate, without an arctangent.
        let coarse_ok =
            |k: usize, gate: usize| phase_within(mul_conj(b.x[k], a.x[k]), th.coarse_cos[gate][k]);
        let early = pr >= th.early_min_power
            && pc >= th.early_min_power
            && pc <= pr * th.early_normal_twist
            && pr <= pc * th.early_reverse_twist
            && pr >= sr * th.early_relative_peak
            && pc >= sc * th.early_relative_peak
            && pr + pc >= energy * th.early_tone_to_total
            && coarse_ok(r, 1)
            && coarse_ok(c, 1);
        let balance = {
            let sa = norm_sqr(a.x[r]) + norm_sqr(a.x[c]);
            let sb = norm_sqr(b.x[r]) + norm_sqr(b.x[c]);
            sa.min(sb) >= 0.5 * sa.max(sb)
        };
        let hit = early
            && pr >= th.min_power
            && pc >= th.min_power
            && pc <= pr * th.normal_twist
            && pr <= pc * th.reverse_twist
            && pr >= sr * th.relative_peak
            && pc >= sc * th.relative_peak
            && pr + pc >= energy * th.tone_to_total
            && balance
            && coarse_ok(r, 0)
            && coarse_ok(c, 0);
        let digit = hit.then(|| Digit::from_row_col(r, c - 4));
        self.windows[(i % HISTORY as u64) as usize] = Window {
            hit: digit,
            power_row: pr,
            power_col: pc,
        };
        let window_end = (i + 1) * HALF as u64;
        self.track_run(digit.is_some());
        if self.rejected.is_some() && self.rejected != digit {
            self.rejected = None;
        }
        self.update_state(i, digit);
        if early || self.current_digit().is_some() {
            let from = window_end.saturating_sub(SUSPECT_BACK);
            let to = window_end + SUSPECT_AHEAD;
            self.suspect = Some(match self.suspect {
                Some((f, t)) => (f.min(from), t.max(to)),
                None => (from, to),
            });
        }
    }

    fn track_run(&mut self, hit: bool) {
        match (hit, self.run) {
            (true, None) => self.run = Some(false),
            (false, Some(confirmed)) => {
                self.near_misses += u64::from(!confirmed);
                self.run = None;
            }
            _ => {}
        }
    }

    fn window(&self, i: u64) -> &Window {
        &self.windows[(i % HISTORY as u64) as usize]
    }

    fn update_state(&mut self, i: u64, hit: Option<Digit>) {
        if let State::InDigit {
            digit,
            start,
            last_hit,
            misses,
        } = self.state
        {
            if hit == Some(digit) {
                self.state = State::InDigit {
                    digit,
                    start,
                    last_hit: i,
                    misses: 0,
                };
                return;
            }
            if misses + 1 < MISSES_TO_END {
                self.state = State::InDigit {
                    digit,
                    start,
                    last_hit,
                    misses: misses + 1,
                };
                return;
            }
            let end = self.estimate_end(digit, last_hit).max(start + 1);
            self.push_event(DtmfEvent::End {
                digit,
                at: end,
                duration: end - start,
            });
            self.state = State::Idle;
        }
        let Some(d) = hit else { return };
        if i < HITS_TO_START + 1 {
            return;
        }
        let agreeing = (i + 1 - HITS_TO_START..i).all(|j| self.window(j).hit == Some(d));
        if !agreeing {
            return;
        }
        if self.rejected == Some(d) {
            return;
        }
        let Some(w) = self.fine_frequency(d, i) else {
            return;
        };
        if let Err(why) = self.whole_tone(d, i, w) {
            // One verdict per run of hits: the same tone is not tried again
            // until a window is not a hit of it.
            self.rejected = Some(d);
            self.rejections[why as usize] += 1;
            return;
        }
        let first = i + 1 - HITS_TO_START;
        let start = self.estimate_start(d, first);
        self.run = Some(true);
        let w = self.window(i - 1);
        self.push_event(DtmfEvent::Start {
            digit: d,
            at: start,
            level_dbm0: power_to_dbm0((w.power_row + w.power_col) / 2.0),
        });
        self.state = State::InDigit {
            digit: d,
            start,
            last_hit: i,
            misses: 0,
        };
    }

    /// Frequency of both tones from the phase advance between windows `i-2`
    /// and `i` (102 samples), unwrapped with the averaged 51-sample advance.
    fn fine_frequency(&self, d: Digit, i: u64) -> Option<[f64; 2]> {
        let mut w = [0f64; 2];
        for (slot, k) in [d.row(), 4 + d.col()].into_iter().enumerate() {
            let mut lag_half = (0f32, 0f32);
            for j in i - 2..=i {
                lag_half = add(lag_half, mul_conj(self.half(j).x[k], self.half(j - 1).x[k]));
            }
            let coarse = angle(lag_half) / HALF as f32;
            let w_new = add(self.half(i - 1).x[k], self.half(i).x[k]);
            let w_old = add(self.half(i - 3).x[k], self.half(i - 2).x[k]);
            let predicted = coarse * WINDOW as f32;
            let measured = angle(mul_conj(w_new, w_old));
            let dw = (predicted + wrap(measured - predicted)) / WINDOW as f32;
            let f = freq_of(k);
            if rad_to_hz(dw).abs() > f * self.config.frequency_tolerance_pct / 100.0 + 2.0 {
                return None;
            }
            w[slot] = core::f64::consts::TAU * f64::from(f) / f64::from(crate::SAMPLE_RATE_HZ)
                + f64::from(dw);
        }
        Some(w)
    }

    /// The whole-tone checks of [`super::verify`] on candidate `d`.
    fn whole_tone(&self, d: Digit, i: u64, measured: [f64; 2]) -> Result<(), Rejection> {
        let nominal = |k: usize| {
            core::f64::consts::TAU * f64::from(freq_of(k)) / f64::from(crate::SAMPLE_RATE_HZ)
        };
        let c = Candidate {
            halves: core::array::from_fn(|n| {
                (i + n as u64 + 1)
                    .checked_sub(verify::HALVES as u64)
                    .map_or(&ZERO_HALF, |j| &self.half(j).samples)
            }),
            nominal: [nominal(d.row()), nominal(4 + d.col())],
            measured,
        };
        verify::check(&c, &self.band, &self.config.whole_tone)
    }

    /// Samples of tone in half `j`: its bins projected on the reference half's,
    /// advanced by the tone's measured phase step per half (coherent, so other
    /// sounds in the half count little). `earlier` is the full half before
    /// `reference` (the phase step is measured between the two).
    fn coverage(&self, d: Digit, j: u64, reference: u64, earlier: u64) -> u64 {
        let (h, r, e) = (self.half(j), self.half(reference), self.half(earlier));
        let mut num = 0.0;
        let mut den = 0.0;
        for k in [d.row(), 4 + d.col()] {
            let step = mul_conj(r.x[k], e.x[k]);
            let len = norm_sqr(step).sqrt();
            let mut u = if len > 0.0 {
                (step.0 / len, step.1 / len)
            } else {
                (1.0, 0.0)
            };
            if j < reference {
                u.1 = -u.1;
            }
            let mut predicted = r.x[k];
            for _ in 0..j.abs_diff(reference) {
                predicted = (
                    predicted.0 * u.0 - predicted.1 * u.1,
                    predicted.0 * u.1 + predicted.1 * u.0,
                );
            }
            num += mul_conj(h.x[k], predicted).0;
            den += norm_sqr(r.x[k]);
        }
        if den <= 0.0 {
            return 0;
        }
        ((num / den * HALF as f32).round().max(0.0) as u64).min(HALF as u64)
    }

    /// First sample of the tone whose first hit window is `first` (halves first-1, first).
    fn estimate_start(&self, d: Digit, first: u64) -> u64 {
        // Halves `first` and `first + 1` are full; `first + 1` is the reference.
        let reference = first + 1;
        let mut j = first - 1;
        let mut at = self.half(j).start + HALF as u64;
        // Walk back over at most two halves.
        for _ in 0..2 {
            let m = self.coverage(d, j, reference, first);
            at -= m;
            if m + 3 < HALF as u64 || j == 0 {
                break;
            }
            j -= 1;
        }
        at
    }

    /// First sample after the tone whose last hit window is `last` (halves last-1, last).
    fn estimate_end(&self, d: Digit, last: u64) -> u64 {
        // Halves `last - 2` and `last - 1` are full.
        let reference = last - 1;
        let mut at = self.half(last).start;
        let mut j = last;
        while j < self.halves_done && j <= last + 2 {
            let m = self.coverage(d, j, reference, last - 2);
            at = self.half(j).start + m;
            if m + 3 < HALF as u64 {
                break;
            }
            j += 1;
        }
        at
    }

    fn push_event(&mut self, e: DtmfEvent) {
        if self.events.push_back(e).is_err() {
            self.dropped_events += 1;
        }
    }
}
