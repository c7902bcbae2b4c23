//! Tests of the per-call media session.

use super::*;
use crate::media::rtp::PT_PCMU;
use crate::media::telephone_event::EventPayload;
use dsp::dtmf::Detector;

fn session(telephone_event: Option<PayloadType>) -> MediaSession {
    let negotiated = Negotiated::g711(
        Codec::Pcmu,
        telephone_event,
        "127.0.0.1:4000".parse().unwrap(),
    );
    let ids = StreamIds {
        ssrc: Ssrc(1),
        seq: 0,
        timestamp: RtpTimestamp(0),
    };
    MediaSession::new(
        crate::media::TransportId(0),
        negotiated,
        ids,
        &MediaConfig::default(),
        Instant::now(),
    )
    .unwrap()
}

/// Run `frames` silent line frames and return (audio PCM, event packets).
fn run(s: &mut MediaSession, frames: usize) -> (Vec<i16>, usize) {
    let mut queue = RtpQueue::new();
    let (mut pcm, mut events) = (Vec::new(), 0);
    for _ in 0..frames {
        s.process_line(&[0; FRAME_SAMPLES]);
        s.transmit(Instant::now(), &mut queue);
        while let Some(p) = queue.pop_front() {
            if p.rtcp {
                continue;
            }
            let r = rtp::parse(p.bytes()).unwrap();
            if r.payload_type == PT_PCMU {
                let mut f = [0i16; FRAME_SAMPLES];
                dsp::g711::Law::Ulaw.decode(r.payload, &mut f);
                pcm.extend_from_slice(&f);
            } else {
                events += 1;
            }
        }
    }
    (pcm, events)
}

fn digits_in(pcm: &[i16]) -> String {
    let mut d = Detector::new(DetectorConfig::default());
    d.process(pcm);
    let mut s = String::new();
    while let Some(e) = d.poll_event() {
        if let DtmfEvent::Start { digit, .. } = e {
            s.push(digit.as_char());
        }
    }
    s
}

#[test]
fn without_telephone_event_digits_are_regenerated_in_band() {
    let mut s = session(None);
    s.forward_digit_start(Digit::from_char('5').unwrap());
    let (mut pcm, events) = run(&mut s, 5);
    s.forward_digit_end(800);
    assert_eq!(
        s.forward_digits_late(&[Digit::from_char('#').unwrap()], 800),
        0
    );
    let (more, _) = run(&mut s, 20);
    pcm.extend(more);
    assert_eq!(events, 0);
    assert_eq!(digits_in(&pcm), "5#");
}

#[test]
fn with_telephone_event_digits_go_as_events_not_audio() {
    let mut s = session(Some(PayloadType(101)));
    s.forward_digit_start(Digit::from_char('5').unwrap());
    let (pcm, events) = run(&mut s, 5);
    s.forward_digit_end(800);
    let (_, end_events) = run(&mut s, 3);
    assert_eq!(digits_in(&pcm), "");
    assert_eq!(events, 5);
    assert_eq!(end_events, 3, "three end packets");
}

/// A PCMU packet from `ssrc` with sequence number `seq`.
fn pcmu(ssrc: u32, seq: u16) -> Vec<u8> {
    let mut sender = RtpSender::new(Ssrc(ssrc), seq, RtpTimestamp(u32::from(seq) * 160));
    let mut buf = [0u8; 256];
    let n = sender.audio(PT_PCMU, &[0xff; 160], 160, &mut buf).unwrap();
    buf[..n].to_vec()
}

#[test]
fn a_stranger_cannot_take_the_stream_over() {
    let t0 = Instant::now();
    let mut s = session(None);
    let client: SocketAddr = "10.0.0.1:4000".parse().unwrap();
    let attacker: SocketAddr = "203.0.113.9:5555".parse().unwrap();
    s.receive(t0, client, &pcmu(7, 100)).unwrap();
    assert_eq!(
        s.remote(),
        client,
        "symmetric RTP learns the client's address"
    );
    // A new SSRC, in sequence, from elsewhere: ignored, however often.
    for seq in 0..5 {
        s.receive(t0, attacker, &pcmu(99, seq)).unwrap();
    }
    // The current SSRC with an unrelated sequence number: ignored too.
    s.receive(t0, attacker, &pcmu(7, 40_000)).unwrap();
    assert_eq!(s.remote(), client);
    // The client's own stream, continuing from a new address (NAT rebinding),
    // is followed.
    let rebound: SocketAddr = "10.0.0.1:4444".parse().unwrap();
    s.receive(t0, rebound, &pcmu(7, 101)).unwrap();
    assert_eq!(s.remote(), rebound);
}

