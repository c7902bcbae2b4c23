//! The console's command table: words, arguments, help, and how abbreviations,
//! completion and `?` are resolved against it.
//!
//! A command is a fixed list of words followed by arguments. Every word may be
//! abbreviated to any unambiguous prefix (`sh po` = `show ports`), except the
//! disruptive ones, which must be typed in full. When several commands fit, the
//! one with most words wins (`show config saved` over `show config`).

/// Where a command can be typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The ordinary prompt.
    Exec,
    /// `configure` mode, editing a candidate configuration.
    Configure,
}

/// What an argument is, for completion and help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// A line port number.
    Port,
    /// A simulated phone's name.
    Phone,
    /// A configuration key.
    Key,
    /// Free text (a number to dial, a value, a count).
    Free,
}

/// One argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    /// Its name in help and usage (`PORT`).
    pub name: &'static str,
    /// What it is.
    pub kind: ArgKind,
    /// Whether it may be left out.
    pub optional: bool,
    /// It takes the rest of the line, spaces included (`set KEY VALUE`).
    pub rest: bool,
}

const fn arg(name: &'static str, kind: ArgKind) -> Arg {
    Arg {
        name,
        kind,
        optional: false,
        rest: false,
    }
}

/// One command.
#[derive(Debug)]
pub struct Command {
    /// Its words.
    pub words: &'static [&'static str],
    /// Its arguments.
    pub args: &'static [Arg],
    /// One line of help.
    pub help: &'static str,
    /// In exec mode.
    pub exec: bool,
    /// In configure mode.
    pub configure: bool,
}

impl Command {
    /// Whether it can be typed in `mode`.
    pub fn in_mode(&self, mode: Mode) -> bool {
        match mode {
            Mode::Exec => self.exec,
            Mode::Configure => self.configure,
        }
    }

    /// `show log [COUNT]`.
    pub fn usage(&self) -> String {
        let mut s = self.words.join(" ");
        for a in self.args {
            if a.optional {
                s.push_str(&format!(" [{}]", a.name));
            } else {
                s.push_str(&format!(" {}", a.name));
            }
        }
        s
    }
}

const PORT: &[Arg] = &[arg("PORT", ArgKind::Port)];
const KEY: &[Arg] = &[arg("KEY", ArgKind::Key)];

macro_rules! cmd {
    ($words:expr, $args:expr, $help:expr, exec) => {
        Command {
            words: $words,
            args: $args,
            help: $help,
            exec: true,
            configure: false,
        }
    };
    ($words:expr, $args:expr, $help:expr, configure) => {
        Command {
            words: $words,
            args: $args,
            help: $help,
            exec: false,
            configure: true,
        }
    };
    ($words:expr, $args:expr, $help:expr, both) => {
        Command {
            words: $words,
            args: $args,
            help: $help,
            exec: true,
            configure: true,
        }
    };
}

