//! Cadence-aware call-progress tone detector, for FXO answer and disconnect
//! supervision (`TELEPHONY.md`, "Analog line signalling").
//!
//! # Analysis
//!
//! Every 20 ms block, Goertzel filters at the plan's frequencies (North
//! America 350/440/480/620 Hz, CEPT 425 Hz) decide whether a tone is present
//! and which frequency pair it is: the best pair must carry at least 60 % of
//! the block's energy, each of its tones within 10 dB of the other, and be above
//! −45 dBm0. Two consecutive blocks must agree before the on/off state
//! changes (debounce), so segment lengths are accurate to about ±20 ms.
//!
//! # Qualification (reported once each, until the tone changes)
//!
//! - `DialTone`: the plan's dial-tone signal continuously for 300 ms (North
//!   America, distinct frequencies) or for longer than any cadenced on-period
//!   of the plan + 25 % (CEPT, where every tone is 425 Hz: 1.5 s).
//! - `Busy` / `Reorder`: two complete on/off cycles matching the cadence within
//!   ±25 % + 40 ms; busy and reorder are told apart by their timing (CEPT
//!   congestion is reported as `Reorder`).
//! - `Ringback`: one on-period matching ringback, followed by 800 ms of off.
//! - `Silence`: after a tone was reported, no tone for longer than the plan's
//!   longest off-period + 1 s (5 s).
//!
//! ```text
//!  block ─▶ classify ─▶ debounce ─▶ segments (on: pair, ms | off: ms) ─▶ match cadences ─▶ event
//! ```

use heapless::Deque;

use crate::goertzel::Goertzel;
use crate::level::dbm0_to_power;
use crate::tone::{Plan, ToneKind};

const BLOCK: usize = 160;
const BLOCK_MS: u32 = 20;
const MAX_BINS: usize = 4;
const HISTORY: usize = 6;

/// Call-progress events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressEvent {
    /// Dial tone present.
    DialTone,
    /// Ringback (far end alerting).
    Ringback,
    /// Busy tone.
    Busy,
    /// Reorder / fast busy; CEPT congestion is reported as this too.
    Reorder,
    /// A tone was reported and has now been absent for a while.
    Silence,
}

/// A frequency pair the plan uses (indices into the bins; equal for single tones).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Pair(usize, usize);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    /// `None` = no tone.
    pair: Option<Pair>,
    ms: u32,
}

/// Cadence rules for one event.
#[derive(Clone, Copy, Debug)]
struct Rule {
    event: ProgressEvent,
    pair: Pair,
    on_ms: u32,
    off_ms: u32,
}

/// Cadence-aware call-progress detector.
#[derive(Debug)]
pub struct Detector {
    filters: [Goertzel; MAX_BINS],
    bins: usize,
    pairs: [Pair; 3],
    pair_count: usize,
    dial: Pair,
    dial_qualify_ms: u32,
    rules: [Rule; 3],
    silence_ms: u32,
    energy: f32,
    fill: usize,
    /// Debounce: last block's classification.
    last_block: Option<Option<Pair>>,
    current: Segment,
    /// Completed segments, newest last.
    history: Deque<Segment, HISTORY>,
    reported: Option<ProgressEvent>,
    events: Deque<ProgressEvent, 8>,
    min_power: f32,
}

impl Detector {
    /// A detector for `plan`'s tones.
    pub fn new(plan: Plan) -> Self {
        let freqs: &[f32] = match plan {
            Plan::NorthAmerica => &[350.0, 440.0, 480.0, 620.0],
            Plan::Cept => &[425.0],
        };
        let mut filters = [Goertzel::new(0.0); MAX_BINS];
        for (g, &f) in filters.iter_mut().zip(freqs) {
            *g = Goertzel::new(f);
        }
        let (pairs, pair_count, dial, dial_qualify_ms) = match plan {
            Plan::NorthAmerica => ([Pair(0, 1), Pair(1, 2), Pair(2, 3)], 3, Pair(0, 1), 300),
            Plan::Cept => ([Pair(0, 0); 3], 1, Pair(0, 0), 1500),
        };
        let rule = |event, kind, pair| {
            let steps = plan.tone(kind).cadence;
            let (on_ms, off_ms) = steps.steps().first().copied().unwrap_or((0, 0));
            Rule {
                event,
                pair,
                on_ms,
                off_ms,
            }
        };
        let (ring, busy) = match plan {
            Plan::NorthAmerica => (Pair(1, 2), Pair(2, 3)),
            Plan::Cept => (Pair(0, 0), Pair(0, 0)),
        };
        let rules = [
            rule(ProgressEvent::Ringback, ToneKind::Ringback, ring),
            rule(ProgressEvent::Busy, ToneKind::Busy, busy),
            rule(ProgressEvent::Reorder, ToneKind::Reorder, busy),
        ];
        let silence_ms = rules.iter().map(|r| r.off_ms).max().unwrap_or(0) + 1000;
        Self {
            filters,
            bins: freqs.len(),
            pairs,
            pair_count,
            dial,
            dial_qualify_ms,
            rules,
            silence_ms,
            energy: 0.0,
            fill: 0,
            last_block: None,
            current: Segment { pair: None, ms: 0 },
            history: Deque::new(),
            reported: None,
            events: Deque::new(),
            min_power: dbm0_to_power(-45.0),
        }
    }

