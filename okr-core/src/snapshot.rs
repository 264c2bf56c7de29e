//! An exact copy of a plan as data ([`Snapshot`]): what Python pickles, and what a service can
//! cache, so that a plan comes back equal to itself rather than merely equivalent.
//!
//! A plan document ([`Plan::to_document`]) lists each objective with its key results and each
//! node with its parents. A plan built from columns was given its nodes in another order
//! (objectives first, key results in table order) and its alignment edges in table order, which
//! decides the order in which an objective's aligned children are summed. A snapshot lists the
//! nodes in the order the plan was given them, and the edges in an order that gives every node
//! its aligned children in the plan's order.

use serde::{Deserialize, Serialize};

use crate::build::Builder;
use crate::document::{Cycle, KeyResultSpec, ObjectiveSpec};
use crate::error::{Error, Result};
use crate::export::{key_result, objective};
use crate::key_result::Rule;
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
        Snapshot { okr_snapshot: VERSION, cycles, policy: d.policy.clone(), nodes, edges }
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
        Ok(Plan { data: std::sync::Arc::new(b.finish(snapshot.policy.clone())?) })
    }
}

fn malformed(message: String) -> Error {
    Error::Malformed { message }
}
