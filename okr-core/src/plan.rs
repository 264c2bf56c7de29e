//! A validated plan: objectives, key results, alignment and check-ins, ready to score at any date.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::alignment::Contributors;
use crate::build::{Builder, NodeText};
use crate::document::{CheckIn, Cycle, Document, KeyResultKind};
use crate::error::{Error, Result};
use crate::ids::Ids;
use crate::key_result::Rule;
use crate::policy::Policy;

/// Marks "no such index" in the index arrays.
pub(crate) const NONE: u32 = u32::MAX;

/// The entry of [`PlanData::kinds`] for an objective.
pub(crate) const OBJECTIVE: u8 = u8::MAX;

/// Whether a node is an objective or a key result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeType {
    /// An objective.
    Objective,
    /// A key result.
    KeyResult,
}

impl NodeType {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeType::Objective => "objective",
            NodeType::KeyResult => "key_result",
        }
    }
}

/// Optional text per node: a code per node (stored only up to the last node with text) into one
/// string of values, so a million objectives cost no allocation per node, and key results
/// appended after objectives with owners cost nothing while they have none. A value equal to
/// the one before it (a run of one level, say) is stored once.
#[derive(Debug, Clone, Default)]
pub(crate) struct SparseText {
    /// Per node up to the last one with text: 0 for none, `k` for value `k - 1`. The nodes
    /// after it (all of them while no node has text) have none.
    codes: Vec<u32>,
    len: usize,
    text: String,
    ends: Vec<u32>,
}

impl SparseText {
    fn value(&self, k: u32) -> &str {
        let k = k as usize;
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        &self.text[start..self.ends[k] as usize]
    }

    pub(crate) fn push(&mut self, v: Option<&str>) {
        let code = match v {
            None => 0,
            Some(v) => {
                let last = self.ends.len() as u32;
                if last == 0 || self.value(last - 1) != v {
                    self.text.push_str(v);
                    self.ends.push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
                }
                self.ends.len() as u32
            }
        };
        if code != 0 {
            self.codes.resize(self.len, 0);
            self.codes.push(code);
        }
        self.len += 1;
    }

    /// Appends `count` nodes without text.
    pub(crate) fn push_none(&mut self, count: usize) {
        self.len += count;
    }

    /// Whether any of nodes `rows` has text.
    pub(crate) fn any_in(&self, rows: std::ops::Range<usize>) -> bool {
        self.held(rows).iter().any(|&k| k > 0)
    }

    /// The codes of nodes `rows` that are stored (none past the last node with text).
    fn held(&self, rows: std::ops::Range<usize>) -> &[u32] {
        self.codes.get(rows.start..rows.end.min(self.codes.len())).unwrap_or_default()
    }

    /// The text of nodes `rows` as a column of codes (-1 for none) into the values those
    /// nodes hold, in the order they were stored; `None` when none of them has text.
    pub(crate) fn coded(&self, rows: std::ops::Range<usize>) -> Option<(Vec<i32>, Vec<String>)> {
        let held = self.held(rows.clone());
        // The values of a run of nodes were stored one after another (a node may repeat the
        // value of the node before the run): codes `low ..= high` hold them all.
        let (low, high) =
            held.iter().filter(|&&k| k > 0).fold((u32::MAX, 0), |(lo, hi), &k| (lo.min(k), hi.max(k)));
        if high == 0 {
            return None;
        }
        let categories = (low..=high).map(|k| self.value(k - 1).to_owned()).collect();
        let mut codes: Vec<i32> = held.iter().map(|&k| if k == 0 { -1 } else { (k - low) as i32 }).collect();
        codes.resize(rows.len(), -1);
        Some((codes, categories))
    }

    /// Node `i`'s text.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        match self.codes.get(i) {
            Some(&k) if k > 0 => Some(self.value(k - 1)),
            _ => None,
        }
    }
}

impl<'a> FromIterator<Option<&'a str>> for SparseText {
    fn from_iter<I: IntoIterator<Item = Option<&'a str>>>(iter: I) -> Self {
        let mut col = SparseText::default();
        iter.into_iter().for_each(|v| col.push(v));
        col
    }
}

/// Free text of the nodes, by input position.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub title: SparseText,
    pub owner: SparseText,
    pub level: SparseText,
    pub note: SparseText,
}

