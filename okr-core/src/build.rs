//! Construction of a [`Plan`](crate::Plan): one builder behind both the document and the columnar
//! constructors, so every input form is validated by the same code.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use fixedbitset::FixedBitSet;

use crate::alignment::{inner_order, layout, leaves, Contributors, Layout, Weights};
use crate::columns::{IdColumn, TextRows};
use crate::document::{Cycle, KeyResultKind, Milestone};
use crate::error::{Error, Result};
use crate::ids::{Ids, Key};
use crate::key_result::{check_points, finite, Rule, RuleFields};
use crate::pace::day;
use crate::plan::{CheckIns, CycleInfo, Meta, PlanData, NONE, OBJECTIVE};
use crate::policy::{Policy, ProgressDriver};
use crate::scoring::{mapped_column, Spare, SpareColumns};

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

/// How many rows a gather in shuffled order reads before writing any out (see
/// [`Builder::assemble`]): enough independent misses in flight, few enough to stay in L1.
pub(crate) const GATHER_BLOCK: usize = 256;

/// Contributor lists are laid out a bucket of `BUCKET` consecutive nodes at a time (see
/// [`Builder::contributors`]): few enough nodes for their lists to be laid out in cache.
const BUCKET_BITS: u32 = 12;
const BUCKET: usize = 1 << BUCKET_BITS;
const BUCKET_MASK: usize = BUCKET - 1;

/// The share of the inner nodes after which the layout cuts a plan for a two-thread scoring pass
/// (see [`inner_order`]): on plans that scoring splits, and in tests that ask for it
/// (`CUT_SMALL_PLANS`) on any plan.
fn cut_share(n: usize) -> Option<f64> {
    #[cfg(test)]
    if CUT_SMALL_PLANS.with(std::cell::Cell::get) {
        return Some(crate::scoring::CUT_AT);
    }
    crate::parallel::worth_splitting(n).then_some(crate::scoring::CUT_AT)
}

/// Set by tests to have every large plan's build make its first score's columns, however the
/// threads meet (see [`layout_running`]); any test may set it, none clears it.
#[cfg(test)]
pub(crate) static FIRST_SCORE_COLUMNS_ALWAYS: AtomicBool = AtomicBool::new(false);

/// Whether a build's layout, which sets `done` when it returns, still runs (for
/// [`RowArrays::after`]).
pub(crate) fn layout_running(done: &AtomicBool) -> bool {
    let running = !done.load(Ordering::Acquire);
    #[cfg(test)]
    let running = running || FIRST_SCORE_COLUMNS_ALWAYS.load(Ordering::Relaxed);
    running
}

#[cfg(test)]
thread_local! {
    /// Set by tests to cut plans of any size (see [`cut_share`]) on the thread that builds them.
    pub(crate) static CUT_SMALL_PLANS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

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

/// The arrays a plan's rows are gathered into (see [`Builder::assemble`]), filled with
/// placeholders. Filling them is what maps their memory: a fresh page costs a fault (about
/// 0.7 µs here, 2 µs in slow states), and a 1M-objective plan's arrays are some 25,000 pages.
/// Making them on the thread the layout leaves free (the row compiler's in
/// [`Plan::from_columns`]) takes that cost off the longest path.
///
/// [`Plan::from_columns`]: crate::Plan::from_columns
pub(crate) struct RowArrays {
    kinds: Vec<u8>,
    rule_numbers: Vec<[f64; 2]>,
    rule_bytes: Vec<u8>,
    current: Vec<f64>,
    /// Empty when every node has the same cycle (see [`PlanData::single_cycle`]).
    cycle_of: Vec<u32>,
    /// Columns for the plan's first score, made by [`RowArrays::after`] on large plans.
    spare: Option<Spare>,
}

/// One thread's share of [`RowArrays`] in [`Builder::assemble`]: positions `from..` of each.
struct Part<'a> {
    kinds: &'a mut [u8],
    numbers: &'a mut [[f64; 2]],
    bytes: &'a mut [u8],
    current: &'a mut [f64],
    cycle_of: &'a mut [u32],
}

impl RowArrays {
    /// Arrays for `n` nodes, every page written; a cycle per node only when `per_node_cycles`
    /// (else every node is in one cycle, which the plan keeps once).
    pub(crate) fn new(n: usize, per_node_cycles: bool) -> Self {
        RowArrays {
            kinds: mapped_column(n, OBJECTIVE),
            rule_numbers: mapped_column(n, [0.0; 2]),
            rule_bytes: mapped_column(n, 0),
            current: mapped_column(n, f64::NAN),
            cycle_of: if per_node_cycles { mapped_column(n, NONE) } else { Vec::new() },
            spare: None,
        }
    }

