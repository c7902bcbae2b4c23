//! DTMF command sequences: recognise `*76`-style sequences and the channel code
//! (`#` + two digits) in a call's digit stream.
//!
//! Digits arrive as they start (the detector's `Start` event), so the decision to
//! hold a digit back is taken before any of it could be forwarded:
//!
//! ```text
//!            could start a pattern       still a prefix of a pattern
//!   Idle ─────────────────────────▶ Collecting ◀──────┐
//!    ▲  cannot: Pass (forward now)     │  │ └─────────┘
//!    │                                 │  │ a whole pattern: Command (digits consumed)
//!    ├─────────────────────────────────┘  │
//!    │   no pattern starts like this, or the inter-digit timeout:
//!    └──────────── Release(held digits, forwarded late) ◀──┘
//! ```
//!
//! The recognizer is sans-IO: the caller passes `now` and asks
//! [`Recognizer::poll_timeout`] when the inter-digit timer expires.

use std::sync::Arc;
use std::time::{Duration, Instant};

use dsp::dtmf::Digit;

use crate::config::{CommandAction, CommandsConfig};

/// Most digits a pattern can hold.
pub const MAX_SEQUENCE: usize = crate::config::MAX_SEQUENCE_DIGITS;

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

/// The channel code pattern.
#[derive(Debug, Clone)]
struct Channel {
    key: char,
    digits: usize,
    url_prefix: String,
}

/// The command table shared by every call.
#[derive(Debug, Clone)]
pub struct CommandTable {
    interdigit: Duration,
    sequences: Arc<[Sequence]>,
    channel: Option<Arc<Channel>>,
}

impl CommandTable {
    /// Build the table from validated configuration.
    pub fn from_config(config: &CommandsConfig) -> Self {
        CommandTable {
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
            channel: config
                .channel
                .as_ref()
                .filter(|c| c.digits < MAX_SEQUENCE)
                .map(|c| {
                    Arc::new(Channel {
                        key: c.key,
                        digits: c.digits,
                        url_prefix: c.url_prefix.clone(),
                    })
                }),
        }
    }

    /// The configured sequences.
    pub fn sequences(&self) -> &[Sequence] {
        &self.sequences
    }

    /// How `held` relates to the patterns: a whole one, a prefix, or nothing.
    fn classify(&self, held: &[Digit]) -> Match {
        let is_prefix_of = |s: &Sequence| {
            s.digits.len() >= held.len()
                && s.digits.chars().zip(held).all(|(c, d)| c == d.as_char())
        };
        if let Some(i) = self
            .sequences
            .iter()
            .position(|s| s.digits.len() == held.len() && is_prefix_of(s))
        {
            return Match::Whole(Command::Sequence(i));
        }
        if let Some(ch) = &self.channel {
            let fits = held.first().is_some_and(|d| d.as_char() == ch.key)
                && held.len() <= ch.digits + 1
                && held.iter().skip(1).all(|d| d.as_char().is_ascii_digit());
            if fits && held.len() == ch.digits + 1 {
                let code: String = held.iter().skip(1).map(|d| d.as_char()).collect();
                return Match::Whole(Command::Channel {
                    keyed: held.iter().map(|d| d.as_char()).collect(),
                    url: format!("{}{code}", ch.url_prefix),
                    code,
                });
            }
            if fits {
                return Match::Prefix;
            }
        }
        if self.sequences.iter().any(is_prefix_of) {
            Match::Prefix
        } else {
            Match::Nothing
        }
    }
}

enum Match {
    Whole(Command),
    Prefix,
    Nothing,
}

/// A recognised command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Index into [`CommandTable::sequences`].
    Sequence(usize),
    /// The channel code: its digits and the URL formed from them.
    Channel {
        /// Everything keyed, the key included (e.g. `#42`).
        keyed: String,
        /// The digits after the key.
        code: String,
        /// The configured prefix followed by the digits.
        url: String,
    },
}

