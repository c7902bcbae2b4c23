//! SIP legs: an IP client reached by SIP, in either direction.
//!
//! ```text
//!  incoming INVITE ─▶ Offered{agreed} ─ answer() ─▶ Answered ─ start_media ─▶ media
//!  invite()        ─▶ Calling ─ 200 (usable SDP) ─▶ Answered ─ start_media ─▶ media
//!                            └ 200 (unusable SDP) ─▶ BYE, Ended(BadAnswer)
//!  BYE / CANCEL / failure from the client ─▶ Ended(..) ─ release() ─▶ RTCP BYE, transport back
//! ```
//!
//! The leg's media is one [`MediaSession`] on a [`MediaTransport`] it takes
//! from the pool when it answers or calls, and gives back when released: the
//! frames a bridge writes to it are encoded to its client; what the client
//! sent is decoded into the frames it reads out. Digits heard in the written
//! audio come out as [`LegEvent::Overheard`]; the client's own (RFC 4733 or
//! INFO) as [`LegEvent::Digit`].
//!
//! SDP is read and written only through `media::negotiation`.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use drivers::Frame;
use sip::{CallHandle, Endpoint, Event as SipEvent, OutgoingInvite, RequestHandle};
use tracing::{debug, info, warn};

use super::{
    DigitOut, DigitTone, EndCause, FrameClock, Hangup, Leg, LegError, LegEvent, LineFrames,
    Technologies,
};
use crate::call::settings::CallSettings;
use crate::config::MediaConfig;
use crate::media::negotiation::{self, Negotiated};
use crate::media::rtp::{PayloadType, RtpTimestamp, Ssrc};
use crate::media::{ClientDigit, MediaSession, MediaTransport, StreamIds};

/// Default duration (8 kHz units) of a digit forwarded after it was held back.
const RELEASED_DIGIT: u32 = 800;

/// The SIP technology: the UA core and what legs share of it.
#[derive(Debug)]
pub(crate) struct SipSide {
    /// The sans-IO SIP core.
    pub endpoint: Endpoint,
    /// Where SIP is bound.
    pub addr: SocketAddr,
    /// INFO requests in flight, so a client that refuses INFO gets MESSAGE.
    infos: HashMap<RequestHandle, (CallHandle, Vec<u8>)>,
    /// SSRCs, first sequence numbers and timestamps (RFC 3550 §5.1, §8).
    rng: sip::IdGenerator,
    /// The `o=` version of the next SDP we write.
    sdp_version: u64,
}

impl SipSide {
    /// The SIP side of a core bound at `addr`; `rng` makes the media's
    /// stream ids.
    pub(crate) fn new(endpoint: Endpoint, addr: SocketAddr, rng: sip::IdGenerator) -> Self {
        SipSide {
            endpoint,
            addr,
            infos: HashMap::new(),
            rng,
            sdp_version: 1,
        }
    }

    fn next_sdp_version(&mut self) -> u64 {
        self.sdp_version += 1;
        self.sdp_version
    }

    /// SSRC, first sequence number and first timestamp of a new stream, from
    /// the cryptographic generator: an off-path attacker who cannot guess them
    /// cannot inject packets the receiver would play (RFC 3550 §5.1, §9.1).
    fn next_stream_ids(&mut self) -> StreamIds {
        let a = self.rng.next_u64();
        let b = self.rng.next_u64();
        StreamIds {
            ssrc: Ssrc(a as u32),
            seq: (b >> 16) as u16,
            timestamp: RtpTimestamp((b >> 32) as u32),
        }
    }

    /// An in-dialog request we sent completed: a command INFO the client
    /// refused goes again as MESSAGE.
    pub(crate) fn request_completed(&mut self, now: Instant, request: RequestHandle, status: u16) {
        let Some((call, body)) = self.infos.remove(&request) else {
            return;
        };
        if (200..300).contains(&status) {
            debug!(?call, status, "command delivered by INFO");
        } else if matches!(status, 405 | 415 | 501) {
            info!(
                ?call,
                status, "client refused INFO; sending the command as MESSAGE"
            );
            if let Err(e) = self
                .endpoint
                .send_message(now, call, "application/json", &body)
            {
                warn!(?call, error = %e, "MESSAGE failed");
            }
        } else {
            warn!(?call, status, "command INFO failed");
        }
    }
}

/// A call the gateway places to an IP client.
#[derive(Debug, Clone)]
pub(crate) struct OutgoingSip {
    /// The target URI (`sip:USER@registrar` means USER's registered contact).
    pub target: String,
    /// The caller's number (From user part).
    pub caller: String,
    /// The caller's display name.
    pub display: String,
    /// Extra headers of the INVITE.
    pub extra_headers: Vec<(String, String)>,
    /// A line port the leg will be bridged to, whose RTP transport it prefers.
    pub near: Option<usize>,
}

