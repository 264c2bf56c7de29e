//! Every calibration entry point on arbitrary matrices and label vectors (NaN, infinities,
//! empty, ragged shapes).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use okr_core::calibration::{self as cal, Level, Matrix, Method, Missing, NineBoxCuts, Ratings};

#[derive(Debug, Arbitrary)]
struct Input {
    rows: u8,
    cols: u8,
    values: Vec<f64>,
    ratee: Vec<u8>,
    rater: Vec<u8>,
    labels: Vec<f64>,
    cuts: Option<[f64; 2]>,
    scale: Option<(f64, f64)>,
}

fuzz_target!(|input: Input| {
    let (r, c) = (usize::from(input.rows % 40), usize::from(input.cols % 40));
    let mut data = input.values.clone();
    data.resize(r * c, f64::NAN);
    if let Ok(m) = Matrix::new(r, c, data) {
        let _ = cal::intraclass_corr(&m, Missing::Raise);
        let _ = cal::intraclass_corr(&m, Missing::Omit);
        for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
            let _ = cal::krippendorff_alpha(&m, level, None);
            let _ = cal::krippendorff_alpha(&m, level, Some(&input.labels));
            let _ = cal::krippendorff_alpha_counts(&m, level, None);
        }
        let _ = cal::fleiss_kappa(&m);
        let _ = cal::fleiss_kappa_with(&m, cal::FleissMethod::Randolph);
        let _ = cal::kendall_w(&m, true);
        let _ = cal::kendall_w(&m.transposed(), false);
    }
    let n = input.values.len().min(input.ratee.len()).min(input.rater.len());
    let ratee: Vec<i64> = input.ratee[..n].iter().map(|&x| i64::from(x % 16)).collect();
    let rater: Vec<i64> = input.rater[..n].iter().map(|&x| i64::from(x % 8)).collect();
    let values = input.values[..n].to_vec();
    let _ = cal::cohen_kappa(
        &values,
        &input.labels[..input.labels.len().min(n)],
        None,
        cal::KappaWeights::Quadratic,
    );
    let _ = cal::cohen_kappa(&values, &values, Some(&input.labels), cal::KappaWeights::Linear);
    // The labels as sample weights: negative, NaN, zero and mis-sized ones included.
    let _ = cal::cohen_kappa_weighted(&values, &values, None, cal::KappaWeights::None, Some(&input.labels));
    let numbers = cal::distribution(&values, &input.labels, &input.labels, None, 0.05);
    // The same as text labels (two numbers that print alike are then one label) must count
    // the same whenever the numbers' labels are distinct.
    let text = |v: &[f64]| v.iter().map(|x| format!("{x:?}")).collect::<Vec<String>>();
    let labelled = cal::distribution(&text(&values), &text(&input.labels), &input.labels, None, 0.05);
    if let (Ok(a), Ok(b)) = (&numbers, &labelled) {
        assert_eq!(a.overall.observed, b.overall.observed);
    }
    let _ = cal::nine_box(&values, &values, NineBoxCuts { performance: input.cuts, potential: None });
    // Omitting missing ratings must be the same as taking their rows out first (compared as
    // debug text, where NaN equals NaN), with NaN in the omitted rows of `normalize`.
    let kept: Vec<usize> = (0..n).filter(|&i| !values[i].is_nan()).collect();
    let pick = |v: &[i64]| kept.iter().map(|&i| v[i]).collect::<Vec<i64>>();
    let omitted =
        Ratings::with_missing(&ratee.clone().into(), &rater.clone().into(), values.clone(), Missing::Omit);
    let dropped =
        Ratings::new(&pick(&ratee).into(), &pick(&rater).into(), kept.iter().map(|&i| values[i]).collect());
    if let (Ok(o), Ok(d)) = (&omitted, &dropped) {
        let options = cal::RaterEffectsOptions::default();
        assert_eq!(
            format!("{:?}", cal::rater_effects(o, &options)),
            format!("{:?}", cal::rater_effects(d, &options))
        );
        assert_eq!(format!("{:?}", cal::additive_model(o)), format!("{:?}", cal::additive_model(d)));
        if let (Ok(full), Ok(short)) =
            (cal::normalize(o, Method::ZScore, None), cal::normalize(d, Method::ZScore, None))
        {
            assert_eq!(full.len(), n);
            assert_eq!(
                format!("{:?}", kept.iter().map(|&i| full[i]).collect::<Vec<_>>()),
                format!("{short:?}")
            );
            assert!((0..n).filter(|&i| values[i].is_nan()).all(|i| full[i].is_nan()));
        }
    } else {
        // Every rating missing is an error of its own; otherwise both fail alike (an infinity).
        assert_eq!(omitted.is_ok(), dropped.is_ok() && (kept.len() == n || !kept.is_empty()));
    }
    if let Ok(ratings) = Ratings::new(&ratee.clone().into(), &rater.clone().into(), values) {
        let _ = cal::rater_effects(&ratings, &cal::RaterEffectsOptions::default());
        let _ = cal::additive_model(&ratings);
        for method in [Method::ZScore, Method::Percentile, Method::Additive] {
            let _ = cal::normalize(&ratings, method, input.scale);
        }
        let _ = ratings.to_matrix();
        let rel: Vec<String> = ratee
            .iter()
            .map(|x| ["self", "manager", "peer", "direct_report"][*x as usize % 4].to_owned())
            .collect();
        if let Ok(r) = ratings.with_relationship(&rel.into()).and_then(|r| r.with_competency(&rater.into())) {
            let _ = cal::feedback_360(&r, &cal::FeedbackOptions::default());
        }
    }
});
