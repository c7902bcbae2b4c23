//! The management console: a command interpreter (sans-IO, here) and its
//! transports (stdio or a serial device, in [`io`]).
//!
//! Words may be abbreviated to any unambiguous prefix (`sh po` = `show ports`).

pub mod io;
mod line_editor;

pub use line_editor::LineEditor;

use std::fmt::Write as _;

use crate::call::{CallView, PortView};

/// What the interpreter needs from the running gateway.
pub trait Backend {
    /// Every port.
    fn ports(&self) -> Vec<PortView>;
    /// Every call.
    fn calls(&self) -> Vec<CallView>;
    /// The simulated exchange's lines, one text line each; `None` on hardware.
    fn sim_status(&self) -> Option<Vec<String>>;
    /// Make a simulated phone call a number.
    fn sim_call(&self, phone: &str, number: &str) -> Result<(), String>;
}

/// The interpreter's answer to one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Text to print (lines end with `\n`).
    pub text: String,
    /// The operator asked the gateway to shut down.
    pub shutdown: bool,
}

impl Reply {
    fn text(text: String) -> Reply {
        Reply {
            text,
            shutdown: false,
        }
    }
}

const COMMANDS: &[(&[&str], &str)] = &[
    (&["help"], "list commands"),
    (&["version"], "firmware version"),
    (&["show", "ports"], "line ports, their ANI and state"),
    (&["show", "calls"], "calls in progress"),
    (&["show", "sim"], "the simulated exchange's lines"),
    (
        &["sim", "call"],
        "sim call PHONE NUMBER: a simulated phone calls NUMBER",
    ),
    (&["shutdown"], "stop the gateway"),
];

/// Commands that must be typed in full (they are disruptive).
const UNABBREVIATED: &[&str] = &["shutdown"];

