//! The `[simulation]` table: what the virtual exchange is wired to and who answers.
//!
//! Plain data, deserialised with `deny_unknown_fields` and snake_case keys. It is
//! checked and compiled by [`crate::sim::SimExchange::new`] (or
//! [`SimConfig::validate`]) into a directory; every fault is a
//! [`crate::sim::SimConfigError`] naming the entry and the field.
//!
//! ```toml
//! [simulation]
//! tones = "north-america"
//! interdigit_timeout_ms = 3000
//!
//! [[simulation.lines]]
//! port = 0
//! number = "4155550100"
//!
//! [[simulation.subscribers]]
//! number = "1800"
//! name = "Call centre"
//! behaviour = "answer"
//! answer_after_rings = 2
//! script = [ { at_ms = 0, play = "voice" }, { at_ms = 12000, hangup = true } ]
//!
//! [[simulation.phones]]
//! name = "customer"
//! number = "2125550199"
//! script = [ { at_ms = 0, play = "tone:1000" } ]
//! ```

use std::path::PathBuf;

use serde::Deserialize;

use super::cadence::TonePlan;

/// The simulated exchange's configuration.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimConfig {
    /// Tone plan and ring cadence: `north-america` (default) or `cept`.
    #[serde(default)]
    pub tones: TonePlan,
    /// Route what was dialled after this pause since the last digit (an exact
    /// subscriber number routes at once).
    #[serde(default = "default_interdigit_timeout_ms")]
    pub interdigit_timeout_ms: u32,
    /// If set, each connected call writes what the far party heard from the gateway
    /// to an 8 kHz mono WAV file in this folder.
    #[serde(default)]
    pub record_dir: Option<PathBuf>,
    /// Exchange lines wired to card ports.
    #[serde(default)]
    pub lines: Vec<LineConfig>,
    /// Parties reachable by dialling from a port.
    #[serde(default)]
    pub subscribers: Vec<SubscriberConfig>,
    /// Scripted phones that call in to the lines (see `SimControl::place_call`).
    #[serde(default)]
    pub phones: Vec<PhoneConfig>,
    /// The 2-wire hybrid's echo: during a call every line returns what the
    /// gateway sends it, delayed and attenuated, as real analog lines do.
    #[serde(default)]
    pub hybrid_echo: Option<HybridEchoConfig>,
}

/// A line's hybrid echo path.
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HybridEchoConfig {
    /// Echo return loss in dB (3..=60): how much weaker the echo is.
    #[serde(default = "default_return_loss")]
    pub return_loss_db: u32,
    /// Echo delay in milliseconds (0..=16).
    #[serde(default = "default_echo_delay")]
    pub delay_ms: u32,
}

fn default_return_loss() -> u32 {
    12
}

fn default_echo_delay() -> u32 {
    4
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            tones: TonePlan::default(),
            interdigit_timeout_ms: default_interdigit_timeout_ms(),
            record_dir: None,
            lines: Vec::new(),
            subscribers: Vec::new(),
            phones: Vec::new(),
            hybrid_echo: None,
        }
    }
}

fn default_interdigit_timeout_ms() -> u32 {
    3000
}

/// One exchange line (directory number) wired to a card port.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineConfig {
    /// The card port (0-based).
    pub port: usize,
    /// The line's directory number; phones call it.
    pub number: String,
}

/// What a subscriber does when called.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Behaviour {
    /// Ringback for `answer_after_rings` cycles, answer (polarity reversal), run
    /// the script.
    #[default]
    Answer,
    /// Busy tone.
    Busy,
    /// Ringback forever.
    NoAnswer,
    /// Answer, then hang up (loop current drop) about 200 ms later.
    AnswerHangup,
    /// Reorder tone, as for a number that does not exist.
    Reorder,
}

impl Behaviour {
    /// The configuration spelling.
    pub fn name(self) -> &'static str {
        match self {
            Behaviour::Answer => "answer",
            Behaviour::Busy => "busy",
            Behaviour::NoAnswer => "no-answer",
            Behaviour::AnswerHangup => "answer-hangup",
            Behaviour::Reorder => "reorder",
        }
    }

    /// Whether the subscriber ever answers (and so runs a script).
    pub fn answers(self) -> bool {
        matches!(self, Behaviour::Answer | Behaviour::AnswerHangup)
    }
}

/// A party reachable by dialling.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriberConfig {
    /// The number to dial.
    pub number: String,
    /// A label for logs and `show sim`.
    #[serde(default)]
    pub name: String,
    /// What happens when it is called.
    #[serde(default)]
    pub behaviour: Behaviour,
    /// Ring cycles of ringback before answering (`answer`, `answer-hangup`).
    #[serde(default = "default_answer_after_rings")]
    pub answer_after_rings: u32,
    /// What the party does after answering, times from the answer.
    #[serde(default)]
    pub script: Vec<ScriptStep>,
}

fn default_answer_after_rings() -> u32 {
    1
}

/// A scripted phone that calls in to a line.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneConfig {
    /// How `SimControl::place_call` names it.
    pub name: String,
    /// Its own number (the calling number).
    pub number: String,
    /// Rings before the caller gives up if nobody answers.
    #[serde(default = "default_give_up_after_rings")]
    pub give_up_after_rings: u32,
    /// What the caller does after the gateway answers, times from the answer.
    #[serde(default)]
    pub script: Vec<ScriptStep>,
}

fn default_give_up_after_rings() -> u32 {
    10
}

/// One step of a party's script: exactly one of `play`, `dial`, `hangup = true`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptStep {
    /// When, in milliseconds from the answer (rounded down to a 20 ms frame).
    pub at_ms: u32,
    /// Switch what the party sends: `voice`, `silence`, `tone:1000`,
    /// `tone:350+440`, `tone:1000@-13` (dBm0 per frequency), `wav:/path.wav`
    /// (8 kHz mono 16-bit, looped).
    #[serde(default)]
    pub play: Option<String>,
    /// Key DTMF digits in-band at the `dsp` generator's default level and timing;
    /// the play source pauses meanwhile.
    #[serde(default)]
    pub dial: Option<String>,
    /// Hang up: the exchange drops loop current.
    #[serde(default)]
    pub hangup: Option<bool>,
}
