//! Cohen's kappa (two raters, optionally weighted) and Fleiss' kappa (many raters).

use serde::Serialize;

use super::matrix::Matrix;
use super::stats::{norm_ppf, norm_sf, sum};
use crate::error::{Error, Result};

/// Weighting of disagreements in Cohen's kappa (scikit-learn's `weights`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KappaWeights {
    /// Unweighted: any disagreement counts fully.
    #[default]
    None,
    /// Disagreement |i − j| between label positions.
    Linear,
    /// Disagreement (i − j)².
    Quadratic,
}

impl KappaWeights {
    /// Parses `linear` or `quadratic` (scikit-learn's names); anything else is `None`.
    pub fn parse(name: Option<&str>) -> Option<KappaWeights> {
        match name {
            None => Some(KappaWeights::None),
            Some("linear") => Some(KappaWeights::Linear),
            Some("quadratic") => Some(KappaWeights::Quadratic),
            Some(_) => None,
        }
    }
}

/// Cohen's kappa with its large-sample inference, as SAS and statsmodels report it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CohenKappa {
    /// The coefficient.
    pub kappa: f64,
    /// Observed (weighted) agreement.
    pub p_observed: f64,
    /// Agreement expected by chance.
    pub p_expected: f64,
    /// Asymptotic standard error (Fleiss, Cohen & Everitt 1969), used for the interval.
    pub se: f64,
    /// Standard error under the null hypothesis κ = 0, used for the test.
    pub se0: f64,
    /// 95 % confidence interval, κ ± 1.96 se.
    pub ci95: [f64; 2],
    /// z = κ / se0.
    pub z: f64,
    /// Two-sided p-value of z.
    pub pval: f64,
    /// Number of rated items.
    pub n: usize,
}

fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((i, &v)) => Err(Error::NonFinite { id: format!("row {i}"), field: what, value: v }),
        None => Ok(()),
    }
}

/// Cohen's kappa of two raters' labels for the same items.
///
/// `labels` fixes the categories and their order (needed for weighted kappa, and so that a
/// category nobody used still counts); by default the sorted distinct labels seen. A label
/// outside `labels` is an error. Weighted kappa uses agreement weights 1 − d / d_max.
///
/// ```
/// use okr_core::calibration::{cohen_kappa, KappaWeights};
/// let a = [1.0, 1.0, 2.0, 2.0, 3.0, 3.0];
/// let b = [1.0, 2.0, 2.0, 2.0, 3.0, 1.0];
/// let k = cohen_kappa(&a, &b, None, KappaWeights::None)?;
/// assert!((k.kappa - 0.5).abs() < 1e-12); // po = 4/6, pe = 1/3
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn cohen_kappa(
    y1: &[f64],
    y2: &[f64],
    labels: Option<&[f64]>,
    weights: KappaWeights,
) -> Result<CohenKappa> {
    cohen_kappa_weighted(y1, y2, labels, weights, None)
}

