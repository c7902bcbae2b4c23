//! Non-INVITE server transaction (RFC 3261 §17.2.2).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Instant;

use super::{Timer, TimerConfig, Timers, TransactionError};
use crate::message::Response;
use crate::Transmit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerNonInviteState {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

#[derive(Debug)]
pub struct ServerNonInvite {
    destination: SocketAddr,
    state: ServerNonInviteState,
    last_response: Option<Vec<u8>>,
    timers: Timers,
    config: TimerConfig,
}

impl ServerNonInvite {
    pub fn new(destination: SocketAddr, config: TimerConfig) -> Self {
        Self {
            destination,
            state: ServerNonInviteState::Trying,
            last_response: None,
            timers: Timers::default(),
            config,
        }
    }

    pub fn state(&self) -> ServerNonInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ServerNonInviteState::Terminated
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// Send a response from the UA core.
    pub fn respond(
        &mut self,
        now: Instant,
        response: &Response,
        out: &mut VecDeque<Transmit>,
    ) -> Result<(), TransactionError> {
        if matches!(
            self.state,
            ServerNonInviteState::Completed | ServerNonInviteState::Terminated
        ) {
            return Err(TransactionError::FinalResponseSent);
        }
        let bytes = response.to_bytes();
        out.push_back(Transmit::new(self.destination, bytes.clone()));
        self.last_response = Some(bytes);
        if response.is_provisional() {
            self.state = ServerNonInviteState::Proceeding;
        } else {
            self.state = ServerNonInviteState::Completed;
            self.timers
                .set(Timer::J, now + self.config.absorb(self.config.timeout()));
        }
        Ok(())
    }

    /// A retransmission of the request: resend the last response, if any.
    pub fn on_retransmission(&mut self, out: &mut VecDeque<Transmit>) {
        if let Some(bytes) = &self.last_response {
            out.push_back(Transmit::new(self.destination, bytes.clone()));
        }
    }

    pub fn on_timeout(&mut self, now: Instant) {
        if self.timers.pop_expired(now) == Some(Timer::J) {
            self.timers.stop_all();
            self.state = ServerNonInviteState::Terminated;
        }
    }
}
