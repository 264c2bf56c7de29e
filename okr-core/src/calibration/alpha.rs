//! Krippendorff's alpha for any number of coders, missing values, and four levels of
//! measurement.
//!
//! α = 1 − D_o / D_e, where D_o is the observed disagreement within units and D_e the
//! disagreement expected by chance, both over *pairable* values (values in units that received at
//! least two). Nothing here builds a values × values coincidence matrix: interval and ordinal
//! disagreements reduce to centred sums of squares (ordinal on mid-ranks), nominal to counts, so
//! memory grows with the number of ratings, never with the number of distinct values (the
//! `krippendorff` package needs units × values² and fails on continuous scores).

use super::matrix::Matrix;
use super::stats::sum;
use crate::error::{Error, Result};

/// Level of measurement: decides the difference function δ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// δ = 0 if equal, else 1.
    Nominal,
    /// δ between c and k = (Σ_{g=c..k} n_g − (n_c + n_k) / 2)²: ranks, weighted by frequency.
    Ordinal,
    /// δ = (c − k)².
    Interval,
    /// δ = ((c − k) / (c + k))².
    Ratio,
}

impl Level {
    /// Parses `nominal`, `ordinal`, `interval` or `ratio` (the `krippendorff` package's names).
    pub fn parse(name: &str) -> Option<Level> {
        match name {
            "nominal" => Some(Level::Nominal),
            "ordinal" => Some(Level::Ordinal),
            "interval" => Some(Level::Interval),
            "ratio" => Some(Level::Ratio),
            _ => None,
        }
    }
}

/// Pairable values grouped by unit.
struct Units {
    offsets: Vec<usize>,
    values: Vec<f64>,
}

impl Units {
    fn unit(&self, u: usize) -> &[f64] {
        &self.values[self.offsets[u]..self.offsets[u + 1]]
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }
}

/// Krippendorff's alpha of reliability data: one row per coder (rater), one column per unit,
/// `NaN` for a missing value (the `krippendorff.alpha(reliability_data=…)` layout).
///
/// `value_domain`, when given, lists the allowed values; a value outside it is an error.
///
/// ```
/// use okr_core::calibration::{krippendorff_alpha, Level, Matrix};
/// let nan = f64::NAN;
/// // Krippendorff (2011), "Computing Krippendorff's alpha-reliability": 4 coders, 12 units.
/// let data = Matrix::from_rows(&[
///     [1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 4.0, 1.0, 2.0, nan, nan, nan],
///     [1.0, 2.0, 3.0, 3.0, 2.0, 2.0, 4.0, 1.0, 2.0, 5.0, nan, 3.0],
///     [nan, 3.0, 3.0, 3.0, 2.0, 3.0, 4.0, 2.0, 2.0, 5.0, 1.0, nan],
///     [1.0, 2.0, 3.0, 3.0, 2.0, 4.0, 4.0, 1.0, 2.0, 5.0, 1.0, nan],
/// ])?;
/// let a = krippendorff_alpha(&data, Level::Nominal, None)?;
/// assert!((a - 0.743).abs() < 5e-4);
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn krippendorff_alpha(
    reliability_data: &Matrix,
    level: Level,
    value_domain: Option<&[f64]>,
) -> Result<f64> {
    let (coders, n_units) = (reliability_data.rows(), reliability_data.cols());
    if coders == 0 || n_units == 0 {
        return Err(Error::Empty { what: "reliability data" });
    }
    if level == Level::Interval && value_domain.is_none() {
        return interval_streaming(reliability_data);
    }
    // Group by unit (columns) with a counting pass, keeping units with two or more values.
    let mut count = vec![0usize; n_units];
    for c in 0..coders {
        for (u, v) in reliability_data.row(c).iter().enumerate() {
            if !v.is_nan() {
                count[u] += 1;
            }
        }
    }
    let mut offsets = Vec::with_capacity(n_units + 1);
    offsets.push(0);
    let mut slot = vec![usize::MAX; n_units];
    for u in 0..n_units {
        if count[u] >= 2 {
            slot[u] = offsets[offsets.len() - 1];
            offsets.push(slot[u] + count[u]);
        }
    }
    let mut values = vec![0.0; offsets[offsets.len() - 1]];
    for c in 0..coders {
        for (u, &v) in reliability_data.row(c).iter().enumerate() {
            if !v.is_nan() && slot[u] != usize::MAX {
                values[slot[u]] = v;
                slot[u] += 1;
            }
        }
    }
    alpha(&Units { offsets, values }, level, value_domain)
}