/// [`cohen_kappa`] with a weight per pair when `sample_weight` is given (scikit-learn's
/// `sample_weight`; `None` is [`cohen_kappa`]): each pair counts its weight in the table of
/// agreements. The weights must be finite and ≥ 0, with a positive total. For the standard
/// errors the weights are frequencies, as SAS's `WEIGHT` statement reads them: the sample size
/// is their total (a pair of weight 3 counts as three pairs).
///
/// ```
/// use okr_core::calibration::{cohen_kappa, cohen_kappa_weighted, KappaWeights};
/// // A pair of weight 2 is that pair given twice.
/// let k = cohen_kappa_weighted(&[1.0, 2.0, 2.0], &[1.0, 2.0, 1.0], None, KappaWeights::None, Some(&[2.0, 1.0, 1.0]))?;
/// let twice = cohen_kappa(&[1.0, 1.0, 2.0, 2.0], &[1.0, 1.0, 2.0, 1.0], None, KappaWeights::None)?;
/// assert!((k.kappa - twice.kappa).abs() < 1e-12 && (k.se - twice.se).abs() < 1e-12);
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn cohen_kappa_weighted(
    y1: &[f64],
    y2: &[f64],
    labels: Option<&[f64]>,
    weights: KappaWeights,
    sample_weight: Option<&[f64]>,
) -> Result<CohenKappa> {
    if y1.len() != y2.len() {
        return Err(Error::LengthMismatch {
            table: "ratings",
            column: "y2",
            expected: y1.len(),
            found: y2.len(),
        });
    }
    if y1.is_empty() {
        return Err(Error::Empty { what: "ratings" });
    }
    check_finite("y1", y1)?;
    check_finite("y2", y2)?;
    if let Some(w) = sample_weight {
        if w.len() != y1.len() {
            return Err(Error::LengthMismatch {
                table: "ratings",
                column: "sample_weight",
                expected: y1.len(),
                found: w.len(),
            });
        }
        check_finite("sample_weight", w)?;
        if let Some(i) = w.iter().position(|&x| x < 0.0) {
            return Err(Error::InvalidValue {
                id: format!("row {i}"),
                field: "sample_weight",
                reason: format!("weight `{}` is negative", w[i]),
            });
        }
        let total = sum(w.iter().copied());
        if total == 0.0 || total.is_infinite() {
            return Err(Error::InvalidValue {
                id: "ratings".into(),
                field: "sample_weight",
                reason: format!("the weights sum to {total}: no pair counts, or f64 cannot hold their total"),
            });
        }
    }
    let labels: Vec<f64> = match labels {
        Some(l) => {
            check_finite("labels", l)?;
            l.to_vec()
        }
        None => {
            let mut l: Vec<f64> = y1.iter().chain(y2).copied().collect();
            l.sort_by(f64::total_cmp);
            l.dedup();
            l
        }
    };
    let k = labels.len();
    if k < 2 {
        return Err(Error::TooFew { what: "categories", needed: 2, found: k });
    }
    let index = |v: f64| {
        labels.iter().position(|&l| l == v).ok_or_else(|| Error::InvalidValue {
            id: "ratings".into(),
            field: "labels",
            reason: format!("`{v}` is not among the labels"),
        })
    };
    let n = y1.len();
    let mut table = vec![0.0; k * k];
    for (i, (&a, &b)) in y1.iter().zip(y2).enumerate() {
        table[index(a)? * k + index(b)?] += sample_weight.map_or(1.0, |w| w[i]);
    }
    // The sample size: the pairs, or their total weight.
    let size = sample_weight.map_or(n as f64, |w| sum(w.iter().copied()));
    Ok(kappa_from_table(&table, k, weights, n, size))
}

fn kappa_from_table(table: &[f64], k: usize, weights: KappaWeights, n: usize, nf: f64) -> CohenKappa {
    let p: Vec<f64> = table.iter().map(|c| c / nf).collect();
    let row: Vec<f64> = (0..k).map(|i| sum((0..k).map(|j| p[i * k + j]))).collect();
    let col: Vec<f64> = (0..k).map(|j| sum((0..k).map(|i| p[i * k + j]))).collect();
    let dmax = (k - 1) as f64;
    let w = |i: usize, j: usize| -> f64 {
        let d = (i as f64 - j as f64).abs();
        match weights {
            KappaWeights::None => f64::from(u8::from(i == j)),
            KappaWeights::Linear => 1.0 - d / dmax,
            KappaWeights::Quadratic => 1.0 - (d * d) / (dmax * dmax),
        }
    };
    let cells = || (0..k).flat_map(|i| (0..k).map(move |j| (i, j)));
    let po = sum(cells().map(|(i, j)| w(i, j) * p[i * k + j]));
    let pe = sum(cells().map(|(i, j)| w(i, j) * row[i] * col[j]));
    let kappa = (po - pe) / (1.0 - pe);
    // Weighted marginal means of the weights (Fleiss, Cohen & Everitt 1969).
    let wi: Vec<f64> = (0..k).map(|i| sum((0..k).map(|j| w(i, j) * col[j]))).collect();
    let wj: Vec<f64> = (0..k).map(|j| sum((0..k).map(|i| w(i, j) * row[i]))).collect();
    let var = (sum(cells().map(|(i, j)| p[i * k + j] * (w(i, j) - (wi[i] + wj[j]) * (1.0 - kappa)).powi(2)))
        - (kappa - pe * (1.0 - kappa)).powi(2))
        / ((1.0 - pe).powi(2) * nf);
    let var0 = (sum(cells().map(|(i, j)| row[i] * col[j] * (w(i, j) - (wi[i] + wj[j])).powi(2))) - pe * pe)
        / ((1.0 - pe).powi(2) * nf);
    let se = var.max(0.0).sqrt();
    let se0 = var0.max(0.0).sqrt();
    let zq = norm_ppf(0.975);
    let z = kappa / se0;
    CohenKappa {
        kappa,
        p_observed: po,
        p_expected: pe,
        se,
        se0,
        ci95: [kappa - zq * se, kappa + zq * se],
        z,
        pval: 2.0 * norm_sf(z.abs()),
        n,
    }
}

