//! FXO port signalling: the gateway acting as a telephone toward an exchange.
//!
//! Outbound (IP client calls a PSTN number):
//!
//! ```text
//!  Idle ──dial()──▶ AwaitDialTone ──dial tone or wait elapsed──▶ Dialling
//!    (OffHook)          │                                          │ digits sent
//!                       ▼                                          ▼
//!                   (hang_up)                                  AwaitAnswer ──ringback──▶ event Ringback
//!                                                              │  │  │
//!                       polarity reversal ◀────────────────────┘  │  └─ busy/reorder tone, no answer: failed
//!                              ▼                                  │
//!                          Connected ──loop-current drop, busy/reorder tone──▶ Disconnected
//! ```
//!
//! Inbound (the exchange rings the port): the port listens for caller ID (Bell 202
//! or V.23 FSK, or DTMF CLIP) while idle and ringing. [`FxoEvent::IncomingRing`]
//! is raised at the first ring burst when caller ID came just before it (ETSI
//! lines, or a modem that reports it before or with RING), else once caller ID
//! has been decoded after the first burst, or at the second burst if none came
//! (as analog adapters do, so the call can carry the caller's number);
//! [`FxoPort::caller_id`] then holds what was decoded.
//! [`FxoPort::answer`] goes off hook; a ringing episode with no ring burst for
//! [`FxoTimings::ring_gone`] ends with [`FxoEvent::RingingStopped`].
//!
//! Line test (console `test line`): [`FxoPort::start_line_test`] goes off hook
//! and listens for dial tone up to [`FxoTimings::dial_tone_wait`] (state
//! `LineTest`, deadline as data); dial tone, busy/reorder tone, a loop-current
//! drop or the wait running out ends it on hook with a [`LineTestResult`]; so does
//! [`FxoPort::hang_up`] ([`LineTestResult::Aborted`]), so a started test always
//! reports. Ringing that arrives meanwhile (glare: the exchange rang as we
//! seized) stops the test ([`LineTestResult::Interrupted`]), back on hook, and
//! the port takes it as an inbound call, announced like any other (at the next
//! burst, or earlier with caller ID sent after this one; caller ID sent while
//! the port was off hook is lost) and answered when the IP client accepts it.
//! The port is not idle while under test, so call control does not dial out on
//! it: an INVITE whose route has no other idle port is refused with 503.
//!
//! Answer supervision is by polarity reversal; disconnect supervision by loop-current
//! drop and by busy/reorder tone (for exchanges that give neither).
//! Timers are deadlines held in the state and checked on every 20 ms frame: the
//! line is frame-clocked, so no other wake-up is needed.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use drivers::{Frame, LineCommand, LineEvent};
use dsp::callerid::{CallerIdMessage, Receiver as CallerIdReceiver, ReceiverConfig};
use dsp::dtmf::{Generator, GeneratorConfig};
use dsp::progress::{Detector as ProgressDetector, ProgressEvent};
use dsp::tone::Plan;

use super::port_test::LineTestResult;

/// Supervision timings.
#[derive(Debug, Clone, Copy)]
pub struct FxoTimings {
    /// Wait this long for dial tone before dialling anyway.
    pub dial_tone_wait: Duration,
    /// Give up a call that is not answered within this time after dialling.
    pub no_answer: Duration,
    /// DTMF tone and pause length when dialling.
    pub digit: Duration,
    /// A ringing episode is over when no ring burst came for this long.
    pub ring_gone: Duration,
}

impl Default for FxoTimings {
    fn default() -> Self {
        FxoTimings {
            dial_tone_wait: Duration::from_secs(3),
            no_answer: Duration::from_secs(60),
            digit: Duration::from_millis(80),
            ring_gone: Duration::from_secs(7),
        }
    }
}

/// Caller ID decoded at most this long before the first ring burst belongs to
/// that call (ETSI sends it before ringing); anything older is stale.
const PRE_RING_CALLER_ID: Duration = Duration::from_secs(5);

/// What the port reports to call control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FxoEvent {
    /// Inbound: the line started ringing.
    IncomingRing,
    /// Inbound: the caller gave up before the port answered.
    RingingStopped,
    /// Outbound: ringback heard; the far end is being alerted.
    Ringback,
    /// Outbound: the far end answered.
    Answered,
    /// Outbound: busy tone.
    Busy,
    /// Outbound: reorder (number unobtainable or congestion).
    Reorder,
    /// Outbound: no answer within the configured time.
    NoAnswer,
    /// The far end hung up during a call.
    Disconnected,
}

