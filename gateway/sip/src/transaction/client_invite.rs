//! INVITE client transaction (RFC 3261 §17.1.1, RFC 6026 §8.4).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{ResponseOrigin, Timer, TimerConfig, Timers};
use crate::message::{Method, Request, Response};
use crate::transport::Transport;
use crate::Transmit;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientInviteState {
    Calling,
    Proceeding,
    /// Non-2xx final received; `ack` is resent for every retransmission.
    Completed {
        ack: Vec<u8>,
    },
    /// 2xx received (RFC 6026): further 2xx go to the UA core to be ACKed.
    Accepted,
    Terminated,
}

#[derive(Debug)]
pub struct ClientInvite {
    destination: SocketAddr,
    origin: ResponseOrigin,
    invite: Request,
    bytes: Vec<u8>,
    state: ClientInviteState,
    timers: Timers,
    interval: Duration,
    config: TimerConfig,
    cancel_guard: bool,
}

/// The ACK the transaction sends for a 300-699 response (§17.1.1.3).
pub fn ack_for_non_2xx(invite: &Request, response: &Response) -> Request {
    let mut ack = Request::new(Method::Ack, invite.uri.clone());
    if let Some(via) = invite.headers.list("Via").next() {
        ack.headers.push("Via", via);
    }
    ack.headers.push("Max-Forwards", "70");
    for name in ["From", "To", "Call-ID"] {
        let source = if name == "To" {
            &response.headers
        } else {
            &invite.headers
        };
        if let Some(v) = source.get(name) {
            ack.headers.push(name, v);
        }
    }
    let seq = invite.headers.cseq().map_or(0, |c| c.seq);
    ack.headers.push("CSeq", format!("{seq} ACK"));
    for route in invite.headers.get_all("Route") {
        ack.headers.push("Route", route);
    }
    ack.headers.push("Content-Length", "0");
    ack
}

impl ClientInvite {
    /// Send `invite` and start Timers A and B.
    pub fn new(
        now: Instant,
        invite: Request,
        destination: SocketAddr,
        config: TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> Self {
        let bytes = invite.to_bytes();
        out.push_back(Transmit::new(destination, bytes.clone()));
        let mut timers = Timers::default();
        if !config.reliable {
            timers.set(Timer::A, now + config.t1);
        }
        timers.set(Timer::B, now + config.timeout());
        let transport = if config.reliable {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        Self {
            origin: ResponseOrigin::new(&invite, destination, transport),
            destination,
            invite,
            bytes,
            state: ClientInviteState::Calling,
            timers,
            interval: config.t1,
            config,
            cancel_guard: false,
        }
    }

    pub fn request(&self) -> &Request {
        &self.invite
    }

    pub fn state(&self) -> &ClientInviteState {
        &self.state
    }

    pub fn is_terminated(&self) -> bool {
        self.state == ClientInviteState::Terminated
    }

    /// What a response must match besides the key (see [`ResponseOrigin`]).
    pub fn origin(&self) -> &ResponseOrigin {
        &self.origin
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next()
    }

    /// A CANCEL was sent: give the INVITE 64*T1 more for its final response,
    /// even in Proceeding, then treat it as timed out (§9.1).
    pub fn cancel_sent(&mut self, now: Instant) {
        if matches!(
            self.state,
            ClientInviteState::Calling | ClientInviteState::Proceeding
        ) {
            self.cancel_guard = true;
            self.timers.set(Timer::B, now + self.config.timeout());
        }
    }

    /// Handle a response matched to this transaction; `true` when the UA
    /// core should see it (retransmissions of non-2xx finals are absorbed).
    pub fn on_response(
        &mut self,
        now: Instant,
        response: &Response,
        out: &mut VecDeque<Transmit>,
    ) -> bool {
        match (&self.state, response.status) {
            (ClientInviteState::Calling | ClientInviteState::Proceeding, 100..=199) => {
                self.state = ClientInviteState::Proceeding;
                self.timers.stop(Timer::A);
                if !self.cancel_guard {
                    self.timers.stop(Timer::B);
                }
                true
            }
            (ClientInviteState::Calling | ClientInviteState::Proceeding, 200..=299) => {
                self.state = ClientInviteState::Accepted;
                self.timers.stop_all();
                self.timers.set(Timer::M, now + self.config.timeout());
                true
            }
            (ClientInviteState::Calling | ClientInviteState::Proceeding, _) => {
                let ack = ack_for_non_2xx(&self.invite, response).to_bytes();
                out.push_back(Transmit::new(self.destination, ack.clone()));
                self.state = ClientInviteState::Completed { ack };
                self.timers.stop_all();
                let d = self
                    .config
                    .absorb(Duration::from_secs(32).max(self.config.timeout()));
                self.timers.set(Timer::D, now + d);
                true
            }
            (ClientInviteState::Accepted, 200..=299) => true,
            (ClientInviteState::Completed { ack }, 300..=699) => {
                out.push_back(Transmit::new(self.destination, ack.clone()));
                false
            }
            _ => false,
        }
    }

    /// Run expired timers; `true` when the transaction timed out (Timer B).
    pub fn on_timeout(&mut self, now: Instant, out: &mut VecDeque<Transmit>) -> bool {
        let mut timed_out = false;
        while let Some(timer) = self.timers.pop_expired(now) {
            match timer {
                Timer::A if self.state == ClientInviteState::Calling => {
                    out.push_back(Transmit::new(self.destination, self.bytes.clone()));
                    self.interval = self.interval.saturating_mul(2);
                    self.timers.set(Timer::A, now + self.interval);
                }
                Timer::B => {
                    self.timers.stop_all();
                    self.state = ClientInviteState::Terminated;
                    timed_out = true;
                }
                Timer::D | Timer::M => {
                    self.timers.stop_all();
                    self.state = ClientInviteState::Terminated;
                }
                _ => {}
            }
        }
        timed_out
    }
}
