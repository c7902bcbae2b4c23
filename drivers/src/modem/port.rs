//! [`ModemPort`]: the serial-port shell around [`ModemSession`]. Reads what the
//! modem sent, hands it to the session with the caller's `now`, writes what the
//! session wants sent. No protocol logic lives here.

use std::collections::VecDeque;
use std::fmt;
use std::io::{ErrorKind, Read, Write};
use std::time::{Duration, Instant};

use serialport::SerialPort;

use super::config::ModemConfig;
use super::session::{ModemEvent, ModemSession};
use crate::line::{Frame, LineCommand, LineError, LineEvent};
use crate::slic::NotApplicable;

/// A voice modem on a serial line.
pub struct ModemPort {
    device: String,
    serial: Box<dyn SerialPort>,
    session: ModemSession,
    buf: Box<[u8; 1024]>,
    line_events: VecDeque<LineEvent>,
    modem_events: VecDeque<ModemEvent>,
}

impl fmt::Debug for ModemPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ModemPort")
            .field("device", &self.device)
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl ModemPort {
    /// Open `config.device` at `config.baud` (8N1, no flow control) and start
    /// initialising the modem at `now`.
    pub fn open(config: &ModemConfig, now: Instant) -> Result<ModemPort, LineError> {
        let serial = serialport::new(&config.device, config.baud)
            .timeout(Duration::ZERO)
            .open()
            .map_err(|e| LineError::Device {
                device: config.device.clone(),
                message: e.to_string(),
            })?;
        let mut port = ModemPort {
            device: config.device.clone(),
            serial,
            session: ModemSession::new(config, now),
            buf: Box::new([0; 1024]),
            line_events: VecDeque::new(),
            modem_events: VecDeque::new(),
        };
        port.flush()?;
        Ok(port)
    }

    /// The protocol state.
    pub fn session(&self) -> &ModemSession {
        &self.session
    }

    /// Read whatever the modem has sent (waiting up to `wait` for the first byte:
    /// zero for a frame-clocked caller, a bound for a runtime that has nothing else
    /// to do), run timers at `now`, send what is due.
    pub fn poll(&mut self, now: Instant, wait: Duration) -> Result<(), LineError> {
        let mut wait = wait;
        loop {
            let ready = self
                .serial
                .bytes_to_read()
                .map_err(|e| self.fault(e.to_string()))?;
            if ready == 0 && wait.is_zero() {
                break;
            }
            self.serial
                .set_timeout(wait)
                .map_err(|e| self.fault(e.to_string()))?;
            wait = Duration::ZERO;
            match self.serial.read(&mut self.buf[..]) {
                Ok(0) => break,
                Ok(n) => self.session.handle_input(now, &self.buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::TimedOut | ErrorKind::WouldBlock) => break,
                Err(e) => return Err(self.fault(e.to_string())),
            }
        }
        self.session.handle_timeout(now);
        self.sort_events();
        self.flush()
    }

    /// Apply a gateway command.
    pub fn command(&mut self, now: Instant, command: LineCommand) -> Result<(), NotApplicable> {
        self.session.command(now, command)?;
        // A write fault surfaces on the next poll or frame.
        let _ = self.flush();
        Ok(())
    }

    /// One 20 ms frame of voice both ways (silence while not in voice mode).
    pub fn exchange_frame(
        &mut self,
        now: Instant,
        tx: &Frame,
        rx: &mut Frame,
    ) -> Result<(), LineError> {
        self.poll(now, Duration::ZERO)?;
        self.session.exchange_frame(tx, rx);
        self.flush()
    }

    /// The next electrical line event.
    pub fn poll_event(&mut self) -> Option<LineEvent> {
        self.line_events.pop_front()
    }

    /// The next other report: readiness, caller ID, DTMF, tones, failures.
    pub fn poll_modem_event(&mut self) -> Option<ModemEvent> {
        self.modem_events.pop_front()
    }

    fn sort_events(&mut self) {
        while let Some(e) = self.session.poll_event() {
            match e {
                ModemEvent::Line(l) => self.line_events.push_back(l),
                other => self.modem_events.push_back(other),
            }
        }
    }

    fn flush(&mut self) -> Result<(), LineError> {
        let mut chunk = [0u8; 512];
        loop {
            let n = self.session.poll_transmit(&mut chunk);
            if n == 0 {
                return Ok(());
            }
            self.serial
                .write_all(&chunk[..n])
                .map_err(|e| self.fault(e.to_string()))?;
        }
    }

    fn fault(&self, message: String) -> LineError {
        LineError::Device {
            device: self.device.clone(),
            message,
        }
    }
}
