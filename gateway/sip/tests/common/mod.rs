//! A UAC and a UAS endpoint wired back to back on a virtual clock.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::{Endpoint, EndpointConfig, Event, OutgoingInvite, Transmit, Uri};

pub const UAC_ADDR: &str = "192.0.2.10:5060";
pub const UAS_ADDR: &str = "192.0.2.20:5070";

pub const OFFER: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
pub const ANSWER: &[u8] = b"v=0\r\no=- 2 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

/// Decides whether a datagram sent by one side is lost.
pub type DropRule = Box<dyn FnMut(Side, &Transmit) -> bool>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Uac,
    Uas,
}

/// Two endpoints and a virtual clock. Transmits go straight to the other
/// side unless `drop` says otherwise.
pub struct Pair {
    pub start: Instant,
    pub now: Instant,
    pub uac: Endpoint,
    pub uas: Endpoint,
    pub uac_addr: SocketAddr,
    pub uas_addr: SocketAddr,
    pub uac_events: Vec<Event>,
    pub uas_events: Vec<Event>,
    /// Every datagram put on the wire: (from, first line).
    pub wire: Vec<(Side, String)>,
    /// Return true to lose a datagram sent by `Side`.
    pub drop: DropRule,
}

pub fn first_line(payload: &[u8]) -> String {
    let text = String::from_utf8_lossy(payload);
    text.lines().next().unwrap_or("").to_owned()
}

impl Pair {
    pub fn new() -> Self {
        let uac_addr: SocketAddr = UAC_ADDR.parse().unwrap();
        let uas_addr: SocketAddr = UAS_ADDR.parse().unwrap();
        let start = Instant::now();
        Self {
            start,
            now: start,
            uac: Endpoint::new(EndpointConfig::new(uac_addr), 1),
            uas: Endpoint::new(EndpointConfig::new(uas_addr), 2),
            uac_addr,
            uas_addr,
            uac_events: Vec::new(),
            uas_events: Vec::new(),
            wire: Vec::new(),
            drop: Box::new(|_, _| false),
        }
    }

    pub fn outgoing(&self) -> OutgoingInvite {
        OutgoingInvite {
            target: Uri::parse("sip:2001@192.0.2.20:5070").unwrap(),
            destination: self.uas_addr,
            from: Uri::parse("sip:line1@192.0.2.10").unwrap(),
            from_display: Some("Line 1".into()),
            to: Uri::parse("sip:2001@192.0.2.20").unwrap(),
            sdp_offer: OFFER.to_vec(),
            extra_headers: vec![("X-Line".into(), "1".into())],
        }
    }

    /// Deliver transmits until both sides are quiet (no time passes).
    pub fn deliver(&mut self) {
        loop {
            let mut moved = false;
            while let Some(t) = self.uac.poll_transmit() {
                moved = true;
                assert_eq!(t.destination, self.uas_addr);
                self.wire.push((Side::Uac, first_line(&t.payload)));
                if !(self.drop)(Side::Uac, &t) {
                    self.uas
                        .handle_datagram(self.now, self.uac_addr, &t.payload);
                }
            }
            while let Some(t) = self.uas.poll_transmit() {
                moved = true;
                assert_eq!(t.destination, self.uac_addr);
                self.wire.push((Side::Uas, first_line(&t.payload)));
                if !(self.drop)(Side::Uas, &t) {
                    self.uac
                        .handle_datagram(self.now, self.uas_addr, &t.payload);
                }
            }
            while let Some(e) = self.uac.poll_event() {
                self.uac_events.push(e);
            }
            while let Some(e) = self.uas.poll_event() {
                self.uas_events.push(e);
            }
            if !moved {
                return;
            }
        }
    }

    /// Jump the clock to the earliest timer of either side (if it is before
    /// `limit`), run it and deliver. Returns false when nothing is pending.
    pub fn step(&mut self, limit: Instant) -> bool {
        let next = [self.uac.poll_timeout(), self.uas.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(t) if t <= limit => {
                self.now = self.now.max(t);
                self.uac.handle_timeout(self.now);
                self.uas.handle_timeout(self.now);
                self.deliver();
                true
            }
            _ => false,
        }
    }

    /// Run timers up to `duration` from now.
    pub fn run_for(&mut self, duration: Duration) {
        let limit = self.now + duration;
        while self.step(limit) {}
        self.now = self.now.max(limit);
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    pub fn count_on_wire(&self, side: Side, prefix: &str) -> usize {
        self.wire
            .iter()
            .filter(|(s, l)| *s == side && l.starts_with(prefix))
            .count()
    }

    pub fn incoming_call(&self) -> sip::CallHandle {
        self.uas_events
            .iter()
            .find_map(|e| match e {
                Event::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .expect("no IncomingCall")
    }

    /// Set up a call: INVITE, 180, 200, ACK. Returns (uac call, uas call).
    pub fn establish(&mut self) -> (sip::CallHandle, sip::CallHandle) {
        let now = self.now;
        let out = self.outgoing();
        let uac_call = self.uac.invite(now, out).unwrap();
        self.deliver();
        let uas_call = self.incoming_call();
        self.uas.send_provisional(now, uas_call, 180, None).unwrap();
        self.deliver();
        self.uas.accept(now, uas_call, ANSWER).unwrap();
        self.deliver();
        (uac_call, uas_call)
    }
}
