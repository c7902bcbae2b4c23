//! The console shell: what the console's commands see of the core, the
//! simulated exchange and the front panel (`console::Backend`), read with
//! the real clock.

use std::sync::Arc;
use std::time::Instant;

use drivers::sim::SimControl;
use drivers::PortId;

use crate::call::{CallView, Controller, PortView};
use crate::config::Config;
use crate::console;

/// The console's view of the running box.
pub(crate) struct ConsoleBackend<'a> {
    pub core: &'a mut Controller,
    pub sim: Option<&'a SimControl>,
    pub panel: &'a crate::front_panel::FrontPanel,
    pub firmware: &'a crate::firmware::Firmware,
    pub reporter: &'a console::io::Reporter,
}

/// This process's resident memory in kB, as Linux counts it (`VmRSS`).
fn resident_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|l| l.strip_prefix("VmRSS:"))?;
    line.split_whitespace().next()?.parse().ok()
}

impl console::Backend for ConsoleBackend<'_> {
    fn upgrade(&mut self, source: &str) -> Result<String, String> {
        self.firmware
            .install(source, self.reporter.boxed())
            .map(|()| {
                format!("upgrade: installing {source} into the inactive slot; progress follows\n")
            })
            .map_err(|e| e.to_string())
    }

    fn firmware_slots(&self) -> Vec<String> {
        if !self.firmware.enabled() {
            return Vec::new();
        }
        match self.firmware.cached_status() {
            Some(Ok(s)) => crate::firmware::rauc::describe(&s, env!("CARGO_PKG_VERSION")),
            Some(Err(e)) => vec![format!("slots: {e}")],
            None => vec!["slots: reading RAUC's status; ask again in a moment".into()],
        }
    }

    fn ports(&self) -> Vec<PortView> {
        self.core.ports_view()
    }

    fn calls(&self) -> Vec<CallView> {
        self.core.calls_view(Instant::now())
    }

    fn registrations(&self) -> Vec<console::Registration> {
        let now = Instant::now();
        let mut out = Vec::new();
        for (user, bindings) in self.core.registrations(now) {
            if bindings.is_empty() {
                out.push(console::Registration {
                    user,
                    contact: None,
                    source: None,
                    expires_s: 0,
                });
                continue;
            }
            for b in bindings {
                out.push(console::Registration {
                    user: user.clone(),
                    contact: Some(b.contact.to_string()),
                    source: Some(b.source.to_string()),
                    expires_s: b.expires_at.saturating_duration_since(now).as_secs(),
                });
            }
        }
        out
    }

    fn hang_up(&mut self, port: u8) -> Result<String, String> {
        self.core
            .hang_up_port(Instant::now(), PortId(port))
            .ok_or_else(|| format!("port {port} has no call"))
    }

    fn test_line(&mut self, port: u8) -> Result<String, String> {
        // The result comes later: `Controller::poll_test_report` in the loop.
        let wait = self
            .core
            .test_line(Instant::now(), PortId(port))
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "port {port}: off hook, listening for dial tone (up to {} ms)...\n",
            wait.as_millis()
        ))
    }

    fn ring(&mut self, port: u8) -> Result<String, String> {
        let bound = self
            .core
            .ring(Instant::now(), PortId(port))
            .map_err(|e| e.to_string())?;
        Ok(format!(
            "port {port}: ringing the phone (up to {} ms)...\n",
            bound.as_millis()
        ))
    }

    fn apply_live(&mut self, config: Arc<Config>) {
        self.core.reconfigure(config);
    }

    fn stats(&self) -> console::Stats {
        let ports = self.core.ports_view();
        let calls = self.core.calls_view(Instant::now());
        let packets_now = calls
            .iter()
            .filter_map(|c| c.media.as_ref())
            .fold((0, 0), |(s, r), m| {
                (s + m.packets_sent, r + m.packets_received)
            });
        console::Stats {
            ports: ports.len(),
            ports_idle: ports.iter().filter(|p| p.state == "idle").count(),
            calls_now: calls.len(),
            packets_now,
            since_start: self.core.totals(),
            resident_kb: resident_kb(),
        }
    }

    fn leds(&self) -> Vec<crate::front_panel::LedView> {
        self.panel.view(Instant::now())
    }

    fn sim_status(&self) -> Option<Vec<String>> {
        let status = self.sim?.status();
        let lines = status.iter().map(|s| {
            format!(
                "line {} {:<12} {:<12} {}{}",
                s.port,
                s.number.as_deref().unwrap_or("-"),
                s.state,
                s.party.as_deref().unwrap_or(""),
                s.call_duration
                    .map(|d| format!(" {}s", d.as_secs()))
                    .unwrap_or_default()
            )
        });
        Some(lines.collect())
    }

    fn sim_call(&mut self, phone: &str, number: &str) -> Result<(), String> {
        self.sim
            .ok_or_else(|| "not running on the simulated board".to_string())?
            .place_call(phone, number)
            .map_err(|e| e.to_string())
    }
}
