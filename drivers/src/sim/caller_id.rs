//! Caller ID the simulated exchange sends to a ringing line: an MDMF message
//! (date and time, number, name) in the silence after the first ring burst, as
//! North American exchanges do with Bell 202 FSK (GR-30) and as ETSI EN 300 659-1
//! allows with V.23 FSK during ringing.

use dsp::callerid::{CallerIdMessage, DateTime, FskConfig, Generator, Name, Number, Signalling};

use super::cadence::TonePlan;
use super::directory::Directory;

/// Frames per minute of the frame clock.
const FRAMES_PER_MINUTE: u64 = 50 * 60;

/// A generator loaded with phone `phone`'s caller ID, or `None` if the phone is
/// unknown or its number cannot be sent. The date and time come from the frame
/// clock (1 January 00:00 at the exchange's start), so runs are reproducible.
pub(crate) fn generator(dir: &Directory, phone: usize, frame: u64) -> Option<Generator> {
    let p = dir.phones.get(phone)?;
    let config = match dir.plan {
        TonePlan::NorthAmerica => FskConfig::bellcore(),
        TonePlan::Cept => FskConfig::etsi(),
    };
    let minutes = frame / FRAMES_PER_MINUTE;
    let day = 1 + (minutes / (24 * 60) % 28) as u8;
    let message = CallerIdMessage {
        date_time: DateTime::new(1, day, (minutes / 60 % 24) as u8, (minutes % 60) as u8).ok(),
        number: Number::try_from(&*p.number).ok(),
        name: Name::try_from(&*p.name).ok(),
        ..CallerIdMessage::default()
    };
    let mut generator = Generator::new(Signalling::Fsk(config));
    generator.send(&message).ok()?;
    Some(generator)
}
