//! The demo board (`config/demo.toml`, what the README runs) takes a call from
//! a client that offers only Opus, as a browser or the README's ffmpeg Opus
//! example does: the call to the call centre is answered with Opus, not 488.
//! The demo file itself is run, bound to free ports.

mod demo_support;

use std::net::UdpSocket;
use std::time::Duration;

use gateway_tests::gateway::Gateway;

fn invite(gateway: std::net::SocketAddr, client_port: u16) -> String {
    let body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 40400 RTP/AVP 111\r\na=rtpmap:111 opus/48000/2\r\na=fmtp:111 useinbandfec=1\r\n";
    format!(
        "INVITE sip:1800@{gateway} SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:{client_port};branch=z9hG4bK-opus-only-1;rport\r\n\
From: <sip:browser@127.0.0.1>;tag=opus1\r\n\
To: <sip:1800@{gateway}>\r\n\
Call-ID: opus-only-1@127.0.0.1\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:browser@127.0.0.1:{client_port}>\r\n\
Max-Forwards: 70\r\n\
Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn the_demo_answers_an_opus_only_offer_with_opus() {
    let gw = Gateway::start(&demo_support::on_free_ports("none"));
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = client.local_addr().unwrap().port();
    client
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    client
        .send_to(invite(gw.sip, port).as_bytes(), gw.sip)
        .unwrap();

    // The call centre answers after two rings: at most 40 s of reads.
    let mut buf = [0u8; 8192];
    let mut seen = Vec::new();
    let mut last = None;
    for _ in 0..80 {
        let Ok(n) = client.recv(&mut buf) else {
            continue;
        };
        let text = String::from_utf8_lossy(&buf[..n]).to_string();
        let status = text
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse::<u16>().ok())
            .unwrap_or(0);
        seen.push(status);
        if status >= 200 {
            last = Some(text);
            break;
        }
    }
    let answer = last.unwrap_or_else(|| panic!("no final answer; saw {seen:?}\n{}", gw.log()));
    assert!(
        answer.starts_with("SIP/2.0 200"),
        "an Opus-only offer must be answered, got:\n{answer}"
    );
    assert!(
        answer.contains("a=rtpmap:111 opus/48000/2"),
        "the answer chose Opus at the offer's payload type:\n{answer}"
    );
}
