//! [`SimExchange`]: the virtual exchange as a [`LineCard`] of FXO ports.

use std::fmt;
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use super::config::SimConfig;
use super::control::{LineStatus, Request, SimControl, StatusBoard};
use super::directory::Directory;
use super::error::SimConfigError;
use super::events::EventQueue;
use super::port::{FrameContext, Port};
use crate::line::{Frame, LineCard, LineCommand, LineError, LineEvent, PortId, PortKind};

/// A virtual telephone exchange whose lines end on the card's FXO ports.
///
/// Frame-clocked like hardware: every [`LineCard::exchange_frames`] call is 20 ms
/// of line time; nothing reads a clock. Build it with [`SimExchange::new`], which
/// also returns the [`SimControl`] handle for the console.
pub struct SimExchange {
    dir: Arc<Directory>,
    ports: Vec<Port>,
    now: u64,
    calls: u64,
    events: EventQueue,
    requests: Receiver<Request>,
    status: StatusBoard,
}

impl fmt::Debug for SimExchange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimExchange")
            .field("ports", &self.ports.len())
            .field("frame", &self.now)
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}

impl SimConfig {
    /// Check the configuration for a card of `port_count` ports, without creating
    /// anything (`record_dir` is created by [`SimExchange::new`]).
    pub fn validate(&self, port_count: usize) -> Result<(), SimConfigError> {
        let mut dry = self.clone();
        dry.record_dir = None;
        Directory::compile(&dry, port_count).map(drop)
    }
}

impl SimExchange {
    /// An exchange wired to a card of `port_count` FXO ports, and its control
    /// handle. Reads `wav:` sources and creates `record_dir` now, so every fault
    /// surfaces here as a [`SimConfigError`].
    pub fn new(
        config: &SimConfig,
        port_count: usize,
    ) -> Result<(SimExchange, SimControl), SimConfigError> {
        let dir = Arc::new(Directory::compile(config, port_count)?);
        let ports: Vec<Port> = (0..port_count)
            .map(|i| Port::new(PortId(u8::try_from(i).unwrap_or(u8::MAX))))
            .collect();
        let status: StatusBoard = Arc::new(Mutex::new(
            ports
                .iter()
                .enumerate()
                .map(|(i, _)| {
                    LineStatus::idle(
                        PortId(u8::try_from(i).unwrap_or(u8::MAX)),
                        dir.line_numbers.get(i).cloned().flatten(),
                    )
                })
                .collect(),
        ));
        let (tx, rx) = mpsc::channel();
        let control = SimControl::new(tx, Arc::clone(&status), Arc::clone(&dir));
        let exchange = SimExchange {
            dir,
            events: EventQueue::new(port_count),
            ports,
            now: 0,
            calls: 0,
            requests: rx,
            status,
        };
        Ok((exchange, control))
    }

    /// Frames exchanged so far (line time is this × 20 ms).
    pub fn frames_elapsed(&self) -> u64 {
        self.now
    }

    fn apply_requests(&mut self) {
        while let Ok(request) = self.requests.try_recv() {
            let mut ctx = FrameContext {
                now: self.now,
                dir: &self.dir,
                events: &mut self.events,
                calls: &mut self.calls,
            };
            match request {
                Request::PlaceCall { phone, port } => {
                    let phone_busy = self.ports.iter().any(|p| p.phone() == Some(phone));
                    if let Some(p) = self.ports.get_mut(port) {
                        p.ring(&mut ctx, phone, phone_busy);
                    }
                }
                Request::HangUp { phone } => {
                    for p in &mut self.ports {
                        p.phone_hangs_up(&mut ctx, phone);
                    }
                }
            }
        }
    }

    fn publish_status(&self) {
        // A reader holding the lock costs it one frame's update, never a wait here.
        let Ok(mut board) = self.status.try_lock() else {
            return;
        };
        for (port, status) in self.ports.iter().zip(board.iter_mut()) {
            port.write_status(&self.dir, self.now, status);
        }
    }
}

impl LineCard for SimExchange {
    fn port_count(&self) -> usize {
        self.ports.len()
    }

    fn port_kind(&self, port: PortId) -> Option<PortKind> {
        (port.index() < self.ports.len()).then_some(PortKind::Fxo)
    }

    fn command(&mut self, port: PortId, command: LineCommand) -> Result<(), LineError> {
        let line = self
            .ports
            .get_mut(port.index())
            .ok_or(LineError::NoSuchPort(port))?;
        tracing::debug!(frame = self.now, %port, ?command, "sim command");
        match command {
            // A real line does not refuse a hook change, whatever state it is in.
            LineCommand::OffHook => line.set_hook(true),
            LineCommand::OnHook => line.set_hook(false),
            LineCommand::StartRinging | LineCommand::StopRinging => {
                return Err(LineError::WrongKind {
                    port,
                    kind: PortKind::Fxo,
                    command,
                })
            }
        }
        Ok(())
    }

    fn exchange_frames(&mut self, tx: &[Frame], rx: &mut [Frame]) -> Result<(), LineError> {
        let expected = self.ports.len();
        for got in [tx.len(), rx.len()] {
            if got != expected {
                return Err(LineError::FrameCount { expected, got });
            }
        }
        self.apply_requests();
        let mut ctx = FrameContext {
            now: self.now,
            dir: &self.dir,
            events: &mut self.events,
            calls: &mut self.calls,
        };
        for ((port, tx), rx) in self.ports.iter_mut().zip(tx).zip(rx.iter_mut()) {
            port.step(&mut ctx, tx, rx);
        }
        self.publish_status();
        self.now += 1;
        Ok(())
    }

    fn poll_event(&mut self) -> Option<(PortId, LineEvent)> {
        self.events.pop()
    }
}
