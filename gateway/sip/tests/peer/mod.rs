//! A scripted peer for one endpoint: hand-written requests in, what the
//! endpoint sends out, on a virtual clock.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Instant;

use sip::{Endpoint, EndpointConfig, Event, Transmit, Transport};

pub const GATEWAY: &str = "192.0.2.20:5060";

pub struct Script {
    pub now: Instant,
    pub endpoint: Endpoint,
    pub sent: Vec<Transmit>,
    pub events: Vec<Event>,
}

impl Script {
    pub fn new(config: impl FnOnce(&mut EndpointConfig)) -> Self {
        let mut c = EndpointConfig::new(GATEWAY.parse().unwrap());
        config(&mut c);
        Self {
            now: Instant::now(),
            endpoint: Endpoint::new(c, 7),
            sent: Vec::new(),
            events: Vec::new(),
        }
    }

    pub fn drain(&mut self) {
        while let Some(t) = self.endpoint.poll_transmit() {
            self.sent.push(t);
        }
        while let Some(e) = self.endpoint.poll_event() {
            self.events.push(e);
        }
    }

    pub fn udp(&mut self, from: SocketAddr, text: &str) {
        self.endpoint
            .handle_datagram(self.now, from, text.as_bytes());
        self.drain();
    }

    pub fn tcp(&mut self, from: SocketAddr, text: &str) {
        self.endpoint
            .handle_stream_message(self.now, from, text.as_bytes());
        self.drain();
    }

    /// Run timers until `until` on the virtual clock.
    pub fn advance(&mut self, until: Instant) {
        while let Some(t) = self.endpoint.poll_timeout() {
            if t > until {
                break;
            }
            self.now = self.now.max(t);
            self.endpoint.handle_timeout(self.now);
            self.drain();
        }
        self.now = until;
    }

    /// Take what was sent so far.
    pub fn take(&mut self) -> Vec<Transmit> {
        std::mem::take(&mut self.sent)
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }
}

pub fn text(t: &Transmit) -> String {
    String::from_utf8_lossy(&t.payload).into_owned()
}

pub fn first_lines(sent: &[Transmit]) -> Vec<String> {
    sent.iter()
        .map(|t| text(t).lines().next().unwrap_or("").to_owned())
        .collect()
}

pub fn all_tcp(sent: &[Transmit]) -> bool {
    sent.iter().all(|t| t.transport == Transport::Tcp)
}

pub const SDP: &str =
    "v=0\r\no=phone 1 1 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
m=audio 5000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n";

pub const GATEWAY_SDP: &str =
    "v=0\r\no=gw 5 5 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\n\
m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";

/// A request from the phone at `from` (`transport` in its Via).
pub fn request(
    method: &str,
    transport: &str,
    from: SocketAddr,
    branch: &str,
    cseq: u32,
    to_tag: Option<&str>,
    body: &str,
) -> String {
    let to_tag = to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
    let content_type = if body.is_empty() {
        String::new()
    } else {
        "Content-Type: application/sdp\r\n".into()
    };
    format!(
        "{method} sip:1800@{GATEWAY} SIP/2.0\r\nVia: SIP/2.0/{transport} {from};branch=z9hG4bK{branch}\r\n\
         Max-Forwards: 70\r\nFrom: <sip:phone@{from}>;tag=ph1\r\nTo: <sip:1800@{GATEWAY}>{to_tag}\r\n\
         Call-ID: call-{from}\r\nCSeq: {cseq} {}\r\nContact: <sip:phone@{from}>\r\n{content_type}\
         Content-Length: {}\r\n\r\n{body}",
        if method == "ACK" { "ACK" } else { method },
        body.len()
    )
}

/// The To tag of a response.
pub fn to_tag(t: &Transmit) -> String {
    let text = text(t);
    let to = text
        .lines()
        .find(|l| l.starts_with("To:"))
        .expect("To header");
    to.split("tag=")
        .nth(1)
        .unwrap_or_else(|| panic!("no To tag in {text}"))
        .trim()
        .to_owned()
}
