//! A plan written back as a document builds a plan that scores the same.

use std::path::PathBuf;

use okr_core::{
    AlignmentColumns, Columns, KeyResultColumns, NoData, ObjectiveColumns, Plan, Policy, Snapshot,
    SnapshotNode,
};
use serde_json::Value;

use crate::plan_api::{columns, random_plan};

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// The plan through `to_document`, JSON text and `from_json`.
fn round_trip(plan: &Plan) -> Plan {
    let text = serde_json::to_string(&plan.to_document()).unwrap();
    Plan::from_json(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn report(plan: &Plan, as_of: &str, policy: Option<&Policy>) -> Value {
    let r = match policy {
        Some(p) => plan.score_with(day(as_of), p).unwrap(),
        None => plan.score(day(as_of)),
    };
    serde_json::to_value(&r).unwrap()
}

#[test]
fn golden_and_sample_plans_score_the_same_written_back() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut plans = vec![(
        "acme".to_owned(),
        std::fs::read_to_string(root.join("examples/acme.json")).unwrap(),
        vec![("2026-02-15".to_owned(), None)],
    )];
    for entry in std::fs::read_dir(root.join("tests/golden")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") || path.ends_with("errors.json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let cases = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let policy: Option<Policy> =
                    c.get("policy").map(|p| serde_json::from_value(p.clone()).unwrap());
                (c["as_of"].as_str().unwrap().to_owned(), policy)
            })
            .collect();
        plans.push((path.display().to_string(), doc["plan"].to_string(), cases));
    }
    assert!(plans.len() >= 8);
    for (name, text, cases) in plans {
        let plan = Plan::from_json(&text).unwrap();
        let again = round_trip(&plan);
        assert_eq!(again.to_document(), plan.to_document(), "{name}: written back twice, the same");
        for (as_of, policy) in cases {
            assert_eq!(
                report(&again, &as_of, policy.as_ref()),
                report(&plan, &as_of, policy.as_ref()),
                "{name} {as_of}"
            );
        }
        // Explanations too (their formulas hold the plan's numbers).
        let (r1, r2) = (plan.score(day("2026-02-15")), again.score(day("2026-02-15")));
        for node in plan.nodes() {
            assert_eq!(
                r1.explain(node.id()).unwrap(),
                r2.explain(node.id()).unwrap(),
                "{name}: {}",
                node.id()
            );
        }
    }
}

#[test]
fn random_and_columnar_plans_score_the_same_written_back() {
    for seed in 0..10 {
        let plan = Plan::from_json(&random_plan(seed, 80).to_string()).unwrap();
        let again = round_trip(&plan);
        for as_of in ["2025-12-01", "2026-02-15", "2026-06-01"] {
            assert_eq!(report(&again, as_of, None), report(&plan, as_of, None), "seed {seed}");
        }
    }
    let plan = Plan::from_columns(&columns()).unwrap();
    let doc = plan.to_document();
    // Each key result under its objective, with its kind's fields only; the edge with its weight.
    let t = &doc.objectives[1];
    assert_eq!((t.id.as_str(), t.parents[0].id.as_str(), t.parents[0].weight), ("t", "co", 1.0));
    let k2 = &t.key_results[0];
    assert_eq!((k2.id.as_str(), k2.threshold, k2.start, k2.current), ("k2", Some(3.0), None, Some(2.0)));
    let k3 = &t.key_results[1];
    assert_eq!((k3.weight, k3.check_ins.len(), k3.check_ins[0].confidence), (3.0, 2, Some(0.9)));
    let again = round_trip(&plan);
    let (a, b) = (plan.score(day("2026-02-15")), again.score(day("2026-02-15")));
    for node in plan.nodes() {
        assert!((a.get(node.id()).unwrap().score - b.get(node.id()).unwrap().score).abs() < 1e-12);
    }
}

#[test]
fn a_declared_confidence_scale_is_written_as_the_unit_scale() {
    let plan = Plan::from_json(
        r#"{"confidence_scale": [1, 10], "objectives": [{"id": "o", "key_results": [{"id": "k", "kind": "manual",
            "check_ins": [{"date": "2026-01-05", "value": 0.5, "confidence": 10, "note": "on track"}]}]}]}"#,
    )
    .unwrap();
    let doc = plan.to_document();
    assert_eq!(doc.confidence_scale, None);
    let c = &doc.objectives[0].key_results[0].check_ins[0];
    assert_eq!((c.confidence, c.note.as_deref()), (Some(1.0), Some("on track")));
    assert_eq!(report(&round_trip(&plan), "2026-02-01", None), report(&plan, "2026-02-01", None));
}

