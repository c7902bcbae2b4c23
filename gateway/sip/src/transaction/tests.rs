//! Each transaction state machine on a virtual clock.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::message::{Message, Request, Response};
use crate::Transmit;

fn invite() -> Request {
    let text = "INVITE sip:b@192.0.2.2 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKx\r\n\
From: <sip:a@a>;tag=1\r\nTo: <sip:b@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    match Message::parse(text.as_bytes(), 65535).unwrap() {
        Message::Request(r) => r,
        Message::Response(_) => unreachable!(),
    }
}

fn dest() -> SocketAddr {
    "192.0.2.2:5060".parse().unwrap()
}

fn sent_at(out: &mut VecDeque<Transmit>) -> usize {
    let n = out.len();
    out.clear();
    n
}

#[test]
fn client_invite_timer_a_doubles_and_b_gives_up() {
    let t0 = Instant::now();
    let mut out = VecDeque::new();
    let mut tx = ClientInvite::new(t0, invite(), dest(), TimerConfig::default(), &mut out);
    assert_eq!(sent_at(&mut out), 1);
    let mut sends = vec![];
    while let Some(at) = tx.poll_timeout() {
        let timed_out = tx.on_timeout(at, &mut out);
        if sent_at(&mut out) > 0 {
            sends.push((at - t0).as_millis());
        }
        if timed_out {
            assert_eq!(at - t0, Duration::from_secs(32));
            break;
        }
    }
    assert_eq!(sends, vec![500, 1500, 3500, 7500, 15500, 31500]);
    assert!(tx.is_terminated());
}

#[test]
fn client_invite_acks_non_2xx_and_absorbs_retransmissions() {
    let t0 = Instant::now();
    let mut out = VecDeque::new();
    let req = invite();
    let mut tx = ClientInvite::new(t0, req.clone(), dest(), TimerConfig::default(), &mut out);
    out.clear();
    let mut busy = Response::for_request(&req, 486, "Busy Here");
    busy.set_to_tag("t");
    assert!(tx.on_response(t0, &busy, &mut out));
    let ack = out.pop_front().unwrap();
    assert!(ack.payload.starts_with(b"ACK sip:b@192.0.2.2 SIP/2.0\r\n"));
    let text = String::from_utf8(ack.payload).unwrap();
    assert!(
        text.contains("branch=z9hG4bKx") && text.contains(";tag=t") && text.contains("CSeq: 1 ACK")
    );
    assert!(
        !tx.on_response(t0, &busy, &mut out),
        "retransmission absorbed"
    );
    assert_eq!(sent_at(&mut out), 1, "and ACKed again");
    assert_eq!(
        tx.poll_timeout(),
        Some(t0 + Duration::from_secs(32)),
        "Timer D"
    );
    tx.on_timeout(t0 + Duration::from_secs(32), &mut out);
    assert!(tx.is_terminated());
}

