//! The line echo canceller: two-path NLMS, Geigel double-talk detector,
//! non-linear processor. See the module documentation of [`crate::echo`].

use super::double_talk::Geigel;
use super::high_pass::HighPass;
use super::history::History;
use super::kernels::{self, Update};
use super::nlp::Nlp;
use super::whitening::Whitener;
use super::{flush, ConfigError, MAX_TAPS};
use crate::level::{dbm0_to_power, saturate};

/// Most energy (Σh²) the output filter may have: a 2-wire hybrid is passive, so
/// its echo path never has gain above 0 dB (real lines return 6 dB or less); the
/// bound leaves 6 dB for the whitened, high-passed domain the taps live in.
const MAX_PATH_ENERGY: f32 = 4.0;

/// Shortest tail accepted, ms.
pub const MIN_TAIL_MS: u32 = 16;
/// Longest tail accepted, ms ([`MAX_TAPS`] taps).
pub const MAX_TAIL_MS: u32 = 64;

/// Far-end level below which the filter does not adapt and no echo is
/// expected, dBm0 (short-term power).
const FAR_ACTIVE_DBM0: f32 = -45.0;
/// NLMS regularisation: far-end power per tap, dBm0.
const REGULARISATION_DBM0: f32 = -60.0;
/// The whitening stops this far (+10 dB) above the line noise referred to
/// the far end: whitening boosts the noise in the update as much as the
/// weak bands, and noise-driven updates misadjust the filter.
const NOISE_FLOOR_MARGIN: f32 = 10.0;
/// The update is pre-whitened only while the background's residual is
/// more than this above the line noise (10 dB).
const WHITEN_ABOVE_NOISE: f32 = 10.0;
/// Short-term power smoothing (4 ms).
const FAST: f32 = 1.0 / 32.0;
/// Power smoothing for the two-path comparison (8 ms).
const COMPARE: f32 = 1.0 / 64.0;
/// Power smoothing for the ERLE estimate (64 ms).
const ERLE_SMOOTHING: f32 = 1.0 / 512.0;
/// Decay of the echo-estimate envelope (time constant 64 ms).
const ENVELOPE_DECAY: f32 = 1.0 / 512.0;
/// Once the canceller has converged, the background is copied only while
/// its residual is this far below the near end (18 dB; 3 dB before): an
/// undetected near talker stays in both filters' residuals, so in double
/// talk no background gets this far below the near end however it has
/// (mis)adapted, unless the talker is 18 dB under the echo and harmless.
const COPY_MAX_RESIDUAL: f32 = 1.0 / 64.0;
/// Consecutive samples the background filter must win before it is copied.
const COPY_DWELL: u32 = 32;
/// Background updates between snapshots of it into the candidate (4 ms of
/// adaptation): the candidate is the background frozen, so its error is a
/// fixed filter's, like the foreground's (see `Canceller::step`).
const CANDIDATE_PERIOD: u32 = 32;
/// Consecutive samples the background filter must lose badly before the
/// foreground is copied back into it.
const RESTORE_DWELL: u32 = 128;
/// Error over line power (3 dB) above which the output filter makes the
/// line's signal worse rather than better (see `Canceller::step`).
const HARM_RATIO: f32 = 2.0;
/// Consecutive samples (32 ms) of that before both filters are cleared.
const HARM_DWELL: u32 = 256;
/// After convergence, a residual louder than the echo estimate's envelope
/// times this means a near-end talker (−3 dB: a converged filter, ERLE
/// ≥ 15 dB, leaves its residual echo 12 dB below that, while a talker as
/// loud as the far end at ERL 6 dB sits 6 dB above the echo on average and
/// dips under the envelope, a peak hold, in its quieter syllables; at 0 dB
/// G.168 test 3B saw only 68 % of the double talk on D4).
const NEAR_TALK_RATIO: f32 = 0.5;
/// ERLE estimate (dB) at which the canceller declares itself converged, and
/// below which it withdraws that.
const CONVERGED_DB: f32 = 15.0;
const UNCONVERGED_DB: f32 = 10.0;
/// ERLE estimate (dB) from which the stricter copy rule holds
/// ([`COPY_MAX_RESIDUAL`]).
const LATCH_DB: f32 = 20.0;

