//! Opening hours on a virtual clock: the centre's own wall clock across DST
//! changes in both directions (America/New_York, Europe/Paris), midnight,
//! holidays and holiday ranges, and the next opening that Retry-After uses.

mod call_server_support;
use call_server_support::{at, every_day, schedule};
use gateway::call_server::{DayHours, Holiday, HoursError, Interval, Schedule};

/// Seconds from `from` until `s` next opens.
fn opens_in(s: &Schedule, from: &str) -> i64 {
    let now = at(from);
    s.next_opening(now).expect("opens").as_second() - now.as_second()
}

#[test]
fn new_york_spring_forward_keeps_nine_o_clock_local() {
    let s = schedule("America/New_York", every_day(&["09:00-17:00"]), &[]);
    // Saturday 7 March 2026: EST, UTC-5.
    assert!(!s.is_open(at("2026-03-07T13:59:59Z")));
    assert!(s.is_open(at("2026-03-07T14:00:00Z")));
    assert!(s.is_open(at("2026-03-07T21:59:59Z")));
    assert!(!s.is_open(at("2026-03-07T22:00:00Z")));
    // Sunday 8 March 2026, after 02:00 → 03:00: EDT, UTC-4.
    assert!(!s.is_open(at("2026-03-08T12:59:59Z")));
    assert!(s.is_open(at("2026-03-08T13:00:00Z")));
    assert!(!s.is_open(at("2026-03-08T21:00:00Z")));
    // Closing Saturday 17:00 EST to opening Sunday 09:00 EDT is 15 h, not 16.
    assert_eq!(opens_in(&s, "2026-03-07T22:00:00Z"), 15 * 3600);
}

#[test]
fn new_york_fall_back_keeps_nine_o_clock_local() {
    let s = schedule("America/New_York", every_day(&["09:00-17:00"]), &[]);
    // Saturday 31 October 2026: EDT. Sunday 1 November after 02:00 → 01:00: EST.
    assert!(s.is_open(at("2026-10-31T13:00:00Z")));
    assert!(!s.is_open(at("2026-11-01T13:00:00Z")));
    assert!(s.is_open(at("2026-11-01T14:00:00Z")));
    // Saturday 17:00 EDT to Sunday 09:00 EST is 17 h.
    assert_eq!(opens_in(&s, "2026-10-31T21:00:00Z"), 17 * 3600);
}

#[test]
fn opening_inside_the_skipped_hour_happens_at_the_jump() {
    // Opens 02:30 on Sundays only; 8 March 2026 has no 02:30 in New York.
    let mut week: [DayHours; 7] = Default::default();
    week[6] = DayHours::new(&[Interval::parse("02:30-04:00").unwrap()]).unwrap();
    let s = schedule("America/New_York", week, &[]);
    // 01:00 EST = 06:00 UTC; the clock jumps 02:00 EST → 03:00 EDT at 07:00 UTC.
    assert_eq!(opens_in(&s, "2026-03-08T06:00:00Z"), 3600);
    assert!(!s.is_open(at("2026-03-08T06:59:59Z")));
    assert!(
        s.is_open(at("2026-03-08T07:00:00Z")),
        "03:00 EDT is past 02:30"
    );
}

#[test]
fn opening_inside_the_repeated_hour_happens_the_first_time() {
    // Opens 01:30 on Sundays; 1 November 2026 shows 01:30 twice in New York.
    let mut week: [DayHours; 7] = Default::default();
    week[6] = DayHours::new(&[Interval::parse("01:30-03:00").unwrap()]).unwrap();
    let s = schedule("America/New_York", week, &[]);
    // Midnight EDT = 04:00 UTC; the first 01:30 is EDT, 05:30 UTC.
    assert_eq!(opens_in(&s, "2026-11-01T04:00:00Z"), 90 * 60);
    assert!(s.is_open(at("2026-11-01T05:30:00Z")));
    // The second 01:30 (EST, 06:30 UTC) is open too.
    assert!(s.is_open(at("2026-11-01T06:30:00Z")));
}

#[test]
fn paris_changes_both_ways() {
    let s = schedule("Europe/Paris", every_day(&["08:00-20:00"]), &[]);
    // Saturday 28 March 2026: CET, UTC+1. Sunday 29: CEST, UTC+2.
    assert!(s.is_open(at("2026-03-28T07:00:00Z")));
    assert!(!s.is_open(at("2026-03-29T05:59:59Z")));
    assert!(s.is_open(at("2026-03-29T06:00:00Z")));
    // Saturday 24 October: CEST. Sunday 25: CET.
    assert!(s.is_open(at("2026-10-24T06:00:00Z")));
    assert!(!s.is_open(at("2026-10-25T06:00:00Z")));
    assert!(s.is_open(at("2026-10-25T07:00:00Z")));
    // Saturday 20:00 CEST (18:00 UTC) to Sunday 08:00 CET (07:00 UTC): 13 h.
    assert_eq!(opens_in(&s, "2026-10-24T18:00:00Z"), 13 * 3600);
}

