//! SDP offer/answer (RFC 3264) for the audio stream: which codec, which
//! telephone-event payload type, and where to send RTP.
//!
//! This is the one owner of offer/answer and codec choice. Reading and
//! writing SDP text belongs to `sip::sdp`: [`remote_audio`] takes the audio
//! stream out of a parsed description, and the gateway's own offers and
//! answers are built as `sip::sdp::SessionDescription`s and printed by it.
//! (Answers to re-offers inside a session, hold and resume, are the SIP
//! core's: `sip::sdp::reoffer`, on the same structures.)

use std::net::SocketAddr;

use dsp::g711::Law;

use super::rtp::{PayloadType, PT_PCMA, PT_PCMU};
use crate::config::Codec;

/// One format offered or answered by the far end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFormat {
    /// Payload type.
    pub payload_type: u8,
    /// Encoding name from `a=rtpmap` (or the static assignment), upper case.
    pub encoding: String,
    /// Clock rate.
    pub clock_rate: u32,
    /// Its `a=fmtp` parameters, if any.
    pub fmtp: Option<String>,
}

/// The far end's audio stream as its SDP describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAudio {
    /// Where it wants RTP (port 0: stream rejected).
    pub address: SocketAddr,
    /// Formats in its order of preference.
    pub formats: Vec<RemoteFormat>,
}

/// The far end's Opus `a=fmtp` hints (RFC 7587 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OpusParams {
    /// `maxplaybackrate`: the most it can play, Hz.
    pub maxplaybackrate: Option<u32>,
    /// `useinbandfec=1`: it can use in-band FEC, so our encoder sends it.
    pub useinbandfec: bool,
    /// `usedtx=1`: it prefers we use DTX.
    pub usedtx: bool,
    /// `stereo=1`: it would take stereo (the line is mono: ignored).
    pub stereo: bool,
}

impl OpusParams {
    /// Read `a=fmtp` text such as `minptime=10;useinbandfec=1`.
    pub fn parse(fmtp: &str) -> OpusParams {
        let mut p = OpusParams::default();
        for kv in fmtp.split(';') {
            let Some((k, v)) = kv.split_once('=') else {
                continue;
            };
            let v = v.trim();
            match k.trim().to_ascii_lowercase().as_str() {
                "maxplaybackrate" => p.maxplaybackrate = v.parse().ok(),
                "useinbandfec" => p.useinbandfec = v == "1",
                "usedtx" => p.usedtx = v == "1",
                "stereo" => p.stereo = v == "1",
                _ => {}
            }
        }
        p
    }
}

/// The outcome of offer/answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    /// The codec both ends use.
    pub codec: Codec,
    /// Its payload type.
    pub payload_type: PayloadType,
    /// RFC 4733 telephone-event payload type, if both ends do it.
    pub telephone_event: Option<PayloadType>,
    /// Where to send RTP (until symmetric RTP learns better).
    pub remote: SocketAddr,
    /// The far end's Opus hints (Opus only).
    pub opus: Option<OpusParams>,
    /// Clock rate of the telephone-event format (8000, or 48000 with Opus).
    pub telephone_event_rate: u32,
}

impl Negotiated {
    /// A G.711 call (tests and simple callers).
    pub fn g711(
        codec: Codec,
        telephone_event: Option<PayloadType>,
        remote: SocketAddr,
    ) -> Negotiated {
        Negotiated {
            codec,
            payload_type: static_pt(codec),
            telephone_event,
            remote,
            opus: None,
            telephone_event_rate: 8000,
        }
    }

    /// The G.711 law of the codec (`None` for Opus).
    pub fn law(&self) -> Option<Law> {
        match self.codec {
            Codec::Pcmu => Some(Law::Ulaw),
            Codec::Pcma => Some(Law::Alaw),
            Codec::Opus => None,
        }
    }

    /// The RTP clock rate of the audio.
    pub fn clock_rate(&self) -> u32 {
        match self.codec {
            Codec::Opus => 48_000,
            _ => 8000,
        }
    }

    /// The codec's name in SDP.
    pub fn codec_name(&self) -> &'static str {
        match self.codec {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::Opus => "opus",
        }
    }
}