impl Meta {
    /// Appends `count` nodes without any text.
    pub(crate) fn push_none(&mut self, count: usize) {
        for col in [&mut self.title, &mut self.owner, &mut self.level, &mut self.note] {
            col.push_none(count);
        }
    }

    pub(crate) fn push(&mut self, t: NodeText) {
        self.push_text(t.title.as_deref(), t.owner.as_deref(), t.level.as_deref(), t.note.as_deref());
    }

    pub(crate) fn push_text(
        &mut self,
        title: Option<&str>,
        owner: Option<&str>,
        level: Option<&str>,
        note: Option<&str>,
    ) {
        self.title.push(title);
        self.owner.push(owner);
        self.level.push(level);
        self.note.push(note);
    }
}

/// Check-ins of every key result: for position `p`, rows `offsets[p] .. offsets[p + 1]`,
/// sorted by day. Missing numbers are NaN.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckIns {
    pub offsets: Vec<u32>,
    pub day: Vec<i32>,
    pub value: Vec<f64>,
    pub confidence: Vec<f64>,
    pub note: SparseText,
}

impl CheckIns {
    /// Rows of all `p`'s check-ins (none in a plan without any, which keeps no offsets).
    #[inline]
    pub(crate) fn all(&self, p: usize) -> std::ops::Range<usize> {
        if self.day.is_empty() {
            return 0..0;
        }
        self.offsets[p] as usize..self.offsets[p + 1] as usize
    }

    /// Rows of `p`'s check-ins on or before day `as_of`.
    #[inline]
    pub(crate) fn upto(&self, p: usize, as_of: i32) -> std::ops::Range<usize> {
        let rows = self.all(p);
        rows.start..rows.start + self.day[rows].partition_point(|&d| d <= as_of)
    }

    /// The latest two stated confidences among `rows` (latest first).
    pub(crate) fn confidences(&self, rows: std::ops::Range<usize>) -> (Option<f64>, Option<f64>) {
        let mut found = rows.rev().map(|r| self.confidence[r]).filter(|c| !c.is_nan());
        (found.next(), found.next())
    }

    /// The latest valued check-in of `p` on or before day `as_of`: its row.
    #[inline]
    pub(crate) fn latest_valued(&self, p: usize, as_of: i32) -> Option<usize> {
        self.upto(p, as_of).rev().find(|&r| !self.value[r].is_nan())
    }
}

/// A cycle with its dates as day numbers.
#[derive(Debug, Clone)]
pub(crate) struct CycleInfo {
    pub id: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub start_day: i32,
    pub end_day: i32,
}

