//! One console session, sans-IO: terminal bytes in, screen bytes out.
//!
//! ```text
//!              ┌──────── idle timeout / logout / exit ─────────┐
//!              ▼                                               │
//!   LoginName ──▶ LoginPassword ──▶ Verifying ──ok──▶ Exec ◀──▶ Configure
//!      ▲   (no users configured: straight to Exec)   │  │
//!      └──── fail (locked for a growing delay) ◀─────┘  └─▶ Confirm (reboot,
//!                                                             factory-reset)
//! ```
//!
//! The session never reads the clock, sleeps, or touches a file or a device. It
//! asks its driver for the slow or effectful things as [`Action`]s (check a
//! password, write the saved configuration, restart), and is told the outcome
//! with [`Session::handle_verified`] and [`Session::handle_saved`]; its timers
//! (idle logout, login lock-out) are data, reported by [`Session::poll_timeout`].
//! While an action it waits for is in flight, typed bytes are kept and replayed.
//! Results that come later (`test line`, `ring`) are handed in with
//! [`Session::handle_report`] and printed above the prompt.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use board::identity::BoardDescription;
use tracing::{info, warn};

use super::command::{self, ArgKind, Command, Mode, Next, ResolveError};
use super::line_editor::{Edit, LineEditor};
use super::log_ring::{LogRing, CAPACITY};
use super::{show, Backend};
use crate::config::edit::{changed_keys, Editable};
use crate::config::{self, live, Config};

/// The exec prompt.
pub const PROMPT: &str = "gateway> ";
/// The configure-mode prompt.
pub const CONFIG_PROMPT: &str = "gateway(config)> ";

/// First lock-out, after `max_login_failures` failures in a row; it doubles
/// with each further failure up to [`LOCKOUT_MAX`].
pub const LOCKOUT_BASE: Duration = Duration::from_secs(5);
/// Longest lock-out.
pub const LOCKOUT_MAX: Duration = Duration::from_secs(300);

/// What the session asks its driver to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Check `password` against `hash` (`None`: unknown user, check a decoy) off
    /// the loop; answer with [`Session::handle_verified`].
    VerifyPassword {
        /// The login name typed.
        user: String,
        /// The password typed.
        password: String,
        /// That user's stored hash.
        hash: Option<String>,
    },
    /// Write `text` as the saved configuration; answer with
    /// [`Session::handle_saved`].
    Save {
        /// The configuration.
        text: String,
    },
    /// Restart the gateway.
    Reboot,
    /// Erase the saved configuration, then restart.
    FactoryReset,
    /// Stop the gateway.
    Shutdown,
}

/// What the session starts from.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The running configuration's text, when known (configure mode needs it).
    pub running_text: Option<String>,
    /// The running configuration.
    pub config: Arc<Config>,
    /// The saved configuration's text, if any.
    pub saved_text: Option<String>,
    /// Where `save` writes, for messages; `None`: saving is not possible.
    pub save_target: Option<String>,
    /// Lines to show before the first prompt (how the configuration booted).
    pub notes: Vec<String>,
    /// The board's identity.
    pub board: BoardDescription,
    /// Recent log lines.
    pub log: LogRing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Confirm {
    Reboot,
    FactoryReset,
}

#[derive(Debug)]
enum State {
    LoginName,
    LoginPassword { user: String },
    Verifying { user: String },
    Exec,
    Configure { candidate: Box<Editable> },
    Confirm(Confirm),
    Ended,
}

/// One console session. See the module documentation.
#[derive(Debug)]
pub struct Session {
    editor: LineEditor,
    state: State,
    out: Vec<u8>,
    actions: VecDeque<Action>,
    /// Waiting for an action's answer; bytes typed meanwhile.
    waiting: bool,
    queued: Vec<u8>,
    running: Option<Editable>,
    /// What the gateway runs (live settings of the last commit applied).
    effective: Arc<Config>,
    saved: Option<String>,
    save_target: Option<String>,
    /// Committed keys that take effect at the next start.
    needs_restart: Vec<String>,
    board: BoardDescription,
    log: LogRing,
    started: Instant,
    last_input: Instant,
    failures: u32,
    locked_until: Option<Instant>,
    logins: u64,
    failed_logins: u64,
}