/// Why no audio stream could be agreed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NegotiationError {
    /// The SDP has no audio stream, or it was rejected (port 0).
    #[error("no usable audio stream in the SDP")]
    NoAudio,
    /// No codec in common.
    #[error("no codec in common (offered: {0})")]
    NoCommonCodec(String),
}

fn codec_of(format: &RemoteFormat) -> Option<Codec> {
    match (format.encoding.as_str(), format.clock_rate) {
        ("PCMU", 8000) => Some(Codec::Pcmu),
        ("PCMA", 8000) => Some(Codec::Pcma),
        // RFC 7587 §7: always opus/48000/2.
        ("OPUS", 48_000) => Some(Codec::Opus),
        _ => None,
    }
}

/// Static payload type of G.711; Opus's default dynamic one.
fn static_pt(codec: Codec) -> PayloadType {
    match codec {
        Codec::Pcmu => PT_PCMU,
        Codec::Pcma => PT_PCMA,
        Codec::Opus => PT_OPUS,
    }
}

/// Opus's payload type in our offers unless configured otherwise.
pub const PT_OPUS: PayloadType = PayloadType(111);

/// telephone-event at the audio's clock if offered (Opus: 48000, as WebRTC
/// clients do), else at 8000.
fn telephone_event(remote: &RemoteAudio, clock: u32) -> Option<(PayloadType, u32)> {
    let at = |rate: u32| {
        remote
            .formats
            .iter()
            .find(|f| f.encoding == "TELEPHONE-EVENT" && f.clock_rate == rate)
            .map(|f| (PayloadType(f.payload_type), rate))
    };
    at(clock).or_else(|| at(8000))
}

/// Answer an offer: the first of the offerer's codecs that we support (RFC 3264
/// §6.1 lets the answerer pick; honouring the offerer's order is what clients
/// expect), restricted to `ours`.
pub fn answer_offer(offer: &RemoteAudio, ours: &[Codec]) -> Result<Negotiated, NegotiationError> {
    if offer.address.port() == 0 {
        return Err(NegotiationError::NoAudio);
    }
    let chosen = offer
        .formats
        .iter()
        .find_map(|f| codec_of(f).filter(|c| ours.contains(c)).map(|c| (c, f)));
    let Some((codec, format)) = chosen else {
        let offered: Vec<&str> = offer.formats.iter().map(|f| f.encoding.as_str()).collect();
        return Err(NegotiationError::NoCommonCodec(offered.join(" ")));
    };
    let opus = (codec == Codec::Opus)
        .then(|| OpusParams::parse(format.fmtp.as_deref().unwrap_or_default()));
    let te = telephone_event(offer, format.clock_rate);
    Ok(Negotiated {
        codec,
        payload_type: PayloadType(format.payload_type),
        telephone_event: te.map(|t| t.0),
        remote: offer.address,
        opus,
        telephone_event_rate: te.map_or(8000, |t| t.1),
    })
}

/// Read the answer to our offer (made with [`sdp`] from `ours`).
pub fn read_answer(answer: &RemoteAudio, ours: &[Codec]) -> Result<Negotiated, NegotiationError> {
    answer_offer(answer, ours)
}

/// The first audio stream of an SDP body (parsed by `sip::sdp`), or `None`
/// if there is no usable one.
pub fn remote_audio(body: &[u8]) -> Option<RemoteAudio> {
    let sdp = sip::sdp::SessionDescription::parse(body).ok()?;
    let media = sdp.media.iter().find(|m| m.kind == "audio")?;
    let ip = media
        .connection
        .as_ref()
        .or(sdp.connection.as_ref())?
        .ip()?;
    let formats = media
        .formats
        .iter()
        .filter_map(|f| {
            let pt: u8 = f.parse().ok()?;
            let (encoding, clock_rate) = match media.rtpmap(pt) {
                Some(map) => (map.encoding.to_ascii_uppercase(), map.clock_rate),
                None => match pt {
                    0 => ("PCMU".to_string(), 8000),
                    8 => ("PCMA".to_string(), 8000),
                    _ => return None,
                },
            };
            Some(RemoteFormat {
                payload_type: pt,
                encoding,
                clock_rate,
                fmtp: media.fmtp(pt).map(str::to_string),
            })
        })
        .collect();
    Some(RemoteAudio {
        address: SocketAddr::new(ip, media.port),
        formats,
    })
}

