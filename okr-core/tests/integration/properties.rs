//! Property tests: invariants that must hold for every input, not just the worked examples.

use okr_core::calibration::{self as cal, Level, Matrix, Missing};
use okr_core::{NoData, Plan, Policy};
use proptest::prelude::*;
use serde_json::json;

/// A random plan: objectives in a forest (parents have lower indices), 0–3 key results each.
fn plan_strategy() -> impl Strategy<Value = serde_json::Value> {
    let objective = (
        any::<prop::sample::Index>(),
        0usize..4,
        prop::collection::vec(
            (prop::option::weighted(0.8, -50.0f64..150.0), 0.1f64..5.0, any::<bool>()),
            0..4,
        ),
        0usize..4,
    );
    prop::collection::vec(objective, 1..30).prop_map(|objs| {
        let list: Vec<serde_json::Value> = objs
            .iter()
            .enumerate()
            .map(|(i, (parent, driver, krs, _))| {
                let parents = if i == 0 { vec![] } else { vec![json!({"id": format!("o{}", parent.index(i))})] };
                let key_results: Vec<serde_json::Value> = krs
                    .iter()
                    .enumerate()
                    .map(|(k, (current, weight, down))| {
                        let (s, t) = if *down { (100.0, 0.0) } else { (0.0, 100.0) };
                        json!({"id": format!("k{i}-{k}"), "kind": "linear", "start": s, "target": t, "current": current, "weight": weight})
                    })
                    .collect();
                let progress = ["auto", "key_results", "children", "both"][*driver];
                json!({"id": format!("o{i}"), "cycle": "q", "progress": progress, "parents": parents, "key_results": key_results})
            })
            .collect();
        json!({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}], "objectives": list})
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn scores_stay_within_the_policy_bounds(doc in plan_strategy(), floor in -2.0f64..0.0, cap in 1.0f64..2.0, exclude in any::<bool>()) {
        let plan = Plan::from_json(&doc.to_string()).unwrap();
        let no_data = if exclude { NoData::Exclude } else { NoData::Zero };
        let policy = Policy { floor, cap, no_data, ..Policy::default() };
        let report = plan.score_with("2026-02-01".parse().unwrap(), &policy).unwrap();
        for node in report.nodes() {
            prop_assert!(node.score >= floor - 1e-12 && node.score <= cap + 1e-12, "{} = {}", node.id, node.score);
            let ex = report.explain(node.id).unwrap();
            let counted: Vec<f64> = ex.contributors.iter().filter(|c| c.counted).map(|c| c.score).collect();
            if node.kind.is_none() && !counted.is_empty() {
                let lo = counted.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = counted.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(node.score >= lo - 1e-12 && node.score <= hi + 1e-12);
                let shares: f64 = ex.contributors.iter().map(|c| c.share).sum();
                prop_assert!((shares - 1.0).abs() < 1e-9, "{}: shares sum to {}", node.id, shares);
            }
            // Excluded, a node without data has nothing counted; counted, everything has data.
            if exclude {
                prop_assert!(ex.contributors.iter().all(|c| !c.counted || c.has_data));
                prop_assert_eq!(node.has_data, !counted.is_empty() || node.kind.is_some() && node.has_data);
            }
        }
    }

    #[test]
    fn unclamped_scores_near_the_limits_of_f64_stay_finite_and_between_their_contributors(
        magnitudes in prop::collection::vec((-308i32..=308, any::<bool>(), 250i32..=308), 2..12),
        spans in prop::collection::vec(-300i32..=2, 2..12),
    ) {
        // Two levels: objective `o{i}` aligned to `top`, each with one key result whose value is
        // ±10^m over a span of 10^s (its raw score can pass f64's range), weighted 10^w.
        let objectives: Vec<serde_json::Value> = magnitudes
            .iter()
            .zip(spans.iter().cycle())
            .enumerate()
            .map(|(i, (&(m, negative, w), &span))| {
                let value = if negative { -(10f64.powi(m)) } else { 10f64.powi(m) };
                let kr = json!({"id": format!("k{i}"), "kind": "linear", "start": 0, "target": 10f64.powi(span),
                                "current": value, "weight": 10f64.powi(w)});
                json!({"id": format!("o{i}"), "parents": [{"id": "top", "weight": 10f64.powi(w)}], "key_results": [kr]})
            })
            .chain(std::iter::once(json!({"id": "top"})))
            .collect();
        let plan = Plan::from_json(&json!({"objectives": objectives}).to_string()).unwrap();
        let report = plan.score_with("2026-02-01".parse().unwrap(), &Policy { clamp: false, ..Policy::default() }).unwrap();
        for node in report.nodes() {
            prop_assert!(node.score.is_finite(), "{} = {}", node.id, node.score);
            let ex = report.explain(node.id).unwrap();
            if ex.contributors.is_empty() {
                continue;
            }
            let (lo, hi) = ex.contributors.iter().fold((f64::MAX, f64::MIN), |(lo, hi), c| (lo.min(c.score), hi.max(c.score)));
            let slack = 1e-12 * lo.abs().max(hi.abs());
            prop_assert!(node.score >= lo - slack && node.score <= hi + slack, "{}: {} not in [{lo}, {hi}]", node.id, node.score);
            let shares: f64 = ex.contributors.iter().map(|c| c.share).sum();
            prop_assert!((shares - 1.0).abs() < 1e-9, "{}: shares sum to {}", node.id, shares);
        }
    }

    #[test]
    fn icc_ignores_offsets_and_relabelling(values in prop::collection::vec(0.0f64..10.0, 24), offset in -1e9f64..1e9, rotate in 0usize..6) {
        // A value moved by 1e9 is rounded to 1e-7: the reference is the values as the moved
        // matrix holds them, moved back (exactly), so that only the algorithm is compared and
        // not the rounding of its input (which an ICC near a zero denominator amplifies).
        let held = |v: f64| (v + offset) - offset;
        let rows: Vec<Vec<f64>> = values.chunks(4).map(|c| c.iter().map(|&v| held(v)).collect()).collect();
        let base = cal::intraclass_corr(&Matrix::from_rows(&rows).unwrap(), Missing::Raise);
        let mut moved: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|v| v + offset).collect()).collect();
        moved.rotate_left(rotate);
        for r in &mut moved { r.rotate_left(rotate % 4); }
        let other = cal::intraclass_corr(&Matrix::from_rows(&moved).unwrap(), Missing::Raise);
        match (base, other) {
            (Ok(a), Ok(b)) => for (x, y) in a.iter().zip(&b) {
                // A value at 1e9 carries only ~1e-7 of its digits: compare relative to the ICC.
                let tol = 1e-6 * x.icc.abs().max(1.0);
                prop_assert!((x.icc - y.icc).abs() < tol || (x.icc.is_nan() && y.icc.is_nan()), "{:?}: {} vs {}", x.kind, x.icc, y.icc);
            },
            (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
        }
    }

    #[test]
    fn agreement_stays_in_range(values in prop::collection::vec(prop::option::weighted(0.8, 1u8..6), 30), relabel in 1.0f64..9.0) {
        let rows: Vec<Vec<f64>> = values.chunks(10).map(|c| c.iter().map(|v| v.map_or(f64::NAN, f64::from)).collect()).collect();
        let m = Matrix::from_rows(&rows).unwrap();
        for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
            if let Ok(a) = cal::krippendorff_alpha(&m, level, None) {
                prop_assert!(a <= 1.0 + 1e-12, "{level:?} alpha {a}");
            }
        }
        // Nominal alpha does not care what the categories are called.
        let renamed: Vec<Vec<f64>> = rows.iter().map(|r| r.iter().map(|v| v * relabel + 100.0).collect()).collect();
        let a = cal::krippendorff_alpha(&m, Level::Nominal, None);
        let b = cal::krippendorff_alpha(&Matrix::from_rows(&renamed).unwrap(), Level::Nominal, None);
        if let (Ok(a), Ok(b)) = (a, b) { prop_assert!((a - b).abs() < 1e-12); }
        let y1: Vec<f64> = rows[0].iter().map(|v| if v.is_nan() { 1.0 } else { *v }).collect();
        let y2: Vec<f64> = rows[1].iter().map(|v| if v.is_nan() { 1.0 } else { *v }).collect();
        if let Ok(k) = cal::cohen_kappa(&y1, &y2, Some(&[1.0, 2.0, 3.0, 4.0, 5.0]), cal::KappaWeights::Quadratic) {
            prop_assert!(k.kappa <= 1.0 + 1e-12 && k.kappa >= -1.0 - 1e-12);
        }
    }
}

