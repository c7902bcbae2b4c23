//! One call's media: the line side's 20 ms frames in and out, RTP toward the client.
//!
//! Per frame the call controller does, in this order:
//! 1. [`MediaSession::process_line`] with the frame the line sent (DTMF detection and
//!    squelch run here);
//! 2. drains [`MediaSession::poll_dtmf`] and decides what each digit is (command or
//!    ordinary), feeding [`MediaSession::events`];
//! 3. [`MediaSession::transmit`] to queue this frame's audio and event packets;
//! 4. [`MediaSession::play_to_line`] for the frame to send to the line.

use std::net::SocketAddr;

use drivers::PortId;
use dsp::dtmf::{DetectorConfig, Digit, DtmfEvent, Generator, GeneratorConfig};
use dsp::pipeline::{IpToLine, LineToIp, LineToIpConfig};
use dsp::FRAME_SAMPLES;

use super::negotiation::Negotiated;
use super::playout::Playout;
use super::rtp::{self, PayloadType, RtpError, RtpSender, RtpTimestamp, Ssrc};
use super::telephone_event::{EventPacket, EventReceiver, EventSender, Received};

/// Largest RTP packet the gateway sends (G.711 20 ms is 172 bytes).
pub const RTP_MAX: usize = 256;

type Frame = [i16; FRAME_SAMPLES];

/// A packet to send, built in place.
#[derive(Debug, Clone)]
pub struct RtpOut {
    /// The line port whose RTP socket sends it.
    pub port: PortId,
    /// Where to.
    pub destination: SocketAddr,
    /// Bytes used in `data`.
    pub len: usize,
    /// The packet.
    pub data: [u8; RTP_MAX],
}

impl RtpOut {
    /// The packet's bytes.
    pub fn bytes(&self) -> &[u8] {
        self.data.get(..self.len).unwrap_or(&[])
    }
}

/// Counters for the console and the API.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// RTP packets sent (audio and events).
    pub packets_sent: u64,
    /// RTP packets received and used.
    pub packets_received: u64,
    /// Datagrams on the RTP port that were not usable RTP for this call.
    pub packets_ignored: u64,
    /// RFC 4733 events received.
    pub events_received: u64,
}

/// Fixed outgoing queue for one media tick across all calls.
pub type RtpQueue = heapless::Deque<RtpOut, 128>;

/// The media of one call.
#[derive(Debug)]
pub struct MediaSession {
    port: PortId,
    negotiated: Negotiated,
    remote: SocketAddr,
    remote_ssrc: Option<Ssrc>,
    sender: RtpSender,
    events: EventSender,
    /// Regenerates forwarded digits in the audio when the client does not do RFC 4733.
    inband: Generator,
    receiver: EventReceiver,
    line_to_ip: LineToIp,
    ip_to_line: IpToLine,
    playout: Playout,
    outgoing: Frame,
    scratch: Frame,
    event_packets: heapless::Vec<EventPacket, 4>,
    stats: MediaStats,
}

impl MediaSession {
    /// Media for a call agreed as `negotiated`; `ssrc`, `seq` and `timestamp` are
    /// the (seeded random) start values of our stream.
    pub fn new(
        port: PortId,
        negotiated: Negotiated,
        ssrc: Ssrc,
        seq: u16,
        timestamp: RtpTimestamp,
        jitter_frames: usize,
    ) -> Self {
        MediaSession {
            port,
            negotiated,
            remote: negotiated.remote,
            remote_ssrc: None,
            sender: RtpSender::new(ssrc, seq, timestamp),
            events: EventSender::new(),
            inband: Generator::new(GeneratorConfig::default()),
            receiver: EventReceiver::default(),
            line_to_ip: LineToIp::new(LineToIpConfig {
                dtmf: DetectorConfig::default(),
                squelch: true,
            }),
            ip_to_line: IpToLine::new(),
            playout: Playout::new(jitter_frames),
            outgoing: [0; FRAME_SAMPLES],
            scratch: [0; FRAME_SAMPLES],
            event_packets: heapless::Vec::new(),
            stats: MediaStats::default(),
        }
    }

