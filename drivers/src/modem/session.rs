//! [`ModemSession`]: the sans-IO voice-modem protocol core (diagram in the module
//! docs). Feed it what the serial line received ([`ModemSession::handle_input`])
//! and the time ([`ModemSession::handle_timeout`] at [`ModemSession::poll_timeout`]);
//! send what [`ModemSession::poll_transmit`] gives; read [`ModemSession::poll_event`].
//! It never touches the serial port or reads the clock.
//!
//! Memory is bounded: a report line is cut at [`MAX_LINE`] bytes, received voice is
//! kept up to [`MAX_VOICE_BACKLOG`] bytes (older bytes are dropped and counted).

use std::collections::VecDeque;
use std::time::Instant;

use super::caller_id::{CallerId, FieldOutcome};
use super::config::{ModemConfig, VoiceFormat};
use super::dle::{self, Decoder, Shielded};
use super::{DLE, ETX};
use crate::line::{Frame, LineCommand, LineEvent};
use crate::slic::NotApplicable;

/// Longest report line kept (longer lines are cut).
pub const MAX_LINE: usize = 256;
/// Received voice kept for the next frames: half a second.
pub const MAX_VOICE_BACKLOG: usize = 4000;

/// Where the dialogue is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModemState {
    /// Sending the initialisation commands.
    Initialising,
    /// Command mode, on hook.
    Idle,
    /// Going off hook / on hook: commands in flight.
    Switching,
    /// Off hook, full-duplex voice data flowing.
    Voice,
    /// A command failed or timed out; the modem needs a reset (recreate the port).
    Failed {
        /// The command.
        command: String,
        /// What came back (`ERROR`, `NO CARRIER`, or `timeout`).
        reply: String,
    },
}