/// Interval alpha in two streaming passes over the matrix, with per-unit accumulators only: the
/// total sum of squares is decomposed as Σ_u (SS_u + m_u (mean_u − grand)²), so no value is
/// gathered or sorted.
fn interval_streaming(m: &Matrix) -> Result<f64> {
    let units = m.cols();
    let mut count = vec![0u32; units];
    let mut total = vec![0.0f64; units];
    // Branch-free inner loops (missing cells are random): the compiler vectorises them.
    for c in 0..m.rows() {
        for ((k, t), &v) in count.iter_mut().zip(total.iter_mut()).zip(m.row(c)) {
            let present = !v.is_nan();
            *k += u32::from(present);
            *t += if present { v } else { 0.0 };
        }
    }
    let mean: Vec<f64> = total.iter().zip(&count).map(|(t, &k)| t / f64::from(k.max(1))).collect();
    let mut ss = vec![0.0f64; units];
    let mut drift = vec![0.0f64; units];
    // Units with fewer than two values get mean NaN here, so their deviations drop out below.
    let centre_of: Vec<f64> =
        mean.iter().zip(&count).map(|(&m, &k)| if k >= 2 { m } else { f64::NAN }).collect();
    for c in 0..m.rows() {
        for (((s, dr), &mu), &v) in ss.iter_mut().zip(drift.iter_mut()).zip(&centre_of).zip(m.row(c)) {
            let d = v - mu;
            let d = if d.is_nan() { 0.0 } else { d };
            *s += d * d;
            *dr += d;
        }
    }
    let pairable = || (0..units).filter(|&u| count[u] >= 2);
    let n = sum(pairable().map(|u| f64::from(count[u])));
    if n < 2.0 {
        return Err(Error::TooFew {
            what: "pairable values (units rated by two or more coders)",
            needed: 2,
            found: n as usize,
        });
    }
    // Correct each unit's mean for its rounding (the two-pass trick), then decompose.
    let within: Vec<f64> = (0..units)
        .map(|u| if count[u] >= 2 { ss[u] - drift[u] * drift[u] / f64::from(count[u]) } else { 0.0 })
        .collect();
    let centre: Vec<f64> = (0..units)
        .map(|u| if count[u] >= 2 { mean[u] + drift[u] / f64::from(count[u]) } else { 0.0 })
        .collect();
    let grand = sum(pairable().map(|u| f64::from(count[u]) * centre[u])) / n;
    let total_ss =
        sum(pairable().map(|u| within[u] + f64::from(count[u]) * (centre[u] - grand) * (centre[u] - grand)));
    if total_ss <= 0.0 {
        return Err(Error::TooFew {
            what: "distinct values (alpha is undefined without variation)",
            needed: 2,
            found: 1,
        });
    }
    let observed = sum(pairable().map(|u| {
        let k = f64::from(count[u]);
        2.0 * k * within[u] / (k - 1.0)
    })) / n;
    let expected = 2.0 * total_ss / (n - 1.0);
    Ok(1.0 - observed / expected)
}

