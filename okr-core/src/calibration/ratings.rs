//! Long-format ratings: one row per (ratee, rater, value), with optional relationship and
//! competency columns. Ids are factorised once into dense codes.

use std::borrow::Cow;

use crate::columns::IdColumn;
use crate::error::{Error, Result};
use crate::ids::{Ids, Key};

use super::matrix::{Matrix, Missing};

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
        Codes::factorize_rows(column, None)
    }

    /// The codes of the rows `kept` of `column` (every row when `None`), numbered in order of
    /// first appearance among them: ids found only in other rows get no code.
    pub(crate) fn factorize_rows(column: &IdColumn, kept: Option<&[u32]>) -> Codes {
        match (column, kept) {
            (IdColumn::Integers(v), None) => Codes::integers(v.iter().copied(), v.len()),
            (IdColumn::Integers(v), Some(k)) => Codes::integers(k.iter().map(|&i| v[i as usize]), k.len()),
            (_, None) => Codes::texts((0..column.len()).map(|i| column.key(i))),
            (_, Some(k)) => Codes::texts(k.iter().map(|&i| column.key(i as usize))),
        }
    }

    /// The codes of `n` integer ids.
    fn integers(values: impl Iterator<Item = i64> + Clone, n: usize) -> Codes {
        // Compact integer ids (database keys, pandas codes) index a flat table directly.
        let (min, max) = values.clone().fold((i64::MAX, i64::MIN), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let span = max.checked_sub(min).and_then(|s| usize::try_from(s).ok()).filter(|&s| s < 2 * n + 1024);
        let mut distinct = Vec::new();
        let codes = match span {
            Some(span) => {
                let mut slot = vec![u32::MAX; span + 1];
                values
                    .map(|x| {
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
                values
                    .map(|x| {
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

    /// The codes of text ids.
    fn texts<'a>(keys: impl Iterator<Item = Key<'a>>) -> Codes {
        let mut ids = Ids::with_capacity(0);
        let codes = keys
            .map(|key| match ids.insert(key) {
                Ok(c) | Err(c) => c,
            })
            .collect();
        Codes { codes, labels: Labels::Text(Box::new(ids)) }
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

/// Ratings in long format: a ratee, a rater and a value per row, with optional relationship
/// and competency columns.
///
/// A NaN value is a missing rating. Under [`Missing::Raise`] (what [`Ratings::new`] uses) it is
/// an error naming the ratee, the rater and the row; under [`Missing::Omit`]
/// ([`Ratings::with_missing`]) its row is dropped before anything else, as pandas'
/// `data.dropna(subset=[rating])` would drop it: a ratee or rater whose every rating is NaN is
/// then not listed at all. Statistics that give a value per row ([`normalize`]) give NaN for a
/// dropped row. An infinite value is an error under either policy.
///
/// ```
/// use okr_core::calibration::{Missing, Ratings};
/// let r = Ratings::new(&vec!["ann", "ann", "bob"].into(), &vec!["x", "y", "x"].into(), vec![3.0, 4.0, 2.0])?;
/// assert_eq!((r.len(), r.rater_ids().len(), r.ratee_ids().len()), (3, 2, 2));
///
/// let (ratees, raters) = (vec!["ann", "ann", "bob"].into(), vec!["x", "y", "x"].into());
/// let e = Ratings::new(&ratees, &raters, vec![3.0, f64::NAN, 2.0]).unwrap_err();
/// assert_eq!(e.code(), "missing_value");
/// assert!(e.to_string().contains("ratee `ann` by rater `y` (row 1) is NaN"), "{e}");
/// let r = Ratings::with_missing(&ratees, &raters, vec![3.0, f64::NAN, 2.0], Missing::Omit)?;
/// assert_eq!((r.len(), r.input_len(), r.rater_ids()), (2, 3, vec!["x".to_owned()]));
/// # Ok::<(), okr_core::Error>(())
/// ```
///
/// [`normalize`]: super::normalize()
#[derive(Debug, Clone, Default)]
pub struct Ratings {
    pub(crate) ratee: Codes,
    pub(crate) rater: Codes,
    pub(crate) value: Vec<f64>,
    pub(crate) relationship: Option<Codes>,
    pub(crate) competency: Option<Codes>,
    /// When rows were dropped as missing: the input row of each rating kept.
    omitted: Option<Omitted>,
}

/// The rows kept of ratings given with some missing, and how many rows were given.
#[derive(Debug, Clone, Default)]
struct Omitted {
    kept: Vec<u32>,
    input_len: usize,
}

fn check(n: usize, column: &'static str, found: usize) -> Result<()> {
    if found == n {
        Ok(())
    } else {
        Err(Error::LengthMismatch { table: "ratings", column, expected: n, found })
    }
}

/// The row of the first value that is not finite: a NaN when `nan_allowed` is false, or an
/// infinity.
fn first_bad(value: &[f64], nan_allowed: bool) -> Option<usize> {
    value.iter().position(|v| !(v.is_finite() || (nan_allowed && v.is_nan())))
}

impl Ratings {
    /// Ratings from id columns (text or integer ids) and values; a NaN value is an error (see
    /// [`Ratings::with_missing`] to drop it instead).
    pub fn new(ratee: &IdColumn, rater: &IdColumn, value: Vec<f64>) -> Result<Ratings> {
        Ratings::with_missing(ratee, rater, value, Missing::Raise)
    }

    /// Ratings from id columns and values, with `missing` deciding what a NaN value does: an
    /// error naming its ratee and rater ([`Missing::Raise`]), or its row dropped
    /// ([`Missing::Omit`]; the ids of its row are then not read at all).
    pub fn with_missing(
        ratee: &IdColumn,
        rater: &IdColumn,
        value: Vec<f64>,
        missing: Missing,
    ) -> Result<Ratings> {
        let n = value.len();
        check(n, "ratee", ratee.len())?;
        check(n, "rater", rater.len())?;
        if let Some(i) = first_bad(&value, missing == Missing::Omit) {
            return Err(if value[i].is_nan() {
                Error::MissingValue {
                    what: format!(
                        "the rating of ratee `{}` by rater `{}` (row {i}) is NaN (the `omit` missing-value \
                         policy drops such rows)",
                        ratee.get(i),
                        rater.get(i)
                    ),
                }
            } else {
                Error::NonFinite { id: format!("row {i}"), field: "rating", value: value[i] }
            });
        }
        // Under `Raise` the check above has found no NaN.
        if missing == Missing::Raise || !value.iter().any(|v| v.is_nan()) {
            let (ratee, rater) = (Codes::factorize(ratee), Codes::factorize(rater));
            return Ok(Ratings { ratee, rater, value, relationship: None, competency: None, omitted: None });
        }
        let kept: Vec<u32> = (0..n as u32).filter(|&i| !value[i as usize].is_nan()).collect();
        if kept.is_empty() {
            return Err(Error::Empty { what: "ratings (every rating is NaN)" });
        }
        Ok(Ratings {
            ratee: Codes::factorize_rows(ratee, Some(&kept)),
            rater: Codes::factorize_rows(rater, Some(&kept)),
            value: kept.iter().map(|&i| value[i as usize]).collect(),
            relationship: None,
            competency: None,
            omitted: Some(Omitted { kept, input_len: n }),
        })
    }

    /// Ratings from dense integer codes (0 ..), as pandas' `factorize` gives them: the fastest
    /// path for large inputs. Ids are then the codes' decimal text. A NaN value is an error.
    pub fn from_codes(ratee: Vec<u32>, rater: Vec<u32>, value: Vec<f64>) -> Result<Ratings> {
        let n = value.len();
        check(n, "ratee", ratee.len())?;
        check(n, "rater", rater.len())?;
        if let Some(i) = first_bad(&value, false) {
            return Err(Error::NonFinite { id: format!("row {i}"), field: "rating", value: value[i] });
        }
        Ok(Ratings {
            ratee: Codes::from_codes(ratee, "ratee")?,
            rater: Codes::from_codes(rater, "rater")?,
            value,
            relationship: None,
            competency: None,
            omitted: None,
        })
    }

    /// The number of rows given, missing ratings included ([`Ratings::len`] counts only those
    /// kept).
    pub fn input_len(&self) -> usize {
        self.omitted.as_ref().map_or(self.value.len(), |o| o.input_len)
    }

    /// The input rows of the ratings kept, when some were dropped as missing.
    fn kept(&self) -> Option<&[u32]> {
        self.omitted.as_ref().map(|o| o.kept.as_slice())
    }

    /// One value per rating kept, laid out one per input row: NaN in the rows dropped as
    /// missing.
    pub(crate) fn to_input_rows(&self, values: Vec<f64>) -> Vec<f64> {
        match &self.omitted {
            None => values,
            Some(Omitted { kept, input_len }) => {
                let mut out = vec![f64::NAN; *input_len];
                for (&i, v) in kept.iter().zip(values) {
                    out[i as usize] = v;
                }
                out
            }
        }
    }

    /// Adds the relationship of each rater to the ratee (`self`, `manager`, `peer`,
    /// `direct_report`, or other text).
    pub fn with_relationship(mut self, relationship: &IdColumn) -> Result<Ratings> {
        check(self.input_len(), "relationship", relationship.len())?;
        self.relationship = Some(Codes::factorize_rows(relationship, self.kept()));
        Ok(self)
    }

    /// Adds the competency each rating is about.
    pub fn with_competency(mut self, competency: &IdColumn) -> Result<Ratings> {
        check(self.input_len(), "competency", competency.len())?;
        self.competency = Some(Codes::factorize_rows(competency, self.kept()));
        Ok(self)
    }

    /// Number of ratings (missing ones dropped under [`Missing::Omit`] not counted).
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{
        additive_model, feedback_360, normalize, rater_effects, FeedbackOptions, Method, RaterEffectsOptions,
    };

    /// Ratings with NaN in some rows, and the same ratings with those rows taken out.
    fn with_and_without(ints: bool) -> (Ratings, Ratings, Vec<usize>) {
        let ratee = ["a", "b", "c", "a", "b", "c", "d", "d", "e"];
        let rater = ["x", "x", "x", "y", "y", "y", "z", "x", "w"];
        let nan = f64::NAN;
        let value = [4.0, nan, 5.0, 2.0, 3.0, 1.0, nan, 3.5, nan];
        let kept: Vec<usize> = (0..value.len()).filter(|&i| !value[i].is_nan()).collect();
        let column = |v: &[&str], rows: &[usize]| -> IdColumn<'static> {
            if ints {
                rows.iter().map(|&i| i64::from(v[i].as_bytes()[0]) * 1000).collect::<Vec<_>>().into()
            } else {
                rows.iter().map(|&i| v[i].to_owned()).collect::<Vec<_>>().into()
            }
        };
        let all: Vec<usize> = (0..value.len()).collect();
        let omitted = Ratings::with_missing(
            &column(&ratee, &all),
            &column(&rater, &all),
            value.to_vec(),
            Missing::Omit,
        )
        .unwrap();
        let dropped = Ratings::new(
            &column(&ratee, &kept),
            &column(&rater, &kept),
            kept.iter().map(|&i| value[i]).collect(),
        )
        .unwrap();
        (omitted, dropped, kept)
    }

    #[test]
    fn omitting_is_dropping_the_rows_first() {
        for ints in [false, true] {
            let (omitted, dropped, kept) = with_and_without(ints);
            assert_eq!((omitted.len(), omitted.input_len(), dropped.input_len()), (6, 9, 6));
            // Raters `z` and `w` gave only NaN: like ratees `e`, they are not listed.
            assert_eq!(omitted.rater_ids(), dropped.rater_ids());
            assert_eq!(omitted.ratee_ids(), dropped.ratee_ids());
            assert_eq!(omitted.rater_ids().len(), 2);
            let options = RaterEffectsOptions::default();
            assert_eq!(
                rater_effects(&omitted, &options).unwrap(),
                rater_effects(&dropped, &options).unwrap()
            );
            assert_eq!(additive_model(&omitted).unwrap(), additive_model(&dropped).unwrap());
            for method in [Method::ZScore, Method::Percentile, Method::Additive] {
                let full = normalize(&omitted, method, Some((1.0, 5.0))).unwrap();
                let short = normalize(&dropped, method, Some((1.0, 5.0))).unwrap();
                assert_eq!(full.len(), 9);
                assert_eq!(kept.iter().map(|&i| full[i]).collect::<Vec<_>>(), short);
                assert!((0..9).filter(|i| !kept.contains(i)).all(|i| full[i].is_nan()));
            }
        }
    }

    #[test]
    fn omitted_rows_leave_relationships_and_competencies_too() {
        let ratee: IdColumn = vec!["a", "a", "a", "a"].into();
        let rater: IdColumn = vec!["m", "p", "q", "s"].into();
        let rel: IdColumn = vec!["manager", "peer", "peer", "self"].into();
        let comp: IdColumn = vec!["c1", "c1", "c2", "c1"].into();
        let r = Ratings::with_missing(&ratee, &rater, vec![4.0, 3.0, f64::NAN, 5.0], Missing::Omit)
            .and_then(|r| r.with_relationship(&rel))
            .and_then(|r| r.with_competency(&comp))
            .unwrap();
        let f = feedback_360(&r, &FeedbackOptions::default()).unwrap();
        // Only competency `c1` is left, with its three ratings.
        assert!(f.groups.iter().all(|g| g.competency == "c1"));
        assert_eq!(f.groups.iter().map(|g| g.n).sum::<usize>(), 3);
        // Extra columns are checked against the rows given, not the rows kept.
        let short: IdColumn = vec!["manager", "peer", "self"].into();
        let e = Ratings::with_missing(&ratee, &rater, vec![4.0, 3.0, f64::NAN, 5.0], Missing::Omit)
            .and_then(|r| r.with_relationship(&short))
            .unwrap_err();
        assert_eq!(e.code(), "length_mismatch");
    }

    #[test]
    fn infinities_and_all_missing_are_errors_under_either_policy() {
        let (ratee, rater): (IdColumn, IdColumn) = (vec!["a", "b"].into(), vec!["x", "x"].into());
        for missing in [Missing::Raise, Missing::Omit] {
            let e =
                Ratings::with_missing(&ratee, &rater, vec![f64::NAN, f64::INFINITY], missing).unwrap_err();
            let expected = match missing {
                Missing::Raise => "missing_value",
                Missing::Omit => "non_finite",
            };
            assert_eq!(e.code(), expected, "{e}");
        }
        let e =
            Ratings::with_missing(&ratee, &rater, vec![1.0, f64::NEG_INFINITY], Missing::Omit).unwrap_err();
        assert_eq!(e.to_string(), "`row 1` has non-finite rating `-inf`");
        let e = Ratings::with_missing(&ratee, &rater, vec![f64::NAN; 2], Missing::Omit).unwrap_err();
        assert_eq!(e.to_string(), "no ratings (every rating is NaN): the statistic needs data");
        let e = Ratings::from_codes(vec![0, 1], vec![0, 0], vec![1.0, f64::NAN]).unwrap_err();
        assert_eq!(e.code(), "non_finite");
        assert_eq!(Missing::parse("omit"), Some(Missing::Omit));
        assert_eq!(Missing::parse("propagate"), None);
    }
}
