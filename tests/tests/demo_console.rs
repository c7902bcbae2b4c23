//! The README's demo as a newcomer meets it: the gateway with its console on
//! the terminal (`--console stdio` in a `tmux` pane, as `scripts/demo.sh`
//! runs it), on a configuration store seeded with `config/demo.toml` (on free
//! ports), the README's first call placed with sipp.
//!
//! - Log lines never run over the prompt: with the console on the terminal
//!   they go to the log ring only; `terminal monitor` shows them as they come,
//!   the prompt and the line being typed drawn again below them.
//! - Text wraps at the pane's real width, between words.
//! - `show stats` counts the finished call (since start) apart from calls in
//!   progress (none); `show calls` shows an inbound caller's number.
//! - `save` writes the demo file back with its comments and order, only the
//!   edited line changed.
//! - Following the README writes only files git ignores.

mod console_support;
mod demo_support;

use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use console_support::Terminal;
use gateway_tests::gateway::{binary, tempdir::Dir};
use gateway_tests::sipp::Sipp;
use gateway_tests::{require, wait_for, workspace_root};

/// The gateway running in a pane with its console on the pane's terminal.
struct Demo {
    term: Terminal,
    dir: Dir,
    pid: i32,
    sip: SocketAddr,
}

impl Demo {
    /// Start on a store seeded with `config` (`@DIR@` is the test's folder),
    /// in a pane `width` columns wide.
    fn start(config: &str, width: u16) -> Demo {
        let dir = Dir::new("demo-console");
        let store = dir.path().join("store");
        std::fs::create_dir_all(&store).unwrap();
        let config = config.replace("@DIR@", &dir.path().display().to_string());
        std::fs::write(store.join("config.toml"), config).unwrap();
        let status = dir.path().join("status.json");
        let term = Terminal::run(
            &format!(
                "cd {dir} && RUST_LOG=info exec {bin} --store {store} --status-file {status}",
                dir = dir.path().display(),
                bin = binary().display(),
                store = store.display(),
                status = status.display(),
            ),
            width,
            50,
        );
        let value: serde_json::Value = wait_for(Duration::from_secs(20), || {
            serde_json::from_str(&std::fs::read_to_string(&status).ok()?).ok()
        })
        .unwrap_or_else(|| panic!("the gateway did not start:\n{}", term.screen()));
        let pid = value["pid"].as_i64().expect("pid") as i32;
        let sip = value["sip"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .expect("sip");
        term.wait_for("gateway>");
        Demo {
            term,
            dir,
            pid,
            sip,
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// Run a command line and wait for `needle` in its answer.
    fn run(&self, line: &str, needle: &str) -> String {
        self.term.clear();
        self.term.line(line);
        self.term.wait_for(needle)
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.pid),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

fn tools() -> bool {
    require(&["tmux", "sipp"])
}

/// Whether the screen shows a log line (the log's own formats: the ring's
/// `HH:MM:SS INFO  target:` and tracing's `… INFO target:`).
fn has_log_line(screen: &str) -> bool {
    screen
        .lines()
        .any(|l| l.contains(" INFO ") || l.contains(" WARN ") || l.contains("gateway::"))
}

#[test]
fn the_console_keeps_the_terminal_and_tells_the_truth() {
    if !tools() {
        return;
    }
    // A silent IP client for inbound calls: the INVITE stays unanswered.
    let agent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let agent_port = agent.local_addr().unwrap().port();
    let config = demo_support::edited(
        &demo_support::on_free_ports("stdio"),
        &[
            (
                "inbound_uri = \"sip:agent@127.0.0.1:5090\"",
                &format!("inbound_uri = \"sip:agent@127.0.0.1:{agent_port}\""),
            ),
            // The call centre hangs up sooner than the demo's 20 s.
            (
                "{ at_ms = 20000, hangup = true }",
                "{ at_ms = 7000, hangup = true }",
            ),
        ],
    );
    let demo = Demo::start(&config, 100);

    // The README's first call while a command is half typed: the log stays off
    // the screen and the typed line where it was.
    demo.term.type_text("sh ver");
    let rtp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let rtp_port = rtp.local_addr().unwrap().port().to_string();
    let outcome = Sipp::start(
        "uac_call_centre.xml",
        Some(demo.sip),
        &[
            "-s",
            "1800",
            "-m",
            "1",
            "-key",
            "rtp_port",
            &rtp_port,
            "-key",
            "session_id",
            "demo-session",
        ],
    )
    .wait(Duration::from_secs(60));
    assert_eq!(
        outcome.code,
        Some(0),
        "{}\n{}",
        outcome.errors,
        outcome.messages
    );
    let screen = demo.term.screen();
    assert!(
        !has_log_line(&screen),
        "log lines over the console:\n{screen}"
    );
    assert_eq!(
        demo.term.last_line().trim_end(),
        "gateway> sh ver",
        "{screen}"
    );
    demo.term.keys(&["C-u"]);

    // `show stats`: the finished call counts since start, not now.
    let stats = demo.run("show stats", "since start");
    assert!(
        stats.contains("now          calls 0  RTP packets sent 0  received 0"),
        "{stats}"
    );
    let since = stats
        .lines()
        .find(|l| l.starts_with("since start"))
        .expect("since start line");
    let figures: Vec<u64> = since
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(
        matches!(figures.as_slice(), [1, 1, sent, 0] if *sent > 100),
        "one call, answered, the call centre's audio sent (sipp sends none): {since}"
    );

    // `terminal monitor`: log lines come above the prompt, which comes back
    // with the line being typed.
    demo.run("terminal monitor", "% log lines are shown here");
    demo.term.type_text("show ver");
    let busy = Sipp::start(
        "uac_busy.xml",
        Some(demo.sip),
        &["-s", "5550100", "-m", "1"],
    )
    .wait(Duration::from_secs(40));
    assert_eq!(busy.code, Some(0), "{}\n{}", busy.errors, busy.messages);
    let screen = wait_for(Duration::from_secs(10), || {
        let s = demo.term.screen();
        (has_log_line(&s) && demo.term.last_line().trim_end() == "gateway> show ver").then_some(s)
    })
    .unwrap_or_else(|| panic!("no log line above the prompt:\n{}", demo.term.screen()));
    assert!(screen.contains("5550100"), "{screen}");
    demo.term.keys(&["C-u"]);
    demo.run("terminal no monitor", "gateway>");

    // Text at the pane's width (100), broken between words only when needed.
    let help = demo.run("help", "shutdown");
    assert!(
        help.lines().any(|l| l.trim_end()
            == "  factory-reset                erase the saved configuration and restart (asks first)"),
        "{help}"
    );

    // `?` describes the words that start several commands.
    demo.term.clear();
    demo.term.type_text("?");
    let listing = demo.term.wait_for("configure");
    for help in [
        "show the gateway's state",
        "drive the simulated exchange",
        "test a line port",
    ] {
        assert!(listing.contains(help), "{help:?} missing:\n{listing}");
    }
    demo.term.type_text("show ?");
    demo.term.wait_for("SIP state");
    demo.term.keys(&["C-u"]);

    // An inbound call: `show calls` gives the caller's number (caller ID).
    demo.run("sim call customer 4155550100", "customer is calling");
    let calls = wait_for(Duration::from_secs(20), || {
        demo.term.clear();
        demo.term.line("show calls");
        wait_for(Duration::from_secs(1), || {
            let s = demo.term.screen();
            s.contains("2125550199").then_some(s)
        })
    })
    .unwrap_or_else(|| panic!("no caller number in show calls:\n{}", demo.term.screen()));
    assert!(calls.contains("from-line"), "{calls}");
}

#[test]
fn save_keeps_the_files_comments_and_order() {
    if !require(&["tmux"]) {
        return;
    }
    let seeded = demo_support::on_free_ports("stdio");
    let demo = Demo::start(&seeded, 100);
    let seeded = seeded.replace("@DIR@", &demo.dir.path().display().to_string());
    demo.run("configure", "gateway(config)>");
    demo.run("set ports[1].ani 4155550199", "gateway(config)>");
    demo.run("commit", "committed");
    demo.run("save", "saved to");
    let saved = std::fs::read_to_string(demo.store().join("config.toml")).unwrap();
    assert_eq!(
        saved,
        demo_support::edited(&seeded, &[("ani = \"4155550101\"", "ani = \"4155550199\"")]),
        "only the edited line changes"
    );
    let previous = std::fs::read_to_string(demo.store().join("config.toml.prev")).unwrap();
    assert_eq!(previous, seeded);
}

/// `git check-ignore`: whether git ignores `path` (relative to the
/// repository); `None` when git cannot say (no git, not a work tree).
fn ignored(root: &Path, path: &str) -> Option<bool> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["check-ignore", "-q", "--no-index", path])
        .output()
        .ok()?;
    match out.status.code() {
        Some(0) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}

/// What following the README writes: the demo's store (`scripts/demo.sh`),
/// its call records (`config/demo.toml`) and sipp's message trace (the
/// README's first call); all of it must be ignored by git, so `git status`
/// stays clean.
#[test]
fn following_the_readme_writes_only_ignored_files() {
    let root = workspace_root();
    let script = std::fs::read_to_string(root.join("scripts/demo.sh")).unwrap();
    let exec = script
        .lines()
        .find(|l| l.starts_with("exec "))
        .expect("demo.sh runs the gateway");
    assert!(
        !exec.contains("--config"),
        "the demo must not save over a tracked file: {exec}"
    );
    let store = exec
        .split_whitespace()
        .skip_while(|w| *w != "--store")
        .nth(1)
        .expect("demo.sh runs on a store");
    let records = demo_support::demo_text()
        .lines()
        .find_map(|l| l.strip_prefix("path = \""))
        .map(|p| p.trim_end_matches('"').to_string())
        .expect("records path");
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let trace = readme
        .split("-message_file ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the README's sipp writes its trace to a named file");
    assert!(
        !readme.contains("-trace_msg\n") && !readme.contains("-trace_msg`"),
        "a bare -trace_msg writes into the current folder"
    );
    for written in [
        format!("{store}/config.toml"),
        format!("{store}/config.toml.prev"),
        format!("{store}/config.toml.tmp"),
        records,
        trace.to_string(),
    ] {
        match ignored(&root, &written) {
            Some(yes) => assert!(yes, "{written} is not ignored by git"),
            None => {
                gateway_tests::peers::missing(
                    "git cannot tell whether a file is ignored (git missing, or not a checkout)",
                );
                return;
            }
        }
    }
}
