//! Views across a plan: where trouble is systemic rather than personal, and how well owners'
//! stated confidence predicts their results.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::pace::{day, Status};
use crate::plan::{NodeType, Plan, PlanData, NONE};
use crate::scoring::Report;

/// One team's or level's share of key results in trouble.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SystemicRow {
    /// `team` or `level`.
    pub group_by: &'static str,
    /// The team (objective id at level `team`) or the level.
    pub group: String,
    /// Key results in the group.
    pub key_results: usize,
    /// Of which at risk.
    pub at_risk: usize,
    /// Of which off track.
    pub off_track: usize,
    /// (at risk + off track) / key results.
    pub share: f64,
    /// Whether the share exceeds the policy's `systemic_share`: a system problem, not a
    /// people problem.
    pub flagged: bool,
}

/// Owners' (or teams') confidence against their outcomes over closed cycles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfidenceRow {
    /// `owner` or `team`.
    pub group_by: &'static str,
    /// The owner or team.
    pub group: String,
    /// Key results with stated confidence in closed cycles.
    pub key_results: usize,
    /// Stated confidences counted.
    pub forecasts: usize,
    /// Brier score: mean (confidence − outcome)², outcome 1 when the end score reached
    /// `success_at`, else 0. 0 is perfect; always saying 0.5 scores 0.25.
    pub brier: f64,
    /// Mean (confidence − outcome): above 0 is over-confident, below 0 under-confident.
    pub overconfidence: f64,
}

/// The team of each node: the nearest objective at level `team` at or above it (through its
/// objective and first alignment parents), or `None`.
fn teams(d: &PlanData) -> Vec<u32> {
    let n = d.len();
    let (off, dep) = d.dependents();
    let mut team = vec![NONE; n];
    let objective_of = d.objective_of();
    // Parents sit later in topological order: walk from the top down.
    for q in (0..n).rev() {
        if d.node_type(q) == NodeType::Objective && d.meta.level.get(d.doc_of_pos[q] as usize) == Some("team")
        {
            team[q] = q as u32;
        } else if objective_of[q] != NONE {
            team[q] = team[objective_of[q] as usize];
        } else if let Some(&parent) = dep[off[q] as usize..off[q + 1] as usize].first() {
            team[q] = team[parent as usize];
        }
    }
    team
}

