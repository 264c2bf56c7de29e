//! Long-format ratings: one row per (ratee, rater, value), with optional relationship and
//! competency columns. Ids are factorised once into dense codes.

use std::borrow::Cow;

use crate::columns::IdColumn;
use crate::error::{Error, Result};
use crate::ids::Ids;

use super::matrix::Matrix;

/// A factorised id column: a code per row and the distinct ids in order of appearance (kept
/// interned: most statistics never need them as strings).
#[derive(Debug, Clone, Default)]
pub(crate) struct Codes {
    pub codes: Vec<u32>,
    labels: Labels,
}

/// The distinct ids: interned text, or the integers themselves (formatted on demand).
#[derive(Debug, Clone)]
enum Labels {
    Text(Box<Ids>),
    Integers(Vec<i64>),
}

impl Default for Labels {
    fn default() -> Self {
        Labels::Integers(Vec::new())
    }
}

impl Codes {
    /// The codes of `column`, numbered in order of first appearance.
    pub(crate) fn factorize(column: &IdColumn) -> Codes {
        match column {
            IdColumn::Integers(v) => {
                // Compact integer ids (database keys, pandas codes) index a flat table directly.
                let (min, max) = (v.iter().min().copied().unwrap_or(0), v.iter().max().copied().unwrap_or(0));
                let span = max
                    .checked_sub(min)
                    .and_then(|s| usize::try_from(s).ok())
                    .filter(|&s| s < 2 * v.len() + 1024);
                let mut distinct = Vec::new();
                let codes = match span {
                    Some(span) => {
                        let mut slot = vec![u32::MAX; span + 1];
                        v.iter()
                            .map(|&x| {
                                let s = &mut slot[(x - min) as usize];
                                if *s == u32::MAX {
                                    *s = distinct.len() as u32;
                                    distinct.push(x);
                                }
                                *s
                            })
                            .collect()
                    }
                    None => {
                        let mut seen = std::collections::HashMap::new();
                        v.iter()
                            .map(|&x| {
                                *seen.entry(x).or_insert_with(|| {
                                    distinct.push(x);
                                    distinct.len() as u32 - 1
                                })
                            })
                            .collect()
                    }
                };
                Codes { codes, labels: Labels::Integers(distinct) }
            }
            IdColumn::Strings(_) | IdColumn::Utf8(_) => {
                let mut ids = Ids::with_capacity(0);
                let codes = (0..column.len())
                    .map(|i| match ids.insert(column.key(i)) {
                        Ok(c) | Err(c) => c,
                    })
                    .collect();
                Codes { codes, labels: Labels::Text(Box::new(ids)) }
            }
        }
    }

    fn from_codes(codes: Vec<u32>, what: &'static str) -> Result<Codes> {
        let n = codes.iter().max().map_or(0, |&m| m as usize + 1);
        if n > codes.len() {
            return Err(Error::InvalidValue {
                id: what.into(),
                field: "codes",
                reason: format!(
                    "code `{}` is larger than the number of rows; codes must be dense from 0",
                    n - 1
                ),
            });
        }
        Ok(Codes { codes, labels: Labels::Integers((0..n as i64).collect()) })
    }

    /// Number of distinct ids.
    pub fn len(&self) -> usize {
        match &self.labels {
            Labels::Text(ids) => ids.len(),
            Labels::Integers(v) => v.len(),
        }
    }

    /// The id of code `c`.
    pub fn label(&self, c: usize) -> Cow<'_, str> {
        match &self.labels {
            Labels::Text(ids) => Cow::Borrowed(ids.get(c as u32)),
            Labels::Integers(v) => Cow::Owned(v[c].to_string()),
        }
    }

    /// All ids, by code.
    pub fn labels(&self) -> Vec<String> {
        (0..self.len()).map(|c| self.label(c).into_owned()).collect()
    }

    /// The code of an id.
    pub fn find(&self, id: &str) -> Option<usize> {
        match &self.labels {
            Labels::Text(ids) => ids.find(id).map(|c| c as usize),
            Labels::Integers(v) => id.parse::<i64>().ok().and_then(|x| v.iter().position(|&y| y == x)),
        }
    }
}

/// Ratings in long format. Every value must be finite: a missing rating is a missing row.
///
/// ```
/// use okr_core::calibration::Ratings;
/// let r = Ratings::new(&vec!["ann", "ann", "bob"].into(), &vec!["x", "y", "x"].into(), vec![3.0, 4.0, 2.0])?;
/// assert_eq!((r.len(), r.rater_ids().len(), r.ratee_ids().len()), (3, 2, 2));
/// # Ok::<(), okr_core::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    pub(crate) ratee: Codes,
    pub(crate) rater: Codes,
    pub(crate) value: Vec<f64>,
    pub(crate) relationship: Option<Codes>,
    pub(crate) competency: Option<Codes>,
}

