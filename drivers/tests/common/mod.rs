//! A frame-stepped bench for the simulated exchange: the test plays the gateway.
//!
//! Virtual time only: one `step` is one 20 ms frame, no sleeps.
#![allow(dead_code)] // each scenario file uses part of the bench

use drivers::sim::{LineStatus, SimConfig, SimControl, SimExchange};
use drivers::{Frame, LineCard, LineCommand, LineEvent, PortId, FRAME_SAMPLES};
use dsp::dtmf::{Generator, GeneratorConfig};
use serde::Deserialize;

/// Frames in one North American ring cycle (2 s on + 4 s off).
pub const NA_RING_CYCLE: u64 = 300;

/// The exchange used by most scenarios.
pub const EXCHANGE: &str = r#"
[simulation]
tones = "north-america"
interdigit_timeout_ms = 3000

[[simulation.lines]]
port = 0
number = "4155550100"

[[simulation.lines]]
port = 1
number = "4155550101"

[[simulation.subscribers]]
number = "1800"
name = "Call centre"
behaviour = "answer"
answer_after_rings = 2
script = [
  { at_ms = 0, play = "voice" },
  { at_ms = 3000, dial = "*76" },
  { at_ms = 6000, dial = "12" },
  { at_ms = 12000, hangup = true },
]

[[simulation.subscribers]]
number = "1900"
name = "Busy office"
behaviour = "busy"

[[simulation.subscribers]]
number = "1901"
name = "Nobody home"
behaviour = "no-answer"

[[simulation.subscribers]]
number = "1902"
name = "Hang-up merchant"
behaviour = "answer-hangup"
answer_after_rings = 1

[[simulation.subscribers]]
number = "1903"
name = "Disconnected"
behaviour = "reorder"

[[simulation.subscribers]]
number = "1904"
name = "Listener"
answer_after_rings = 0
script = [ { at_ms = 0, play = "silence" } ]

[[simulation.phones]]
name = "customer"
number = "2125550199"
give_up_after_rings = 10
script = [ { at_ms = 0, play = "tone:1000" }, { at_ms = 5000, hangup = true } ]

[[simulation.phones]]
name = "impatient"
number = "2125550100"
give_up_after_rings = 2
"#;

#[derive(Deserialize)]
struct Wrapper {
    simulation: SimConfig,
}

/// Parse a `[simulation]` TOML document.
pub fn parse(text: &str) -> SimConfig {
    toml::from_str::<Wrapper>(text)
        .expect("test config parses")
        .simulation
}

/// The gateway's side of the card, driven by a test.
pub struct Bench {
    pub exchange: SimExchange,
    pub control: SimControl,
    pub tx: Vec<Frame>,
    pub rx: Vec<Frame>,
    /// The frame the next `step` exchanges.
    pub frame: u64,
    /// Every event so far, with the frame it was polled after.
    pub events: Vec<(u64, PortId, LineEvent)>,
    /// DTMF keyed into port 0's tx.
    pub keypad: Generator,
    /// A tone added to port 0's tx (Hz, peak amplitude).
    pub tx_tone: Option<(f32, f32)>,
    tx_phase: f64,
    /// Everything port 0 received, frame after frame (frame `f` is
    /// `heard[f * 160..(f + 1) * 160]`).
    pub heard: Vec<i16>,
    /// Port 0's state after each frame where it changed.
    pub transitions: Vec<(u64, &'static str)>,
}

impl Bench {
    /// A bench on `text` with `ports` ports.
    pub fn new(text: &str, ports: usize) -> Bench {
        let (exchange, control) = SimExchange::new(&parse(text), ports).expect("exchange builds");
        Bench {
            exchange,
            control,
            tx: vec![[0; FRAME_SAMPLES]; ports],
            rx: vec![[0; FRAME_SAMPLES]; ports],
            frame: 0,
            events: Vec::new(),
            keypad: Generator::new(GeneratorConfig::default()),
            tx_tone: None,
            tx_phase: 0.0,
            heard: Vec::new(),
            transitions: vec![(0, "idle")],
        }
    }

    /// The standard exchange with two ports.
    pub fn standard() -> Bench {
        Bench::new(EXCHANGE, 2)
    }

    pub fn command(&mut self, port: u8, command: LineCommand) {
        self.exchange
            .command(PortId(port), command)
            .expect("command accepted");
    }

    /// Exchange one frame; returns port 0's rx.
    pub fn step(&mut self) -> Frame {
        let tx0 = &mut self.tx[0];
        if !self.keypad.fill(tx0) {
            tx0.fill(0);
        }
        if let Some((hz, peak)) = self.tx_tone {
            for s in tx0.iter_mut() {
                *s = s.saturating_add(
                    (peak * (std::f64::consts::TAU * self.tx_phase).sin() as f32) as i16,
                );
                self.tx_phase = (self.tx_phase + f64::from(hz) / 8000.0).fract();
            }
        }
        self.exchange
            .exchange_frames(&self.tx, &mut self.rx)
            .expect("frames exchanged");
        while let Some((port, event)) = self.exchange.poll_event() {
            self.events.push((self.frame, port, event));
        }
        self.heard.extend_from_slice(&self.rx[0]);
        let state = self.control.status()[0].state;
        if self.transitions.last().map(|t| t.1) != Some(state) {
            self.transitions.push((self.frame, state));
        }
        self.frame += 1;
        self.rx[0]
    }

