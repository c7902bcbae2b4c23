//! The media parsers' fuzz checks (`gateway/fuzz/checks.rs`), run on a bounded,
//! seeded set of inputs in the normal test suite: random datagrams of every
//! length up to a full Ethernet payload, and valid packets of each kind with
//! bytes flipped, cut short and extended. Each parser must return (never
//! panic) and keep its promises; the same checks run under libFuzzer with
//! `cargo +nightly fuzz run rtp` (or `rtcp`, `telephone_event`,
//! `opus_packet`) in `gateway/fuzz`.

#[path = "../fuzz/checks.rs"]
mod checks;

use gateway::media::rtcp::{build_bye, build_report, Loss, ReportBlock, SenderInfo};
use gateway::media::rtp::{PayloadType, RtpSender, RtpTimestamp, Ssrc};
use gateway::media::telephone_event::EventPayload;

/// Random inputs per parser.
const RANDOM: usize = 20_000;
/// Mutations per valid packet.
const MUTATIONS: usize = 2_000;

/// A seeded generator: the same inputs every run.
struct Rng(dsp::noise::Rng);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(dsp::noise::Rng::new(seed))
    }
    fn next(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Random datagrams: mostly short (where the header checks are), some long.
fn random_inputs(seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..RANDOM)
        .map(|i| {
            let len = if i % 10 == 0 {
                rng.below(1501)
            } else {
                rng.below(65)
            };
            let mut b = rng.bytes(len);
            // Half with RTP/RTCP's version 2 in place, to get past the first check.
            if i % 2 == 0 {
                if let Some(first) = b.first_mut() {
                    *first = (*first & 0x3f) | 0x80;
                }
            }
            b
        })
        .collect()
}

/// `valid` with one to four bytes changed, cut at a random length, or with
/// random bytes appended.
fn mutations(valid: &[u8], seed: u64) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..MUTATIONS)
        .map(|_| {
            let mut b = valid.to_vec();
            match rng.below(3) {
                0 if !b.is_empty() => {
                    for _ in 0..1 + rng.below(4) {
                        let i = rng.below(b.len());
                        b[i] = rng.next() as u8;
                    }
                }
                1 => b.truncate(rng.below(valid.len() + 1)),
                _ => {
                    let n = rng.below(40);
                    b.extend(rng.bytes(n));
                }
            }
            b
        })
        .collect()
}

fn rtp_packet(payload_len: usize, marker: bool) -> Vec<u8> {
    let mut sender = RtpSender::new(Ssrc(0xdead_beef), 65_530, RtpTimestamp(u32::MAX - 80));
    let payload: Vec<u8> = (0..payload_len).map(|i| i as u8).collect();
    let mut out = vec![0u8; 12 + payload_len];
    let n = sender
        .at(
            PayloadType(0),
            RtpTimestamp(160),
            marker,
            &payload,
            &mut out,
        )
        .unwrap();
    out.truncate(n);
    out
}

fn rtcp_packets() -> Vec<Vec<u8>> {
    let sender = SenderInfo {
        ntp: 0x1234_5678_9abc_def0,
        rtp: 8000,
        packets: 50,
        octets: 8000,
    };
    let block = ReportBlock {
        ssrc: 0x1234_5678,
        loss: Loss {
            fraction: 12,
            cumulative: -3,
            highest: 70_000,
        },
        jitter: 40,
        lsr: 7,
        dlsr: 9,
    };
    let mut all = Vec::new();
    for (s, b) in [
        (Some(sender), Some(block)),
        (None, Some(block)),
        (None, None),
    ] {
        let mut out = [0u8; 256];
        let n = build_report(Ssrc(9), s, b, "gw@example", &mut out).unwrap();
        all.push(out[..n].to_vec());
        let n = build_bye(Ssrc(9), s, b, "gw@example", &mut out).unwrap();
        all.push(out[..n].to_vec());
    }
    all
}

/// Run `check` on the random inputs and on the mutations of `valid`, each of
/// which `parses` must accept (so the checks of a parsed packet do run).
fn run(name: &str, check: fn(&[u8]), parses: fn(&[u8]) -> bool, valid: &[Vec<u8>], seed: u64) {
    for v in valid {
        assert!(parses(v), "{name}: the valid seed {v:02x?} does not parse");
    }
    let mut count = 0;
    for input in random_inputs(seed) {
        check(&input);
        count += 1;
    }
    for (k, v) in valid.iter().enumerate() {
        check(v);
        for input in mutations(v, seed ^ (k as u64 + 1)) {
            check(&input);
            count += 1;
        }
    }
    println!("{name}: {count} inputs");
}

#[test]
fn rtp_parser() {
    let valid = vec![
        rtp_packet(0, false),
        rtp_packet(160, true),
        rtp_packet(4, false),
    ];
    run(
        "rtp",
        checks::rtp,
        |d| gateway::media::rtp::parse(d).is_ok(),
        &valid,
        0x5eed_0001,
    );
}

#[test]
fn rtcp_parser() {
    run(
        "rtcp",
        checks::rtcp,
        |d| gateway::media::rtcp::parse(d, Ssrc(0x1234_5678)).is_ok(),
        &rtcp_packets(),
        0x5eed_0002,
    );
}

#[test]
fn telephone_event_parser() {
    let valid: Vec<Vec<u8>> = [
        (1, false, 10, 160),
        (11, true, 10, 1280),
        (15, true, 63, 65_535),
    ]
    .into_iter()
    .map(|(event, end, volume, duration)| {
        EventPayload {
            event,
            end,
            volume,
            duration,
        }
        .encode()
        .to_vec()
    })
    .collect();
    run(
        "telephone-event",
        checks::telephone_event,
        |d| EventPayload::decode(d).is_some(),
        &valid,
        0x5eed_0003,
    );
}

#[test]
fn opus_packet_parser() {
    // One TOC of each frame-count code (RFC 6716 §3.2) over SILK, hybrid and
    // CELT configurations, with a first byte that has the LBRR flag set.
    let mut valid = Vec::new();
    for config in [1u8, 9, 13, 29] {
        for code in 0..4u8 {
            let toc = (config << 3) | code;
            let mut p = vec![toc];
            match code {
                0 => p.extend([0xff; 20]),
                1 => p.extend([0xff; 20]),
                2 => p.extend([
                    10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2,
                ]),
                _ => p.extend([0x03, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
            }
            valid.push(p);
        }
    }
    run(
        "opus packet",
        checks::opus_packet,
        |d| gateway::media::opus_packet::first_frame(d).is_some(),
        &valid,
        0x5eed_0004,
    );
}
