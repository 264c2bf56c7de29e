//! Construction of a [`Plan`](crate::Plan): one builder behind both the document and the columnar
//! constructors, so every input form is validated by the same code.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::columns::{IdColumn, TextRows};
use crate::document::{Cycle, KeyResultKind, Milestone};
use crate::error::{Error, Result};
use crate::ids::{Ids, Key};
use crate::key_result::{check_points, finite, Rule, RuleFields};
use crate::pace::day;
use crate::plan::{CycleInfo, Meta, NONE};
use crate::policy::ProgressDriver;

mod assemble;
#[cfg(test)]
mod tests;

pub(crate) use assemble::{dependents_of, layout_running, RowArrays};
#[cfg(test)]
pub(crate) use assemble::{CUT_SMALL_PLANS, FIRST_SCORE_COLUMNS_ALWAYS};

/// Free-text attributes of a node.
#[derive(Debug, Default)]
pub(crate) struct NodeText {
    pub title: Option<String>,
    pub owner: Option<String>,
    pub level: Option<String>,
    pub note: Option<String>,
}

/// What scoring needs of a node, packed in 32 bytes so that laying the plan out gathers it with
/// one memory access: aligned to 32, a row never straddles two cache lines (a large allocation
/// from glibc starts 16 bytes into a page, so every other row did, and the gather, which reads
/// rows in shuffled order, took about 5 ms more at 1M objectives). A key result's cycle is its
/// objective's, set when the plan is laid out.
#[derive(Debug, Clone, Copy)]
#[repr(align(32))]
pub(crate) struct NodeRow {
    pub rule: Rule,
    pub current: f64,
}

const _: () = assert!(std::mem::size_of::<NodeRow>() == 32 && std::mem::align_of::<NodeRow>() == 32);

fn too_many_contributors() -> Error {
    Error::InvalidInput { what: "a plan holds at most 2^32 - 1 key results and alignments".into() }
}

/// The rows and free text of every node, in input order.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    pub nodes: Vec<NodeRow>,
    pub meta: Meta,
    /// The cycles of the objectives pushed so far.
    pub cycles: CycleRange,
}

/// The lowest and highest cycle index among some objectives ([`NONE`] counts as an index), to
/// tell whether they all share one before the plan's arrays are made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CycleRange {
    low: u32,
    high: u32,
}

impl Default for CycleRange {
    fn default() -> Self {
        CycleRange { low: u32::MAX, high: 0 }
    }
}

impl CycleRange {
    pub(crate) fn add(&mut self, cycle: u32) {
        (self.low, self.high) = (self.low.min(cycle), self.high.max(cycle));
    }

    /// The one cycle of every objective added (`NONE` when none has a cycle); `None` when
    /// they differ or none was added. A key result has its objective's cycle, so this is the
    /// cycle of every node.
    pub(crate) fn single(self) -> Option<u32> {
        (self.low == self.high).then_some(self.low)
    }
}

struct CheckInRow {
    kr: u32,
    day: i32,
    value: f64,
    confidence: f64,
    note: Option<Box<str>>,
}

/// Alignment edges as columns, in input order: child and parent node indices, and weights.
#[derive(Debug, Default)]
struct Edges {
    child: Vec<u32>,
    parent: Vec<u32>,
    /// Empty while every weight is 1 (the default: a plan built from columns without a weight
    /// column keeps none), else one per edge.
    weight: Vec<f64>,
}

impl Edges {
    fn push(&mut self, child: u32, parent: u32, weight: f64) {
        if weight != 1.0 || !self.weight.is_empty() {
            // The first weight other than 1 writes out those of the edges before it.
            self.weight.resize(self.child.len(), 1.0);
            self.weight.push(weight);
        }
        self.child.push(child);
        self.parent.push(parent);
    }

    /// Edge `e`'s weight.
    #[inline]
    fn weight(&self, e: usize) -> f64 {
        self.weight.get(e).copied().unwrap_or(1.0)
    }
}

/// Appends to `out` what `find(rows, found)` appends for rows `0..n`: on a large column, two
/// threads take half the rows each (look-ups are cache misses, which two threads overlap).
fn in_halves(n: usize, out: &mut Vec<u32>, find: impl Fn(std::ops::Range<usize>, &mut Vec<u32>) + Sync) {
    if !crate::parallel::worth_splitting(n) {
        return find(0..n, out);
    }
    // The first half goes straight into `out`, the second into a list of its own, copied after.
    let before = out.len();
    let second = || {
        let mut found = Vec::with_capacity(n - n / 2);
        find(n / 2..n, &mut found);
        found
    };
    match crate::parallel::join(second, || find(0..n / 2, out)) {
        Ok((second, ())) => out.extend(second),
        Err(_) => {
            // A thread failed: both halves here, one after the other.
            out.truncate(before);
            find(0..n, out);
        }
    }
}

