//! Property tests: invariants that must hold for every input, not just the worked examples.

use okr_core::calibration::{self as cal, Level, Matrix, Missing};
use okr_core::{Plan, Policy};
use proptest::prelude::*;
use serde_json::json;

/// A random plan: objectives in a forest (parents have lower indices), 0–3 key results each.
fn plan_strategy() -> impl Strategy<Value = serde_json::Value> {
    let objective = (
        any::<prop::sample::Index>(),
        0usize..4,
        prop::collection::vec((-50.0f64..150.0, 0.1f64..5.0, any::<bool>()), 0..4),
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
    fn scores_stay_within_the_policy_bounds(doc in plan_strategy(), floor in -2.0f64..0.0, cap in 1.0f64..2.0) {
        let plan = Plan::from_json(&doc.to_string()).unwrap();
        let policy = Policy { floor, cap, ..Policy::default() };
        let report = plan.score_with("2026-02-01".parse().unwrap(), &policy).unwrap();
        for node in report.nodes() {
            prop_assert!(node.score >= floor - 1e-12 && node.score <= cap + 1e-12, "{} = {}", node.id, node.score);
            let ex = report.explain(node.id).unwrap();
            let counted: Vec<f64> = ex.contributors.iter().filter(|c| c.counted).map(|c| c.score).collect();
            if node.kind.is_none() && !counted.is_empty() {
                let lo = counted.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = counted.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(node.score >= lo - 1e-12 && node.score <= hi + 1e-12);
            }
        }
    }

    #[test]
    fn icc_ignores_offsets_and_relabelling(values in prop::collection::vec(0.0f64..10.0, 24), offset in -1e9f64..1e9, rotate in 0usize..6) {
        let rows: Vec<Vec<f64>> = values.chunks(4).map(|c| c.to_vec()).collect();
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