/// Every command.
pub const COMMANDS: &[Command] = &[
    cmd!(&["help"], &[], "list commands", both),
    cmd!(
        &["show", "ports"],
        &[],
        "line ports, their ANI and state",
        both
    ),
    cmd!(&["show", "calls"], &[], "calls in progress", both),
    cmd!(
        &["show", "sip", "registrations"],
        &[],
        "SIP accounts' registered contacts",
        both
    ),
    cmd!(&["show", "config"], &[], "the running configuration", both),
    cmd!(
        &["show", "config", "running"],
        &[],
        "the running configuration",
        both
    ),
    cmd!(
        &["show", "config", "saved"],
        &[],
        "the saved configuration",
        both
    ),
    cmd!(
        &["show", "config", "candidate"],
        &[],
        "the configuration being edited",
        configure
    ),
    cmd!(
        &["show", "changes"],
        &[],
        "keys changed and not committed",
        configure
    ),
    cmd!(
        &["show", "log"],
        &[Arg {
            name: "COUNT",
            kind: ArgKind::Free,
            optional: true,
            rest: false
        }],
        "recent log lines (default 20)",
        both
    ),
    cmd!(
        &["show", "stats"],
        &[],
        "uptime, ports, calls and console counters",
        both
    ),
    cmd!(&["show", "version"], &[], "firmware version", both),
    cmd!(
        &["show", "board"],
        &[],
        "board model, serial, MAC, ports and LEDs",
        both
    ),
    cmd!(
        &["show", "sim"],
        &[],
        "the simulated exchange's lines",
        both
    ),
    cmd!(&["version"], &[], "firmware version", exec),
    cmd!(
        &["upgrade"],
        &[arg("URL|PATH", ArgKind::Free)],
        "install a signed firmware bundle into the other slot and reboot into it",
        exec
    ),
    cmd!(
        &["sim", "call"],
        &[arg("PHONE", ArgKind::Phone), arg("NUMBER", ArgKind::Free)],
        "a simulated phone calls NUMBER",
        exec
    ),
    cmd!(&["hangup"], PORT, "hang up the call on a port", exec),
    cmd!(
        &["test", "line"],
        PORT,
        "seize an idle FXO line and check dial tone",
        exec
    ),
    cmd!(
        &["ring"],
        PORT,
        "ring the phone on an idle FXS port until answered",
        exec
    ),
    cmd!(&["configure"], &[], "edit the configuration", exec),
    cmd!(
        &["set"],
        &[
            arg("KEY", ArgKind::Key),
            Arg {
                name: "VALUE",
                kind: ArgKind::Free,
                optional: false,
                rest: true
            }
        ],
        "set a key (checked at once)",
        configure
    ),
    cmd!(
        &["unset"],
        KEY,
        "remove a key: its default applies",
        configure
    ),
    cmd!(
        &["commit"],
        &[],
        "make the changes the running configuration",
        configure
    ),
    cmd!(
        &["rollback"],
        &[],
        "discard the changes not committed",
        configure
    ),
    cmd!(
        &["save"],
        &[],
        "write the running configuration to flash",
        both
    ),
    cmd!(
        &["reload"],
        &[],
        "make the saved configuration the running one",
        exec
    ),
    cmd!(&["exit"], &[], "leave configure mode, or log out", both),
    cmd!(&["logout"], &[], "end the session", exec),
    cmd!(&["reboot"], &[], "restart the gateway (asks first)", exec),
    cmd!(
        &["factory-reset"],
        &[],
        "erase the saved configuration and restart (asks first)",
        exec
    ),
    cmd!(&["shutdown"], &[], "stop the gateway", exec),
    cmd!(
        &["terminal", "monitor"],
        &[],
        "show log lines on this terminal as they come",
        both
    ),
    cmd!(
        &["terminal", "no", "monitor"],
        &[],
        "stop showing log lines as they come",
        both
    ),
    cmd!(
        &["terminal", "width"],
        &[arg("COLUMNS", ArgKind::Free)],
        "lay text out to COLUMNS (0: the terminal's own width)",
        both
    ),
];

/// Help for the words that start several commands (`show`, `show sip`), what
/// `?` says of them.
pub const GROUPS: &[(&[&str], &str)] = &[
    (
        &["show"],
        "show the gateway's state, configuration and counters",
    ),
    (&["show", "sip"], "SIP state"),
    (&["sim"], "drive the simulated exchange (the demo board)"),
    (&["test"], "test a line port"),
    (&["terminal"], "this terminal: log monitor and width"),
    (&["terminal", "no"], "turn a terminal setting off"),
];

/// The help of the words `words`, which start several commands.
fn group_help(words: &[&str]) -> &'static str {
    GROUPS
        .iter()
        .find(|(w, _)| *w == words)
        .map_or("", |(_, help)| help)
}

/// Commands that must be typed in full (they are disruptive).
const UNABBREVIATED: &[&str] = &["shutdown", "reboot", "factory-reset"];

fn word_fits(full: &str, typed: &str) -> bool {
    if UNABBREVIATED.contains(&full) {
        full == typed
    } else {
        full.starts_with(typed)
    }
}

/// Why a line names no command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolveError {
    /// Nothing fits.
    Unknown,
    /// A command starts so but needs more words.
    Incomplete,
    /// Several fit equally: their names.
    Ambiguous(Vec<String>),
}

