//! The exchange's directory: the checked, compiled form of a [`SimConfig`].
//!
//! Every configuration fault is found here, before the first frame, and reported
//! as a [`SimConfigError`] naming the entry and the field.

use std::path::PathBuf;
use std::sync::Arc;

use super::cadence::{RingCadence, TonePlan};
use super::config::{Behaviour, SimConfig};
use super::digits::{is_dtmf_char, MAX_DIGITS};
use super::error::{ConfigPlace, SimConfigError};
use super::script::{self, Script, ANSWER_HANGUP_MS};
use crate::line::FRAME_DURATION;

/// Most ports a card can have ([`crate::PortId`] is a `u8`).
pub const MAX_PORTS: usize = 256;
const INTERDIGIT_RANGE_MS: std::ops::RangeInclusive<u32> = 100..=60_000;
const MAX_RINGS: u32 = 1000;

/// A dialable party.
#[derive(Debug)]
pub(crate) struct Subscriber {
    pub(crate) number: Arc<str>,
    /// `Name <number>`, for status and logs.
    pub(crate) label: Arc<str>,
    pub(crate) behaviour: Behaviour,
    pub(crate) answer_after_rings: u32,
    pub(crate) script: Script,
}

/// A phone that calls in.
#[derive(Debug)]
pub(crate) struct Phone {
    pub(crate) name: Arc<str>,
    pub(crate) number: Arc<str>,
    pub(crate) label: Arc<str>,
    pub(crate) give_up_after_rings: u32,
    pub(crate) script: Script,
}

/// The compiled configuration.
#[derive(Debug)]
pub(crate) struct Directory {
    pub(crate) plan: TonePlan,
    pub(crate) ring: RingCadence,
    pub(crate) interdigit_frames: u64,
    pub(crate) record_dir: Option<PathBuf>,
    /// Hybrid echo: (amplitude gain, delay in samples).
    pub(crate) echo: Option<(f32, usize)>,
    /// The directory number of each port's line, by port index.
    pub(crate) line_numbers: Vec<Option<Arc<str>>>,
    pub(crate) subscribers: Vec<Subscriber>,
    pub(crate) phones: Vec<Phone>,
}

