//! Raw SIP over a UDP socket for the security tests: what an attacker (or a
//! victim the test plays) sends and reads, byte for byte.
#![allow(dead_code)]

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

/// A UDP socket on a free loopback port.
pub fn socket() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .expect("timeout");
    s
}

/// The first datagram whose text satisfies `want` within `limit`, with its
/// source; others are skipped.
pub fn recv_matching(
    s: &UdpSocket,
    limit: Duration,
    want: impl Fn(&str) -> bool,
) -> Option<(String, SocketAddr)> {
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 65535];
    while Instant::now() < deadline {
        if let Ok((n, from)) = s.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..n]).into_owned();
            if want(&text) {
                return Some((text, from));
            }
        }
    }
    None
}

/// Every datagram received within `limit`.
pub fn drain(s: &UdpSocket, limit: Duration) -> Vec<String> {
    let deadline = Instant::now() + limit;
    let mut buf = [0u8; 65535];
    let mut out = Vec::new();
    while Instant::now() < deadline {
        if let Ok((n, _)) = s.recv_from(&mut buf) {
            out.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    out
}

/// The value of the first header `name` (case-insensitive), trimmed.
pub fn header<'a>(message: &'a str, name: &str) -> Option<&'a str> {
    message
        .split("\r\n")
        .take_while(|l| !l.is_empty())
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
}

/// The value of `param="..."` (or unquoted) in `text`.
pub fn param<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let start = text.find(&format!("{name}="))? + name.len() + 1;
    let rest = &text[start..];
    if let Some(quoted) = rest.strip_prefix('"') {
        quoted.split('"').next()
    } else {
        rest.split([',', ';', ' ', '\r']).next()
    }
}

/// A response to `request` (status line, its Via, From, To with `to_tag`,
/// Call-ID, CSeq), with `contact` and an SDP body if given.
pub fn response_to(
    request: &str,
    status: &str,
    to_tag: &str,
    contact: &str,
    sdp: Option<&str>,
) -> String {
    let h = |n| header(request, n).unwrap_or_default();
    let body = sdp.unwrap_or("");
    let content_type = if sdp.is_some() {
        "Content-Type: application/sdp\r\n"
    } else {
        ""
    };
    format!(
        "SIP/2.0 {status}\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag={to_tag}\r\nCall-ID: {}\r\n\
         CSeq: {}\r\nContact: <{contact}>\r\n{content_type}Content-Length: {}\r\n\r\n{body}",
        h("Via"),
        h("From"),
        h("To"),
        h("Call-ID"),
        h("CSeq"),
        body.len()
    )
}

/// An SDP answer with PCMU at `rtp`.
pub fn sdp_answer(rtp: SocketAddr) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
        ip = rtp.ip(),
        port = rtp.port()
    )
}

/// A REGISTER for `user` from `local` to `gw`, with `extra` header lines.
pub fn register(user: &str, local: SocketAddr, gw: SocketAddr, n: u32, extra: &str) -> String {
    format!(
        "REGISTER sip:{gw} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-reg-{n};rport\r\n\
         Max-Forwards: 70\r\nFrom: <sip:{user}@{gw}>;tag=t{n}\r\nTo: <sip:{user}@{gw}>\r\n\
         Call-ID: reg-{user}-{n}@{local}\r\nCSeq: {n} REGISTER\r\nContact: <sip:{user}@{local}>\r\n\
         Expires: 60\r\n{extra}Content-Length: 0\r\n\r\n"
    )
}
