//! Construction of a [`Plan`](crate::Plan): one builder behind both the document and the columnar
//! constructors, so every input form is validated by the same code.

use std::collections::HashMap;

use chrono::NaiveDate;
use fixedbitset::FixedBitSet;

use crate::alignment::{inner_order, layout, leaves, Contributors};
use crate::document::{Cycle, KeyResultKind, Milestone};
use crate::columns::IdColumn;
use crate::error::{Error, Result};
use crate::ids::{Ids, Key};
use crate::key_result::{check_points, finite, Rule, RuleFields};
use crate::pace::day;
use crate::plan::{CheckIns, CycleInfo, Meta, PlanData, NONE};
use crate::policy::{Policy, ProgressDriver};

/// Free-text attributes of a node.
#[derive(Debug, Default)]
pub(crate) struct NodeText {
    pub title: Option<String>,
    pub owner: Option<String>,
    pub level: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct NodeRow {
    rule: Rule,
    current: f64,
    weight: f64,
    /// The objective of a key result (input index), `NONE` for objectives.
    objective: u32,
    cycle: u32,
}

struct CheckInRow {
    kr: u32,
    day: i32,
    value: f64,
    confidence: f64,
    note: Option<Box<str>>,
}

/// Nodes in input order ("doc" indices) until [`Builder::finish`] reorders them topologically.
pub(crate) struct Builder {
    ids: Ids,
    /// One packed row per node: finishing gathers each row with one memory access.
    nodes: Vec<NodeRow>,
    meta: Meta,
    edges: Vec<(u32, u32, f64)>,
    check_ins: Vec<CheckInRow>,
    ms_weight: Vec<f64>,
    ms_done: Vec<i32>,
    ms_name: Vec<Box<str>>,
    points: Vec<(f64, f64)>,
    cycles: Vec<CycleInfo>,
    cycle_index: HashMap<String, u32>,
}

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
            nodes: Vec::with_capacity(nodes),
            meta: Meta::default(),
            edges: Vec::new(),
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
        self.ids.insert(id).map_err(|_| Error::DuplicateId { id: id.to_string() })
    }

    /// Interns integer ids in one tight loop (see [`Builder::intern`]).
    pub(crate) fn intern_ints(&mut self, ids: &[i64]) -> Result<()> {
        self.ids.insert_ints(ids).map_err(|row| Error::DuplicateId { id: ids[row].to_string() })
    }

    /// Indices of integer ids (`NONE` where unknown), in one tight loop.
    pub(crate) fn find_ints(&self, ids: &[i64]) -> Vec<u32> {
        self.ids.find_ints(ids)
    }

    /// Indices of the ids of a column (`NONE` where unknown).
    pub(crate) fn find_column(&self, ids: &IdColumn) -> Vec<u32> {
        match ids {
            IdColumn::Integers(v) => self.find_ints(v),
            IdColumn::Strings(v) => v.iter().map(|s| self.ids.find(s).unwrap_or(NONE)).collect(),
        }
    }

    /// Number of nodes whose data has been pushed.
    fn pushed(&self) -> u32 {
        self.nodes.len() as u32
    }

    fn push_node(
        &mut self,
        rule: Rule,
        objective: u32,
        weight: f64,
        cycle: u32,
        current: f64,
        text: NodeText,
    ) -> Result<()> {
        if self.nodes.len() >= self.ids.len() {
            return Err(Error::Malformed { message: "internal: node data pushed before its id".into() });
        }
        self.nodes.push(NodeRow { rule, current, weight, objective, cycle });
        self.meta.push(text);
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
        self.push_node(Rule::Objective { driver }, NONE, 1.0, cycle, f64::NAN, text)?;
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
        let mut rule = Rule::compile(id, kind, fields)?;
        let weight = check_weight(|| format!("key result `{id}`"), weight)?;
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
        if let Some(v) = current {
            rule.check_value(id, "current", v)?;
        }
        // The cycle is the objective's, filled in by `finish`.
        self.push_node(rule, objective, weight, NONE, current.unwrap_or(f64::NAN), text)?;
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
        if parent == child {
            return Err(Error::SelfAlignment { id: self.ids.name(child).to_string() });
        }
        let weight =
            check_weight(|| format!("edge `{}` → `{}`", self.ids.name(child), self.ids.name(parent)), weight)?;
        self.edges.push((child, parent, weight));
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
        let rule = &self.nodes[kr as usize].rule;
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
    pub(crate) fn finish(mut self, policy: Policy) -> Result<PlanData> {
        policy.validate()?;
        let n = self.ids.len();
        if self.nodes.len() != n {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        // A key result's cycle is its objective's.
        for i in 0..n {
            let o = self.nodes[i].objective;
            if o != NONE {
                self.nodes[i].cycle = self.nodes[o as usize].cycle;
            }
        }
        crate::phase("kr cycles");
        let doc = self.contributors();
        crate::phase("contributors");
        let mut has_dependent = FixedBitSet::with_capacity(n);
        doc.src.iter().for_each(|&c| has_dependent.insert(c as usize));
        let leaf = leaves(&doc.offsets);
        let inner = inner_order(&doc.offsets, &doc.src, &leaf, &has_dependent).map_err(|mut cycle| {
            // Start the cycle at the node given first, so the message does not depend on traversal.
            cycle.pop();
            let first = cycle.iter().enumerate().min_by_key(|&(_, &i)| i).map_or(0, |(k, _)| k);
            cycle.rotate_left(first);
            cycle.extend(cycle.first().copied());
            Error::Cycle { ids: cycle.iter().map(|&i| self.ids.get(i).to_owned()).collect() }
        })?;
        crate::phase("topo");
        let (order, pos_of_doc, contributors) = layout(&doc, &inner, &leaf, &has_dependent);
        drop(doc);
        crate::phase("relabel");
        let mut rules = Vec::with_capacity(n);
        let mut cycle_of = Vec::with_capacity(n);
        let mut current = Vec::with_capacity(n);
        for &d in &order {
            let row = &self.nodes[d as usize];
            rules.push(row.rule);
            cycle_of.push(row.cycle);
            current.push(row.current);
        }
        // A key result's objective, from the objectives' own contributor lists: they sit just
        // before the objective in topological order, so this is nearly sequential.
        crate::phase("gather");
        let mut objective_of = vec![NONE; n];
        for p in 0..n {
            for e in contributors.own(p) {
                objective_of[contributors.src[e] as usize] = p as u32;
            }
        }
        crate::phase("objective_of");
        let check_ins = self.sorted_check_ins(&pos_of_doc);
        Ok(PlanData {
            rules,
            cycle_of,
            current,
            objective_of,
            contributors,
            dependents: std::sync::OnceLock::new(),
            check_ins,
            ms_weight: self.ms_weight,
            ms_done: self.ms_done,
            ms_name: self.ms_name,
            points: self.points,
            ids: self.ids,
            meta: self.meta,
            cycles: self.cycles,
            policy,
            pos_of_doc,
            doc_of_pos: order,
        })
    }

    /// Contributor lists in input order: own key results first, then aligned children.
    fn contributors(&self) -> Contributors {
        let n = self.ids.len();
        let mut own = vec![0u32; n];
        let mut all = vec![0u32; n + 1];
        for row in self.nodes.iter().filter(|r| r.objective != NONE) {
            own[row.objective as usize] += 1;
        }
        for &(_, parent, _) in &self.edges {
            all[parent as usize + 1] += 1;
        }
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u32);
        let mut total = 0u32;
        for i in 0..n {
            total += own[i] + all[i + 1];
            offsets.push(total);
        }
        let own_end: Vec<u32> = (0..n).map(|i| offsets[i] + own[i]).collect();
        let mut src = vec![0u32; total as usize];
        let mut weight = vec![0f64; total as usize];
        let mut next_own: Vec<u32> = offsets[..n].to_vec();
        for (kr, o) in
            self.nodes.iter().enumerate().filter(|(_, r)| r.objective != NONE).map(|(k, r)| (k, r.objective))
        {
            let slot = next_own[o as usize] as usize;
            next_own[o as usize] += 1;
            src[slot] = kr as u32;
            weight[slot] = self.nodes[kr].weight;
        }
        let mut next_aligned = own_end.clone();
        for &(child, parent, w) in &self.edges {
            let slot = next_aligned[parent as usize] as usize;
            next_aligned[parent as usize] += 1;
            src[slot] = child;
            weight[slot] = w;
        }
        Contributors { offsets, own_end, src, weight }
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
            note: rows.map(|c| c.note.clone()).collect(),
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
