//! Call-server routing benchmark: routing decisions per second on one core with
//! 1 000 rules and 100 centres (the table of `gateway/tests/call_server_support`),
//! for the merchant-indexed table a configuration gives and for the worst case
//! where every call reads all 1 000 rules.
//!
//! `cargo bench -p gateway --bench call_server` (release profile; the clock
//! here is the measuring tool's, not the core's). The decision makes no
//! allocation: `gateway/tests/call_server_allocations.rs` proves it.

use std::hint::black_box;
use std::time::Instant;

#[path = "../tests/call_server_support/mod.rs"]
mod support;

use gateway::call_server::{decide, CentreId, EmbeddedStore, Outcome, Request, Table};
use jiff::{SignedDuration, Timestamp};

const DECISIONS: u32 = 2_000_000;
const ROUNDS: usize = 5;

/// Decisions per second, best of [`ROUNDS`], and the share of each outcome.
fn run(name: &str, table: &Table, requests: &[Request<'_>], full_every: u16) {
    let mut live = EmbeddedStore::for_table(table);
    for c in (0..100u16).step_by(usize::from(full_every)) {
        live.set_live_calls(CentreId(c), 9);
    }
    let start: Timestamp = "2026-12-07T00:00:00Z".parse().unwrap();
    let mut best = f64::MAX;
    let mut outcomes = [0u64; 4];
    for _ in 0..ROUNDS {
        let t0 = Instant::now();
        for i in 0..DECISIONS {
            // Across a week, so centres open and close in their zones.
            let now = start + SignedDuration::from_secs(i64::from(i % 100_800) * 6);
            let request = &requests[usize::try_from(i).unwrap_or(0) % requests.len()];
            let outcome = decide(table, &mut live, black_box(request), black_box(now));
            outcomes[match &outcome {
                Outcome::Routed { .. } => 0,
                Outcome::AllClosed { .. } => 1,
                Outcome::AllFull { .. } => 2,
                _ => 3,
            }] += 1;
            black_box(outcome);
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    let total: u64 = outcomes.iter().sum();
    let share = |n: u64| 100.0 * n as f64 / total as f64;
    println!(
        "{name:<44} {:>10.0} decisions/s  {:>6.0} ns each  (routed {:.0} %, closed {:.0} %, full {:.0} %, other {:.0} %)",
        f64::from(DECISIONS) / best,
        best * 1e9 / f64::from(DECISIONS),
        share(outcomes[0]),
        share(outcomes[1]),
        share(outcomes[2]),
        share(outcomes[3]),
    );
}

fn main() {
    let names = support::large_request_names();
    let requests = support::large_requests(&names);
    let large = support::large_table();
    run(
        "1 000 rules, 100 centres (per merchant)",
        &large,
        &requests,
        3,
    );
    let flat = support::flat_table();
    let last: Vec<Request<'_>> = vec![Request {
        link: Some("l999"),
        ..Request::default()
    }];
    run("1 000 rules, worst case (all read)", &flat, &last, 200);
}