/// The plan through `to_snapshot`, JSON text and `from_snapshot`.
fn through_snapshot(plan: &Plan) -> Plan {
    let text = serde_json::to_string(&plan.to_snapshot()).unwrap();
    Plan::from_snapshot(&serde_json::from_str::<Snapshot>(&text).unwrap())
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Everything a user reads of a report, as text: node order, every field, numbers to the bit
/// (JSON writes the shortest text that reads back as the same double).
fn exactly(plan: &Plan, as_of: &str, policy: &Policy) -> String {
    let r = plan.score_with(day(as_of), policy).unwrap();
    let explained: Vec<String> =
        plan.nodes().map(|n| serde_json::to_string(&r.explain(n.id()).unwrap()).unwrap()).collect();
    format!("{}\n{}", serde_json::to_string(&r).unwrap(), explained.join("\n"))
}

#[test]
fn a_snapshot_gives_a_plan_built_from_columns_back_exactly() {
    for seed in 0..8 {
        // `random_plan`'s organisation as columns: objectives in order, key results and
        // alignment rows shuffled, as a DataFrame's rows come.
        let doc: okr_core::Document = serde_json::from_value(random_plan(seed, 60)).unwrap();
        let mut next = crate::xorshift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut krs: Vec<(&str, &okr_core::KeyResultSpec)> = doc
            .objectives
            .iter()
            .flat_map(|o| o.key_results.iter().map(move |k| (o.id.as_str(), k)))
            .collect();
        let mut edges: Vec<(&str, &str, f64)> = (doc.objectives.iter())
            .flat_map(|o| o.parents.iter().map(move |p| (o.id.as_str(), p.id.as_str(), p.weight)))
            .collect();
        for i in (1..krs.len()).rev() {
            krs.swap(i, next() as usize % (i + 1));
        }
        for i in (1..edges.len()).rev() {
            edges.swap(i, next() as usize % (i + 1));
        }
        let float = |f: &dyn Fn(&okr_core::KeyResultSpec) -> Option<f64>| {
            Some(krs.iter().map(|(_, k)| f(k).unwrap_or(f64::NAN)).collect::<Vec<f64>>().into())
        };
        let cols = Columns {
            objectives: ObjectiveColumns {
                id: doc.objectives.iter().map(|o| o.id.as_str()).collect::<Vec<_>>().into(),
                cycle: Some(doc.objectives.iter().map(|o| o.cycle.as_deref()).collect::<Vec<_>>().into()),
                progress: Some(doc.objectives.iter().map(|o| o.progress).collect()),
                ..Default::default()
            },
            key_results: KeyResultColumns {
                id: krs.iter().map(|(_, k)| k.id.as_str()).collect::<Vec<_>>().into(),
                objective: krs.iter().map(|&(o, _)| o).collect::<Vec<_>>().into(),
                kind: krs.iter().map(|(_, k)| k.kind).collect(),
                start: float(&|k| k.start),
                target: float(&|k| k.target),
                current: float(&|k| k.current),
                weight: float(&|k| Some(k.weight)),
                ..Default::default()
            },
            alignments: Some(AlignmentColumns {
                child: edges.iter().map(|e| e.0).collect::<Vec<_>>().into(),
                parent: edges.iter().map(|e| e.1).collect::<Vec<_>>().into(),
                weight: Some(edges.iter().map(|e| e.2).collect::<Vec<_>>().into()),
            }),
            cycles: doc.cycles.clone(),
            ..Default::default()
        };
        let plan = Plan::from_columns(&cols).unwrap();
        // The nodes as the plan was given them: every objective, then the key results.
        let snapshot = plan.to_snapshot();
        let objectives = doc.objectives.len();
        assert!(snapshot
            .nodes
            .iter()
            .enumerate()
            .all(|(i, n)| matches!(n, SnapshotNode::Objective(_)) == (i < objectives)));
        let again = through_snapshot(&plan);
        for no_data in [NoData::Zero, NoData::Exclude] {
            let policy = Policy { no_data, ..Policy::default() };
            for as_of in ["2026-01-01", "2026-02-15"] {
                assert_eq!(
                    exactly(&again, as_of, &policy),
                    exactly(&plan, as_of, &policy),
                    "seed {seed} {as_of}"
                );
            }
        }
        // Columns give it back exactly too.
        let through = through_columns(&plan);
        assert_eq!(through.to_snapshot(), snapshot, "seed {seed}");
        assert_eq!(
            exactly(&through, "2026-02-15", &Policy::default()),
            exactly(&plan, "2026-02-15", &Policy::default())
        );
        // The document alone lists the nodes objective by objective: another order.
        let order = |p: &Plan| p.nodes().map(|n| n.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(order(&again), order(&plan));
        assert_ne!(order(&round_trip(&plan)), order(&plan), "seed {seed}");
    }
}

#[test]
fn a_snapshot_gives_a_plan_built_from_a_document_back_exactly() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let plan = Plan::from_json(&std::fs::read_to_string(root.join("examples/acme.json")).unwrap()).unwrap();
    let again = through_snapshot(&plan);
    assert_eq!(again.to_document(), plan.to_document());
    assert_eq!(exactly(&again, "2026-02-15", plan.policy()), exactly(&plan, "2026-02-15", plan.policy()));
    for seed in 0..4 {
        let plan = Plan::from_json(&random_plan(seed, 50).to_string()).unwrap();
        let policy = Policy::default();
        assert_eq!(
            exactly(&through_snapshot(&plan), "2026-02-15", &policy),
            exactly(&plan, "2026-02-15", &policy)
        );
    }
}

#[test]
fn a_bad_snapshot_is_a_named_error() {
    let plan = Plan::from_columns(&columns()).unwrap();
    let good = plan.to_snapshot();
    let check = |edit: &dyn Fn(&mut Snapshot), code: &str, says: &str| {
        let mut s = good.clone();
        edit(&mut s);
        let e = Plan::from_snapshot(&s).unwrap_err();
        assert_eq!(e.code(), code, "{e}");
        assert!(e.to_string().contains(says), "{e}");
    };
    // Nodes: co, t, k1 (of co), k2 and k3 (of t); one edge, t → co.
    check(&|s| s.okr_snapshot = 2, "malformed", "snapshot version `2`");
    check(
        &|s| s.nodes.swap(0, 2),
        "malformed",
        "`k1` belongs to node `0`, which is not an objective before it",
    );
    check(&|s| set_owner(s, 3, 2), "malformed", "`k2` belongs to node `2`");
    check(&|s| set_owner(s, 3, 9), "malformed", "`k2` belongs to node `9`");
    check(&|s| s.edges.push((0, 7, 1.0)), "malformed", "edge `0` → `7` names a node beyond the 5 listed");
    check(&|s| move_first_key_result_into_its_objective(s), "malformed", "`co` lists key results");
    // Validation still runs: an edge back up the tree is a cycle, a zero weight an error.
    check(&|s| s.edges.push((0, 1, 1.0)), "cycle", "`co` → `t` → `co`");
    check(&|s| s.edges[0].2 = 0.0, "invalid_weight", "`t` → `co`");
}

/// Gives the key result at `node` the owner `of`.
fn set_owner(s: &mut Snapshot, node: usize, of: u32) {
    if let SnapshotNode::KeyResult(owner, _) = &mut s.nodes[node] {
        *owner = of;
    }
}

/// Copies the first key result into its objective's own list, as a document would hold it.
fn move_first_key_result_into_its_objective(s: &mut Snapshot) {
    let SnapshotNode::KeyResult(_, k) = s.nodes[2].clone() else { return };
    if let SnapshotNode::Objective(o) = &mut s.nodes[0] {
        o.key_results.push(k);
    }
}

/// The plan through `to_columns` and `from_columns`.
fn through_columns(plan: &Plan) -> Plan {
    let cols = plan.to_columns().expect("a plan columns can hold");
    Plan::from_columns(&cols).unwrap_or_else(|e| panic!("{e}\n{cols:?}"))
}

/// A plan with every field columns can hold: each kind they take, text, two cycles, a
/// progress driver, key results aligned to key results, check-ins (two on one day) on a 1–5
/// confidence scale, a policy other than the default, and ids of `id`'s making.
fn every_column(id: &dyn Fn(&str) -> okr_core::IdColumn<'static>) -> Columns<'static> {
    use okr_core::{AggregateOp, CheckInColumns, Cycle, KeyResultKind as K, LateCheckIns, ProgressDriver};
    let ids = |names: &[&str]| id(&names.join(" "));
    let nan = f64::NAN;
    Columns {
        objectives: ObjectiveColumns {
            id: ids(&["1", "2", "3"]),
            cycle: Some(vec![Some("q1"), None, Some("q2")].into()),
            owner: Some(vec![Some("ana"), Some("bo"), Some("ana")].into()),
            level: Some(vec![None, Some("team"), Some("team")].into()),
            title: Some(vec![Some("Grow"), Some(""), None].into()),
            progress: Some(vec![None, Some(ProgressDriver::Both), Some(ProgressDriver::Children)]),
        },
        key_results: KeyResultColumns {
            id: ids(&["11", "12", "13", "14", "15", "16", "17", "18", "19"]),
            objective: ids(&["2", "1", "1", "2", "2", "3", "1", "1", "2"]),
            kind: vec![
                K::Linear,
                K::AtLeast,
                K::AtMost,
                K::Range,
                K::Binary,
                K::Manual,
                K::Rollup,
                K::Aggregate,
                K::Linear,
            ],
            weight: Some(vec![2.0, nan, 0.5, 1.0, 3.0, nan, 1.0, 4.0, 1.0].into()),
            start: Some(vec![0.0, nan, nan, nan, nan, nan, nan, 0.0, 10.0].into()),
            target: Some(vec![10.0, nan, nan, nan, nan, nan, nan, 100.0, -10.0].into()),
            threshold: Some(vec![nan, 5.0, 2.0, nan, nan, nan, nan, nan, nan].into()),
            strict: Some(vec![false, true, false, false, false, false, false, false, false]),
            low: Some(vec![nan, nan, nan, 1.0, nan, nan, nan, nan, nan].into()),
            high: Some(vec![nan, nan, nan, 3.0, nan, nan, nan, nan, nan].into()),
            current: Some(vec![4.0, 5.0, 3.0, nan, 1.0, nan, nan, nan, 0.1].into()),
            op: Some(vec![None, None, None, None, None, None, None, Some(AggregateOp::Max), None]),
            title: Some(
                vec![None, Some("Revenue"), None, None, None, None, None, None, Some("Churn")].into(),
            ),
            owner: Some(vec![Some("cy"), None, None, None, None, None, None, None, None].into()),
        },
        alignments: Some(AlignmentColumns {
            child: ids(&["3", "11", "15", "14", "2"]),
            parent: ids(&["1", "17", "17", "18", "1"]),
            weight: Some(vec![2.0, 1.0, 0.25, nan, 1.5].into()),
        }),
        check_ins: Some(CheckInColumns {
            key_result: ids(&["14", "16", "14", "16", "14", "19"]),
            date: ["2026-02-01", "2026-01-05", "2026-01-10", "2026-01-05", "2026-04-10", "2026-02-01"]
                .map(day)
                .to_vec(),
            value: Some(vec![2.0, 0.4, 5.0, 0.7, 2.5, nan].into()),
            confidence: Some(vec![4.0, nan, 2.0, 5.0, nan, 1.0].into()),
        }),
        cycles: vec![
            Cycle { id: "q1".into(), start: day("2026-01-01"), end: day("2026-03-31") },
            Cycle { id: "q2".into(), start: day("2026-04-01"), end: day("2026-06-30") },
        ],
        policy: Some(Policy {
            no_data: NoData::Exclude,
            late_check_ins: LateCheckIns::Ignore,
            floor: -0.5,
            ..Policy::default()
        }),
        confidence_scale: Some([1.0, 5.0]),
    }
}

#[test]
fn columns_give_a_plan_built_from_columns_back_exactly() {
    let text = |names: &str| -> okr_core::IdColumn<'static> {
        names.split(' ').map(|s| format!("id-{s}")).collect::<Vec<String>>().into()
    };
    let integers = |names: &str| -> okr_core::IdColumn<'static> {
        names.split(' ').map(|s| s.parse::<i64>().unwrap()).collect::<Vec<_>>().into()
    };
    // Text that reads as integers ("1", "11"): text it stays.
    let digits = |names: &str| -> okr_core::IdColumn<'static> {
        names.split(' ').map(str::to_owned).collect::<Vec<String>>().into()
    };
    type Ids<'f> = &'f dyn Fn(&str) -> okr_core::IdColumn<'static>;
    let variants: [(Ids, bool); 3] = [(&text, false), (&integers, true), (&digits, false)];
    for (id, given_as_integers) in variants {
        let plan = Plan::from_columns(&every_column(id)).unwrap();
        assert_eq!(plan.integer_ids(), given_as_integers);
        let cols = plan.to_columns().unwrap();
        // Integer ids come back as integers, text as text; confidences on [0, 1].
        assert_eq!(matches!(cols.objectives.id, okr_core::IdColumn::Integers(_)), given_as_integers);
        assert_eq!(matches!(cols.key_results.objective, okr_core::IdColumn::Integers(_)), given_as_integers);
        assert_eq!(cols.confidence_scale, None);
        let confidences = cols.check_ins.as_ref().unwrap().confidence.as_deref().unwrap();
        assert!(confidences.iter().all(|c| c.is_nan() || (0.0..=1.0).contains(c)), "{confidences:?}");
        let again = through_columns(&plan);
        assert_eq!(again.to_snapshot(), plan.to_snapshot());
        for as_of in ["2026-01-05", "2026-02-15", "2026-05-01"] {
            for policy in [plan.policy().clone(), Policy::default()] {
                assert_eq!(exactly(&again, as_of, &policy), exactly(&plan, as_of, &policy), "{as_of}");
            }
        }
        // And once more: the columns of the copy give the same plan again.
        assert_eq!(through_columns(&again).to_snapshot(), plan.to_snapshot());
    }
    // A plan without alignments, check-ins, text or cycles leaves those tables out.
    let mut bare = columns();
    (bare.alignments, bare.check_ins, bare.cycles) = (None, None, Vec::new());
    bare.objectives.cycle = None;
    bare.objectives.level = None;
    let plan = Plan::from_columns(&bare).unwrap();
    let cols = plan.to_columns().unwrap();
    assert!(cols.alignments.is_none() && cols.check_ins.is_none() && cols.cycles.is_empty());
    assert!(
        cols.objectives.cycle.is_none()
            && cols.objectives.title.is_none()
            && cols.key_results.title.is_none()
    );
    assert!(
        cols.key_results.low.is_none() && cols.key_results.strict.is_none() && cols.key_results.op.is_none()
    );
    assert_eq!(through_columns(&plan).to_snapshot(), plan.to_snapshot());
    // An empty plan is columns of no rows.
    let empty = Plan::from_json(r#"{"objectives": []}"#).unwrap();
    assert_eq!(through_columns(&empty).to_snapshot(), empty.to_snapshot());
}

