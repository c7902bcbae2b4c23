//! Random bytes, truncations and mutations of the torture messages through
//! the parser, the SDP parser and a whole endpoint: nothing may panic, and
//! whatever the endpoint sends must be a response to the source.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sip::sdp::SessionDescription;
use sip::{Endpoint, EndpointConfig, Message};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/torture");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dat"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

/// Bytes that are interesting to a SIP parser.
const SPICE: &[&[u8]] = &[
    b"\r\n",
    b"\r\n\r\n",
    b" ",
    b"\t",
    b":",
    b";",
    b",",
    b"<",
    b">",
    b"\"",
    b"\\",
    b"%",
    b"%0",
    b"@",
    b"=",
    b"/",
    b"?",
    b"SIP/2.0",
    b"\r\n ",
    b"\xff",
    b"\xc3",
    b"\x00",
    b"Content-Length: 99999999999999999999\r\n",
    b"l: 4294967296\r\n",
    b"Via: SIP/2.0/UDP [::1\r\n",
    b"CSeq: 1 ACK\r\n",
    b"To: <sip:a@b>;tag=x\r\n",
];

fn mutate(rng: &mut Rng, base: &[u8], rounds: usize) -> Vec<u8> {
    let mut data = base.to_vec();
    for _ in 0..rounds {
        let at = rng.below(data.len() + 1);
        match rng.below(6) {
            0 => data.truncate(at),
            1 if at < data.len() => data[at] = rng.next() as u8,
            2 => {
                let spice = SPICE[rng.below(SPICE.len())];
                data.splice(at..at, spice.iter().copied());
            }
            3 if at < data.len() => {
                let end = (at + rng.below(40)).min(data.len());
                data.drain(at..end);
            }
            4 => {
                let len = rng.below(64);
                let start = rng.below(data.len());
                let chunk: Vec<u8> = data.iter().skip(start).take(len).copied().collect();
                data.splice(at..at, chunk);
            }
            _ => {
                if let Some(b) = data.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
        }
    }
    data
}

#[test]
fn ten_thousand_garbage_and_mutated_datagrams() {
    let corpus = corpus();
    assert_eq!(corpus.len(), 49);
    let local: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let mut ep = Endpoint::new(EndpointConfig::new(local), 99);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let start = Instant::now();
    let mut now = start;
    let mut parsed_ok = 0;
    for i in 0..10_000u32 {
        let data = match i % 4 {
            0 => (0..rng.below(600)).map(|_| rng.next() as u8).collect(),
            _ => {
                let pick = rng.below(corpus.len());
                let rounds = if i % 4 == 1 { 1 } else { 1 + rng.below(6) };
                mutate(&mut rng, &corpus[pick], rounds)
            }
        };
        // The fuzz targets' property: whatever parses prints to the same value.
        if let Ok(message) = Message::parse(&data, 65535) {
            parsed_ok += 1;
            let again = Message::parse(&message.to_bytes(), usize::MAX);
            assert_eq!(
                again.as_ref(),
                Ok(&message),
                "{:?}",
                String::from_utf8_lossy(&data)
            );
            if let Ok(sdp) = SessionDescription::parse(message.body()) {
                assert_eq!(SessionDescription::parse(&sdp.to_bytes()), Ok(sdp));
            }
        }
        if let Ok(sdp) = SessionDescription::parse(&data) {
            assert_eq!(SessionDescription::parse(&sdp.to_bytes()), Ok(sdp));
        }
        let source = SocketAddr::from(([198, 51, 100, (i % 200) as u8], 5060 + (i % 7) as u16));
        ep.handle_datagram(now, source, &data);
        while let Some(t) = ep.poll_transmit() {
            assert!(
                t.payload.starts_with(b"SIP/2.0 "),
                "endpoint only answers: {:?}",
                String::from_utf8_lossy(&t.payload)
            );
            // To this source, or to the earlier source of a matching
            // transaction (a retransmission from elsewhere, §17.2.3).
            assert!(
                t.destination == source
                    || t.destination.ip().to_string().starts_with("198.51.100.")
            );
        }
        while ep.poll_event().is_some() {}
        // Time moves on so transactions expire and timers run.
        now += Duration::from_millis(5);
        ep.handle_timeout(now);
        while ep.poll_transmit().is_some() {}
    }
    // Mutations keep some messages valid, so the endpoint logic was exercised too.
    assert!(parsed_ok > 500, "only {parsed_ok} mutated messages parsed");
    ep.handle_timeout(now + Duration::from_secs(3600));
    while ep.poll_transmit().is_some() {}
    while ep.poll_event().is_some() {}
    // Incoming calls nobody answered stay (call control owns them); all
    // finished transactions are gone.
    assert!(ep.transaction_count() <= ep.calls().count());
}

#[test]
fn sixty_four_kilobyte_datagrams() {
    let local: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let peer: SocketAddr = "198.51.100.1:5060".parse().unwrap();
    let mut ep = Endpoint::new(EndpointConfig::new(local), 1);
    let now = Instant::now();

    // A valid OPTIONS padded with a huge header to just over the limit: 513.
    let mut big = b"OPTIONS sip:a@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKbig\r\nFrom: <sip:b@c>;tag=1\r\nTo: <sip:a@192.0.2.1>\r\nCall-ID: big\r\nCSeq: 1 OPTIONS\r\nX-Pad: ".to_vec();
    big.resize(65_536 - 4, b'a');
    big.extend_from_slice(b"\r\n\r\n");
    assert_eq!(big.len(), 65_536);
    ep.handle_datagram(now, peer, &big);
    let t = ep.poll_transmit().expect("513 answer");
    assert!(t.payload.starts_with(b"SIP/2.0 513 "));
    assert!(matches!(ep.poll_event(), Some(sip::Event::Dropped { .. })));

    // Exactly at the limit it parses and is answered 200.
    big.drain(200..201);
    ep.handle_datagram(now, peer, &big);
    let t = ep.poll_transmit().expect("200 answer");
    assert!(t.payload.starts_with(b"SIP/2.0 200 "));

    // 64 KB of garbage, of CRLF, of header folding and of one endless line.
    for fill in [&b"\xff"[..], b"\r\n", b"\r\n ", b"a", b"%", b";"] {
        let data: Vec<u8> = fill.iter().copied().cycle().take(65_535).collect();
        ep.handle_datagram(now, peer, &data);
        while ep.poll_transmit().is_some() {}
        while ep.poll_event().is_some() {}
        let _ = SessionDescription::parse(&data);
    }
}

#[test]
fn every_truncation_of_every_torture_message() {
    let local: SocketAddr = "192.0.2.1:5060".parse().unwrap();
    let peer: SocketAddr = "198.51.100.1:5060".parse().unwrap();
    let mut ep = Endpoint::new(EndpointConfig::new(local), 3);
    let now = Instant::now();
    for message in corpus() {
        for len in 0..message.len() {
            let _ = Message::parse(&message[..len], 65535);
            ep.handle_datagram(now, peer, &message[..len]);
            while ep.poll_transmit().is_some() {}
            while ep.poll_event().is_some() {}
        }
    }
}

#[test]
fn mutated_sdp_never_panics_and_round_trips() {
    let mut bodies: Vec<Vec<u8>> = corpus()
        .iter()
        .filter_map(|m| Message::parse(m, 65535).ok())
        .map(|m| m.body().to_vec())
        .filter(|b| b.starts_with(b"v=0"))
        .collect();
    bodies.push(
        b"v=0\r\no=- 1 2 IN IP6 2001:db8::1\r\ns=-\r\nc=IN IP6 2001:db8::1\r\nt=0 0\r\n\
m=audio 4000/2 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendonly\r\n"
            .to_vec(),
    );
    let mut rng = Rng(77);
    let mut parsed = 0;
    for _ in 0..5_000 {
        let pick = rng.below(bodies.len());
        let rounds = 1 + rng.below(3);
        let data = mutate(&mut rng, &bodies[pick], rounds);
        if let Ok(sdp) = SessionDescription::parse(&data) {
            parsed += 1;
            for m in &sdp.media {
                let _ = (
                    m.rtpmaps().count(),
                    m.ptime(),
                    m.fmtp(101),
                    sdp.direction_of(m),
                );
                let _ = sdp.connection_for(m).and_then(|c| c.ip());
            }
            assert_eq!(SessionDescription::parse(&sdp.to_bytes()), Ok(sdp));
        }
    }
    assert!(parsed > 500, "only {parsed} parsed");
}
