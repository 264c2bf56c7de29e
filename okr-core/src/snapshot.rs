//! An exact copy of a plan as data ([`Snapshot`]): what Python pickles, and what a service can
//! cache, so that a plan comes back equal to itself rather than merely equivalent.
//!
//! A plan document ([`Plan::to_document`]) lists each objective with its key results and each
//! node with its parents. A plan built from columns was given its nodes in another order
//! (objectives first, key results in table order) and its alignment edges in table order, which
//! decides the order in which an objective's aligned children are summed. A snapshot lists the
//! nodes in the order the plan was given them, and the edges in an order that gives every node
//! its aligned children in the plan's order.
//!
//! A plan built from columns can also be given back as columns ([`Plan::to_columns`]), which
//! [`Plan::from_columns`] builds into the same plan: no text per node, so a million objectives
//! go through in well under a second, where a snapshot takes seconds.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::build::Builder;
use crate::columns::{
    AlignmentColumns, CheckInColumns, Columns, FloatColumn, IdColumn, KeyResultColumns, ObjectiveColumns,
    Texts,
};
use crate::document::KeyResultKind;
use crate::document::{Cycle, KeyResultSpec, ObjectiveSpec};
use crate::error::{Error, Result};
use crate::export::{key_result, objective};
use crate::key_result::Rule;
use crate::plan::{SparseText, NONE, OBJECTIVE};
use crate::policy::Policy;
use crate::stream::{push_key_result_spec, push_objective_spec};
use crate::Plan;

/// The version of the snapshot format this build writes and reads.
const VERSION: u32 = 1;

/// A plan as data, from which [`Plan::from_snapshot`] builds a plan equal to the original in
/// every respect: its nodes in the same order (reports list them in that order), each
/// node's contributors in the same order (so every score is the same to the last bit), and
/// the same ids, text, check-ins, cycles and policy. Serialize it with serde (JSON, say).
///
/// ```
/// use okr_core::{Plan, Snapshot};
/// let plan = Plan::from_json(r#"{"objectives": [{"id": "o", "key_results": [
///   {"id": "k", "kind": "linear", "start": 0, "target": 4, "current": 1}]}]}"#)?;
/// let text = serde_json::to_string(&plan.to_snapshot()).unwrap();
/// let again = Plan::from_snapshot(&serde_json::from_str::<Snapshot>(&text).unwrap())?;
/// let day = "2026-02-15".parse().unwrap();
/// assert_eq!(again.score(day).to_json(), plan.score(day).to_json());
/// # Ok::<(), okr_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// The format's version (1); another is an error.
    pub okr_snapshot: u32,
    /// The plan's cycles.
    pub cycles: Vec<Cycle>,
    /// The plan's policy.
    pub policy: Policy,
    /// Every node, in the order the plan was given them.
    pub nodes: Vec<SnapshotNode>,
    /// Alignment edges as `(child, parent, weight)`, nodes by their index in `nodes`, in an
    /// order that gives every node its aligned children in the plan's order.
    pub edges: Vec<(u32, u32, f64)>,
    /// Whether the plan reports its ids as integers ([`Plan::integer_ids`]): its ids were
    /// given as integers (columns of them), where a snapshot writes every id as text. `None`,
    /// in snapshots written before this field, reads ids that are all integers as integers,
    /// as those versions did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integer_ids: Option<bool>,
}

/// A node of a [`Snapshot`], as a plan document writes it, without its alignment edges (the
/// snapshot lists them apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotNode {
    /// An objective (its `key_results` and `parents` empty).
    Objective(ObjectiveSpec),
    /// A key result (its `parents` empty), after the index in [`Snapshot::nodes`] of its
    /// objective, which comes before it.
    KeyResult(u32, KeyResultSpec),
}

impl Plan {
    /// The plan as a [`Snapshot`].
    pub fn to_snapshot(&self) -> Snapshot {
        let d = &*self.data;
        let c = &d.contributors;
        // Each key result's weight in its objective, by position, from the objectives' lists.
        let mut kr_weight = vec![1.0; d.len()];
        for q in 0..d.len() {
            for e in c.own(q) {
                kr_weight[c.src[e] as usize] = c.weight.get(e);
            }
        }
        let nodes = (0..d.len())
            .map(|doc| {
                let p = d.pos_of_doc[doc] as usize;
                match d.rule(p) {
                    Rule::Objective { .. } => {
                        SnapshotNode::Objective(objective(self, p, Vec::new(), Vec::new()))
                    }
                    _ => SnapshotNode::KeyResult(
                        d.objective_of_doc[doc],
                        key_result(self, p, kr_weight[p], &|_| Vec::new()),
                    ),
                }
            })
            .collect();
        // Each node's aligned children, as the plan sums them.
        let (cycles, edges) = (self.document_cycles(), self.aligned_edges());
        let integer_ids = Some(self.integer_ids());
        Snapshot { okr_snapshot: VERSION, cycles, policy: d.policy.clone(), nodes, edges, integer_ids }
    }

