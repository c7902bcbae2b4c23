//! Typed errors of the simulated exchange: configuration faults (found once, at
//! construction) and control-request faults (found at once, on the caller's task).

use std::fmt;
use std::path::PathBuf;

/// Where in the `[simulation]` table a fault is: who and which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigPlace {
    /// The entry: `subscriber "Call centre" (1800)`, `phone "customer"`, `lines[0]`,
    /// or `simulation` for top-level keys.
    pub owner: String,
    /// The field inside it, e.g. `script[2].play`.
    pub field: String,
}

impl ConfigPlace {
    pub(crate) fn new(owner: impl Into<String>, field: impl Into<String>) -> ConfigPlace {
        ConfigPlace {
            owner: owner.into(),
            field: field.into(),
        }
    }
}

impl fmt::Display for ConfigPlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, field `{}`", self.owner, self.field)
    }
}

/// A fault in the simulation configuration.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimConfigError {
    /// Two entries (lines, subscribers, phones) share a number.
    #[error("{at}: number {number} is already used by {first}")]
    DuplicateNumber {
        /// The second entry.
        at: ConfigPlace,
        /// The number.
        number: String,
        /// The entry that has it first.
        first: String,
    },
    /// Two phones share a name (phones are addressed by name).
    #[error("{at}: phone name {name:?} is used twice")]
    DuplicateName {
        /// The second phone.
        at: ConfigPlace,
        /// The name.
        name: String,
    },
    /// A number is empty, too long, or holds a character a keypad cannot send.
    #[error("{at}: bad number {number:?}: {reason}")]
    BadNumber {
        /// Where.
        at: ConfigPlace,
        /// The value.
        number: String,
        /// Why.
        reason: &'static str,
    },
    /// A line names a port the card does not have.
    #[error("{at}: no port {port} on this card ({port_count} ports)")]
    NoSuchPort {
        /// Where.
        at: ConfigPlace,
        /// The port asked for.
        port: usize,
        /// Ports on the card.
        port_count: usize,
    },
    /// Two lines are wired to the same port.
    #[error("{at}: port {port} is already wired to line {first}")]
    DuplicatePort {
        /// Where.
        at: ConfigPlace,
        /// The port.
        port: usize,
        /// The number of the line wired first.
        first: String,
    },
    /// The card has more ports than a [`crate::PortId`] can address.
    #[error("a card of {port_count} ports is more than {max} ports")]
    TooManyPorts {
        /// Ports asked for.
        port_count: usize,
        /// The most supported.
        max: usize,
    },
    /// A numeric setting is out of range.
    #[error("{at}: {value} is out of range ({expected})")]
    OutOfRange {
        /// Where.
        at: ConfigPlace,
        /// The value.
        value: u64,
        /// What is accepted.
        expected: &'static str,
    },
    /// A `play` value is not `voice`, `silence`, `tone:..` or `wav:..`.
    #[error("{at}: unknown play source {value:?} (expected voice, silence, tone:F[+F..][@dBm0] or wav:PATH)")]
    UnknownPlaySource {
        /// Where.
        at: ConfigPlace,
        /// The value.
        value: String,
    },
    /// A `tone:` source is malformed.
    #[error("{at}: bad tone {spec:?}: {reason}")]
    BadTone {
        /// Where.
        at: ConfigPlace,
        /// The value.
        spec: String,
        /// Why.
        reason: &'static str,
    },
    /// A `wav:` file cannot be read.
    #[error("{at}: cannot read {}: {message}", path.display())]
    WavUnreadable {
        /// Where.
        at: ConfigPlace,
        /// The file.
        path: PathBuf,
        /// The reader's complaint.
        message: String,
    },
    /// A `wav:` file is not 8 kHz mono 16-bit integer PCM, or is empty.
    #[error("{at}: {} must be 8000 Hz mono 16-bit PCM with samples, found {found}", path.display())]
    WavFormat {
        /// Where.
        at: ConfigPlace,
        /// The file.
        path: PathBuf,
        /// What it is.
        found: String,
    },
    /// A `dial` string holds something other than DTMF digits, or is too long.
    #[error("{at}: cannot key {digits:?}: {reason}")]
    BadDial {
        /// Where.
        at: ConfigPlace,
        /// The value.
        digits: String,
        /// Why.
        reason: &'static str,
    },
    /// A script step has none, or more than one, of `play`, `dial`, `hangup = true`.
    #[error("{at}: a step needs exactly one of play, dial, hangup = true")]
    StepShape {
        /// Where.
        at: ConfigPlace,
    },
    /// A script step starts before the previous one of its kind is over, is out of
    /// time order, or comes after the hang-up.
    #[error("{at}: step at {at_ms} ms overlaps {previous} (script steps must be in time order and not overlap)")]
    OverlappingSteps {
        /// Where.
        at: ConfigPlace,
        /// The step's start.
        at_ms: u32,
        /// The step it collides with, described.
        previous: String,
    },
    /// A script was given to a subscriber whose behaviour never answers.
    #[error("{at}: a script never runs for behaviour {behaviour}")]
    ScriptNeverRuns {
        /// Where.
        at: ConfigPlace,
        /// The behaviour.
        behaviour: &'static str,
    },
    /// The recording folder cannot be created.
    #[error("{at}: cannot create {}: {message}", path.display())]
    RecordDir {
        /// Where.
        at: ConfigPlace,
        /// The folder.
        path: PathBuf,
        /// The OS complaint.
        message: String,
    },
}

/// A control request the exchange cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SimRequestError {
    /// No phone of that name in `[[simulation.phones]]`.
    #[error("no simulated phone named {0:?}")]
    UnknownPhone(String),
    /// No line with that number in `[[simulation.lines]]`.
    #[error("no simulated line has number {0:?}")]
    UnknownNumber(String),
    /// The exchange was dropped.
    #[error("the simulated exchange is gone")]
    ExchangeGone,
}
