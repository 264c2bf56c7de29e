//! Scoring: one bottom-up pass over the plan in topological order, each node once.
//!
//! Here: the [`Report`] and its lines, and the entry points ([`Plan::score`]). The parts:
//! - `pass`: the pass itself, node by node, on the short path or the general one;
//! - `split`: the same pass on two threads, and how they hand work over;
//! - `spare`: the columns a pass writes into, reused from one report to the next;
//! - `report_columns`: a report as whole columns, in input order, for data frames.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::document::KeyResultKind;
use crate::error::Result;
use crate::forecast::Forecast;
use crate::key_result::Rule;
use crate::pace::{day, Grade, Status};
use crate::plan::{NodeType, Plan, PlanData, NONE};
use crate::policy::Policy;

mod pass;
mod report_columns;
mod spare;
mod split;
#[cfg(test)]
mod tests;

use pass::compute_split;
pub use report_columns::{IdValues, OptionalIdValues, ReportColumn, ReportColumns};
pub(crate) use spare::{mapped_column, Spare, SpareColumns};
use split::SPLIT_AT;
pub(crate) use split::{BlockReads, CUT_AT};

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
    /// Status, grade and has-data of each node, packed in a byte (see [`Flags`]).
    pub(crate) flags: Vec<Flags>,
    /// Values of `aggregate` key results (other values are looked up again on demand, which is
    /// cheaper than writing a value for every node of a large plan).
    pub(crate) aggregates: HashMap<u32, f64>,
    /// Expected progress per cycle.
    pub(crate) expected: Vec<f64>,
    /// Signal bits per node (see [`SIGNALS`]).
    pub(crate) signals: Vec<u8>,
    /// Forecasts of key results, by position.
    pub(crate) forecasts: HashMap<u32, Forecast>,
    /// Forecast score per node (NaN where none); empty when the plan has no check-ins.
    pub(crate) forecast_scores: Vec<f64>,
}

/// A report gives its per-node columns back to its plan when dropped, for the plan's next score
/// to fill again: writing into pages already mapped and in use, rather than fresh ones (a fault
/// each) or ones the allocator must clear first.
impl Drop for Report {
    fn drop(&mut self) {
        self.plan.data.spare.keep(Spare {
            scores: std::mem::take(&mut self.scores),
            flags: std::mem::take(&mut self.flags),
            signals: std::mem::take(&mut self.signals),
        });
    }
}

/// Signal names, by bit.
pub(crate) const SIGNALS: [&str; 5] =
    ["stale", "low_confidence", "confidence_drop", "behind_pace", "forecast_miss"];
pub(crate) const STALE: u8 = 1;
const LOW_CONFIDENCE: u8 = 2;
const CONFIDENCE_DROP: u8 = 4;
const BEHIND_PACE: u8 = 8;
const FORECAST_MISS: u8 = 16;

/// A forecast in a report line: a key result's in full, an objective's rolled-up score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NodeForecast {
    /// A key result's forecast.
    KeyResult(Forecast),
    /// An objective's forecast score: its contributors' forecast scores (or current scores,
    /// for those without a forecast) rolled up like scores.
    Objective {
        /// The rolled-up forecast score.
        score: f64,
    },
}

/// Flags of a node not scored yet by a thread that is waiting for another's results (no status
/// has this code).
const WAITING: u8 = 0x7f;

