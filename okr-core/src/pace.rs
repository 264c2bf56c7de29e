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

/// Reads a `YYYY-MM-DD` date.
///
/// ```
/// assert!(okr_core::parse_date("2026-02-30").is_err());
/// assert_eq!(okr_core::parse_date("2026-02-15")?.to_string(), "2026-02-15");
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn parse_date(text: &str) -> crate::error::Result<NaiveDate> {
    text.parse().map_err(|_| crate::error::Error::InvalidDate { value: text.to_owned() })
}

pub(crate) fn day(d: NaiveDate) -> i32 {
    chrono::Datelike::num_days_from_ce(&d)
}

pub(crate) fn expected_days(start: i32, end: i32, as_of: i32) -> f64 {
    let span = end - start;
    if span <= 0 {
        return if as_of >= start { 1.0 } else { 0.0 };
    }
    (f64::from(as_of - start) / f64::from(span)).clamp(0.0, 1.0)
}

/// Status of a node with score `score`; `expected` is `None` for nodes without a cycle.
///
/// Written without data-dependent branches: on a large plan scores are unpredictable, and a
/// mispredicted branch per node costs more than the arithmetic.
#[inline]
pub(crate) fn status(score: f64, expected: Option<f64>, not_started: bool, policy: &Policy) -> Status {
    let gap = expected.unwrap_or(0.0) - score;
    let behind = usize::from(gap > policy.on_track_gap + Policy::TOLERANCE)
        + usize::from(gap > policy.at_risk_gap + Policy::TOLERANCE);
    // Cycle-level facts (no cycle, not started) are the same for most nodes: branches predict well.
    let pace = match (expected, not_started) {
        (None, _) => Status::Unscheduled,
        (Some(_), true) => Status::NotStarted,
        (Some(_), false) => [Status::OnTrack, Status::AtRisk, Status::OffTrack][behind],
    };
    let achieved = score >= policy.achieved_at - Policy::TOLERANCE;
    [pace, Status::Achieved][usize::from(achieved)]
}

/// Grade band of a score (branch-free, like [`status`]).
#[inline]
pub(crate) fn grade(score: f64, policy: &Policy) -> Grade {
    let band = usize::from(score >= policy.yellow_from - Policy::TOLERANCE)
        + usize::from(score >= policy.green_from - Policy::TOLERANCE);
    [Grade::Red, Grade::Yellow, Grade::Green][band]
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
