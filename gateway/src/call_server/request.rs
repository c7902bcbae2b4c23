//! The request's identity as the routing decision reads it, from what the
//! INVITE carried, collected by `call::CallContext`: the merchant (the SIP
//! account's, set by `call::merchant::bind`: pass the context after it), the
//! link (`X-Link-Id`), and the customer and session attributes
//! (`X-Customer-Id`, `X-Session-Id`, `X-Page-Url` and any other `X-` header).

use crate::call::CallContext;

/// Most attributes a request carries into the decision; more `X-` headers
/// than this are left out (in header-name order).
pub const MAX_ATTRIBUTES: usize = 16;

/// Attributes by name: `customer_id`, `session_id`, `page_url`, and every
/// other `X-` header by its name without `X-` (`X-Tier: gold` is `Tier`; rules
/// compare names ignoring case, values exactly).
pub type Attributes<'a> = heapless::Vec<(&'a str, &'a str), MAX_ATTRIBUTES>;

/// The attributes of `context`, borrowed from it (no allocation).
pub fn attributes_of(context: &CallContext) -> Attributes<'_> {
    let mut attributes = Attributes::new();
    let known = [
        ("customer_id", &context.customer_id),
        ("session_id", &context.session_id),
        ("page_url", &context.page_url),
    ];
    for (name, value) in known {
        if let Some(value) = value {
            let _ = attributes.push((name, value.as_str()));
        }
    }
    for (header, value) in &context.extra {
        let name = header.get(2..).unwrap_or("");
        if !name.is_empty() && attributes.push((name, value.as_str())).is_err() {
            break;
        }
    }
    attributes
}

impl<'a> super::Request<'a> {
    /// A request for the call `context` describes, with `attributes` (from
    /// [`attributes_of`]); the flow adds the dialled number, the device's data
    /// and the route token's centre.
    pub fn from_context(context: &'a CallContext, attributes: &'a Attributes<'a>) -> Self {
        super::Request {
            merchant: context.merchant_id.as_deref(),
            link: context.link_id.as_deref(),
            attributes,
            ..super::Request::default()
        }
    }
}