/// Per-instance settings. Defaults: 32 ms tail, NLP and comfort noise on,
/// high-pass on, step 0.7, no leakage, Geigel at 6 dB held 30 ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CancellerConfig {
    /// Echo tail covered, ms ([`MIN_TAIL_MS`]..=[`MAX_TAIL_MS`]; 8 taps per ms).
    pub tail_ms: u32,
    /// Non-linear processor (residual suppression) on at start.
    pub nlp: bool,
    /// Fill suppressed residual with comfort noise at the background level.
    pub comfort_noise: bool,
    /// DC / mains-hum high-pass on the near end (and, to keep the echo path
    /// linear, on the reference).
    pub high_pass: bool,
    /// NLMS normalised step μ, (0, 1].
    pub step: f32,
    /// Leakage per adaptation step, [0, 0.001]: taps are scaled by
    /// `1 − leakage` before each update (0 = off).
    pub leakage: f32,
    /// Geigel threshold: double talk when near > far_max · 10^(−dB/20);
    /// the smallest echo return loss assumed, dB (G.168: 6).
    pub geigel_erl_db: f32,
    /// How long a double-talk verdict is held, ms.
    pub double_talk_hold_ms: u32,
    /// Pre-whiten the NLMS update (see the `whitening` module): speech
    /// converges about as fast as white noise. Off: plain NLMS.
    pub prewhiten: bool,
    /// Seed of the comfort-noise generator.
    pub seed: u64,
}

impl Default for CancellerConfig {
    fn default() -> Self {
        Self {
            tail_ms: 32,
            nlp: true,
            comfort_noise: true,
            high_pass: true,
            step: 0.7,
            leakage: 0.0,
            geigel_erl_db: 6.0,
            double_talk_hold_ms: 30,
            prewhiten: true,
            seed: 0x0EC0,
        }
    }
}

impl CancellerConfig {
    /// Checks every field; the first fault found.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(MIN_TAIL_MS..=MAX_TAIL_MS).contains(&self.tail_ms) {
            return Err(ConfigError::TailOutOfRange(self.tail_ms));
        }
        if !(self.step > 0.0 && self.step <= 1.0) {
            return Err(ConfigError::StepOutOfRange(self.step));
        }
        if !(0.0..=0.001).contains(&self.leakage) {
            return Err(ConfigError::LeakageOutOfRange(self.leakage));
        }
        if !(0.0..=20.0).contains(&self.geigel_erl_db) {
            return Err(ConfigError::GeigelOutOfRange(self.geigel_erl_db));
        }
        if self.double_talk_hold_ms > 500 {
            return Err(ConfigError::HoldOutOfRange(self.double_talk_hold_ms));
        }
        Ok(())
    }
}

/// Samples the high-pass filters run ahead of the adaptive part.
const BLOCK: usize = 160;

#[inline]
fn smooth(state: &mut f32, x: f32, alpha: f32) {
    *state += (x - *state) * alpha;
}

/// Line echo canceller for one 8 kHz channel. See [`crate::echo`].
#[derive(Clone, Debug)]
pub struct Canceller {
    config: CancellerConfig,
    taps: usize,
    enabled: bool,
    nlp_enabled: bool,
    history: History,
    /// The reference through the whitening filter (for the update only).
    white_history: History,
    whitener: Whitener,
    /// Adapts every sample it may.
    background: [f32; MAX_TAPS],
    /// The background's last NLMS update, applied in the next sample's fused
    /// filter pass (see [`kernels::fused`]), or earlier by
    /// [`Canceller::flush_update`] when something needs the taps first.
    pending: Update,
    /// The pending update's regressor is the whitened history (else the
    /// plain one).
    pending_white: bool,
    /// Produces the output; copied from the background when that does better.
    foreground: [f32; MAX_TAPS],
    /// The background as it was at most [`CANDIDATE_PERIOD`] updates ago,
    /// not adapting: what the background's taps are worth as a fixed filter.
    candidate: [f32; MAX_TAPS],
    /// Background updates since the candidate was last taken.
    candidate_age: u32,
    hp_far: HighPass,
    hp_near: HighPass,
    geigel: Geigel,
    nlp: Nlp,
    // Derived constants.
    far_active_power: f32,
    regularisation: f64,
    /// The same per tap (the line noise floor the residual detector allows).
    regularisation_per_tap: f32,
    hang_samples: u32,
    // Short-term powers (mean square, 16-bit scale).
    far_power: f32,
    /// Samples since the far end was last active; echo may still arrive
    /// while below the tail plus a margin.
    since_far_active: u32,
    err_fg_fast: f32,
    echo_envelope: f32,
    echo_fast: f32,
    near_cmp: f32,
    err_fg_cmp: f32,
    err_bg_cmp: f32,
    err_cand_cmp: f32,
    /// Power of the error the update uses (whitened or not).
    err_update: f32,
    copy_count: u32,
    restore_count: u32,
    /// Consecutive far-active samples in which the output filter added power.
    harm_count: u32,
    cleared: u32,
    near_erle: f32,
    far_erle: f32,
    err_erle: f32,
    converged: bool,
    /// Latched once the ERLE estimate first reached [`LATCH_DB`] (until
    /// [`Canceller::reset`]): from then on a background must leave the
    /// residual [`COPY_MAX_RESIDUAL`] below the near end to be copied.
    /// (`converged` itself is withdrawn by the near talker the copy rule
    /// guards against.)
    has_converged: bool,
    double_talk: bool,
    /// ERLE estimate ratios (linear) for [`CONVERGED_DB`] / [`UNCONVERGED_DB`].
    converged_ratio: f32,
    unconverged_ratio: f32,
    latch_ratio: f32,
    /// The AVX2+FMA tap pass, when this CPU has it.
    #[cfg(target_arch = "x86_64")]
    avx2: Option<super::kernels_avx2::Avx2>,
}

