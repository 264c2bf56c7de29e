//! Normalisation of ratings across raters, so that a lenient manager's team is not rewarded for
//! the manager's habits.

use super::raters::additive_model;
use super::ratings::Ratings;
use super::stats::{rank_average, sum};
use crate::error::{Error, Result};

/// How ratings are normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Within each rater, (value − rater mean) / rater sd (sample, ddof 1), mapped back onto the
    /// global mean and sample sd. A rater with one rating or no spread carries no information on
    /// relative standing: their ratings map to the global mean.
    ZScore,
    /// Within each rater, the mid-rank percentile (rank − ½) / n (ties share their average rank),
    /// mapped onto the pooled distribution of all ratings at the same plotting position.
    Percentile,
    /// The value minus the rater's effect in the crossed additive model (see
    /// [`additive_model`]).
    Additive,
}

impl Method {
    /// Parses `zscore`, `percentile` or `additive`.
    pub fn parse(name: &str) -> Option<Method> {
        match name {
            "zscore" => Some(Method::ZScore),
            "percentile" => Some(Method::Percentile),
            "additive" => Some(Method::Additive),
            _ => None,
        }
    }
}

/// Normalised ratings, aligned with the input rows; clamped to `scale` (min, max) when given.
/// A row dropped as missing ([`Missing::Omit`](super::Missing::Omit)) is NaN, and takes no
/// part in any rater's or the pool's statistics.
pub fn normalize(ratings: &Ratings, method: Method, scale: Option<(f64, f64)>) -> Result<Vec<f64>> {
    let n = ratings.len();
    if n == 0 {
        return Err(Error::Empty { what: "ratings" });
    }
    if let Some((lo, hi)) = scale {
        if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
            return Err(Error::InvalidValue {
                id: "scale".into(),
                field: "scale",
                reason: format!("`({lo}, {hi})` is not a finite range with min ≤ max"),
            });
        }
    }
    let mut out = match method {
        Method::ZScore => zscore(ratings),
        Method::Percentile => percentile(ratings),
        Method::Additive => {
            let model = additive_model(ratings)?;
            (0..n).map(|i| ratings.value[i] - model.rater_effect[ratings.rater.codes[i] as usize]).collect()
        }
    };
    if let Some((lo, hi)) = scale {
        out.iter_mut().for_each(|v| *v = v.clamp(lo, hi));
    }
    Ok(ratings.to_input_rows(out))
}

/// Streaming two-pass z-scores over rater codes: no per-rater allocation.
fn zscore(ratings: &Ratings) -> Vec<f64> {
    let (v, codes) = (&ratings.value, &ratings.rater.codes);
    let k = ratings.rater.len();
    let n = v.len() as f64;
    let mut count = vec![0.0f64; k];
    let mut total = vec![0.0f64; k];
    for (&x, &r) in v.iter().zip(codes) {
        count[r as usize] += 1.0;
        total[r as usize] += x;
    }
    let grand = sum(v.iter().copied()) / n;
    let means: Vec<f64> = total.iter().zip(&count).map(|(t, c)| t / c).collect();
    // Second pass: centred sums of squares (with the rounding of the first-pass mean corrected).
    let mut ss = vec![0.0f64; k];
    let mut drift = vec![0.0f64; k];
    for (&x, &r) in v.iter().zip(codes) {
        let d = x - means[r as usize];
        ss[r as usize] += d * d;
        drift[r as usize] += d;
    }
    let grand_ss = sum(v.iter().map(|x| (x - grand) * (x - grand)));
    let grand_sd = if v.len() >= 2 { (grand_ss / (n - 1.0)).sqrt() } else { 0.0 };
    let sd: Vec<f64> = (0..k)
        .map(|r| {
            let c = count[r];
            if c < 2.0 {
                return 0.0;
            }
            ((ss[r] - drift[r] * drift[r] / c) / (c - 1.0)).max(0.0).sqrt()
        })
        .collect();
    v.iter()
        .zip(codes)
        .map(|(&x, &r)| {
            let (m, s) = (means[r as usize], sd[r as usize]);
            if s > 0.0 {
                grand + grand_sd * (x - m) / s
            } else {
                grand
            }
        })
        .collect()
}

