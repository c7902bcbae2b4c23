//! Webhook delivery: POST each notification as JSON to the merchant's URL,
//! retrying with exponential back-off, from a task of its own per merchant with a
//! bounded queue (events of one merchant keep their order).

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};

use super::Notification;

/// Waits before the 2nd, 3rd, ... attempt; after the last, the event is dropped.
pub const BACKOFF: [Duration; 5] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
];
/// Events a merchant's queue holds.
pub const QUEUE: usize = 1024;
/// Longest wait for one attempt.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);

pub use crate::config::webhook_url::{parse_url, WebhookUrl};

/// The sending end of one merchant's webhook queue.
#[derive(Debug, Clone)]
pub struct Webhook {
    tx: mpsc::Sender<Notification>,
}

impl Webhook {
    /// Start delivering to `url` (must have passed [`parse_url`]).
    pub fn spawn(merchant: String, url: WebhookUrl) -> Webhook {
        let (tx, mut rx) = mpsc::channel::<Notification>(QUEUE);
        tokio::spawn(async move {
            while let Some(n) = rx.recv().await {
                deliver(&merchant, &url, &n).await;
            }
        });
        Webhook { tx }
    }

    /// Queue a notification; a full queue drops it (logged) rather than wait.
    pub fn send(&self, n: Notification) {
        if let Err(e) = self.tx.try_send(n) {
            warn!(error = %e, "webhook queue full; event dropped");
        }
    }
}

async fn deliver(merchant: &str, url: &WebhookUrl, n: &Notification) {
    let body = serde_json::to_vec(n).unwrap_or_default();
    for attempt in 0..=BACKOFF.len() {
        match tokio::time::timeout(ATTEMPT_TIMEOUT, post(url, &body)).await {
            Ok(Ok(status)) if (200..300).contains(&status) => {
                debug!(merchant, event = n.event, status, "webhook delivered");
                return;
            }
            Ok(Ok(status)) => info!(
                merchant,
                event = n.event,
                status,
                attempt,
                "webhook refused"
            ),
            Ok(Err(e)) => info!(merchant, event = n.event, error = %e, attempt, "webhook failed"),
            Err(_) => info!(merchant, event = n.event, attempt, "webhook timed out"),
        }
        let Some(wait) = BACKOFF.get(attempt) else {
            break;
        };
        tokio::time::sleep(*wait).await;
    }
    warn!(merchant, event = n.event, call_id = %n.call_id, "webhook gave up; event dropped");
}

async fn post(
    url: &WebhookUrl,
    body: &[u8],
) -> Result<u16, Box<dyn std::error::Error + Send + Sync>> {
    let stream = TcpStream::connect(&url.authority).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let request = Request::post(&url.path)
        .header(hyper::header::HOST, &url.host)
        .header(hyper::header::CONTENT_TYPE, "application/json")
        .header(
            hyper::header::USER_AGENT,
            concat!("gateway/", env!("CARGO_PKG_VERSION")),
        )
        .body(Full::new(Bytes::copy_from_slice(body)))?;
    let response = sender.send_request(request).await?;
    Ok(response.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_http_urls_only() {
        assert_eq!(
            parse_url("http://127.0.0.1:9000/hooks/calls?x=1"),
            Some(WebhookUrl {
                authority: "127.0.0.1:9000".into(),
                host: "127.0.0.1:9000".into(),
                path: "/hooks/calls?x=1".into()
            })
        );
        assert_eq!(
            parse_url("http://shop.example").map(|u| u.authority),
            Some("shop.example:80".into())
        );
        assert_eq!(
            parse_url("http://[::1]:8000/").map(|u| u.authority),
            Some("[::1]:8000".into())
        );
        for bad in [
            "https://x/",
            "http://",
            "ftp://x",
            "http://u@h/",
            "http://h:x/",
        ] {
            assert_eq!(parse_url(bad), None, "{bad}");
        }
    }
}
