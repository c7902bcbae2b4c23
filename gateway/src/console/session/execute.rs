//! Running one command line: resolving abbreviations, splitting the
//! arguments, and what each command does and answers.

use std::fmt::Write as _;
use std::time::Instant;

use tracing::info;

use super::{Action, Confirm, Session, State};
use crate::config::edit::changed_keys;
use crate::console::command::{self, Command, ResolveError};
use crate::console::log_ring::CAPACITY;
use crate::console::{show, Backend};

impl Session {
    pub(super) fn execute(&mut self, now: Instant, line: &str, backend: &mut dyn Backend) {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            return;
        }
        if words == ["?"] {
            let text = self.command_list();
            self.print(&text);
            return;
        }
        let command = match command::resolve(self.mode(), &words) {
            Ok(c) => c,
            Err(e) => {
                let text = match e {
                    ResolveError::Unknown => format!("% unknown command: {}\n", words.join(" ")),
                    ResolveError::Incomplete => {
                        format!(
                            "% incomplete command: {} (? lists what follows)\n",
                            words.join(" ")
                        )
                    }
                    ResolveError::Ambiguous(names) => format!(
                        "% ambiguous command: {} ({})\n",
                        words.join(" "),
                        names.join(", ")
                    ),
                };
                self.print(&text);
                return;
            }
        };
        let args = match split_args(line, command) {
            Ok(a) => a,
            Err(e) => {
                self.print(&format!("{e}\n"));
                return;
            }
        };
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let text = self.run(now, command, &args, backend);
        self.print(&text);
    }

    fn command_list(&self) -> String {
        let mode = self.mode();
        let mut s = String::new();
        for c in command::COMMANDS.iter().filter(|c| c.in_mode(mode)) {
            let _ = writeln!(s, "  {:<28} {}", c.usage(), c.help);
        }
        s
    }

    fn run(
        &mut self,
        now: Instant,
        command: &Command,
        args: &[&str],
        backend: &mut dyn Backend,
    ) -> String {
        match command.words {
            ["help"] => self.command_list(),
            ["version"] | ["show", "version"] => {
                let mut s = format!("gateway {}\n", env!("CARGO_PKG_VERSION"));
                for line in backend.firmware_slots() {
                    let _ = writeln!(s, "{line}");
                }
                s
            }
            ["upgrade"] => match args.first() {
                Some(source) => match backend.upgrade(source) {
                    Ok(started) => started,
                    Err(e) => format!("% {e}\n"),
                },
                None => "% upgrade needs a URL or a path\n".into(),
            },
            ["show", "ports"] => show::ports(&backend.ports()),
            ["show", "calls"] => show::calls(&backend.calls()),
            ["show", "sip", "registrations"] => show::registrations(&backend.registrations()),
            ["show", "sim"] => match backend.sim_status() {
                Some(lines) => lines.iter().map(|l| format!("{l}\n")).collect(),
                None => "% not running on the simulated board\n".into(),
            },
            ["show", "config"] | ["show", "config", "running"] => match &self.running {
                Some(r) => {
                    let mut s = r.to_text();
                    if !self.needs_restart.is_empty() {
                        let _ = writeln!(
                            s,
                            "# committed, applied at the next start: {}",
                            self.needs_restart.join(", ")
                        );
                    }
                    s
                }
                None => "% the running configuration's text is not known\n".into(),
            },
            ["show", "config", "saved"] => match &self.saved {
                Some(t) => t.clone(),
                None => "% nothing is saved\n".into(),
            },
            ["show", "config", "candidate"] => match &self.state {
                State::Configure { candidate } => candidate.to_text(),
                _ => String::new(),
            },
            ["show", "changes"] => self.changes(),
            ["show", "log"] => {
                let n = match args.first() {
                    None => 20,
                    Some(a) => match a.parse::<usize>() {
                        Ok(n) if (1..=CAPACITY).contains(&n) => n,
                        _ => return format!("% COUNT must be a number from 1 to {CAPACITY}\n"),
                    },
                };
                let lines = self.log.last(n);
                if lines.is_empty() {
                    "no log lines\n".into()
                } else {
                    lines.iter().map(|l| format!("{l}\n")).collect()
                }
            }
            ["show", "stats"] => self.stats(now, backend),
            ["show", "board"] => show::board(&self.board) + &show::leds(&backend.leds()),
            ["sim", "call"] => match args {
                [phone, number] => match backend.sim_call(phone, number) {
                    Ok(()) => format!("{phone} is calling {number}\n"),
                    Err(e) => format!("% {e}\n"),
                },
                _ => usage(command),
            },
            ["hangup"] => match self.port_arg(args) {
                Ok(port) => match backend.hang_up(port) {
                    Ok(call_id) => format!("port {port}: call {call_id} hung up\n"),
                    Err(e) => format!("% {e}\n"),
                },
                Err(e) => e,
            },
            ["test", "line"] => match self.port_arg(args) {
                Ok(port) => match backend.test_line(port) {
                    Ok(started) => started,
                    Err(e) => format!("% {e}\n"),
                },
                Err(e) => e,
            },
            ["ring"] => match self.port_arg(args) {
                Ok(port) => match backend.ring(port) {
                    Ok(started) => started,
                    Err(e) => format!("% {e}\n"),
                },
                Err(e) => e,
            },
            ["configure"] => match &self.running {
                Some(r) => {
                    self.state = State::Configure {
                        candidate: Box::new(r.clone()),
                    };
                    "editing a copy of the running configuration; commit applies it\n".into()
                }
                None => "% the running configuration's text is not known\n".into(),
            },
            ["set"] => match (&mut self.state, args) {
                (State::Configure { candidate }, [key, value]) => match candidate.set(key, value) {
                    Ok(()) => String::new(),
                    Err(e) => format!("% {e}\n"),
                },
                _ => usage(command),
            },
            ["unset"] => match (&mut self.state, args) {
                (State::Configure { candidate }, [key]) => match candidate.unset(key) {
                    Ok(()) => String::new(),
                    Err(e) => format!("% {e}\n"),
                },
                _ => usage(command),
            },
            ["commit"] => self.commit(backend),
            ["rollback"] => match (&mut self.state, &self.running) {
                (State::Configure { candidate }, Some(r)) => {
                    **candidate = r.clone();
                    "changes discarded\n".into()
                }
                _ => String::new(),
            },
            ["save"] => self.save(),
            ["reload"] => self.reload(backend),
            ["exit"] => {
                if let State::Configure { candidate } = &self.state {
                    let dirty = self
                        .running
                        .as_ref()
                        .is_some_and(|r| !changed_keys(r, candidate).is_empty());
                    if dirty {
                        return "% uncommitted changes: commit or rollback first\n".into();
                    }
                    self.state = State::Exec;
                    String::new()
                } else {
                    self.logout_text()
                }
            }
            ["logout"] => self.logout_text(),
            ["reboot"] => {
                self.state = State::Confirm(Confirm::Reboot);
                let mut s = String::from("Restart the gateway? Calls in progress are dropped.\n");
                if self.unsaved() {
                    s.push_str("% the running configuration has changes not saved\n");
                }
                s
            }
            ["factory-reset"] => {
                self.state = State::Confirm(Confirm::FactoryReset);
                "Erase the saved configuration and restart with factory defaults?\n".into()
            }
            ["terminal", "monitor"] => {
                self.monitor = Some(self.log.next_seq());
                "% log lines are shown here as they come (terminal no monitor stops)\n".into()
            }
            ["terminal", "no", "monitor"] => {
                self.monitor = None;
                String::new()
            }
            ["terminal", "width"] => match args.first().map(|a| a.parse::<usize>()) {
                Some(Ok(0)) => {
                    self.width_fixed = false;
                    String::new()
                }
                Some(Ok(n)) if (show::MIN_WIDTH..=MAX_WIDTH).contains(&n) => {
                    self.width = n;
                    self.width_fixed = true;
                    String::new()
                }
                _ => format!(
                    "% COLUMNS must be 0 (the terminal's own width) or from {} to {MAX_WIDTH}\n",
                    show::MIN_WIDTH
                ),
            },
            ["shutdown"] => {
                info!("shutdown requested on the console");
                self.actions.push_back(Action::Shutdown);
                self.state = State::Ended;
                "shutting down\n".into()
            }
            _ => format!("% unknown command: {}\n", command.words.join(" ")),
        }
    }

    fn port_arg(&self, args: &[&str]) -> Result<u8, String> {
        let count = self.effective.ports.len();
        match args.first().and_then(|a| a.parse::<u8>().ok()) {
            Some(p) if usize::from(p) < count => Ok(p),
            _ => Err(format!(
                "% PORT must be a port number from 0 to {}\n",
                count.saturating_sub(1)
            )),
        }
    }

    fn stats(&self, now: Instant, backend: &dyn Backend) -> String {
        let mut s = format!(
            "uptime {}\n",
            show::uptime(now.saturating_duration_since(self.started))
        );
        s.push_str(&show::stats(&backend.stats()));
        let _ = writeln!(
            s,
            "console logins {}  failed {}  locked {}",
            self.logins,
            self.failed_logins,
            if self.locked_until.is_some() {
                "yes"
            } else {
                "no"
            }
        );
        s
    }
}

/// Widest `terminal width`.
const MAX_WIDTH: usize = 512;

fn usage(command: &Command) -> String {
    format!("% usage: {}\n", command.usage())
}

/// The arguments of `line` for `command`: words, except that a `rest`
/// argument takes the remainder of the line.
fn split_args(line: &str, command: &Command) -> Result<Vec<String>, String> {
    let mut rest = line.trim_start();
    for _ in command.words {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest.get(end..).unwrap_or("").trim_start();
    }
    let mut args = Vec::new();
    for a in command.args {
        if rest.is_empty() {
            if a.optional {
                break;
            }
            return Err(usage(command).trim_end().to_string());
        }
        if a.rest {
            args.push(rest.trim_end().to_string());
            rest = "";
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            args.push(rest.get(..end).unwrap_or("").to_string());
            rest = rest.get(end..).unwrap_or("").trim_start();
        }
    }
    if !rest.is_empty() {
        return Err(format!("% unexpected: {rest}"));
    }
    Ok(args)
}
