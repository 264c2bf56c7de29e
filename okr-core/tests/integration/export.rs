//! A plan written back as a document builds a plan that scores the same.

use std::path::PathBuf;

use okr_core::{Plan, Policy};
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
