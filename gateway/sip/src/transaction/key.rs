//! Matching messages to transactions (RFC 3261 §17.1.3, §17.2.3).
//!
//! A response finds its client transaction by branch and CSeq method
//! ([`ClientKey`]); [`ResponseOrigin`] then checks that it came from where
//! the request went, over the same transport, and echoes the request's
//! Call-ID, From tag, CSeq number and (in a dialog) To tag (§8.1.3.3, §12.2.1.2).
//! The branch alone is not proof: whoever learns or guesses it could answer
//! for the peer.

use std::net::SocketAddr;

use thiserror::Error;

use crate::message::{Method, Request, Response};
use crate::transport::Transport;

/// Client transactions are matched by the top Via branch we generated and
/// the CSeq method (§17.1.3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey {
    pub branch: String,
    pub method: Method,
}

impl ClientKey {
    pub fn from_response(response: &Response) -> Option<ClientKey> {
        let via = response.headers.top_via()?;
        Some(ClientKey {
            branch: via.branch()?.to_owned(),
            method: response.headers.cseq()?.method,
        })
    }
}

/// Why a response that matched a client transaction's key was not accepted.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ForeignResponse {
    #[error("response from {source_addr}, the request went to {destination}")]
    WrongSource {
        source_addr: SocketAddr,
        destination: SocketAddr,
    },
    #[error("response over {received:?}, the request went over {sent:?}")]
    WrongTransport {
        received: Transport,
        sent: Transport,
    },
    #[error("response {header} does not match the request's")]
    WrongHeader { header: &'static str },
}

/// Where a client transaction's request went and what a response to it must
/// echo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseOrigin {
    destination: SocketAddr,
    transport: Transport,
    call_id: Option<String>,
    from_tag: Option<String>,
    /// Set for requests inside a dialog: the peer's tag.
    to_tag: Option<String>,
    cseq: Option<u32>,
}

impl ResponseOrigin {
    pub fn new(request: &Request, destination: SocketAddr, transport: Transport) -> Self {
        let h = &request.headers;
        Self {
            destination,
            transport,
            call_id: h.call_id().map(str::to_owned),
            from_tag: h.from().and_then(|f| f.tag().map(str::to_owned)),
            to_tag: h.to().and_then(|t| t.tag().map(str::to_owned)),
            cseq: h.cseq().map(|c| c.seq),
        }
    }

    /// `Ok` when `response`, received from `source` over `transport`, can be
    /// the answer to our request.
    pub fn check(
        &self,
        source: SocketAddr,
        transport: Transport,
        response: &Response,
    ) -> Result<(), ForeignResponse> {
        if !same_address(source, self.destination) {
            return Err(ForeignResponse::WrongSource {
                source_addr: source,
                destination: self.destination,
            });
        }
        if transport != self.transport {
            return Err(ForeignResponse::WrongTransport {
                received: transport,
                sent: self.transport,
            });
        }
        let h = &response.headers;
        let wrong = |header| Err(ForeignResponse::WrongHeader { header });
        if h.call_id() != self.call_id.as_deref() {
            return wrong("Call-ID");
        }
        let from = h.from();
        if from.as_ref().and_then(|f| f.tag()) != self.from_tag.as_deref() {
            return wrong("From tag");
        }
        if h.cseq().map(|c| c.seq) != self.cseq {
            return wrong("CSeq");
        }
        // Outside a dialog any To tag is the callee's choice (forking, §12.1).
        if let Some(tag) = &self.to_tag {
            let to = h.to();
            if to.as_ref().and_then(|t| t.tag()) != Some(tag.as_str()) {
                return wrong("To tag");
            }
        }
        Ok(())
    }
}

/// Equal addresses, an IPv4 address and its IPv4-mapped IPv6 form included.
pub fn same_address(a: SocketAddr, b: SocketAddr) -> bool {
    a.port() == b.port() && a.ip().to_canonical() == b.ip().to_canonical()
}

/// Server transactions: by branch, sent-by and method when the branch has the
/// magic cookie, else by the RFC 2543 tuple (§17.2.3). ACK is folded into
/// INVITE so it finds the INVITE transaction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ServerKey {
    Branch {
        branch: String,
        sent_by: String,
        method: Method,
    },
    Legacy {
        call_id: String,
        cseq: u32,
        from_tag: Option<String>,
        top_via: String,
        request_uri: String,
        method: Method,
    },
}

impl ServerKey {
    pub fn from_request(request: &Request) -> Option<ServerKey> {
        let via = request.headers.top_via()?;
        let method = match &request.method {
            Method::Ack => Method::Invite,
            m => m.clone(),
        };
        if via.has_rfc3261_branch() {
            return Some(ServerKey::Branch {
                branch: via.branch()?.to_owned(),
                sent_by: via.sent_by().to_ascii_lowercase(),
                method,
            });
        }
        Some(ServerKey::Legacy {
            call_id: request.headers.call_id()?.to_owned(),
            cseq: request.headers.cseq()?.seq,
            from_tag: request.headers.from()?.tag().map(str::to_owned),
            top_via: format!("{} {}", via.transport, via.sent_by()),
            request_uri: request.uri.to_string(),
            method,
        })
    }

    /// The same key for another method (CANCEL looks up its INVITE, §9.2).
    pub fn with_method(&self, method: Method) -> ServerKey {
        let mut key = self.clone();
        match &mut key {
            ServerKey::Branch { method: m, .. } | ServerKey::Legacy { method: m, .. } => {
                *m = method
            }
        }
        key
    }
}
