//! The routing decision: a pure function of the table, the live state, the
//! request and `now`. It makes no allocation: candidates and skipped centres
//! live in fixed-size lists of [`MAX_CENTRES_PER_RULE`] slots.
//!
//! ```text
//! rules that could match (the merchant's, then in order)
//!   └─ first whose tests hold ──────────────── none: NoMatch (404)
//!        │  needs device data not asked yet ─── NeedDeviceData (wait for the POST)
//!        └─ its centres, in order:
//!             serves this merchant/link? open now? room (live < capacity)?
//!             skipped ones are recorded with why
//!           ├─ some can take it → strategy picks → Routed
//!           ├─ none serve the request → next rule
//!           ├─ some full          → AllFull (486, Retry-After)
//!           └─ all closed         → AllClosed (480, Retry-After = earliest opening)
//! ```

use std::fmt;

use jiff::Timestamp;

use super::centre::CentreId;
use super::device::DeviceData;
use super::live::LiveStore;
use super::rule::{Fit, Rule, RuleId, Strategy, MAX_CENTRES_PER_RULE};
use super::table::Table;

/// What the device's data is for this decision.
#[derive(Debug, Clone, Copy, Default)]
pub enum DeviceInput<'a> {
    /// Not asked for yet: a rule that needs it stops the decision with
    /// [`Outcome::NeedDeviceData`].
    #[default]
    NotAsked,
    /// Asked for and not received in time: rules that need it do not match.
    Absent,
    /// Received.
    Data(&'a DeviceData),
}

/// A call to route: who it is for and what is known of the caller.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    /// `X-Merchant-Id`.
    pub merchant: Option<&'a str>,
    /// `X-Link-Id`.
    pub link: Option<&'a str>,
    /// Customer and session attributes (`X-Customer-Id`, `X-Session-Id`, …)
    /// as name/value pairs.
    pub attributes: &'a [(&'a str, &'a str)],
    /// The number the caller dialled, when one was (counts only for merchants
    /// that allow explicit numbers).
    pub dialled: Option<&'a str>,
    /// The device's data.
    pub device: DeviceInput<'a>,
    /// The centre a valid route token named.
    pub last_centre: Option<CentreId>,
}

/// Why a centre of the chosen rule was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// It does not serve this merchant or link.
    NotServed,
    /// Closed now; opens in this many seconds (`None`: not within 400 days).
    Closed {
        /// Seconds until it opens.
        opens_in_s: Option<u32>,
    },
    /// Every line of it is busy.
    Full {
        /// Its live calls.
        live: u32,
        /// Its capacity.
        capacity: u32,
    },
}

/// Centres skipped, with why, in the rule's order.
pub type Skipped = heapless::Vec<(CentreId, SkipReason), MAX_CENTRES_PER_RULE>;

/// What to do with the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Place it at `centre`.
    Routed {
        /// The rule that matched.
        rule: RuleId,
        /// The centre chosen.
        centre: CentreId,
        /// The rule's centres that were passed over.
        skipped: Skipped,
    },
    /// No rule matches: 404 with a Reason.
    NoMatch,
    /// The first matching rule tests the device's data, which was not asked for.
    NeedDeviceData {
        /// That rule.
        rule: RuleId,
    },
    /// Every centre the rule lists is closed: 480 with Retry-After.
    AllClosed {
        /// The rule that matched.
        rule: RuleId,
        /// Seconds until the earliest opening (`None`: none within 400 days).
        retry_after_s: Option<u32>,
        /// Why each was skipped.
        skipped: Skipped,
    },
    /// Every open centre is full: 486 with Retry-After.
    AllFull {
        /// The rule that matched.
        rule: RuleId,
        /// The table's busy Retry-After, or the earliest opening of a closed
        /// centre when that is sooner.
        retry_after_s: u32,
        /// Why each was skipped.
        skipped: Skipped,
    },
}

impl Outcome {
    /// The SIP status a caller gets when the call is not placed (`None` when
    /// it is routed or waits for the device's data).
    pub fn sip_status(&self) -> Option<u16> {
        match self {
            Outcome::Routed { .. } | Outcome::NeedDeviceData { .. } => None,
            Outcome::NoMatch => Some(404),
            Outcome::AllClosed { .. } => Some(480),
            Outcome::AllFull { .. } => Some(486),
        }
    }

