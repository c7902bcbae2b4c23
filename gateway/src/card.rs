//! The line card the configuration asks for: the simulated exchange or the
//! hardware card (ALSA audio with GPIO or modem signalling). The runtime drives
//! either through `drivers::LineCard`; only the console's `sim` commands need to
//! know which it is.
//!
//! A voice modem also reports what it decoded itself ([`ModemEvent`]), outside
//! the trait; [`Card::deliver_modem_events`] hands those to call control:
//!
//! | report | goes to |
//! |---|---|
//! | caller ID (`NMBR`/`NAME`/`DATE`/`TIME` after `AT+VCID=1`) | `call::Switchboard::handle_caller_id` (through the runtime): the inbound call's caller ID. On hook the modem sends no audio, so the port's own caller ID receiver never hears the FSK: this report is the only source. |
//! | DTMF (`<DLE>` digit, in voice mode) | the log only. In voice mode the modem passes the line's audio, tones included, and the call's `dsp::pipeline::LineToIp` detects (and squelches) the same digits; feeding the report too would send every digit twice, and the report alone could not mute the tone's leading edge. |
//! | other `<DLE>` reports (busy, dial tone, silence…) | the log only: the port's call-progress detector hears the same tones. |
//! | ready | the log. |
//! | failed (no or wrong reply) | the log, and the port's LED shows a fault. |
//!
//! Modem reports are delivered before the frame's line events, so a caller ID
//! read together with a `RING` is in place when the ring is counted.

use anyhow::Context as _;
use drivers::hardware::HardwareCard;
use drivers::modem::{CallerId, ModemEvent};
use drivers::sim::{SimControl, SimExchange};
use drivers::{LineCard, PortId};
use dsp::callerid::{Absence, CallerIdMessage, DateTime};
use tracing::{debug, error, info};

use crate::config::{BoardKind, Config};

/// An open line card.
#[derive(Debug)]
pub enum Card {
    /// The virtual exchange, with its control handle for the console.
    Simulated {
        /// The card.
        exchange: SimExchange,
        /// Its control handle.
        control: SimControl,
    },
    /// Real hardware.
    Hardware(HardwareCard),
}

impl Card {
    /// Open the card `config` describes.
    pub fn open(config: &Config) -> anyhow::Result<Card> {
        match config.board.kind {
            BoardKind::Simulated => {
                let sim = config
                    .simulation
                    .as_ref()
                    .context("the simulated board needs a [simulation] table")?;
                let (exchange, control) = SimExchange::new(sim, config.ports.len())
                    .map_err(|e| anyhow::anyhow!("simulation: {e}"))?;
                Ok(Card::Simulated { exchange, control })
            }
            BoardKind::Hardware => {
                let hw = config
                    .hardware
                    .as_ref()
                    .context("the hardware board needs a [hardware] table")?;
                let card = HardwareCard::open(hw).map_err(|e| anyhow::anyhow!("hardware: {e}"))?;
                Ok(Card::Hardware(card))
            }
        }
    }

    /// The card as the driver trait.
    pub fn line_card(&mut self) -> &mut dyn LineCard {
        match self {
            Card::Simulated { exchange, .. } => exchange,
            Card::Hardware(card) => card,
        }
    }

    /// The simulated exchange's control handle, if this is the simulated board.
    pub fn sim(&self) -> Option<&SimControl> {
        match self {
            Card::Simulated { control, .. } => Some(control),
            Card::Hardware(_) => None,
        }
    }

    /// Work a hardware card needs between frames (sampling GPIO signalling).
    pub fn poll(&mut self) -> Result<(), drivers::LineError> {
        match self {
            Card::Simulated { .. } => Ok(()),
            Card::Hardware(card) => card.poll_signalling(),
        }
    }

