//! INVITE server transaction (RFC 3261 §17.2.1, RFC 6026 §8.5-8.7).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{Timer, TimerConfig, Timers, TransactionError};
use crate::message::{Request, Response};
use crate::Transmit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerInviteState {
    Proceeding,
    Completed,
    Confirmed,
    Accepted,
    Terminated,
}

/// What an ACK matched to this transaction means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AckDisposition {
    /// ACK for our non-2xx final: consumed by the transaction.
    Absorbed,
    /// ACK for a 2xx: the UA core must handle it (§13.3.1.4).
    ForCore,
}

#[derive(Debug)]
pub struct ServerInvite {
    destination: SocketAddr,
    state: ServerInviteState,
    last_response: Option<Vec<u8>>,
    timers: Timers,
    interval: Duration,
    config: TimerConfig,
}

impl ServerInvite {
    /// Create the transaction and send 100 Trying at once (§17.2.1: the UA
    /// core is not expected to answer within 200 ms, so we never wait).
    pub fn new(
        invite: &Request,
        destination: SocketAddr,
        config: TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> Self {
        let trying = Response::for_request(invite, 100, "Trying").to_bytes();
        out.push_back(Transmit::new(destination, trying.clone()));
        Self {
            destination,
            state: ServerInviteState::Proceeding,
            last_response: Some(trying),
            timers: Timers::default(),
            interval: config.t1,
            config,
        }
    }

    pub fn state(&self) -> ServerInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ServerInviteState::Terminated
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    fn send(&mut self, bytes: Vec<u8>, out: &mut VecDeque<Transmit>) {
        out.push_back(Transmit::new(self.destination, bytes.clone()));
        self.last_response = Some(bytes);
    }

    /// Send a response from the UA core. A 2xx is sent once; the core
    /// retransmits it until the ACK (§13.3.1.4).
    pub fn respond(
        &mut self,
        now: Instant,
        response: &Response,
        out: &mut VecDeque<Transmit>,
    ) -> Result<(), TransactionError> {
        if self.state != ServerInviteState::Proceeding {
            return Err(TransactionError::FinalResponseSent);
        }
        let bytes = response.to_bytes();
        match response.status {
            100..=199 => self.send(bytes, out),
            200..=299 => {
                self.send(bytes, out);
                self.state = ServerInviteState::Accepted;
                self.timers.set(Timer::L, now + self.config.timeout());
            }
            300..=699 => {
                self.send(bytes, out);
                self.state = ServerInviteState::Completed;
                self.interval = self.config.t1;
                if !self.config.reliable {
                    self.timers.set(Timer::G, now + self.interval);
                }
                self.timers.set(Timer::H, now + self.config.timeout());
            }
            other => return Err(TransactionError::InvalidStatus(other)),
        }
        Ok(())
    }

    /// A retransmitted INVITE: resend the last provisional or non-2xx final.
    pub fn on_retransmission(&mut self, out: &mut VecDeque<Transmit>) {
        if matches!(
            self.state,
            ServerInviteState::Proceeding | ServerInviteState::Completed
        ) {
            if let Some(bytes) = &self.last_response {
                out.push_back(Transmit::new(self.destination, bytes.clone()));
            }
        }
    }

    pub fn on_ack(&mut self, now: Instant) -> AckDisposition {
        match self.state {
            ServerInviteState::Completed => {
                self.state = ServerInviteState::Confirmed;
                self.timers.stop_all();
                self.timers
                    .set(Timer::I, now + self.config.absorb(self.config.t4));
                AckDisposition::Absorbed
            }
            ServerInviteState::Accepted => AckDisposition::ForCore,
            _ => AckDisposition::Absorbed,
        }
    }

    /// Run expired timers; `true` when Timer H fired (ACK never came).
    pub fn on_timeout(&mut self, now: Instant, out: &mut VecDeque<Transmit>) -> bool {
        let mut timed_out = false;
        while let Some(timer) = self.timers.pop_expired(now) {
            match timer {
                Timer::G if self.state == ServerInviteState::Completed => {
                    if let Some(bytes) = &self.last_response {
                        out.push_back(Transmit::new(self.destination, bytes.clone()));
                    }
                    self.interval = self.interval.saturating_mul(2).min(self.config.t2);
                    self.timers.set(Timer::G, now + self.interval);
                }
                Timer::H => {
                    self.timers.stop_all();
                    self.state = ServerInviteState::Terminated;
                    timed_out = true;
                }
                Timer::I | Timer::L => {
                    self.timers.stop_all();
                    self.state = ServerInviteState::Terminated;
                }
                _ => {}
            }
        }
        timed_out
    }
}
