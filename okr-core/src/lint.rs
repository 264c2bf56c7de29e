//! Lint: OKR quality guidance returned as data (3–5 objectives, outcomes not tasks, no
//! over-cascading, every key result checked in), each finding with a stable code.

use hashbrown::HashMap;

use chrono::NaiveDate;
use fixedbitset::FixedBitSet;
use serde::Serialize;
use std::hash::BuildHasher;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::document::KeyResultKind;
use crate::pace::day;
use crate::plan::{NodeType, Plan, NONE};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Likely a problem with the plan.
    Warning,
    /// A suggestion.
    Info,
}

/// One lint finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable code: `no-key-results`, `too-many-key-results`, `too-many-objectives`, `orphan`,
    /// `deep-cascade` (on the objectives where the cascade first passes the limit),
    /// `empty-driver` (an objective whose progress driver counts none of its contributors:
    /// `key_results` without key results, `children` with nothing aligned),
    /// `task-like`, `cycle-outside-parent`, `no-check-in`, `missing-owner`, `grade-out-of-range`
    /// (a manual key result graded outside 0 to 1, or the policy's wider `floor` to `cap`),
    /// `empty-rollup` (a `rollup` key result with nothing aligned to it, an `aggregate` one with
    /// no key result aligned to it), `ignored-alignment` (nodes aligned to a key result that
    /// counts none of them: any, to a kind scored from its own value; objectives, to an
    /// `aggregate`), `late-check-in` (info: a key result checked in after its cycle ended,
    /// which the policy's `late_check_ins` counts or ignores).
    pub code: &'static str,
    /// Warning or info.
    pub severity: Severity,
    /// The objective, key result or owner concerned.
    pub id: String,
    /// What is wrong, with the numbers.
    pub message: String,
}

/// Every code, in the order a node's findings are listed.
const CODES: [&str; 14] = [
    "no-key-results",
    "empty-driver",
    "too-many-key-results",
    "task-like",
    "orphan",
    "deep-cascade",
    "cycle-outside-parent",
    "missing-owner",
    "no-check-in",
    "late-check-in",
    "grade-out-of-range",
    "empty-rollup",
    "ignored-alignment",
    "too-many-objectives",
];

/// The `empty-driver` finding of the objective at position `q`, with `own` key results and
/// `aligned` nodes aligned to it, when its progress driver (its own, or the policy's
/// `progress`) counts none of them: `key_results` without key results, `children` with
/// nothing aligned. It then scores 0, without data, whatever the others score. (An objective
/// with neither is `no-key-results`; `auto` and `both` always count something.)
fn empty_driver(
    d: &crate::plan::PlanData,
    q: usize,
    (own, aligned): (usize, usize),
    policy: crate::ProgressDriver,
    id: &LazyId<'_>,
    out: &mut Vec<(u32, Finding)>,
) {
    use crate::ProgressDriver::{Children, KeyResults};
    let driver = d.driver(q, policy);
    // What the driver counts, that there is none of it, and what it leaves out (how many).
    let (counted, none, ignored) = match driver {
        KeyResults if own == 0 && aligned > 0 => {
            ("its key results", "has none", format!("the nodes aligned to it ({aligned})"))
        }
        Children if aligned == 0 && own > 0 => {
            ("what is aligned to it", "nothing is", format!("its key results ({own})"))
        }
        _ => return,
    };
    let message = format!(
        "objective `{id}` is scored by {counted} (progress `{}`), and {none}: it scores 0, without \
         data, counting none of {ignored}",
        driver.as_str()
    );
    push(out, d.doc_of_pos[q], "empty-driver", Severity::Warning, id, message);
}

