//! A Server-Sent Events subscriber, as a browser page would be.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A subscription running in a thread.
#[derive(Debug, Clone)]
pub struct SseClient {
    text: Arc<Mutex<String>>,
}

impl SseClient {
    /// Subscribe to `path` on `addr`.
    pub fn connect(addr: SocketAddr, path: &str) -> SseClient {
        let mut s = TcpStream::connect(addr).expect("connect SSE");
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .expect("request");
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let text = Arc::new(Mutex::new(String::new()));
        let t = text.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match s.read(&mut buf) {
                    Ok(0) => return,
                    Ok(n) => t
                        .lock()
                        .expect("lock")
                        .push_str(&String::from_utf8_lossy(&buf[..n])),
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) => {}
                    Err(_) => return,
                }
            }
        });
        SseClient { text }
    }

    /// Subscribe to web session `session`'s events as its page would: with
    /// the token the merchant's server (API token `merchant_token`) got for
    /// it from `GET /api/v1/sessions/{session}/token`.
    pub fn connect_session(addr: SocketAddr, session: &str, merchant_token: &str) -> SseClient {
        let path = format!("/api/v1/sessions/{session}/token");
        let (status, body) = crate::http::get_as(addr, &path, Some(merchant_token))
            .expect("ask for a session token");
        assert_eq!(status, 200, "no session token: {body}");
        let answer: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        let token = answer["token"].as_str().expect("a token");
        SseClient::connect(
            addr,
            &format!("/api/v1/events?session_id={session}&token={token}"),
        )
    }

    /// Everything received, the HTTP head included.
    pub fn raw(&self) -> String {
        self.text.lock().expect("lock").clone()
    }

    /// The body received so far, with HTTP/1.1 chunked framing removed.
    pub fn body(&self) -> String {
        let raw = self.raw();
        let Some((head, mut rest)) = raw.split_once("\r\n\r\n") else {
            return String::new();
        };
        if !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            return rest.to_string();
        }
        let mut body = String::new();
        while let Some((size, after)) = rest.split_once("\r\n") {
            let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
                break;
            };
            if n == 0 || after.len() < n {
                break;
            }
            body.push_str(&after[..n]);
            rest = after[n..].strip_prefix("\r\n").unwrap_or(&after[n..]);
        }
        body
    }

    /// The events received: (event name, data).
    pub fn events(&self) -> Vec<(String, serde_json::Value)> {
        let raw = self.body();
        let mut out = Vec::new();
        let (mut name, mut data) = (String::new(), String::new());
        for line in raw.lines() {
            if let Some(n) = line.strip_prefix("event:") {
                name = n.trim().to_string();
            } else if let Some(d) = line.strip_prefix("data:") {
                data.push_str(d.trim());
            } else if line.is_empty() && !data.is_empty() {
                if let Ok(v) = serde_json::from_str(&data) {
                    out.push((std::mem::take(&mut name), v));
                }
                data.clear();
            } else if line.is_empty() {
                name.clear();
            }
        }
        out
    }
}
