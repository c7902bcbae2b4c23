//! Flows: the state machines that create legs and connect them.
//!
//! A flow is sans-IO like everything in call control: it is driven by the
//! events of the legs it owns ([`Flow::handle_leg_event`]) and by its own
//! timers ([`Flow::handle_timeout`], [`Flow::poll_timeout`]), with `now`
//! given. It acts only through the [`Desk`] it is lent: the leg table (open,
//! answer, alert, connect, send digits, hang up), the dialplan (routes and
//! command tables) and the records (notifications, finished calls).
//!
//! | file | flow |
//! |---|---|
//! | `bridge.rs` | one leg in, route, one leg out, connect (IP client → line, line → IP client, IP client → IP client) |
//! | `digits.rs` | a bridge's DTMF command plane |
//!
//! Call-server routing, the ACD buffer and callback will be siblings of
//! `bridge.rs`: a new file, a variant of [`AnyFlow`], and the switchboard's
//! call site that starts it (see docs/ARCHITECTURE.md, "How to add a flow").

mod bridge;
mod digits;

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::Instant;

use drivers::Frame;

pub(crate) use bridge::{refused, Bridge, IncomingSip};

use super::leg::{LegEvent, LegId, Legs};
use super::record::{ended, FinishedCall};
use super::route::Routes;
use super::view::{CallTotals, CallView};
use crate::command::CommandTable;
use crate::config::Config;
use crate::notify::Notification;

/// One flow, unique for the core's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct FlowId(pub u32);

impl fmt::Display for FlowId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "flow{}", self.0)
    }
}

/// What flows need of the configuration: routes and DTMF command tables.
/// Built from the TOML schema once, and again on a live reconfiguration.
#[derive(Debug, Clone)]
pub(crate) struct Dialplan {
    /// Outbound routes.
    pub routes: Routes,
    commands: CommandTable,
    /// Named command tables (`[[command_tables]]`).
    command_tables: HashMap<String, CommandTable>,
}

impl Dialplan {
    /// The dialplan `config` describes.
    pub(crate) fn from_config(config: &Config) -> Self {
        Dialplan {
            routes: Routes::from_config(config),
            commands: CommandTable::from_config(&config.commands),
            command_tables: config
                .command_tables
                .iter()
                .filter_map(|t| Some((t.name.clone()?, CommandTable::from_config(t))))
                .collect(),
        }
    }

    /// Take a new configuration's routes and default table (named tables
    /// stay: they cannot change live).
    pub(crate) fn reconfigure(&mut self, config: &Config) {
        self.routes = Routes::from_config(config);
        self.commands = CommandTable::from_config(&config.commands);
    }

    /// The command table called `name`, or the default one.
    pub(crate) fn command_table(&self, name: Option<&str>) -> CommandTable {
        name.and_then(|n| self.command_tables.get(n))
            .unwrap_or(&self.commands)
            .clone()
    }

    /// A table with no commands: every digit passes.
    pub(crate) fn no_commands() -> CommandTable {
        CommandTable::from_config(&crate::config::CommandsConfig::default())
    }
}

/// What flows report to the world outside the call.
#[derive(Debug, Default)]
pub(crate) struct Records {
    /// For webhooks and event streams.
    pub notifications: VecDeque<Notification>,
    /// For the call records.
    pub finished: VecDeque<FinishedCall>,
    /// Calls that ended since start, and their RTP (`show stats`).
    pub ended: CallTotals,
}

impl Records {
    /// A call is over: its `call-ended` notification and its record.
    pub(crate) fn finish(&mut self, finished: FinishedCall) {
        self.ended.calls += 1;
        self.ended.answered += u64::from(finished.answered.is_some());
        self.notifications.push_back(ended(&finished));
        self.finished.push_back(finished);
    }
}

/// What a flow works with, lent by the switchboard on each call.
#[derive(Debug)]
pub(crate) struct Desk<'a> {
    /// Every leg and the technologies under them.
    pub legs: &'a mut Legs,
    /// Notifications and finished calls.
    pub records: &'a mut Records,
    /// Routes and command tables.
    pub dialplan: &'a Dialplan,
}

/// Two legs whose media the switchboard moves every 20 ms, and the last frame
/// read from each (what a packet leg's peer hears on the next tick).
#[derive(Debug)]
pub(crate) struct Bridged<'a> {
    /// The legs.
    pub legs: [LegId; 2],
    /// The last frame read from `legs[0]` and `legs[1]`.
    pub heard: &'a mut [Frame; 2],
}

/// What every flow does.
pub(crate) trait Flow {
    /// An event of one of the flow's legs.
    fn handle_leg_event(&mut self, now: Instant, desk: &mut Desk<'_>, leg: LegId, event: LegEvent);
    /// Let time pass: fire the flow's due timers.
    fn handle_timeout(&mut self, now: Instant, desk: &mut Desk<'_>);
    /// The flow's earliest timer.
    fn poll_timeout(&self) -> Option<Instant>;
    /// End the call from the management side (`reason` for the record).
    fn hang_up(&mut self, now: Instant, desk: &mut Desk<'_>, reason: &str);
    /// The legs whose media is bridged now.
    fn bridged(&mut self) -> Option<Bridged<'_>>;
    /// The legs the flow owns.
    fn legs(&self) -> heapless::Vec<LegId, 2>;
    /// Over: the switchboard drops it.
    fn is_over(&self) -> bool;
    /// The SIP Call-ID the call is known by.
    fn call_id(&self) -> &str;
    /// The call as the console and the API show it (`None`: not shown).
    fn view(&self, now: Instant, legs: &Legs) -> Option<CallView>;
    /// Answered (for the totals of calls in progress).
    fn is_answered(&self) -> bool;
}

/// Every kind of flow, held by the switchboard.
#[derive(Debug)]
pub(crate) enum AnyFlow {
    /// One leg in, one leg out.
    Bridge(Box<Bridge>),
}

impl AnyFlow {
    /// The flow behind the common interface.
    pub(crate) fn as_flow(&mut self) -> &mut dyn Flow {
        match self {
            AnyFlow::Bridge(b) => b.as_mut(),
        }
    }

    /// The flow behind the common interface, read-only.
    pub(crate) fn as_flow_ref(&self) -> &dyn Flow {
        match self {
            AnyFlow::Bridge(b) => b.as_ref(),
        }
    }
}
