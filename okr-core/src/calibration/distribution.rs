//! Rating distributions against target shares (forced or guided distributions such as
//! 10/20/40/20/10), overall and per rater or group.

use serde::Serialize;

use super::stats::{chi2_sf, sum};
use crate::error::{Error, Result};

/// The fit of one set of ratings to the target shares.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionFit {
    /// Number of ratings.
    pub n: usize,
    /// Count per category, in the order of `categories`.
    pub observed: Vec<f64>,
    /// n × share per category.
    pub expected: Vec<f64>,
    /// Pearson's χ² goodness of fit over categories with a positive share (∞ when a category
    /// with share 0 is used).
    pub chi2: f64,
    /// Degrees of freedom: categories with a positive share, minus one.
    pub df: f64,
    /// p-value of χ².
    pub pval: f64,
    /// Total-variation distance ½ Σ |observed share − target share|.
    pub tvd: f64,
    /// Whether p < alpha.
    pub flagged: bool,
}

/// The overall fit and one per group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistributionReport {
    /// All ratings.
    pub overall: DistributionFit,
    /// Per group (rater, team, …), groups in order of first appearance.
    pub groups: Vec<(String, DistributionFit)>,
}

fn fit(values: impl Iterator<Item = usize>, shares: &[f64], alpha: f64) -> DistributionFit {
    let mut observed = vec![0.0; shares.len()];
    for c in values {
        observed[c] += 1.0;
    }
    let n = sum(observed.iter().copied());
    let expected: Vec<f64> = shares.iter().map(|s| s * n).collect();
    let chi2 = sum(observed.iter().zip(&expected).map(|(&o, &e)| match (o, e) {
        (_, e) if e > 0.0 => (o - e) * (o - e) / e,
        (o, _) if o > 0.0 => f64::INFINITY,
        _ => 0.0,
    }));
    let df = (shares.iter().filter(|&&s| s > 0.0).count() as f64 - 1.0).max(0.0);
    let pval = if chi2.is_infinite() { 0.0 } else { chi2_sf(chi2, df) };
    let tvd =
        if n > 0.0 { 0.5 * sum(observed.iter().zip(shares).map(|(o, s)| (o / n - s).abs())) } else { 0.0 };
    DistributionFit { n: n as usize, observed, expected, chi2, df, pval, tvd, flagged: pval < alpha }
}

