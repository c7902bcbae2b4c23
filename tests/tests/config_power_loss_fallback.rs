//! A saved configuration that is corrupt at boot: the gateway boots the previous
//! good copy and says so on the console and in the log; with both corrupt, the
//! factory defaults.

mod console_support;

use std::time::Duration;

use console_support::{boot_check, StoredGateway};
use gateway_tests::config::board;
use gateway_tests::gateway::tempdir::Dir;
use gateway_tests::pty::Pty;

#[test]
fn a_corrupt_save_falls_back_to_the_previous_then_the_factory() {
    let dir = Dir::new("boot-fallback");
    let pty = Pty::open();
    let good = board("sip:agent@127.0.0.1:5090", &pty.path.display().to_string())
        .replace("@DIR@", &dir.path().display().to_string());
    std::fs::write(dir.path().join("config.toml.prev"), &good).unwrap();
    // A torn file, as a broken flash page would leave it.
    std::fs::write(dir.path().join("config.toml"), &good[..good.len() / 2]).unwrap();

    let gw = StoredGateway::start(dir.path(), &[]);
    let banner = pty.read_until("gateway> ", Duration::from_secs(10));
    assert!(
        banner.contains("% saved configuration is invalid"),
        "{banner:?}"
    );
    assert!(
        banner.contains("% booted the previous good configuration"),
        "{banner:?}"
    );
    assert!(gw.log().contains("booted the previous good configuration"));
    pty.write("sh po\r");
    assert!(pty
        .read_until("gateway> ", Duration::from_secs(5))
        .contains("4155550101"));
    gw.kill_9();

    // Both unreadable: factory defaults, and the check says so.
    std::fs::write(dir.path().join("config.toml.prev"), "ports = 3\n").unwrap();
    let (source, notes) = boot_check(dir.path());
    assert_eq!(source, "factory");
    assert!(
        notes.contains("previous configuration is invalid"),
        "{notes}"
    );
    assert!(
        notes.contains("booted the factory default configuration"),
        "{notes}"
    );
}
