//! Dialog state (RFC 3261 §12): the peer-to-peer relationship an INVITE
//! creates, identified by Call-ID, local tag and remote tag.
//!
//! ```text
//!  (UAC: INVITE sent, no remote tag yet)
//!        |  1xx with To tag            2xx
//!        v-------------------> Early -------> Confirmed
//!  (UAS: created from the INVITE; Early until our 2xx)
//! ```
//!
//! The dialog builds in-dialog requests (§12.2.1.1): Request-URI from the
//! remote target (or the first route when it is a strict router), Route from
//! the route set, From/To with our and their tags, CSeq one above the last.

use thiserror::Error;

use crate::message::{Method, NameAddr, Request, Response, Uri, Via};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DialogState {
    Early,
    Confirmed,
}

/// A request that violates dialog state (§12.2.2).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DialogError {
    #[error("CSeq {got} is not above the last remote CSeq {last}")]
    CSeqOutOfOrder { got: u32, last: u32 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    /// `None` for a UAC until a response carries a To tag.
    pub remote_tag: Option<String>,
    /// Our URI (From of our requests), without tag.
    pub local_uri: NameAddr,
    /// Their URI (To of our requests), without tag.
    pub remote_uri: NameAddr,
    /// CSeq of the last request we sent.
    pub local_seq: u32,
    /// CSeq of the last request they sent.
    pub remote_seq: Option<u32>,
    /// Where in-dialog requests are addressed (the peer's Contact).
    pub remote_target: Uri,
    /// Route headers for in-dialog requests, in the order to send them.
    pub route_set: Vec<NameAddr>,
    pub state: DialogState,
}

fn without_tag(mut n: NameAddr) -> NameAddr {
    n.params.remove("tag");
    n
}

impl Dialog {
    /// The pre-dialog state of a UAC that sent `invite` (§12.1.2).
    pub fn uac(invite: &Request, local_tag: &str) -> Option<Dialog> {
        let cseq = invite.headers.cseq()?;
        Some(Dialog {
            call_id: invite.headers.call_id()?.to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: None,
            local_uri: without_tag(invite.headers.from()?),
            remote_uri: without_tag(invite.headers.to()?),
            local_seq: cseq.seq,
            remote_seq: None,
            remote_target: invite.uri.clone(),
            route_set: Vec::new(),
            state: DialogState::Early,
        })
    }

    /// The UAS side of the dialog `invite` creates (§12.1.1).
    pub fn uas(invite: &Request, local_tag: &str, local_seq: u32) -> Option<Dialog> {
        let from = invite.headers.from()?;
        Some(Dialog {
            call_id: invite.headers.call_id()?.to_owned(),
            local_tag: local_tag.to_owned(),
            remote_tag: from.tag().map(str::to_owned),
            local_uri: without_tag(invite.headers.to()?),
            remote_uri: without_tag(from),
            local_seq,
            remote_seq: Some(invite.headers.cseq()?.seq),
            remote_target: invite
                .headers
                .contacts()
                .into_iter()
                .next()
                .map_or_else(|| invite.uri.clone(), |c| c.uri),
            route_set: invite.headers.record_routes(),
            state: DialogState::Early,
        })
    }

    /// UAC: take remote tag, target and route set from a response that
    /// creates or confirms the dialog (§12.1.2, §13.2.2.4).
    pub fn on_response(&mut self, response: &Response) {
        if let Some(tag) = response
            .headers
            .to()
            .and_then(|t| t.tag().map(str::to_owned))
        {
            self.remote_tag = Some(tag);
        }
        if let Some(contact) = response.headers.contacts().into_iter().next() {
            self.remote_target = contact.uri;
        }
        if self.state == DialogState::Early {
            let mut routes = response.headers.record_routes();
            routes.reverse();
            self.route_set = routes;
        }
        if response.is_success() {
            self.state = DialogState::Confirmed;
        }
    }

    /// Does `request` (sent by the peer) belong to this dialog (§12.2.2)?
    pub fn matches_request(&self, request: &Request) -> bool {
        let h = &request.headers;
        h.call_id() == Some(self.call_id.as_str())
            && h.to().and_then(|t| t.tag().map(str::to_owned)).as_deref()
                == Some(self.local_tag.as_str())
            && h.from().and_then(|f| f.tag().map(str::to_owned)) == self.remote_tag
    }

