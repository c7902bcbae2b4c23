//! 1200 baud FSK for caller ID: Bell 202 (mark 1200 Hz, space 2200 Hz, GR-30-CORE)
//! and ITU-T V.23 forward channel (mark 1300 Hz, space 2100 Hz, ETSI EN 300 659-1).
//!
//! # Transmission (GR-30-CORE §3.1, EN 300 659-1 §6)
//!
//! ```text
//! | channel seizure: 0101… (300 bits) | mark: 1… (180 bits) | bytes: 0 d0..d7 1 | marks |
//! ```
//! Each byte is an asynchronous character: a start bit (space, 0), eight data
//! bits least significant first, a stop bit (mark, 1). The [`Modulator`] is
//! phase-continuous and keeps fractional bit timing (6⅔ samples per bit at
//! 8 kHz).
//!
//! # Reception
//!
//! Both standards are centred on 1700 Hz (±500 Hz Bell 202, ±400 Hz V.23),
//! so the [`Demodulator`] mixes the line down by 1700 Hz, low-passes the
//! complex baseband (15-tap FIR, cut-off 1100 Hz, which also removes the
//! 3400 Hz mixing image and half of the band's noise) and uses the
//! delay-line discriminator `Im(z[n]·conj(z[n−1]))`: negative for mark,
//! positive for space. Its sign does not depend on level, and a ±1 % tone
//! offset moves it by under 20 Hz out of 400.
//!
//! Bits are integrated over one bit period and decided at its end; a DPLL
//! moves the bit boundary a quarter of the way to every zero crossing of the
//! discriminator, and all the way after 8 bits without a crossing (the
//! start bit that follows the mark preamble or the gap between bytes).
//! A carrier detector on the baseband power (with 3 dB hysteresis) gates the
//! output; bits are reported only while it is on.

use core::f64::consts::TAU;

use crate::level::{dbm0_to_peak, dbm0_to_power};

/// Bits per second of both standards.
pub const BAUD: u32 = 1200;
/// Centre of both standards' tone pairs, Hz.
const CENTRE_HZ: f32 = 1700.0;
/// Samples per period of the 1700 Hz mixer (17 cycles in 80 samples).
const LO_PERIOD: usize = 80;
const FIR_TAPS: usize = 15;
const FIR_CUTOFF_HZ: f64 = 1100.0;
/// Bits without a zero crossing after which the next crossing resets the
/// bit clock instead of nudging it.
const HARD_SYNC_AFTER_BITS: u32 = 8;
/// DPLL correction per zero crossing, fraction of the timing error.
const DPLL_GAIN: f32 = 0.25;

/// Which FSK tone plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FskStandard {
    /// Bell 202: mark 1200 Hz, space 2200 Hz (North America, GR-30-CORE).
    Bell202,
    /// ITU-T V.23: mark 1300 Hz, space 2100 Hz (Europe, ETSI EN 300 659-1).
    V23,
}

impl FskStandard {
    /// Mark (binary 1) frequency, Hz.
    pub fn mark_hz(self) -> f32 {
        match self {
            FskStandard::Bell202 => 1200.0,
            FskStandard::V23 => 1300.0,
        }
    }

    /// Space (binary 0) frequency, Hz.
    pub fn space_hz(self) -> f32 {
        match self {
            FskStandard::Bell202 => 2200.0,
            FskStandard::V23 => 2100.0,
        }
    }
}

/// Phase-continuous FSK modulator driven bit by bit.
///
/// [`Modulator::next_sample`] asks the caller for the next bit whenever one
/// is due, so framing lives with the caller (see [`super::Generator`]).
#[derive(Clone, Debug)]
pub struct Modulator {
    mark_step: f64,
    space_step: f64,
    amplitude: f32,
    phase: f64,
    /// Bit clock in units of 1/(8000·baud) s: a bit ends when it reaches 8000.
    clock: u32,
    baud: u32,
    bit: bool,
    need_bit: bool,
}

impl Modulator {
    /// A modulator for `standard` at `level_dbm0`.
    pub fn new(standard: FskStandard, level_dbm0: f32) -> Self {
        Self::with_frequencies(standard.mark_hz(), standard.space_hz(), BAUD, level_dbm0)
    }