/// What the client's SDP answer (if any) agreed to.
pub fn read_answer_sdp(
    body: Option<&[u8]>,
    ours: &[Codec],
) -> Result<Negotiated, NegotiationError> {
    let answer = body
        .and_then(remote_audio)
        .ok_or(NegotiationError::NoAudio)?;
    read_answer(&answer, ours)
}

/// Our SDP: an offer listing `codecs` (Opus at [`PT_OPUS`]) or an answer
/// listing the one chosen, with telephone-event/8000 at `telephone_event`.
pub fn sdp(
    local: SocketAddr,
    session_id: u64,
    version: u64,
    codecs: &[Codec],
    telephone_event: Option<PayloadType>,
) -> String {
    let formats: Vec<(Codec, PayloadType)> = codecs.iter().map(|c| (*c, static_pt(*c))).collect();
    print_sdp(
        local,
        session_id,
        version,
        &formats,
        telephone_event.map(|t| (t, 8000)),
    )
}

/// Our answer for what was agreed (the offerer's payload types and clocks).
pub fn answer_sdp(local: SocketAddr, session_id: u64, version: u64, n: &Negotiated) -> String {
    print_sdp(
        local,
        session_id,
        version,
        &[(n.codec, n.payload_type)],
        n.telephone_event.map(|t| (t, n.telephone_event_rate)),
    )
}

/// The fmtp we send with Opus: the line plays and captures 8 kHz mono, we can
/// use the client's in-band FEC, and we do not ask for DTX.
pub const OPUS_FMTP: &str =
    "maxplaybackrate=8000;sprop-maxcapturerate=8000;stereo=0;sprop-stereo=0;useinbandfec=1;usedtx=0";