/// The `grade-out-of-range` finding of the manual key result at position `q`, if a grade it was
/// given (its `current`, or any check-in's value, whatever the date) lies outside `low` to
/// `high`: from 0 (or the policy's `floor` below it) to 1 (or the policy's `cap` above it).
/// A grade is a score, and a grade of `70` meant as 70 % scores 1, clamped, without a word:
/// the error the tools that take grades on 0–100 scales invite. Only the first such grade is
/// named.
fn grade_out_of_range(
    d: &crate::plan::PlanData,
    q: usize,
    (low, high): (f64, f64),
    id: &LazyId<'_>,
    out: &mut Vec<(u32, Finding)>,
) {
    let outside = |v: f64| v < low || v > high;
    let c = &d.check_ins;
    let rows = c.all(q);
    // The grade and, for a check-in, its day.
    let given = if outside(d.current[q]) {
        Some((d.current[q], None))
    } else {
        rows.into_iter().find(|&r| outside(c.value[r])).map(|r| (c.value[r], Some(c.day[r])))
    };
    if let Some((grade, day)) = given {
        let whence = match day {
            Some(day) => format!("its check-in of {}", crate::pace::date_text(day)),
            None => "its `current`".to_owned(),
        };
        let message = format!(
            "key result `{id}` is graded `{grade}` ({whence}), outside {low} to {high}: a manual grade is \
             a score, so 70 % is 0.7"
        );
        push(out, d.doc_of_pos[q], "grade-out-of-range", Severity::Warning, id, message);
    }
}

/// The findings of what is aligned to key result `q`: `empty-rollup` when it is a `rollup`
/// (which scores what is aligned to it) or an `aggregate` (which takes the values of the key
/// results aligned to it) and has nothing to read: it then scores 0, without data;
/// `ignored-alignment` when nodes aligned to it count for nothing: every one, for a kind scored
/// from its own value; the objectives, for an `aggregate` (the first three are named). `any`
/// tells whether anything is aligned to it.
fn alignment_to_key_result(
    d: &crate::plan::PlanData,
    q: usize,
    kind: KeyResultKind,
    any: bool,
    id: &LazyId<'_>,
    out: &mut Vec<(u32, Finding)>,
) {
    use std::fmt::Write;
    let (at, name) = (d.doc_of_pos[q], kind.as_str());
    // Read only when something is aligned: most key results have nothing aligned to them.
    let aligned = if any { &d.contributors.src[d.contributors.aligned(q)] } else { &[][..] };
    // Which aligned nodes count for nothing.
    let aggregate = kind == KeyResultKind::Aggregate;
    let ignored = |c: &&u32| match kind {
        KeyResultKind::Rollup => false,
        KeyResultKind::Aggregate => d.kinds[**c as usize] == crate::plan::OBJECTIVE,
        _ => true,
    };
    let reads = matches!(kind, KeyResultKind::Rollup | KeyResultKind::Aggregate);
    if reads && aligned.iter().all(|c| ignored(&c)) {
        let what = if aggregate { "no key result is" } else { "nothing is" };
        let message = format!(
            "{what} aligned to `{name}` key result `{id}`, which scores what is: it scores 0, without data"
        );
        push(out, at, "empty-rollup", Severity::Warning, id, message);
    }
    let count = aligned.iter().filter(ignored).count();
    if count > 0 {
        let mut message = String::new();
        for (k, &c) in aligned.iter().filter(ignored).take(3).enumerate() {
            let _ = write!(message, "{}`{}`", if k > 0 { ", " } else { "" }, LazyId { d, q: c as usize });
        }
        if count > 3 {
            let _ = write!(message, " and {} more", count - 3);
        }
        let why = if aggregate {
            "which takes the values of the key results aligned to it and counts no objective"
        } else {
            "which scores its own value and counts nothing aligned to it: make it a `rollup` (or \
             `aggregate`) key result for them to count"
        };
        let _ = write!(message, " aligned to `{name}` key result `{id}`, {why}");
        push(out, at, "ignored-alignment", Severity::Info, id, message);
    }
}

/// Findings of part of a plan, and the objectives seen there (by input index).
struct Part {
    /// Findings, each with the input index of its node.
    out: Vec<(u32, Finding)>,
    objectives: FixedBitSet,
    /// Objectives aligned to nothing.
    unaligned: FixedBitSet,
}

