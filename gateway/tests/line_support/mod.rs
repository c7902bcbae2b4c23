//! A virtual-clock bench for the console's port tests on a hardware-style card:
//! the gateway's `Controller` configured with `board.kind = "hardware"` (port 0
//! FXO, port 1 FXS, both with GPIO signalling), and a [`ScriptedCard`] whose
//! ports run the drivers' real `drivers::slic::GpioSignalling` over
//! `board::gpio`'s simulated twins. Only what is beyond the GPIO lines is
//! scripted: the exchange behind the FXO port (loop current, ringing voltage,
//! call-progress tones) and the phone on the FXS port (its hook switch).
//! The SIP client is a `sip::Endpoint`. Nothing sleeps.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use board::gpio::{GpioError, InputLine, OutputHistory, ScriptedInput, SimulatedOutput};
use board::VirtualClock;
use drivers::hardware::PortSignallingConfig;
use drivers::slic::{GpioSignalling, GpioSignallingConfig, NotApplicable};
use drivers::{
    Frame, LineCard, LineCommand, LineError, LineEvent, PortId, PortKind, FRAME_DURATION,
    FRAME_SAMPLES,
};
use dsp::tone::{Plan, ToneGenerator, ToneKind};
use gateway::call::Controller;
use gateway::config::{self, Codec, Config};
use gateway::line::TestReport;
use gateway::media::negotiation;
use sip::{CallHandle, Endpoint, EndpointConfig, Event, OutgoingInvite, Uri};

/// The gateway's SIP address.
pub const GW: &str = "127.0.0.1:5060";
/// The client's SIP address (port 0's `inbound_uri` points here).
pub const CLIENT: &str = "127.0.0.1:5070";

/// The board: an FXO port toward an exchange and an FXS port with a phone.
pub const CONFIG: &str = r#"
[sip]
allow_unauthenticated = true
[board]
kind = "hardware"
[line]
dial_tone_wait_ms = 3000

[hardware]
[[hardware.ports]]
kind = "fxo"
audio = { alsa = { device = "plughw:CARD=Tdm", channel = 0, channels = 2 } }
[hardware.ports.signalling.gpio.fxo]
hook_relay = { chip = "/dev/gpiochip0", offset = 1 }
ring_detect = { chip = "/dev/gpiochip0", offset = 2 }
ring_detect_kind = "level"
loop_current = { chip = "/dev/gpiochip0", offset = 4 }
[[hardware.ports]]
kind = "fxs"
audio = { alsa = { device = "plughw:CARD=Tdm", channel = 1, channels = 2 } }
[hardware.ports.signalling.gpio.fxs]
hook_detect = { chip = "/dev/gpiochip0", offset = 5 }
ring_relay = { chip = "/dev/gpiochip0", offset = 6 }
ring_cadence_ms = [2000, 4000]

[[ports]]
port = 0
kind = "fxo"
ani = "4155550100"
inbound_uri = "sip:agent@127.0.0.1:5070"
[[ports]]
port = 1
kind = "fxs"
ani = "4155550101"

[[routes]]
prefix = ""
"#;

/// What the exchange behind the FXO port does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exchange {
    /// Loop current flows while the loop is closed, and `tone` starts `after`
    /// the seizure (dial tone on a healthy line).
    Working { tone: ToneKind, after: Duration },
    /// No loop current and no tone: the cable is cut.
    Dead,
}

#[derive(Debug)]
struct ExchangeState {
    exchange: Exchange,
    /// From this instant the exchange releases the line: no current, no tone.
    released_at: Option<Instant>,
}

type Shared = Arc<Mutex<ExchangeState>>;

fn lock(s: &Shared) -> std::sync::MutexGuard<'_, ExchangeState> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The DAA's loop-current detector: current flows while our hook relay holds
/// the loop closed on a working line the exchange has not released.
struct LoopCurrent {
    clock: VirtualClock,
    hook_relay: OutputHistory,
    exchange: Shared,
}

