//! Matching messages to transactions (RFC 3261 §17.1.3, §17.2.3).

use crate::message::{Method, Request, Response};

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
