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

/// A rating category: a point on a numeric scale (`f64`) or a label such as `"Exceeds"`
/// (`String`, `&str`). Implemented for those three types only.
pub trait Category: sealed::Keyed {
    /// The category as errors and charts show it.
    fn label(&self) -> String;
}

mod sealed {
    /// What a category is compared by: a number's bits (-0 as 0), or a label's text.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Key<'a> {
        Number(u64),
        Text(&'a str),
    }

    /// The look-up key of a category; `None` for NaN, which equals nothing.
    pub trait Keyed {
        fn key(&self) -> Option<Key<'_>>;
    }

    impl Keyed for f64 {
        fn key(&self) -> Option<Key<'_>> {
            (!self.is_nan()).then(|| Key::Number(if *self == 0.0 { 0 } else { self.to_bits() }))
        }
    }

    impl Keyed for String {
        fn key(&self) -> Option<Key<'_>> {
            Some(Key::Text(self))
        }
    }

    impl Keyed for &str {
        fn key(&self) -> Option<Key<'_>> {
            Some(Key::Text(self))
        }
    }
}

impl Category for f64 {
    fn label(&self) -> String {
        crate::explain::num(*self)
    }
}

impl Category for String {
    fn label(&self) -> String {
        self.clone()
    }
}

impl Category for &str {
    fn label(&self) -> String {
        (*self).to_owned()
    }
}

/// Compares ratings with target shares.
///
/// Ratings and categories are numbers (a 1–5 scale) or labels (`"Exceeds"`, `"Meets"`), the
/// two of one type. `categories` lists the rating values, each once (every rating must be one
/// of them; a numeric category must not be NaN), and `shares` their target shares (finite,
/// ≥ 0, summing to 1). `groups`, when given, is a label per rating (rater, team); each group
/// gets its own fit, flagged when its χ² p-value is below `alpha`, a number in [0, 1] (small
/// groups rarely reach significance: read the total-variation distance beside it).
///
/// ```
/// use okr_core::calibration::distribution;
///
/// // A guided 20/60/20 distribution, ratings as labels; the same with a 1–3 scale.
/// let ratings = ["Meets", "Exceeds", "Meets", "Below", "Meets"];
/// let shares = [0.2, 0.6, 0.2];
/// let fit = distribution(&ratings, &["Below", "Meets", "Exceeds"], &shares, None, 0.05)?;
/// assert_eq!(fit.overall.observed, [1.0, 3.0, 1.0]);
/// assert_eq!(fit.overall.tvd, 0.0);
/// let scale = distribution(&[2.0, 3.0, 2.0, 1.0, 2.0], &[1.0, 2.0, 3.0], &shares, None, 0.05)?;
/// assert_eq!(scale, fit);
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn distribution<C: Category>(
    ratings: &[C],
    categories: &[C],
    shares: &[f64],
    groups: Option<&[String]>,
    alpha: f64,
) -> Result<DistributionReport> {
    check_target(ratings.len(), categories.len(), shares, alpha)?;
    let index = CategoryIndex::new(categories.iter().map(|c| c.key())).map_err(|(c, reason)| {
        Error::InvalidValue {
            id: "target".into(),
            field: "categories",
            reason: format!("category `{}` {reason}", categories[c].label()),
        }
    })?;
    let codes = ratings
        .iter()
        .enumerate()
        .map(|(i, v)| {
            v.key().and_then(|k| index.find(k)).ok_or_else(|| Error::InvalidValue {
                id: format!("row {i}"),
                field: "rating",
                reason: format!("`{}` is not one of the categories", v.label()),
            })
        })
        .collect::<Result<Vec<usize>>>()?;
    fits(&codes, shares, groups, alpha)
}

/// The checks of `alpha`, the ratings' count and the target's shares, the same whatever the
/// categories' type (kept out of the generic function so that it is compiled once).
fn check_target(ratings: usize, categories: usize, shares: &[f64], alpha: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&alpha) {
        return Err(Error::InvalidInput {
            what: format!("the alpha of the distribution test must be a number in [0, 1], not `{alpha}`"),
        });
    }
    if ratings == 0 {
        return Err(Error::Empty { what: "ratings" });
    }
    if categories != shares.len() {
        return Err(Error::LengthMismatch {
            table: "target",
            column: "shares",
            expected: categories,
            found: shares.len(),
        });
    }
    if categories < 2 {
        return Err(Error::TooFew { what: "categories", needed: 2, found: categories });
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
    Ok(())
}