/// What the modem reported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModemEvent {
    /// Initialisation finished.
    Ready,
    /// An electrical line event.
    Line(LineEvent),
    /// Caller ID, after the first ring.
    CallerId(CallerId),
    /// A DTMF digit heard on the line.
    Dtmf(char),
    /// Another `<DLE>` report: `b` busy, `d` dial tone, `s` silence, `q` quiet, …
    Report(char),
    /// A command failed; the session is now [`ModemState::Failed`].
    Failed {
        /// The command.
        command: String,
        /// The reply.
        reply: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Send {
    At(String),
    /// `<DLE><ETX>`: end our voice stream; the modem answers `<DLE><ETX>` and `OK`.
    EndVoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Ok,
    Connect,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum After {
    Nothing,
    Ready,
    Voice,
    Idle,
}

#[derive(Clone, Debug)]
struct Step {
    send: Send,
    expect: Expect,
    after: After,
}

impl Step {
    fn at(cmd: impl Into<String>, expect: Expect, after: After) -> Step {
        Step {
            send: Send::At(cmd.into()),
            expect,
            after,
        }
    }

    fn describe(&self) -> String {
        match &self.send {
            Send::At(c) => c.clone(),
            Send::EndVoice => "<DLE><ETX>".into(),
        }
    }
}

/// Timers, by name (sans-IO: data, not tasks).
#[derive(Clone, Copy, Debug, Default)]
struct Timers {
    /// The step in flight gets no reply by then: failure.
    reply: Option<Instant>,
    /// The current ring burst ends (modems report only its start).
    ring_off: Option<Instant>,
    /// A caller ID message with no more fields by then is complete.
    caller_id: Option<Instant>,
}

/// Caller ID fields are complete this long after the last one.
const CALLER_ID_SETTLE: std::time::Duration = std::time::Duration::from_millis(300);

/// The protocol core of one modem.
#[derive(Debug)]
pub struct ModemSession {
    config: ModemConfig,
    state: ModemState,
    steps: VecDeque<Step>,
    in_flight: Option<Step>,
    timers: Timers,
    line: Vec<u8>,
    decoder: Decoder,
    /// Voice mode was entered on the `\r` of `CONNECT\r\n`: its `\n` is not voice.
    skip_lf: bool,
    transmit: VecDeque<u8>,
    voice_in: VecDeque<u8>,
    voice_dropped: u64,
    voice_underruns: u64,
    caller_id: CallerId,
    ringing: bool,
    events: VecDeque<ModemEvent>,
}

impl ModemSession {
    /// A session that starts initialising the modem at `now`.
    pub fn new(config: &ModemConfig, now: Instant) -> ModemSession {
        let mut steps: VecDeque<Step> = [
            Step::at("ATZ", Expect::Ok, After::Nothing),
            Step::at("AT+FCLASS=8", Expect::Ok, After::Nothing),
            Step::at("AT+VCID=1", Expect::Ok, After::Nothing),
            Step::at(config.voice.vsm_command(), Expect::Ok, After::Nothing),
        ]
        .into_iter()
        .chain(
            config
                .extra_init
                .iter()
                .map(|c| Step::at(c.clone(), Expect::Ok, After::Nothing)),
        )
        .collect();
        if let Some(last) = steps.back_mut() {
            last.after = After::Ready;
        }
        let mut session = ModemSession {
            config: config.clone(),
            state: ModemState::Initialising,
            steps,
            in_flight: None,
            timers: Timers::default(),
            line: Vec::with_capacity(MAX_LINE),
            decoder: Decoder::default(),
            skip_lf: false,
            transmit: VecDeque::new(),
            voice_in: VecDeque::with_capacity(MAX_VOICE_BACKLOG),
            voice_dropped: 0,
            voice_underruns: 0,
            caller_id: CallerId::default(),
            ringing: false,
            events: VecDeque::new(),
        };
        session.next_step(now);
        session
    }

    /// Where the dialogue is.
    pub fn state(&self) -> &ModemState {
        &self.state
    }

    /// The voice format on the line.
    pub fn voice_format(&self) -> VoiceFormat {
        self.config.voice
    }

    /// Received voice bytes waiting for [`ModemSession::exchange_frame`].
    pub fn voice_buffered(&self) -> usize {
        self.voice_in.len()
    }

    /// `(bytes dropped because the backlog was full, frames short of voice)`.
    pub fn voice_faults(&self) -> (u64, u64) {
        (self.voice_dropped, self.voice_underruns)
    }

    /// A gateway command. Hook commands queue the dialogue that switches the line;
    /// ringing is for FXS ports.
    pub fn command(&mut self, now: Instant, command: LineCommand) -> Result<(), NotApplicable> {
        match command {
            LineCommand::OffHook => {
                self.steps
                    .push_back(Step::at("AT+VLS=1", Expect::Ok, After::Nothing));
                self.steps
                    .push_back(Step::at("AT+VTR", Expect::Connect, After::Voice));
            }
            LineCommand::OnHook => {
                if self.state == ModemState::Voice || self.in_flight_enters_voice() {
                    self.steps.push_back(Step {
                        send: Send::EndVoice,
                        expect: Expect::Ok,
                        after: After::Nothing,
                    });
                }
                self.steps
                    .push_back(Step::at("ATH", Expect::Ok, After::Idle));
            }
            other => return Err(NotApplicable(other)),
        }
        if matches!(self.state, ModemState::Idle | ModemState::Voice) {
            self.state = ModemState::Switching;
        }
        self.next_step(now);
        Ok(())
    }

    fn in_flight_enters_voice(&self) -> bool {
        self.in_flight
            .iter()
            .chain(self.steps.iter())
            .any(|s| s.after == After::Voice)
    }

    /// Bytes received from the modem at `now`.
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8]) {
        self.handle_timeout(now);
        for &b in bytes {
            if self.state == ModemState::Voice || self.awaiting_voice_end() {
                self.voice_byte(now, b);
            } else {
                self.command_byte(now, b);
            }
        }
    }

    /// Time passed: reply timeouts, ring burst ends, caller ID completes.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.timers.ring_off.is_some_and(|t| now >= t) {
            self.timers.ring_off = None;
            self.ringing = false;
            self.events.push_back(ModemEvent::Line(LineEvent::RingOff));
        }
        if self.timers.caller_id.is_some_and(|t| now >= t) {
            self.flush_caller_id();
        }
        if self.timers.reply.is_some_and(|t| now >= t) {
            self.fail("timeout".into());
        }
    }

    /// The earliest timer.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.timers.reply,
            self.timers.ring_off,
            self.timers.caller_id,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Copy bytes to send to the modem into `out`; returns how many.
    pub fn poll_transmit(&mut self, out: &mut [u8]) -> usize {
        let n = out.len().min(self.transmit.len());
        for (slot, b) in out.iter_mut().zip(self.transmit.drain(..n)) {
            *slot = b;
        }
        n
    }

    /// Bytes waiting in [`ModemSession::poll_transmit`].
    pub fn transmit_pending(&self) -> usize {
        self.transmit.len()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ModemEvent> {
        self.events.pop_front()
    }

    /// One 20 ms frame: while in voice, queue `tx` for the modem (shielded) and fill
    /// `rx` from what it sent (silence where it sent too little). Outside voice,
    /// `rx` is silence and `tx` is discarded, as on an on-hook line.
    pub fn exchange_frame(&mut self, tx: &Frame, rx: &mut Frame) {
        let format = self.config.voice;
        if self.state != ModemState::Voice {
            rx.fill(0);
            return;
        }
        for &s in tx {
            dle::shield(format.encode(s), &mut self.transmit);
        }
        let have = self.voice_in.len().min(rx.len());
        if have < rx.len() {
            self.voice_underruns += 1;
        }
        for (slot, b) in rx.iter_mut().zip(self.voice_in.drain(..have)) {
            *slot = format.decode(b);
        }
        rx[have..].fill(0);
    }

    fn awaiting_voice_end(&self) -> bool {
        matches!(
            &self.in_flight,
            Some(Step {
                send: Send::EndVoice,
                ..
            })
        )
    }

    fn voice_byte(&mut self, now: Instant, b: u8) {
        if std::mem::take(&mut self.skip_lf) && b == b'\n' {
            return;
        }
        match self.decoder.push(b) {
            None => {}
            Some(Shielded::Data(d)) => {
                if self.voice_in.len() == MAX_VOICE_BACKLOG {
                    self.voice_in.pop_front();
                    self.voice_dropped += 1;
                }
                self.voice_in.push_back(d);
            }
            Some(Shielded::Code(ETX)) => {
                // The modem left voice data mode; its OK follows as a line.
                self.decoder.reset();
                self.voice_in.clear();
                if self.state == ModemState::Voice {
                    self.state = ModemState::Switching;
                }
                if !self.awaiting_voice_end() {
                    // Left on its own (e.g. the line dropped): back to command mode.
                    self.state = ModemState::Idle;
                }
                self.line.clear();
                self.mark_voice_ended();
            }
            Some(Shielded::Code(code)) => self.dle_report(now, code),
        }
    }

    fn mark_voice_ended(&mut self) {
        if let Some(step) = &mut self.in_flight {
            if step.send == Send::EndVoice {
                // Now wait for the OK in command mode.
                step.send = Send::At("<DLE><ETX>".into());
            }
        }
    }

    fn dle_report(&mut self, now: Instant, code: u8) {
        let c = char::from(code);
        match c {
            '0'..='9' | '*' | '#' | 'A'..='D' => self.events.push_back(ModemEvent::Dtmf(c)),
            'R' => self.ring(now),
            'l' => self
                .events
                .push_back(ModemEvent::Line(LineEvent::LoopCurrentDrop)),
            'L' => self
                .events
                .push_back(ModemEvent::Line(LineEvent::PolarityReversal)),
            _ if c.is_ascii_graphic() => self.events.push_back(ModemEvent::Report(c)),
            _ => {}
        }
    }

    fn command_byte(&mut self, now: Instant, b: u8) {
        match b {
            b'\r' | b'\n' if !self.line.is_empty() => {
                let line = String::from_utf8_lossy(&self.line).trim().to_owned();
                self.line.clear();
                self.report_line(now, &line);
            }
            b'\r' | b'\n' => {}
            // A stray <DLE> code in command mode (some modems report RING as <DLE>R).
            DLE => self.line.push(DLE),
            _ if self.line.last() == Some(&DLE) => {
                self.line.pop();
                self.dle_report(now, b);
            }
            _ if self.line.len() < MAX_LINE => self.line.push(b),
            _ => {}
        }
    }

    fn report_line(&mut self, now: Instant, line: &str) {
        if line.is_empty() {
            return;
        }
        match self.caller_id.accept(line) {
            Ok(()) => {
                self.timers.caller_id = Some(now + CALLER_ID_SETTLE);
                return;
            }
            Err(FieldOutcome::Repeated) => {
                self.flush_caller_id();
                let _ = self.caller_id.accept(line);
                self.timers.caller_id = Some(now + CALLER_ID_SETTLE);
                return;
            }
            Err(FieldOutcome::NotCallerId) => self.flush_caller_id(),
        }
        match line {
            "RING" => self.ring(now),
            "OK" | "VCON" | "CONNECT" => self.reply(now, line, true),
            "ERROR" | "NO CARRIER" | "BUSY" | "NO DIALTONE" | "NO ANSWER" => {
                self.reply(now, line, false)
            }
            // Echoed commands, unsolicited status: not ours to act on.
            _ => {}
        }
    }

    fn reply(&mut self, now: Instant, line: &str, good: bool) {
        let Some(step) = self.in_flight.take() else {
            return;
        };
        let connect = line != "OK";
        let expected = match step.expect {
            Expect::Ok => !connect,
            Expect::Connect => connect,
        };
        if !good || !expected {
            self.in_flight = Some(step);
            self.fail(line.to_owned());
            return;
        }
        self.timers.reply = None;
        match step.after {
            After::Nothing => {}
            After::Ready => {
                self.state = ModemState::Idle;
                self.events.push_back(ModemEvent::Ready);
            }
            After::Voice => {
                self.state = ModemState::Voice;
                self.skip_lf = true;
                self.decoder.reset();
                self.voice_in.clear();
            }
            After::Idle => self.state = ModemState::Idle,
        }
        self.next_step(now);
    }

    fn next_step(&mut self, now: Instant) {
        if self.in_flight.is_some() || matches!(self.state, ModemState::Failed { .. }) {
            return;
        }
        let Some(step) = self.steps.pop_front() else {
            return;
        };
        match &step.send {
            Send::At(cmd) => {
                self.transmit.extend(cmd.as_bytes());
                self.transmit.push_back(b'\r');
            }
            Send::EndVoice => self.transmit.extend([DLE, ETX]),
        }
        self.timers.reply = Some(now + self.config.command_timeout());
        self.in_flight = Some(step);
    }

    fn fail(&mut self, reply: String) {
        let command = self
            .in_flight
            .take()
            .map_or_else(|| "?".to_owned(), |s| s.describe());
        tracing::warn!(%command, %reply, "modem command failed");
        self.timers.reply = None;
        self.steps.clear();
        self.state = ModemState::Failed {
            command: command.clone(),
            reply: reply.clone(),
        };
        self.events.push_back(ModemEvent::Failed { command, reply });
    }

    fn ring(&mut self, now: Instant) {
        if !self.ringing {
            self.ringing = true;
            self.events.push_back(ModemEvent::Line(LineEvent::RingOn));
        }
        self.timers.ring_off = Some(now + self.config.ring_burst());
    }

    fn flush_caller_id(&mut self) {
        self.timers.caller_id = None;
        if !self.caller_id.is_empty() {
            let cid = std::mem::take(&mut self.caller_id);
            self.events.push_back(ModemEvent::CallerId(cid));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn sent(s: &mut ModemSession) -> String {
        let mut buf = [0u8; 512];
        let n = s.poll_transmit(&mut buf);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }

    fn ready(t0: Instant) -> ModemSession {
        let mut s = ModemSession::new(&ModemConfig::new("/dev/null"), t0);
        for cmd in ["ATZ\r", "AT+FCLASS=8\r", "AT+VCID=1\r", "AT+VSM=1,8000\r"] {
            assert_eq!(sent(&mut s), cmd);
            s.handle_input(t0, b"\r\nOK\r\n");
        }
        assert_eq!(s.poll_event(), Some(ModemEvent::Ready));
        s
    }

    #[test]
    fn rings_and_caller_id() {
        let t0 = Instant::now();
        let mut s = ready(t0);
        s.handle_input(
            t0,
            b"\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\nNAME = ALICE\r\n",
        );
        assert_eq!(s.poll_event(), Some(ModemEvent::Line(LineEvent::RingOn)));
        assert_eq!(s.poll_event(), None, "caller ID waits for its last field");
        s.handle_timeout(t0 + Duration::from_millis(300));
        let Some(ModemEvent::CallerId(cid)) = s.poll_event() else {
            panic!("caller ID")
        };
        assert_eq!(cid.number.as_deref(), Some("5551234"));
        assert_eq!(cid.name.as_deref(), Some("ALICE"));
        assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(2)));
        s.handle_timeout(t0 + Duration::from_secs(2));
        assert_eq!(s.poll_event(), Some(ModemEvent::Line(LineEvent::RingOff)));
    }

    #[test]
    fn a_command_without_reply_fails_once() {
        let t0 = Instant::now();
        let mut s = ModemSession::new(&ModemConfig::new("/dev/null"), t0);
        sent(&mut s);
        s.handle_timeout(t0 + Duration::from_secs(3));
        assert!(
            matches!(s.poll_event(), Some(ModemEvent::Failed { command, reply }) if command == "ATZ" && reply == "timeout")
        );
        assert!(matches!(s.state(), ModemState::Failed { .. }));
        assert_eq!(s.poll_timeout(), None);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes() {
        let t0 = Instant::now();
        let mut s = ready(t0);
        s.command(t0, LineCommand::OffHook).unwrap();
        sent(&mut s);
        s.handle_input(t0, b"OK\r\n");
        sent(&mut s);
        s.handle_input(t0, b"CONNECT\r\n");
        assert_eq!(s.state(), &ModemState::Voice);
        // A deterministic pseudo-random byte soup, in voice mode and after.
        let mut x: u32 = 0x1234_5678;
        let mut rx = [0; crate::FRAME_SAMPLES];
        for _ in 0..2000 {
            let bytes: Vec<u8> = (0..97)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x >> 24) as u8
                })
                .collect();
            s.handle_input(t0, &bytes);
            s.exchange_frame(&[0; crate::FRAME_SAMPLES], &mut rx);
            while s.poll_event().is_some() {}
            let mut sink = [0u8; 4096];
            while s.poll_transmit(&mut sink) > 0 {}
        }
        assert!(s.voice_buffered() <= MAX_VOICE_BACKLOG);
    }
}
