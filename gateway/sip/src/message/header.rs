//! Header fields kept in order as (name, value), with case-insensitive lookup,
//! compact forms (RFC 3261 §7.3.3) and typed accessors.
//!
//! Names are stored in canonical spelling (`v` and `ViA` become `Via`);
//! unknown names are kept as received. Values are stored unfolded and trimmed.

use thiserror::Error;

use super::cseq::CSeq;
use super::grammar::split_commas;
use super::name_addr::NameAddr;
use super::uri::UriError;
use super::via::Via;

/// Why a header value did not parse.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum HeaderError {
    #[error("empty value")]
    Empty,
    #[error("unterminated quoted string")]
    UnterminatedQuote,
    #[error("display name is not a quoted string or tokens")]
    InvalidDisplayName,
    #[error("missing or unbalanced '<' '>'")]
    MissingAngleBracket,
    #[error("URI headers need the <...> form")]
    HeadersInAddrSpec,
    #[error("invalid parameter")]
    InvalidParam,
    #[error("unexpected data after the value")]
    TrailingData,
    #[error("invalid URI: {0}")]
    Uri(#[from] UriError),
    #[error("sent-protocol is not SIP/2.0/transport")]
    InvalidSentProtocol,
    #[error("invalid sent-by")]
    InvalidSentBy,
    #[error("invalid number")]
    InvalidNumber,
    #[error("invalid method")]
    InvalidMethod,
}

/// (compact form, canonical name) pairs, RFC 3261 §7.3.3 and the IANA registry.
const COMPACT: &[(&str, &str)] = &[
    ("i", "Call-ID"),
    ("m", "Contact"),
    ("e", "Content-Encoding"),
    ("l", "Content-Length"),
    ("c", "Content-Type"),
    ("f", "From"),
    ("s", "Subject"),
    ("k", "Supported"),
    ("t", "To"),
    ("v", "Via"),
    ("o", "Event"),
    ("u", "Allow-Events"),
    ("r", "Refer-To"),
    ("b", "Referred-By"),
    ("x", "Session-Expires"),
    ("a", "Accept-Contact"),
    ("j", "Reject-Contact"),
    ("d", "Request-Disposition"),
    ("y", "Identity"),
    ("n", "Identity-Info"),
];

/// Spellings used when printing known headers.
const CANONICAL: &[&str] = &[
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Max-Forwards",
    "Contact",
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "Content-Disposition",
    "Content-Language",
    "Route",
    "Record-Route",
    "Allow",
    "Supported",
    "Require",
    "Proxy-Require",
    "Unsupported",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Expires",
    "Min-Expires",
    "User-Agent",
    "Server",
    "Subject",
    "Retry-After",
    "Warning",
    "Date",
    "Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "Event",
    "Allow-Events",
    "Refer-To",
    "Referred-By",
    "Session-Expires",
    "Min-SE",
    "Reason",
    "Timestamp",
    "Organization",
    "Priority",
    "Call-Info",
    "Alert-Info",
    "Error-Info",
    "In-Reply-To",
    "MIME-Version",
    "Reply-To",
    "RSeq",
    "RAck",
    "Identity",
    "Identity-Info",
    "Accept-Contact",
    "Reject-Contact",
    "Request-Disposition",
    "P-Asserted-Identity",
    "Privacy",
];

/// The canonical spelling of `name`: compact forms expanded, known names in
/// their RFC spelling, unknown names unchanged.
pub fn canonical_name(name: &str) -> &str {
    if let Some((_, full)) = COMPACT.iter().find(|(c, _)| c.eq_ignore_ascii_case(name)) {
        return full;
    }
    CANONICAL
        .iter()
        .find(|c| c.eq_ignore_ascii_case(name))
        .copied()
        .unwrap_or(name)
}

/// One header field line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub name: String,
    pub value: String,
}

/// Header fields in message order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<Header>);

impl Headers {
    pub fn new() -> Self {
        Self::default()
    }

