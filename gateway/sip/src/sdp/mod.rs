//! SDP session descriptions (RFC 4566) for offer/answer (RFC 3264).
//!
//! [`SessionDescription::parse`] accepts CRLF or LF line ends, requires
//! `v=0` first, and keeps every line it does not model (`i=`, `b=`, `k=`...)
//! so printing loses nothing the gateway might have to echo. It never panics.
//! Printing emits the RFC 4566 §5 order: `v o s (i u e p) c (b) t (r z k) a m`.

mod attribute;
mod media;
pub mod reoffer;

use std::fmt;

use thiserror::Error;

pub use attribute::{Attribute, Direction, Rtpmap};
pub use media::{AddrType, Connection, Media};

/// Why a session description did not parse.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum SdpError {
    #[error("SDP is not UTF-8")]
    NotUtf8,
    #[error("line {line}: not of the form <type>=<value>")]
    InvalidLine { line: usize },
    #[error("first line is not v=0")]
    MissingVersion,
    #[error("line {line}: invalid o= line")]
    InvalidOrigin { line: usize },
    #[error("missing o= line")]
    MissingOrigin,
    #[error("line {line}: invalid c= line")]
    InvalidConnection { line: usize },
    #[error("line {line}: invalid t= line")]
    InvalidTiming { line: usize },
    #[error("line {line}: invalid m= line")]
    InvalidMedia { line: usize },
}

/// `o=` (RFC 4566 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub username: String,
    pub session_id: u64,
    pub session_version: u64,
    pub connection: Connection,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {}",
            self.username, self.session_id, self.session_version, self.connection
        )
    }
}

/// `t=` (RFC 4566 §5.9), NTP seconds; `0 0` is an unbounded session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub start: u64,
    pub stop: u64,
}

/// A line this crate keeps but does not model (`i=`, `u=`, `b=`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: char,
    pub value: String,
}

/// A whole session description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    pub origin: Origin,
    /// `s=`; `-` when absent.
    pub session_name: String,
    /// Session-level `c=`.
    pub connection: Option<Connection>,
    pub timing: Vec<Timing>,
    /// Session-level attributes.
    pub attributes: Vec<Attribute>,
    /// Other session-level lines, in order.
    pub other: Vec<Line>,
    pub media: Vec<Media>,
}

impl SessionDescription {
    /// A minimal offer/answer skeleton: `o=- id version IN IP4|IP6 addr`,
    /// `s=-`, session `c=`, `t=0 0`, no media.
    pub fn new(session_id: u64, version: u64, address: std::net::IpAddr) -> Self {
        let connection = Connection::from_ip(address);
        Self {
            origin: Origin {
                username: "-".into(),
                session_id,
                session_version: version,
                connection: connection.clone(),
            },
            session_name: "-".into(),
            connection: Some(connection),
            timing: vec![Timing { start: 0, stop: 0 }],
            attributes: Vec::new(),
            other: Vec::new(),
            media: Vec::new(),
        }
    }

