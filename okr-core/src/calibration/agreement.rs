//! Kendall's coefficient of concordance W, with the correction for ties.

use serde::Serialize;

use super::matrix::Matrix;
use super::stats::{chi2_sf, rank_average, sum};
use crate::error::{Error, Result};

/// Kendall's W and its χ² test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct KendallW {
    /// The coefficient, in [0, 1].
    #[serde(rename = "W")]
    pub w: f64,
    /// χ² = m (n − 1) W.
    pub chisq: f64,
    /// Degrees of freedom, n − 1.
    pub df: f64,
    /// p-value of χ².
    pub pval: f64,
}

/// Kendall's W of a subjects × raters matrix (R's `irr::kendall(ratings, correct = TRUE)`
/// layout): each rater's column is ranked (ties get average ranks), then
/// W = 12 S / (m² (n³ − n) − m Σ T), with S the sum of squared deviations of the rank sums and
/// T = Σ (t³ − t) over each rater's tie groups (0 when `correct_ties` is false).
pub fn kendall_w(ratings: &Matrix, correct_ties: bool) -> Result<KendallW> {
    let (n, m) = (ratings.rows(), ratings.cols());
    if n < 2 {
        return Err(Error::TooFew { what: "subjects", needed: 2, found: n });
    }
    if m < 2 {
        return Err(Error::TooFew { what: "raters", needed: 2, found: m });
    }
    let mut rank_sums = vec![0.0; n];
    let mut ties = 0.0;
    for c in 0..m {
        let column: Vec<f64> = (0..n).map(|r| ratings.get(r, c)).collect();
        if let Some(r) = column.iter().position(|v| v.is_nan()) {
            return Err(Error::MissingValue { what: format!("subject {r}, rater {c}") });
        }
        let (ranks, groups) = rank_average(&column);
        for (s, r) in rank_sums.iter_mut().zip(ranks) {
            *s += r;
        }
        ties += groups.iter().map(|&t| (t * t * t - t) as f64).sum::<f64>();
    }
    let (nf, mf) = (n as f64, m as f64);
    let mean = sum(rank_sums.iter().copied()) / nf;
    let s = sum(rank_sums.iter().map(|r| (r - mean) * (r - mean)));
    let denominator = mf * mf * (nf * nf * nf - nf) - if correct_ties { mf * ties } else { 0.0 };
    if denominator <= 0.0 {
        return Err(Error::TooFew {
            what: "distinct ratings (every rater tied every subject)",
            needed: 2,
            found: 1,
        });
    }
    let w = 12.0 * s / denominator;
    let chisq = mf * (nf - 1.0) * w;
    Ok(KendallW { w, chisq, df: nf - 1.0, pval: chi2_sf(chisq, nf - 1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_and_opposed_agreement() {
        let same =
            Matrix::from_rows(&[[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0], [4.0, 4.0, 4.0]]).unwrap();
        let w = kendall_w(&same, true).unwrap();
        assert!((w.w - 1.0).abs() < 1e-12);
        assert!((w.chisq - 9.0).abs() < 1e-12 && w.df == 3.0);
        // Two raters in exactly opposite order: rank sums all equal, W = 0.
        let opposed = Matrix::from_rows(&[[1.0, 3.0], [2.0, 2.0], [3.0, 1.0]]).unwrap();
        assert!(kendall_w(&opposed, true).unwrap().w.abs() < 1e-12);
    }

    #[test]
    fn textbook_example_with_ties() {
        // Siegel & Castellan (1988)-style: 3 raters, 4 subjects, one tie in rater 3.
        let m =
            Matrix::from_rows(&[[1.0, 2.0, 1.0], [2.0, 1.0, 2.5], [3.0, 3.0, 2.5], [4.0, 4.0, 4.0]]).unwrap();
        // Rank sums 4, 5.5, 8.5, 12 (mean 7.5): S = 12.25 + 4 + 1 + 20.25 = 37.5; T = 2³ − 2 = 6.
        let corrected = 12.0 * 37.5 / (9.0 * 60.0 - 3.0 * 6.0);
        let plain = 12.0 * 37.5 / (9.0 * 60.0);
        assert!((kendall_w(&m, true).unwrap().w - corrected).abs() < 1e-12);
        assert!((kendall_w(&m, false).unwrap().w - plain).abs() < 1e-12);
        let p = kendall_w(&m, true).unwrap().pval;
        assert!(p > 0.0 && p < 0.1);
    }

    #[test]
    fn errors() {
        let one = Matrix::from_rows(&[[1.0, 2.0]]).unwrap();
        assert_eq!(kendall_w(&one, true).unwrap_err().code(), "too_few");
        let gap = Matrix::from_rows(&[[1.0, f64::NAN], [2.0, 1.0]]).unwrap();
        assert_eq!(kendall_w(&gap, true).unwrap_err().code(), "missing_value");
        let flat = Matrix::from_rows(&[[1.0, 1.0], [1.0, 1.0]]).unwrap();
        assert_eq!(kendall_w(&flat, true).unwrap_err().code(), "too_few");
    }
}