/// A random alignment DAG: objective `i` has up to two parents among `0..i`, its key results
/// (linear, any weight) may also be aligned to an objective below it, and edges carry weights.
/// Every edge points to a lower index, so the graph is acyclic.
#[derive(Debug, Clone)]
struct Dag {
    /// Per objective: its parents with edge weights, and its key results.
    objectives: Vec<(Vec<DagEdge>, Vec<DagKr>)>,
}

/// A parent objective's index and the edge weight.
type DagEdge = (usize, f64);

/// A key result: current value, weight, and an optional extra parent with its edge weight.
type DagKr = (f64, f64, Option<DagEdge>);

fn dag_strategy() -> impl Strategy<Value = Dag> {
    let objective = (
        prop::collection::vec((any::<prop::sample::Index>(), 0.5f64..3.0), 0..3),
        prop::collection::vec(
            (
                -20.0f64..120.0,
                0.5f64..3.0,
                prop::option::weighted(0.3, (any::<prop::sample::Index>(), 0.5f64..3.0)),
            ),
            0..4,
        ),
    );
    prop::collection::vec(objective, 1..25).prop_map(|objs| Dag {
        objectives: objs
            .into_iter()
            .enumerate()
            .map(|(i, (parents, krs))| {
                let mut ps: Vec<(usize, f64)> =
                    if i == 0 { vec![] } else { parents.iter().map(|(p, w)| (p.index(i), *w)).collect() };
                ps.sort_by_key(|p| p.0);
                ps.dedup_by_key(|p| p.0);
                let krs = krs
                    .into_iter()
                    .map(|(c, w, extra)| {
                        (c, w, if i == 0 { None } else { extra.map(|(p, w)| (p.index(i), w)) })
                    })
                    .collect();
                (ps, krs)
            })
            .collect(),
    })
}