impl Canceller {
    /// A canceller with cleared filters, or the configuration's fault.
    pub fn new(config: CancellerConfig) -> Result<Self, ConfigError> {
        config.validate()?;
        let taps = (config.tail_ms * 8) as usize;
        let hold = config.double_talk_hold_ms * 8;
        Ok(Self {
            config,
            taps,
            enabled: true,
            nlp_enabled: config.nlp,
            history: History::new(taps),
            white_history: History::new(taps),
            whitener: Whitener::new(dbm0_to_power(FAR_ACTIVE_DBM0)),
            background: [0.0; MAX_TAPS],
            pending: Update::NONE,
            pending_white: false,
            foreground: [0.0; MAX_TAPS],
            candidate: [0.0; MAX_TAPS],
            candidate_age: 0,
            hp_far: HighPass::new(),
            hp_near: HighPass::new(),
            geigel: Geigel::new(taps, 10f32.powf(-config.geigel_erl_db / 20.0), hold),
            nlp: Nlp::new(config.seed),
            far_active_power: dbm0_to_power(FAR_ACTIVE_DBM0),
            regularisation: f64::from(dbm0_to_power(REGULARISATION_DBM0)) * taps as f64,
            regularisation_per_tap: dbm0_to_power(REGULARISATION_DBM0),
            hang_samples: taps as u32 + 240,
            far_power: 0.0,
            since_far_active: u32::MAX,
            err_fg_fast: 0.0,
            echo_envelope: 0.0,
            echo_fast: 0.0,
            near_cmp: 0.0,
            err_fg_cmp: 0.0,
            err_bg_cmp: 0.0,
            err_cand_cmp: 0.0,
            err_update: 0.0,
            copy_count: 0,
            restore_count: 0,
            harm_count: 0,
            cleared: 0,
            near_erle: 0.0,
            far_erle: 0.0,
            err_erle: 0.0,
            converged: false,
            has_converged: false,
            double_talk: false,
            converged_ratio: 10f32.powf(CONVERGED_DB / 10.0),
            unconverged_ratio: 10f32.powf(UNCONVERGED_DB / 10.0),
            latch_ratio: 10f32.powf(LATCH_DB / 10.0),
            #[cfg(target_arch = "x86_64")]
            avx2: super::kernels_avx2::Avx2::detect(),
        })
    }

    /// The configuration this canceller was built with.
    pub fn config(&self) -> &CancellerConfig {
        &self.config
    }

    /// Filter length in taps (8 per ms of tail).
    pub fn taps(&self) -> usize {
        self.taps
    }

