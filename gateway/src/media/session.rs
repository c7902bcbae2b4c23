//! One call's media: the line side's 20 ms frames in and out, RTP and RTCP
//! toward the client.
//!
//! ```text
//!  line rx ─▶ line echo canceller (dsp::echo, reference = what we sent the line)
//!          ─▶ dsp::LineToIp (DTMF detect + squelch, gain) ─▶ [in-band digits]
//!          ─▶ acoustic echo control's reference ─▶ encode (G.711 / Opus) ─▶ RTP
//!  RTP ─▶ telephone-event ─▶ EventReceiver ─▶ IpToLine DTMF playout
//!      ─▶ audio ─▶ Playout (adaptive jitter buffer, decode, PLC/FEC)
//!          ─▶ acoustic echo control ─▶ dsp::IpToLine (gain, digits) ─▶ line tx
//!  RTCP ◀▶ SR/RR + SDES every ~5 s; the peer's reports about us are kept;
//!        at hang-up SR/RR + SDES + BYE (`close`)
//! ```
//!
//! Per frame the call controller does, in this order:
//! 1. [`MediaSession::process_line`] with the frame the line sent (echo
//!    cancellation, DTMF detection and squelch run here);
//! 2. drains [`MediaSession::poll_dtmf`] and decides what each digit is (command or
//!    ordinary), feeding the `forward_digit*` calls;
//! 3. [`MediaSession::transmit`] to queue this frame's audio, event and RTCP packets;
//! 4. [`MediaSession::play_to_line`] for the frame to send to the line.
//!
//! When the call ends, [`MediaSession::close`] queues the RTCP BYE and consumes
//! the session.
//!
//! Sans-IO: `now` comes from the caller; nothing here reads a clock or a socket.
//! Nothing allocates per frame: packets are built into fixed buffers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dsp::dtmf::{DetectorConfig, Digit, DtmfEvent, Generator, GeneratorConfig};
use dsp::echo::{Canceller, CancellerConfig, MAX_TAIL_MS, MIN_TAIL_MS};
use dsp::pipeline::{IpToLine, LineToIp, LineToIpConfig};
use dsp::FRAME_SAMPLES;

use super::acoustic_echo::{self, AcousticEchoControl};
use super::codec::{self, CodecError, Decoder, Encoder, OpusSettings};
use super::negotiation::Negotiated;
use super::playout::{Playout, PlayoutConfig, PlayoutStats};
use super::rtcp::{self, Reception, ReportBlock, SenderInfo};
use super::rtp::{self, PayloadType, RtpError, RtpSender, RtpTimestamp, Ssrc};
use super::telephone_event::{EventPacket, EventReceiver, EventSender, Received};
use super::transport::TransportId;
use crate::config::{Codec, MediaConfig};

/// A digit the client sent, as call control sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientDigit {
    /// A digit started (RFC 4733 event start).
    Start(Digit),
    /// The digit that started ended.
    End,
}

/// A received RFC 4733 digit ends if no packet updates it for this long.
const DIGIT_SILENCE: Duration = Duration::from_millis(300);

/// Largest RTP packet the gateway sends (Opus is capped to fit).
pub const RTP_MAX: usize = 512;
/// Largest Opus bit rate: a 20 ms packet stays under [`RTP_MAX`].
pub const OPUS_MAX_BITRATE: u32 = 160_000;

type Frame = [i16; FRAME_SAMPLES];

/// A packet to send, built in place.
#[derive(Debug, Clone)]
pub struct RtpOut {
    /// The transport whose socket sends it.
    pub transport: TransportId,
    /// True for RTCP (sent from the transport's RTCP socket, RTP port + 1).
    pub rtcp: bool,
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
    /// RTCP packets sent.
    pub rtcp_sent: u64,
    /// RTCP packets received.
    pub rtcp_received: u64,
    /// Times the client's SSRC changed.
    pub ssrc_changes: u64,
    /// Interarrival jitter of the client's stream, µs (RFC 3550).
    pub jitter_us: u64,
    /// Packets of the client's stream lost (RFC 3550 cumulative).
    pub lost: i64,
    /// Playout counters.
    pub playout: PlayoutStats,
    /// The client's last report about our stream: fraction lost ×256.
    pub remote_fraction_lost: u8,
    /// The client's last report: its jitter of our stream, RTP units.
    pub remote_jitter: u32,
    /// Round-trip time from the client's last report, µs (0 unknown).
    pub rtt_us: u64,
}

