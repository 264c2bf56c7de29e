//! Runs the shared golden vectors of `tests/golden/` (also run by the Python and JS suites).

use std::path::PathBuf;

use okr_core::calibration::{
    self as cal, FeedbackOptions, KappaWeights, Level, Matrix, Method, Missing, NineBoxCuts,
    RaterEffectsOptions, Ratings,
};
use okr_core::{IdColumn, Plan, Policy};
use serde_json::{json, Value};

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

/// An id column of a calibration vector: integers, or text.
fn id_column(v: &Value) -> IdColumn<'static> {
    let items = v.as_array().unwrap();
    if items.iter().all(Value::is_i64) {
        items.iter().map(|x| x.as_i64().unwrap()).collect::<Vec<i64>>().into()
    } else {
        items.iter().map(|x| x.as_str().unwrap().to_owned()).collect::<Vec<String>>().into()
    }
}

/// Numbers of a calibration vector, `null` as NaN (missing).
fn numbers(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

/// Rows of numbers as a matrix, `null` as NaN.
fn matrix(v: &Value) -> Matrix<'static> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(numbers).collect();
    Matrix::new(rows.len(), rows[0].len(), rows.concat()).unwrap()
}

/// The case's statistic through `okr_core::calibration`, in the vectors' shape.
fn statistic(case: &Value) -> Value {
    let (data, options) = (&case["input"], &case["options"]);
    let missing = || Missing::parse(options["nan_policy"].as_str().unwrap()).unwrap();
    let ratings = || {
        let (ratees, raters) = (id_column(&data["ratees"]), id_column(&data["raters"]));
        Ratings::with_missing(&ratees, &raters, numbers(&data["ratings"]), missing()).unwrap()
    };
    match case["statistic"].as_str().unwrap() {
        "intraclass_corr" => {
            let (t, r) = (id_column(&data["targets"]), id_column(&data["raters"]));
            let rows = cal::intraclass_corr_long(&t, &r, &numbers(&data["ratings"]), Missing::Raise).unwrap();
            let table = rows.iter().map(|row| {
                let kind = serde_json::to_value(row.kind).unwrap().as_str().unwrap().to_owned();
                (kind, json!({"icc": row.icc, "F": row.f, "df1": row.df1, "df2": row.df2}))
            });
            Value::Object(table.collect())
        }
        "krippendorff_alpha" => {
            let level = Level::parse(options["level"].as_str().unwrap()).unwrap();
            json!(cal::krippendorff_alpha(&matrix(&data["reliability_data"]), level, None).unwrap())
        }
        "cohen_kappa" => {
            let weights = KappaWeights::parse(options["weights"].as_str()).unwrap();
            let k = cal::cohen_kappa(&numbers(&data["y1"]), &numbers(&data["y2"]), None, weights).unwrap();
            json!(k.kappa)
        }
        "fleiss_kappa" => json!(cal::fleiss_kappa(&matrix(&data["table"])).unwrap().kappa),
        "kendall_w" => {
            let w =
                cal::kendall_w(&matrix(&data["data"]), options["correct_ties"].as_bool().unwrap()).unwrap();
            serde_json::to_value(w).unwrap()
        }
        "rater_effects" => {
            let effects = cal::rater_effects(&ratings(), &RaterEffectsOptions::default()).unwrap();
            Value::Object(
                effects.iter().map(|e| (e.rater.clone(), serde_json::to_value(e).unwrap())).collect(),
            )
        }
        "normalize" => {
            let method = Method::parse(options["method"].as_str().unwrap()).unwrap();
            serde_json::to_value(cal::normalize(&ratings(), method, None).unwrap()).unwrap()
        }
        "nine_box" => {
            let (performance, potential) = (numbers(&data["performance"]), numbers(&data["potential"]));
            serde_json::to_value(cal::nine_box(&performance, &potential, NineBoxCuts::default()).unwrap())
                .unwrap()
        }
        "feedback_360" => {
            let (relationships, competencies) =
                (id_column(&data["relationships"]), id_column(&data["competencies"]));
            let (ratees, raters) = (id_column(&data["ratees"]), id_column(&data["raters"]));
            let r = Ratings::with_missing(&ratees, &raters, numbers(&data["ratings"]), missing())
                .and_then(|r| r.with_relationship(&relationships))
                .and_then(|r| r.with_competency(&competencies))
                .unwrap();
            serde_json::to_value(cal::feedback_360(&r, &FeedbackOptions::default()).unwrap()).unwrap()
        }
        "distribution" => {
            let (categories, shares) = (numbers(&options["categories"]), numbers(&options["shares"]));
            let fit =
                cal::distribution(&numbers(&data["ratings"]), &categories, &shares, None, 0.05).unwrap();
            serde_json::to_value(fit.overall).unwrap()
        }
        other => panic!("no adapter for statistic `{other}`"),
    }
}

#[test]
fn calibration_vectors() {
    let path = golden_dir().join("calibration/statistics.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 16, "calibration vectors missing");
    for case in cases {
        let got = statistic(case);
        assert!(same(&case["expected"], &got), "{}: expected {}, got {got}", case["name"], case["expected"]);
    }
}