#[test]
fn client_non_invite_timer_e_caps_at_t2() {
    let t0 = Instant::now();
    let mut out = VecDeque::new();
    let mut tx = ClientNonInvite::new(t0, &invite(), dest(), TimerConfig::default(), &mut out);
    out.clear();
    let mut sends = vec![];
    loop {
        let at = tx.poll_timeout().unwrap();
        let timed_out = tx.on_timeout(at, &mut out);
        if sent_at(&mut out) > 0 {
            sends.push((at - t0).as_millis());
        }
        if timed_out {
            break;
        }
    }
    assert_eq!(
        sends,
        vec![500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
    );
}

#[test]
fn server_invite_non_2xx_timer_g_then_ack_then_i() {
    let t0 = Instant::now();
    let cfg = TimerConfig::default();
    let mut out = VecDeque::new();
    let req = invite();
    let mut tx = ServerInvite::new(&req, dest(), cfg, &mut out);
    assert!(out
        .pop_front()
        .unwrap()
        .payload
        .starts_with(b"SIP/2.0 100 Trying"));
    tx.on_retransmission(&mut out);
    assert!(out
        .pop_front()
        .unwrap()
        .payload
        .starts_with(b"SIP/2.0 100 Trying"));
    tx.respond(
        t0,
        &Response::for_request(&req, 480, "Temporarily Unavailable"),
        &mut out,
    )
    .unwrap();
    out.clear();
    assert_eq!(
        tx.respond(t0, &Response::for_request(&req, 200, "OK"), &mut out),
        Err(TransactionError::FinalResponseSent)
    );
    // Timer G: 0.5, 1.5 (then ACK arrives).
    tx.on_timeout(t0 + Duration::from_millis(500), &mut out);
    tx.on_timeout(t0 + Duration::from_millis(1500), &mut out);
    assert_eq!(sent_at(&mut out), 2);
    assert_eq!(
        tx.on_ack(t0 + Duration::from_secs(2)),
        AckDisposition::Absorbed
    );
    assert_eq!(tx.state(), ServerInviteState::Confirmed);
    assert_eq!(
        tx.poll_timeout(),
        Some(t0 + Duration::from_secs(7)),
        "Timer I = T4"
    );
    tx.on_timeout(t0 + Duration::from_secs(7), &mut out);
    assert!(tx.is_terminated());
    assert!(out.is_empty());
}

#[test]
fn server_invite_timer_h_without_ack_and_accepted_state() {
    let t0 = Instant::now();
    let cfg = TimerConfig::default();
    let mut out = VecDeque::new();
    let req = invite();
    let mut tx = ServerInvite::new(&req, dest(), cfg, &mut out);
    tx.respond(
        t0,
        &Response::for_request(&req, 503, "Service Unavailable"),
        &mut out,
    )
    .unwrap();
    let mut timed_out = false;
    while let Some(at) = tx.poll_timeout() {
        timed_out |= tx.on_timeout(at, &mut out);
    }
    assert!(timed_out);

    let mut tx = ServerInvite::new(&req, dest(), cfg, &mut out);
    tx.respond(t0, &Response::for_request(&req, 200, "OK"), &mut out)
        .unwrap();
    out.clear();
    assert_eq!(tx.state(), ServerInviteState::Accepted);
    tx.on_retransmission(&mut out);
    assert!(
        out.is_empty(),
        "RFC 6026: INVITE retransmissions absorbed in Accepted"
    );
    assert_eq!(tx.on_ack(t0), AckDisposition::ForCore);
    assert_eq!(
        tx.poll_timeout(),
        Some(t0 + Duration::from_secs(32)),
        "Timer L"
    );
}

#[test]
fn server_non_invite_resends_final_until_j() {
    let t0 = Instant::now();
    let mut out = VecDeque::new();
    let req = invite();
    let mut tx = ServerNonInvite::new(dest(), TimerConfig::default());
    tx.on_retransmission(&mut out);
    assert!(out.is_empty(), "nothing to resend in Trying");
    tx.respond(t0, &Response::for_request(&req, 200, "OK"), &mut out)
        .unwrap();
    tx.on_retransmission(&mut out);
    assert_eq!(sent_at(&mut out), 2);
    tx.on_timeout(t0 + Duration::from_secs(32));
    assert!(tx.is_terminated());
}

#[test]
fn timers_follow_configured_t1() {
    let cfg = TimerConfig {
        t1: Duration::from_millis(100),
        t2: Duration::from_millis(400),
        t4: Duration::from_secs(1),
        reliable: false,
    };
    assert_eq!(cfg.timeout(), Duration::from_millis(6400));
    let t0 = Instant::now();
    let mut out = VecDeque::new();
    let tx = ClientInvite::new(t0, invite(), dest(), cfg, &mut out);
    assert_eq!(tx.poll_timeout(), Some(t0 + Duration::from_millis(100)));
}

#[test]
fn reliable_transport_neither_retransmits_nor_waits() {
    let cfg = TimerConfig::default().with_reliable(true);
    let t0 = Instant::now();
    let mut out = VecDeque::new();
    let mut tx = ClientInvite::new(t0, invite(), dest(), cfg, &mut out);
    assert_eq!(out.len(), 1);
    // No Timer A: the next deadline is Timer B.
    assert_eq!(tx.poll_timeout(), Some(t0 + cfg.timeout()));
    let busy = Response::for_request(&invite(), 486, "Busy Here");
    assert!(tx.on_response(t0, &busy, &mut out));
    // Timer D is zero: terminated at the next timeout.
    assert_eq!(tx.poll_timeout(), Some(t0));
    tx.on_timeout(t0, &mut out);
    assert!(tx.is_terminated());

    let mut server = ServerInvite::new(&invite(), dest(), cfg, &mut out);
    server.respond(t0, &busy, &mut out).unwrap();
    // No Timer G: only H is pending.
    assert_eq!(server.poll_timeout(), Some(t0 + cfg.timeout()));
    assert_eq!(server.on_ack(t0), AckDisposition::Absorbed);
    assert_eq!(server.poll_timeout(), Some(t0), "Timer I is zero");
}
