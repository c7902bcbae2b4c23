//! When a call centre answers: opening hours per weekday on the centre's own
//! wall clock (an IANA time zone from jiff's bundled tz database), minus
//! holidays (single dates and date ranges).
//!
//! Hours are wall-clock times: a centre open 09:00–17:00 in `America/New_York`
//! opens at 09:00 local time on the day clocks spring forward and on the day
//! they fall back alike. An opening written inside the hour that a spring-forward
//! skips (02:30 on that Sunday) happens when the wall clock passes it, i.e. at
//! the jump (03:00 local). An hour repeated by a fall-back is open (or closed)
//! both times; an opening inside it happens the first time.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::Timestamp;

/// Seconds in a civil day.
const DAY_S: u32 = 24 * 3600;

/// Most opening intervals a weekday may hold.
pub const MAX_INTERVALS_PER_DAY: usize = 4;

/// How far ahead [`Schedule::next_opening`] looks: a year and a bit, so a
/// holiday range that closes a centre for months still finds its reopening.
const LOOKAHEAD_DAYS: u32 = 400;

/// One opening interval of a day, seconds from the local midnight, `start <
/// end <= 86 400` (an interval ends at 24:00 at the latest; one that goes past
/// midnight is written as two, one on each day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    start_s: u32,
    end_s: u32,
}

impl Interval {
    /// An interval from `start_s` to `end_s` seconds after local midnight.
    pub fn new(start_s: u32, end_s: u32) -> Result<Interval, HoursError> {
        if start_s >= end_s || end_s > DAY_S {
            return Err(HoursError::EmptyOrPastMidnight { start_s, end_s });
        }
        Ok(Interval { start_s, end_s })
    }

    /// Parse `HH:MM-HH:MM` (`24:00` allowed as an end).
    pub fn parse(text: &str) -> Result<Interval, HoursError> {
        let bad = || HoursError::Syntax(text.to_string());
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let start = parse_clock(a.trim()).ok_or_else(bad)?;
        let end = parse_clock(b.trim()).ok_or_else(bad)?;
        Interval::new(start, end)
    }

    fn contains(&self, second_of_day: u32) -> bool {
        (self.start_s..self.end_s).contains(&second_of_day)
    }
}

/// `HH:MM` as seconds after midnight; `24:00` is the day's end.
fn parse_clock(text: &str) -> Option<u32> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    match (h, m) {
        (24, 0) => Some(DAY_S),
        (0..=23, 0..=59) => Some(h * 3600 + m * 60),
        _ => None,
    }
}

/// A fault in opening hours or holidays.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HoursError {
    /// Not `HH:MM-HH:MM`.
    #[error("{0:?} is not HH:MM-HH:MM")]
    Syntax(String),
    /// Start not before end, or past 24:00.
    #[error("an interval must end after it starts and by 24:00 (one past midnight is written as two, one on each day)")]
    EmptyOrPastMidnight {
        /// Seconds after midnight.
        start_s: u32,
        /// Seconds after midnight.
        end_s: u32,
    },
    /// More intervals on one day than [`MAX_INTERVALS_PER_DAY`].
    #[error("at most {MAX_INTERVALS_PER_DAY} intervals a day")]
    TooManyIntervals,
    /// Two intervals of one day overlap.
    #[error("intervals overlap")]
    Overlap,
    /// Not `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD`.
    #[error("{0:?} is not a date YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD")]
    Date(String),
    /// A range whose end comes before its start.
    #[error("holiday range {0:?} ends before it starts")]
    ReversedRange(String),
    /// Not an IANA time zone name known to the bundled database.
    #[error("unknown time zone {0:?} (an IANA name such as \"Europe/Paris\")")]
    TimeZone(String),
}

/// The opening intervals of one weekday, sorted, not overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayHours {
    intervals: heapless::Vec<Interval, MAX_INTERVALS_PER_DAY>,
}

impl DayHours {
    /// A day with these intervals (any order; they must not overlap).
    pub fn new(intervals: &[Interval]) -> Result<DayHours, HoursError> {
        let mut sorted: heapless::Vec<Interval, MAX_INTERVALS_PER_DAY> =
            heapless::Vec::from_slice(intervals).map_err(|_| HoursError::TooManyIntervals)?;
        sorted.sort_unstable_by_key(|i| i.start_s);
        if sorted.windows(2).any(|w| w[0].end_s > w[1].start_s) {
            return Err(HoursError::Overlap);
        }
        Ok(DayHours { intervals: sorted })
    }

    /// Open all day (00:00–24:00).
    pub fn all_day() -> DayHours {
        let mut intervals = heapless::Vec::new();
        let _ = intervals.push(Interval {
            start_s: 0,
            end_s: DAY_S,
        });
        DayHours { intervals }
    }

    fn contains(&self, second_of_day: u32) -> bool {
        self.intervals.iter().any(|i| i.contains(second_of_day))
    }
}

