//! Per-frame work does not allocate: a counting allocator watches
//! `exchange_frames` through dialling, ringback, a call with voice and DTMF,
//! and inbound ringing.
//!
//! A global allocator is an `unsafe` trait; this test binary alone allows it, and
//! only to delegate to `System` while counting.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use drivers::sim::{SimConfig, SimExchange};
use drivers::{Frame, LineCard, LineCommand, PortId, FRAME_SAMPLES};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if WATCHING.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const CONFIG: &str = r#"
[simulation]
[[simulation.lines]]
port = 0
number = "100"
[[simulation.lines]]
port = 1
number = "101"
[[simulation.subscribers]]
number = "1800"
answer_after_rings = 1
script = [ { at_ms = 0, play = "voice" }, { at_ms = 500, dial = "*76" }, { at_ms = 1500, play = "tone:350+440@-20" } ]
[[simulation.phones]]
name = "customer"
number = "2125550199"
"#;

#[derive(serde::Deserialize)]
struct Wrapper {
    simulation: SimConfig,
}

fn frames(exchange: &mut SimExchange, tx: &[Frame], rx: &mut [Frame], n: usize) -> usize {
    let mut allocations = 0;
    for _ in 0..n {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        WATCHING.with(|w| w.set(true));
        exchange.exchange_frames(tx, rx).unwrap();
        while exchange.poll_event().is_some() {}
        WATCHING.with(|w| w.set(false));
        allocations += ALLOCATIONS.load(Ordering::Relaxed) - before;
    }
    allocations
}

#[test]
fn exchanging_frames_does_not_allocate() {
    let config = toml::from_str::<Wrapper>(CONFIG).unwrap().simulation;
    let (mut exchange, control) = SimExchange::new(&config, 2).unwrap();
    let mut tx = vec![[0i16; FRAME_SAMPLES]; 2];
    let mut rx = vec![[0i16; FRAME_SAMPLES]; 2];
    let mut keypad = dsp::dtmf::Generator::new(dsp::dtmf::GeneratorConfig::default());

    exchange.command(PortId(0), LineCommand::OffHook).unwrap();
    control.place_call("customer", "101").unwrap();
    let mut total = frames(&mut exchange, &tx, &mut rx, 20);
    keypad.queue_str("1800").unwrap();
    while !keypad.is_idle() {
        keypad.fill(&mut tx[0]);
        total += frames(&mut exchange, &tx, &mut rx, 1);
    }
    tx[0].fill(0);
    exchange.command(PortId(1), LineCommand::OffHook).unwrap();
    // Ringback, answer, voice, keyed digits, a tone; the inbound call talking.
    total += frames(&mut exchange, &tx, &mut rx, 500);
    assert_eq!(control.status()[0].state, "connected");
    assert_eq!(total, 0, "allocations while exchanging frames");
}
