//! Which settings a running gateway can take without a restart.
//!
//! Live: the routes, the DTMF command tables, the ports' ANIs and inbound URIs
//! (calls in progress keep what they started with, none is dropped), and the
//! console's own settings. Everything else (sockets, codecs, the board, line
//! timings, the simulated exchange, the number of ports, logging) is read once at
//! start: a commit records it and says that a reboot applies it.

use super::Config;

/// Whether the key (as `edit` writes it: `ports[1].ani`) applies live.
pub fn is_live(key: &str) -> bool {
    const LIVE_PREFIXES: &[&str] = &[
        "routes",
        "commands.",
        "console.idle_timeout_s",
        "console.max_login_failures",
        "console.users",
    ];
    if LIVE_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return true;
    }
    // ports[N].ani and ports[N].inbound_uri, but not adding or removing a port.
    key.strip_prefix("ports[")
        .and_then(|rest| rest.split_once("]."))
        .is_some_and(|(_, field)| field == "ani" || field == "inbound_uri")
}

/// What the gateway should run after a commit: `effective` (what it runs now)
/// with the live settings of `committed` taken over, and the rest left alone.
/// When `committed` has a different number of ports, its port settings wait for
/// the reboot too.
pub fn merge(effective: &Config, committed: &Config) -> Config {
    let mut next = effective.clone();
    next.routes.clone_from(&committed.routes);
    next.commands.clone_from(&committed.commands);
    next.console.idle_timeout_s = committed.console.idle_timeout_s;
    next.console.max_login_failures = committed.console.max_login_failures;
    next.console.users.clone_from(&committed.console.users);
    if next.ports.len() == committed.ports.len() {
        for (port, new) in next.ports.iter_mut().zip(&committed.ports) {
            port.ani.clone_from(&new.ani);
            port.inbound_uri.clone_from(&new.inbound_uri);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_keys() {
        for k in [
            "routes[0].prefix",
            "commands.sequence[1].digits",
            "commands.interdigit_timeout_ms",
            "ports[3].ani",
            "ports[0].inbound_uri",
            "console.idle_timeout_s",
        ] {
            assert!(is_live(k), "{k}");
        }
        for k in [
            "sip.listen",
            "ports[0].kind",
            "ports[4].port",
            "media.codecs",
            "console.device",
            "line.dial_tone_wait_ms",
            "log.level",
        ] {
            assert!(!is_live(k), "{k}");
        }
    }

    /// `is_live` and `merge` are two lists of the same keys: a key is live
    /// exactly when changing it changes what `merge` gives the running gateway.
    #[test]
    fn merge_takes_exactly_the_live_keys() {
        use crate::config::edit::Editable;
        use crate::config::parse;
        use std::path::Path;

        let base = include_str!("../../../config/demo.toml");
        let effective = parse(Path::new("demo.toml"), base).expect("demo config");
        for (key, value) in [
            ("routes[0].prefix", "9"),
            ("commands.interdigit_timeout_ms", "4000"),
            ("commands.sequence[0].digits", "*77"),
            ("ports[1].ani", "4155550999"),
            ("ports[0].inbound_uri", "sip:other@127.0.0.1:5091"),
            ("console.idle_timeout_s", "120"),
            ("console.max_login_failures", "7"),
            ("sip.listen", "127.0.0.1:5070"),
            ("rtp.port_base", "30000"),
            ("media.echo_tail_ms", "64"),
            ("media.dtmf_squelch_lookahead_ms", "19"),
            ("line.dial_tone_wait_ms", "2500"),
            ("console.device", "/dev/ttyS1"),
            ("log.level", "debug"),
            ("api.listen", "127.0.0.1:8081"),
        ] {
            let mut edited = Editable::from_text(base).expect("demo text");
            edited.set(key, value).expect(key);
            let committed = edited.validate().expect(key);
            let merged = merge(&effective, &committed);
            let changed = format!("{merged:?}") != format!("{effective:?}");
            assert_eq!(changed, is_live(key), "{key} = {value}");
        }
    }
}
