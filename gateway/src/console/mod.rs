//! The management console, in the style of network equipment: a login, line
//! editing with history, `?` help and Tab completion at any point, abbreviated
//! commands (`sh po` = `show ports`), `configure` mode with `commit`, `save`,
//! `rollback` and `reload`. `docs/CONSOLE.md` is the operator's guide.
//!
//! | file | holds |
//! |---|---|
//! | [`line_editor`] | bytes → line edits, VT100 keys, history (sans-IO) |
//! | [`command`] | the command table, abbreviations, what may come next |
//! | [`session`] | login, modes, commands, completion and help (sans-IO) |
//! | [`show`] | what `show` prints, text laid out to the terminal's width |
//! | [`password`] | Argon2id password hashes |
//! | [`log_ring`] | the last log lines for `show log` and `terminal monitor` |
//! | [`io`] | the transports (UART via `serialport`, stdio) and the driver the runtime calls |

pub mod command;
pub mod io;
pub mod line_editor;
pub mod log_ring;
pub mod password;
pub mod session;
#[cfg(test)]
mod session_tests;
pub mod show;

use std::sync::Arc;

pub use io::{Appliance, Console, Exit};
pub use line_editor::LineEditor;
pub use log_ring::LogRing;
pub use session::{Action, Session, Setup};

use crate::call::{CallTotals, CallView, PortView};
use crate::config::Config;

/// A SIP account's registration as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The account.
    pub user: String,
    /// The registered contact, if any.
    pub contact: Option<String>,
    /// Where the REGISTER came from.
    pub source: Option<String>,
    /// Seconds until the binding expires.
    pub expires_s: u64,
}

/// The counters `show stats` prints: what is in progress now, and totals
/// since the gateway started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Line ports.
    pub ports: usize,
    /// Of which idle.
    pub ports_idle: usize,
    /// Calls in progress.
    pub calls_now: usize,
    /// RTP packets of the calls in progress: sent, received.
    pub packets_now: (u64, u64),
    /// Since start, calls in progress included.
    pub since_start: CallTotals,
    /// The gateway's resident memory in kB (`VmRSS`), where known.
    pub resident_kb: Option<u64>,
}

/// What the console needs from the running gateway.
pub trait Backend {
    /// Every port.
    fn ports(&self) -> Vec<PortView>;
    /// Every call.
    fn calls(&self) -> Vec<CallView>;
    /// SIP registrations of the configured accounts.
    fn registrations(&self) -> Vec<Registration>;
    /// The simulated exchange's lines, one text line each; `None` on hardware.
    fn sim_status(&self) -> Option<Vec<String>>;
    /// Make a simulated phone call a number.
    fn sim_call(&mut self, phone: &str, number: &str) -> Result<(), String>;
    /// Hang up the call on `port`; its Call-ID.
    fn hang_up(&mut self, port: u8) -> Result<String, String>;
    /// Start `test line` on `port`: what to say now. The result arrives
    /// later, through [`Session::handle_report`].
    fn test_line(&mut self, port: u8) -> Result<String, String>;
    /// Start `ring` on `port`: what to say now. The result arrives later,
    /// through [`Session::handle_report`].
    fn ring(&mut self, port: u8) -> Result<String, String>;
    /// Run with these settings from now on (only the live ones differ).
    fn apply_live(&mut self, config: Arc<Config>);
    /// Counters for `show stats`.
    fn stats(&self) -> Stats;
    /// The front panel's LEDs (`show board`); none by default.
    fn leds(&self) -> Vec<crate::front_panel::LedView> {
        Vec::new()
    }
    /// `upgrade URL|PATH`: start a firmware update (`crate::firmware`); what
    /// to say now. Its progress arrives through [`Session::handle_report`].
    fn upgrade(&mut self, _source: &str) -> Result<String, String> {
        Err(crate::firmware::FirmwareError::NotOnTheBox.to_string())
    }
    /// `show version`'s lines about the firmware slots; none off the box.
    fn firmware_slots(&self) -> Vec<String> {
        Vec::new()
    }
}
