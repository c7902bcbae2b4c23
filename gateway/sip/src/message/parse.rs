//! Datagram framing and validation (RFC 3261 §7, §18.3, RFC 4475).
//!
//! 1. Leading CRLFs are skipped (§7.5); the head runs to the first empty line
//!    (a head that ends at the end of the datagram is tolerated).
//! 2. The head must be UTF-8; lines end in CRLF (a bare LF is tolerated);
//!    a line starting with SP/HT continues the previous header (folding).
//! 3. The start line is strict: exactly one SP between the three elements of
//!    a Request-Line (RFC 4475 §3.1.2.8-10 are rejected, not repaired).
//! 4. Via, From, To, Call-ID and CSeq must be present and well formed, the
//!    single-valued ones exactly once; Contact, Route, Record-Route,
//!    Max-Forwards and Content-Length are validated when present.
//! 5. The body is framed by Content-Length; a shorter datagram is an error,
//!    extra bytes are ignored (§18.3). Without Content-Length the body runs
//!    to the end of the datagram (RFC 2543 style, UDP only).

use thiserror::Error;

use super::cseq::CSeq;
use super::grammar::{is_token, is_ws, split_commas};
use super::header::{canonical_name, HeaderError, Headers};
use super::method::Method;
use super::name_addr::NameAddr;
use super::uri::{Uri, UriError};
use super::via::Via;
use super::{Message, Request, Response};

/// Largest datagram accepted by default (the UDP maximum).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 65535;

/// What is wrong with a datagram. Every variant is the peer's fault.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ParseError {
    #[error("message of {size} bytes exceeds the {limit} byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("empty datagram")]
    Empty,
    #[error("message head is not UTF-8")]
    NotUtf8,
    #[error("no empty line ends the header section")]
    UnterminatedHeaders,
    #[error("malformed Request-Line")]
    InvalidRequestLine,
    #[error("malformed Status-Line")]
    InvalidStatusLine,
    #[error("unsupported SIP version {0:?}")]
    UnsupportedVersion(String),
    #[error("status code out of range")]
    InvalidStatusCode,
    #[error("invalid Request-URI: {0}")]
    InvalidRequestUri(UriError),
    #[error("Request-URI carries headers")]
    RequestUriHeaders,
    #[error("malformed header line {line}")]
    InvalidHeaderLine { line: usize },
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    #[error("more than one {0} header")]
    DuplicateHeader(&'static str),
    #[error("invalid {name} header: {error}")]
    InvalidHeader {
        name: &'static str,
        error: HeaderError,
    },
    #[error("invalid Content-Length")]
    InvalidContentLength,
    #[error("conflicting Content-Length values")]
    ConflictingContentLength,
    #[error("Content-Length {declared} but only {available} body bytes")]
    BodyTruncated { declared: usize, available: usize },
    #[error("CSeq method does not match the request method")]
    CSeqMethodMismatch,
}

impl ParseError {
    /// The status code a UAS answers a request with this fault with.
    pub fn status(&self) -> u16 {
        match self {
            ParseError::TooLarge { .. } => 513,
            ParseError::UnsupportedVersion(_) => 505,
            _ => 400,
        }
    }

