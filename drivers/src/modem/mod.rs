//! A serial-attached AT-command voice modem as a line interface (ITU-T V.253
//! voice commands, as implemented by Rockwell/Conexant, USR and Agere chipsets).
//!
//! ```text
//!   Initialising ──OK to ATZ, AT+FCLASS=8, AT+VCID=1, AT+VSM=..──▶ Idle
//!   Idle ──OffHook: AT+VLS=1, AT+VTR──▶ Voice (full duplex, DLE-shielded data)
//!   Voice ──OnHook: <DLE><ETX>, ATH──▶ Idle
//!   any reply ERROR or no reply in `command_timeout` ──▶ Failed (reported once)
//!
//!   command mode lines: RING ─▶ RingOn (RingOff after `ring_burst`),
//!                       DATE/TIME/NMBR/NAME ─▶ CallerId (after AT+VCID=1)
//!   voice data:  <DLE><DLE> = data byte 0x10, <DLE><ETX> = end of voice data,
//!                <DLE>0-9*#A-D = DTMF, <DLE>R = ring, <DLE>l = loop current
//!                interruption (LoopCurrentDrop), <DLE>L = polarity reversal,
//!                <DLE>b/d/… = tone reports
//! ```
//!
//! [`ModemSession`] is the sans-IO protocol core: bytes and commands in, bytes,
//! events and voice frames out, timers on the caller's `now`. [`ModemPort`] is the
//! serial shell over the `serialport` crate.
//!
//! The trait [`crate::LineCard`] reports only electrical line events; the caller ID
//! and DTMF digits a modem decodes itself come out as [`ModemEvent`]s, reachable
//! through [`ModemPort::poll_modem_event`] (the gateway's own detectors also see
//! DTMF in the voice audio).

mod caller_id;
pub mod config;
mod dle;
mod port;
mod session;

pub use caller_id::CallerId;
pub use config::{ModemConfig, VoiceFormat};
pub use port::ModemPort;
pub use session::{ModemEvent, ModemSession, ModemState, MAX_LINE, MAX_VOICE_BACKLOG};

/// Data Link Escape.
pub const DLE: u8 = 0x10;
/// End of text: `<DLE><ETX>` ends a voice data stream.
pub const ETX: u8 = 0x03;