/// The `late-check-in` finding of key result `q` in `cycle`: check-ins dated after the
/// cycle's last day (whatever the report's date), which `late` counts or ignores.
fn late_check_ins(
    d: &crate::plan::PlanData,
    q: usize,
    cycle: u32,
    late: crate::LateCheckIns,
    id: &dyn std::fmt::Display,
    out: &mut Vec<(u32, Finding)>,
) {
    let Some(c) = d.cycles.get(cycle as usize) else { return };
    // Check-ins are sorted by day: the late ones are the last.
    let days = &d.check_ins.day[d.check_ins.all(q)];
    let after = days.len() - days.partition_point(|&day| day <= c.end_day);
    let Some(latest) = days.last().filter(|_| after > 0) else { return };
    let latest = NaiveDate::from_num_days_from_ce_opt(*latest).unwrap_or(c.end);
    let how = match late {
        crate::LateCheckIns::Count => "counted",
        crate::LateCheckIns::Ignore => "ignored",
    };
    let message = format!(
        "key result `{id}` has {after} check-in{} after its cycle `{}` ended on {} (the latest on {latest}), {how} under `late_check_ins: {}`",
        if after == 1 { "" } else { "s" },
        c.id,
        c.end,
        late.as_str()
    );
    push(out, d.doc_of_pos[q], "late-check-in", Severity::Info, id, message);
}

/// Adds a finding on the node at input index `at` (`u32::MAX` for owners).
fn push(
    out: &mut Vec<(u32, Finding)>,
    at: u32,
    code: &'static str,
    severity: Severity,
    id: &dyn std::fmt::Display,
    message: String,
) {
    out.push((at, Finding { code, severity, id: id.to_string(), message }));
}

/// A node's id, looked up when displayed.
struct LazyId<'a> {
    d: &'a crate::plan::PlanData,
    q: usize,
}

impl std::fmt::Display for LazyId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Integer ids are formatted, not looked up as text (which would write every id's text).
        std::fmt::Display::fmt(&self.d.ids.name(self.d.doc_of_pos[self.q]), f)
    }
}

impl Plan {
    /// Lints the plan under its policy's limits. `as_of` enables the time-dependent check
    /// (`no-check-in`: a key result with neither check-in nor current value `stale_after_days`
    /// into its cycle). Findings come in the input order of their nodes (a node's own findings
    /// in a fixed order of codes), owners' findings last.
    pub fn lint(&self, as_of: Option<NaiveDate>) -> Vec<Finding> {
        self.lint_split(as_of, crate::parallel::worth_splitting(self.data.len()))
    }

