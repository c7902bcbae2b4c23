//! The console as an operator meets it: `picocom` (a real terminal program, in
//! a `tmux` pane) on a null-modem cable of two ptys to the gateway's UART.
//! Log in (a wrong password first), complete with Tab, ask with `?`, abbreviate,
//! configure a bad then a good value, commit (applied live), save, reboot (the
//! gateway re-executes itself), log in again and find the saved value running.

mod console_support;

use console_support::{hash_password, NullModem, StoredGateway, Terminal};
use gateway_tests::config::board;
use gateway_tests::gateway::tempdir::Dir;
use gateway_tests::require;

#[test]
fn login_complete_help_configure_save_reboot() {
    if !require(&["picocom", "tmux"]) {
        return;
    }
    let dir = Dir::new("console-session");
    let cable = NullModem::new();
    let hash = hash_password("opensesame");
    let device = cable.gateway_end.display().to_string();
    let config = board("sip:agent@127.0.0.1:5090", &device)
        .replace("@DIR@", &dir.path().display().to_string())
        .replace(
            &format!("device = \"{device}\"\n"),
            &format!(
                "device = \"{device}\"\n\n[[console.users]]\nname = \"admin\"\npassword_hash = \"{hash}\"\n"
            ),
        );
    std::fs::write(dir.path().join("config.toml"), &config).unwrap();
    let mut gw = StoredGateway::start(dir.path(), &[]);
    let term = Terminal::picocom(&cable.terminal_end);

    // Log in: a wrong password, then the right one. Passwords are not echoed.
    term.wait_pressing_enter("login:");
    term.line("admin");
    term.wait_for("password:");
    term.line("letmein");
    term.wait_for("% login incorrect");
    term.line("admin");
    term.line("opensesame");
    let screen = term.wait_for("gateway>");
    assert!(!screen.contains("letmein") && !screen.contains("opensesame"));

    // Tab completes a command word; Enter runs it.
    term.type_text("show po");
    term.keys(&["Tab"]);
    term.wait_for("gateway> show ports");
    term.keys(&["Enter"]);
    term.wait_for("4155550101");

    // `?` lists what may follow, with help, and gives the line back.
    term.type_text("show ?");
    let screen = term.wait_for("line ports, their ANI and state");
    assert!(
        screen.contains("registrations") || screen.contains("sip"),
        "{screen}"
    );
    assert!(
        term.last_line().starts_with("gateway> show"),
        "{}",
        term.last_line()
    );
    term.keys(&["C-u"]);

    // Abbreviations, and history with the up arrow.
    term.line("sh ver");
    term.wait_for("gateway 0.");
    term.keys(&["Up"]);
    term.wait_for("gateway> sh ver");
    term.keys(&["C-u"]);

    // Configure: a bad value is one clear line; a good one commits live.
    term.line("conf");
    term.wait_for("gateway(config)>");
    term.line("set ports[1].ani 41555x0101");
    term.wait_for("% ports[1].ani: ANI \"41555x0101\" must be digits");
    term.type_text("set ports[1].a");
    term.keys(&["Tab"]);
    term.wait_for("set ports[1].ani");
    term.line("4155550177");
    term.line("commit");
    term.wait_for("applied now, calls kept: ports[1].ani");
    term.line("save");
    term.wait_for("saved to");
    term.line("exit");
    term.line("show ports");
    term.wait_for("4155550177");
    let saved = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
    assert!(saved.contains("4155550177"), "{saved}");

    // Reboot asks first, then the gateway starts again and the saved value runs.
    gw.forget_status();
    term.line("reboot");
    term.wait_for("[yes/no]");
    term.line("yes");
    term.wait_for("restarting");
    gw.wait_started();
    assert!(gw.is_running());
    term.wait_pressing_enter("login:");
    term.line("admin");
    term.line("opensesame");
    term.line("show config");
    let screen = term.wait_for("[[ports]]");
    assert!(screen.contains("4155550177"), "{screen}");
    assert!(
        gw.log().contains("configuration booted source=\"saved\"")
            || gw.log().contains("source=saved"),
        "{}",
        gw.log()
    );
}

/// `test line 0` on the real gateway's console over the pty cable: the answer
/// comes at once, the result (dial tone from the simulated exchange) arrives
/// on its own above the prompt, `show ports` keeps it, and `ring` on an FXO
/// port is refused with one line.
#[test]
fn test_line_reports_dial_tone_on_the_console() {
    if !require(&["picocom", "tmux"]) {
        return;
    }
    let dir = Dir::new("console-test-line");
    let cable = NullModem::new();
    let device = cable.gateway_end.display().to_string();
    let config = board("sip:agent@127.0.0.1:5090", &device)
        .replace("@DIR@", &dir.path().display().to_string());
    std::fs::write(dir.path().join("config.toml"), &config).unwrap();
    let gw = StoredGateway::start(dir.path(), &[]);
    let term = Terminal::picocom(&cable.terminal_end);
    term.wait_pressing_enter("gateway>");

    term.line("test line 0");
    term.wait_for("port 0: off hook, listening for dial tone (up to 3000 ms)...");
    let screen = term.wait_for("port 0: line test: dial tone after ");
    assert!(
        term.last_line().starts_with("gateway>"),
        "the prompt comes back after the result:\n{screen}"
    );
    term.line("ring 0");
    term.wait_for("% port 0 is FXO: ring needs an FXS port");
    term.line("show ports");
    term.wait_for("     last line test: dial tone after ");
    assert!(
        gw.log().contains("port test finished"),
        "the result is logged:\n{}",
        gw.log()
    );
}