/// An inclusive range of local dates on which the centre is closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    first: Date,
    last: Date,
}

impl Holiday {
    /// Parse `YYYY-MM-DD` or `YYYY-MM-DD..YYYY-MM-DD` (both ends included).
    pub fn parse(text: &str) -> Result<Holiday, HoursError> {
        let date = |t: &str| {
            t.trim()
                .parse::<Date>()
                .map_err(|_| HoursError::Date(text.to_string()))
        };
        let (first, last) = match text.split_once("..") {
            Some((a, b)) => (date(a)?, date(b)?),
            None => {
                let d = date(text)?;
                (d, d)
            }
        };
        if last < first {
            return Err(HoursError::ReversedRange(text.to_string()));
        }
        Ok(Holiday { first, last })
    }

    fn contains(&self, date: Date) -> bool {
        (self.first..=self.last).contains(&date)
    }
}

/// A centre's week, holidays and time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    time_zone: TimeZone,
    /// Monday first.
    week: [DayHours; 7],
    holidays: Box<[Holiday]>,
}

impl Schedule {
    /// A schedule in the IANA zone `time_zone` (e.g. `"Europe/Paris"`).
    pub fn new(
        time_zone: &str,
        week: [DayHours; 7],
        holidays: Vec<Holiday>,
    ) -> Result<Schedule, HoursError> {
        let time_zone =
            TimeZone::get(time_zone).map_err(|_| HoursError::TimeZone(time_zone.to_string()))?;
        Ok(Schedule {
            time_zone,
            week,
            holidays: holidays.into_boxed_slice(),
        })
    }

    /// Open every day, all day, in UTC, no holidays.
    pub fn always_open() -> Schedule {
        Schedule {
            time_zone: TimeZone::UTC,
            week: std::array::from_fn(|_| DayHours::all_day()),
            holidays: Box::new([]),
        }
    }

    /// Whether the centre answers at `now`. Makes no allocation.
    pub fn is_open(&self, now: Timestamp) -> bool {
        let local = self.time_zone.to_datetime(now);
        self.open_at(local)
    }

    fn open_at(&self, local: DateTime) -> bool {
        let date = local.date();
        if self.is_holiday(date) {
            return false;
        }
        self.day(date).contains(second_of_day(local.time()))
    }

    fn day(&self, date: Date) -> &DayHours {
        let index = usize::try_from(date.weekday().to_monday_zero_offset()).unwrap_or(0);
        &self.week[index % 7]
    }

    fn is_holiday(&self, date: Date) -> bool {
        self.holidays.iter().any(|h| h.contains(date))
    }

    /// The first instant at or after `now` when the centre is open (`now`
    /// itself when open), looking up to 400 days ahead; `None` when it never
    /// opens in that time. Makes no allocation.
    pub fn next_opening(&self, now: Timestamp) -> Option<Timestamp> {
        if self.is_open(now) {
            return Some(now);
        }
        let local = self.time_zone.to_datetime(now);
        let mut date = local.date();
        let now_s = second_of_day(local.time());
        for day in 0..LOOKAHEAD_DAYS {
            if !self.is_holiday(date) {
                for interval in &self.day(date).intervals {
                    if day == 0 && interval.end_s <= now_s {
                        continue;
                    }
                    let start = date.to_datetime(time_of_day(interval.start_s));
                    let Some(at) = self.first_instant_at(start) else {
                        continue;
                    };
                    // A start that maps before `now` (the repeated hour of a
                    // fall-back) is already past.
                    if at >= now {
                        return Some(at);
                    }
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The first instant the wall clock shows `wall` or later: the instant
    /// itself, the first of two in a fall-back's repeated hour, or the jump's
    /// instant when a spring-forward skips it.
    fn first_instant_at(&self, wall: DateTime) -> Option<Timestamp> {
        let ambiguous = self.time_zone.to_ambiguous_timestamp(wall);
        match ambiguous.offset() {
            AmbiguousOffset::Gap { .. } => {
                let before_jump = ambiguous.earlier().ok()?;
                let jump = self.time_zone.following(before_jump).next()?;
                Some(jump.timestamp())
            }
            _ => ambiguous.compatible().ok(),
        }
    }
}

fn second_of_day(t: Time) -> u32 {
    let h = u32::try_from(t.hour()).unwrap_or(0);
    let m = u32::try_from(t.minute()).unwrap_or(0);
    let s = u32::try_from(t.second()).unwrap_or(0);
    h * 3600 + m * 60 + s
}

/// The civil time `s` seconds after midnight (24:00 never reaches here: it is
/// only an interval's end).
fn time_of_day(s: u32) -> Time {
    let s = s.min(DAY_S - 1);
    let h = i8::try_from(s / 3600).unwrap_or(0);
    let m = i8::try_from(s / 60 % 60).unwrap_or(0);
    let sec = i8::try_from(s % 60).unwrap_or(0);
    Time::new(h, m, sec, 0).unwrap_or(Time::MIN)
}
