//! The endpoint's transaction tables (RFC 3261 §17): the client and server
//! transactions it runs, why it started each client transaction, and their
//! timers.

use std::time::Instant;

use super::{CallHandle, Endpoint, RegistrationHandle, RequestHandle};
use crate::message::Request;
use crate::transaction::{
    ClientInvite, ClientKey, ClientNonInvite, ResponseOrigin, ServerInvite, ServerKey,
    ServerNonInvite, TransactionError,
};

#[derive(Debug)]
// Both variants are a few hundred bytes (the fixed timer table); boxing one
// would not make the map entries smaller.
#[allow(clippy::large_enum_variant)]
pub(super) enum ClientTransaction {
    Invite(ClientInvite),
    NonInvite(ClientNonInvite),
}

/// Why we started a client transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    Invite(CallHandle),
    Cancel(CallHandle),
    Bye(CallHandle),
    Request(RequestHandle),
    /// One of our REGISTERs.
    Register(RegistrationHandle),
    /// BYE for a 2xx that arrived after its call was gone.
    Orphan,
}

#[derive(Debug)]
pub(super) struct ClientEntry {
    pub(super) tx: ClientTransaction,
    pub(super) purpose: Purpose,
}

#[derive(Debug)]
pub(super) enum ServerTransaction {
    Invite(ServerInvite),
    NonInvite(ServerNonInvite),
}

#[derive(Debug)]
pub(super) struct ServerEntry {
    pub(super) tx: ServerTransaction,
    /// The request, to build responses from.
    pub(super) request: Request,
    pub(super) call: Option<CallHandle>,
}

impl ServerEntry {
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        match &self.tx {
            ServerTransaction::Invite(t) => t.poll_timeout(),
            ServerTransaction::NonInvite(t) => t.poll_timeout(),
        }
    }
}

impl ClientTransaction {
    pub(super) fn origin(&self) -> &ResponseOrigin {
        match self {
            ClientTransaction::Invite(t) => t.origin(),
            ClientTransaction::NonInvite(t) => t.origin(),
        }
    }
}

impl ClientEntry {
    pub(super) fn poll_timeout(&self) -> Option<Instant> {
        match &self.tx {
            ClientTransaction::Invite(t) => t.poll_timeout(),
            ClientTransaction::NonInvite(t) => t.poll_timeout(),
        }
    }
}
impl Endpoint {
    pub(super) fn server_respond(
        &mut self,
        now: Instant,
        key: &ServerKey,
        response: &crate::message::Response,
    ) -> Result<(), TransactionError> {
        match self.server.get_mut(key).map(|e| &mut e.tx) {
            Some(ServerTransaction::Invite(t)) => t.respond(now, response, &mut self.transmits),
            Some(ServerTransaction::NonInvite(t)) => t.respond(now, response, &mut self.transmits),
            None => Err(TransactionError::FinalResponseSent),
        }
    }

    pub(super) fn client_timeouts(&mut self, now: Instant) {
        let due: Vec<ClientKey> = self
            .client
            .iter()
            .filter(|(_, e)| e.poll_timeout().is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in due {
            let Some(entry) = self.client.get_mut(&key) else {
                continue;
            };
            let timed_out = match &mut entry.tx {
                ClientTransaction::Invite(t) => t.on_timeout(now, &mut self.transmits),
                ClientTransaction::NonInvite(t) => t.on_timeout(now, &mut self.transmits),
            };
            let purpose = entry.purpose;
            if timed_out {
                self.on_client_timeout(now, purpose);
            }
        }
        self.client.retain(|_, e| match &e.tx {
            ClientTransaction::Invite(t) => !t.is_terminated(),
            ClientTransaction::NonInvite(t) => !t.is_terminated(),
        });
    }

    pub(super) fn server_timeouts(&mut self, now: Instant) {
        for entry in self.server.values_mut() {
            if entry.poll_timeout().is_some_and(|t| t <= now) {
                match &mut entry.tx {
                    ServerTransaction::Invite(t) => {
                        // Timer H: the ACK for our non-2xx never came; the
                        // call is already gone, nothing to report.
                        let _ = t.on_timeout(now, &mut self.transmits);
                    }
                    ServerTransaction::NonInvite(t) => t.on_timeout(now),
                }
            }
        }
        self.server.retain(|_, e| match &e.tx {
            ServerTransaction::Invite(t) => !t.is_terminated(),
            ServerTransaction::NonInvite(t) => !t.is_terminated(),
        });
    }
}
