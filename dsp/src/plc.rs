//! Packet-loss concealment for G.711 in the manner of ITU-T G.711 Appendix I
//! (pitch-period repetition with attenuation and overlap-add).
//!
//! ```text
//!  good frame ─▶ history (last 48.75 ms) ───────────────────────────────▶ out
//!  lost frame ─▶ pitch from history (autocorrelation, 2.5..15 ms)
//!               └▶ repeat the last 1, then 2, then 3 pitch periods
//!                  (one more every 10 ms), ¼-period overlap-add at each joint,
//!                  attenuated 20 % per 10 ms after the first 10 ms: silent at 60 ms
//!  first good frame after a loss ─▶ overlap-add the synthetic continuation
//!                  into it over 4 ms (+4 ms per extra 10 ms lost, at most 10 ms)
//! ```
//!
//! The figures are Appendix I's (§I.2): 390-sample history, pitch search
//! 40..120 samples (66–200 Hz), 20 % per 10 ms attenuation, 10 ms of silence
//! reached after 60 ms. The pitch search is a plain normalised autocorrelation
//! at full rate, which is simpler than Appendix I's two-stage decimated search
//! but finds the same period on voiced speech.
//!
//! Fixed memory; no call allocates.

use crate::level::saturate;

/// Samples kept as history (Appendix I: 48.75 ms at 8 kHz).
pub const HISTORY: usize = 390;
/// Shortest pitch period searched (200 Hz).
pub const MIN_PITCH: usize = 40;
/// Longest pitch period searched (66.7 Hz).
pub const MAX_PITCH: usize = 120;
/// Correlation window of the pitch search (20 ms).
const CORR_LEN: usize = 160;
/// Samples per 10 ms.
const TEN_MS: usize = 80;
/// Concealment fades to silence after this many samples (60 ms).
const FADE_END: usize = 6 * TEN_MS;
/// Repetition buffer: up to three pitch periods plus the ¼ period before them.
const PITCH_BUF: usize = 3 * MAX_PITCH + MAX_PITCH / 4;

/// A G.711 packet-loss concealer for one stream at 8 kHz.
#[derive(Debug, Clone)]
pub struct Concealer {
    history: [i16; HISTORY],
    /// The signal being repeated: the last `3·pitch + pitch/4` samples of the
    /// history at the start of the loss.
    pitch_buf: [f32; PITCH_BUF],
    pitch: usize,
    /// Periods repeated now (1..=3).
    periods: usize,
    /// Offset in the repeated segment of the next sample.
    offset: usize,
    /// Samples concealed in the current loss (0 when not in a loss).
    erased: usize,
    /// Frames concealed in total.
    concealed_frames: u64,
}

impl Default for Concealer {
    fn default() -> Self {
        Self::new()
    }
}

impl Concealer {
    /// A concealer with silent history.
    pub fn new() -> Self {
        Concealer {
            history: [0; HISTORY],
            pitch_buf: [0.0; PITCH_BUF],
            pitch: MIN_PITCH,
            periods: 1,
            offset: 0,
            erased: 0,
            concealed_frames: 0,
        }
    }

    /// Frames concealed so far.
    pub fn concealed_frames(&self) -> u64 {
        self.concealed_frames
    }

    /// True while a loss is being concealed.
    pub fn in_loss(&self) -> bool {
        self.erased > 0
    }

    /// The pitch period (samples) used for the current or last loss.
    pub fn pitch(&self) -> usize {
        self.pitch
    }

    /// A good (decoded) frame: after a loss its start is overlap-added with the
    /// synthetic continuation; then it becomes history. Modifies `frame` in
    /// place.
    pub fn good(&mut self, frame: &mut [i16]) {
        if self.erased > 0 {
            let extra_tens = self.erased.saturating_sub(TEN_MS) / TEN_MS;
            let ola = (32 + 32 * extra_tens).min(TEN_MS).min(frame.len());
            if self.erased < FADE_END + TEN_MS {
                for (i, s) in frame.iter_mut().take(ola).enumerate() {
                    let synth = self.next_synthetic();
                    let w = (i as f32 + 0.5) / ola as f32;
                    *s = saturate(synth * (1.0 - w) + f32::from(*s) * w);
                }
            }
            self.erased = 0;
        }
        self.push_history(frame);
    }

    /// Fill `out` with concealment for a lost frame.
    pub fn conceal(&mut self, out: &mut [i16]) {
        if self.erased == 0 {
            self.start_loss();
        }
        for o in out.iter_mut() {
            *o = saturate(self.next_synthetic());
        }
        self.concealed_frames += 1;
        self.push_history(out);
    }

