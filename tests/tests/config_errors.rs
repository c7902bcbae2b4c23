//! Bad configuration gets a clear error naming the file, line and key, and a
//! non-zero exit; never a panic.

use std::process::Command;

use gateway_tests::config::board;
use gateway_tests::gateway::{binary, tempdir::Dir};

fn check(text: &str) -> (i32, String) {
    let dir = Dir::new("config-test");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::new(binary())
        .arg("--config")
        .arg(&path)
        .arg("--check")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (
        out.status.code().unwrap_or(-1),
        stderr.replace(&dir.path().display().to_string(), "DIR"),
    )
}

#[test]
fn the_test_board_and_the_demo_are_valid() {
    let good = board("sip:agent@127.0.0.1:5090", "none").replace("@DIR@", "/tmp");
    assert_eq!(check(&good).0, 0);
    let demo =
        std::fs::read_to_string(gateway_tests::workspace_root().join("config/demo.toml")).unwrap();
    assert_eq!(check(&demo).0, 0);
}

#[test]
fn errors_name_file_line_and_key() {
    let base = board("sip:agent@127.0.0.1:5090", "none").replace("@DIR@", "/tmp");
    let cases = [
        // (replace this, with that, expected fragments)
        (
            "kind = \"fxo\"\nani = \"4155550101\"",
            "kind = \"fxq\"\nani = \"4155550101\"",
            vec!["bad.toml:", "ports[1].kind", "fxq"],
        ),
        (
            "listen = \"127.0.0.1:0\"\nallow",
            "listen = \"not an address\"\nallow",
            vec!["bad.toml:", "sip.listen"],
        ),
        (
            "ani = \"4155550101\"",
            "ani = \"41555x0101\"",
            vec!["ports[1].ani", "digits"],
        ),
        (
            "tones = \"north-america\"\n\n[[ports]]",
            "tones = \"mars\"\n\n[[ports]]",
            vec!["board.tones", "mars"],
        ),
        (
            "digits = \"*22\"",
            "digits = \"*7\"",
            vec!["commands.sequence[1].digits", "prefix"],
        ),
        (
            "[sip]\n",
            "[sip]\nlisten_typo = 1\n",
            vec!["bad.toml:", "listen_typo"],
        ),
        (
            "allow_unauthenticated = true",
            "allow_unauthenticated = false",
            vec!["sip.allow_unauthenticated"],
        ),
        (
            "[simulation]\ntones = \"north-america\"",
            "[simulation]\ntones = \"cept\"",
            vec!["simulation.tones", "board.tones"],
        ),
        (
            "ani = \"4155550101\"",
            "ani = \"4155550101\"\nani = \"4155550102\"",
            vec!["bad.toml:", "key `ports[1].ani`: duplicate key"],
        ),
    ];
    for (from, to, expect) in cases {
        assert!(base.contains(from), "test case does not apply: {from:?}");
        let (code, err) = check(&base.replacen(from, to, 1));
        assert_eq!(code, 2, "{err}");
        for fragment in expect {
            assert!(err.contains(fragment), "{fragment:?} missing from {err:?}");
        }
        assert!(err.lines().next().is_some_and(|l| l.contains(":")), "{err}");
    }
    // A line number is given where the key is in the file.
    let (_, err) = check(&base.replacen("ani = \"4155550101\"", "ani = \"41555x0101\"", 1));
    let line = base
        .lines()
        .position(|l| l.contains("ani = \"4155550101\""))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("bad.toml:{line}:")), "{err}");
    // Not TOML at all, and a missing file.
    let (code, err) = check("this is [ not toml");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("bad.toml:1"), "{err}");
    let out = Command::new(binary())
        .args(["--config", "/nonexistent/x.toml", "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/x.toml"));
}