/// Nodes in input order ("doc" indices) until [`Builder::finish`] reorders them topologically.
pub(crate) struct Builder {
    ids: Ids,
    rows: Rows,
    /// The objective of each key result (input index), `NONE` for objectives.
    objective: Vec<u32>,
    /// The weight of each key result in its objective (1 for objectives).
    weight: Vec<f64>,
    edges: Edges,
    check_ins: Vec<CheckInRow>,
    /// The scale check-ins' confidences are given on, when not [0, 1] (see
    /// [`Builder::set_confidence_scale`]).
    confidence_scale: Option<[f64; 2]>,
    ms_weight: Vec<f64>,
    ms_done: Vec<i32>,
    ms_name: Vec<Box<str>>,
    points: Vec<(f64, f64)>,
    cycles: Vec<CycleInfo>,
    cycle_index: HashMap<String, u32>,
}

/// A key result's rule and weight, validated, with `current` checked against the rule.
#[inline]
pub(crate) fn compile_key_result(
    id: impl std::fmt::Display + Copy,
    kind: KeyResultKind,
    fields: &RuleFields,
    weight: f64,
    current: Option<f64>,
) -> Result<(Rule, f64)> {
    let rule = Rule::compile(id, kind, fields)?;
    let weight = check_weight(|| format!("key result `{id}`"), weight)?;
    if let Some(v) = current {
        rule.check_value(id, "current", v)?;
    }
    Ok((rule, weight))
}

#[inline]
pub(crate) fn check_weight(context: impl FnOnce() -> String, value: f64) -> Result<f64> {
    if value.is_finite() && value > 0.0 {
        Ok(value)
    } else {
        Err(Error::InvalidWeight { context: context(), value })
    }
}

impl Builder {
    pub(crate) fn with_capacity(nodes: usize) -> Self {
        Builder {
            ids: Ids::with_capacity(nodes),
            rows: Rows { nodes: Vec::with_capacity(nodes), ..Rows::default() },
            objective: Vec::with_capacity(nodes),
            weight: Vec::with_capacity(nodes),
            edges: Edges::default(),
            check_ins: Vec::new(),
            confidence_scale: None,
            ms_weight: Vec::new(),
            ms_done: Vec::new(),
            ms_name: Vec::new(),
            points: Vec::new(),
            cycles: Vec::new(),
            cycle_index: HashMap::new(),
        }
    }

    pub(crate) fn add_cycle(&mut self, cycle: &Cycle) -> Result<()> {
        if cycle.id.is_empty() {
            return Err(Error::EmptyId { table: "cycles", row: Some(self.cycles.len()) });
        }
        if cycle.end < cycle.start {
            return Err(Error::InvalidDates { id: cycle.id.clone(), start: cycle.start, end: cycle.end });
        }
        let index = self.cycles.len() as u32;
        if self.cycle_index.insert(cycle.id.clone(), index).is_some() {
            return Err(Error::DuplicateId { id: cycle.id.clone() });
        }
        self.cycles.push(CycleInfo {
            id: cycle.id.clone(),
            start: cycle.start,
            end: cycle.end,
            start_day: day(cycle.start),
            end_day: day(cycle.end),
        });
        Ok(())
    }

    /// See [`Ids::set_text_given`].
    pub(crate) fn set_ids_text_given(&mut self, text_given: bool) {
        self.ids.set_text_given(text_given);
    }

    /// See [`Ids::reserve_dense`].
    pub(crate) fn reserve_dense_ids(&mut self, min: i64, max: i64, count: usize) {
        self.ids.reserve_dense(min, max, count);
    }

    /// Interns the id of the next node; nodes are then pushed in the order they were interned.
    pub(crate) fn intern(&mut self, table: &'static str, id: Key<'_>) -> Result<u32> {
        if id == Key::Text("") {
            return Err(Error::EmptyId { table, row: None });
        }
        let index = self.ids.insert(id).map_err(|_| Error::DuplicateId { id: id.to_string() })?;
        self.id_text_fits(table)?;
        Ok(index)
    }

    /// An error if the ids' text outgrew the 4 GiB that the index's 32-bit offsets reach.
    fn id_text_fits(&self, table: &'static str) -> Result<()> {
        match u32::try_from(self.ids.text_len()) {
            Ok(_) => Ok(()),
            Err(_) => Err(Error::InvalidInput { what: format!("{table}: the ids' text exceeds 4 GiB") }),
        }
    }