impl Session {
    /// A session on a terminal that just connected: prints the banner, the
    /// boot notes and the first prompt.
    pub fn new(now: Instant, setup: Setup) -> Session {
        let running = setup
            .running_text
            .as_deref()
            .and_then(|t| Editable::from_text(t).ok());
        let mut s = Session {
            editor: LineEditor::default(),
            state: State::Exec,
            out: Vec::new(),
            actions: VecDeque::new(),
            waiting: false,
            queued: Vec::new(),
            running,
            effective: setup.config,
            saved: setup.saved_text,
            save_target: setup.save_target,
            needs_restart: Vec::new(),
            board: setup.board,
            log: setup.log,
            started: now,
            last_input: now,
            failures: 0,
            locked_until: None,
            logins: 0,
            failed_logins: 0,
        };
        let mut banner = format!("\ngateway {} console\n", env!("CARGO_PKG_VERSION"));
        for note in &setup.notes {
            let _ = writeln!(banner, "% {note}");
        }
        s.print(&banner);
        if s.login_required() {
            s.show_login();
        } else {
            s.prompt();
        }
        s
    }

    fn login_required(&self) -> bool {
        !self.effective.console.users.is_empty()
    }

    /// Bytes to send to the terminal.
    pub fn poll_output(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| std::mem::take(&mut self.out))
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Session::handle_timeout`] is next due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let idle = match self.state {
            State::Exec | State::Configure { .. } | State::Confirm(_) if self.login_required() => {
                self.idle_timeout().map(|d| self.last_input + d)
            }
            _ => None,
        };
        [idle, self.locked_until].into_iter().flatten().min()
    }

    fn idle_timeout(&self) -> Option<Duration> {
        match self.effective.console.idle_timeout_s {
            0 => None,
            s => Some(Duration::from_secs(u64::from(s))),
        }
    }

    /// Time passed: idle logout, end of a lock-out.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.locked_until.is_some_and(|t| now >= t) {
            self.locked_until = None;
            if matches!(self.state, State::LoginName) {
                self.print("login: ");
            }
        }
        let logged_in = matches!(
            self.state,
            State::Exec | State::Configure { .. } | State::Confirm(_)
        );
        if logged_in && self.login_required() {
            if let Some(d) = self.idle_timeout() {
                if now >= self.last_input + d {
                    info!(idle_s = d.as_secs(), "console idle: logged out");
                    self.print(&format!("\n% idle for {} s: logged out\n", d.as_secs()));
                    self.show_login();
                }
            }
        }
    }

    /// The answer to [`Action::VerifyPassword`].
    pub fn handle_verified(&mut self, now: Instant, ok: bool) {
        self.waiting = false;
        let user = match std::mem::replace(&mut self.state, State::LoginName) {
            State::Verifying { user } => user,
            other => {
                self.state = other;
                return;
            }
        };
        if ok {
            // The login name typed is not history.
            self.editor.reset();
            self.failures = 0;
            self.logins += 1;
            info!(%user, "console login");
            self.state = State::Exec;
            self.last_input = now;
            self.prompt();
            return;
        }
        self.failures += 1;
        self.failed_logins += 1;
        let max = self.effective.console.max_login_failures.max(1);
        warn!(%user, failures = self.failures, "console login failed");
        if self.failures >= max {
            let doublings = (self.failures - max).min(16);
            let delay = LOCKOUT_BASE
                .saturating_mul(1u32 << doublings)
                .min(LOCKOUT_MAX);
            self.locked_until = Some(now + delay);
            warn!(
                delay_s = delay.as_secs(),
                "console locked after failed logins"
            );
            self.print(&format!(
                "% login incorrect; console locked for {} s\n",
                delay.as_secs()
            ));
        } else {
            self.print("% login incorrect\nlogin: ");
        }
    }

    /// The answer to [`Action::Save`]: where it went, or why it failed.
    pub fn handle_saved(&mut self, text: &str, result: Result<String, String>) {
        self.waiting = false;
        match result {
            Ok(place) => {
                self.saved = Some(text.to_string());
                info!(%place, "configuration saved from the console");
                self.print(&format!("saved to {place}\n"));
            }
            Err(e) => {
                warn!(error = %e, "configuration not saved");
                self.print(&format!("% not saved: {e}\n"));
            }
        }
        self.prompt();
    }

    /// A result that arrived on its own, such as a `test line` or `ring`
    /// finishing: printed at once on a line of its own, then the prompt and
    /// whatever was being typed are drawn again. Not shown to a session that
    /// is not logged in (the log has it).
    pub fn handle_report(&mut self, text: &str) {
        if !matches!(
            self.state,
            State::Exec | State::Configure { .. } | State::Confirm(_)
        ) {
            return;
        }
        self.print(&format!("\n{}\n", text.trim_end()));
        if !self.waiting {
            self.redraw();
        }
    }

    /// Bytes from the terminal (an empty slice replays what was typed while
    /// waiting).
    pub fn handle_input(&mut self, now: Instant, bytes: &[u8], backend: &mut dyn Backend) {
        if !bytes.is_empty() {
            self.last_input = now;
        }
        self.queued.extend_from_slice(bytes);
        while !self.waiting && !self.queued.is_empty() {
            let byte = self.queued.remove(0);
            if matches!(self.state, State::Ended) {
                self.queued.clear();
                return;
            }
            if self.locked_until.is_some() {
                if byte == b'\r' {
                    let left = self
                        .locked_until
                        .map(|t| t.saturating_duration_since(now).as_secs() + 1)
                        .unwrap_or(0);
                    self.print(&format!("% locked: try again in {left} s\n"));
                }
                continue;
            }
            let mut echo = Vec::new();
            let edit = self.editor.feed(byte, &mut echo);
            self.out.extend_from_slice(&echo);
            match edit {
                None => {}
                Some(Edit::Line(line)) => self.on_line(now, &line, backend),
                Some(Edit::Complete) => self.complete(backend),
                Some(Edit::Help) => self.help(backend),
                Some(Edit::Interrupt) => {
                    if matches!(self.state, State::Confirm(_)) {
                        self.print("% cancelled\n");
                        self.state = State::Exec;
                    }
                    if matches!(self.state, State::LoginPassword { .. } | State::LoginName) {
                        self.show_login();
                    } else {
                        self.prompt();
                    }
                }
                Some(Edit::EndOfInput) => match self.state {
                    State::Exec if self.login_required() => {
                        self.print("\n");
                        self.logout();
                    }
                    _ => {}
                },
            }
        }
    }

    fn mode(&self) -> Mode {
        match self.state {
            State::Configure { .. } => Mode::Configure,
            _ => Mode::Exec,
        }
    }

    fn prompt_text(&self) -> &'static str {
        match self.state {
            State::LoginName => "login: ",
            State::LoginPassword { .. } => "password: ",
            State::Configure { .. } => CONFIG_PROMPT,
            State::Confirm(_) => "[yes/no] ",
            _ => PROMPT,
        }
    }

    fn prompt(&mut self) {
        let p = self.prompt_text();
        self.print(p);
    }

    /// Text to the screen: `\n` becomes CR LF, lines are cut to 80 columns.
    fn print(&mut self, text: &str) {
        let fitted = show::fit(text);
        self.out
            .extend_from_slice(fitted.replace('\n', "\r\n").as_bytes());
    }

    fn show_login(&mut self) {
        self.editor.reset();
        self.state = State::LoginName;
        if self.locked_until.is_none() {
            self.print("login: ");
        }
    }

    fn logout(&mut self) {
        if !self.login_required() {
            self.print("% no login is configured ([[console.users]]): nothing to log out of\n");
            self.prompt();
            return;
        }
        info!("console logout");
        self.print("logged out\n");
        self.show_login();
    }

    fn on_line(&mut self, now: Instant, line: &str, backend: &mut dyn Backend) {
        match std::mem::replace(&mut self.state, State::Ended) {
            State::LoginName => {
                let user = line.trim().to_string();
                if user.is_empty() {
                    self.state = State::LoginName;
                    self.print("login: ");
                } else {
                    self.editor.set_masked(true);
                    self.state = State::LoginPassword { user };
                    self.print("password: ");
                }
            }
            State::LoginPassword { user } => {
                self.editor.set_masked(false);
                let hash = self
                    .effective
                    .console
                    .users
                    .iter()
                    .find(|u| u.name == user)
                    .map(|u| u.password_hash.clone());
                self.actions.push_back(Action::VerifyPassword {
                    user: user.clone(),
                    password: line.to_string(),
                    hash,
                });
                self.waiting = true;
                self.state = State::Verifying { user };
            }
            State::Confirm(what) => {
                self.state = State::Exec;
                if line.trim().eq_ignore_ascii_case("yes") {
                    let (action, text) = match what {
                        Confirm::Reboot => (Action::Reboot, "restarting\n"),
                        Confirm::FactoryReset => (
                            Action::FactoryReset,
                            "erasing the saved configuration and restarting\n",
                        ),
                    };
                    info!(?action, "requested on the console");
                    self.print(text);
                    self.actions.push_back(action);
                    self.state = State::Ended;
                } else {
                    self.print("% cancelled\n");
                    self.prompt();
                }
            }
            state @ (State::Exec | State::Configure { .. }) => {
                self.state = state;
                self.execute(now, line, backend);
                if !self.waiting && !matches!(self.state, State::Ended) {
                    self.prompt();
                }
            }
            other => self.state = other,
        }
    }

    fn execute(&mut self, now: Instant, line: &str, backend: &mut dyn Backend) {
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
                format!("gateway {}\n", env!("CARGO_PKG_VERSION"))
            }
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
            ["shutdown"] => {
                info!("shutdown requested on the console");
                self.actions.push_back(Action::Shutdown);
                self.state = State::Ended;
                "shutting down\n".into()
            }
            _ => format!("% unknown command: {}\n", command.words.join(" ")),
        }
    }

    fn logout_text(&mut self) -> String {
        if !self.login_required() {
            return "% no login is configured ([[console.users]]): nothing to log out of\n".into();
        }
        info!("console logout");
        self.editor.reset();
        self.state = State::LoginName;
        "logged out\n".into()
    }

    fn unsaved(&self) -> bool {
        match (&self.running, &self.saved) {
            (Some(r), Some(saved)) => Editable::from_text(saved)
                .map(|s| !changed_keys(r, &s).is_empty())
                .unwrap_or(true),
            (Some(_), None) => self.save_target.is_some(),
            _ => false,
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

    fn changes(&self) -> String {
        let (State::Configure { candidate }, Some(running)) = (&self.state, &self.running) else {
            return String::new();
        };
        let keys = changed_keys(running, candidate);
        if keys.is_empty() {
            return "no changes\n".into();
        }
        let (before, after) = (running.leaves(), candidate.leaves());
        let mut s = String::new();
        for k in keys {
            let old = before.get(&k).map(String::as_str).unwrap_or("(default)");
            let new = after.get(&k).map(String::as_str).unwrap_or("(default)");
            let _ = writeln!(s, "{k}: {old} -> {new}");
        }
        s
    }

    fn commit(&mut self, backend: &mut dyn Backend) -> String {
        let State::Configure { candidate } = &self.state else {
            return String::new();
        };
        let candidate = (**candidate).clone();
        let Some(running) = &self.running else {
            return String::new();
        };
        let keys = changed_keys(running, &candidate);
        if keys.is_empty() {
            return "no changes to commit\n".into();
        }
        let committed = match candidate.validate() {
            Ok(c) => c,
            Err(e) => return format!("% {e}\n"),
        };
        self.running = Some(candidate);
        let mut text = self.apply(&keys, &committed, backend);
        text.insert_str(0, &format!("committed {} change(s)\n", keys.len()));
        text
    }

    /// Take `committed` as the running configuration: live keys now, the rest
    /// at the next start. Returns what to tell the operator.
    fn apply(&mut self, keys: &[String], committed: &Config, backend: &mut dyn Backend) -> String {
        let (live_keys, restart): (Vec<&String>, Vec<&String>) =
            keys.iter().partition(|k| live::is_live(k));
        let mut s = String::new();
        if !live_keys.is_empty() {
            let next = Arc::new(live::merge(&self.effective, committed));
            backend.apply_live(next.clone());
            self.effective = next;
            info!(keys = ?live_keys, "configuration applied live");
            let _ = writeln!(s, "applied now, calls kept: {}", join(&live_keys));
        }
        if !restart.is_empty() {
            for k in &restart {
                if !self.needs_restart.contains(k) {
                    self.needs_restart.push((*k).clone());
                }
            }
            let _ = writeln!(
                s,
                "% needs a restart (save, then reboot): {}",
                join(&restart)
            );
        }
        s
    }

    fn save(&mut self) -> String {
        let Some(target) = self.save_target.clone() else {
            return "% nowhere to save: start the gateway with --store DIR or --config FILE\n"
                .into();
        };
        let Some(running) = &self.running else {
            return "% the running configuration's text is not known\n".into();
        };
        let mut s = String::new();
        if let State::Configure { candidate } = &self.state {
            if !changed_keys(running, candidate).is_empty() {
                s.push_str("% changes not committed are not saved\n");
            }
        }
        let _ = writeln!(s, "saving the running configuration to {target}");
        self.actions.push_back(Action::Save {
            text: running.to_text(),
        });
        self.waiting = true;
        s
    }

    fn reload(&mut self, backend: &mut dyn Backend) -> String {
        let Some(saved) = &self.saved else {
            return "% nothing is saved\n".into();
        };
        let config = match config::parse(std::path::Path::new("<saved>"), saved) {
            Ok(c) => c,
            Err(e) => return format!("% the saved configuration is not valid: {e}\n"),
        };
        let Ok(saved_tree) = Editable::from_text(saved) else {
            return "% the saved configuration is not valid TOML\n".into();
        };
        let keys = match &self.running {
            Some(r) => changed_keys(r, &saved_tree),
            None => Vec::new(),
        };
        self.running = Some(saved_tree);
        if keys.is_empty() {
            return "the running configuration is the saved one\n".into();
        }
        let mut text = self.apply(&keys, &config, backend);
        text.insert_str(
            0,
            &format!(
                "running configuration replaced by the saved one: {} change(s)\n",
                keys.len()
            ),
        );
        text
    }

    fn stats(&self, now: Instant, backend: &dyn Backend) -> String {
        let mut s = format!(
            "uptime {}\n",
            show::uptime(now.saturating_duration_since(self.started))
        );
        for line in backend.stats() {
            let _ = writeln!(s, "{line}");
        }
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

    // ---- completion and help ----------------------------------------------

    /// The words typed before the cursor: the complete ones and the one being
    /// typed (empty after a space).
    fn words_at_cursor(&self) -> (Vec<String>, String) {
        let before = self.editor.before_cursor();
        let mut words: Vec<String> = before.split_whitespace().map(String::from).collect();
        let partial = if before.ends_with(' ') || before.is_empty() {
            String::new()
        } else {
            words.pop().unwrap_or_default()
        };
        (words, partial)
    }

    /// Values an argument can take.
    fn values(&self, kind: ArgKind) -> Vec<String> {
        match kind {
            ArgKind::Port => (0..self.effective.ports.len())
                .map(|p| p.to_string())
                .collect(),
            ArgKind::Phone => self
                .effective
                .simulation
                .as_ref()
                .map(|s| s.phones.iter().map(|p| p.name.clone()).collect())
                .unwrap_or_default(),
            ArgKind::Key => {
                let tree = match &self.state {
                    State::Configure { candidate } => Some(&**candidate),
                    _ => self.running.as_ref(),
                };
                let mut keys: Vec<String> = tree
                    .map(|t| t.leaves().into_keys().collect())
                    .unwrap_or_default();
                keys.extend(KNOWN_KEYS.iter().map(|k| k.to_string()));
                keys.sort();
                keys.dedup();
                keys
            }
            ArgKind::Free => Vec::new(),
        }
    }

    /// Everything that fits at the cursor: (text, help).
    fn choices(&self) -> (Vec<(String, String)>, String, bool) {
        let (done, partial) = self.words_at_cursor();
        let done: Vec<&str> = done.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        let mut end = false;
        for n in command::next(self.mode(), &done) {
            match n {
                Next::Word(w, help) => {
                    if w.starts_with(&partial.to_ascii_lowercase()) {
                        out.push((w.to_string(), help.to_string()));
                    }
                }
                Next::Argument(a) => {
                    let values = self.values(a.kind);
                    let placeholder = values.is_empty() || partial.is_empty() && values.len() > 12;
                    if placeholder && (partial.is_empty() || a.kind == ArgKind::Key) {
                        out.push((a.name.to_string(), String::new()));
                    }
                    for v in values {
                        if v.starts_with(&partial) {
                            out.push((v, String::new()));
                        }
                    }
                }
                Next::End => end = partial.is_empty(),
            }
        }
        (out, partial, end)
    }

    fn complete(&mut self, _backend: &mut dyn Backend) {
        let (choices, partial, _) = self.choices();
        // Argument placeholders (upper-case names) cannot be inserted.
        let real: Vec<String> = choices
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| !c.chars().all(|ch| ch.is_ascii_uppercase()))
            .collect();
        match real.as_slice() {
            [] => self.out.push(0x07),
            [only] => {
                let rest = only.get(partial.len()..).unwrap_or("").to_string();
                let mut out = Vec::new();
                self.editor.insert_str(&rest, &mut out);
                if !only.ends_with('[') && !only.ends_with('.') {
                    self.editor.insert_str(" ", &mut out);
                }
                self.out.extend_from_slice(&out);
            }
            many => {
                let common = common_prefix(many);
                if common.len() > partial.len() {
                    let mut out = Vec::new();
                    self.editor
                        .insert_str(common.get(partial.len()..).unwrap_or(""), &mut out);
                    self.out.extend_from_slice(&out);
                } else {
                    let list = show::columns(many);
                    self.print(&format!("\n{list}"));
                    self.redraw();
                }
            }
        }
    }

    fn help(&mut self, _backend: &mut dyn Backend) {
        let (choices, _, end) = self.choices();
        let mut s = String::from("\n");
        if choices.is_empty() && !end {
            s.push_str("% nothing fits here\n");
        }
        for (c, h) in &choices {
            let _ = writeln!(s, "  {c:<26} {h}");
        }
        if end {
            s.push_str("  <cr>\n");
        }
        self.print(&s);
        self.redraw();
    }

    fn redraw(&mut self) {
        let mut out = Vec::new();
        self.editor.redraw(self.prompt_text(), &mut out);
        self.out.extend_from_slice(&out);
    }
}

/// Scalar keys that have defaults and so may not be written in the file; the
/// written ones come from the configuration itself.
const KNOWN_KEYS: &[&str] = &[
    "log.level",
    "sip.listen",
    "sip.allow_unauthenticated",
    "sip.user_agent",
    "sip.realm",
    "rtp.address",
    "rtp.port_base",
    "media.codecs",
    "media.telephone_event_payload_type",
    "media.jitter_frames",
    "api.listen",
    "api.allow_anonymous",
    "console.device",
    "console.baud",
    "console.idle_timeout_s",
    "console.max_login_failures",
    "board.kind",
    "board.tones",
    "line.dial_tone_wait_ms",
    "line.no_answer_timeout_ms",
    "line.dial_digit_ms",
    "commands.start_key",
    "commands.interdigit_timeout_ms",
    "records.path",
];

fn join(keys: &[&String]) -> String {
    keys.iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn usage(command: &Command) -> String {
    format!("% usage: {}\n", command.usage())
}

fn common_prefix(items: &[String]) -> String {
    let Some(first) = items.first() else {
        return String::new();
    };
    let mut len = first.len();
    for i in items {
        len = len.min(
            first
                .bytes()
                .zip(i.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    first.get(..len).unwrap_or("").to_string()
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
