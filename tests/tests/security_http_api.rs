//! Issue 15 item 2 against the real binary: a slow-loris of 3 000 half-sent
//! requests, slow heads and idle keep-alives, an oversized body, and the
//! RFC 6750 details of a 401.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use gateway_tests::config::{board, ADMIN_TOKEN};
use gateway_tests::gateway::Gateway;
use gateway_tests::wait_for;

fn gateway() -> Gateway {
    Gateway::start(&board("sip:agent@127.0.0.1:9", "none").replacen(
        "[api]\n",
        "[api]\nheader_timeout_s = 1\nmax_connections = 64\nmax_connections_per_address = 16\n\
         max_body_bytes = 1024\n",
        1,
    ))
}

/// Send `request` and read until the server closes or 5 s pass.
fn exchange(addr: SocketAddr, request: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(request.as_bytes()).unwrap();
    let mut text = String::new();
    let _ = s.read_to_string(&mut text);
    text
}

/// How long until the server closes `s` (reads return 0 or fail), at most 5 s.
fn closed_within(s: &mut TcpStream) -> Option<Duration> {
    let start = Instant::now();
    s.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut buf = [0u8; 4096];
    while start.elapsed() < Duration::from_secs(5) {
        match s.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => return Some(start.elapsed()),
        }
    }
    None
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[test]
fn every_401_carries_a_bearer_challenge_and_the_scheme_is_case_insensitive() {
    let gw = gateway();
    let none = exchange(
        gw.api,
        "GET /api/v1/ports HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n",
    );
    assert!(none.starts_with("HTTP/1.1 401"), "{none}");
    assert!(
        none.to_ascii_lowercase()
            .contains("www-authenticate: bearer realm=\"gateway\""),
        "{none}"
    );
    let wrong = exchange(
        gw.api,
        "GET /api/v1/ports HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer nope-nope\r\nConnection: close\r\n\r\n",
    );
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    assert!(wrong.contains("error=\"invalid_token\""), "{wrong}");
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let ok = exchange(
            gw.api,
            &format!(
                "GET /api/v1/ports HTTP/1.1\r\nHost: gw\r\nAuthorization: {scheme} {ADMIN_TOKEN}\r\nConnection: close\r\n\r\n"
            ),
        );
        assert!(ok.starts_with("HTTP/1.1 200"), "{scheme}: {ok}");
    }
}

#[test]
fn slow_heads_idle_keep_alives_and_big_bodies_are_cut_off() {
    let gw = gateway();
    // A head that never ends: closed after about the 1 s header timeout.
    let mut slow = TcpStream::connect(gw.api).unwrap();
    slow.write_all(b"GET /api/v1/ports HTTP/1.1\r\nHost: gw\r\n")
        .unwrap();
    let waited = closed_within(&mut slow).expect("a slow head is cut off");
    assert!(waited < Duration::from_secs(3), "{waited:?}");

    // A kept-alive connection left idle after its answer: closed too.
    let mut idle = TcpStream::connect(gw.api).unwrap();
    write!(
        idle,
        "GET /api/v1/ports HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\r\n"
    )
    .unwrap();
    let waited = closed_within(&mut idle).expect("an idle keep-alive is closed");
    assert!(waited < Duration::from_secs(3), "{waited:?}");

    // A body over max_body_bytes: 413 before it is read.
    let big = exchange(
        gw.api,
        &format!(
            "POST /api/v1/ports HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer {ADMIN_TOKEN}\r\n\
             Content-Length: 100000\r\nConnection: close\r\n\r\n"
        ),
    );
    assert!(big.starts_with("HTTP/1.1 413"), "{big}");
}

#[test]
fn a_slow_loris_of_3000_half_sent_requests_is_bounded_and_memory_returns() {
    let gw = gateway();
    let pid = gw.pid();
    // Warm up: one full answer, so the baseline includes the serving path.
    let (status, _) = gateway_tests::http::get(gw.api, "/api/v1/ports").unwrap();
    assert_eq!(status, 200);
    let before = rss_kib(pid);

    let mut held = Vec::new();
    for _ in 0..3000 {
        if let Ok(mut s) = TcpStream::connect(gw.api) {
            let _ = s.write_all(b"GET /api/v1/ports HTTP/1.1\r\nHost: gw\r\nX-Slow: ");
            held.push(s);
        }
    }
    let during = rss_kib(pid);
    // Only 16 of them are served at all; the rest were closed at once.
    let open = held
        .iter_mut()
        .filter(|s| {
            let mut s: &TcpStream = s;
            s.set_read_timeout(Some(Duration::from_millis(1))).unwrap();
            let mut b = [0u8; 1];
            matches!(s.read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
        })
        .count();
    assert!(open <= 16, "{open} connections held by one address");
    drop(held);
    let after = wait_for(Duration::from_secs(10), || {
        let now = rss_kib(pid);
        (now <= before + 2048).then_some(now)
    });
    eprintln!("RSS before {before} KiB, during {during} KiB, after {after:?} KiB");
    assert!(
        during <= before + 8192,
        "RSS grew from {before} to {during} KiB"
    );
    assert!(after.is_some(), "RSS did not come back near {before} KiB");
    // And the API still answers.
    let (status, _) = gateway_tests::http::get(gw.api, "/api/v1/ports").unwrap();
    assert_eq!(status, 200);
}
