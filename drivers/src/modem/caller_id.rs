//! Caller ID as a modem reports it after `AT+VCID=1` (formatted): lines of
//! `DATE = MMDD`, `TIME = HHMM`, `NMBR = number`, `NAME = name` between the first
//! and second RING. `NMBR = P` / `O` mean private / out of area.

/// One caller ID message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallerId {
    /// `MMDD`.
    pub date: Option<String>,
    /// `HHMM`.
    pub time: Option<String>,
    /// The calling number (`P` private, `O` unavailable).
    pub number: Option<String>,
    /// The calling name.
    pub name: Option<String>,
}

impl CallerId {
    /// Whether nothing has been set.
    pub fn is_empty(&self) -> bool {
        self == &CallerId::default()
    }

    /// Take one report line; `false` if it is not a caller ID field, or repeats a
    /// field already set (the start of a new message).
    pub(crate) fn accept(&mut self, line: &str) -> Result<(), FieldOutcome> {
        let Some((key, value)) = line.split_once('=') else {
            return Err(FieldOutcome::NotCallerId);
        };
        let slot = match key.trim() {
            "DATE" => &mut self.date,
            "TIME" => &mut self.time,
            "NMBR" => &mut self.number,
            "NAME" => &mut self.name,
            _ => return Err(FieldOutcome::NotCallerId),
        };
        if slot.is_some() {
            return Err(FieldOutcome::Repeated);
        }
        // Bounded: a report line is at most MAX_LINE bytes already.
        *slot = Some(value.trim().to_owned());
        Ok(())
    }
}

/// Why a line was not added to a [`CallerId`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FieldOutcome {
    NotCallerId,
    Repeated,
}
