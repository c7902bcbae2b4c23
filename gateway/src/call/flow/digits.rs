//! A bridge's DTMF command plane: which digits are commands, which pass.
//!
//! It sits on the bridge's client leg (the SIP leg facing the IP client). Two
//! streams of digits reach it:
//! - digits heard in the audio the client leg is sent (the line's party
//!   keying in band): commands of the line's table are consumed and sent to
//!   the client as INFO; other digits go on as RFC 4733 events;
//! - the client's own digits (RFC 4733 or INFO): commands of the client's
//!   table are consumed; other digits are played as tone toward the line.
//!
//! The recognizers' inter-digit deadlines are the bridge's timers.

use std::time::Instant;

use dsp::dtmf::{Digit, DtmfEvent};
use serde_json::{json, Value};
use tracing::info;

use crate::call::leg::{DigitOut, DigitTone, LegId, Legs};
use crate::call::settings::{CallSettings, MAX_VOLUME_STEP};
use crate::command::{Command, CommandTable, Outcome, Recognizer};
use crate::config::CommandAction;

/// What the command messages say about the line (absent on a SIP↔SIP bridge).
#[derive(Debug, Clone, Default)]
pub(crate) struct LineInfo {
    /// The port.
    pub port: Option<u8>,
    /// Its ANI.
    pub ani: Option<String>,
}

/// One bridge's command plane. See the module documentation.
#[derive(Debug)]
pub(crate) struct CommandPlane {
    /// Digits keyed on the line's side.
    recognizer: Recognizer,
    /// Digits keyed on the IP client's side (RFC 4733 or SIP INFO).
    client_recognizer: Recognizer,
    /// The client digit being played toward the line live.
    client_live: bool,
    /// The line digit being forwarded to the client live.
    live_digit: Option<Digit>,
    /// Command sequences used.
    pub commands: Vec<String>,
    /// What the commands set.
    pub settings: CallSettings,
}

impl CommandPlane {
    /// A plane recognising `line` on the line's side and `client` on the client's.
    pub(crate) fn new(line: &CommandTable, client: &CommandTable) -> Self {
        CommandPlane {
            recognizer: Recognizer::new(line.clone()),
            client_recognizer: Recognizer::new(client.clone()),
            client_live: false,
            live_digit: None,
            commands: Vec::new(),
            settings: CallSettings::default(),
        }
    }

    /// The earliest inter-digit deadline.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        [
            self.recognizer.poll_timeout(),
            self.client_recognizer.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// The inter-digit timers: held digits that did not become a command go on.
    pub(crate) fn handle_timeout(&mut self, now: Instant, legs: &mut Legs, leg: LegId) {
        if let Some(Outcome::Release(held)) = self.recognizer.handle_timeout(now) {
            legs.send_digit(leg, DigitOut::Late(held));
        }
        if let Some(Outcome::Release(held)) = self.client_recognizer.handle_timeout(now) {
            legs.play_digit(leg, DigitTone::Queue(held));
        }
    }

    /// A digit from the IP client (RFC 4733 start/end, or a whole digit sent by
    /// SIP INFO when `whole`). Returns the command's message.
    pub(crate) fn client_digit(
        &mut self,
        now: Instant,
        legs: &mut Legs,
        leg: LegId,
        line: &LineInfo,
        digit: Option<Digit>,
        whole: bool,
    ) -> Option<Value> {
        let Some(digit) = digit else {
            // The digit that started ended.
            if std::mem::take(&mut self.client_live) {
                legs.play_digit(leg, DigitTone::Stop);
            }
            return None;
        };
        let outcome = self.client_recognizer.digit(now, digit);
        info!(port = ?line.port, %digit, ?outcome, "DTMF from client");
        match outcome {
            Outcome::Pass if whole => {
                legs.play_digit(leg, DigitTone::Queue([digit].into_iter().collect()));
                None
            }
            Outcome::Pass => {
                if has_media(legs, leg) {
                    legs.play_digit(leg, DigitTone::Play(digit));
                    self.client_live = true;
                }
                None
            }
            Outcome::Held => None,
            Outcome::Command(command) => {
                let table = self.client_recognizer.table().clone();
                Some(self.execute(legs, leg, line, &table, &command))
            }
            Outcome::Release(held) => {
                legs.play_digit(leg, DigitTone::Queue(held));
                None
            }
            Outcome::ReleaseThenCommand(held, command) => {
                legs.play_digit(leg, DigitTone::Queue(held));
                let table = self.client_recognizer.table().clone();
                Some(self.execute(legs, leg, line, &table, &command))
            }
        }
    }