    /// Feeds samples (any length).
    pub fn process(&mut self, samples: &[i16]) {
        for &s in samples {
            let x = f32::from(s);
            for g in self.filters[..self.bins].iter_mut() {
                g.push(x);
            }
            self.energy += x * x;
            self.fill += 1;
            if self.fill == BLOCK {
                let class = self.classify();
                self.fill = 0;
                self.energy = 0.0;
                for g in self.filters.iter_mut() {
                    g.reset();
                }
                self.on_block(class);
            }
        }
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ProgressEvent> {
        self.events.pop_front()
    }

    fn classify(&self) -> Option<Pair> {
        let mean = self.energy / BLOCK as f32;
        let p = |i: usize| self.filters.get(i).map_or(0.0, Goertzel::power);
        let mut best: Option<(Pair, f32)> = None;
        for &pair in &self.pairs[..self.pair_count] {
            let (a, b) = (p(pair.0), p(pair.1));
            let sum = if pair.0 == pair.1 { a } else { a + b };
            let balanced = pair.0 == pair.1 || (a.min(b) * 10.0 >= a.max(b));
            if balanced && best.is_none_or(|(_, s)| sum > s) {
                best = Some((pair, sum));
            }
        }
        let (pair, sum) = best?;
        (sum >= 0.6 * mean && sum >= self.min_power).then_some(pair)
    }

    fn on_block(&mut self, class: Option<Pair>) {
        let agreed = self.last_block == Some(class);
        self.last_block = Some(class);
        if class == self.current.pair {
            self.current.ms += BLOCK_MS;
        } else if agreed {
            // The state changed one block ago: that block belongs to the new segment.
            let done = Segment {
                pair: self.current.pair,
                ms: self.current.ms.saturating_sub(BLOCK_MS),
            };
            if self.history.is_full() {
                self.history.pop_front();
            }
            let _ = self.history.push_back(done);
            self.current = Segment {
                pair: class,
                ms: 2 * BLOCK_MS,
            };
        } else {
            self.current.ms += BLOCK_MS;
        }
        self.qualify();
    }

    fn qualify(&mut self) {
        let cur = self.current;
        if cur.pair == Some(self.dial) && cur.ms >= self.dial_qualify_ms {
            return self.report(ProgressEvent::DialTone);
        }
        if cur.pair.is_none() && cur.ms >= self.silence_ms {
            if self.reported.take().is_some() {
                self.push(ProgressEvent::Silence);
            }
            return;
        }
        let near = |ms: u32, want: u32| ms.abs_diff(want) <= want / 4 + 40;
        let h: heapless::Vec<Segment, HISTORY> = self.history.iter().copied().collect();
        let n = h.len();
        for rule in self.rules {
            let on = |s: &Segment| s.pair == Some(rule.pair) && near(s.ms, rule.on_ms);
            let off = |s: &Segment| s.pair.is_none() && near(s.ms, rule.off_ms);
            let matched = match rule.event {
                ProgressEvent::Ringback => {
                    cur.pair.is_none() && cur.ms >= 800 && n >= 1 && h.get(n - 1).is_some_and(on)
                }
                _ => {
                    // on, off, on, then the current off long enough.
                    n >= 3
                        && cur.pair.is_none()
                        && cur.ms + 40 >= rule.off_ms - rule.off_ms / 4
                        && h.get(n - 1).is_some_and(on)
                        && h.get(n - 2).is_some_and(off)
                        && h.get(n - 3).is_some_and(on)
                }
            };
            if matched {
                return self.report(rule.event);
            }
        }
    }

    fn report(&mut self, event: ProgressEvent) {
        if self.reported == Some(event) {
            return;
        }
        self.reported = Some(event);
        self.push(event);
    }

    fn push(&mut self, event: ProgressEvent) {
        if self.events.push_back(event).is_err() {
            // Queue full: the caller is not polling; keep the newest state.
            self.events.pop_front();
            let _ = self.events.push_back(event);
        }
    }
}