    /// Cancels echo from one frame. `far_end`: what was sent to the line
    /// (the reference) at the same instants as `near_end`, what came back
    /// (echo plus the near-end talker). Writes the cleaned near end to `out`.
    ///
    /// The three slices should have the same length (any, 160 typical); only
    /// the common prefix is processed. Never allocates.
    pub fn process(&mut self, far_end: &[i16], near_end: &[i16], out: &mut [i16]) {
        let n = far_end.len().min(near_end.len()).min(out.len());
        debug_assert_eq!(far_end.len(), near_end.len());
        debug_assert_eq!(far_end.len(), out.len());
        // The high-pass filters run a block at a time ahead of the adaptive
        // part: their recursions are latency chains that would otherwise
        // add to every sample's.
        for ((far, near), out) in far_end[..n]
            .chunks(BLOCK)
            .zip(near_end[..n].chunks(BLOCK))
            .zip(out[..n].chunks_mut(BLOCK))
        {
            self.flush_decayed();
            let (mut x, mut d) = ([0f32; BLOCK], [0f32; BLOCK]);
            let len = far.len();
            for ((o, &s), (p, &t)) in x.iter_mut().zip(far).zip(d.iter_mut().zip(near)) {
                *o = f32::from(s);
                *p = f32::from(t);
            }
            if self.config.high_pass {
                // Far and near interleaved: two independent chains overlap.
                for (x, d) in x[..len].iter_mut().zip(&mut d[..len]) {
                    *x = self.hp_far.step(*x);
                    *d = self.hp_near.step(*d);
                }
            }
            for ((&x, &d), (o, &raw)) in
                x[..len].iter().zip(&d[..len]).zip(out.iter_mut().zip(near))
            {
                *o = if self.enabled { self.step(x, d) } else { raw };
                if !self.enabled {
                    // Keep the reference history current so re-enabling is
                    // seamless.
                    self.flush_update();
                    self.history.push(x);
                }
            }
        }
    }

    /// Sets the decaying states below [`super::FLUSH`] to 0 (once per block).
    fn flush_decayed(&mut self) {
        for state in [
            &mut self.far_power,
            &mut self.err_fg_fast,
            &mut self.echo_envelope,
            &mut self.echo_fast,
            &mut self.near_cmp,
            &mut self.err_fg_cmp,
            &mut self.err_bg_cmp,
            &mut self.err_cand_cmp,
            &mut self.err_update,
            &mut self.near_erle,
            &mut self.far_erle,
            &mut self.err_erle,
        ] {
            flush(state);
        }
        self.nlp.flush_decayed();
    }