/// Why an outgoing SIP leg could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum OpenSipError {
    /// The target is not a SIP URI.
    #[error("target URI unusable: {0}")]
    BadUri(String),
    /// `sip:USER@registrar` and USER has no binding.
    #[error("the user {0:?} is not registered")]
    NotRegistered(String),
    /// The host is a name (there is no DNS on the box).
    #[error("target host {0:?} must be an IP address (no DNS on the box)")]
    NotAnAddress(String),
    /// No RTP transport or the SIP core refused.
    #[error(transparent)]
    Leg(#[from] LegError),
}

/// Where a SIP leg is.
#[derive(Debug, Clone, Copy)]
enum SipState {
    /// An INVITE came in with an offer we can answer with `agreed`.
    Offered { agreed: Negotiated },
    /// We sent an INVITE and wait for the client's answer.
    Calling,
    /// Answered either way; the media agreed.
    Answered { agreed: Negotiated },
    /// Over on the client's side, or hung up by us.
    Ended,
}

/// An IP client's leg.
#[derive(Debug)]
pub(crate) struct SipLeg {
    call: CallHandle,
    state: SipState,
    transport: Option<MediaTransport>,
    media: Option<MediaSession>,
    events: VecDeque<LegEvent>,
    media_config: MediaConfig,
}

impl SipLeg {
    /// An incoming call whose offer agreed as `agreed`.
    pub(crate) fn incoming(call: CallHandle, agreed: Negotiated, media: &MediaConfig) -> Self {
        SipLeg {
            call,
            state: SipState::Offered { agreed },
            transport: None,
            media: None,
            events: VecDeque::new(),
            media_config: media.clone(),
        }
    }

    /// Place a call: resolve the target, take a transport, offer our codecs.
    /// Returns the leg and the Call-ID.
    pub(crate) fn outgoing(
        now: Instant,
        tech: &mut Technologies,
        request: OutgoingSip,
    ) -> Result<(SipLeg, String), OpenSipError> {
        let sip = &mut tech.sip;
        let target =
            sip::Uri::parse(&request.target).map_err(|e| OpenSipError::BadUri(e.to_string()))?;
        // `sip:USER@registrar`: the phone USER registered with us.
        let (target, registered) = if target.host.eq_ignore_ascii_case("registrar") {
            let user = target.user.clone().unwrap_or_default();
            match sip.endpoint.registered_contact(now, &user) {
                Some(binding) => (binding.contact, Some(binding.source)),
                None => return Err(OpenSipError::NotRegistered(user)),
            }
        } else {
            (target, None)
        };
        let destination = registered
            .or_else(|| {
                target
                    .host
                    .trim_matches(|c| c == '[' || c == ']')
                    .parse::<IpAddr>()
                    .ok()
                    .map(|ip| SocketAddr::new(ip, target.port.unwrap_or(5060)))
            })
            .ok_or_else(|| OpenSipError::NotAnAddress(target.host.clone()))?;
        let transport = tech.pool.take(request.near).map_err(LegError::from)?;
        let version = sip.next_sdp_version();
        let offer = negotiation::sdp(
            transport.local,
            u64::from(transport.id.0) + 1,
            version,
            &tech.media.codecs,
            Some(PayloadType(tech.media.telephone_event_payload_type)),
        );
        let host = sip.addr.ip().to_string();
        let from = sip::Uri::sip(Some(&request.caller), &host, Some(sip.addr.port()));
        let invite = OutgoingInvite {
            target: target.clone(),
            destination,
            from,
            from_display: Some(request.display),
            to: target,
            sdp_offer: offer.into_bytes(),
            extra_headers: request.extra_headers,
        };
        match sip.endpoint.invite(now, invite) {
            Ok(call) => {
                let call_id = sip
                    .endpoint
                    .call_info(call)
                    .map(|i| i.call_id)
                    .unwrap_or_default();
                let leg = SipLeg {
                    call,
                    state: SipState::Calling,
                    transport: Some(transport),
                    media: None,
                    events: VecDeque::new(),
                    media_config: tech.media.clone(),
                };
                Ok((leg, call_id))
            }
            Err(e) => {
                tech.pool.give_back(transport);
                Err(LegError::Sip(e.to_string()).into())
            }
        }
    }

    /// The SIP core's handle of the leg's call.
    pub(crate) fn call(&self) -> CallHandle {
        self.call
    }