    pub fn parse(data: &[u8]) -> Result<Self, SdpError> {
        let text = std::str::from_utf8(data).map_err(|_| SdpError::NotUtf8)?;
        let mut lines = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .enumerate()
            .map(|(i, l)| (i + 1, l))
            .filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, "v=0")) => {}
            _ => return Err(SdpError::MissingVersion),
        }
        let mut origin = None;
        let mut session_name = None;
        let mut connection = None;
        let mut timing = Vec::new();
        let mut attributes = Vec::new();
        let mut other = Vec::new();
        let mut media: Vec<Media> = Vec::new();
        for (number, line) in lines {
            let mut chars = line.chars();
            let (Some(kind), Some('=')) = (chars.next(), chars.next()) else {
                return Err(SdpError::InvalidLine { line: number });
            };
            let value = chars.as_str();
            if !kind.is_ascii_lowercase() {
                return Err(SdpError::InvalidLine { line: number });
            }
            if kind == 'm' {
                media.push(Media::parse(value).ok_or(SdpError::InvalidMedia { line: number })?);
                continue;
            }
            if let Some(m) = media.last_mut() {
                match kind {
                    'c' => {
                        m.connection = Some(
                            Connection::parse(value)
                                .ok_or(SdpError::InvalidConnection { line: number })?,
                        )
                    }
                    'a' => m.attributes.push(Attribute::parse(value)),
                    _ => m.other.push(Line {
                        kind,
                        value: value.to_owned(),
                    }),
                }
                continue;
            }
            match kind {
                'o' => {
                    origin =
                        Some(parse_origin(value).ok_or(SdpError::InvalidOrigin { line: number })?)
                }
                's' => session_name = Some(value.to_owned()),
                'c' => {
                    connection = Some(
                        Connection::parse(value)
                            .ok_or(SdpError::InvalidConnection { line: number })?,
                    )
                }
                't' => {
                    let mut parts = value.split(' ');
                    let mut next = || parts.next().and_then(|p| p.parse::<u64>().ok());
                    match (next(), next()) {
                        (Some(start), Some(stop)) => timing.push(Timing { start, stop }),
                        _ => return Err(SdpError::InvalidTiming { line: number }),
                    }
                }
                'a' => attributes.push(Attribute::parse(value)),
                _ => other.push(Line {
                    kind,
                    value: value.to_owned(),
                }),
            }
        }
        // Keep unmodelled lines in the groups they are printed in, so that
        // printing and parsing again gives the same value.
        other.sort_by_key(|l| session_rank(l.kind));
        for m in &mut media {
            m.other.sort_by_key(|l| u8::from(l.kind != 'i'));
        }
        Ok(SessionDescription {
            origin: origin.ok_or(SdpError::MissingOrigin)?,
            session_name: session_name.unwrap_or_else(|| "-".into()),
            connection,
            timing,
            attributes,
            other,
            media,
        })
    }

    /// The `c=` that applies to `media`: its own, else the session's.
    pub fn connection_for<'a>(&'a self, media: &'a Media) -> Option<&'a Connection> {
        media.connection.as_ref().or(self.connection.as_ref())
    }

    /// The direction of `media`: its own attribute, else the session's,
    /// else `sendrecv` (RFC 4566 §6).
    pub fn direction_of(&self, media: &Media) -> Direction {
        media
            .direction()
            .or_else(|| attribute::direction(&self.attributes))
            .unwrap_or(Direction::SendRecv)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_string().into_bytes()
    }
}

fn parse_origin(value: &str) -> Option<Origin> {
    let mut parts = value.split(' ');
    let username = parts.next()?.to_owned();
    let session_id = parts.next()?.parse().ok()?;
    let session_version = parts.next()?.parse().ok()?;
    let rest: Vec<&str> = parts.collect();
    let connection = Connection::parse(&rest.join(" "))?;
    Some(Origin {
        username,
        session_id,
        session_version,
        connection,
    })
}

/// Print group of a session-level line kept in `other`: before `c=`
/// (i u e p), between `c=` and `t=` (b), after `t=` (everything else).
fn session_rank(kind: char) -> u8 {
    match kind {
        'i' | 'u' | 'e' | 'p' => 0,
        'b' => 1,
        _ => 2,
    }
}

/// Write lines of `kinds` from `lines` in their stored order.
pub(crate) fn write_lines(f: &mut fmt::Formatter<'_>, lines: &[Line], kinds: &str) -> fmt::Result {
    for l in lines.iter().filter(|l| kinds.contains(l.kind)) {
        write!(f, "{}={}\r\n", l.kind, l.value)?;
    }
    Ok(())
}

