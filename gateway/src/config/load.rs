//! Reading and validating the configuration file.

use std::collections::HashSet;
use std::path::Path;

use super::error::ConfigError;
use super::model::{BoardKind, CommandAction, Config, PortKindConfig};

/// Read and validate the configuration at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parse and validate configuration `text`; `path` is used in error messages.
pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
    let syntax = |line: Option<usize>, key: String, message: String| ConfigError::Syntax {
        path: path.to_path_buf(),
        line,
        key,
        message,
    };
    let deserializer = toml::Deserializer::parse(text).map_err(|e| {
        let key = e
            .span()
            .filter(|_| e.message() == "duplicate key")
            .and_then(|s| key_at(text, s))
            .unwrap_or_default();
        syntax(
            e.span().map(|s| line_at(text, s.start)),
            key,
            e.message().to_string(),
        )
    })?;
    let mut config: Config = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let line = inner
            .span()
            .map(|s| line_at(text, s.start))
            .or_else(|| line_of_key(text, &key));
        let key = if key == "." { String::new() } else { key };
        syntax(line, key, inner.message().to_string())
    })?;
    validate(&config)
        .and_then(|()| resolve_records_path(path, &mut config))
        .map_err(|(key, message)| ConfigError::Invalid {
            path: path.to_path_buf(),
            line: line_of_key(text, &key),
            key,
            message,
        })?;
    Ok(config)
}

/// Keep the call records inside the configuration's folder (the store): a
/// relative `records.path` is taken from that folder, an absolute one must
/// lie in it, and `..` is refused. The journal repairs (truncates) the file
/// it opens, so a path elsewhere would let a console user cut any file.
fn resolve_records_path(config_path: &Path, config: &mut Config) -> Result<(), Invalid> {
    use std::path::Component;
    let Some(records) = &config.records.path else {
        return Ok(());
    };
    let folder = match config_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let refuse = |why: String| Err(invalid("records.path", why));
    if records.components().any(|c| c == Component::ParentDir) {
        return refuse(format!("{} climbs out with `..`", records.display()));
    }
    let resolved = if records.is_absolute() {
        let inside = std::path::absolute(&folder)
            .map(|f| records.starts_with(f))
            .unwrap_or(false);
        if !inside {
            return refuse(format!(
                "{} is outside the configuration's folder {}; records stay in it",
                records.display(),
                folder.display()
            ));
        }
        records.clone()
    } else {
        folder.join(records)
    };
    config.records.path = Some(resolved);
    Ok(())
}

/// The 1-based line holding byte `offset`.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// The dotted path of the key whose name is at `span` (the TOML parser points
/// a duplicate key's error there): the table header in force, then the key as
/// written up to its name (`sip.listen`, `ports[1].ani`, `media` for a table
/// header written twice).
fn key_at(text: &str, span: std::ops::Range<usize>) -> Option<String> {
    let start = text.get(..span.start)?.rfind('\n').map_or(0, |i| i + 1);
    let written = text.get(start..span.end)?.trim();
    if let Some(header) = written.strip_prefix('[') {
        return Some(header.trim_start_matches('[').trim().to_string());
    }
    let before = text.get(..start)?;
    let Some(header) = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('['))
    else {
        return Some(written.to_string());
    };
    let table = match header.strip_prefix("[[") {
        Some(rest) => {
            let name = rest.split("]]").next().unwrap_or("").trim();
            let count = before
                .lines()
                .filter(|l| {
                    l.trim()
                        .strip_prefix("[[")
                        .and_then(|r| r.split("]]").next())
                        .is_some_and(|n| n.trim() == name)
                })
                .count();
            format!("{name}[{}]", count.saturating_sub(1))
        }
        None => header
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
    };
    Some(format!("{table}.{written}"))
}