    /// One sample: `x` the high-passed far end, `d` the high-passed near end.
    #[inline]
    fn step(&mut self, x: f32, d: f32) -> i16 {
        self.history.push(x);
        if self.config.prewhiten {
            // Line noise referred to the far end through the echo path's
            // power gain (bounded above by near/far, noise included).
            let (near, far, background) = (self.near_erle, self.far_erle, self.nlp.background());
            let floor = || {
                let path_gain = (near / far.max(1.0)).clamp(1e-4, 1.0);
                NOISE_FLOOR_MARGIN * background / path_gain
            };
            if self.whitener.tick(self.history.extended(), floor) {
                // New predictor: the update's regressor must be the whole
                // window whitened by it (see the `whitening` module). The
                // pending update belongs to the old regressor.
                self.flush_update();
                self.white_history.refilter(&self.history, &self.whitener);
            } else {
                let xw = self.whitener.reference(self.history.extended());
                self.white_history.push(xw);
            }
        }
        // Far-end activity, with a hang-over for the echo still in flight.
        smooth(&mut self.far_power, x * x, FAST);
        let far_active = self.far_power > self.far_active_power;
        if far_active {
            self.since_far_active = 0;
        } else {
            self.since_far_active = self.since_far_active.saturating_add(1);
        }
        let echo_possible = self.since_far_active < self.hang_samples;
        let geigel = self.geigel.step(x, d);
        let adapt = far_active && !geigel;

        // Keeps the near end's whitening ring current in every sample. (Done
        // before the filter pass: that pass reads the sample just pushed
        // into the histories with vector loads, which stall until the
        // scalar store has left the store buffer; this is useful work in
        // the meantime.)
        let d_white = if self.config.prewhiten {
            self.whitener.near(d)
        } else {
            0.0
        };
        // Whitening speeds convergence but also whitens (boosts) the line
        // noise in the update; once the residual is down near the noise,
        // plain NLMS updates misadjust the filter less. The taps are the same
        // echo path in both domains, so the choice is made afresh each sample
        // (and the filter pass skips the whitened output when it is not).
        let whiten_now =
            self.config.prewhiten && self.err_bg_cmp > WHITEN_ABOVE_NOISE * self.nlp.background();
        let y = self.filter_pass(whiten_now);
        let (y_fg, y_bg) = (y.fg, y.bg);
        let e_fg = d - y_fg;
        let e_bg = d - y_bg;

        let (e_update, update_energy, noise_gain) = if whiten_now {
            (
                d_white - y.white,
                self.white_history.energy,
                self.whitener.white_noise_gain(),
            )
        } else {
            (e_bg, self.history.energy, 1.0)
        };
        smooth(&mut self.err_update, e_update * e_update, COMPARE);

        // Adapt the background filter (NLMS), frozen in double talk. The
        // update itself is applied in the next sample's filter pass.
        if adapt {
            // Noise-aware step (after Benesty's NPVSS): as the background
            // error falls to the line-noise floor measured in far-end
            // silence, the step shrinks, so noise does not misadjust the
            // converged filter; a fresh error (path change) gets the full step.
            // Both in the domain of the update: line noise is about white, so
            // whitening scales its power by W's white-noise gain.
            let background = self.nlp.background();
            let noise_ratio = if background > 0.0 {
                (background * noise_gain / self.err_update.max(1e-3)).sqrt()
            } else {
                0.0
            };
            let step = self.config.step * (1.0 - noise_ratio).clamp(0.05, 1.0);
            let k = (f64::from(step * e_update) / (update_energy + self.regularisation)) as f32;
            self.pending = Update {
                k,
                keep: 1.0 - self.config.leakage,
            };
            self.pending_white = whiten_now;
        }

        // Two-path control: promote a better background, restore a diverged one.
        let e_cand = d - y.cand;
        smooth(&mut self.near_cmp, d * d, COMPARE);
        smooth(&mut self.err_fg_cmp, e_fg * e_fg, COMPARE);
        smooth(&mut self.err_bg_cmp, e_bg * e_bg, COMPARE);
        smooth(&mut self.err_cand_cmp, e_cand * e_cand, COMPARE);
        // Before the first convergence a background that halves the near end
        // is progress; after it, see COPY_MAX_RESIDUAL. (No allowance for the
        // line noise after it: the background tracker can read a near talker
        // in the far end's pauses as noise. A canceller whose ERLE is held
        // below 20 dB by the noise never latches, and keeps the first rule.)
        let copy_limit = if self.has_converged {
            COPY_MAX_RESIDUAL * self.near_cmp
        } else {
            0.5 * self.near_cmp
        };
        // The background's error is an adapting filter's a priori error: each
        // update also fits the next samples of a predictable residual (through
        // the whitener's synthesis filter, up to a pitch period ahead), which
        // a frozen copy of the same taps does not do. Once the canceller has
        // converged, a background ahead of the foreground only by that
        // tracking, as when a phrase starts in a band the filters have not
        // learnt, must not replace it: the candidate, the same background
        // frozen at most 32 updates (4 ms of adaptation) ago, must also do
        // better than the foreground on the same samples. (Before that, the
        // foreground is worth little and follows the background's fast
        // progress on the first test alone.)
        let fair = !self.has_converged || self.err_cand_cmp < self.err_fg_cmp;
        if far_active
            && self.err_bg_cmp < 0.7 * self.err_fg_cmp
            && fair
            && self.err_bg_cmp < copy_limit
        {
            self.copy_count += 1;
            if self.copy_count >= COPY_DWELL {
                self.flush_update();
                let energy = kernels::energy(&self.background[..self.taps]);
                if energy <= MAX_PATH_ENERGY {
                    self.foreground[..self.taps].copy_from_slice(&self.background[..self.taps]);
                    self.candidate[..self.taps].copy_from_slice(&self.background[..self.taps]);
                    self.candidate_age = 0;
                    let l1 = self.foreground[..self.taps].iter().map(|h| h.abs()).sum();
                    self.geigel.set_path_gain(l1);
                    self.err_fg_cmp = self.err_bg_cmp;
                } else {
                    // No passive echo path amplifies: this background has learnt
                    // to cancel the near end from something in the reference
                    // (e.g. the periodic quantisation noise of a loud far-end
                    // tone). Start it again from the foreground.
                    self.pending = Update::NONE;
                    self.background[..self.taps].copy_from_slice(&self.foreground[..self.taps]);
                    self.err_bg_cmp = self.err_fg_cmp;
                }
                self.copy_count = 0;
            }
        } else {
            self.copy_count = 0;
        }
        if adapt {
            self.candidate_age += 1;
            if self.candidate_age >= CANDIDATE_PERIOD {
                // (Without the pending update: the background as the last
                // pass left it.)
                self.candidate[..self.taps].copy_from_slice(&self.background[..self.taps]);
                self.candidate_age = 0;
            }
        }
        if self.err_bg_cmp > 4.0 * self.err_fg_cmp && self.err_fg_cmp < self.near_cmp {
            self.restore_count += 1;
            if self.restore_count >= RESTORE_DWELL {
                // Overwrites this sample's update too.
                self.pending = Update::NONE;
                self.background[..self.taps].copy_from_slice(&self.foreground[..self.taps]);
                self.err_bg_cmp = self.err_fg_cmp;
                self.restore_count = 0;
            }
        } else {
            self.restore_count = 0;
        }
        // Never worse than no canceller. An output filter whose error has more
        // power than the line's own signal is no echo path: on a line without
        // echo, in double talk, the background can "explain" stretches of the
        // near talker from the far end's voice (both voiced, through the
        // whitened update) and be copied; in the near end's pauses the output
        // would then play the far end's voice back to it. (Or the echo path
        // changed beyond what the filter can track.) Clear both filters and
        // start again.
        if far_active && self.err_fg_cmp > HARM_RATIO * self.near_cmp {
            self.harm_count += 1;
            if self.harm_count >= HARM_DWELL {
                self.clear_filters();
            }
        } else {
            self.harm_count = 0;
        }

        // ERLE estimate and convergence, while echo is the only signal.
        if adapt {
            smooth(&mut self.near_erle, d * d, ERLE_SMOOTHING);
            smooth(&mut self.far_erle, x * x, ERLE_SMOOTHING);
            smooth(&mut self.err_erle, e_fg * e_fg, ERLE_SMOOTHING);
            // erle_db() against the thresholds, without its logarithm.
            let ratio = (self.near_erle + 1.0) / (self.err_erle + 1.0);
            if ratio >= self.latch_ratio {
                self.has_converged = true;
            }
            if ratio >= self.converged_ratio {
                self.converged = true;
            } else if ratio < self.unconverged_ratio {
                self.converged = false;
            }
        }

        // Double talk as seen from the residual (sensitive once converged).
        smooth(&mut self.err_fg_fast, e_fg * e_fg, FAST);
        smooth(&mut self.echo_fast, y_fg * y_fg, FAST);
        self.echo_envelope = if self.echo_fast > self.echo_envelope {
            self.echo_fast
        } else {
            self.echo_envelope * (1.0 - ENVELOPE_DECAY)
        };
        // A residual the filter's echo estimate cannot account for is the near
        // end talking. Before convergence Geigel's test is added; on its own it
        // assumes a 6 dB echo return loss, so a line with no echo path at all
        // (the filter never converges) would have its near end muted whenever the
        // far end is 6 dB louder.
        let unexplained = self.err_fg_fast
            > NEAR_TALK_RATIO * self.echo_envelope
                + 2.0 * self.nlp.background()
                + self.regularisation_per_tap;
        let near_talk = if self.converged {
            unexplained
        } else {
            geigel || unexplained
        };
        self.double_talk = echo_possible && near_talk;

        self.nlp.track(e_fg, !echo_possible);
        let suppress = self.nlp_enabled && echo_possible && !near_talk;
        let y = self.nlp.step(e_fg, suppress, self.config.comfort_noise);
        saturate(y)
    }

