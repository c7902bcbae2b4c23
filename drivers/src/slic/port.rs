//! [`GpioSignalling`]: the I/O shell of a port's GPIO signalling. Reads the input
//! lines, feeds the sans-IO state machine with the caller's `now`, and drives the
//! relay line when the machine wants it changed. Works over any
//! `board::gpio::{InputLine, OutputLine}`: `CdevInput`/`CdevOutput` on a box,
//! `ScriptedInput`/`SimulatedOutput` in tests.

use std::fmt;
use std::time::Instant;

use board::gpio::{CdevInput, CdevOutput, GpioError, InputLine, OutputLine};

use super::config::{FxoGpioConfig, FxsGpioConfig, GpioLineConfig, GpioSignallingConfig};
use super::fxo::{FxoInputs, FxoSignalling};
use super::fxs::FxsSignalling;
use super::NotApplicable;
use crate::line::{LineCommand, LineError, LineEvent, PortKind};

/// A boxed input line, as the shell holds it.
pub type Input = Box<dyn InputLine + Send>;
/// A boxed output line, as the shell holds it.
pub type Output = Box<dyn OutputLine + Send>;

enum Machine {
    Fxo {
        core: FxoSignalling,
        ring: Input,
        polarity: Option<Input>,
        loop_current: Option<Input>,
        hook_relay: Output,
    },
    Fxs {
        core: FxsSignalling,
        hook: Input,
        ring_relay: Output,
    },
}

/// One port's GPIO signalling: state machine plus lines.
pub struct GpioSignalling {
    machine: Machine,
    /// The relay level last driven, `None` before the first drive.
    relay: Option<bool>,
}

impl fmt::Debug for GpioSignalling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("GpioSignalling");
        match &self.machine {
            Machine::Fxo { core, .. } => d.field("fxo", core),
            Machine::Fxs { core, .. } => d.field("fxs", core),
        };
        d.field("relay", &self.relay).finish()
    }
}

fn gpio_fault(e: GpioError) -> LineError {
    let device = match &e {
        GpioError::Request { line, .. } | GpioError::Access { line, .. } => line.to_string(),
        _ => "gpio".to_owned(),
    };
    LineError::Device {
        device,
        message: e.to_string(),
    }
}

impl GpioSignalling {
    /// Request the configured lines from the GPIO character device.
    pub fn open(config: &GpioSignallingConfig) -> Result<GpioSignalling, LineError> {
        let input = |c: &GpioLineConfig| -> Result<Input, LineError> {
            Ok(Box::new(CdevInput::open(&c.into()).map_err(gpio_fault)?))
        };
        let output = |c: &GpioLineConfig| -> Result<Output, LineError> {
            Ok(Box::new(CdevOutput::open(&c.into()).map_err(gpio_fault)?))
        };
        match config {
            GpioSignallingConfig::Fxo(c) => GpioSignalling::fxo(
                c,
                input(&c.ring_detect)?,
                c.polarity.as_ref().map(input).transpose()?,
                c.loop_current.as_ref().map(input).transpose()?,
                output(&c.hook_relay)?,
            ),
            GpioSignallingConfig::Fxs(c) => {
                GpioSignalling::fxs(c, input(&c.hook_detect)?, output(&c.ring_relay)?)
            }
        }
    }

    /// An FXO port over the given lines (`polarity` / `loop_current` only if the
    /// card has them).
    pub fn fxo(
        config: &FxoGpioConfig,
        ring: Input,
        polarity: Option<Input>,
        loop_current: Option<Input>,
        hook_relay: Output,
    ) -> Result<GpioSignalling, LineError> {
        let core = FxoSignalling::new(config).map_err(|e| LineError::Device {
            device: "fxo signalling".into(),
            message: e.to_string(),
        })?;
        Ok(GpioSignalling {
            machine: Machine::Fxo {
                core,
                ring,
                polarity,
                loop_current,
                hook_relay,
            },
            relay: None,
        })
    }

    /// An FXS port over the given lines.
    pub fn fxs(
        config: &FxsGpioConfig,
        hook: Input,
        ring_relay: Output,
    ) -> Result<GpioSignalling, LineError> {
        let core = FxsSignalling::new(config).map_err(|e| LineError::Device {
            device: "fxs signalling".into(),
            message: e.to_string(),
        })?;
        Ok(GpioSignalling {
            machine: Machine::Fxs {
                core,
                hook,
                ring_relay,
            },
            relay: None,
        })
    }

    /// FXO or FXS.
    pub fn kind(&self) -> PortKind {
        match self.machine {
            Machine::Fxo { .. } => PortKind::Fxo,
            Machine::Fxs { .. } => PortKind::Fxs,
        }
    }

    /// Apply a gateway command at `now` and drive the relay accordingly.
    pub fn command(&mut self, now: Instant, command: LineCommand) -> Result<(), NotApplicable> {
        match &mut self.machine {
            Machine::Fxo { core, .. } => core.command(command)?,
            Machine::Fxs { core, .. } => core.command(now, command)?,
        }
        // A relay that cannot be driven now is retried on the next poll.
        let _ = self.drive(now);
        Ok(())
    }

    /// Read the inputs at `now`, run the state machine, drive the relay.
    pub fn poll(&mut self, now: Instant) -> Result<(), LineError> {
        match &mut self.machine {
            Machine::Fxo {
                core,
                ring,
                polarity,
                loop_current,
                ..
            } => {
                let inputs = FxoInputs {
                    ring: ring.read().map_err(gpio_fault)?,
                    polarity: polarity
                        .as_mut()
                        .map(|l| l.read())
                        .transpose()
                        .map_err(gpio_fault)?,
                    loop_current: loop_current
                        .as_mut()
                        .map(|l| l.read())
                        .transpose()
                        .map_err(gpio_fault)?,
                };
                core.handle_inputs(now, inputs);
            }
            Machine::Fxs { core, hook, .. } => {
                let level = hook.read().map_err(gpio_fault)?;
                core.handle_hook(now, level);
            }
        }
        self.drive(now)
    }

    /// When the state machine next needs [`GpioSignalling::poll`] without an input
    /// change (a debounce ending, a cadence edge). Pulse ring detectors also need
    /// polling every few ms regardless.
    pub fn poll_timeout(&self, now: Instant) -> Option<Instant> {
        match &self.machine {
            Machine::Fxo { core, .. } => core.poll_timeout(),
            Machine::Fxs { core, .. } => core.poll_timeout(now),
        }
    }

    /// The next event seen.
    pub fn poll_event(&mut self) -> Option<LineEvent> {
        match &mut self.machine {
            Machine::Fxo { core, .. } => core.poll_event(),
            Machine::Fxs { core, .. } => core.poll_event(),
        }
    }

    fn drive(&mut self, now: Instant) -> Result<(), LineError> {
        let (want, line) = match &mut self.machine {
            Machine::Fxo {
                core, hook_relay, ..
            } => (core.hook_relay(), hook_relay),
            Machine::Fxs {
                core, ring_relay, ..
            } => (core.ring_relay(now), ring_relay),
        };
        if self.relay != Some(want) {
            line.set(want).map_err(gpio_fault)?;
            self.relay = Some(want);
        }
        Ok(())
    }
}
