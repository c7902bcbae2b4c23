//! The switchboard on a virtual clock: the simulated exchange, SIP clients
//! (`sip::Endpoint`) and the core in one process, time jumping to the
//! earliest of the next line frame and every part's `poll_timeout`.
//!
//! - a line↔SIP bridge (an IP client calls the exchange's call centre);
//! - a SIP↔SIP bridge (an IP client calls a `[[routes]] uri`): no line port
//!   is touched, two RTP transports are taken and given back, and the
//!   caller's audio reaches the callee;
//! - two bridges' command timers interleaving: each flow's inter-digit
//!   deadline wakes the core at its own instant, off the 20 ms frame grid.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use drivers::sim::SimExchange;
use drivers::{Frame, LineCard, FRAME_DURATION, FRAME_SAMPLES};
use sip::{CallHandle, Endpoint, EndpointConfig, Event, OutgoingInvite, Uri};

use super::Switchboard;
use crate::call::record::{Direction, FinishedCall};
use crate::config::{self, Codec};
use crate::media::negotiation;
use crate::media::rtp::{self, PayloadType, RtpSender, RtpTimestamp, Ssrc, PT_PCMU};
use crate::media::TransportId;

const GW: &str = "127.0.0.1:5060";
const TRANSPORTS: u16 = 4;
const TE: PayloadType = PayloadType(101);

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

fn transport_addr(n: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 20000 + 2 * n))
}

/// Two FXO ports; 1800 is a call centre that answers; `5…` goes to the
/// agent's softphone at 5080, `6…` to the one at 5090, by SIP.
fn config_text() -> String {
    r#"
[sip]
allow_unauthenticated = true
[[ports]]
port = 0
kind = "fxo"
ani = "4155550100"
[[ports]]
port = 1
kind = "fxo"
ani = "4155550101"
[[routes]]
prefix = "5"
uri = "sip:agent@127.0.0.1:5080"
[[routes]]
prefix = "6"
uri = "sip:agent2@127.0.0.1:5090"
[[routes]]
prefix = ""
[commands]
interdigit_timeout_ms = 2345
[[commands.sequence]]
digits = "*76"
action = "push-page"
url = "https://shop.example/help"
[simulation]
[[simulation.lines]]
port = 0
number = "4155550100"
[[simulation.lines]]
port = 1
number = "4155550101"
[[simulation.subscribers]]
number = "1800"
name = "Call centre"
behaviour = "answer"
answer_after_rings = 1
script = [
  { at_ms = 0, play = "tone:1000@-10" },
  { at_ms = 3000, hangup = true },
]
"#
    .to_string()
}

/// A SIP client: its UA core, what it received, and the audio it sends.
struct Client {
    sip: SocketAddr,
    rtp: SocketAddr,
    ua: Endpoint,
    events: Vec<Event>,
    /// RTP packets the gateway sent it.
    rtp_in: Vec<Vec<u8>>,
    /// Answer incoming calls at once.
    auto_answer: bool,
    /// Where it sends a 1 kHz tone once it knows the gateway's transport.
    talk_to: Option<TransportId>,
    /// Sends no audio (a digit test: the receiver rejects a digit under a tone).
    silent: bool,
    sender: RtpSender,
    phase: f32,
}

impl Client {
    fn new(sip: &str, rtp: &str, seed: u64) -> Client {
        Client {
            sip: addr(sip),
            rtp: addr(rtp),
            ua: Endpoint::new(EndpointConfig::new(addr(sip)), seed),
            events: Vec::new(),
            rtp_in: Vec::new(),
            auto_answer: false,
            talk_to: None,
            silent: false,
            sender: RtpSender::new(Ssrc(seed as u32), 1, RtpTimestamp(0)),
            phase: 0.0,
        }
    }

    fn sdp(&self) -> Vec<u8> {
        negotiation::sdp(self.rtp, 1, 1, &[Codec::Pcmu], Some(TE)).into_bytes()
    }

    /// The gateway transport named in an SDP body it received.
    fn transport_in(sdp: Option<&[u8]>) -> Option<TransportId> {
        let audio = negotiation::remote_audio(sdp?)?;
        Some(TransportId((audio.address.port() - 20000) / 2))
    }

    /// RFC 4733 events it received, by event code.
    fn telephone_events(&self) -> Vec<u8> {
        self.rtp_in
            .iter()
            .filter_map(|p| rtp::parse(p).ok())
            .filter(|p| p.payload_type == TE)
            .filter_map(|p| p.payload.first().copied())
            .collect()
    }

