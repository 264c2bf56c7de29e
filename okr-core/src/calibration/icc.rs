//! Intraclass correlation: the six forms of Shrout & Fleiss (1979) with the F test and 95 %
//! confidence intervals exactly as pingouin (and R's psych) define them.

use serde::Serialize;

use super::matrix::{Matrix, Missing};
use super::stats::{f_ppf, f_sf, mean, sum};
use crate::columns::IdColumn;
use crate::error::{Error, Result};

/// Which ICC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum IccType {
    /// ICC(1,1): one-way random effects, single rater, absolute agreement.
    #[serde(rename = "ICC1")]
    Icc1,
    /// ICC(A,1) = ICC(2,1): two-way random effects, single rater, absolute agreement.
    #[serde(rename = "ICC2")]
    Icc2,
    /// ICC(C,1) = ICC(3,1): two-way mixed effects, single rater, consistency.
    #[serde(rename = "ICC3")]
    Icc3,
    /// ICC(1,k): the mean of k raters, one-way.
    #[serde(rename = "ICC1k")]
    Icc1k,
    /// ICC(A,k) = ICC(2,k): the mean of k random raters.
    #[serde(rename = "ICC2k")]
    Icc2k,
    /// ICC(C,k) = ICC(3,k): the mean of k fixed raters.
    #[serde(rename = "ICC3k")]
    Icc3k,
}

impl IccType {
    /// pingouin's name (`ICC1`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            IccType::Icc1 => "ICC1",
            IccType::Icc2 => "ICC2",
            IccType::Icc3 => "ICC3",
            IccType::Icc1k => "ICC1k",
            IccType::Icc2k => "ICC2k",
            IccType::Icc3k => "ICC3k",
        }
    }

    /// pingouin's description.
    pub fn description(self) -> &'static str {
        match self {
            IccType::Icc1 => "Single raters absolute",
            IccType::Icc2 => "Single random raters",
            IccType::Icc3 => "Single fixed raters",
            IccType::Icc1k => "Average raters absolute",
            IccType::Icc2k => "Average random raters",
            IccType::Icc3k => "Average fixed raters",
        }
    }
}

/// One row of the ICC table, in pingouin's columns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IccRow {
    /// The form.
    #[serde(rename = "type")]
    pub kind: IccType,
    /// Its description.
    pub description: &'static str,
    /// The coefficient.
    pub icc: f64,
    /// F statistic of its test.
    pub f: f64,
    /// Numerator degrees of freedom.
    pub df1: f64,
    /// Denominator degrees of freedom.
    pub df2: f64,
    /// p-value of the F test.
    pub pval: f64,
    /// 95 % confidence interval, unrounded.
    pub ci95: [f64; 2],
}

/// The six ICCs of long-format ratings, a target id, a rater id and a rating per row, as
/// `pingouin.intraclass_corr(data, targets, raters, ratings, nan_policy)` takes them: pivoted
/// into a targets × raters matrix ([`Matrix::pivot`]) and passed to [`intraclass_corr`].
///
/// Under [`Missing::Raise`], a target without a rating from every rater (no row, or a NaN
/// rating) is an error naming the target and the rater; [`Missing::Omit`] drops such targets.
///
/// ```
/// use okr_core::calibration::{intraclass_corr_long, Missing};
///
/// // Three targets rated by raters "a" and "b"; target 3 lacks b's rating.
/// let targets = vec![1i64, 1, 2, 2, 3];
/// let raters = vec!["a".to_owned(), "b".into(), "a".into(), "b".into(), "a".into()];
/// let ratings = [4.0, 5.0, 2.0, 2.5, 3.0];
/// let (t, r) = (targets.into(), raters.into());
/// let e = intraclass_corr_long(&t, &r, &ratings, Missing::Raise).unwrap_err();
/// assert!(e.to_string().contains("target `3` has no rating by rater `b`"));
/// let rows = intraclass_corr_long(&t, &r, &ratings, Missing::Omit)?;
/// assert_eq!(rows[0].df1, 1.0); // two targets left
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn intraclass_corr_long(
    targets: &IdColumn,
    raters: &IdColumn,
    ratings: &[f64],
    missing: Missing,
) -> Result<Vec<IccRow>> {
    let (m, t, r) = Matrix::pivoted(targets, raters, ratings)?;
    if missing == Missing::Raise {
        if let Some(cell) = (0..m.rows() * m.cols()).find(|&i| m.get(i / m.cols(), i % m.cols()).is_nan()) {
            return Err(missing_rating(&t.label(cell / m.cols()), &r.label(cell % m.cols())));
        }
    }
    intraclass_corr(&m, missing)
}

