//! Sequence-of-operations fuzzing of the transaction and dialog state machines,
//! on stable Rust and in bounded time: two endpoints on a virtual clock receive
//! random API calls (invite, provisional, accept, reject, hang up from either
//! side, INFO), random packet loss and random jumps of time, from a seeded PRNG.
//!
//! Invariants checked for every sequence:
//! - nothing panics;
//! - every call the UAC placed ends with exactly one terminal event (`Failed` or
//!   `Ended`), and no UAS call with more than one;
//! - once everything is hung up and every timer has run out (70 s > 64·T1),
//!   neither side keeps a call or a transaction: no state leaks.

mod common;

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use common::Pair;
use sip::{CallHandle, Event};

/// Sequences run (each with its own seed) and operations per sequence.
const SEQUENCES: u64 = 400;
const OPERATIONS: usize = 60;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> Option<T> {
        (!items.is_empty()).then(|| items[self.below(items.len() as u64) as usize])
    }
}

fn terminal(e: &Event) -> Option<CallHandle> {
    match e {
        Event::Failed { call, .. } | Event::Ended { call, .. } | Event::Cancelled { call } => {
            Some(*call)
        }
        _ => None,
    }
}

/// How often each outcome happened, to show the sequences explore the machines.
#[derive(Default, Debug)]
struct Coverage {
    answered: usize,
    failed: usize,
    cancelled: usize,
    ended: usize,
    infos: usize,
}

fn run_sequence(seed: u64, coverage: &mut Coverage) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut pair = Pair::new();
    // Packet loss in percent, changed by the sequence itself.
    let loss = Rc::new(Cell::new(0u64));
    let loss_rng = Rc::new(Cell::new(seed | 1));
    {
        let (loss, state) = (loss.clone(), loss_rng.clone());
        pair.drop = Box::new(move |_, _| {
            let mut r = Rng(state.get());
            let drop = r.below(100) < loss.get();
            state.set(r.0);
            drop
        });
    }
    let mut uac_calls: Vec<CallHandle> = Vec::new();
    for _ in 0..OPERATIONS {
        let uas_calls: Vec<CallHandle> = pair
            .uas_events
            .iter()
            .filter_map(|e| match e {
                Event::IncomingCall { call, .. } => Some(*call),
                _ => None,
            })
            .collect();
        let now = pair.now;
        // Errors are expected (wrong state, unknown call): only panics and leaks count.
        match rng.below(10) {
            0 if uac_calls.len() < 4 => {
                if let Ok(c) = pair.uac.invite(now, pair.outgoing()) {
                    uac_calls.push(c);
                }
            }
            1 => {
                if let Some(c) = rng.pick(&uas_calls) {
                    let _ = pair.uas.send_provisional(now, c, 180, None);
                }
            }
            2 => {
                if let Some(c) = rng.pick(&uas_calls) {
                    let _ = pair.uas.accept(now, c, common::ANSWER);
                }
            }
            3 => {
                if let Some(c) = rng.pick(&uas_calls) {
                    let _ = pair.uas.reject(now, c, 486, "Busy Here");
                }
            }
            4 => {
                if let Some(c) = rng.pick(&uac_calls) {
                    let _ = pair.uac.hangup(now, c);
                }
            }
            5 => {
                if let Some(c) = rng.pick(&uas_calls) {
                    let _ = pair.uas.hangup(now, c);
                }
            }
            6 => {
                if let Some(c) = rng.pick(&uac_calls) {
                    let _ = pair.uac.send_info(now, c, "application/json", b"{}");
                }
            }
            7 => {
                let ms = rng.below(5000);
                pair.run_for(Duration::from_millis(ms));
            }
            8 => loss.set(rng.pick(&[0, 0, 20, 50]).unwrap_or(0)),
            _ => {}
        }
        pair.deliver();
    }

    // Wind down: a clean network, everybody hangs up, every timer runs out.
    loss.set(0);
    let uas_calls: Vec<CallHandle> = pair.uas.calls().collect();
    for c in pair.uac.calls().collect::<Vec<_>>() {
        let _ = pair.uac.hangup(pair.now, c);
    }
    for c in uas_calls {
        let _ = pair.uas.hangup(pair.now, c);
    }
    pair.deliver();
    pair.run_for(Duration::from_secs(70));

    let leaked = (pair.uac.calls().count(), pair.uas.calls().count());
    assert_eq!(leaked, (0, 0), "seed {seed}: calls left after wind-down");
    let transactions = (pair.uac.transaction_count(), pair.uas.transaction_count());
    assert_eq!(transactions, (0, 0), "seed {seed}: transactions left");

    let mut ends: HashMap<CallHandle, usize> = HashMap::new();
    for c in pair.uac_events.iter().filter_map(terminal) {
        *ends.entry(c).or_default() += 1;
    }
    for c in &uac_calls {
        assert_eq!(
            ends.get(c).copied().unwrap_or(0),
            1,
            "seed {seed}: UAC call {c:?} must end exactly once: {:?}",
            pair.uac_events
        );
    }
    for e in pair.uac_events.iter().chain(&pair.uas_events) {
        match e {
            Event::Answered { .. } => coverage.answered += 1,
            Event::Failed { .. } => coverage.failed += 1,
            Event::Cancelled { .. } => coverage.cancelled += 1,
            Event::Ended { .. } => coverage.ended += 1,
            Event::InfoReceived { .. } => coverage.infos += 1,
            _ => {}
        }
    }
    let mut uas_ends: HashMap<CallHandle, usize> = HashMap::new();
    for c in pair.uas_events.iter().filter_map(terminal) {
        *uas_ends.entry(c).or_default() += 1;
    }
    assert!(
        uas_ends.values().all(|&n| n <= 1),
        "seed {seed}: a UAS call ended twice: {:?}",
        pair.uas_events
    );
}

#[test]
fn random_operation_sequences_keep_the_invariants() {
    let mut coverage = Coverage::default();
    for seed in 0..SEQUENCES {
        run_sequence(seed, &mut coverage);
    }
    println!("{coverage:?}");
    for (what, n) in [
        ("answered", coverage.answered),
        ("failed", coverage.failed),
        ("cancelled", coverage.cancelled),
        ("ended", coverage.ended),
        ("INFO", coverage.infos),
    ] {
        assert!(n >= 50, "the sequences rarely reach {what}: {coverage:?}");
    }
}
