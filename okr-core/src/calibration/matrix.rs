//! A dense matrix of ratings (targets × raters, or units × coders) with NaN for missing cells.

use std::borrow::Cow;

use super::ratings::Codes;
use crate::columns::IdColumn;
use crate::error::{Error, Result};

/// The most cells [`Matrix::from_long`] makes (2^31: 16 GiB of ratings): more distinct row and
/// column ids than that is an error rather than an allocation the machine cannot make.
const MAX_CELLS: usize = 1 << 31;

/// What to do with a missing rating: in the ICC, a target that lacks some rater's rating; in
/// long ratings ([`Ratings::with_missing`](super::Ratings::with_missing)), a NaN value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Missing {
    /// Refuse: a missing cell is an error naming it (pingouin's `nan_policy="raise"`).
    #[default]
    Raise,
    /// Drop the targets with a missing cell (listwise deletion, pingouin's `"omit"`), or the
    /// rows of long ratings whose value is NaN.
    Omit,
}

impl Missing {
    /// Parses `raise` or `omit` (pingouin's and scipy's names for the policies).
    pub fn parse(name: &str) -> Option<Missing> {
        match name {
            "raise" => Some(Missing::Raise),
            "omit" => Some(Missing::Omit),
            _ => None,
        }
    }
}

/// Row-major ratings; `NaN` marks a missing cell. Infinite values are rejected on construction.
/// The data is owned, or borrowed from the caller (a numpy array, a typed array) to avoid a copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix<'a> {
    rows: usize,
    cols: usize,
    data: Cow<'a, [f64]>,
}

impl<'a> Matrix<'a> {
    /// A matrix over borrowed row-major data of `rows × cols` values.
    pub fn borrowed(rows: usize, cols: usize, data: &'a [f64]) -> Result<Matrix<'a>> {
        Matrix::checked(rows, cols, Cow::Borrowed(data))
    }

    /// A matrix from row-major data of `rows × cols` values.
    pub fn new(rows: usize, cols: usize, data: Vec<f64>) -> Result<Matrix<'static>> {
        Matrix::checked(rows, cols, Cow::Owned(data))
    }

    fn checked<'b>(rows: usize, cols: usize, data: Cow<'b, [f64]>) -> Result<Matrix<'b>> {
        if data.len() != rows * cols {
            return Err(Error::LengthMismatch {
                table: "matrix",
                column: "data",
                expected: rows * cols,
                found: data.len(),
            });
        }
        // A vectorisable scan first; the position is only looked for when there is one.
        if data.iter().fold(false, |any, v| any | v.is_infinite()) {
            let (i, &v) =
                data.iter().enumerate().find(|(_, v)| v.is_infinite()).unwrap_or((0, &f64::INFINITY));
            return Err(Error::NonFinite {
                id: format!("row {}, column {}", i / cols.max(1), i % cols.max(1)),
                field: "rating",
                value: v,
            });
        }
        Ok(Matrix { rows, cols, data })
    }

    /// A matrix from equal-length rows.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Result<Matrix<'static>> {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, r) in rows.iter().enumerate() {
            if r.as_ref().len() != cols {
                return Err(Error::LengthMismatch {
                    table: "matrix",
                    column: "row",
                    expected: cols,
                    found: r.as_ref().len(),
                })
                .map_err(|e| annotate(e, i));
            }
            data.extend_from_slice(r.as_ref());
        }
        Matrix::new(rows.len(), cols, data)
    }

    /// Pivots long-format ratings (row id, column id, value) into a matrix, for example targets ×
    /// raters. `NaN` values become missing cells; a (row, column) pair given twice is an error,
    /// as is an id column whose length is not the values' (named `targets` for the rows and
    /// `raters` for the columns).
    /// Returns the matrix with its row and column ids in order of first appearance.
    pub fn from_long(
        rows: &IdColumn,
        cols: &IdColumn,
        values: &[f64],
    ) -> Result<(Matrix<'static>, Vec<String>, Vec<String>)> {
        let (m, r, c) = Matrix::pivoted(rows, cols, values)?;
        Ok((m, r.labels(), c.labels()))
    }

    /// [`Matrix::from_long`] without the ids: what a statistic of the matrix needs. Compact
    /// integer ids (database keys, pandas codes) are numbered through a flat table, and no id is
    /// written out as text, so pivoting 10,000 targets × 5 raters costs a fraction of the
    /// statistic.
    pub fn pivot(rows: &IdColumn, cols: &IdColumn, values: &[f64]) -> Result<Matrix<'static>> {
        Matrix::pivoted(rows, cols, values).map(|(m, _, _)| m)
    }

    pub(super) fn pivoted(
        rows: &IdColumn,
        cols: &IdColumn,
        values: &[f64],
    ) -> Result<(Matrix<'static>, Codes, Codes)> {
        // Named as the ICC's callers name them: targets (rows) and raters (columns).
        let mismatch = [("targets", rows.len()), ("raters", cols.len())]
            .into_iter()
            .find(|&(_, len)| len != values.len());
        if let Some((column, found)) = mismatch {
            return Err(Error::LengthMismatch { table: "ratings", column, expected: values.len(), found });
        }
        let (r, c) = (Codes::factorize(rows), Codes::factorize(cols));
        let (nr, nc) = (r.len(), c.len());
        let cells = nr.checked_mul(nc).filter(|&n| n <= MAX_CELLS).ok_or_else(|| Error::InvalidInput {
            what: format!(
                "ratings: {nr} row ids × {nc} column ids make a matrix of more than {MAX_CELLS} cells"
            ),
        })?;
        let mut data = vec![f64::NAN; cells];
        let mut seen = vec![false; cells];
        for ((&i, &j), &v) in r.codes.iter().zip(&c.codes).zip(values) {
            let cell = i as usize * nc + j as usize;
            if std::mem::replace(&mut seen[cell], true) {
                return Err(Error::InvalidValue {
                    id: r.label(i as usize).to_string(),
                    field: "ratings",
                    reason: format!("rated twice by `{}`", c.label(j as usize)),
                });
            }
            data[cell] = v;
        }
        Ok((Matrix::new(nr, nc, data)?, r, c))
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Cell `(r, c)`.
    pub fn get(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.cols + c]
    }

    /// Row `r`.
    pub fn row(&self, r: usize) -> &[f64] {
        &self.data[r * self.cols..(r + 1) * self.cols]
    }

    /// The transpose.
    pub fn transposed(&self) -> Matrix<'static> {
        let mut data = Vec::with_capacity(self.data.len());
        for c in 0..self.cols {
            for r in 0..self.rows {
                data.push(self.get(r, c));
            }
        }
        Matrix { rows: self.cols, cols: self.rows, data: Cow::Owned(data) }
    }

    /// The rows without missing cells, or an error naming the first missing cell.
    pub(crate) fn complete(&self, missing: Missing) -> Result<Matrix<'static>> {
        let mut data = Vec::with_capacity(self.data.len());
        let mut rows = 0;
        for r in 0..self.rows {
            let row = self.row(r);
            match (row.iter().position(|v| v.is_nan()), missing) {
                (None, _) => {
                    data.extend_from_slice(row);
                    rows += 1;
                }
                (Some(c), Missing::Raise) => {
                    return Err(Error::MissingValue {
                        what: format!(
                            "row {r}, column {c} (the `omit` missing-value policy drops such rows)"
                        ),
                    })
                }
                (Some(_), Missing::Omit) => {}
            }
        }
        Ok(Matrix { rows, cols: self.cols, data: Cow::Owned(data) })
    }
}

