//! A merchant's webhook URL (`[[merchants]] webhook_url`), as the
//! configuration validates it and `notify::webhook` uses it.

/// A parsed `http://host[:port]/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl {
    /// `host:port` to connect to.
    pub authority: String,
    /// Host header value.
    pub host: String,
    /// Path and query.
    pub path: String,
}

/// Parse a webhook URL; only `http://` is supported (TLS is for a later version).
pub fn parse_url(url: &str) -> Option<WebhookUrl> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (rest.get(..i)?, rest.get(i..)?),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains(['@', ' ']) {
        return None;
    }
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else if authority.contains(':') && !authority.ends_with(']') {
        return None;
    } else {
        format!("{authority}:80")
    };
    Some(WebhookUrl {
        authority: with_port,
        host: authority.to_string(),
        path: path.to_string(),
    })
}