    /// A reason phrase naming the fault, e.g. `Bad Request - Invalid Content-Length`.
    pub fn reason_phrase(&self) -> String {
        let what = match self {
            ParseError::TooLarge { .. } => return "Message Too Large".into(),
            ParseError::UnsupportedVersion(_) => return "Version Not Supported".into(),
            ParseError::Empty => "Empty Message".into(),
            ParseError::NotUtf8 => "Invalid UTF-8 in Header".into(),
            ParseError::UnterminatedHeaders => "Unterminated Header Section".into(),
            ParseError::InvalidRequestLine => "Malformed Request-Line".into(),
            ParseError::InvalidStatusLine | ParseError::InvalidStatusCode => {
                "Malformed Status-Line".into()
            }
            ParseError::InvalidRequestUri(_) => "Invalid Request-URI".into(),
            ParseError::RequestUriHeaders => "Headers in Request-URI".into(),
            ParseError::InvalidHeaderLine { .. } => "Malformed Header Line".into(),
            ParseError::MissingHeader(name) => format!("Missing {name}"),
            ParseError::DuplicateHeader(name) => format!("Duplicate {name}"),
            ParseError::InvalidHeader { name, .. } => format!("Invalid {name}"),
            ParseError::InvalidContentLength
            | ParseError::ConflictingContentLength
            | ParseError::BodyTruncated { .. } => "Invalid Content-Length".into(),
            ParseError::CSeqMethodMismatch => "CSeq Method Mismatch".into(),
        };
        format!("Bad Request - {what}")
    }
}

/// Skip the CRLFs allowed before a start line (RFC 3261 §7.5).
fn skip_leading_crlf(data: &[u8]) -> &[u8] {
    let n = data
        .iter()
        .take_while(|&&c| c == b'\r' || c == b'\n')
        .count();
    data.get(n..).unwrap_or(&[])
}

/// Split at the empty line ending the head: `(head, body_start)`.
/// `None` when the head is not terminated and the data does not end in LF.
fn split_head(data: &[u8]) -> Option<(&[u8], usize)> {
    let mut start = 0;
    while start < data.len() {
        let rest = data.get(start..)?;
        let lf = rest.iter().position(|&c| c == b'\n')?;
        let line = rest.get(..lf)?;
        if start > 0 && (line.is_empty() || line == b"\r") {
            return Some((data.get(..start)?, start + lf + 1));
        }
        start += lf + 1;
    }
    // The datagram ends right after a header line (RFC 4475 §3.1.2.15).
    Some((data, data.len()))
}

/// Head lines with CR stripped and folding undone: `(start_line, headers)`
/// where each header is `(line_number, name, value)`. `strict` makes a
/// malformed line an error instead of skipping it.
#[allow(clippy::type_complexity)]
fn unfold(head: &str, strict: bool) -> Result<(&str, Vec<(usize, String, String)>), ParseError> {
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start = lines.next().unwrap_or("");
    let mut headers: Vec<(usize, String, String)> = Vec::new();
    for (i, line) in lines.enumerate() {
        let number = i + 2;
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match headers.last_mut() {
                Some((_, _, value)) => {
                    let more = line.trim_matches([' ', '\t']);
                    if !more.is_empty() {
                        if !value.is_empty() {
                            value.push(' ');
                        }
                        value.push_str(more);
                    }
                }
                None if strict => return Err(ParseError::InvalidHeaderLine { line: number }),
                None => {}
            }
            continue;
        }
        let parsed = line.split_once(':').and_then(|(name, value)| {
            let name = name.trim_end_matches([' ', '\t']);
            is_token(name).then(|| (name, value.trim_matches([' ', '\t'])))
        });
        match parsed {
            Some((name, value)) => {
                headers.push((number, canonical_name(name).to_owned(), value.to_owned()))
            }
            None if strict => return Err(ParseError::InvalidHeaderLine { line: number }),
            None => {}
        }
    }
    Ok((start, headers))
}

