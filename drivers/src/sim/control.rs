//! Control of the exchange from outside the media loop (the console's task).
//!
//! Requests travel over an `mpsc` channel and take effect at the start of the next
//! frame; status is a snapshot the exchange rewrites once per frame (without
//! allocating, and skipping a frame rather than waiting if a reader holds it).

use std::fmt;
use std::path::Path;
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use super::digits::Digits;
use super::directory::Directory;
use super::error::SimRequestError;
use crate::line::PortId;

/// A request applied at the next frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Request {
    /// Phone `phone` dials the line on `port`.
    PlaceCall { phone: usize, port: usize },
    /// Phone `phone` hangs up whatever call it is in.
    HangUp { phone: usize },
}

/// What became of the last inbound call attempt on a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InboundOutcome {
    /// The line is ringing.
    Ringing,
    /// The gateway answered.
    Answered,
    /// The line was not idle: the caller heard busy.
    LineBusy,
    /// The calling phone was already in a call.
    PhoneBusy,
    /// Nobody answered within the phone's `give_up_after_rings`.
    GaveUp,
    /// The caller hung up (by script or `SimControl::hang_up`).
    CallerHungUp,
}

/// The last inbound call attempt on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboundReport {
    /// The calling phone's name.
    pub phone: Arc<str>,
    /// What happened.
    pub outcome: InboundOutcome,
}

/// One line as `show sim` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineStatus {
    /// The card port.
    pub port: PortId,
    /// The line's directory number, if one is wired.
    pub number: Option<Arc<str>>,
    /// The line state: `idle`, `dialling`, `ringback`, `busy-tone`, `reorder`,
    /// `connected`, `far-end-gone`, `ringing`.
    pub state: &'static str,
    /// The other party (`Name <number>`), once known.
    pub party: Option<Arc<str>>,
    /// Digits collected on the last outgoing call.
    pub dialled: Digits,
    /// Time since the call was answered.
    pub call_duration: Option<Duration>,
    /// The WAV file the current call is being recorded into.
    pub recording: Option<Arc<Path>>,
    /// The last inbound call attempt.
    pub last_inbound: Option<InboundReport>,
}

impl LineStatus {
    pub(crate) fn idle(port: PortId, number: Option<Arc<str>>) -> LineStatus {
        LineStatus {
            port,
            number,
            state: "idle",
            party: None,
            dialled: Digits::EMPTY,
            call_duration: None,
            recording: None,
            last_inbound: None,
        }
    }
}

/// One line of `show sim`:
/// `port 0 4155550100 connected Call centre <1800> 00:12 dialled=1800 inbound=customer:answered`.
impl fmt::Display for LineStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "port {} {} {}",
            self.port,
            self.number.as_deref().unwrap_or("-"),
            self.state
        )?;
        if let Some(party) = &self.party {
            write!(f, " {party}")?;
        }
        if let Some(d) = self.call_duration {
            let secs = d.as_secs();
            write!(f, " {:02}:{:02}", secs / 60, secs % 60)?;
        }
        if !self.dialled.is_empty() {
            write!(f, " dialled={}", self.dialled)?;
        }
        if let Some(report) = &self.last_inbound {
            write!(f, " inbound={}:{}", report.phone, report.outcome)?;
        }
        if let Some(path) = &self.recording {
            write!(f, " recording={}", path.display())?;
        }
        Ok(())
    }
}

impl fmt::Display for InboundOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InboundOutcome::Ringing => "ringing",
            InboundOutcome::Answered => "answered",
            InboundOutcome::LineBusy => "line-busy",
            InboundOutcome::PhoneBusy => "phone-busy",
            InboundOutcome::GaveUp => "gave-up",
            InboundOutcome::CallerHungUp => "caller-hung-up",
        })
    }
}

/// The shared snapshot.
pub(crate) type StatusBoard = Arc<Mutex<Vec<LineStatus>>>;

/// A handle for controlling a [`super::SimExchange`] from another task or thread.
#[derive(Clone)]
pub struct SimControl {
    requests: Sender<Request>,
    status: StatusBoard,
    directory: Arc<Directory>,
}

impl fmt::Debug for SimControl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimControl")
            .field("lines", &self.directory.line_numbers)
            .finish_non_exhaustive()
    }
}

impl SimControl {
    pub(crate) fn new(
        requests: Sender<Request>,
        status: StatusBoard,
        directory: Arc<Directory>,
    ) -> SimControl {
        SimControl {
            requests,
            status,
            directory,
        }
    }

    /// Have `phone` call the line whose number is `number`. The line rings from
    /// the next frame if it is idle; otherwise `status()` reports it busy.
    pub fn place_call(&self, phone: &str, number: &str) -> Result<(), SimRequestError> {
        let phone_idx = self.phone(phone)?;
        let port = self
            .directory
            .port_of_number(number)
            .ok_or_else(|| SimRequestError::UnknownNumber(number.to_owned()))?;
        self.send(Request::PlaceCall {
            phone: phone_idx,
            port,
        })
    }

    /// Have `phone` hang up: it stops ringing a line or leaves its call.
    pub fn hang_up(&self, phone: &str) -> Result<(), SimRequestError> {
        let phone = self.phone(phone)?;
        self.send(Request::HangUp { phone })
    }

    /// Every line's state as of the last frame.
    pub fn status(&self) -> Vec<LineStatus> {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Names of the configured phones.
    pub fn phones(&self) -> Vec<Arc<str>> {
        self.directory
            .phones
            .iter()
            .map(|p| Arc::clone(&p.name))
            .collect()
    }

    fn phone(&self, name: &str) -> Result<usize, SimRequestError> {
        self.directory
            .phone(name)
            .ok_or_else(|| SimRequestError::UnknownPhone(name.to_owned()))
    }

    fn send(&self, request: Request) -> Result<(), SimRequestError> {
        self.requests
            .send(request)
            .map_err(|_| SimRequestError::ExchangeGone)
    }
}
