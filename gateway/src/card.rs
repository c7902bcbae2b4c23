//! The line card the configuration asks for: the simulated exchange or the
//! hardware card (ALSA audio with GPIO or modem signalling). The runtime drives
//! either through `drivers::LineCard`; only the console's `sim` commands need to
//! know which it is.

use anyhow::Context as _;
use drivers::hardware::HardwareCard;
use drivers::sim::{SimControl, SimExchange};
use drivers::LineCard;

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
}