    /// The transport the leg holds.
    pub(crate) fn transport(&self) -> Option<MediaTransport> {
        self.transport
    }

    /// The leg's media, once started.
    pub(crate) fn media(&self) -> Option<&MediaSession> {
        self.media.as_ref()
    }

    /// The leg's media, once started.
    pub(crate) fn media_mut(&mut self) -> Option<&mut MediaSession> {
        self.media.as_mut()
    }

    /// Take the media away (the gateway stops; its RTCP BYE is the caller's).
    pub(crate) fn take_media(&mut self) -> Option<MediaSession> {
        self.media.take()
    }

    /// Put the command plane's settings into the media.
    pub(crate) fn apply_settings(&mut self, settings: &CallSettings) {
        if let Some(media) = self.media.as_mut() {
            settings.apply(media);
        }
    }

    /// Send a command's JSON to the client in the dialog (INFO; MESSAGE if
    /// the client refuses INFO).
    pub(crate) fn send_command(&self, now: Instant, sip: &mut SipSide, body: &serde_json::Value) {
        let body = body.to_string().into_bytes();
        match sip
            .endpoint
            .send_info(now, self.call, "application/json", &body)
        {
            Ok(request) => {
                sip.infos.insert(request, (self.call, body));
            }
            Err(e) => warn!(error = %e, "cannot send command INFO"),
        }
    }

    /// A SIP event about this leg's call.
    pub(crate) fn handle_sip_event(
        &mut self,
        now: Instant,
        tech: &mut Technologies,
        event: SipEvent,
    ) {
        match event {
            SipEvent::Progress { status, .. } => {
                info!(call = ?self.call, status, "client alerting");
                self.events.push_back(LegEvent::Alerting);
            }
            SipEvent::Answered { sdp, .. } => self.on_answered(now, tech, sdp.as_deref()),
            SipEvent::Confirmed { .. } => debug!(call = ?self.call, "ACK received"),
            SipEvent::Failed { status, reason, .. } => {
                info!(call = ?self.call, status, %reason, "call failed on the SIP side");
                self.end(EndCause::ClientFailed(status));
            }
            SipEvent::Cancelled { .. } => {
                info!(call = ?self.call, "caller cancelled");
                self.end(EndCause::ClientCancel);
            }
            SipEvent::Ended { by_remote, .. } => {
                info!(call = ?self.call, by_remote, "call ended by BYE");
                self.end(if by_remote {
                    EndCause::ClientBye
                } else {
                    EndCause::GatewayBye
                });
            }
            SipEvent::InfoReceived {
                content_type, body, ..
            } => match crate::call::dtmf_relay::digit(&content_type, &body) {
                Some(digit) => self.events.push_back(LegEvent::Digit {
                    digit: Some(digit),
                    whole: true,
                }),
                None => debug!(call = ?self.call, %content_type, "INFO from client"),
            },
            // The SIP core answered a re-INVITE (hold/resume) itself; media
            // keeps running (a held client discards what it receives).
            SipEvent::SessionModified { remote, local, .. } => info!(
                transport = ?self.transport.map(|t| t.id),
                remote = remote.as_str(),
                local = local.as_str(),
                "session modified by re-INVITE"
            ),
            other => debug!(?other, "SIP event"),
        }
    }

    fn on_answered(&mut self, now: Instant, tech: &mut Technologies, sdp: Option<&[u8]>) {
        if !matches!(self.state, SipState::Calling) {
            return;
        }
        match negotiation::read_answer_sdp(sdp, &tech.media.codecs) {
            Ok(agreed) => {
                self.state = SipState::Answered { agreed };
                self.events.push_back(LegEvent::Answered);
            }
            Err(e) => {
                warn!(call = ?self.call, error = %e, "client's answer unusable; hanging up");
                let _ = tech.sip.endpoint.hangup(now, self.call);
                self.end(EndCause::BadAnswer);
            }
        }
    }

    fn end(&mut self, cause: EndCause) {
        self.state = SipState::Ended;
        self.events.push_back(LegEvent::Ended(cause));
    }
}

impl Leg for SipLeg {
    fn answer(
        &mut self,
        now: Instant,
        tech: &mut Technologies,
        near: Option<usize>,
    ) -> Result<(), LegError> {
        let SipState::Offered { agreed } = self.state else {
            return Err(LegError::NothingToAnswer);
        };
        let transport = match self.transport {
            Some(t) => t,
            None => tech.pool.take(near)?,
        };
        self.transport = Some(transport);
        let version = tech.sip.next_sdp_version();
        let body = negotiation::answer_sdp(
            transport.local,
            u64::from(transport.id.0) + 1,
            version,
            &agreed,
        );
        tech.sip
            .endpoint
            .accept(now, self.call, body.as_bytes())
            .map_err(|e| LegError::Sip(e.to_string()))?;
        self.state = SipState::Answered { agreed };
        Ok(())
    }