/// Compares ratings with target shares.
///
/// `categories` lists the rating values (every rating must be one of them) and `shares` their
/// target shares (finite, ≥ 0, summing to 1). `groups`, when given, is a label per rating
/// (rater, team); each group gets its own fit, flagged when its χ² p-value is below `alpha`, a
/// number in [0, 1] (small groups rarely reach significance: read the total-variation distance
/// beside it).
pub fn distribution(
    ratings: &[f64],
    categories: &[f64],
    shares: &[f64],
    groups: Option<&[String]>,
    alpha: f64,
) -> Result<DistributionReport> {
    if !(0.0..=1.0).contains(&alpha) {
        return Err(Error::InvalidInput {
            what: format!("the alpha of the distribution test must be a number in [0, 1], not `{alpha}`"),
        });
    }
    if ratings.is_empty() {
        return Err(Error::Empty { what: "ratings" });
    }
    if categories.len() != shares.len() {
        return Err(Error::LengthMismatch {
            table: "target",
            column: "shares",
            expected: categories.len(),
            found: shares.len(),
        });
    }
    if categories.len() < 2 {
        return Err(Error::TooFew { what: "categories", needed: 2, found: categories.len() });
    }
    if let Some(s) = shares.iter().find(|s| !(s.is_finite() && **s >= 0.0)) {
        return Err(Error::InvalidValue {
            id: "target".into(),
            field: "shares",
            reason: format!("share `{s}` is not a finite number ≥ 0"),
        });
    }
    let total = sum(shares.iter().copied());
    if (total - 1.0).abs() > 1e-9 {
        return Err(Error::InvalidValue {
            id: "target".into(),
            field: "shares",
            reason: format!("shares sum to `{total}`, not 1"),
        });
    }
    let codes = ratings
        .iter()
        .enumerate()
        .map(|(i, v)| {
            categories.iter().position(|c| c == v).ok_or_else(|| Error::InvalidValue {
                id: format!("row {i}"),
                field: "rating",
                reason: format!("`{v}` is not one of the categories"),
            })
        })
        .collect::<Result<Vec<usize>>>()?;
    let overall = fit(codes.iter().copied(), shares, alpha);
    let mut out = Vec::new();
    if let Some(g) = groups {
        if g.len() != ratings.len() {
            return Err(Error::LengthMismatch {
                table: "ratings",
                column: "groups",
                expected: ratings.len(),
                found: g.len(),
            });
        }
        let mut order: Vec<&String> = Vec::new();
        let mut members: std::collections::HashMap<&String, Vec<usize>> = std::collections::HashMap::new();
        for (label, &c) in g.iter().zip(&codes) {
            members
                .entry(label)
                .or_insert_with(|| {
                    order.push(label);
                    Vec::new()
                })
                .push(c);
        }
        for label in order {
            out.push((label.clone(), fit(members[label].iter().copied(), shares, alpha)));
        }
    }
    Ok(DistributionReport { overall, groups: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chi_square_by_hand() {
        // 20 ratings on 1..5 against 10/20/40/20/10: expected 2, 4, 8, 4, 2.
        let mut r = vec![1.0; 1];
        r.extend([2.0; 3]);
        r.extend([3.0; 6]);
        r.extend([4.0; 6]);
        r.extend([5.0; 4]);
        let cats = [1.0, 2.0, 3.0, 4.0, 5.0];
        let shares = [0.1, 0.2, 0.4, 0.2, 0.1];
        let d = distribution(&r, &cats, &shares, None, 0.05).unwrap();
        let chi2 = 1.0 / 2.0 + 1.0 / 4.0 + 4.0 / 8.0 + 4.0 / 4.0 + 4.0 / 2.0;
        assert!((d.overall.chi2 - chi2).abs() < 1e-12);
        assert_eq!(d.overall.df, 4.0);
        assert!((d.overall.tvd - 0.5 * (0.05 + 0.05 + 0.1 + 0.1 + 0.1)).abs() < 1e-12);
        assert_eq!(d.overall.expected, [2.0, 4.0, 8.0, 4.0, 2.0]);
        assert!(d.overall.pval > 0.2 && !d.overall.flagged);
    }

    #[test]
    fn groups_are_flagged_when_they_differ() {
        let mut r = Vec::new();
        let mut g = Vec::new();
        for (label, value) in [("fair", 3.0), ("lenient", 5.0)] {
            for i in 0..30 {
                r.push(if label == "fair" { [1.0, 2.0, 3.0, 3.0, 4.0, 5.0][i % 6] } else { value });
                g.push(label.to_owned());
            }
        }
        let d =
            distribution(&r, &[1.0, 2.0, 3.0, 4.0, 5.0], &[0.1, 0.2, 0.4, 0.2, 0.1], Some(&g), 0.05).unwrap();
        assert_eq!(d.groups.len(), 2);
        assert!(!d.groups[0].1.flagged && d.groups[1].1.flagged);
        assert!((d.groups[1].1.tvd - 0.9).abs() < 1e-12);
    }

    #[test]
    fn bad_targets() {
        let cats = [1.0, 2.0];
        assert_eq!(distribution(&[1.0], &cats, &[0.5, 0.6], None, 0.05).unwrap_err().code(), "invalid_value");
        let outside = distribution(&[1.0, 3.0], &cats, &[0.5, 0.5], None, 0.05).unwrap_err();
        assert_eq!(outside.code(), "invalid_value");
        assert_eq!(outside.to_string(), "`row 1` has invalid rating: `3` is not one of the categories");
        assert_eq!(distribution(&[], &cats, &[0.5, 0.5], None, 0.05).unwrap_err().code(), "empty");
        for alpha in [-0.1, 1.5, f64::NAN] {
            let e = distribution(&[1.0], &cats, &[0.5, 0.5], None, alpha).unwrap_err();
            assert_eq!(e.code(), "invalid_input");
            assert!(e.to_string().ends_with(&format!("must be a number in [0, 1], not `{alpha}`")));
        }
        let d = distribution(&[1.0, 2.0], &cats, &[1.0, 0.0], None, 0.05).unwrap();
        assert!(d.overall.chi2.is_infinite() && d.overall.pval == 0.0);
    }
}
