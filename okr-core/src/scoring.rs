//! Scoring: one bottom-up pass over the plan in topological order, each node once.

use chrono::NaiveDate;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::document::KeyResultKind;
use crate::error::Result;
use crate::key_result::{piecewise, value_score, Aggregator, Rule};
use crate::pace::{day, expected_days, grade, status, Grade, Status};
use crate::plan::{NodeType, Plan, PlanData, NONE};
use crate::policy::Policy;

/// Scores, expected progress, status and grade of every node of a plan on one date.
///
/// Serialises as the report of DESIGN.md: `{"as_of": …, "nodes": [{"id", "type", "kind",
/// "objective", "score", "expected", "status", "grade", "has_data", "value", "signals"}, …]}`,
/// nodes in input order.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) plan: Plan,
    pub(crate) as_of: NaiveDate,
    pub(crate) policy: Policy,
    pub(crate) scores: Vec<f64>,
    pub(crate) values: Vec<f64>,
    pub(crate) has_data: Vec<bool>,
    pub(crate) status: Vec<Status>,
    pub(crate) grade: Vec<Grade>,
    /// Expected progress per cycle.
    pub(crate) expected: Vec<f64>,
}

/// One node's line of a [`Report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeScore<'a> {
    /// The node's id.
    pub id: &'a str,
    /// Objective or key result.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// The key-result kind (absent for objectives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<KeyResultKind>,
    /// For a key result, the objective it belongs to (absent for objectives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<&'a str>,
    /// The score, within the policy's bounds.
    pub score: f64,
    /// Expected progress on `as_of`; `None` for nodes without a cycle.
    pub expected: Option<f64>,
    /// Status against expected progress.
    pub status: Status,
    /// Grade band.
    pub grade: Grade,
    /// Whether any measured value stands behind the score (a score of 0 without data is not a
    /// measured 0).
    pub has_data: bool,
    /// For key results, the value scored: the latest check-in on or before `as_of`, else
    /// `current`; for `aggregate` the aggregated value; for `milestones` the done share.
    /// `None` for objectives, `rollup` key results and key results without data.
    pub value: Option<f64>,
    /// Alert signals (filled in by the check-in analysis; empty otherwise).
    pub signals: Vec<&'static str>,
}

impl Plan {
    /// Scores every node on `as_of` under the plan's own policy (validated when the plan was
    /// built).
    pub fn score(&self, as_of: NaiveDate) -> Report {
        compute(self, as_of, self.data.policy.clone())
    }

    /// Scores every node on `as_of` under another policy (for example a higher `cap`).
    pub fn score_with(&self, as_of: NaiveDate, policy: &Policy) -> Result<Report> {
        policy.validate()?;
        Ok(compute(self, as_of, policy.clone()))
    }
}