/// Fixed outgoing queue for one media tick across all calls.
pub type RtpQueue = heapless::Deque<RtpOut, 128>;

/// The (seeded random) start values of our stream (RFC 3550 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamIds {
    /// Our SSRC.
    pub ssrc: Ssrc,
    /// First sequence number.
    pub seq: u16,
    /// First timestamp.
    pub timestamp: RtpTimestamp,
}

/// Packets from a new SSRC in sequence before it replaces the current one
/// (RFC 3550 §A.1's MIN_SEQUENTIAL).
const MIN_SEQUENTIAL: u16 = 2;

/// The media of one call.
#[derive(Debug)]
pub struct MediaSession {
    transport: TransportId,
    negotiated: Negotiated,
    remote: SocketAddr,
    remote_rtcp: SocketAddr,
    remote_ssrc: Option<Ssrc>,
    /// A new SSRC on probation: its last sequence number and count.
    probation: Option<(Ssrc, u16, u16)>,
    /// The client's address was learned from its first packet; after that a
    /// packet from elsewhere is accepted only if it continues the stream.
    latched: bool,
    /// Highest sequence number accepted from the client.
    last_seq: Option<u16>,
    /// When the RFC 4733 digit from the client was last updated.
    digit_updated: Option<Instant>,
    /// Digits from the client, for call control to route (command or line).
    client_digits: heapless::Deque<ClientDigit, 8>,
    epoch: Instant,
    sender: RtpSender,
    encoder: Encoder,
    events: EventSender,
    /// Regenerates forwarded digits in the audio when the client does not do RFC 4733.
    inband: Generator,
    receiver: EventReceiver,
    canceller: Box<Canceller>,
    line_to_ip: LineToIp,
    ip_to_line: IpToLine,
    playout: Playout,
    aec: Box<dyn AcousticEchoControl>,
    aec_on: bool,
    /// What we sent the line last (the line echo canceller's reference).
    to_line: Frame,
    cancelled: Frame,
    outgoing: Frame,
    scratch: Frame,
    event_packets: heapless::Vec<EventPacket, 4>,
    reception: Reception,
    rtcp_next: Duration,
    rng: u64,
    octets_sent: u32,
    cname: heapless::String<48>,
    stats: MediaStats,
}

impl MediaSession {
    /// Media for a call agreed as `negotiated`, starting `now`.
    pub fn new(
        transport: TransportId,
        negotiated: Negotiated,
        ids: StreamIds,
        config: &MediaConfig,
        now: Instant,
    ) -> Result<Self, CodecError> {
        let (encoder, decoder) = match negotiated.law() {
            Some(law) => (Encoder::G711(law), Decoder::g711(law)),
            None => {
                let hints = negotiated.opus.unwrap_or_default();
                let settings = OpusSettings {
                    encode_rate: codec::opus_encode_rate(
                        hints.maxplaybackrate,
                        config.opus_max_encode_rate_hz,
                    ),
                    bitrate: config.opus_bitrate.clamp(6_000, OPUS_MAX_BITRATE),
                    complexity: config.opus_complexity.min(10),
                    fec: hints.useinbandfec,
                    dtx: hints.usedtx,
                };
                (Encoder::opus(settings)?, Decoder::opus()?)
            }
        };
        let tail = u32::from(config.echo_tail_ms).clamp(MIN_TAIL_MS, MAX_TAIL_MS);
        let canceller = Canceller::new(CancellerConfig {
            tail_ms: tail,
            seed: u64::from(ids.ssrc.0) | 1,
            ..CancellerConfig::default()
        })
        .or_else(|_| Canceller::new(CancellerConfig::default()))
        .map_err(|_| CodecError::Rate(0))?;
        let jitter_max = u32::from(config.jitter_max_ms).min(400);
        let playout = Playout::new(
            PlayoutConfig::from_ms(
                u32::from(config.jitter_min_ms),
                jitter_max,
                u32::from(config.jitter_frames) * 20,
            ),
            decoder,
        );
        let mut cname = heapless::String::new();
        let _ = core::fmt::Write::write_fmt(
            &mut cname,
            format_args!("gateway-{}-{:08x}", transport, ids.ssrc.0),
        );
        let mut remote_rtcp = negotiated.remote;
        remote_rtcp.set_port(negotiated.remote.port().wrapping_add(1));
        let rng = u64::from(ids.ssrc.0) << 16 | 0x9E37;
        Ok(MediaSession {
            transport,
            negotiated,
            remote: negotiated.remote,
            remote_rtcp,
            remote_ssrc: None,
            probation: None,
            latched: false,
            last_seq: None,
            digit_updated: None,
            client_digits: heapless::Deque::new(),
            epoch: now,
            sender: RtpSender::new(ids.ssrc, ids.seq, ids.timestamp),
            encoder,
            events: EventSender::new(),
            inband: Generator::new(GeneratorConfig::default()),
            receiver: EventReceiver::default(),
            canceller: Box::new(canceller),
            line_to_ip: LineToIp::new(LineToIpConfig {
                dtmf: DetectorConfig::default(),
                squelch: true,
                lookahead: config.dtmf_squelch_lookahead(),
            }),
            ip_to_line: IpToLine::new(),
            playout,
            aec: acoustic_echo::new_control(),
            aec_on: false,
            to_line: [0; FRAME_SAMPLES],
            cancelled: [0; FRAME_SAMPLES],
            outgoing: [0; FRAME_SAMPLES],
            scratch: [0; FRAME_SAMPLES],
            event_packets: heapless::Vec::new(),
            reception: Reception::default(),
            rtcp_next: Duration::from_millis(rtcp::INTERVAL_MS / 2),
            rng,
            octets_sent: 0,
            cname,
            stats: MediaStats::default(),
        })
    }

