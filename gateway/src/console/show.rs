//! What the `show` commands print, as plain text, and how text is laid out to
//! the terminal's width ([`wrap`]).

use std::fmt::Write as _;
use std::time::Duration;

use board::identity::{BoardDescription, PortKind};

use super::{Registration, Stats};
use crate::call::{CallView, PortView};

/// The terminal width assumed until the terminal says its own (the serial
/// console's classic 80 columns).
pub const WIDTH: usize = 80;
/// Narrowest width text is laid out to (a terminal reporting less is taken as
/// this wide).
pub const MIN_WIDTH: usize = 20;

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
            c.dialled.as_deref().or(c.caller.as_deref()).unwrap_or("-"),
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

/// The call-control lines of `show stats`: calls and RTP now, and since start,
/// and the gateway's memory.
pub fn stats(s: &Stats) -> String {
    let t = &s.since_start;
    let memory = s
        .resident_kb
        .map(|kb| format!("memory: resident {kb} kB\n"))
        .unwrap_or_default();
    let lines = format!(
        "ports {}  idle {}  busy {}\n\
         now          calls {}  RTP packets sent {}  received {}\n\
         since start  calls {}  answered {}  RTP packets sent {}  received {}\n",
        s.ports,
        s.ports_idle,
        s.ports - s.ports_idle.min(s.ports),
        s.calls_now,
        s.packets_now.0,
        s.packets_now.1,
        t.calls,
        t.answered,
        t.packets_sent,
        t.packets_received
    );
    lines + &memory
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

/// Words laid out in columns within `width` (completion lists).
pub fn columns(items: &[String], width: usize) -> String {
    let widest = items.iter().map(|i| i.len()).max().unwrap_or(0) + 2;
    let per_line = (width / widest.max(1)).max(1);
    let mut s = String::new();
    for row in items.chunks(per_line) {
        let line: String = row.iter().map(|i| format!("{i:<widest$}")).collect();
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

/// Lay `text` out to `width` columns: a longer line is broken at the last
/// space that fits, its continuation indented under the line's last column
/// (the text after a run of two or more spaces, as in `help`'s descriptions)
/// when that is in the left half, else under the line's own indentation. A
/// word longer than a line is cut.
pub fn wrap(text: &str, width: usize) -> String {
    let width = width.max(MIN_WIDTH);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        wrap_line(body, width, &mut out);
        out.push_str(nl);
    }
    out
}

fn wrap_line(line: &str, width: usize, out: &mut String) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= width {
        out.push_str(line);
        return;
    }
    let indent = hanging_indent(&chars, width);
    // The line's own indentation is never a place to break.
    let lead = chars.iter().take_while(|c| **c == ' ').count();
    let (mut rest, mut room, mut floor) = (&chars[..], width, lead);
    loop {
        if rest.len() <= room {
            out.extend(rest.iter());
            return;
        }
        let cut = rest
            .get(..=room)
            .and_then(|r| r.iter().rposition(|c| *c == ' '))
            .filter(|&i| i > floor);
        let (piece, next) = match cut {
            Some(i) => rest.split_at(i),
            None => rest.split_at(room),
        };
        out.push_str(piece.iter().collect::<String>().trim_end());
        rest = &next[next.iter().take_while(|c| **c == ' ').count()..];
        if rest.is_empty() {
            return;
        }
        out.push('\n');
        out.extend(std::iter::repeat_n(' ', indent));
        (room, floor) = (width - indent, 0);
    }
}

/// Where a wrapped line's continuation starts (see [`wrap`]).
fn hanging_indent(chars: &[char], width: usize) -> usize {
    let lead = chars.iter().take_while(|c| **c == ' ').count();
    let mut column = None;
    let mut spaces = 0;
    for (i, c) in chars.iter().enumerate().skip(lead) {
        if *c == ' ' {
            spaces += 1;
        } else {
            if spaces >= 2 {
                column = Some(i);
            }
            spaces = 0;
        }
    }
    match column {
        Some(c) if c <= width / 2 => c,
        _ if lead <= width / 2 => lead,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_word_boundaries() {
        let long = "x".repeat(170);
        let fitted = wrap(&format!("short\n{long}\nend"), WIDTH);
        assert!(fitted.lines().all(|l| l.len() <= WIDTH));
        assert_eq!(
            fitted.lines().count(),
            5,
            "a word longer than a line is cut"
        );
        assert!(fitted.ends_with("end"));

        let help =
            "  show log [COUNT]             recent log lines, the newest last, as many as asked";
        assert_eq!(
            wrap(help, 64),
            "  show log [COUNT]             recent log lines, the newest\n\
             \x20                              last, as many as asked"
        );
        // Wide enough: untouched.
        assert_eq!(wrap(help, 120), help);
        let prose = "% configuration: no saved configuration at /var/lib/gateway/config.toml, booted the factory defaults";
        let w = wrap(prose, 40);
        assert!(w.lines().all(|l| l.chars().count() <= 40), "{w}");
        assert_eq!(
            w.split_whitespace().collect::<Vec<_>>(),
            prose.split_whitespace().collect::<Vec<_>>()
        );
        assert!(w.lines().all(|l| !l.ends_with(' ')), "{w:?}");
        // Absurd widths are taken as the narrowest.
        assert!(wrap(&long, 3)
            .lines()
            .all(|l| l.len() == MIN_WIDTH || l.len() == 170 % MIN_WIDTH));
    }

    #[test]
    fn columns_fit() {
        let items: Vec<String> = (0..40).map(|i| format!("item-{i}")).collect();
        let c = columns(&items, WIDTH);
        assert!(c.lines().all(|l| l.len() <= WIDTH));
        assert!(c.contains("item-39"));
        assert_eq!(uptime(Duration::from_secs(93_784)), "1d 02:03:04");
    }
}
