//! The core's read-only views of its ports and calls, for the console, the
//! HTTP API and the front panel.

use std::time::Instant;

use super::{Call, Controller};
use crate::call::state::Direction;
use crate::call::view::{CallTotals, CallView, MediaView, PortView};
use crate::config::PortKindConfig;

impl Controller {
    /// Every port.
    pub fn ports_view(&self) -> Vec<PortView> {
        self.ports
            .iter()
            .map(|p| PortView {
                port: p.config.port,
                kind: match p.config.kind {
                    PortKindConfig::Fxo => "fxo",
                    PortKindConfig::Fxs => "fxs",
                },
                ani: p.config.ani.clone(),
                state: p.line.state_name(),
                inbound_uri: p.config.inbound_uri.clone(),
                call_id: p
                    .call
                    .and_then(|h| self.calls.get(&h))
                    .map(|c| c.context.call_id.clone()),
                last_test: p.last_test.map(|t| t.to_string()),
            })
            .collect()
    }

    /// Every port's state name, in port order (what [`PortView::state`] says,
    /// without building the views: the front panel reads it 40 times a second).
    pub fn port_states(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.ports.iter().map(|p| p.line.state_name())
    }

    /// Every call.
    pub fn calls_view(&self, now: Instant) -> Vec<CallView> {
        self.calls
            .values()
            .map(|c| self.call_view(now, c))
            .collect()
    }

    /// Calls and RTP packets since start: the calls that ended, and those in
    /// progress.
    pub fn totals(&self) -> CallTotals {
        let mut t = self.ended_totals;
        for c in self.calls.values() {
            t.calls += 1;
            t.answered += u64::from(c.answered.is_some());
            if let Some(m) = &c.media {
                let s = m.stats();
                t.packets_sent += s.packets_sent;
                t.packets_received += s.packets_received;
            }
        }
        t
    }

    /// The port with this ANI and its current call.
    pub fn lookup_ani(&self, now: Instant, ani: &str) -> Option<(PortView, Option<CallView>)> {
        let index = self.ports.iter().position(|p| p.config.ani == ani)?;
        let port = self.ports_view().into_iter().nth(index)?;
        let call = self.ports.get(index)?.call.and_then(|h| self.calls.get(&h));
        Some((port, call.map(|c| self.call_view(now, c))))
    }

    fn call_view(&self, now: Instant, c: &Call) -> CallView {
        let port = self.ports.get(c.port.index());
        let ani = port.map(|p| p.config.ani.clone()).unwrap_or_default();
        let caller = match c.direction {
            Direction::FromLine => port
                .and_then(|p| p.line.caller_id())
                .and_then(|m| m.number.as_deref())
                .filter(|n| !n.is_empty())
                .map(str::to_string),
            _ => None,
        };
        CallView {
            port: c.port.0,
            ani,
            direction: c.direction.name(),
            state: c.state.name(),
            dialled: c.dialled.clone(),
            caller,
            age_ms: now.saturating_duration_since(c.started).as_millis() as u64,
            answered_ms: c
                .answered
                .map(|a| now.saturating_duration_since(a).as_millis() as u64),
            commands: c.commands.clone(),
            settings: c.settings,
            context: c.context.clone(),
            media: c.media.as_ref().map(|m| {
                let s = m.stats();
                MediaView {
                    codec: m.negotiated().codec_name(),
                    remote_rtp: m.remote(),
                    telephone_event: m.negotiated().telephone_event.is_some(),
                    packets_sent: s.packets_sent,
                    packets_received: s.packets_received,
                }
            }),
        }
    }
}
