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
//! [`Session::handle_report`] and printed above the prompt; so are new log
//! lines under `terminal monitor` ([`Session::handle_log`]), the prompt and the
//! line being typed drawn again below them. Log lines never reach the terminal
//! otherwise: `show log` lists the recent ones.
//!
//! Text is laid out to the terminal's width ([`show::wrap`]), which the session
//! asks the terminal for (a cursor position report after moving the cursor to
//! the far right, answered as [`Edit::CursorAt`]) when it starts and after
//! every command, so a resized window is followed; `terminal width` sets it by
//! hand.
//!
//! | file | holds |
//! |---|---|
//! | `mod.rs` | the session and its states, bytes in and out, the prompt |
//! | `login.rs` | login, lock-out and logout |
//! | `execute.rs` | running a command line: what each command does and answers |
//! | `configure.rs` | configure mode's effects: changes, commit, save, reload |
//! | `completion.rs` | Tab completion and `?` help |

mod completion;
mod configure;
mod execute;
mod login;

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use board::identity::BoardDescription;
use tracing::info;

use super::command::Mode;
use super::line_editor::{Edit, LineEditor};
use super::log_ring::LogRing;
use super::{show, Backend};
use crate::config::edit::Editable;
use crate::config::Config;

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
    /// Ask the terminal for its width (a terminal answers; a pipe does not).
    pub ask_width: bool,
}

/// Asks a VT100 terminal for its width: save the cursor, move it to the far
/// right, report its position, restore it.
pub const ASK_WIDTH: &str = "\x1b7\x1b[999C\x1b[6n\x1b8";

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
    /// `terminal monitor`: log lines are shown as they come; the sequence
    /// number of the next one to show.
    monitor: Option<u64>,
    /// Columns text is laid out to.
    width: usize,
    /// Set by `terminal width`: the terminal's reports are ignored.
    width_fixed: bool,
    ask_width: bool,
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
            monitor: None,
            width: show::WIDTH,
            width_fixed: false,
            ask_width: setup.ask_width,
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
        s.ask_width();
        if s.login_required() {
            s.show_login();
        } else {
            s.prompt();
        }
        s
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

    /// New lines in the log ring: under `terminal monitor`, shown above the
    /// prompt, which is drawn again with the line being typed.
    pub fn handle_log(&mut self) {
        let Some(seen) = self.monitor else {
            return;
        };
        if self.waiting || !self.logged_in() {
            return;
        }
        let (lines, next) = self.log.since(seen);
        self.monitor = Some(next);
        if lines.is_empty() {
            return;
        }
        self.erase_prompt();
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        self.print(&text);
        self.redraw();
    }

    /// Whether new log lines are shown (`terminal monitor`).
    pub fn monitoring(&self) -> bool {
        self.monitor.is_some()
    }

    fn logged_in(&self) -> bool {
        matches!(
            self.state,
            State::Exec | State::Configure { .. } | State::Confirm(_)
        )
    }

    /// Take the prompt and the line being typed off the screen (the cursor
    /// goes to the start of the prompt's first row).
    fn erase_prompt(&mut self) {
        let before = self.prompt_text().len() + self.editor.before_cursor().chars().count();
        let rows = before / self.width.max(1);
        self.out.push(b'\r');
        if rows > 0 {
            self.out
                .extend_from_slice(format!("\x1b[{rows}A").as_bytes());
        }
        self.out.extend_from_slice(b"\x1b[J");
    }

    /// Ask the terminal for its width (see the module documentation).
    fn ask_width(&mut self) {
        if self.ask_width && !self.width_fixed {
            self.out.extend_from_slice(ASK_WIDTH.as_bytes());
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
                Some(Edit::CursorAt { column, .. }) if !self.width_fixed => {
                    self.width = usize::from(column).max(show::MIN_WIDTH);
                }
                Some(Edit::CursorAt { .. }) => {}
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

    /// Text to the screen: `\n` becomes CR LF, lines are wrapped to the
    /// terminal's width.
    fn print(&mut self, text: &str) {
        let fitted = show::wrap(text, self.width);
        self.out
            .extend_from_slice(fitted.replace('\n', "\r\n").as_bytes());
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
                    self.ask_width();
                    self.prompt();
                }
            }
            other => self.state = other,
        }
    }

    fn redraw(&mut self) {
        let mut out = Vec::new();
        self.editor.redraw(self.prompt_text(), &mut out);
        self.out.extend_from_slice(&out);
    }
}
