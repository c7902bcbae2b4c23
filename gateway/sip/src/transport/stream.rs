//! Framing SIP messages on a byte stream (RFC 3261 §18.3): the header
//! section ends at the first empty line and `Content-Length` (mandatory on a
//! stream) gives the body length. CRLFs before a message are skipped (§7.5);
//! a double CRLF is a keep-alive ping answered with one CRLF (RFC 5626
//! §3.5.1).
//!
//! A stream whose framing is broken cannot be resynchronised: every error
//! here means "close the connection".

use thiserror::Error;

/// What [`StreamFramer::next_frame`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// One complete message (header section, empty line and body).
    Message(Vec<u8>),
    /// A CRLF CRLF keep-alive: answer with [`PONG`].
    Ping,
}

/// The answer to a keep-alive ping (RFC 5626 §3.5.1).
pub const PONG: &[u8] = b"\r\n";

/// The stream cannot be framed; close the connection.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum FramingError {
    /// RFC 3261 §18.3: a message on a stream must carry Content-Length.
    #[error("message without Content-Length on a stream")]
    MissingContentLength,
    #[error("invalid Content-Length {0:?}")]
    InvalidContentLength(String),
    #[error("conflicting Content-Length values")]
    ConflictingContentLength,
    /// The message (or a header section still without its end) exceeds the limit.
    #[error("message of {size} bytes or more exceeds the limit of {limit}")]
    TooLarge { size: usize, limit: usize },
}

/// Splits the bytes of one connection into messages.
#[derive(Debug)]
pub struct StreamFramer {
    buffer: Vec<u8>,
    max_message_size: usize,
    /// Bytes of `buffer` already searched for the end of the header section.
    scanned: usize,
}

impl StreamFramer {
    pub fn new(max_message_size: usize) -> Self {
        Self {
            buffer: Vec::new(),
            max_message_size,
            scanned: 0,
        }
    }

    /// Bytes received and not yet framed.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Append bytes read from the connection.
    pub fn push(&mut self, data: &[u8]) {
        self.buffer.extend_from_slice(data);
    }

    /// The next complete frame, `Ok(None)` when more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FramingError> {
        // Leading CRLFs: a ping (CRLF CRLF) or noise before a message.
        while self.buffer.starts_with(b"\r\n") {
            if self.buffer.starts_with(b"\r\n\r\n") {
                self.consume(4);
                return Ok(Some(Frame::Ping));
            }
            match self.buffer.get(2) {
                None | Some(b'\r') => return Ok(None),
                Some(_) => self.consume(2),
            }
        }
        let limit = self.max_message_size;
        let from = self.scanned.saturating_sub(3);
        let end = self
            .buffer
            .get(from..)
            .and_then(|tail| tail.windows(4).position(|w| w == b"\r\n\r\n"))
            .map(|p| from + p);
        let Some(end) = end else {
            self.scanned = self.buffer.len();
            if self.buffer.len() > limit {
                return Err(FramingError::TooLarge {
                    size: self.buffer.len(),
                    limit,
                });
            }
            return Ok(None);
        };
        let header = self.buffer.get(..end).unwrap_or_default();
        let body_length = content_length(header)?;
        let size = (end + 4).saturating_add(body_length);
        if size > limit {
            return Err(FramingError::TooLarge { size, limit });
        }
        if self.buffer.len() < size {
            return Ok(None);
        }
        let rest = self.buffer.split_off(size);
        let message = std::mem::replace(&mut self.buffer, rest);
        self.scanned = 0;
        Ok(Some(Frame::Message(message)))
    }

    fn consume(&mut self, n: usize) {
        self.buffer.drain(..n.min(self.buffer.len()));
        self.scanned = 0;
    }
}

