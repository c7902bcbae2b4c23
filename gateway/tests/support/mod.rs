//! A virtual-clock bench for call flows: the gateway's `Controller`, the simulated
//! exchange and a SIP client (`sip::Endpoint`) wired together in one process.
//! Minutes of calls run in milliseconds, and every run is identical.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use drivers::sim::{SimControl, SimExchange};
use drivers::{Frame, LineCard, PortId, FRAME_DURATION, FRAME_SAMPLES};
use gateway::call::Controller;
use gateway::config::{self, Codec, Config};
use gateway::media::negotiation;
use gateway::media::rtp::PayloadType;
use sip::{CallHandle, Endpoint, EndpointConfig, Event, OutgoingInvite, Uri};

/// The gateway's SIP address in the bench.
pub const GW: &str = "127.0.0.1:5060";
/// The client's SIP address.
pub const CLIENT: &str = "127.0.0.1:5070";
/// The client's RTP address.
pub const CLIENT_RTP: &str = "127.0.0.1:40000";

/// The bench's board: two FXO ports; call centre 1800 answers after one ring,
/// plays 1 kHz, keys *76 at 2 s and 12 at 4 s, hangs up at 6 s.
pub fn config_text(extra: &str) -> String {
    format!(
        r##"
[sip]
allow_unauthenticated = true
[line]
no_answer_timeout_ms = 20000
[[ports]]
port = 0
kind = "fxo"
ani = "4155550100"
inbound_uri = "sip:agent@{CLIENT}"
[[ports]]
port = 1
kind = "fxo"
ani = "4155550101"
[[routes]]
prefix = "77"
strip = 2
command_table = "sales"
[[routes]]
prefix = ""
[[command_tables]]
name = "sales"
[[command_tables.sequence]]
digits = "*12"
action = "push-page"
url = "https://shop.example/sales"
[[commands.sequence]]
digits = "*76"
action = "push-page"
url = "https://shop.example/help"
[[commands.sequence]]
digits = "*22"
action = "volume-up"
[[commands.sequence]]
digits = "*88"
action = "volume-down"
[commands.channel]
key = "#"
digits = 2
url_prefix = "https://crm.example/desk/"
[simulation]
interdigit_timeout_ms = 2000
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
  {{ at_ms = 0, play = "tone:1000@-10" }},
  {{ at_ms = 2000, dial = "*76" }},
  {{ at_ms = 4000, dial = "12" }},
  {{ at_ms = 6000, hangup = true }},
]
[[simulation.subscribers]]
number = "5550100"
name = "Busy"
behaviour = "busy"
[[simulation.subscribers]]
number = "5550101"
name = "Nobody"
behaviour = "no-answer"
[[simulation.subscribers]]
number = "5550102"
name = "Hang-up"
behaviour = "answer-hangup"
[[simulation.subscribers]]
number = "5550103"
name = "Long call"
behaviour = "answer"
answer_after_rings = 1
script = [ {{ at_ms = 0, play = "voice" }} ]
[[simulation.phones]]
name = "customer"
number = "2125550199"
give_up_after_rings = 3
script = [
  {{ at_ms = 0, play = "tone:1000@-10" }},
  {{ at_ms = 3000, hangup = true }},
]
{extra}
"##
    )
}

/// Everything wired together.
pub struct Bench {
    pub now: Instant,
    pub gateway: Controller,
    pub card: SimExchange,
    pub sim: SimControl,
    pub client: Endpoint,
    pub client_events: Vec<Event>,
    /// RTP packets the gateway sent to the client.
    pub rtp: Vec<Vec<u8>>,
    /// Audio the gateway sent into line port 0, frame by frame.
    pub line_tx: Vec<i16>,
    /// Audio line port 0 sent the gateway, frame by frame.
    pub line_rx: Vec<i16>,
    /// When set, the client sends this tone (Hz, dBm0) as PCMU RTP to port 0.
    pub client_tone: Option<(f32, f32)>,
    client_rtp: gateway::media::rtp::RtpSender,
    client_tone_gen: Option<dsp::tone::ToneGenerator>,
    rx: Vec<Frame>,
    tx: Vec<Frame>,
    next_frame: Instant,
}

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("address")
}

impl Bench {
    pub fn new(extra: &str) -> Bench {
        let config: Config =
            config::parse(Path::new("bench.toml"), &config_text(extra)).expect("valid config");
        let (card, sim) =
            SimExchange::new(config.simulation.as_ref().expect("sim"), config.ports.len())
                .expect("exchange");
        let rtp: Vec<SocketAddr> = (0..config.ports.len())
            .map(|i| addr(&format!("127.0.0.1:{}", 20000 + 2 * i)))
            .collect();
        let ports = config.ports.len();
        let now = Instant::now();
        Bench {
            now,
            gateway: Controller::new(Arc::new(config), addr(GW), &rtp, 7),
            card,
            sim,
            client: Endpoint::new(EndpointConfig::new(addr(CLIENT)), 11),
            client_events: Vec::new(),
            rtp: Vec::new(),
            line_tx: Vec::new(),
            line_rx: Vec::new(),
            client_tone: None,
            client_rtp: gateway::media::rtp::RtpSender::new(
                gateway::media::rtp::Ssrc(0x5eed),
                1,
                gateway::media::rtp::RtpTimestamp(0),
            ),
            client_tone_gen: None,
            rx: vec![[0; FRAME_SAMPLES]; ports],
            tx: vec![[0; FRAME_SAMPLES]; ports],
            next_frame: now,
        }
    }

