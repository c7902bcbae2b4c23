//! Non-INVITE client transaction (RFC 3261 §17.1.2).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{ResponseOrigin, Timer, TimerConfig, Timers};
use crate::message::{Request, Response};
use crate::transport::Transport;
use crate::Transmit;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientNonInviteState {
    Trying,
    Proceeding,
    Completed,
    Terminated,
}

#[derive(Debug)]
pub struct ClientNonInvite {
    destination: SocketAddr,
    origin: ResponseOrigin,
    bytes: Vec<u8>,
    state: ClientNonInviteState,
    timers: Timers,
    interval: Duration,
    config: TimerConfig,
}

impl ClientNonInvite {
    /// Send `request` and start Timers E and F.
    pub fn new(
        now: Instant,
        request: &Request,
        destination: SocketAddr,
        config: TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> Self {
        let bytes = request.to_bytes();
        out.push_back(Transmit::new(destination, bytes.clone()));
        let mut timers = Timers::default();
        if !config.reliable {
            timers.set(Timer::E, now + config.t1);
        }
        timers.set(Timer::F, now + config.timeout());
        let transport = if config.reliable {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        Self {
            origin: ResponseOrigin::new(request, destination, transport),
            destination,
            bytes,
            state: ClientNonInviteState::Trying,
            timers,
            interval: config.t1,
            config,
        }
    }

    pub fn state(&self) -> ClientNonInviteState {
        self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ClientNonInviteState::Terminated
    }

    /// What a response must match besides the key (see [`ResponseOrigin`]).
    pub fn origin(&self) -> &ResponseOrigin {
        &self.origin
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// `true` when the UA core should see the response.
    pub fn on_response(&mut self, now: Instant, response: &Response) -> bool {
        match self.state {
            ClientNonInviteState::Trying | ClientNonInviteState::Proceeding => {
                if response.is_provisional() {
                    self.state = ClientNonInviteState::Proceeding;
                } else {
                    self.state = ClientNonInviteState::Completed;
                    self.timers.stop_all();
                    self.timers
                        .set(Timer::K, now + self.config.absorb(self.config.t4));
                }
                true
            }
            _ => false,
        }
    }

    /// Run expired timers; `true` when Timer F fired (no final response).
    pub fn on_timeout(&mut self, now: Instant, out: &mut VecDeque<Transmit>) -> bool {
        let mut timed_out = false;
        while let Some(timer) = self.timers.pop_expired(now) {
            match (timer, self.state) {
                (Timer::E, ClientNonInviteState::Trying | ClientNonInviteState::Proceeding) => {
                    out.push_back(Transmit::new(self.destination, self.bytes.clone()));
                    self.interval = if self.state == ClientNonInviteState::Trying {
                        self.interval.saturating_mul(2).min(self.config.t2)
                    } else {
                        self.config.t2
                    };
                    self.timers.set(Timer::E, now + self.interval);
                }
                (Timer::F, _) => {
                    self.timers.stop_all();
                    self.state = ClientNonInviteState::Terminated;
                    timed_out = true;
                }
                (Timer::K, _) => {
                    self.timers.stop_all();
                    self.state = ClientNonInviteState::Terminated;
                }
                _ => {}
            }
        }
        timed_out
    }
}