/// Everything a plan holds. Per-node arrays are indexed by topological position (contributors
/// before the nodes they feed), except `ids`, `meta` and `objective_of_doc`, which keep input
/// order.
#[derive(Debug, Clone)]
pub(crate) struct PlanData {
    pub ids: Ids,
    pub meta: Meta,
    pub pos_of_doc: Vec<u32>,
    pub doc_of_pos: Vec<u32>,
    /// Each node's key-result kind as its code ([`KeyResultKind::code`]), [`OBJECTIVE`] for
    /// objectives: passes that need only the kind read a byte per node instead of a rule.
    pub kinds: Vec<u8>,
    /// Each node's rule, with `kinds`, `rule_bytes` and `cycle_of` (see [`Rule::pack`]; read
    /// through [`PlanData::rule`]): scoring reads 17 bytes a node instead of a 24-byte enum.
    pub rule_numbers: Vec<[f64; 2]>,
    pub rule_bytes: Vec<u8>,
    /// Each node's cycle (`NONE` for none), read through [`PlanData::cycle`]; empty when
    /// `single_cycle` holds the one cycle of every node.
    pub cycle_of: Vec<u32>,
    /// The one cycle of every node when all have the same (all in one cycle, or none in any):
    /// it is kept once, `cycle_of` is empty and scoring reads no cycle per node; `None` when
    /// they differ or the plan is empty.
    pub single_cycle: Option<u32>,
    /// Where a two-thread scoring pass splits the positions, worked out with the layout (whose
    /// order puts the second share's nodes that read the first share at the end); `None` for a
    /// plan laid out for one thread.
    pub split: Option<crate::alignment::Split>,
    /// Each key result's objective by position (`NONE` for objectives), made on first use
    /// (see [`PlanData::objective_of`]).
    pub objective_by_pos: std::sync::OnceLock<Vec<u32>>,
    /// The objective of each key result, both as input indexes (`NONE` for objectives), kept
    /// in input order for the report columns.
    pub objective_of_doc: Vec<u32>,
    pub current: Vec<f64>,
    pub contributors: Contributors,
    /// (offsets, nodes) each node contributes to; built on first use (line of sight, parents,
    /// the text tree), since scoring never needs it.
    pub dependents: std::sync::OnceLock<(Vec<u32>, Vec<u32>)>,
    pub check_ins: CheckIns,
    /// The columns of the last report dropped, for the next score to reuse.
    pub spare: crate::scoring::SpareColumns,
    /// Each node's raw score (its score before the policy's bounds) when it is a plain key
    /// result of a plan without check-ins (a kind scored from its value alone): its value is
    /// then its `current`, fixed by the plan, whatever the date or policy.
    /// `NO_VALUE` (in `scoring::pass`) when `current` is absent; 0 for other nodes. Worked out by
    /// every score until one keeps them here for the later ones: the plan's second score (see
    /// `short_passes`).
    pub raw_scores: std::sync::OnceLock<Vec<f64>>,
    /// Set by the plan's first score that takes the short path (no check-ins): the next one
    /// keeps the raw scores it works out, since the plan is scored again. A plan scored once
    /// (the common notebook chain: build, score, write out) never writes them: 8 bytes a node.
    pub short_passes: std::sync::OnceLock<()>,
    /// The nodes the deferred block reads before it (see [`crate::scoring::BlockReads`]),
    /// made on first use: `None` inside when the plan was not cut or its block holds a node the
    /// short path does not score.
    pub block_reads: std::sync::OnceLock<Option<crate::scoring::BlockReads>>,
    /// The largest contributor weight, made on first use (see [`PlanData::largest_weight`]).
    pub largest_weight: std::sync::OnceLock<f64>,
    pub ms_weight: Vec<f64>,
    pub ms_done: Vec<i32>,
    pub ms_name: Vec<Box<str>>,
    pub points: Vec<(f64, f64)>,
    pub cycles: Vec<CycleInfo>,
    pub policy: Policy,
}

impl PlanData {
    /// Number of nodes.
    pub(crate) fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Each key result's objective by position (`NONE` for objectives), made from the
    /// objectives' own contributor lists on first use. Lint, insights and the text tree read it
    /// for every node; building, scoring and a report's columns never do, so a plan that is
    /// only built, scored and written out (the notebook's chain) never makes it: 4 bytes a
    /// node, and about 3 ms of a 1M-objective build's longest path when the build made it.
    /// Single nodes read [`PlanData::objective_at`].
    pub(crate) fn objective_of(&self) -> &[u32] {
        self.objective_by_pos.get_or_init(|| {
            let mut objective = vec![NONE; self.len()];
            for (p, _) in self.kinds.iter().enumerate().filter(|&(_, &k)| k == OBJECTIVE) {
                for &kr in &self.contributors.src[self.contributors.own(p)] {
                    objective[kr as usize] = p as u32;
                }
            }
            objective
        })
    }

    /// A bound on the contributor weights: `f32::MAX` for weights kept narrow (no look needed),
    /// else the largest, found on first use (a pass over the weights, once per plan).
    pub(crate) fn largest_weight(&self) -> f64 {
        match &self.contributors.weight {
            crate::alignment::Weights::Narrow(_) => f64::from(f32::MAX),
            crate::alignment::Weights::Wide(w) => {
                *self.largest_weight.get_or_init(|| w.iter().fold(0.0, |a, &b| a.max(b)))
            }
        }
    }

    /// Whether no weighted mean's sums Σ wᵢ and Σ wᵢ sᵢ can pass f64's range under `policy`:
    /// scores bounded by the clamp, times the largest weight, times the number of entries, stay
    /// far inside it. Plans hold weights and bounds many orders of magnitude below that; only
    /// an unclamped policy, or bounds or weights near 1e300, fail it, and then scoring's short
    /// path tests its sums (`Pass::guard`).
    pub(crate) fn sums_stay_finite(&self, policy: &crate::Policy) -> bool {
        let bound = if policy.clamp { policy.floor.abs().max(policy.cap.abs()) } else { f64::INFINITY };
        bound * self.largest_weight() * (self.contributors.src.len() as f64 + 1.0) <= 1e300
    }

    /// The reads of the deferred block (see [`PlanData::split`]), made on first use.
    pub(crate) fn block_reads(&self) -> Option<&crate::scoring::BlockReads> {
        self.block_reads.get_or_init(|| crate::scoring::BlockReads::of(self)).as_ref()
    }

