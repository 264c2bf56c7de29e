//! Runs the shared golden vectors of `tests/golden/` (also run by the Python and JS suites).

use std::path::PathBuf;

use okr_core::{Plan, Policy};
use serde_json::Value;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

/// Equal, with numbers compared to 1e-12 (relative), recursively through objects and arrays.
fn same(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Number(w), Value::Number(g)) => close(w.as_f64().unwrap(), g.as_f64().unwrap()),
        (Value::Array(w), Value::Array(g)) => w.len() == g.len() && w.iter().zip(g).all(|(a, b)| same(a, b)),
        (Value::Object(w), Value::Object(g)) => w.iter().all(|(k, v)| g.get(k).is_some_and(|x| same(v, x))),
        _ => want == got,
    }
}

fn check_field(case: &str, id: &str, field: &str, want: &Value, got: &Value) {
    assert!(same(want, got), "{case}: `{id}`.{field}: expected {want}, got {got}");
}

#[test]
fn score_vectors() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("errors.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 6, "golden vectors missing: {files:?}");
    let mut checked = 0;
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let plan = Plan::from_json(&doc["plan"].to_string()).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (k, case) in doc["cases"].as_array().unwrap().iter().enumerate() {
            let label = format!("{name} case {k}");
            let as_of = case["as_of"].as_str().unwrap().parse().unwrap();
            let report = match case.get("policy") {
                Some(p) => {
                    let policy: Policy = serde_json::from_value(p.clone()).unwrap();
                    plan.score_with(as_of, &policy).unwrap()
                }
                None => plan.score(as_of),
            };
            let json: Value = serde_json::to_value(&report).unwrap();
            assert_eq!(json["as_of"], case["as_of"]);
            for (id, fields) in case["expected"].as_object().unwrap() {
                let node = json["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|n| n["id"] == **id)
                    .unwrap_or_else(|| panic!("{label}: no node `{id}` in report"));
                for (field, want) in fields.as_object().unwrap() {
                    check_field(&label, id, field, want, &node[field]);
                    checked += 1;
                }
            }
            for (id, shares) in case.get("explain").and_then(Value::as_object).into_iter().flatten() {
                let ex = report.explain(id).unwrap();
                for (child, want) in shares.as_object().unwrap() {
                    let c = ex.contributors.iter().find(|c| c.id == *child).unwrap();
                    assert!(
                        close(c.share, want.as_f64().unwrap()),
                        "{label}: share of `{child}` in `{id}`: {}",
                        c.share
                    );
                    checked += 1;
                }
            }
            for (id, los) in case.get("line_of_sight").and_then(Value::as_object).into_iter().flatten() {
                let got = plan.line_of_sight(id).unwrap();
                for (anc, want) in los["shares"].as_object().unwrap() {
                    let a = got
                        .ancestors
                        .iter()
                        .find(|a| a.id == *anc)
                        .unwrap_or_else(|| panic!("{label}: `{anc}` not an ancestor of `{id}`"));
                    assert!(
                        close(a.share, want.as_f64().unwrap()),
                        "{label}: share of `{id}` in `{anc}`: {}",
                        a.share
                    );
                    checked += 1;
                }
                assert_eq!(
                    got.ancestors.len(),
                    los["shares"].as_object().unwrap().len(),
                    "{label}: ancestors of `{id}`"
                );
                assert_eq!(serde_json::to_value(&got.company_objectives).unwrap(), los["company_objectives"]);
            }
        }
    }
    assert!(checked > 100, "only {checked} expectations checked");
}

#[test]
fn error_vectors() {
    let text = std::fs::read_to_string(golden_dir().join("errors.json")).unwrap();
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let input = match case.get("text") {
            Some(t) => t.as_str().unwrap().to_owned(),
            None => case["plan"].to_string(),
        };
        let err = Plan::from_json(&input).expect_err(name);
        assert_eq!(err.code(), case["code"].as_str().unwrap(), "{name}: {err}");
        for s in case["contains"].as_array().unwrap() {
            let s = s.as_str().unwrap();
            assert!(err.to_string().contains(s), "{name}: `{err}` lacks `{s}`");
        }
    }
}