/// How a multi-rater kappa counts agreement by chance (statsmodels' `method` of
/// `fleiss_kappa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FleissMethod {
    /// Fleiss (1971): from the categories' shares of all ratings, P̄e = Σ p_j².
    #[default]
    Fleiss,
    /// Randolph (2005), free-marginal: every category equally likely, P̄e = 1 / categories.
    Randolph,
}

impl FleissMethod {
    /// The names statsmodels takes: `fleiss`, and `randolph` or `uniform` (statsmodels reads
    /// the first four letters, so `rand` and `unif` are the same); anything else is `None`.
    pub fn parse(name: &str) -> Option<FleissMethod> {
        match name {
            "fleiss" => Some(FleissMethod::Fleiss),
            _ if name.starts_with("rand") || name.starts_with("unif") => Some(FleissMethod::Randolph),
            _ => None,
        }
    }

    /// [`FleissMethod::parse`], or an `invalid_input` error naming the method given and the
    /// names there are.
    pub fn named(name: &str) -> Result<FleissMethod> {
        FleissMethod::parse(name).ok_or_else(|| Error::InvalidInput {
            what: format!("method must be `fleiss`, `randolph` or `uniform`, not `{name}`"),
        })
    }
}

/// Fleiss' kappa (Fleiss 1971), or Randolph's, and its parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FleissKappa {
    /// The coefficient.
    pub kappa: f64,
    /// Mean agreement per subject, P̄.
    pub p_observed: f64,
    /// Chance agreement: P̄e = Σ p_j² (Fleiss), or 1 / categories (Randolph).
    pub p_expected: f64,
}

/// Fleiss' kappa from a subjects × categories table of counts (statsmodels' `fleiss_kappa`
/// with `method="fleiss"`): every subject must be rated by the same number of raters (≥ 2).
///
/// This is Fleiss (1971), not Conger's generalisation of Cohen's kappa. For Randolph's
/// free-marginal kappa, see [`fleiss_kappa_with`].
pub fn fleiss_kappa(table: &Matrix) -> Result<FleissKappa> {
    fleiss_kappa_with(table, FleissMethod::Fleiss)
}