    /// Append a header (name canonicalised).
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.0.push(Header {
            name: canonical_name(name).to_owned(),
            value: value.into(),
        });
    }

    /// Replace every `name` header with one holding `value` (at the position
    /// of the first, or appended).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let name = canonical_name(name);
        let value = value.into();
        match self
            .0
            .iter()
            .position(|h| h.name.eq_ignore_ascii_case(name))
        {
            Some(i) => {
                if let Some(h) = self.0.get_mut(i) {
                    h.value = value;
                }
                let mut n = 0;
                self.0.retain(|h| {
                    n += 1;
                    n - 1 == i || !h.name.eq_ignore_ascii_case(name)
                });
            }
            None => self.push(name, value),
        }
    }

    /// Move every `name` header to the end, keeping their order (used to
    /// keep Content-Length last).
    pub fn move_to_end(&mut self, name: &str) {
        let name = canonical_name(name);
        let (mut moved, kept): (Vec<Header>, Vec<Header>) = std::mem::take(&mut self.0)
            .into_iter()
            .partition(|h| h.name.eq_ignore_ascii_case(name));
        self.0 = kept;
        self.0.append(&mut moved);
    }

    pub fn remove(&mut self, name: &str) {
        let name = canonical_name(name);
        self.0.retain(|h| !h.name.eq_ignore_ascii_case(name));
    }

    /// First value of `name` (compact or full, any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.get_all(name).next()
    }

    /// Every header line called `name`, in order.
    pub fn get_all<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        let name = canonical_name(name).to_owned();
        self.0
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(&name))
            .map(|h| h.value.as_str())
    }

    /// Every comma-separated element of every `name` line (for list headers
    /// such as Via, Contact, Route, Allow, Supported, Require).
    pub fn list<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> + 'a {
        self.get_all(name).flat_map(split_commas)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.0.iter()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    // Typed accessors. A message from `Message::parse` has passed validation
    // of all of these, so `None` means absent; for hand-built messages `None`
    // also covers values that do not parse.

    /// All Via values, topmost first.
    pub fn vias(&self) -> Vec<Via> {
        self.list("Via")
            .filter_map(|v| Via::parse(v).ok())
            .collect()
    }

    pub fn top_via(&self) -> Option<Via> {
        self.list("Via").next().and_then(|v| Via::parse(v).ok())
    }

    pub fn from(&self) -> Option<NameAddr> {
        self.get("From").and_then(|v| NameAddr::parse(v).ok())
    }

    pub fn to(&self) -> Option<NameAddr> {
        self.get("To").and_then(|v| NameAddr::parse(v).ok())
    }

    pub fn call_id(&self) -> Option<&str> {
        self.get("Call-ID")
    }

    pub fn cseq(&self) -> Option<CSeq> {
        self.get("CSeq").and_then(|v| CSeq::parse(v).ok())
    }

    pub fn max_forwards(&self) -> Option<u32> {
        self.get("Max-Forwards").and_then(|v| v.parse().ok())
    }

    /// Contact values; the `*` wildcard of REGISTER is skipped (see
    /// [`Headers::contact_is_wildcard`]).
    pub fn contacts(&self) -> Vec<NameAddr> {
        self.list("Contact")
            .filter(|v| *v != "*")
            .filter_map(|v| NameAddr::parse(v).ok())
            .collect()
    }

    pub fn contact_is_wildcard(&self) -> bool {
        self.list("Contact").any(|v| v == "*")
    }

    pub fn record_routes(&self) -> Vec<NameAddr> {
        self.list("Record-Route")
            .filter_map(|v| NameAddr::parse(v).ok())
            .collect()
    }

    pub fn routes(&self) -> Vec<NameAddr> {
        self.list("Route")
            .filter_map(|v| NameAddr::parse(v).ok())
            .collect()
    }

    /// Content-Type without parameters, lower-cased (`application/sdp`).
    pub fn content_type(&self) -> Option<String> {
        self.get("Content-Type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    pub fn content_length(&self) -> Option<usize> {
        self.get("Content-Length").and_then(|v| v.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case_insensitive() {
        let mut h = Headers::new();
        h.push("v", "SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b");
        h.push("ViA", "SIP/2.0/UDP c");
        h.push("i", "abc");
        h.push("X-Custom", "1");
        assert_eq!(h.call_id(), Some("abc"));
        assert_eq!(h.get("call-id"), Some("abc"));
        assert_eq!(h.get("x-custom"), Some("1"));
        assert_eq!(h.vias().len(), 3);
        assert_eq!(h.0.first().map(|h| h.name.as_str()), Some("Via"));
        h.set("Via", "SIP/2.0/UDP z");
        assert_eq!(h.vias().len(), 1);
        assert_eq!(h.0.first().map(|h| h.value.as_str()), Some("SIP/2.0/UDP z"));
    }
}
