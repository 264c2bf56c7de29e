//! The public API: explanations, columnar input, node queries, report shape, invariants.

use okr_core::{
    AlignmentColumns, CheckInColumns, Columns, IdColumn, KeyResultColumns, KeyResultKind, NoData,
    NodeForecast, NodeType, ObjectiveColumns, Plan, Policy, Relation, Status,
};
use serde_json::{json, Value};

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

fn sample() -> Plan {
    Plan::from_json(
        &json!({
            "cycles": [{"id": "q1", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [
                {"id": "co", "title": "Grow", "level": "company", "cycle": "q1", "owner": "ceo", "key_results": [
                    {"id": "arr", "kind": "linear", "start": 10, "target": 14, "weight": 2,
                     "check_ins": [{"date": "2026-01-20", "value": 11.2, "confidence": 0.7, "note": "two deals"}]},
                    {"id": "churn", "kind": "linear", "start": 5, "target": 3, "current": 4.2}]},
                {"id": "team", "level": "team", "cycle": "q1", "parents": [{"id": "co", "weight": 3}],
                 "key_results": [{"id": "deals", "kind": "at_least", "threshold": 10, "current": 12}]}
            ]
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn explain_lists_contributors_and_fills_in_the_formula() {
    let report = sample().score(day("2026-02-15"));
    let ex = report.explain("co").unwrap();
    assert_eq!(ex.contributors.len(), 3);
    let arr = &ex.contributors[0];
    assert_eq!(
        (arr.id.as_str(), arr.relation, arr.weight, arr.counted),
        ("arr", Relation::KeyResult, 2.0, true)
    );
    assert!((arr.share - 2.0 / 3.0).abs() < 1e-12 && (arr.score - 0.3).abs() < 1e-12);
    // The aligned team objective is not counted: co has key results, so `auto` means key_results.
    let team = &ex.contributors[2];
    assert_eq!((team.relation, team.counted, team.share), (Relation::Aligned, false, 0.0));
    assert_eq!(ex.formula, "(2 × 0.3 + 1 × 0.4) / (2 + 1) = 0.333333");
    let kr = report.explain("churn").unwrap();
    assert_eq!(kr.formula, "(4.2 − 5) / (3 − 5) = 0.4");
    let deals = report.explain("deals").unwrap();
    assert_eq!(deals.formula, "12 ≥ 10 → score 1");
    assert_eq!(report.explain("nope").unwrap_err().code(), "unknown_id");
}

#[test]
fn no_data_exclude_leaves_contributors_without_data_out_and_says_so() {
    // `b` has no value; `f`'s three check-ins give a forecast; `n` and `m` never have data.
    let plan = Plan::from_json(
        &json!({
            "cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [
                {"id": "o", "cycle": "q", "key_results": [
                    {"id": "a", "kind": "linear", "start": 0, "target": 10, "current": 6},
                    {"id": "b", "kind": "linear", "start": 0, "target": 10, "weight": 3}]},
                {"id": "empty", "cycle": "q", "key_results": [{"id": "n", "kind": "binary"}]},
                {"id": "paced", "cycle": "q", "key_results": [
                    {"id": "f", "kind": "linear", "start": 0, "target": 89, "check_ins": [
                        {"date": "2026-01-11", "value": 10}, {"date": "2026-01-21", "value": 20},
                        {"date": "2026-01-31", "value": 30}]},
                    {"id": "m", "kind": "linear", "start": 0, "target": 10}]}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let exclude = Policy { no_data: NoData::Exclude, ..Policy::default() };
    let (zero, left) = (plan.score(day("2026-02-15")), plan.score_with(day("2026-02-15"), &exclude).unwrap());
    let o = left.explain("o").unwrap();
    assert_eq!(o.formula, "(1 × 0.6) / (1) = 0.6 (left out without data: b)");
    let b = &o.contributors[1];
    assert_eq!((b.id.as_str(), b.has_data, b.counted, b.share), ("b", false, false, 0.0));
    assert_eq!(zero.explain("o").unwrap().formula, "(1 × 0.6 + 3 × 0) / (1 + 3) = 0.15");
    assert!(zero.explain("o").unwrap().contributors[1].counted);
    let empty = left.explain("empty").unwrap();
    assert_eq!(empty.formula, "no contributor with data: score = 0 (no data) (left out without data: n)");
    assert_eq!((empty.score, empty.has_data), (0.0, false));
    // The objective's forecast rolls up what its score counts: `f` alone (on pace for 89 by
    // the end: 1), or `f` and `m`'s score of 0.
    let forecast = |r: &okr_core::Report| match r.get("paced").unwrap().forecast {
        Some(NodeForecast::Objective { score }) => score,
        other => panic!("{other:?}"),
    };
    assert!((forecast(&left) - 1.0).abs() < 1e-9, "{}", forecast(&left));
    assert!((forecast(&zero) - 0.5).abs() < 1e-9, "{}", forecast(&zero));
}

#[test]
fn node_queries() {
    let plan = sample();
    let co = plan.node("co").unwrap();
    assert_eq!(
        (co.title(), co.owner(), co.level(), co.cycle()),
        (Some("Grow"), Some("ceo"), Some("company"), Some("q1"))
    );
    assert_eq!(co.key_results().collect::<Vec<_>>(), ["arr", "churn"]);
    assert_eq!(co.children().collect::<Vec<_>>(), [("team", 3.0)]);
    let arr = plan.node("arr").unwrap();
    assert_eq!(
        (arr.node_type(), arr.kind(), arr.objective(), arr.cycle()),
        (NodeType::KeyResult, Some(KeyResultKind::Linear), Some("co"), Some("q1"))
    );
    let ci: Vec<_> = arr.check_ins().collect();
    assert_eq!(
        (ci.len(), ci[0].value, ci[0].confidence, ci[0].note.as_deref()),
        (1, Some(11.2), Some(0.7), Some("two deals"))
    );
    assert_eq!(plan.node("team").unwrap().parents().collect::<Vec<_>>(), ["co"]);
    assert_eq!(plan.nodes().map(|n| n.id()).collect::<Vec<_>>(), ["co", "arr", "churn", "team", "deals"]);
    assert!(plan.node("ghost").is_none());
    assert_eq!(plan.len(), 5);
    assert_eq!(plan.cycle("q1").unwrap().end, day("2026-03-31"));
}

#[test]
fn report_json_shape() {
    let report = sample().score(day("2026-02-15"));
    let v: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(v["as_of"], "2026-02-15");
    let nodes = v["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 5);
    let co = &nodes[0];
    for key in ["id", "type", "score", "expected", "status", "grade", "has_data", "value", "signals"] {
        assert!(co.get(key).is_some(), "objective lacks `{key}`");
    }
    assert_eq!(co["type"], "objective");
    assert!(co.get("kind").is_none());
    let arr = &nodes[1];
    assert_eq!(
        (arr["type"].as_str(), arr["kind"].as_str(), arr["objective"].as_str()),
        (Some("key_result"), Some("linear"), Some("co"))
    );
    assert_eq!(arr["value"], 11.2);
    // Last check-in on 01-20, 26 days before as_of (stale); 0.3 against 0.51 expected (behind pace).
    assert_eq!(arr["signals"], json!(["stale", "behind_pace"]));
    // 45 of 89 days elapsed.
    assert!((co["expected"].as_f64().unwrap() - 45.0 / 89.0).abs() < 1e-12);
}

#[test]
fn policy_override_is_validated() {
    let plan = sample();
    let bad = Policy { cap: -1.0, ..Policy::default() };
    assert_eq!(plan.score_with(day("2026-02-15"), &bad).unwrap_err().code(), "invalid_policy");
    let stretch = Policy { cap: 1.5, ..Policy::default() };
    let r = plan.score_with(day("2026-02-15"), &stretch).unwrap();
    assert_eq!(r.get("deals").unwrap().score, 1.0); // at_least is 0 or 1 whatever the cap
}

pub(crate) fn columns() -> Columns<'static> {
    Columns {
        objectives: ObjectiveColumns {
            id: vec!["co", "t"].into(),
            cycle: Some(vec![Some("q1"), Some("q1")].into()),
            level: Some(vec![Some("company"), None].into()),
            ..Default::default()
        },
        key_results: KeyResultColumns {
            id: vec!["k1", "k2", "k3"].into(),
            objective: vec!["co", "t", "t"].into(),
            kind: vec![KeyResultKind::Linear, KeyResultKind::AtMost, KeyResultKind::Linear],
            start: Some(vec![0.0, f64::NAN, 100.0].into()),
            target: Some(vec![10.0, f64::NAN, 0.0].into()),
            threshold: Some(vec![f64::NAN, 3.0, f64::NAN].into()),
            current: Some(vec![5.0, 2.0, f64::NAN].into()),
            weight: Some(vec![f64::NAN, 1.0, 3.0].into()),
            ..Default::default()
        },
        alignments: Some(AlignmentColumns {
            child: vec!["t"].into(),
            parent: vec!["co"].into(),
            weight: None,
        }),
        check_ins: Some(CheckInColumns {
            key_result: vec!["k3", "k3"].into(),
            date: vec![day("2026-01-10"), day("2026-02-01")],
            value: Some(vec![80.0, f64::NAN].into()),
            confidence: Some(vec![0.9, 0.4].into()),
        }),
        cycles: vec![okr_core::Cycle { id: "q1".into(), start: day("2026-01-01"), end: day("2026-03-31") }],
        policy: None,
        confidence_scale: None,
    }
}

#[test]
fn columns_match_the_document_form() {
    let from_cols = Plan::from_columns(&columns()).unwrap();
    let from_doc = Plan::from_json(
        &json!({
            "cycles": [{"id": "q1", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [
                {"id": "co", "cycle": "q1", "level": "company", "key_results": [
                    {"id": "k1", "kind": "linear", "start": 0, "target": 10, "current": 5}]},
                {"id": "t", "cycle": "q1", "parents": [{"id": "co"}], "key_results": [
                    {"id": "k2", "kind": "at_most", "threshold": 3, "current": 2},
                    {"id": "k3", "kind": "linear", "start": 100, "target": 0, "weight": 3, "check_ins": [
                        {"date": "2026-01-10", "value": 80, "confidence": 0.9}, {"date": "2026-02-01", "confidence": 0.4}]}]}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let d = day("2026-02-15");
    let (a, b) = (from_cols.score(d), from_doc.score(d));
    // Same nodes and numbers; input order differs (columns list objectives first).
    let mut left: Vec<String> = a.nodes().map(|n| serde_json::to_string(&n).unwrap()).collect();
    let mut right: Vec<String> = b.nodes().map(|n| serde_json::to_string(&n).unwrap()).collect();
    left.sort();
    right.sort();
    assert_eq!(left, right);
    // k3: NaN value in the second check-in means "no value": 80 is used, (80-100)/(0-100) = 0.2.
    assert!((from_cols.score(d).get("t").unwrap().score - (1.0 + 3.0 * 0.2) / 4.0).abs() < 1e-12);
}

/// A column that does not apply to a row's kind is not read for that row: an infinity there is
/// ignored (one table holds key results of every kind), while the columns a row reads are
/// checked as ever.
#[test]
fn columns_a_kind_does_not_read_are_ignored() {
    let d = day("2026-02-15");
    let want: Vec<String> = Plan::from_columns(&columns())
        .unwrap()
        .score(d)
        .nodes()
        .map(|n| serde_json::to_string(&n).unwrap())
        .collect();
    let mut c = columns();
    // k1 and k3 are linear, k2 at most: a threshold for the linear ones, a start and target
    // for the other, and low and high for none of them.
    c.key_results.threshold = Some(vec![f64::INFINITY, 3.0, f64::NEG_INFINITY].into());
    c.key_results.start = Some(vec![0.0, f64::INFINITY, 100.0].into());
    c.key_results.target = Some(vec![10.0, f64::NAN, 0.0].into());
    c.key_results.low = Some(vec![f64::INFINITY; 3].into());
    c.key_results.high = Some(vec![f64::NEG_INFINITY; 3].into());
    let got: Vec<String> = Plan::from_columns(&c)
        .unwrap()
        .score(d)
        .nodes()
        .map(|n| serde_json::to_string(&n).unwrap())
        .collect();
    assert_eq!(got, want);
    // The threshold k2 reads is checked.
    c.key_results.threshold = Some(vec![f64::NAN, f64::INFINITY, f64::NAN].into());
    let e = Plan::from_columns(&c).unwrap_err();
    assert_eq!((e.code(), e.to_string()), ("non_finite", "`k2` has non-finite threshold `inf`".into()));
}

/// Alignment columns are checked edge by edge in input order (the first bad edge is the error,
/// whichever check it fails), with or without a weight column, and their weights roll up as the
/// document form's do.
#[test]
fn alignment_columns_are_checked_in_order_and_weighted() {
    let with = |child: Vec<&'static str>, parent: Vec<&'static str>, weight: Option<Vec<f64>>| {
        let mut c = columns();
        c.objectives.id = vec!["co", "t", "u"].into();
        c.objectives.cycle = None;
        c.objectives.level = None;
        c.alignments = Some(AlignmentColumns {
            child: child.into(),
            parent: parent.into(),
            weight: weight.map(Into::into),
        });
        c.policy = Some(Policy { progress: okr_core::ProgressDriver::Both, ..Policy::default() });
        Plan::from_columns(&c)
    };
    let error = |r: Result<Plan, okr_core::Error>| r.map(|p| p.len()).map_err(|e| (e.code(), e.to_string()));
    let self_aligned = Err(("self_alignment", "`u` is aligned to itself".to_string()));
    assert_eq!(error(with(vec!["t", "u"], vec!["co", "u"], None)), self_aligned);
    assert_eq!(error(with(vec!["t", "u"], vec!["co", "u"], Some(vec![2.0, 1.0]))), self_aligned);
    // A bad weight on an earlier edge is reported before a later self-alignment, and after an
    // earlier one.
    let negative = Err((
        "invalid_weight",
        "edge `t` → `co` has invalid weight `-2`: weights must be finite and greater than 0".to_string(),
    ));
    assert_eq!(error(with(vec!["t", "u"], vec!["co", "u"], Some(vec![-2.0, 1.0]))), negative);
    assert_eq!(error(with(vec!["u", "t"], vec!["u", "co"], Some(vec![1.0, -2.0]))), self_aligned);
    assert_eq!(
        error(with(vec!["t", "u"], vec!["co", "co"], Some(vec![1.0, f64::INFINITY]))).unwrap_err().0,
        "non_finite"
    );

    // Weights: NaN is the default 1; the second edge weighs 3 in `co`'s mean.
    let d = day("2026-02-15");
    let weighted = with(vec!["t", "u"], vec!["co", "co"], Some(vec![f64::NAN, 3.0])).unwrap().score(d);
    let unit = with(vec!["t", "u"], vec!["co", "co"], None).unwrap().score(d);
    let (k1, t) = (weighted.get("k1").unwrap().score, weighted.get("t").unwrap().score);
    let u = weighted.get("u").unwrap().score;
    assert!((weighted.get("co").unwrap().score - (k1 + t + 3.0 * u) / 5.0).abs() < 1e-12);
    assert!((unit.get("co").unwrap().score - (k1 + t + u) / 3.0).abs() < 1e-12);
    assert!(u == 0.0 && k1 > 0.0, "the weight must change the mean: k1 {k1}, u {u}");
    assert!((weighted.get("co").unwrap().score - unit.get("co").unwrap().score).abs() > 1e-3);
}

#[test]
fn integer_ids_are_their_decimal_text() {
    let cols = Columns {
        objectives: ObjectiveColumns { id: IdColumn::Integers(vec![7, 8].into()), ..Default::default() },
        key_results: KeyResultColumns {
            id: IdColumn::Integers(vec![70].into()),
            objective: IdColumn::Strings(vec!["8".into()]),
            kind: vec![KeyResultKind::Binary],
            current: Some(vec![1.0].into()),
            ..Default::default()
        },
        alignments: Some(AlignmentColumns {
            child: IdColumn::Integers(vec![8].into()),
            parent: IdColumn::Integers(vec![7].into()),
            weight: None,
        }),
        ..Default::default()
    };
    let report = Plan::from_columns(&cols).unwrap().score(day("2026-01-01"));
    assert_eq!(report.get("7").unwrap().score, 1.0);
    assert_eq!(report.get("70").unwrap().objective, Some("8"));
}

#[test]
fn column_errors_name_the_problem() {
    let mut c = columns();
    c.key_results.start = Some(vec![0.0].into());
    let e = Plan::from_columns(&c).unwrap_err();
    assert_eq!(e.code(), "length_mismatch");
    assert_eq!(e.to_string(), "column `start` of key_results has 1 rows, expected 3");

    let mut c = columns();
    c.key_results.objective = vec!["co", "k1", "t"].into();
    let e = Plan::from_columns(&c).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string()),
        ("unknown_objective", "key result `k2` belongs to unknown objective `k1`".into())
    );

    let mut c = columns();
    c.key_results.current = Some(vec![f64::INFINITY, 1.0, 1.0].into());
    assert_eq!(Plan::from_columns(&c).unwrap_err().to_string(), "`k1` has non-finite current `inf`");

    let mut c = columns();
    c.key_results.target = Some(vec![f64::NAN, f64::NAN, 0.0].into());
    assert_eq!(Plan::from_columns(&c).unwrap_err().code(), "missing_field");

    // An empty id is named by its table and row, whichever way the text column came.
    let mut c = columns();
    c.key_results.id = vec!["k1", "", "k3"].into();
    let e = Plan::from_columns(&c).unwrap_err();
    assert_eq!(e.code(), "empty_id");
    assert!(e.to_string().starts_with("empty id in key_results at row 1:"), "{e}");
    let mut c = columns();
    c.objectives.id = okr_core::Utf8Ids::new(vec![0, 2, 2], "co").unwrap().into();
    assert!(Plan::from_columns(&c).unwrap_err().to_string().starts_with("empty id in objectives at row 1:"));
    let mut c = columns();
    c.cycles.push(okr_core::Cycle { id: String::new(), ..c.cycles[0].clone() });
    let e = Plan::from_columns(&c).unwrap_err();
    assert!(e.to_string().starts_with("empty id in cycles at row 1:"), "{e}");

    let mut c = columns();
    c.check_ins.as_mut().unwrap().key_result = vec!["k3", "zz"].into();
    assert_eq!(Plan::from_columns(&c).unwrap_err().code(), "unknown_key_result");

    let mut c = columns();
    c.check_ins.as_mut().unwrap().key_result = vec!["k3", "t"].into();
    assert_eq!(Plan::from_columns(&c).unwrap_err().code(), "invalid_value");

    let mut c = columns();
    c.alignments = Some(AlignmentColumns {
        child: vec!["co"].into(),
        parent: vec!["t"].into(),
        weight: Some(vec![f64::NEG_INFINITY].into()),
    });
    assert_eq!(Plan::from_columns(&c).unwrap_err().code(), "non_finite");

    let mut c = columns();
    c.alignments = Some(AlignmentColumns {
        child: vec!["t", "co"].into(),
        parent: vec!["co", "t"].into(),
        weight: None,
    });
    assert_eq!(Plan::from_columns(&c).unwrap_err().to_string(), "alignment cycle: `co` → `t` → `co`");

    let mut c = columns();
    c.key_results.kind[0] = KeyResultKind::Milestones;
    assert!(Plan::from_columns(&c).unwrap_err().to_string().contains("document form"));
}

#[test]
fn empty_plan_scores_nothing() {
    let plan = Plan::from_json("{}").unwrap();
    assert!(plan.is_empty());
    let r = plan.score(day("2026-01-01"));
    assert!(r.is_empty());
    assert_eq!(r.to_json(), r#"{"as_of":"2026-01-01","nodes":[]}"#);
}

/// A small deterministic generator (no external crates in the core's tests).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 10_000) as f64 / 10_000.0
    }
}

pub(crate) fn random_plan(seed: u64, n: usize) -> Value {
    let mut rng = Lcg(seed);
    let objectives: Vec<Value> = (0..n)
        .map(|i| {
            let parents: Vec<Value> = if i == 0 {
                vec![]
            } else {
                let first = rng.next() as usize % i;
                let mut ps = vec![json!({"id": format!("o{first}"), "weight": 1.0 + rng.unit()})];
                if i > 2 && rng.unit() < 0.3 {
                    // A second parent, never the first again (an edge given twice is an error).
                    let extra = rng.next() as usize % i;
                    if extra != first {
                        ps.push(json!({"id": format!("o{extra}"), "weight": 0.5}));
                    }
                }
                ps
            };
            let krs: Vec<Value> = (0..(rng.next() % 4))
                .map(|k| json!({"id": format!("k{i}-{k}"), "kind": "linear", "start": 0, "target": if rng.unit() < 0.5 { 10 } else { -10 },
                                "weight": 1.0 + rng.unit() * 3.0, "current": (rng.unit() * 30.0) - 10.0}))
                .collect();
            let progress = ["auto", "key_results", "children", "both"][rng.next() as usize % 4];
            json!({"id": format!("o{i}"), "cycle": "q", "progress": progress, "parents": parents, "key_results": krs})
        })
        .collect();
    json!({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}], "objectives": objectives})
}

#[test]
fn objective_scores_lie_between_their_contributors() {
    for seed in 0..20 {
        let plan = Plan::from_json(&random_plan(seed, 60).to_string()).unwrap();
        let report = plan.score(day("2026-02-01"));
        for node in report.nodes() {
            assert!((0.0..=1.0).contains(&node.score), "{} out of bounds", node.id);
            let ex = report.explain(node.id).unwrap();
            let counted: Vec<f64> = ex.contributors.iter().filter(|c| c.counted).map(|c| c.score).collect();
            if node.node_type == NodeType::Objective && !counted.is_empty() {
                let lo = counted.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = counted.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                assert!(node.score >= lo - 1e-12 && node.score <= hi + 1e-12, "seed {seed} `{}`", node.id);
                let sum: f64 = ex.contributors.iter().map(|c| c.contribution).sum();
                assert!((sum - node.score).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn input_order_and_weight_scale_change_nothing() {
    for seed in 0..10 {
        let doc = random_plan(seed, 50);
        let base = Plan::from_json(&doc.to_string()).unwrap().score(day("2026-02-01"));
        let mut reversed = doc.clone();
        reversed["objectives"].as_array_mut().unwrap().reverse();
        let mut scaled = doc.clone();
        for o in scaled["objectives"].as_array_mut().unwrap() {
            for p in o["parents"].as_array_mut().unwrap() {
                p["weight"] = json!(p["weight"].as_f64().unwrap() * 8.0);
            }
            for k in o["key_results"].as_array_mut().unwrap() {
                k["weight"] = json!(k["weight"].as_f64().unwrap() * 8.0);
            }
        }
        for other in [reversed, scaled] {
            let r = Plan::from_json(&other.to_string()).unwrap().score(day("2026-02-01"));
            for node in base.nodes() {
                let o = r.get(node.id).unwrap();
                assert!((o.score - node.score).abs() < 1e-12, "seed {seed} `{}`", node.id);
                assert_eq!(o.status, node.status);
            }
        }
    }
}

#[test]
fn status_counts_are_consistent_with_expected() {
    let report = sample().score(day("2025-12-01"));
    assert!(report.nodes().all(|n| n.status == Status::NotStarted || n.status == Status::Achieved));
    assert!(report.nodes().all(|n| n.expected == Some(0.0)));
}

/// Every column of `Report::columns` (and of `columns_utf8`, text ids in Arrow's layout)
/// agrees with the node-by-node view, in input order.
pub(crate) fn assert_columns_match_nodes(report: &okr_core::Report) {
    let (plain, arrow) = (report.columns(), report.columns_utf8());
    let text_ids = !report.plan().integer_ids();
    assert_eq!(matches!(arrow.id, okr_core::IdValues::Utf8(_)), text_ids);
    assert_eq!(matches!(arrow.objective, okr_core::OptionalIdValues::Utf8 { .. }), text_ids);
    assert_eq!((&plain.score, &plain.status), (&arrow.score, &arrow.status));
    for c in [plain, arrow] {
        assert_columns_match(report, &c);
    }
    use okr_core::ReportColumn as C;
    for utf8 in [false, true] {
        for c in C::ALL {
            assert_selected(report, &[c], utf8);
        }
        assert_selected(report, &[], utf8);
        assert_selected(report, &[C::Signals, C::Id, C::Score, C::Status, C::Expected], utf8);
        assert_selected(report, &[C::Confidence, C::ForecastScore], utf8);
        assert_selected(report, &[C::Objective, C::Value, C::Kind], utf8);
    }
}

/// `Report::columns_of(which)` holds the columns of `which` exactly as `columns` does, and
/// every other column empty.
fn assert_selected(report: &okr_core::Report, which: &[okr_core::ReportColumn], utf8: bool) {
    use okr_core::{IdValues, OptionalIdValues, ReportColumn as C};
    let (all, some) = (report.columns_of(&C::ALL, utf8), report.columns_of(which, utf8));
    let has = |c: C| which.contains(&c);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    macro_rules! same {
        ($($field:ident: $c:expr),*) => {$(
            if has($c) {
                assert_eq!(some.$field, all.$field, "{} of {which:?}", $c.name());
            } else {
                assert!(some.$field.is_empty(), "{} not asked for in {which:?}", $c.name());
            }
        )*};
    }
    macro_rules! same_floats {
        ($($field:ident: $c:expr),*) => {$(
            if has($c) {
                assert_eq!(bits(&some.$field), bits(&all.$field), "{} of {which:?}", $c.name());
            } else {
                assert!(some.$field.is_empty(), "{} not asked for in {which:?}", $c.name());
            }
        )*};
    }
    same!(node_type: C::Type, kind: C::Kind, status: C::Status, grade: C::Grade, has_data: C::HasData);
    same!(signals: C::Signals);
    same_floats!(score: C::Score, expected: C::Expected, value: C::Value, confidence: C::Confidence);
    same_floats!(forecast_score: C::ForecastScore);
    let id_len = match &some.id {
        IdValues::Integers(v) => v.len(),
        IdValues::Text(v) => v.len(),
        IdValues::Utf8(v) => v.len(),
    };
    if has(C::Id) {
        assert_eq!(some.id, all.id);
    } else {
        assert_eq!(id_len, 0, "id not asked for in {which:?}");
    }
    let objective_len = match &some.objective {
        OptionalIdValues::Integers { values, null } => values.len().max(null.len()),
        OptionalIdValues::Text(v) => v.len(),
        OptionalIdValues::Utf8 { ids, null } => ids.len().max(null.len()),
    };
    if has(C::Objective) {
        assert_eq!(some.objective, all.objective);
    } else {
        assert_eq!(objective_len, 0, "objective not asked for in {which:?}");
    }
}

#[test]
fn report_columns_are_named_and_listed_by_name() {
    use okr_core::ReportColumn as C;
    let names: Vec<&str> = C::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(C::parse_list(&names).unwrap(), C::ALL);
    assert_eq!(C::parse_list(&["status", "id"]).unwrap(), [C::Status, C::Id]);
    assert_eq!(C::parse_list::<&str>(&[]).unwrap(), []);
    let e = C::parse_list(&["score", "scores"]).unwrap_err();
    assert_eq!((e.code(), e.to_string().as_str()), ("unknown_column", "unknown column `scores` in report"));
    let e = C::parse_list(&["score", "id", "score"]).unwrap_err();
    assert_eq!(e.code(), "invalid_input");
    assert!(e.to_string().contains("`score` is asked for twice"), "{e}");
    // The names are those of the JSON report's node lines (`node_type` is `type` there too;
    // a line leaves out what it does not have, so look at every line).
    let acme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/acme.json")).unwrap();
    let keys: std::collections::BTreeSet<String> = Plan::from_json(&acme)
        .unwrap()
        .score(day("2026-02-15"))
        .nodes()
        .filter_map(|n| serde_json::to_value(n).unwrap().as_object().cloned())
        .flat_map(|line| line.keys().cloned().collect::<Vec<_>>())
        .collect();
    for c in C::ALL {
        // The JSON line has the whole forecast where a column has its score.
        let key = if c == C::ForecastScore { "forecast" } else { c.name() };
        assert!(keys.contains(key), "{key} is not a key of any line: {keys:?}");
    }
}

fn assert_columns_match(report: &okr_core::Report, c: &okr_core::ReportColumns<'_>) {
    let nodes: Vec<_> = report.nodes().collect();
    let text = |i: usize| c.id.get(i).into_owned();
    let objective = |i: usize| c.objective.get(i).map(|o| o.into_owned());
    let same = |a: f64, b: Option<f64>| a.to_bits() == b.unwrap_or(f64::NAN).to_bits();
    for (i, n) in nodes.iter().enumerate() {
        assert_eq!(text(i), n.id);
        assert_eq!(objective(i).as_deref(), n.objective, "{}", n.id);
        assert_eq!((c.node_type[i], c.kind[i]), (n.node_type, n.kind));
        assert_eq!(c.score[i], n.score);
        assert!(same(c.expected[i], n.expected) && same(c.value[i], n.value), "{}", n.id);
        assert!(same(c.confidence[i], n.confidence), "{}", n.id);
        assert_eq!((c.status[i], c.grade[i], c.has_data[i]), (n.status, n.grade, n.has_data));
        let names: Vec<&str> = okr_core::Report::SIGNAL_NAMES
            .iter()
            .enumerate()
            .filter(|(b, _)| c.signals[i] & (1 << b) != 0)
            .map(|(_, s)| *s)
            .collect();
        assert_eq!(names, n.signals);
    }
    assert_eq!(c.score.len(), nodes.len());
}

#[test]
fn report_columns_agree_with_nodes_for_text_and_integer_ids() {
    let acme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/acme.json")).unwrap();
    let plan = Plan::from_json(&acme).unwrap();
    assert!(!plan.integer_ids());
    assert_columns_match_nodes(&plan.score(day("2026-02-15")));
    let mut cols = columns();
    cols.objectives.id = vec![1_i64, 2].into();
    cols.key_results.id = vec![10_i64, 20, 30].into();
    cols.key_results.objective = vec![1_i64, 2, 2].into();
    cols.alignments =
        Some(AlignmentColumns { child: vec![2_i64].into(), parent: vec![1_i64].into(), weight: None });
    cols.check_ins.as_mut().unwrap().key_result = vec![30_i64, 30].into();
    let plan = Plan::from_columns(&cols).unwrap();
    assert!(plan.integer_ids());
    let report = plan.score(day("2026-02-15"));
    assert!(matches!(report.columns().id, okr_core::IdValues::Integers(_)));
    assert_columns_match_nodes(&report);
}

/// The expected column, whether every node shares one cycle (one number for all rows), none
/// has a cycle (NaN throughout), or cycles differ (read per node).
#[test]
fn expected_column_for_one_cycle_none_and_several() {
    let plan = |cycles: [Option<&str>; 3]| {
        let objectives: Vec<Value> = cycles
            .iter()
            .enumerate()
            .map(|(i, cycle)| {
                let kr = json!({"id": format!("k{i}"), "kind": "linear", "start": 0, "target": 10, "current": i * 3});
                let mut o = json!({"id": format!("o{i}"), "key_results": [kr]});
                if let Some(c) = cycle {
                    o["cycle"] = json!(c);
                }
                if i > 0 {
                    o["parents"] = json!([{"id": "o0"}]);
                }
                o
            })
            .collect();
        let doc = json!({"cycles": [
            {"id": "q1", "start": "2026-01-01", "end": "2026-03-31"},
            {"id": "h1", "start": "2026-01-01", "end": "2026-06-30"}], "objectives": objectives});
        Plan::from_json(&doc.to_string()).unwrap()
    };
    let expected = |cycles| {
        let report = plan(cycles).score(day("2026-02-15"));
        assert_columns_match_nodes(&report);
        report.columns_of(&[okr_core::ReportColumn::Expected], false).expected
    };
    let one = expected([Some("q1"); 3]);
    assert!(one.iter().all(|&e| (e - 45.0 / 89.0).abs() < 1e-12), "{one:?}");
    assert!(expected([None; 3]).iter().all(|e| e.is_nan()));
    let mixed = expected([Some("q1"), None, Some("h1")]);
    // Rows in document order: o0 k0 (q1), o1 k1 (no cycle), o2 k2 (h1, a longer cycle).
    assert_eq!(
        mixed.iter().map(|e| e.is_nan()).collect::<Vec<_>>(),
        [false, false, true, true, false, false]
    );
    assert!(mixed[0] == one[0] && mixed[1] == one[0] && mixed[4] == mixed[5], "{mixed:?}");
    assert!(mixed[4] < mixed[0], "{mixed:?}");
}

#[test]
fn coded_text_columns_read_like_plain_ones() {
    let plain = Plan::from_columns(&columns()).unwrap();
    let mut cols = columns();
    cols.objectives.cycle = Some(okr_core::Texts::Coded { codes: vec![0, 0], categories: vec!["q1".into()] });
    cols.objectives.level = Some(okr_core::Texts::Coded {
        codes: vec![1, -1],
        categories: vec!["team".into(), "company".into()],
    });
    let coded = Plan::from_columns(&cols).unwrap();
    let day = day("2026-02-15");
    assert_eq!(plain.score(day).to_json(), coded.score(day).to_json());
    assert_eq!(coded.node("co").unwrap().level(), Some("company"));
    assert_eq!(coded.node("t").unwrap().level(), None);
    // A code with no category, and a category naming no cycle, are errors naming what is wrong.
    let mut bad = cols.clone();
    bad.objectives.level =
        Some(okr_core::Texts::Coded { codes: vec![0, 2], categories: vec!["team".into()] });
    let e = Plan::from_columns(&bad).unwrap_err();
    assert_eq!((e.code(), e.to_string().contains("objectives.level: code 2")), ("invalid_input", true));
    let mut bad = cols;
    bad.objectives.cycle =
        Some(okr_core::Texts::Coded { codes: vec![0, 1], categories: vec!["q1".into(), "q9".into()] });
    let e = Plan::from_columns(&bad).unwrap_err();
    assert_eq!(e.code(), "unknown_cycle");
    assert!(e.to_string().contains("`t`") && e.to_string().contains("q9"), "{e}");
}

#[test]
fn document_keys_in_any_order_read_like_the_parsed_document() {
    // `from_json` validates objectives as it reads them; cycles (and the policy) may come after
    // the objectives that name them, and the plan is `from_document`'s all the same.
    for seed in 0..5 {
        let mut doc = random_plan(seed, 40);
        doc["objectives"][0]["cycle"] = Value::Null; // read at once, before any cycle is known
        doc["policy"] = json!({"progress": "both", "cap": 1.2});
        let (cycles, objectives, policy) = (&doc["cycles"], &doc["objectives"], &doc["policy"]);
        let canonical = doc.to_string();
        let want = Plan::from_document(&serde_json::from_str(&canonical).unwrap()).unwrap();
        let want = want.score(day("2026-02-01")).to_json();
        for text in [
            format!(r#"{{"cycles": {cycles}, "objectives": {objectives}, "policy": {policy}}}"#),
            format!(r#"{{"objectives": {objectives}, "policy": {policy}, "cycles": {cycles}}}"#),
            format!(r#"{{"policy": {policy}, "objectives": {objectives}, "cycles": {cycles}}}"#),
        ] {
            let got = Plan::from_json(&text).unwrap().score(day("2026-02-01")).to_json();
            assert_eq!(got, want, "seed {seed}: {}", &text[..30]);
        }
    }
    // The document's own errors, as serde words them, and errors found while reading.
    let err = |text: &str| Plan::from_json(text).unwrap_err();
    let e = err(r#"{"objectives": [], "owner": "x"}"#);
    assert_eq!(e.code(), "malformed");
    assert!(
        e.to_string().contains("unknown field `owner`, expected one of `cycles`, `objectives`, `policy`"),
        "{e}"
    );
    let e = err(r#"{"cycles": [], "cycles": []}"#);
    assert!(e.to_string().contains("duplicate field `cycles`"), "{e}");
    assert!(err("[]").to_string().contains("expected a plan document"));
    assert!(err(r#"{"objectives": {}}"#).to_string().contains("expected a sequence of objectives"));
    // An objective naming a cycle the document never defines waits, then fails naming both.
    let e = err(r#"{"objectives": [{"id": "o", "cycle": "q9"}]}"#);
    assert_eq!(e.code(), "unknown_cycle");
    assert!(e.to_string().contains("q9"), "{e}");
    // A validation error is reported even if the text after it is not JSON.
    let e = err(r#"{"objectives": [{"id": "o"}, {"id": "o"}, {"id": "#);
    assert_eq!(e.code(), "duplicate_id");
    let e = err(r#"{"cycles": [{"id": "q", "start": "2026-02-01", "end": "2026-01-01"}], "objectives": ["#);
    assert_eq!(e.code(), "invalid_dates");
    assert_eq!(err(r#"{"objectives": [{"id": "o"}]"#).code(), "malformed");
}

#[test]
fn numbers_read_from_json_are_the_numbers_written() {
    // Every JSON writer (Python's `json`, JavaScript's `JSON.stringify`, serde) writes the
    // shortest text that reads back as the same double; reading must be exact, or a plan sent
    // as JSON scores differently from the same plan sent as columns. These two read one unit in
    // the last place off with serde_json's default (fast, not correctly rounded) parser.
    for v in [11.998999999999999_f64, -7.7379999999999995] {
        let text = format!(
            r#"{{"objectives": [{{"id": "o", "key_results": [{{"id": "k", "kind": "manual", "current": {v}}}]}}]}}"#
        );
        let report = Plan::from_json(&text).unwrap().score(day("2026-02-01"));
        assert_eq!(report.get("k").unwrap().value.map(f64::to_bits), Some(v.to_bits()), "{text}");
    }
}

#[test]
fn confidences_on_a_declared_scale_are_mapped_onto_zero_to_one() {
    // The same check-ins given on [0, 1] and on a 1–10 scale (1 ↦ 0, 10 ↦ 1, 5.5 ↦ 0.5).
    let doc = |confidences: [f64; 3], scale: Option<[f64; 2]>| {
        let mut d = json!({
            "cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [{"id": "o", "cycle": "q", "key_results": [{"id": "k", "kind": "linear", "start": 0,
                "target": 10, "check_ins": [
                    {"date": "2026-01-05", "value": 1, "confidence": confidences[0]},
                    {"date": "2026-01-19", "value": 2, "confidence": confidences[1]},
                    {"date": "2026-02-02", "value": 3, "confidence": confidences[2]}]}]}]
        });
        if let Some(s) = scale {
            d["confidence_scale"] = json!(s);
        }
        d
    };
    let unit = Plan::from_json(&doc([1.0, 0.5, 0.0], None).to_string()).unwrap().score(day("2026-02-10"));
    let node = |r: &okr_core::Report| r.get("k").map(|n| n.confidence);
    assert_eq!(node(&unit).unwrap(), Some(0.0));
    for scale in [None, Some([0.0, 1.0])] {
        let same = Plan::from_json(&doc([1.0, 0.5, 0.0], scale).to_string()).unwrap();
        assert_eq!(same.score(day("2026-02-10")).to_json(), unit.to_json(), "{scale:?}");
    }
    let ten = doc([10.0, 5.5, 1.0], Some([1.0, 10.0]));
    let want = unit.to_json();
    assert_eq!(Plan::from_json(&ten.to_string()).unwrap().score(day("2026-02-10")).to_json(), want);
    // The scale may come after the objectives, and the parsed document reads alike.
    let (c, o) = (&ten["cycles"], &ten["objectives"]);
    let late = format!(r#"{{"objectives": {o}, "cycles": {c}, "confidence_scale": [1, 10]}}"#);
    assert_eq!(Plan::from_json(&late).unwrap().score(day("2026-02-10")).to_json(), want);
    let parsed: okr_core::Document = serde_json::from_value(ten.clone()).unwrap();
    assert_eq!(parsed.confidence_scale, Some([1.0, 10.0]));
    assert_eq!(Plan::from_document(&parsed).unwrap().score(day("2026-02-10")).to_json(), want);
    // A confidence off the declared scale names the key result, the value, the day and the scale;
    // without a scale, the message stays the [0, 1] one.
    for text in [doc([10.0, 0.5, 1.0], Some([1.0, 10.0])).to_string(), late.replace("[1, 10]", "[2, 10]")] {
        let e = Plan::from_json(&text).unwrap_err();
        assert_eq!(e.code(), "invalid_value");
        assert!(e.to_string().contains("`k` has invalid confidence: `"), "{e}");
        assert!(e.to_string().contains("is outside the declared scale ["), "{e}");
    }
    let e = Plan::from_json(&doc([5.0, 11.0, 5.0], Some([1.0, 10.0])).to_string()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`k` has invalid confidence: `11` on 2026-01-19 is outside the declared scale [1, 10]"
    );
    let e = Plan::from_json(&doc([0.5, 1.5, 0.5], None).to_string()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "`k` has invalid confidence: `1.5` on 2026-01-19 is outside [0, 1] (confidences on another scale \
         need `confidence_scale`, such as [1, 10])"
    );
    // A scale needs a finite low below a finite high.
    for bad in ["[10, 1]", "[1, 1]", "[-2, -2]"] {
        let e = Plan::from_json(&format!(r#"{{"confidence_scale": {bad}, "objectives": []}}"#)).unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{bad}: {e}");
    }
    assert_eq!(
        Plan::from_json(r#"{"confidence_scale": [10, 1]}"#).unwrap_err().to_string(),
        "invalid input: `confidence_scale` is [10, 1]: it needs a finite low below a finite high"
    );
    // Columns take the scale too.
    let mut cols = Columns {
        objectives: ObjectiveColumns {
            id: vec!["o"].into(),
            cycle: Some(vec![Some("q")].into()),
            ..Default::default()
        },
        key_results: KeyResultColumns {
            id: vec!["k"].into(),
            objective: vec!["o"].into(),
            kind: vec![KeyResultKind::Linear],
            start: Some(vec![0.0].into()),
            target: Some(vec![10.0].into()),
            ..Default::default()
        },
        check_ins: Some(CheckInColumns {
            key_result: vec!["k", "k", "k"].into(),
            date: ["2026-01-05", "2026-01-19", "2026-02-02"].map(day).to_vec(),
            value: Some(vec![1.0, 2.0, 3.0].into()),
            confidence: Some(vec![10.0, 5.5, 1.0].into()),
        }),
        cycles: vec![okr_core::Cycle { id: "q".into(), start: day("2026-01-01"), end: day("2026-03-31") }],
        confidence_scale: Some([1.0, 10.0]),
        ..Default::default()
    };
    assert_eq!(Plan::from_columns(&cols).unwrap().score(day("2026-02-10")).to_json(), want);
    cols.confidence_scale = None;
    assert!(Plan::from_columns(&cols)
        .unwrap_err()
        .to_string()
        .contains("`10` on 2026-01-05 is outside [0, 1]"));
}

#[test]
fn document_dates_are_read_as_days_and_a_bad_one_is_named() {
    let text = json!({
        "cycles": [{"id": "q1", "start": "2026-01-01", "end": "2026-03-31"}],
        "objectives": [{"id": "o", "cycle": "q1", "key_results": [
            {"id": "m", "kind": "milestones", "milestones": [
                {"name": "a", "done_on": "2026-01-10"}, {"name": "b", "done_on": null}, {"name": "c"}]},
            {"id": "k", "kind": "binary", "check_ins": [{"date": "2026-01-20", "value": 1}]}]}]
    })
    .to_string();
    let doc: okr_core::Document = serde_json::from_str(&text).unwrap();
    let ms = &doc.objectives[0].key_results[0].milestones;
    assert_eq!(ms.iter().map(|m| m.done_on).collect::<Vec<_>>(), [Some(day("2026-01-10")), None, None]);
    // Written back, the dates are the same text.
    let again: okr_core::Document = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
    assert_eq!(again, doc);
    let report = Plan::from_json(&text).unwrap().score(day("2026-02-01"));
    assert!((report.get("m").unwrap().score - 1.0 / 3.0).abs() < 1e-12);
    for (bad, value) in [("2026-01-01", "2026-02-30"), ("2026-01-20", "Jan 20"), ("2026-01-10", "2026-1-10x")]
    {
        let err = Plan::from_json(&text.replacen(bad, value, 1)).unwrap_err();
        assert_eq!(err.code(), "malformed");
        assert!(err.to_string().contains(&format!("invalid date `{value}`: expected YYYY-MM-DD")), "{err}");
    }
    // A date must be text.
    let err = Plan::from_json(&text.replacen("\"2026-01-20\"", "20260120", 1)).unwrap_err();
    assert!(err.to_string().contains("expected a date as YYYY-MM-DD"), "{err}");
}

#[test]
fn threshold_and_range_formulas_state_what_holds() {
    let plan = Plan::from_json(
        &json!({"objectives": [{"id": "o", "key_results": [
            {"id": "ge_met", "kind": "at_least", "threshold": 10, "current": 10},
            {"id": "ge_missed", "kind": "at_least", "threshold": 10, "current": 8},
            {"id": "gt_missed", "kind": "at_least", "threshold": 10, "strict": true, "current": 10},
            {"id": "le_missed", "kind": "at_most", "threshold": 5, "current": 6},
            {"id": "lt_met", "kind": "at_most", "threshold": 5, "strict": true, "current": 4},
            {"id": "lt_missed", "kind": "at_most", "threshold": 5, "strict": true, "current": 5},
            {"id": "in", "kind": "range", "low": 3, "high": 5, "current": 4},
            {"id": "below", "kind": "range", "low": 3, "high": 5, "current": 2},
            {"id": "above", "kind": "range", "low": 3, "high": 5, "current": 6}]}]})
        .to_string(),
    )
    .unwrap();
    let report = plan.score(day("2026-02-15"));
    let formula = |id: &str| report.explain(id).unwrap().formula;
    for (id, want) in [
        ("ge_met", "10 ≥ 10 → score 1"),
        ("ge_missed", "8 < 10 → score 0"),
        ("gt_missed", "10 ≤ 10 → score 0"),
        ("le_missed", "6 > 5 → score 0"),
        ("lt_met", "4 < 5 → score 1"),
        ("lt_missed", "5 ≥ 5 → score 0"),
        ("in", "3 ≤ 4 ≤ 5 → score 1"),
        ("below", "2 < 3, below the range [3, 5] → score 0"),
        ("above", "6 > 5, above the range [3, 5] → score 0"),
    ] {
        assert_eq!(formula(id), want, "{id}");
    }
}

#[test]
fn formulas_show_the_score_before_the_bounds_and_name_them_only_where_they_changed_it() {
    let plan = Plan::from_json(
        &json!({"objectives": [{"id": "o", "key_results": [
            {"id": "over", "kind": "linear", "start": 0, "target": 50, "current": 80},
            {"id": "under", "kind": "linear", "start": 100, "target": 0, "current": 120},
            {"id": "graded", "kind": "manual", "current": 1.7},
            {"id": "stretch", "kind": "piecewise", "points": [[0, 0], [10, 1], [20, 1.3]], "current": 15},
            {"id": "steps", "kind": "milestones", "milestones": [
                {"name": "a", "weight": 1, "done_on": "2026-01-10"}, {"name": "b", "weight": 3}]},
            {"id": "sum", "kind": "aggregate", "op": "sum", "start": 0, "target": 10},
            {"id": "part", "kind": "linear", "start": 0, "target": 1, "current": 12, "parents": [{"id": "sum"}]}]}]})
        .to_string(),
    )
    .unwrap();
    let formulas = |policy: &Policy| {
        let report = plan.score_with(day("2026-02-15"), policy).unwrap();
        ["over", "under", "graded", "stretch", "steps", "sum"].map(|id| report.explain(id).unwrap().formula)
    };
    assert_eq!(
        formulas(&Policy::default()),
        [
            "(80 − 0) / (50 − 0) = 1.6 → score 1, clamped to [0, 1]",
            "(120 − 100) / (0 − 100) = -0.2 → score 0, clamped to [0, 1]",
            "graded 1.7 → score 1, clamped to [0, 1]",
            "interpolated at 15 between (10, 1) and (20, 1.3) → score 1, clamped to [0, 1]",
            "done weight 1 of 4 (done: a) → score 0.25",
            "sum(12) = 12; (12 − 0) / (10 − 0) = 1.2 → score 1, clamped to [0, 1]",
        ]
    );
    // Under a cap of 1.5, 1.15 and 1.2 stand as the rules give them; 1.6 and 1.7 are clamped.
    assert_eq!(
        formulas(&Policy { cap: 1.5, ..Policy::default() }),
        [
            "(80 − 0) / (50 − 0) = 1.6 → score 1.5, clamped to [0, 1.5]",
            "(120 − 100) / (0 − 100) = -0.2 → score 0, clamped to [0, 1.5]",
            "graded 1.7 → score 1.5, clamped to [0, 1.5]",
            "interpolated at 15 between (10, 1) and (20, 1.3) → score 1.15",
            "done weight 1 of 4 (done: a) → score 0.25",
            "sum(12) = 12; (12 − 0) / (10 − 0) = 1.2",
        ]
    );
    // Unclamped, no bound is named.
    let free = formulas(&Policy { clamp: false, ..Policy::default() });
    assert_eq!(free[0], "(80 − 0) / (50 − 0) = 1.6");
    assert_eq!(free[1], "(120 − 100) / (0 − 100) = -0.2");
    assert_eq!(free[2], "graded 1.7 → score 1.7");
}

#[test]
fn late_check_ins_ignore_reads_a_closed_cycle_on_its_last_day_everywhere() {
    // q1 ends on 2026-03-31; `a` and `d` are checked in after it, `m`'s launch is done after it.
    let doc = |late: &str| {
        json!({
            "policy": {"late_check_ins": late},
            "cycles": [{"id": "q1", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [{"id": "o", "cycle": "q1", "owner": "ana", "key_results": [
                {"id": "a", "kind": "linear", "start": 0, "target": 10, "check_ins": [
                    {"date": "2026-02-01", "value": 4, "confidence": 0.8},
                    {"date": "2026-03-20", "value": 6, "confidence": 0.7},
                    {"date": "2026-04-10", "value": 9, "confidence": 0.3}]},
                {"id": "m", "kind": "milestones", "milestones": [
                    {"name": "pilot", "done_on": "2026-02-10"}, {"name": "launch", "done_on": "2026-04-05"}]},
                {"id": "d", "kind": "linear", "start": 0, "target": 10,
                 "check_ins": [{"date": "2026-04-02", "value": 10}]}]}]
        })
        .to_string()
    };
    let (count, ignore) = (Plan::from_json(&doc("count")).unwrap(), Plan::from_json(&doc("ignore")).unwrap());
    let may = day("2026-05-01");
    let (late, kept) = (count.score(may), ignore.score(may));
    assert_eq!(kept.explain("a").unwrap().formula, "(6 − 0) / (10 − 0) = 0.6 (read on 2026-03-31, the last day of its cycle: later check-ins are ignored)");
    assert_eq!(late.explain("a").unwrap().formula, "(9 − 0) / (10 − 0) = 0.9");
    assert!(kept.explain("m").unwrap().formula.starts_with("done weight 1 of 2 (done: pilot) → score 0.5"));
    assert!(kept.explain("d").unwrap().formula.starts_with("no check-in on or before 2026-03-31"));
    // The score read on the last day is the score of that day, in every column.
    let end = count.score(day("2026-03-31"));
    for id in ["a", "m", "d", "o"] {
        let (k, e) = (kept.get(id).unwrap(), end.get(id).unwrap());
        assert_eq!((k.score, k.value, k.has_data), (e.score, e.value, e.has_data), "{id}");
    }
    let bits = |r: &okr_core::Report| r.columns().value.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&kept), bits(&end));
    // Two check-ins by the end give no forecast; three (one late) do.
    assert!(kept.get("a").unwrap().forecast.is_none() && late.get("a").unwrap().forecast.is_some());
    // Events from the last day: none once later check-ins are ignored; `d` achieved when they count.
    let kept_end = ignore.score(day("2026-03-31"));
    assert_eq!(okr_core::events(&kept_end, &kept), []);
    assert!(okr_core::events(&end, &late)
        .iter()
        .any(|e| e.kind == okr_core::EventKind::Achieved && e.id == "d"));
    // The review packet's check-in record and lint's missing check-in follow the same day.
    let last = |plan: &Plan| {
        let packet = serde_json::to_value(plan.review_packet("ana", may, None).unwrap()).unwrap();
        packet["key_results"][0]["last_check_in"].clone()
    };
    assert_eq!((last(&count), last(&ignore)), (json!("2026-04-10"), json!("2026-03-20")));
    let no_check_in =
        |plan: &Plan| plan.lint(Some(may)).iter().any(|f| f.code == "no-check-in" && f.id == "d");
    assert!(no_check_in(&ignore) && !no_check_in(&count));
    // Lint says which key results were checked in late, whatever the date, and what the policy
    // does with them.
    let late = |plan: &Plan| -> Vec<(String, String)> {
        (plan.lint(None).into_iter().filter(|f| f.code == "late-check-in"))
            .map(|f| (f.id, f.message))
            .collect()
    };
    assert_eq!(
        late(&ignore),
        [
            ("a".to_owned(), "key result `a` has 1 check-in after its cycle `q1` ended on 2026-03-31 (the latest on 2026-04-10), ignored under `late_check_ins: ignore`".to_owned()),
            ("d".to_owned(), "key result `d` has 1 check-in after its cycle `q1` ended on 2026-03-31 (the latest on 2026-04-02), ignored under `late_check_ins: ignore`".to_owned()),
        ]
    );
    assert!(late(&count).iter().all(|(_, m)| m.ends_with("counted under `late_check_ins: count`")));
    assert_eq!(late(&count).len(), 2);
}

#[test]
fn unclamped_scores_past_f64_saturate_and_their_means_and_forecasts_stay_finite() {
    // Without the clamp, 3 over a span of 1e-308 scores past f64's range: f64::MAX, and so
    // does its forecast (about 8.9 by the end). Two such key results, weighted 1e308 each, sum
    // past it too; their mean and their forecasts' mean are still f64::MAX.
    let check_ins = json!([{"date": "2026-01-10", "value": 1}, {"date": "2026-01-20", "value": 2},
                           {"date": "2026-01-30", "value": 3}]);
    let plan = Plan::from_json(
        &json!({
            "policy": {"clamp": false},
            "cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [{"id": "o", "cycle": "q", "key_results": [
                {"id": "a", "kind": "linear", "start": 0, "target": 1e-308, "weight": 1e308, "check_ins": check_ins},
                {"id": "b", "kind": "linear", "start": 0, "target": 1e-308, "weight": 1e308, "check_ins": check_ins}]}]
        })
        .to_string(),
    )
    .unwrap();
    let report = plan.score(day("2026-02-15"));
    let (a, o) = (report.get("a").unwrap(), report.get("o").unwrap());
    assert_eq!((a.score, o.score, o.status), (f64::MAX, f64::MAX, Status::Achieved));
    match o.forecast {
        Some(NodeForecast::Objective { score }) => assert_eq!(score, f64::MAX),
        other => panic!("{other:?}"),
    }
    let ex = report.explain("o").unwrap();
    assert_eq!(ex.contributors.iter().map(|c| c.share).collect::<Vec<_>>(), [0.5, 0.5]);
    assert_eq!(ex.formula, "(1e308 × 1.79769e308 + 1e308 × 1.79769e308) / (1e308 + 1e308) = 1.79769e308");
    // The report's JSON has numbers, not nulls.
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    assert!(json["nodes"].as_array().unwrap().iter().all(|n| n["score"].is_f64()));
}

#[test]
fn an_unclamped_quotient_past_f64_says_it_scores_the_largest_finite_number() {
    let plan = Plan::from_json(
        r#"{"policy": {"clamp": false}, "objectives": [{"id": "o", "key_results": [
            {"id": "k", "kind": "linear", "start": 0, "target": 1e-300, "current": 1e300}]}]}"#,
    )
    .unwrap();
    let report = plan.score(day("2026-02-15"));
    assert_eq!(report.get("k").unwrap().score, f64::MAX);
    assert_eq!(
        report.explain("k").unwrap().formula,
        "(1e300 − 0) / (1e-300 − 0) = inf → score 1.79769e308, the largest finite number"
    );
}

#[test]
fn an_aggregate_sum_past_f64_is_the_largest_finite_number_and_says_so() {
    let plan = Plan::from_json(
        r#"{"objectives": [{"id": "o", "key_results": [
            {"id": "total", "kind": "aggregate", "op": "sum", "start": 0, "target": 1e308},
            {"id": "back", "kind": "aggregate", "op": "sum", "start": 0, "target": 1e308},
            {"id": "a", "kind": "manual", "current": 1e308, "parents": [{"id": "total"}, {"id": "back"}]},
            {"id": "b", "kind": "manual", "current": 1e308, "parents": [{"id": "total"}, {"id": "back"}]},
            {"id": "c", "kind": "manual", "current": -1e308, "parents": [{"id": "back"}]}]}]}"#,
    )
    .unwrap();
    let report = plan.score(day("2026-02-15"));
    let json: Value = serde_json::from_str(&report.to_json()).unwrap();
    let value =
        |id: &str| json["nodes"].as_array().unwrap().iter().find(|n| n["id"] == id).unwrap()["value"].clone();
    // 1e308 + 1e308 passes f64's range: the value is the largest finite number, a JSON number.
    assert_eq!(value("total").as_f64(), Some(f64::MAX));
    assert!(report.explain("total").unwrap().formula.starts_with(
        "sum(1e308, 1e308) = 1.79769e308, the largest finite number; (1.79769e308 − 0) / (1e308 − 0)"
    ));
    // 1e308 + 1e308 − 1e308 passes it on the way and comes back: 1e308, and no such note.
    assert_eq!(value("back").as_f64(), Some(1e308));
    assert_eq!(report.get("back").unwrap().score, 1.0);
    assert!(!report.explain("back").unwrap().formula.contains("largest"));
}