    /// A view naming the rule and centres, for the console and call records.
    pub fn view<'a>(&'a self, table: &'a Table) -> DecisionView<'a> {
        DecisionView {
            outcome: self,
            table,
        }
    }
}

/// Route `request` at `now`. Makes no allocation; updates only the weighted
/// round-robin scores of the rule it routes with.
pub fn decide<S: LiveStore + ?Sized>(
    table: &Table,
    live: &mut S,
    request: &Request<'_>,
    now: Timestamp,
) -> Outcome {
    let merchant = request.merchant.and_then(|m| table.merchant_id(m));
    let link = request.link.and_then(|l| table.link_id(l));
    let dialled = request
        .dialled
        .filter(|_| table.allows_explicit_number(merchant));
    for &rule_id in table.candidates(merchant) {
        let Some(rule) = table.rule(rule_id) else {
            continue;
        };
        match rule.fit(merchant, link, request, dialled) {
            Fit::Fails => continue,
            Fit::NeedsDevice => return Outcome::NeedDeviceData { rule: rule_id },
            Fit::Matches => {}
        }
        if let Some(outcome) = place(table, live, rule_id, rule, merchant, link, request, now) {
            return outcome;
        }
    }
    Outcome::NoMatch
}

/// Pick one of `rule`'s centres; `None` when none serves the request.
#[allow(clippy::too_many_arguments)]
fn place<S: LiveStore + ?Sized>(
    table: &Table,
    live: &mut S,
    rule_id: RuleId,
    rule: &Rule,
    merchant: Option<u16>,
    link: Option<u16>,
    request: &Request<'_>,
    now: Timestamp,
) -> Option<Outcome> {
    let mut skipped = Skipped::new();
    // (position in the rule's list, centre, live calls, capacity)
    let mut open: heapless::Vec<(usize, CentreId, u32, u32), MAX_CENTRES_PER_RULE> =
        heapless::Vec::new();
    // First open stops at the first centre that can take the call, unless a
    // route token's centre further down may be preferred.
    let first_open_only = rule.settings.strategy == Strategy::FirstOpen
        && !(rule.settings.prefer_last_centre && request.last_centre.is_some());
    for (position, &id) in rule.centres.iter().enumerate() {
        let Some(centre) = table.centre(id) else {
            continue;
        };
        let reason = if !centre.serves(merchant, link) {
            Some(SkipReason::NotServed)
        } else if !centre.settings.schedule.is_open(now) {
            let opens_in_s = centre
                .settings
                .schedule
                .next_opening(now)
                .map(|at| seconds_until(now, at));
            Some(SkipReason::Closed { opens_in_s })
        } else {
            let calls = live.live_calls(id);
            if calls >= centre.settings.capacity {
                Some(SkipReason::Full {
                    live: calls,
                    capacity: centre.settings.capacity,
                })
            } else {
                let _ = open.push((position, id, calls, centre.settings.capacity));
                None
            }
        };
        if let Some(reason) = reason {
            let _ = skipped.push((id, reason));
        } else if first_open_only {
            break;
        }
    }
    if let Some(&(_, centre, _, _)) = request
        .last_centre
        .filter(|_| rule.settings.prefer_last_centre)
        .and_then(|last| open.iter().find(|o| o.1 == last))
    {
        return Some(Outcome::Routed {
            rule: rule_id,
            centre,
            skipped,
        });
    }
    let chosen = match rule.settings.strategy {
        Strategy::FirstOpen => open.first().map(|o| o.1),
        Strategy::LeastBusy => open
            .iter()
            .min_by(|a, b| {
                // a.live / a.cap vs b.live / b.cap, exactly; ties keep list order.
                let left = u64::from(a.2) * u64::from(b.3);
                let right = u64::from(b.2) * u64::from(a.3);
                left.cmp(&right).then(a.0.cmp(&b.0))
            })
            .map(|o| o.1),
        Strategy::Weighted => weighted_pick(table, live.rotation(rule_id), &open),
    };
    if let Some(centre) = chosen {
        return Some(Outcome::Routed {
            rule: rule_id,
            centre,
            skipped,
        });
    }
    if skipped.iter().all(|(_, r)| *r == SkipReason::NotServed) {
        return None;
    }
    let earliest_opening = skipped
        .iter()
        .filter_map(|(_, r)| match r {
            SkipReason::Closed { opens_in_s } => *opens_in_s,
            _ => None,
        })
        .min();
    if skipped
        .iter()
        .any(|(_, r)| matches!(r, SkipReason::Full { .. }))
    {
        let busy = table.busy_retry_after_s();
        return Some(Outcome::AllFull {
            rule: rule_id,
            retry_after_s: earliest_opening.map_or(busy, |o| o.min(busy)),
            skipped,
        });
    }
    Some(Outcome::AllClosed {
        rule: rule_id,
        retry_after_s: earliest_opening,
        skipped,
    })
}