/// Krippendorff's alpha from value counts: one row per unit, one column per value of
/// `value_domain` (default `0, 1, 2, …`), each cell how many coders gave that value to that unit
/// (the `krippendorff.alpha(value_counts=…)` layout). Counts must be whole and non-negative.
pub fn krippendorff_alpha_counts(
    value_counts: &Matrix,
    level: Level,
    value_domain: Option<&[f64]>,
) -> Result<f64> {
    let domain: Vec<f64> = match value_domain {
        Some(d) if d.len() != value_counts.cols() => {
            return Err(Error::LengthMismatch {
                table: "value_counts",
                column: "value_domain",
                expected: value_counts.cols(),
                found: d.len(),
            })
        }
        Some(d) => d.to_vec(),
        None => (0..value_counts.cols()).map(|i| i as f64).collect(),
    };
    let mut offsets = vec![0];
    let mut values = Vec::new();
    for u in 0..value_counts.rows() {
        let start = values.len();
        for (j, &c) in value_counts.row(u).iter().enumerate() {
            if !(c >= 0.0 && c.fract() == 0.0) {
                return Err(Error::InvalidValue {
                    id: format!("unit {u}"),
                    field: "value_counts",
                    reason: format!("count `{c}` for value `{}` is not a whole number ≥ 0", domain[j]),
                });
            }
            // Counts are expanded into values: refuse totals no real panel reaches rather than
            // allocate without bound (a count of 1e300 is a data error).
            if c + values.len() as f64 > MAX_COUNTED_VALUES {
                return Err(Error::InvalidValue {
                    id: format!("unit {u}"),
                    field: "value_counts",
                    reason: format!("count `{c}` takes the total past {MAX_COUNTED_VALUES} ratings"),
                });
            }
            values.extend(std::iter::repeat_n(domain[j], c as usize));
        }
        if values.len() - start >= 2 {
            offsets.push(values.len());
        } else {
            values.truncate(start);
        }
    }
    alpha(&Units { offsets, values }, level, Some(&domain))
}

/// The most ratings a value-counts table may add up to (a hundred million).
pub const MAX_COUNTED_VALUES: f64 = 1e8;

fn alpha(units: &Units, level: Level, domain: Option<&[f64]>) -> Result<f64> {
    let n = units.values.len();
    if units.len() == 0 || n < 2 {
        return Err(Error::TooFew {
            what: "pairable values (units rated by two or more coders)",
            needed: 2,
            found: n,
        });
    }
    if let Some(d) = domain {
        if let Some(v) = units.values.iter().find(|v| !d.contains(v)) {
            return Err(Error::InvalidValue {
                id: "reliability data".into(),
                field: "value",
                reason: format!("`{v}` is not in the value domain"),
            });
        }
    }
    let nf = n as f64;
    if level == Level::Interval {
        // Interval needs no value table: centred sums of squares only.
        let (observed, expected) = squared_distances(units, |v| v);
        if expected <= 0.0 {
            return Err(Error::TooFew {
                what: "distinct values (alpha is undefined without variation)",
                needed: 2,
                found: 1,
            });
        }
        return Ok(1.0 - observed / expected);
    }
    // Sorted distinct values with their counts over all pairable values.
    let mut sorted = units.values.clone();
    sorted.sort_by(f64::total_cmp);
    let mut distinct: Vec<(f64, f64)> = Vec::new();
    for &v in &sorted {
        match distinct.last_mut() {
            Some((x, c)) if *x == v => *c += 1.0,
            _ => distinct.push((v, 1.0)),
        }
    }
    if distinct.len() < 2 {
        return Err(Error::TooFew {
            what: "distinct values (alpha is undefined without variation)",
            needed: 2,
            found: 1,
        });
    }
    let (observed, expected) = match level {
        Level::Interval => squared_distances(units, |v| v),
        Level::Ordinal => {
            // Mid-rank of each value: (count below) + (own count) / 2; ordinal δ is the squared
            // difference of mid-ranks.
            let mut below = 0.0;
            let ranks: Vec<(f64, f64)> = distinct
                .iter()
                .map(|&(v, c)| {
                    let r = below + c / 2.0;
                    below += c;
                    (v, r)
                })
                .collect();
            let rank = |v: f64| {
                let i = ranks.partition_point(|&(x, _)| x < v);
                ranks[i].1
            };
            squared_distances(units, rank)
        }
        Level::Nominal => {
            let observed = sum((0..units.len()).map(|u| {
                let vals = units.unit(u);
                let m = vals.len() as f64;
                let mut s = vals.to_vec();
                s.sort_by(f64::total_cmp);
                let same = runs(&s).map(|c| c * c).sum::<f64>();
                (m * m - same) / (m - 1.0)
            })) / nf;
            let expected = (nf * nf - sum(distinct.iter().map(|&(_, c)| c * c))) / (nf * (nf - 1.0));
            (observed, expected)
        }
        Level::Ratio => {
            let delta = |a: f64, b: f64| if a + b == 0.0 { 0.0 } else { ((a - b) / (a + b)).powi(2) };
            let observed = sum((0..units.len()).map(|u| {
                let vals = units.unit(u);
                let pairs: f64 = vals
                    .iter()
                    .enumerate()
                    .map(|(i, &a)| vals[i + 1..].iter().map(|&b| delta(a, b)).sum::<f64>())
                    .sum();
                2.0 * pairs / (vals.len() as f64 - 1.0)
            })) / nf;
            let pairs = sum(distinct.iter().enumerate().map(|(i, &(a, ca))| {
                distinct[i + 1..].iter().map(|&(b, cb)| ca * cb * delta(a, b)).sum::<f64>()
            }));
            (observed, 2.0 * pairs / (nf * (nf - 1.0)))
        }
    };
    Ok(1.0 - observed / expected)
}

