//! The end of a call's media through the whole core (RFC 3550 §6.6): when the
//! far end hangs up, the controller queues the session's RTCP BYE with that
//! turn's packets, and sends nothing with its SSRC afterwards; when the
//! gateway stops with a call up, `Controller::close_media` queues it so the
//! runtime can send it before the sockets close. On the virtual clock.

mod support;

use std::time::Duration;

use gateway::media::rtcp;
use gateway::media::rtp::{self, Ssrc};
use sip::Event;
use support::Bench;

/// The gateway's RTP stream's SSRC, and the indices in `b.rtp` of RTCP
/// packets that say BYE.
fn stream_and_byes(b: &Bench) -> (Ssrc, Vec<usize>) {
    let ssrc = b
        .rtp
        .iter()
        .find_map(|p| rtp::parse(p).ok().map(|r| r.ssrc))
        .expect("the gateway sent RTP");
    let byes = b
        .rtp
        .iter()
        .enumerate()
        .filter(|(_, p)| matches!(rtp::parse(p), Err(rtp::RtpError::Rtcp)))
        .filter(|(_, p)| rtcp::parse(p, Ssrc(0)).is_ok_and(|r| r.bye))
        .map(|(i, _)| i)
        .collect();
    (ssrc, byes)
}

/// The SSRC a BYE names: its last four bytes (one source, no reason).
fn bye_ssrc(packet: &[u8]) -> Ssrc {
    let tail: [u8; 4] = packet[packet.len() - 4..].try_into().unwrap();
    Ssrc(u32::from_be_bytes(tail))
}

#[test]
fn the_far_ends_hang_up_ends_the_media_with_one_bye() {
    let mut b = Bench::new("");
    let call = b.call("1800", &[]);
    let answered = b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    });
    assert!(answered.is_some());
    let ended = b.run_until(Duration::from_secs(10), |e| match e {
        Event::Ended { call: c, .. } if *c == call => Some(()),
        _ => None,
    });
    assert!(ended.is_some(), "the call centre hangs up at 6 s");
    b.run(Duration::from_secs(1));

    let (ssrc, byes) = stream_and_byes(&b);
    assert_eq!(byes.len(), 1, "one BYE");
    let bye = &b.rtp[byes[0]];
    assert_eq!(bye_ssrc(bye), ssrc, "the BYE names the RTP stream's SSRC");
    // The compound packet starts with a sender report of the same SSRC.
    let report = rtcp::parse(bye, Ssrc(0)).unwrap();
    assert_eq!(report.sender_report.map(|(s, _)| s), Some(ssrc));
    assert_eq!(byes[0], b.rtp.len() - 1, "nothing is sent after the BYE");
}

#[test]
fn stopping_the_gateway_queues_a_bye_for_each_live_call() {
    let mut b = Bench::new("");
    b.call("5550103", &[]);
    let answered = b.run_until(Duration::from_secs(15), |e| {
        matches!(e, Event::Answered { .. }).then_some(())
    });
    assert!(answered.is_some());
    b.run(Duration::from_secs(2));
    assert!(
        stream_and_byes(&b).1.is_empty(),
        "no BYE while the call runs"
    );

    b.gateway.close_media(b.now);
    b.pump();
    let (ssrc, byes) = stream_and_byes(&b);
    assert_eq!(byes.len(), 1);
    assert_eq!(bye_ssrc(&b.rtp[byes[0]]), ssrc);
    // The media is gone: the line keeps ticking, no packet follows.
    let sent = b.rtp.len();
    b.run(Duration::from_millis(200));
    assert_eq!(b.rtp.len(), sent);
}
