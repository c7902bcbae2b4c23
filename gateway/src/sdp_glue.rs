//! From the `sip` crate's parsed SDP to the audio stream the media layer negotiates.

use std::net::SocketAddr;

use crate::media::negotiation::{RemoteAudio, RemoteFormat};

/// The first audio stream of an SDP body, or `None` if there is no usable one.
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