/// Whether a report gives the plan's ids as integers: in its `id` and `objective` columns,
/// with text as slices and in Arrow's layout.
fn reports_integer_ids(plan: &Plan) -> bool {
    use okr_core::{IdValues, OptionalIdValues};
    let report = plan.score(day("2026-02-15"));
    let (rows, utf8) = (report.columns(), report.columns_utf8());
    let integers = matches!(rows.id, IdValues::Integers(_));
    assert_eq!(matches!(rows.objective, OptionalIdValues::Integers { .. }), integers);
    assert_eq!(matches!(utf8.id, IdValues::Integers(_)), integers);
    assert_eq!(matches!(utf8.objective, OptionalIdValues::Integers { .. }), integers);
    if !integers {
        assert!(matches!(rows.id, IdValues::Text(_)) && matches!(utf8.id, IdValues::Utf8(_)));
    }
    integers
}

#[test]
fn ids_come_back_as_they_were_given_and_name_the_same_nodes_either_way() {
    let digits = |names: &str| -> okr_core::IdColumn<'static> {
        names.split(' ').map(str::to_owned).collect::<Vec<String>>().into()
    };
    let integers = |names: &str| -> okr_core::IdColumn<'static> {
        names.split(' ').map(|s| s.parse::<i64>().unwrap()).collect::<Vec<_>>().into()
    };
    let as_text = Plan::from_columns(&every_column(&digits)).unwrap();
    let as_integers = Plan::from_columns(&every_column(&integers)).unwrap();
    // Objectives given as integers, key results as text: every id reports as text.
    let mut mixed = every_column(&integers);
    mixed.key_results.id = digits("11 12 13 14 15 16 17 18 19");
    let mixed = Plan::from_columns(&mixed).unwrap();
    // A document's ids are text either way (`1` reads as `"1"`): all reading as integers, they
    // report as integers, as `pandas.read_json` reads them.
    let document = |id: &str| {
        Plan::from_json(&format!(
            r#"{{"objectives": [{{"id": {id}, "key_results": [{{"id": "2", "kind": "binary"}}]}}]}}"#
        ))
        .unwrap()
    };
    let (numbers, words) = (document("1"), document(r#""one""#));
    let plans = [(&as_text, false), (&as_integers, true), (&mixed, false), (&numbers, true), (&words, false)];
    for (plan, integers) in plans {
        assert_eq!(plan.integer_ids(), integers);
        assert_eq!(reports_integer_ids(plan), integers);
        // Through a snapshot (as JSON text) and through columns, ids stay as given.
        let again = through_snapshot(plan);
        assert_eq!((again.integer_ids(), reports_integer_ids(&again)), (integers, integers));
        assert_eq!(again.to_snapshot(), plan.to_snapshot());
        if let Some(cols) = plan.to_columns() {
            let again = Plan::from_columns(&cols).unwrap();
            assert_eq!((again.integer_ids(), reports_integer_ids(&again)), (integers, integers));
        }
        // Either way, `1` and `"1"` name the same node.
        assert!(plan.contains("2") && plan.node("2").is_some());
    }
    // The same scores whichever way the ids were given.
    let policy = as_text.policy().clone();
    assert_eq!(exactly(&as_text, "2026-02-15", &policy), exactly(&as_integers, "2026-02-15", &policy));
    // A snapshot written before `integer_ids` (the field absent) reads ids that are all
    // integers as integers, as those versions did.
    for plan in [&as_text, &as_integers] {
        let mut old = serde_json::to_value(plan.to_snapshot()).unwrap();
        assert!(old.as_object_mut().unwrap().remove("integer_ids").is_some());
        let again = Plan::from_snapshot(&serde_json::from_value::<Snapshot>(old).unwrap()).unwrap();
        assert!(again.integer_ids() && reports_integer_ids(&again));
    }
}

#[test]
fn columns_give_a_document_listing_objectives_first_back_exactly() {
    for seed in 0..6 {
        // `random_plan` with its key results moved to the last objective: every objective
        // comes before every key result, as in columns.
        let mut doc = random_plan(seed, 40);
        let objectives = doc["objectives"].as_array_mut().unwrap();
        let krs: Vec<Value> =
            objectives.iter_mut().flat_map(|o| o["key_results"].as_array_mut().unwrap().drain(..)).collect();
        objectives.last_mut().unwrap()["key_results"] = Value::Array(krs);
        let plan = Plan::from_json(&doc.to_string()).unwrap();
        let again = through_columns(&plan);
        assert_eq!(again.to_snapshot(), plan.to_snapshot(), "seed {seed}");
        let policy = Policy::default();
        assert_eq!(exactly(&again, "2026-02-15", &policy), exactly(&plan, "2026-02-15", &policy));
    }
}

#[test]
fn columns_hold_no_plan_they_cannot_give_back() {
    let base = serde_json::json!({"objectives": [{"id": "o"}, {"id": "p", "key_results": [
        {"id": "k", "kind": "linear", "start": 0, "target": 1, "check_ins": [{"date": "2026-01-02", "value": 0.5}]}]}]});
    assert!(Plan::from_json(&base.to_string()).unwrap().to_columns().is_some());
    type Edit<'a> = (&'a str, &'a dyn Fn(&mut Value));
    let edits: [Edit; 6] = [
        ("a key result before an objective", &|d| {
            d["objectives"].as_array_mut().unwrap().push(serde_json::json!({"id": "q"}))
        }),
        ("a note on an objective", &|d| d["objectives"][0]["note"] = "why".into()),
        ("a note on a key result", &|d| d["objectives"][1]["key_results"][0]["note"] = "why".into()),
        ("a note on a check-in", &|d| {
            d["objectives"][1]["key_results"][0]["check_ins"][0]["note"] = "why".into()
        }),
        ("milestones", &|d| {
            d["objectives"][1]["key_results"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"id": "m", "kind": "milestones", "milestones": [{"name": "a"}]}))
        }),
        ("piecewise", &|d| {
            d["objectives"][1]["key_results"]
                .as_array_mut()
                .unwrap()
                .push(serde_json::json!({"id": "w", "kind": "piecewise", "points": [[0, 0], [1, 1]]}))
        }),
    ];
    for (what, edit) in edits {
        let mut doc = base.clone();
        edit(&mut doc);
        let plan = Plan::from_json(&doc.to_string()).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(plan.to_columns().is_none(), "{what}");
    }
}

