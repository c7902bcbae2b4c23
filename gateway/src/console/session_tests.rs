//! The console session on a virtual clock with a fake gateway: bytes in,
//! screen out, no thread and no sleep.

use std::sync::Arc;
use std::time::{Duration, Instant};

use board::identity::BoardDescription;

use super::session::{Action, Session, Setup, ASK_WIDTH, CONFIG_PROMPT, PROMPT};
use super::{password, Backend, LogRing, Registration};
use crate::call::{CallView, PortView};
use crate::config::{self, Config};
use crate::line::PortTestError;

const DEMO: &str = include_str!("../../../config/demo.toml");

/// A gateway whose ports 0 and 1 are FXO and 2 and 3 FXS; port 1 is in a call.
#[derive(Default)]
struct Fake {
    applied: Vec<Arc<Config>>,
    hung_up: Vec<u8>,
    /// Ports a test was started on, `(command, port)`.
    tests: Vec<(&'static str, u8)>,
    last_test: Option<String>,
}

impl Fake {
    fn start(&mut self, command: &'static str, port: u8) -> Result<String, String> {
        let id = drivers::PortId(port);
        let fxo = port < 2;
        let refused = match (command, fxo) {
            ("test line", false) => Some(PortTestError::NotFxo(id)),
            ("ring", true) => Some(PortTestError::NotFxs(id)),
            ("test line", true) if port == 1 => Some(PortTestError::Busy {
                port: id,
                state: "connected",
            }),
            _ => None,
        };
        if let Some(e) = refused {
            return Err(e.to_string());
        }
        self.tests.push((command, port));
        Ok(format!("port {port}: {command} started\n"))
    }
}

impl Backend for Fake {
    fn ports(&self) -> Vec<PortView> {
        vec![PortView {
            port: 0,
            kind: "fxo",
            ani: "4155550100".into(),
            state: "idle",
            inbound_uri: None,
            call_id: None,
            last_test: self.last_test.clone(),
        }]
    }
    fn calls(&self) -> Vec<CallView> {
        Vec::new()
    }
    fn registrations(&self) -> Vec<Registration> {
        Vec::new()
    }
    fn sim_status(&self) -> Option<Vec<String>> {
        None
    }
    fn sim_call(&mut self, phone: &str, _: &str) -> Result<(), String> {
        if phone == "customer" {
            Ok(())
        } else {
            Err(format!("no phone named {phone}"))
        }
    }
    fn hang_up(&mut self, port: u8) -> Result<String, String> {
        self.hung_up.push(port);
        Ok("call-1".into())
    }
    fn test_line(&mut self, port: u8) -> Result<String, String> {
        self.start("test line", port)
    }
    fn ring(&mut self, port: u8) -> Result<String, String> {
        self.start("ring", port)
    }
    fn apply_live(&mut self, config: Arc<Config>) {
        self.applied.push(config);
    }
    fn stats(&self) -> super::Stats {
        super::Stats {
            ports: 4,
            ports_idle: 3,
            calls_now: 1,
            packets_now: (50, 49),
            since_start: crate::call::CallTotals {
                calls: 7,
                answered: 5,
                packets_sent: 4000,
                packets_received: 3990,
            },
            resident_kb: Some(8316),
        }
    }
}

/// A session, its fake gateway and a virtual clock.
struct Bench {
    session: Session,
    backend: Fake,
    now: Instant,
    log: LogRing,
}

fn with_login(text: &str) -> String {
    let hash = password::hash_with("opensesame", [3; 16], 64, 1).unwrap();
    format!("{text}\n[[console.users]]\nname = \"admin\"\npassword_hash = \"{hash}\"\n")
        .replace("[console]\n", "[console]\nidle_timeout_s = 60\n")
}

impl Bench {
    fn new(text: &str) -> Bench {
        Bench::on_terminal(text, false)
    }

    /// `ask_width`: the session asks the terminal for its width.
    fn on_terminal(text: &str, ask_width: bool) -> Bench {
        let config = config::parse(std::path::Path::new("test.toml"), text).unwrap();
        let now = Instant::now();
        let log = LogRing::default();
        let session = Session::new(
            now,
            Setup {
                running_text: Some(text.to_string()),
                config: Arc::new(config),
                saved_text: None,
                save_target: Some("/flash/config.toml".into()),
                notes: vec!["booted the factory default configuration".into()],
                board: BoardDescription::simulated(),
                log: log.clone(),
                ask_width,
            },
        );
        Bench {
            session,
            backend: Fake::default(),
            now,
            log,
        }
    }