    /// Builds a plan from a [`Snapshot`], validating it as [`Plan::from_document`] does. A key
    /// result whose objective is not an objective listed before it, a node listing key results
    /// or parents of its own, or an edge naming a node beyond the list, is a `malformed` error.
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<Plan> {
        if snapshot.okr_snapshot != VERSION {
            return Err(malformed(format!(
                "snapshot version `{}`: this version of okr reads version {VERSION}",
                snapshot.okr_snapshot
            )));
        }
        let n = snapshot.nodes.len();
        let mut b = Builder::with_capacity(n);
        for c in &snapshot.cycles {
            b.add_cycle(c)?;
        }
        // The objectives pushed so far, by index.
        let mut is_objective = Vec::with_capacity(n);
        for node in &snapshot.nodes {
            match node {
                SnapshotNode::Objective(o) => {
                    if !(o.key_results.is_empty() && o.parents.is_empty()) {
                        return Err(malformed(format!(
                            "snapshot objective `{}` lists key results or parents: a snapshot lists them apart",
                            o.id
                        )));
                    }
                    push_objective_spec(&mut b, o)?;
                }
                SnapshotNode::KeyResult(of, k) => {
                    if !is_objective.get(*of as usize).copied().unwrap_or(false) {
                        return Err(malformed(format!(
                            "snapshot key result `{}` belongs to node `{of}`, which is not an objective before it",
                            k.id
                        )));
                    }
                    if !k.parents.is_empty() {
                        return Err(malformed(format!(
                            "snapshot key result `{}` lists parents: a snapshot lists edges apart",
                            k.id
                        )));
                    }
                    push_key_result_spec(&mut b, *of, k)?;
                }
            }
            is_objective.push(matches!(node, SnapshotNode::Objective(_)));
        }
        for &(child, parent, weight) in &snapshot.edges {
            if child as usize >= n || parent as usize >= n {
                return Err(malformed(format!(
                    "snapshot edge `{child}` → `{parent}` names a node beyond the {n} listed"
                )));
            }
            b.add_edge_between(child, parent, weight)?;
        }
        // The nodes gave every id as text; the plan's were given as the snapshot says.
        b.set_ids_text_given(snapshot.integer_ids == Some(false));
        Ok(Plan { data: std::sync::Arc::new(b.finish(snapshot.policy.clone())?) })
    }
}

