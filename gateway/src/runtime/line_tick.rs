//! The line card shell: every 20 ms, poll the card's signalling, exchange a
//! frame of audio each way, deliver the card's events and run the core's
//! frame. A hardware card's `exchange_frames` waits on its audio device,
//! whose clock then paces the loop; the instant is read after it.

use std::time::Instant;

use drivers::{Frame, FRAME_SAMPLES};
use tokio::time::{Interval, MissedTickBehavior};
use tracing::{error, info};

use crate::call::Controller;
use crate::card::Card;
use crate::front_panel::FrontPanel;
use crate::watchdog::Keeper;

/// The 20 ms tick, bursting to catch up after a stall.
pub(crate) fn ticker() -> Interval {
    let mut ticker = tokio::time::interval(drivers::FRAME_DURATION);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Burst);
    ticker
}

/// The frames exchanged with the card, kept from tick to tick.
#[derive(Debug)]
pub(crate) struct LineTick {
    rx: Vec<Frame>,
    tx: Vec<Frame>,
}

impl LineTick {
    /// Frames for `ports` ports.
    pub(crate) fn new(ports: usize) -> Self {
        LineTick {
            rx: vec![[0; FRAME_SAMPLES]; ports],
            tx: vec![[0; FRAME_SAMPLES]; ports],
        }
    }

    /// One tick. See the module documentation.
    pub(crate) fn tick<W: board::watchdog::Watchdog>(
        &mut self,
        card: &mut Card,
        core: &mut Controller,
        panel: &mut FrontPanel,
        keeper: Option<&mut Keeper<W>>,
    ) {
        if let Err(e) = card.poll() {
            error!(error = %e, "line signalling failed");
        }
        let exchanged = card.line_card().exchange_frames(&self.tx, &mut self.rx);
        // Read after the exchange: a hardware card blocks in it until the
        // audio period is due.
        let now = Instant::now();
        match exchanged {
            Ok(()) => {
                if panel.card_fault() {
                    info!("line card works again");
                }
                panel.set_card_fault(false);
                if let Some(k) = keeper {
                    k.media_beat(now);
                }
            }
            Err(e) => {
                // Once per failure episode, not every 20 ms.
                if !panel.card_fault() {
                    error!(error = %e, "line card failed");
                }
                panel.set_card_fault(true);
            }
        }
        // Modem reports first: a caller ID read with a RING is in place when
        // the ring is counted (`crate::card`).
        card.deliver_modem_events(
            |port, message| core.handle_caller_id(now, port, message),
            |port| panel.set_port_fault(port),
        );
        let line_card = card.line_card();
        while let Some((port, event)) = line_card.poll_event() {
            core.handle_line_event(now, port, event);
        }
        core.handle_frames(now, &self.rx, &mut self.tx);
    }
}
