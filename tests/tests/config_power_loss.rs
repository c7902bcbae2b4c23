//! Power loss during `save`: the gateway is killed with SIGKILL at seeded random
//! points while it saves (its save steps slowed by the documented test hook
//! `GATEWAY_TEST_SAVE_PAUSE_MS`, so the kills land inside every step). The
//! configuration that boots afterwards is always the old or the new one, never
//! a mix, never lost (never the factory defaults).
//!
//! A process kill leaves the page cache to the kernel, so this shows the
//! ordering (temporary file, rename, previous copy), not the `fsync`s; those
//! are what the store adds for a real power cut (see `gateway/src/store`).

mod console_support;

use std::time::Duration;

use console_support::{boot_check, StoredGateway};
use gateway_tests::config::board;
use gateway_tests::gateway::tempdir::Dir;
use gateway_tests::pty::Pty;

const ROUNDS: u64 = 40;
const PAUSE_MS: u64 = 30;

/// The ANI of port 1 in a configuration text.
fn ani1(text: &str) -> Option<String> {
    text.match_indices("ani = \"")
        .nth(1)
        .and_then(|(i, m)| text.get(i + m.len()..))
        .and_then(|rest| rest.split('"').next())
        .map(String::from)
}

#[test]
fn the_config_that_boots_is_the_old_or_the_new_one() {
    let dir = Dir::new("power-loss");
    let pty = Pty::open();
    let config = board("sip:agent@127.0.0.1:5090", &pty.path.display().to_string())
        .replace("@DIR@", &dir.path().display().to_string());
    std::fs::write(dir.path().join("config.toml"), &config).unwrap();
    let mut old = ani1(&config).unwrap();
    // A fixed seed: the same kill points every run.
    let mut rng: u64 = 0x5eed_0fc0_ffee;
    let mut outcomes = (0, 0);
    let mut torn = 0;
    for round in 0..ROUNDS {
        rng = rng
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        // A save here takes about 6 pauses; kill anywhere from before it
        // starts to after it ends.
        let kill_after = Duration::from_millis((rng >> 33) % (PAUSE_MS * 8));
        let new = format!("41555502{round:02}");
        let pause = PAUSE_MS.to_string();
        let gw = StoredGateway::start(dir.path(), &[("GATEWAY_TEST_SAVE_PAUSE_MS", &pause)]);
        pty.write("\r");
        pty.read_until("gateway> ", Duration::from_secs(10));
        pty.write(&format!("configure\rset ports[1].ani {new}\rcommit\r"));
        let committed = pty.read_until("applied now", Duration::from_secs(10));
        assert!(committed.contains("applied now"), "{committed:?}");
        pty.write("save\r");
        std::thread::sleep(kill_after);
        gw.kill_9();
        // A temporary file left behind: killed in the middle of a save.
        if dir.path().join("config.toml.tmp").exists()
            || dir.path().join("config.toml.prev.tmp").exists()
        {
            torn += 1;
        }
        // What boots now.
        let (source, notes) = boot_check(dir.path());
        assert_eq!(source, "saved", "round {round}: {notes}");
        let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        let booted = ani1(&text).expect("port 1 has an ANI");
        assert!(
            booted == old || booted == new,
            "round {round}: booted ANI {booted}, expected {old} or {new}"
        );
        if booted == new {
            outcomes.1 += 1;
        } else {
            outcomes.0 += 1;
        }
        old = booted;
    }
    // The seeded kill points hit both sides of the switch.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "old/new: {outcomes:?}");
    assert!(torn > 0, "no kill landed inside a save");
    eprintln!(
        "old {} new {} killed mid-save {torn}",
        outcomes.0, outcomes.1
    );
}
