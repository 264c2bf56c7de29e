//! An exact copy of a plan as data ([`Snapshot`]): what Python pickles, and what a service can
//! cache, so that a plan comes back equal to itself rather than merely equivalent.
//!
//! A plan document ([`Plan::to_document`]) lists each objective with its key results and each
//! node with its parents. A plan built from columns was given its nodes in another order
//! (objectives first, key results in table order) and its alignment edges in table order, which
//! decides the order in which an objective's aligned children are summed. A snapshot is the
//! document plus those two orders, where they differ from the document's own.

use serde::{Deserialize, Serialize};

use crate::build::Builder;
use crate::document::Document;
use crate::error::{Error, Result};
use crate::plan::NONE;
use crate::stream::{add_edges, push_key_result_spec, push_objective_spec, PendingEdge};
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
    /// The plan as a document ([`Plan::to_document`]).
    pub document: Document,
    /// The document's nodes, numbered in document order (each objective, then its key
    /// results), in the order the plan was given them. Absent: document order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Vec<u32>>,
    /// Alignment edges as `(child, parent, weight)`, nodes by their place in the plan's order,
    /// in an order that gives every node its aligned children in the plan's order; the
    /// document's `parents` are then not read. Absent: the document's `parents`, child by
    /// child in the plan's order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edges: Option<Vec<(u32, u32, f64)>>,
}

impl Plan {
    /// The plan as a [`Snapshot`]: its document, with the order of its nodes and edges where
    /// the document alone would not give them back (a plan built from columns).
    pub fn to_snapshot(&self) -> Snapshot {
        let d = &*self.data;
        let document = self.to_document();
        // The plan's input index of each document node, in document order.
        let order = self.document_order();
        let in_order = order.iter().enumerate().all(|(i, &doc)| doc as usize == i);
        // Each node's aligned children, as the plan sums them: by position, parent by parent.
        let c = &d.contributors;
        let mut edges = Vec::new();
        let mut children_in_order = true;
        for q in 0..d.len() {
            let mut last = None;
            for e in c.aligned(q) {
                let child = d.doc_of_pos[c.src[e] as usize];
                children_in_order &= last < Some(child);
                last = Some(child);
                edges.push((child, d.doc_of_pos[q], c.weight.get(e)));
            }
        }
        // The document gives a node's children in the plan's order when the plan's order is
        // the document's and every node's children come in that order too.
        let exact = in_order && children_in_order;
        // `order` maps places in the plan's order to document nodes: the inverse of the above.
        let order = (!in_order).then(|| {
            let mut inverse = vec![0u32; order.len()];
            for (node, &doc) in order.iter().enumerate() {
                if let Some(slot) = inverse.get_mut(doc as usize) {
                    *slot = node as u32;
                }
            }
            inverse
        });
        Snapshot { okr_snapshot: VERSION, document, order, edges: (!exact).then_some(edges) }
    }

    /// Builds a plan from a [`Snapshot`], validating it as [`Plan::from_document`] does; an
    /// `order` that is not a permutation of the document's nodes, or an edge naming a node
    /// beyond them, is a `malformed` error.
    pub fn from_snapshot(snapshot: &Snapshot) -> Result<Plan> {
        if snapshot.okr_snapshot != VERSION {
            return Err(malformed(format!(
                "snapshot version `{}`: this version of okr reads version {VERSION}",
                snapshot.okr_snapshot
            )));
        }
        let doc = &snapshot.document;
        // Each document node: its objective and, for a key result, its place in the objective.
        let nodes: Vec<(usize, Option<usize>)> = (doc.objectives.iter().enumerate())
            .flat_map(|(i, o)| {
                std::iter::once((i, None)).chain((0..o.key_results.len()).map(move |k| (i, Some(k))))
            })
            .collect();
        let n = nodes.len();
        let order: Vec<u32> = match &snapshot.order {
            Some(order) => order.clone(),
            None => (0..n as u32).collect(),
        };
        // Where each document node comes in the plan's order.
        let mut place = vec![NONE; n];
        if order.len() != n {
            return Err(malformed(format!("snapshot `order` lists {} nodes, the document {n}", order.len())));
        }
        for (at, &node) in order.iter().enumerate() {
            match place.get_mut(node as usize) {
                Some(slot) if *slot == NONE => *slot = at as u32,
                _ => {
                    return Err(malformed(format!(
                        "snapshot `order` names node `{node}` twice or beyond {n}"
                    )))
                }
            }
        }
        // The place of each objective's own document node.
        let mut objective_place = Vec::with_capacity(doc.objectives.len());
        let mut node = 0;
        for o in &doc.objectives {
            objective_place.push(place[node]);
            node += 1 + o.key_results.len();
        }
        let mut b = Builder::with_capacity(n);
        for c in &doc.cycles {
            b.add_cycle(c)?;
        }
        if let Some(scale) = doc.confidence_scale {
            b.set_confidence_scale(scale)?;
        }
        let mut pending: Vec<PendingEdge> = Vec::new();
        for &node in &order {
            let (i, k) = nodes[node as usize];
            let o = &doc.objectives[i];
            let (index, parents) = match k {
                None => (push_objective_spec(&mut b, o)?, &o.parents),
                Some(k) => {
                    let kr = &o.key_results[k];
                    (push_key_result_spec(&mut b, objective_place[i], kr)?, &kr.parents)
                }
            };
            if snapshot.edges.is_none() {
                pending.extend(parents.iter().map(|e| (index, e.id.as_str().into(), e.weight)));
            }
        }
        match &snapshot.edges {
            Some(edges) => {
                for &(child, parent, weight) in edges {
                    if child as usize >= n || parent as usize >= n {
                        return Err(malformed(format!(
                            "snapshot edge `{child}` → `{parent}` names a node beyond the {n} of the document"
                        )));
                    }
                    b.add_edge_between(child, parent, weight)?;
                }
            }
            None => add_edges(&mut b, &pending)?,
        }
        let policy = doc.policy.clone().unwrap_or_default();
        Ok(Plan { data: std::sync::Arc::new(b.finish(policy)?) })
    }
}

fn malformed(message: String) -> Error {
    Error::Malformed { message }
}
