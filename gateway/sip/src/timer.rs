//! Timers as data: a fixed table of deadlines per state machine.
//!
//! Each state machine names its timers with an enum (`transaction::Timer`
//! carries the RFC 3261 §17 names A..K plus RFC 6026's L and M) and keeps one
//! [`TimerTable`]; the earliest armed slot is its next wake-up. Nothing here
//! reads the clock: deadlines are computed from the `now` the caller passes.

use std::marker::PhantomData;
use std::time::Instant;

/// A named timer that owns one slot of a [`TimerTable`].
pub trait TimerSlot: Copy + 'static {
    /// Every timer of this kind, in slot order.
    const ALL: &'static [Self];
    /// The slot index, `< ALL.len()`.
    fn index(self) -> usize;
}

/// Fixed table of optional deadlines, one per timer name.
#[derive(Clone, Debug)]
pub struct TimerTable<T: TimerSlot, const N: usize> {
    data: [Option<Instant>; N],
    kind: PhantomData<T>,
}

impl<T: TimerSlot, const N: usize> Default for TimerTable<T, N> {
    fn default() -> Self {
        Self {
            data: [None; N],
            kind: PhantomData,
        }
    }
}

impl<T: TimerSlot, const N: usize> TimerTable<T, N> {
    /// Arm (or re-arm) `timer` to fire at `at`.
    pub fn set(&mut self, timer: T, at: Instant) {
        if let Some(slot) = self.data.get_mut(timer.index()) {
            *slot = Some(at);
        }
    }

    /// Disarm `timer`.
    pub fn stop(&mut self, timer: T) {
        if let Some(slot) = self.data.get_mut(timer.index()) {
            *slot = None;
        }
    }

    /// Disarm every timer.
    pub fn stop_all(&mut self) {
        self.data = [None; N];
    }

    /// The deadline of `timer`, if armed.
    pub fn get(&self, timer: T) -> Option<Instant> {
        self.data.get(timer.index()).copied().flatten()
    }

    /// The earliest armed deadline.
    pub fn next(&self) -> Option<Instant> {
        self.data.iter().flatten().min().copied()
    }

    /// Disarm and return the earliest timer whose deadline is `<= now`.
    pub fn pop_expired(&mut self, now: Instant) -> Option<T> {
        let mut best: Option<(Instant, T)> = None;
        for &timer in T::ALL {
            if let Some(at) = self.get(timer) {
                if at <= now && best.is_none_or(|(b, _)| at < b) {
                    best = Some((at, timer));
                }
            }
        }
        let (_, timer) = best?;
        self.stop(timer);
        Some(timer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum T {
        X,
        Y,
    }
    impl TimerSlot for T {
        const ALL: &'static [Self] = &[T::X, T::Y];
        fn index(self) -> usize {
            self as usize
        }
    }

    #[test]
    fn earliest_expired_first() {
        let base = Instant::now();
        let mut table: TimerTable<T, 2> = TimerTable::default();
        assert_eq!(table.next(), None);
        table.set(T::Y, base + Duration::from_secs(1));
        table.set(T::X, base + Duration::from_secs(2));
        assert_eq!(table.next(), Some(base + Duration::from_secs(1)));
        assert_eq!(table.pop_expired(base), None);
        assert_eq!(table.pop_expired(base + Duration::from_secs(5)), Some(T::Y));
        assert_eq!(table.pop_expired(base + Duration::from_secs(5)), Some(T::X));
        assert_eq!(table.pop_expired(base + Duration::from_secs(5)), None);
    }
}
