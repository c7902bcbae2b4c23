//! The API's HTTP/1.1 server: bounded connections, slow and idle clients
//! timed out, request bodies capped (RFC 9112 over hyper).
//!
//! ```text
//!  accept ─▶ total < max_connections and this address < max_connections_per_address?
//!              ├─ no: close at once (the client sees a reset, nothing is buffered)
//!              └─ yes: hyper http1, header_read_timeout = header_timeout
//!                      (runs while a request head is awaited: a slow head and an
//!                      idle keep-alive both end the connection), max_buf_size 16 KiB
//!                      (a longer head: 431), Content-Length > max_body_bytes: 413,
//!                      longer chunked bodies fail when read
//! ```
//!
//! A slow-loris client therefore holds at most `max_connections_per_address`
//! connections of at most 16 KiB each, each for at most `header_timeout`.
//! The peer address reaches handlers as axum's `ConnectInfo<SocketAddr>`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use http_body_util::Limited;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tracing::{debug, warn};

use crate::config::ApiConfig;

/// The largest request head (request line and headers).
const MAX_HEAD_BYTES: usize = 16 * 1024;

/// What one API server allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServerLimits {
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    pub header_timeout: Duration,
    pub max_body_bytes: usize,
}

impl ServerLimits {
    pub fn from_config(api: &ApiConfig) -> Self {
        Self {
            max_connections: api.max_connections.max(1),
            max_connections_per_address: api.max_connections_per_address.max(1),
            header_timeout: Duration::from_secs(u64::from(api.header_timeout_s.max(1))),
            max_body_bytes: api.max_body_bytes,
        }
    }
}

/// Places for long-lived things (connections, event streams) bounded in
/// total and per client address.
#[derive(Debug)]
pub struct Slots {
    total: usize,
    per_address: usize,
    table: Arc<Mutex<Table>>,
}

#[derive(Debug, Default)]
struct Table {
    total: usize,
    per_address: HashMap<IpAddr, usize>,
}

/// One place taken; given back when dropped.
#[derive(Debug)]
pub struct Slot {
    table: Arc<Mutex<Table>>,
    address: IpAddr,
}

impl Slots {
    pub fn new(total: usize, per_address: usize) -> Self {
        Self {
            total: total.max(1),
            per_address: per_address.max(1),
            table: Arc::default(),
        }
    }

    /// A place for `address`, or `None` when either bound is reached.
    pub fn take(&self, address: IpAddr) -> Option<Slot> {
        let mut t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let here = t.per_address.get(&address).copied().unwrap_or(0);
        if t.total >= self.total || here >= self.per_address {
            return None;
        }
        t.total += 1;
        t.per_address.insert(address, here + 1);
        Some(Slot {
            table: self.table.clone(),
            address,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut t = self.table.lock().unwrap_or_else(|e| e.into_inner());
        t.total = t.total.saturating_sub(1);
        if let Some(n) = t.per_address.get_mut(&self.address) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                t.per_address.remove(&self.address);
            }
        }
    }
}

/// Serve `router` on `listener` within `limits` until the listener fails.
pub async fn serve(listener: TcpListener, router: Router, limits: ServerLimits) {
    let slots = Slots::new(limits.max_connections, limits.max_connections_per_address);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of descriptors and the like: give the system a moment.
                warn!(error = %e, "HTTP API accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Some(slot) = slots.take(peer.ip()) else {
            debug!(%peer, "HTTP API connection limit reached, closing the new one");
            drop(stream);
            continue;
        };
        let router = router.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let mut router = router.clone();
                async move {
                    // Firmware bundles (operator only, checked before the body is read) have their own cap.
                    let cap = crate::firmware::api::body_limit(request.uri().path())
                        .unwrap_or(limits.max_body_bytes);
                    if too_long(&request, cap) {
                        return Ok(payload_too_large(cap));
                    }
                    let mut request = request.map(|b| Body::new(Limited::new(b, cap)));
                    request.extensions_mut().insert(ConnectInfo(peer));
                    tower_service::Service::call(&mut router, request).await
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_buf_size(MAX_HEAD_BYTES)
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            if let Err(e) = connection.await {
                debug!(%peer, error = %e, "HTTP API connection ended");
            }
        });
    }
}

fn too_long(request: &Request<Incoming>, max: usize) -> bool {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > max as u64)
}

fn payload_too_large(max: usize) -> Response<Body> {
    let body = serde_json::json!({
        "error": "too-large",
        "message": format!("request bodies are limited to {max} bytes"),
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_bounded_in_total_and_per_address_and_given_back() {
        let slots = Slots::new(3, 2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let a1 = slots.take(a).unwrap();
        let _a2 = slots.take(a).unwrap();
        assert!(slots.take(a).is_none(), "per address");
        let _b1 = slots.take(b).unwrap();
        assert!(slots.take(b).is_none(), "in total");
        drop(a1);
        assert!(slots.take(b).is_some());
    }
}