    /// Exchange `n` frames; returns port 0's rx, concatenated.
    pub fn run(&mut self, n: u64) -> Vec<i16> {
        let mut out = Vec::with_capacity(n as usize * FRAME_SAMPLES);
        for _ in 0..n {
            out.extend_from_slice(&self.step());
        }
        out
    }

    /// Key `digits` into port 0 and step until the keypad is idle.
    pub fn dial(&mut self, digits: &str) {
        self.keypad.queue_str(digits).expect("digits queue");
        while !self.keypad.is_idle() {
            self.step();
        }
    }

    /// Step until `pred` holds (checked after each frame); the frame it held on.
    pub fn run_until(&mut self, max: u64, mut pred: impl FnMut(&Bench) -> bool) -> Option<u64> {
        for _ in 0..max {
            self.step();
            if pred(self) {
                return Some(self.frame - 1);
            }
        }
        None
    }

    /// What port 0 heard in frames `from..to`.
    pub fn heard(&self, from: u64, to: u64) -> &[i16] {
        &self.heard[from as usize * FRAME_SAMPLES..to as usize * FRAME_SAMPLES]
    }

    /// Port `port`'s status.
    pub fn status(&self, port: usize) -> LineStatus {
        self.control.status()[port].clone()
    }

    /// The frames on which `event` happened on `port`.
    pub fn frames_of(&self, port: u8, event: LineEvent) -> Vec<u64> {
        self.events
            .iter()
            .filter(|(_, p, e)| *p == PortId(port) && *e == event)
            .map(|(f, _, _)| *f)
            .collect()
    }

    /// Go off hook on port 0 and dial `number`; returns the frame the call was
    /// routed on (the frame port 0 left the `dialling` state).
    pub fn call(&mut self, number: &str) -> u64 {
        self.command(0, LineCommand::OffHook);
        self.run(10);
        self.dial(number);
        if self.left_dialling().is_none() {
            self.run_until(500, |b| b.left_dialling().is_some());
        }
        self.left_dialling().expect("call routed")
    }

    /// The frame port 0 last went from `dialling` to another state.
    pub fn left_dialling(&self) -> Option<u64> {
        self.transitions
            .windows(2)
            .rev()
            .find(|w| w[0].1 == "dialling")
            .map(|w| w[1].0)
    }
}

/// Power of `samples` at `hz` (Goertzel), normalised so a full-scale sine is ~1.
pub fn tone_power(samples: &[i16], hz: f32) -> f32 {
    let w = std::f32::consts::TAU * hz / 8000.0;
    let coeff = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f32, 0.0f32);
    for &x in samples {
        let s0 = f32::from(x) / 32768.0 + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    let n = samples.len().max(1) as f32;
    (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (n * n / 4.0)
}

/// Level of `samples`, dBm0.
pub fn level(samples: &[i16]) -> f32 {
    dsp::level::rms_dbm0(samples)
}

/// Progress-tone events `dsp::progress` finds in `samples`.
pub fn progress_events(
    plan: dsp::tone::Plan,
    samples: &[i16],
) -> Vec<dsp::progress::ProgressEvent> {
    let mut detector = dsp::progress::Detector::new(plan);
    let mut out = Vec::new();
    for frame in samples.chunks(FRAME_SAMPLES) {
        detector.process(frame);
        while let Some(e) = detector.poll_event() {
            out.push(e);
        }
    }
    out
}

/// DTMF digits `dsp::dtmf::Detector` finds in `samples`, with the frame (from the
/// start of `samples`) each began on.
pub fn dtmf_digits(samples: &[i16]) -> Vec<(u64, char)> {
    let mut detector = dsp::dtmf::Detector::new(dsp::dtmf::DetectorConfig::default());
    let mut out = Vec::new();
    for (i, frame) in samples.chunks(FRAME_SAMPLES).enumerate() {
        detector.process(frame);
        while let Some(e) = detector.poll_event() {
            if let dsp::dtmf::DtmfEvent::Start { digit, .. } = e {
                out.push((i as u64, digit.as_char()));
            }
        }
    }
    out
}

/// Frames of `samples` that carry signal (above −45 dBm0), one bool per frame.
pub fn activity(samples: &[i16]) -> Vec<bool> {
    samples
        .chunks(FRAME_SAMPLES)
        .map(|f| level(f) > -45.0)
        .collect()
}