/// Status (bits 0–2), grade (bits 3–4) and has-data (bit 7) of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    /// Flags from a status code, a grade code and whether the node has data.
    #[inline(always)]
    fn new(status: u8, grade: u8, has_data: bool) -> Flags {
        Flags(status | grade << 3 | u8::from(has_data) << 7)
    }

    pub(crate) fn status(self) -> Status {
        Status::ALL[usize::from(self.0 & 7) % Status::ALL.len()]
    }

    /// The status's code (see [`Status::code`]).
    pub(crate) fn status_code(self) -> u8 {
        self.0 & 7
    }

    pub(crate) fn grade(self) -> Grade {
        Grade::ALL[usize::from((self.0 >> 3) & 3) % Grade::ALL.len()]
    }

    pub(crate) fn has_data(self) -> bool {
        self.0 & 0x80 != 0
    }
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
    /// The latest confidence stated on or before `as_of` (key results with check-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Alert signals: `stale` (no check-in for [`Policy::stale_after_days`](crate::Policy),
    /// counted up to the cycle's end at most), `low_confidence`, `confidence_drop`,
    /// `behind_pace`, `forecast_miss`.
    pub signals: Vec<&'static str>,
    /// Where the node is heading at the end of its cycle (absent without enough check-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<NodeForecast>,
}

impl Plan {
    /// Scores every node on `as_of` under the plan's own policy (validated when the plan was
    /// built).
    ///
    /// Plans of 65,536 nodes or more are scored by two threads where threads can be started
    /// (not in WebAssembly): one scores the first part of the alignment order, the other the
    /// rest, except the few nodes that read a node of the first part, which follow once both
    /// are done. The report is the same, bit for bit, as a one-thread pass.
    ///
    /// A report gives its score, status and signal columns (10 bytes a node) back to the plan
    /// when dropped, and the plan's next score fills them again instead of asking for fresh
    /// memory: scoring a plan again, for another day, say, maps no new pages. The plan holds
    /// at most one such set ([`Plan::heap_bytes`] counts it). A plan of 65,536 nodes or more
    /// built by two threads is built holding a set, made on a thread the build's layout leaves
    /// idle, so that its first score maps no new pages either.
    ///
    /// In a plan without check-ins, a key result of a kind scored from its value alone
    /// (linear, at least, at most, range, binary, manual) has the same raw score, before the
    /// policy's bounds, on every day: the plan's second score keeps the raw scores it works out
    /// (8 bytes a node, counted by [`Plan::heap_bytes`]), and later scores read them instead
    /// of the value and the rule. On the 4,000,000-node benchmark plan, the score that keeps
    /// them takes 10 to 20 ms longer for it (mostly mapping the new memory), and later ones
    /// about a third less time. The first score works them out for itself only, so a plan
    /// scored once (built, scored, written out) never pays for memory it would not read again.
    pub fn score(&self, as_of: NaiveDate) -> Report {
        compute(self, as_of, self.data.policy.clone())
    }

    /// Scores every node on `as_of` under another policy (for example a higher `cap`).
    pub fn score_with(&self, as_of: NaiveDate, policy: &Policy) -> Result<Report> {
        policy.validate()?;
        Ok(compute(self, as_of, policy.clone()))
    }
}

/// The value a key result scores on day `today`: its latest valued check-in on or before that
/// day, else `current`, else NaN. Milestones: the done share; aggregates: from `aggregates`.
///
/// Only milestones read the rule; the others go by the node's kind byte.
#[inline]
pub(crate) fn value_of(d: &PlanData, p: usize, today: i32, aggregates: &HashMap<u32, f64>) -> f64 {
    match KeyResultKind::ALL.get(usize::from(d.kinds[p])) {
        None | Some(KeyResultKind::Rollup) => f64::NAN,
        Some(KeyResultKind::Aggregate) => aggregates.get(&(p as u32)).copied().unwrap_or(f64::NAN),
        Some(KeyResultKind::Milestones) => {
            let Rule::Milestones { first, len } = d.rule(p) else { return f64::NAN };
            let range = first as usize..(first + len) as usize;
            let (mut done, mut total) = (0.0, 0.0);
            for m in range {
                total += d.ms_weight[m];
                if d.ms_done[m] <= today {
                    done += d.ms_weight[m];
                }
            }
            done / total
        }
        _ => match d.check_ins.latest_valued(p, today) {
            Some(row) => d.check_ins.value[row],
            None => d.current[p],
        },
    }
}