#[test]
fn a_digit_whose_updates_stop_ends_by_itself() {
    let t0 = Instant::now();
    let mut s = session(Some(PayloadType(101)));
    let client: SocketAddr = "10.0.0.1:4000".parse().unwrap();
    let start = EventPayload {
        event: 5,
        end: false,
        volume: 10,
        duration: 160,
    }
    .encode();
    let mut sender = RtpSender::new(Ssrc(7), 1, RtpTimestamp(800));
    let mut buf = [0u8; 64];
    let n = sender
        .at(PayloadType(101), RtpTimestamp(800), true, &start, &mut buf)
        .unwrap();
    s.receive(t0, client, &buf[..n]).unwrap();
    // Call control plays it; nothing more arrives: after the silence limit
    // the digit ends and the line is quiet again.
    let mut queue = RtpQueue::new();
    let mut heard = Vec::new();
    for i in 0..50u32 {
        let now = t0 + std::time::Duration::from_millis(u64::from(i) * 20);
        s.process_line(&[0; FRAME_SAMPLES]);
        s.transmit(now, &mut queue);
        queue.clear();
        while let Some(d) = s.poll_client_digit() {
            match d {
                ClientDigit::Start(digit) => s.play_client_digit(digit),
                ClientDigit::End => s.stop_client_digit(),
            }
        }
        let mut tx = [0i16; FRAME_SAMPLES];
        s.play_to_line(&mut tx);
        heard.push(dsp::level::rms_dbm0(&tx));
    }
    assert!(heard[2] > -20.0, "the digit sounds at first: {heard:?}");
    assert!(
        heard[30..].iter().all(|l| *l < -60.0),
        "and stops: {heard:?}"
    );
}

#[test]
fn a_long_g711_packet_plays_as_several_frames() {
    let t0 = Instant::now();
    let mut s = session(None);
    let client: SocketAddr = "10.0.0.1:4000".parse().unwrap();
    // 80 ms of a 1 kHz tone in one PCMU packet (RFC 3551 allows up to 200 ms).
    let tone: Vec<i16> = (0..640)
        .map(|i| (7000.0 * (std::f32::consts::TAU * 1000.0 * i as f32 / 8000.0).sin()) as i16)
        .collect();
    let mut payload = [0u8; 640];
    dsp::g711::Law::Ulaw.encode(&tone, &mut payload);
    let mut sender = RtpSender::new(Ssrc(7), 1, RtpTimestamp(0));
    let mut buf = [0u8; 700];
    let n = sender.audio(PT_PCMU, &payload, 640, &mut buf).unwrap();
    s.receive(t0, client, &buf[..n]).unwrap();
    let mut queue = RtpQueue::new();
    let mut loud = 0;
    for i in 0..10u32 {
        let now = t0 + std::time::Duration::from_millis(u64::from(i) * 20);
        s.process_line(&[0; FRAME_SAMPLES]);
        s.transmit(now, &mut queue);
        queue.clear();
        let mut tx = [0i16; FRAME_SAMPLES];
        s.play_to_line(&mut tx);
        if dsp::level::rms_dbm0(&tx) > -20.0 {
            loud += 1;
        }
    }
    // 80 ms of tone, then at most the concealer's fading extrapolation.
    assert!(
        (4..=7).contains(&loud),
        "80 ms of tone on the line: {loud} frames"
    );
}

#[test]
fn a_loud_client_does_not_attenuate_the_line() {
    let t0 = Instant::now();
    let mut s = session(None);
    let client: SocketAddr = "10.0.0.1:4000".parse().unwrap();
    let mut line = dsp::tone::ToneGenerator::new(dsp::tone::ToneSpec {
        freqs: [1000.0, 0.0],
        level_dbm0: -10.0,
        cadence: dsp::tone::Cadence::CONTINUOUS,
    });
    let mut voice = dsp::tone::ToneGenerator::new(dsp::tone::ToneSpec {
        freqs: [440.0, 0.0],
        level_dbm0: -4.0,
        cadence: dsp::tone::Cadence::CONTINUOUS,
    });
    let mut sender = RtpSender::new(Ssrc(7), 1, RtpTimestamp(0));
    let mut queue = RtpQueue::new();
    let mut levels = Vec::new();
    for i in 0..100u32 {
        let now = t0 + std::time::Duration::from_millis(u64::from(i) * 20);
        let mut pcm = [0i16; FRAME_SAMPLES];
        voice.fill(&mut pcm);
        let mut payload = [0u8; FRAME_SAMPLES];
        dsp::g711::Law::Ulaw.encode(&pcm, &mut payload);
        let mut buf = [0u8; 256];
        let n = sender.audio(PT_PCMU, &payload, 160, &mut buf).unwrap();
        s.receive(now, client, &buf[..n]).unwrap();
        let mut rx = [0i16; FRAME_SAMPLES];
        line.fill(&mut rx);
        s.process_line(&rx);
        s.transmit(now, &mut queue);
        while let Some(p) = queue.pop_front() {
            if let Ok(r) = rtp::parse(p.bytes()) {
                let mut f = [0i16; FRAME_SAMPLES];
                dsp::g711::Law::Ulaw.decode(r.payload, &mut f);
                levels.push(dsp::level::rms_dbm0(&f));
            }
        }
        let mut tx = [0i16; FRAME_SAMPLES];
        s.play_to_line(&mut tx);
    }
    assert!(
        levels.iter().skip(5).all(|l| (l + 10.0).abs() < 1.0),
        "{levels:?}"
    );
}