    /// What was agreed.
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }

    /// Where RTP goes now (learned from the client's packets once they arrive).
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// Counters.
    pub fn stats(&self) -> MediaStats {
        self.stats
    }

    /// Forward a digit that started on the line: as RFC 4733 events when the
    /// client negotiated them, otherwise regenerated in the audio (the detector
    /// squelched the original).
    pub fn forward_digit_start(&mut self, digit: Digit) {
        if self.negotiated.telephone_event.is_some() {
            self.events.start_live(digit);
        } else {
            self.inband.hold(digit);
        }
    }

    /// The forwarded digit ended after `duration` samples.
    pub fn forward_digit_end(&mut self, duration: u32) {
        if self.negotiated.telephone_event.is_some() {
            self.events.end_live(duration);
        } else {
            self.inband.release();
        }
    }

    /// Forward digits late (held back as a possible command, then released), each
    /// lasting `duration` samples. Returns how many could not be queued.
    pub fn forward_digits_late(&mut self, digits: &[Digit], duration: u32) -> usize {
        let te = self.negotiated.telephone_event.is_some();
        digits
            .iter()
            .filter(|d| {
                if te {
                    !self.events.queue(**d, duration)
                } else {
                    self.inband.queue(**d).is_err()
                }
            })
            .count()
    }

    /// Gain toward the client (the line's audio), in dB.
    pub fn set_gain_to_client_db(&mut self, db: f32) {
        self.line_to_ip.set_gain_db(db);
    }

    /// Gain toward the line (the client's audio), in dB.
    pub fn set_gain_to_line_db(&mut self, db: f32) {
        self.ip_to_line.set_gain_db(db);
    }

    /// Step 1: the line's frame goes through DTMF detection and squelch.
    pub fn process_line(&mut self, rx: &Frame) {
        self.line_to_ip.process(rx, &mut self.outgoing);
    }

    /// Step 2: digits detected on the line (sample times on the line's timeline).
    pub fn poll_dtmf(&mut self) -> Option<DtmfEvent> {
        self.line_to_ip.poll_event()
    }

    /// Step 3: queue this frame's audio packet and any event packets.
    pub fn transmit(&mut self, queue: &mut RtpQueue) {
        let law = self.negotiated.law();
        if !self.inband.is_idle() {
            self.inband.fill(&mut self.outgoing);
        }
        let mut payload = [0u8; FRAME_SAMPLES];
        law.encode(&self.outgoing, &mut payload);
        let now = self.sender.timestamp();
        if let Some(te) = self.negotiated.telephone_event {
            self.events
                .on_frame(now, FRAME_SAMPLES as u32, &mut self.event_packets);
            for p in &self.event_packets {
                let mut out = self.out();
                if let Ok(len) = self.sender.at(
                    te,
                    p.timestamp,
                    p.marker,
                    &p.payload.encode(),
                    &mut out.data,
                ) {
                    out.len = len;
                    if queue.push_back(out).is_ok() {
                        self.stats.packets_sent += 1;
                    }
                }
            }
        }
        let mut out = self.out();
        if let Ok(len) = self.sender.audio(
            self.negotiated.payload_type,
            &payload,
            FRAME_SAMPLES as u32,
            &mut out.data,
        ) {
            out.len = len;
            if queue.push_back(out).is_ok() {
                self.stats.packets_sent += 1;
            }
        }
    }

    fn out(&self) -> RtpOut {
        RtpOut {
            port: self.port,
            destination: self.remote,
            len: 0,
            data: [0; RTP_MAX],
        }
    }

    /// Step 4: the frame to send to the line.
    pub fn play_to_line(&mut self, tx: &mut Frame) {
        self.playout.pop(&mut self.scratch);
        self.ip_to_line.process(&self.scratch, tx);
    }

    /// An RTP datagram from the client.
    pub fn receive(&mut self, source: SocketAddr, data: &[u8]) -> Result<(), RtpError> {
        let packet = match rtp::parse(data) {
            Ok(p) => p,
            Err(e) => {
                self.stats.packets_ignored += 1;
                return Err(e);
            }
        };
        let pt = packet.payload_type;
        let is_event = Some(pt) == self.negotiated.telephone_event;
        if pt != self.negotiated.payload_type && !is_event {
            self.stats.packets_ignored += 1;
            return Ok(());
        }
        // Symmetric RTP: answer where the client's packets come from (NAT).
        if self.remote_ssrc != Some(packet.ssrc) || self.remote != source {
            self.remote_ssrc = Some(packet.ssrc);
            self.remote = source;
        }
        self.stats.packets_received += 1;
        if is_event {
            self.stats.events_received += 1;
            match self
                .receiver
                .receive(packet.ssrc, packet.timestamp, packet.payload)
            {
                Received::Start(digit) => self.ip_to_line.start_digit(digit),
                Received::End => self.ip_to_line.stop_digit(),
                Received::Nothing => {}
            }
            return Ok(());
        }
        let mut pcm = [0i16; FRAME_SAMPLES];
        let n = self.negotiated.law().decode(packet.payload, &mut pcm);
        if n > 0 {
            self.playout.push(packet.timestamp, &pcm);
        }
        Ok(())
    }

    /// The squelch look-ahead, in samples (part of the gateway's added delay).
    pub fn line_delay_samples(&self) -> usize {
        self.line_to_ip.delay_samples()
    }

    /// Payload type of the audio.
    pub fn payload_type(&self) -> PayloadType {
        self.negotiated.payload_type
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Codec;
    use crate::media::rtp::PT_PCMU;
    use dsp::dtmf::Detector;

    fn session(telephone_event: Option<PayloadType>) -> MediaSession {
        let negotiated = Negotiated {
            codec: Codec::Pcmu,
            payload_type: PT_PCMU,
            telephone_event,
            remote: "127.0.0.1:4000".parse().unwrap(),
        };
        MediaSession::new(PortId(0), negotiated, Ssrc(1), 0, RtpTimestamp(0), 2)
    }

    /// Run `frames` silent line frames and return (audio PCM, event packets).
    fn run(s: &mut MediaSession, frames: usize) -> (Vec<i16>, usize) {
        let mut queue = RtpQueue::new();
        let (mut pcm, mut events) = (Vec::new(), 0);
        for _ in 0..frames {
            s.process_line(&[0; FRAME_SAMPLES]);
            s.transmit(&mut queue);
            while let Some(p) = queue.pop_front() {
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
        let (_, end_events) = run(&mut s, 2);
        assert_eq!(digits_in(&pcm), "");
        assert_eq!(events, 5);
        assert_eq!(end_events, 3, "three end packets");
    }
}