/// The overall fit and each group's, from each rating's category position.
fn fits(
    codes: &[usize],
    shares: &[f64],
    groups: Option<&[String]>,
    alpha: f64,
) -> Result<DistributionReport> {
    let overall = fit(codes.iter().copied(), shares, alpha);
    let mut out = Vec::new();
    if let Some(g) = groups {
        if g.len() != codes.len() {
            return Err(Error::LengthMismatch {
                table: "ratings",
                column: "groups",
                expected: codes.len(),
                found: g.len(),
            });
        }
        let mut order: Vec<&String> = Vec::new();
        let mut members: std::collections::HashMap<&String, Vec<usize>> = std::collections::HashMap::new();
        for (label, &c) in g.iter().zip(codes) {
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

/// The categories' positions in the caller's list by key, so that a rating finds its category
/// in one look-up. Not generic: compiled once for every type.
struct CategoryIndex<'a> {
    positions: std::collections::HashMap<sealed::Key<'a>, usize>,
}

impl<'a> CategoryIndex<'a> {
    /// The index of the categories' keys; a category without one (NaN) or listed twice is
    /// given back as its position and why.
    fn new(
        keys: impl Iterator<Item = Option<sealed::Key<'a>>>,
    ) -> std::result::Result<Self, (usize, &'static str)> {
        let mut positions = std::collections::HashMap::new();
        for (i, key) in keys.enumerate() {
            if positions.insert(key.ok_or((i, "is not a number"))?, i).is_some() {
                return Err((i, "is listed twice"));
            }
        }
        Ok(CategoryIndex { positions })
    }

    /// The position (in the caller's order) of the category with `key`.
    fn find(&self, key: sealed::Key<'_>) -> Option<usize> {
        self.positions.get(&key).copied()
    }
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

    #[test]
    fn labels_score_as_their_numbers_do() {
        // The same ratings as labels and as a 1–5 scale, categories listed out of sorted order.
        let scale = ["Below", "Partly", "Meets", "Exceeds", "Outstanding"];
        let numbers = [3.0, 1.0, 5.0, 3.0, 4.0, 3.0, 2.0, 4.0, 3.0, 5.0, 3.0, 2.0];
        let labels: Vec<String> = numbers.iter().map(|&v| scale[v as usize - 1].to_owned()).collect();
        let groups: Vec<String> = (0..numbers.len()).map(|i| ["ann", "bo"][i % 2].to_owned()).collect();
        let shares = [0.1, 0.2, 0.4, 0.2, 0.1];
        let by_number =
            distribution(&numbers, &[1.0, 2.0, 3.0, 4.0, 5.0], &shares, Some(&groups), 0.05).unwrap();
        let cats: Vec<String> = scale.iter().map(|s| s.to_string()).collect();
        let by_label = distribution(&labels, &cats, &shares, Some(&groups), 0.05).unwrap();
        assert_eq!(by_label, by_number);
        assert_eq!(by_label.overall.observed, [1.0, 2.0, 5.0, 2.0, 2.0]);
        let strs: Vec<&str> = labels.iter().map(String::as_str).collect();
        assert_eq!(distribution(&strs, &scale, &shares, None, 0.05).unwrap().overall, by_number.overall);
        let e = distribution(&["Meets", "Great"], &scale, &shares, None, 0.05).unwrap_err();
        assert_eq!(e.to_string(), "`row 1` has invalid rating: `Great` is not one of the categories");
    }

    #[test]
    fn categories_are_each_listed_once_and_never_nan() {
        let e = distribution(&[1.0], &[1.0, 2.0, 1.0], &[0.5, 0.25, 0.25], None, 0.05).unwrap_err();
        assert_eq!(e.to_string(), "`target` has invalid categories: category `1` is listed twice");
        let e = distribution(&["a"], &["a", "b", "b"], &[0.5, 0.25, 0.25], None, 0.05).unwrap_err();
        assert_eq!(e.to_string(), "`target` has invalid categories: category `b` is listed twice");
        let e = distribution(&[1.0], &[1.0, f64::NAN], &[0.5, 0.5], None, 0.05).unwrap_err();
        assert_eq!(e.to_string(), "`target` has invalid categories: category `NaN` is not a number");
        let e = distribution(&[1.0, f64::NAN], &[1.0, 2.0], &[0.5, 0.5], None, 0.05).unwrap_err();
        assert_eq!(e.to_string(), "`row 1` has invalid rating: `NaN` is not one of the categories");
        // -0 and 0 are one category, as they are one number.
        let d = distribution(&[-0.0, 0.0, 1.0], &[0.0, 1.0], &[0.5, 0.5], None, 0.05).unwrap();
        assert_eq!(d.overall.observed, [2.0, 1.0]);
    }

    #[test]
    fn every_rating_finds_its_own_category_among_many() {
        // Categories in a scrambled order: the sorted look-up must give the caller's positions.
        let k = 257;
        let categories: Vec<f64> = (0..k).map(|i| ((i * 101) % k) as f64 * 0.5 - 20.0).collect();
        let shares = vec![1.0 / k as f64; k];
        let ratings: Vec<f64> = (0..3 * k).map(|i| categories[(i * 7) % k]).collect();
        let d = distribution(&ratings, &categories, &shares, None, 0.05).unwrap();
        for (j, c) in categories.iter().enumerate() {
            let count = ratings.iter().filter(|r| *r == c).count() as f64;
            assert_eq!(d.overall.observed[j], count, "category {c} at {j}");
        }
    }
}
