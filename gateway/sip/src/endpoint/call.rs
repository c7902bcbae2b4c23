//! One call as the UA core sees it: a dialog plus where the INVITE
//! transaction and the hangup stand.
//!
//! ```text
//! UAC:  Outgoing --2xx (ACK sent)--> Confirmed --BYE--> Terminating --final--> gone
//!          |  \--CANCEL pending/sent, 2xx arrives: ACK + BYE --> Terminating
//!          +--3xx-6xx / Timer B--> gone (Failed or, after hangup, Ended)
//! UAS:  Incoming --accept (2xx)--> AwaitingAck --ACK--> Confirmed
//!          |                           +--64*T1 no ACK: BYE--> Terminating
//!          +--reject / CANCEL (487) / hangup (480)--> gone
//! both: Confirmed --re-INVITE, 2xx (see `reinvite`)--> AwaitingAck --ACK--> Confirmed
//! ```

use std::net::SocketAddr;
use std::time::Duration;

use crate::dialog::Dialog;
use crate::message::Request;
use crate::timer::{TimerSlot, TimerTable};
use crate::transaction::{ClientKey, ServerKey};

use super::CallState;

/// The UA core's own timers for a call (RFC 3261 §13.3.1.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CallTimer {
    /// Retransmit our 2xx: T1, doubling up to T2, until the ACK arrives.
    Retransmit2xx,
    /// Give up waiting for the ACK after 64*T1 and end the call with BYE.
    AckWait,
}

impl TimerSlot for CallTimer {
    const ALL: &'static [Self] = &[CallTimer::Retransmit2xx, CallTimer::AckWait];
    fn index(self) -> usize {
        self as usize
    }
}

/// Hangup progress of an outgoing call that has no final response yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cancel {
    NotRequested,
    /// Hangup before any provisional response: CANCEL waits for one (§9.1).
    Pending,
    Sent,
}

#[derive(Clone, Debug)]
pub(crate) enum State {
    /// UAC: INVITE sent (§13.2.1).
    Outgoing {
        invite: ClientKey,
        provisional: bool,
        cancel: Cancel,
    },
    /// UAS: IncomingCall delivered, waiting for call control (§13.3.1).
    Incoming {
        invite: ServerKey,
    },
    /// UAS: 2xx sent and retransmitted until the ACK (§13.3.1.4).
    AwaitingAck {
        response: Vec<u8>,
        interval: Duration,
        hangup: bool,
        ack_for: AckFor,
    },
    Confirmed,
    /// BYE sent (§15.1.1); `notify` = report `Ended` when it completes.
    Terminating {
        notify: bool,
    },
}

/// Which 2xx an ACK we wait for confirms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AckFor {
    /// The initial INVITE: the ACK confirms the call (`Event::Confirmed`).
    Invite,
    /// A re-INVITE whose offer we answered: nothing more to learn.
    Reoffer,
    /// A re-INVITE without SDP: we offered in the 2xx, the ACK answers.
    DelayedOffer,
}

#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) outgoing: bool,
    pub(crate) dialog: Dialog,
    /// Where every request and response of this call goes.
    pub(crate) peer: SocketAddr,
    /// The INVITE we sent or received.
    pub(crate) invite: Request,
    pub(crate) state: State,
    pub(crate) timers: TimerTable<CallTimer, 2>,
    /// UAC: the ACK for the 2xx, resent when the 2xx is retransmitted.
    pub(crate) ack: Option<Vec<u8>>,
    /// User part for our Contact.
    pub(crate) contact_user: Option<String>,
    /// UAS: who the INVITE's credentials proved the caller to be.
    pub(crate) authenticated_user: Option<String>,
    /// Our current session description (the offer we sent or the answer we
    /// gave), the base of answers to re-INVITEs.
    pub(crate) local_sdp: Option<Vec<u8>>,
}

impl Call {
    pub(crate) fn public_state(&self) -> CallState {
        match &self.state {
            State::Outgoing {
                cancel: Cancel::Pending | Cancel::Sent,
                ..
            } => CallState::Cancelling,
            State::Outgoing {
                provisional: true, ..
            } => CallState::Early,
            State::Outgoing { .. } => CallState::Calling,
            State::Incoming { .. } => CallState::Incoming,
            State::AwaitingAck { .. } => CallState::AwaitingAck,
            State::Confirmed => CallState::Confirmed,
            State::Terminating { .. } => CallState::Terminating,
        }
    }
}
