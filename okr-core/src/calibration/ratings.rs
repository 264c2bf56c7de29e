//! Long-format ratings: one row per (ratee, rater, value), with optional relationship and
//! competency columns. Ids are factorised once into dense codes.

use crate::columns::IdColumn;
use crate::error::{Error, Result};
use crate::ids::Ids;

use super::matrix::Matrix;

/// A factorised id column: a code per row and the distinct ids in order of appearance.
#[derive(Debug, Clone, Default)]
pub(crate) struct Codes {
    pub codes: Vec<u32>,
    pub labels: Vec<String>,
}

impl Codes {
    fn factorize(column: &IdColumn) -> Codes {
        let mut ids = Ids::with_capacity(0);
        let codes = (0..column.len())
            .map(|i| match ids.insert(column.key(i)) {
                Ok(c) | Err(c) => c,
            })
            .collect();
        let labels = (0..ids.len() as u32).map(|c| ids.get(c).to_owned()).collect();
        Codes { codes, labels }
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
        Ok(Codes { codes, labels: (0..n).map(|c| c.to_string()).collect() })
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
            return Err(Error::NonFinite { id: format!("rating {i}"), field: "value", value: v });
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
    pub fn ratee_ids(&self) -> &[String] {
        &self.ratee.labels
    }

    /// Distinct rater ids, in order of first appearance.
    pub fn rater_ids(&self) -> &[String] {
        &self.rater.labels
    }

    /// The ratees × raters matrix (`NaN` where a rater did not rate a ratee). A rater rating the
    /// same ratee twice is an error naming both.
    pub fn to_matrix(&self) -> Result<Matrix> {
        let (n, k) = (self.ratee.labels.len(), self.rater.labels.len());
        let mut data = vec![f64::NAN; n * k];
        for i in 0..self.len() {
            let cell = &mut data[self.ratee.codes[i] as usize * k + self.rater.codes[i] as usize];
            if !cell.is_nan() {
                return Err(Error::InvalidValue {
                    id: format!("ratee `{}`", self.ratee.labels[self.ratee.codes[i] as usize]),
                    field: "ratings",
                    reason: format!(
                        "rated twice by rater `{}`",
                        self.rater.labels[self.rater.codes[i] as usize]
                    ),
                });
            }
            *cell = self.value[i];
        }
        Matrix::new(n, k, data)
    }

    /// Row indices of each rater's ratings.
    pub(crate) fn by_rater(&self) -> Vec<Vec<usize>> {
        let mut groups = vec![Vec::new(); self.rater.labels.len()];
        for (i, &r) in self.rater.codes.iter().enumerate() {
            groups[r as usize].push(i);
        }
        groups
    }
}
