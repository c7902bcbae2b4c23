//! Call control: legs, flows and the switchboard between SIP, line ports and media.
//!
//! - [`leg`](self::leg): one party of a call behind one interface (a line
//!   port's party, an IP client by SIP), each on the technology it needs (a
//!   line port, an RTP transport from the pool).
//! - [`flow`](self::flow): sans-IO state machines with their own timers that
//!   create legs and connect them (`bridge.rs` today).
//! - [`Switchboard`]: the gateway's sans-IO core. The runtime feeds it
//!   datagrams, line events, 20 ms line frames and timeouts, each with `now`,
//!   and drains what it wants sent (SIP, RTP, line commands). It never reads
//!   the clock or touches a socket.

mod context;
mod dtmf_relay;
pub(crate) mod flow;
pub(crate) mod leg;
pub mod merchant;
mod record;
mod route;
mod settings;
mod switchboard;
mod view;

pub use context::CallContext;
pub use record::{Direction, FinishedCall};
pub use route::{Route, RouteError, Routes};
pub use settings::CallSettings;
pub use switchboard::Switchboard;
pub use view::{CallTotals, CallView, MediaView, PortView};

/// The name the runtime, the API and the tests know the core by.
pub type Controller = Switchboard;