    /// Mean absolute level of the PCMU audio it received.
    fn audio_level(&self) -> f64 {
        let mut sum = 0f64;
        let mut n = 0usize;
        for p in self.rtp_in.iter().filter_map(|p| rtp::parse(p).ok()) {
            if p.payload_type != PT_PCMU {
                continue;
            }
            let mut pcm = [0i16; FRAME_SAMPLES];
            dsp::g711::Law::Ulaw.decode(p.payload, &mut pcm[..p.payload.len().min(FRAME_SAMPLES)]);
            sum += pcm.iter().map(|s| f64::from(s.unsigned_abs())).sum::<f64>();
            n += pcm.len();
        }
        if n == 0 {
            0.0
        } else {
            sum / n as f64
        }
    }
}

/// Everything wired together.
struct Rig {
    now: Instant,
    sb: Switchboard,
    card: SimExchange,
    _sim: drivers::sim::SimControl,
    clients: Vec<Client>,
    rx: Vec<Frame>,
    tx: Vec<Frame>,
    next_frame: Instant,
    /// Instants the core asked to be woken at (its `poll_timeout`) and was.
    wakeups: Vec<Instant>,
    finished: Vec<FinishedCall>,
    line_commands: usize,
}

impl Rig {
    fn new(clients: Vec<Client>) -> Rig {
        let config = config::parse(Path::new("t.toml"), &config_text()).expect("valid config");
        let (card, sim) =
            SimExchange::new(config.simulation.as_ref().expect("sim"), config.ports.len())
                .expect("exchange");
        let transports: Vec<SocketAddr> = (0..TRANSPORTS).map(transport_addr).collect();
        let ports = config.ports.len();
        let now = Instant::now();
        Rig {
            now,
            sb: Switchboard::new(Arc::new(config), addr(GW), &transports, 7),
            card,
            _sim: sim,
            clients,
            rx: vec![[0; FRAME_SAMPLES]; ports],
            tx: vec![[0; FRAME_SAMPLES]; ports],
            next_frame: now,
            wakeups: Vec::new(),
            finished: Vec::new(),
            line_commands: 0,
        }
    }

    fn client(&mut self, sip: &str) -> &mut Client {
        let sip = addr(sip);
        self.clients
            .iter_mut()
            .find(|c| c.sip == sip)
            .expect("client")
    }

    /// Client `from` calls `user` at the gateway.
    fn call(&mut self, from: &str, user: &str) -> CallHandle {
        let now = self.now;
        let c = self.client(from);
        let target = Uri::parse(&format!("sip:{user}@{GW}")).expect("uri");
        let invite = OutgoingInvite {
            target: target.clone(),
            destination: addr(GW),
            from: Uri::parse(&format!("sip:customer@{}", c.sip)).expect("uri"),
            from_display: None,
            to: target,
            sdp_offer: c.sdp(),
            extra_headers: Vec::new(),
        };
        let handle = c.ua.invite(now, invite).expect("invite");
        self.pump();
        handle
    }

    /// Exchange everything pending between the parts, without moving time.
    fn pump(&mut self) {
        let now = self.now;
        for _ in 0..100 {
            let mut moved = false;
            while let Some(t) = self.sb.poll_sip() {
                moved = true;
                if let Some(c) = self.clients.iter_mut().find(|c| c.sip == t.destination) {
                    c.ua.handle_datagram(now, addr(GW), &t.payload);
                }
            }
            for c in &mut self.clients {
                while let Some(t) = c.ua.poll_transmit() {
                    moved = true;
                    if t.destination == addr(GW) {
                        self.sb.handle_sip(now, c.sip, &t.payload);
                    }
                }
                while let Some(e) = c.ua.poll_event() {
                    moved = true;
                    match &e {
                        Event::IncomingCall { call, sdp, .. } if c.auto_answer => {
                            c.talk_to = c.talk_to.or(Client::transport_in(sdp.as_deref()));
                            let answer = c.sdp();
                            c.ua.accept(now, *call, &answer).expect("accept");
                        }
                        Event::Answered { sdp, .. } => {
                            c.talk_to = c.talk_to.or(Client::transport_in(sdp.as_deref()));
                        }
                        _ => {}
                    }
                    c.events.push(e);
                }
            }
            while let Some((port, command)) = self.sb.poll_line_command() {
                moved = true;
                self.line_commands += 1;
                self.card.command(port, command).expect("line command");
            }
            while let Some(p) = self.sb.poll_rtp() {
                moved = true;
                if p.rtcp {
                    continue;
                }
                if let Some(c) = self.clients.iter_mut().find(|c| c.rtp == p.destination) {
                    c.rtp_in.push(p.bytes().to_vec());
                }
            }
            while let Some(f) = self.sb.poll_finished() {
                moved = true;
                self.finished.push(f);
            }
            if !moved {
                return;
            }
        }
        panic!("the parts keep talking without time passing");
    }