impl InputLine for LoopCurrent {
    fn read(&mut self) -> Result<bool, GpioError> {
        let state = lock(&self.exchange);
        let working = matches!(state.exchange, Exchange::Working { .. });
        let released = state.released_at.is_some_and(|t| self.clock.now() >= t);
        Ok(self.hook_relay.current() && working && !released)
    }
}

enum Far {
    Exchange {
        state: Shared,
        tone: Option<(Instant, ToneGenerator)>,
    },
    Phone,
}

struct CardPort {
    signalling: GpioSignalling,
    relay: OutputHistory,
    far: Far,
}

/// The FXO port's handles for a test.
#[derive(Clone)]
pub struct FxoLine {
    /// The ring detector's input: set it active for a ring burst.
    pub ring: ScriptedInput,
    /// Our hook relay as driven (active = off hook).
    pub hook_relay: OutputHistory,
    exchange: Shared,
}

impl FxoLine {
    /// The exchange behaves like this from now on.
    pub fn set(&self, exchange: Exchange) {
        lock(&self.exchange).exchange = exchange;
    }

    /// The exchange releases the line at `at` (loop current stops).
    pub fn release_at(&self, at: Instant) {
        lock(&self.exchange).released_at = Some(at);
    }
}

/// The FXS port's handles for a test.
#[derive(Clone)]
pub struct FxsPhone {
    /// The SLIC's hook-detect input: active while the phone is off hook.
    pub hook: ScriptedInput,
    /// The ring relay as driven (active = ringing voltage on).
    pub ring_relay: OutputHistory,
}

/// A line card of GPIO-signalled ports with scripted far ends.
pub struct ScriptedCard {
    clock: VirtualClock,
    ports: Vec<CardPort>,
    events: VecDeque<(PortId, LineEvent)>,
}

impl ScriptedCard {
    fn poll_port(&mut self, i: usize, rx: &mut Frame) -> Result<(), LineError> {
        let now = self.clock.now();
        let Some(port) = self.ports.get_mut(i) else {
            return Ok(());
        };
        port.signalling.poll(now)?;
        while let Some(e) = port.signalling.poll_event() {
            self.events.push_back((PortId(i as u8), e));
        }
        rx.fill(0);
        let Far::Exchange { state, tone } = &mut port.far else {
            return Ok(());
        };
        let seized = port
            .relay
            .driven()
            .iter()
            .rev()
            .find(|(_, on)| *on)
            .map(|(at, _)| *at);
        let state = lock(state);
        let released = state.released_at.is_some_and(|t| now >= t);
        match (state.exchange, seized, port.relay.current() && !released) {
            (Exchange::Working { tone: kind, after }, Some(at), true) if now >= at + after => {
                let fresh = tone.as_ref().is_none_or(|(since, _)| *since != at);
                if fresh {
                    *tone = Some((at, ToneGenerator::new(Plan::NorthAmerica.tone(kind))));
                }
                if let Some((_, g)) = tone.as_mut() {
                    g.fill(rx);
                }
            }
            _ => *tone = None,
        }
        Ok(())
    }
}

impl LineCard for ScriptedCard {
    fn port_count(&self) -> usize {
        self.ports.len()
    }

    fn port_kind(&self, port: PortId) -> Option<PortKind> {
        self.ports.get(port.index()).map(|p| p.signalling.kind())
    }

    fn command(&mut self, port: PortId, command: LineCommand) -> Result<(), LineError> {
        let now = self.clock.now();
        let p = self
            .ports
            .get_mut(port.index())
            .ok_or(LineError::NoSuchPort(port))?;
        let kind = p.signalling.kind();
        p.signalling
            .command(now, command)
            .map_err(|NotApplicable(command)| LineError::WrongKind {
                port,
                kind,
                command,
            })
    }

