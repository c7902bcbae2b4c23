//! DTMF generator: dials queued digits with on/off timing (Q.23), or holds one
//! digit until released (RFC 4733 §2.5 playout of a long event).
//!
//! ```text
//!            queue()              on_ms elapsed           off_ms elapsed
//!   Idle ─────────────▶ Tone ──────────────────▶ Gap ───────────────────▶ Idle / next Tone
//!     │ hold()           ▲                         ▲
//!     └────────────▶ Hold ──── release() ──────────┘
//! ```
//! `hold()` replaces any queued dialling; a `hold()` arriving during the gap
//! after a release starts when the gap ends, so two events never merge into one
//! tone on the line.

use heapless::Deque;

use super::Digit;
use crate::level::{dbm0_to_peak, saturate};
use crate::oscillator::Oscillator;

/// Digits the dial queue holds.
pub const QUEUE_CAPACITY: usize = 64;

/// Generator levels and timing.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GeneratorConfig {
    /// Level of the row (low-group) tone, dBm0. The column tone is at
    /// `level_dbm0 + twist_db`.
    pub level_dbm0: f32,
    /// How much louder the column tone is, dB (Q.23 allows some normal twist).
    pub twist_db: f32,
    /// Tone duration for queued digits, ms.
    pub on_ms: u32,
    /// Pause after each queued digit and after a held digit is released, ms.
    pub off_ms: u32,
}

impl Default for GeneratorConfig {
    fn default() -> Self {
        Self {
            level_dbm0: -10.0,
            twist_db: 0.0,
            on_ms: 60,
            off_ms: 60,
        }
    }
}

/// Why a digit could not be queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GeneratorError {
    /// The dial queue is full ([`QUEUE_CAPACITY`]); nothing was queued.
    QueueFull,
    /// The character is not a DTMF key; nothing was queued.
    InvalidDigit(char),
}

impl core::fmt::Display for GeneratorError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            GeneratorError::QueueFull => {
                write!(f, "DTMF dial queue full ({QUEUE_CAPACITY} digits)")
            }
            GeneratorError::InvalidDigit(c) => write!(f, "{c:?} is not a DTMF digit"),
        }
    }
}

impl std::error::Error for GeneratorError {}

#[derive(Clone, Copy, Debug, PartialEq)]
enum State {
    Idle,
    Tone { remaining: u64 },
    Hold,
    Gap { remaining: u64 },
}

/// Dials queued digits with on/off timing, or holds one digit for as long as
/// asked (RFC 4733 playout).
#[derive(Debug)]
pub struct Generator {
    config: GeneratorConfig,
    queue: Deque<Digit, QUEUE_CAPACITY>,
    state: State,
    pending_hold: Option<Digit>,
    row: Oscillator,
    col: Oscillator,
}

impl Generator {
    /// A generator with `config`.
    pub fn new(config: GeneratorConfig) -> Self {
        Self {
            config,
            queue: Deque::new(),
            state: State::Idle,
            pending_hold: None,
            row: Oscillator::silent(),
            col: Oscillator::silent(),
        }
    }

    /// Queues one digit for dialling.
    pub fn queue(&mut self, digit: Digit) -> Result<(), GeneratorError> {
        self.queue
            .push_back(digit)
            .map_err(|_| GeneratorError::QueueFull)
    }

    /// Queues every digit of `digits`, or none if one is invalid or they do not fit.
    pub fn queue_str(&mut self, digits: &str) -> Result<(), GeneratorError> {
        let mut count = 0;
        for c in digits.chars() {
            Digit::from_char(c).ok_or(GeneratorError::InvalidDigit(c))?;
            count += 1;
        }
        if self.queue.len() + count > QUEUE_CAPACITY {
            return Err(GeneratorError::QueueFull);
        }
        for d in digits.chars().filter_map(Digit::from_char) {
            self.queue(d)?;
        }
        Ok(())
    }

    /// Starts a tone that lasts until [`Generator::release`], replacing queued dialling.
    pub fn hold(&mut self, digit: Digit) {
        self.queue.clear();
        match self.state {
            State::Gap { .. } => self.pending_hold = Some(digit),
            _ => self.start_tone(digit, State::Hold),
        }
    }

    /// Ends a held tone (followed by the `off_ms` gap). Cancels a pending hold.
    pub fn release(&mut self) {
        self.pending_hold = None;
        if self.state == State::Hold {
            self.state = Self::gap_or_idle(crate::ms_to_samples(self.config.off_ms));
        }
    }

    /// Nothing queued, nothing sounding, no pending off-gap.
    pub fn is_idle(&self) -> bool {
        self.state == State::Idle && self.queue.is_empty() && self.pending_hold.is_none()
    }

    /// True while a tone is sounding.
    pub fn is_sounding(&self) -> bool {
        matches!(self.state, State::Tone { .. } | State::Hold)
    }

