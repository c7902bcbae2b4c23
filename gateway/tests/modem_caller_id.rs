//! An FXO port on an AT voice modem: the caller ID the modem decodes
//! (`NMBR`/`NAME` after `AT+VCID=1`) reaches the call controller through
//! `gateway::card::Card::deliver_modem_events` and becomes the From of the
//! INVITE for the inbound call; a modem that stops answering is reported as a
//! port fault.
//!
//! **Linux implementation** of the serial line: the driver (`drivers::modem::ModemPort`)
//! opens the slave side of a real pseudo-terminal by path, as it opens
//! `/dev/ttyACM0` on a box; the test plays the modem on the master side, one
//! step at a time on this thread. Protocol time is virtual (a `board::VirtualClock`
//! is the card's clock and the controller's `now`); the only waits are bounded
//! readiness waits on the pty (reads with a 5 ms timeout, 5 s of real time at
//! most), never sleeps. The loop below does what the runtime's 20 ms tick does:
//! exchange frames, deliver modem reports, then line events, then the frames.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use board::VirtualClock;
use drivers::hardware::{HardwareCard, PortSignalling, PortSignallingConfig};
use drivers::modem::ModemPort;
use drivers::{Frame, PortId, PortKind, FRAME_DURATION, FRAME_SAMPLES};
use gateway::call::Controller;
use gateway::card::Card;
use serialport::{SerialPort, TTYPort};
use sip::message::{Message, DEFAULT_MAX_MESSAGE_SIZE};

const CLIENT: &str = "127.0.0.1:5070";

fn config_text(device: &str) -> String {
    format!(
        r#"
[sip]
allow_unauthenticated = true
[board]
kind = "hardware"
[[ports]]
port = 0
kind = "fxo"
ani = "4155550100"
inbound_uri = "sip:agent@{CLIENT}"
[hardware]
[[hardware.ports]]
kind = "fxo"
audio = "modem"
signalling = {{ modem = {{ device = "{device}" }} }}
"#
    )
}

struct Rig {
    clock: VirtualClock,
    card: Card,
    core: Controller,
    modem: TTYPort,
    /// What the gateway sent the modem and the test has not consumed yet.
    heard: String,
    failed: Vec<PortId>,
    invites: Vec<Vec<u8>>,
    rx: Vec<Frame>,
    tx: Vec<Frame>,
    _slave: TTYPort,
}

impl Rig {
    fn new() -> Rig {
        let (mut modem, slave) = TTYPort::pair().unwrap();
        modem.set_timeout(Duration::from_millis(5)).unwrap();
        let path = slave.name().unwrap();
        let config = gateway::config::parse(Path::new("modem.toml"), &config_text(&path)).unwrap();
        let PortSignallingConfig::Modem(modem_config) =
            &config.hardware.as_ref().unwrap().ports[0].signalling
        else {
            panic!("a modem port")
        };
        let clock = VirtualClock::starting_at(Instant::now());
        let port = ModemPort::open(modem_config, clock.now()).unwrap();
        let card_clock = clock.clone();
        let card = Card::Hardware(HardwareCard::from_parts(
            vec![PortKind::Fxo],
            None,
            vec![PortSignalling::Modem(Box::new(port))],
            Box::new(move || card_clock.now()),
        ));
        let sip: SocketAddr = "127.0.0.1:5060".parse().unwrap();
        let rtp: SocketAddr = "127.0.0.1:20000".parse().unwrap();
        Rig {
            core: Controller::new(Arc::new(config), sip, &[rtp], 7),
            clock,
            card,
            modem,
            heard: String::new(),
            failed: Vec::new(),
            invites: Vec::new(),
            rx: vec![[0; FRAME_SAMPLES]],
            tx: vec![[0; FRAME_SAMPLES]],
            _slave: slave,
        }
    }

    /// Reports, then line events, then SIP out: what the runtime does after a
    /// frame exchange (or a signalling poll).
    fn deliver(&mut self) {
        let now = self.clock.now();
        let failed = &mut self.failed;
        let core = &mut self.core;
        self.card.deliver_modem_events(
            |port, message| core.handle_caller_id(now, port, message),
            |p| failed.push(p),
        );
        while let Some((port, event)) = self.card.line_card().poll_event() {
            self.core.handle_line_event(now, port, event);
        }
        while let Some((port, command)) = self.core.poll_line_command() {
            self.card.line_card().command(port, command).unwrap();
        }
        while let Some(t) = self.core.poll_sip() {
            let is_invite = matches!(
                Message::parse(&t.payload, DEFAULT_MAX_MESSAGE_SIZE),
                Ok(Message::Request(r)) if r.method.as_str() == "INVITE"
            );
            if is_invite {
                self.invites.push(t.payload);
            }
        }
    }

    /// Signalling without time passing.
    fn poll(&mut self) {
        self.card.poll().unwrap();
        self.deliver();
    }

    /// One 20 ms frame of virtual time.
    fn frame(&mut self) {
        self.clock.advance(FRAME_DURATION);
        let now = self.clock.now();
        self.card
            .line_card()
            .exchange_frames(&self.tx, &mut self.rx)
            .unwrap();
        self.deliver();
        self.core.handle_frames(now, &self.rx, &mut self.tx);
        self.deliver();
    }