    fn exchange_frames(&mut self, tx: &[Frame], rx: &mut [Frame]) -> Result<(), LineError> {
        for got in [tx.len(), rx.len()] {
            if got != self.ports.len() {
                return Err(LineError::FrameCount {
                    expected: self.ports.len(),
                    got,
                });
            }
        }
        for (i, frame) in rx.iter_mut().enumerate() {
            self.poll_port(i, frame)?;
        }
        Ok(())
    }

    fn poll_event(&mut self) -> Option<(PortId, LineEvent)> {
        self.events.pop_front()
    }
}

/// Everything wired together on one virtual clock.
pub struct LineBench {
    pub clock: VirtualClock,
    pub gateway: Controller,
    pub card: ScriptedCard,
    pub fxo: FxoLine,
    pub phone: FxsPhone,
    pub client: Endpoint,
    pub client_events: Vec<Event>,
    /// Finished tests, as the core reported them, with when.
    pub reports: Vec<(Instant, TestReport)>,
    /// Every command the core sent the card, with when.
    pub commands: Vec<(Instant, PortId, LineCommand)>,
    rx: Vec<Frame>,
    tx: Vec<Frame>,
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

impl LineBench {
    /// The board of [`CONFIG`]; the exchange gives dial tone `after` the seizure.
    pub fn new(exchange: Exchange) -> LineBench {
        let config: Config = config::parse(Path::new("line.toml"), CONFIG).expect("valid config");
        let hardware = config.hardware.clone().expect("[hardware]");
        let clock = VirtualClock::starting_at(Instant::now());
        let state: Shared = Arc::new(Mutex::new(ExchangeState {
            exchange,
            released_at: None,
        }));
        let mut fxo = None;
        let mut phone = None;
        let mut ports = Vec::new();
        for p in &hardware.ports {
            let relay = SimulatedOutput::new(clock.clone());
            let history = relay.history();
            let port = match &p.signalling {
                PortSignallingConfig::Gpio(GpioSignallingConfig::Fxo(c)) => {
                    let ring = ScriptedInput::new(clock.clone(), false);
                    let current = LoopCurrent {
                        clock: clock.clone(),
                        hook_relay: history.clone(),
                        exchange: state.clone(),
                    };
                    fxo = Some(FxoLine {
                        ring: ring.clone(),
                        hook_relay: history.clone(),
                        exchange: state.clone(),
                    });
                    CardPort {
                        signalling: GpioSignalling::fxo(
                            c,
                            Box::new(ring),
                            None,
                            Some(Box::new(current)),
                            Box::new(relay),
                        )
                        .expect("fxo signalling"),
                        relay: history,
                        far: Far::Exchange {
                            state: state.clone(),
                            tone: None,
                        },
                    }
                }
                PortSignallingConfig::Gpio(GpioSignallingConfig::Fxs(c)) => {
                    let hook = ScriptedInput::new(clock.clone(), false);
                    phone = Some(FxsPhone {
                        hook: hook.clone(),
                        ring_relay: history.clone(),
                    });
                    CardPort {
                        signalling: GpioSignalling::fxs(c, Box::new(hook), Box::new(relay))
                            .expect("fxs signalling"),
                        relay: history,
                        far: Far::Phone,
                    }
                }
                other => panic!("the bench has GPIO ports only, not {other:?}"),
            };
            ports.push(port);
        }
        let n = ports.len();
        let rtp: Vec<SocketAddr> = (0..n)
            .map(|i| addr(&format!("127.0.0.1:{}", 20000 + 2 * i)))
            .collect();
        LineBench {
            gateway: Controller::new(Arc::new(config), addr(GW), &rtp, 7),
            card: ScriptedCard {
                clock: clock.clone(),
                ports,
                events: VecDeque::new(),
            },
            fxo: fxo.expect("an FXO port"),
            phone: phone.expect("an FXS port"),
            client: Endpoint::new(EndpointConfig::new(addr(CLIENT)), 11),
            client_events: Vec::new(),
            reports: Vec::new(),
            commands: Vec::new(),
            rx: vec![[0; FRAME_SAMPLES]; n],
            tx: vec![[0; FRAME_SAMPLES]; n],
            clock,
        }
    }