/// Run lengths of equal values in a sorted slice.
fn runs(sorted: &[f64]) -> impl Iterator<Item = f64> + '_ {
    let mut i = 0;
    std::iter::from_fn(move || {
        if i >= sorted.len() {
            return None;
        }
        let j = i + sorted[i..].iter().take_while(|&&v| v == sorted[i]).count();
        let len = (j - i) as f64;
        i = j;
        Some(len)
    })
}

/// Observed and expected disagreement for δ = (f(a) − f(b))².
///
/// Within a unit of m values, Σ_{i≠j} (x_i − x_j)² = 2 m Σ (x_i − x̄)²; over all n pairable
/// values likewise, so both are centred sums of squares.
fn squared_distances(units: &Units, f: impl Fn(f64) -> f64) -> (f64, f64) {
    let n = units.values.len() as f64;
    let x: Vec<f64> = units.values.iter().map(|&v| f(v)).collect();
    let grand = sum(x.iter().copied()) / n;
    let total = sum(x.iter().map(|v| (v - grand) * (v - grand)));
    let observed = sum((0..units.len()).map(|u| {
        let xs = &x[units.offsets[u]..units.offsets[u + 1]];
        let m = xs.len() as f64;
        let mean = sum(xs.iter().copied()) / m;
        let ss = sum(xs.iter().map(|v| (v - mean) * (v - mean)));
        2.0 * m * ss / (m - 1.0)
    })) / n;
    (observed, 2.0 * n * total / (n * (n - 1.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAN: f64 = f64::NAN;

    fn krippendorff_2011() -> Matrix<'static> {
        Matrix::from_rows(&[
            [1.0, 2.0, 3.0, 3.0, 2.0, 1.0, 4.0, 1.0, 2.0, NAN, NAN, NAN],
            [1.0, 2.0, 3.0, 3.0, 2.0, 2.0, 4.0, 1.0, 2.0, 5.0, NAN, 3.0],
            [NAN, 3.0, 3.0, 3.0, 2.0, 3.0, 4.0, 2.0, 2.0, 5.0, 1.0, NAN],
            [1.0, 2.0, 3.0, 3.0, 2.0, 4.0, 4.0, 1.0, 2.0, 5.0, 1.0, NAN],
        ])
        .unwrap()
    }

    /// Krippendorff's definition with the coincidence matrix, in plain loops: the reference.
    fn reference(m: &Matrix, delta: impl Fn(f64, f64, &[(f64, f64)]) -> f64) -> f64 {
        let units: Vec<Vec<f64>> = (0..m.cols())
            .map(|u| (0..m.rows()).map(|c| m.get(c, u)).filter(|v| !v.is_nan()).collect::<Vec<_>>())
            .filter(|v| v.len() >= 2)
            .collect();
        let mut vals: Vec<f64> = units.iter().flatten().copied().collect();
        vals.sort_by(f64::total_cmp);
        vals.dedup();
        let idx = |v: f64| vals.iter().position(|&x| x == v).unwrap();
        let k = vals.len();
        let mut o = vec![vec![0.0; k]; k];
        for u in &units {
            let m = u.len() as f64;
            for (i, &a) in u.iter().enumerate() {
                for (j, &b) in u.iter().enumerate() {
                    if i != j {
                        o[idx(a)][idx(b)] += 1.0 / (m - 1.0);
                    }
                }
            }
        }
        let nc: Vec<f64> = o.iter().map(|r| r.iter().sum()).collect();
        let n: f64 = nc.iter().sum();
        let counts: Vec<(f64, f64)> = vals.iter().copied().zip(nc.iter().copied()).collect();
        let (mut dobs, mut dexp) = (0.0, 0.0);
        for c in 0..k {
            for kk in 0..k {
                let d = delta(vals[c], vals[kk], &counts);
                dobs += o[c][kk] * d;
                dexp += nc[c] * nc[kk] * d;
            }
        }
        1.0 - (n - 1.0) * dobs / dexp
    }

    fn ordinal_delta(a: f64, b: f64, counts: &[(f64, f64)]) -> f64 {
        let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
        let between: f64 = counts.iter().filter(|(v, _)| *v >= lo && *v <= hi).map(|(_, c)| c).sum();
        let na = counts.iter().find(|(v, _)| *v == a).unwrap().1;
        let nb = counts.iter().find(|(v, _)| *v == b).unwrap().1;
        (between - (na + nb) / 2.0).powi(2)
    }

    #[test]
    fn krippendorff_2011_published_values() {
        let m = krippendorff_2011();
        type Delta<'a> = &'a dyn Fn(f64, f64, &[(f64, f64)]) -> f64;
        let cases: [(Level, f64, Delta); 4] = [
            (Level::Nominal, 0.743, &|a, b, _| if a == b { 0.0 } else { 1.0 }),
            (Level::Ordinal, 0.815, &ordinal_delta),
            (Level::Interval, 0.849, &|a, b, _| (a - b).powi(2)),
            (Level::Ratio, 0.797, &|a, b, _| ((a - b) / (a + b)).powi(2)),
        ];
        for (level, published, delta) in cases {
            let a = krippendorff_alpha(&m, level, None).unwrap();
            assert!((a - published).abs() < 5e-4, "{level:?}: {a} vs {published}");
            assert!((a - reference(&m, delta)).abs() < 1e-12, "{level:?}");
        }
    }

    #[test]
    fn counts_form_matches_matrix_form() {
        let m = krippendorff_2011();
        let domain = [1.0, 2.0, 3.0, 4.0, 5.0];
        let counts: Vec<[f64; 5]> = (0..m.cols())
            .map(|u| {
                let mut c = [0.0; 5];
                (0..m.rows())
                    .map(|r| m.get(r, u))
                    .filter(|v| !v.is_nan())
                    .for_each(|v| c[v as usize - 1] += 1.0);
                c
            })
            .collect();
        let cm = Matrix::from_rows(&counts).unwrap();
        for level in [Level::Nominal, Level::Ordinal, Level::Interval, Level::Ratio] {
            let a = krippendorff_alpha(&m, level, None).unwrap();
            let b = krippendorff_alpha_counts(&cm, level, Some(&domain)).unwrap();
            assert!((a - b).abs() < 1e-12, "{level:?}");
        }
        let bad = Matrix::from_rows(&[[1.0, -1.0], [2.0, 0.0]]).unwrap();
        assert_eq!(
            krippendorff_alpha_counts(&bad, Level::Nominal, None).unwrap_err().code(),
            "invalid_value"
        );
    }

    #[test]
    fn degenerate_inputs_are_errors() {
        let same = Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0]]).unwrap();
        assert_eq!(krippendorff_alpha(&same, Level::Interval, None).unwrap_err().code(), "too_few");
        let lonely = Matrix::from_rows(&[[1.0, NAN], [NAN, 2.0]]).unwrap();
        assert_eq!(krippendorff_alpha(&lonely, Level::Nominal, None).unwrap_err().code(), "too_few");
        assert_eq!(
            krippendorff_alpha(&Matrix::new(0, 0, vec![]).unwrap(), Level::Nominal, None).unwrap_err().code(),
            "empty"
        );
        let m = krippendorff_2011();
        assert_eq!(
            krippendorff_alpha(&m, Level::Nominal, Some(&[1.0, 2.0])).unwrap_err().code(),
            "invalid_value"
        );
    }

    #[test]
    fn offset_invariance_for_interval() {
        let m = krippendorff_2011();
        let shifted: Vec<Vec<f64>> =
            (0..m.rows()).map(|r| m.row(r).iter().map(|v| v + 1e9).collect()).collect();
        let a = krippendorff_alpha(&m, Level::Interval, None).unwrap();
        let b = krippendorff_alpha(&Matrix::from_rows(&shifted).unwrap(), Level::Interval, None).unwrap();
        assert!((a - b).abs() < 1e-6);
    }
}