/// Smooth weighted round-robin over the open centres: each gains its weight,
/// the highest score wins (a tie: the earlier in the list) and loses the total.
fn weighted_pick(
    table: &Table,
    scores: &mut [i64],
    open: &[(usize, CentreId, u32, u32)],
) -> Option<CentreId> {
    let mut total = 0i64;
    let mut best: Option<(usize, CentreId)> = None;
    for &(position, id, _, _) in open {
        let weight = table.centre(id).map_or(1, |c| i64::from(c.settings.weight));
        let Some(score) = scores.get_mut(position) else {
            continue;
        };
        *score += weight;
        total += weight;
        let better = best.is_none_or(|(b, _)| {
            scores.get(b).copied().unwrap_or(i64::MIN) < scores.get(position).copied().unwrap_or(0)
        });
        if better {
            best = Some((position, id));
        }
    }
    let (position, id) = best?;
    if let Some(score) = scores.get_mut(position) {
        *score -= total;
    }
    Some(id)
}

/// Whole seconds from `now` to `at`, rounded up (`at` not before `now`).
fn seconds_until(now: Timestamp, at: Timestamp) -> u32 {
    let nanos = at.as_nanosecond().saturating_sub(now.as_nanosecond());
    let seconds = u128::try_from(nanos).unwrap_or(0).div_ceil(1_000_000_000);
    u32::try_from(seconds).unwrap_or(u32::MAX)
}

/// A decision with its rule and centres named:
/// `rule acme-fr → centre paris (skipped: lyon closed, opens in 3600 s; nice full 10/10)`.
#[derive(Debug, Clone, Copy)]
pub struct DecisionView<'a> {
    outcome: &'a Outcome,
    table: &'a Table,
}

impl DecisionView<'_> {
    fn centre(&self, id: CentreId) -> &str {
        self.table.centre(id).map_or("?", |c| c.name())
    }

    fn rule(&self, id: RuleId) -> &str {
        self.table.rule(id).map_or("?", |r| r.name())
    }

    fn skipped(&self, f: &mut fmt::Formatter<'_>, skipped: &Skipped) -> fmt::Result {
        if skipped.is_empty() {
            return Ok(());
        }
        write!(f, " (skipped:")?;
        for (i, (id, reason)) in skipped.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            write!(f, "{sep}{} ", self.centre(*id))?;
            match reason {
                SkipReason::NotServed => write!(f, "does not serve this merchant or link")?,
                SkipReason::Closed {
                    opens_in_s: Some(s),
                } => write!(f, "closed, opens in {s} s")?,
                SkipReason::Closed { opens_in_s: None } => write!(f, "closed")?,
                SkipReason::Full { live, capacity } => write!(f, "full {live}/{capacity}")?,
            }
        }
        write!(f, ")")
    }
}

impl fmt::Display for DecisionView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.outcome {
            Outcome::Routed {
                rule,
                centre,
                skipped,
            } => {
                write!(
                    f,
                    "rule {} → centre {}",
                    self.rule(*rule),
                    self.centre(*centre)
                )?;
                self.skipped(f, skipped)
            }
            Outcome::NoMatch => write!(f, "no rule matches (404)"),
            Outcome::NeedDeviceData { rule } => {
                write!(f, "rule {} needs the device's data", self.rule(*rule))
            }
            Outcome::AllClosed {
                rule,
                retry_after_s,
                skipped,
            } => {
                write!(f, "rule {}: every centre closed (480", self.rule(*rule))?;
                if let Some(s) = retry_after_s {
                    write!(f, ", Retry-After {s}")?;
                }
                write!(f, ")")?;
                self.skipped(f, skipped)
            }
            Outcome::AllFull {
                rule,
                retry_after_s,
                skipped,
            } => {
                write!(
                    f,
                    "rule {}: every centre full (486, Retry-After {retry_after_s})",
                    self.rule(*rule)
                )?;
                self.skipped(f, skipped)
            }
        }
    }
}