/// The port's state.
#[derive(Debug)]
enum State {
    Idle,
    /// Ringing; `announced` once call control was told (caller ID or 2nd burst).
    Ringing {
        last_ring: Instant,
        announced: bool,
    },
    /// Rejected or unanswerable inbound ringing: ignore it until it stops.
    IgnoringRing {
        last_ring: Instant,
    },
    AwaitDialTone {
        deadline: Instant,
        number: String,
    },
    Dialling,
    AwaitAnswer {
        deadline: Instant,
        ringback_seen: bool,
    },
    Connected,
    /// The console's line test: off hook, listening for dial tone.
    LineTest {
        started: Instant,
        deadline: Instant,
    },
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Idle => "idle",
            State::Ringing { .. } => "ringing",
            State::IgnoringRing { .. } => "ringing (ignored)",
            State::AwaitDialTone { .. } => "seized",
            State::Dialling => "dialling",
            State::AwaitAnswer { .. } => "alerting",
            State::Connected => "connected",
            State::LineTest { .. } => "testing",
        }
    }
}

/// Faults in using the port.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FxoError {
    /// The port is not idle.
    #[error("port is {0}, not idle")]
    Busy(&'static str),
    /// The port is not ringing.
    #[error("port is {0}, not ringing")]
    NotRinging(&'static str),
    /// The number has characters that cannot be dialled.
    #[error("cannot dial {0:?}")]
    BadNumber(String),
}

/// One FXO port's signalling.
#[derive(Debug)]
pub struct FxoPort {
    state: State,
    timings: FxoTimings,
    plan: Plan,
    dialer: Generator,
    progress: ProgressDetector,
    caller_id_rx: CallerIdReceiver,
    caller_id: Option<CallerIdMessage>,
    /// When `caller_id` was decoded: only a message from this ringing episode
    /// (or just before its first burst, as ETSI sends it) belongs to the call.
    caller_id_at: Option<Instant>,
    events: VecDeque<FxoEvent>,
    commands: VecDeque<LineCommand>,
    /// The last line test's result, until polled.
    test_result: Option<LineTestResult>,
}

impl FxoPort {
    /// A port facing an exchange with tone plan `plan`.
    pub fn new(plan: Plan, timings: FxoTimings) -> Self {
        let ms = u32::try_from(timings.digit.as_millis()).unwrap_or(80);
        FxoPort {
            state: State::Idle,
            timings,
            plan,
            dialer: Generator::new(GeneratorConfig {
                on_ms: ms,
                off_ms: ms,
                ..GeneratorConfig::default()
            }),
            progress: ProgressDetector::new(plan),
            caller_id_rx: CallerIdReceiver::new(ReceiverConfig::default()),
            caller_id: None,
            caller_id_at: None,
            events: VecDeque::with_capacity(4),
            commands: VecDeque::with_capacity(4),
            test_result: None,
        }
    }

    /// The state's name, for the console and the API.
    pub fn state_name(&self) -> &'static str {
        self.state.name()
    }

    /// The caller ID decoded for the current (or last) ringing episode.
    pub fn caller_id(&self) -> Option<&CallerIdMessage> {
        self.caller_id.as_ref()
    }

    /// Caller ID decoded outside the line's audio (a voice modem's own report,
    /// `drivers::modem`), or by the port's receiver: it belongs to the ringing
    /// episode under way, or to the next one if it comes just before its first
    /// burst, and announces the call if that was waiting for it. Ignored (`false`)
    /// while the port is busy with anything else.
    pub fn set_caller_id(&mut self, now: Instant, message: CallerIdMessage) -> bool {
        if !matches!(self.state, State::Idle | State::Ringing { .. }) {
            return false;
        }
        self.caller_id = Some(message);
        self.caller_id_at = Some(now);
        if let State::Ringing { announced, .. } = &mut self.state {
            if !*announced {
                *announced = true;
                self.events.push_back(FxoEvent::IncomingRing);
            }
        }
        true
    }

    /// True when no call uses the port.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Idle)
    }

    /// True once the port carries a call's audio both ways.
    pub fn is_connected(&self) -> bool {
        matches!(self.state, State::Connected)
    }

    /// Seize the line and dial `number`.
    pub fn dial(&mut self, now: Instant, number: &str) -> Result<(), FxoError> {
        if !self.is_idle() {
            return Err(FxoError::Busy(self.state.name()));
        }
        if number.is_empty()
            || number
                .chars()
                .any(|c| dsp::dtmf::Digit::from_char(c).is_none())
        {
            return Err(FxoError::BadNumber(number.to_string()));
        }
        self.commands.push_back(LineCommand::OffHook);
        self.progress = ProgressDetector::new(self.plan);
        self.state = State::AwaitDialTone {
            deadline: now + self.timings.dial_tone_wait,
            number: number.to_string(),
        };
        Ok(())
    }

    /// Start the line test: off hook, listen for dial tone up to
    /// [`FxoTimings::dial_tone_wait`] (returned); the result comes from
    /// [`FxoPort::poll_test_result`]. Only an idle port can be tested.
    pub fn start_line_test(&mut self, now: Instant) -> Result<Duration, FxoError> {
        if !self.is_idle() {
            return Err(FxoError::Busy(self.state.name()));
        }
        self.commands.push_back(LineCommand::OffHook);
        self.progress = ProgressDetector::new(self.plan);
        self.state = State::LineTest {
            started: now,
            deadline: now + self.timings.dial_tone_wait,
        };
        Ok(self.timings.dial_tone_wait)
    }

    /// The line test's result, once.
    pub fn poll_test_result(&mut self) -> Option<LineTestResult> {
        self.test_result.take()
    }

    /// Answer the ringing line.
    pub fn answer(&mut self) -> Result<(), FxoError> {
        if !matches!(self.state, State::Ringing { .. }) {
            return Err(FxoError::NotRinging(self.state.name()));
        }
        self.caller_id_rx.reset();
        self.commands.push_back(LineCommand::OffHook);
        self.enter_connected();
        Ok(())
    }

    /// End whatever the port is doing. A ringing line that is not answered is
    /// ignored until its ringing stops; a line test ends on hook with
    /// [`LineTestResult::Aborted`].
    pub fn hang_up(&mut self) {
        if !matches!(
            self.state,
            State::Ringing { .. } | State::IgnoringRing { .. }
        ) {
            self.forget_caller_id();
        }
        match self.state {
            State::Idle | State::IgnoringRing { .. } => {}
            State::Ringing { last_ring, .. } => self.state = State::IgnoringRing { last_ring },
            State::LineTest { .. } => self.end_line_test(LineTestResult::Aborted),
            _ => {
                self.commands.push_back(LineCommand::OnHook);
                self.dialer.release();
                self.state = State::Idle;
            }
        }
    }

    /// An electrical event from the driver.
    pub fn handle_line_event(&mut self, now: Instant, event: LineEvent) {
        match (&mut self.state, event) {
            (State::Idle, LineEvent::RingOn) => {
                let fresh = self
                    .caller_id_at
                    .is_some_and(|at| now.saturating_duration_since(at) < PRE_RING_CALLER_ID);
                if fresh {
                    // It came before this burst (ETSI, or a modem reporting it
                    // before or with RING): nothing more to wait for.
                    self.events.push_back(FxoEvent::IncomingRing);
                } else {
                    self.forget_caller_id();
                }
                self.state = State::Ringing {
                    last_ring: now,
                    announced: fresh,
                };
            }
            (
                State::Ringing {
                    last_ring,
                    announced,
                },
                LineEvent::RingOn,
            ) => {
                *last_ring = now;
                if !*announced {
                    *announced = true;
                    self.events.push_back(FxoEvent::IncomingRing);
                }
            }
            (
                State::Ringing { last_ring, .. } | State::IgnoringRing { last_ring },
                LineEvent::RingOn | LineEvent::RingOff,
            ) => *last_ring = now,
            (State::LineTest { started, .. }, LineEvent::LoopCurrentDrop) => {
                let after = now.saturating_duration_since(*started);
                self.end_line_test(LineTestResult::NoLine { after });
            }
            (State::LineTest { started, .. }, LineEvent::RingOn) => {
                let after = now.saturating_duration_since(*started);
                self.end_line_test(LineTestResult::Interrupted { after });
                // Caller ID cannot have come while off hook: this call has none
                // unless it arrives before the next burst.
                self.forget_caller_id();
                self.state = State::Ringing {
                    last_ring: now,
                    announced: false,
                };
            }
            (State::AwaitAnswer { .. }, LineEvent::PolarityReversal) => {
                self.enter_connected();
                self.events.push_back(FxoEvent::Answered);
            }
            (
                State::AwaitDialTone { .. }
                | State::Dialling
                | State::AwaitAnswer { .. }
                | State::Connected,
                LineEvent::LoopCurrentDrop,
            ) => {
                let event = if self.is_connected() {
                    FxoEvent::Disconnected
                } else {
                    FxoEvent::Reorder
                };
                self.fail(event);
            }
            _ => {}
        }
    }

    /// One frame of line time: `rx` is what the line sent, `tx` holds the audio
    /// meant for the line and is overwritten while the port dials.
    pub fn process_frame(&mut self, now: Instant, rx: &Frame, tx: &mut Frame) {
        // Caller ID arrives while idle (before the first ring, ETSI) or between
        // the first two bursts (Bell 202).
        if matches!(self.state, State::Idle | State::Ringing { .. }) {
            self.caller_id_rx.process(rx);
            while let Some(result) = self.caller_id_rx.poll_message() {
                if let Ok(message) = result {
                    self.set_caller_id(now, message);
                }
            }
        }
        // Ring timeouts.
        if let State::Ringing { last_ring, .. } | State::IgnoringRing { last_ring } = self.state {
            if now.duration_since(last_ring) >= self.timings.ring_gone {
                if matches!(
                    self.state,
                    State::Ringing {
                        announced: true,
                        ..
                    }
                ) {
                    self.events.push_back(FxoEvent::RingingStopped);
                }
                self.state = State::Idle;
                self.forget_caller_id();
            }
            return;
        }
        if matches!(self.state, State::Idle) {
            return;
        }
        self.progress.process(rx);
        let mut heard = None;
        while let Some(e) = self.progress.poll_event() {
            heard = Some(e);
        }
        match &mut self.state {
            State::AwaitDialTone { deadline, number } => {
                if heard == Some(ProgressEvent::DialTone) || now >= *deadline {
                    // The number was checked in `dial`.
                    let _ = self.dialer.queue_str(number);
                    self.state = State::Dialling;
                }
                tx.fill(0);
            }
            State::Dialling => {
                self.dialer.fill(tx);
                if self.dialer.is_idle() {
                    self.progress = ProgressDetector::new(self.plan);
                    self.state = State::AwaitAnswer {
                        deadline: now + self.timings.no_answer,
                        ringback_seen: false,
                    };
                }
            }
            State::AwaitAnswer {
                deadline,
                ringback_seen,
            } => {
                tx.fill(0);
                match heard {
                    Some(ProgressEvent::Ringback) if !*ringback_seen => {
                        *ringback_seen = true;
                        self.events.push_back(FxoEvent::Ringback);
                    }
                    Some(ProgressEvent::Busy) => self.fail(FxoEvent::Busy),
                    Some(ProgressEvent::Reorder) => self.fail(FxoEvent::Reorder),
                    _ if now >= *deadline => self.fail(FxoEvent::NoAnswer),
                    _ => {}
                }
            }
            State::Connected => {
                if matches!(heard, Some(ProgressEvent::Busy | ProgressEvent::Reorder)) {
                    self.fail(FxoEvent::Disconnected);
                }
            }
            State::LineTest { started, deadline } => {
                tx.fill(0);
                let after = now.saturating_duration_since(*started);
                match heard {
                    Some(ProgressEvent::DialTone) => {
                        self.end_line_test(LineTestResult::DialTone { after });
                    }
                    Some(tone @ (ProgressEvent::Busy | ProgressEvent::Reorder)) => {
                        self.end_line_test(LineTestResult::NoDialTone {
                            waited: after,
                            heard: Some(tone),
                        });
                    }
                    _ if now >= *deadline => {
                        self.end_line_test(LineTestResult::NoDialTone {
                            waited: after,
                            heard: None,
                        });
                    }
                    _ => {}
                }
            }
            State::Idle | State::Ringing { .. } | State::IgnoringRing { .. } => {}
        }
    }

    /// The next event for call control.
    pub fn poll_event(&mut self) -> Option<FxoEvent> {
        self.events.pop_front()
    }

    /// The next command for the driver.
    pub fn poll_command(&mut self) -> Option<LineCommand> {
        self.commands.pop_front()
    }

    fn forget_caller_id(&mut self) {
        self.caller_id = None;
        self.caller_id_at = None;
        self.caller_id_rx.reset();
    }

    fn enter_connected(&mut self) {
        self.progress = ProgressDetector::new(self.plan);
        self.state = State::Connected;
    }

    /// The line test is over: back on hook with its result.
    fn end_line_test(&mut self, result: LineTestResult) {
        self.test_result = Some(result);
        self.commands.push_back(LineCommand::OnHook);
        self.state = State::Idle;
    }

    fn fail(&mut self, event: FxoEvent) {
        self.events.push_back(event);
        self.commands.push_back(LineCommand::OnHook);
        self.dialer.release();
        self.state = State::Idle;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dsp::callerid::{FskConfig, Generator as CallerIdGenerator, Number, Signalling};

    const FRAME: Duration = Duration::from_millis(20);

    /// Ring the port once, send `number` as caller ID after the burst (if any),
    /// and return what the port says when it announces the call.
    fn ring(port: &mut FxoPort, now: &mut Instant, number: Option<&str>) -> Option<String> {
        let silence = [0i16; 160];
        let mut tx = [0i16; 160];
        port.handle_line_event(*now, LineEvent::RingOn);
        *now += Duration::from_secs(2);
        port.handle_line_event(*now, LineEvent::RingOff);
        let mut cid = number.map(|n| {
            let mut g = CallerIdGenerator::new(Signalling::Fsk(FskConfig::bellcore()));
            let msg = CallerIdMessage {
                number: Number::try_from(n).ok(),
                ..CallerIdMessage::default()
            };
            g.send(&msg).unwrap();
            g
        });
        for _ in 0..200 {
            let mut rx = silence;
            if let Some(g) = cid.as_mut() {
                g.fill(&mut rx);
            }
            port.process_frame(*now, &rx, &mut tx);
            *now += FRAME;
        }
        port.handle_line_event(*now, LineEvent::RingOn);
        let mut announced = false;
        while let Some(e) = port.poll_event() {
            announced |= e == FxoEvent::IncomingRing;
        }
        assert!(announced);
        port.caller_id()
            .and_then(|m| m.number.as_deref())
            .map(str::to_string)
    }

    #[test]
    fn caller_id_belongs_to_its_own_call_only() {
        let mut port = FxoPort::new(Plan::NorthAmerica, FxoTimings::default());
        let mut now = Instant::now();
        assert_eq!(
            ring(&mut port, &mut now, Some("2125550199")).as_deref(),
            Some("2125550199")
        );
        port.answer().unwrap();
        port.hang_up();
        now += Duration::from_secs(30);
        assert_eq!(
            ring(&mut port, &mut now, None),
            None,
            "a withheld call shows no number"
        );
    }

    /// Caller ID that comes before the first ring burst (ETSI sends it first; a
    /// modem may report it before or with RING) announces the call at that
    /// first burst, not at the second one ~6 s later.
    #[test]
    fn caller_id_before_the_first_burst_announces_the_call_at_it() {
        let mut port = FxoPort::new(Plan::Cept, FxoTimings::default());
        let t0 = Instant::now();
        let message = CallerIdMessage {
            number: Number::try_from("0301234567").ok(),
            ..CallerIdMessage::default()
        };
        assert!(port.set_caller_id(t0, message));
        assert_eq!(port.poll_event(), None, "idle: nothing to announce yet");
        port.handle_line_event(t0 + Duration::from_millis(800), LineEvent::RingOn);
        assert_eq!(port.poll_event(), Some(FxoEvent::IncomingRing));
        assert_eq!(
            port.caller_id().and_then(|m| m.number.as_deref()),
            Some("0301234567")
        );
        // The next bursts do not announce it again.
        port.handle_line_event(t0 + Duration::from_secs(2), LineEvent::RingOff);
        port.handle_line_event(t0 + Duration::from_secs(6), LineEvent::RingOn);
        assert_eq!(port.poll_event(), None);
    }

    /// Hanging up a port under test ends the test with a result, on hook.
    #[test]
    fn hang_up_during_a_line_test_still_reports() {
        let mut port = FxoPort::new(Plan::NorthAmerica, FxoTimings::default());
        let t0 = Instant::now();
        port.start_line_test(t0).unwrap();
        assert_eq!(port.poll_command(), Some(LineCommand::OffHook));
        assert_eq!(port.state_name(), "testing");
        port.hang_up();
        assert_eq!(port.poll_test_result(), Some(LineTestResult::Aborted));
        assert_eq!(port.poll_command(), Some(LineCommand::OnHook));
        assert!(port.is_idle());
        assert_eq!(port.poll_test_result(), None, "reported once");
    }
}
