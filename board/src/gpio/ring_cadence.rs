//! [`RingCadenceQualifier`]: tells ringing voltage from glitches and line noise on a
//! ring-detect input. Sans-IO, on `(now, level)` samples.
//!
//! A ring burst is 16–50 Hz AC (20 Hz in Europe and North America, 25 Hz in some
//! countries) at 40–90 V rms for a few hundred milliseconds to two seconds; the
//! ring-detect optocoupler turns each cycle into a pulse, so the input toggles at the
//! ring frequency during a burst. Bursts last at least 200 ms in every national
//! cadence (ETSI ES 201 970 §15, Telcordia GR-506); the shortest, UK double ring, is
//! 400 ms on, 200 ms off, 400 ms on, 2 s off.
//!
//! Rules, on rising edges (inactive → active):
//! - a *valid cycle* is one whose period (rising edge to rising edge) lies within
//!   `[min_period, max_period]` and differs from the previous cycle's period by at
//!   most `max_jitter` (ringing is a steady sine; noise is not);
//! - any other edge breaks the run of valid cycles;
//! - a run lasting `qualify_after` qualifies the ring: [`RingEvent::Started`];
//! - once ringing, no valid cycle for `release_after` ends the burst:
//!   [`RingEvent::Stopped`]. A single glitch inside a burst breaks the run but not
//!   the burst, as long as valid cycles resume within `release_after`.
//!
//! The default periods suit a half-wave detector (one pulse per cycle) at 20–25 Hz
//! with ±10 %: 36–55 ms. A full-wave (bridge) detector pulses twice per cycle; halve
//! the periods for it.

use std::time::{Duration, Instant};

/// What the qualifier saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingEvent {
    /// A ring burst qualified; `since` is its first valid edge.
    Started {
        /// The burst's first rising edge.
        since: Instant,
    },
    /// The burst ended; `last_cycle` is its last valid edge.
    Stopped {
        /// The burst's last valid rising edge.
        last_cycle: Instant,
    },
}

/// Thresholds of the qualifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingCadenceConfig {
    /// Shortest valid cycle (the highest ring frequency accepted).
    pub min_period: Duration,
    /// Longest valid cycle (the lowest ring frequency accepted).
    pub max_period: Duration,
    /// Largest change of period between consecutive cycles.
    pub max_jitter: Duration,
    /// Valid cadence needed to qualify a ring.
    pub qualify_after: Duration,
    /// The shortest burst a real exchange sends; `qualify_after` must not exceed it,
    /// or real rings would be missed.
    pub min_burst: Duration,
    /// Silence (no valid cycle) that ends a qualified burst.
    pub release_after: Duration,
}

impl Default for RingCadenceConfig {
    fn default() -> Self {
        Self {
            min_period: Duration::from_millis(36),
            max_period: Duration::from_millis(55),
            max_jitter: Duration::from_millis(5),
            qualify_after: Duration::from_millis(150),
            min_burst: Duration::from_millis(200),
            release_after: Duration::from_millis(120),
        }
    }
}

/// Inconsistent [`RingCadenceConfig`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RingCadenceError {
    /// `min_period` must be above zero and at most `max_period`.
    #[error("ring period range {min:?}..={max:?} is empty")]
    PeriodRange {
        /// Configured minimum.
        min: Duration,
        /// Configured maximum.
        max: Duration,
    },
    /// `qualify_after` must be at least one `max_period` and at most `min_burst`.
    #[error("qualify_after {qualify_after:?} must lie between one ring cycle and the shortest burst {min_burst:?}")]
    QualifyAfter {
        /// Configured qualification time.
        qualify_after: Duration,
        /// Configured shortest burst.
        min_burst: Duration,
    },
    /// `release_after` must exceed `max_period`, or a burst ends between two cycles.
    #[error("release_after {release_after:?} must exceed max_period {max_period:?}")]
    ReleaseAfter {
        /// Configured release time.
        release_after: Duration,
        /// Configured longest cycle.
        max_period: Duration,
    },
}

/// Qualifies ring bursts on a ring-detect input.
#[derive(Clone, Debug)]
pub struct RingCadenceQualifier {
    config: RingCadenceConfig,
    level: bool,
    last_rise: Option<Instant>,
    last_period: Option<Duration>,
    /// First rising edge of the current run of valid cycles.
    run_start: Option<Instant>,
    last_valid: Option<Instant>,
    ringing: bool,
}

impl RingCadenceQualifier {
    /// A qualifier with an inactive input and no ring.
    pub fn new(config: RingCadenceConfig) -> Result<Self, RingCadenceError> {
        if config.min_period.is_zero() || config.min_period > config.max_period {
            return Err(RingCadenceError::PeriodRange {
                min: config.min_period,
                max: config.max_period,
            });
        }
        if config.qualify_after < config.max_period || config.qualify_after > config.min_burst {
            return Err(RingCadenceError::QualifyAfter {
                qualify_after: config.qualify_after,
                min_burst: config.min_burst,
            });
        }
        if config.release_after <= config.max_period {
            return Err(RingCadenceError::ReleaseAfter {
                release_after: config.release_after,
                max_period: config.max_period,
            });
        }
        Ok(Self {
            config,
            level: false,
            last_rise: None,
            last_period: None,
            run_start: None,
            last_valid: None,
            ringing: false,
        })
    }

    /// Whether a qualified burst is in progress.
    pub fn ringing(&self) -> bool {
        self.ringing
    }

    /// The ring-detect input read `level` at `now`. Sample at least four times per
    /// ring cycle (every 5 ms or faster), or feed edge events.
    pub fn sample(&mut self, now: Instant, level: bool) -> Option<RingEvent> {
        if let Some(stopped) = self.handle_timeout(now) {
            // Any edge in this same sample can at most start a new run, not qualify.
            self.rising_edge_if(now, level);
            return Some(stopped);
        }
        self.rising_edge_if(now, level)
    }

    /// Time passed without a sample: ends a burst whose cycles stopped.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<RingEvent> {
        let last_cycle = self.last_valid?;
        if self.ringing && now >= last_cycle + self.config.release_after {
            self.ringing = false;
            self.run_start = None;
            return Some(RingEvent::Stopped { last_cycle });
        }
        None
    }

    /// When a burst will be declared over if no valid cycle comes.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.last_valid
            .filter(|_| self.ringing)
            .map(|at| at + self.config.release_after)
    }

    fn rising_edge_if(&mut self, now: Instant, level: bool) -> Option<RingEvent> {
        let rising = level && !self.level;
        self.level = level;
        if !rising {
            return None;
        }
        let previous = self.last_rise.replace(now);
        let period = previous.map(|prev| now.saturating_duration_since(prev));
        let in_range =
            period.is_some_and(|p| p >= self.config.min_period && p <= self.config.max_period);
        let steady = match (period, self.last_period) {
            (Some(p), Some(q)) if self.run_start.is_some() => {
                p.abs_diff(q) <= self.config.max_jitter
            }
            _ => true,
        };
        self.last_period = period;
        match (in_range && steady, previous) {
            (true, Some(prev)) => {
                self.last_valid = Some(now);
                let start = *self.run_start.get_or_insert(prev);
                if !self.ringing
                    && now.saturating_duration_since(start) >= self.config.qualify_after
                {
                    self.ringing = true;
                    return Some(RingEvent::Started { since: start });
                }
            }
            _ => self.run_start = None,
        }
        None
    }
}
