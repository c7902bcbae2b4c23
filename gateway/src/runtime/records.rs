//! The call-record shell: the journal's writer thread.

use anyhow::Context as _;
use tracing::{error, info};

use crate::records::{CallRecord, Journal};

/// Open the call-record journal (failing start-up if it cannot be) and append to
/// it from a thread of its own, so `fsync` never stalls the media loop.
pub(crate) fn spawn_record_writer(
    path: &std::path::Path,
) -> anyhow::Result<std::sync::mpsc::SyncSender<CallRecord>> {
    let mut journal = Journal::open(path)?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<CallRecord>(4096);
    std::thread::Builder::new()
        .name("call-records".into())
        .spawn(move || {
            for record in rx {
                if let Err(e) = journal.append(&record) {
                    error!(error = %e, call_id = %record.call_id, "call record not written");
                }
            }
        })
        .context("cannot start the call-record writer")?;
    info!(path = %path.display(), "call records journal open");
    Ok(tx)
}