/// Whether [`value_of`] is `current` for every node (NaN for objectives): no check-ins, and no
/// roll-up, aggregate or milestone key results, the kinds whose value is something else.
pub(crate) fn values_are_current(d: &PlanData) -> bool {
    let other =
        [KeyResultKind::Rollup, KeyResultKind::Aggregate, KeyResultKind::Milestones].map(|k| k.code());
    d.check_ins.day.is_empty() && !d.kinds.iter().any(|k| other.contains(k))
}

fn compute(plan: &Plan, as_of: NaiveDate, policy: Policy) -> Report {
    let n = plan.data.len();
    // The split the layout was cut for, if any (see `PlanData::split`).
    let split = crate::parallel::worth_splitting(n)
        .then(|| plan.data.split.map_or((n as f64 * SPLIT_AT) as usize, |s| s.second));
    compute_split(plan, as_of, policy, split, true).0
}

impl Report {
    /// Expected progress in cycle `c` on the day scored; `None` for `NONE` (no cycle).
    fn expected_of(&self, c: u32) -> Option<f64> {
        (c != NONE).then(|| self.expected[c as usize])
    }

    /// Signal names by bit, as used by [`ReportColumns::signals`].
    pub const SIGNAL_NAMES: [&'static str; 5] = SIGNALS;

    /// The label of every value of [`ReportColumns::signals`], by value: the names of its bits
    /// joined by commas, `""` for none (`"stale,behind_pace"` for 9). Data frames and
    /// JavaScript columns show signals as these labels.
    ///
    /// ```
    /// let labels = okr_core::Report::signal_labels();
    /// assert_eq!((labels.len(), labels[0].as_str(), labels[9].as_str()), (32, "", "stale,behind_pace"));
    /// ```
    pub fn signal_labels() -> Vec<String> {
        (0..1u32 << SIGNALS.len())
            .map(|bits| {
                let on = SIGNALS.iter().enumerate().filter(|&(i, _)| bits & (1 << i) != 0);
                on.map(|(_, name)| *name).collect::<Vec<_>>().join(",")
            })
            .collect()
    }

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
        let cycle = d.cycle(p);
        let objective = d.objective_at(p);
        let value = self.value(p);
        let flags = self.flags[p];
        let bits = self.signals[p];
        let forecast = match self.forecasts.get(&(p as u32)) {
            Some(f) => Some(NodeForecast::KeyResult(*f)),
            None => self
                .forecast_scores
                .get(p)
                .filter(|f| !f.is_nan())
                .map(|&score| NodeForecast::Objective { score }),
        };
        NodeScore {
            id: d.id(p),
            node_type: d.node_type(p),
            kind: d.kind(p),
            objective: (objective != NONE).then(|| d.id(objective as usize)),
            score: self.scores[p],
            expected: self.expected_of(cycle),
            status: flags.status(),
            grade: flags.grade(),
            has_data: flags.has_data(),
            value: (!value.is_nan()).then_some(value),
            confidence: self.latest_confidence(p),
            signals: SIGNALS
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect(),
            forecast,
        }
    }

    /// The day node `p`'s check-ins are read on: the report's date, or its cycle's last day
    /// for a late report under `late_check_ins: ignore` (see [`PlanData::reading_day`]).
    pub(crate) fn reading_day(&self, p: usize) -> i32 {
        self.plan.data.reading_day(p, day(self.as_of), self.policy.late_check_ins)
    }

    /// The latest confidence stated for node `p` on or before its reading day.
    pub(crate) fn latest_confidence(&self, p: usize) -> Option<f64> {
        let ci = &self.plan.data.check_ins;
        ci.confidences(ci.upto(p, self.reading_day(p))).0
    }

    /// The value scored by node `p` (NaN when none).
    pub(crate) fn value(&self, p: usize) -> f64 {
        value_of(&self.plan.data, p, self.reading_day(p), &self.aggregates)
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