/// The error for a target that lacks a rater's rating.
fn missing_rating(target: &str, rater: &str) -> Error {
    Error::MissingValue {
        what: format!(
            "target `{target}` has no rating by rater `{rater}` (the `omit` missing-value policy drops such targets)"
        ),
    }
}

/// The six ICCs of a targets × raters matrix, in pingouin's order (ICC1, ICC2, ICC3, ICC1k,
/// ICC2k, ICC3k).
///
/// With n targets and k raters, the two-way ANOVA gives mean squares for targets (MSB), raters
/// (MSJ), residual (MSE) and within targets (MSW = (SSJ + SSE) / (n (k − 1))); then
/// ICC1 = (MSB − MSW) / (MSB + (k − 1) MSW), ICC2 = (MSB − MSE) / (MSB + (k − 1) MSE +
/// k (MSJ − MSE) / n), ICC3 = (MSB − MSE) / (MSB + (k − 1) MSE), and the average-rater forms
/// drop the (k − 1) terms. Confidence intervals follow Shrout & Fleiss (1979) and McGraw & Wong
/// (1996), with Satterthwaite's degrees of freedom for ICC2, as pingouin computes them.
///
/// Needs at least 2 targets and 2 raters after missing targets are handled.
pub fn intraclass_corr(ratings: &Matrix, missing: Missing) -> Result<Vec<IccRow>> {
    let m = ratings.complete(missing)?;
    let (n, k) = (m.rows(), m.cols());
    if k < 2 {
        return Err(Error::TooFew { what: "raters", needed: 2, found: k });
    }
    if n < 2 {
        return Err(Error::TooFew { what: "targets (with every rater's rating)", needed: 2, found: n });
    }
    let all: Vec<f64> = (0..n).flat_map(|r| m.row(r).iter().copied()).collect();
    let grand = mean(&all);
    // Deviations from the grand mean first: large offsets cancel before anything is squared.
    let dev: Vec<f64> = all.iter().map(|v| v - grand).collect();
    let row_means: Vec<f64> =
        (0..n).map(|r| sum(dev[r * k..(r + 1) * k].iter().copied()) / k as f64).collect();
    let col_means: Vec<f64> = (0..k).map(|c| sum((0..n).map(|r| dev[r * k + c])) / n as f64).collect();
    let (nf, kf) = (n as f64, k as f64);
    let ss_total = sum(dev.iter().map(|d| d * d));
    let ssb = kf * sum(row_means.iter().map(|d| d * d));
    let ssj = nf * sum(col_means.iter().map(|d| d * d));
    let sse = (ss_total - ssb - ssj).max(0.0);
    let msb = ssb / (nf - 1.0);
    let msj = ssj / (kf - 1.0);
    let mse = sse / ((nf - 1.0) * (kf - 1.0));
    let msw = (ssj + sse) / (nf * (kf - 1.0));

    let icc1 = (msb - msw) / (msb + (kf - 1.0) * msw);
    let icc2 = (msb - mse) / (msb + (kf - 1.0) * mse + kf * (msj - mse) / nf);
    let icc3 = (msb - mse) / (msb + (kf - 1.0) * mse);
    let icc1k = (msb - msw) / msb;
    let icc2k = (msb - mse) / (msb + (msj - mse) / nf);
    let icc3k = (msb - mse) / msb;

    let df1 = nf - 1.0;
    let df1kd = nf * (kf - 1.0);
    let df2kd = (nf - 1.0) * (kf - 1.0);
    let f1k = msb / msw;
    let f2k = msb / mse;
    let p1k = f_sf(f1k, df1, df1kd);
    let p2k = f_sf(f2k, df1, df2kd);

    let q = 1.0 - 0.05 / 2.0;
    let f1l = f1k / f_ppf(q, df1, df1kd);
    let f1u = f1k * f_ppf(q, df1kd, df1);
    let f3l = f2k / f_ppf(q, df1, df2kd);
    let f3u = f2k * f_ppf(q, df2kd, df1);
    let single = |fl: f64, fu: f64| [(fl - 1.0) / (fl + kf - 1.0), (fu - 1.0) / (fu + kf - 1.0)];
    let average = |fl: f64, fu: f64| [1.0 - 1.0 / fl, 1.0 - 1.0 / fu];
    // ICC2: Satterthwaite's approximate denominator degrees of freedom.
    let fj = msj / mse;
    let vn = df2kd * (kf * icc2 * fj + nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
    let vd = df1 * kf * kf * icc2 * icc2 * fj * fj + (nf * (1.0 + (kf - 1.0) * icc2) - kf * icc2).powi(2);
    let v = vn / vd;
    let f2u = f_ppf(q, df1, v);
    let f2l = f_ppf(q, v, df1);
    let spread = kf * msj + (kf * nf - kf - nf) * mse;
    let l2 = nf * (msb - f2u * mse) / (f2u * spread + nf * msb);
    let u2 = nf * (f2l * msb - mse) / (spread + nf * f2l * msb);
    let avg2 = |x: f64| x * kf / (1.0 + x * (kf - 1.0));

    let row = |kind: IccType, icc, f, df2, pval, ci95| IccRow {
        kind,
        description: kind.description(),
        icc,
        f,
        df1,
        df2,
        pval,
        ci95,
    };
    Ok(vec![
        row(IccType::Icc1, icc1, f1k, df1kd, p1k, single(f1l, f1u)),
        row(IccType::Icc2, icc2, f2k, df2kd, p2k, [l2, u2]),
        row(IccType::Icc3, icc3, f2k, df2kd, p2k, single(f3l, f3u)),
        row(IccType::Icc1k, icc1k, f1k, df1kd, p1k, average(f1l, f1u)),
        row(IccType::Icc2k, icc2k, f2k, df2kd, p2k, [avg2(l2), avg2(u2)]),
        row(IccType::Icc3k, icc3k, f2k, df2kd, p2k, average(f3l, f3u)),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shrout_fleiss() -> Matrix<'static> {
        Matrix::from_rows(&[
            [9.0, 2.0, 5.0, 8.0],
            [6.0, 1.0, 3.0, 2.0],
            [8.0, 4.0, 6.0, 8.0],
            [7.0, 1.0, 2.0, 6.0],
            [10.0, 5.0, 6.0, 9.0],
            [6.0, 2.0, 4.0, 7.0],
        ])
        .unwrap()
    }

    /// Textbook ANOVA with plain loops: an independent reference for the mean squares.
    fn naive_mean_squares(m: &Matrix) -> (f64, f64, f64, f64) {
        let (n, k) = (m.rows(), m.cols());
        let g: f64 = (0..n).flat_map(|r| m.row(r).to_vec()).sum::<f64>() / (n * k) as f64;
        let rm: Vec<f64> = (0..n).map(|r| m.row(r).iter().sum::<f64>() / k as f64).collect();
        let cm: Vec<f64> = (0..k).map(|c| (0..n).map(|r| m.get(r, c)).sum::<f64>() / n as f64).collect();
        let ssb: f64 = rm.iter().map(|x| (x - g).powi(2)).sum::<f64>() * k as f64;
        let ssj: f64 = cm.iter().map(|x| (x - g).powi(2)).sum::<f64>() * n as f64;
        let mut sse = 0.0;
        let mut ssw = 0.0;
        for r in 0..n {
            for c in 0..k {
                sse += (m.get(r, c) - rm[r] - cm[c] + g).powi(2);
                ssw += (m.get(r, c) - rm[r]).powi(2);
            }
        }
        let (nf, kf) = (n as f64, k as f64);
        (ssb / (nf - 1.0), ssj / (kf - 1.0), sse / ((nf - 1.0) * (kf - 1.0)), ssw / (nf * (kf - 1.0)))
    }

    #[test]
    fn shrout_fleiss_1979_table_4() {
        let m = shrout_fleiss();
        let rows = intraclass_corr(&m, Missing::Raise).unwrap();
        // The paper's Table 4, to its two decimals.
        let published = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91];
        for (row, want) in rows.iter().zip(published) {
            assert!((row.icc - want).abs() < 0.005, "{:?}: {} vs {want}", row.kind, row.icc);
        }
        // The paper's mean squares: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
        let (msb, msj, mse, msw) = naive_mean_squares(&m);
        assert!((msb - 11.24).abs() < 0.005 && (msw - 6.26).abs() < 0.005);
        assert!((msj - 32.49).abs() < 0.005 && (mse - 1.02).abs() < 0.005);
        // Exact agreement with the formulas on the reference mean squares.
        let k = 4.0;
        let n = 6.0;
        let exact = [
            (msb - msw) / (msb + (k - 1.0) * msw),
            (msb - mse) / (msb + (k - 1.0) * mse + k * (msj - mse) / n),
            (msb - mse) / (msb + (k - 1.0) * mse),
            (msb - msw) / msb,
            (msb - mse) / (msb + (msj - mse) / n),
            (msb - mse) / msb,
        ];
        for (row, want) in rows.iter().zip(exact) {
            assert!((row.icc - want).abs() < 1e-12, "{:?}", row.kind);
        }
        assert_eq!((rows[0].df1, rows[0].df2, rows[1].df2), (5.0, 18.0, 15.0));
        assert!((rows[0].f - msb / msw).abs() < 1e-12 && (rows[2].f - msb / mse).abs() < 1e-12);
        for r in &rows {
            assert!(r.ci95[0] < r.icc && r.icc < r.ci95[1], "{:?} {:?}", r.kind, r.ci95);
        }
    }

    #[test]
    fn offsets_change_nothing_and_missing_rows_are_handled() {
        let m = shrout_fleiss();
        let shifted: Vec<[f64; 4]> = (0..m.rows())
            .map(|r| {
                let row = m.row(r);
                [row[0] + 1e9, row[1] + 1e9, row[2] + 1e9, row[3] + 1e9]
            })
            .collect();
        let a = intraclass_corr(&m, Missing::Raise).unwrap();
        let b = intraclass_corr(&Matrix::from_rows(&shifted).unwrap(), Missing::Raise).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert!((x.icc - y.icc).abs() < 1e-6 && (x.f - y.f).abs() < 1e-6 * x.f);
        }
        let mut gappy: Vec<[f64; 4]> =
            (0..m.rows()).map(|r| [m.get(r, 0), m.get(r, 1), m.get(r, 2), m.get(r, 3)]).collect();
        gappy.push([1.0, f64::NAN, 3.0, 4.0]);
        let g = Matrix::from_rows(&gappy).unwrap();
        assert_eq!(intraclass_corr(&g, Missing::Raise).unwrap_err().code(), "missing_value");
        let omitted = intraclass_corr(&g, Missing::Omit).unwrap();
        assert!((omitted[0].icc - a[0].icc).abs() < 1e-12);
    }

    #[test]
    fn long_ratings_name_the_target_and_rater_of_a_missing_rating() {
        let m = shrout_fleiss();
        // The Shrout & Fleiss matrix in long form, targets as text, raters as integers; then
        // target `t2` loses rater 3's rating, once as a NaN and once as an absent row.
        let (mut t, mut r, mut v) = (Vec::new(), Vec::new(), Vec::new());
        for row in 0..m.rows() {
            for col in 0..m.cols() {
                t.push(format!("t{row}"));
                r.push(col as i64);
                v.push(m.get(row, col));
            }
        }
        let (targets, raters) = (IdColumn::from(t.clone()), IdColumn::from(r.clone()));
        let whole = intraclass_corr_long(&targets, &raters, &v, Missing::Raise).unwrap();
        assert_eq!(whole, intraclass_corr(&m, Missing::Raise).unwrap());
        let at = t.iter().zip(&r).position(|(t, &r)| t == "t2" && r == 3).unwrap();
        let mut nan = v.clone();
        nan[at] = f64::NAN;
        let want = "missing value: target `t2` has no rating by rater `3` (the `omit` missing-value policy drops such targets)";
        let e = intraclass_corr_long(&targets, &raters, &nan, Missing::Raise).unwrap_err();
        assert_eq!((e.code(), e.to_string().as_str()), ("missing_value", want));
        let (mut t2, mut r2, mut v2) = (t.clone(), r.clone(), v.clone());
        v2.remove(at);
        t2.remove(at);
        r2.remove(at);
        let absent = intraclass_corr_long(&IdColumn::from(t2), &IdColumn::from(r2), &v2, Missing::Raise);
        assert_eq!(absent.unwrap_err().to_string(), want);
        // Omitted, the target is dropped, as from the matrix.
        let omitted = intraclass_corr_long(&targets, &raters, &nan, Missing::Omit).unwrap();
        let rest: Vec<[f64; 4]> = (0..m.rows())
            .filter(|&i| i != 2)
            .map(|i| [m.get(i, 0), m.get(i, 1), m.get(i, 2), m.get(i, 3)])
            .collect();
        assert_eq!(omitted, intraclass_corr(&Matrix::from_rows(&rest).unwrap(), Missing::Raise).unwrap());
    }

    #[test]
    fn too_few() {
        let one = Matrix::from_rows(&[[1.0, 2.0]]).unwrap();
        assert_eq!(intraclass_corr(&one, Missing::Raise).unwrap_err().code(), "too_few");
        let narrow = Matrix::from_rows(&[[1.0], [2.0]]).unwrap();
        assert_eq!(intraclass_corr(&narrow, Missing::Raise).unwrap_err().code(), "too_few");
        assert_eq!(
            intraclass_corr(&Matrix::new(0, 0, vec![]).unwrap(), Missing::Raise).unwrap_err().code(),
            "too_few"
        );
    }
}
