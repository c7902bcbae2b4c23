//! A merchant's web server stand-in: accepts webhook POSTs on a free loopback
//! port, answers the first `fail_first` with 500 (to exercise retries), and keeps
//! the JSON bodies it accepted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::{Arc, Mutex};

/// The receiver.
#[derive(Debug, Clone)]
pub struct WebhookReceiver {
    /// Its address.
    pub addr: SocketAddr,
    accepted: Arc<Mutex<Vec<serde_json::Value>>>,
    refused: Arc<Mutex<usize>>,
}

impl WebhookReceiver {
    /// Start listening.
    pub fn start(fail_first: usize) -> WebhookReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind webhook");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0usize));
        let (a, r) = (accepted.clone(), refused.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut len = 0usize;
                let mut line = String::new();
                while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                    line.clear();
                }
                let mut body = vec![0u8; len];
                if reader.read_exact(&mut body).is_err() {
                    continue;
                }
                let fail = {
                    let mut refused = r.lock().expect("lock");
                    let fail = *refused < fail_first;
                    if fail {
                        *refused += 1;
                    }
                    fail
                };
                let status = if fail {
                    "500 Internal Server Error"
                } else {
                    if let Ok(v) = serde_json::from_slice(&body) {
                        a.lock().expect("lock").push(v);
                    }
                    "200 OK"
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            }
        });
        WebhookReceiver {
            addr,
            accepted,
            refused,
        }
    }

    /// Bodies accepted so far.
    pub fn accepted(&self) -> Vec<serde_json::Value> {
        self.accepted.lock().expect("lock").clone()
    }

    /// How many were answered 500.
    pub fn refused(&self) -> usize {
        *self.refused.lock().expect("lock")
    }
}
