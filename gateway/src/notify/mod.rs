//! Notifications of call events and commands to the world outside the call:
//! the merchant's webhook ([`webhook`]) and browser pages subscribed to their
//! session's event stream (Server-Sent Events, served by the API).
//!
//! Call control produces [`Notification`]s; the runtime hands each to the
//! webhook queue of its merchant and to the event hub. Neither can block the
//! media loop: queues are bounded and full queues drop (and log) the newest.

pub mod webhook;

use serde::Serialize;
use serde_json::Value;

/// Something that happened on a call.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Notification {
    /// `call-answered`, `command` or `call-ended`.
    pub event: &'static str,
    /// SIP Call-ID.
    pub call_id: String,
    /// `X-Merchant-Id` of the call.
    pub merchant_id: Option<String>,
    /// `X-Session-Id` of the call.
    pub session_id: Option<String>,
    /// The event's details (for `command`: the same JSON the client receives).
    pub data: Value,
}
