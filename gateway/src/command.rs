//! DTMF command sequences: recognise `*76`-style sequences in a call's digit stream.
//!
//! Digits arrive as they start (the detector's `Start` event), so the decision to
//! hold a digit back is taken before any of it could be forwarded:
//!
//! ```text
//!            start key                 prefix of a sequence
//!   Idle ─────────────────▶ Collecting ──────────────────────┐
//!    ▲  other key: pass       │  │ ▲                          │
//!    │                        │  └─┘                          │
//!    │   whole sequence: Command (digits consumed)            │
//!    ├────────────────────────┘                               │
//!    │   no sequence starts like this, or inter-digit timeout: │
//!    └──────────── Release(held digits, forwarded late) ◀─────┘
//! ```
//!
//! The recognizer is sans-IO: the caller passes `now` and asks
//! [`Recognizer::poll_timeout`] when the inter-digit timer expires.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dsp::dtmf::Digit;

use crate::config::{CommandAction, CommandsConfig};

/// Most digits a sequence can hold (start key included).
pub const MAX_SEQUENCE: usize = 16;

/// One configured sequence.
#[derive(Debug, Clone)]
pub struct Sequence {
    /// Its digits, start key first.
    pub digits: String,
    /// What it does.
    pub action: CommandAction,
    /// The page, for `push-page`.
    pub url: Option<String>,
}

/// The command table shared by every call.
#[derive(Debug, Clone)]
pub struct CommandTable {
    start_key: char,
    interdigit: Duration,
    sequences: Arc<[Sequence]>,
}

impl CommandTable {
    /// Build the table from validated configuration.
    pub fn from_config(config: &CommandsConfig) -> Self {
        CommandTable {
            start_key: config.start_key,
            interdigit: Duration::from_millis(u64::from(config.interdigit_timeout_ms)),
            sequences: config
                .sequences
                .iter()
                .filter(|s| s.digits.len() <= MAX_SEQUENCE)
                .map(|s| Sequence {
                    digits: s.digits.clone(),
                    action: s.action,
                    url: s.url.clone(),
                })
                .collect(),
        }
    }

    /// The configured sequences.
    pub fn sequences(&self) -> &[Sequence] {
        &self.sequences
    }
}

/// What a digit did to the recognizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An ordinary digit: forward it now.
    Pass,
    /// Held back: it may belong to a command.
    Held,
    /// A whole sequence was keyed: index into [`CommandTable::sequences`]. Its digits
    /// are consumed and never forwarded.
    Command(usize),
    /// The held digits (this one included, if it was held) turned out not to be a
    /// command: forward them, late.
    Release(heapless::Vec<Digit, MAX_SEQUENCE>),
}

/// Per-call recognizer state.
#[derive(Debug, Clone)]
pub struct Recognizer {
    table: CommandTable,
    held: heapless::Vec<Digit, MAX_SEQUENCE>,
    deadline: Option<Instant>,
}

impl Recognizer {
    /// A recognizer for one call.
    pub fn new(table: CommandTable) -> Self {
        Recognizer {
            table,
            held: heapless::Vec::new(),
            deadline: None,
        }
    }

    /// The table it recognises.
    pub fn table(&self) -> &CommandTable {
        &self.table
    }

    /// The digits held right now.
    pub fn held(&self) -> &[Digit] {
        &self.held
    }

    /// A digit started.
    pub fn digit(&mut self, now: Instant, digit: Digit) -> Outcome {
        if self.held.is_empty() {
            if digit.as_char() != self.table.start_key || self.table.sequences.is_empty() {
                return Outcome::Pass;
            }
            // Cannot fail: the buffer is empty.
            let _ = self.held.push(digit);
            self.deadline = Some(now + self.table.interdigit);
            return Outcome::Held;
        }
        if self.held.push(digit).is_err() {
            return self.release();
        }
        let matches = |s: &Sequence| {
            s.digits.len() >= self.held.len()
                && s.digits
                    .chars()
                    .zip(self.held.iter())
                    .all(|(c, d)| c == d.as_char())
        };
        if let Some(i) = self
            .table
            .sequences
            .iter()
            .position(|s| s.digits.len() == self.held.len() && matches(s))
        {
            self.held.clear();
            self.deadline = None;
            return Outcome::Command(i);
        }
        if self.table.sequences.iter().any(matches) {
            self.deadline = Some(now + self.table.interdigit);
            Outcome::Held
        } else {
            self.release()
        }
    }

