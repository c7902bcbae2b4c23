//! RFC 3261 §17 transactions over an unreliable transport, with the RFC 6026
//! "Accepted" state for INVITE (so 2xx retransmissions and their ACKs reach
//! the UA core instead of creating new transactions).
//!
//! Each state machine takes `now`, pushes what it wants sent into a
//! `VecDeque<Transmit>`, and keeps its deadlines in a fixed [`TimerTable`]
//! of [`Timer`]s named as in RFC 3261 Appendix A:
//!
//! ```text
//! client INVITE (§17.1.1)       Calling --1xx--> Proceeding --2xx--> Accepted --M--> Terminated
//!   A: retransmit, T1 doubling     |  \--300-699 (send ACK)--> Completed --D--> Terminated
//!   B: 64*T1 give up               +--B--> Terminated (timeout)
//! client non-INVITE (§17.1.2)   Trying --1xx--> Proceeding --final--> Completed --K--> Terminated
//!   E: retransmit, doubling to T2; F: 64*T1 give up; K: T4 absorb retransmissions
//! server INVITE (§17.2.1)       Proceeding (100 sent at once) --2xx--> Accepted --L--> Terminated
//!   G: retransmit non-2xx,        \--300-699--> Completed --ACK--> Confirmed --I--> Terminated
//!      T1 doubling to T2; H: 64*T1 wait for ACK; I: T4; L: 64*T1
//! server non-INVITE (§17.2.2)   Trying --1xx--> Proceeding --final--> Completed --J--> Terminated
//! ```
//!
//! The UA core (not the transaction) retransmits a 2xx to INVITE until the
//! ACK arrives (§13.3.1.4); see `endpoint`.

mod client;
mod client_invite;
mod key;
mod server;
mod server_invite;

use std::time::Duration;

use thiserror::Error;

pub use client::{ClientNonInvite, ClientNonInviteState};
pub use client_invite::{ack_for_non_2xx, ClientInvite, ClientInviteState};
pub use key::{same_address, ClientKey, ForeignResponse, ResponseOrigin, ServerKey};
pub use server::{ServerNonInvite, ServerNonInviteState};
pub use server_invite::{AckDisposition, ServerInvite, ServerInviteState};

use crate::timer::{TimerSlot, TimerTable};

/// The RFC 3261 base timer values (§17.1.1.1, Table 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerConfig {
    /// RTT estimate, default 500 ms.
    pub t1: Duration,
    /// Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s.
    pub t2: Duration,
    /// Maximum duration a message remains in the network, default 5 s.
    pub t4: Duration,
    /// A reliable transport (TCP): no retransmissions (Timers A, E, G are
    /// not started) and no waiting for retransmissions (D, I, J, K are 0),
    /// RFC 3261 §17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2.
    pub reliable: bool,
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self {
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
            reliable: false,
        }
    }
}

impl TimerConfig {
    /// 64*T1: Timers B, F, H, J, L, M.
    pub fn timeout(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// The same timers for a reliable (`true`) or unreliable transport.
    pub fn with_reliable(self, reliable: bool) -> Self {
        Self { reliable, ..self }
    }

    /// `wait` over UDP, zero over TCP: Timers D, I, J, K.
    fn absorb(&self, wait: Duration) -> Duration {
        if self.reliable {
            Duration::ZERO
        } else {
            wait
        }
    }
}

/// Transaction timers, RFC 3261 Appendix A (Table 4) and RFC 6026 §8.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// INVITE request retransmit, starts at T1 and doubles (§17.1.1.2).
    A,
    /// INVITE transaction timeout, 64*T1 (§17.1.1.2).
    B,
    /// Wait for response retransmits after a non-2xx final, >= 32 s (§17.1.1.2).
    D,
    /// Non-INVITE request retransmit, T1 doubling up to T2 (§17.1.2.2).
    E,
    /// Non-INVITE transaction timeout, 64*T1 (§17.1.2.2).
    F,
    /// INVITE non-2xx final response retransmit, T1 doubling up to T2 (§17.2.1).
    G,
    /// Wait for ACK receipt, 64*T1 (§17.2.1).
    H,
    /// Wait for ACK retransmits, T4 (§17.2.1).
    I,
    /// Wait for non-INVITE request retransmits, 64*T1 (§17.2.2).
    J,
    /// Wait for non-INVITE response retransmits, T4 (§17.1.2.2).
    K,
    /// Server INVITE in Accepted: absorb INVITE retransmits, 64*T1 (RFC 6026 §8.7).
    L,
    /// Client INVITE in Accepted: pass 2xx retransmits up, 64*T1 (RFC 6026 §8.4).
    M,
}

impl TimerSlot for Timer {
    const ALL: &'static [Self] = &[
        Timer::A,
        Timer::B,
        Timer::D,
        Timer::E,
        Timer::F,
        Timer::G,
        Timer::H,
        Timer::I,
        Timer::J,
        Timer::K,
        Timer::L,
        Timer::M,
    ];
    fn index(self) -> usize {
        self as usize
    }
}

/// The fixed timer table every transaction owns.
pub type Timers = TimerTable<Timer, 12>;

/// Misuse of a transaction by the UA core.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TransactionError {
    #[error("a final response was already sent")]
    FinalResponseSent,
    #[error("status {0} is not allowed here")]
    InvalidStatus(u16),
}

#[cfg(test)]
mod tests;