/// What a digit did to the recognizer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// An ordinary digit: forward it now.
    Pass,
    /// Held back: it may belong to a command.
    Held,
    /// A whole command was keyed. Its digits are consumed and never forwarded.
    Command(Command),
    /// The held digits turned out not to be a command: forward these, late. The
    /// longest tail of what was keyed that can still begin a command (`*` in
    /// `**22`) stays held and is not among them.
    Release(heapless::Vec<Digit, MAX_SEQUENCE>),
    /// Forward these, late; the digits after them completed a command.
    ReleaseThenCommand(heapless::Vec<Digit, MAX_SEQUENCE>, Command),
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
        if self.held.push(digit).is_err() {
            return self.release();
        }
        match self.table.classify(&self.held) {
            Match::Whole(command) => {
                self.held.clear();
                self.deadline = None;
                Outcome::Command(command)
            }
            Match::Prefix => {
                self.deadline = Some(now + self.table.interdigit);
                Outcome::Held
            }
            Match::Nothing if self.held.len() == 1 => {
                self.held.clear();
                Outcome::Pass
            }
            Match::Nothing => self.resync(now),
        }
    }

    /// What is held cannot become a command: release the shortest head whose
    /// tail can still begin (or just completed) one.
    fn resync(&mut self, now: Instant) -> Outcome {
        for start in 1..self.held.len() {
            let Some(tail) = self.held.get(start..) else {
                break;
            };
            match self.table.classify(tail) {
                Match::Nothing => continue,
                found => {
                    let released = self.held.iter().take(start).copied().collect();
                    let kept: heapless::Vec<Digit, MAX_SEQUENCE> = tail.iter().copied().collect();
                    return match found {
                        Match::Whole(command) => {
                            self.held.clear();
                            self.deadline = None;
                            Outcome::ReleaseThenCommand(released, command)
                        }
                        _ => {
                            self.held = kept;
                            self.deadline = Some(now + self.table.interdigit);
                            Outcome::Release(released)
                        }
                    };
                }
            }
        }
        self.release()
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
    use crate::config::{ChannelCodeConfig, CommandSequenceConfig};

    fn table() -> CommandTable {
        CommandTable::from_config(&CommandsConfig {
            name: None,
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
            channel: Some(ChannelCodeConfig {
                key: '#',
                digits: 2,
                url_prefix: "https://crm.example/desk/".into(),
            }),
        })
    }

    fn d(c: char) -> Digit {
        Digit::from_char(c).unwrap()
    }

    fn keyed(r: &mut Recognizer, digits: &str) -> Vec<Outcome> {
        let t0 = Instant::now();
        digits.chars().map(|c| r.digit(t0, d(c))).collect()
    }

    #[test]
    fn recognises_a_sequence_and_consumes_it() {
        let mut r = Recognizer::new(table());
        let out = keyed(&mut r, "*76");
        assert_eq!(
            out,
            [
                Outcome::Held,
                Outcome::Held,
                Outcome::Command(Command::Sequence(0))
            ]
        );
        assert!(r.held().is_empty());
        assert_eq!(r.poll_timeout(), None);
        assert_eq!(
            keyed(&mut r, "*22")[2],
            Outcome::Command(Command::Sequence(1))
        );
    }

    #[test]
    fn recognises_the_channel_code() {
        let mut r = Recognizer::new(table());
        let out = keyed(&mut r, "#42");
        assert_eq!(out[..2], [Outcome::Held, Outcome::Held]);
        assert_eq!(
            out[2],
            Outcome::Command(Command::Channel {
                keyed: "#42".into(),
                code: "42".into(),
                url: "https://crm.example/desk/42".into()
            })
        );
        // '#' followed by a non-digit is not a channel code: the '#' is released,
        // the '*' may still begin a command and stays held.
        let out = keyed(&mut r, "#*");
        let Outcome::Release(held) = &out[1] else {
            panic!("{out:?}")
        };
        assert_eq!(held.iter().map(|d| d.as_char()).collect::<String>(), "#");
        assert_eq!(r.held().len(), 1);
    }

    #[test]
    fn a_repeated_start_key_does_not_lose_the_command() {
        let mut r = Recognizer::new(table());
        let out = keyed(&mut r, "**22");
        let Outcome::Release(released) = &out[1] else {
            panic!("{out:?}")
        };
        assert_eq!(
            released.iter().map(|d| d.as_char()).collect::<String>(),
            "*"
        );
        assert_eq!(out[3], Outcome::Command(Command::Sequence(1)));
        // A channel key followed by a command.
        let out = keyed(&mut r, "#*76");
        assert_eq!(out[3], Outcome::Command(Command::Sequence(0)), "{out:?}");
    }

    #[test]
    fn a_command_completed_inside_a_failed_prefix_is_found() {
        let t = CommandTable::from_config(&CommandsConfig {
            sequences: vec![
                CommandSequenceConfig {
                    digits: "*7*9".into(),
                    action: CommandAction::PushPage,
                    url: Some("a".into()),
                },
                CommandSequenceConfig {
                    digits: "*6".into(),
                    action: CommandAction::VolumeUp,
                    url: None,
                },
            ],
            ..CommandsConfig::default()
        });
        let mut r = Recognizer::new(t);
        let out = keyed(&mut r, "*7*6");
        let Outcome::ReleaseThenCommand(released, command) = &out[3] else {
            panic!("{out:?}")
        };
        assert_eq!(
            released.iter().map(|d| d.as_char()).collect::<String>(),
            "*7"
        );
        assert_eq!(*command, Command::Sequence(1));
    }

    #[test]
    fn ordinary_digits_pass_at_once() {
        let mut r = Recognizer::new(table());
        assert!(keyed(&mut r, "1209").iter().all(|o| *o == Outcome::Pass));
    }

    #[test]
    fn a_non_matching_sequence_is_released_in_order() {
        let mut r = Recognizer::new(table());
        let out = keyed(&mut r, "*71");
        let Outcome::Release(held) = &out[2] else {
            panic!("expected release: {out:?}");
        };
        let s: String = held.iter().map(|d| d.as_char()).collect();
        assert_eq!(s, "*71");
        assert_eq!(keyed(&mut r, "5"), [Outcome::Pass]);
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

    #[test]
    fn without_patterns_everything_passes() {
        let mut r = Recognizer::new(CommandTable::from_config(&CommandsConfig::default()));
        assert!(keyed(&mut r, "*76#42").iter().all(|o| *o == Outcome::Pass));
    }
}