    /// Let `d` of virtual time pass: line frames and every part's timers in order.
    fn run(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            let mut next = self.next_frame.min(end);
            let core = self.sb.poll_timeout();
            if let Some(t) = core {
                next = next.min(t.max(self.now));
            }
            for c in &self.clients {
                if let Some(t) = c.ua.poll_timeout() {
                    next = next.min(t.max(self.now));
                }
            }
            self.now = next;
            if core.is_some_and(|t| t <= self.now) {
                self.wakeups.push(self.now);
                self.sb.handle_timeout(self.now);
            }
            for c in &mut self.clients {
                if c.ua.poll_timeout().is_some_and(|t| t <= self.now) {
                    c.ua.handle_timeout(self.now);
                }
            }
            if self.now >= self.next_frame {
                self.frame();
                self.next_frame += FRAME_DURATION;
            }
            self.pump();
        }
    }

    fn frame(&mut self) {
        self.card
            .exchange_frames(&self.tx, &mut self.rx)
            .expect("frames");
        while let Some((port, event)) = self.card.poll_event() {
            self.sb.handle_line_event(self.now, port, event);
        }
        for c in &mut self.clients {
            let Some(transport) = c.talk_to.filter(|_| !c.silent) else {
                continue;
            };
            let mut pcm = [0i16; FRAME_SAMPLES];
            for s in pcm.iter_mut() {
                *s = (8000.0 * c.phase.sin()) as i16;
                c.phase =
                    (c.phase + std::f32::consts::TAU * 1000.0 / 8000.0) % std::f32::consts::TAU;
            }
            let mut payload = [0u8; FRAME_SAMPLES];
            dsp::g711::Law::Ulaw.encode(&pcm, &mut payload);
            let mut packet = [0u8; 256];
            let len = c
                .sender
                .audio(PT_PCMU, &payload, FRAME_SAMPLES as u32, &mut packet)
                .expect("packet");
            self.sb
                .handle_rtp(self.now, transport, c.rtp, &packet[..len]);
        }
        self.sb.handle_frames(self.now, &self.rx, &mut self.tx);
    }

    fn answered(&self, sip: &str) -> bool {
        let sip = addr(sip);
        self.clients
            .iter()
            .find(|c| c.sip == sip)
            .is_some_and(|c| c.events.iter().any(|e| matches!(e, Event::Answered { .. })))
    }
}

#[test]
fn line_to_sip_bridge_dials_answers_carries_audio_and_ends() {
    let mut rig = Rig::new(vec![Client::new("127.0.0.1:5070", "127.0.0.1:40000", 11)]);
    rig.call("127.0.0.1:5070", "1800");
    assert_eq!(rig.sb.counts(), (2, 1), "a SIP leg, a line leg, one bridge");
    for _ in 0..500 {
        if rig.answered("127.0.0.1:5070") {
            break;
        }
        rig.run(Duration::from_millis(20));
    }
    assert!(rig.answered("127.0.0.1:5070"), "the call centre answered");
    rig.run(Duration::from_millis(500));
    // The line port's call keeps the transport `port_base + 2n` documents.
    assert_eq!(rig.client("127.0.0.1:5070").talk_to, Some(TransportId(0)));
    assert_eq!(rig.sb.free_transports(), usize::from(TRANSPORTS) - 1);
    assert_eq!(rig.sb.ports_view()[0].state, "connected");
    let view = &rig.sb.calls_view(rig.now)[0];
    assert_eq!(
        (view.port, view.direction, view.state),
        (0, "to-line", "connected")
    );
    // The call centre's 1 kHz at -10 dBm0 reaches the client.
    assert!(rig.client("127.0.0.1:5070").audio_level() > 500.0);
    // The call centre hangs up at 3 s: the client gets a BYE, all is freed.
    rig.run(Duration::from_secs(3));
    let c = rig.client("127.0.0.1:5070");
    assert!(c.events.iter().any(|e| matches!(
        e,
        Event::Ended {
            by_remote: true,
            ..
        }
    )));
    assert_eq!(rig.sb.counts(), (0, 0));
    assert_eq!(rig.sb.free_transports(), usize::from(TRANSPORTS));
    let f = &rig.finished[0];
    assert_eq!(
        (f.direction, f.end_reason.as_str()),
        (Direction::ToLine, "far-end-hangup")
    );
    assert_eq!(f.destination.as_deref(), Some("1800"));
}

