//! Answering a new offer inside an existing session (RFC 3264 §8): hold
//! and resume (§8.4), a new address or port, a stream added or removed.
//!
//! The answer is our previous description with, per stream:
//!
//! ```text
//!  offer sendrecv (or none) ─▶ answer sendrecv      resume
//!  offer sendonly           ─▶ answer recvonly      hold
//!  offer inactive           ─▶ answer inactive      hold (both ways)
//!  offer recvonly           ─▶ answer sendonly
//!  offer c=0.0.0.0          ─▶ treated as sendonly  (RFC 2543 hold, §8.4)
//!  offer port 0             ─▶ answer port 0        stream removed
//!  extra offered stream     ─▶ answer port 0        we add no streams
//! ```
//!
//! The codec in use (our first format) must still be offered, else the
//! offer is refused (488 by the caller) and the session stays as it was
//! (§8.3.2 does not let us switch codecs silently). The origin's version is
//! one more than in our previous description (§8).

use thiserror::Error;

use super::{Attribute, Direction, Media, SdpError, SessionDescription};

/// Why a re-offer cannot be answered (the caller answers 488).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReofferError {
    #[error("the offer does not parse: {0}")]
    Offer(SdpError),
    #[error("our previous description does not parse: {0}")]
    Local(SdpError),
    /// §8: streams are never removed from the description, only disabled.
    #[error("the offer has {offered} streams, fewer than the {previous} of the session")]
    FewerStreams { offered: usize, previous: usize },
    #[error("stream {index} is {offered}, was {previous}")]
    KindChanged {
        index: usize,
        offered: String,
        previous: String,
    },
    #[error("stream {index} no longer offers the codec in use ({codec})")]
    CodecDropped { index: usize, codec: String },
}

/// Our answer to a re-offer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reanswer {
    /// The answer, which is also our description from now on.
    pub answer: SessionDescription,
    /// The offerer's direction (of its first active stream).
    pub remote: Direction,
    /// Ours, in the answer.
    pub local: Direction,
}

/// Answer `offer` given our previous description `local`.
pub fn answer(local: &[u8], offer: &[u8]) -> Result<Reanswer, ReofferError> {
    let mut ours = SessionDescription::parse(local).map_err(ReofferError::Local)?;
    let theirs = SessionDescription::parse(offer).map_err(ReofferError::Offer)?;
    if theirs.media.len() < ours.media.len() {
        return Err(ReofferError::FewerStreams {
            offered: theirs.media.len(),
            previous: ours.media.len(),
        });
    }
    let mut first: Option<(Direction, Direction)> = None;
    let session_direction = super::attribute::direction(&ours.attributes);
    ours.attributes.retain(|a| !is_direction(a));
    for (index, offered) in theirs.media.iter().enumerate() {
        let Some(media) = ours.media.get_mut(index) else {
            // A stream we never had: refused (port 0, the offer's formats).
            let mut rejected = Media::new(&offered.kind, 0, &offered.protocol);
            rejected.formats = offered.formats.clone();
            ours.media.push(rejected);
            continue;
        };
        if media.kind != offered.kind {
            return Err(ReofferError::KindChanged {
                index,
                offered: offered.kind.clone(),
                previous: media.kind.clone(),
            });
        }
        if offered.is_rejected() || media.is_rejected() {
            media.port = 0;
            continue;
        }
        let codec = media.formats.first().cloned().unwrap_or_default();
        let kept: Vec<String> = media
            .formats
            .iter()
            .filter(|pt| {
                encoding(media, pt).is_some_and(|e| {
                    offered
                        .formats
                        .iter()
                        .any(|o| encoding(offered, o).as_deref() == Some(e.as_str()))
                })
            })
            .cloned()
            .collect();
        if kept.first() != Some(&codec) {
            return Err(ReofferError::CodecDropped {
                index,
                codec: encoding(media, &codec).unwrap_or(codec),
            });
        }
        media.attributes.retain(|a| match a.name.as_str() {
            "rtpmap" | "fmtp" => a
                .value
                .as_deref()
                .and_then(|v| v.split([' ', '\t']).next())
                .is_some_and(|pt| kept.iter().any(|k| k == pt)),
            _ => !is_direction(a),
        });
        media.formats = kept;
        let mut remote = theirs.direction_of(offered);
        let held_by_address = theirs
            .connection_for(offered)
            .and_then(|c| c.ip())
            .is_some_and(|ip| ip.is_unspecified());
        if held_by_address && remote == Direction::SendRecv {
            remote = Direction::SendOnly;
        }
        let mut local = remote.reversed();
        // We never send where we said we would not (our own direction
        // before, e.g. a recvonly port, still limits us).
        let ours_before = media.direction().or(session_direction);
        if matches!(ours_before, Some(Direction::RecvOnly | Direction::Inactive)) {
            local = match local {
                Direction::SendRecv | Direction::RecvOnly => Direction::RecvOnly,
                _ => Direction::Inactive,
            };
        }
        media.attributes.push(local.into());
        first.get_or_insert((remote, local));
    }
    ours.origin.session_version = ours.origin.session_version.wrapping_add(1);
    let (remote, local) = first.unwrap_or((Direction::Inactive, Direction::Inactive));
    Ok(Reanswer {
        answer: ours,
        remote,
        local,
    })
}

/// Our description offered again (a re-INVITE without a body, §14.2): every
/// active stream `sendrecv`, the version bumped.
pub fn reoffer(local: &[u8]) -> Result<SessionDescription, ReofferError> {
    let mut ours = SessionDescription::parse(local).map_err(ReofferError::Local)?;
    ours.attributes.retain(|a| !is_direction(a));
    for media in ours.media.iter_mut().filter(|m| !m.is_rejected()) {
        media.attributes.retain(|a| !is_direction(a));
        media.attributes.push(Direction::SendRecv.into());
    }
    ours.origin.session_version = ours.origin.session_version.wrapping_add(1);
    Ok(ours)
}

