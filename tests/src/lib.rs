//! Harness for the end-to-end tests: run the real `gateway` binary on the
//! simulated board, drive it with real peers (`sipp`), capture what it sends.
//!
//! Every process a test starts is ended by its pid when the handle drops. Every
//! socket is bound to a free port on loopback, so tests run in parallel.

pub mod audio;
pub mod config;
pub mod ffmpeg;
pub mod gateway;
pub mod http;
pub mod peers;
pub mod pty;
pub mod rtp_capture;
pub mod sipp;
pub mod softphone;
pub mod sse;
pub mod webhook;

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The workspace's root folder.
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Wait until `check` returns `Some`, polling every 20 ms, for at most `limit`.
/// (A readiness wait with a bound, not a sleep that makes timing work.)
pub fn wait_for<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub use peers::{have, require, require_ipv6_loopback, require_second_loopback};