    /// [`Plan::lint`], its passes split between two threads when `two` (the findings are the
    /// same either way).
    fn lint_split(&self, as_of: Option<NaiveDate>, two: bool) -> Vec<Finding> {
        let d = &self.data;
        let p = &d.policy;
        let c = &d.contributors;
        crate::phase("lint start");
        let (dep_off, dep) = d.dependents();
        crate::phase("lint dependents");
        // Walked in topological order (sequential memory), reported in input order: each finding
        // carries the input position of its node (owners' findings come last).
        // Alignment depth below a root, parents first (they sit later in topological order).
        let n = d.len();
        let mut depth = vec![0u32; n];
        // The nodes something is aligned to (for the key results' checks): a bit each, in
        // cache, where reading each key result's contributor range would stream 16 MB at 1M.
        let mut aligned_to = FixedBitSet::with_capacity(n);
        let objective_of = d.objective_of();
        for q in (0..n).rev() {
            for &parent in &dep[dep_off[q] as usize..dep_off[q + 1] as usize] {
                if parent != objective_of[q] {
                    depth[q] = depth[q].max(depth[parent as usize] + 1);
                    aligned_to.insert(parent as usize);
                }
            }
        }
        crate::phase("lint depth");
        let today = as_of.map(day);
        // An objective's cycle by input index, for the owners' count. Atomic only so that two
        // threads can fill it: each entry is written once, and read after both are done.
        let cycle_by_doc: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(NONE)).collect();
        // The checks on each node, over positions `range`; large plans take two threads, each
        // half the positions.
        let nodes_in = |range: Range<usize>| {
            let mut part = Part {
                out: Vec::new(),
                objectives: FixedBitSet::with_capacity(n),
                unaligned: FixedBitSet::with_capacity(n),
            };
            let out = &mut part.out;
            for q in range {
                // Resolving an id is a chain of cache misses: only done for a finding.
                let id = LazyId { d, q };
                // Only the kind is read of each node: a byte, where the rule would be 24.
                match d.kind(q) {
                    None => {
                        let doc = d.doc_of_pos[q] as usize;
                        let at = doc as u32;
                        let own = c.own(q).len();
                        let aligned = c.aligned(q).len();
                        if own == 0 && aligned == 0 {
                            push(
                                out,
                                at,
                                "no-key-results",
                                Severity::Warning,
                                &id,
                                format!("objective `{id}` has no key results and nothing aligned to it"),
                            );
                        }
                        empty_driver(d, q, (own, aligned), p.progress, &id, out);
                        if own > p.max_key_results as usize {
                            push(
                                out,
                                at,
                                "too-many-key-results",
                                Severity::Warning,
                                &id,
                                format!(
                                    "objective `{id}` has {own} key results (more than {})",
                                    p.max_key_results
                                ),
                            );
                        }
                        let tasks = c
                            .own(q)
                            .filter(|&e| {
                                matches!(
                                    d.kind(c.src[e] as usize),
                                    Some(KeyResultKind::Binary | KeyResultKind::Milestones)
                                )
                            })
                            .count();
                        if own > 0 && 2 * tasks > own {
                            push(out, at, "task-like", Severity::Info, &id, format!("{tasks} of the {own} key results of `{id}` are binary or milestones: tasks, not outcomes"));
                        }
                        part.objectives.insert(doc);
                        if dep_off[q + 1] == dep_off[q] {
                            part.unaligned.insert(doc);
                        }
                        cycle_by_doc[doc].store(d.cycle(q), Ordering::Relaxed);
                        // Reported where the cascade first goes too deep: everything below follows.
                        if depth[q] == p.max_cascade_depth + 1 {
                            push(
                                out,
                                at,
                                "deep-cascade",
                                Severity::Warning,
                                &id,
                                format!(
                                    "`{id}` is {} alignment levels below a root (more than {}), and so is everything aligned below it",
                                    depth[q], p.max_cascade_depth
                                ),
                            );
                        }
                        let cycle = d.cycle(q);
                        // Within one cycle nothing can run outside its parent: most plans skip this.
                        let parents = if d.cycles.len() > 1 && cycle != NONE {
                            &dep[dep_off[q] as usize..dep_off[q + 1] as usize]
                        } else {
                            &[]
                        };
                        for &parent in parents {
                            let pc = d.cycle(parent as usize);
                            if pc != cycle
                                && pc != NONE
                                && d.node_type(parent as usize) == NodeType::Objective
                            {
                                let (a, b) = (&d.cycles[cycle as usize], &d.cycles[pc as usize]);
                                if a.start_day < b.start_day || a.end_day > b.end_day {
                                    push(
                                        out,
                                        at,
                                        "cycle-outside-parent",
                                        Severity::Warning,
                                        &id,
                                        format!(
                                            "`{id}` runs {}..{}, outside its parent `{}` ({}..{})",
                                            a.start,
                                            a.end,
                                            d.ids.name(d.doc_of_pos[parent as usize]),
                                            b.start,
                                            b.end
                                        ),
                                    );
                                }
                            }
                        }
                    }
                    Some(kind) => {
                        use KeyResultKind::*;
                        if kind == Manual {
                            grade_out_of_range(d, q, (p.floor.min(0.0), p.cap.max(1.0)), &id, out);
                        }
                        alignment_to_key_result(d, q, kind, aligned_to.contains(q), &id, out);
                        let reads =
                            matches!(kind, Linear | AtLeast | AtMost | Range | Binary | Manual | Piecewise);
                        let cycle = d.cycle(q);
                        late_check_ins(d, q, cycle, p.late_check_ins, &id, out);
                        if let (Some(today), true, true) = (today, reads, cycle != NONE) {
                            let start = d.cycles[cycle as usize].start_day;
                            // The cycle's age first: values are read only once it is old enough.
                            if today - start >= p.stale_after_days as i32
                                && d.check_ins.upto(q, d.reading_day(q, today, p.late_check_ins)).is_empty()
                                && d.current[q].is_nan()
                            {
                                push(
                                    out,
                                    d.doc_of_pos[q],
                                    "no-check-in",
                                    Severity::Warning,
                                    &id,
                                    format!(
                                        "key result `{id}` has no check-in {} days into its cycle",
                                        today - start
                                    ),
                                );
                            }
                        }
                    }
                }
            }
            part
        };
        let h = n / 2;
        let Part { mut out, objectives, unaligned } = if two {
            let (late, mut early) = crate::parallel::both(&|| nodes_in(h..n), &|| nodes_in(0..h));
            early.out.extend(late.out);
            early.objectives.union_with(&late.objectives);
            early.unaligned.union_with(&late.unaligned);
            early
        } else {
            nodes_in(0..n)
        };
        crate::phase("lint main");
        // Text checks in input order, where the text is stored. Owners are counted per cycle by
        // hash: the hashes are split by their top byte into buckets small enough for the cache,
        // each bucket is sorted, and only a run of equal hashes longer than the limit is counted
        // again by its text (so a hash collision cannot merge two owners).
        let hasher = hashbrown::DefaultHashBuilder::default();
        let cycle_of = |doc: usize| cycle_by_doc[doc].load(Ordering::Relaxed);
        // Over input indexes `rows`: findings, and the objectives with an owner, keyed by hash.
        let text_in = |rows: Range<usize>| {
            let mut out = Vec::new();
            let mut keyed: Vec<(u64, u32)> = Vec::new();
            for doc in rows.filter(|&doc| objectives.contains(doc)) {
                let level = d.meta.level.get(doc);
                if level.is_some_and(|l| l != "company") && unaligned.contains(doc) {
                    let id = LazyId { d, q: d.pos_of_doc[doc] as usize };
                    push(
                        &mut out,
                        doc as u32,
                        "orphan",
                        Severity::Warning,
                        &id,
                        format!("`{id}` (level `{}`) is aligned to nothing", level.unwrap_or_default()),
                    );
                }
                match d.meta.owner.get(doc) {
                    Some(owner) => keyed.push((hasher.hash_one((owner, cycle_of(doc))), doc as u32)),
                    None => {
                        let id = LazyId { d, q: d.pos_of_doc[doc] as usize };
                        push(
                            &mut out,
                            doc as u32,
                            "missing-owner",
                            Severity::Info,
                            &id,
                            format!("objective `{id}` has no owner"),
                        )
                    }
                }
            }
            (out, keyed)
        };
        let (text, keyed) = if two {
            let ((late, late_keyed), (mut early, mut keyed)) =
                crate::parallel::both(&|| text_in(h..n), &|| text_in(0..h));
            early.extend(late);
            keyed.extend(late_keyed);
            (early, keyed)
        } else {
            text_in(0..n)
        };
        out.extend(text);
        drop((objectives, unaligned));
        crate::phase("lint text rows");
        let mut starts = [0usize; 257];
        for &(h, _) in &keyed {
            starts[(h >> 56) as usize + 1] += 1;
        }
        for i in 0..256 {
            starts[i + 1] += starts[i];
        }
        let mut next = starts;
        let mut buckets = vec![(0u64, 0u32); keyed.len()];
        for &(h, doc) in &keyed {
            let b = (h >> 56) as usize;
            buckets[next[b]] = (h, doc);
            next[b] += 1;
        }
        drop(keyed);
        let limit = p.max_objectives_per_owner as usize;
        // Buckets whose first entry sits at `bounds[0]` (of the whole) and ends at the bounds
        // after it; large plans give each of two threads half the buckets.
        let count = |part: &mut [(u64, u32)], bounds: &[usize]| {
            let mut per_owner: HashMap<(&str, u32), usize> = HashMap::new();
            for w in bounds.windows(2) {
                let bucket = &mut part[w[0] - bounds[0]..w[1] - bounds[0]];
                bucket.sort_unstable();
                for run in bucket.chunk_by(|x, y| x.0 == y.0).filter(|run| run.len() > limit) {
                    for &(_, doc) in run {
                        if let Some(owner) = d.meta.owner.get(doc as usize) {
                            *per_owner.entry((owner, cycle_of(doc as usize))).or_default() += 1;
                        }
                    }
                }
            }
            per_owner
        };
        let (early, late) = buckets.split_at_mut(starts[128]);
        let joined = two
            .then(|| {
                crate::parallel::join(|| count(late, &starts[128..]), || count(early, &starts[..=128])).ok()
            })
            .flatten();
        // An owner and cycle hash to one bucket: the two maps share no key.
        let per_owner = match joined {
            Some((late, mut early)) => {
                early.extend(late);
                early
            }
            None => count(&mut buckets, &starts),
        };
        crate::phase("lint text");
        let mut crowded: Vec<(&(&str, u32), &usize)> =
            per_owner.iter().filter(|(_, &k)| k > p.max_objectives_per_owner as usize).collect();
        crowded.sort();
        for ((owner, cycle), k) in crowded {
            let when = if *cycle == NONE {
                "without a cycle".to_owned()
            } else {
                format!("in cycle `{}`", d.cycles[*cycle as usize].id)
            };
            push(
                &mut out,
                u32::MAX,
                "too-many-objectives",
                Severity::Warning,
                owner,
                format!("`{owner}` owns {k} objectives {when} (more than {})", p.max_objectives_per_owner),
            );
        }
        crate::phase("lint owners");
        // Input order; a node's findings in the order of the codes above.
        out.sort_by_key(|(at, f)| (*at, CODES.iter().position(|&c| c == f.code)));
        out.into_iter().map(|(_, f)| f).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::Plan;

