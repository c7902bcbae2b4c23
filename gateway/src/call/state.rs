//! One call's state: its port, direction, context, media and DTMF command handling.

use std::time::Instant;

use drivers::PortId;
use dsp::dtmf::{Digit, DtmfEvent};
use serde::Serialize;
use serde_json::{json, Value};
use tracing::{info, warn};

use super::context::CallContext;
use crate::command::{Command, CommandTable, Outcome, Recognizer};
use crate::config::{CommandAction, MediaConfig, PortConfig};
use crate::media::rtp::{RtpTimestamp, Ssrc};
use crate::media::{MediaSession, Negotiated, StreamIds};

/// Which way a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// An IP client called a number on the PSTN through a port.
    ToLine,
    /// The PSTN rang a port and the gateway called an IP client.
    FromLine,
}

impl Direction {
    /// Its name in views.
    pub fn name(self) -> &'static str {
        match self {
            Direction::ToLine => "to-line",
            Direction::FromLine => "from-line",
        }
    }
}

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CallState {
    /// to-line: dialling and waiting for the far end; from-line: calling the client.
    Setup,
    /// to-line: ringback heard; from-line: the client is ringing.
    Alerting,
    /// Both sides connected, media flowing.
    Connected,
}

impl CallState {
    pub(crate) fn name(self) -> &'static str {
        match self {
            CallState::Setup => "setup",
            CallState::Alerting => "alerting",
            CallState::Connected => "connected",
        }
    }
}

/// The per-call settings the command plane changes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CallSettings {
    /// Volume steps of the client's audio toward the line (each step is 20%).
    pub volume_step: i8,
    /// Echo suppression (half duplex) asked of the far end.
    pub echo_suppression: bool,
    /// Echo cancellation asked of the far end.
    pub echo_cancellation: bool,
}

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings {
            volume_step: 0,
            echo_suppression: false,
            echo_cancellation: true,
        }
    }
}

/// Volume steps are bounded to ±5 (about ±8 dB).
const MAX_VOLUME_STEP: i8 = 5;

impl CallSettings {
    /// The volume as a percentage of normal (100 × 1.2^step).
    pub fn volume_percent(&self) -> u32 {
        (100.0 * 1.2f64.powi(i32::from(self.volume_step))).round() as u32
    }

    /// The gain in dB that the volume step means (20·log10(1.2) per step).
    pub fn volume_db(&self) -> f32 {
        f32::from(self.volume_step) * 1.583_625
    }

    /// Puts every setting into the call's media: at media start (so a step
    /// keyed before it is not lost) and after each command.
    fn apply(&self, media: &mut MediaSession) {
        media.set_gain_to_line_db(self.volume_db());
        media.set_line_echo_canceller(self.echo_cancellation);
        media.set_acoustic_echo_control(self.echo_suppression);
    }
}

/// What call control reports about a call once it is over (times are the core's
/// `Instant`s; the runtime turns them into wall-clock times for the record).
#[derive(Debug, Clone)]
pub struct FinishedCall {
    /// Which way it went.
    pub direction: Direction,
    /// The line port, if one was used.
    pub port: Option<PortId>,
    /// The port's ANI.
    pub ani: Option<String>,
    /// The number dialled on the line.
    pub destination: Option<String>,
    /// Who and what was behind it.
    pub context: CallContext,
    /// When it started.
    pub started: Instant,
    /// When it was answered.
    pub answered: Option<Instant>,
    /// When it ended.
    pub ended: Instant,
    /// Command sequences used.
    pub commands: Vec<String>,
    /// Why it ended.
    pub end_reason: String,
}

/// Default duration (8 kHz units) of a digit forwarded after it was held back.
const RELEASED_DIGIT: u32 = 800;

/// A call.
#[derive(Debug)]
pub(crate) struct Call {
    pub port: PortId,
    pub direction: Direction,
    pub state: CallState,
    pub context: CallContext,
    pub dialled: Option<String>,
    /// to-line: what the client offered; from-line: set once answered.
    pub negotiated: Option<Negotiated>,
    pub media: Option<MediaSession>,
    recognizer: Recognizer,
    /// Commands keyed on the IP client's side (RFC 4733 or SIP INFO).
    client_recognizer: Recognizer,
    /// The client digit being played on the line live.
    client_live: bool,
    /// The digit being forwarded live.
    live_digit: Option<Digit>,
    pub started: Instant,
    pub answered: Option<Instant>,
    pub commands: Vec<String>,
    pub settings: CallSettings,
}