    /// A digit heard on the line's side. Returns the message to send the
    /// client if the digit completed a command.
    pub(crate) fn line_digit(
        &mut self,
        now: Instant,
        legs: &mut Legs,
        leg: LegId,
        line: &LineInfo,
        event: DtmfEvent,
    ) -> Option<Value> {
        match event {
            DtmfEvent::Start {
                digit, level_dbm0, ..
            } => {
                let outcome = self.recognizer.digit(now, digit);
                info!(port = ?line.port, %digit, level_dbm0, ?outcome, "DTMF from line");
                match outcome {
                    Outcome::Pass => {
                        if has_media(legs, leg) {
                            legs.send_digit(leg, DigitOut::Start(digit));
                            self.live_digit = Some(digit);
                        }
                        None
                    }
                    Outcome::Held => None,
                    Outcome::Command(command) => {
                        let table = self.recognizer.table().clone();
                        Some(self.execute(legs, leg, line, &table, &command))
                    }
                    Outcome::Release(held) => {
                        legs.send_digit(leg, DigitOut::Late(held));
                        None
                    }
                    Outcome::ReleaseThenCommand(held, command) => {
                        legs.send_digit(leg, DigitOut::Late(held));
                        let table = self.recognizer.table().clone();
                        Some(self.execute(legs, leg, line, &table, &command))
                    }
                }
            }
            DtmfEvent::End {
                digit, duration, ..
            } => {
                if self.live_digit == Some(digit) {
                    self.live_digit = None;
                    let duration = u32::try_from(duration).unwrap_or(u32::MAX);
                    legs.send_digit(leg, DigitOut::End { duration });
                }
                None
            }
        }
    }

    /// Carry out a command on the call's own media and describe it for the client.
    fn execute(
        &mut self,
        legs: &mut Legs,
        leg: LegId,
        line: &LineInfo,
        table: &CommandTable,
        command: &Command,
    ) -> Value {
        let (action, keyed, url) = match command {
            Command::Sequence(i) => match table.sequences().get(*i) {
                Some(seq) => (seq.action, seq.digits.clone(), seq.url.clone()),
                None => (CommandAction::PushPage, String::new(), None),
            },
            Command::Channel { keyed, url, .. } => {
                (CommandAction::LinkDesk, keyed.clone(), Some(url.clone()))
            }
        };
        let s = &mut self.settings;
        match action {
            CommandAction::VolumeUp => s.volume_step = (s.volume_step + 1).min(MAX_VOLUME_STEP),
            CommandAction::VolumeDown => s.volume_step = (s.volume_step - 1).max(-MAX_VOLUME_STEP),
            CommandAction::EchoSuppressionOn => s.echo_suppression = true,
            CommandAction::EchoSuppressionOff => s.echo_suppression = false,
            CommandAction::EchoCancellationOn => s.echo_cancellation = true,
            CommandAction::EchoCancellationOff => s.echo_cancellation = false,
            CommandAction::PushPage | CommandAction::LinkDesk => {}
        }
        legs.apply_settings(leg, &self.settings);
        self.commands.push(keyed.clone());
        info!(port = ?line.port, digits = %keyed, action = action.name(), "command recognised");
        let mut body = json!({
            "command": action.name(),
            "digits": keyed,
            "port": line.port,
            "ani": line.ani,
        });
        if let Some(obj) = body.as_object_mut() {
            match action {
                CommandAction::PushPage | CommandAction::LinkDesk => {
                    obj.insert("url".into(), json!(url));
                }
                CommandAction::VolumeUp | CommandAction::VolumeDown => {
                    obj.insert(
                        "volume_percent".into(),
                        json!(self.settings.volume_percent()),
                    );
                }
                _ => {}
            }
            if let Command::Channel { code, .. } = command {
                obj.insert("channel".into(), json!(code));
            }
        }
        body
    }
}

fn has_media(legs: &Legs, leg: LegId) -> bool {
    legs.get(leg)
        .and_then(|l| l.sip())
        .is_some_and(|s| s.media().is_some())
}
