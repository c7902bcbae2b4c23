//! Call control: the back-to-back user agent between SIP dialogs and line ports.
//!
//! [`Controller`] is the gateway's sans-IO core. The runtime feeds it datagrams,
//! line events, 20 ms line frames and timeouts, each with `now`, and drains what it
//! wants sent (SIP, RTP, line commands). It never reads the clock or touches a socket.

mod context;
mod controller;
mod dtmf_relay;
pub mod merchant;
mod route;
mod state;
mod view;

pub use context::CallContext;
pub use controller::Controller;
pub use route::{Route, RouteError, Routes};
pub use state::{CallSettings, Direction, FinishedCall};
pub use view::{CallTotals, CallView, MediaView, PortView};
