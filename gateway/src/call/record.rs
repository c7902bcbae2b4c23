//! What call control reports about a call: its direction, the record once it
//! is over, and the notifications webhooks and event streams receive.

use std::time::Instant;

use drivers::PortId;

use super::context::CallContext;
use crate::notify::Notification;

/// Which way a call goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// An IP client called a number on the PSTN through a port.
    ToLine,
    /// The PSTN rang a port and the gateway called an IP client.
    FromLine,
    /// An IP client called a route whose destination is another IP client.
    SipToSip,
}

impl Direction {
    /// Its name in views.
    pub fn name(self) -> &'static str {
        match self {
            Direction::ToLine => "to-line",
            Direction::FromLine => "from-line",
            Direction::SipToSip => "sip-to-sip",
        }
    }
}

/// What call control reports about a call once it is over (times are the core's
/// `Instant`s; the runtime turns them into wall-clock times for the record).
#[derive(Debug, Clone)]
pub struct FinishedCall {
    /// Which way it went.
    pub direction: Direction,
    /// The line port, if one was used.
    pub port: Option<PortId>,
    /// The port's ANI.
    pub ani: Option<String>,
    /// The number dialled on the line.
    pub destination: Option<String>,
    /// Who and what was behind it.
    pub context: CallContext,
    /// When it started.
    pub started: Instant,
    /// When it was answered.
    pub answered: Option<Instant>,
    /// When it ended.
    pub ended: Instant,
    /// Command sequences used.
    pub commands: Vec<String>,
    /// Why it ended.
    pub end_reason: String,
}

/// A notification about the call `context` describes.
pub(crate) fn notification(
    context: &CallContext,
    event: &'static str,
    data: serde_json::Value,
) -> Notification {
    Notification {
        event,
        call_id: context.call_id.clone(),
        merchant_id: context.merchant_id.clone(),
        session_id: context.session_id.clone(),
        data,
    }
}

/// `call-ended` for a finished call.
pub(crate) fn ended(f: &FinishedCall) -> Notification {
    let duration_ms = f.answered.map_or(0, |a| {
        f.ended.saturating_duration_since(a).as_millis() as u64
    });
    notification(
        &f.context,
        "call-ended",
        serde_json::json!({
            "direction": f.direction.name(),
            "port": f.port.map(|p| p.0),
            "end_reason": f.end_reason,
            "commands": f.commands,
            "duration_ms": duration_ms,
        }),
    )
}
