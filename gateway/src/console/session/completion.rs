//! Tab completion and `?` help: what may come at the cursor, from the
//! command table and the values an argument can take.

use std::fmt::Write as _;

use super::{Session, State};
use crate::console::command::{self, ArgKind, Next};
use crate::console::{show, Backend};

impl Session {
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

    pub(super) fn complete(&mut self, _backend: &mut dyn Backend) {
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
                    let list = show::columns(many, self.width);
                    self.print(&format!("\n{list}"));
                    self.redraw();
                }
            }
        }
    }

    pub(super) fn help(&mut self, _backend: &mut dyn Backend) {
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
