//! A dense matrix of ratings (targets × raters, or units × coders) with NaN for missing cells.

use std::borrow::Cow;

use crate::columns::IdColumn;
use crate::error::{Error, Result};
use crate::ids::Ids;

/// What to do with a target that lacks some rater's rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Missing {
    /// Refuse: a missing cell is an error naming it (pingouin's `nan_policy="raise"`).
    #[default]
    Raise,
    /// Drop the targets with a missing cell (listwise deletion, pingouin's `"omit"`).
    Omit,
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
    /// raters. `NaN` values become missing cells; a (row, column) pair given twice is an error.
    /// Returns the matrix with its row and column ids in order of first appearance.
    pub fn from_long(
        rows: &IdColumn,
        cols: &IdColumn,
        values: &[f64],
    ) -> Result<(Matrix<'static>, Vec<String>, Vec<String>)> {
        if rows.len() != values.len() || cols.len() != values.len() {
            let found = if rows.len() != values.len() { rows.len() } else { cols.len() };
            return Err(Error::LengthMismatch {
                table: "ratings",
                column: "ids",
                expected: values.len(),
                found,
            });
        }
        let (mut row_ids, mut col_ids) = (Ids::with_capacity(0), Ids::with_capacity(0));
        let codes: Vec<(usize, usize)> = (0..values.len())
            .map(|i| {
                let r = row_ids.insert(rows.key(i)).unwrap_or_else(|c| c) as usize;
                let c = col_ids.insert(cols.key(i)).unwrap_or_else(|c| c) as usize;
                (r, c)
            })
            .collect();
        let (nr, nc) = (row_ids.len(), col_ids.len());
        let mut data = vec![f64::NAN; nr * nc];
        let mut seen = vec![false; nr * nc];
        for (i, &(r, c)) in codes.iter().enumerate() {
            if std::mem::replace(&mut seen[r * nc + c], true) {
                return Err(Error::InvalidValue {
                    id: format!("`{}`", row_ids.get(r as u32)),
                    field: "ratings",
                    reason: format!("rated twice by `{}`", col_ids.get(c as u32)),
                });
            }
            data[r * nc + c] = values[i];
        }
        let labels = |ids: &Ids| (0..ids.len() as u32).map(|i| ids.get(i).to_owned()).collect();
        Ok((Matrix::new(nr, nc, data)?, labels(&row_ids), labels(&col_ids)))
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