    /// The client calls `user` at the gateway (PCMU offer).
    pub fn call(&mut self, user: &str) -> CallHandle {
        let offer = negotiation::sdp(addr("127.0.0.1:40000"), 1, 1, &[Codec::Pcmu], None);
        let target = Uri::parse(&format!("sip:{user}@{GW}")).expect("uri");
        let invite = OutgoingInvite {
            target: target.clone(),
            destination: addr(GW),
            from: Uri::parse(&format!("sip:customer@{CLIENT}")).expect("uri"),
            from_display: None,
            to: target,
            sdp_offer: offer.into_bytes(),
            extra_headers: Vec::new(),
        };
        let handle = self.client.invite(self.now(), invite).expect("invite");
        self.pump();
        handle
    }

    /// Now, on the bench's clock.
    pub fn now(&self) -> Instant {
        self.clock.now()
    }

    /// Exchange everything pending between the parts, without moving time.
    pub fn pump(&mut self) {
        let now = self.now();
        for _ in 0..100 {
            let mut moved = false;
            while let Some((port, command)) = self.gateway.poll_line_command() {
                moved = true;
                self.commands.push((now, port, command));
                self.card.command(port, command).expect("line command");
            }
            while let Some(report) = self.gateway.poll_test_report() {
                moved = true;
                self.reports.push((now, report));
            }
            while let Some(t) = self.gateway.poll_sip() {
                moved = true;
                if t.destination == addr(CLIENT) {
                    self.client.handle_datagram(now, addr(GW), &t.payload);
                }
            }
            while let Some(t) = self.client.poll_transmit() {
                moved = true;
                if t.destination == addr(GW) {
                    self.gateway.handle_sip(now, addr(CLIENT), &t.payload);
                }
            }
            while let Some(e) = self.client.poll_event() {
                moved = true;
                self.client_events.push(e);
            }
            if !moved {
                return;
            }
        }
        panic!("the parts keep talking without time passing");
    }

    /// One 20 ms frame: the card's GPIO is sampled and its audio exchanged, the
    /// core runs the frame, SIP timers that are due fire.
    pub fn frame(&mut self) {
        self.clock.advance(FRAME_DURATION);
        let now = self.now();
        if self.gateway.poll_timeout().is_some_and(|t| t <= now) {
            self.gateway.handle_timeout(now);
        }
        if self.client.poll_timeout().is_some_and(|t| t <= now) {
            self.client.handle_timeout(now);
        }
        self.card
            .exchange_frames(&self.tx, &mut self.rx)
            .expect("frames");
        while let Some((port, event)) = self.card.poll_event() {
            self.gateway.handle_line_event(now, port, event);
        }
        self.gateway.handle_frames(now, &self.rx, &mut self.tx);
        self.pump();
    }

    /// Run frames for `d`.
    pub fn run(&mut self, d: Duration) {
        let end = self.now() + d;
        while self.now() < end {
            self.frame();
        }
    }

    /// Run frames until a test report arrives, at most `limit`.
    pub fn run_until_report(&mut self, limit: Duration) -> Option<(Instant, TestReport)> {
        let end = self.now() + limit;
        let seen = self.reports.len();
        while self.now() < end {
            self.frame();
            if let Some(r) = self.reports.get(seen) {
                return Some(*r);
            }
        }
        None
    }

    /// The port's state as the console and API show it.
    pub fn port_state(&self, port: u8) -> &'static str {
        self.gateway.ports_view()[usize::from(port)].state
    }

    /// The commands sent to `port`, with their time since `t0`.
    pub fn commands_to(&self, port: u8, t0: Instant) -> Vec<(Duration, LineCommand)> {
        self.commands
            .iter()
            .filter(|(_, p, _)| p.0 == port)
            .map(|(at, _, c)| (at.saturating_duration_since(t0), *c))
            .collect()
    }
}

/// Ms as a Duration.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