impl Dag {
    fn document(&self) -> serde_json::Value {
        let objectives: Vec<serde_json::Value> = self
            .objectives
            .iter()
            .enumerate()
            .map(|(i, (parents, krs))| {
                let parents: Vec<_> = parents.iter().map(|(p, w)| json!({"id": format!("o{p}"), "weight": w})).collect();
                let krs: Vec<_> = krs
                    .iter()
                    .enumerate()
                    .map(|(k, (c, w, extra))| {
                        let parents: Vec<_> =
                            extra.iter().map(|(p, w)| json!({"id": format!("o{p}"), "weight": w})).collect();
                        json!({"id": format!("k{i}-{k}"), "kind": "linear", "start": 0, "target": 100, "current": c,
                               "weight": w, "parents": parents})
                    })
                    .collect();
                json!({"id": format!("o{i}"), "cycle": "q", "parents": parents, "key_results": krs})
            })
            .collect();
        json!({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}], "objectives": objectives,
               "policy": {"progress": "both"}})
    }

    /// Scores by the definition, recursively: an objective is the weighted mean of its own key
    /// results and of everything aligned to it (0 with no contributor).
    fn expected(&self) -> Vec<f64> {
        let kr = |c: f64| (c / 100.0).clamp(0.0, 1.0);
        let mut score = vec![0.0; self.objectives.len()];
        // Contributors always have higher indices: fill from the last objective down.
        for i in (0..self.objectives.len()).rev() {
            let (mut sw, mut sws) = (0.0, 0.0);
            for (c, w, _) in &self.objectives[i].1 {
                sw += w;
                sws += w * kr(*c);
            }
            for (j, (parents, krs)) in self.objectives.iter().enumerate() {
                for (_, w) in parents.iter().filter(|(p, _)| *p == i) {
                    sw += w;
                    sws += w * score[j];
                }
                for (c, _, extra) in krs {
                    if let Some((_, w)) = extra.filter(|(p, _)| *p == i) {
                        sw += w;
                        sws += w * kr(*c);
                    }
                }
            }
            score[i] = if sw > 0.0 { sws / sw } else { 0.0 };
        }
        score
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Roll-up over multi-parent DAGs equals the definition, and the columnar constructor (ids
    /// as shuffled integers) gives the same report as the document.
    #[test]
    fn roll_up_matches_the_definition_and_columns_match_documents(dag in dag_strategy(), seed in any::<u64>()) {
        let plan = Plan::from_json(&dag.document().to_string()).unwrap();
        let day = "2026-02-01".parse().unwrap();
        let report = plan.score(day);
        for (i, want) in dag.expected().iter().enumerate() {
            let got = report.get(&format!("o{i}")).unwrap().score;
            prop_assert!((got - want).abs() < 1e-12, "o{i}: {got} vs {want}");
        }
        // The same plan as columns, rows in a scrambled order, ids as integers.
        let n = dag.objectives.len();
        let order: Vec<usize> = {
            let mut o: Vec<usize> = (0..n).collect();
            let mut next = crate::xorshift(seed | 1);
            for i in (1..n).rev() {
                o.swap(i, (next() % (i as u64 + 1)) as usize);
            }
            o
        };
        let obj_id = |i: usize| 7 * i as i64 + 3;
        let mut kr_rows: Vec<(i64, i64, f64, f64)> = Vec::new();
        let (mut child, mut parent, mut weight) = (Vec::new(), Vec::new(), Vec::new());
        let mut next_kr = 1_000_000_i64;
        for &i in &order {
            let (parents, krs) = &dag.objectives[i];
            for (p, w) in parents {
                child.push(obj_id(i));
                parent.push(obj_id(*p));
                weight.push(*w);
            }
            for (c, w, extra) in krs {
                next_kr += 1;
                kr_rows.push((next_kr, obj_id(i), *c, *w));
                if let Some((p, w)) = extra {
                    child.push(next_kr);
                    parent.push(obj_id(*p));
                    weight.push(*w);
                }
            }
        }
        let cols = okr_core::Columns {
            objectives: okr_core::ObjectiveColumns {
                id: order.iter().map(|&i| obj_id(i)).collect::<Vec<_>>().into(),
                cycle: Some(vec![Some("q"); n].into()),
                ..Default::default()
            },
            key_results: okr_core::KeyResultColumns {
                id: kr_rows.iter().map(|r| r.0).collect::<Vec<_>>().into(),
                objective: kr_rows.iter().map(|r| r.1).collect::<Vec<_>>().into(),
                kind: vec![okr_core::KeyResultKind::Linear; kr_rows.len()],
                start: Some(vec![0.0; kr_rows.len()].into()),
                target: Some(vec![100.0; kr_rows.len()].into()),
                current: Some(kr_rows.iter().map(|r| r.2).collect()),
                weight: Some(kr_rows.iter().map(|r| r.3).collect()),
                ..Default::default()
            },
            alignments: Some(okr_core::AlignmentColumns { child: child.into(), parent: parent.into(), weight: Some(weight.into()) }),
            check_ins: None,
            cycles: vec![okr_core::Cycle { id: "q".into(), start: "2026-01-01".parse().unwrap(), end: "2026-03-31".parse().unwrap() }],
            policy: Some(Policy { progress: okr_core::ProgressDriver::Both, ..Policy::default() }),
        confidence_scale: None,
        };
        let columnar = Plan::from_columns(&cols).unwrap().score(day);
        for i in 0..n {
            let a = report.get(&format!("o{i}")).unwrap();
            let b = columnar.get(&obj_id(i).to_string()).unwrap();
            // Rows in another order add the same terms in another order: equal to rounding.
            prop_assert!((a.score - b.score).abs() < 1e-12, "o{}: {} vs {}", i, a.score, b.score);
            prop_assert_eq!((a.status, a.grade), (b.status, b.grade), "o{}", i);
        }
    }
}

impl Dag {
    /// Scores by the definition, in one pass from the last objective down (contributors have
    /// higher indices): for plans too large for [`Dag::expected`].
    fn expected_fast(&self) -> Vec<f64> {
        let kr = |c: f64| (c / 100.0).clamp(0.0, 1.0);
        let n = self.objectives.len();
        let (mut sw, mut sws) = (vec![0.0; n], vec![0.0; n]);
        for (i, (_, krs)) in self.objectives.iter().enumerate() {
            for (c, w, extra) in krs {
                sw[i] += w;
                sws[i] += w * kr(*c);
                if let Some((p, w)) = extra {
                    sw[*p] += w;
                    sws[*p] += w * kr(*c);
                }
            }
        }
        let mut score = vec![0.0; n];
        for j in (0..n).rev() {
            score[j] = if sw[j] > 0.0 { sws[j] / sw[j] } else { 0.0 };
            for (p, w) in &self.objectives[j].0 {
                sw[*p] += w;
                sws[*p] += w * score[j];
            }
        }
        score
    }
}

/// A plan large enough to be scored (and turned into columns) by two threads: a random DAG of
/// 24,000 objectives and ~72,000 key results, checked against the definition node by node.
#[test]
fn large_plans_scored_by_two_threads_match_the_definition() {
    let mut next = crate::xorshift(0x9e37_79b9_7f4a_7c15);
    let n = 24_000;
    let dag = Dag {
        objectives: (0..n)
            .map(|i| {
                let mut parents: Vec<DagEdge> = if i == 0 {
                    vec![]
                } else {
                    (0..1 + next() % 2)
                        .map(|_| ((next() % i as u64) as usize, 0.5 + (next() % 5) as f64 / 2.0))
                        .collect()
                };
                parents.sort_by_key(|p| p.0);
                parents.dedup_by_key(|p| p.0);
                let krs = (0..next() % 6)
                    .map(|_| {
                        let extra = (i > 0 && next() % 10 == 0).then(|| ((next() % i as u64) as usize, 1.5));
                        ((next() % 140) as f64 - 20.0, 1.0 + (next() % 3) as f64, extra)
                    })
                    .collect();
                (parents, krs)
            })
            .collect(),
    };
    let plan = Plan::from_json(&dag.document().to_string()).unwrap();
    assert!(plan.len() >= 1 << 16, "{} nodes: too small to take the two-thread path", plan.len());
    let report = plan.score("2026-02-01".parse().unwrap());
    for (i, want) in dag.expected_fast().iter().enumerate() {
        let got = report.get(&format!("o{i}")).unwrap().score;
        assert!((got - want).abs() < 1e-12, "o{i}: {got} vs {want}");
    }
    crate::plan_api::assert_columns_match_nodes(&report);

    // Events (two threads at this size) against the two reports compared node by node.
    let (before, after) = (plan.score("2026-01-10".parse().unwrap()), report);
    let mut want = Vec::new();
    for (b, a) in before.nodes().zip(after.nodes()) {
        assert_eq!(b.id, a.id);
        if b.status != a.status {
            let kind = if a.status == okr_core::Status::Achieved {
                okr_core::EventKind::Achieved
            } else {
                okr_core::EventKind::StatusChanged
            };
            want.push((kind, a.id.to_owned()));
        }
        if !b.signals.contains(&"stale") && a.signals.contains(&"stale") {
            want.push((okr_core::EventKind::BecameStale, a.id.to_owned()));
        }
    }
    let got: Vec<_> =
        okr_core::events(&before, &after).into_iter().map(|e| (e.kind, e.id.to_string())).collect();
    assert!(got.len() > 1000, "{} events", got.len());
    assert_eq!(got, want);
}

/// Whether the graph (`parents[i]`: the objectives `i` is aligned to) has a cycle, by Kahn's
/// algorithm: repeatedly remove nodes nothing is aligned to; a cycle is what never empties.
fn has_cycle(parents: &[Vec<usize>]) -> bool {
    let n = parents.len();
    let mut feeders = vec![0usize; n];
    for ps in parents {
        for &p in ps {
            feeders[p] += 1;
        }
    }
    let mut ready: Vec<usize> = (0..n).filter(|&i| feeders[i] == 0).collect();
    let mut removed = 0;
    while let Some(i) = ready.pop() {
        removed += 1;
        for &p in &parents[i] {
            feeders[p] -= 1;
            if feeders[p] == 0 {
                ready.push(p);
            }
        }
    }
    removed < n
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any alignment graph, cyclic or not (several tops, cycles reachable from a top or behind
    /// one): the plan is rejected as cyclic exactly when the graph has a cycle, and the cycle it
    /// names is one, child to parent.
    #[test]
    fn cycles_are_found_exactly_and_named(
        edges in prop::collection::vec(prop::collection::vec(any::<prop::sample::Index>(), 0..3), 1..120),
    ) {
        let n = edges.len();
        let parents: Vec<Vec<usize>> = edges
            .iter()
            .enumerate()
            .map(|(i, ps)| {
                let mut ps: Vec<usize> = ps.iter().map(|p| p.index(n)).filter(|&p| p != i).collect();
                ps.sort_unstable();
                ps.dedup();
                ps
            })
            .collect();
        let objectives: Vec<serde_json::Value> = parents
            .iter()
            .enumerate()
            .map(|(i, ps)| {
                let ps: Vec<serde_json::Value> = ps.iter().map(|p| json!({"id": format!("o{p}")})).collect();
                json!({"id": format!("o{i}"), "parents": ps,
                       "key_results": [{"id": format!("k{i}"), "kind": "binary", "current": 1}]})
            })
            .collect();
        let built = Plan::from_json(&json!({"objectives": objectives}).to_string());
        match built {
            Ok(_) => prop_assert!(!has_cycle(&parents), "a cyclic graph was accepted: {parents:?}"),
            Err(okr_core::Error::Cycle { ids }) => {
                prop_assert!(has_cycle(&parents), "an acyclic graph was rejected: {parents:?}");
                prop_assert!(ids.len() >= 3 && ids.first() == ids.last(), "{ids:?}");
                let index = |id: &str| id[1..].parse::<usize>().unwrap();
                for pair in ids.windows(2) {
                    let (child, parent) = (index(&pair[0]), index(&pair[1]));
                    prop_assert!(parents[child].contains(&parent), "{ids:?} is not a cycle of {parents:?}");
                }
            }
            Err(e) => prop_assert!(false, "unexpected error {e}"),
        }
    }
}

/// Under `late_check_ins: ignore`, a report after a plan's one cycle has ended is the report of
/// the cycle's last day, column by column: values, milestones, confidences, signals and
/// forecasts all read on that day. A plan large enough for two threads, with check-ins and
/// milestones on both sides of the end.
#[test]
fn ignoring_late_check_ins_gives_the_last_days_report() {
    let mut draw = crate::xorshift(0x2545_f491_4f6c_dd1d);
    let mut next = move |m: u64| draw() % m;
    let date =
        |d: u64| (chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d)).to_string();
    let objectives: Vec<serde_json::Value> = (0..24_000)
        .map(|i| {
            let key_results: Vec<serde_json::Value> = (0..3)
                .map(|k| {
                    let id = format!("k{i}-{k}");
                    if next(8) == 0 {
                        let milestones: Vec<_> = (0..3)
                            .map(|m| json!({"name": format!("m{m}"), "done_on": date(next(180))}))
                            .collect();
                        return json!({"id": id, "kind": "milestones", "milestones": milestones});
                    }
                    let mut days: Vec<u64> = (0..next(6)).map(|_| next(180)).collect();
                    days.sort_unstable();
                    let check_ins: Vec<_> = days
                        .iter()
                        .map(|&d| json!({"date": date(d), "value": next(120) as f64, "confidence": next(11) as f64 / 10.0}))
                        .collect();
                    json!({"id": id, "kind": "linear", "start": 0, "target": 100, "check_ins": check_ins})
                })
                .collect();
            let parents = if i == 0 { json!([]) } else { json!([{"id": format!("o{}", next(i))}]) };
            json!({"id": format!("o{i}"), "cycle": "q", "parents": parents, "key_results": key_results})
        })
        .collect();
    let doc = json!({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}], "objectives": objectives});
    let plan = Plan::from_json(&doc.to_string()).unwrap();
    assert!(plan.len() >= 1 << 16, "{} nodes: too small to take the two-thread path", plan.len());
    let ignore = Policy { late_check_ins: okr_core::LateCheckIns::Ignore, ..Policy::default() };
    let end = plan.score("2026-03-31".parse().unwrap());
    let later = plan.score_with("2026-06-01".parse().unwrap(), &ignore).unwrap();
    let counted = plan.score("2026-06-01".parse().unwrap());
    // Debug text compares NaN with NaN (objectives have no value).
    let text = |r: &okr_core::Report| format!("{:?}", r.columns());
    assert_eq!(text(&later), text(&end));
    assert_ne!(text(&counted), text(&end), "the plan has late check-ins");
    for id in ["o0", "o1", "k7-0", "k7-1", "k7-2"] {
        let (a, b) = (later.explain(id).unwrap(), end.explain(id).unwrap());
        assert_eq!((a.score, &a.contributors), (b.score, &b.contributors), "{id}");
    }
}
