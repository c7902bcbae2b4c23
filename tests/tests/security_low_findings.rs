//! Issue 22 item 7 against the real binary: a records path outside the
//! store, the server's path in a merchant's error, one address holding every
//! SIP TCP slot, and MD5 offered first. (The console login name is checked
//! in `security_store_files`.)

mod security_support;

use std::io::Read as _;
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use gateway_tests::config::{board, board_authenticated, merchants, SHOP1_TOKEN};
use gateway_tests::gateway::{binary, tempdir::Dir, Gateway};
use gateway_tests::http;
use security_support::{recv_matching, register, socket};

fn check(dir: &Dir, config: &str) -> (bool, String) {
    let path = dir.path().join("gateway.toml");
    std::fs::write(&path, config).unwrap();
    let out = Command::new(binary())
        .arg("--config")
        .arg(&path)
        .arg("--check")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn records_stay_inside_the_configurations_folder() {
    let dir = Dir::new("records-path");
    let outside = Dir::new("records-victim");
    let victim = outside.path().join("victim.txt");
    std::fs::write(&victim, "line one\nno newline at the end").unwrap();
    let base =
        board("sip:agent@127.0.0.1:9", "none").replace("@DIR@", &dir.path().display().to_string());
    for (path, why) in [
        (
            victim.display().to_string(),
            "outside the configuration's folder",
        ),
        ("../records-victim/victim.txt".to_owned(), "climbs out"),
    ] {
        let (ok, stderr) = check(&dir, &format!("{base}\n[records]\npath = \"{path}\"\n"));
        assert!(!ok, "{path} accepted");
        assert!(
            stderr.contains("records.path") && stderr.contains(why),
            "{stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "line one\nno newline at the end"
    );
    // Inside (relative or absolute) is fine.
    let (ok, stderr) = check(
        &dir,
        &format!("{base}\n[records]\npath = \"calls.jsonl\"\n"),
    );
    assert!(ok, "{stderr}");
}

#[test]
fn an_unreadable_journal_does_not_show_the_servers_path() {
    let config = format!(
        "{}\n{}\n[records]\npath = \"@DIR@/records/calls.jsonl\"\n",
        board("sip:agent@127.0.0.1:9", "none"),
        merchants(None)
    );
    let gw = Gateway::start(&config);
    let journal = gw.path().join("records/calls.jsonl");
    // The journal becomes a folder (a disk fault would do as well).
    std::fs::remove_file(&journal).unwrap();
    std::fs::create_dir(&journal).unwrap();
    let (status, body) = http::get_as(gw.api, "/api/v1/records", Some(SHOP1_TOKEN)).unwrap();
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("records-unreadable"), "{body}");
    assert!(!body.contains(&gw.path().display().to_string()), "{body}");
    assert!(!body.contains("calls.jsonl"), "{body}");
    assert!(gw.log().contains("call records cannot be read"));
}

#[test]
fn one_address_cannot_hold_every_sip_tcp_slot() {
    let gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none").replacen(
        "[sip]\n",
        "[sip]\nmax_tcp_connections_per_address = 4\n",
        1,
    ));
    let held: Vec<TcpStream> = (0..4)
        .map(|_| TcpStream::connect(gw.sip).unwrap())
        .collect();
    let mut fifth = TcpStream::connect(gw.sip).unwrap();
    fifth
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut buf = [0u8; 16];
    let read = fifth.read(&mut buf);
    assert!(
        matches!(read, Ok(0) | Err(_))
            && !matches!(&read, Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the fifth connection from one address stayed open: {read:?}"
    );
    assert!(
        gw.log().contains("too many TCP connections"),
        "{}",
        gw.log()
    );
    // The four are still served.
    let mut first = &held[0];
    first
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    assert!(matches!(first.read(&mut buf), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock));
}

#[test]
fn sha256_is_offered_first_and_md5_can_be_turned_off() {
    for (algorithms, expected) in [
        ("[\"SHA-256\", \"MD5\"]", vec!["SHA-256", "MD5"]),
        ("[\"SHA-256\"]", vec!["SHA-256"]),
    ] {
        let gw = Gateway::start(&board_authenticated(
            "sip:agent@127.0.0.1:9",
            "none",
            algorithms,
        ));
        let s = socket();
        let local = s.local_addr().unwrap();
        s.send_to(register("alice", local, gw.sip, 1, "").as_bytes(), gw.sip)
            .unwrap();
        let (answer, _) = recv_matching(&s, Duration::from_secs(5), |t| t.contains("401")).unwrap();
        let offered: Vec<&str> = answer
            .lines()
            .filter(|l| l.starts_with("WWW-Authenticate:"))
            .filter_map(|l| security_support::param(l, "algorithm"))
            .collect();
        assert_eq!(offered, expected, "{answer}");
    }
}
