//! A far party's script: timed `play` / `dial` / `hangup` steps after answer.
//!
//! Compiled from [`ScriptStep`]s into a shared, immutable [`Script`] (checked for
//! shape, time order and overlap), and run per call by a [`ScriptRun`] that the
//! line state machine advances once per frame. DTMF is keyed in-band with
//! `dsp::dtmf::Generator` at its default level and timing; the play source is
//! paused (not advanced) while digits are keyed.

use std::fmt;
use std::sync::Arc;

use dsp::dtmf::{Digit, Generator, GeneratorConfig};

use super::config::ScriptStep;
use super::error::{ConfigPlace, SimConfigError};
use super::source::{Player, SourceSpec};
use crate::line::FRAME_DURATION;

/// Time one keyed digit takes with the `dsp` generator's defaults (tone + pause);
/// used only to reject `dial` steps that would overlap.
fn digit_keying_ms() -> u32 {
    let config = GeneratorConfig::default();
    config.on_ms.saturating_add(config.off_ms)
}

/// When an `answer-hangup` subscriber hangs up after answering.
pub const ANSWER_HANGUP_MS: u32 = 200;

/// A compiled, shareable script.
pub(crate) type Script = Arc<[Action]>;

/// One compiled step.
#[derive(Debug)]
pub(crate) struct Action {
    /// Frames after the answer.
    pub(crate) at_frame: u64,
    pub(crate) kind: ActionKind,
}

/// What a step does.
pub(crate) enum ActionKind {
    Play(SourceSpec),
    Dial(Arc<str>),
    Hangup,
}

impl fmt::Debug for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionKind::Play(spec) => write!(f, "Play({spec:?})"),
            ActionKind::Dial(digits) => write!(f, "Dial({digits:?})"),
            ActionKind::Hangup => f.write_str("Hangup"),
        }
    }
}

fn ms_to_frames(ms: u32) -> u64 {
    u64::from(ms) / FRAME_DURATION.as_millis() as u64
}

/// Compile `steps`; `owner` names the subscriber or phone in errors. With
/// `hangup_by_ms`, the party hangs up at that time unless the script already does,
/// and no step may come later.
pub(crate) fn compile(
    owner: &str,
    steps: &[ScriptStep],
    hangup_by_ms: Option<u32>,
) -> Result<Script, SimConfigError> {
    let mut actions = Vec::with_capacity(steps.len() + 1);
    let mut previous: Option<(u32, &'static str, usize)> = None;
    let mut dial_busy_until: Option<(u32, usize)> = None;
    let mut hangup_at: Option<(u32, usize)> = None;
    for (i, step) in steps.iter().enumerate() {
        let place = |field: &str| ConfigPlace::new(owner, format!("script[{i}].{field}"));
        let overlap = |previous: String| SimConfigError::OverlappingSteps {
            at: place("at_ms"),
            at_ms: step.at_ms,
            previous,
        };
        let kind = match (&step.play, &step.dial, step.hangup) {
            (Some(play), None, None) => ActionKind::Play(SourceSpec::parse(play, &place("play"))?),
            (None, Some(dial), None) => ActionKind::Dial(check_dial(dial, &place("dial"))?),
            (None, None, Some(true)) => ActionKind::Hangup,
            _ => return Err(SimConfigError::StepShape { at: place("at_ms") }),
        };
        let kind_name = match kind {
            ActionKind::Play(_) => "play",
            ActionKind::Dial(_) => "dial",
            ActionKind::Hangup => "hangup",
        };
        if let Some((at, j)) = hangup_at {
            return Err(overlap(format!("the hang-up at {at} ms (script[{j}])")));
        }
        if let Some(limit) = hangup_by_ms {
            if step.at_ms >= limit {
                return Err(overlap(format!("the automatic hang-up at {limit} ms")));
            }
        }
        if let Some((at, name, j)) = previous {
            if step.at_ms < at || (step.at_ms == at && name == kind_name) {
                return Err(overlap(format!("script[{j}] ({name} at {at} ms)")));
            }
        }
        if let ActionKind::Dial(digits) = &kind {
            if let Some((until, j)) = dial_busy_until {
                if step.at_ms < until {
                    return Err(overlap(format!(
                        "script[{j}], still keying until {until} ms"
                    )));
                }
            }
            let keying = u32::try_from(digits.len())
                .unwrap_or(u32::MAX)
                .saturating_mul(digit_keying_ms());
            dial_busy_until = Some((step.at_ms.saturating_add(keying), i));
        }
        if let ActionKind::Hangup = kind {
            hangup_at = Some((step.at_ms, i));
        }
        previous = Some((step.at_ms, kind_name, i));
        actions.push(Action {
            at_frame: ms_to_frames(step.at_ms),
            kind,
        });
    }
    if let (Some(limit), None) = (hangup_by_ms, hangup_at) {
        actions.push(Action {
            at_frame: ms_to_frames(limit),
            kind: ActionKind::Hangup,
        });
    }
    Ok(Arc::from(actions))
}

fn check_dial(digits: &str, at: &ConfigPlace) -> Result<Arc<str>, SimConfigError> {
    let bad = |reason| SimConfigError::BadDial {
        at: at.clone(),
        digits: digits.to_owned(),
        reason,
    };
    if digits.is_empty() {
        return Err(bad("nothing to key"));
    }
    if digits.chars().any(|c| Digit::from_char(c).is_none()) {
        return Err(bad("only 0-9, *, #, A-D can be keyed"));
    }
    // The generator's queue is fixed-size: find out now, not mid-call.
    let mut probe = Generator::new(GeneratorConfig::default());
    if probe.queue_str(digits).is_err() {
        return Err(bad("more digits than the DTMF generator queues at once"));
    }
    Ok(Arc::from(digits))
}

/// What a script step asked for this frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ScriptOutcome {
    /// Keep going.
    Continue,
    /// The party hung up.
    HangUp,
}

/// A script running in one call.
pub(crate) struct ScriptRun {
    script: Script,
    next: usize,
    player: Player,
    keypad: Generator,
    seed: u64,
}

impl ScriptRun {
    /// Start `script` at the answer; `seed` varies generated voices per call.
    pub(crate) fn new(script: Script, seed: u64) -> ScriptRun {
        ScriptRun {
            script,
            next: 0,
            player: Player::Silence,
            keypad: Generator::new(GeneratorConfig::default()),
            seed,
        }
    }

    /// Run the steps due `elapsed` frames after the answer.
    pub(crate) fn advance(&mut self, elapsed: u64) -> ScriptOutcome {
        while let Some(action) = self.script.get(self.next) {
            if action.at_frame > elapsed {
                break;
            }
            self.next += 1;
            tracing::debug!(frame = elapsed, step = ?action.kind, "sim script step");
            match &action.kind {
                ActionKind::Play(spec) => self.player = Player::start(spec, self.seed),
                ActionKind::Dial(digits) => {
                    if let Err(e) = self.keypad.queue_str(digits) {
                        // Checked at configuration time; only a queue still holding
                        // an earlier string can refuse, and overlap is rejected too.
                        tracing::warn!(digits = %digits, error = ?e, "sim script could not key digits");
                    }
                }
                ActionKind::Hangup => return ScriptOutcome::HangUp,
            }
        }
        ScriptOutcome::Continue
    }

    /// The party's audio for this frame: keyed digits, else the play source.
    pub(crate) fn fill(&mut self, out: &mut [i16]) {
        if self.keypad.is_idle() {
            self.player.fill(out);
        } else {
            self.keypad.fill(out);
        }
    }
}