    /// Interns text ids (see [`Builder::intern`]); a large column of plain text ids is indexed
    /// by two threads ([`Ids::insert_texts`]). The plan then reports every id as text, as given
    /// ([`Ids::set_text_given`]); an empty id is named with its row.
    pub(crate) fn intern_texts(&mut self, table: &'static str, ids: &(impl TextRows + ?Sized)) -> Result<()> {
        if ids.rows() > 0 {
            self.ids.set_text_given(true);
        }
        if crate::parallel::worth_splitting(ids.rows()) && Ids::plain_texts(ids) {
            self.ids.insert_texts(ids).map_err(|row| {
                if row < ids.rows() {
                    Error::DuplicateId { id: ids.row(row).to_owned() }
                } else {
                    Error::Malformed { message: "internal: a worker thread failed".into() }
                }
            })?;
            return self.id_text_fits(table);
        }
        for i in 0..ids.rows() {
            self.intern(table, Key::Text(ids.row(i))).map_err(|e| match e {
                Error::EmptyId { table, .. } => Error::EmptyId { table, row: Some(i) },
                e => e,
            })?;
        }
        Ok(())
    }

    /// Interns integer ids in one tight loop (see [`Builder::intern`]).
    pub(crate) fn intern_ints(&mut self, table: &'static str, ids: &[i64]) -> Result<()> {
        self.ids.insert_ints(ids).map_err(|row| Error::DuplicateId { id: ids[row].to_string() })?;
        self.id_text_fits(table)
    }

    /// Interns the objectives' integer ids, then the key results' (see [`Ids::insert_int_columns`]:
    /// `both` may hand over the ids' list made by another thread).
    pub(crate) fn intern_int_columns(
        &mut self,
        objectives: &[i64],
        key_results: &[i64],
        both: impl FnOnce() -> Vec<i64>,
    ) -> Result<()> {
        self.ids.insert_int_columns(objectives, key_results, both).map_err(|row| {
            let id = objectives.iter().chain(key_results).nth(row).copied().unwrap_or_default();
            Error::DuplicateId { id: id.to_string() }
        })
    }

    /// Indices of the ids of a column (`NONE` where unknown).
    pub(crate) fn find_column(&self, ids: &IdColumn) -> Vec<u32> {
        let mut out = Vec::with_capacity(ids.len());
        self.find_column_into(ids, &mut out);
        out
    }

    /// Appends the indices of the ids of a column to `out` (`NONE` where unknown).
    pub(crate) fn find_column_into(&self, ids: &IdColumn, out: &mut Vec<u32>) {
        match ids {
            // A look-up into the 16 MB table is a cache miss on a large plan (1M build: the key
            // results' objectives 17 -> 9-11 ms on the calling thread, the build 419-464 ->
            // 376-431 ms in alternating runs, while the row thread compiles beside them).
            IdColumn::Integers(v) => {
                in_halves(v.len(), out, |rows, found| self.ids.find_ints(&v[rows], found))
            }
            IdColumn::Strings(v) => self.find_texts_into(v.as_slice(), out),
            IdColumn::Utf8(v) => self.find_texts_into(v, out),
        }
    }

    /// Appends the indices of text ids to `out` (`NONE` where unknown).
    fn find_texts_into(&self, ids: &(impl TextRows + ?Sized), out: &mut Vec<u32>) {
        // A text look-up is several cache misses on a large plan (the index, then the id's text
        // to compare).
        in_halves(ids.rows(), out, |rows, found| self.ids.find_texts(rows.map(|i| ids.row(i)), found));
    }

    /// Number of nodes whose data has been pushed.
    fn pushed(&self) -> u32 {
        self.rows.nodes.len() as u32
    }

    /// The cycle ids, in index order.
    pub(crate) fn cycle_ids(&self) -> Vec<&str> {
        self.cycles.iter().map(|c| c.id.as_str()).collect()
    }

    /// Sets the objective of every node at once (columnar input): `NONE` for objectives. Weights
    /// then come from the caller, see [`Builder::layout_with`].
    pub(crate) fn set_objectives(&mut self, objective: Vec<u32>) {
        self.objective = objective;
    }

    /// Sets the rows of every node at once (columnar input, compiled apart).
    pub(crate) fn set_rows(&mut self, rows: Rows) -> Result<()> {
        if rows.nodes.len() != self.ids.len() {
            return Err(Error::Malformed { message: "internal: row count differs from id count".into() });
        }
        self.rows = rows;
        Ok(())
    }