    /// Key result `p`'s objective by position (`NONE` for an objective), without making
    /// [`PlanData::objective_of`] for one node: through the input-order column.
    pub(crate) fn objective_at(&self, p: usize) -> u32 {
        if let Some(objective) = self.objective_by_pos.get() {
            return objective[p];
        }
        match self.objective_of_doc[self.doc_of_pos[p] as usize] {
            NONE => NONE,
            o => self.pos_of_doc[o as usize],
        }
    }

    /// The progress driver of the objective at `p`: its own, else `default` (the policy's).
    #[inline(always)]
    pub(crate) fn driver(&self, p: usize, default: crate::ProgressDriver) -> crate::ProgressDriver {
        Rule::driver_of(self.rule_bytes[p]).unwrap_or(default)
    }

    /// Node `p`'s rule.
    #[inline(always)]
    pub(crate) fn rule(&self, p: usize) -> Rule {
        Rule::unpack(self.kinds[p], self.rule_numbers[p], self.rule_bytes[p], self.cycle(p))
    }

    /// Node `p`'s cycle, `NONE` for none.
    #[inline]
    pub(crate) fn cycle(&self, p: usize) -> u32 {
        match self.single_cycle {
            Some(c) => c,
            None => self.cycle_of[p],
        }
    }

    /// The day node `p`'s check-ins and milestones are read on in a report of day `today`:
    /// `today`, or under `late_check_ins: ignore` its cycle's last day once that has passed.
    #[inline]
    pub(crate) fn reading_day(&self, p: usize, today: i32, late: crate::LateCheckIns) -> i32 {
        if late == crate::LateCheckIns::Count {
            return today;
        }
        self.cycles.get(self.cycle(p) as usize).map_or(today, |c| today.min(c.end_day))
    }

    pub(crate) fn dependents(&self) -> &(Vec<u32>, Vec<u32>) {
        self.dependents.get_or_init(|| crate::build::dependents_of(&self.contributors))
    }

    pub(crate) fn id(&self, pos: usize) -> &str {
        self.ids.get(self.doc_of_pos[pos])
    }

    pub(crate) fn pos(&self, id: &str) -> Result<usize> {
        self.ids
            .find(id)
            .map(|d| self.pos_of_doc[d as usize] as usize)
            .ok_or_else(|| Error::UnknownId { id: id.to_owned() })
    }

    pub(crate) fn node_type(&self, pos: usize) -> NodeType {
        if self.kinds[pos] == OBJECTIVE {
            NodeType::Objective
        } else {
            NodeType::KeyResult
        }
    }

    /// The key-result kind of node `pos`; `None` for objectives.
    pub(crate) fn kind(&self, pos: usize) -> Option<KeyResultKind> {
        KeyResultKind::ALL.get(usize::from(self.kinds[pos])).copied()
    }
}

/// A validated, immutable plan. Cheap to clone (shared); score it at any date with
/// [`Plan::score`].
///
/// ```
/// use okr_core::Plan;
/// let plan = Plan::from_json(r#"{
///   "cycles": [{"id": "Q1", "start": "2026-01-01", "end": "2026-03-31"}],
///   "objectives": [{"id": "grow", "cycle": "Q1", "key_results": [
///     {"id": "arr", "kind": "linear", "start": 10, "target": 14, "current": 12}]}]
/// }"#)?;
/// let report = plan.score("2026-02-15".parse().unwrap());
/// assert_eq!(report.get("grow").unwrap().score, 0.5);
/// # Ok::<(), okr_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Plan {
    pub(crate) data: Arc<PlanData>,
}

impl Plan {
    /// Parses and validates a plan document. Each objective is validated as soon as it has
    /// been read, so a large document is never held whole. The plan is that of
    /// [`Plan::from_document`] on the parsed document, and so is the first error when `cycles`
    /// come before `objectives` (where the schema's writers put them) and the text is valid JSON
    /// throughout; a validation error is reported even if the text after it is not.
    pub fn from_json(text: &str) -> Result<Plan> {
        crate::stream::from_json(text)
    }