    /// Far-end window energy (Σx² over the taps) below which the filters'
    /// outputs are taken as 0: |y| ≤ ‖h‖·√energy, under 0.03 of a 16-bit
    /// step for any plausible echo path, and the pass is skipped (far end
    /// idle or digitally silent).
    const IDLE_ENERGY: f64 = 1e-3;

    /// Applies the pending update and computes this sample's filter outputs
    /// in one pass over the taps (see [`kernels::fused`]).
    #[inline]
    fn filter_pass(&mut self, whiten: bool) -> kernels::Outputs {
        let taps = self.taps;
        let update = core::mem::replace(&mut self.pending, Update::NONE);
        let idle = self.history.energy < Self::IDLE_ENERGY
            && (!self.config.prewhiten || self.white_history.energy < Self::IDLE_ENERGY);
        // The pending update's regressor is the previous sample's window,
        // one slot older now that a sample has been pushed.
        let regressor = if self.pending_white {
            &self.white_history
        } else {
            &self.history
        };
        let prev = regressor.previous_window();
        if idle {
            if !update.is_none() {
                kernels::apply_update(&mut self.background[..taps], prev, update);
            }
            return kernels::Outputs::default();
        }
        let inputs = kernels::Inputs {
            fg: &self.foreground[..taps],
            cand: &self.candidate[..taps],
            x: &self.history.window()[..taps],
            white: whiten.then(|| self.white_history.window()),
            prev,
        };
        #[cfg(target_arch = "x86_64")]
        if let Some(avx2) = self.avx2 {
            if taps.is_multiple_of(kernels::LANES) {
                return avx2.fused(&mut self.background[..taps], inputs, update);
            }
        }
        kernels::fused(&mut self.background[..taps], inputs, update)
    }

