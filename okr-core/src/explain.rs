//! Explanations: why a node has its score, and how much of each ancestor's score it carries.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use crate::document::KeyResultKind;
use crate::error::Result;
use crate::key_result::Rule;
use crate::plan::{NodeType, Plan, PlanData};
use crate::policy::{NoData, Policy, ProgressDriver};
use crate::scoring::Report;

/// How a contributor relates to the node it feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// One of the objective's own key results.
    KeyResult,
    /// A node aligned to it through `parents`.
    Aligned,
}

/// One contributor in an [`Explanation`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The contributor's id.
    pub id: String,
    /// Objective or key result.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// Own key result or aligned child.
    pub relation: Relation,
    /// Its weight (KR weight or edge weight).
    pub weight: f64,
    /// Its score.
    pub score: f64,
    /// Its value, where it has one (used by `aggregate`).
    pub value: Option<f64>,
    /// Whether any measured value stands behind its score (see [`NodeScore::has_data`](crate::NodeScore::has_data)).
    pub has_data: bool,
    /// Whether the node's score counts it: its progress driver does and, under the policy's
    /// `no_data: exclude`, it has data.
    pub counted: bool,
    /// `weight / Σ weight` over the counted contributors (0 when not counted).
    pub share: f64,
    /// `share × score`: what it adds to the node's score.
    pub contribution: f64,
}

/// Why a node has its score: its contributors and the formula with the numbers filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The node's id.
    pub id: String,
    /// Objective or key result.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// The key-result kind (absent for objectives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<KeyResultKind>,
    /// For objectives, the progress driver in force (`auto` resolved).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<ProgressDriver>,
    /// The score.
    pub score: f64,
    /// Whether a measured value stands behind it.
    pub has_data: bool,
    /// The value scored, for key results that have one.
    pub value: Option<f64>,
    /// Contributors (own key results first, then aligned children).
    pub contributors: Vec<Contribution>,
    /// The computation, e.g. `(2 × 0.3 + 1 × 0.4) / (2 + 1) = 0.333333` for an objective, or
    /// `(80 − 0) / (50 − 0) = 1.6 → score 1, clamped to [0, 1]` for a key result: its rule's
    /// score, then the policy's bounds where they changed it.
    pub formula: String,
}

/// A node's place in the alignment: its share in each ancestor's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineOfSight {
    /// The node asked about.
    pub id: String,
    /// Every node it feeds, directly or not, nearest first.
    pub ancestors: Vec<AncestorShare>,
    /// Ancestors (or the node itself) at level `company`.
    pub company_objectives: Vec<String>,
}

/// The share of one ancestor's score that a node carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AncestorShare {
    /// The ancestor.
    pub id: String,
    /// Sum over alignment paths of the product of normalised weights; 0 when no path is counted
    /// by the progress drivers on the way.
    pub share: f64,
    /// Fewest alignment edges between them.
    pub distance: u32,
}

