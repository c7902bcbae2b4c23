//! Media transports: where a SIP leg's RTP and RTCP go in and out.
//!
//! A [`MediaTransport`] is one RTP socket and its RTCP neighbour (RTP port + 1,
//! RFC 3550 §11) that the runtime bound at start; ICE and DTLS-SRTP transports
//! will be further kinds of the same thing. A SIP leg takes one from the
//! [`TransportPool`] when it is created and gives it back when it ends, so a
//! transport belongs to a leg, not to a line port: a SIP↔SIP bridge takes two,
//! a line↔line bridge none.
//!
//! Sans-IO: the pool only hands out ids and addresses; the runtime owns the
//! sockets, indexed by [`TransportId`].

use std::fmt;
use std::net::SocketAddr;

/// Which of the runtime's RTP/RTCP socket pairs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TransportId(pub u16);

impl TransportId {
    /// Its index among the runtime's sockets.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for TransportId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rtp{}", self.0)
    }
}

/// One RTP/RTCP pair taken from the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MediaTransport {
    /// Which pair.
    pub id: TransportId,
    /// The RTP socket's address (RTCP is on the next port).
    pub local: SocketAddr,
}

/// Every transport is in use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("all {0} RTP transports are in use")]
pub struct PoolExhausted(pub usize);

/// The runtime's RTP/RTCP pairs and which of them a leg holds.
#[derive(Debug, Clone)]
pub struct TransportPool {
    local: Vec<SocketAddr>,
    in_use: Vec<bool>,
}

impl TransportPool {
    /// A pool over the RTP addresses the runtime bound, transport `n` at `local[n]`.
    pub fn new(local: &[SocketAddr]) -> Self {
        TransportPool {
            local: local.to_vec(),
            in_use: vec![false; local.len()],
        }
    }

    /// How many transports there are.
    pub fn len(&self) -> usize {
        self.local.len()
    }

    /// True when the pool has no transports at all.
    pub fn is_empty(&self) -> bool {
        self.local.is_empty()
    }

    /// How many are free.
    pub fn free(&self) -> usize {
        self.in_use.iter().filter(|u| !**u).count()
    }

    /// Take a free transport: `preferred` if it is free (a line port's call
    /// keeps the RTP port `port_base + 2n` the configuration documents), else
    /// the lowest free one.
    pub fn take(&mut self, preferred: Option<usize>) -> Result<MediaTransport, PoolExhausted> {
        let free = |i: &usize| self.in_use.get(*i).is_some_and(|u| !u);
        let index = preferred
            .filter(free)
            .or_else(|| (0..self.in_use.len()).find(free))
            .ok_or(PoolExhausted(self.local.len()))?;
        let (Some(slot), Some(local)) = (self.in_use.get_mut(index), self.local.get(index)) else {
            return Err(PoolExhausted(self.local.len()));
        };
        *slot = true;
        Ok(MediaTransport {
            id: TransportId(index as u16),
            local: *local,
        })
    }

    /// Give a transport back.
    pub fn give_back(&mut self, transport: MediaTransport) {
        if let Some(slot) = self.in_use.get_mut(transport.id.index()) {
            *slot = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(n: u16) -> TransportPool {
        let addrs: Vec<SocketAddr> = (0..n)
            .map(|i| SocketAddr::from(([127, 0, 0, 1], 20000 + 2 * i)))
            .collect();
        TransportPool::new(&addrs)
    }

    #[test]
    fn preferred_transport_is_taken_when_free() {
        let mut p = pool(3);
        let t = p.take(Some(2)).expect("free");
        assert_eq!(t.id, TransportId(2));
        assert_eq!(t.local.port(), 20004);
        // Taken: the next one asking for 2 gets the lowest free one.
        assert_eq!(p.take(Some(2)).expect("free").id, TransportId(0));
        assert_eq!(p.free(), 1);
    }

    #[test]
    fn exhausted_pool_says_so_and_refills() {
        let mut p = pool(2);
        let a = p.take(None).expect("free");
        let _b = p.take(None).expect("free");
        assert_eq!(p.take(None), Err(PoolExhausted(2)));
        p.give_back(a);
        assert_eq!(p.take(Some(7)).expect("free").id, a.id);
    }
}
