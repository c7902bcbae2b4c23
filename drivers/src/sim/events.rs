//! The queue of line events waiting for [`crate::LineCard::poll_event`].

use std::collections::VecDeque;

use crate::line::{LineEvent, PortId};

/// Events a port can produce in one frame, with room to spare; the queue holds
/// this many per port before it drops the oldest.
const EVENTS_PER_PORT: usize = 16;

/// A bounded FIFO of line events, allocated once.
#[derive(Debug)]
pub(crate) struct EventQueue {
    queue: VecDeque<(PortId, LineEvent)>,
    capacity: usize,
}

impl EventQueue {
    pub(crate) fn new(port_count: usize) -> EventQueue {
        let capacity = EVENTS_PER_PORT * port_count.max(1);
        EventQueue {
            queue: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    /// Queue `event` (logged); a gateway that stops polling loses the oldest.
    pub(crate) fn push(&mut self, now: u64, port: PortId, event: LineEvent) {
        tracing::debug!(frame = now, %port, ?event, "sim line event");
        if self.queue.len() >= self.capacity {
            if let Some((old_port, old)) = self.queue.pop_front() {
                tracing::warn!(port = %old_port, event = ?old, "sim event queue full, dropping oldest");
            }
        }
        self.queue.push_back((port, event));
    }

    pub(crate) fn pop(&mut self) -> Option<(PortId, LineEvent)> {
        self.queue.pop_front()
    }
}
