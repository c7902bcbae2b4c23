//! The call-record journal: an append-only JSON-lines file.
//!
//! Each record is written as one complete line with a single `write` and then
//! `fdatasync`ed, so a record reported written survives a power cut or `kill -9`.
//! A crash in the middle of a write can leave only a torn last line: opening the
//! journal cuts the file back to its last complete line before appending, and
//! reading skips a torn last line, so earlier records are never lost or corrupted.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use super::record::CallRecord;

/// A journal fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum JournalError {
    /// The file could not be opened, read, written or synced.
    #[error("call records {path}: {source}")]
    Io {
        /// The journal.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A complete line is not a record (not a torn write: the file was edited or
    /// another program wrote to it).
    #[error("call records {path}:{line}: not a call record: {message}")]
    Corrupt {
        /// The journal.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// An open journal.
#[derive(Debug)]
pub struct Journal {
    path: PathBuf,
    file: File,
}

impl Journal {
    /// Open (creating it and its folder if needed) and repair a torn last line.
    pub fn open(path: &Path) -> Result<Journal, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        // Customers' numbers and sessions: owner only; never through a link.
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .custom_flags(nix::libc::O_NOFOLLOW | nix::libc::O_CLOEXEC)
            .open(path)
            .map_err(io)?;
        let keep = complete_length(&mut file).map_err(io)?;
        if keep != file.metadata().map_err(io)?.len() {
            file.set_len(keep).map_err(io)?;
            file.sync_all().map_err(io)?;
        }
        file.seek(SeekFrom::End(0)).map_err(io)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file,
        })
    }

    /// Append one record durably.
    pub fn append(&mut self, record: &CallRecord) -> Result<(), JournalError> {
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_vec(record).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let before = self.file.metadata().map_err(io)?.len();
        if let Err(e) = self.file.write_all(&line) {
            // Never leave a torn line for the next record to be glued onto.
            let _ = self.file.set_len(before);
            return Err(io(e));
        }
        self.file.sync_data().map_err(io)
    }

    /// Every complete record in the journal at `path`, oldest first. A torn last
    /// line (a crash during a write) is skipped; any other bad line is an error.
    pub fn read(path: &Path) -> Result<Vec<CallRecord>, JournalError> {
        let io = |source| JournalError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let mut records = Vec::new();
        let mut reader = BufReader::new(file);
        let mut line = String::new();
        let mut n = 0;
        loop {
            line.clear();
            if reader.read_line(&mut line).map_err(io)? == 0 {
                break;
            }
            n += 1;
            if !line.ends_with('\n') {
                break; // torn last line
            }
            match serde_json::from_str(line.trim_end()) {
                Ok(r) => records.push(r),
                Err(e) => {
                    return Err(JournalError::Corrupt {
                        path: path.to_path_buf(),
                        line: n,
                        message: e.to_string(),
                    })
                }
            }
        }
        Ok(records)
    }
}

/// The length of `file` up to and including its last newline, reading back from
/// the end in blocks (the journal can be large).
fn complete_length(file: &mut File) -> std::io::Result<u64> {
    const BLOCK: u64 = 4096;
    let len = file.metadata()?.len();
    let mut end = len;
    let mut buf = [0u8; BLOCK as usize];
    while end > 0 {
        let start = end.saturating_sub(BLOCK);
        let n = (end - start) as usize;
        file.seek(SeekFrom::Start(start))?;
        let chunk = buf.get_mut(..n).unwrap_or(&mut []);
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|&b| b == b'\n') {
            let complete = start + i as u64 + 1;
            // Only what follows the last newline can be torn.
            return Ok(if end == len && complete == len {
                len
            } else {
                complete
            });
        }
        end = start;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize) -> CallRecord {
        CallRecord {
            call_id: format!("call-{i}"),
            direction: "to-line".into(),
            port: Some(0),
            ani: Some("4155550100".into()),
            destination: Some("1800".into()),
            client_uri: "sip:c@h".into(),
            merchant_id: Some("m".into()),
            session_id: None,
            account: None,
            source_page: None,
            start_unix: 1.0,
            answer_unix: Some(2.0),
            end_unix: 3.0,
            duration_ms: 1000,
            commands: vec![],
            end_reason: "client-bye".into(),
        }
    }

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir.join("sub").join("calls.jsonl")
    }

    #[test]
    fn appends_and_reads_back() {
        let path = temp("append");
        let mut j = Journal::open(&path).unwrap();
        for i in 0..3 {
            j.append(&record(i)).unwrap();
        }
        drop(j);
        let mut j = Journal::open(&path).unwrap();
        j.append(&record(3)).unwrap();
        let all = Journal::read(&path).unwrap();
        assert_eq!(all.len(), 4);
        assert_eq!(all[3], record(3));
    }

    #[test]
    fn a_torn_last_line_is_skipped_and_repaired() {
        let path = temp("torn");
        let mut j = Journal::open(&path).unwrap();
        j.append(&record(0)).unwrap();
        j.append(&record(1)).unwrap();
        drop(j);
        // A crash in the middle of writing record 2.
        let full = serde_json::to_string(&record(2)).unwrap();
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(&full.as_bytes()[..full.len() / 2]).unwrap();
        drop(f);
        assert_eq!(Journal::read(&path).unwrap().len(), 2);
        let mut j = Journal::open(&path).unwrap();
        j.append(&record(3)).unwrap();
        let all = Journal::read(&path).unwrap();
        assert_eq!(
            all.iter().map(|r| r.call_id.as_str()).collect::<Vec<_>>(),
            ["call-0", "call-1", "call-3"]
        );
    }

    #[test]
    fn an_edited_line_is_reported_with_its_number() {
        let path = temp("corrupt");
        let mut j = Journal::open(&path).unwrap();
        j.append(&record(0)).unwrap();
        j.file.write_all(b"garbage\n").unwrap();
        j.append(&record(1)).unwrap();
        match Journal::read(&path) {
            Err(JournalError::Corrupt { line: 2, .. }) => {}
            other => panic!("{other:?}"),
        }
        assert!(Journal::read(&temp("missing")).unwrap().is_empty());
    }
}