    /// What was agreed.
    pub fn negotiated(&self) -> &Negotiated {
        &self.negotiated
    }

    /// Where RTP goes now (learned from the client's packets once they arrive).
    pub fn remote(&self) -> SocketAddr {
        self.remote
    }

    /// Where RTCP goes now.
    pub fn remote_rtcp(&self) -> SocketAddr {
        self.remote_rtcp
    }

    /// Our SSRC.
    pub fn ssrc(&self) -> Ssrc {
        self.sender.ssrc()
    }

    /// Counters.
    pub fn stats(&self) -> MediaStats {
        let mut s = self.stats;
        s.playout = self.playout.stats();
        let clock = u64::from(self.negotiated.clock_rate());
        s.jitter_us = u64::from(self.playout.jitter_units()) * 1_000_000 / clock;
        s.lost = self.reception.cumulative_lost();
        s
    }

    /// The line echo canceller (G.168) on the line → IP path, on or off.
    pub fn set_line_echo_canceller(&mut self, on: bool) {
        self.canceller.set_enabled(on);
    }

    /// Whether the line echo canceller runs.
    pub fn line_echo_canceller(&self) -> bool {
        self.canceller.enabled()
    }

    /// The canceller's echo return loss enhancement, dB.
    pub fn line_echo_erle_db(&self) -> f32 {
        self.canceller.erle_db()
    }

    /// Acoustic echo control of the client's audio, on or off.
    pub fn set_acoustic_echo_control(&mut self, on: bool) {
        self.aec_on = on;
    }