/// Find the line of a dotted key path such as `ports[2].ani` or `sip.listen`:
/// tables by their headers, array entries by counting `[[name]]` headers, and the
/// last segment by its `key =` line. Returns `None` when the key is not written in
/// the file (e.g. a missing required key).
fn line_of_key(text: &str, key: &str) -> Option<usize> {
    let lines: Vec<&str> = text.lines().collect();
    let mut from = 0usize;
    let mut table = String::new();
    let segments: Vec<&str> = key.split('.').filter(|s| !s.is_empty()).collect();
    let mut found = None;
    for (i, segment) in segments.iter().enumerate() {
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let full = if table.is_empty() {
            name.to_string()
        } else {
            format!("{table}.{name}")
        };
        let last = i + 1 == segments.len();
        let header = index.and_then(|index| {
            let header = format!("[[{full}]]");
            lines
                .iter()
                .enumerate()
                .skip(from)
                .filter(|(_, l)| l.trim() == header)
                .nth(index)
        });
        if let Some(hit) = header {
            from = hit.0 + 1;
            found = Some(from);
            table = full;
        } else if index.is_some() && !lines.iter().skip(from).any(|l| is_key_line(l, name)) {
            // Not a table of its own nor a line of its own: an entry of an
            // inline table (`hours = { mon = [..] }`) is on its parent's line;
            // an array of tables entry that is not written has none.
            return found;
        } else if !last
            && lines
                .iter()
                .skip(from)
                .any(|l| l.trim() == format!("[{full}]"))
        {
            let hit = lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| l.trim() == format!("[{full}]"))?;
            from = hit.0 + 1;
            found = Some(from);
            table = full;
        } else {
            // A key, or an entry of an inline array (`mon[1]`: the `mon =` line).
            let hit = lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| is_key_line(l, name));
            if let Some((n, _)) = hit {
                from = n + 1;
                found = Some(from);
            }
            table = full;
        }
    }
    found
}

/// Whether `line` sets `name` (`name = …`).
fn is_key_line(line: &str, name: &str) -> bool {
    line.trim_start()
        .strip_prefix(name)
        .is_some_and(|rest| rest.trim_start().starts_with('='))
}

type Invalid = (String, String);

fn invalid(key: impl Into<String>, message: impl Into<String>) -> Invalid {
    (key.into(), message.into())
}

fn validate(config: &Config) -> Result<(), Invalid> {
    config.sip.validate()?;
    if config.board.tones.parse::<dsp::tone::Plan>().is_err() {
        return Err(invalid(
            "board.tones",
            format!(
                "unknown tone plan {:?} (expected \"north-america\" or \"cept\")",
                config.board.tones
            ),
        ));
    }
    if config.media.codecs.is_empty() {
        return Err(invalid("media.codecs", "at least one codec is needed"));
    }
    if !(96..=127).contains(&config.media.telephone_event_payload_type) {
        return Err(invalid(
            "media.telephone_event_payload_type",
            "a dynamic payload type must be between 96 and 127",
        ));
    }
    if config.api.allow_anonymous && !config.api.listen.ip().is_loopback() {
        return Err(invalid(
            "api.allow_anonymous",
            format!(
                "anonymous API access is allowed only on a loopback address, not {}",
                config.api.listen
            ),
        ));
    }
    validate_merchants(config)?;
    if let Some(call_server) = &config.call_server {
        call_server.build(config)?;
    }
    validate_console(config)?;
    validate_ports(config)?;
    validate_routes(config)?;
    validate_commands(&config.commands, "commands")?;
    validate_command_tables(config)?;
    super::board::validate(config)?;
    if !(2..=3600).contains(&config.board.watchdog_timeout_s) {
        return Err(invalid(
            "board.watchdog_timeout_s",
            "between 2 and 3600 seconds (it is fed every second)",
        ));
    }
    if config.board.kind == BoardKind::Hardware {
        let Some(hw) = &config.hardware else {
            return Err(invalid(
                "hardware",
                "board.kind = \"hardware\" needs a [hardware] table describing the card",
            ));
        };
        if let Err(e) = hw.validate() {
            return Err(invalid("hardware", e.to_string()));
        }
        if hw.ports.len() != config.ports.len() {
            return Err(invalid(
                "hardware.ports",
                format!(
                    "the card has {} ports but [[ports]] lists {}",
                    hw.ports.len(),
                    config.ports.len()
                ),
            ));
        }
    }
    if config.board.kind == BoardKind::Simulated {
        let Some(sim) = &config.simulation else {
            return Err(invalid(
                "simulation",
                "board.kind = \"simulated\" needs a [simulation] table describing the exchange",
            ));
        };
        let board: Option<dsp::tone::Plan> = config.board.tones.parse().ok();
        if board != Some(sim.tones.dsp_plan()) {
            return Err(invalid(
                "simulation.tones",
                format!(
                    "the simulated exchange's tone plan must match board.tones ({:?})",
                    config.board.tones
                ),
            ));
        }
    }
    Ok(())
}