    /// One synthetic sample: the repeated segment at the current offset,
    /// attenuated by how long the loss has lasted.
    fn next_synthetic(&mut self) -> f32 {
        // One more period every 10 ms, up to three (Appendix I §I.2.3).
        let wanted = (1 + self.erased / TEN_MS).min(3);
        if wanted > self.periods {
            self.periods = wanted;
        }
        let len = self.periods * self.pitch;
        let base = PITCH_BUF - len;
        let quarter = self.pitch / 4;
        let pos = self.offset % len;
        let mut v = self.pitch_buf[base + pos];
        // ¼-period overlap-add at each wrap: blend the continuation of the last
        // period into the start of the segment so the joint has no step.
        if pos < quarter && self.offset >= len {
            let w = (pos as f32 + 0.5) / quarter as f32;
            let tail = self.pitch_buf[PITCH_BUF - self.pitch + pos];
            v = tail * (1.0 - w) + v * w;
        }
        self.offset += 1;
        let gain = if self.erased < TEN_MS {
            1.0
        } else if self.erased >= FADE_END {
            0.0
        } else {
            1.0 - (self.erased - TEN_MS) as f32 / (FADE_END - TEN_MS) as f32
        };
        self.erased += 1;
        v * gain
    }

    fn start_loss(&mut self) {
        self.pitch = self.find_pitch();
        self.periods = 1;
        self.offset = 0;
        for (b, &h) in self
            .pitch_buf
            .iter_mut()
            .zip(self.history[HISTORY - PITCH_BUF..].iter())
        {
            *b = f32::from(h);
        }
    }

    /// Pitch period by normalised autocorrelation of the last 20 ms against
    /// the history `MIN_PITCH..=MAX_PITCH` samples earlier.
    fn find_pitch(&self) -> usize {
        let end = HISTORY;
        let start = end - CORR_LEN;
        let mut best = (f32::NEG_INFINITY, MIN_PITCH);
        for lag in MIN_PITCH..=MAX_PITCH {
            let (mut xy, mut yy) = (0.0f32, 0.0f32);
            for i in start..end {
                let x = f32::from(self.history[i]);
                let y = f32::from(self.history[i - lag]);
                xy += x * y;
                yy += y * y;
            }
            let score = if yy > 0.0 { xy / yy.sqrt() } else { 0.0 };
            if score > best.0 {
                best = (score, lag);
            }
        }
        best.1
    }

    fn push_history(&mut self, frame: &[i16]) {
        let n = frame.len().min(HISTORY);
        self.history.copy_within(n.., 0);
        self.history[HISTORY - n..].copy_from_slice(&frame[frame.len() - n..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::f64::consts::TAU;

    fn periodic(n: usize, period: usize, phase: usize) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = ((i + phase) % period) as f64 / period as f64;
                (6000.0 * (TAU * t).sin() + 2000.0 * (2.0 * TAU * t).sin()) as i16
            })
            .collect()
    }

    #[test]
    fn finds_the_pitch_and_continues_the_waveform() {
        let period = 73;
        let x = periodic(160 * 6, period, 0);
        let mut c = Concealer::new();
        for f in x.chunks_exact(160).take(5) {
            let mut f: Vec<i16> = f.to_vec();
            c.good(&mut f);
        }
        let mut out = [0i16; 160];
        c.conceal(&mut out);
        assert_eq!(c.pitch(), period);
        // The first 10 ms of concealment follow the true continuation closely.
        let truth = &x[800..880];
        let err: f64 = truth
            .iter()
            .zip(out.iter())
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
            .sum();
        let sig: f64 = truth.iter().map(|&a| f64::from(a).powi(2)).sum();
        let snr = 10.0 * (sig / err.max(1.0)).log10();
        assert!(snr > 10.0, "concealment SNR {snr:.1} dB");
    }

    #[test]
    fn fades_to_silence_after_60_ms_and_recovers_smoothly() {
        let x = periodic(160 * 3, 80, 0);
        let mut c = Concealer::new();
        for f in x.chunks_exact(160) {
            let mut f = f.to_vec();
            c.good(&mut f);
        }
        let mut out = [0i16; 160];
        for _ in 0..4 {
            c.conceal(&mut out);
        }
        assert!(out.iter().all(|&s| s == 0), "silent after 60 ms");
        assert_eq!(c.concealed_frames(), 4);
        let mut next = periodic(160, 80, 0);
        c.good(&mut next);
        assert!(!c.in_loss());
        // Short loss: the joint into the good frame is smooth.
        let mut c = Concealer::new();
        for f in x.chunks_exact(160) {
            let mut f = f.to_vec();
            c.good(&mut f);
        }
        c.conceal(&mut out);
        let mut next = periodic(160, 80, 0);
        let last = out[159];
        c.good(&mut next);
        assert!((i32::from(next[0]) - i32::from(last)).abs() < 3000);
    }
}