impl Report {
    /// Per team and per level, the share of key results at risk or off track, flagging groups
    /// above the policy's `systemic_share` (default 30 %).
    pub fn systemic(&self) -> Vec<SystemicRow> {
        let d = &self.plan.data;
        let team = teams(d);
        let mut groups: BTreeMap<(&'static str, String), (usize, usize, usize)> = BTreeMap::new();
        let objective_of = d.objective_of();
        for q in 0..d.len() {
            let o = objective_of[q];
            if o == NONE {
                continue;
            }
            let status = self.flags[q].status();
            let mut keys = Vec::new();
            if team[q] != NONE {
                keys.push(("team", d.id(team[q] as usize).to_owned()));
            }
            if let Some(level) = d.meta.level.get(d.doc_of_pos[o as usize] as usize) {
                keys.push(("level", level.to_owned()));
            }
            for key in keys {
                let g = groups.entry(key).or_default();
                g.0 += 1;
                g.1 += usize::from(status == Status::AtRisk);
                g.2 += usize::from(status == Status::OffTrack);
            }
        }
        groups
            .into_iter()
            .map(|((group_by, group), (k, r, o))| {
                let share = (r + o) as f64 / k as f64;
                SystemicRow {
                    group_by,
                    group,
                    key_results: k,
                    at_risk: r,
                    off_track: o,
                    share,
                    flagged: share > self.policy.systemic_share,
                }
            })
            .collect()
    }
}

impl Plan {
    /// Brier score and over-confidence of stated confidence, per owner and per team, over the
    /// cycles closed on `as_of`. Each confidence stated during a cycle is a forecast that the
    /// key result's end score (its score on the cycle's last day) reaches `success_at`. A key
    /// result's owner is its own, else its objective's.
    pub fn confidence_calibration(&self, as_of: NaiveDate) -> Vec<ConfidenceRow> {
        let d = &self.data;
        let team = teams(d);
        let today = day(as_of);
        let mut ends: Vec<Option<Report>> = d.cycles.iter().map(|_| None).collect();
        let mut groups: BTreeMap<(&'static str, String), (usize, usize, f64, f64)> = BTreeMap::new();
        let objective_of = d.objective_of();
        for q in 0..d.len() {
            let (o, cycle) = (objective_of[q], d.cycle(q));
            if o == NONE || cycle == NONE || d.cycles[cycle as usize].end_day > today {
                continue;
            }
            let c = &d.cycles[cycle as usize];
            let stated: Vec<f64> = (d.check_ins.upto(q, c.end_day))
                .filter(|&r| d.check_ins.day[r] >= c.start_day)
                .map(|r| d.check_ins.confidence[r])
                .filter(|x| !x.is_nan())
                .collect();
            if stated.is_empty() {
                continue;
            }
            let end = ends[cycle as usize].get_or_insert_with(|| self.score(c.end));
            let outcome = if end.scores[q] >= d.policy.success_at - crate::policy::Policy::TOLERANCE {
                1.0
            } else {
                0.0
            };
            let owner = d
                .meta
                .owner
                .get(d.doc_of_pos[q] as usize)
                .or_else(|| d.meta.owner.get(d.doc_of_pos[o as usize] as usize));
            let mut keys = Vec::new();
            if let Some(owner) = owner {
                keys.push(("owner", owner.to_owned()));
            }
            if team[q] != NONE {
                keys.push(("team", d.id(team[q] as usize).to_owned()));
            }
            for key in keys {
                let g = groups.entry(key).or_default();
                g.0 += 1;
                g.1 += stated.len();
                g.2 += stated.iter().map(|c| (c - outcome) * (c - outcome)).sum::<f64>();
                g.3 += stated.iter().map(|c| c - outcome).sum::<f64>();
            }
        }
        groups
            .into_iter()
            .map(|((group_by, group), (k, n, sq, diff))| ConfidenceRow {
                group_by,
                group,
                key_results: k,
                forecasts: n,
                brier: sq / n as f64,
                overconfidence: diff / n as f64,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::Plan;

    fn plan() -> Plan {
        Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-01-31"}],
            "objectives": [
              {"id": "sales", "level": "team", "owner": "sam", "cycle": "q", "key_results": [
                {"id": "a", "kind": "linear", "start": 0, "target": 10, "check_ins": [
                  {"date": "2026-01-05", "value": 1, "confidence": 0.9}, {"date": "2026-01-20", "value": 2, "confidence": 0.8}]},
                {"id": "b", "kind": "linear", "start": 0, "target": 10, "check_ins": [
                  {"date": "2026-01-05", "value": 8, "confidence": 0.6}]}]},
              {"id": "rep", "level": "individual", "owner": "ria", "cycle": "q", "parents": [{"id": "sales"}], "key_results": [
                {"id": "c", "kind": "linear", "start": 0, "target": 10, "current": 1}]}
            ]}"#,
        )
        .unwrap()
    }

    #[test]
    fn systemic_shares() {
        let rows = plan().score("2026-01-25".parse().unwrap()).systemic();
        let sales = rows.iter().find(|r| r.group_by == "team" && r.group == "sales").unwrap();
        // a 0.2 and c 0.1 are off track against 24/30; b 0.8 is on track.
        assert_eq!((sales.key_results, sales.off_track, sales.at_risk), (3, 2, 0));
        assert!(sales.flagged && (sales.share - 2.0 / 3.0).abs() < 1e-12);
        let individual = rows.iter().find(|r| r.group_by == "level" && r.group == "individual").unwrap();
        assert_eq!(individual.key_results, 1);
    }

    #[test]
    fn brier_by_hand() {
        let p = plan();
        assert!(
            p.confidence_calibration("2026-01-30".parse().unwrap()).is_empty(),
            "the cycle is still open"
        );
        let rows = p.confidence_calibration("2026-02-01".parse().unwrap());
        let sam = rows.iter().find(|r| r.group_by == "owner" && r.group == "sam").unwrap();
        // a ends at 0.2 (failure): 0.9 and 0.8 against 0; b ends at 0.8 (success): 0.6 against 1.
        assert_eq!((sam.key_results, sam.forecasts), (2, 3));
        assert!((sam.brier - (0.81 + 0.64 + 0.16) / 3.0).abs() < 1e-12);
        assert!((sam.overconfidence - (0.9 + 0.8 - 0.4) / 3.0).abs() < 1e-12);
        assert!(rows.iter().all(|r| r.group != "ria"), "no stated confidence, no row");
    }
}
