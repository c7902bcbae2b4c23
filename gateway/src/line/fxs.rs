//! FXS port signalling: the gateway feeding and ringing a telephone.
//!
//! ```text
//!           ring_test()                      phone off hook
//!   Idle ──────────────▶ RingTest ─────────────────────────▶ OffHook
//!  (StartRinging)          │ (StopRinging, "answered after N ms")  │
//!    ▲   ▲                 │ ring_test elapsed                     │
//!    │   └─────────────────┘ (StopRinging, "no answer")            │
//!    │                                                             │
//!    └──────────────────────── phone on hook ◀─────────────────────┘
//!   Idle ── phone off hook (outside a test) ──▶ OffHook
//! ```
//!
//! Only the console's ring test exists so far: a phone lifted outside it gets
//! no dial tone and its digits are not collected (FXS calls are not handled
//! yet). The test's deadline is data in the state, checked on every 20 ms
//! frame like [`super::FxoPort`]'s. The driver trips the ring itself when the
//! phone is lifted (`drivers::slic::FxsSignalling`); `StopRinging` is still
//! sent so a card that does not stays quiet.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use drivers::{Frame, LineCommand, LineEvent};

use super::port_test::RingTestResult;

/// FXS timings.
#[derive(Debug, Clone, Copy)]
pub struct FxsTimings {
    /// Stop the ring test unanswered after this long.
    pub ring_test: Duration,
}

impl Default for FxsTimings {
    fn default() -> Self {
        FxsTimings {
            ring_test: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum State {
    /// Phone on hook, nothing applied.
    Idle,
    /// Ringing the phone for the console's test.
    RingTest { started: Instant, deadline: Instant },
    /// The phone is off hook.
    OffHook,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::RingTest { .. } => "ringing",
            State::OffHook => "off hook",
        }
    }
}

/// Faults in using the port.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FxsError {
    /// The port is ringing already, or the phone is off hook.
    #[error("port is {0}, not idle")]
    Busy(&'static str),
}

/// One FXS port's signalling.
#[derive(Debug)]
pub struct FxsPort {
    state: State,
    timings: FxsTimings,
    commands: VecDeque<LineCommand>,
    result: Option<RingTestResult>,
}

impl FxsPort {
    /// An idle port, phone on hook.
    pub fn new(timings: FxsTimings) -> Self {
        FxsPort {
            state: State::Idle,
            timings,
            commands: VecDeque::with_capacity(2),
            result: None,
        }
    }

    /// The state's name, for the console and the API.
    pub fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// True when the phone is on hook and nothing rings it.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// Ring the phone until it is lifted or [`FxsTimings::ring_test`] passes;
    /// returns that bound. The result comes from [`FxsPort::poll_test_result`].
    pub fn start_ring_test(&mut self, now: Instant) -> Result<Duration, FxsError> {
        if !self.is_idle() {
            return Err(FxsError::Busy(self.state.name()));
        }
        self.commands.push_back(LineCommand::StartRinging);
        self.state = State::RingTest {
            started: now,
            deadline: now + self.timings.ring_test,
        };
        Ok(self.timings.ring_test)
    }

    /// An electrical event from the driver (hook changes; the rest are FXO's).
    pub fn handle_line_event(&mut self, now: Instant, event: LineEvent) {
        match (self.state, event) {
            (State::RingTest { started, .. }, LineEvent::OffHook) => {
                self.commands.push_back(LineCommand::StopRinging);
                self.result = Some(RingTestResult::Answered {
                    after: now.saturating_duration_since(started),
                });
                self.state = State::OffHook;
            }
            (State::Idle, LineEvent::OffHook) => self.state = State::OffHook,
            (State::OffHook, LineEvent::OnHook) => self.state = State::Idle,
            _ => {}
        }
    }

    /// One frame of line time: the ring test's deadline. Nothing is sent to
    /// the phone yet (`tx` stays as the caller filled it).
    pub fn process_frame(&mut self, now: Instant, _rx: &Frame, _tx: &mut Frame) {
        if let State::RingTest { started, deadline } = self.state {
            if now >= deadline {
                self.commands.push_back(LineCommand::StopRinging);
                self.result = Some(RingTestResult::NoAnswer {
                    waited: now.saturating_duration_since(started),
                });
                self.state = State::Idle;
            }
        }
    }

    /// The next command for the driver.
    pub fn poll_command(&mut self) -> Option<LineCommand> {
        self.commands.pop_front()
    }

    /// The ring test's result, once.
    pub fn poll_test_result(&mut self) -> Option<RingTestResult> {
        self.result.take()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Duration = Duration::from_millis(20);

    fn commands(port: &mut FxsPort) -> Vec<LineCommand> {
        std::iter::from_fn(|| port.poll_command()).collect()
    }

    #[test]
    fn a_lifted_phone_cannot_be_rung_and_a_ringing_one_not_twice() {
        let t0 = Instant::now();
        let mut port = FxsPort::new(FxsTimings::default());
        port.handle_line_event(t0, LineEvent::OffHook);
        assert_eq!(port.start_ring_test(t0), Err(FxsError::Busy("off hook")));
        port.handle_line_event(t0, LineEvent::OnHook);
        assert_eq!(port.start_ring_test(t0), Ok(Duration::from_secs(30)));
        assert_eq!(port.start_ring_test(t0), Err(FxsError::Busy("ringing")));
        assert_eq!(commands(&mut port), [LineCommand::StartRinging]);
    }

    #[test]
    fn the_deadline_is_checked_on_frames() {
        let t0 = Instant::now();
        let mut port = FxsPort::new(FxsTimings {
            ring_test: Duration::from_millis(100),
        });
        port.start_ring_test(t0).unwrap();
        let (rx, mut tx) = ([0i16; 160], [0i16; 160]);
        let mut now = t0;
        while port.state_name() == "ringing" {
            now += FRAME;
            port.process_frame(now, &rx, &mut tx);
        }
        assert_eq!(now - t0, Duration::from_millis(100));
        assert_eq!(
            port.poll_test_result(),
            Some(RingTestResult::NoAnswer {
                waited: Duration::from_millis(100)
            })
        );
        assert_eq!(port.poll_test_result(), None, "reported once");
        assert_eq!(
            commands(&mut port),
            [LineCommand::StartRinging, LineCommand::StopRinging]
        );
        assert!(port.is_idle());
    }
}
