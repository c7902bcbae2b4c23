//! The console's port tests on the core: `test line` on an idle FXO port and
//! `ring` on an idle FXS port.
//!
//! Each test is a state of its port's machine with the deadline as data
//! (`FxoPort`'s `LineTest`, `FxsPort`'s `RingTest`), driven by line events and
//! frames like a call. A port under test is not idle, so no outbound call picks
//! it. Results are collected with the ports' other outputs (`drain_ports`),
//! logged, kept for `show ports`, and handed out by
//! [`Switchboard::poll_test_report`].

use std::time::{Duration, Instant};

use drivers::PortId;
use tracing::info;

use super::Switchboard;
use crate::line::{PortTestError, TestReport};

impl Switchboard {
    /// Start `test line` on FXO port `port` at `now`: off hook, dial tone
    /// awaited up to `[line] dial_tone_wait_ms` (returned), then on hook.
    pub fn test_line(&mut self, now: Instant, port: PortId) -> Result<Duration, PortTestError> {
        let p = self
            .legs
            .tech
            .lines
            .get_mut(port.index())
            .ok_or(PortTestError::NoSuchPort(port))?;
        let in_call = p.leg.is_some();
        let fxo = p.port.fxo_mut().ok_or(PortTestError::NotFxo(port))?;
        if in_call {
            return Err(PortTestError::Busy {
                port,
                state: fxo.state_name(),
            });
        }
        let wait = match fxo.start_line_test(now) {
            Ok(wait) => wait,
            Err(_) => {
                return Err(PortTestError::Busy {
                    port,
                    state: fxo.state_name(),
                })
            }
        };
        info!(%port, wait_ms = wait.as_millis() as u64, "line test: off hook, listening for dial tone");
        self.drain_ports(now);
        Ok(wait)
    }

    /// Start `ring` on FXS port `port` at `now`: ring the phone until it is
    /// lifted or the ring test's bound (returned) passes.
    pub fn ring(&mut self, now: Instant, port: PortId) -> Result<Duration, PortTestError> {
        let p = self
            .legs
            .tech
            .lines
            .get_mut(port.index())
            .ok_or(PortTestError::NoSuchPort(port))?;
        let fxs = p.port.fxs_mut().ok_or(PortTestError::NotFxs(port))?;
        let bound = match fxs.start_ring_test(now) {
            Ok(bound) => bound,
            Err(_) => {
                return Err(PortTestError::Busy {
                    port,
                    state: fxs.state_name(),
                })
            }
        };
        info!(%port, bound_ms = bound.as_millis() as u64, "ring test: ringing the phone");
        self.drain_ports(now);
        Ok(bound)
    }

    /// A port test that finished (for the console).
    pub fn poll_test_report(&mut self) -> Option<TestReport> {
        self.test_reports.pop_front()
    }
}
