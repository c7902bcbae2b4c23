//! [`HardwareCard`]: a [`LineCard`] composed from per-port audio (ALSA, or the
//! modem's own voice stream) and per-port signalling (GPIO SLIC/DAA lines, or an
//! AT voice modem), chosen by [`HardwareCardConfig`].
//!
//! ```text
//!   exchange_frames(tx, rx):
//!     1. ALSA: every routed port's frame out, every routed port's frame in
//!        (blocks on capture: the card's clock)
//!     2. modem ports: voice frame both ways over the serial line
//!     3. signalling: every port polled at `now`, events queued for poll_event
//! ```
//!
//! GPIO inputs are sampled once per frame here, which suits level inputs (hook,
//! polarity, loop current, a `level` ring detector). A `pulses` ring detector needs
//! [`HardwareCard::poll_signalling`] called every few ms from the runtime's timer.

pub mod config;

pub use config::{
    HardwareCardConfig, HardwareConfigError, HardwarePortConfig, PortAudioConfig,
    PortSignallingConfig,
};

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use crate::alsa::AlsaAudio;
use crate::line::{Frame, LineCard, LineCommand, LineError, LineEvent, PortId, PortKind};
use crate::modem::{ModemEvent, ModemPort};
use crate::slic::GpioSignalling;

/// The signalling side of one port.
#[derive(Debug)]
pub enum PortSignalling {
    /// GPIO lines.
    Gpio(Box<GpioSignalling>),
    /// An AT voice modem (its voice stream is the port's audio).
    Modem(Box<ModemPort>),
}

/// Where `now` comes from: the real clock on a box, a virtual one in tests.
pub type Clock = Box<dyn Fn() -> Instant + Send>;

/// A line card made of real drivers.
pub struct HardwareCard {
    kinds: Vec<PortKind>,
    audio: Option<AlsaAudio>,
    signalling: Vec<PortSignalling>,
    clock: Clock,
    events: VecDeque<(PortId, LineEvent)>,
}

impl fmt::Debug for HardwareCard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HardwareCard")
            .field("kinds", &self.kinds)
            .field("audio", &self.audio)
            .field("signalling", &self.signalling)
            .finish_non_exhaustive()
    }
}

fn port_id(i: usize) -> PortId {
    PortId(u8::try_from(i).unwrap_or(u8::MAX))
}

impl HardwareCard {
    /// Open every device of `config`: ALSA PCMs, GPIO lines, serial modems.
    pub fn open(config: &HardwareCardConfig) -> Result<HardwareCard, LineError> {
        config.validate().map_err(|e| LineError::Device {
            device: "hardware card configuration".into(),
            message: e.to_string(),
        })?;
        let alsa = config.alsa_config();
        let audio = if alsa.routes.is_empty() {
            None
        } else {
            Some(AlsaAudio::open(&alsa).map_err(|e| LineError::Device {
                device: "alsa".into(),
                message: e.to_string(),
            })?)
        };
        let now = Instant::now();
        let signalling = config
            .ports
            .iter()
            .map(|p| match &p.signalling {
                PortSignallingConfig::Gpio(g) => {
                    GpioSignalling::open(g).map(|g| PortSignalling::Gpio(Box::new(g)))
                }
                PortSignallingConfig::Modem(m) => {
                    ModemPort::open(m, now).map(|m| PortSignalling::Modem(Box::new(m)))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(HardwareCard::from_parts(
            config.ports.iter().map(|p| p.kind()).collect(),
            audio,
            signalling,
            Box::new(Instant::now),
        ))
    }

    /// A card from drivers built by the caller (tests use the simulated GPIO twins
    /// and a virtual clock).
    pub fn from_parts(
        kinds: Vec<PortKind>,
        audio: Option<AlsaAudio>,
        signalling: Vec<PortSignalling>,
        clock: Clock,
    ) -> HardwareCard {
        HardwareCard {
            kinds,
            audio,
            signalling,
            clock,
            events: VecDeque::new(),
        }
    }

    /// Sample every port's signalling now (GPIO inputs, modem replies) and queue its
    /// events. [`LineCard::exchange_frames`] does this once per frame.
    pub fn poll_signalling(&mut self) -> Result<(), LineError> {
        let now = (self.clock)();
        for (i, port) in self.signalling.iter_mut().enumerate() {
            match port {
                PortSignalling::Gpio(g) => {
                    g.poll(now)?;
                    while let Some(e) = g.poll_event() {
                        self.events.push_back((port_id(i), e));
                    }
                }
                PortSignalling::Modem(m) => {
                    m.poll(now, Duration::ZERO)?;
                    while let Some(e) = m.poll_event() {
                        self.events.push_back((port_id(i), e));
                    }
                }
            }
        }
        Ok(())
    }

    /// A modem port's own reports (caller ID, DTMF, readiness, failures).
    pub fn poll_modem_event(&mut self, port: PortId) -> Option<ModemEvent> {
        match self.signalling.get_mut(port.index()) {
            Some(PortSignalling::Modem(m)) => m.poll_modem_event(),
            _ => None,
        }
    }
}

impl LineCard for HardwareCard {
    fn port_count(&self) -> usize {
        self.kinds.len()
    }

    fn port_kind(&self, port: PortId) -> Option<PortKind> {
        self.kinds.get(port.index()).copied()
    }

    fn command(&mut self, port: PortId, command: LineCommand) -> Result<(), LineError> {
        let kind = self.port_kind(port).ok_or(LineError::NoSuchPort(port))?;
        let now = (self.clock)();
        let wrong = |_| LineError::WrongKind {
            port,
            kind,
            command,
        };
        match self.signalling.get_mut(port.index()) {
            Some(PortSignalling::Gpio(g)) => g.command(now, command).map_err(wrong),
            Some(PortSignalling::Modem(m)) => m.command(now, command).map_err(wrong),
            None => Err(LineError::NoSuchPort(port)),
        }
    }

    fn exchange_frames(&mut self, tx: &[Frame], rx: &mut [Frame]) -> Result<(), LineError> {
        let expected = self.kinds.len();
        for got in [tx.len(), rx.len()] {
            if got != expected {
                return Err(LineError::FrameCount { expected, got });
            }
        }
        if let Some(audio) = &mut self.audio {
            audio.exchange(tx, rx).map_err(|e| LineError::Device {
                device: "alsa".into(),
                message: e.to_string(),
            })?;
        }
        let now = (self.clock)();
        for (i, port) in self.signalling.iter_mut().enumerate() {
            if let (PortSignalling::Modem(m), Some(t), Some(r)) = (port, tx.get(i), rx.get_mut(i)) {
                m.exchange_frame(now, t, r)?;
            }
        }
        self.poll_signalling()
    }

    fn poll_event(&mut self) -> Option<(PortId, LineEvent)> {
        self.events.pop_front()
    }
}
