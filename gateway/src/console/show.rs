//! What the `show` commands print: plain text, at most 80 columns.

use std::fmt::Write as _;
use std::time::Duration;

use board::identity::{BoardDescription, PortKind};

use super::Registration;
use crate::call::{CallView, PortView};

/// The widest line the console prints.
pub const WIDTH: usize = 80;

/// `show ports`; a port's last `test line` / `ring` result on a line below it.
pub fn ports(ports: &[PortView]) -> String {
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
        if let Some(test) = &p.last_test {
            let _ = writeln!(s, "     last {test}");
        }
    }
    s
}

/// `show calls`.
pub fn calls(calls: &[CallView]) -> String {
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

/// `show sip registrations`.
pub fn registrations(list: &[Registration]) -> String {
    if list.is_empty() {
        return "no SIP accounts are configured\n".into();
    }
    let mut s = format!("{:<16}{:>8}  {}\n", "User", "Expires", "Contact (source)");
    for r in list {
        match &r.contact {
            Some(contact) => {
                let _ = writeln!(
                    s,
                    "{:<16}{:>7}s  {} ({})",
                    r.user,
                    r.expires_s,
                    contact,
                    r.source.as_deref().unwrap_or("-")
                );
            }
            None => {
                let _ = writeln!(s, "{:<16}{:>8}  not registered", r.user, "-");
            }
        }
    }
    s
}

/// `show board`.
pub fn board(b: &BoardDescription) -> String {
    let kinds: Vec<&str> = b
        .ports
        .iter()
        .map(|k| match k {
            PortKind::Fxo => "FXO",
            PortKind::Fxs => "FXS",
        })
        .collect();
    format!(
        "model     {}\nserial    {}\nmac       {}\nhardware  {}\nports     {} ({})\n",
        b.model,
        b.serial,
        b.mac,
        b.hardware_revision,
        b.ports.len(),
        kinds.join(" ")
    )
}

/// The LED lines of `show board`: each LED, what it shows and whether it is
/// lit at the moment of the view.
pub fn leds(leds: &[crate::front_panel::LedView]) -> String {
    use board::led::LedState;
    if leds.is_empty() {
        return "leds      none\n".into();
    }
    let mut s = format!("{:<10}{:<24}{:<20}{}\n", "LED", "Name", "Shows", "Now");
    for l in leds {
        let shows = match l.state {
            LedState::Off => "off".to_string(),
            LedState::On => "on".to_string(),
            LedState::Blink { on_ms, off_ms } => format!("blink {on_ms}/{off_ms} ms"),
        };
        let now = match &l.problem {
            Some(p) => format!("FAILED: {p}"),
            None if l.lit => "lit".into(),
            None => "dark".into(),
        };
        let soft = if l.software_blink { " (sw)" } else { "" };
        let _ = writeln!(s, "{:<10}{:<24}{:<20}{now}", l.role, l.name, shows + soft);
    }
    s
}

/// An uptime such as `2d 03:04:05`.
pub fn uptime(d: Duration) -> String {
    let s = d.as_secs();
    let (days, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if days > 0 {
        format!("{days}d {h:02}:{m:02}:{sec:02}")
    } else {
        format!("{h:02}:{m:02}:{sec:02}")
    }
}

/// Words laid out in columns within [`WIDTH`] (completion lists).
pub fn columns(items: &[String]) -> String {
    let widest = items.iter().map(|i| i.len()).max().unwrap_or(0) + 2;
    let per_line = (WIDTH / widest.max(1)).max(1);
    let mut s = String::new();
    for row in items.chunks(per_line) {
        let line: String = row.iter().map(|i| format!("{i:<widest$}")).collect();
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// Cut every line longer than [`WIDTH`] into lines that fit (the console's
/// promise to an 80-column terminal, whatever a value's length).
pub fn fit(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        let chars: Vec<char> = body.chars().collect();
        if chars.len() <= WIDTH {
            out.push_str(body);
        } else {
            let pieces: Vec<String> = chars
                .chunks(WIDTH)
                .map(|c| c.iter().collect::<String>())
                .collect();
            out.push_str(&pieces.join("\n"));
        }
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_to_80_columns() {
        let long = "x".repeat(170);
        let fitted = fit(&format!("short\n{long}\nend"));
        assert!(fitted.lines().all(|l| l.len() <= WIDTH));
        assert_eq!(fitted.lines().count(), 5);
        assert!(fitted.ends_with("end"));
    }

    #[test]
    fn columns_fit() {
        let items: Vec<String> = (0..40).map(|i| format!("item-{i}")).collect();
        let c = columns(&items);
        assert!(c.lines().all(|l| l.len() <= WIDTH));
        assert!(c.contains("item-39"));
        assert_eq!(uptime(Duration::from_secs(93_784)), "1d 02:03:04");
    }
}
