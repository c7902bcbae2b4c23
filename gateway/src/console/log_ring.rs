//! The last log lines in memory, for `show log`: a `tracing` layer that keeps a
//! fixed number of formatted lines (the oldest is dropped when full).

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
    lines: Arc<Mutex<VecDeque<String>>>,
}

impl Default for LogRing {
    fn default() -> Self {
        LogRing {
            lines: Arc::new(Mutex::new(VecDeque::with_capacity(CAPACITY))),
        }
    }
}

impl LogRing {
    /// Add a line.
    pub fn push(&self, line: String) {
        let Ok(mut lines) = self.lines.lock() else {
            return;
        };
        if lines.len() == CAPACITY {
            lines.pop_front();
        }
        lines.push_back(line);
    }

    /// The last `n` lines, oldest first.
    pub fn last(&self, n: usize) -> Vec<String> {
        let Ok(lines) = self.lines.lock() else {
            return Vec::new();
        };
        let skip = lines.len().saturating_sub(n);
        lines.iter().skip(skip).cloned().collect()
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
}
