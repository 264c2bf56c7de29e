//! Time: expected progress through a cycle, status against it, and grade bands.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::policy::Policy;

/// Where a node stands against the pace its cycle expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Score at or above the policy's `achieved_at` (1 by default).
    Achieved,
    /// `as_of` is before the cycle starts.
    NotStarted,
    /// Shortfall behind expected progress at most `on_track_gap` (0.10).
    OnTrack,
    /// Shortfall at most `at_risk_gap` (0.25).
    AtRisk,
    /// Shortfall beyond `at_risk_gap`.
    OffTrack,
    /// The node belongs to no cycle, so no pace is expected of it (and it is not achieved).
    Unscheduled,
}

impl Status {
    /// The index of this status in [`Status::ALL`]: the code of a categorical column.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every status, in declaration order (the codes bindings use for categorical columns).
    pub const ALL: [Status; 6] = [
        Status::Achieved,
        Status::NotStarted,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::Unscheduled,
    ];

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Achieved => "achieved",
            Status::NotStarted => "not_started",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::Unscheduled => "unscheduled",
        }
    }
}

/// Google's grade bands: red below 0.4, yellow below 0.7, green from 0.7 (all policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grade {
    /// Below `yellow_from`.
    Red,
    /// From `yellow_from`, below `green_from`.
    Yellow,
    /// From `green_from`.
    Green,
}

impl Grade {
    /// The index of this grade in [`Grade::ALL`]: the code of a categorical column.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every grade, lowest first.
    pub const ALL: [Grade; 3] = [Grade::Red, Grade::Yellow, Grade::Green];

    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Grade::Red => "red",
            Grade::Yellow => "yellow",
            Grade::Green => "green",
        }
    }
}

/// The share of a cycle elapsed on `as_of`:
/// `clamp(days(as_of − start) / days(end − start), 0, 1)`.
///
/// A cycle whose end equals its start is fully expected from its start on.
///
/// ```
/// use chrono::NaiveDate;
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let e = okr_core::expected_progress(d("2026-01-01"), d("2026-03-31"), d("2026-02-15"));
/// assert!((e - 45.0 / 89.0).abs() < 1e-12);
/// ```
pub fn expected_progress(start: NaiveDate, end: NaiveDate, as_of: NaiveDate) -> f64 {
    expected_days(day(start), day(end), day(as_of))
}

/// Reads a date given as an argument (`as_of`, a check-in column in JavaScript): `YYYY-MM-DD`,
/// or an ISO 8601 date and time such as `datetime.isoformat()` and `Date.toISOString()` write
/// them (`2026-02-15T10:30`, `2026-02-15T10:30:00.123Z`, `2026-02-15 10:30:00+01:00`), read as
/// the calendar day it is written in: its offset is not applied. Dates inside documents are
/// `YYYY-MM-DD` only.
///
/// ```
/// use okr_core::parse_date;
/// assert_eq!(parse_date("2026-02-15")?.to_string(), "2026-02-15");
/// assert_eq!(parse_date("2026-02-15T23:30:00.000Z")?.to_string(), "2026-02-15");
/// assert_eq!(parse_date("2026-02-15 08:00:00-05:00")?.to_string(), "2026-02-15");
/// for bad in ["2026-02-30", "2026-02-15T25:00", "2026-02-15T10:30junk", "2026-02-15T", "15/02/2026"] {
///     assert_eq!(parse_date(bad).unwrap_err().code(), "invalid_date");
/// }
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn parse_date(text: &str) -> crate::error::Result<NaiveDate> {
    let bad = || crate::error::Error::InvalidDate { value: text.to_owned() };
    // Byte 10 is ASCII when it is `T` or a space, so both slices fall on character boundaries.
    let date = match text.as_bytes().get(10) {
        None => text,
        Some(b'T' | b't' | b' ') if is_time(&text.as_bytes()[11..]) => &text[..10],
        Some(_) => return Err(bad()),
    };
    date.parse().map_err(|_| bad())
}

/// An ISO 8601 time of day: `HH:MM`, then optionally `:SS` and a fraction, then optionally `Z`
/// or an offset (`±HH:MM`, `±HHMM`, `±HH`).
fn is_time(t: &[u8]) -> bool {
    let two = |at: usize, max: u8| {
        t.get(at..at + 2)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit) && (d[0] - b'0') * 10 + (d[1] - b'0') <= max)
    };
    if !(two(0, 23) && t.get(2) == Some(&b':') && two(3, 59)) {
        return false;
    }
    let mut at = 5;
    if t.get(at) == Some(&b':') {
        if !two(at + 1, 60) {
            return false;
        }
        at += 3;
        if t.get(at) == Some(&b'.') {
            let digits = t[at + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                return false;
            }
            at += 1 + digits;
        }
    }
    match t.get(at) {
        None => true,
        Some(b'Z' | b'z') => at + 1 == t.len(),
        Some(b'+' | b'-') => {
            let offset = &t[at + 1..];
            let hours = two(at + 1, 23);
            match offset.len() {
                2 => hours,
                4 => hours && two(at + 3, 59),
                5 => hours && offset[2] == b':' && two(at + 4, 59),
                _ => false,
            }
        }
        _ => false,
    }
}