    /// Does `response` (to our request) belong to this dialog?
    pub fn matches_response(&self, response: &Response) -> bool {
        let h = &response.headers;
        h.call_id() == Some(self.call_id.as_str())
            && h.from().and_then(|f| f.tag().map(str::to_owned)).as_deref()
                == Some(self.local_tag.as_str())
            && (self.remote_tag.is_none()
                || h.to().and_then(|t| t.tag().map(str::to_owned)) == self.remote_tag)
    }

    /// Check and record the CSeq of a request from the peer (§12.2.2).
    pub fn on_remote_request(&mut self, request: &Request) -> Result<(), DialogError> {
        let Some(cseq) = request.headers.cseq() else {
            return Ok(());
        };
        if let Some(last) = self.remote_seq {
            if cseq.seq < last || (cseq.seq == last && request.method != Method::Ack) {
                return Err(DialogError::CSeqOutOfOrder {
                    got: cseq.seq,
                    last,
                });
            }
        }
        self.remote_seq = Some(cseq.seq);
        Ok(())
    }

    /// A new in-dialog request; bumps the local CSeq (§12.2.1.1).
    pub fn request(&mut self, method: Method, via: &Via) -> Request {
        self.local_seq = self.local_seq.wrapping_add(1);
        self.request_with_seq(method, self.local_seq, via)
    }

    /// An in-dialog request with a given CSeq number (ACK for 2xx reuses the
    /// INVITE's, §13.2.2.4).
    pub fn request_with_seq(&self, method: Method, seq: u32, via: &Via) -> Request {
        let mut routes = self.route_set.clone();
        let uri = match routes.first() {
            // Strict router (no `lr`): it becomes the Request-URI and the
            // remote target goes last in Route (§12.2.1.1).
            Some(first) if first.uri.param("lr").is_none() => {
                let mut uri = first.uri.clone();
                uri.params
                    .retain(|(n, _)| !n.eq_ignore_ascii_case("method"));
                routes.remove(0);
                routes.push(NameAddr::new(self.remote_target.clone()));
                uri
            }
            _ => self.remote_target.clone(),
        };
        let mut request = Request::new(method.clone(), uri);
        let h = &mut request.headers;
        h.push("Via", via.to_string());
        h.push("Max-Forwards", "70");
        for route in &routes {
            h.push("Route", route.to_string());
        }
        let mut from = self.local_uri.clone();
        from.set_tag(&self.local_tag);
        h.push("From", from.to_string());
        let mut to = self.remote_uri.clone();
        if let Some(tag) = &self.remote_tag {
            to.set_tag(tag);
        }
        h.push("To", to.to_string());
        h.push("Call-ID", self.call_id.clone());
        h.push("CSeq", format!("{seq} {method}"));
        request
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::Message;

    fn invite() -> Request {
        let text = "INVITE sip:bob@192.0.2.2 SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n\
Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\n\
From: <sip:alice@a>;tag=a1\r\nTo: <sip:bob@b>\r\nCall-ID: c1\r\nCSeq: 5 INVITE\r\n\
Contact: <sip:alice@192.0.2.1:5070>\r\nContent-Length: 0\r\n\r\n";
        match Message::parse(text.as_bytes(), 65535).unwrap() {
            Message::Request(r) => r,
            Message::Response(_) => unreachable!(),
        }
    }

    #[test]
    fn uas_dialog_builds_bye() {
        let mut d = Dialog::uas(&invite(), "b1", 100).unwrap();
        assert_eq!(d.remote_target.port, Some(5070));
        let bye = d.request(Method::Bye, &Via::new("UDP", "192.0.2.2", None, "z9hG4bK2"));
        assert_eq!(bye.uri.host, "192.0.2.1");
        assert_eq!(bye.headers.cseq().unwrap().seq, 101);
        assert_eq!(bye.headers.to().unwrap().tag(), Some("a1"));
        assert_eq!(bye.headers.from().unwrap().tag(), Some("b1"));
        let routes = bye.headers.routes();
        assert_eq!(routes[0].uri.host, "p1.example.com");
        let mut again = invite();
        assert!(d.on_remote_request(&again).is_err());
        again.headers.set("CSeq", "6 BYE");
        again.method = Method::Bye;
        assert!(d.on_remote_request(&again).is_ok());
    }

    #[test]
    fn strict_route() {
        let mut d = Dialog::uas(&invite(), "b1", 1).unwrap();
        d.route_set = vec![NameAddr::parse("<sip:strict.example.com>").unwrap()];
        let r = d.request(Method::Info, &Via::new("UDP", "h", None, "z9hG4bK3"));
        assert_eq!(r.uri.host, "strict.example.com");
        assert_eq!(r.headers.routes()[0].uri.host, "192.0.2.1");
    }
}