fn compute(plan: &Plan, as_of: NaiveDate, policy: Policy) -> Report {
    let d: &PlanData = &plan.data;
    let n = d.rules.len();
    let today = day(as_of);
    let expected: Vec<f64> =
        d.cycles.iter().map(|c| expected_days(c.start_day, c.end_day, today)).collect();
    let not_started: Vec<bool> = d.cycles.iter().map(|c| today < c.start_day).collect();
    let mut scores = Vec::with_capacity(n);
    let mut values = Vec::with_capacity(n);
    let mut has_data = Vec::with_capacity(n);
    let mut statuses = Vec::with_capacity(n);
    let mut grades = Vec::with_capacity(n);
    let c = &d.contributors;
    for p in 0..n {
        let rule = &d.rules[p];
        let (score, value, has) = match *rule {
            Rule::Objective { driver } => {
                weighted_mean(c.driven(p, driver.unwrap_or(policy.progress)), c, &scores, &has_data)
            }
            Rule::Rollup => weighted_mean(c.all(p), c, &scores, &has_data),
            Rule::Aggregate { op, .. } => {
                let mut agg = Aggregator::new(op);
                for e in c.all(p) {
                    let v: f64 = values[c.src[e] as usize];
                    if !v.is_nan() {
                        agg.push(v);
                    }
                }
                match agg.finish() {
                    Some(v) => (policy.bound(value_score(rule, v)), v, true),
                    None => (0.0, f64::NAN, false),
                }
            }
            Rule::Milestones { first, len } => {
                let range = first as usize..(first + len) as usize;
                let (mut done, mut total) = (0.0, 0.0);
                for m in range {
                    total += d.ms_weight[m];
                    if d.ms_done[m] <= today {
                        done += d.ms_weight[m];
                    }
                }
                let share = done / total;
                (policy.bound(share), share, true)
            }
            _ => {
                let v = match d.check_ins.latest_valued(p, today) {
                    Some(row) => d.check_ins.value[row],
                    None => d.current[p],
                };
                if v.is_nan() {
                    (0.0, f64::NAN, false)
                } else if let Rule::Piecewise { first, len } = *rule {
                    let pts = &d.points[first as usize..(first + len) as usize];
                    (policy.bound(piecewise(pts, v)), v, true)
                } else {
                    (policy.bound(value_score(rule, v)), v, true)
                }
            }
        };
        let cycle = d.cycle_of[p];
        let (exp, early) =
            if cycle == NONE { (None, false) } else { (Some(expected[cycle as usize]), not_started[cycle as usize]) };
        scores.push(score);
        values.push(value);
        has_data.push(has);
        statuses.push(status(score, exp, early, &policy));
        grades.push(grade(score, &policy));
    }
    Report {
        plan: plan.clone(),
        as_of,
        policy,
        scores,
        values,
        has_data,
        status: statuses,
        grade: grades,
        expected,
    }
}

/// Σ wᵢ sᵢ / Σ wᵢ over `range`; no contributors means score 0 without data.
#[inline]
fn weighted_mean(
    range: std::ops::Range<usize>,
    c: &crate::alignment::Contributors,
    scores: &[f64],
    has_data: &[bool],
) -> (f64, f64, bool) {
    if range.is_empty() {
        return (0.0, f64::NAN, false);
    }
    let (mut sw, mut sws, mut any) = (0.0, 0.0, false);
    for e in range {
        let s = c.src[e] as usize;
        sw += c.weight[e];
        sws += c.weight[e] * scores[s];
        any |= has_data[s];
    }
    (sws / sw, f64::NAN, any)
}

impl Report {
    /// The date scored.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The plan scored.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether the report has no node.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// One node's result, or `None` for an unknown id.
    pub fn get(&self, id: &str) -> Option<NodeScore<'_>> {
        self.plan.data.pos(id).ok().map(|p| self.line(p))
    }

    /// Every node's result, in input order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeScore<'_>> + '_ {
        self.plan.data.pos_of_doc.iter().map(|&p| self.line(p as usize))
    }

    pub(crate) fn line(&self, p: usize) -> NodeScore<'_> {
        let d = &self.plan.data;
        let cycle = d.cycle_of[p];
        let objective = d.objective_of[p];
        let value = self.values[p];
        NodeScore {
            id: d.id(p),
            node_type: d.node_type(p),
            kind: d.rules[p].kind(),
            objective: (objective != NONE).then(|| d.id(objective as usize)),
            score: self.scores[p],
            expected: (cycle != NONE).then(|| self.expected[cycle as usize]),
            status: self.status[p],
            grade: self.grade[p],
            has_data: self.has_data[p],
            value: (!value.is_nan()).then_some(value),
            signals: Vec::new(),
        }
    }

    /// The report as a JSON string (the DESIGN report shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Nodes<'a>(&'a Report);
        impl Serialize for Nodes<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for node in self.0.nodes() {
                    seq.serialize_element(&node)?;
                }
                seq.end()
            }
        }
        let mut st = serializer.serialize_struct("Report", 2)?;
        st.serialize_field("as_of", &self.as_of)?;
        st.serialize_field("nodes", &Nodes(self))?;
        st.end()
    }
}