    /// The client calls `user` at the gateway, offering PCMU + telephone-event.
    pub fn call(&mut self, user: &str, headers: &[(&str, &str)]) -> CallHandle {
        let offer = negotiation::sdp(
            addr(CLIENT_RTP),
            1,
            1,
            &[Codec::Pcmu],
            Some(PayloadType(101)),
        );
        let target = Uri::parse(&format!("sip:{user}@{GW}")).expect("uri");
        let handle = self
            .client
            .invite(
                self.now,
                OutgoingInvite {
                    target: target.clone(),
                    destination: addr(GW),
                    from: Uri::parse(&format!("sip:customer@{CLIENT}")).expect("uri"),
                    from_display: None,
                    to: target,
                    sdp_offer: offer.into_bytes(),
                    extra_headers: headers
                        .iter()
                        .map(|(n, v)| (n.to_string(), v.to_string()))
                        .collect(),
                },
            )
            .expect("invite");
        self.pump();
        handle
    }

    /// Exchange everything pending between the parts, without moving time.
    pub fn pump(&mut self) {
        for _ in 0..100 {
            let mut moved = false;
            while let Some(t) = self.gateway.poll_sip() {
                moved = true;
                if t.destination == addr(CLIENT) {
                    self.client.handle_datagram(self.now, addr(GW), &t.payload);
                }
            }
            while let Some(t) = self.client.poll_transmit() {
                moved = true;
                if t.destination == addr(GW) {
                    self.gateway.handle_sip(self.now, addr(CLIENT), &t.payload);
                }
            }
            while let Some(e) = self.client.poll_event() {
                moved = true;
                self.client_events.push(e);
            }
            while let Some((port, command)) = self.gateway.poll_line_command() {
                moved = true;
                self.card.command(port, command).expect("line command");
            }
            while let Some(p) = self.gateway.poll_rtp() {
                moved = true;
                self.rtp.push(p.bytes().to_vec());
            }
            if !moved {
                return;
            }
        }
        panic!("the parts keep talking without time passing");
    }

    /// Let `d` of virtual time pass: 20 ms line frames and SIP timers in order.
    pub fn run(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            let mut next = self.next_frame.min(end);
            if let Some(t) = self.gateway.poll_timeout() {
                next = next.min(t.max(self.now));
            }
            if let Some(t) = self.client.poll_timeout() {
                next = next.min(t.max(self.now));
            }
            self.now = next;
            if self.gateway.poll_timeout().is_some_and(|t| t <= self.now) {
                self.gateway.handle_timeout(self.now);
            }
            if self.client.poll_timeout().is_some_and(|t| t <= self.now) {
                self.client.handle_timeout(self.now);
            }
            if self.now >= self.next_frame {
                self.card
                    .exchange_frames(&self.tx, &mut self.rx)
                    .expect("frames");
                while let Some((port, event)) = self.card.poll_event() {
                    self.gateway.handle_line_event(self.now, port, event);
                }
                self.send_client_audio();
                self.gateway.handle_frames(self.now, &self.rx, &mut self.tx);
                self.line_tx.extend_from_slice(&self.tx[0]);
                self.line_rx.extend_from_slice(&self.rx[0]);
                self.next_frame += FRAME_DURATION;
            }
            self.pump();
            if self.now == end {
                break;
            }
        }
    }

    /// Run until `f` finds something among the client's events, at most `limit`.
    pub fn run_until<T>(
        &mut self,
        limit: Duration,
        mut f: impl FnMut(&Event) -> Option<T>,
    ) -> Option<T> {
        let end = self.now + limit;
        let mut seen = 0;
        while self.now < end {
            for e in self.client_events.iter().skip(seen) {
                if let Some(v) = f(e) {
                    return Some(v);
                }
            }
            seen = self.client_events.len();
            self.run(Duration::from_millis(20));
        }
        None
    }

    fn send_client_audio(&mut self) {
        let Some((freq, level)) = self.client_tone else {
            return;
        };
        let tone = self.client_tone_gen.get_or_insert_with(|| {
            dsp::tone::ToneGenerator::new(dsp::tone::ToneSpec {
                freqs: [freq, 0.0],
                level_dbm0: level,
                cadence: dsp::tone::Cadence::CONTINUOUS,
            })
        });
        let mut pcm = [0i16; FRAME_SAMPLES];
        tone.fill(&mut pcm);
        let mut payload = [0u8; FRAME_SAMPLES];
        dsp::g711::Law::Ulaw.encode(&pcm, &mut payload);
        let mut packet = [0u8; 256];
        let len = self
            .client_rtp
            .audio(
                gateway::media::rtp::PT_PCMU,
                &payload,
                FRAME_SAMPLES as u32,
                &mut packet,
            )
            .expect("packet");
        self.gateway.handle_rtp(
            self.now,
            gateway::media::TransportId(0),
            addr(CLIENT_RTP),
            &packet[..len],
        );
    }

    /// The state of a port as the gateway shows it.
    pub fn port_state(&self, port: u8) -> &'static str {
        self.gateway.ports_view()[usize::from(port)].state
    }

    /// Line port ids.
    pub fn port(n: u8) -> PortId {
        PortId(n)
    }
}
