//! The core's read-only views of its ports and calls, for the console, the
//! HTTP API and the front panel.

use std::time::Instant;

use super::Switchboard;
use crate::call::view::{CallTotals, CallView, PortView};
use crate::config::PortKindConfig;

impl Switchboard {
    /// Every port.
    pub fn ports_view(&self) -> Vec<PortView> {
        self.legs
            .tech
            .lines
            .iter()
            .map(|l| PortView {
                port: l.config.port,
                kind: match l.config.kind {
                    PortKindConfig::Fxo => "fxo",
                    PortKindConfig::Fxs => "fxs",
                },
                ani: l.config.ani.clone(),
                state: l.port.state_name(),
                inbound_uri: l.config.inbound_uri.clone(),
                call_id: l
                    .leg
                    .and_then(|leg| self.owner.get(&leg))
                    .and_then(|id| self.flows.get(id))
                    .map(|f| f.as_flow_ref().call_id().to_string()),
                last_test: l.last_test.map(|t| t.to_string()),
            })
            .collect()
    }

    /// Every port's state name, in port order (what [`PortView::state`] says,
    /// without building the views: the front panel reads it 40 times a second).
    pub fn port_states(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.legs.tech.lines.iter().map(|l| l.port.state_name())
    }

    /// Every call on a line port (SIP↔SIP bridges have no port to show them by).
    pub fn calls_view(&self, now: Instant) -> Vec<CallView> {
        self.flows
            .values()
            .filter_map(|f| f.as_flow_ref().view(now, &self.legs))
            .collect()
    }

    /// Calls and RTP packets since start: the calls that ended, and those in
    /// progress.
    pub fn totals(&self) -> CallTotals {
        let mut t = self.records.ended;
        for f in self.flows.values() {
            t.calls += 1;
            t.answered += u64::from(f.as_flow_ref().is_answered());
        }
        let (ended_sent, ended_received) = self.legs.tech.ended_packets;
        let (sent, received) = self.legs.live_packets();
        t.packets_sent += ended_sent + sent;
        t.packets_received += ended_received + received;
        t
    }

    /// The port with this ANI and its current call.
    pub fn lookup_ani(&self, now: Instant, ani: &str) -> Option<(PortView, Option<CallView>)> {
        let lines = &self.legs.tech.lines;
        let index = lines.iter().position(|l| l.config.ani == ani)?;
        let port = self.ports_view().into_iter().nth(index)?;
        let call = lines
            .get(index)?
            .leg
            .and_then(|leg| self.owner.get(&leg))
            .and_then(|id| self.flows.get(id))
            .and_then(|f| f.as_flow_ref().view(now, &self.legs));
        Some((port, call))
    }

    /// Live legs and flows, for tests and diagnostics.
    pub fn counts(&self) -> (usize, usize) {
        (self.legs.len(), self.flows.len())
    }

    /// RTP transports free, for tests and diagnostics.
    pub fn free_transports(&self) -> usize {
        self.legs.tech.pool.free()
    }
}
