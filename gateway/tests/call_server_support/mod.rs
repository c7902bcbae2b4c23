//! Builders shared by the call server's tests: centres with hours in a time
//! zone, rules, and instants written as RFC 3339 UTC strings.

#![allow(dead_code)]

use gateway::call_server::{
    CentreSettings, DayHours, Destination, Holiday, Interval, RuleSettings, Schedule, Strategy,
    Table,
};
use jiff::Timestamp;

/// An instant: `"2026-03-08T13:00:00Z"`.
pub fn at(text: &str) -> Timestamp {
    text.parse().expect("an RFC 3339 instant")
}

/// The same hours (`"09:00-17:00"` …) every day of the week.
pub fn every_day(intervals: &[&str]) -> [DayHours; 7] {
    let parsed: Vec<Interval> = intervals
        .iter()
        .map(|t| Interval::parse(t).expect("interval"))
        .collect();
    std::array::from_fn(|_| DayHours::new(&parsed).expect("day"))
}

/// A schedule in `tz` with `week` and `holidays`.
pub fn schedule(tz: &str, week: [DayHours; 7], holidays: &[&str]) -> Schedule {
    let holidays = holidays
        .iter()
        .map(|h| Holiday::parse(h).expect("holiday"))
        .collect();
    Schedule::new(tz, week, holidays).expect("schedule")
}

/// A centre open always, capacity and weight as given.
pub fn centre(name: &str, capacity: u32, weight: u32) -> CentreSettings {
    CentreSettings {
        name: name.into(),
        merchants: Vec::new(),
        links: Vec::new(),
        destination: Destination::Sip {
            uri: format!("sip:{name}@192.0.2.1"),
        },
        schedule: Schedule::always_open(),
        capacity,
        weight,
    }
}

/// A rule for `merchant` (any when `None`) over `centres`.
pub fn rule(
    name: &str,
    merchant: Option<&str>,
    centres: &[&str],
    strategy: Strategy,
) -> RuleSettings {
    RuleSettings {
        name: name.into(),
        merchant: merchant.map(Into::into),
        centres: centres.iter().map(|c| (*c).to_string()).collect(),
        strategy,
        ..RuleSettings::default()
    }
}

/// A table of `centres` and `rules`, no explicit numbers, busy retry 60 s.
pub fn table(centres: Vec<CentreSettings>, rules: Vec<RuleSettings>) -> Table {
    Table::new(centres, rules, &[], 60).expect("table")
}

/// Zones the large table's centres cycle through.
const ZONES: [&str; 6] = [
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "UTC",
    "Australia/Sydney",
    "America/Los_Angeles",
];

/// The benchmark's table: 100 centres (08:00–20:00 Monday to Saturday in six
/// zones, a holiday range each, capacity 2–9) and 1 000 rules: for each of
/// 100 merchants, 9 link rules and one for the merchant's other calls, their
/// three to five centres picked with the three strategies in turn.
pub fn large_table() -> Table {
    let mut week: [DayHours; 7] = every_day(&["08:00-20:00"]);
    week[6] = DayHours::default();
    let centres = (0..100)
        .map(|i| CentreSettings {
            schedule: schedule(
                ZONES[i % ZONES.len()],
                week.clone(),
                &["2026-12-24..2026-12-26"],
            ),
            ..centre(
                &format!("c{i}"),
                2 + u32::try_from(i % 8).unwrap(),
                1 + u32::try_from(i % 4).unwrap(),
            )
        })
        .collect();
    let strategies = [Strategy::FirstOpen, Strategy::LeastBusy, Strategy::Weighted];
    let mut rules = Vec::new();
    for m in 0..100 {
        for r in 0..10 {
            let n = m * 10 + r;
            let count = 3 + n % 3;
            let names: Vec<String> = (0..count)
                .map(|k| format!("c{}", (n * 7 + k * 13) % 100))
                .collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let mut settings = rule(
                &format!("r{n}"),
                Some(&format!("m{m}")),
                &names,
                strategies[n % 3],
            );
            if r < 9 {
                settings.link = Some(format!("l{r}"));
            }
            rules.push(settings);
        }
    }
    table(centres, rules)
}

/// The worst case for rule matching: 1 000 rules that name no merchant, each
/// for its own link, over the same 100 centres; a call for link `l999` reads
/// every rule.
pub fn flat_table() -> Table {
    let centres = (0..100).map(|i| centre(&format!("c{i}"), 5, 1)).collect();
    let rules = (0..1000)
        .map(|n| RuleSettings {
            link: Some(format!("l{n}")),
            ..rule(
                &format!("r{n}"),
                None,
                &["c1", "c2", "c3"],
                Strategy::LeastBusy,
            )
        })
        .collect();
    table(centres, rules)
}

/// Requests over the large table's merchants and links (and some unknown
/// links, which fall to the merchant's last rule). The strings live in `names`.
pub fn large_requests(names: &[(String, String)]) -> Vec<gateway::call_server::Request<'_>> {
    names
        .iter()
        .map(|(merchant, link)| gateway::call_server::Request {
            merchant: Some(merchant),
            link: Some(link),
            ..gateway::call_server::Request::default()
        })
        .collect()
}

/// 1 000 (merchant, link) pairs for [`large_requests`].
pub fn large_request_names() -> Vec<(String, String)> {
    (0..1000)
        .map(|i| (format!("m{}", (i * 37) % 100), format!("l{}", i % 12)))
        .collect()
}