impl Call {
    pub fn new(
        port: PortId,
        direction: Direction,
        context: CallContext,
        commands: &CommandTable,
        client_commands: &CommandTable,
        now: Instant,
    ) -> Call {
        Call {
            port,
            direction,
            state: CallState::Setup,
            context,
            dialled: None,
            negotiated: None,
            media: None,
            recognizer: Recognizer::new(commands.clone()),
            client_recognizer: Recognizer::new(client_commands.clone()),
            client_live: false,
            live_digit: None,
            started: now,
            answered: None,
            commands: Vec::new(),
            settings: CallSettings::default(),
        }
    }

    /// The call is over.
    pub fn finish(self, now: Instant, ani: Option<String>, reason: String) -> FinishedCall {
        FinishedCall {
            direction: self.direction,
            port: Some(self.port),
            ani,
            destination: self.dialled,
            context: self.context,
            started: self.started,
            answered: self.answered,
            ended: now,
            commands: self.commands,
            end_reason: reason,
        }
    }

    /// Both sides are connected: start the media with what was negotiated.
    pub fn connect(&mut self, now: Instant, rng: &mut sip::IdGenerator, config: &MediaConfig) {
        let Some(n) = self.negotiated else {
            return;
        };
        let (ssrc, seq, timestamp) = next_stream_ids(rng);
        self.state = CallState::Connected;
        self.answered = Some(now);
        let ids = StreamIds {
            ssrc,
            seq,
            timestamp,
        };
        self.media = match MediaSession::new(
            crate::media::TransportId(u16::from(self.port.0)),
            n,
            ids,
            config,
            now,
        ) {
            Ok(mut media) => {
                self.settings.apply(&mut media);
                Some(media)
            }
            Err(e) => {
                warn!(port = %self.port, error = %e, "media could not start");
                None
            }
        };
    }

    /// The inter-digit timer of the command recognizer.
    pub fn poll_command_timeout(&mut self, now: Instant) {
        if let Some(Outcome::Release(held)) = self.recognizer.handle_timeout(now) {
            self.release(&held);
        }
        if let Some(Outcome::Release(held)) = self.client_recognizer.handle_timeout(now) {
            self.release_to_line(&held);
        }
    }

    /// A digit from the IP client (RFC 4733 start/end, or a whole digit sent by
    /// SIP INFO when `whole`). Digits that are not a command are played on the
    /// line; a command's digits never reach it. Returns the command's message.
    pub fn client_digit(
        &mut self,
        now: Instant,
        port: &PortConfig,
        digit: Option<Digit>,
        whole: bool,
    ) -> Option<Value> {
        let Some(digit) = digit else {
            // The digit that started ended.
            if std::mem::take(&mut self.client_live) {
                if let Some(media) = self.media.as_mut() {
                    media.stop_client_digit();
                }
            }
            return None;
        };
        let outcome = self.client_recognizer.digit(now, digit);
        info!(port = port.port, %digit, ?outcome, "DTMF from client");
        match outcome {
            Outcome::Pass if whole => {
                self.release_to_line(&[digit]);
                None
            }
            Outcome::Pass => {
                if let Some(media) = self.media.as_mut() {
                    media.play_client_digit(digit);
                    self.client_live = true;
                }
                None
            }
            Outcome::Held => None,
            Outcome::Command(command) => {
                let table = self.client_recognizer.table().clone();
                Some(self.execute(port, &table, &command))
            }
            Outcome::Release(held) => {
                self.release_to_line(&held);
                None
            }
            Outcome::ReleaseThenCommand(held, command) => {
                self.release_to_line(&held);
                let table = self.client_recognizer.table().clone();
                Some(self.execute(port, &table, &command))
            }
        }
    }

    fn release_to_line(&mut self, digits: &[Digit]) {
        if let Some(media) = self.media.as_mut() {
            let dropped = media.queue_to_line(digits);
            if dropped > 0 {
                warn!(dropped, "line digit queue full; digits dropped");
            }
        }
    }