/// Match `typed` word by word: at each position the word must pick one of the
/// commands' words there (exactly, or as the only one it is a prefix of).
/// Returns the commands still possible and how many words were command words.
fn walk(mode: Mode, typed: &[String]) -> Result<(Vec<&'static Command>, usize), ResolveError> {
    let mut candidates: Vec<&'static Command> =
        COMMANDS.iter().filter(|c| c.in_mode(mode)).collect();
    for (i, t) in typed.iter().enumerate() {
        let mut words: Vec<&'static str> = candidates
            .iter()
            .filter_map(|c| c.words.get(i).copied())
            .filter(|w| word_fits(w, t))
            .collect();
        words.sort_unstable();
        words.dedup();
        // Of several words that fit here, keep those whose commands also fit
        // the words typed after it (`te li` is `test line`, not `terminal`).
        if words.len() > 1 && !words.contains(&t.as_str()) {
            let later: Vec<&'static str> = words
                .iter()
                .copied()
                .filter(|w| {
                    candidates
                        .iter()
                        .any(|c| c.words.get(i) == Some(w) && fits_after(c, typed, i))
                })
                .collect();
            if !later.is_empty() && i + 1 < typed.len() {
                words = later;
            }
        }
        let chosen = match words.as_slice() {
            [one] => *one,
            [] => return Ok((candidates, i)),
            many => match many.iter().find(|w| *w == t) {
                Some(exact) => *exact,
                None => {
                    let mut names: Vec<String> = candidates
                        .iter()
                        .filter(|c| c.words.get(i).is_some_and(|w| many.contains(w)))
                        .map(|c| c.words.get(..=i).unwrap_or(c.words).join(" "))
                        .collect();
                    names.dedup();
                    return Err(ResolveError::Ambiguous(names));
                }
            },
        };
        candidates.retain(|c| c.words.get(i) == Some(&chosen));
    }
    Ok((candidates, typed.len()))
}

/// Whether the words typed after position `i` fit `c`'s words there (those
/// past its words are its arguments and fit anything).
fn fits_after(c: &Command, typed: &[String], i: usize) -> bool {
    typed
        .iter()
        .enumerate()
        .skip(i + 1)
        .all(|(j, t)| c.words.get(j).is_none_or(|w| word_fits(w, t)))
}

fn lower(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_ascii_lowercase()).collect()
}

/// Resolve possibly abbreviated `words` in `mode`; the command's arguments are
/// `words[command.words.len()..]`.
pub fn resolve(mode: Mode, words: &[&str]) -> Result<&'static Command, ResolveError> {
    let (candidates, depth) = walk(mode, &lower(words))?;
    if let Some(c) = candidates.iter().find(|c| c.words.len() == depth) {
        return Ok(c);
    }
    if depth < words.len() || candidates.is_empty() || depth == 0 {
        Err(ResolveError::Unknown)
    } else {
        Err(ResolveError::Incomplete)
    }
}

/// What may come at the position after `done` (complete words) in `mode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// A command word, with a line of help.
    Word(&'static str, &'static str),
    /// An argument of a command.
    Argument(Arg),
    /// The line is a complete command: Enter runs it.
    End,
}