impl fmt::Display for SessionDescription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v=0\r\no={}\r\ns={}\r\n", self.origin, self.session_name)?;
        write_lines(f, &self.other, "iuep")?;
        if let Some(c) = &self.connection {
            write!(f, "c={c}\r\n")?;
        }
        write_lines(f, &self.other, "b")?;
        for t in &self.timing {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
        }
        let rest: String = ('a'..='z').filter(|c| session_rank(*c) == 2).collect();
        write_lines(f, &self.other, &rest)?;
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        for m in &self.media {
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\n\
o=mhandley 29739 7272939 IN IP4 192.0.2.3\r\n\
s=-\r\n\
i=info\r\n\
c=IN IP4 192.0.2.4\r\n\
b=AS:64\r\n\
t=0 0\r\n\
a=sendonly\r\n\
m=audio 49217 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\n\
a=ptime:20\r\n\
a=x-custom\r\n\
m=video 0 RTP/AVP 31\r\n\
c=IN IP6 2001:db8::5\r\n\
a=recvonly\r\n";

    #[test]
    fn parse_and_round_trip() {
        let sdp = SessionDescription::parse(OFFER.as_bytes()).unwrap();
        assert_eq!(sdp.origin.session_version, 7272939);
        let audio = &sdp.media[0];
        assert_eq!(audio.port, 49217);
        assert_eq!(audio.formats, vec!["0", "8", "101"]);
        assert_eq!(audio.rtpmap(101).unwrap().encoding, "telephone-event");
        assert_eq!(audio.rtpmap(0).unwrap().clock_rate, 8000);
        assert_eq!(audio.fmtp(101), Some("0-15"));
        assert_eq!(audio.ptime(), Some(20));
        assert_eq!(sdp.direction_of(audio), Direction::SendOnly);
        assert_eq!(
            sdp.connection_for(audio).and_then(Connection::ip),
            Some("192.0.2.4".parse().unwrap())
        );
        let video = &sdp.media[1];
        assert!(video.is_rejected());
        assert_eq!(sdp.direction_of(video), Direction::RecvOnly);
        assert_eq!(
            sdp.connection_for(video).and_then(Connection::ip),
            Some("2001:db8::5".parse().unwrap())
        );
        assert_eq!(sdp.to_string(), OFFER);
        assert_eq!(SessionDescription::parse(&sdp.to_bytes()).unwrap(), sdp);
    }

    #[test]
    fn unmodelled_lines_round_trip_in_print_order() {
        let text = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nb=AS:1\r\ni=x\r\nv=0\r\nz=1\r\nm=audio 1 RTP/AVP 0\r\nb=AS:2\r\ni=y\r\n";
        let sdp = SessionDescription::parse(text.as_bytes()).unwrap();
        assert_eq!(SessionDescription::parse(&sdp.to_bytes()).unwrap(), sdp);
    }

    #[test]
    fn lf_only_and_errors() {
        let lf = OFFER.replace("\r\n", "\n");
        assert!(SessionDescription::parse(lf.as_bytes()).is_ok());
        assert_eq!(
            SessionDescription::parse(b""),
            Err(SdpError::MissingVersion)
        );
        assert_eq!(
            SessionDescription::parse(b"v=1\r\n"),
            Err(SdpError::MissingVersion)
        );
        assert_eq!(
            SessionDescription::parse(b"v=0\r\n"),
            Err(SdpError::MissingOrigin)
        );
        assert!(SessionDescription::parse(b"v=0\r\nm=audio x RTP/AVP 0\r\n").is_err());
        assert!(SessionDescription::parse(b"v=0\r\nc=IN IP4\r\n").is_err());
        assert!(SessionDescription::parse(b"v=0\r\nxx\r\n").is_err());
        assert!(SessionDescription::parse(&[0xff, 0xfe]).is_err());
    }

    #[test]
    fn builds_an_answer() {
        let mut sdp = SessionDescription::new(1, 2, "10.0.0.1".parse().unwrap());
        let mut m = Media::new("audio", 4000, "RTP/AVP");
        m.add_rtpmap(Rtpmap {
            payload_type: 0,
            encoding: "PCMU".into(),
            clock_rate: 8000,
            channels: None,
        });
        m.attributes.push(Direction::SendRecv.into());
        sdp.media.push(m);
        let text = sdp.to_string();
        assert!(text.contains("m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"));
        assert_eq!(SessionDescription::parse(text.as_bytes()).unwrap(), sdp);
    }
}