    /// Both filters (and the candidate) back to no echo path, as at the start.
    fn clear_filters(&mut self) {
        self.pending = Update::NONE;
        self.foreground[..self.taps].fill(0.0);
        self.background[..self.taps].fill(0.0);
        self.candidate[..self.taps].fill(0.0);
        self.candidate_age = 0;
        self.geigel.set_path_gain(0.0);
        self.err_fg_cmp = self.near_cmp;
        self.err_bg_cmp = self.near_cmp;
        self.err_cand_cmp = self.near_cmp;
        self.copy_count = 0;
        self.restore_count = 0;
        self.harm_count = 0;
        self.has_converged = false;
        self.converged = false;
        self.cleared += 1;
    }

    /// Times both filters were cleared because the output filter made the
    /// line's signal worse (see `Canceller::step`).
    pub fn clears(&self) -> u32 {
        self.cleared
    }

    /// Applies the pending update now (its regressor is the current window:
    /// no sample has been pushed since it was computed).
    fn flush_update(&mut self) {
        let update = core::mem::replace(&mut self.pending, Update::NONE);
        if update.is_none() {
            return;
        }
        let regressor = if self.pending_white {
            self.white_history.window()
        } else {
            self.history.window()
        };
        kernels::apply_update(&mut self.background[..self.taps], regressor, update);
    }

    #[inline]
    /// Turns the whole canceller on or off; off passes the near end through
    /// untouched (the far-end history keeps running).
    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// Whether the canceller is on.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Turns the non-linear processor on or off at run time.
    pub fn set_nlp(&mut self, nlp: bool) {
        self.nlp_enabled = nlp;
    }

    /// Whether the non-linear processor is on.
    pub fn nlp(&self) -> bool {
        self.nlp_enabled
    }

    /// Turns comfort noise on or off at run time.
    pub fn set_comfort_noise(&mut self, on: bool) {
        self.config.comfort_noise = on;
    }

    /// Forgets the echo path and all state (new call); keeps the settings
    /// and the run-time switches.
    pub fn reset(&mut self) {
        let (enabled, nlp, cn) = (self.enabled, self.nlp_enabled, self.config.comfort_noise);
        let mut config = self.config;
        config.comfort_noise = cn;
        // The configuration was validated at construction.
        if let Ok(fresh) = Canceller::new(config) {
            *self = fresh;
        }
        self.enabled = enabled;
        self.nlp_enabled = nlp;
    }

    /// Echo return loss enhancement of the linear filter, dB: near-end power
    /// over residual power, smoothed over ~64 ms of far-end activity outside
    /// double talk. Near-end noise bounds it.
    pub fn erle_db(&self) -> f32 {
        let floor = 1.0;
        (10.0 * ((self.near_erle + floor) / (self.err_erle + floor)).log10()).max(0.0)
    }

    /// Whether a near-end talker was heard over echo at the last sample.
    pub fn double_talk(&self) -> bool {
        self.double_talk
    }

    /// Whether the ERLE estimate has reached 15 dB (withdrawn below 10 dB).
    pub fn converged(&self) -> bool {
        self.converged
    }

    /// The foreground filter's taps (the echo path estimate), 16-bit scale.
    pub fn impulse_response(&self) -> &[f32] {
        &self.foreground[..self.taps]
    }

    /// Background noise estimate used for comfort noise, dBm0.
    pub fn background_dbm0(&self) -> f32 {
        crate::level::power_to_dbm0(self.nlp.background())
    }
}

#[cfg(test)]
#[path = "canceller_tests.rs"]
mod tests;
