//! Call records: one per call, appended durably to a JSON-lines journal and
//! exported as JSON lines or CSV.

mod journal;
mod record;

pub use journal::{Journal, JournalError};
pub use record::{CallRecord, CSV_HEADER};