fn validate_merchants(config: &Config) -> Result<(), Invalid> {
    let mut ids = HashSet::new();
    let mut tokens: HashSet<&str> = config.api.admin_tokens.iter().map(String::as_str).collect();
    if config.api.admin_tokens.iter().any(|t| t.len() < 8) {
        return Err(invalid(
            "api.admin_tokens",
            "tokens must have at least 8 characters",
        ));
    }
    for (i, a) in config.sip.accounts.iter().enumerate() {
        if let Some(m) = &a.merchant {
            if !config.merchants.iter().any(|x| x.id == *m) {
                return Err(invalid(
                    format!("sip.accounts[{i}].merchant"),
                    format!("no [[merchants]] has id {m:?}"),
                ));
            }
        }
    }
    for (i, m) in config.merchants.iter().enumerate() {
        if m.id.is_empty() || !ids.insert(m.id.as_str()) {
            return Err(invalid(
                format!("merchants[{i}].id"),
                "merchant ids must be unique and not empty",
            ));
        }
        if let Some(url) = &m.webhook_url {
            if super::webhook_url::parse_url(url).is_none() {
                return Err(invalid(
                    format!("merchants[{i}].webhook_url"),
                    format!("{url:?} is not an http://host:port/path URL with an IP address"),
                ));
            }
        }
        for t in &m.api_tokens {
            if t.len() < 8 || !tokens.insert(t.as_str()) {
                return Err(invalid(
                    format!("merchants[{i}].api_tokens"),
                    "tokens must have at least 8 characters and be unique across merchants",
                ));
            }
        }
    }
    Ok(())
}

fn validate_console(config: &Config) -> Result<(), Invalid> {
    let console = &config.console;
    if console.baud == 0 {
        return Err(invalid("console.baud", "the serial speed must be above 0"));
    }
    if console.max_login_failures == 0 {
        return Err(invalid(
            "console.max_login_failures",
            "at least 1 failed login before the lock-out",
        ));
    }
    let mut names = HashSet::new();
    for (i, user) in console.users.iter().enumerate() {
        let name_ok = !user.name.is_empty()
            && user.name.len() <= 32
            && user
                .name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
        if !name_ok || !names.insert(user.name.as_str()) {
            return Err(invalid(
                format!("console.users[{i}].name"),
                "names are unique, 1-32 letters, digits, '-', '_' or '.'",
            ));
        }
        if let Err(e) = super::password_hash::check_hash(&user.password_hash) {
            return Err(invalid(format!("console.users[{i}].password_hash"), e));
        }
    }
    Ok(())
}