    /// When the inter-digit timer fires, if a sequence is being collected.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Let time pass; returns the held digits if the inter-digit timer expired.
    pub fn handle_timeout(&mut self, now: Instant) -> Option<Outcome> {
        match self.deadline {
            Some(deadline) if now >= deadline => Some(self.release()),
            _ => None,
        }
    }

    fn release(&mut self) -> Outcome {
        self.deadline = None;
        Outcome::Release(std::mem::take(&mut self.held))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::CommandSequenceConfig;

    fn table() -> CommandTable {
        CommandTable::from_config(&CommandsConfig {
            start_key: '*',
            interdigit_timeout_ms: 3000,
            sequences: vec![
                CommandSequenceConfig {
                    digits: "*76".into(),
                    action: CommandAction::PushPage,
                    url: Some("https://shop.example/help".into()),
                },
                CommandSequenceConfig {
                    digits: "*22".into(),
                    action: CommandAction::VolumeUp,
                    url: None,
                },
            ],
        })
    }

    fn d(c: char) -> Digit {
        Digit::from_char(c).unwrap()
    }

    #[test]
    fn recognises_a_sequence_and_consumes_it() {
        let t0 = Instant::now();
        let mut r = Recognizer::new(table());
        assert_eq!(r.digit(t0, d('*')), Outcome::Held);
        assert_eq!(r.digit(t0, d('7')), Outcome::Held);
        assert_eq!(r.digit(t0, d('6')), Outcome::Command(0));
        assert!(r.held().is_empty());
        assert_eq!(r.poll_timeout(), None);
        assert_eq!(r.digit(t0, d('*')), Outcome::Held);
        assert_eq!(r.digit(t0, d('2')), Outcome::Held);
        assert_eq!(r.digit(t0, d('2')), Outcome::Command(1));
    }

    #[test]
    fn ordinary_digits_pass_at_once() {
        let t0 = Instant::now();
        let mut r = Recognizer::new(table());
        for c in ['1', '2', '#', '0'] {
            assert_eq!(r.digit(t0, d(c)), Outcome::Pass);
        }
    }

    #[test]
    fn a_non_matching_sequence_is_released_in_order() {
        let t0 = Instant::now();
        let mut r = Recognizer::new(table());
        assert_eq!(r.digit(t0, d('*')), Outcome::Held);
        assert_eq!(r.digit(t0, d('7')), Outcome::Held);
        let Outcome::Release(held) = r.digit(t0, d('1')) else {
            panic!("expected release");
        };
        let s: String = held.iter().map(|d| d.as_char()).collect();
        assert_eq!(s, "*71");
        assert_eq!(r.digit(t0, d('5')), Outcome::Pass);
    }

    #[test]
    fn the_interdigit_timeout_releases_held_digits() {
        let t0 = Instant::now();
        let mut r = Recognizer::new(table());
        r.digit(t0, d('*'));
        r.digit(t0 + Duration::from_secs(2), d('7'));
        let deadline = r.poll_timeout().unwrap();
        assert_eq!(deadline, t0 + Duration::from_secs(5));
        assert_eq!(r.handle_timeout(deadline - Duration::from_millis(1)), None);
        let Some(Outcome::Release(held)) = r.handle_timeout(deadline) else {
            panic!("expected release");
        };
        assert_eq!(held.len(), 2);
        assert_eq!(r.poll_timeout(), None);
    }
}