pub(crate) fn day(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

/// The date of a day number ([`day`]'s inverse), as text; empty for a day no date has.
pub(crate) fn date_text(day: i32) -> String {
    NaiveDate::from_num_days_from_ce_opt(day).map_or_else(String::new, |d| d.to_string())
}

pub(crate) fn expected_days(start: i32, end: i32, as_of: i32) -> f64 {
    let span = end - start;
    if span <= 0 {
        return if as_of >= start { 1.0 } else { 0.0 };
    }
    (f64::from(as_of - start) / f64::from(span)).clamp(0.0, 1.0)
}

/// The thresholds a score is compared with for its status and grade under one policy, each
/// the policy's threshold with [`Policy::TOLERANCE`] applied, worked out once per pass.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cuts {
    on_track: f64,
    at_risk: f64,
    achieved: f64,
    yellow: f64,
    green: f64,
}

impl Cuts {
    /// The cuts of `policy`.
    pub(crate) fn of(policy: &Policy) -> Cuts {
        Cuts {
            on_track: policy.on_track_gap + Policy::TOLERANCE,
            at_risk: policy.at_risk_gap + Policy::TOLERANCE,
            achieved: policy.achieved_at - Policy::TOLERANCE,
            yellow: policy.yellow_from - Policy::TOLERANCE,
            green: policy.green_from - Policy::TOLERANCE,
        }
    }

    /// The code ([`Grade::code`]) of the grade band of `score`.
    #[inline(always)]
    pub(crate) fn grade(&self, score: f64) -> u8 {
        u8::from(score >= self.yellow) + u8::from(score >= self.green)
    }
}

// `Pace::status_code` makes achieved code 0 and counts steps behind pace from on track.
const _: () = assert!(
    Status::Achieved as u8 == 0
        && Status::AtRisk as u8 == Status::OnTrack as u8 + 1
        && Status::OffTrack as u8 == Status::OnTrack as u8 + 2
);

/// What a cycle's pace on the day scored makes of a node's status: no cycle (unscheduled),
/// not started, or started with `expected` progress.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pace {
    /// Expected progress, 0 without a cycle.
    expected: f64,
    /// The status code for a node on pace (or without one).
    first: u8,
    /// 1 when each step behind pace moves the status one code on (on track → at risk → off
    /// track), else 0.
    steps: u8,
}

impl Pace {
    /// The pace of a cycle with `expected` progress (`None`: no cycle) and whether it has not
    /// started.
    pub(crate) fn new(expected: Option<f64>, not_started: bool) -> Pace {
        let (first, steps) = match (expected, not_started) {
            (None, _) => (Status::Unscheduled, 0),
            (Some(_), true) => (Status::NotStarted, 0),
            (Some(_), false) => (Status::OnTrack, 1),
        };
        Pace { expected: expected.unwrap_or(0.0), first: first.code(), steps }
    }

