//! Open stream (TCP) connections, keyed by the peer's address, with idle
//! deadlines as data (read on `now`, never on a clock).
//!
//! A connection is idle when nothing arrived on it for `idle_timeout`; the
//! endpoint closes it then unless a call or a registration still uses it
//! (the phone behind NAT can be reached only on the connection it opened),
//! in which case the deadline moves on by another `idle_timeout`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// The table of open connections.
#[derive(Debug)]
pub struct Connections {
    idle_timeout: Duration,
    max: usize,
    /// Connections from one IP address at most, so one host cannot take
    /// every slot.
    max_per_address: usize,
    /// Peer address → idle deadline.
    open: HashMap<SocketAddr, Instant>,
}

impl Connections {
    pub fn new(idle_timeout: Duration, max: usize) -> Self {
        Self {
            idle_timeout,
            max,
            max_per_address: max,
            open: HashMap::new(),
        }
    }

    /// At most `n` connections per peer IP address.
    pub fn with_max_per_address(mut self, n: usize) -> Self {
        self.max_per_address = n.max(1);
        self
    }

    /// A new connection from (or to) `peer`; `false` when the table is full
    /// or `peer`'s address has its share (the runtime then closes it at once).
    pub fn open(&mut self, now: Instant, peer: SocketAddr) -> bool {
        if !self.open.contains_key(&peer) {
            let ip = peer.ip().to_canonical();
            let same = self
                .open
                .keys()
                .filter(|p| p.ip().to_canonical() == ip)
                .count();
            if self.open.len() >= self.max || same >= self.max_per_address {
                return false;
            }
        }
        self.open.insert(peer, now + self.idle_timeout);
        true
    }

    /// Something arrived on the connection with `peer`.
    pub fn touch(&mut self, now: Instant, peer: SocketAddr) {
        if let Some(deadline) = self.open.get_mut(&peer) {
            *deadline = now + self.idle_timeout;
        }
    }

    pub fn close(&mut self, peer: SocketAddr) {
        self.open.remove(&peer);
    }

    pub fn contains(&self, peer: SocketAddr) -> bool {
        self.open.contains_key(&peer)
    }

    pub fn len(&self) -> usize {
        self.open.len()
    }

    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// The earliest idle deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.open.values().min().copied()
    }

    /// Remove and return the connections idle at `now` that `in_use` does
    /// not claim; those in use get another `idle_timeout`.
    pub fn expire(&mut self, now: Instant, in_use: impl Fn(SocketAddr) -> bool) -> Vec<SocketAddr> {
        let mut closed = Vec::new();
        let idle_timeout = self.idle_timeout;
        self.open.retain(|peer, deadline| {
            if *deadline > now {
                return true;
            }
            if in_use(*peer) {
                *deadline = now + idle_timeout;
                return true;
            }
            closed.push(*peer);
            false
        });
        closed.sort();
        closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    #[test]
    fn idle_connections_close_unless_in_use() {
        let t0 = Instant::now();
        let idle = Duration::from_secs(60);
        let mut c = Connections::new(idle, 8);
        assert!(c.open(t0, addr(1)));
        assert!(c.open(t0, addr(2)));
        c.touch(t0 + Duration::from_secs(30), addr(2));
        assert_eq!(c.next_deadline(), Some(t0 + idle));
        assert!(c.expire(t0 + Duration::from_secs(59), |_| false).is_empty());
        let t1 = t0 + idle;
        assert_eq!(c.expire(t1, |_| false), vec![addr(1)]);
        // addr(2) is idle at 90 s but a call uses it: kept another minute.
        let t2 = t0 + Duration::from_secs(90);
        assert!(c.expire(t2, |p| p == addr(2)).is_empty());
        assert_eq!(c.next_deadline(), Some(t2 + idle));
        assert_eq!(c.expire(t2 + idle, |_| false), vec![addr(2)]);
        assert!(c.is_empty());
    }

    #[test]
    fn the_table_is_bounded() {
        let t0 = Instant::now();
        let mut c = Connections::new(Duration::from_secs(1), 2);
        assert!(c.open(t0, addr(1)));
        assert!(c.open(t0, addr(2)));
        assert!(!c.open(t0, addr(3)));
        assert!(c.open(t0, addr(2)), "a known peer is not a new connection");
        c.close(addr(1));
        assert!(c.open(t0, addr(3)));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn one_address_cannot_take_every_slot() {
        let now = Instant::now();
        let mut c = Connections::new(Duration::from_secs(1), 8).with_max_per_address(2);
        let a = |port| SocketAddr::from(([192, 0, 2, 1], port));
        assert!(c.open(now, a(1)));
        assert!(c.open(now, a(2)));
        assert!(!c.open(now, a(3)), "a third from the same address");
        assert!(c.open(now, a(1)), "an open one is not new");
        assert!(c.open(now, SocketAddr::from(([192, 0, 2, 2], 1))));
        c.close(a(1));
        assert!(c.open(now, a(3)));
    }
}
