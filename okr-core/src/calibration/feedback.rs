//! 360° feedback: means per ratee × relationship × competency under anonymity thresholds, with
//! complementary suppression, and self-versus-others gaps.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ratings::Ratings;
use super::stats::{mean, variance};
use crate::error::{Error, Result};

/// How a rater relates to the ratee.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// The ratee rating themself.
    #[serde(rename = "self")]
    SelfReview,
    /// The ratee's manager.
    Manager,
    /// A peer.
    Peer,
    /// Someone who reports to the ratee.
    DirectReport,
    /// Any other relationship, by name.
    Other(String),
}

impl Relationship {
    /// Reads `self`, `manager`, `peer`, `direct_report` (or `report`); anything else is `Other`.
    pub fn parse(name: &str) -> Relationship {
        match name {
            "self" => Relationship::SelfReview,
            "manager" => Relationship::Manager,
            "peer" => Relationship::Peer,
            "direct_report" | "report" => Relationship::DirectReport,
            other => Relationship::Other(other.to_owned()),
        }
    }

    /// The name used in reports.
    pub fn name(&self) -> &str {
        match self {
            Relationship::SelfReview => "self",
            Relationship::Manager => "manager",
            Relationship::Peer => "peer",
            Relationship::DirectReport => "direct_report",
            Relationship::Other(s) => s,
        }
    }
}

/// Settings of [`feedback_360`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackOptions {
    /// Minimum raters for a group to be shown: self 1, manager 1, peer 3, direct report 3.
    pub self_min: usize,
    /// Manager threshold.
    pub manager_min: usize,
    /// Peer threshold.
    pub peer_min: usize,
    /// Direct-report threshold.
    pub direct_report_min: usize,
    /// Threshold of any other relationship, and of the "others" total. Default 3.
    pub other_min: usize,
    /// Self minus others at or above which a competency is a blind spot (at or below minus it, a
    /// hidden strength). Default 1.0 (one point on the rating scale). Finite and ≥ 0.
    pub gap: f64,
}

impl Default for FeedbackOptions {
    fn default() -> Self {
        FeedbackOptions {
            self_min: 1,
            manager_min: 1,
            peer_min: 3,
            direct_report_min: 3,
            other_min: 3,
            gap: 1.0,
        }
    }
}

impl FeedbackOptions {
    /// Sets the anonymity threshold of `relationship` (`self`, `manager`, `peer`,
    /// `direct_report`, or `other` for any other relationship and the "others" total); any
    /// other name is an error naming it.
    ///
    /// ```
    /// let mut o = okr_core::calibration::FeedbackOptions::default();
    /// o.set_threshold("peer", 5)?;
    /// assert_eq!(o.peer_min, 5);
    /// assert!(o.set_threshold("peers", 5).unwrap_err().to_string().contains("`peers`"));
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn set_threshold(&mut self, relationship: &str, min: usize) -> Result<()> {
        let slot = match relationship {
            "self" => &mut self.self_min,
            "manager" => &mut self.manager_min,
            "peer" => &mut self.peer_min,
            "direct_report" => &mut self.direct_report_min,
            "other" => &mut self.other_min,
            other => {
                return Err(Error::InvalidInput {
                    what: format!(
                        "unknown relationship `{other}` in thresholds (self, manager, peer, direct_report or other)"
                    ),
                })
            }
        };
        *slot = min;
        Ok(())
    }

    fn threshold(&self, r: &Relationship) -> usize {
        match r {
            Relationship::SelfReview => self.self_min,
            Relationship::Manager => self.manager_min,
            Relationship::Peer => self.peer_min,
            Relationship::DirectReport => self.direct_report_min,
            Relationship::Other(_) => self.other_min,
        }
    }
}

/// One ratee × competency × relationship group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackGroup {
    /// The ratee.
    pub ratee: String,
    /// The competency.
    pub competency: String,
    /// The relationship.
    pub relationship: String,
    /// Number of raters.
    pub n: usize,
    /// Mean rating; `None` when suppressed.
    pub mean: Option<f64>,
    /// Sample sd; `None` when suppressed or with one rater.
    pub sd: Option<f64>,
    /// `below_threshold`, `complementary` (hidden so that another hidden group cannot be
    /// recovered by subtraction), or `None` when shown.
    pub suppressed: Option<&'static str>,
}

impl FeedbackGroup {
    /// Every value `suppressed` takes, in this order (for a categorical column).
    pub const SUPPRESSIONS: [&'static str; 2] = ["below_threshold", "complementary"];
}

/// Self against all others (every relationship but self) for one ratee × competency.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackSummary {
    /// The ratee.
    pub ratee: String,
    /// The competency.
    pub competency: String,
    /// The self rating's mean, when there is one.
    pub self_mean: Option<f64>,
    /// Number of other raters.
    pub others_n: usize,
    /// Mean of all other raters; `None` when suppressed.
    pub others_mean: Option<f64>,
    /// self − others, when both are shown.
    pub gap: Option<f64>,
    /// `blind_spot` (self ≥ others + gap), `hidden_strength` (self ≤ others − gap) or `None`.
    pub finding: Option<&'static str>,
}