fn validate_ports(config: &Config) -> Result<(), Invalid> {
    if config.ports.is_empty() {
        return Err(invalid("ports", "at least one [[ports]] entry is needed"));
    }
    let mut seen = HashSet::new();
    let mut anis = HashSet::new();
    for (i, port) in config.ports.iter().enumerate() {
        if usize::from(port.port) != i {
            return Err(invalid(
                format!("ports[{i}].port"),
                format!(
                    "ports must be listed in order from 0; expected {i}, found {}",
                    port.port
                ),
            ));
        }
        if !seen.insert(port.port) {
            return Err(invalid(format!("ports[{i}].port"), "duplicate port"));
        }
        let digits = port.ani.strip_prefix('+').unwrap_or(&port.ani);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid(
                format!("ports[{i}].ani"),
                format!("ANI {:?} must be digits, optionally after '+'", port.ani),
            ));
        }
        if !anis.insert(port.ani.clone()) {
            return Err(invalid(
                format!("ports[{i}].ani"),
                format!("ANI {} is already used by another port", port.ani),
            ));
        }
        if let Some(uri) = &port.inbound_uri {
            if sip::message::Uri::parse(uri).is_err() || !uri.starts_with("sip") {
                return Err(invalid(
                    format!("ports[{i}].inbound_uri"),
                    format!("{uri:?} is not a SIP URI"),
                ));
            }
        }
        if config.board.kind == BoardKind::Simulated && port.kind != PortKindConfig::Fxo {
            return Err(invalid(
                format!("ports[{i}].kind"),
                "the simulated board has only FXO ports",
            ));
        }
    }
    Ok(())
}

fn validate_routes(config: &Config) -> Result<(), Invalid> {
    for (i, route) in config.routes.iter().enumerate() {
        if !route
            .prefix
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#')
        {
            return Err(invalid(
                format!("routes[{i}].prefix"),
                "a prefix is made of dial digits",
            ));
        }
        if let Some(ports) = &route.ports {
            for p in ports {
                match config.ports.get(usize::from(*p)) {
                    Some(port) if port.kind == PortKindConfig::Fxo => {}
                    Some(_) => {
                        return Err(invalid(
                            format!("routes[{i}].ports"),
                            format!("port {p} is not an FXO port"),
                        ))
                    }
                    None => {
                        return Err(invalid(
                            format!("routes[{i}].ports"),
                            format!("there is no port {p}"),
                        ))
                    }
                }
            }
        }
        if let Some(uri) = &route.uri {
            if route.ports.is_some() || route.destination.is_some() {
                return Err(invalid(
                    format!("routes[{i}].uri"),
                    "a route goes to a SIP URI or to ports, not both",
                ));
            }
            if let Err(e) = sip::Uri::parse(uri) {
                return Err(invalid(
                    format!("routes[{i}].uri"),
                    format!("{uri:?} is not a SIP URI: {e}"),
                ));
            }
        }
        let dial = route.destination.as_deref().unwrap_or(&route.prepend);
        if dial
            .chars()
            .any(|c| dsp::dtmf::Digit::from_char(c).is_none())
        {
            return Err(invalid(
                format!("routes[{i}]"),
                format!("{dial:?} contains characters that cannot be dialled"),
            ));
        }
    }
    Ok(())
}

fn validate_command_tables(config: &Config) -> Result<(), Invalid> {
    let mut names = HashSet::new();
    for (i, table) in config.command_tables.iter().enumerate() {
        let key = format!("command_tables[{i}]");
        match &table.name {
            Some(n) if !n.is_empty() && names.insert(n.as_str()) => {}
            _ => {
                return Err(invalid(
                    format!("{key}.name"),
                    "each table needs a unique name",
                ))
            }
        }
        validate_commands(table, &key)?;
    }
    let known = |name: &Option<String>| name.as_ref().is_none_or(|n| names.contains(n.as_str()));
    for (i, port) in config.ports.iter().enumerate() {
        if !known(&port.command_table) {
            return Err(invalid(
                format!("ports[{i}].command_table"),
                "no [[command_tables]] has this name",
            ));
        }
    }
    for (i, route) in config.routes.iter().enumerate() {
        if !known(&route.command_table) {
            return Err(invalid(
                format!("routes[{i}].command_table"),
                "no [[command_tables]] has this name",
            ));
        }
    }
    Ok(())
}