impl Plan {
    /// The plan as the tables [`Plan::from_columns`] reads, when they hold it exactly: a plan
    /// built from them is equal to this one in every respect [`Plan::to_snapshot`] lists (node
    /// order, each node's contributors in order, ids, text, check-ins, cycles, policy), so
    /// every report is the same to the last bit. Columns carry no text per node and build
    /// through the columnar path, so this is the fast copy of a large plan (Python's pickle
    /// uses it).
    ///
    /// `None` when columns cannot hold the plan: its nodes were not given as every objective
    /// and then every key result (a document lists each objective with its key results), or
    /// it has a milestones or piecewise key result, or a note (on a node or a check-in). Use
    /// [`Plan::to_snapshot`] then.
    ///
    /// Ids come back as integers when the plan's are ([`Plan::integer_ids`]), and as text in
    /// Arrow's layout otherwise. Check-in confidences come back on [0, 1], as the plan holds them (without the
    /// input's `confidence_scale`). A float column every row of which is empty (or, for
    /// weights, 1) is left out, as are empty alignment and check-in tables.
    ///
    /// ```
    /// use okr_core::Plan;
    /// let doc = r#"{"objectives": [{"id": "a"}, {"id": "b", "parents": [{"id": "a", "weight": 2}],
    ///   "key_results": [{"id": "k", "kind": "linear", "start": 0, "target": 4, "current": 1}]}]}"#;
    /// let plan = Plan::from_json(doc)?;
    /// let again = Plan::from_columns(&plan.to_columns().unwrap())?;
    /// assert_eq!(again.to_snapshot(), plan.to_snapshot());
    /// // Key result `k` comes before objective `c` here: columns list the objectives first.
    /// let interleaved = Plan::from_json(r#"{"objectives": [{"id": "b", "key_results": [
    ///   {"id": "k", "kind": "binary"}]}, {"id": "c"}]}"#)?;
    /// assert!(interleaved.to_columns().is_none());
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn to_columns(&self) -> Option<Columns<'static>> {
        let d = &*self.data;
        let n = d.len();
        let is_objective = |doc: usize| d.kinds[d.pos_of_doc[doc] as usize] == OBJECTIVE;
        let no = d.kinds.iter().filter(|&&k| k == OBJECTIVE).count();
        let nested = [KeyResultKind::Milestones, KeyResultKind::Piecewise].map(KeyResultKind::code);
        let fits = n < i32::MAX as usize
            && (0..no).all(is_objective)
            && !d.kinds.iter().any(|k| nested.contains(k))
            && !d.meta.note.any_in(0..n)
            && !d.meta.level.any_in(no..n)
            && !d.check_ins.note.any_in(0..d.check_ins.day.len());
        if !fits {
            return None;
        }
        let ids = |docs: &[u32]| match d.ids.integers() {
            Some(ints) => IdColumn::Integers(Cow::Owned(docs.iter().map(|&i| ints[i as usize]).collect())),
            None => IdColumn::Utf8(d.ids.utf8_of(docs)),
        };
        let coded = |text: &SparseText, rows: std::ops::Range<usize>| {
            text.coded(rows).map(|(codes, categories)| Texts::Coded { codes, categories })
        };
        let objectives = ObjectiveColumns {
            id: self.id_run(0..no),
            cycle: self.objective_cycles(no),
            owner: coded(&d.meta.owner, 0..no),
            level: coded(&d.meta.level, 0..no),
            title: coded(&d.meta.title, 0..no),
            progress: {
                let driver = |doc: usize| match d.rule(d.pos_of_doc[doc] as usize) {
                    Rule::Objective { driver, .. } => driver,
                    _ => None,
                };
                (0..no).any(|doc| driver(doc).is_some()).then(|| (0..no).map(driver).collect())
            },
        };
        let key_results = self.key_result_columns(no, &ids);
        let key_results = KeyResultColumns {
            title: coded(&d.meta.title, no..n),
            owner: coded(&d.meta.owner, no..n),
            ..key_results
        };
        let edges = self.aligned_edges();
        let alignments = (!edges.is_empty()).then(|| AlignmentColumns {
            child: ids(&edges.iter().map(|e| e.0).collect::<Vec<_>>()),
            parent: ids(&edges.iter().map(|e| e.1).collect::<Vec<_>>()),
            weight: weights(edges.iter().map(|e| e.2).collect()),
        });
        let check_ins = self.check_in_columns(no, &ids)?;
        Some(Columns {
            objectives,
            key_results,
            alignments,
            check_ins,
            cycles: self.document_cycles(),
            policy: Some(d.policy.clone()),
            confidence_scale: None,
        })
    }

    /// The ids of nodes `docs` (input indexes), copied as they are held.
    fn id_run(&self, docs: std::ops::Range<usize>) -> IdColumn<'static> {
        let ids = &self.data.ids;
        match ids.integers() {
            Some(ints) => IdColumn::Integers(Cow::Owned(ints[docs].to_vec())),
            None => IdColumn::Utf8(ids.utf8_of(&(docs.start as u32..docs.end as u32).collect::<Vec<_>>())),
        }
    }

    /// The cycle column of the objectives (the first `no` nodes), coded by cycle index.
    fn objective_cycles(&self, no: usize) -> Option<Texts> {
        let d = &*self.data;
        let codes: Vec<i32> = (0..no)
            .map(|doc| match d.cycle(d.pos_of_doc[doc] as usize) {
                NONE => -1,
                c => c as i32,
            })
            .collect();
        let categories = d.cycles.iter().map(|c| c.id.clone()).collect();
        codes.iter().any(|&c| c >= 0).then_some(Texts::Coded { codes, categories })
    }

    /// The key results' columns (nodes `no ..`) but their text.
    fn key_result_columns(
        &self,
        no: usize,
        ids: &dyn Fn(&[u32]) -> IdColumn<'static>,
    ) -> KeyResultColumns<'static> {
        let d = &*self.data;
        let nk = d.len() - no;
        // Columns only the kinds present read: at 1M objectives each is 24 MB of fresh memory.
        let present = |kinds: &[KeyResultKind]| kinds.iter().any(|k| d.kinds.contains(&k.code()));
        let rows = |needed: bool| if needed { nk } else { 0 };
        let linear = rows(present(&[KeyResultKind::Linear, KeyResultKind::Aggregate]));
        let threshold = rows(present(&[KeyResultKind::AtLeast, KeyResultKind::AtMost]));
        let range = rows(present(&[KeyResultKind::Range]));
        let nan = |len: usize| vec![f64::NAN; len];
        let (mut kind, mut weight, mut current) = (vec![KeyResultKind::Manual; nk], vec![1.0; nk], nan(nk));
        let (mut start, mut target) = (nan(linear), nan(linear));
        let (mut thresholds, mut strict) = (nan(threshold), vec![false; threshold]);
        let (mut low, mut high) = (nan(range), nan(range));
        let mut op = vec![None; rows(present(&[KeyResultKind::Aggregate]))];
        // Each key result's weight in its objective, from the objectives' lists.
        let c = &d.contributors;
        for q in (0..d.len()).filter(|&q| d.kinds[q] == OBJECTIVE) {
            for e in c.own(q) {
                put(
                    &mut weight,
                    (d.doc_of_pos[c.src[e] as usize] as usize).wrapping_sub(no),
                    c.weight.get(e),
                );
            }
        }
        // Read in position order (the order the plan's arrays are laid out in: a cache miss or
        // so per key result saved) and written in input order, where every key result comes
        // after the `no` objectives.
        for p in 0..d.len() {
            let Some(k) = d.kind(p) else { continue };
            let i = (d.doc_of_pos[p] as usize).wrapping_sub(no);
            put(&mut kind, i, k);
            put(&mut current, i, d.current[p]);
            // A kind's columns were made as it is present: `put` finds each row.
            match d.rule(p) {
                Rule::Linear { start: s, target: t } => {
                    put(&mut start, i, s);
                    put(&mut target, i, t);
                }
                Rule::Aggregate { start: s, target: t, op: o } => {
                    put(&mut start, i, s);
                    put(&mut target, i, t);
                    put(&mut op, i, Some(o));
                }
                Rule::AtLeast { threshold: t, strict: st } | Rule::AtMost { threshold: t, strict: st } => {
                    put(&mut thresholds, i, t);
                    put(&mut strict, i, st);
                }
                Rule::Range { low: l, high: h } => {
                    put(&mut low, i, l);
                    put(&mut high, i, h);
                }
                _ => {}
            }
        }
        let objective = &d.objective_of_doc[no..];
        KeyResultColumns {
            id: self.id_run(no..d.len()),
            objective: ids(objective),
            kind,
            weight: weights(weight),
            start: values(start),
            target: values(target),
            threshold: values(thresholds),
            strict: strict.contains(&true).then_some(strict),
            low: values(low),
            high: values(high),
            current: values(current),
            op: op.iter().any(Option::is_some).then_some(op),
            title: None,
            owner: None,
        }
    }

    /// The check-ins of the key results (nodes `no ..`), each key result's in the plan's
    /// order (by day): `Some(None)` when there are none, `None` for a day chrono cannot hold
    /// (which a built plan never has).
    fn check_in_columns(
        &self,
        no: usize,
        ids: &dyn Fn(&[u32]) -> IdColumn<'static>,
    ) -> Option<Option<CheckInColumns<'static>>> {
        let ci = &self.data.check_ins;
        let rows = ci.day.len();
        if rows == 0 {
            return Some(None);
        }
        let (mut key_result, mut date) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        let (mut value, mut confidence) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        for doc in no..self.data.len() {
            for r in ci.all(self.data.pos_of_doc[doc] as usize) {
                key_result.push(doc as u32);
                date.push(chrono::NaiveDate::from_num_days_from_ce_opt(ci.day[r])?);
                value.push(ci.value[r]);
                confidence.push(ci.confidence[r]);
            }
        }
        Some(Some(CheckInColumns {
            key_result: ids(&key_result),
            date,
            value: values(value),
            confidence: values(confidence),
        }))
    }
}

/// Sets row `i` of `column`, which a present kind's column has.
fn put<T>(column: &mut [T], i: usize, value: T) {
    if let Some(x) = column.get_mut(i) {
        *x = value;
    }
}

/// A float column, left out when every row is empty (NaN).
fn values(v: Vec<f64>) -> FloatColumn<'static> {
    v.iter().any(|x| !x.is_nan()).then_some(Cow::Owned(v))
}

/// A weight column, left out when every weight is 1.
fn weights(v: Vec<f64>) -> FloatColumn<'static> {
    v.iter().any(|&x| x != 1.0).then_some(Cow::Owned(v))
}

fn malformed(message: String) -> Error {
    Error::Malformed { message }
}