    /// Validates a plan document.
    pub fn from_document(doc: &Document) -> Result<Plan> {
        let nodes = doc.objectives.iter().map(|o| 1 + o.key_results.len()).sum();
        let mut b = Builder::with_capacity(nodes);
        for c in &doc.cycles {
            b.add_cycle(c)?;
        }
        if let Some(scale) = doc.confidence_scale {
            b.set_confidence_scale(scale)?;
        }
        let mut edges = Vec::new();
        for o in &doc.objectives {
            crate::stream::add_objective(&mut b, o, &mut edges)?;
        }
        crate::stream::add_edges(&mut b, &edges)?;
        let policy = doc.policy.clone().unwrap_or_default();
        Ok(Plan { data: Arc::new(b.finish(policy)?) })
    }

    /// The plan's own policy (the document's, or the defaults).
    pub fn policy(&self) -> &Policy {
        &self.data.policy
    }

    /// Number of nodes (objectives plus key results).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the plan has no node at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether reports give the plan's ids back as integers: every id is an integer in
    /// canonical decimal form and none came in a column of text. Columns keep their type, as
    /// pandas does: text ids stay text even when they read as integers (`"42"`). A document's
    /// ids are text either way (JSON's `7` reads as `"7"`), so a document whose ids all read as
    /// integers reports them as integers, as `pandas.read_json` reads them. In look-ups `42`
    /// and `"42"` name the same node whichever way the ids came.
    pub fn integer_ids(&self) -> bool {
        self.data.ids.all_integers()
    }

    /// Whether the plan contains `id`.
    pub fn contains(&self, id: &str) -> bool {
        self.data.ids.find(id).is_some()
    }

    /// One node's description, or `None` for an unknown id.
    pub fn node(&self, id: &str) -> Option<NodeInfo<'_>> {
        self.data.pos(id).ok().map(|pos| NodeInfo { plan: &self.data, pos })
    }

    /// The node at topological position `pos`.
    pub(crate) fn node_at(&self, pos: usize) -> NodeInfo<'_> {
        NodeInfo { plan: &self.data, pos }
    }

    /// Every node, in input order.
    pub fn nodes(&self) -> impl Iterator<Item = NodeInfo<'_>> + '_ {
        self.data.pos_of_doc.iter().map(|&p| NodeInfo { plan: &self.data, pos: p as usize })
    }

    /// The cycle with id `id`.
    pub fn cycle(&self, id: &str) -> Option<Cycle> {
        self.data.cycles.iter().find(|c| c.id == id).map(|c| Cycle {
            id: c.id.clone(),
            start: c.start,
            end: c.end,
        })
    }

    /// Approximate heap memory held by the plan, in bytes.
    pub fn heap_bytes(&self) -> usize {
        let d = &self.data;
        let n = d.len();
        d.ids.heap_bytes()
            + n * (std::mem::size_of::<[f64; 2]>() + 2 + 3 * 4 + 8)
            + d.objective_by_pos.get().map_or(0, |v| v.len() * 4)
            + d.cycle_of.capacity() * 4
            + d.contributors.heap_bytes()
            + d.check_ins.day.capacity() * (4 + 8 + 8)
            + d.check_ins.offsets.capacity() * 4
            + d.spare.bytes()
            // Its length: a large column's capacity reaches past it, untouched (see `scoring`).
            + d.raw_scores.get().map_or(0, |v| v.len() * 8)
            + d.block_reads.get().and_then(Option::as_ref).map_or(0, crate::scoring::BlockReads::bytes)
    }
}

/// A read-only view of one node of a plan.
#[derive(Debug, Clone, Copy)]
pub struct NodeInfo<'a> {
    plan: &'a PlanData,
    pos: usize,
}

impl<'a> NodeInfo<'a> {
    fn doc(&self) -> usize {
        self.plan.doc_of_pos[self.pos] as usize
    }