impl Directory {
    /// Check and compile `config` for a card of `port_count` ports.
    pub(crate) fn compile(
        config: &SimConfig,
        port_count: usize,
    ) -> Result<Directory, SimConfigError> {
        if port_count > MAX_PORTS {
            return Err(SimConfigError::TooManyPorts {
                port_count,
                max: MAX_PORTS,
            });
        }
        if !INTERDIGIT_RANGE_MS.contains(&config.interdigit_timeout_ms) {
            return Err(SimConfigError::OutOfRange {
                at: ConfigPlace::new("simulation", "interdigit_timeout_ms"),
                value: u64::from(config.interdigit_timeout_ms),
                expected: "100 to 60000 ms",
            });
        }
        let mut numbers = NumberBook::default();
        let mut line_numbers: Vec<Option<Arc<str>>> = vec![None; port_count];
        for (i, line) in config.lines.iter().enumerate() {
            let owner = format!("lines[{i}]");
            let slot =
                line_numbers
                    .get_mut(line.port)
                    .ok_or_else(|| SimConfigError::NoSuchPort {
                        at: ConfigPlace::new(&owner, "port"),
                        port: line.port,
                        port_count,
                    })?;
            if let Some(first) = slot {
                return Err(SimConfigError::DuplicatePort {
                    at: ConfigPlace::new(&owner, "port"),
                    port: line.port,
                    first: first.to_string(),
                });
            }
            numbers.add(&line.number, &owner)?;
            *slot = Some(Arc::from(line.number.as_str()));
        }

        let mut subscribers = Vec::with_capacity(config.subscribers.len());
        for (i, sub) in config.subscribers.iter().enumerate() {
            let owner = if sub.name.is_empty() {
                format!("subscribers[{i}] ({})", sub.number)
            } else {
                format!("subscriber {:?} ({})", sub.name, sub.number)
            };
            numbers.add(&sub.number, &owner)?;
            if sub.answer_after_rings > MAX_RINGS {
                return Err(SimConfigError::OutOfRange {
                    at: ConfigPlace::new(&owner, "answer_after_rings"),
                    value: u64::from(sub.answer_after_rings),
                    expected: "0 to 1000 rings",
                });
            }
            let script = match sub.behaviour {
                Behaviour::Answer => script::compile(&owner, &sub.script, None)?,
                Behaviour::AnswerHangup => {
                    script::compile(&owner, &sub.script, Some(ANSWER_HANGUP_MS))?
                }
                other if !sub.script.is_empty() => {
                    return Err(SimConfigError::ScriptNeverRuns {
                        at: ConfigPlace::new(&owner, "script"),
                        behaviour: other.name(),
                    })
                }
                _ => Arc::from(Vec::new()),
            };
            let label = if sub.name.is_empty() {
                sub.number.clone()
            } else {
                format!("{} <{}>", sub.name, sub.number)
            };
            subscribers.push(Subscriber {
                number: Arc::from(sub.number.as_str()),
                label: Arc::from(label),
                behaviour: sub.behaviour,
                answer_after_rings: sub.answer_after_rings,
                script,
            });
        }

        let mut phones: Vec<Phone> = Vec::with_capacity(config.phones.len());
        for (i, phone) in config.phones.iter().enumerate() {
            let owner = format!("phone {:?}", phone.name);
            if phone.name.is_empty() {
                return Err(SimConfigError::DuplicateName {
                    at: ConfigPlace::new(format!("phones[{i}]"), "name"),
                    name: String::new(),
                });
            }
            if phones.iter().any(|p| *p.name == *phone.name) {
                return Err(SimConfigError::DuplicateName {
                    at: ConfigPlace::new(format!("phones[{i}]"), "name"),
                    name: phone.name.clone(),
                });
            }
            numbers.add(&phone.number, &owner)?;
            if !(1..=MAX_RINGS).contains(&phone.give_up_after_rings) {
                return Err(SimConfigError::OutOfRange {
                    at: ConfigPlace::new(&owner, "give_up_after_rings"),
                    value: u64::from(phone.give_up_after_rings),
                    expected: "1 to 1000 rings",
                });
            }
            phones.push(Phone {
                name: Arc::from(phone.name.as_str()),
                number: Arc::from(phone.number.as_str()),
                label: Arc::from(format!("{} <{}>", phone.name, phone.number)),
                give_up_after_rings: phone.give_up_after_rings,
                script: script::compile(&owner, &phone.script, None)?,
            });
        }

        if let Some(dir) = &config.record_dir {
            std::fs::create_dir_all(dir).map_err(|e| SimConfigError::RecordDir {
                at: ConfigPlace::new("simulation", "record_dir"),
                path: dir.clone(),
                message: e.to_string(),
            })?;
        }

        let frame_ms = FRAME_DURATION.as_millis() as u64;
        let echo = match config.hybrid_echo {
            None => None,
            Some(e) => {
                if !(3..=60).contains(&e.return_loss_db) {
                    return Err(SimConfigError::OutOfRange {
                        at: ConfigPlace::new("simulation", "hybrid_echo.return_loss_db"),
                        value: u64::from(e.return_loss_db),
                        expected: "3 to 60 dB",
                    });
                }
                if e.delay_ms > 16 {
                    return Err(SimConfigError::OutOfRange {
                        at: ConfigPlace::new("simulation", "hybrid_echo.delay_ms"),
                        value: u64::from(e.delay_ms),
                        expected: "0 to 16 ms",
                    });
                }
                let gain = 10f32.powf(-(e.return_loss_db as f32) / 20.0);
                Some((gain, e.delay_ms as usize * 8))
            }
        };
        Ok(Directory {
            plan: config.tones,
            ring: config.tones.ring_cadence(),
            interdigit_frames: u64::from(config.interdigit_timeout_ms).div_ceil(frame_ms),
            record_dir: config.record_dir.clone(),
            echo,
            line_numbers,
            subscribers,
            phones,
        })
    }

    /// The subscriber with exactly this number.
    pub(crate) fn subscriber(&self, number: &str) -> Option<usize> {
        self.subscribers.iter().position(|s| *s.number == *number)
    }

    /// The port whose line has this number.
    pub(crate) fn port_of_number(&self, number: &str) -> Option<usize> {
        self.line_numbers
            .iter()
            .position(|n| n.as_deref() == Some(number))
    }

    /// The phone of this name.
    pub(crate) fn phone(&self, name: &str) -> Option<usize> {
        self.phones.iter().position(|p| *p.name == *name)
    }
}

/// Numbers seen so far, to reject duplicates across lines, subscribers and phones.
#[derive(Default)]
struct NumberBook {
    seen: Vec<(String, String)>,
}

impl NumberBook {
    fn add(&mut self, number: &str, owner: &str) -> Result<(), SimConfigError> {
        let at = ConfigPlace::new(owner, "number");
        let bad = |reason| SimConfigError::BadNumber {
            at: at.clone(),
            number: number.to_owned(),
            reason,
        };
        if number.is_empty() {
            return Err(bad("empty"));
        }
        if number.len() > MAX_DIGITS {
            return Err(bad("longer than 32 digits"));
        }
        if !number.chars().all(is_dtmf_char) {
            return Err(bad("only 0-9, *, #, A-D can be dialled"));
        }
        if let Some((_, first)) = self.seen.iter().find(|(n, _)| n == number) {
            return Err(SimConfigError::DuplicateNumber {
                at,
                number: number.to_owned(),
                first: first.clone(),
            });
        }
        self.seen.push((number.to_owned(), owner.to_owned()));
        Ok(())
    }
}
