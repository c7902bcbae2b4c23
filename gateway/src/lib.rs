//! The gateway firmware's library: everything the `gateway` binary runs.
//!
//! - [`config`]: the TOML configuration and its validation.
//! - [`call`]: the sans-IO core ([`call::Controller`]) gluing SIP, line ports and media.
//! - [`line`](mod@line): FXO line signalling above the driver trait.
//! - [`call_server`]: routing calls to call centres (rules, hours, load, route tokens).
//! - [`card`]: the configured line card (simulated exchange or hardware).
//! - [`front_panel`]: the LEDs showing the gateway's state, the reset button.
//! - [`media`]: RTP, RFC 4733, playout, SDP offer/answer for the audio stream.
//! - [`command`]: DTMF command sequences (`*76` ...).
//! - [`console`]: the management console.
//! - [`api`]: the HTTP API (ports, calls, ANI lookup, call records).
//! - [`records`]: durable call records (JSON lines) and their export.
//! - [`notify`]: call events and commands to merchants' webhooks and browsers.
//! - [`watchdog`]: feeding the hardware watchdog while the loops are healthy.
//! - [`runtime`]: the one place with sockets, devices and the real clock.
//! - [`store`]: the saved configuration, power-loss safe, with its fallbacks.
//!
//! See `docs/ARCHITECTURE.md` for the data flow of a call.

pub mod api;
pub mod call;
pub mod call_server;
pub mod card;
pub mod command;
pub mod config;
pub mod console;
pub mod firmware;
pub mod front_panel;
pub mod line;
pub mod media;
pub mod notify;
pub mod records;
pub mod runtime;
pub mod store;
pub mod watchdog;