    /// A modulator with explicit tones and bit rate (for impairment tests:
    /// GR-30 allows ±1 % on the tones and on the bit rate).
    pub fn with_frequencies(mark_hz: f32, space_hz: f32, baud: u32, level_dbm0: f32) -> Self {
        let step = |f: f32| TAU * f64::from(f) / f64::from(crate::SAMPLE_RATE_HZ);
        Self {
            mark_step: step(mark_hz),
            space_step: step(space_hz),
            amplitude: dbm0_to_peak(level_dbm0),
            phase: 0.0,
            clock: 0,
            baud: baud.clamp(1, crate::SAMPLE_RATE_HZ),
            bit: true,
            need_bit: true,
        }
    }

    /// True when the next call to [`Modulator::next_sample`] starts a new bit.
    pub fn at_bit_boundary(&self) -> bool {
        self.need_bit
    }

    /// The next sample; `next_bit` is called when a new bit starts.
    ///
    /// Bits last 8000/baud samples on average; each boundary falls on the
    /// first sample at or after its exact time (the remainder of the bit
    /// clock carries over, so the rate is exact).
    #[inline]
    pub fn next_sample(&mut self, next_bit: impl FnOnce() -> bool) -> f32 {
        if self.need_bit {
            self.bit = next_bit();
            self.need_bit = false;
        }
        let v = self.amplitude * self.phase.sin() as f32;
        self.phase += if self.bit {
            self.mark_step
        } else {
            self.space_step
        };
        if self.phase >= TAU {
            self.phase -= TAU;
        }
        self.clock += self.baud;
        if self.clock >= crate::SAMPLE_RATE_HZ {
            self.clock -= crate::SAMPLE_RATE_HZ;
            self.need_bit = true;
        }
        v
    }

    /// Restarts the bit clock (the next sample starts a bit); the carrier
    /// phase is kept.
    pub fn restart(&mut self) {
        self.clock = 0;
        self.need_bit = true;
    }
}

/// What the demodulator reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DemodEvent {
    /// Carrier appeared.
    CarrierUp,
    /// One bit (true = mark).
    Bit(bool),
    /// Carrier disappeared.
    CarrierDown,
}

/// Non-coherent FSK demodulator with bit timing recovery (module docs).
#[derive(Clone, Debug)]
pub struct Demodulator {
    lo: [(f32, f32); LO_PERIOD],
    lo_index: usize,
    fir: [f32; FIR_TAPS],
    /// Mixed samples, doubled ring so the FIR reads one contiguous slice.
    hist_i: [f32; 2 * FIR_TAPS],
    hist_q: [f32; 2 * FIR_TAPS],
    hist_pos: usize,
    prev: (f32, f32),
    power: f32,
    on_threshold: f32,
    off_threshold: f32,
    carrier: bool,
    /// Bit clock phase in bits, [0, 1).
    bit_phase: f32,
    step: f32,
    integral: f32,
    last_disc: f32,
    bits_since_crossing: u32,
}

impl Demodulator {
    /// A demodulator for either standard (the discriminator is centred on
    /// 1700 Hz and works for both); carrier is detected from
    /// `min_level_dbm0`.
    pub fn new(min_level_dbm0: f32) -> Self {
        let mut lo = [(0.0, 0.0); LO_PERIOD];
        for (n, v) in lo.iter_mut().enumerate() {
            let w = TAU * f64::from(CENTRE_HZ) / f64::from(crate::SAMPLE_RATE_HZ) * n as f64;
            *v = (w.cos() as f32, -(w.sin() as f32));
        }
        // Hamming-windowed sinc, unity gain at DC.
        let mut fir = [0.0f32; FIR_TAPS];
        let fc = FIR_CUTOFF_HZ / f64::from(crate::SAMPLE_RATE_HZ);
        let mid = (FIR_TAPS - 1) as f64 / 2.0;
        let mut sum = 0.0;
        for (k, c) in fir.iter_mut().enumerate() {
            let t = k as f64 - mid;
            let sinc = if t == 0.0 {
                2.0 * fc
            } else {
                (TAU * fc * t).sin() / (core::f64::consts::PI * t)
            };
            let w = 0.54 - 0.46 * (TAU * k as f64 / (FIR_TAPS - 1) as f64).cos();
            *c = (sinc * w) as f32;
            sum += sinc * w;
        }
        for c in fir.iter_mut() {
            *c /= sum as f32;
        }
        // A sine of peak A mixed down and low-passed has |z|² = A²/4 = P/2.
        let on = dbm0_to_power(min_level_dbm0) / 2.0;
        Self {
            lo,
            lo_index: 0,
            fir,
            hist_i: [0.0; 2 * FIR_TAPS],
            hist_q: [0.0; 2 * FIR_TAPS],
            hist_pos: 0,
            prev: (0.0, 0.0),
            power: 0.0,
            on_threshold: on,
            off_threshold: on / 2.0,
            carrier: false,
            bit_phase: 0.0,
            step: BAUD as f32 / crate::SAMPLE_RATE_HZ as f32,
            integral: 0.0,
            last_disc: 0.0,
            bits_since_crossing: 0,
        }
    }