/// The RTCP packets (packet type, count field, body after the header) of a
/// compound packet, checking RFC 3550 §6.1's framing on the way: version 2,
/// no padding, each length field in 32-bit words minus one, the lengths adding
/// up to the datagram exactly.
fn compound(data: &[u8]) -> Vec<(u8, u8, &[u8])> {
    let mut packets = Vec::new();
    let mut at = 0;
    while at < data.len() {
        let header = &data[at..at + 4];
        assert_eq!(header[0] >> 6, 2, "version 2 at byte {at}");
        assert_eq!(header[0] & 0x20, 0, "no padding at byte {at}");
        let words = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let end = at + 4 + 4 * words;
        assert!(end <= data.len(), "length at byte {at} runs past the end");
        packets.push((header[1], header[0] & 0x1f, &data[at + 4..end]));
        at = end;
    }
    assert_eq!(at, data.len());
    packets
}

#[test]
fn hang_up_sends_a_compound_rtcp_bye() {
    let t0 = Instant::now();
    let mut s = session(None);
    let ours = s.ssrc();
    let client: SocketAddr = "10.0.0.1:4000".parse().unwrap();
    let mut queue = RtpQueue::new();
    for i in 0..50u16 {
        let now = t0 + std::time::Duration::from_millis(u64::from(i) * 20);
        s.receive(now, client, &pcmu(7, 100 + i)).unwrap();
        s.process_line(&[0; FRAME_SAMPLES]);
        s.transmit(now, &mut queue);
        queue.clear();
        let mut tx = [0i16; FRAME_SAMPLES];
        s.play_to_line(&mut tx);
    }
    let sent = s.stats().packets_sent;
    assert!(s.close(t0 + std::time::Duration::from_secs(1), &mut queue));
    assert_eq!(queue.len(), 1, "one compound packet");
    let bye = queue.pop_front().unwrap();
    assert!(bye.rtcp, "sent from the RTCP socket");
    assert_eq!(bye.destination, "10.0.0.1:4001".parse().unwrap());
    let packets = compound(bye.bytes());
    let kinds: Vec<u8> = packets.iter().map(|p| p.0).collect();
    assert_eq!(kinds, [200, 202, 203], "SR, SDES, BYE");
    // SR: our SSRC, sender info, one report block about the client's stream.
    let (_, blocks, sr) = packets[0];
    assert_eq!(sr[..4], ours.0.to_be_bytes());
    assert_eq!(
        u32::from_be_bytes(sr[16..20].try_into().unwrap()),
        sent as u32
    );
    assert_eq!(blocks, 1);
    assert_eq!(sr[24..28], 7u32.to_be_bytes());
    // SDES: one chunk for our SSRC with the CNAME.
    let (_, chunks, sdes) = packets[1];
    assert_eq!(
        (chunks, &sdes[..4], sdes[4]),
        (1, &ours.0.to_be_bytes()[..], 1)
    );
    // BYE: exactly our SSRC, no reason.
    let (_, sources, body) = packets[2];
    assert_eq!((sources, body), (1, &ours.0.to_be_bytes()[..]));
    // Our own parser reads it as a BYE too.
    assert!(rtcp::parse(bye.bytes(), Ssrc(7)).unwrap().bye);
}

#[test]
fn a_session_that_sent_nothing_says_no_bye() {
    let mut queue = RtpQueue::new();
    assert!(!session(None).close(Instant::now(), &mut queue));
    assert!(queue.is_empty());
}