    /// The code ([`Status::code`]) of the status of a node with score `score`: achieved at or
    /// above `achieved_at`, else the pace's status, behind by how far the shortfall against
    /// expected progress goes past `on_track_gap` and `at_risk_gap` (inclusive, with tolerance).
    ///
    /// Computed in integer arithmetic without a branch: on a large plan scores fall on either
    /// side of each threshold unpredictably. On the benchmark organisation (4,000,000 nodes) a
    /// one-thread pass took 41.6 ms with the status picked from arrays of variants and 38.8 ms
    /// this way (medians, interleaved runs).
    #[inline(always)]
    pub(crate) fn status_code(&self, score: f64, cuts: &Cuts) -> u8 {
        let gap = self.expected - score;
        let behind = u8::from(gap > cuts.on_track) + u8::from(gap > cuts.at_risk);
        // Achieved is code 0: the pace's code times "not achieved" (NaN is not achieved).
        (self.first + self.steps * behind) * (1 - u8::from(score >= cuts.achieved))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_positions_in_all() {
        assert!(Status::ALL.iter().enumerate().all(|(i, s)| usize::from(s.code()) == i));
        assert!(Grade::ALL.iter().enumerate().all(|(i, g)| usize::from(g.code()) == i));
        let kinds = crate::KeyResultKind::ALL;
        assert!(kinds.iter().enumerate().all(|(i, k)| usize::from(k.code()) == i));
    }

    #[test]
    fn expected_is_clamped_and_linear() {
        assert_eq!(expected_days(100, 190, 90), 0.0);
        assert_eq!(expected_days(100, 190, 100), 0.0);
        assert_eq!(expected_days(100, 190, 145), 0.5);
        assert_eq!(expected_days(100, 190, 190), 1.0);
        assert_eq!(expected_days(100, 190, 300), 1.0);
        assert_eq!(expected_days(100, 100, 100), 1.0);
        assert_eq!(expected_days(100, 100, 99), 0.0);
    }

    fn status(score: f64, expected: Option<f64>, not_started: bool, policy: &Policy) -> Status {
        Status::ALL[usize::from(Pace::new(expected, not_started).status_code(score, &Cuts::of(policy)))]
    }

    fn grade(score: f64, policy: &Policy) -> Grade {
        Grade::ALL[usize::from(Cuts::of(policy).grade(score))]
    }

    /// The status rule as DESIGN states it, with branches: what the arithmetic must match.
    fn status_by_rule(score: f64, expected: Option<f64>, not_started: bool, policy: &Policy) -> Status {
        if score >= policy.achieved_at - Policy::TOLERANCE {
            return Status::Achieved;
        }
        let Some(e) = expected else { return Status::Unscheduled };
        if not_started {
            return Status::NotStarted;
        }
        let gap = e - score;
        if gap > policy.at_risk_gap + Policy::TOLERANCE {
            Status::OffTrack
        } else if gap > policy.on_track_gap + Policy::TOLERANCE {
            Status::AtRisk
        } else {
            Status::OnTrack
        }
    }

    #[test]
    fn status_arithmetic_follows_the_rule() {
        let policies = [
            Policy::default(),
            Policy { on_track_gap: 0.0, at_risk_gap: 0.0, achieved_at: 0.5, ..Policy::default() },
            Policy { on_track_gap: 0.3, at_risk_gap: 0.6, achieved_at: 1.2, ..Policy::default() },
        ];
        let expectations = [None, Some(0.0), Some(0.25), Some(0.5), Some(0.75), Some(1.0)];
        for policy in &policies {
            // A grid, the non-finite scores, and each threshold with its neighbours.
            let mut scores = vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0];
            scores.extend((-40..=160).map(|i| f64::from(i) / 100.0));
            scores.push(policy.achieved_at - Policy::TOLERANCE);
            for e in expectations.iter().flatten() {
                scores.push(e - (policy.on_track_gap + Policy::TOLERANCE));
                scores.push(e - (policy.at_risk_gap + Policy::TOLERANCE));
            }
            // The neighbouring floats (`f64::next_up` is newer than the supported Rust).
            let step = |s: f64, up: bool| match s {
                _ if !s.is_finite() => s,
                0.0 => f64::from_bits(1) * if up { 1.0 } else { -1.0 },
                _ if (s > 0.0) == up => f64::from_bits(s.to_bits() + 1),
                _ => f64::from_bits(s.to_bits() - 1),
            };
            let near: Vec<f64> = scores.iter().flat_map(|&s| [s, step(s, true), step(s, false)]).collect();
            for &e in &expectations {
                for not_started in [false, true] {
                    for &s in &near {
                        assert_eq!(
                            status(s, e, not_started, policy),
                            status_by_rule(s, e, not_started, policy),
                            "score {s}, expected {e:?}, not started {not_started}, {policy:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn status_thresholds_are_inclusive_with_tolerance() {
        let p = Policy::default();
        // 0.5 - 0.4 is 0.09999999999999998 and 0.6 - 0.5 is 0.09999999999999998; 0.35 - 0.25 is
        // 0.09999999999999998 too: all exactly-at-threshold shortfalls count as on track.
        assert_eq!(status(0.4, Some(0.5), false, &p), Status::OnTrack);
        assert_eq!(status(0.2, Some(0.3), false, &p), Status::OnTrack);
        assert_eq!(status(0.25, Some(0.5), false, &p), Status::AtRisk);
        assert_eq!(status(0.24, Some(0.5), false, &p), Status::OffTrack);
        assert_eq!(status(1.0, Some(0.1), true, &p), Status::Achieved);
        assert_eq!(status(0.0, Some(0.0), true, &p), Status::NotStarted);
        assert_eq!(status(0.3, None, false, &p), Status::Unscheduled);
        assert_eq!(status(0.9, Some(0.5), false, &p), Status::OnTrack);
    }

    #[test]
    fn grade_bands() {
        let p = Policy::default();
        assert_eq!(grade(0.39, &p), Grade::Red);
        assert_eq!(grade(0.4, &p), Grade::Yellow);
        assert_eq!(grade(0.7 - 1e-12, &p), Grade::Green);
        assert_eq!(grade(0.69, &p), Grade::Yellow);
    }
}
