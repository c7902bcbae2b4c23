//! The last log lines in memory, for `show log` and `terminal monitor`: a
//! `tracing` layer that keeps a fixed number of formatted lines (the oldest is
//! dropped when full). Every line has a sequence number, so a console session
//! that monitors the log asks for the lines after the last one it showed, and
//! [`LogRing::changed`] wakes the console when one arrives.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Lines kept.
pub const CAPACITY: usize = 200;

/// Shared handle to the ring; clones see the same lines.
#[derive(Debug, Clone)]
pub struct LogRing {
    lines: Arc<Mutex<Lines>>,
    changed: Arc<tokio::sync::Notify>,
}

#[derive(Debug)]
struct Lines {
    kept: VecDeque<String>,
    /// The sequence number the next line gets.
    next: u64,
}

impl Default for LogRing {
    fn default() -> Self {
        LogRing {
            lines: Arc::new(Mutex::new(Lines {
                kept: VecDeque::with_capacity(CAPACITY),
                next: 0,
            })),
            changed: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

impl LogRing {
    /// Add a line.
    pub fn push(&self, line: String) {
        let Ok(mut lines) = self.lines.lock() else {
            return;
        };
        if lines.kept.len() == CAPACITY {
            lines.kept.pop_front();
        }
        lines.kept.push_back(line);
        lines.next += 1;
        drop(lines);
        self.changed.notify_one();
    }

    /// The last `n` lines, oldest first.
    pub fn last(&self, n: usize) -> Vec<String> {
        let Ok(lines) = self.lines.lock() else {
            return Vec::new();
        };
        let skip = lines.kept.len().saturating_sub(n);
        lines.kept.iter().skip(skip).cloned().collect()
    }

    /// The sequence number the next line will get: lines from here on are new.
    pub fn next_seq(&self) -> u64 {
        self.lines.lock().map(|l| l.next).unwrap_or(0)
    }

    /// The lines numbered `seq` and after that are still kept (the oldest
    /// ones may have been dropped), and the sequence number after them.
    pub fn since(&self, seq: u64) -> (Vec<String>, u64) {
        let Ok(lines) = self.lines.lock() else {
            return (Vec::new(), seq);
        };
        let first = lines.next - lines.kept.len() as u64;
        let skip = usize::try_from(seq.saturating_sub(first)).unwrap_or(usize::MAX);
        (lines.kept.iter().skip(skip).cloned().collect(), lines.next)
    }

    /// Resolves when a line was added since the last time it resolved.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }
}

struct Fields(String);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            let _ = write!(self.0, " {value}");
        } else {
            let _ = write!(self.0, " {}={value}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for LogRing {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
            % 86_400;
        let meta = event.metadata();
        let mut fields = Fields(String::new());
        event.record(&mut fields);
        self.push(format!(
            "{:02}:{:02}:{:02} {:<5} {}:{}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            meta.level(),
            meta.target(),
            fields.0
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_lines() {
        let ring = LogRing::default();
        for i in 0..CAPACITY + 5 {
            ring.push(format!("line {i}"));
        }
        let last = ring.last(3);
        assert_eq!(
            last,
            [
                format!("line {}", CAPACITY + 2),
                format!("line {}", CAPACITY + 3),
                format!("line {}", CAPACITY + 4)
            ]
        );
        assert_eq!(ring.last(10_000).len(), CAPACITY);
    }

    #[test]
    fn lines_since_a_sequence_number() {
        let ring = LogRing::default();
        assert_eq!(ring.since(0), (Vec::new(), 0));
        ring.push("a".into());
        ring.push("b".into());
        let seen = ring.next_seq();
        assert_eq!(seen, 2);
        ring.push("c".into());
        assert_eq!(ring.since(seen), (vec!["c".to_string()], 3));
        assert_eq!(ring.since(3), (Vec::new(), 3));
        // Lines dropped from the ring are skipped, not repeated.
        for i in 0..CAPACITY {
            ring.push(format!("x{i}"));
        }
        let (lines, next) = ring.since(seen);
        assert_eq!((lines.len(), next), (CAPACITY, 3 + CAPACITY as u64));
        assert_eq!(lines[0], "x0");
    }
}
