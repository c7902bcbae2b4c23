//! Power loss during `save`: the gateway is killed with SIGKILL at each step of
//! a save, and the configuration that boots afterwards is the one the store's
//! design promises for that step (`gateway/src/store`): the old one until the
//! rename of `config.toml.tmp` (step 3), the new one from then on; never a
//! mix, never lost (never the factory defaults).
//!
//! No kill is timed by a clock. The save is slowed by the `test-hooks`
//! feature's `GATEWAY_TEST_SAVE_PAUSE_MS` (each step's files stay in place for
//! a while) and the test kills when it *sees* the step: the store's own
//! markers, `config.toml.prev.tmp` (step 1, the previous copy being written)
//! and `config.toml.tmp` (step 2, the new text being written), the new ANI in
//! `config.toml` (step 3 done), or the console's `saved to` (all done).
//!
//! A process kill leaves the page cache to the kernel, so this shows the
//! ordering (temporary file, rename, previous copy), not the `fsync`s; those
//! are what the store adds for a real power cut (see `gateway/src/store`).

mod console_support;

use std::path::Path;
use std::time::{Duration, Instant};

use console_support::{boot_check, StoredGateway};
use gateway_tests::config::board;
use gateway_tests::gateway::tempdir::Dir;
use gateway_tests::pty::Pty;

/// Rounds: each kill point is used this many times over.
const ROUNDS: usize = 20;
/// How long each step of a save holds still: long enough that a step seen is
/// still the step when the kill lands, whatever the machine's load.
const PAUSE_MS: u64 = 150;

/// Where in a save the process is killed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KillPoint {
    /// Committed but `save` never typed.
    BeforeSave,
    /// Step 1: `config.toml.prev.tmp` exists (the previous copy, half written).
    CopyingPrevious,
    /// Step 2: `config.toml.tmp` exists (the new text, half written).
    WritingNew,
    /// Step 3 done: `config.toml` holds the new text.
    Switched,
    /// The console said `saved to`.
    Saved,
}

const POINTS: [KillPoint; 5] = [
    KillPoint::BeforeSave,
    KillPoint::CopyingPrevious,
    KillPoint::WritingNew,
    KillPoint::Switched,
    KillPoint::Saved,
];

impl KillPoint {
    /// The store's promise: before the switch the old configuration boots,
    /// after it the new one.
    fn boots_new(self) -> bool {
        matches!(self, KillPoint::Switched | KillPoint::Saved)
    }

    /// A kill here leaves a temporary file behind.
    fn torn(self) -> bool {
        matches!(self, KillPoint::CopyingPrevious | KillPoint::WritingNew)
    }
}

/// The ANI of port 1 in a configuration text.
fn ani1(text: &str) -> Option<String> {
    text.match_indices("ani = \"")
        .nth(1)
        .and_then(|(i, m)| text.get(i + m.len()..))
        .and_then(|rest| rest.split('"').next())
        .map(String::from)
}

/// Poll (every millisecond, at most 10 s) until `seen` holds.
fn observe(what: &str, mut seen: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen() {
        assert!(
            Instant::now() < deadline,
            "never saw {what} (is the gateway built with `--features test-hooks`?)"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn temporaries(dir: &Path) -> [std::path::PathBuf; 2] {
    [
        dir.join("config.toml.prev.tmp"),
        dir.join("config.toml.tmp"),
    ]
}

#[test]
fn the_config_that_boots_is_the_old_or_the_new_one() {
    let dir = Dir::new("power-loss");
    let pty = Pty::open();
    let config = board("sip:agent@127.0.0.1:5090", &pty.path.display().to_string())
        .replace("@DIR@", &dir.path().display().to_string());
    std::fs::write(dir.path().join("config.toml"), &config).unwrap();
    let mut old = ani1(&config).unwrap();
    let mut outcomes = (0, 0);
    let mut torn = 0;
    for round in 0..ROUNDS {
        let point = POINTS[round % POINTS.len()];
        let new = format!("41555502{round:02}");
        let pause = PAUSE_MS.to_string();
        let gw = StoredGateway::start(dir.path(), &[("GATEWAY_TEST_SAVE_PAUSE_MS", &pause)]);
        pty.write("\r");
        pty.read_until("gateway> ", Duration::from_secs(10));
        pty.write(&format!("configure\rset ports[1].ani {new}\rcommit\r"));
        let committed = pty.read_until("applied now", Duration::from_secs(10));
        assert!(committed.contains("applied now"), "{committed:?}");
        let [prev_tmp, new_tmp] = temporaries(dir.path());
        if point != KillPoint::BeforeSave {
            pty.write("save\r");
        }
        match point {
            KillPoint::BeforeSave => {}
            KillPoint::CopyingPrevious => observe("config.toml.prev.tmp", || prev_tmp.exists()),
            KillPoint::WritingNew => observe("config.toml.tmp", || new_tmp.exists()),
            KillPoint::Switched => observe("the new ANI in config.toml", || {
                std::fs::read_to_string(dir.path().join("config.toml"))
                    .ok()
                    .and_then(|t| ani1(&t))
                    == Some(new.clone())
            }),
            KillPoint::Saved => {
                let said = pty.read_until("saved to", Duration::from_secs(10));
                assert!(said.contains("saved to"), "{said:?}");
            }
        }
        gw.kill_9();
        // A temporary file left behind: killed in the middle of a save.
        let left = temporaries(dir.path()).iter().any(|p| p.exists());
        assert_eq!(left, point.torn(), "round {round}, killed at {point:?}");
        torn += usize::from(left);
        // What boots now.
        let (source, notes) = boot_check(dir.path());
        assert_eq!(source, "saved", "round {round}: {notes}");
        let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        let booted = ani1(&text).expect("port 1 has an ANI");
        assert!(
            booted == old || booted == new,
            "round {round}: booted ANI {booted}, expected {old} or {new}"
        );
        let want = if point.boots_new() { &new } else { &old };
        assert_eq!(&booted, want, "round {round}: killed at {point:?}");
        if booted == new {
            outcomes.1 += 1;
        } else {
            outcomes.0 += 1;
        }
        old = booted;
        // The next round's markers must be its own: clear what this kill left
        // (boot ignored it above; a save overwrites it, see the store's docs).
        for p in temporaries(dir.path()) {
            let _ = std::fs::remove_file(p);
        }
    }
    // The kill points hit both sides of the switch.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "old/new: {outcomes:?}");
    assert!(torn > 0, "no kill landed inside a save");
    eprintln!(
        "old {} new {} killed mid-save {torn}",
        outcomes.0, outcomes.1
    );
}