    /// [`RowArrays::new`] once `ready` receives (or its sender is gone): the layout signals when
    /// a thread is free (see [`Builder::layout_with`]), so that the pages are not mapped while
    /// both threads are busy.
    ///
    /// On a plan large enough for two threads, the thread then makes the columns of the plan's
    /// first score too ([`Spare::mapped`], 10 bytes a node), which the plan holds until then as
    /// it holds a dropped report's. The layout usually keeps the other thread busy for longer
    /// (at 1M objectives the arrays take about 30 ms, these columns about 20 ms, the layout's
    /// steps on one thread after the signal about 60 ms), and the first score, which would map
    /// them page by page on its own two threads, then runs as fast as a later one. When mapping
    /// memory is slow enough that the layout no longer runs (`layout_running`, see
    /// [`layout_running`]) once the arrays are made, the build is waiting on this thread
    /// already: the columns are left to the first score.
    pub(crate) fn after(
        ready: &std::sync::mpsc::Receiver<()>,
        n: usize,
        per_node_cycles: bool,
        layout_running: impl Fn() -> bool,
    ) -> Self {
        // An error only means the layout ended (failed) without signalling: make them anyway.
        let signalled = ready.recv().is_ok();
        crate::phase("rows: wait");
        let mut arrays = RowArrays::new(n, per_node_cycles);
        crate::phase("rows: arrays");
        if signalled && layout_running() && crate::parallel::worth_splitting(n) {
            arrays.spare = Some(Spare::mapped(n));
            crate::phase("rows: spare");
        }
        arrays
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
            return Err(Error::EmptyId { table: "cycles" });
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

    /// See [`Ids::reserve_dense`].
    pub(crate) fn reserve_dense_ids(&mut self, min: i64, max: i64, count: usize) {
        self.ids.reserve_dense(min, max, count);
    }

    /// Interns the id of the next node; nodes are then pushed in the order they were interned.
    pub(crate) fn intern(&mut self, table: &'static str, id: Key<'_>) -> Result<u32> {
        if id == Key::Text("") {
            return Err(Error::EmptyId { table });
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
    /// by two threads ([`Ids::insert_texts`]).
    pub(crate) fn intern_texts(&mut self, table: &'static str, ids: &(impl TextRows + ?Sized)) -> Result<()> {
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
            self.intern(table, Key::Text(ids.row(i)))?;
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
        if let Some(c) = confidence {
            if !(0.0..=1.0).contains(&finite(id, "confidence", c)?) {
                return Err(Error::InvalidValue {
                    id: id.to_string(),
                    field: "confidence",
                    reason: format!("`{c}` on {date} is outside [0, 1]"),
                });
            }
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

    /// Validates the graph, orders it topologically and lays every array out in that order.
    pub(crate) fn finish(self, policy: Policy) -> Result<PlanData> {
        policy.validate()?;
        if self.weight.len() != self.ids.len() {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        let n = self.ids.len();
        let per_node_cycles = self.rows.cycles.single().is_none();
        let (go, ready) = std::sync::mpsc::channel();
        let layout_done = &AtomicBool::new(false);
        let (arrays, layout) = crate::parallel::join_when(
            crate::parallel::worth_splitting(n),
            move || RowArrays::after(&ready, n, per_node_cycles, || layout_running(layout_done)),
            || {
                let layout = self.layout_with(
                    |i| self.weight[i],
                    move || {
                        let _ = go.send(());
                    },
                );
                layout_done.store(true, Ordering::Release);
                layout
            },
        )?;
        self.assemble(layout?, arrays, policy)
    }

    /// Checks the alignment graph for cycles and lays it out; `kr_weight(i)` is the weight of
    /// key result `i` in its objective. Needs the ids, objectives and edges, not the rows, so the
    /// columnar constructor runs it while the rows are compiled. `one_thread` is called when the
    /// steps left keep one thread busy (the traversal), leaving the other free.
    pub(crate) fn layout_with(
        &self,
        kr_weight: impl Fn(usize) -> f64 + Sync,
        one_thread: impl FnOnce(),
    ) -> Result<Layout> {
        let n = self.ids.len();
        if self.objective.len() != n {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        let (doc, has_dependent, feeds_many) = self.contributors(kr_weight)?;
        crate::phase("contributors");
        one_thread();
        let leaf = leaves(&doc.offsets);
        crate::phase("leaves");
        let (inner, split) = inner_order(&doc.offsets, &doc.src, &leaf, &has_dependent, cut_share(n))
            .map_err(|mut cycle| {
                // Start the cycle at the node given first, so the message does not depend on traversal.
                cycle.pop();
                let first = cycle.iter().enumerate().min_by_key(|&(_, &i)| i).map_or(0, |(k, _)| k);
                cycle.rotate_left(first);
                cycle.extend(cycle.first().copied());
                Error::Cycle { ids: cycle.iter().map(|&i| self.ids.get(i).to_owned()).collect() }
            })?;
        crate::phase("topo");
        let laid = layout(doc, &inner, split, &leaf, &has_dependent, &feeds_many)?;
        crate::phase("relabel");
        Ok(laid)
    }

    /// Lays every node's data out in the order of `layout`, in `arrays` (made for as many nodes).
    pub(crate) fn assemble(self, layout: Layout, arrays: RowArrays, policy: Policy) -> Result<PlanData> {
        let n = self.ids.len();
        let RowArrays { mut kinds, mut rule_numbers, mut rule_bytes, mut current, mut cycle_of, spare } =
            arrays;
        let lengths = [kinds.len(), rule_numbers.len(), rule_bytes.len(), current.len()];
        // Every key result has the cycle of its objective: one cycle for all objectives is one
        // for every node, kept once.
        let single_cycle = self.rows.cycles.single();
        let cycles = if single_cycle.is_some() { 0 } else { n };
        if self.rows.nodes.len() != n
            || layout.order.len() != n
            || lengths != [n; 4]
            || cycle_of.len() != cycles
        {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        let Layout { order, pos_of_doc, contributors, split } = layout;
        // Rows are gathered in shuffled input order: two threads overlap twice the misses.
        // When objectives' cycles differ, each thread then gives its key results their
        // objective's cycle, from the objectives' own contributor lists: they sit just before
        // the objective in topological order, so this is nearly sequential. Key results of the
        // second half's first objectives may lie in the first half: they are returned, and set
        // once both threads are done. (Each key result's objective by position is not kept: see
        // [`PlanData::objective_of`].)
        let nodes = &self.rows.nodes;
        let gather = |from: usize, part: &[u32], out: Part<'_>| {
            let Part { kinds, numbers, bytes, current, cycle_of } = out;
            // A block of rows is read before any is written out: the reads (each a cache miss)
            // are independent of each other and overlap.
            let mut buf: Vec<NodeRow> = Vec::with_capacity(GATHER_BLOCK);
            for (b, block) in part.chunks(GATHER_BLOCK).enumerate() {
                buf.clear();
                buf.extend(block.iter().map(|&d| nodes[d as usize]));
                for (i, row) in (b * GATHER_BLOCK..).zip(&buf) {
                    let rule = row.rule;
                    kinds[i] = rule.kind().map_or(OBJECTIVE, KeyResultKind::code);
                    (numbers[i], bytes[i]) = rule.pack();
                    current[i] = row.current;
                    if let (Rule::Objective { cycle, .. }, Some(slot)) = (rule, cycle_of.get_mut(i)) {
                        *slot = cycle;
                    }
                }
            }
            let mut before = Vec::new();
            if cycle_of.is_empty() {
                return before;
            }
            for (i, &kind) in kinds.iter().enumerate() {
                if kind == OBJECTIVE {
                    let cycle = cycle_of[i];
                    for e in contributors.own(from + i) {
                        let kr = contributors.src[e] as usize;
                        match kr.checked_sub(from).and_then(|k| cycle_of.get_mut(k)) {
                            Some(slot) => *slot = cycle,
                            None => before.push((kr, cycle)),
                        }
                    }
                }
            }
            before
        };
        let half = n / 2;
        let (first, second) = order.split_at(half);
        let (kinds_a, kinds_b) = kinds.split_at_mut(half);
        let (numbers_a, numbers_b) = rule_numbers.split_at_mut(half);
        let (bytes_a, bytes_b) = rule_bytes.split_at_mut(half);
        let (current_a, current_b) = current.split_at_mut(half);
        let (cycle_a, cycle_b) = cycle_of.split_at_mut(if single_cycle.is_some() { 0 } else { half });
        let part_a = Part {
            kinds: kinds_a,
            numbers: numbers_a,
            bytes: bytes_a,
            current: current_a,
            cycle_of: cycle_a,
        };
        let part_b = Part {
            kinds: kinds_b,
            numbers: numbers_b,
            bytes: bytes_b,
            current: current_b,
            cycle_of: cycle_b,
        };
        let (straddling, none) = crate::parallel::join_when(
            crate::parallel::worth_splitting(n),
            || gather(half, second, part_b),
            || gather(0, first, part_a),
        )?;
        for (kr, cycle) in straddling.into_iter().chain(none) {
            if let Some(c) = cycle_of.get_mut(kr) {
                *c = cycle;
            }
        }
        crate::phase("gather");
        let check_ins = self.sorted_check_ins(&pos_of_doc);
        Ok(PlanData {
            kinds,
            rule_numbers,
            rule_bytes,
            cycle_of,
            single_cycle,
            split,
            current,
            objective_by_pos: std::sync::OnceLock::new(),
            objective_of_doc: self.objective,
            contributors,
            dependents: std::sync::OnceLock::new(),
            check_ins,
            spare: spare.map_or_else(SpareColumns::default, SpareColumns::holding),
            raw_scores: std::sync::OnceLock::new(),
            short_passes: std::sync::OnceLock::new(),
            block_reads: std::sync::OnceLock::new(),
            ms_weight: self.ms_weight,
            ms_done: self.ms_done,
            ms_name: self.ms_name,
            points: self.points,
            ids: self.ids,
            meta: self.rows.meta,
            cycles: self.cycles,
            policy,
            pos_of_doc,
            doc_of_pos: order,
        })
    }

    /// Contributor lists in input order (own key results first, then aligned children), with
    /// the nodes that feed at least one other node and those that feed more than one.
    ///
    /// Each entry belongs to a list in shuffled order, so writing entries straight to their
    /// lists is a cache miss (or three) per entry. Instead they are first dealt, in input order,
    /// into buckets of [`BUCKET`] consecutive nodes (a write stream per bucket, whose ends stay
    /// in cache), then each bucket's lists are laid out within the bucket, in cache. Two threads
    /// take half the buckets each.
    fn contributors(
        &self,
        kr_weight: impl Fn(usize) -> f64 + Sync,
    ) -> Result<(Contributors, FixedBitSet, FixedBitSet)> {
        let buckets = (self.ids.len() >> BUCKET_BITS) + 1;
        let bucket = |node: u32| node as usize >> BUCKET_BITS;
        // Entries per bucket: key results (by objective), then aligned children (by parent).
        let mut own = vec![0u32; buckets];
        let mut aligned = vec![0u32; buckets];
        let mut narrow = true;
        for (kr, &o) in self.objective.iter().enumerate() {
            if o != NONE {
                own[bucket(o)] += 1;
                narrow &= Weights::fits_narrow(kr_weight(kr));
            }
        }
        for &parent in &self.edges.parent {
            aligned[bucket(parent)] += 1;
        }
        // Weights exact in 4 bytes are dealt in 4 (see [`Weights`]): half the bytes to write
        // and lay out, and the plan keeps them so.
        if narrow && self.edges.weight.iter().all(|&w| Weights::fits_narrow(w)) {
            self.deal_lists(&own, &aligned, &kr_weight, |w| w as f32, Weights::Narrow)
        } else {
            self.deal_lists(&own, &aligned, &kr_weight, |w| w, Weights::Wide)
        }
    }

    /// [`Builder::contributors`] once entries are counted per bucket (`own`, `aligned`), with
    /// weights kept as `W` (`to` converts one, `wrap` makes the column).
    fn deal_lists<W: Copy + Default + Send>(
        &self,
        own: &[u32],
        aligned: &[u32],
        kr_weight: &(impl Fn(usize) -> f64 + Sync),
        to: impl Fn(f64) -> W,
        wrap: impl FnOnce(Vec<W>) -> Weights,
    ) -> Result<(Contributors, FixedBitSet, FixedBitSet)> {
        let n = self.ids.len();
        let buckets = own.len();
        let bucket = |node: u32| node as usize >> BUCKET_BITS;
        // Where each bucket's entries start: its key results, then its aligned children.
        let mut base = Vec::with_capacity(buckets + 1);
        let mut total = 0usize;
        for b in 0..buckets {
            base.push(u32::try_from(total).map_err(|_| too_many_contributors())?);
            total += own[b] as usize + aligned[b] as usize;
        }
        base.push(u32::try_from(total).map_err(|_| too_many_contributors())?);
        // Deal the entries: source, weight and the node's place in its bucket, in input order.
        let mut src = vec![0u32; total];
        let mut weight = vec![W::default(); total];
        let mut local = vec![0u16; total];
        let mut next_own: Vec<u32> = base[..buckets].to_vec();
        let mut next_aligned: Vec<u32> = (0..buckets).map(|b| base[b] + own[b]).collect();
        let mut deal = |next: &mut u32, node: u32, from: u32, w: f64| {
            let slot = *next as usize;
            *next += 1;
            src[slot] = from;
            weight[slot] = to(w);
            local[slot] = (node as usize & BUCKET_MASK) as u16;
        };
        for (kr, &o) in self.objective.iter().enumerate() {
            if o != NONE {
                deal(&mut next_own[bucket(o)], o, kr as u32, kr_weight(kr));
            }
        }
        for (e, (&child, &parent)) in self.edges.child.iter().zip(&self.edges.parent).enumerate() {
            deal(&mut next_aligned[bucket(parent)], parent, child, self.edges.weight(e));
        }
        drop((next_own, next_aligned));
        let mut own_end = vec![0u32; n];
        let mut offsets = vec![0u32; n + 1];
        offsets[n] = base[buckets];
        // Lay out the lists of the buckets from `first` (whose nodes start at `first * BUCKET`,
        // and entries at `at`) in these windows of the arrays.
        let lay_out = |first: usize,
                       at: usize,
                       offsets: &mut [u32],
                       own_end: &mut [u32],
                       src: &mut [u32],
                       weight: &mut [W]| {
            let (mut count_own, mut count_aligned) = (vec![0u32; BUCKET], vec![0u32; BUCKET]);
            let (mut bucket_src, mut bucket_weight) = (Vec::new(), Vec::new());
            for b in first..first + own_end.len().div_ceil(BUCKET) {
                // The bucket's nodes, from `node` in the windows.
                let node = (b - first) << BUCKET_BITS;
                let nodes = (own_end.len() - node).min(BUCKET);
                let (start, mid, end) = (base[b] as usize, (base[b] + own[b]) as usize, base[b + 1] as usize);
                count_own[..nodes].fill(0);
                count_aligned[..nodes].fill(0);
                for &j in &local[start..mid] {
                    count_own[j as usize] += 1;
                }
                for &j in &local[mid..end] {
                    count_aligned[j as usize] += 1;
                }
                // Counts become cursors: where each node's key results, then children, go.
                let mut cursor = start as u32;
                for j in 0..nodes {
                    let (k, a) = (count_own[j], count_aligned[j]);
                    offsets[node + j] = cursor;
                    own_end[node + j] = cursor + k;
                    count_own[j] = cursor;
                    count_aligned[j] = cursor + k;
                    cursor += k + a;
                }
                bucket_src.clear();
                bucket_src.extend_from_slice(&src[start - at..end - at]);
                bucket_weight.clear();
                bucket_weight.extend_from_slice(&weight[start - at..end - at]);
                for (e, &j) in local[start..end].iter().enumerate() {
                    let next = if start + e < mid {
                        &mut count_own[j as usize]
                    } else {
                        &mut count_aligned[j as usize]
                    };
                    let slot = *next as usize - at;
                    *next += 1;
                    src[slot] = bucket_src[e];
                    weight[slot] = bucket_weight[e];
                }
            }
        };
        // The halves are split at a bucket, by entries: in a plan built from columns the
        // objectives (every key result's list owner) come first, so the middle node would leave
        // the second thread little to do.
        let two = crate::parallel::worth_splitting(n);
        let mid = if two {
            base.partition_point(|&start| (start as usize) < total / 2).min(buckets)
        } else {
            buckets
        };
        let (node_split, entry_split) = ((mid << BUCKET_BITS).min(n), base[mid] as usize);
        {
            let (offsets_a, offsets_b) = offsets[..n].split_at_mut(node_split);
            let (own_a, own_b) = own_end.split_at_mut(node_split);
            let (src_a, src_b) = src.split_at_mut(entry_split);
            let (weight_a, weight_b) = weight.split_at_mut(entry_split);
            crate::parallel::join_when(
                two,
                || lay_out(mid, entry_split, offsets_b, own_b, src_b, weight_b),
                || lay_out(0, 0, offsets_a, own_a, src_a, weight_a),
            )?;
        }
        // Who feeds whom: every key result its objective, every child its parents.
        let mut feeds = FixedBitSet::with_capacity(n);
        let mut feeds_many = FixedBitSet::with_capacity(n);
        for (kr, _) in self.objective.iter().enumerate().filter(|(_, &o)| o != NONE) {
            feeds.insert(kr);
        }
        for &child in &self.edges.child {
            if feeds.put(child as usize) {
                feeds_many.insert(child as usize);
            }
        }
        Ok((Contributors { offsets, own_end, src, weight: wrap(weight) }, feeds, feeds_many))
    }

    /// Check-ins grouped by key result (topological position), each group sorted by day; equal
    /// days keep input order, so the last one given wins.
    fn sorted_check_ins(&self, pos_of_doc: &[u32]) -> CheckIns {
        if self.check_ins.is_empty() {
            return CheckIns::default();
        }
        let n = pos_of_doc.len();
        let mut offsets = vec![0u32; n + 1];
        for c in &self.check_ins {
            offsets[pos_of_doc[c.kr as usize] as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets[..n].to_vec();
        let mut slots = vec![0u32; self.check_ins.len()];
        for (row, c) in self.check_ins.iter().enumerate() {
            let p = pos_of_doc[c.kr as usize] as usize;
            slots[next[p] as usize] = row as u32;
            next[p] += 1;
        }
        for p in 0..n {
            let group = &mut slots[offsets[p] as usize..offsets[p + 1] as usize];
            if group.len() > 1 {
                group.sort_by_key(|&row| self.check_ins[row as usize].day);
            }
        }
        let rows = slots.iter().map(|&r| &self.check_ins[r as usize]);
        CheckIns {
            offsets,
            day: rows.clone().map(|c| c.day).collect(),
            value: rows.clone().map(|c| c.value).collect(),
            confidence: rows.clone().map(|c| c.confidence).collect(),
            note: rows.map(|c| c.note.as_deref()).collect(),
        }
    }
}

/// For each node, the nodes it contributes to (its objective and its alignment parents).
pub(crate) fn dependents_of(c: &Contributors) -> (Vec<u32>, Vec<u32>) {
    let n = c.own_end.len();
    let mut offsets = vec![0u32; n + 1];
    for &s in &c.src {
        offsets[s as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets[..n].to_vec();
    let mut dst = vec![0u32; c.src.len()];
    for p in 0..n {
        for e in c.all(p) {
            let s = c.src[e] as usize;
            dst[next[s] as usize] = p as u32;
            next[s] += 1;
        }
    }
    (offsets, dst)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A builder over `n` nodes whose contributor inputs are `objective` and `edges`.
    fn builder(objective: Vec<u32>, edges: Vec<(u32, u32, f64)>) -> Builder {
        let n = objective.len();
        let mut b = Builder::with_capacity(n);
        let ids: Vec<i64> = (0..n as i64).collect();
        assert!(b.intern_ints("objectives", &ids).is_ok());
        b.objective = objective;
        for (child, parent, weight) in edges {
            b.edges.push(child, parent, weight);
        }
        b
    }

    /// A plan whose objectives share one cycle keeps it once and no cycle per node; one with
    /// two cycles, or with one objective outside any, keeps a cycle per node. Either way every
    /// node reads as its objective's cycle, on plans gathered by two threads, whose key results
    /// lie in either half and far from their objectives. Each key result's objective by
    /// position, read one node at a time and then made for the whole plan, is its input
    /// objective's position.
    #[test]
    fn a_plan_in_one_cycle_keeps_it_once() {
        use crate::columns::{AlignmentColumns, Columns, KeyResultColumns, ObjectiveColumns};
        use crate::{Cycle, KeyResultKind, Plan};
        let no = 30_001;
        let nk = 3 * no + 2;
        assert!(crate::parallel::worth_splitting(no + nk));
        let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap_or_default();
        let cycles = vec![
            Cycle { id: "q1".into(), start: day("2026-01-01"), end: day("2026-03-31") },
            Cycle { id: "q2".into(), start: day("2026-04-01"), end: day("2026-06-30") },
        ];
        // Objective `i` has id `i * 7 % no` (scattered); key result `j` belongs to objective
        // `j * 13 % no`, so an objective's key results are spread over the input, and the
        // halves of the layout part between an objective and its key results.
        let objective_ids: Vec<i64> = (0..no as i64).map(|i| i * 7 % no as i64).collect();
        let owner_of = |j: usize| (j * 13 % no) as i64;
        /// The cycle of objective `i`, by the objective's input position.
        type CycleOf = fn(usize) -> Option<&'static str>;
        let variants: [(&str, CycleOf, Option<u32>); 4] = [
            ("one cycle", |_| Some("q1"), Some(0)),
            ("the last objective in another", |i| Some(if i == 30_000 { "q2" } else { "q1" }), None),
            ("one objective in none", |i| (i != 17).then_some("q2"), None),
            ("none in any", |_| None, Some(NONE)),
        ];
        for (name, cycle_of_objective, single) in variants {
            let cols = Columns {
                objectives: ObjectiveColumns {
                    id: objective_ids.clone().into(),
                    cycle: Some(
                        (0..no).map(|i| cycle_of_objective(i).map(str::to_owned)).collect::<Vec<_>>().into(),
                    ),
                    ..Default::default()
                },
                key_results: KeyResultColumns {
                    id: (0..nk as i64).map(|j| no as i64 + j).collect::<Vec<_>>().into(),
                    objective: (0..nk).map(owner_of).collect::<Vec<_>>().into(),
                    kind: vec![KeyResultKind::Binary; nk],
                    current: Some(vec![1.0; nk].into()),
                    ..Default::default()
                },
                alignments: Some(AlignmentColumns {
                    child: (1..no as i64).collect::<Vec<_>>().into(),
                    parent: (1..no as i64).map(|i| (i - 1) / 5).collect::<Vec<_>>().into(),
                    weight: None,
                }),
                check_ins: None,
                cycles: cycles.clone(),
                policy: None,
            };
            let plan = Plan::from_columns(&cols).unwrap_or_else(|e| panic!("{name}: {e}"));
            let d = &plan.data;
            assert!(d.split.is_some(), "{name}: laid out for two threads");
            assert_eq!(d.single_cycle, single, "{name}");
            assert_eq!(d.cycle_of.len(), if single.is_some() { 0 } else { no + nk }, "{name}");
            // The cycle each objective id was given.
            let given: HashMap<i64, u32> = objective_ids
                .iter()
                .enumerate()
                .map(|(i, &id)| (id, cycle_of_objective(i).map_or(NONE, |c| u32::from(c == "q2"))))
                .collect();
            let doc_of_id: HashMap<i64, usize> =
                objective_ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
            let mut expected = vec![NONE; d.len()];
            for p in 0..d.len() {
                let doc = d.doc_of_pos[p] as usize;
                let objective = if doc < no { objective_ids[doc] } else { owner_of(doc - no) };
                assert_eq!(d.cycle(p), given[&objective], "{name}: node {doc}");
                if doc >= no {
                    expected[p] = d.pos_of_doc[doc_of_id[&objective]];
                }
                assert_eq!(d.objective_at(p), expected[p], "{name}: node {doc}, one at a time");
            }
            assert!(d.objective_by_pos.get().is_none(), "{name}: made before first use");
            assert!(d.objective_of() == expected, "{name}: the whole plan's objectives by position");
            assert!((0..d.len()).all(|p| d.objective_at(p) == expected[p]), "{name}: once made");
        }
    }

    /// The row thread makes a large plan's first score's columns once the layout has signalled
    /// and only while it runs; a small plan, or a layout that failed before signalling, gets
    /// none.
    #[test]
    fn the_row_thread_maps_the_first_scores_columns_only_while_the_layout_runs() {
        if !crate::parallel::threads_allowed() {
            return;
        }
        let large = crate::parallel::PARALLEL_FROM;
        let columns = |n: usize, signal: bool, running: bool| {
            let (go, ready) = std::sync::mpsc::channel();
            if signal {
                let _ = go.send(());
            }
            drop(go);
            let arrays = RowArrays::after(&ready, n, false, || running);
            assert_eq!(arrays.kinds.len(), n);
            arrays.spare.map(|s| s.mapped_len())
        };
        assert_eq!(columns(large, true, true), Some(large), "layout still running");
        assert_eq!(columns(large, true, false), None, "the layout done first");
        assert_eq!(columns(large - 1, true, true), None, "a plan too small for two threads");
        assert_eq!(columns(large, false, true), None, "the layout failed before signalling");
    }

    /// A long column of integer ids, looked up by two threads, gives every index in order, with
    /// unknown ids (in either half) as `NONE`, as one thread's look-up does.
    #[test]
    fn integer_columns_are_looked_up_in_order_by_two_threads() {
        let n = 100_000;
        let ids: Vec<i64> = (0..n as i64).map(|i| (i * 7_919) % n as i64 * 3 + 5).collect();
        let mut b2 = Builder::with_capacity(n);
        assert!(b2.intern_ints("objectives", &ids).is_ok());
        // Every third id back to front, then ids no node has, then the first ids again.
        let mut wanted: Vec<i64> = ids.iter().rev().step_by(3).copied().collect();
        wanted.extend([-1, 4, 300_001, i64::MAX]);
        wanted.extend(&ids[..40_000]);
        assert!(crate::parallel::worth_splitting(wanted.len()));
        let mut found = vec![7];
        b2.find_column_into(&IdColumn::Integers(wanted.clone().into()), &mut found);
        let mut one = Vec::new();
        b2.ids.find_ints(&wanted, &mut one);
        assert_eq!(found[0], 7, "appended after what `out` held");
        assert_eq!(found[1..], one[..]);
        let index: HashMap<i64, u32> = ids.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
        for (k, &v) in wanted.iter().enumerate() {
            assert_eq!(found[k + 1], index.get(&v).copied().unwrap_or(NONE), "id {v} at {k}");
        }
    }

    /// Contributor lists built by buckets equal lists built the plain way (each list's key
    /// results, then its children, in input order), on plans small enough for one bucket and
    /// large enough for many, split between two threads, with a partial last bucket.
    #[test]
    fn contributor_lists_equal_the_plain_construction() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as u32
        };
        let sizes = [(0, 0), (3, 5), (1000, 3000), (20_000, 60_001), (30_011, 90_000)];
        for ((objectives, key_results), wide) in sizes.into_iter().flat_map(|s| [(s, false), (s, true)]) {
            let n = objectives + key_results;
            // Key results in shuffled order, owned by random objectives; edges from random
            // nodes to random objectives, some children with several parents.
            let mut objective = vec![NONE; objectives];
            objective.extend((0..key_results).map(|_| next(objectives)));
            let edges: Vec<(u32, u32, f64)> =
                (0..objectives / 2).map(|_| (next(n), next(objectives), f64::from(next(5)))).collect();
            // Weights exact in 4 bytes are dealt narrow, others wide.
            let kr_weight = |kr: usize| if wide { kr as f64 / 7.0 } else { (kr % 4 + 1) as f64 };
            let b = builder(objective.clone(), edges.clone());
            let Ok((c, feeds, feeds_many)) = b.contributors(kr_weight) else {
                panic!("contributors failed for {n} nodes");
            };
            let narrow = !wide || (key_results == 0 && edges.iter().all(|e| e.2 == 1.0));
            assert_eq!(matches!(c.weight, Weights::Narrow(_)), narrow, "weights of {n} nodes");
            assert_eq!(c.offsets.len(), n + 1);
            assert_eq!(c.offsets[n] as usize, key_results + edges.len());
            // The plain way: every list grown by pushing, in input order.
            let (mut own, mut aligned) = (vec![Vec::new(); n], vec![Vec::new(); n]);
            for (kr, &o) in objective.iter().enumerate().filter(|(_, &o)| o != NONE) {
                own[o as usize].push((kr as u32, kr_weight(kr)));
            }
            for &(child, parent, w) in &edges {
                aligned[parent as usize].push((child, w));
            }
            let mut fed = vec![0usize; n];
            let got = |r: std::ops::Range<usize>| -> Vec<(u32, f64)> {
                r.map(|e| (c.src[e], c.weight.get(e))).collect()
            };
            for p in 0..n {
                assert_eq!(got(c.own(p)), own[p], "key results of node {p} of {n}");
                assert_eq!(got(c.aligned(p)), aligned[p], "children of node {p} of {n}");
                own[p].iter().chain(&aligned[p]).for_each(|&(s, _)| fed[s as usize] += 1);
            }
            for (i, &k) in fed.iter().enumerate() {
                assert_eq!((feeds.contains(i), feeds_many.contains(i)), (k > 0, k > 1), "node {i} of {n}");
            }
        }
    }
}