/// [`fleiss_kappa`] with chance agreement counted by `method` (statsmodels' `fleiss_kappa(table,
/// method)`). Under [`FleissMethod::Fleiss`], a table whose ratings all fall in one category is
/// refused (`too_few`: kappa is 0 / 0 there; statsmodels gives NaN); under
/// [`FleissMethod::Randolph`] chance agreement stays below 1 and such a table has kappa 1.
pub fn fleiss_kappa_with(table: &Matrix, method: FleissMethod) -> Result<FleissKappa> {
    let (subjects, categories) = (table.rows(), table.cols());
    if subjects == 0 {
        return Err(Error::Empty { what: "subjects" });
    }
    if categories < 2 {
        return Err(Error::TooFew { what: "categories", needed: 2, found: categories });
    }
    // One pass over the table. Counts are whole numbers, so row totals, squared counts and
    // category totals are sums of integers: exact in f64 up to 2^53, whatever the order.
    let mut raters = None;
    let mut squares = 0.0;
    let mut per_category = vec![0.0; categories];
    for s in 0..subjects {
        let row = table.row(s);
        let (mut total, mut sq) = (0.0, 0.0);
        for (&c, t) in row.iter().zip(per_category.iter_mut()) {
            if !(c >= 0.0 && c.fract() == 0.0) {
                return Err(Error::InvalidValue {
                    id: format!("subject {s}"),
                    field: "table",
                    reason: format!("count `{c}` is not a whole number ≥ 0"),
                });
            }
            total += c;
            sq += c * c;
            *t += c;
        }
        match raters {
            None => raters = Some(total),
            Some(r) if r != total => {
                return Err(Error::InvalidValue {
                    id: format!("subject {s}"),
                    field: "table",
                    reason: format!("{total} ratings where subject 0 has {r}: Fleiss' kappa needs the same number of raters per subject"),
                })
            }
            _ => {}
        }
        squares += sq;
    }
    let m = raters.unwrap_or(0.0);
    if m < 2.0 {
        return Err(Error::TooFew { what: "raters per subject", needed: 2, found: m as usize });
    }
    let nf = subjects as f64;
    // P̄ = mean over subjects of (Σ_j n_ij² − m) / (m (m − 1)), from the one exact total.
    let p_observed = (squares - nf * m) / (nf * m * (m - 1.0));
    let p_expected = match method {
        FleissMethod::Fleiss => sum(per_category.iter().map(|&t| {
            let pj = t / (nf * m);
            pj * pj
        })),
        FleissMethod::Randolph => 1.0 / categories as f64,
    };
    if p_expected >= 1.0 {
        return Err(Error::TooFew {
            what: "categories used (kappa is undefined when every rating is the same)",
            needed: 2,
            found: 1,
        });
    }
    Ok(FleissKappa { kappa: (p_observed - p_expected) / (1.0 - p_expected), p_observed, p_expected })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fleiss_1971_worked_example() {
        // The 10 subjects × 5 categories, 14 raters example (Fleiss 1971, as tabulated on
        // Wikipedia): P̄ = 0.378, P̄e = 0.213, κ = 0.210.
        let t = Matrix::from_rows(&[
            [0.0, 0.0, 0.0, 0.0, 14.0],
            [0.0, 2.0, 6.0, 4.0, 2.0],
            [0.0, 0.0, 3.0, 5.0, 6.0],
            [0.0, 3.0, 9.0, 2.0, 0.0],
            [2.0, 2.0, 8.0, 1.0, 1.0],
            [7.0, 7.0, 0.0, 0.0, 0.0],
            [3.0, 2.0, 6.0, 3.0, 0.0],
            [2.0, 5.0, 3.0, 2.0, 2.0],
            [6.0, 5.0, 2.0, 1.0, 0.0],
            [0.0, 2.0, 2.0, 3.0, 7.0],
        ])
        .unwrap();
        let k = fleiss_kappa(&t).unwrap();
        // Exact fractions: Σ_i (Σ_j n_ij² − 14) = 688 over 10 × 14 × 13; column totals 20, 28, 39, 21, 32.
        let pbar = 688.0 / 1820.0;
        let pe = (20.0f64 * 20.0 + 28.0 * 28.0 + 39.0 * 39.0 + 21.0 * 21.0 + 32.0 * 32.0) / (140.0 * 140.0);
        assert!((k.p_observed - pbar).abs() < 1e-12 && (k.p_expected - pe).abs() < 1e-12);
        assert!((k.kappa - (pbar - pe) / (1.0 - pe)).abs() < 1e-12);
        assert!((k.kappa - 0.210).abs() < 5e-4);
        // Randolph's free-marginal kappa of the same table: chance agreement 1/5.
        let r = fleiss_kappa_with(&t, FleissMethod::Randolph).unwrap();
        assert_eq!(r.p_observed, k.p_observed);
        assert_eq!(r.p_expected, 0.2);
        assert!((r.kappa - (pbar - 0.2) / 0.8).abs() < 1e-12);
    }

    #[test]
    fn sample_weights_count_as_repeated_pairs_and_are_checked() {
        let (a, b) = textbook();
        let plain = cohen_kappa(&a, &b, None, KappaWeights::Quadratic).unwrap();
        // Weight 1 throughout is the plain kappa; weight 2 throughout halves the variances.
        let ones =
            cohen_kappa_weighted(&a, &b, None, KappaWeights::Quadratic, Some(&vec![1.0; a.len()])).unwrap();
        assert_eq!(ones, plain);
        let twos =
            cohen_kappa_weighted(&a, &b, None, KappaWeights::Quadratic, Some(&vec![2.0; a.len()])).unwrap();
        assert!((twos.kappa - plain.kappa).abs() < 1e-12);
        assert!((twos.se * 2f64.sqrt() - plain.se).abs() < 1e-12);
        // A weight of 0 leaves its pair out.
        let mut w = vec![1.0; a.len()];
        w[0] = 0.0;
        let dropped = cohen_kappa(&a[1..], &b[1..], None, KappaWeights::None).unwrap();
        let zero = cohen_kappa_weighted(&a, &b, None, KappaWeights::None, Some(&w)).unwrap();
        assert!((zero.kappa - dropped.kappa).abs() < 1e-12 && (zero.se - dropped.se).abs() < 1e-12);
        let err = |w: &[f64]| cohen_kappa_weighted(&a, &b, None, KappaWeights::None, Some(w)).unwrap_err();
        assert_eq!(err(&[1.0]).code(), "length_mismatch");
        let mut bad = vec![1.0; a.len()];
        bad[3] = -1.0;
        let e = err(&bad);
        assert_eq!(e.code(), "invalid_value");
        assert!(e.to_string().contains("row 3") && e.to_string().contains("`-1`"), "{e}");
        bad[3] = f64::NAN;
        assert_eq!(err(&bad).code(), "non_finite");
        assert_eq!(err(&vec![0.0; a.len()]).code(), "invalid_value");
        assert_eq!(err(&vec![f64::MAX; a.len()]).code(), "invalid_value");
    }

    #[test]
    fn fleiss_methods_by_statsmodels_names() {
        assert_eq!(FleissMethod::parse("fleiss"), Some(FleissMethod::Fleiss));
        for name in ["randolph", "uniform", "rand", "unif"] {
            assert_eq!(FleissMethod::parse(name), Some(FleissMethod::Randolph), "{name}");
        }
        for name in ["Fleiss", "ran", "", "cohen"] {
            assert_eq!(FleissMethod::parse(name), None, "{name}");
        }
        let err = FleissMethod::named("cohen").unwrap_err();
        assert_eq!(err.code(), "invalid_input");
        assert!(err.to_string().contains("not `cohen`"), "{err}");
        // Every rating in one category: undefined under Fleiss, perfect agreement under Randolph.
        let unanimous = Matrix::from_rows(&[[3.0, 0.0], [3.0, 0.0]]).unwrap();
        assert_eq!(fleiss_kappa(&unanimous).unwrap_err().code(), "too_few");
        assert_eq!(fleiss_kappa_with(&unanimous, FleissMethod::Randolph).unwrap().kappa, 1.0);
    }

    #[test]
    fn fleiss_rejects_bad_tables() {
        let uneven = Matrix::from_rows(&[[1.0, 2.0], [2.0, 2.0]]).unwrap();
        assert_eq!(fleiss_kappa(&uneven).unwrap_err().code(), "invalid_value");
        let negative = Matrix::from_rows(&[[-1.0, 4.0], [2.0, 1.0]]).unwrap();
        assert_eq!(fleiss_kappa(&negative).unwrap_err().code(), "invalid_value");
        let single = Matrix::from_rows(&[[1.0, 0.0], [0.0, 1.0]]).unwrap();
        assert_eq!(fleiss_kappa(&single).unwrap_err().code(), "too_few");
        let unanimous = Matrix::from_rows(&[[3.0, 0.0], [3.0, 0.0]]).unwrap();
        assert_eq!(fleiss_kappa(&unanimous).unwrap_err().code(), "too_few");
    }

    /// Cohen (1960)-style textbook table: 2 raters, 3 categories, n = 100.
    ///   rows rater A, columns rater B:  [[25, 10, 5], [5, 20, 5], [5, 5, 20]]
    fn textbook() -> (Vec<f64>, Vec<f64>) {
        let table = [[25, 10, 5], [5, 20, 5], [5, 5, 20]];
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for (i, row) in table.iter().enumerate() {
            for (j, &c) in row.iter().enumerate() {
                for _ in 0..c {
                    a.push(i as f64 + 1.0);
                    b.push(j as f64 + 1.0);
                }
            }
        }
        (a, b)
    }

    #[test]
    fn cohen_textbook_table() {
        let (a, b) = textbook();
        let k = cohen_kappa(&a, &b, None, KappaWeights::None).unwrap();
        // po = 0.65; row marginals .4 .3 .3, column marginals .35 .35 .3: pe = .14 + .105 + .09.
        let pe = 0.4 * 0.35 + 0.3 * 0.35 + 0.3 * 0.3;
        assert!((k.p_observed - 0.65).abs() < 1e-12 && (k.p_expected - pe).abs() < 1e-12);
        assert!((k.kappa - (0.65 - pe) / (1.0 - pe)).abs() < 1e-12);
        // Fleiss-Cohen-Everitt null variance, unweighted closed form.
        let (r, c) = ([0.4, 0.3, 0.3], [0.35, 0.35, 0.3]);
        let s: f64 = (0..3).map(|i| r[i] * c[i] * (r[i] + c[i])).sum();
        let var0 = (pe + pe * pe - s) / ((1.0 - pe).powi(2) * 100.0);
        assert!((k.se0 - var0.sqrt()).abs() < 1e-12);
        assert!((k.ci95[1] - k.kappa - 1.959963984540054 * k.se).abs() < 1e-12);
        assert!(k.pval < 1e-6 && k.z > 5.0);
    }

    #[test]
    fn weighted_kappa_and_labels() {
        let (a, b) = textbook();
        let lin = cohen_kappa(&a, &b, None, KappaWeights::Linear).unwrap();
        let quad = cohen_kappa(&a, &b, None, KappaWeights::Quadratic).unwrap();
        // Linear agreement weights 1, .5, 0: po = .65 + .5 (10 + 5 + 5 + 5) / 100 = .775.
        assert!((lin.p_observed - 0.775).abs() < 1e-12);
        // Quadratic weights 1, .75, 0: po = .65 + .75 * .25 = .8375.
        assert!((quad.p_observed - 0.8375).abs() < 1e-12);
        // A label nobody used still counts: adding category 4 changes the weights' scale.
        let with4 = cohen_kappa(&a, &b, Some(&[1.0, 2.0, 3.0, 4.0]), KappaWeights::Linear).unwrap();
        // With four labels, linear weights are 1, 2/3, 1/3, 0: distance-1 cells hold .25, distance-2 .10.
        assert!((with4.p_observed - (0.65 + 0.25 * 2.0 / 3.0 + 0.10 / 3.0)).abs() < 1e-12);
        assert_eq!(
            cohen_kappa(&a, &b, Some(&[1.0, 2.0]), KappaWeights::None).unwrap_err().code(),
            "invalid_value"
        );
        assert_eq!(cohen_kappa(&a, &b[1..], None, KappaWeights::None).unwrap_err().code(), "length_mismatch");
        assert_eq!(
            cohen_kappa(&[1.0], &[f64::NAN], None, KappaWeights::None).unwrap_err().code(),
            "non_finite"
        );
        assert_eq!(
            cohen_kappa(&[1.0, 1.0], &[1.0, 1.0], None, KappaWeights::None).unwrap_err().code(),
            "too_few"
        );
    }
}
