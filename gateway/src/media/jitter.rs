//! The packet store of the adaptive jitter buffer: received RTP payloads held by
//! timestamp until the playout takes them, with the RFC 3550 §6.4.1 / §A.8
//! interarrival jitter estimate that sets the playout target.
//!
//! - **Reorder**: packets are stored by RTP timestamp, taken in timestamp order.
//! - **Duplicates**: a second packet with a timestamp already held is dropped.
//! - **Late**: a packet whose timestamp the playout has passed is dropped.
//! - **Jitter**: `J += (|D| − J)/16`, D the difference of relative transit
//!   times in RTP clock units, per packet in arrival order.
//!
//! Fixed memory: [`SLOTS`] slots of [`SLOT_BYTES`] each; a full store refuses.

/// Packets held at most.
pub const SLOTS: usize = 32;
/// Largest payload held (Opus at 20 ms up to ~200 kb/s, G.711 up to 64 ms).
pub const SLOT_BYTES: usize = 512;

/// Why a packet was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Its timestamp was already played or concealed.
    Late,
    /// A packet with that timestamp is already held.
    Duplicate,
    /// No free slot, or the payload is larger than [`SLOT_BYTES`].
    Full,
}

#[derive(Debug, Clone)]
struct Slot {
    used: bool,
    /// Extended timestamp (RTP clock units, unwrapped).
    ts: i64,
    len: usize,
    data: [u8; SLOT_BYTES],
}

/// Received payloads waiting for playout.
#[derive(Debug, Clone)]
pub struct JitterBuffer {
    slots: Box<[Slot; SLOTS]>,
    held: usize,
    /// Last extended timestamp seen (for unwrapping).
    last_ts: Option<i64>,
    /// Previous relative transit, RTP units.
    transit: Option<i64>,
    /// RFC 3550 jitter estimate, RTP units × 16 (fixed point as in §A.8).
    jitter_q4: i64,
    /// Counters.
    pub late: u64,
    /// Duplicates dropped.
    pub duplicates: u64,
    /// Packets refused for lack of room.
    pub overflows: u64,
}

impl Default for JitterBuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl JitterBuffer {
    /// An empty store (allocated once, per call).
    pub fn new() -> Self {
        const EMPTY: Slot = Slot {
            used: false,
            ts: 0,
            len: 0,
            data: [0; SLOT_BYTES],
        };
        JitterBuffer {
            slots: Box::new([EMPTY; SLOTS]),
            held: 0,
            last_ts: None,
            transit: None,
            jitter_q4: 0,
            late: 0,
            duplicates: 0,
            overflows: 0,
        }
    }

    /// Forget every packet and the stream's timing (new SSRC).
    pub fn reset(&mut self) {
        for s in self.slots.iter_mut() {
            s.used = false;
        }
        self.held = 0;
        self.last_ts = None;
        self.transit = None;
    }

    /// Packets held.
    pub fn len(&self) -> usize {
        self.held
    }

    /// True when nothing is held.
    pub fn is_empty(&self) -> bool {
        self.held == 0
    }

    /// Unwrap a 32-bit RTP timestamp near the last one seen.
    pub fn extend(&self, ts: u32) -> i64 {
        match self.last_ts {
            None => i64::from(ts),
            Some(last) => {
                let delta = ts.wrapping_sub(last as u32) as i32;
                last + i64::from(delta)
            }
        }
    }

    /// The interarrival jitter, RTP clock units (RFC 3550 §6.4.1).
    pub fn jitter(&self) -> u32 {
        (self.jitter_q4 >> 4) as u32
    }

