//! RFC 4475 §3.3.1 (`insuf`): an INVITE with no From, To or Call-ID must not
//! break the gateway, and is answered 400 Bad Request, since its Via says where
//! the answer goes. A request with no Via at all cannot be answered and is
//! dropped; either way the gateway goes on answering.

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::config::board;
use gateway_tests::gateway::Gateway;

/// The RFC's message, its Via pointing at our socket.
fn insuf(via_port: u16) -> String {
    let body = "v=0\r\no=mhandley 29739 7272939 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n\
t=0 0\r\nm=audio 49217 RTP/AVP 0 12\r\n";
    format!(
        "INVITE sip:user@127.0.0.1 SIP/2.0\r\n\
CSeq: 193942 INVITE\r\n\
Via: SIP/2.0/UDP 127.0.0.1:{via_port};branch=z9hG4bKkdj.insuf\r\n\
Content-Type: application/sdp\r\n\
l: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The datagrams that arrive until one contains `until` (at most 20 reads of
/// 300 ms), as text.
fn answers(socket: &UdpSocket, until: &str) -> String {
    socket
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    for _ in 0..20 {
        if let Ok(n) = socket.recv(&mut buf) {
            text.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        if text.contains(until) {
            break;
        }
    }
    text
}

#[test]
fn insuf_is_answered_400_by_its_via() {
    let mut gw = Gateway::start(&board("sip:agent@127.0.0.1:9", "none"));
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = client.local_addr().unwrap().port();

    client.send_to(insuf(port).as_bytes(), gw.sip).unwrap();
    let answer = answers(&client, "SIP/2.0 400");
    let status = answer.lines().next().unwrap_or("");
    assert!(
        status.starts_with("SIP/2.0 400 Bad Request"),
        "expected a 400, got {answer:?}"
    );
    assert!(
        answer.contains("branch=z9hG4bKkdj.insuf") && answer.contains("CSeq: 193942 INVITE"),
        "the 400 copies Via and CSeq: {answer:?}"
    );

    // No Via: nowhere to answer; dropped, and the gateway still answers.
    let no_via = insuf(port).replace(
        &format!("Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKkdj.insuf\r\n"),
        "",
    );
    client.send_to(no_via.as_bytes(), gw.sip).unwrap();
    let second = insuf(port).replace("kdj.insuf", "kdj.second");
    client.send_to(second.as_bytes(), gw.sip).unwrap();
    let answer = answers(&client, "kdj.second");
    assert!(answer.contains("kdj.second"), "{answer:?}");
    assert_eq!(answer.matches("SIP/2.0 400").count(), 1, "{answer:?}");
    assert!(gw.is_running());
}