    fn alert(&mut self, now: Instant, tech: &mut Technologies) {
        if let Err(e) = tech
            .sip
            .endpoint
            .send_provisional(now, self.call, 180, None)
        {
            warn!(call = ?self.call, error = %e, "cannot send 180");
        }
    }

    fn hang_up(&mut self, now: Instant, tech: &mut Technologies, how: Hangup) {
        let endpoint = &mut tech.sip.endpoint;
        match (self.state, how) {
            (SipState::Ended, _) => {}
            (SipState::Offered { .. }, how) => {
                let (status, reason) = match how {
                    Hangup::Refuse { status, reason } => (status, reason),
                    Hangup::Normal => (480, "Temporarily Unavailable"),
                };
                if let Err(e) = endpoint.reject(now, self.call, status, reason) {
                    warn!(call = ?self.call, error = %e, "cannot reject");
                }
            }
            (SipState::Calling | SipState::Answered { .. }, _) => {
                if let Err(e) = endpoint.hangup(now, self.call) {
                    warn!(call = ?self.call, error = %e, "cannot hang up toward the IP client");
                }
            }
        }
        self.release(now, tech);
    }

    fn release(&mut self, now: Instant, tech: &mut Technologies) {
        self.state = SipState::Ended;
        // RFC 3550 §6.6: the media leaves with an RTCP BYE, sent with this
        // turn's packets (before the transport's next leg reuses the sockets).
        if let Some(media) = self.media.take() {
            tech.close_media(now, media);
        }
        if let Some(transport) = self.transport.take() {
            tech.pool.give_back(transport);
        }
    }

    fn start_media(&mut self, now: Instant, tech: &mut Technologies) {
        let (SipState::Answered { agreed }, Some(transport)) = (self.state, self.transport) else {
            return;
        };
        let ids = tech.sip.next_stream_ids();
        self.media = match MediaSession::new(transport.id, agreed, ids, &self.media_config, now) {
            Ok(media) => Some(media),
            Err(e) => {
                warn!(%transport.id, error = %e, "media could not start");
                None
            }
        };
    }

    fn send_digit(&mut self, digit: DigitOut) {
        let Some(media) = self.media.as_mut() else {
            return;
        };
        match digit {
            DigitOut::Start(d) => media.forward_digit_start(d),
            DigitOut::End { duration } => media.forward_digit_end(duration),
            DigitOut::Late(digits) => {
                let dropped = media.forward_digits_late(&digits, RELEASED_DIGIT);
                if dropped > 0 {
                    warn!(dropped, "digit queue full; digits dropped");
                }
            }
        }
    }

    fn play_digit(&mut self, digit: DigitTone) {
        let Some(media) = self.media.as_mut() else {
            return;
        };
        match digit {
            DigitTone::Play(d) => media.play_client_digit(d),
            DigitTone::Stop => media.stop_client_digit(),
            DigitTone::Queue(digits) => {
                let dropped = media.queue_to_line(&digits);
                if dropped > 0 {
                    warn!(dropped, "line digit queue full; digits dropped");
                }
            }
        }
    }

    fn frame_clock(&self) -> FrameClock {
        FrameClock::Packet
    }

    fn read_frame(&mut self, _frames: &LineFrames<'_>, out: &mut Frame) {
        match self.media.as_mut() {
            Some(media) => media.play_to_line(out),
            None => out.fill(0),
        }
    }

    fn write_frame(&mut self, _frames: &mut LineFrames<'_>, frame: &Frame) {
        if let Some(media) = self.media.as_mut() {
            media.process_line(frame);
        }
    }

    fn flush(&mut self, now: Instant, tech: &mut Technologies) {
        if let Some(media) = self.media.as_mut() {
            media.transmit(now, &mut tech.rtp_out);
        }
    }

    fn poll_event(&mut self) -> Option<LegEvent> {
        if let Some(event) = self.events.pop_front() {
            return Some(event);
        }
        let media = self.media.as_mut()?;
        if let Some(event) = media.poll_dtmf() {
            return Some(LegEvent::Overheard(event));
        }
        media.poll_client_digit().map(|d| match d {
            ClientDigit::Start(digit) => LegEvent::Digit {
                digit: Some(digit),
                whole: false,
            },
            ClientDigit::End => LegEvent::Digit {
                digit: None,
                whole: false,
            },
        })
    }

    fn poll_timeout(&self) -> Option<Instant> {
        None
    }
}
