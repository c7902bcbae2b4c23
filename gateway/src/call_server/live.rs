//! The state a fleet of gateways will share: live calls per centre and the
//! weighted round-robin's scores (agent states and the callback queue join it
//! with their issues). The decision reads and updates it only through
//! [`LiveStore`], a narrow trait, so a store in Redis can replace the embedded
//! default without touching the decision.

use super::centre::CentreId;
use super::rule::RuleId;
use super::table::Table;

/// Live routing state, as the decision and the call flows use it.
pub trait LiveStore {
    /// Calls now up at `centre`.
    fn live_calls(&self, centre: CentreId) -> u32;
    /// A call routed to `centre` was placed.
    fn call_started(&mut self, centre: CentreId);
    /// A call at `centre` ended (never below zero).
    fn call_ended(&mut self, centre: CentreId);
    /// The running scores of `rule`'s weighted round-robin, one per centre the
    /// rule lists, in its order. A rule without scores gets an empty slice.
    fn rotation(&mut self, rule: RuleId) -> &mut [i64];
}

/// The embedded store: plain arrays in the gateway's memory, sized for one
/// [`Table`] when it is built; makes no allocation afterwards.
#[derive(Debug, Clone)]
pub struct EmbeddedStore {
    calls: Box<[u32]>,
    scores: Box<[i64]>,
    /// `(offset, len)` of each rule's scores in `scores`.
    spans: Box<[(u32, u32)]>,
}

impl EmbeddedStore {
    /// A store for `table`'s centres and rules, every count and score zero.
    pub fn for_table(table: &Table) -> EmbeddedStore {
        let spans: Box<[(u32, u32)]> = table
            .rules()
            .iter()
            .map(|r| {
                let len = u32::try_from(r.centres().len()).unwrap_or(0);
                (r.rotation_offset, len)
            })
            .collect();
        let total = spans.iter().map(|&(o, l)| o + l).max().unwrap_or(0);
        EmbeddedStore {
            calls: vec![0; table.centres().len()].into_boxed_slice(),
            scores: vec![0; usize::try_from(total).unwrap_or(0)].into_boxed_slice(),
            spans,
        }
    }

    /// A store for `table` after a reload: live calls carried over from `old`
    /// (built for `old_table`) by centre name, so calls up during the reload
    /// still count; weighted round-robin scores start again.
    pub fn carried_over(table: &Table, old_table: &Table, old: &EmbeddedStore) -> EmbeddedStore {
        let mut store = EmbeddedStore::for_table(table);
        for (i, centre) in old_table.centres().iter().enumerate() {
            let calls = old.calls.get(i).copied().unwrap_or(0);
            if let Some(id) = table.centre_named(centre.name()) {
                store.set_live_calls(id, calls);
            }
        }
        store
    }

    /// Set a centre's live calls (tests, and a store rebuilt after a reload).
    pub fn set_live_calls(&mut self, centre: CentreId, calls: u32) {
        if let Some(c) = self.calls.get_mut(usize::from(centre.0)) {
            *c = calls;
        }
    }
}

impl LiveStore for EmbeddedStore {
    fn live_calls(&self, centre: CentreId) -> u32 {
        self.calls.get(usize::from(centre.0)).copied().unwrap_or(0)
    }

    fn call_started(&mut self, centre: CentreId) {
        if let Some(c) = self.calls.get_mut(usize::from(centre.0)) {
            *c = c.saturating_add(1);
        }
    }

    fn call_ended(&mut self, centre: CentreId) {
        if let Some(c) = self.calls.get_mut(usize::from(centre.0)) {
            *c = c.saturating_sub(1);
        }
    }

    fn rotation(&mut self, rule: RuleId) -> &mut [i64] {
        let Some(&(offset, len)) = self.spans.get(usize::from(rule.0)) else {
            return &mut [];
        };
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        let end = start.saturating_add(usize::try_from(len).unwrap_or(0));
        self.scores.get_mut(start..end).unwrap_or(&mut [])
    }
}