/// Resolve possibly abbreviated words against the command table: the longest
/// command whose every word starts with the typed word wins; returns it and the
/// remaining arguments.
fn resolve<'a>(words: &'a [&'a str]) -> Result<(&'static [&'static str], &'a [&'a str]), String> {
    let typed: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let fits = |command: &[&str], n: usize| {
        command.iter().zip(&typed).take(n).all(|(full, t)| {
            if UNABBREVIATED.contains(full) {
                full == t
            } else {
                full.starts_with(t.as_str())
            }
        })
    };
    let matches: Vec<&'static [&'static str]> = COMMANDS
        .iter()
        .map(|(c, _)| *c)
        .filter(|c| typed.len() >= c.len() && fits(c, c.len()))
        .collect();
    let longest = matches.iter().map(|c| c.len()).max().unwrap_or(0);
    let best: Vec<_> = matches.into_iter().filter(|c| c.len() == longest).collect();
    match best.as_slice() {
        [only] => Ok((only, words.get(only.len()..).unwrap_or(&[]))),
        [] => {
            let longer = COMMANDS
                .iter()
                .any(|(c, _)| c.len() > typed.len() && fits(c, typed.len()));
            if longer {
                Err(format!("% incomplete command: {}", words.join(" ")))
            } else {
                Err(format!("% unknown command: {}", words.join(" ")))
            }
        }
        many => {
            let names: Vec<String> = many.iter().map(|c| c.join(" ")).collect();
            Err(format!(
                "% ambiguous command: {} ({})",
                words.join(" "),
                names.join(", ")
            ))
        }
    }
}

/// Run one console line.
pub fn execute(line: &str, backend: &dyn Backend) -> Reply {
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() {
        return Reply::text(String::new());
    }
    if words == ["?"] {
        return Reply::text(help());
    }
    let (command, args) = match resolve(&words) {
        Ok(r) => r,
        Err(e) => return Reply::text(format!("{e}\n")),
    };
    let text = match command {
        ["help"] => help(),
        ["version"] => format!("gateway {}\n", env!("CARGO_PKG_VERSION")),
        ["show", "ports"] => show_ports(&backend.ports()),
        ["show", "calls"] => show_calls(&backend.calls()),
        ["show", "sim"] => match backend.sim_status() {
            Some(lines) => lines.iter().map(|l| format!("{l}\n")).collect(),
            None => "% not running on the simulated board\n".into(),
        },
        ["sim", "call"] => match args {
            [phone, number] => match backend.sim_call(phone, number) {
                Ok(()) => format!("{phone} is calling {number}\n"),
                Err(e) => format!("% {e}\n"),
            },
            _ => "% usage: sim call PHONE NUMBER\n".into(),
        },
        ["shutdown"] => {
            return Reply {
                text: "shutting down\n".into(),
                shutdown: true,
            }
        }
        _ => format!("% unknown command: {line}\n"),
    };
    Reply::text(text)
}

fn help() -> String {
    let mut s = String::new();
    for (words, what) in COMMANDS {
        let _ = writeln!(s, "  {:<14} {what}", words.join(" "));
    }
    s
}

fn show_ports(ports: &[PortView]) -> String {
    let mut s = format!(
        "{:<5}{:<5}{:<14}{:<12}{}\n",
        "Port", "Kind", "ANI", "State", "Call-ID"
    );
    for p in ports {
        let _ = writeln!(
            s,
            "{:<5}{:<5}{:<14}{:<12}{}",
            p.port,
            p.kind.to_uppercase(),
            p.ani,
            p.state,
            p.call_id.as_deref().unwrap_or("-")
        );
    }
    s
}

fn show_calls(calls: &[CallView]) -> String {
    if calls.is_empty() {
        return "no calls\n".into();
    }
    let mut s = format!(
        "{:<5}{:<11}{:<11}{:>7}  {:<10}{}\n",
        "Port", "Direction", "State", "Secs", "Number", "Client"
    );
    for c in calls {
        let _ = writeln!(
            s,
            "{:<5}{:<11}{:<11}{:>7}  {:<10}{}",
            c.port,
            c.direction,
            c.state,
            c.age_ms / 1000,
            c.dialled.as_deref().unwrap_or("-"),
            c.context.client_uri
        );
        let _ = writeln!(s, "     Call-ID {}", c.context.call_id);
        if let Some(m) = &c.media {
            let _ = writeln!(
                s,
                "     {} to {}  sent {}  received {}",
                m.codec, m.remote_rtp, m.packets_sent, m.packets_received
            );
        }
        if !c.commands.is_empty() {
            let _ = writeln!(s, "     commands {}", c.commands.join(" "));
        }
        let on_off = |b: bool| if b { "on" } else { "off" };
        let _ = writeln!(
            s,
            "     volume {}%  echo suppression {}  echo cancellation {}",
            c.settings.volume_percent(),
            on_off(c.settings.echo_suppression),
            on_off(c.settings.echo_cancellation)
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl Backend for Fake {
        fn ports(&self) -> Vec<PortView> {
            vec![PortView {
                port: 0,
                kind: "fxo",
                ani: "4155550100".into(),
                state: "idle",
                inbound_uri: None,
                call_id: None,
            }]
        }
        fn calls(&self) -> Vec<CallView> {
            Vec::new()
        }
        fn sim_status(&self) -> Option<Vec<String>> {
            None
        }
        fn sim_call(&self, phone: &str, _: &str) -> Result<(), String> {
            if phone == "customer" {
                Ok(())
            } else {
                Err(format!("no phone named {phone}"))
            }
        }
    }

    #[test]
    fn abbreviations_resolve() {
        assert!(execute("sh po", &Fake).text.contains("4155550100"));
        assert!(execute("show ports", &Fake).text.contains("FXO"));
        assert_eq!(execute("sh ca", &Fake).text, "no calls\n");
        assert!(execute("ver", &Fake).text.starts_with("gateway "));
    }

    #[test]
    fn bad_input_gets_a_one_line_error() {
        for bad in [
            "frobnicate",
            "show",
            "s",
            "show nothing",
            "sim call x",
            "\u{7f}\u{0}",
        ] {
            let r = execute(bad, &Fake);
            assert!(r.text.starts_with('%'), "{bad:?} -> {:?}", r.text);
            assert_eq!(r.text.lines().count(), 1, "{bad:?}");
            assert!(!r.shutdown);
        }
        assert_eq!(
            execute("sim call bob 1", &Fake).text,
            "% no phone named bob\n"
        );
        assert_eq!(
            execute("sim call customer 1", &Fake).text,
            "customer is calling 1\n"
        );
        assert!(execute("shutdown", &Fake).shutdown);
        assert!(execute("help", &Fake).text.contains("show calls"));
    }
}