fn percentile(ratings: &Ratings) -> Vec<f64> {
    let mut pooled = ratings.value.clone();
    pooled.sort_by(f64::total_cmp);
    let total = pooled.len() as f64;
    // Pooled quantile at plotting position q: the value whose own position (i + ½) / N is q,
    // interpolated linearly, flat beyond the ends.
    let quantile = |q: f64| {
        let pos = (q * total - 0.5).clamp(0.0, total - 1.0);
        let lo = pos.floor() as usize;
        let hi = (lo + 1).min(pooled.len() - 1);
        pooled[lo] + (pooled[hi] - pooled[lo]) * (pos - lo as f64)
    };
    let mut out = vec![0.0; ratings.len()];
    for rows in ratings.by_rater() {
        let values: Vec<f64> = rows.iter().map(|&i| ratings.value[i]).collect();
        let (ranks, _) = rank_average(&values);
        let m = rows.len() as f64;
        for (&i, r) in rows.iter().zip(ranks) {
            out[i] = quantile((r - 0.5) / m);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::stats::{mean, variance};

    fn sample() -> Ratings {
        Ratings::new(
            &vec!["a", "b", "c", "d", "e", "f", "g"].into(),
            &vec!["x", "x", "x", "y", "y", "y", "z"].into(),
            vec![4.0, 5.0, 6.0, 1.0, 2.0, 3.0, 4.5],
        )
        .unwrap()
    }

    #[test]
    fn zscore_by_hand() {
        let r = sample();
        let z = normalize(&r, Method::ZScore, None).unwrap();
        let g = mean(&r.value);
        let gsd = variance(&r.value).sqrt();
        // x: mean 5, sd 1 → 4 maps to g − gsd; z has one rating → grand mean.
        assert!((z[0] - (g - gsd)).abs() < 1e-12 && (z[1] - g).abs() < 1e-12);
        assert!((z[3] - (g - gsd)).abs() < 1e-12);
        assert!((z[6] - g).abs() < 1e-12);
        // Normalising again keeps every rater's standardised pattern (the global scale may
        // shrink, since within-rater spread is less than the total spread).
        let again = Ratings::new(
            &vec!["a", "b", "c", "d", "e", "f", "g"].into(),
            &vec!["x", "x", "x", "y", "y", "y", "z"].into(),
            z.clone(),
        )
        .unwrap();
        let twice = normalize(&again, Method::ZScore, None).unwrap();
        let within = |v: &[f64], rows: [usize; 3]| {
            let xs: Vec<f64> = rows.iter().map(|&i| v[i]).collect();
            let (m, s) = (mean(&xs), variance(&xs).sqrt());
            xs.iter().map(|x| (x - m) / s).collect::<Vec<_>>()
        };
        for rows in [[0, 1, 2], [3, 4, 5]] {
            for (a, b) in within(&z, rows).iter().zip(within(&twice, rows)) {
                assert!((a - b).abs() < 1e-12);
            }
        }
        assert!((twice[6] - mean(&twice)).abs() < 1e-12);
        let clamped = normalize(&r, Method::ZScore, Some((2.5, 4.0))).unwrap();
        assert!(clamped.iter().all(|v| (2.5..=4.0).contains(v)));
    }

    #[test]
    fn zscore_survives_offsets() {
        let r = sample();
        let shifted = Ratings::new(
            &vec!["a", "b", "c", "d", "e", "f", "g"].into(),
            &vec!["x", "x", "x", "y", "y", "y", "z"].into(),
            r.value.iter().map(|v| v + 1e9).collect(),
        )
        .unwrap();
        let a = normalize(&r, Method::ZScore, None).unwrap();
        let b = normalize(&shifted, Method::ZScore, None).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x + 1e9 - y).abs() < 1e-6);
        }
    }

    #[test]
    fn percentile_maps_ranks_onto_the_pool() {
        let r = sample();
        let p = normalize(&r, Method::Percentile, None).unwrap();
        // x and y rank their three ratings the same way: the same pooled quantiles.
        assert_eq!(p[0], p[3]);
        assert_eq!(p[2], p[5]);
        // The middle of three sits at q = 1/2: the pooled median (4.0).
        assert!((p[1] - 4.0).abs() < 1e-12);
    }

    #[test]
    fn additive_removes_rater_effects() {
        let r = Ratings::new(
            &vec!["a", "a", "b", "b"].into(),
            &vec!["x", "y", "x", "y"].into(),
            vec![5.0, 3.0, 4.0, 2.0],
        )
        .unwrap();
        let out = normalize(&r, Method::Additive, None).unwrap();
        // x is 2 points more lenient than y on the same people: after removal both agree.
        assert!((out[0] - out[1]).abs() < 1e-9 && (out[2] - out[3]).abs() < 1e-9);
        assert_eq!(normalize(&r, Method::ZScore, Some((3.0, 1.0))).unwrap_err().code(), "invalid_value");
    }
}