    /// Poll (virtual time stands still) until the gateway has sent `command`,
    /// then answer `reply`.
    fn answer(&mut self, command: &str, reply: &str) {
        let wanted = format!("{command}\r");
        let limit = Instant::now() + Duration::from_secs(5);
        while !self.heard.contains(&wanted) {
            assert!(
                Instant::now() < limit,
                "no {command:?} from the gateway; heard {:?}",
                self.heard
            );
            self.poll();
            let mut buf = [0u8; 256];
            if let Ok(n) = self.modem.read(&mut buf) {
                self.heard.push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        }
        let end = self.heard.find(&wanted).unwrap_or(0) + wanted.len();
        self.heard.drain(..end);
        self.say(reply);
    }

    fn say(&mut self, text: &str) {
        self.modem.write_all(text.as_bytes()).unwrap();
    }

    fn initialise(&mut self) {
        for command in ["ATZ", "AT+FCLASS=8", "AT+VCID=1", "AT+VSM=1,8000"] {
            self.answer(command, "\r\nOK\r\n");
        }
    }

    /// Poll until port 0 is `state`, virtual time standing still.
    fn until_port(&mut self, state: &str) {
        let limit = Instant::now() + Duration::from_secs(5);
        while self.core.ports_view()[0].state != state {
            assert!(Instant::now() < limit, "port 0 never got {state:?}");
            self.poll();
        }
    }
}

#[test]
fn modem_caller_id_becomes_the_inbound_invites_from() {
    let mut rig = Rig::new();
    rig.initialise();
    let t0 = rig.clock.now();

    // RING, then the caller ID the modem decoded between the first two rings.
    rig.say(
        "\r\nRING\r\n\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\nNAME = ALICE SMITH\r\n",
    );
    rig.until_port("ringing");
    assert!(rig.invites.is_empty(), "no INVITE before caller ID");

    // The modem's caller ID is complete 300 ms after its last field: the call is
    // announced then, with it, well before a second ring would have announced
    // it without.
    let mut announced = None;
    for _ in 0..50 {
        rig.frame();
        if !rig.invites.is_empty() {
            announced = Some(rig.clock.now() - t0);
            break;
        }
    }
    let announced = announced.expect("an INVITE within a second");
    assert!(
        announced >= Duration::from_millis(300) && announced < Duration::from_millis(400),
        "{announced:?}"
    );
    let Ok(Message::Request(invite)) = Message::parse(&rig.invites[0], DEFAULT_MAX_MESSAGE_SIZE)
    else {
        panic!("an INVITE")
    };
    let from = invite.headers.from().expect("From");
    assert_eq!(from.uri.user.as_deref(), Some("5551234"));
    assert_eq!(from.display_name.as_deref(), Some("ALICE SMITH"));
    assert_eq!(invite.uri.to_string(), format!("sip:agent@{CLIENT}"));
    assert!(rig.failed.is_empty());
}

/// A modem that reports caller ID before RING (ETSI lines send it before the
/// first ring, and some modems print it with or ahead of RING): the call is
/// announced at that first RING, with the caller's number, not at the second
/// ring ~6 s later.
#[test]
fn caller_id_before_the_first_ring_announces_the_call_at_it() {
    let mut rig = Rig::new();
    rig.initialise();
    rig.say("\r\nDATE = 0321\r\nTIME = 1405\r\nNMBR = 5551234\r\nNAME = ALICE SMITH\r\n");
    // Complete 300 ms after its last field; the port is still idle.
    for _ in 0..20 {
        rig.frame();
    }
    assert_eq!(rig.core.ports_view()[0].state, "idle");
    assert!(rig.invites.is_empty());

    let rang = rig.clock.now();
    rig.say("\r\nRING\r\n");
    rig.until_port("ringing");
    rig.frame();
    assert_eq!(rig.invites.len(), 1, "announced at the first ring");
    assert!(rig.clock.now() - rang <= FRAME_DURATION);
    let Ok(Message::Request(invite)) = Message::parse(&rig.invites[0], DEFAULT_MAX_MESSAGE_SIZE)
    else {
        panic!("an INVITE")
    };
    let from = invite.headers.from().expect("From");
    assert_eq!(from.uri.user.as_deref(), Some("5551234"));
    assert_eq!(from.display_name.as_deref(), Some("ALICE SMITH"));
}

#[test]
fn a_withheld_number_calls_in_anonymously() {
    let mut rig = Rig::new();
    rig.initialise();
    rig.say("\r\nRING\r\n\r\nNMBR = P\r\nNAME = P\r\n");
    rig.until_port("ringing");
    for _ in 0..50 {
        rig.frame();
    }
    let Some(Ok(Message::Request(invite))) = rig
        .invites
        .first()
        .map(|i| Message::parse(i, DEFAULT_MAX_MESSAGE_SIZE))
    else {
        panic!("an INVITE once the (withheld) caller ID is in")
    };
    let from = invite.headers.from().expect("From");
    assert_eq!(from.uri.user.as_deref(), Some("anonymous"));
    assert_eq!(from.display_name.as_deref(), Some("PSTN port 0"));
}

#[test]
fn a_modem_that_stops_answering_is_a_port_fault() {
    let mut rig = Rig::new();
    // ATZ is sent and never answered: after the 3 s command timeout the modem is
    // failed, and the runtime's callback hears which port.
    rig.answer("ATZ", "");
    for _ in 0..149 {
        rig.frame();
    }
    assert!(rig.failed.is_empty(), "not before 3 s");
    rig.frame();
    rig.frame();
    assert_eq!(rig.failed, [PortId(0)]);
}
