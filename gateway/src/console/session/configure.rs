//! Configure mode's effects: the candidate's changes, `commit` (live keys
//! applied now, the rest at the next start), `save`, `reload` and the answer
//! to a save.

use std::fmt::Write as _;
use std::sync::Arc;

use tracing::{info, warn};

use super::{Action, Session, State};
use crate::config::edit::{changed_keys, Editable};
use crate::config::{self, live, Config};
use crate::console::Backend;

impl Session {
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

    pub(super) fn unsaved(&self) -> bool {
        match (&self.running, &self.saved) {
            (Some(r), Some(saved)) => Editable::from_text(saved)
                .map(|s| !changed_keys(r, &s).is_empty())
                .unwrap_or(true),
            (Some(_), None) => self.save_target.is_some(),
            _ => false,
        }
    }

    pub(super) fn changes(&self) -> String {
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

    pub(super) fn commit(&mut self, backend: &mut dyn Backend) -> String {
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

    pub(super) fn save(&mut self) -> String {
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

    pub(super) fn reload(&mut self, backend: &mut dyn Backend) -> String {
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
}

fn join(keys: &[&String]) -> String {
    keys.iter()
        .map(|k| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