    /// A digit detected on the line. Returns the message to send the client if
    /// the digit completed a command.
    pub fn line_digit(
        &mut self,
        now: Instant,
        port: &PortConfig,
        event: DtmfEvent,
    ) -> Option<Value> {
        match event {
            DtmfEvent::Start {
                digit, level_dbm0, ..
            } => {
                let outcome = self.recognizer.digit(now, digit);
                info!(port = port.port, %digit, level_dbm0, ?outcome, "DTMF from line");
                match outcome {
                    Outcome::Pass => {
                        if let Some(media) = self.media.as_mut() {
                            media.forward_digit_start(digit);
                            self.live_digit = Some(digit);
                        }
                        None
                    }
                    Outcome::Held => None,
                    Outcome::Command(command) => {
                        let table = self.recognizer.table().clone();
                        Some(self.execute(port, &table, &command))
                    }
                    Outcome::Release(held) => {
                        self.release(&held);
                        None
                    }
                    Outcome::ReleaseThenCommand(held, command) => {
                        self.release(&held);
                        let table = self.recognizer.table().clone();
                        Some(self.execute(port, &table, &command))
                    }
                }
            }
            DtmfEvent::End {
                digit, duration, ..
            } => {
                if self.live_digit == Some(digit) {
                    self.live_digit = None;
                    if let Some(media) = self.media.as_mut() {
                        media.forward_digit_end(u32::try_from(duration).unwrap_or(u32::MAX));
                    }
                }
                None
            }
        }
    }

    /// Carry out a command on the call's own media and describe it for the client.
    fn execute(&mut self, port: &PortConfig, table: &CommandTable, command: &Command) -> Value {
        let (action, keyed, url) = match command {
            Command::Sequence(i) => match table.sequences().get(*i) {
                Some(seq) => (seq.action, seq.digits.clone(), seq.url.clone()),
                None => (CommandAction::PushPage, String::new(), None),
            },
            Command::Channel { keyed, url, .. } => {
                (CommandAction::LinkDesk, keyed.clone(), Some(url.clone()))
            }
        };
        match action {
            CommandAction::VolumeUp => {
                self.settings.volume_step = (self.settings.volume_step + 1).min(MAX_VOLUME_STEP);
            }
            CommandAction::VolumeDown => {
                self.settings.volume_step = (self.settings.volume_step - 1).max(-MAX_VOLUME_STEP);
            }
            CommandAction::EchoSuppressionOn => self.settings.echo_suppression = true,
            CommandAction::EchoSuppressionOff => self.settings.echo_suppression = false,
            CommandAction::EchoCancellationOn => self.settings.echo_cancellation = true,
            CommandAction::EchoCancellationOff => self.settings.echo_cancellation = false,
            CommandAction::PushPage | CommandAction::LinkDesk => {}
        }
        if let Some(media) = self.media.as_mut() {
            self.settings.apply(media);
        }
        self.commands.push(keyed.clone());
        info!(port = port.port, digits = %keyed, action = action.name(), "command recognised");
        let mut body = json!({
            "command": action.name(),
            "digits": keyed,
            "port": port.port,
            "ani": port.ani,
            "call_id": self.context.call_id,
            "session_id": self.context.session_id,
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

    /// Forward digits that were held back but turned out not to be a command.
    fn release(&mut self, held: &[Digit]) {
        if let Some(media) = self.media.as_mut() {
            let dropped = media.forward_digits_late(held, RELEASED_DIGIT);
            if dropped > 0 {
                warn!(dropped, "digit queue full; digits dropped");
            }
        }
    }
}

/// SSRC, first sequence number and first timestamp of a new stream, from
/// the cryptographic generator: an off-path attacker who cannot guess them
/// cannot inject packets the receiver would play (RFC 3550 §5.1, §9.1).
fn next_stream_ids(rng: &mut sip::IdGenerator) -> (Ssrc, u16, RtpTimestamp) {
    let a = rng.next_u64();
    let b = rng.next_u64();
    (
        Ssrc(a as u32),
        (b >> 16) as u16,
        RtpTimestamp((b >> 32) as u32),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_steps_are_twenty_percent() {
        let mut s = CallSettings::default();
        assert_eq!(s.volume_percent(), 100);
        s.volume_step = 1;
        assert_eq!(s.volume_percent(), 120);
        assert!((s.volume_db() - 1.58).abs() < 0.01);
        s.volume_step = -1;
        assert_eq!(s.volume_percent(), 83);
    }
}
