//! A counting global allocator proves that the routing decision makes no heap
//! allocation: 100 000 decisions over the benchmark's table (1 000 rules, 100
//! centres in six time zones) at instants across a week, with centres open,
//! closed (the next opening computed), full, and all three strategies.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

mod call_server_support;
use call_server_support::{at, large_request_names, large_requests, large_table};
use gateway::call_server::{decide, CentreId, EmbeddedStore, LiveStore, Outcome};

struct Counting;

thread_local! {
    /// Allocations made by this thread (`const` and `Cell`: touching it never
    /// allocates).
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

// SAFETY: forwards to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn deciding_makes_no_allocation() {
    let table = large_table();
    let mut live = EmbeddedStore::for_table(&table);
    let names = large_request_names();
    let requests = large_requests(&names);
    // Some centres full.
    for c in (0..100).step_by(3) {
        live.set_live_calls(CentreId(c), 9);
    }
    let start = at("2026-12-07T00:00:00Z");
    let mut outcomes = [0u32; 4];
    let before = allocations();
    for i in 0..100_000u32 {
        // Every 6 s 100 000 times: a week, both ends of every centre's day.
        let now = start + jiff::SignedDuration::from_secs(i64::from(i) * 6);
        let request = &requests[usize::try_from(i).unwrap() % requests.len()];
        let outcome = decide(&table, &mut live, request, now);
        let kind = match &outcome {
            Outcome::Routed { centre, .. } => {
                live.call_started(*centre);
                live.call_ended(*centre);
                0
            }
            Outcome::AllClosed { .. } => 1,
            Outcome::AllFull { .. } => 2,
            _ => 3,
        };
        outcomes[kind] += 1;
    }
    let made = allocations() - before;
    assert_eq!(made, 0, "decisions allocated {made} times");
    // The counter sees an allocation when there is one.
    let probe = std::hint::black_box(Vec::<u8>::with_capacity(1));
    assert!(allocations() > before, "the counting allocator counts");
    drop(probe);
    // The run saw every outcome that computes something.
    assert!(
        outcomes[0] > 10_000 && outcomes[1] > 1_000 && outcomes[2] > 100,
        "{outcomes:?}"
    );
}