pub(crate) fn parse(data: &[u8], max_size: usize) -> Result<Message, ParseError> {
    if data.len() > max_size {
        return Err(ParseError::TooLarge {
            size: data.len(),
            limit: max_size,
        });
    }
    let data = skip_leading_crlf(data);
    if data.is_empty() {
        return Err(ParseError::Empty);
    }
    let (head, body_start) = split_head(data).ok_or(ParseError::UnterminatedHeaders)?;
    let head = std::str::from_utf8(head).map_err(|_| ParseError::NotUtf8)?;
    let (start, raw) = unfold(head, true)?;
    let mut headers = Headers::new();
    for (_, name, value) in raw {
        headers.push(&name, value);
    }

    let message = if start.starts_with("SIP/") {
        let mut parts = start.splitn(3, ' ');
        let version = parts.next().unwrap_or("");
        let code = parts.next().unwrap_or("");
        let reason = parts.next().unwrap_or("");
        if !version.eq_ignore_ascii_case("SIP/2.0") {
            return Err(ParseError::UnsupportedVersion(version.to_owned()));
        }
        if code.len() != 3 || !code.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::InvalidStatusCode);
        }
        let status: u16 = code.parse().map_err(|_| ParseError::InvalidStatusCode)?;
        if !(100..=699).contains(&status) {
            return Err(ParseError::InvalidStatusCode);
        }
        if reason.bytes().any(|c| c.is_ascii_control() && c != b'\t') {
            return Err(ParseError::InvalidStatusLine);
        }
        validate_headers(&headers)?;
        Message::Response(Response {
            status,
            reason: reason.to_owned(),
            headers,
            body: Vec::new(),
        })
    } else {
        let parts: Vec<&str> = start.split(' ').collect();
        let [method, uri, version] = parts.as_slice() else {
            return Err(ParseError::InvalidRequestLine);
        };
        let method = Method::parse(method).ok_or(ParseError::InvalidRequestLine)?;
        if !version.eq_ignore_ascii_case("SIP/2.0") {
            return Err(
                if version.len() > 4
                    && version
                        .get(..4)
                        .is_some_and(|v| v.eq_ignore_ascii_case("SIP/"))
                {
                    ParseError::UnsupportedVersion((*version).to_owned())
                } else {
                    ParseError::InvalidRequestLine
                },
            );
        }
        let uri = Uri::parse(uri).map_err(ParseError::InvalidRequestUri)?;
        if uri.is_sip() && !uri.headers.is_empty() {
            // RFC 3261 §19.1.1: headers are not allowed in a Request-URI.
            return Err(ParseError::RequestUriHeaders);
        }
        validate_headers(&headers)?;
        let cseq = headers.cseq().ok_or(ParseError::MissingHeader("CSeq"))?;
        if cseq.method != method {
            return Err(ParseError::CSeqMethodMismatch);
        }
        Message::Request(Request {
            method,
            uri,
            headers,
            body: Vec::new(),
        })
    };

    let available = data.len().saturating_sub(body_start);
    let body = match content_length(message.headers())? {
        Some(declared) if declared > available => {
            return Err(ParseError::BodyTruncated {
                declared,
                available,
            })
        }
        Some(declared) => data.get(body_start..body_start + declared),
        None => data.get(body_start..),
    }
    .unwrap_or(&[])
    .to_vec();
    Ok(match message {
        Message::Request(r) => Message::Request(Request { body, ..r }),
        Message::Response(r) => Message::Response(Response { body, ..r }),
    })
}

/// The one Content-Length value; repeated identical values are tolerated.
fn content_length(headers: &Headers) -> Result<Option<usize>, ParseError> {
    let mut found = None;
    for value in headers.get_all("Content-Length") {
        if value.is_empty() || !value.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ParseError::InvalidContentLength);
        }
        let n: usize = value
            .parse()
            .map_err(|_| ParseError::InvalidContentLength)?;
        if found.is_some_and(|f| f != n) {
            return Err(ParseError::ConflictingContentLength);
        }
        found = Some(n);
    }
    Ok(found)
}

fn single<'a>(headers: &'a Headers, name: &'static str) -> Result<&'a str, ParseError> {
    let mut values = headers.get_all(name);
    let value = values.next().ok_or(ParseError::MissingHeader(name))?;
    if values.next().is_some() {
        return Err(ParseError::DuplicateHeader(name));
    }
    if value.is_empty() {
        return Err(ParseError::InvalidHeader {
            name,
            error: HeaderError::Empty,
        });
    }
    Ok(value)
}

