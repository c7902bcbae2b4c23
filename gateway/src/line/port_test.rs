//! Port tests from the console: what `test line` (FXO) and `ring` (FXS)
//! measure, how they are refused, and the one-line report each ends with.
//!
//! A test is a state of its port's signalling machine ([`super::FxoPort`],
//! [`super::FxsPort`]) with its deadline as data; the controller collects the
//! result and hands it out as a [`TestReport`] (`Controller::poll_test_report`).

use std::fmt;
use std::time::Duration;

use drivers::PortId;
use dsp::progress::ProgressEvent;

/// What `test line` found on an FXO port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineTestResult {
    /// The call-progress detector confirmed dial tone this long after the port
    /// went off hook (that includes the detector's qualification: about 300 ms
    /// of steady tone on the North American plan, 1.5 s on CEPT).
    DialTone {
        /// From going off hook to the detector's confirmation.
        after: Duration,
    },
    /// No dial tone: nothing recognisable for the whole wait (`heard` is
    /// `None`), or the line gave busy or reorder tone instead.
    NoDialTone {
        /// How long the port listened.
        waited: Duration,
        /// The other tone heard, if any (`Busy` or `Reorder`).
        heard: Option<ProgressEvent>,
    },
    /// Loop current dropped while off hook: the exchange released the line.
    NoLine {
        /// From going off hook to the drop.
        after: Duration,
    },
    /// The line rang during the test: the test stopped (on hook) and the
    /// port took the ringing as an inbound call.
    Interrupted {
        /// From going off hook to the ring.
        after: Duration,
    },
    /// Call control hung the port up before the line gave a result: the test
    /// stopped on hook with nothing measured (no call control path does this
    /// today; it keeps a started test from ending without a report).
    Aborted,
}

/// What `ring` found on an FXS port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RingTestResult {
    /// The phone went off hook this long after ringing started.
    Answered {
        /// From the start of ringing to the (debounced) off-hook.
        after: Duration,
    },
    /// Nobody answered before the ring test's time ran out.
    NoAnswer {
        /// How long the phone rang.
        waited: Duration,
    },
}

/// The result of either test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestOutcome {
    /// `test line` on an FXO port.
    Line(LineTestResult),
    /// `ring` on an FXS port.
    Ring(RingTestResult),
}

/// A finished test and its port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestReport {
    /// The port tested.
    pub port: PortId,
    /// What was found.
    pub outcome: TestOutcome,
}

/// Why a test cannot start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PortTestError {
    /// No such port.
    #[error("there is no port {0}")]
    NoSuchPort(PortId),
    /// `test line` on an FXS port.
    #[error("port {0} is FXS: test line needs an FXO port (ring tests FXS)")]
    NotFxo(PortId),
    /// `ring` on an FXO port.
    #[error("port {0} is FXO: ring needs an FXS port")]
    NotFxs(PortId),
    /// The port is in a call, ringing, or already under test.
    #[error("port {port} is busy ({state}): try again when it is idle")]
    Busy {
        /// The port.
        port: PortId,
        /// Its state's name.
        state: &'static str,
    },
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

fn tone_name(tone: ProgressEvent) -> &'static str {
    match tone {
        ProgressEvent::DialTone => "dial tone",
        ProgressEvent::Ringback => "ringback",
        ProgressEvent::Busy => "busy tone",
        ProgressEvent::Reorder => "reorder tone",
        ProgressEvent::Silence => "silence",
    }
}

impl fmt::Display for LineTestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LineTestResult::DialTone { after } => write!(f, "dial tone after {} ms", ms(after)),
            LineTestResult::NoDialTone {
                waited,
                heard: None,
            } => write!(f, "no dial tone within {} ms", ms(waited)),
            LineTestResult::NoDialTone {
                waited,
                heard: Some(tone),
            } => write!(
                f,
                "no dial tone: {} after {} ms",
                tone_name(tone),
                ms(waited)
            ),
            LineTestResult::NoLine { after } => {
                write!(f, "no line: loop current dropped after {} ms", ms(after))
            }
            LineTestResult::Interrupted { after } => write!(
                f,
                "the line rang after {} ms: stopped, taken as a call",
                ms(after)
            ),
            LineTestResult::Aborted => write!(f, "aborted: the port was hung up, nothing measured"),
        }
    }
}

impl fmt::Display for RingTestResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            RingTestResult::Answered { after } => write!(f, "answered after {} ms", ms(after)),
            RingTestResult::NoAnswer { waited } => {
                write!(f, "no answer within {} ms", ms(waited))
            }
        }
    }
}

impl fmt::Display for TestOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TestOutcome::Line(r) => write!(f, "line test: {r}"),
            TestOutcome::Ring(r) => write!(f, "ring: {r}"),
        }
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "port {}: {}", self.port, self.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_read_as_one_short_line() {
        let report = |outcome| TestReport {
            port: PortId(3),
            outcome,
        };
        let cases = [
            (
                TestOutcome::Line(LineTestResult::DialTone {
                    after: Duration::from_millis(340),
                }),
                "port 3: line test: dial tone after 340 ms",
            ),
            (
                TestOutcome::Line(LineTestResult::NoDialTone {
                    waited: Duration::from_secs(3),
                    heard: None,
                }),
                "port 3: line test: no dial tone within 3000 ms",
            ),
            (
                TestOutcome::Line(LineTestResult::NoDialTone {
                    waited: Duration::from_millis(1220),
                    heard: Some(ProgressEvent::Reorder),
                }),
                "port 3: line test: no dial tone: reorder tone after 1220 ms",
            ),
            (
                TestOutcome::Line(LineTestResult::NoLine {
                    after: Duration::from_millis(200),
                }),
                "port 3: line test: no line: loop current dropped after 200 ms",
            ),
            (
                TestOutcome::Line(LineTestResult::Aborted),
                "port 3: line test: aborted: the port was hung up, nothing measured",
            ),
            (
                TestOutcome::Ring(RingTestResult::NoAnswer {
                    waited: Duration::from_secs(30),
                }),
                "port 3: ring: no answer within 30000 ms",
            ),
        ];
        for (outcome, text) in cases {
            assert_eq!(report(outcome).to_string(), text);
        }
        // The longest of each, on the highest port, fits the console's 80
        // columns (`[line] dial_tone_wait_ms` is a u32 of milliseconds).
        let most = Duration::from_millis(u64::from(u32::MAX));
        for outcome in [
            TestOutcome::Line(LineTestResult::DialTone { after: most }),
            TestOutcome::Line(LineTestResult::NoDialTone {
                waited: most,
                heard: Some(ProgressEvent::Reorder),
            }),
            TestOutcome::Line(LineTestResult::NoLine { after: most }),
            TestOutcome::Line(LineTestResult::Interrupted { after: most }),
            TestOutcome::Line(LineTestResult::Aborted),
            TestOutcome::Ring(RingTestResult::Answered { after: most }),
            TestOutcome::Ring(RingTestResult::NoAnswer { waited: most }),
        ] {
            let text = TestReport {
                port: PortId(255),
                outcome,
            }
            .to_string();
            assert!(text.len() <= 80, "{text}");
        }
    }
}