fn print_sdp(
    local: SocketAddr,
    session_id: u64,
    version: u64,
    formats: &[(Codec, PayloadType)],
    telephone_event: Option<(PayloadType, u32)>,
) -> String {
    use sip::sdp::{Attribute, Media, Rtpmap, SessionDescription};
    let attribute = |name: &str, value: Option<String>| Attribute {
        name: name.into(),
        value,
    };
    let rtpmap = |pt: PayloadType, encoding: &str, clock_rate: u32, channels: Option<u16>| Rtpmap {
        payload_type: pt.0,
        encoding: encoding.into(),
        clock_rate,
        channels,
    };
    let mut sdp = SessionDescription::new(session_id, version, local.ip());
    sdp.origin.username = "gateway".into();
    sdp.session_name = "gateway".into();
    let mut audio = Media::new("audio", local.port(), "RTP/AVP");
    for (codec, pt) in formats {
        match codec {
            Codec::Pcmu => audio.add_rtpmap(rtpmap(*pt, "PCMU", 8000, None)),
            Codec::Pcma => audio.add_rtpmap(rtpmap(*pt, "PCMA", 8000, None)),
            Codec::Opus => {
                audio.add_rtpmap(rtpmap(*pt, "opus", 48000, Some(2)));
                let fmtp = format!("{} {OPUS_FMTP}", pt.0);
                audio.attributes.push(attribute("fmtp", Some(fmtp)));
            }
        }
    }
    if let Some((te, rate)) = telephone_event {
        audio.add_rtpmap(rtpmap(te, "telephone-event", rate, None));
        let fmtp = format!("{} 0-15", te.0);
        audio.attributes.push(attribute("fmtp", Some(fmtp)));
    }
    audio.attributes.push(attribute("ptime", Some("20".into())));
    audio.attributes.push(attribute("sendrecv", None));
    sdp.media.push(audio);
    sdp.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(pt: u8, enc: &str) -> RemoteFormat {
        RemoteFormat {
            payload_type: pt,
            encoding: enc.into(),
            clock_rate: if enc == "OPUS" { 48_000 } else { 8000 },
            fmtp: None,
        }
    }

    fn remote(formats: Vec<RemoteFormat>) -> RemoteAudio {
        RemoteAudio {
            address: "127.0.0.1:4000".parse().unwrap(),
            formats,
        }
    }

    #[test]
    fn picks_the_offerers_first_supported_codec_and_its_event_type() {
        let offer = remote(vec![
            fmt(18, "G729"),
            fmt(8, "PCMA"),
            fmt(0, "PCMU"),
            fmt(96, "TELEPHONE-EVENT"),
        ]);
        let n = answer_offer(&offer, &[Codec::Pcmu, Codec::Pcma]).unwrap();
        assert_eq!(n.codec, Codec::Pcma);
        assert_eq!(n.payload_type, PayloadType(8));
        assert_eq!(n.telephone_event, Some(PayloadType(96)));
        assert_eq!(n.law(), Some(Law::Alaw));
    }

    #[test]
    fn refuses_without_a_common_codec_or_with_port_zero() {
        let offer = remote(vec![fmt(18, "G729")]);
        assert!(matches!(
            answer_offer(&offer, &[Codec::Pcmu]),
            Err(NegotiationError::NoCommonCodec(s)) if s == "G729"
        ));
        let mut offer = remote(vec![fmt(0, "PCMU")]);
        offer.address.set_port(0);
        assert_eq!(
            answer_offer(&offer, &[Codec::Pcmu]),
            Err(NegotiationError::NoAudio)
        );
    }

    #[test]
    fn opus_is_chosen_with_its_hints_and_a_48k_telephone_event() {
        let mut opus = fmt(109, "OPUS");
        opus.fmtp = Some("maxplaybackrate=16000; useinbandfec=1;stereo=1".into());
        let mut te48 = fmt(110, "TELEPHONE-EVENT");
        te48.clock_rate = 48_000;
        let offer = remote(vec![
            opus,
            fmt(0, "PCMU"),
            fmt(101, "TELEPHONE-EVENT"),
            te48,
        ]);
        let n = answer_offer(&offer, &[Codec::Pcmu, Codec::Opus]).unwrap();
        assert_eq!(n.codec, Codec::Opus);
        assert_eq!(n.payload_type, PayloadType(109));
        assert_eq!(n.clock_rate(), 48_000);
        assert_eq!(
            (n.telephone_event, n.telephone_event_rate),
            (Some(PayloadType(110)), 48_000)
        );
        let p = n.opus.unwrap();
        assert_eq!(p.maxplaybackrate, Some(16_000));
        assert!(p.useinbandfec && p.stereo && !p.usedtx);
        let s = answer_sdp("127.0.0.1:20000".parse().unwrap(), 1, 1, &n);
        assert!(s.contains("m=audio 20000 RTP/AVP 109 110\r\n"));
        assert!(s.contains("a=rtpmap:109 opus/48000/2\r\n"));
        assert!(s.contains("a=fmtp:109 maxplaybackrate=8000;"));
        assert!(s.contains("a=rtpmap:110 telephone-event/48000\r\n"));
        // Without Opus in ours, PCMU is chosen.
        let n = answer_offer(&offer, &[Codec::Pcmu]).unwrap();
        assert_eq!((n.codec, n.telephone_event_rate), (Codec::Pcmu, 8000));
    }

    #[test]
    fn prints_an_offer() {
        let s = sdp(
            "127.0.0.1:20000".parse().unwrap(),
            7,
            1,
            &[Codec::Pcmu, Codec::Pcma],
            Some(PayloadType(101)),
        );
        assert!(s.contains("m=audio 20000 RTP/AVP 0 8 101\r\n"));
        assert!(s.contains("a=rtpmap:101 telephone-event/8000\r\n"));
        assert!(s.contains("c=IN IP4 127.0.0.1\r\n"));
    }

    #[test]
    fn our_offer_is_printed_by_sip_sdp_as_before_and_reads_back() {
        let local: SocketAddr = "127.0.0.1:20000".parse().unwrap();
        let s = sdp(local, 1, 2, &[Codec::Pcmu], Some(PayloadType(101)));
        assert_eq!(
            s,
            "v=0\r\no=gateway 1 2 IN IP4 127.0.0.1\r\ns=gateway\r\nc=IN IP4 127.0.0.1\r\n\
             t=0 0\r\nm=audio 20000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
             a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
        );
        let audio = remote_audio(s.as_bytes()).expect("audio");
        assert_eq!(audio.address, local);
        assert_eq!(audio.formats.len(), 2);
    }
}
