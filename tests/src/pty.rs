//! A pty pair standing in for the box's serial console line.

use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use nix::pty::openpty;
use nix::sys::termios::{self, SetArg};

/// The terminal side (master) of a pty whose slave path the gateway opens.
#[derive(Debug)]
pub struct Pty {
    master: OwnedFd,
    // Kept open so the line stays up while the gateway reopens it.
    _slave: OwnedFd,
    /// The slave's path, e.g. `/dev/pts/3`.
    pub path: PathBuf,
}

impl Pty {
    /// Open a pty pair in raw mode.
    pub fn open() -> Pty {
        let pair = openpty(None, None).expect("openpty");
        let path = nix::unistd::ttyname(&pair.slave).expect("ttyname");
        let mut t = termios::tcgetattr(&pair.slave).expect("tcgetattr");
        termios::cfmakeraw(&mut t);
        termios::tcsetattr(&pair.slave, SetArg::TCSANOW, &t).expect("tcsetattr");
        Pty {
            master: pair.master,
            _slave: pair.slave,
            path,
        }
    }

    /// Type `text` on the terminal.
    pub fn write(&self, text: &str) {
        nix::unistd::write(&self.master, text.as_bytes()).expect("write pty");
    }

    /// Read what arrives until `needle` appears or `limit` passes.
    pub fn read_until(&self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        let mut text = String::new();
        while Instant::now() < deadline && !text.contains(needle) {
            if let Some(bytes) = self.read_some() {
                text.push_str(&String::from_utf8_lossy(&bytes));
            }
        }
        text
    }

    /// Read raw bytes until `enough` says so of all read so far, or `limit`
    /// passes.
    pub fn read_bytes_until(&self, enough: impl Fn(&[u8]) -> bool, limit: Duration) -> Vec<u8> {
        let deadline = Instant::now() + limit;
        let mut bytes = Vec::new();
        while Instant::now() < deadline && !enough(&bytes) {
            if let Some(more) = self.read_some() {
                bytes.extend_from_slice(&more);
            }
        }
        bytes
    }

    /// What one read gives within 50 ms, if anything.
    fn read_some(&self) -> Option<Vec<u8>> {
        let mut fds = [nix::poll::PollFd::new(
            std::os::fd::AsFd::as_fd(&self.master),
            nix::poll::PollFlags::POLLIN,
        )];
        let ready = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(50u16)).unwrap_or(0);
        if ready == 0 {
            return None;
        }
        let mut buf = [0u8; 1024];
        match nix::unistd::read(&self.master, &mut buf) {
            Ok(n) if n > 0 => Some(buf[..n].to_vec()),
            _ => None,
        }
    }
}