    /// True while a carrier is present.
    pub fn carrier(&self) -> bool {
        self.carrier
    }

    /// Feeds samples; `sink` gets the events in order.
    pub fn process(&mut self, samples: &[i16], mut sink: impl FnMut(DemodEvent)) {
        for &s in samples {
            self.push(f32::from(s), &mut sink);
        }
    }

    #[inline]
    fn push(&mut self, x: f32, sink: &mut impl FnMut(DemodEvent)) {
        let (c, s) = self.lo[self.lo_index];
        self.lo_index = (self.lo_index + 1) % LO_PERIOD;
        let p = self.hist_pos;
        self.hist_i[p] = x * c;
        self.hist_i[p + FIR_TAPS] = x * c;
        self.hist_q[p] = x * s;
        self.hist_q[p + FIR_TAPS] = x * s;
        self.hist_pos = (p + 1) % FIR_TAPS;
        let win = p + 1..p + 1 + FIR_TAPS;
        let dot = |h: &[f32]| h.iter().zip(&self.fir).map(|(a, b)| a * b).sum::<f32>();
        let z = (dot(&self.hist_i[win.clone()]), dot(&self.hist_q[win]));

        // Carrier detect: one-pole power average, time constant 32 samples.
        let pz = z.0 * z.0 + z.1 * z.1;
        self.power += (pz - self.power) * (1.0 / 32.0);
        if !self.carrier && self.power > self.on_threshold {
            self.carrier = true;
            self.bit_phase = 0.0;
            self.integral = 0.0;
            self.bits_since_crossing = HARD_SYNC_AFTER_BITS;
            sink(DemodEvent::CarrierUp);
        } else if self.carrier && self.power < self.off_threshold {
            self.carrier = false;
            sink(DemodEvent::CarrierDown);
        }

        // Delay-line discriminator: > 0 above 1700 Hz (space), < 0 below (mark).
        let disc = z.1 * self.prev.0 - z.0 * self.prev.1;
        self.prev = z;
        if !self.carrier {
            self.last_disc = disc;
            return;
        }

        if (disc > 0.0) != (self.last_disc > 0.0) {
            // Zero crossing between the previous sample and this one, at
            // `frac` of the way; a bit boundary should sit there.
            let denom = self.last_disc - disc;
            let frac = if denom != 0.0 {
                (self.last_disc / denom).clamp(0.0, 1.0)
            } else {
                0.5
            };
            // `bit_phase` is still the previous sample's phase.
            let crossing = self.bit_phase + frac * self.step;
            if self.bits_since_crossing >= HARD_SYNC_AFTER_BITS {
                // First edge after idle marks (a start bit): restart the bit
                // clock here. A bit that was nearly complete is emitted first.
                if self.bit_phase > 0.5 {
                    sink(DemodEvent::Bit(self.integral < 0.0));
                }
                self.bit_phase = (1.0 - frac) * self.step;
                self.integral = disc;
                self.bits_since_crossing = 0;
                self.last_disc = disc;
                return;
            }
            self.bit_phase -= DPLL_GAIN * (crossing - crossing.round());
            self.bits_since_crossing = 0;
        }
        self.last_disc = disc;

        self.bit_phase += self.step;
        if self.bit_phase >= 1.0 {
            // The sample straddles the boundary: split its weight.
            let over = (self.bit_phase - 1.0) / self.step;
            self.integral += disc * (1.0 - over);
            sink(DemodEvent::Bit(self.integral < 0.0));
            self.integral = disc * over;
            self.bit_phase -= 1.0;
            self.bits_since_crossing = self.bits_since_crossing.saturating_add(1);
        } else {
            self.integral += disc;
        }
    }
}