/// A large plan (75,000 key results, past the size at which building and scoring split between
/// two threads): every kind columns hold, in shuffled order, with integer ids.
#[test]
fn columns_of_a_large_plan_give_it_back_exactly() {
    use okr_core::{AggregateOp, KeyResultKind as K};
    let mut next = crate::xorshift(0x2545_f491_4f6c_dd1d);
    let (no, nk) = (25_000_usize, 75_000_usize);
    let kinds = [K::Linear, K::AtLeast, K::AtMost, K::Range, K::Binary, K::Manual, K::Aggregate];
    let (mut kind, mut objective, mut number) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..nk {
        kind.push(kinds[next() as usize % kinds.len()]);
        objective.push((next() as usize % no) as i64);
        number.push((next() % 200) as f64 - 50.0);
    }
    // A binary key result's value is 0 or 1, a manual one's its score.
    let current: Vec<f64> = (kind.iter().zip(&number))
        .map(|(k, x)| match k {
            K::Binary => (*x > 0.0) as u8 as f64,
            K::Manual => x.abs() / 50.0,
            _ => x + 20.0,
        })
        .collect();
    let nan_unless = |on: &[K], v: f64| -> Vec<f64> {
        kind.iter().zip(&number).map(|(k, x)| if on.contains(k) { *x + v } else { f64::NAN }).collect()
    };
    let cols = Columns {
        objectives: ObjectiveColumns { id: (0..no as i64).collect::<Vec<_>>().into(), ..Default::default() },
        key_results: KeyResultColumns {
            id: (0..nk as i64).map(|i| 1_000_000 + i * 7).collect::<Vec<_>>().into(),
            objective: objective.into(),
            start: Some(nan_unless(&[K::Linear, K::Aggregate], 0.0).into()),
            target: Some(nan_unless(&[K::Linear, K::Aggregate], 300.0).into()),
            threshold: Some(nan_unless(&[K::AtLeast, K::AtMost], 1.0).into()),
            strict: Some(kind.iter().map(|_| next() % 2 == 0).collect()),
            low: Some(nan_unless(&[K::Range], -10.0).into()),
            high: Some(nan_unless(&[K::Range], 10.0).into()),
            op: Some(kind.iter().map(|k| (*k == K::Aggregate).then_some(AggregateOp::Sum)).collect()),
            current: Some(current.into()),
            weight: Some((0..nk).map(|_| 0.5 + (next() % 4) as f64).collect::<Vec<_>>().into()),
            kind,
            ..Default::default()
        },
        alignments: Some(AlignmentColumns {
            child: (1..no as i64).collect::<Vec<_>>().into(),
            parent: (1..no as u64).map(|i| (next() % i) as i64).collect::<Vec<_>>().into(),
            weight: None,
        }),
        ..Default::default()
    };
    let plan = Plan::from_columns(&cols).unwrap();
    let again = through_columns(&plan);
    assert_eq!(again.to_snapshot(), plan.to_snapshot());
    let d = day("2026-02-15");
    assert_eq!(
        serde_json::to_string(&again.score(d)).unwrap(),
        serde_json::to_string(&plan.score(d)).unwrap()
    );
}