    fn push_node(
        &mut self,
        rule: Rule,
        objective: u32,
        weight: f64,
        current: f64,
        text: NodeText,
    ) -> Result<()> {
        if self.rows.nodes.len() >= self.ids.len() {
            return Err(Error::Malformed { message: "internal: node data pushed before its id".into() });
        }
        self.rows.nodes.push(NodeRow { rule, current });
        self.rows.meta.push(text);
        self.objective.push(objective);
        self.weight.push(weight);
        Ok(())
    }

    /// Pushes the data of the next interned node, an objective.
    pub(crate) fn push_objective(
        &mut self,
        cycle: Option<&str>,
        driver: Option<ProgressDriver>,
        text: NodeText,
    ) -> Result<u32> {
        let index = self.pushed();
        // Most plans have a handful of cycles: a short scan beats hashing the name per row.
        let cycle = match cycle {
            None => NONE,
            Some(c) => {
                let found = if self.cycles.len() <= 16 {
                    self.cycles.iter().position(|x| x.id == c).map(|i| i as u32)
                } else {
                    self.cycle_index.get(c).copied()
                };
                found.ok_or_else(|| Error::UnknownCycle {
                    id: self.ids.name(index).to_string(),
                    cycle: c.to_owned(),
                })?
            }
        };
        self.push_node(Rule::Objective { driver, cycle }, NONE, 1.0, f64::NAN, text)?;
        self.rows.cycles.add(cycle);
        Ok(index)
    }