    /// Overwrites `out` with the generator's signal (silence when idle).
    /// Returns true if any tone sample was written.
    pub fn fill(&mut self, out: &mut [i16]) -> bool {
        let mut any = false;
        for s in out.iter_mut() {
            *s = match self.next_sample() {
                Some(v) => {
                    any = true;
                    saturate(v)
                }
                None => 0,
            };
        }
        any
    }

    /// Adds the signal into `out` with saturation. Returns true if any tone sample was added.
    pub fn mix(&mut self, out: &mut [i16]) -> bool {
        let mut any = false;
        for s in out.iter_mut() {
            if let Some(v) = self.next_sample() {
                any = true;
                *s = saturate(f32::from(*s) + v);
            }
        }
        any
    }

    fn gap_or_idle(remaining: u64) -> State {
        if remaining == 0 {
            State::Idle
        } else {
            State::Gap { remaining }
        }
    }

    fn start_tone(&mut self, digit: Digit, state: State) {
        let (fr, fc) = digit.frequencies();
        self.row = Oscillator::new(fr, dbm0_to_peak(self.config.level_dbm0));
        self.col = Oscillator::new(
            fc,
            dbm0_to_peak(self.config.level_dbm0 + self.config.twist_db),
        );
        self.state = state;
    }

    /// Advances the state machine by one sample; `None` when no tone sounds.
    fn next_sample(&mut self) -> Option<f32> {
        loop {
            match self.state {
                State::Idle => {
                    if let Some(d) = self.pending_hold.take() {
                        self.start_tone(d, State::Hold);
                    } else if let Some(d) = self.queue.pop_front() {
                        let remaining = crate::ms_to_samples(self.config.on_ms);
                        self.start_tone(d, State::Tone { remaining });
                    } else {
                        return None;
                    }
                }
                State::Tone { remaining: 0 } => {
                    self.state = Self::gap_or_idle(crate::ms_to_samples(self.config.off_ms));
                }
                State::Gap { remaining: 0 } => self.state = State::Idle,
                State::Tone { remaining } => {
                    self.state = if remaining > 1 {
                        State::Tone {
                            remaining: remaining - 1,
                        }
                    } else {
                        Self::gap_or_idle(crate::ms_to_samples(self.config.off_ms))
                    };
                    return Some(self.row.next_sample() + self.col.next_sample());
                }
                State::Hold => return Some(self.row.next_sample() + self.col.next_sample()),
                State::Gap { remaining } => {
                    self.state = Self::gap_or_idle(remaining - 1);
                    return None;
                }
            }
        }
    }
}

impl Default for Generator {
    fn default() -> Self {
        Self::new(GeneratorConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_and_idle() {
        let mut g = Generator::new(GeneratorConfig::default());
        assert!(g.is_idle());
        g.queue_str("12").unwrap();
        assert!(!g.is_idle());
        let mut buf = [0i16; 8 * 240];
        assert!(g.fill(&mut buf));
        // 60 ms tone, 60 ms gap, 60 ms tone, 60 ms gap = 240 ms.
        assert!(buf[..480].iter().any(|&s| s != 0));
        assert!(buf[480..960].iter().all(|&s| s == 0));
        assert!(buf[960..1440].iter().any(|&s| s != 0));
        assert!(buf[1440..].iter().all(|&s| s == 0));
        assert!(g.is_idle());
        assert!(!g.fill(&mut buf));
    }

    #[test]
    fn queue_str_is_all_or_nothing() {
        let mut g = Generator::default();
        assert_eq!(g.queue_str("12x3"), Err(GeneratorError::InvalidDigit('x')));
        assert!(g.is_idle());
        let long: String = "1".repeat(QUEUE_CAPACITY + 1);
        assert_eq!(g.queue_str(&long), Err(GeneratorError::QueueFull));
        assert!(g.is_idle());
        assert!(g.queue_str(&long[1..]).is_ok());
        assert_eq!(
            g.queue(Digit::from_char('1').unwrap()),
            Err(GeneratorError::QueueFull)
        );
    }

    #[test]
    fn hold_release_and_levels() {
        let mut g = Generator::default();
        g.queue_str("999").unwrap();
        g.hold(Digit::from_char('5').unwrap());
        let mut buf = [0i16; 8000];
        g.fill(&mut buf);
        // Two tones at -10 dBm0 each: total -7 dBm0.
        let l = crate::level::rms_dbm0(&buf);
        assert!((l + 6.99).abs() < 0.1, "{l}");
        g.release();
        assert!(!g.is_idle());
        let mut gap = [1i16; 480];
        assert!(!g.mix(&mut gap));
        assert!(gap.iter().all(|&s| s == 1));
        assert!(g.is_idle(), "queued digits were replaced by the hold");
    }
}
