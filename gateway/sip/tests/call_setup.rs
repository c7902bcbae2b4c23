//! Call setup with 180/200/ACK, INFO and MESSAGE in the dialog, BYE from
//! either side.

mod common;

use common::{Pair, Side, ANSWER, OFFER};
use sip::{CallState, Event};

#[test]
fn invite_ringing_answer_ack_then_uac_hangs_up() {
    let mut p = Pair::new();
    let now = p.now;
    let uac_call = p.uac.invite(now, p.outgoing()).unwrap();
    assert_eq!(p.uac.call_info(uac_call).unwrap().state, CallState::Calling);
    p.deliver();
    // 100 Trying went back at once.
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 100"), 1);
    let Some(Event::IncomingCall {
        call: uas_call,
        request,
        source,
        sdp,
    }) = p.uas_events.first().cloned()
    else {
        panic!("expected IncomingCall, got {:?}", p.uas_events)
    };
    assert_eq!(source, p.uac_addr);
    assert_eq!(sdp.as_deref(), Some(OFFER));
    assert_eq!(request.headers.get("x-line"), Some("1"));
    assert_eq!(
        p.uas.call_info(uas_call).unwrap().state,
        CallState::Incoming
    );
    assert_eq!(
        p.uas.call_info(uas_call).unwrap().remote_display.as_deref(),
        Some("Line 1")
    );

    p.uas.send_provisional(now, uas_call, 180, None).unwrap();
    p.deliver();
    assert!(p.uac_events.contains(&Event::Progress {
        call: uac_call,
        status: 180,
        sdp: None
    }));
    assert_eq!(p.uac.call_info(uac_call).unwrap().state, CallState::Early);

    p.uas.accept(now, uas_call, ANSWER).unwrap();
    p.deliver();
    assert!(p.uac_events.contains(&Event::Answered {
        call: uac_call,
        sdp: Some(ANSWER.to_vec())
    }));
    assert!(p.uas_events.contains(&Event::Confirmed { call: uas_call }));
    assert_eq!(p.count_on_wire(Side::Uac, "ACK "), 1);
    let uac_info = p.uac.call_info(uac_call).unwrap();
    let uas_info = p.uas.call_info(uas_call).unwrap();
    assert_eq!(uac_info.state, CallState::Confirmed);
    assert_eq!(uas_info.state, CallState::Confirmed);
    assert_eq!(uac_info.call_id, uas_info.call_id);
    assert_eq!(
        uac_info.remote_tag.as_deref(),
        Some(uas_info.local_tag.as_str())
    );
    assert_eq!(uac_info.remote_target.port, Some(5070));

    // No 2xx retransmissions after the ACK.
    p.run_for(std::time::Duration::from_secs(40));
    assert_eq!(p.count_on_wire(Side::Uas, "SIP/2.0 200"), 1);

    // INFO (DTMF) and MESSAGE in the dialog.
    let now = p.now;
    let info = p
        .uac
        .send_info(
            now,
            uac_call,
            "application/dtmf-relay",
            b"Signal=5\r\nDuration=160\r\n",
        )
        .unwrap();
    let msg = p
        .uas
        .send_message(now, uas_call, "text/plain", b"hello")
        .unwrap();
    p.deliver();
    assert!(p.uas_events.contains(&Event::InfoReceived {
        call: uas_call,
        content_type: "application/dtmf-relay".into(),
        body: b"Signal=5\r\nDuration=160\r\n".to_vec()
    }));
    assert!(p.uac_events.iter().any(|e| matches!(e,
        Event::MessageReceived { call: Some(c), content_type, body, .. }
            if *c == uac_call && content_type == "text/plain" && body == b"hello")));
    assert!(p.uac_events.contains(&Event::RequestCompleted {
        request: info,
        status: 200
    }));
    assert!(p.uas_events.contains(&Event::RequestCompleted {
        request: msg,
        status: 200
    }));

    p.uac.hangup(p.now, uac_call).unwrap();
    p.deliver();
    assert!(p.uas_events.contains(&Event::Ended {
        call: uas_call,
        by_remote: true
    }));
    assert!(p.uac_events.contains(&Event::Ended {
        call: uac_call,
        by_remote: false
    }));
    assert!(p.uac.call_info(uac_call).is_none());
    assert!(p.uas.call_info(uas_call).is_none());
    // Everything drains once the transaction timers run out.
    p.run_for(std::time::Duration::from_secs(60));
    assert_eq!(p.uac.transaction_count(), 0);
    assert_eq!(p.uas.transaction_count(), 0);
    assert_eq!(p.uac.poll_timeout(), None);
}

#[test]
fn uas_hangs_up_confirmed_call() {
    let mut p = Pair::new();
    let (uac_call, uas_call) = p.establish();
    p.uas.hangup(p.now, uas_call).unwrap();
    p.deliver();
    assert_eq!(p.count_on_wire(Side::Uas, "BYE "), 1);
    assert!(p.uac_events.contains(&Event::Ended {
        call: uac_call,
        by_remote: true
    }));
    assert!(p.uas_events.contains(&Event::Ended {
        call: uas_call,
        by_remote: false
    }));
    // The UAC answered 200 once; a retransmitted BYE is absorbed with the same 200.
    assert_eq!(p.count_on_wire(Side::Uac, "SIP/2.0 200"), 1);
}

#[test]
fn info_retransmitted_over_lossy_link() {
    let mut p = Pair::new();
    let (uac_call, _) = p.establish();
    // Lose the first two INFO requests.
    let mut lost = 0;
    p.drop = Box::new(move |side, t| {
        if side == Side::Uac && t.payload.starts_with(b"INFO") && lost < 2 {
            lost += 1;
            return true;
        }
        false
    });
    let info = p
        .uac
        .send_info(p.now, uac_call, "application/dtmf", b"1")
        .unwrap();
    p.deliver();
    p.run_for(std::time::Duration::from_secs(5));
    assert_eq!(p.count_on_wire(Side::Uac, "INFO "), 3);
    assert!(p.uac_events.contains(&Event::RequestCompleted {
        request: info,
        status: 200
    }));
    assert_eq!(
        p.uas_events
            .iter()
            .filter(|e| matches!(e, Event::InfoReceived { .. }))
            .count(),
        1
    );
}

#[test]
fn api_misuse_is_a_typed_error() {
    let mut p = Pair::new();
    let (uac_call, uas_call) = p.establish();
    assert!(matches!(
        p.uas.accept(p.now, uas_call, ANSWER),
        Err(sip::CallError::InvalidState { .. })
    ));
    assert!(matches!(
        p.uac.send_provisional(p.now, uac_call, 100, None),
        Err(sip::CallError::InvalidStatus(100))
    ));
    assert!(matches!(
        p.uas.reject(p.now, uas_call, 200, "no"),
        Err(sip::CallError::InvalidStatus(200))
    ));
    p.uac.hangup(p.now, uac_call).unwrap();
    p.deliver();
    assert!(matches!(
        p.uac.hangup(p.now, uac_call),
        Err(sip::CallError::UnknownCall(_))
    ));
}
