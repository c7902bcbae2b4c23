//! Issue 22 item 4 against the real binary: reading a session's call events
//! without a token, with a forged or another session's token, and opening
//! more streams than allowed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use gateway_tests::config::{board, merchants, SHOP1_TOKEN};
use gateway_tests::gateway::Gateway;
use gateway_tests::http;
use gateway_tests::wait_for;

/// The status line and head of a GET (the body of a stream is not awaited).
fn head(addr: SocketAddr, path: &str) -> String {
    open_head(addr, path).0
}

fn token(gw: &Gateway, session: &str) -> String {
    let (status, body) = http::get_as(
        gw.api,
        &format!("/api/v1/sessions/{session}/token"),
        Some(SHOP1_TOKEN),
    )
    .unwrap();
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["session_id"], session);
    v["token"].as_str().unwrap().to_owned()
}

#[test]
fn the_event_stream_needs_a_token_for_its_own_session() {
    let config = format!(
        "{}\n{}",
        board("sip:agent@127.0.0.1:9", "none").replacen(
            "[api]\n",
            "[api]\nmax_event_streams_per_address = 2\n",
            1
        ),
        merchants(None)
    );
    let gw = Gateway::start(&config);

    // Guessing the session id is not enough any more.
    let open = head(gw.api, "/api/v1/events?session_id=sess-42");
    assert!(open.starts_with("HTTP/1.1 401"), "{open}");
    assert!(
        open.to_ascii_lowercase()
            .contains("www-authenticate: bearer"),
        "{open}"
    );
    // A token is only issued to an API client of the merchant...
    let (status, _) = http::get_as(gw.api, "/api/v1/sessions/sess-42/token", None).unwrap();
    assert_eq!(status, 401);
    // ... is bound to its session, and cannot be made up.
    let other = token(&gw, "sess-other");
    let wrong = head(
        gw.api,
        &format!("/api/v1/events?session_id=sess-42&token={other}"),
    );
    assert!(wrong.starts_with("HTTP/1.1 401"), "{wrong}");
    let made_up = "99999999999.73686f702d31.00112233";
    let forged = head(
        gw.api,
        &format!("/api/v1/events?session_id=sess-42&token={made_up}"),
    );
    assert!(forged.starts_with("HTTP/1.1 401"), "{forged}");

    // With its token the page gets its stream; two per address at most here.
    let good = token(&gw, "sess-42");
    let path = format!("/api/v1/events?session_id=sess-42&token={good}");
    let first = open_stream(gw.api, &path);
    let _second = open_stream(gw.api, &path);
    let third = head(gw.api, &path);
    assert!(third.starts_with("HTTP/1.1 429"), "{third}");
    // Closing one gives its place back.
    drop(first);
    let again = wait_for(Duration::from_secs(20), || {
        let (h, s) = open_head(gw.api, &path);
        h.starts_with("HTTP/1.1 200").then_some(s)
    });
    assert!(
        again.is_some(),
        "the closed stream's place was not given back"
    );
}

/// Send a GET and read its head; the connection stays open.
fn open_head(addr: SocketAddr, path: &str) -> (String, TcpStream) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: gw\r\nAccept: text/event-stream\r\n\r\n"
    )
    .unwrap();
    let mut text = Vec::new();
    let mut buf = [0u8; 1];
    while !text.ends_with(b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => text.push(buf[0]),
        }
    }
    (String::from_utf8_lossy(&text).into_owned(), s)
}

fn open_stream(addr: SocketAddr, path: &str) -> TcpStream {
    let (h, s) = open_head(addr, path);
    assert!(h.starts_with("HTTP/1.1 200"), "stream refused: {h}");
    s
}