    /// The node's id.
    pub fn id(&self) -> &'a str {
        self.plan.id(self.pos)
    }

    /// Objective or key result.
    pub fn node_type(&self) -> NodeType {
        self.plan.node_type(self.pos)
    }

    /// The key-result kind; `None` for objectives.
    pub fn kind(&self) -> Option<KeyResultKind> {
        self.plan.kind(self.pos)
    }

    /// Title, when given.
    pub fn title(&self) -> Option<&'a str> {
        self.plan.meta.title.get(self.doc())
    }

    /// Owner, when given.
    pub fn owner(&self) -> Option<&'a str> {
        self.plan.meta.owner.get(self.doc())
    }

    /// Level (`company`, `team`, …), when given.
    pub fn level(&self) -> Option<&'a str> {
        self.plan.meta.level.get(self.doc())
    }

    /// Note, when given.
    pub fn note(&self) -> Option<&'a str> {
        self.plan.meta.note.get(self.doc())
    }

    /// The cycle id (a key result's is its objective's).
    pub fn cycle(&self) -> Option<&'a str> {
        let c = self.plan.cycle(self.pos);
        (c != NONE).then(|| self.plan.cycles[c as usize].id.as_str())
    }

    /// For a key result, the objective it belongs to.
    pub fn objective(&self) -> Option<&'a str> {
        let o = self.plan.objective_at(self.pos);
        (o != NONE).then(|| self.plan.id(o as usize))
    }

    /// The node's own key results, in input order.
    pub fn key_results(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (plan, pos) = (self.plan, self.pos);
        let mut own: Vec<u32> = plan.contributors.own(pos).map(|e| plan.contributors.src[e]).collect();
        own.sort_by_key(|&p| plan.doc_of_pos[p as usize]);
        own.into_iter().map(move |p| plan.id(p as usize))
    }

    /// Nodes aligned to this one (its children), with edge weights, in input order.
    pub fn children(&self) -> impl Iterator<Item = (&'a str, f64)> + 'a {
        let (plan, pos) = (self.plan, self.pos);
        let c = &plan.contributors;
        let mut kids: Vec<(u32, f64)> = c.aligned(pos).map(|e| (c.src[e], c.weight.get(e))).collect();
        kids.sort_by_key(|&(p, _)| plan.doc_of_pos[p as usize]);
        kids.into_iter().map(move |(p, w)| (plan.id(p as usize), w))
    }

    /// Nodes this one is aligned to (its alignment parents; not a key result's own objective).
    pub fn parents(&self) -> impl Iterator<Item = &'a str> + 'a {
        let (plan, pos) = (self.plan, self.pos);
        let (offsets, dst) = plan.dependents();
        let owner = plan.objective_at(pos);
        let mut ps: Vec<u32> = dst[offsets[pos] as usize..offsets[pos + 1] as usize]
            .iter()
            .copied()
            .filter(|&d| d != owner)
            .collect();
        ps.sort_by_key(|&p| plan.doc_of_pos[p as usize]);
        ps.into_iter().map(move |p| plan.id(p as usize))
    }

    /// The check-in history of a key result, sorted by date (empty for objectives).
    pub fn check_ins(&self) -> impl Iterator<Item = CheckIn> + 'a {
        let ci = &self.plan.check_ins;
        let rows = if ci.day.is_empty() {
            0..0
        } else {
            ci.offsets[self.pos] as usize..ci.offsets[self.pos + 1] as usize
        };
        rows.map(move |r| {
            let date = chrono::NaiveDate::from_num_days_from_ce_opt(ci.day[r]).unwrap_or_default();
            CheckIn {
                date,
                value: (!ci.value[r].is_nan()).then_some(ci.value[r]),
                confidence: (!ci.confidence[r].is_nan()).then_some(ci.confidence[r]),
                done: None,
                note: ci.note.get(r).map(str::to_owned),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::SparseText;

    #[test]
    fn sparse_text_keeps_values_and_gaps() {
        let empty: SparseText = [None, None].into_iter().collect();
        assert_eq!((empty.get(0), empty.get(5)), (None, None));
        let col: SparseText =
            [None, Some("team"), Some("team"), None, Some(""), Some("company"), Some("team")]
                .into_iter()
                .collect();
        let got: Vec<Option<&str>> = (0..8).map(|i| col.get(i)).collect();
        assert_eq!(
            got,
            [None, Some("team"), Some("team"), None, Some(""), Some("company"), Some("team"), None]
        );
        // A run of equal values is stored once.
        assert_eq!(col.text, "teamcompanyteam");
        let mut col = col;
        col.push_none(2);
        col.push(Some("x"));
        assert_eq!((col.get(7), col.get(8), col.get(9), col.get(10)), (None, None, Some("x"), None));
        // Nodes without text after the last with text take no code.
        col.push_none(1000);
        col.push(None);
        assert_eq!((col.codes.len(), col.len), (10, 1011));
        assert_eq!((col.get(9), col.get(10), col.get(1010)), (Some("x"), None, None));
        col.push(Some("y"));
        assert_eq!((col.get(1010), col.get(1011), col.codes.len()), (None, Some("y"), 1012));
    }
}