    #[test]
    fn two_threads_lint_like_one() {
        // The sample, and a plan where many owners are crowded (owners hash to both halves of
        // the buckets) and every check fires somewhere.
        let mut objectives = Vec::new();
        for i in 0..300 {
            let parent = if i % 7 == 0 {
                serde_json::json!([])
            } else {
                serde_json::json!([{"id": format!("o{}", i / 7 * 7)}])
            };
            let krs: Vec<_> = (0..i % 8)
                .map(|k| serde_json::json!({"id": format!("k{i}-{k}"), "kind": if k % 2 == 0 { "binary" } else { "linear" }, "start": 0, "target": 1}))
                .collect();
            let mut o = serde_json::json!({"id": format!("o{i}"), "cycle": if i % 3 == 0 { "y" } else { "q" },
                "level": if i % 5 == 0 { "company" } else { "team" }, "parents": parent, "key_results": krs});
            if i % 11 != 0 {
                o["owner"] = serde_json::json!(format!("owner{}", i % 37));
            }
            objectives.push(o);
        }
        let crowded = serde_json::json!({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"},
            {"id": "y", "start": "2026-02-01", "end": "2026-12-31"}], "objectives": objectives});
        for text in [include_str!("../../examples/acme.json").to_owned(), crowded.to_string()] {
            let plan = Plan::from_json(&text).unwrap();
            for day in [None, Some("2026-03-01".parse().unwrap())] {
                let one = plan.lint_split(day, false);
                assert!(!one.is_empty());
                assert_eq!(plan.lint_split(day, true), one);
            }
        }
    }

    #[test]
    fn every_code_fires_on_its_case() {
        let plan = Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}, {"id": "y", "start": "2026-01-01", "end": "2026-12-31"}],
            "objectives": [
              {"id": "co", "level": "company", "owner": "ceo", "cycle": "q", "key_results": [
                {"id": "a", "kind": "binary"}, {"id": "b", "kind": "binary"}, {"id": "c", "kind": "linear", "start": 0, "target": 1},
                {"id": "d", "kind": "manual"}, {"id": "e", "kind": "manual"}, {"id": "f", "kind": "manual"}]},
              {"id": "lost", "level": "team", "owner": "x", "cycle": "q"},
              {"id": "long", "level": "team", "owner": "x", "cycle": "y", "parents": [{"id": "co"}], "key_results": [{"id": "g", "kind": "linear", "start": 0, "target": 1, "current": 0}]},
              {"id": "l1", "parents": [{"id": "long"}], "owner": "x", "cycle": "y"},
              {"id": "l2", "parents": [{"id": "l1"}], "owner": "x", "cycle": "y"},
              {"id": "l3", "parents": [{"id": "l2"}], "owner": "x", "cycle": "y"},
              {"id": "l4", "parents": [{"id": "l3"}], "owner": "x", "cycle": "y"},
              {"id": "l5", "parents": [{"id": "l4"}], "owner": "x", "cycle": "y", "key_results": [{"id": "h", "kind": "manual", "current": 0.5}]},
              {"id": "nobody", "parents": [{"id": "l5"}], "cycle": "y", "key_results": [{"id": "i", "kind": "manual", "current": 0.5}]}
            ]}"#,
        )
        .unwrap();
        let findings = plan.lint(Some("2026-02-01".parse().unwrap()));
        let has = |code: &str, id: &str| findings.iter().any(|f| f.code == code && f.id == id);
        assert!(has("too-many-key-results", "co"));
        assert!(has("no-key-results", "lost"));
        assert!(has("orphan", "lost") && !has("orphan", "co"));
        assert!(!has("task-like", "co")); // 2 of 6 are binary: not more than half
        assert!(has("cycle-outside-parent", "long"));
        // co → long → l1 → l2 → l3 → l4 is 5 edges; l5 is the first deeper one.
        assert!(has("deep-cascade", "l5") && !has("deep-cascade", "nobody") && !has("deep-cascade", "l4"));
        assert!(has("missing-owner", "nobody"));
        assert!(has("too-many-objectives", "x"));
        assert!(has("no-check-in", "a") && has("no-check-in", "c") && !has("no-check-in", "g"));
        assert!(plan.lint(None).iter().all(|f| f.code != "no-check-in"));
        assert!(findings.iter().all(|f| f.code != "late-check-in"), "no check-in after its cycle");
        let tasks = Plan::from_json(r#"{"objectives": [{"id": "t", "owner": "o", "key_results": [{"id": "x", "kind": "binary"}, {"id": "y", "kind": "milestones", "milestones": [{"name": "m"}]}, {"id": "z", "kind": "manual"}]}]}"#).unwrap();
        assert!(tasks.lint(None).iter().any(|f| f.code == "task-like" && f.id == "t"));
    }

    #[test]
    fn objectives_whose_driver_counts_none_of_their_contributors_are_named() {
        let plan = Plan::from_json(
            r#"{"policy": {"progress": "key_results"}, "objectives": [
              {"id": "top", "owner": "x"},
              {"id": "kids", "owner": "x", "progress": "children", "parents": [{"id": "top"}], "key_results": [
                {"id": "k1", "kind": "binary", "current": 1}, {"id": "k2", "kind": "linear", "start": 0, "target": 2, "current": 1}]},
              {"id": "mid", "owner": "x", "parents": [{"id": "top"}], "key_results": [{"id": "k3", "kind": "linear", "start": 0, "target": 2, "current": 2}]},
              {"id": "both", "owner": "x", "progress": "both", "parents": [{"id": "mid"}]}
            ]}"#,
        )
        .unwrap();
        let findings = plan.lint(None);
        let empty: Vec<(&str, &str)> = findings
            .iter()
            .filter(|f| f.code == "empty-driver")
            .map(|f| (f.id.as_str(), f.message.as_str()))
            .collect();
        // `top` (the policy's `key_results`, two children) and `kids` (its own `children`, two
        // key results) score 0; `mid` has a key result; `both` has nothing at all.
        assert_eq!(empty.iter().map(|&(id, _)| id).collect::<Vec<_>>(), ["top", "kids"]);
        assert!(
            empty[0]
                .1
                .contains("scored by its key results (progress `key_results`), and has none: it scores 0, without data, counting none of the nodes aligned to it (2)"),
            "{}",
            empty[0].1
        );
        assert!(
            empty[1].1.contains("(progress `children`), and nothing is: it scores 0, without data, counting none of its key results (2)"),
            "{}",
            empty[1].1
        );
        assert!(findings.iter().any(|f| f.code == "no-key-results" && f.id == "both"));
        let report = plan.score("2026-01-01".parse().unwrap());
        assert_eq!((report.get("top").unwrap().score, report.get("kids").unwrap().score), (0.0, 0.0));
    }

    #[test]
    fn manual_grades_outside_the_scores_bounds_are_named() {
        let plan = |policy: &str| {
            Plan::from_json(&format!(
                r#"{{"policy": {policy}, "objectives": [{{"id": "g", "owner": "o", "key_results": [
                  {{"id": "ok", "kind": "manual", "current": 1, "check_ins": [{{"date": "2026-01-10", "value": 0}}]}},
                  {{"id": "pct", "kind": "manual", "check_ins": [{{"date": "2026-01-10", "value": 0.5}},
                    {{"date": "2026-02-10", "value": 70}}, {{"date": "2026-03-10", "value": 80}}]}},
                  {{"id": "neg", "kind": "manual", "current": -0.2}},
                  {{"id": "over", "kind": "manual", "current": 1.2}},
                  {{"id": "lin", "kind": "linear", "start": 0, "target": 10, "current": 70}}]}}]}}"#
            ))
            .unwrap()
        };
        let graded = |plan: &Plan| -> Vec<(String, String)> {
            let findings = plan.lint(None);
            assert!(findings
                .iter()
                .filter(|f| f.code == "grade-out-of-range")
                .all(|f| f.severity == super::Severity::Warning));
            findings
                .into_iter()
                .filter(|f| f.code == "grade-out-of-range")
                .map(|f| (f.id, f.message))
                .collect()
        };
        let found = graded(&plan("{}"));
        let ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(ids, ["pct", "neg", "over"]);
        // The first grade outside is named, whatever the date.
        assert!(
            found[0].1.contains("graded `70` (its check-in of 2026-02-10), outside 0 to 1"),
            "{}",
            found[0].1
        );
        assert!(found[1].1.contains("graded `-0.2` (its `current`)"), "{}", found[1].1);
        // A policy that lets scores pass 1 (over-achievement) or fall below 0 widens the range.
        let wide = graded(&plan(r#"{"cap": 1.5, "floor": -0.5}"#));
        assert_eq!(wide.len(), 1);
        assert!(
            wide[0].1.contains("graded `70` (its check-in of 2026-02-10), outside -0.5 to 1.5"),
            "{}",
            wide[0].1
        );
    }

    #[test]
    fn key_results_that_ignore_or_lack_what_is_aligned_to_them_are_named() {
        let plan = Plan::from_json(
            r#"{"objectives": [
              {"id": "o", "owner": "x", "key_results": [
                {"id": "lin", "kind": "linear", "start": 0, "target": 10, "current": 5},
                {"id": "up", "kind": "rollup"}, {"id": "sum", "kind": "aggregate", "op": "sum", "start": 0, "target": 5},
                {"id": "full", "kind": "rollup"}, {"id": "total", "kind": "aggregate", "op": "sum", "start": 0, "target": 5}]},
              {"id": "c1", "owner": "x", "parents": [{"id": "lin"}, {"id": "full"}], "key_results": [
                {"id": "k1", "kind": "binary", "current": 1, "parents": [{"id": "lin"}, {"id": "total"}]}]},
              {"id": "c2", "owner": "x", "parents": [{"id": "lin"}]},
              {"id": "c3", "owner": "x", "parents": [{"id": "lin"}]},
              {"id": "c4", "owner": "x", "parents": [{"id": "lin"}]}
            ]}"#,
        )
        .unwrap();
        let findings = plan.lint(None);
        let of = |code: &str| -> Vec<(&str, &str)> {
            findings.iter().filter(|f| f.code == code).map(|f| (f.id.as_str(), f.message.as_str())).collect()
        };
        let empty: Vec<&str> = of("empty-rollup").iter().map(|&(id, _)| id).collect();
        assert_eq!(empty, ["up", "sum"]);
        assert!(of("empty-rollup")[1].1.contains("`aggregate` key result `sum`"), "{:?}", of("empty-rollup"));
        let ignored = of("ignored-alignment");
        assert_eq!(ignored.len(), 1, "{ignored:?}");
        assert_eq!(ignored[0].0, "lin");
        // Five nodes are aligned to `lin`: three named, two counted.
        assert!(ignored[0].1.contains("and 2 more aligned to `linear` key result `lin`"), "{}", ignored[0].1);
        assert!(findings
            .iter()
            .filter(|f| f.code == "ignored-alignment")
            .all(|f| f.severity == super::Severity::Info));
        // An objective aligned to an aggregate, which reads key results' values, counts for nothing.
        let plan = Plan::from_json(
            r#"{"objectives": [{"id": "o", "owner": "x", "key_results": [{"id": "t", "kind": "aggregate", "op": "sum", "start": 0, "target": 5}]},
              {"id": "c", "owner": "x", "parents": [{"id": "t"}], "key_results": [{"id": "k", "kind": "linear", "start": 0, "target": 2, "current": 1}]}]}"#,
        )
        .unwrap();
        let findings = plan.lint(None);
        let codes: Vec<(&str, &str)> = findings.iter().map(|f| (f.code, f.id.as_str())).collect();
        assert_eq!(codes, [("empty-rollup", "t"), ("ignored-alignment", "t")]);
        assert!(
            findings[0].message.starts_with("no key result is aligned to `aggregate` key result `t`"),
            "{}",
            findings[0].message
        );
        assert!(
            findings[1].message.starts_with("`c` aligned to `aggregate` key result `t`, which takes"),
            "{}",
            findings[1].message
        );
    }
}
