//! The human-readable formula of an [`Explanation`](crate::Explanation).

use chrono::NaiveDate;

use crate::explain::{num, Contribution};
use crate::key_result::{piecewise, value_score, Rule};
use crate::policy::NoData;
use crate::scoring::Report;

/// The formula of node `p`, whose `contributors` are its entries in order, `driven` those its
/// progress driver counts.
pub(crate) fn formula(
    report: &Report,
    p: usize,
    contributors: &[Contribution],
    driven: std::ops::Range<usize>,
) -> String {
    let d = &report.plan.data;
    if let Rule::Objective { .. } | Rule::Rollup = d.rule(p) {
        // Under `no_data: exclude`, the contributors the driver counts but that have no data.
        let first = d.contributors.all(p).start;
        let left_out: Vec<&str> = (contributors.iter().enumerate())
            .filter(|&(i, c)| {
                report.policy.no_data == NoData::Exclude && !c.has_data && driven.contains(&(first + i))
            })
            .map(|(_, c)| c.id.as_str())
            .collect();
        return weighted(contributors, report.scores[p], &left_out);
    }
    let read = report.reading_day(p);
    let f = key_result(report, p, contributors, read);
    match NaiveDate::from_num_days_from_ce_opt(read) {
        // A late report under `late_check_ins: ignore` names the day its numbers were read on.
        Some(on) if on < report.as_of => {
            format!("{f} (read on {on}, the last day of its cycle: later check-ins are ignored)")
        }
        _ => f,
    }
}

/// The formula of key result `p` (not a roll-up), whose `contributors` are its entries in
/// order, its check-ins and milestones read on day `read`.
fn key_result(report: &Report, p: usize, contributors: &[Contribution], read: i32) -> String {
    let d = &report.plan.data;
    let score = report.scores[p];
    let value = report.value(p);
    let rule = d.rule(p);
    // The rule's score before the policy bounds it: what the formula's own numbers give.
    let mut unbounded = value_score(&rule, value);
    let raw = match rule {
        // Roll-ups are `formula`'s own, and never reach here.
        Rule::Objective { .. } | Rule::Rollup => return String::new(),
        Rule::Aggregate { start, target, op } => {
            let vals: Vec<String> = contributors.iter().filter_map(|c| c.value.map(num)).collect();
            if vals.is_empty() {
                return "no aligned key result has a value: score = 0 (no data)".to_owned();
            }
            // A sum past f64's range is the largest finite number of its sign (`Aggregator`).
            let saturated = if value.abs() == f64::MAX && op == crate::document::AggregateOp::Sum {
                ", the largest finite number"
            } else {
                ""
            };
            format!(
                "{}({}) = {}{saturated}; ({} − {}) / ({} − {}) = {}",
                op.as_str(),
                vals.join(", "),
                num(value),
                num(value),
                num(start),
                num(target),
                num(start),
                num(unbounded)
            )
        }
        Rule::Milestones { first, len } => {
            let range = first as usize..(first + len) as usize;
            let done: Vec<&str> =
                range.clone().filter(|&m| d.ms_done[m] <= read).map(|m| &*d.ms_name[m]).collect();
            let total: f64 = range.clone().map(|m| d.ms_weight[m]).sum();
            let got: f64 = range.filter(|&m| d.ms_done[m] <= read).map(|m| d.ms_weight[m]).sum();
            unbounded = if total > 0.0 { got / total } else { score };
            format!("done weight {} of {} (done: {})", num(got), num(total), list(&done))
        }
        _ if value.is_nan() => {
            return format!(
                "no check-in on or before {} and no current value: score = 0 (no data)",
                NaiveDate::from_num_days_from_ce_opt(read).unwrap_or(report.as_of)
            )
        }
        Rule::Linear { start, target } => format!(
            "({} − {}) / ({} − {}) = {}",
            num(value),
            num(start),
            num(target),
            num(start),
            num(unbounded)
        ),
        // Each states what holds: the condition when it is met (as scoring decides it), its
        // negation when it is not.
        Rule::AtLeast { threshold, strict } | Rule::AtMost { threshold, strict } => {
            let at_least = matches!(rule, Rule::AtLeast { .. });
            let op = match (at_least, strict, value_score(&rule, value) == 1.0) {
                (true, false, true) | (false, true, false) => "≥",
                (true, true, true) | (false, false, false) => ">",
                (false, false, true) | (true, true, false) => "≤",
                (false, true, true) | (true, false, false) => "<",
            };
            format!("{} {op} {}", num(value), num(threshold))
        }
        Rule::Range { low, high } if value < low => {
            format!("{} < {}, below the range [{}, {}]", num(value), num(low), num(low), num(high))
        }
        Rule::Range { low, high } if value > high => {
            format!("{} > {}, above the range [{}, {}]", num(value), num(high), num(low), num(high))
        }
        Rule::Range { low, high } => format!("{} ≤ {} ≤ {}", num(low), num(value), num(high)),
        Rule::Binary => (if value == 1.0 { "done" } else { "not done" }).to_owned(),
        Rule::Manual => format!("graded {}", num(value)),
        Rule::Piecewise { first, len } => {
            let pts = &d.points[first as usize..(first + len) as usize];
            unbounded = piecewise(pts, value);
            let i = pts.partition_point(|&(x, _)| x <= value);
            match (i.checked_sub(1).and_then(|j| pts.get(j)), pts.get(i)) {
                (Some(a), Some(b)) => format!(
                    "interpolated at {} between ({}, {}) and ({}, {})",
                    num(value),
                    num(a.0),
                    num(a.1),
                    num(b.0),
                    num(b.1)
                ),
                _ => format!("{} is outside the points: flat", num(value)),
            }
        }
    };
    // The policy's bounds are named only where they changed the score.
    let policy = &report.policy;
    let clamped = if policy.clamp && (unbounded < policy.floor || unbounded > policy.cap) {
        format!(", clamped to [{}, {}]", num(policy.floor), num(policy.cap))
    } else if !unbounded.is_finite() && !unbounded.is_nan() {
        // Unclamped, a quotient past f64's range scores the largest finite number of its sign.
        ", the largest finite number".to_owned()
    } else {
        String::new()
    };
    match rule {
        // The quotient already shows the score when the bounds left it alone.
        Rule::Linear { .. } | Rule::Aggregate { .. } if clamped.is_empty() => raw,
        _ => format!("{raw} → score {}{clamped}", num(score)),
    }
}

/// The weighted mean's formula, naming the contributors `left_out` for having no data.
fn weighted(contributors: &[Contribution], score: f64, left_out: &[&str]) -> String {
    let used: Vec<&Contribution> = contributors.iter().filter(|c| c.counted).collect();
    let left_out = if left_out.is_empty() {
        String::new()
    } else {
        format!(" (left out without data: {})", left_out.join(", "))
    };
    if used.is_empty() {
        let none = if left_out.is_empty() { "no contributors" } else { "no contributor with data" };
        return format!("{none}: score = 0 (no data){left_out}");
    }
    let terms: Vec<String> = used.iter().map(|c| format!("{} × {}", num(c.weight), num(c.score))).collect();
    let weights: Vec<String> = used.iter().map(|c| num(c.weight)).collect();
    format!("({}) / ({}) = {}{left_out}", terms.join(" + "), weights.join(" + "), num(score))
}

fn list(items: &[&str]) -> String {
    if items.is_empty() {
        "none".to_owned()
    } else {
        items.join(", ")
    }
}
