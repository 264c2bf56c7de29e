//! Numeric building blocks: compensated sums, centred two-pass moments, and the distribution
//! functions (from statrs) the tests of significance need.

use statrs::distribution::{ChiSquared, ContinuousCDF, FisherSnedecor, Normal};

/// Neumaier-compensated sum: exact to about one rounding error whatever the order or spread.
/// Infinities and NaN propagate as in a plain sum.
pub(crate) fn sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for v in values {
        let t = s + v;
        c += if s.abs() >= v.abs() { (s - t) + v } else { (v - t) + s };
        s = t;
    }
    if s.is_finite() {
        s + c
    } else {
        s
    }
}

/// Mean of a non-empty slice (NaN for an empty one).
pub(crate) fn mean(values: &[f64]) -> f64 {
    sum(values.iter().copied()) / values.len() as f64
}

/// Sum of squared deviations from the mean, centred in two passes so that a large common
/// offset (ratings around 1e9) loses no precision.
pub(crate) fn sum_sq_dev(values: &[f64]) -> f64 {
    let m = mean(values);
    // Second pass corrects the mean for its own rounding (Chan et al.'s two-pass form).
    let correction = sum(values.iter().map(|v| v - m));
    sum(values.iter().map(|v| (v - m) * (v - m))) - correction * correction / values.len() as f64
}

/// Sample variance (ddof 1); NaN with fewer than two values.
pub(crate) fn variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return f64::NAN;
    }
    sum_sq_dev(values) / (values.len() - 1) as f64
}

/// Upper tail of the F distribution, `P(F > f)`; NaN when undefined.
pub(crate) fn f_sf(f: f64, df1: f64, df2: f64) -> f64 {
    match FisherSnedecor::new(df1, df2) {
        Ok(d) if f.is_finite() => d.sf(f.max(0.0)),
        Ok(_) if f == f64::INFINITY => 0.0,
        _ => f64::NAN,
    }
}

/// Quantile of the F distribution; NaN when undefined.
pub(crate) fn f_ppf(p: f64, df1: f64, df2: f64) -> f64 {
    match FisherSnedecor::new(df1, df2) {
        Ok(d) if (0.0..=1.0).contains(&p) => d.inverse_cdf(p),
        _ => f64::NAN,
    }
}

/// Upper tail of the χ² distribution.
pub(crate) fn chi2_sf(x: f64, df: f64) -> f64 {
    match ChiSquared::new(df) {
        Ok(d) if x.is_finite() => d.sf(x.max(0.0)),
        _ => f64::NAN,
    }
}

/// Upper tail of the standard normal distribution.
pub(crate) fn norm_sf(z: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(d) if !z.is_nan() => d.sf(z),
        _ => f64::NAN,
    }
}

/// Quantile of the standard normal distribution.
pub(crate) fn norm_ppf(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(d) if (0.0..=1.0).contains(&p) => d.inverse_cdf(p),
        _ => f64::NAN,
    }
}

/// Average ranks (1-based, ties get the mean of their positions) and the tie sizes.
pub(crate) fn rank_average(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && values[idx[j]] == values[idx[i]] {
            j += 1;
        }
        let r = (i + j + 1) as f64 / 2.0;
        for &k in &idx[i..j] {
            ranks[k] = r;
        }
        if j - i > 1 {
            ties.push(j - i);
        }
        i = j;
    }
    (ranks, ties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_and_centred_variance_survive_offsets() {
        let base = [1.0, 2.0, 3.0, 4.0, 5.5];
        let shifted: Vec<f64> = base.iter().map(|v| v + 1e9).collect();
        assert!((variance(&base) - variance(&shifted)).abs() < 1e-6);
        assert!((variance(&base) - 3.05).abs() < 1e-12);
        assert_eq!(sum([1.0, f64::INFINITY]), f64::INFINITY);
        assert_eq!(sum([1e16, 1.0, -1e16]), 1.0);
    }

    #[test]
    fn distribution_functions_match_tables() {
        // F(3, 15) upper 5 % point is 3.287 (tables); χ²(1) at 3.841 is 0.05; Φ⁻¹(0.975) = 1.95996.
        assert!((f_ppf(0.95, 3.0, 15.0) - 3.287_382).abs() < 1e-5);
        assert!((f_sf(f_ppf(0.95, 3.0, 15.0), 3.0, 15.0) - 0.05).abs() < 1e-12);
        assert!((chi2_sf(3.841_458_820_694_124, 1.0) - 0.05).abs() < 1e-12);
        assert!((norm_ppf(0.975) - 1.959_963_984_540_054).abs() < 1e-12);
        // statrs' erfc is good to about 5e-11 relative.
        assert!((norm_sf(1.959_963_984_540_054) - 0.025).abs() < 0.025 * 1e-10);
        assert!(f_sf(1.0, 0.0, 3.0).is_nan());
    }

    #[test]
    fn ranks_average_ties() {
        let (r, t) = rank_average(&[10.0, 20.0, 10.0, 30.0]);
        assert_eq!(r, [1.5, 3.0, 1.5, 4.0]);
        assert_eq!(t, [2]);
    }
}