    /// Store a packet that arrived at `arrival` (RTP clock units on the
    /// receiver's clock, any origin). `played_until` is the extended timestamp
    /// the playout will take next (packets before it are late), if playing.
    pub fn push(
        &mut self,
        arrival: i64,
        ts: u32,
        payload: &[u8],
        played_until: Option<i64>,
    ) -> Result<i64, Refused> {
        let ext = self.extend(ts);
        // Jitter counts every packet, late or not (§A.8).
        let transit = arrival - ext;
        if let Some(prev) = self.transit {
            let d = (transit - prev).abs();
            self.jitter_q4 += d - ((self.jitter_q4 + 8) >> 4);
        }
        self.transit = Some(transit);
        if self.last_ts.is_none_or(|l| ext > l) {
            self.last_ts = Some(ext);
        }
        if played_until.is_some_and(|p| ext < p) {
            self.late += 1;
            return Err(Refused::Late);
        }
        if self.slots.iter().any(|s| s.used && s.ts == ext) {
            self.duplicates += 1;
            return Err(Refused::Duplicate);
        }
        if payload.len() > SLOT_BYTES {
            self.overflows += 1;
            return Err(Refused::Full);
        }
        let Some(slot) = self.slots.iter_mut().find(|s| !s.used) else {
            self.overflows += 1;
            return Err(Refused::Full);
        };
        slot.used = true;
        slot.ts = ext;
        slot.len = payload.len();
        slot.data[..payload.len()].copy_from_slice(payload);
        self.held += 1;
        Ok(ext)
    }

    /// The held packet with extended timestamp `ts`, as a slot index.
    pub fn find(&self, ts: i64) -> Option<usize> {
        self.slots.iter().position(|s| s.used && s.ts == ts)
    }

    /// The earliest held timestamp at or after `ts`.
    pub fn first_from(&self, ts: i64) -> Option<i64> {
        self.slots
            .iter()
            .filter(|s| s.used && s.ts >= ts)
            .map(|s| s.ts)
            .min()
    }

    /// The latest held timestamp.
    pub fn last(&self) -> Option<i64> {
        self.slots.iter().filter(|s| s.used).map(|s| s.ts).max()
    }

    /// The payload in `slot`.
    pub fn payload(&self, slot: usize) -> &[u8] {
        self.slots
            .get(slot)
            .filter(|s| s.used)
            .and_then(|s| s.data.get(..s.len))
            .unwrap_or(&[])
    }

    /// Free `slot`.
    pub fn release(&mut self, slot: usize) {
        if let Some(s) = self.slots.get_mut(slot) {
            if s.used {
                s.used = false;
                self.held -= 1;
            }
        }
    }

    /// Drop every packet before `ts` (they can no longer be played).
    pub fn discard_before(&mut self, ts: i64) {
        for s in self.slots.iter_mut() {
            if s.used && s.ts < ts {
                s.used = false;
                self.held -= 1;
                self.late += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reorders_and_refuses_duplicates_and_late_packets() {
        let mut jb = JitterBuffer::new();
        assert_eq!(jb.push(0, 320, &[3], None), Ok(320));
        assert_eq!(jb.push(0, 160, &[2], None), Ok(160));
        assert_eq!(jb.push(0, 160, &[2], None), Err(Refused::Duplicate));
        assert_eq!(jb.push(0, 0, &[1], Some(160)), Err(Refused::Late));
        assert_eq!(jb.first_from(0), Some(160));
        let s = jb.find(160).unwrap();
        assert_eq!(jb.payload(s), &[2]);
        jb.release(s);
        assert_eq!(jb.len(), 1);
        assert_eq!((jb.late, jb.duplicates), (1, 1));
    }

    #[test]
    fn unwraps_timestamps() {
        let mut jb = JitterBuffer::new();
        jb.push(0, u32::MAX - 159, &[1], None).unwrap();
        assert_eq!(jb.push(160, 0, &[2], None), Ok(i64::from(u32::MAX) + 1));
        assert_eq!(jb.last(), Some(i64::from(u32::MAX) + 1));
    }

    #[test]
    fn jitter_follows_rfc_3550() {
        let mut jb = JitterBuffer::new();
        // Transit alternates by 80 units: |D| = 80 each packet after the first.
        for i in 0..400i64 {
            let arrival = i * 160 + if i % 2 == 0 { 0 } else { 80 };
            jb.push(arrival, (i * 160) as u32, &[0], None).unwrap_or(0);
            if let Some(s) = jb.find(i * 160) {
                jb.release(s);
            }
        }
        assert!((78..=80).contains(&jb.jitter()), "{}", jb.jitter());
    }
}