impl FeedbackSummary {
    /// Every value `finding` takes, in this order (for a categorical column).
    pub const FINDINGS: [&'static str; 2] = ["blind_spot", "hidden_strength"];
}

/// The 360° aggregation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feedback360 {
    /// Groups, sorted by ratee, competency, relationship.
    pub groups: Vec<FeedbackGroup>,
    /// One summary per ratee × competency.
    pub summaries: Vec<FeedbackSummary>,
}

/// Aggregates 360° ratings (which need relationship and competency columns).
///
/// A group below its relationship's threshold is hidden. Because the "others" total is shown
/// with its count, hiding is complementary: within a ratee × competency, the hidden non-self
/// groups together must be two or more and reach the largest of their thresholds, else the
/// smallest shown non-self group is hidden too, and if none is left the total is hidden. Only
/// these aggregates are produced, so no hidden group's mean can be recovered from them.
pub fn feedback_360(ratings: &Ratings, options: &FeedbackOptions) -> Result<Feedback360> {
    let (Some(rel), Some(comp)) = (&ratings.relationship, &ratings.competency) else {
        return Err(Error::MissingValue {
            what: "360° aggregation needs relationship and competency columns".into(),
        });
    };
    if !(options.gap.is_finite() && options.gap >= 0.0) {
        return Err(Error::InvalidInput {
            what: format!("the gap of 360° findings must be a finite number ≥ 0, not `{}`", options.gap),
        });
    }
    if ratings.is_empty() {
        return Err(Error::Empty { what: "ratings" });
    }
    type Key = (String, String);
    let mut cells: BTreeMap<Key, BTreeMap<Relationship, Vec<f64>>> = BTreeMap::new();
    for i in 0..ratings.len() {
        let key = (
            ratings.ratee.label(ratings.ratee.codes[i] as usize).into_owned(),
            comp.label(comp.codes[i] as usize).into_owned(),
        );
        let r = Relationship::parse(&rel.label(rel.codes[i] as usize));
        cells.entry(key).or_default().entry(r).or_default().push(ratings.value[i]);
    }
    let mut groups = Vec::new();
    let mut summaries = Vec::new();
    for ((ratee, competency), by_rel) in cells {
        let mut hidden: BTreeMap<&Relationship, &'static str> = BTreeMap::new();
        for (r, v) in &by_rel {
            if v.len() < options.threshold(r) {
                hidden.insert(r, FeedbackGroup::SUPPRESSIONS[0]);
            }
        }
        let others: Vec<(&Relationship, usize)> = by_rel
            .iter()
            .filter(|(r, _)| **r != Relationship::SelfReview)
            .map(|(r, v)| (r, v.len()))
            .collect();
        let others_n: usize = others.iter().map(|(_, n)| n).sum();
        let mut total_shown = others_n >= options.other_min;
        while total_shown {
            let hidden_others: Vec<&(&Relationship, usize)> =
                others.iter().filter(|(r, _)| hidden.contains_key(r)).collect();
            let safe = hidden_others.is_empty()
                || (hidden_others.len() >= 2
                    && hidden_others.iter().map(|(_, n)| n).sum::<usize>()
                        >= hidden_others.iter().map(|(r, _)| options.threshold(r)).max().unwrap_or(0));
            if safe {
                break;
            }
            match others.iter().filter(|(r, _)| !hidden.contains_key(r)).min_by_key(|(_, n)| *n) {
                Some((r, _)) => {
                    hidden.insert(r, FeedbackGroup::SUPPRESSIONS[1]);
                }
                None => total_shown = false,
            }
        }
        for (r, v) in &by_rel {
            let suppressed = hidden.get(r).copied();
            groups.push(FeedbackGroup {
                ratee: ratee.clone(),
                competency: competency.clone(),
                relationship: r.name().to_owned(),
                n: v.len(),
                mean: suppressed.is_none().then(|| mean(v)),
                sd: if suppressed.is_none() && v.len() >= 2 { Some(variance(v).sqrt()) } else { None },
                suppressed,
            });
        }
        let self_mean = by_rel
            .get(&Relationship::SelfReview)
            .filter(|_| !hidden.contains_key(&Relationship::SelfReview))
            .map(|v| mean(v));
        let all_others: Vec<f64> = by_rel
            .iter()
            .filter(|(r, _)| **r != Relationship::SelfReview)
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        let others_mean = (total_shown && !all_others.is_empty()).then(|| mean(&all_others));
        let gap = self_mean.zip(others_mean).map(|(s, o)| s - o);
        let finding = gap.and_then(|g| {
            if g >= options.gap {
                Some(FeedbackSummary::FINDINGS[0])
            } else if g <= -options.gap {
                Some(FeedbackSummary::FINDINGS[1])
            } else {
                None
            }
        });
        summaries.push(FeedbackSummary { ratee, competency, self_mean, others_n, others_mean, gap, finding });
    }
    Ok(Feedback360 { groups, summaries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(rows: &[(&str, &str, &str, f64)]) -> Ratings {
        let ratee: Vec<&str> = rows.iter().map(|r| r.0).collect();
        let rater: Vec<String> = (0..rows.len()).map(|i| format!("r{i}")).collect();
        let rel: Vec<&str> = rows.iter().map(|r| r.1).collect();
        let comp: Vec<&str> = rows.iter().map(|r| r.2).collect();
        Ratings::new(&ratee.into(), &rater.into(), rows.iter().map(|r| r.3).collect())
            .unwrap()
            .with_relationship(&rel.into())
            .unwrap()
            .with_competency(&comp.into())
            .unwrap()
    }

    #[test]
    fn thresholds_gap_and_findings() {
        let r = build(&[
            ("ann", "self", "craft", 5.0),
            ("ann", "manager", "craft", 3.0),
            ("ann", "peer", "craft", 3.0),
            ("ann", "peer", "craft", 4.0),
            ("ann", "peer", "craft", 2.0),
        ]);
        let f = feedback_360(&r, &FeedbackOptions::default()).unwrap();
        assert!(f.groups.iter().all(|g| g.suppressed.is_none()));
        let s = &f.summaries[0];
        assert_eq!((s.self_mean, s.others_n, s.others_mean), (Some(5.0), 4, Some(3.0)));
        assert_eq!((s.gap, s.finding), (Some(2.0), Some("blind_spot")));
        // A negative gap would make every competency both a blind spot and a hidden strength.
        for gap in [-1.0, f64::NAN] {
            let e = feedback_360(&r, &FeedbackOptions { gap, ..FeedbackOptions::default() }).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            assert!(e
                .to_string()
                .contains(&format!("gap of 360° findings must be a finite number ≥ 0, not `{gap}`")));
        }
    }

    #[test]
    fn a_lone_hidden_group_forces_complementary_suppression() {
        // Peers: 2 (below 3). Manager 1 and direct reports 3 are shown on their own, but the
        // others total (6 raters) would give the peers' sum away: the manager is hidden too.
        let r = build(&[
            ("bob", "manager", "lead", 4.0),
            ("bob", "peer", "lead", 1.0),
            ("bob", "peer", "lead", 2.0),
            ("bob", "direct_report", "lead", 5.0),
            ("bob", "direct_report", "lead", 5.0),
            ("bob", "direct_report", "lead", 4.0),
        ]);
        let f = feedback_360(&r, &FeedbackOptions::default()).unwrap();
        let by = |rel: &str| f.groups.iter().find(|g| g.relationship == rel).unwrap();
        assert_eq!(by("peer").suppressed, Some("below_threshold"));
        assert_eq!(by("manager").suppressed, Some("complementary"));
        assert!(by("direct_report").mean.is_some());
        assert!(f.summaries[0].others_mean.is_some());
    }

    /// Deterministic pseudo-random 360 data: no hidden group's mean is recoverable.
    #[test]
    fn no_hidden_group_can_be_reconstructed() {
        let mut seed = 17u64;
        let mut next = |m: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            (seed >> 33) % m
        };
        let rels = ["self", "manager", "peer", "direct_report", "skip"];
        let mut rows = Vec::new();
        for p in 0..200 {
            for (ri, rel) in rels.iter().enumerate() {
                let count = if ri == 0 { next(2) } else { next(5) };
                for _ in 0..count {
                    rows.push((format!("p{p}"), *rel, "c", 1.0 + next(5) as f64));
                }
            }
        }
        let view: Vec<(&str, &str, &str, f64)> =
            rows.iter().map(|(a, b, c, d)| (a.as_str(), *b, *c, *d)).collect();
        let f = feedback_360(&build(&view), &FeedbackOptions::default()).unwrap();
        let opts = FeedbackOptions::default();
        for s in &f.summaries {
            let mine: Vec<&FeedbackGroup> =
                f.groups.iter().filter(|g| g.ratee == s.ratee && g.relationship != "self").collect();
            let hidden: Vec<&&FeedbackGroup> = mine.iter().filter(|g| g.suppressed.is_some()).collect();
            for g in &mine {
                let min = opts.threshold(&Relationship::parse(&g.relationship));
                assert!(
                    g.suppressed.is_some() || g.n >= min,
                    "{} {} shown with {}",
                    s.ratee,
                    g.relationship,
                    g.n
                );
            }
            if s.others_mean.is_some() && !hidden.is_empty() {
                // Subtracting the shown groups from the total leaves only the hidden ones
                // together: at least two of them, with enough raters between them.
                assert!(hidden.len() >= 2, "{}: one hidden group recoverable", s.ratee);
                let n: usize = hidden.iter().map(|g| g.n).sum();
                let need = hidden
                    .iter()
                    .map(|g| opts.threshold(&Relationship::parse(&g.relationship)))
                    .max()
                    .unwrap();
                assert!(n >= need, "{}: hidden groups too small together", s.ratee);
            }
        }
    }

    #[test]
    fn needs_the_360_columns() {
        let plain = Ratings::new(&vec!["a"].into(), &vec!["b"].into(), vec![1.0]).unwrap();
        assert_eq!(feedback_360(&plain, &FeedbackOptions::default()).unwrap_err().code(), "missing_value");
    }
}