fn invalid(name: &'static str) -> impl Fn(HeaderError) -> ParseError {
    move |error| ParseError::InvalidHeader { name, error }
}

fn validate_headers(headers: &Headers) -> Result<(), ParseError> {
    let mut vias = 0;
    for value in headers.list("Via") {
        if value.is_empty() {
            return Err(invalid("Via")(HeaderError::Empty));
        }
        Via::parse(value).map_err(invalid("Via"))?;
        vias += 1;
    }
    if vias == 0 {
        return Err(ParseError::MissingHeader("Via"));
    }
    NameAddr::parse(single(headers, "From")?).map_err(invalid("From"))?;
    NameAddr::parse(single(headers, "To")?).map_err(invalid("To"))?;
    let call_id = single(headers, "Call-ID")?;
    if call_id.bytes().any(|c| is_ws(c) || c.is_ascii_control()) {
        return Err(invalid("Call-ID")(HeaderError::TrailingData));
    }
    CSeq::parse(single(headers, "CSeq")?).map_err(invalid("CSeq"))?;
    if headers.get_all("Max-Forwards").count() > 1 {
        return Err(ParseError::DuplicateHeader("Max-Forwards"));
    }
    if let Some(mf) = headers.get("Max-Forwards") {
        if mf.is_empty() || !mf.bytes().all(|c| c.is_ascii_digit()) || mf.parse::<u32>().is_err() {
            return Err(invalid("Max-Forwards")(HeaderError::InvalidNumber));
        }
    }
    for name in ["Contact", "Route", "Record-Route"] {
        for value in headers.get_all(name) {
            for element in split_commas(value) {
                if name == "Contact" && element == "*" {
                    continue;
                }
                NameAddr::parse(element).map_err(invalid(match name {
                    "Contact" => "Contact",
                    "Route" => "Route",
                    _ => "Record-Route",
                }))?;
            }
        }
    }
    if headers.get_all("Content-Type").count() > 1 {
        return Err(ParseError::DuplicateHeader("Content-Type"));
    }
    content_length(headers)?;
    Ok(())
}

/// The parts of a broken request needed to answer it (RFC 3261 §8.2.6.2):
/// method, Via, From, To, Call-ID and CSeq exactly as received — those of them
/// it has. Via is the one a response cannot do without (it is routed by Via,
/// §18.2.2); a request missing From, To or Call-ID is still answered 400 (RFC
/// 4475 §3.3.1), with the headers it has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SalvagedRequest {
    pub method: String,
    /// The Via, From, To, Call-ID and CSeq lines to copy into a response.
    pub headers: Headers,
}