#[test]
fn midnight_is_the_next_day() {
    // Open until 24:00 on Monday, from 00:00 on Tuesday: one stretch.
    let mut week: [DayHours; 7] = Default::default();
    week[0] = DayHours::new(&[Interval::parse("18:00-24:00").unwrap()]).unwrap();
    week[1] = DayHours::new(&[Interval::parse("00:00-06:00").unwrap()]).unwrap();
    let s = schedule("UTC", week, &[]);
    // Monday 7 December 2026.
    assert!(s.is_open(at("2026-12-07T23:59:59Z")));
    assert!(s.is_open(at("2026-12-08T00:00:00Z")));
    assert!(s.is_open(at("2026-12-08T05:59:59Z")));
    assert!(!s.is_open(at("2026-12-08T06:00:00Z")));
    assert!(!s.is_open(at("2026-12-07T17:59:59Z")));
    // Tuesday 06:00 to Monday 18:00: 6 days and 12 hours.
    assert_eq!(opens_in(&s, "2026-12-08T06:00:00Z"), (6 * 24 + 12) * 3600);
}

#[test]
fn holidays_and_ranges_close_whole_local_days() {
    let s = schedule(
        "Europe/Paris",
        every_day(&["09:00-18:00"]),
        &["2026-12-25", "2026-12-31..2027-01-02"],
    );
    assert!(s.is_open(at("2026-12-24T10:00:00Z")));
    assert!(!s.is_open(at("2026-12-25T10:00:00Z")));
    assert!(s.is_open(at("2026-12-26T10:00:00Z")));
    for day in ["2026-12-31", "2027-01-01", "2027-01-02"] {
        assert!(!s.is_open(at(&format!("{day}T10:00:00Z"))), "{day}");
    }
    assert!(s.is_open(at("2027-01-03T10:00:00Z")));
    // 30 December 18:00 CET to 3 January 09:00 CET: 3 days and 15 hours.
    assert_eq!(opens_in(&s, "2026-12-30T17:00:00Z"), (3 * 24 + 15) * 3600);
    // The holiday is the centre's local date: 24 Dec 23:30 UTC is already
    // the 25th in Paris.
    let late = schedule("Europe/Paris", every_day(&["00:00-24:00"]), &["2026-12-25"]);
    assert!(late.is_open(at("2026-12-24T22:59:59Z")));
    assert!(!late.is_open(at("2026-12-24T23:00:00Z")));
}

#[test]
fn never_open_has_no_next_opening() {
    let s = schedule("UTC", Default::default(), &[]);
    assert!(!s.is_open(at("2026-12-07T12:00:00Z")));
    assert_eq!(s.next_opening(at("2026-12-07T12:00:00Z")), None);
    let closed_year = schedule(
        "UTC",
        every_day(&["09:00-17:00"]),
        &["2026-01-01..2027-12-31"],
    );
    assert_eq!(closed_year.next_opening(at("2026-06-01T12:00:00Z")), None);
}

#[test]
fn bad_hours_are_typed_errors() {
    assert!(matches!(
        Interval::parse("9-17"),
        Err(HoursError::Syntax(_))
    ));
    assert!(matches!(
        Interval::parse("17:00-09:00"),
        Err(HoursError::EmptyOrPastMidnight { .. })
    ));
    assert!(matches!(
        Interval::parse("24:30-25:00"),
        Err(HoursError::Syntax(_))
    ));
    let a = Interval::parse("09:00-12:00").unwrap();
    let b = Interval::parse("11:00-13:00").unwrap();
    assert_eq!(DayHours::new(&[a, b]), Err(HoursError::Overlap));
    assert_eq!(DayHours::new(&[a; 5]), Err(HoursError::TooManyIntervals));
    assert!(matches!(
        Holiday::parse("2026-13-01"),
        Err(HoursError::Date(_))
    ));
    assert!(matches!(
        Holiday::parse("2026-12-31..2026-12-01"),
        Err(HoursError::ReversedRange(_))
    ));
    assert!(matches!(
        Schedule::new("Mars/Olympus_Mons", Default::default(), Vec::new()),
        Err(HoursError::TimeZone(_))
    ));
}