    /// Pushes the data of the next interned node, a key result of objective `objective`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_key_result(
        &mut self,
        objective: u32,
        kind: KeyResultKind,
        fields: &RuleFields,
        weight: f64,
        current: Option<f64>,
        milestones: &[Milestone],
        points: &[[f64; 2]],
        text: NodeText,
    ) -> Result<u32> {
        let index = self.pushed();
        let id = self.ids.name(index);
        let (mut rule, weight) = compile_key_result(id, kind, fields, weight, current)?;
        match &mut rule {
            Rule::Milestones { first, len } => {
                if milestones.is_empty() {
                    return Err(Error::MissingField {
                        id: id.to_string(),
                        kind: kind.as_str(),
                        field: "milestones",
                    });
                }
                *first = self.ms_weight.len() as u32;
                *len = milestones.len() as u32;
                for m in milestones {
                    let w = check_weight(|| format!("milestone `{}` of `{id}`", m.name), m.weight)?;
                    self.ms_weight.push(w);
                    self.ms_done.push(m.done_on.map_or(i32::MAX, day));
                    self.ms_name.push(m.name.as_str().into());
                }
            }
            Rule::Piecewise { first, len } => {
                if points.is_empty() {
                    return Err(Error::MissingField {
                        id: id.to_string(),
                        kind: kind.as_str(),
                        field: "points",
                    });
                }
                check_points(id, points)?;
                *first = self.points.len() as u32;
                *len = points.len() as u32;
                self.points.extend(points.iter().map(|p| (p[0], p[1])));
            }
            _ => {}
        }
        // The cycle is the objective's, filled in by `finish`.
        self.push_node(rule, objective, weight, current.unwrap_or(f64::NAN), text)?;
        Ok(index)
    }

    /// An alignment edge from node `child` to the node with id `parent`.
    pub(crate) fn add_edge(&mut self, child: u32, parent: Key<'_>, weight: f64) -> Result<()> {
        let p = self.resolve_parent(child, parent)?;
        self.add_edge_between(child, p, weight)
    }

    /// The index of `parent`, or an error naming `child` and the missing parent.
    pub(crate) fn resolve_parent(&self, child: u32, parent: Key<'_>) -> Result<u32> {
        self.ids.find_key(parent).ok_or_else(|| Error::UnknownParent {
            id: self.ids.name(child).to_string(),
            parent: parent.to_string(),
        })
    }

    /// An alignment edge between two known nodes.
    pub(crate) fn add_edge_between(&mut self, child: u32, parent: u32, weight: f64) -> Result<()> {
        let weight = self.check_edge(child, parent, weight)?;
        self.edges.push(child, parent, weight);
        Ok(())
    }

    /// Edge `child` → `parent` checked: not a self-alignment, a positive finite weight.
    fn check_edge(&self, child: u32, parent: u32, weight: f64) -> Result<f64> {
        if parent == child {
            return Err(Error::SelfAlignment { id: self.ids.name(child).to_string() });
        }
        check_weight(|| format!("edge `{}` → `{}`", self.ids.name(child), self.ids.name(parent)), weight)
    }

    /// Sets every alignment edge at once (columnar input): `child[i]` → `parent[i]` (known
    /// nodes), with weight `weight(i)` or 1 without a weight column. The index columns are kept
    /// as they are, not copied; the first bad edge in input order is the error.
    pub(crate) fn set_edges(
        &mut self,
        child: Vec<u32>,
        parent: Vec<u32>,
        weight: Option<&dyn Fn(usize) -> Result<f64>>,
    ) -> Result<()> {
        let weights = match weight {
            Some(weight) => {
                let mut weights = Vec::with_capacity(child.len());
                for (i, (&c, &p)) in child.iter().zip(&parent).enumerate() {
                    weights.push(self.check_edge(c, p, weight(i)?)?);
                }
                weights
            }
            None => {
                if let Some(i) = child.iter().zip(&parent).position(|(c, p)| c == p) {
                    self.check_edge(child[i], parent[i], 1.0)?;
                }
                Vec::new()
            }
        };
        if !self.edges.child.is_empty() || child.len() != parent.len() {
            return Err(Error::Malformed {
                message: "internal: edges set twice or of unequal columns".into(),
            });
        }
        self.edges = Edges { child, parent, weight: weights };
        Ok(())
    }

    /// Declares the scale check-in confidences are given on, `[low, high]` (`[1, 10]`, say):
    /// each is mapped linearly onto [0, 1] when the plan is assembled. The scale needs finite
    /// ends, `low` below `high`.
    pub(crate) fn set_confidence_scale(&mut self, scale: [f64; 2]) -> Result<()> {
        let [low, high] = scale;
        if !(low.is_finite() && high.is_finite() && low < high) {
            return Err(Error::InvalidInput {
                what: format!(
                    "`confidence_scale` is [{low}, {high}]: it needs a finite low below a finite high"
                ),
            });
        }
        self.confidence_scale = Some(scale).filter(|&s| s != [0.0, 1.0]);
        Ok(())
    }

    /// Every check-in's confidence mapped from the declared scale onto [0, 1], each checked to
    /// lie on its scale: an error names the key result, the value, the day and the scale.
    pub(crate) fn confidences_on_unit_scale(&mut self) -> Result<()> {
        let [low, high] = self.confidence_scale.unwrap_or([0.0, 1.0]);
        let span = high - low;
        for c in &mut self.check_ins {
            if c.confidence.is_nan() {
                continue;
            }
            if !(low..=high).contains(&c.confidence) {
                // Off [0, 1] with no scale declared, the likely cause is a 1–10 or percentage
                // scale: the message says how to declare one.
                let (on, hint) = match self.confidence_scale {
                    Some(_) => ("the declared scale ", ""),
                    None => ("", " (confidences on another scale need `confidence_scale`, such as [1, 10])"),
                };
                let date = crate::pace::date_text(c.day);
                return Err(Error::InvalidValue {
                    id: self.ids.name(c.kr).to_string(),
                    field: "confidence",
                    reason: format!("`{}` on {date} is outside {on}[{low}, {high}]{hint}", c.confidence),
                });
            }
            if self.confidence_scale.is_some() {
                // At the ends exactly 0 and 1, whatever the rounding in between.
                c.confidence = ((c.confidence - low) / span).clamp(0.0, 1.0);
            }
        }
        Ok(())
    }

    pub(crate) fn add_check_in(
        &mut self,
        kr: u32,
        date: NaiveDate,
        value: Option<f64>,
        confidence: Option<f64>,
        done: Option<bool>,
        note: Option<&str>,
    ) -> Result<()> {
        let id = self.ids.name(kr);
        let rule = &self.rows.nodes[kr as usize].rule;
        if matches!(rule, Rule::Objective { .. }) {
            return Err(Error::InvalidValue {
                id: id.to_string(),
                field: "check_ins",
                reason: "check-ins belong to key results, and this is an objective".to_owned(),
            });
        }
        let value = match (done, value) {
            (Some(d), Some(v)) if v != f64::from(u8::from(d)) => {
                return Err(Error::InvalidValue {
                    id: id.to_string(),
                    field: "done",
                    reason: format!("check-in on {date} says done `{d}` but value `{v}`"),
                })
            }
            (Some(d), _) => Some(f64::from(u8::from(d))),
            (None, v) => v,
        };
        if let Some(v) = value {
            rule.check_value(id, "value", v)?;
        }
        // Its range is checked once the scale it is given on is known (`confidences_on_unit_scale`):
        // a document may declare the scale after its objectives.
        if let Some(c) = confidence {
            finite(id, "confidence", c)?;
        }
        self.check_ins.push(CheckInRow {
            kr,
            day: day(date),
            value: value.unwrap_or(f64::NAN),
            confidence: confidence.unwrap_or(f64::NAN),
            note: note.map(Into::into),
        });
        Ok(())
    }
}