/// The Content-Length of a header section (`l` is its compact form; folded
/// lines are joined; every occurrence must agree).
fn content_length(header: &[u8]) -> Result<usize, FramingError> {
    let text = String::from_utf8_lossy(header);
    let mut lines: Vec<String> = Vec::new();
    for line in text.split("\r\n") {
        match lines.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => {
                last.push(' ');
                last.push_str(line.trim());
            }
            _ => lines.push(line.to_owned()),
        }
    }
    let mut found: Option<usize> = None;
    for line in lines.iter().skip(1) {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if !(name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l")) {
            continue;
        }
        let value = value.trim();
        let n = if !value.is_empty()
            && value.len() <= 10
            && value.bytes().all(|b| b.is_ascii_digit())
        {
            value
                .parse::<usize>()
                .map_err(|_| FramingError::InvalidContentLength(value.to_owned()))?
        } else {
            return Err(FramingError::InvalidContentLength(
                value.chars().take(32).collect(),
            ));
        };
        match found {
            Some(m) if m != n => return Err(FramingError::ConflictingContentLength),
            _ => found = Some(n),
        }
    }
    found.ok_or(FramingError::MissingContentLength)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &str = "OPTIONS sip:gw SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\
        Call-ID: a\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

    fn with_body(body: &str) -> String {
        format!(
            "MESSAGE sip:gw SIP/2.0\r\nCall-ID: b\r\nl: {}\r\n\r\n{body}",
            body.len()
        )
    }

    fn drain(f: &mut StreamFramer) -> Vec<Frame> {
        let mut out = Vec::new();
        while let Some(frame) = f.next_frame().unwrap() {
            out.push(frame);
        }
        out
    }

    #[test]
    fn one_message_in_one_read() {
        let mut f = StreamFramer::new(65535);
        f.push(OPTIONS.as_bytes());
        assert_eq!(drain(&mut f), vec![Frame::Message(OPTIONS.into())]);
        assert_eq!(f.buffered(), 0);
    }

    #[test]
    fn partial_reads_byte_by_byte() {
        let text = with_body("hello, world");
        let mut f = StreamFramer::new(65535);
        let mut frames = Vec::new();
        for b in text.bytes() {
            f.push(&[b]);
            frames.extend(drain(&mut f));
        }
        assert_eq!(frames, vec![Frame::Message(text.into())]);
    }

    #[test]
    fn header_complete_body_not_yet() {
        let text = with_body("0123456789");
        let mut f = StreamFramer::new(65535);
        f.push(&text.as_bytes()[..text.len() - 3]);
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(&text.as_bytes()[text.len() - 3..]);
        assert_eq!(f.next_frame().unwrap(), Some(Frame::Message(text.into())));
    }

    #[test]
    fn several_messages_and_pings_in_one_read() {
        let second = with_body("x");
        let stream = format!("\r\n\r\n{OPTIONS}{second}\r\n{OPTIONS}\r\n\r\n{OPTIONS}");
        let mut f = StreamFramer::new(65535);
        f.push(stream.as_bytes());
        assert_eq!(
            drain(&mut f),
            vec![
                Frame::Ping,
                Frame::Message(OPTIONS.into()),
                Frame::Message(second.into()),
                Frame::Message(OPTIONS.into()),
                Frame::Ping,
                Frame::Message(OPTIONS.into()),
            ]
        );
    }

    #[test]
    fn a_lone_crlf_waits_for_more() {
        let mut f = StreamFramer::new(65535);
        f.push(b"\r\n");
        assert_eq!(f.next_frame().unwrap(), None);
        f.push(b"\r\n");
        assert_eq!(f.next_frame().unwrap(), Some(Frame::Ping));
    }

    #[test]
    fn folded_content_length() {
        let text = "INFO sip:gw SIP/2.0\r\nContent-Length:\r\n  3\r\n\r\nabc";
        let mut f = StreamFramer::new(65535);
        f.push(text.as_bytes());
        assert_eq!(f.next_frame().unwrap(), Some(Frame::Message(text.into())));
    }

    #[test]
    fn bad_content_length_means_close() {
        for (text, error) in [
            (
                "INFO sip:gw SIP/2.0\r\nCall-ID: x\r\n\r\n",
                FramingError::MissingContentLength,
            ),
            (
                "INFO sip:gw SIP/2.0\r\nContent-Length: -1\r\n\r\n",
                FramingError::InvalidContentLength("-1".into()),
            ),
            (
                "INFO sip:gw SIP/2.0\r\nContent-Length: 12abc\r\n\r\n",
                FramingError::InvalidContentLength("12abc".into()),
            ),
            (
                "INFO sip:gw SIP/2.0\r\nContent-Length: 99999999999999999999\r\n\r\n",
                FramingError::InvalidContentLength("99999999999999999999".into()),
            ),
            (
                "INFO sip:gw SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\nab",
                FramingError::ConflictingContentLength,
            ),
        ] {
            let mut f = StreamFramer::new(65535);
            f.push(text.as_bytes());
            assert_eq!(f.next_frame(), Err(error), "{text:?}");
        }
    }

    #[test]
    fn oversize_body_or_endless_header_means_close() {
        let mut f = StreamFramer::new(1000);
        f.push(b"INFO sip:gw SIP/2.0\r\nContent-Length: 5000\r\n\r\n");
        assert!(matches!(
            f.next_frame(),
            Err(FramingError::TooLarge { limit: 1000, .. })
        ));
        let mut f = StreamFramer::new(1000);
        f.push(b"INFO sip:gw SIP/2.0\r\n");
        for _ in 0..100 {
            f.push(b"X-Filler: 0123456789\r\n");
        }
        assert!(matches!(f.next_frame(), Err(FramingError::TooLarge { .. })));
    }
}
