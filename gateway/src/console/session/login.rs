//! Login: the name, the password checked off the loop, the growing lock-out
//! after failures, and logging out.

use std::time::Instant;

use tracing::{info, warn};

use super::{Session, State, LOCKOUT_BASE, LOCKOUT_MAX};

impl Session {
    pub(super) fn login_required(&self) -> bool {
        !self.effective.console.users.is_empty()
    }

    /// The answer to [`Action::VerifyPassword`](super::Action::VerifyPassword).
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
        // Not the name typed: a password typed at `login:` by mistake would
        // land in the log (and `show log`).
        warn!(failures = self.failures, "console login failed");
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

    pub(super) fn show_login(&mut self) {
        self.editor.reset();
        self.state = State::LoginName;
        if self.locked_until.is_none() {
            self.print("login: ");
        }
    }

    pub(super) fn logout(&mut self) {
        if !self.login_required() {
            self.print("% no login is configured ([[console.users]]): nothing to log out of\n");
            self.prompt();
            return;
        }
        info!("console logout");
        self.print("logged out\n");
        self.show_login();
    }

    pub(super) fn logout_text(&mut self) -> String {
        if !self.login_required() {
            return "% no login is configured ([[console.users]]): nothing to log out of\n".into();
        }
        info!("console logout");
        self.editor.reset();
        self.state = State::LoginName;
        "logged out\n".into()
    }
}