    /// Type `bytes`, run the session's actions as a driver would (passwords
    /// really checked, saves succeed), and return the screen text.
    fn type_(&mut self, bytes: &str) -> String {
        self.session
            .handle_input(self.now, bytes.as_bytes(), &mut self.backend);
        self.drive()
    }

    fn drive(&mut self) -> String {
        let mut screen = String::new();
        loop {
            while let Some(out) = self.session.poll_output() {
                screen.push_str(&String::from_utf8_lossy(&out));
            }
            let Some(action) = self.session.poll_action() else {
                return screen;
            };
            match action {
                Action::VerifyPassword { password, hash, .. } => {
                    let ok = password::verify(&password, hash.as_deref());
                    self.session.handle_verified(self.now, ok);
                }
                Action::Save { text } => {
                    self.session
                        .handle_saved(&text, Ok("/flash/config.toml".into()));
                }
                other => screen.push_str(&format!("<{other:?}>")),
            }
            self.session.handle_input(self.now, &[], &mut self.backend);
        }
    }

    fn advance(&mut self, d: Duration) -> String {
        self.now += d;
        if self.session.poll_timeout().is_some_and(|t| self.now >= t) {
            self.session.handle_timeout(self.now);
        }
        self.drive()
    }
}

#[test]
fn banner_notes_and_prompt_without_login() {
    let mut b = Bench::new(DEMO);
    let screen = b.drive();
    assert!(screen.contains("% booted the factory default configuration\r\n"));
    assert!(screen.ends_with(PROMPT), "{screen:?}");
    let out = b.type_("sh po\r");
    assert!(out.contains("4155550100"), "{out:?}");
    assert!(out.ends_with(PROMPT));
    assert!(b
        .type_("frobnicate\r")
        .contains("% unknown command: frobnicate\r\n"));
    assert!(b.type_("logout\r").contains("% no login is configured"));
}

#[test]
fn login_lock_out_grows_and_ends() {
    let mut b = Bench::new(&with_login(DEMO));
    assert!(b.drive().ends_with("login: "));
    // The password is not echoed.
    let out = b.type_("admin\rwrong\r");
    assert!(!out.contains("wrong"), "{out:?}");
    assert!(out.contains("% login incorrect\r\nlogin: "), "{out:?}");
    b.type_("admin\rwrong\r");
    let out = b.type_("nobody\ropensesame\r");
    assert!(out.contains("locked for 5 s"), "{out:?}");
    // Locked: even the right password is not looked at.
    let out = b.type_("admin\r");
    assert!(out.contains("% locked: try again in"), "{out:?}");
    assert!(b.advance(Duration::from_secs(5)).ends_with("login: "));
    // A fourth failure locks for twice as long.
    assert!(b.type_("admin\rbad\r").contains("locked for 10 s"));
    b.advance(Duration::from_secs(10));
    let out = b.type_("admin\ropensesame\r");
    assert!(out.ends_with(PROMPT), "{out:?}");
    assert!(b.type_("sh stat\r").contains("console logins 1  failed 4"));
}

#[test]
fn idle_logout() {
    let mut b = Bench::new(&with_login(DEMO));
    b.type_("admin\ropensesame\r");
    assert_eq!(b.advance(Duration::from_secs(59)), "");
    let out = b.advance(Duration::from_secs(1));
    assert!(out.contains("% idle for 60 s: logged out"), "{out:?}");
    assert!(out.ends_with("login: "));
    // The history went with the session.
    b.type_("admin\ropensesame\r");
    assert_eq!(b.type_("\x1b[A"), "");
}

#[test]
fn tab_completes_commands_and_arguments() {
    let mut b = Bench::new(DEMO);
    b.drive();
    // `sh` could be show or shutdown: both are listed.
    let out = b.type_("sh\t");
    assert!(out.contains("show      shutdown"), "{out:?}");
    assert_eq!(b.type_("o\t"), "ow ");
    assert_eq!(b.type_("po\t"), "ports ");
    b.type_("\x15");
    // Several ports: Tab lists them and redraws the line.
    let out = b.type_("hangup \t");
    assert!(out.contains("0  1  2  3"), "{out:?}");
    assert!(out.ends_with(&format!("{PROMPT}hangup ")), "{out:?}");
    assert!(b.type_("2\r").contains("port 2: call call-1 hung up"));
    assert_eq!(b.backend.hung_up, [2]);
    // Phone names.
    assert_eq!(b.type_("sim call c\t"), "sim call customer ");
    b.type_("\x15");
    // Config keys in configure mode.
    b.type_("configure\r");
    assert_eq!(b.type_("set ports[1].a\t"), "set ports[1].ani ");
    b.type_("\x15");
    assert_eq!(b.type_("set sip.lis\t"), "set sip.listen ");
    b.type_("\x15");
    // Nothing fits: a bell.
    assert_eq!(b.type_("zz\t"), "zz\x07");
}

#[test]
fn question_mark_lists_what_comes_next() {
    let mut b = Bench::new(DEMO);
    b.drive();
    let out = b.type_("?");
    assert!(out.contains("show"), "{out:?}");
    assert!(out.contains("configure"));
    assert!(out.ends_with(PROMPT));
    // Words that start several commands are described too.
    assert!(out.contains("show the gateway's state"), "{out:?}");
    assert!(out.contains("drive the simulated exchange"), "{out:?}");
    assert!(out.contains("test a line port"), "{out:?}");
    let out = b.type_("show ?");
    assert!(out.contains("ports"), "{out:?}");
    assert!(out.contains("SIP state"), "{out:?}");
    assert!(out.contains("line ports, their ANI and state"));
    assert!(out.ends_with(&format!("{PROMPT}show ")), "{out:?}");
    b.type_("\x15");
    let out = b.type_("show config ?");
    assert!(out.contains("saved") && out.contains("<cr>"), "{out:?}");
    b.type_("\x15");
    let out = b.type_("hangup ?");
    assert!(out.contains("0") && out.contains("3"), "{out:?}");
    b.type_("\x15");
    // `?` typed as the whole line: the command list.
    let out = b.type_("s?");
    assert!(
        out.contains("show") && out.contains("save") && out.contains("sim"),
        "{out:?}"
    );
}

#[test]
fn configure_set_commit_save_rollback() {
    let mut b = Bench::new(DEMO);
    b.drive();
    assert!(b.type_("conf\r").ends_with(CONFIG_PROMPT));
    // A bad value: one line naming the key, and nothing changes.
    let out = b.type_("set ports[1].ani 41555x0101\r");
    let (echo, out) = out.split_once("\r\n").unwrap();
    assert_eq!(echo, "set ports[1].ani 41555x0101");
    assert_eq!(
        out,
        format!(
            "% ports[1].ani: ANI \"41555x0101\" must be digits, optionally after '+'\r\n{CONFIG_PROMPT}"
        )
    );
    assert!(b
        .type_("set sip.listen nowhere\r")
        .contains("\r\n% sip.listen:"));
    assert!(b.type_("set no.such.key 1\r").contains("\r\n% "));
    assert!(b.type_("show changes\r").contains("no changes"));
    // A live key and a restart key.
    assert_eq!(
        b.type_("set ports[1].ani 4155550199\r"),
        format!("set ports[1].ani 4155550199\r\n{CONFIG_PROMPT}")
    );
    b.type_("set sip.listen 127.0.0.1:5070\r");
    let out = b.type_("sh changes\r");
    assert!(
        out.contains("ports[1].ani: \"4155550101\" -> \"4155550199\""),
        "{out:?}"
    );
    let out = b.type_("exit\r");
    assert!(out.contains("uncommitted changes"), "{out:?}");
    let out = b.type_("commit\r");
    assert!(out.contains("committed 2 change(s)"), "{out:?}");
    assert!(
        out.contains("applied now, calls kept: ports[1].ani"),
        "{out:?}"
    );
    assert!(
        out.contains("% needs a restart (save, then reboot): sip.listen"),
        "{out:?}"
    );
    let applied = b.backend.applied.last().expect("applied live");
    assert_eq!(applied.ports[1].ani, "4155550199");
    assert_eq!(applied.sip.listen.port(), 5060, "restart keys wait");
    // Rollback discards what is not committed.
    b.type_("set ports[2].ani 1\r");
    assert!(b.type_("rollback\r").contains("changes discarded"));
    assert!(b.type_("show changes\r").contains("no changes"));
    let out = b.type_("save\r");
    assert!(out.contains("saved to /flash/config.toml"), "{out:?}");
    assert!(b.type_("exit\r").ends_with(PROMPT));
    let saved = b.type_("show config saved\r");
    assert!(saved.contains("4155550199") && saved.contains("127.0.0.1:5070"));
    // reload: the saved one is the running one already.
    assert!(b.type_("reload\r").contains("is the saved one"));
}

#[test]
fn reboot_and_factory_reset_ask_first() {
    let mut b = Bench::new(DEMO);
    b.drive();
    let out = b.type_("reboot\r");
    assert!(out.contains("Restart the gateway?") && out.ends_with("[yes/no] "));
    assert!(b.type_("no\r").contains("% cancelled"));
    assert!(
        b.type_("rebo\r").contains("% unknown command"),
        "only in full"
    );
    b.type_("factory-reset\r");
    let out = b.type_("yes\r");
    assert!(out.contains("<FactoryReset>"), "{out:?}");
    // The session is over: nothing more is read.
    assert_eq!(b.type_("show ports\r"), "");
}

#[test]
fn everything_fits_80_columns() {
    let mut b = Bench::new(DEMO);
    let mut screen = b.drive();
    for line in [
        "help\r",
        "show config\r",
        "show board\r",
        "show stats\r",
        "show log\r",
        "?",
        "\x15show ?",
        "\x15configure\r",
        "?",
        "\x15set ?",
        "\x15set \t",
    ] {
        screen.push_str(&b.type_(line));
    }
    for line in screen.split("\r\n") {
        let visible = line.trim_start_matches(['\x08', '\x07']);
        assert!(visible.chars().count() <= 80 + PROMPT.len(), "{line:?}");
        assert!(!line.contains("\x1b[3"), "no colours: {line:?}");
    }
}

#[test]
fn port_tests_answer_at_once_and_report_later_above_the_prompt() {
    let mut b = Bench::new(DEMO);
    b.drive();
    // Abbreviated words reach the right command; the answer comes at once.
    let out = b.type_("te li 0\r");
    assert_eq!(
        out,
        format!("te li 0\r\nport 0: test line started\r\n{PROMPT}"),
        "{out:?}"
    );
    let out = b.type_("ri 2\r");
    assert!(out.contains("port 2: ring started\r\n"), "{out:?}");
    assert_eq!(b.backend.tests, [("test line", 0), ("ring", 2)]);
    // The result arrives while the operator is typing: it goes on a line of
    // its own and the prompt comes back with the typed text.
    b.type_("sh po");
    b.session
        .handle_report("port 0: line test: dial tone after 340 ms");
    assert_eq!(
        b.drive(),
        format!("\r\nport 0: line test: dial tone after 340 ms\r\n{PROMPT}sh po")
    );
    // The line still runs as typed.
    b.backend.last_test = Some("line test: dial tone after 340 ms".into());
    let out = b.type_("\r");
    assert!(
        out.contains("\r\n     last line test: dial tone after 340 ms\r\n"),
        "{out:?}"
    );
    // In configure mode the configure prompt comes back.
    b.type_("configure\r");
    b.session
        .handle_report("port 2: ring: no answer within 30000 ms");
    assert_eq!(
        b.drive(),
        format!("\r\nport 2: ring: no answer within 30000 ms\r\n{CONFIG_PROMPT}")
    );
    // `test line` and `ring` are exec commands only.
    assert!(b.type_("ring 2\r").contains("% unknown command: ring 2"));
}

#[test]
fn port_tests_refused_with_one_clear_line() {
    let mut b = Bench::new(DEMO);
    b.drive();
    assert!(b
        .type_("ring 0\r")
        .contains("\r\n% port 0 is FXO: ring needs an FXS port\r\n"));
    assert!(b
        .type_("test line 3\r")
        .contains("\r\n% port 3 is FXS: test line needs an FXO port (ring tests FXS)\r\n"));
    assert!(b
        .type_("test line 1\r")
        .contains("\r\n% port 1 is busy (connected): try again when it is idle\r\n"));
    assert!(b
        .type_("ring 4\r")
        .contains("\r\n% PORT must be a port number from 0 to 3\r\n"));
    assert!(b.type_("ring\r").contains("\r\n% usage: ring PORT\r\n"));
    assert!(b
        .type_("test line 0 1\r")
        .contains("\r\n% unexpected: 1\r\n"));
    assert!(b.backend.tests.is_empty(), "nothing was started");
}

#[test]
fn a_port_test_result_is_not_shown_before_login() {
    let mut b = Bench::new(&with_login(DEMO));
    assert!(b.drive().ends_with("login: "));
    b.session
        .handle_report("port 0: line test: dial tone after 340 ms");
    assert_eq!(b.drive(), "");
    b.type_("admin\ropensesame\r");
    b.session
        .handle_report("port 0: line test: dial tone after 340 ms");
    assert!(b.drive().contains("dial tone after 340 ms"));
}

#[test]
fn show_stats_separates_now_from_since_start() {
    let mut b = Bench::new(DEMO);
    b.drive();
    let out = b.type_("show stats\r");
    assert!(out.contains("ports 4  idle 3  busy 1\r\n"), "{out:?}");
    assert!(
        out.contains("now          calls 1  RTP packets sent 50  received 49\r\n"),
        "{out:?}"
    );
    assert!(
        out.contains("since start  calls 7  answered 5  RTP packets sent 4000  received 3990\r\n"),
        "{out:?}"
    );
    assert!(out.contains("memory: resident 8316 kB\r\n"), "{out:?}");
}

#[test]
fn log_lines_show_only_under_terminal_monitor_above_the_redrawn_prompt() {
    let mut b = Bench::new(DEMO);
    b.drive();
    b.log.push("12:00:00 INFO  gateway: before".into());
    b.session.handle_log();
    assert_eq!(b.drive(), "", "no monitor: the terminal is left alone");
    let out = b.type_("terminal monitor\r");
    assert!(out.contains("% log lines are shown here"), "{out:?}");
    // A line arrives while the operator types: the prompt and the typed text
    // are taken off, the log line printed, and both drawn again under it.
    b.type_("sh po");
    b.log.push("12:00:01 INFO  gateway: line ringing".into());
    b.session.handle_log();
    assert_eq!(
        b.drive(),
        format!("\r\x1b[J12:00:01 INFO  gateway: line ringing\r\n{PROMPT}sh po")
    );
    // Nothing new: nothing drawn.
    b.session.handle_log();
    assert_eq!(b.drive(), "");
    assert!(b.type_("\r").contains("4155550100"), "the line still runs");
    b.type_("terminal no monitor\r");
    b.log.push("12:00:02 INFO  gateway: call ended".into());
    b.session.handle_log();
    assert_eq!(b.drive(), "");
    // `show log` lists them all.
    let out = b.type_("show log\r");
    assert!(
        out.contains("before") && out.contains("call ended"),
        "{out:?}"
    );
}

#[test]
fn text_wraps_at_the_terminals_width_on_word_boundaries() {
    let mut b = Bench::on_terminal(DEMO, true);
    let banner = b.drive();
    assert!(banner.contains(ASK_WIDTH), "the width is asked: {banner:?}");
    let narrow = b.type_("help\r");
    let long =
        "factory-reset                erase the saved configuration and restart (asks first)";
    assert!(
        narrow.contains(&format!(
            "  factory-reset                erase the saved configuration and restart (asks\r\n{}first)\r\n",
            " ".repeat(31)
        )),
        "80 columns until the terminal answers, broken between words: {narrow:?}"
    );
    // The terminal answers (its cursor at column 132): one line each.
    b.type_("\x1b[40;132R");
    let out = b.type_("help\r");
    assert!(out.contains(&format!("  {long}\r\n")), "{out:?}");
    assert!(
        out.ends_with(&format!("{ASK_WIDTH}{PROMPT}")),
        "asked again: {out:?}"
    );
    // A narrow window: every line fits, words whole, continuations indented.
    b.type_("\x1b[40;50R");
    let out = b.type_("help\r");
    let words = |t: &str| {
        t.replace(ASK_WIDTH, " ")
            .split_whitespace()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(words(&out), words(&out.replace("\r\n", " ")));
    for line in out.replace(ASK_WIDTH, "").split("\r\n") {
        assert!(line.chars().count() <= 50, "{line:?}");
    }
    assert!(
        out.contains("  factory-reset                erase the saved\r\n"),
        "{out:?}"
    );
    // `terminal width` overrides the terminal, 0 gives it back.
    b.type_("terminal width 100\r");
    assert!(!b.type_("version\r").contains(ASK_WIDTH));
    assert!(b
        .type_("terminal width 5\r")
        .contains("% COLUMNS must be 0"));
    b.type_("terminal width 0\r");
    assert!(b.type_("version\r").contains(ASK_WIDTH));
}