    /// Whether acoustic echo control runs, and which implementation.
    pub fn acoustic_echo_control(&self) -> (bool, &'static str) {
        (self.aec_on, self.aec.name())
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

    /// Line samples (8 kHz) in telephone-event clock units.
    fn te_units(&self, samples: u32) -> u32 {
        samples.saturating_mul(self.negotiated.telephone_event_rate / 8000)
    }

    /// The forwarded digit ended after `duration` line samples.
    pub fn forward_digit_end(&mut self, duration: u32) {
        if self.negotiated.telephone_event.is_some() {
            let units = self.te_units(duration);
            self.events.end_live(units);
        } else {
            self.inband.release();
        }
    }

    /// Forward digits late (held back as a possible command, then released), each
    /// lasting `duration` line samples. Returns how many could not be queued.
    pub fn forward_digits_late(&mut self, digits: &[Digit], duration: u32) -> usize {
        let te = self.negotiated.telephone_event.is_some();
        let units = self.te_units(duration);
        digits
            .iter()
            .filter(|d| {
                if te {
                    !self.events.queue(**d, units)
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

    /// Step 1: the line's frame goes through the echo canceller, DTMF detection
    /// and squelch.
    pub fn process_line(&mut self, rx: &Frame) {
        self.canceller
            .process(&self.to_line, rx, &mut self.cancelled);
        self.line_to_ip.process(&self.cancelled, &mut self.outgoing);
    }

    /// Digits the client sent as RFC 4733 events (a digit whose updates stop is
    /// ended after a silence limit).
    pub fn poll_client_digit(&mut self) -> Option<ClientDigit> {
        self.client_digits.pop_front()
    }

    /// Play a client digit on the line while it lasts (it is not a command).
    pub fn play_client_digit(&mut self, digit: Digit) {
        self.ip_to_line.start_digit(digit);
    }

    /// The client digit being played ended.
    pub fn stop_client_digit(&mut self) {
        self.ip_to_line.stop_digit();
    }

    /// Play whole digits on the line (held back as a possible command, or sent
    /// by SIP INFO). Returns how many could not be queued.
    pub fn queue_to_line(&mut self, digits: &[Digit]) -> usize {
        digits
            .iter()
            .filter(|d| !self.ip_to_line.queue_digit(**d))
            .count()
    }

    /// Step 2: digits detected on the line (sample times on the line's timeline).
    pub fn poll_dtmf(&mut self) -> Option<DtmfEvent> {
        self.line_to_ip.poll_event()
    }

    /// Step 3: queue this frame's audio packet, any event packets, and RTCP
    /// when due.
    pub fn transmit(&mut self, now: Instant, queue: &mut RtpQueue) {
        // RFC 4733 §2.5.2.3: a digit whose updates stopped (its end packets all
        // lost) must not sound on the line for ever.
        if self
            .digit_updated
            .is_some_and(|t| now.saturating_duration_since(t) > DIGIT_SILENCE)
        {
            self.digit_updated = None;
            let _ = self.client_digits.push_back(ClientDigit::End);
        }
        if !self.inband.is_idle() {
            self.inband.fill(&mut self.outgoing);
        }
        if self.aec_on {
            self.aec.render(&self.outgoing);
        }
        let frame_units = self.encoder.frame_units();
        let ts = self.sender.timestamp();
        if let Some(te) = self.negotiated.telephone_event {
            let te_frame = self.te_units(FRAME_SAMPLES as u32);
            self.events.on_frame(ts, te_frame, &mut self.event_packets);
            for i in 0..self.event_packets.len() {
                let p = self.event_packets[i];
                let mut out = self.out(false);
                if let Ok(len) = self.sender.at(
                    te,
                    p.timestamp,
                    p.marker,
                    &p.payload.encode(),
                    &mut out.data,
                ) {
                    out.len = len;
                    self.push(queue, out, 4);
                }
            }
        }
        let mut payload = [0u8; RTP_MAX - 12];
        match self.encoder.encode(&self.outgoing, &mut payload) {
            Ok(0) => self.sender.skip(frame_units),
            Ok(n) => {
                let mut out = self.out(false);
                if let Ok(len) = self.sender.audio(
                    self.negotiated.payload_type,
                    &payload[..n],
                    frame_units,
                    &mut out.data,
                ) {
                    out.len = len;
                    self.push(queue, out, n);
                }
            }
            Err(_) => self.sender.skip(frame_units),
        }
        self.poll_rtcp(now, queue);
    }

    fn push(&mut self, queue: &mut RtpQueue, out: RtpOut, payload: usize) {
        if queue.push_back(out).is_ok() {
            self.stats.packets_sent += 1;
            self.octets_sent = self.octets_sent.wrapping_add(payload as u32);
        }
    }

    fn out(&self, rtcp: bool) -> RtpOut {
        RtpOut {
            transport: self.transport,
            rtcp,
            destination: if rtcp { self.remote_rtcp } else { self.remote },
            len: 0,
            data: [0; RTP_MAX],
        }
    }

    /// Queue an RTCP report if one is due.
    fn poll_rtcp(&mut self, now: Instant, queue: &mut RtpQueue) {
        let elapsed = now.saturating_duration_since(self.epoch);
        if elapsed < self.rtcp_next {
            return;
        }
        // §6.3.1: randomise to 0.5..1.5 of the interval.
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let factor = 500 + self.rng % 1001;
        self.rtcp_next = elapsed + Duration::from_millis(rtcp::INTERVAL_MS * factor / 1000);
        let (sender, block) = self.report_parts(elapsed);
        let mut out = self.out(true);
        if let Ok(len) = rtcp::build_report(self.ssrc(), sender, block, &self.cname, &mut out.data)
        {
            out.len = len;
            if queue.push_back(out).is_ok() {
                self.stats.rtcp_sent += 1;
            }
        }
    }

    /// The sender info (once we sent RTP) and the report block on the client's
    /// stream (once it sent RTP) of a report `elapsed` into the call.
    fn report_parts(&mut self, elapsed: Duration) -> (Option<SenderInfo>, Option<ReportBlock>) {
        let ntp = rtcp::ntp_of(elapsed);
        let sender = (self.stats.packets_sent > 0).then(|| SenderInfo {
            ntp,
            rtp: self.sender.timestamp().0,
            packets: self.stats.packets_sent as u32,
            octets: self.octets_sent,
        });
        let block = self.reception.ssrc().map(|ssrc| {
            let (lsr, dlsr) = self.reception.lsr_dlsr(ntp);
            ReportBlock {
                ssrc: ssrc.0,
                loss: self.reception.loss_interval(),
                jitter: self.playout.jitter_units(),
                lsr,
                dlsr,
            }
        });
        (sender, block)
    }

    /// The call's media ends `now` (hang-up): queue the last RTCP compound
    /// packet, SR (or RR) + SDES CNAME + BYE with our SSRC (RFC 3550 §6.6), on
    /// the RTCP path. Consumes the session: nothing is sent with our SSRC after
    /// its BYE. Returns whether a BYE was queued: none when neither RTP nor
    /// RTCP was ever sent (§6.3.7: such a participant must not send BYE) or
    /// when `queue` is full.
    pub fn close(mut self, now: Instant, queue: &mut RtpQueue) -> bool {
        if self.stats.packets_sent == 0 && self.stats.rtcp_sent == 0 {
            return false;
        }
        let elapsed = now.saturating_duration_since(self.epoch);
        let (sender, block) = self.report_parts(elapsed);
        let mut out = self.out(true);
        match rtcp::build_bye(self.ssrc(), sender, block, &self.cname, &mut out.data) {
            Ok(len) => {
                out.len = len;
                queue.push_back(out).is_ok()
            }
            Err(_) => false,
        }
    }

    /// Step 4: the frame to send to the line.
    pub fn play_to_line(&mut self, tx: &mut Frame) {
        self.playout.pop(&mut self.scratch);
        if self.aec_on {
            self.aec.capture(&mut self.scratch);
        }
        self.ip_to_line.process(&self.scratch, tx);
        self.to_line = *tx;
    }

    /// An RTP (or RTCP, if the client multiplexes) datagram from the client,
    /// arrived `now`.
    pub fn receive(
        &mut self,
        now: Instant,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), RtpError> {
        let packet = match rtp::parse(data) {
            Ok(p) => p,
            Err(RtpError::Rtcp) => {
                self.receive_rtcp(now, source, data);
                return Ok(());
            }
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
        // Symmetric RTP learns the client's address once. A packet from anywhere
        // else moves the stream only if it carries the current SSRC and carries
        // on its sequence (a NAT rebinding); a stranger cannot take the call over.
        if self.latched && source != self.remote && !self.continues(packet.ssrc, packet.seq) {
            self.stats.packets_ignored += 1;
            return Ok(());
        }
        if !self.accept_ssrc(packet.ssrc, packet.seq) {
            self.stats.packets_ignored += 1;
            return Ok(());
        }
        self.latched = true;
        self.last_seq = Some(packet.seq);
        // Symmetric RTP: answer where the client's packets come from (NAT).
        if self.remote != source {
            self.remote = source;
            if self.stats.rtcp_received == 0 {
                self.remote_rtcp = source;
                self.remote_rtcp.set_port(source.port().wrapping_add(1));
            }
        }
        self.reception.packet(packet.seq);
        self.stats.packets_received += 1;
        if is_event {
            self.stats.events_received += 1;
            match self
                .receiver
                .receive(packet.ssrc, packet.timestamp, packet.payload)
            {
                Received::Start(digit) => {
                    self.digit_updated = Some(now);
                    let _ = self.client_digits.push_back(ClientDigit::Start(digit));
                }
                Received::End => {
                    self.digit_updated = None;
                    let _ = self.client_digits.push_back(ClientDigit::End);
                }
                Received::Nothing => {
                    if self.digit_updated.is_some() {
                        self.digit_updated = Some(now);
                    }
                }
            }
            return Ok(());
        }
        let clock = u128::from(self.negotiated.clock_rate());
        let arrival =
            (now.saturating_duration_since(self.epoch).as_nanos() * clock / 1_000_000_000) as i64;
        if matches!(self.negotiated.codec, Codec::Pcmu | Codec::Pcma)
            && packet.payload.len() > FRAME_SAMPLES
        {
            // RFC 3551 §4.2: a receiver should take 0-200 ms per packet. G.711
            // is one byte a sample, so a long packet is cut into 20 ms frames,
            // each with its own timestamp and arrival (the jitter estimate
            // sees a steady stream).
            for (k, chunk) in packet.payload.chunks(FRAME_SAMPLES).enumerate() {
                let offset = (k * FRAME_SAMPLES) as u32;
                let _ = self.playout.push(
                    arrival + i64::from(offset),
                    packet.timestamp.0.wrapping_add(offset),
                    chunk,
                );
            }
            return Ok(());
        }
        let _ = self
            .playout
            .push(arrival, packet.timestamp.0, packet.payload);
        Ok(())
    }

    /// True if `ssrc`/`seq` continue the accepted stream (same SSRC, a sequence
    /// number at most 100 ahead of the last one).
    fn continues(&self, ssrc: Ssrc, seq: u16) -> bool {
        Some(ssrc) == self.remote_ssrc
            && self
                .last_seq
                .is_some_and(|last| (1..=100).contains(&seq.wrapping_sub(last)))
    }

    /// SSRC handling: the first SSRC is taken at once; a different one replaces
    /// it after [`MIN_SEQUENTIAL`] packets in sequence, which resets the
    /// reception statistics and the jitter buffer.
    fn accept_ssrc(&mut self, ssrc: Ssrc, seq: u16) -> bool {
        match self.remote_ssrc {
            Some(current) if current == ssrc => {
                self.probation = None;
                true
            }
            None => {
                self.remote_ssrc = Some(ssrc);
                self.reception.start(ssrc, seq);
                true
            }
            Some(_) => {
                let count = match self.probation {
                    Some((s, last, n)) if s == ssrc && seq == last.wrapping_add(1) => n + 1,
                    _ => 1,
                };
                if count < MIN_SEQUENTIAL {
                    self.probation = Some((ssrc, seq, count));
                    return false;
                }
                self.probation = None;
                self.remote_ssrc = Some(ssrc);
                self.reception.start(ssrc, seq);
                self.playout.reset();
                self.stats.ssrc_changes += 1;
                true
            }
        }
    }

    /// An RTCP datagram from the client (on our RTCP port, or multiplexed).
    pub fn receive_rtcp(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        let Ok(r) = rtcp::parse(data, self.ssrc()) else {
            self.stats.packets_ignored += 1;
            return;
        };
        self.stats.rtcp_received += 1;
        self.remote_rtcp = source;
        let now_ntp = rtcp::ntp_of(now.saturating_duration_since(self.epoch));
        if let Some((ssrc, ntp)) = r.sender_report {
            if Some(ssrc) == self.remote_ssrc {
                self.reception.sender_report(ntp, now_ntp);
            }
        }
        if let Some(b) = r.about_us {
            self.stats.remote_fraction_lost = b.loss.fraction;
            self.stats.remote_jitter = b.jitter;
            if b.lsr != 0 {
                let mid = (now_ntp >> 16) as u32;
                let rtt = mid.wrapping_sub(b.lsr).wrapping_sub(b.dlsr);
                if rtt < 0x8000_0000 {
                    self.stats.rtt_us = u64::from(rtt) * 1_000_000 / 65_536;
                }
            }
        }
    }

    /// The DTMF squelch look-ahead, samples (part of the gateway's added delay).
    pub fn line_delay_samples(&self) -> usize {
        self.line_to_ip.delay_samples()
    }

    /// Audio buffered toward the line now, 8 kHz samples.
    pub fn playout_level(&self) -> usize {
        self.playout.level()
    }

    /// The spare audio the jitter buffer aims to keep now, 8 kHz samples.
    pub fn playout_target_samples(&self) -> usize {
        self.playout.target_spare()
    }

    /// Payload type of the audio.
    pub fn payload_type(&self) -> PayloadType {
        self.negotiated.payload_type
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
