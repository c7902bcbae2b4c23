//! Signals, the simulated line and measurements shared by the G.168 tests
//! (`g168_*.rs`). Everything is seeded: every run gives the same figures.
#![allow(dead_code)]

use dsp::echo::hybrid::{EchoPath, HybridModel};
use dsp::echo::{Canceller, CancellerConfig};
use dsp::level::{dbm0_to_peak, rms_dbm0};
use dsp::noise::WhiteNoise;
use dsp::voice::Voice;

pub const FS: usize = 8000;
pub const FRAME: usize = 160;

pub fn secs(s: f32) -> usize {
    (s * FS as f32) as usize
}

/// White Gaussian noise at `dbm0` (the "white-noise-like" far end).
pub fn noise(seed: u64, dbm0: f32, len: usize) -> Vec<i16> {
    let mut v = vec![0i16; len];
    WhiteNoise::new(seed, dbm0).fill(&mut v);
    v
}

/// Synthetic speech whose talk periods measure about `dbm0`.
pub fn speech(seed: u64, dbm0: f32, len: usize) -> Vec<i16> {
    let mut v = vec![0i16; len];
    Voice::new(seed).fill(&mut v);
    let g = 10f32.powf((dbm0 + 20.0) / 20.0);
    v.iter()
        .map(|&s| (f32::from(s) * g).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Sum of tones (Hz) each at `dbm0`.
pub fn tones(freqs: &[f32], dbm0: f32, len: usize) -> Vec<i16> {
    let a = dbm0_to_peak(dbm0);
    (0..len)
        .map(|n| {
            let t = n as f32 / FS as f32;
            let v: f32 = freqs
                .iter()
                .map(|f| a * (std::f32::consts::TAU * f * t).sin())
                .sum();
            v.round() as i16
        })
        .collect()
}

pub fn add(a: &[i16], b: &[i16]) -> Vec<i16> {
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (i32::from(x) + i32::from(y)).clamp(-32768, 32767) as i16)
        .collect()
}

/// Echo of `far` through `model` after `delay` samples, scaled so that the
/// ERL measured on this very signal is `erl_db` (G.168 defines ERL as the
/// level difference of the test signal; the models' frequency responses
/// give speech a few dB more or less than a flat signal).
pub fn echo_of(far: &[i16], model: HybridModel, erl_db: f32, delay: usize) -> Vec<i16> {
    let raw = |erl: f32| {
        let mut path = EchoPath::new(model, erl, delay).expect("valid echo path");
        let mut echo = vec![0i16; far.len()];
        for (x, e) in far.chunks(FRAME).zip(echo.chunks_mut(FRAME)) {
            path.process(x, e);
        }
        echo
    };
    let first = raw(erl_db);
    let measured = level(far) - level(&first);
    raw(erl_db + (erl_db - measured))
}

/// What the canceller did, frame by frame.
pub struct Run {
    pub out: Vec<i16>,
    /// Per frame: double talk reported at the end of the frame.
    pub double_talk: Vec<bool>,
    pub converged: Vec<bool>,
    pub erle_estimate: Vec<f32>,
}

/// Runs `canceller` over `far` and `near_in` (echo + near talker) in 20 ms
/// frames.
pub fn run(canceller: &mut Canceller, far: &[i16], near_in: &[i16]) -> Run {
    let mut out = vec![0i16; far.len()];
    let mut run = Run {
        out: Vec::new(),
        double_talk: Vec::new(),
        converged: Vec::new(),
        erle_estimate: Vec::new(),
    };
    for ((x, d), o) in far
        .chunks(FRAME)
        .zip(near_in.chunks(FRAME))
        .zip(out.chunks_mut(FRAME))
    {
        canceller.process(x, d, o);
        run.double_talk.push(canceller.double_talk());
        run.converged.push(canceller.converged());
        run.erle_estimate.push(canceller.erle_db());
    }
    run.out = out;
    run
}

pub fn canceller(tail_ms: u32, nlp: bool) -> Canceller {
    Canceller::new(CancellerConfig {
        tail_ms,
        nlp,
        ..CancellerConfig::default()
    })
    .expect("valid config")
}

/// Windows of `win` samples where the echo is above −50 dBm0: (start sample,
/// ERLE dB = echo level − output level).
pub fn erle_windows(echo: &[i16], out: &[i16], win: usize) -> Vec<(usize, f32)> {
    echo.chunks(win)
        .zip(out.chunks(win))
        .enumerate()
        .filter(|(_, (e, _))| rms_dbm0(e) > -50.0)
        .map(|(i, (e, o))| (i * win, rms_dbm0(e) - rms_dbm0(o)))
        .collect()
}

/// Earliest time (s) after which every 250 ms window with echo has ERLE ≥
/// `target` dB, up to the end of the signal; `None` if never. (Speech needs
/// windows this long: a 100 ms window can hold one syllable onset.)
pub fn convergence_time(echo: &[i16], out: &[i16], target: f32) -> Option<f32> {
    let w = erle_windows(echo, out, 2000);
    let last_bad = w.iter().rposition(|&(_, erle)| erle < target);
    match last_bad {
        None => Some(0.0),
        Some(i) if i + 1 < w.len() => Some(w[i + 1].0 as f32 / FS as f32),
        Some(_) => None,
    }
}

/// Mean ERLE (echo power over output power, dB) over `from..to` samples,
/// counting only 100 ms windows with echo.
pub fn mean_erle(echo: &[i16], out: &[i16], from: usize, to: usize) -> f32 {
    let (mut pe, mut po) = (0f64, 0f64);
    for (e, o) in echo[from..to].chunks(800).zip(out[from..to].chunks(800)) {
        if rms_dbm0(e) > -50.0 {
            pe += e.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>();
            po += o.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>();
        }
    }
    (10.0 * (pe / po.max(1e-9)).log10()) as f32
}

/// Loudest 20 ms frame of `x[from..]`, dBm0 (the "peak residual").
pub fn peak_frame_dbm0(x: &[i16], from: usize) -> f32 {
    x[from..]
        .chunks(FRAME)
        .map(rms_dbm0)
        .fold(f32::NEG_INFINITY, f32::max)
}

pub fn level(x: &[i16]) -> f32 {
    rms_dbm0(x)
}

/// Prints a table: a header, then rows.
pub fn table(title: &str, header: &[&str], rows: &[Vec<String>]) {
    println!("\n{title}");
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].len())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let s: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:>w$}"))
            .collect();
        println!("| {} |", s.join(" | "));
    };
    line(header.to_vec());
    println!(
        "|{}|",
        widths
            .iter()
            .map(|w| "-".repeat(w + 2))
            .collect::<Vec<_>>()
            .join("|")
    );
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
}

pub fn f1(x: f32) -> String {
    format!("{x:.1}")
}

pub fn opt_s(x: Option<f32>) -> String {
    x.map_or("never".into(), |t| format!("{t:.2} s"))
}