fn annotate(e: Error, row: usize) -> Error {
    match e {
        Error::LengthMismatch { expected, found, .. } => Error::InvalidValue {
            id: format!("row {row}"),
            field: "matrix",
            reason: format!("{found} values where the first row has {expected}"),
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Long ratings pivot to the same matrix whatever the ids' form (compact integers through the
    /// flat table, scattered integers, text), rows and columns in order of first appearance.
    #[test]
    fn long_ratings_pivot_in_order_of_first_appearance() {
        let (t, r) = ([7i64, 7, 3, 3, 9], [2i64, 1, 1, 2, 2]);
        let v = [1.0, 2.0, 3.0, 4.0, 5.0];
        // Rows 7, 3, 9; columns 2, 1. Target 9 has no rating by rater 1.
        let want = [1.0, 2.0, 4.0, 3.0, 5.0, f64::NAN];
        let scattered = |x: &[i64]| x.iter().map(|&i| i * 1_000_000_007).collect::<Vec<_>>();
        let text = |x: &[i64], p: &str| x.iter().map(|i| format!("{p}{i}")).collect::<Vec<_>>();
        for (rows, cols, labels) in [
            (IdColumn::from(t.to_vec()), IdColumn::from(r.to_vec()), (["7", "3", "9"], ["2", "1"])),
            (
                IdColumn::from(scattered(&t)),
                IdColumn::from(scattered(&r)),
                (["7000000049", "3000000021", "9000000063"], ["2000000014", "1000000007"]),
            ),
            (
                IdColumn::from(text(&t, "t")),
                IdColumn::from(text(&r, "r")),
                (["t7", "t3", "t9"], ["r2", "r1"]),
            ),
        ] {
            let m = Matrix::pivot(&rows, &cols, &v).unwrap();
            assert_eq!((m.rows(), m.cols()), (3, 2));
            let got: Vec<u64> = (0..6).map(|i| m.get(i / 2, i % 2).to_bits()).collect();
            assert_eq!(got, want.map(f64::to_bits), "{labels:?}");
            let (again, row_ids, col_ids) = Matrix::from_long(&rows, &cols, &v).unwrap();
            assert_eq!(again.data.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), got);
            assert_eq!(
                (row_ids, col_ids),
                (labels.0.map(String::from).to_vec(), labels.1.map(String::from).to_vec())
            );
        }
    }

    #[test]
    fn long_ratings_name_a_pair_given_twice_and_refuse_bad_shapes() {
        let t = IdColumn::from(vec!["a".to_owned(), "b".to_owned(), "a".to_owned()]);
        let r = IdColumn::from(vec!["x".to_owned(), "x".to_owned(), "x".to_owned()]);
        let e = Matrix::pivot(&t, &r, &[1.0, 2.0, 3.0]).unwrap_err();
        assert_eq!(e.to_string(), "`a` has invalid ratings: rated twice by `x`");
        let short = Matrix::pivot(&t, &r, &[1.0]).unwrap_err();
        assert_eq!(short.code(), "length_mismatch");
        assert_eq!(short.to_string(), "column `targets` of ratings has 3 rows, expected 1");
        let raters = Matrix::pivot(&t, &IdColumn::from(vec!["x".to_owned()]), &[1.0, 2.0, 3.0]).unwrap_err();
        assert_eq!(raters.to_string(), "column `raters` of ratings has 1 rows, expected 3");
        // 50,000 distinct targets, each rated by a rater of its own: 2.5e9 cells are refused
        // before anything is allocated.
        let ids: Vec<i64> = (0..50_000).collect();
        let many = Matrix::pivot(&IdColumn::from(ids.clone()), &IdColumn::from(ids), &vec![1.0; 50_000]);
        assert_eq!(many.unwrap_err().code(), "invalid_input");
    }
}
