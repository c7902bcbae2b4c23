//! SIP messages (RFC 3261 §7): requests, responses, headers and URIs.
//!
//! [`Message::parse`] turns one UDP datagram into a validated message or a
//! [`ParseError`] naming the fault; it never panics on any input. Printing
//! ([`Request::to_bytes`], [`Response::to_bytes`]) is canonical: one header
//! per line as `Name: value`, CRLF line ends, no folding.

mod cseq;
pub(crate) mod grammar;
mod header;
mod method;
mod name_addr;
mod parse;
mod uri;
mod via;

pub use cseq::CSeq;
pub use grammar::Params;
pub use header::{canonical_name, Header, HeaderError, Headers};
pub use method::Method;
pub use name_addr::NameAddr;
pub use parse::{salvage_request, ParseError, SalvagedRequest, DEFAULT_MAX_MESSAGE_SIZE};
pub use uri::{Scheme, Uri, UriError};
pub use via::{Via, MAGIC_COOKIE};

/// Split one Via header line into its first value and the rest (if any).
pub fn split_via_line(value: &str) -> (&str, Option<&str>) {
    let parts = grammar::split_commas(value);
    let first = parts.first().copied().unwrap_or("");
    if parts.len() <= 1 {
        return (first, None);
    }
    // The rest starts after the first top-level comma.
    let rest = value
        .get(value.find(first).map_or(0, |i| i + first.len())..)
        .unwrap_or("")
        .trim_start_matches([' ', '\t'])
        .trim_start_matches(',')
        .trim_matches([' ', '\t']);
    (first, Some(rest))
}

/// A SIP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub uri: Uri,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A SIP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// Either kind of message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    Request(Request),
    Response(Response),
}

impl Message {
    /// Parse one datagram (see [`parse`](self) for the rules).
    pub fn parse(data: &[u8], max_size: usize) -> Result<Message, ParseError> {
        parse::parse(data, max_size)
    }

    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    pub fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

fn print(start_line: &str, headers: &Headers, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(start_line.len() + 64 * headers.len() + body.len() + 4);
    out.extend_from_slice(start_line.as_bytes());
    out.extend_from_slice(b"\r\n");
    for h in headers.iter() {
        out.extend_from_slice(h.name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(h.value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    out
}

impl Request {
    pub fn new(method: Method, uri: Uri) -> Self {
        Self {
            method,
            uri,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// Set the body and keep Content-Type / Content-Length in step.
    pub fn set_body(&mut self, content_type: Option<&str>, body: Vec<u8>) {
        match content_type {
            Some(ct) => self.headers.set("Content-Type", ct),
            None => self.headers.remove("Content-Type"),
        }
        self.headers.set("Content-Length", body.len().to_string());
        self.headers.move_to_end("Content-Length");
        self.body = body;
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        print(
            &format!("{} {} SIP/2.0", self.method, self.uri),
            &self.headers,
            &self.body,
        )
    }
}

impl Response {
    /// A response to `request` per RFC 3261 §8.2.6.2: Via, From, To, Call-ID
    /// and CSeq copied (no To tag added; see [`Response::set_to_tag`]),
    /// Content-Length 0.
    pub fn for_request(request: &Request, status: u16, reason: &str) -> Self {
        let mut headers = Headers::new();
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            for value in request.headers.get_all(name) {
                headers.push(name, value);
            }
        }
        if status == 100 {
            // RFC 3261 §8.2.6.1: copy Timestamp into 100 Trying.
            if let Some(ts) = request.headers.get("Timestamp") {
                headers.push("Timestamp", ts);
            }
        }
        headers.push("Content-Length", "0");
        Self {
            status,
            reason: reason.to_owned(),
            headers,
            body: Vec::new(),
        }
    }

    /// Add a To tag unless one is present.
    pub fn set_to_tag(&mut self, tag: &str) {
        if let Some(mut to) = self.headers.to() {
            if to.tag().is_none() {
                to.set_tag(tag);
                self.headers.set("To", to.to_string());
            }
        }
    }

    pub fn set_body(&mut self, content_type: Option<&str>, body: Vec<u8>) {
        match content_type {
            Some(ct) => self.headers.set("Content-Type", ct),
            None => self.headers.remove("Content-Type"),
        }
        self.headers.set("Content-Length", body.len().to_string());
        self.headers.move_to_end("Content-Length");
        self.body = body;
    }

    pub fn is_provisional(&self) -> bool {
        self.status < 200
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        print(
            &format!("SIP/2.0 {} {}", self.status, self.reason),
            &self.headers,
            &self.body,
        )
    }
}

/// The standard reason phrase for `status` (RFC 3261 §21), or a class name.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        s if s < 200 => "Progress",
        s if s < 300 => "Success",
        s if s < 400 => "Redirection",
        s if s < 500 => "Client Error",
        s if s < 600 => "Server Error",
        _ => "Global Failure",
    }
}