fn check(n: usize, column: &'static str, found: usize) -> Result<()> {
    if found == n {
        Ok(())
    } else {
        Err(Error::LengthMismatch { table: "ratings", column, expected: n, found })
    }
}

impl Ratings {
    /// Ratings from id columns (text or integer ids) and values.
    pub fn new(ratee: &IdColumn, rater: &IdColumn, value: Vec<f64>) -> Result<Ratings> {
        check(value.len(), "ratee", ratee.len())?;
        check(value.len(), "rater", rater.len())?;
        Ratings::validated(Codes::factorize(ratee), Codes::factorize(rater), value)
    }

    /// Ratings from dense integer codes (0 ..), as pandas' `factorize` gives them: the fastest
    /// path for large inputs. Ids are then the codes' decimal text.
    pub fn from_codes(ratee: Vec<u32>, rater: Vec<u32>, value: Vec<f64>) -> Result<Ratings> {
        check(value.len(), "ratee", ratee.len())?;
        check(value.len(), "rater", rater.len())?;
        Ratings::validated(Codes::from_codes(ratee, "ratee")?, Codes::from_codes(rater, "rater")?, value)
    }

    fn validated(ratee: Codes, rater: Codes, value: Vec<f64>) -> Result<Ratings> {
        if let Some((i, &v)) = value.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(Error::NonFinite { id: format!("row {i}"), field: "rating", value: v });
        }
        Ok(Ratings { ratee, rater, value, relationship: None, competency: None })
    }

    /// Adds the relationship of each rater to the ratee (`self`, `manager`, `peer`,
    /// `direct_report`, or other text).
    pub fn with_relationship(mut self, relationship: &IdColumn) -> Result<Ratings> {
        check(self.len(), "relationship", relationship.len())?;
        self.relationship = Some(Codes::factorize(relationship));
        Ok(self)
    }

    /// Adds the competency each rating is about.
    pub fn with_competency(mut self, competency: &IdColumn) -> Result<Ratings> {
        check(self.len(), "competency", competency.len())?;
        self.competency = Some(Codes::factorize(competency));
        Ok(self)
    }

    /// Number of ratings.
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether there is no rating.
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Distinct ratee ids, in order of first appearance.
    pub fn ratee_ids(&self) -> Vec<String> {
        self.ratee.labels()
    }

    /// Distinct rater ids, in order of first appearance.
    pub fn rater_ids(&self) -> Vec<String> {
        self.rater.labels()
    }

    /// The ratees × raters matrix (`NaN` where a rater did not rate a ratee). A rater rating the
    /// same ratee twice is an error naming both.
    ///
    /// ```
    /// use okr_core::calibration::Ratings;
    /// let ratees = vec!["ann".to_owned(), "bo".to_owned(), "ann".to_owned()];
    /// let raters = vec!["m1".to_owned(), "m1".to_owned(), "m2".to_owned()];
    /// let m = Ratings::new(&ratees.clone().into(), &raters.into(), vec![3.0, 4.0, 5.0]).unwrap().to_matrix().unwrap();
    /// assert_eq!((m.rows(), m.cols(), m.get(0, 1), m.get(1, 0)), (2, 2, 5.0, 4.0));
    /// assert!(m.get(1, 1).is_nan());
    /// let twice = Ratings::new(&ratees.into(), &vec!["m1".to_owned(); 3].into(), vec![3.0, 4.0, 5.0]).unwrap();
    /// assert_eq!(twice.to_matrix().unwrap_err().to_string(), "`ann` has invalid ratings: rated twice by rater `m1`");
    /// ```
    pub fn to_matrix(&self) -> Result<Matrix<'static>> {
        let (n, k) = (self.ratee.len(), self.rater.len());
        let mut data = vec![f64::NAN; n * k];
        for i in 0..self.len() {
            let cell = &mut data[self.ratee.codes[i] as usize * k + self.rater.codes[i] as usize];
            if !cell.is_nan() {
                return Err(Error::InvalidValue {
                    id: self.ratee.label(self.ratee.codes[i] as usize).to_string(),
                    field: "ratings",
                    reason: format!(
                        "rated twice by rater `{}`",
                        self.rater.label(self.rater.codes[i] as usize)
                    ),
                });
            }
            *cell = self.value[i];
        }
        Matrix::new(n, k, data)
    }

    /// Row indices of each rater's ratings.
    pub(crate) fn by_rater(&self) -> Vec<Vec<usize>> {
        let mut groups = vec![Vec::new(); self.rater.len()];
        for (i, &r) in self.rater.codes.iter().enumerate() {
            groups[r as usize].push(i);
        }
        groups
    }
}