fn validate_commands(
    commands: &crate::config::CommandsConfig,
    prefix: &str,
) -> Result<(), Invalid> {
    if dsp::dtmf::Digit::from_char(commands.start_key).is_none() {
        return Err(invalid(
            format!("{prefix}.start_key"),
            "the start key must be a DTMF key",
        ));
    }
    if let Some(channel) = &commands.channel {
        if dsp::dtmf::Digit::from_char(channel.key).is_none() || channel.key.is_ascii_digit() {
            return Err(invalid(
                format!("{prefix}.channel.key"),
                "the channel key must be a DTMF key other than 0-9",
            ));
        }
        if !(1..=8).contains(&channel.digits) {
            return Err(invalid(
                format!("{prefix}.channel.digits"),
                "between 1 and 8 digits",
            ));
        }
    }
    let mut seen: Vec<&str> = Vec::new();
    for (i, seq) in commands.sequences.iter().enumerate() {
        let key = format!("{prefix}.sequence[{i}].digits");
        if seq.digits.len() < 2 || !seq.digits.starts_with(commands.start_key) {
            return Err(invalid(
                key,
                format!(
                    "{:?} must start with the start key {:?} and have at least one more digit",
                    seq.digits, commands.start_key
                ),
            ));
        }
        if seq.digits.len() > super::MAX_SEQUENCE_DIGITS {
            return Err(invalid(
                key,
                format!("at most {} digits", super::MAX_SEQUENCE_DIGITS),
            ));
        }
        if seq
            .digits
            .chars()
            .any(|c| dsp::dtmf::Digit::from_char(c).is_none())
        {
            return Err(invalid(
                key,
                format!("{:?} is not a DTMF sequence", seq.digits),
            ));
        }
        if let Some(other) = seen
            .iter()
            .find(|o| o.starts_with(seq.digits.as_str()) || seq.digits.starts_with(**o))
        {
            return Err(invalid(
                key,
                format!(
                    "{:?} and {:?} overlap: one is a prefix of the other",
                    seq.digits, other
                ),
            ));
        }
        if let Some(channel) = &commands.channel {
            let second = seq.digits.chars().nth(1);
            if seq.digits.starts_with(channel.key) && second.is_some_and(|c| c.is_ascii_digit()) {
                return Err(invalid(
                    key,
                    format!(
                        "{:?} collides with the channel code {}NN",
                        seq.digits, channel.key
                    ),
                ));
            }
        }
        seen.push(&seq.digits);
        if seq.action == CommandAction::LinkDesk {
            return Err(invalid(
                format!("{prefix}.sequence[{i}].action"),
                "link-desk is the channel code: configure it in [commands.channel]",
            ));
        }
        if seq.action == CommandAction::PushPage && seq.url.is_none() {
            return Err(invalid(
                format!("{prefix}.sequence[{i}].url"),
                "push-page needs a url",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_of_nested_keys() {
        let text = "[sip]\nlisten = \"x\"\n\n[[ports]]\nport = 0\nani = \"1\"\n[[ports]]\nport = 1\nani = \"2\"\n";
        assert_eq!(line_of_key(text, "sip.listen"), Some(2));
        assert_eq!(line_of_key(text, "ports[1].ani"), Some(9));
        assert_eq!(line_of_key(text, "ports[0]"), Some(4));
        assert_eq!(line_of_key(text, "nothing.here"), None);
    }

    #[test]
    fn a_duplicate_key_is_named() {
        for (text, line, key) in [
            ("[sip]\nlisten = \"a\"\nlisten = \"b\"\n", 3, "sip.listen"),
            (
                "[[ports]]\nport = 0\n[[ports]]\nport = 1\nport = 2\n",
                5,
                "ports[1].port",
            ),
            ("[sip]\nlisten = \"a\"\n[media]\n[sip]\n", 4, "sip"),
            ("log.level = \"x\"\nlog.level = \"y\"\n", 2, "log.level"),
        ] {
            let e = parse(Path::new("f.toml"), text).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("f.toml:{line}: key `{key}`: duplicate key"),
                "{text:?}"
            );
        }
    }
}