/// Everything that can follow the complete words `done` in `mode`.
pub fn next(mode: Mode, done: &[&str]) -> Vec<Next> {
    let typed = lower(done);
    let Ok((candidates, depth)) = walk(mode, &typed) else {
        return Vec::new();
    };
    let mut out: Vec<Next> = Vec::new();
    if depth == typed.len() {
        for c in &candidates {
            let Some(word) = c.words.get(depth) else {
                continue;
            };
            let help = if c.words.len() == depth + 1 {
                c.help
            } else {
                c.words.get(..=depth).map_or("", group_help)
            };
            match out
                .iter_mut()
                .find(|x| matches!(x, Next::Word(w, _) if w == word))
            {
                Some(Next::Word(_, h)) if h.is_empty() => *h = help,
                Some(_) => {}
                None => out.push(Next::Word(word, help)),
            }
        }
    }
    let Some(c) = candidates.iter().find(|c| c.words.len() == depth) else {
        return out;
    };
    let given = typed.len() - depth;
    if c.args.iter().take(given).any(|a| a.rest) {
        out.push(Next::End);
        return out;
    }
    match c.args.get(given) {
        Some(a) => {
            out.push(Next::Argument(*a));
            if a.optional {
                out.push(Next::End);
            }
        }
        None if given <= c.args.len() => out.push(Next::End),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(c: Result<&Command, ResolveError>) -> Result<String, ResolveError> {
        c.map(|c| c.words.join(" "))
    }

    #[test]
    fn abbreviations() {
        assert_eq!(
            words(resolve(Mode::Exec, &["sh", "po"])),
            Ok("show ports".into())
        );
        assert_eq!(
            words(resolve(Mode::Exec, &["sh", "conf", "sa"])),
            Ok("show config saved".into())
        );
        assert_eq!(
            words(resolve(Mode::Exec, &["sh", "conf"])),
            Ok("show config".into())
        );
        assert_eq!(
            words(resolve(Mode::Exec, &["sh", "log", "5"])),
            Ok("show log".into())
        );
        assert_eq!(
            resolve(Mode::Exec, &["sh"]).unwrap_err(),
            ResolveError::Incomplete
        );
        assert_eq!(
            resolve(Mode::Exec, &["frob"]).unwrap_err(),
            ResolveError::Unknown
        );
        assert!(matches!(
            resolve(Mode::Exec, &["s"]),
            Err(ResolveError::Ambiguous(_))
        ));
        assert!(matches!(
            resolve(Mode::Exec, &["sh", "c"]),
            Err(ResolveError::Ambiguous(_))
        ));
        // Words after an ambiguous one decide it.
        assert_eq!(
            words(resolve(Mode::Exec, &["te", "li", "0"])),
            Ok("test line".into())
        );
        assert_eq!(
            words(resolve(Mode::Exec, &["te", "mon"])),
            Ok("terminal monitor".into())
        );
        assert!(matches!(
            resolve(Mode::Exec, &["te"]),
            Err(ResolveError::Ambiguous(_))
        ));
        assert_eq!(words(resolve(Mode::Exec, &["sa"])), Ok("save".into()));
        // Disruptive commands only in full.
        assert_eq!(
            resolve(Mode::Exec, &["reb"]).unwrap_err(),
            ResolveError::Unknown
        );
        assert_eq!(words(resolve(Mode::Exec, &["reboot"])), Ok("reboot".into()));
        // Modes.
        assert_eq!(
            resolve(Mode::Exec, &["set", "a", "b"]).unwrap_err(),
            ResolveError::Unknown
        );
        assert_eq!(
            words(resolve(Mode::Configure, &["se", "a", "b"])),
            Ok("set".into())
        );
        assert_eq!(
            words(resolve(Mode::Configure, &["com"])),
            Ok("commit".into())
        );
    }

    #[test]
    fn what_comes_next() {
        let first = next(Mode::Exec, &[]);
        // Every word that starts several commands has help too.
        for n in &first {
            assert!(matches!(n, Next::Word(_, h) if !h.is_empty()), "{n:?}");
        }
        assert!(first.contains(&Next::Word(
            "show",
            "show the gateway's state, configuration and counters"
        )));
        assert!(first.contains(&Next::Word(
            "sim",
            "drive the simulated exchange (the demo board)"
        )));
        assert!(first.contains(&Next::Word("test", "test a line port")));
        assert!(next(Mode::Exec, &["show"]).contains(&Next::Word("sip", "SIP state")));
        assert!(first.contains(&Next::Word("configure", "edit the configuration")));
        assert!(!first.iter().any(|n| matches!(n, Next::Word("set", _))));
        let show = next(Mode::Exec, &["sh"]);
        assert!(show.contains(&Next::Word("ports", "line ports, their ANI and state")));
        let config = next(Mode::Exec, &["show", "config"]);
        assert!(config.contains(&Next::Word("saved", "the saved configuration")));
        assert!(config.contains(&Next::End));
        let hang = next(Mode::Exec, &["hangup"]);
        assert!(matches!(hang.as_slice(), [Next::Argument(a)] if a.kind == ArgKind::Port));
        assert_eq!(next(Mode::Exec, &["hangup", "1"]), [Next::End]);
        let set = next(Mode::Configure, &["set", "sip.listen"]);
        assert!(matches!(set.as_slice(), [Next::Argument(a)] if a.name == "VALUE"));
        assert_eq!(next(Mode::Configure, &["set", "k", "v", "w"]), [Next::End]);
        assert_eq!(next(Mode::Exec, &["version", "x"]), []);
    }
}
