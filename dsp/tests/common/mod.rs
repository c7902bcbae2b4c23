//! Signal helpers shared by the dsp integration tests.
#![allow(dead_code)]

use dsp::dtmf::{Detector, DetectorConfig, Digit, DtmfEvent};
use dsp::level::dbm0_to_peak;
use dsp::noise::WhiteNoise;

pub const FS: f64 = 8000.0;

/// Adds a dual tone (row at `row_hz`/`row_dbm0`, column at `col_hz`/`col_dbm0`)
/// into `out`, with an arbitrary starting phase.
pub fn add_dual(
    out: &mut [f32],
    row_hz: f64,
    row_dbm0: f32,
    col_hz: f64,
    col_dbm0: f32,
    phase: f64,
) {
    let (ar, ac) = (
        f64::from(dbm0_to_peak(row_dbm0)),
        f64::from(dbm0_to_peak(col_dbm0)),
    );
    for (n, s) in out.iter_mut().enumerate() {
        let t = n as f64 / FS;
        *s += (ar * (std::f64::consts::TAU * row_hz * t + phase).sin()
            + ac * (std::f64::consts::TAU * col_hz * t + 2.0 * phase).sin()) as f32;
    }
}

/// A DTMF burst of `ms` for `digit` at `dbm0` per tone.
pub fn digit_burst(digit: Digit, samples: usize, dbm0: f32, phase: f64) -> Vec<f32> {
    let (r, c) = digit.frequencies();
    let mut v = vec![0f32; samples];
    add_dual(&mut v, f64::from(r), dbm0, f64::from(c), dbm0, phase);
    v
}

pub fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter()
        .map(|&v| v.round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

pub fn ms(ms: usize) -> usize {
    ms * 8
}

/// Runs a fresh detector over `signal` in frames of `chunk` and returns all events.
pub fn detect(signal: &[i16], chunk: usize) -> Vec<DtmfEvent> {
    detect_with(signal, chunk, DetectorConfig::default())
}

pub fn detect_with(signal: &[i16], chunk: usize, config: DetectorConfig) -> Vec<DtmfEvent> {
    let mut d = Detector::new(config);
    let mut events = Vec::new();
    for c in signal.chunks(chunk) {
        d.process(c);
        while let Some(e) = d.poll_event() {
            events.push(e);
        }
    }
    // Flush: 100 ms of silence so a tone at the very end is closed.
    d.process(&[0; 800]);
    while let Some(e) = d.poll_event() {
        events.push(e);
    }
    events
}

/// The digits of the Start events, as a string.
pub fn digits(events: &[DtmfEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            DtmfEvent::Start { digit, .. } => Some(digit.as_char()),
            DtmfEvent::End { .. } => None,
        })
        .collect()
}

pub fn noise(seed: u64, dbm0: f32, samples: usize) -> Vec<f32> {
    let mut n = WhiteNoise::new(seed, dbm0);
    let mut v = vec![0i16; samples];
    n.fill(&mut v);
    v.iter().map(|&s| f32::from(s)).collect()
}

/// Power (mean square of the bin's sinusoid) at `freq` over `x`, via a
/// direct DFT written independently of dsp::goertzel.
pub fn bin_power(x: &[i16], freq: f64) -> f64 {
    let w = std::f64::consts::TAU * freq / FS;
    let (mut re, mut im) = (0.0, 0.0);
    for (n, &s) in x.iter().enumerate() {
        re += f64::from(s) * (w * n as f64).cos();
        im -= f64::from(s) * (w * n as f64).sin();
    }
    let n = x.len() as f64;
    2.0 * (re * re + im * im) / (n * n)
}

/// dBm0 of a bin power.
pub fn power_dbm0(p: f64) -> f64 {
    let reference = 22790.0f64 * 22790.0 / 2.0;
    10.0 * (p.max(1e-12) / reference).log10()
}