#[test]
fn sip_to_sip_bridge_uses_no_line_port() {
    let mut callee = Client::new("127.0.0.1:5080", "127.0.0.1:41000", 13);
    callee.auto_answer = true;
    let mut rig = Rig::new(vec![
        Client::new("127.0.0.1:5070", "127.0.0.1:40000", 11),
        callee,
    ]);
    let call = rig.call("127.0.0.1:5070", "500");
    rig.run(Duration::from_millis(200));
    assert!(
        rig.answered("127.0.0.1:5070"),
        "the callee's answer answered the caller"
    );
    let caller_t = rig
        .client("127.0.0.1:5070")
        .talk_to
        .expect("caller's transport");
    let callee_t = rig
        .client("127.0.0.1:5080")
        .talk_to
        .expect("callee's transport");
    assert_ne!(caller_t, callee_t, "each SIP leg has its own transport");
    assert_eq!(rig.sb.free_transports(), usize::from(TRANSPORTS) - 2);
    assert_eq!(rig.line_commands, 0, "no line port was touched");
    assert!(rig.sb.ports_view().iter().all(|p| p.state == "idle"));
    rig.run(Duration::from_secs(1));
    // Each side's 1 kHz reaches the other through the bridge.
    for c in ["127.0.0.1:5070", "127.0.0.1:5080"] {
        let level = rig.client(c).audio_level();
        assert!(level > 1000.0, "{c} hears its peer: level {level}");
    }
    // The caller hangs up: the callee gets a BYE, both transports come back.
    let now = rig.now;
    rig.client("127.0.0.1:5070")
        .ua
        .hangup(now, call)
        .expect("bye");
    rig.pump();
    rig.run(Duration::from_millis(100));
    let callee = rig.client("127.0.0.1:5080");
    assert!(callee.events.iter().any(|e| matches!(
        e,
        Event::Ended {
            by_remote: true,
            ..
        }
    )));
    assert_eq!(rig.sb.counts(), (0, 0));
    assert_eq!(rig.sb.free_transports(), usize::from(TRANSPORTS));
    let f = &rig.finished[0];
    assert_eq!((f.direction, f.port), (Direction::SipToSip, None));
    assert_eq!(f.end_reason, "client-bye");
}

#[test]
fn two_bridges_timers_interleave_off_the_frame_grid() {
    let mut agent1 = Client::new("127.0.0.1:5080", "127.0.0.1:41000", 13);
    agent1.auto_answer = true;
    let mut agent2 = Client::new("127.0.0.1:5090", "127.0.0.1:42000", 17);
    agent2.auto_answer = true;
    let mut clients = vec![
        Client::new("127.0.0.1:5070", "127.0.0.1:40000", 11),
        Client::new("127.0.0.1:5072", "127.0.0.1:40100", 19),
        agent1,
        agent2,
    ];
    for c in &mut clients {
        c.silent = true;
    }
    let mut rig = Rig::new(clients);
    let a = rig.call("127.0.0.1:5070", "500");
    let b = rig.call("127.0.0.1:5072", "600");
    rig.run(Duration::from_millis(207));
    assert!(rig.answered("127.0.0.1:5070") && rig.answered("127.0.0.1:5072"));
    // `*` starts the command table's sequences: each caller's is held, with
    // the inter-digit deadline (2.345 s, off every SIP timer) as its bridge's timer.
    let key = |rig: &mut Rig, from: &str, call| {
        let now = rig.now;
        let c = rig.client(from);
        c.ua.send_info(now, call, "application/dtmf", b"*")
            .expect("info");
        rig.pump();
        now + Duration::from_millis(2345)
    };
    let first = key(&mut rig, "127.0.0.1:5070", a);
    rig.run(Duration::from_millis(1111));
    let second = key(&mut rig, "127.0.0.1:5072", b);
    assert!(rig.sb.poll_timeout().is_some_and(|t| t <= first));
    let before = rig.wakeups.len();
    rig.run(Duration::from_secs(4));
    let woken: Vec<Instant> = rig.wakeups[before..].to_vec();
    assert!(
        woken.contains(&first),
        "woken at the first bridge's deadline"
    );
    assert!(
        woken.contains(&second),
        "woken at the second bridge's deadline"
    );
    // Released at its deadline, each `*` is played toward its agent, whose
    // leg hears it and sends it on as an RFC 4733 event (code 10).
    for agent in ["127.0.0.1:5080", "127.0.0.1:5090"] {
        assert!(
            rig.client(agent).telephone_events().contains(&10),
            "{agent} got the released digit"
        );
    }
}
