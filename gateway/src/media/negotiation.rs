//! SDP offer/answer (RFC 3264) for the audio stream: which codec, which
//! telephone-event payload type, and where to send RTP.
//!
//! Parsing SDP text belongs to the `sip` crate; this module works on the audio
//! stream it extracted ([`RemoteAudio`]) and prints the gateway's own SDP.

use std::fmt::Write as _;
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
}

/// The far end's audio stream as its SDP describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteAudio {
    /// Where it wants RTP (port 0: stream rejected).
    pub address: SocketAddr,
    /// Formats in its order of preference.
    pub formats: Vec<RemoteFormat>,
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
}

impl Negotiated {
    /// The G.711 law of the codec.
    pub fn law(&self) -> Law {
        match self.codec {
            Codec::Pcmu => Law::Ulaw,
            Codec::Pcma => Law::Alaw,
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
        _ => None,
    }
}

fn static_pt(codec: Codec) -> PayloadType {
    match codec {
        Codec::Pcmu => PT_PCMU,
        Codec::Pcma => PT_PCMA,
    }
}

fn telephone_event(remote: &RemoteAudio) -> Option<PayloadType> {
    remote
        .formats
        .iter()
        .find(|f| f.encoding == "TELEPHONE-EVENT" && f.clock_rate == 8000)
        .map(|f| PayloadType(f.payload_type))
}

/// Answer an offer: the first of the offerer's codecs that we support (RFC 3264
/// §6.1 lets the answerer pick; honouring the offerer's order is what clients
/// expect), restricted to `ours`.
pub fn answer_offer(offer: &RemoteAudio, ours: &[Codec]) -> Result<Negotiated, NegotiationError> {
    if offer.address.port() == 0 {
        return Err(NegotiationError::NoAudio);
    }
    let chosen = offer.formats.iter().find_map(|f| {
        codec_of(f)
            .filter(|c| ours.contains(c))
            .map(|c| (c, f.payload_type))
    });
    let Some((codec, pt)) = chosen else {
        let offered: Vec<&str> = offer.formats.iter().map(|f| f.encoding.as_str()).collect();
        return Err(NegotiationError::NoCommonCodec(offered.join(" ")));
    };
    Ok(Negotiated {
        codec,
        payload_type: PayloadType(pt),
        telephone_event: telephone_event(offer),
        remote: offer.address,
    })
}

/// Read the answer to our offer (made with [`offer_sdp`] from `ours`).
pub fn read_answer(answer: &RemoteAudio, ours: &[Codec]) -> Result<Negotiated, NegotiationError> {
    answer_offer(answer, ours)
}

/// Our SDP: an offer listing `codecs` (or an answer listing the one chosen).
pub fn sdp(
    local: SocketAddr,
    session_id: u64,
    version: u64,
    codecs: &[Codec],
    telephone_event: Option<PayloadType>,
) -> String {
    let ip = local.ip();
    let family = if ip.is_ipv6() { "IP6" } else { "IP4" };
    let mut pts: Vec<u8> = codecs.iter().map(|c| static_pt(*c).0).collect();
    if let Some(te) = telephone_event {
        pts.push(te.0);
    }
    let mut s = String::with_capacity(300);
    let _ = write!(
        s,
        "v=0\r\no=gateway {session_id} {version} IN {family} {ip}\r\ns=gateway\r\n\
         c=IN {family} {ip}\r\nt=0 0\r\nm=audio {} RTP/AVP",
        local.port()
    );
    for pt in &pts {
        let _ = write!(s, " {pt}");
    }
    s.push_str("\r\n");
    for codec in codecs {
        let (pt, name) = match codec {
            Codec::Pcmu => (0, "PCMU"),
            Codec::Pcma => (8, "PCMA"),
        };
        let _ = write!(s, "a=rtpmap:{pt} {name}/8000\r\n");
    }
    if let Some(te) = telephone_event {
        let _ = write!(
            s,
            "a=rtpmap:{} telephone-event/8000\r\na=fmtp:{} 0-15\r\n",
            te.0, te.0
        );
    }
    s.push_str("a=ptime:20\r\na=sendrecv\r\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(pt: u8, enc: &str) -> RemoteFormat {
        RemoteFormat {
            payload_type: pt,
            encoding: enc.into(),
            clock_rate: 8000,
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
        assert_eq!(n.law(), Law::Alaw);
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
}
