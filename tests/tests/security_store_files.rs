//! Issue 22 items 5 and 6 against the real binary: a symlink planted where
//! `save` writes its temporaries, the modes of what `save` writes, and a box
//! whose saved configuration and previous copy are both corrupt (the
//! factory defaults must still ask for a login, and SIP stays on loopback).

mod console_support;

use std::os::unix::fs::PermissionsExt as _;
use std::time::Duration;

use console_support::StoredGateway;
use gateway_tests::config::board;
use gateway_tests::gateway::binary;
use gateway_tests::gateway::tempdir::Dir;
use gateway_tests::pty::Pty;
use gateway_tests::wait_for;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn save_writes_0600_files_and_never_through_a_planted_link() {
    let dir = Dir::new("store-links");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let outside = Dir::new("store-victim");
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "untouched\n").unwrap();
    let pty = Pty::open();
    let config = board("sip:agent@127.0.0.1:5090", &pty.path.display().to_string())
        .replace("@DIR@", &dir.path().display().to_string());
    let saved = dir.path().join("config.toml");
    std::fs::write(&saved, &config).unwrap();
    std::fs::set_permissions(&saved, std::fs::Permissions::from_mode(0o600)).unwrap();
    // The attacker's links where the save's temporaries go.
    for tmp in ["config.toml.tmp", "config.toml.prev.tmp"] {
        std::os::unix::fs::symlink(&victim, dir.path().join(tmp)).unwrap();
    }

    let gw = StoredGateway::start(dir.path(), &[]);
    pty.write("\r");
    pty.read_until("gateway> ", Duration::from_secs(10));
    pty.write("configure\rset ports[1].ani 4155550199\rcommit\r");
    let committed = pty.read_until("applied now", Duration::from_secs(10));
    assert!(committed.contains("applied now"), "{committed:?}");
    pty.write("save\r");
    let said = pty.read_until("saved to", Duration::from_secs(10));
    assert!(said.contains("saved to"), "{said:?}");
    gw.kill_9();

    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched\n");
    assert!(std::fs::read_to_string(&saved)
        .unwrap()
        .contains("4155550199"));
    for name in ["config.toml", "config.toml.prev"] {
        let path = dir.path().join(name);
        assert!(
            std::fs::symlink_metadata(&path).unwrap().is_file(),
            "{name}"
        );
        assert_eq!(mode(&path), 0o600, "{name}");
    }
    for tmp in ["config.toml.tmp", "config.toml.prev.tmp"] {
        assert!(!dir.path().join(tmp).exists(), "{tmp} left behind");
    }
    assert_eq!(mode(dir.path()), 0o700, "the store folder");
}

#[test]
fn a_corrupt_config_and_prev_boot_factory_defaults_that_still_ask_for_a_login() {
    let dir = Dir::new("store-factory");
    std::fs::write(dir.path().join("config.toml"), "[[ports]]\nport = \"torn").unwrap();
    std::fs::write(dir.path().join("config.toml.prev"), "ports = 3\n").unwrap();
    // The factory defaults listen on the demo's fixed ports: run the box in
    // a network namespace of its own (root, `unshare -n`), so it collides
    // with nothing on this machine.
    if !namespaces_available()
        && !gateway_tests::peers::missing(
            "`unshare -n` (a network namespace: root) is not available",
        )
    {
        return;
    }
    let pty = Pty::open();
    let mut gw = IsolatedGateway::start(dir.path(), &pty.path);
    let secret_file = dir.path().join("unit-secret");
    assert_eq!(mode(&secret_file), 0o600);
    let secret = std::fs::read_to_string(&secret_file).unwrap();
    let secret = secret.trim();
    assert!(secret.len() >= 20);

    pty.write("\r");
    let first = pty.read_until("login: ", Duration::from_secs(10));
    assert!(first.contains("login: "), "no login asked: {first:?}");
    assert!(
        !first.contains("gateway> "),
        "a prompt without login: {first:?}"
    );
    // A wrong password, typed at the name prompt by mistake first.
    pty.write("Hunter2-typed-as-name\r");
    pty.read_until("password: ", Duration::from_secs(5));
    pty.write("wrong\r");
    let refused = pty.read_until("login: ", Duration::from_secs(10));
    assert!(refused.contains("login incorrect"), "{refused:?}");
    // The unit secret opens it.
    pty.write(&format!("admin\r{secret}\r"));
    let prompt = pty.read_until("gateway> ", Duration::from_secs(10));
    assert!(prompt.contains("gateway> "), "{prompt:?}");
    assert!(gw.is_running());
    let log = std::fs::read_to_string(dir.path().join("gateway.log")).unwrap();
    assert!(log.contains("console login failed"), "{log}");
    assert!(
        !log.contains("Hunter2-typed-as-name"),
        "the typed name was logged"
    );
    assert!(
        log.contains("console login `admin` with the unit secret"),
        "{log}"
    );
    // The factory's SIP faces loopback only.
    let status = std::fs::read_to_string(dir.path().join("status.json")).unwrap();
    let status: serde_json::Value = serde_json::from_str(&status).unwrap();
    let sip: std::net::SocketAddr = status["sip"].as_str().unwrap().parse().unwrap();
    assert!(sip.ip().is_loopback(), "factory SIP on {sip}");
}

fn namespaces_available() -> bool {
    std::process::Command::new("unshare")
        .args(["-n", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

/// `gateway --store DIR --console PTY` alone in a network namespace with
/// its own loopback; killed (by pid) when dropped.
struct IsolatedGateway {
    child: std::process::Child,
}

impl IsolatedGateway {
    fn start(dir: &std::path::Path, console: &std::path::Path) -> IsolatedGateway {
        let log = std::fs::File::create(dir.join("gateway.log")).unwrap();
        let script = format!(
            "ip link set lo up && exec '{}' --store '{}' --console '{}' --status-file '{}'",
            binary().display(),
            dir.display(),
            console.display(),
            dir.join("status.json").display()
        );
        let child = std::process::Command::new("unshare")
            .args(["-n", "sh", "-c", &script])
            .env("RUST_LOG", "info")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut gw = IsolatedGateway { child };
        let started = wait_for(Duration::from_secs(20), || {
            assert!(gw.is_running(), "gateway exited early");
            std::fs::read_to_string(dir.join("status.json"))
                .ok()
                .filter(|t| t.contains("\"pid\""))
        });
        assert!(started.is_some(), "gateway did not start");
        gw
    }

    fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for IsolatedGateway {
    fn drop(&mut self) {
        // `sh` exec'd the gateway: this pid is the gateway's.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