/// Formats a number for formulas: shortest exact form, or 6 decimals when longer (6
/// significant digits below 0.1). Below
/// `1e-6` and from `1e21` in magnitude (where JavaScript's `String(x)` switches too), in
/// exponent form with at most 6 significant digits (`1e-7`, `1.5e308`): 6 decimals would show
/// `1e-7` as `0`, and `1e308` with its 309 digits.
pub(crate) fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e21).contains(&x.abs()) {
        let s = format!("{x:e}");
        if s.len() <= 10 {
            return s;
        }
        let r = format!("{x:.5e}");
        let (mantissa, exponent) = r.split_once('e').unwrap_or((r.as_str(), "0"));
        return format!("{}e{exponent}", mantissa.trim_end_matches('0').trim_end_matches('.'));
    }
    let s = format!("{x}");
    if s.len() <= 8 {
        return s;
    }
    // Below 0.1, 6 decimals would keep fewer than 6 significant digits (0.0000015 as 0.000002).
    let decimals = if x.abs() < 0.1 { (5.0 - x.abs().log10().floor()) as usize } else { 6 };
    let r = format!("{x:.decimals$}");
    r.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The driver in force for node `p` (objectives resolve `auto`; rollup and aggregate key
/// results count all their aligned children).
fn driver(d: &PlanData, p: usize, policy: &Policy) -> Option<ProgressDriver> {
    match d.rule(p) {
        Rule::Objective { driver, .. } => Some(match driver.unwrap_or(policy.progress) {
            ProgressDriver::Auto if !d.contributors.own(p).is_empty() => ProgressDriver::KeyResults,
            ProgressDriver::Auto => ProgressDriver::Children,
            other => other,
        }),
        _ => None,
    }
}

/// Entries of `p` that its progress driver counts (all of a `rollup`'s or an `aggregate`'s).
fn driven(d: &PlanData, p: usize, policy: &Policy) -> std::ops::Range<usize> {
    let c = &d.contributors;
    match (d.rule(p), driver(d, p, policy)) {
        (_, Some(drv)) => c.driven(p, drv),
        (Rule::Rollup | Rule::Aggregate { .. }, None) => c.all(p),
        _ => c.all(p).start..c.all(p).start,
    }
}

impl Report {
    /// Explains one node's score.
    pub fn explain(&self, id: &str) -> Result<Explanation> {
        let d = &self.plan.data;
        let p = d.pos(id)?;
        let line = self.line(p);
        let c = &d.contributors;
        let driven = driven(d, p, &self.policy);
        // Under `no_data: exclude` the mean leaves out contributors without data.
        let count_no_data = self.policy.no_data == NoData::Zero;
        let is_counted =
            |e: usize| driven.contains(&e) && (count_no_data || self.flags[c.src[e] as usize].has_data());
        // Weights counted in a unit that keeps their sum finite (1 but for weights near 1e308).
        let unit =
            crate::mean::weight_unit(driven.clone().filter(|&e| is_counted(e)).map(|e| c.weight.get(e)));
        let total: f64 = driven.clone().filter(|&e| is_counted(e)).map(|e| c.weight.get(e) / unit).sum();
        let contributors: Vec<Contribution> = c
            .all(p)
            .map(|e| {
                let s = c.src[e] as usize;
                let is_counted = is_counted(e);
                let share = if is_counted { c.weight.get(e) / unit / total } else { 0.0 };
                let value = self.value(s);
                Contribution {
                    id: d.id(s).to_owned(),
                    node_type: d.node_type(s),
                    relation: if c.own(p).contains(&e) { Relation::KeyResult } else { Relation::Aligned },
                    weight: c.weight.get(e),
                    score: self.scores[s],
                    value: (!value.is_nan()).then_some(value),
                    has_data: self.flags[s].has_data(),
                    counted: is_counted,
                    share,
                    contribution: share * self.scores[s],
                }
            })
            .collect();
        let formula = crate::formula::formula(self, p, &contributors, driven);
        Ok(Explanation {
            id: id.to_owned(),
            node_type: line.node_type,
            kind: line.kind,
            driver: driver(d, p, &self.policy),
            score: line.score,
            has_data: line.has_data,
            value: line.value,
            contributors,
            formula,
        })
    }
}

impl Plan {
    /// The share of each ancestor's score that `id` carries, under the plan's policy, and the
    /// company objectives it traces to.
    ///
    /// The share in a parent is the node's weight over the sum of the weights the parent's
    /// progress driver counts; shares multiply along a path and add over paths. An `aggregate`
    /// key result counts its children equally; other key-result kinds do not score their
    /// children, so shares through them are 0. Shares follow the plan's structure, not a day's
    /// data: under the policy's `no_data: exclude`, a contributor's share is what it carries once
    /// every contributor has data.
    pub fn line_of_sight(&self, id: &str) -> Result<LineOfSight> {
        let d = &self.data;
        let start = d.pos(id)?;
        let (offsets, dst) = d.dependents();
        let mut distance: HashMap<usize, u32> = HashMap::from([(start, 0)]);
        let mut queue = VecDeque::from([start]);
        while let Some(x) = queue.pop_front() {
            let dx = distance[&x];
            for &a in &dst[offsets[x] as usize..offsets[x + 1] as usize] {
                distance.entry(a as usize).or_insert_with(|| {
                    queue.push_back(a as usize);
                    dx + 1
                });
            }
        }
        let mut ancestors: Vec<usize> = distance.keys().copied().filter(|&a| a != start).collect();
        // Topological positions: every ancestor comes after all of its contributors.
        ancestors.sort_unstable();
        let mut share: HashMap<usize, f64> = HashMap::from([(start, 1.0)]);
        let c = &d.contributors;
        for &a in &ancestors {
            let used = driven(d, a, &d.policy);
            let equal = matches!(d.rule(a), Rule::Aggregate { .. });
            let weight = |e: usize| if equal { 1.0 } else { c.weight.get(e) };
            let unit = crate::mean::weight_unit(used.clone().map(weight));
            let total: f64 = used.clone().map(|e| weight(e) / unit).sum();
            let s: f64 = used
                .map(|e| share.get(&(c.src[e] as usize)).map_or(0.0, |&sh| sh * (weight(e) / unit) / total))
                .sum();
            share.insert(a, s);
        }
        let is_company =
            |p: usize| d.meta.level.get(d.doc_of_pos[p] as usize).is_some_and(|l| l == "company");
        let company_objectives = std::iter::once(start)
            .chain(ancestors.iter().copied())
            .filter(|&p| d.node_type(p) == NodeType::Objective && is_company(p))
            .map(|p| d.id(p).to_owned())
            .collect();
        let mut out: Vec<AncestorShare> = ancestors
            .iter()
            .map(|&a| AncestorShare {
                id: d.id(a).to_owned(),
                share: share.get(&a).copied().unwrap_or(0.0),
                distance: distance[&a],
            })
            .collect();
        out.sort_by_key(|a| a.distance);
        Ok(LineOfSight { id: id.to_owned(), ancestors: out, company_objectives })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(0.3), "0.3");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(num(14.0), "14");
        assert_eq!(num(-0.5), "-0.5");
        assert_eq!(num(12_345_678.9), "12345678.9");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(f64::INFINITY), "inf");
    }

    #[test]
    fn very_small_and_very_large_numbers_keep_their_digits() {
        // 6 decimals had shown 1e-7 as 0, 0.0000015 as 0.000002, and 1e308 with 309 digits.
        assert_eq!(num(1e-7), "1e-7");
        assert_eq!(num(-2.5e-9), "-2.5e-9");
        assert_eq!(num(1.0 / 3.0 * 1e-7), "3.33333e-8");
        assert_eq!(num(0.0000015), "0.0000015");
        assert_eq!(num(1.23456789e-5), "0.0000123457");
        assert_eq!(num(0.0123456789), "0.0123457");
        assert_eq!(num(1e308), "1e308");
        assert_eq!(num(-f64::MAX), "-1.79769e308");
        assert_eq!(num(1.5e21), "1.5e21");
        assert_eq!(num(1e20), "100000000000000000000");
    }
}
