//! Garbage on the SIP port is answered with 400 or dropped, logged, and the next
//! valid call still works.

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;
use gateway_tests::require;
use gateway_tests::sipp::Sipp;

/// xorshift64: deterministic garbage.
fn garbage(seed: &mut u64, len: usize) -> Vec<u8> {
    (0..len)
        .map(|_| {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            *seed as u8
        })
        .collect()
}

const INVITE: &str = "INVITE sip:1800@127.0.0.1 SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-garbage-1\r\n\
From: <sip:x@127.0.0.1>;tag=1\r\n\
To: <sip:1800@127.0.0.1>\r\n\
Call-ID: garbage-1@127.0.0.1\r\n\
CSeq: 1 INVITE\r\n\
Max-Forwards: 70\r\n\
Content-Type: application/sdp\r\n\
Content-Length: 9999\r\n\r\nv=0\r\n";

#[test]
fn garbage_is_refused_and_the_next_call_works() {
    let mut gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none"));
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for len in [1, 7, 100, 1400, 4000] {
        client.send_to(&garbage(&mut seed, len), gw.sip).unwrap();
    }
    // Truncated messages: every prefix of a request line and headers.
    for cut in (1..INVITE.len()).step_by(17) {
        client.send_to(&INVITE.as_bytes()[..cut], gw.sip).unwrap();
    }
    // A 64 KB datagram (the largest UDP payload on IPv4).
    let mut big = INVITE
        .replace("Content-Length: 9999", "X-Padding: ")
        .into_bytes();
    big.resize(65_507, b'a');
    client.send_to(&big, gw.sip).unwrap();

    // A request whose Content-Length lies gets a 400 naming the fault.
    client.send_to(INVITE.as_bytes(), gw.sip).unwrap();
    let mut buf = [0u8; 4096];
    let mut answer = String::new();
    while let Ok(n) = client.recv(&mut buf) {
        answer.push_str(&String::from_utf8_lossy(&buf[..n]));
        if answer.contains("SIP/2.0 400") {
            break;
        }
    }
    assert!(
        answer.contains("SIP/2.0 400"),
        "expected a 400, got {answer:?}"
    );
    assert!(gw.is_running(), "the gateway survived the garbage");
    let log = gw.log();
    assert!(log.contains("dropped or rejected"), "garbage is logged");

    // The next valid call still works: a busy line gives 486 after the gateway
    // heard the busy tone.
    if require(&["sipp"]) {
        let outcome = Sipp::start("uac_busy.xml", Some(gw.sip), &["-s", "5550100", "-m", "1"])
            .wait(Duration::from_secs(40));
        assert_eq!(
            outcome.code,
            Some(0),
            "{}\n{}",
            outcome.errors,
            outcome.messages
        );
    }
    assert!(gw.is_running());
}
