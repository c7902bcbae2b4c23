//! What the CRM wants to know about a call: who is behind it on the web.

use std::collections::BTreeMap;

use serde::Serialize;

/// Headers an IP client may put on its INVITE to tell the call centre about the
/// web session behind the call.
pub const SESSION_HEADERS: [(&str, &str); 5] = [
    ("X-Session-Id", "session_id"),
    ("X-Customer-Id", "customer_id"),
    ("X-Merchant-Id", "merchant_id"),
    ("X-Page-Url", "page_url"),
    ("X-Link-Id", "link_id"),
];

/// A call's context, as the HTTP API returns it.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct CallContext {
    /// The SIP Call-ID.
    pub call_id: String,
    /// The IP client's URI (From of its INVITE, or the URI we called).
    pub client_uri: String,
    /// `X-Session-Id`.
    pub session_id: Option<String>,
    /// `X-Customer-Id`.
    pub customer_id: Option<String>,
    /// `X-Merchant-Id`.
    pub merchant_id: Option<String>,
    /// `X-Page-Url`: the page being viewed.
    pub page_url: Option<String>,
    /// `X-Link-Id`: the click-to-call link used.
    pub link_id: Option<String>,
    /// The SIP account that placed the call (authenticated), if any.
    pub account: Option<String>,
    /// Other `X-` headers the client sent.
    pub extra: BTreeMap<String, String>,
}

impl CallContext {
    /// Collect the context from an INVITE's headers (`name`, `value` pairs).
    pub fn from_headers<'a>(
        call_id: &str,
        client_uri: &str,
        headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Self {
        let mut context = CallContext {
            call_id: call_id.to_string(),
            client_uri: client_uri.to_string(),
            ..CallContext::default()
        };
        for (name, value) in headers {
            let value = value.trim().to_string();
            let known = SESSION_HEADERS
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(name))
                .map(|(_, field)| *field);
            match known {
                Some("session_id") => context.session_id = Some(value),
                Some("customer_id") => context.customer_id = Some(value),
                Some("merchant_id") => context.merchant_id = Some(value),
                Some("page_url") => context.page_url = Some(value),
                Some("link_id") => context.link_id = Some(value),
                _ if name.len() > 2 && name[..2].eq_ignore_ascii_case("x-") => {
                    context.extra.insert(name.to_string(), value);
                }
                _ => {}
            }
        }
        context
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_session_headers_case_insensitively() {
        let c = CallContext::from_headers(
            "abc@host",
            "sip:alice@example.com",
            [
                ("x-session-id", " s-42 "),
                ("X-Customer-Id", "c-7"),
                ("X-Page-Url", "https://shop.example/cart"),
                ("X-Other", "1"),
                ("Via", "SIP/2.0/UDP x"),
            ],
        );
        assert_eq!(c.session_id.as_deref(), Some("s-42"));
        assert_eq!(c.customer_id.as_deref(), Some("c-7"));
        assert_eq!(c.page_url.as_deref(), Some("https://shop.example/cart"));
        assert_eq!(c.merchant_id, None);
        assert_eq!(c.extra.get("X-Other").map(String::as_str), Some("1"));
        assert_eq!(c.extra.len(), 1);
    }
}