/// Best-effort extraction from a request [`Message::parse`] rejected.
/// `None` when it is a response or has no Via to route an answer by.
pub fn salvage_request(data: &[u8]) -> Option<SalvagedRequest> {
    let data = skip_leading_crlf(data);
    let head = match split_head(data) {
        Some((head, _)) => head,
        None => data,
    };
    let head = String::from_utf8_lossy(head);
    let (start, raw) = unfold(&head, false).ok()?;
    if start.starts_with("SIP/") {
        return None;
    }
    let method = start.split([' ', '\t']).next().filter(|m| is_token(m))?;
    let mut headers = Headers::new();
    for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
        let mut values = raw
            .iter()
            .filter(|(_, n, v)| n.eq_ignore_ascii_case(name) && !v.is_empty())
            .map(|(_, _, v)| v);
        let Some(first) = values.next() else {
            if name == "Via" {
                return None;
            }
            continue;
        };
        let clean = |v: &str| v.replace(|c: char| c.is_control() && c != '\t', " ");
        headers.push(name, clean(first));
        if name == "Via" {
            for more in values {
                headers.push(name, clean(more));
            }
        }
    }
    Some(SalvagedRequest {
        method: method.to_owned(),
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const OPTIONS: &[u8] = b"OPTIONS sip:user@example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw\r\n\
To: sip:user@example.com\r\n\
From: sip:caller@example.org;tag=33242\r\n\
Max-Forwards: 3\r\n\
Call-ID: x@y\r\n\
CSeq: 8 OPTIONS\r\n\
l: 0\r\n\r\n";

    #[test]
    fn parses_basic_request() {
        let Message::Request(r) = parse(OPTIONS, 65535).unwrap() else {
            panic!("not a request")
        };
        assert_eq!(r.method, Method::Options);
        assert_eq!(r.headers.content_length(), Some(0));
        assert_eq!(r.headers.cseq().unwrap().seq, 8);
        assert_eq!(parse(&r.to_bytes(), 65535).unwrap(), Message::Request(r));
    }

    #[test]
    fn framing_errors() {
        let mut long = OPTIONS.to_vec();
        long.extend_from_slice(b"trailing bytes ignored");
        assert!(parse(&long, 65535).unwrap().body().is_empty());
        assert!(matches!(
            parse(OPTIONS, 10),
            Err(ParseError::TooLarge { .. })
        ));
        assert_eq!(parse(b"\r\n\r\n", 100), Err(ParseError::Empty));
        let cl = String::from_utf8_lossy(OPTIONS).replace("l: 0", "l: 5");
        assert!(matches!(
            parse(cl.as_bytes(), 65535),
            Err(ParseError::BodyTruncated {
                declared: 5,
                available: 0
            })
        ));
        let cl = String::from_utf8_lossy(OPTIONS).replace("l: 0", "l: -1");
        assert_eq!(
            parse(cl.as_bytes(), 65535),
            Err(ParseError::InvalidContentLength)
        );
        assert_eq!(
            parse(b"OPTIONS sip:a SIP/2.0", 100),
            Err(ParseError::UnterminatedHeaders)
        );
    }

    #[test]
    fn start_line_errors() {
        let s = String::from_utf8_lossy(OPTIONS);
        let bad = s.replace("OPTIONS sip", "OPTIONS  sip");
        assert_eq!(
            parse(bad.as_bytes(), 65535),
            Err(ParseError::InvalidRequestLine)
        );
        let bad = s.replace("SIP/2.0\r\nVia", "SIP/3.0\r\nVia");
        assert!(matches!(
            parse(bad.as_bytes(), 65535),
            Err(ParseError::UnsupportedVersion(_))
        ));
        let bad = s.replace("CSeq: 8 OPTIONS", "CSeq: 8 INVITE");
        assert_eq!(
            parse(bad.as_bytes(), 65535),
            Err(ParseError::CSeqMethodMismatch)
        );
        assert_eq!(
            ParseError::InvalidContentLength.reason_phrase(),
            "Bad Request - Invalid Content-Length"
        );
    }

    #[test]
    fn salvage() {
        let s = String::from_utf8_lossy(OPTIONS).replace("l: 0", "l: 99");
        let salvaged = salvage_request(s.as_bytes()).unwrap();
        assert_eq!(salvaged.method, "OPTIONS");
        assert_eq!(salvaged.headers.call_id(), Some("x@y"));
        assert!(salvage_request(b"SIP/2.0 200 OK\r\n\r\n").is_none());
        // No Via: nowhere to send an answer.
        assert!(salvage_request(b"INVITE sip:a SIP/2.0\r\nCSeq: 1 INVITE\r\n\r\n").is_none());
        // No From, To or Call-ID (RFC 4475 §3.3.1 insuf): answerable by its Via.
        let insuf = salvage_request(
            b"INVITE sip:a SIP/2.0\r\nCSeq: 1 INVITE\r\nVia: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKx\r\n\r\n",
        )
        .unwrap();
        assert_eq!(insuf.headers.get_all("Via").count(), 1);
        assert_eq!(insuf.headers.call_id(), None);
        assert!(insuf.headers.get("CSeq").is_some());
    }
}