fn is_direction(a: &Attribute) -> bool {
    matches!(
        a.name.as_str(),
        "sendrecv" | "sendonly" | "recvonly" | "inactive"
    )
}

/// `ENCODING/RATE` of payload type `pt` in `media` (static types of RFC
/// 3551 without an rtpmap), upper case.
fn encoding(media: &Media, pt: &str) -> Option<String> {
    let n: u8 = pt.parse().ok()?;
    if let Some(map) = media.rtpmap(n) {
        return Some(format!(
            "{}/{}",
            map.encoding.to_ascii_uppercase(),
            map.clock_rate
        ));
    }
    let name = match n {
        0 => "PCMU/8000",
        3 => "GSM/8000",
        8 => "PCMA/8000",
        9 => "G722/8000",
        18 => "G729/8000",
        _ => return None,
    };
    Some(name.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "v=0\r\no=gw 7 7 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n\
        m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-15\r\na=ptime:20\r\n";

    fn offer(direction: &str) -> String {
        format!(
            "v=0\r\no=phone 1 2 IN IP4 192.0.2.9\r\ns=-\r\nc=IN IP4 192.0.2.9\r\nt=0 0\r\n\
             m=audio 5000 RTP/AVP 0 8 96\r\na=rtpmap:96 telephone-event/8000\r\n{direction}"
        )
    }

    fn direction_line(sdp: &SessionDescription) -> Vec<String> {
        sdp.to_string()
            .lines()
            .filter(|l| ["a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"].contains(l))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn hold_and_resume_mirror_the_direction() {
        for (offered, answered, remote, local) in [
            (
                "a=sendonly\r\n",
                "a=recvonly",
                Direction::SendOnly,
                Direction::RecvOnly,
            ),
            (
                "a=inactive\r\n",
                "a=inactive",
                Direction::Inactive,
                Direction::Inactive,
            ),
            (
                "a=recvonly\r\n",
                "a=sendonly",
                Direction::RecvOnly,
                Direction::SendOnly,
            ),
            (
                "a=sendrecv\r\n",
                "a=sendrecv",
                Direction::SendRecv,
                Direction::SendRecv,
            ),
            ("", "a=sendrecv", Direction::SendRecv, Direction::SendRecv),
        ] {
            let r = answer(OURS.as_bytes(), offer(offered).as_bytes()).unwrap();
            assert_eq!((r.remote, r.local), (remote, local), "{offered}");
            assert_eq!(direction_line(&r.answer), vec![answered.to_owned()]);
            assert_eq!(r.answer.origin.session_version, 8, "version bumped");
            // Our codec and our payload types stay.
            let text = r.answer.to_string();
            assert!(text.contains("m=audio 4000 RTP/AVP 8 101\r\n"), "{text}");
            assert!(text.contains("a=fmtp:101 0-15"), "{text}");
        }
    }

    #[test]
    fn resume_after_hold_uses_the_held_answer_as_base() {
        let held = answer(OURS.as_bytes(), offer("a=sendonly\r\n").as_bytes()).unwrap();
        let resumed = answer(&held.answer.to_bytes(), offer("a=sendrecv\r\n").as_bytes()).unwrap();
        assert_eq!(direction_line(&resumed.answer), vec!["a=sendrecv"]);
        assert_eq!(resumed.answer.origin.session_version, 9);
    }

    #[test]
    fn rfc2543_hold_by_address() {
        let o = offer("").replace("c=IN IP4 192.0.2.9", "c=IN IP4 0.0.0.0");
        let r = answer(OURS.as_bytes(), o.as_bytes()).unwrap();
        assert_eq!(r.local, Direction::RecvOnly);
    }

    #[test]
    fn codec_in_use_must_stay() {
        let o = offer("").replace("RTP/AVP 0 8 96", "RTP/AVP 0 96");
        assert!(matches!(
            answer(OURS.as_bytes(), o.as_bytes()),
            Err(ReofferError::CodecDropped { index: 0, .. })
        ));
    }

    #[test]
    fn streams_removed_added_and_fewer() {
        let removed = offer("").replace("m=audio 5000", "m=audio 0");
        let r = answer(OURS.as_bytes(), removed.as_bytes()).unwrap();
        assert_eq!(r.answer.media[0].port, 0);
        let added = format!("{}m=video 6000 RTP/AVP 31\r\n", offer(""));
        let r = answer(OURS.as_bytes(), added.as_bytes()).unwrap();
        assert_eq!(r.answer.media.len(), 2);
        assert!(r.answer.media[1].is_rejected());
        assert_eq!(r.answer.media[1].formats, vec!["31"]);
        let none = "v=0\r\no=p 1 1 IN IP4 192.0.2.9\r\ns=-\r\nt=0 0\r\n";
        assert!(matches!(
            answer(OURS.as_bytes(), none.as_bytes()),
            Err(ReofferError::FewerStreams { .. })
        ));
        assert!(matches!(
            answer(OURS.as_bytes(), b"garbage"),
            Err(ReofferError::Offer(_))
        ));
    }

    #[test]
    fn delayed_offer_is_our_session_sendrecv() {
        let held = answer(OURS.as_bytes(), offer("a=inactive\r\n").as_bytes()).unwrap();
        let o = reoffer(&held.answer.to_bytes()).unwrap();
        assert_eq!(direction_line(&o), vec!["a=sendrecv"]);
        assert_eq!(o.origin.session_version, 9);
    }
}
