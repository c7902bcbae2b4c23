//! Call recording: what the far party heard from the gateway, one WAV per call.
//!
//! Opened when a call is answered, written frame by frame through a `BufWriter`
//! (no allocation per frame), closed when either side hangs up. A recording fault
//! is logged and ends the recording; it never disturbs the call.

use std::fmt;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::line::{PortId, SAMPLE_RATE_HZ};

/// An open recording.
pub(crate) struct Recorder {
    path: Arc<Path>,
    writer: hound::WavWriter<BufWriter<File>>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("path", &self.path)
            .finish()
    }
}

/// The file name of call number `seq` on `port` with the party `number`.
pub(crate) fn file_name(seq: u64, port: PortId, number: &str) -> String {
    let number: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("call-{seq:04}-port{port}-{number}.wav")
}

impl Recorder {
    /// Start recording into `dir`; `None` (logged) if the file cannot be created.
    pub(crate) fn create(dir: &Path, seq: u64, port: PortId, number: &str) -> Option<Recorder> {
        let path: PathBuf = dir.join(file_name(seq, port, number));
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: SAMPLE_RATE_HZ,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        match hound::WavWriter::create(&path, spec) {
            Ok(writer) => {
                tracing::debug!(path = %path.display(), "sim recording started");
                Some(Recorder {
                    path: Arc::from(path),
                    writer,
                })
            }
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "sim cannot record call");
                None
            }
        }
    }

    /// Where the recording goes.
    pub(crate) fn path(&self) -> &Arc<Path> {
        &self.path
    }

    /// Append one frame; on a write fault the recording is given up (`false`).
    pub(crate) fn write(&mut self, frame: &[i16]) -> bool {
        for &s in frame {
            if let Err(e) = self.writer.write_sample(s) {
                tracing::warn!(path = %self.path.display(), error = %e, "sim recording failed");
                return false;
            }
        }
        true
    }

    /// Close the file, writing the final header.
    pub(crate) fn finish(self) {
        let path = self.path;
        match self.writer.finalize() {
            Ok(()) => tracing::debug!(path = %path.display(), "sim recording closed"),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "sim recording not closed cleanly")
            }
        }
    }
}
