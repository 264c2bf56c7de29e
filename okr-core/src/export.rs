//! A plan written back as a document ([`Plan::to_document`]): the interchange format for a plan
//! however it was built (from columns, DataFrames, JavaScript arrays or JSON).

use chrono::NaiveDate;

use crate::document::{Alignment, Cycle, Document, KeyResultSpec, Milestone, ObjectiveSpec};
use crate::key_result::Rule;
use crate::Plan;

impl Plan {
    /// The plan as a document, which [`Plan::from_document`] (or `from_json` of its JSON)
    /// builds into a plan that scores the same.
    ///
    /// Objectives come in input order, each with its key results in input order; a node's
    /// `parents` list its alignment edges with their weights, ordered by the parents' input
    /// order. Check-ins come sorted by date (a day's check-ins in their input order). The
    /// plan's policy is written out in full. Confidences are written on [0, 1], where the plan
    /// keeps them, so a document that declared a `confidence_scale` comes back without one.
    /// Empty texts and absent ones are both absent.
    ///
    /// Scores of the plan built from the document equal the original's, to the last bit for a
    /// plan built from a document; for one built from columns, an objective's aligned children
    /// may be summed in another order (the document lists them by child rather than by
    /// alignment row), which can move a score in its last bits.
    ///
    /// ```
    /// use okr_core::Plan;
    /// let plan = Plan::from_json(r#"{"objectives": [{"id": "o", "key_results": [
    ///   {"id": "k", "kind": "linear", "start": 0, "target": 4, "current": 1, "weight": 2}]}]}"#)?;
    /// let doc = plan.to_document();
    /// assert_eq!(doc.objectives[0].key_results[0].weight, 2.0);
    /// let again = Plan::from_document(&doc)?;
    /// let day = "2026-02-15".parse().unwrap();
    /// assert_eq!(again.score(day).get("o").unwrap().score, 0.25);
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn to_document(&self) -> Document {
        let d = &*self.data;
        let n = d.len();
        // Each node's parents, with the weight of the edge, from the parents' lists of children.
        let mut edges = self.aligned_edges();
        edges.sort_by_key(|&(child, parent, _)| (child, parent));
        let parents_of = |doc: u32| -> Vec<Alignment> {
            let from = edges.partition_point(|&(c, _, _)| c < doc);
            edges[from..]
                .iter()
                .take_while(|&&(c, _, _)| c == doc)
                .map(|&(_, parent, weight)| Alignment { id: d.ids.get(parent).to_owned(), weight })
                .collect()
        };
        let mut objectives = Vec::new();
        for doc in 0..n as u32 {
            let p = d.pos_of_doc[doc as usize] as usize;
            if !matches!(d.rule(p), Rule::Objective { .. }) {
                continue;
            }
            let own = self.own_in_order(p);
            let key_results =
                own.iter().map(|&(k, weight)| key_result(self, k as usize, weight, &parents_of)).collect();
            objectives.push(objective(self, p, parents_of(doc), key_results));
        }
        Document {
            cycles: self.document_cycles(),
            objectives,
            policy: Some(d.policy.clone()),
            confidence_scale: None,
        }
    }

    /// Every alignment edge as `(child, parent, weight)`, nodes by input index: parent by
    /// parent in position order, each parent's children in the order the plan sums them.
    pub(crate) fn aligned_edges(&self) -> Vec<(u32, u32, f64)> {
        let d = &*self.data;
        let c = &d.contributors;
        let mut edges = Vec::new();
        for q in 0..d.len() {
            for e in c.aligned(q) {
                edges.push((d.doc_of_pos[c.src[e] as usize], d.doc_of_pos[q], c.weight.get(e)));
            }
        }
        edges
    }

    /// The plan's cycles, as a document writes them.
    pub(crate) fn document_cycles(&self) -> Vec<Cycle> {
        self.data.cycles.iter().map(|c| Cycle { id: c.id.clone(), start: c.start, end: c.end }).collect()
    }

    /// The key results of objective `p` (positions, with their weights) in input order, as
    /// [`Plan::to_document`] lists them.
    fn own_in_order(&self, p: usize) -> Vec<(u32, f64)> {
        let d = &*self.data;
        let mut own: Vec<(u32, f64)> =
            d.contributors.own(p).map(|e| (d.contributors.src[e], d.contributors.weight.get(e))).collect();
        own.sort_by_key(|&(k, _)| d.doc_of_pos[k as usize]);
        own
    }
}

/// Objective `p` (position) as a document writes it, with `parents` and `key_results`.
pub(crate) fn objective(
    plan: &Plan,
    p: usize,
    parents: Vec<Alignment>,
    key_results: Vec<KeyResultSpec>,
) -> ObjectiveSpec {
    let info = plan.node_at(p);
    let driver = match plan.data.rule(p) {
        Rule::Objective { driver, .. } => driver,
        _ => None,
    };
    ObjectiveSpec {
        id: info.id().to_owned(),
        title: text(info.title()),
        owner: text(info.owner()),
        cycle: info.cycle().map(str::to_owned),
        level: text(info.level()),
        note: text(info.note()),
        progress: driver,
        parents,
        key_results,
    }
}

/// A node's text, absent when empty.
fn text(s: Option<&str>) -> Option<String> {
    s.filter(|t| !t.is_empty()).map(str::to_owned)
}

/// Key result `p` (position) of weight `weight` in its objective, as a document writes it.
pub(crate) fn key_result(
    plan: &Plan,
    p: usize,
    weight: f64,
    parents_of: &dyn Fn(u32) -> Vec<Alignment>,
) -> KeyResultSpec {
    let d = &*plan.data;
    let info = plan.node_at(p);
    let current = d.current[p];
    let mut spec = KeyResultSpec {
        id: info.id().to_owned(),
        kind: info.kind().unwrap_or(crate::document::KeyResultKind::Manual),
        title: text(info.title()),
        owner: text(info.owner()),
        note: text(info.note()),
        weight,
        start: None,
        target: None,
        threshold: None,
        strict: false,
        low: None,
        high: None,
        current: (!current.is_nan()).then_some(current),
        milestones: Vec::new(),
        points: Vec::new(),
        op: None,
        parents: parents_of(d.doc_of_pos[p]),
        check_ins: info.check_ins().collect(),
    };
    match d.rule(p) {
        Rule::Linear { start, target } => (spec.start, spec.target) = (Some(start), Some(target)),
        Rule::Aggregate { start, target, op } => {
            (spec.start, spec.target, spec.op) = (Some(start), Some(target), Some(op));
        }
        Rule::AtLeast { threshold, strict } | Rule::AtMost { threshold, strict } => {
            (spec.threshold, spec.strict) = (Some(threshold), strict);
        }
        Rule::Range { low, high } => (spec.low, spec.high) = (Some(low), Some(high)),
        Rule::Milestones { first, len } => {
            spec.milestones = (first as usize..(first + len) as usize)
                .map(|m| Milestone {
                    name: d.ms_name[m].to_string(),
                    weight: d.ms_weight[m],
                    done_on: (d.ms_done[m] != i32::MAX)
                        .then(|| NaiveDate::from_num_days_from_ce_opt(d.ms_done[m]))
                        .flatten(),
                })
                .collect();
        }
        Rule::Piecewise { first, len } => {
            spec.points =
                d.points[first as usize..(first + len) as usize].iter().map(|&(x, y)| [x, y]).collect();
        }
        Rule::Binary | Rule::Manual | Rule::Rollup | Rule::Objective { .. } => {}
    }
    spec
}