    /// A name for logs.
    pub fn name(&self) -> &'static str {
        match self {
            Card::Simulated { .. } => "the simulated board",
            Card::Hardware(_) => "the hardware line card",
        }
    }

    /// Hand every modem report queued since the last call on (see the module
    /// docs): `caller_id` hears each caller ID report (the runtime gives it to
    /// call control), `port_failed` each port whose modem failed.
    pub fn deliver_modem_events(
        &mut self,
        mut caller_id: impl FnMut(PortId, CallerIdMessage),
        mut port_failed: impl FnMut(PortId),
    ) {
        let Card::Hardware(card) = self else {
            return;
        };
        for i in 0..card.port_count() {
            let port = PortId(u8::try_from(i).unwrap_or(u8::MAX));
            while let Some(event) = card.poll_modem_event(port) {
                match event {
                    ModemEvent::CallerId(cid) => {
                        info!(%port, number = ?cid.number, name = ?cid.name, "modem caller ID");
                        caller_id(port, caller_id_message(&cid));
                    }
                    ModemEvent::Dtmf(digit) => {
                        debug!(%port, %digit, "modem DTMF report (the call's detector hears the same digit)");
                    }
                    ModemEvent::Report(code) => debug!(%port, %code, "modem report"),
                    ModemEvent::Ready => info!(%port, "modem ready"),
                    ModemEvent::Failed { command, reply } => {
                        error!(%port, %command, %reply, "modem failed; the port is out of service until a restart");
                        port_failed(port);
                    }
                    // Line events go through `LineCard::poll_event`; none come here.
                    ModemEvent::Line(_) => {}
                }
            }
        }
    }
}

/// A modem's caller ID report as the caller ID message the FXO port holds.
/// `P` and `O` are the private and unavailable marks (as in SDMF); a field that
/// is too long is cut, characters outside printable ASCII are dropped, and a
/// date or time that does not parse is left out.
pub fn caller_id_message(cid: &CallerId) -> CallerIdMessage {
    fn text<const N: usize>(value: &str) -> heapless::String<N> {
        let mut out = heapless::String::new();
        for c in value.chars().filter(|c| c.is_ascii_graphic() || *c == ' ') {
            if out.push(c).is_err() {
                break;
            }
        }
        out
    }
    fn absence(value: &str) -> Option<Absence> {
        match value {
            "P" => Some(Absence::Private),
            "O" => Some(Absence::Unavailable),
            _ => None,
        }
    }
    let mut message = CallerIdMessage::default();
    if let Some(number) = cid.number.as_deref() {
        match absence(number) {
            Some(why) => message.number_absence = Some(why),
            None if !number.is_empty() => message.number = Some(text(number)),
            None => {}
        }
    }
    if let Some(name) = cid.name.as_deref() {
        match absence(name) {
            Some(why) => message.name_absence = Some(why),
            None if !name.is_empty() => message.name = Some(text(name)),
            None => {}
        }
    }
    if let (Some(date), Some(time)) = (cid.date.as_deref(), cid.time.as_deref()) {
        message.date_time = DateTime::from_ascii(format!("{date}{time}").as_bytes()).ok();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cid(number: Option<&str>, name: Option<&str>) -> CallerId {
        CallerId {
            date: Some("0321".into()),
            time: Some("1405".into()),
            number: number.map(str::to_string),
            name: name.map(str::to_string),
        }
    }

    #[test]
    fn modem_caller_id_becomes_a_caller_id_message() {
        let m = caller_id_message(&cid(Some("5551234"), Some("ALICE SMITH")));
        assert_eq!(m.number.as_deref(), Some("5551234"));
        assert_eq!(m.name.as_deref(), Some("ALICE SMITH"));
        assert_eq!(m.date_time, Some(DateTime::new(3, 21, 14, 5).unwrap()));
        assert_eq!((m.number_absence, m.name_absence), (None, None));
    }

    #[test]
    fn private_and_unavailable_marks_are_absences() {
        let m = caller_id_message(&cid(Some("P"), Some("O")));
        assert_eq!(m.number, None);
        assert_eq!(m.number_absence, Some(Absence::Private));
        assert_eq!(m.name, None);
        assert_eq!(m.name_absence, Some(Absence::Unavailable));
    }

    #[test]
    fn odd_fields_are_cut_or_dropped_never_a_panic() {
        let long = "1".repeat(60);
        let mut report = cid(Some(&long), Some("Zoë\u{7}\tO'Brien"));
        report.date = Some("9999".into());
        let m = caller_id_message(&report);
        assert_eq!(
            m.number.as_deref().map(str::len),
            Some(dsp::callerid::message::MAX_NUMBER)
        );
        assert_eq!(m.name.as_deref(), Some("ZoO'Brien"));
        assert_eq!(m.date_time, None, "month 99 is not a date");
        assert_eq!(
            caller_id_message(&CallerId::default()),
            CallerIdMessage::default()
        );
    }
}
