//! Calibration statistics: arrays in, plain dicts and numpy arrays out.

use numpy::{PyArray1, PyReadonlyArray1};
use okr_core::calibration::{self as cal, Level, Method, Missing, NineBoxCuts, Ratings};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::convert::{floats, ids, matrix, with_matrix};
use crate::errors::{invalid_input, to_py_err};

/// A statistic's result as plain Python objects: the shape of its JSON (structs as dicts,
/// sequences as lists), but with NaN and infinities kept as floats, which JSON would turn into
/// `null` (an ICC's F of a perfectly consistent matrix is infinite; a degenerate one's NaN).
fn to_python<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<PyObject> {
    let object = pythonize::pythonize(py, value).map_err(|e| invalid_input(e.to_string()))?;
    Ok(lists(&object)?.unbind())
}

/// `value` with every tuple (serde's form of a fixed-size array or a pair) made a list, as in
/// JSON, at any depth of dicts and lists.
fn lists<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    if let Ok(dict) = value.downcast::<PyDict>() {
        for (k, v) in dict.iter() {
            dict.set_item(k, lists(&v)?)?;
        }
        Ok(value.clone())
    } else if let Ok(list) = value.downcast::<PyList>() {
        for (i, v) in list.iter().enumerate() {
            list.set_item(i, lists(&v)?)?;
        }
        Ok(value.clone())
    } else if let Ok(tuple) = value.downcast::<PyTuple>() {
        let items = tuple.iter().map(|v| lists(&v)).collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.into_any())
    } else {
        Ok(value.clone())
    }
}

/// `nan_policy` as the core's missing-value policy.
pub(crate) fn missing(nan_policy: &str) -> PyResult<Missing> {
    Missing::parse(nan_policy)
        .ok_or_else(|| invalid_input(format!("nan_policy must be `raise` or `omit`, not `{nan_policy}`")))
}

fn ratings(
    ratee: &Bound<'_, PyAny>,
    rater: &Bound<'_, PyAny>,
    values: &Bound<'_, PyAny>,
    nan_policy: &str,
) -> PyResult<Ratings> {
    let missing = missing(nan_policy)?;
    Ratings::with_missing(&ids(ratee, "ratee")?, &ids(rater, "rater")?, floats(values, "rating")?, missing)
        .map_err(to_py_err)
}

/// The six ICCs from long-format columns; rows as dicts in pingouin's order.
#[pyfunction]
#[pyo3(signature = (targets, raters, ratings, nan_policy="raise"))]
fn intraclass_corr(
    py: Python<'_>,
    targets: &Bound<'_, PyAny>,
    raters: &Bound<'_, PyAny>,
    ratings: &Bound<'_, PyAny>,
    nan_policy: &str,
) -> PyResult<PyObject> {
    let missing = missing(nan_policy)?;
    let (t, r, v) = (ids(targets, "targets")?, ids(raters, "raters")?, floats(ratings, "ratings")?);
    let rows = py.allow_threads(|| cal::intraclass_corr_long(&t, &r, &v, missing)).map_err(to_py_err)?;
    to_python(py, &rows)
}

/// Krippendorff's alpha of a coders × units matrix, or of a units × values count matrix.
#[pyfunction]
#[pyo3(signature = (reliability_data=None, value_counts=None, value_domain=None, level_of_measurement="interval"))]
fn krippendorff_alpha(
    py: Python<'_>,
    reliability_data: Option<&Bound<'_, PyAny>>,
    value_counts: Option<&Bound<'_, PyAny>>,
    value_domain: Option<&Bound<'_, PyAny>>,
    level_of_measurement: &str,
) -> PyResult<f64> {
    let level = Level::parse(level_of_measurement).ok_or_else(|| {
        invalid_input(format!(
            "level_of_measurement must be nominal, ordinal, interval or ratio, not `{level_of_measurement}`"
        ))
    })?;
    let domain = value_domain.map(|d| floats(d, "value_domain")).transpose()?;
    match (reliability_data, value_counts) {
        // Read in place from numpy; the GIL stays held so that Python cannot change the array
        // under us (it takes a few milliseconds even for a million cells).
        (Some(data), None) => with_matrix(data, "reliability_data", |m| {
            cal::krippendorff_alpha(m, level, domain.as_deref()).map_err(to_py_err)
        }),
        (None, Some(counts)) => {
            let m = matrix(counts, "value_counts")?;
            py.allow_threads(|| cal::krippendorff_alpha_counts(&m, level, domain.as_deref()))
                .map_err(to_py_err)
        }
        _ => Err(invalid_input("give exactly one of reliability_data and value_counts")),
    }
}

/// Cohen's kappa with inference, on label codes; `sample_weight` a weight per pair.
#[pyfunction]
#[pyo3(signature = (y1, y2, labels=None, weights=None, sample_weight=None))]
fn cohen_kappa(
    py: Python<'_>,
    y1: &Bound<'_, PyAny>,
    y2: &Bound<'_, PyAny>,
    labels: Option<&Bound<'_, PyAny>>,
    weights: Option<&str>,
    sample_weight: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyObject> {
    let w = cal::KappaWeights::parse(weights).ok_or_else(|| {
        invalid_input(format!(
            "weights must be None, `linear` or `quadratic`, not `{}`",
            weights.unwrap_or("")
        ))
    })?;
    let labels = labels.map(|l| floats(l, "labels")).transpose()?;
    let (y1, y2) = (floats(y1, "y1")?, floats(y2, "y2")?);
    let sample = sample_weight.map(|s| floats(s, "sample_weight")).transpose()?;
    let k = py
        .allow_threads(|| cal::cohen_kappa_weighted(&y1, &y2, labels.as_deref(), w, sample.as_deref()))
        .map_err(to_py_err)?;
    to_python(py, &k)
}

/// Fleiss' (or Randolph's) kappa of a subjects × categories count table.
#[pyfunction]
#[pyo3(signature = (table, method="fleiss"))]
fn fleiss_kappa(py: Python<'_>, table: &Bound<'_, PyAny>, method: &str) -> PyResult<PyObject> {
    let method = cal::FleissMethod::named(method).map_err(to_py_err)?;
    let k = with_matrix(table, "table", |t| {
        py.allow_threads(|| cal::fleiss_kappa_with(t, method)).map_err(to_py_err)
    })?;
    to_python(py, &k)
}

/// Kendall's W of a subjects × raters matrix.
#[pyfunction]
#[pyo3(signature = (data, correct_ties=true))]
fn kendall_w(py: Python<'_>, data: &Bound<'_, PyAny>, correct_ties: bool) -> PyResult<PyObject> {
    let w = with_matrix(data, "data", |m| {
        py.allow_threads(|| cal::kendall_w(m, correct_ties)).map_err(to_py_err)
    })?;
    to_python(py, &w)
}

/// Rater effects, one dict per rater.
#[pyfunction]
#[pyo3(signature = (ratee, rater, rating, z_threshold=1.96, min_ratings=3, nan_policy="raise"))]
fn rater_effects(
    py: Python<'_>,
    ratee: &Bound<'_, PyAny>,
    rater: &Bound<'_, PyAny>,
    rating: &Bound<'_, PyAny>,
    z_threshold: f64,
    min_ratings: usize,
    nan_policy: &str,
) -> PyResult<PyObject> {
    let r = ratings(ratee, rater, rating, nan_policy)?;
    let options = cal::RaterEffectsOptions { z_threshold, min_ratings };
    let effects = py.allow_threads(|| cal::rater_effects(&r, &options)).map_err(to_py_err)?;
    to_python(py, &effects)
}

/// The crossed additive model.
#[pyfunction]
#[pyo3(signature = (ratee, rater, rating, nan_policy="raise"))]
fn additive_model(
    py: Python<'_>,
    ratee: &Bound<'_, PyAny>,
    rater: &Bound<'_, PyAny>,
    rating: &Bound<'_, PyAny>,
    nan_policy: &str,
) -> PyResult<PyObject> {
    let r = ratings(ratee, rater, rating, nan_policy)?;
    let model = py.allow_threads(|| cal::additive_model(&r)).map_err(to_py_err)?;
    to_python(py, &model)
}

/// Normalised ratings aligned with the input (NaN where `omit` dropped a missing rating).
#[pyfunction]
#[pyo3(signature = (ratee, rater, rating, method="zscore", scale=None, nan_policy="raise"))]
fn normalize<'py>(
    py: Python<'py>,
    ratee: &Bound<'py, PyAny>,
    rater: &Bound<'py, PyAny>,
    rating: &Bound<'py, PyAny>,
    method: &str,
    scale: Option<(f64, f64)>,
    nan_policy: &str,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let m = Method::parse(method).ok_or_else(|| {
        invalid_input(format!("method must be zscore, percentile or additive, not `{method}`"))
    })?;
    let r = ratings(ratee, rater, rating, nan_policy)?;
    let out = py.allow_threads(|| cal::normalize(&r, m, scale)).map_err(to_py_err)?;
    Ok(PyArray1::from_vec(py, out))
}

/// Ratings and their categories: numbers (a rating scale), or labels when the categories are
/// text. Label ratings cross as the factorised form the Python side makes of a text column,
/// `("codes", int32 codes, [distinct labels])`: no string per row.
enum Scale {
    Numbers(Vec<f64>, Vec<f64>),
    Labels { codes: Vec<i32>, labels: Vec<String>, categories: Vec<String> },
}

impl Scale {
    fn new(ratings: &Bound<'_, PyAny>, categories: &Bound<'_, PyAny>) -> PyResult<Scale> {
        match categories.extract::<Vec<String>>() {
            Ok(categories) if !categories.is_empty() => {
                let (codes, labels) = ratings
                    .extract::<(String, PyReadonlyArray1<i32>, Vec<String>)>()
                    .ok()
                    .filter(|(tag, _, _)| tag == "codes")
                    .map(|(_, codes, labels)| (codes.as_array().to_vec(), labels))
                    .ok_or_else(|| {
                        invalid_input("`ratings` must be text codes, as the categories are text")
                    })?;
                Ok(Scale::Labels { codes, labels, categories })
            }
            _ => Ok(Scale::Numbers(floats(ratings, "ratings")?, floats(categories, "categories")?)),
        }
    }

    /// Each label rating as its text, and the categories, borrowed.
    fn labels<'a>(
        codes: &[i32],
        labels: &'a [String],
        categories: &'a [String],
    ) -> PyResult<(Vec<&'a str>, Vec<&'a str>)> {
        let ratings = codes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                usize::try_from(c)
                    .ok()
                    .and_then(|c| labels.get(c))
                    .map(String::as_str)
                    .ok_or_else(|| invalid_input(format!("`ratings`: row {i} has no rating")))
            })
            .collect::<PyResult<Vec<&str>>>()?;
        Ok((ratings, categories.iter().map(String::as_str).collect()))
    }
}

/// Ratings against target shares, overall and per group; ratings and categories are numbers,
/// or text (labels).
#[pyfunction]
#[pyo3(signature = (ratings, categories, shares, groups=None, alpha=0.05))]
fn distribution(
    py: Python<'_>,
    ratings: &Bound<'_, PyAny>,
    categories: &Bound<'_, PyAny>,
    shares: &Bound<'_, PyAny>,
    groups: Option<Vec<String>>,
    alpha: f64,
) -> PyResult<PyObject> {
    let (scale, shares) = (Scale::new(ratings, categories)?, floats(shares, "shares")?);
    let d = match &scale {
        Scale::Numbers(r, c) => {
            py.allow_threads(|| cal::distribution(r, c, &shares, groups.as_deref(), alpha))
        }
        Scale::Labels { codes, labels, categories } => {
            let (r, c) = Scale::labels(codes, labels, categories)?;
            py.allow_threads(|| cal::distribution(&r, &c, &shares, groups.as_deref(), alpha))
        }
    }
    .map_err(to_py_err)?;
    to_python(py, &d)
}

/// The 9-box grid.
#[pyfunction]
#[pyo3(signature = (performance, potential, performance_cuts=None, potential_cuts=None))]
fn nine_box(
    py: Python<'_>,
    performance: &Bound<'_, PyAny>,
    potential: &Bound<'_, PyAny>,
    performance_cuts: Option<[f64; 2]>,
    potential_cuts: Option<[f64; 2]>,
) -> PyResult<PyObject> {
    let cuts = NineBoxCuts { performance: performance_cuts, potential: potential_cuts };
    let (performance, potential) = (floats(performance, "performance")?, floats(potential, "potential")?);
    let g = py.allow_threads(|| cal::nine_box(&performance, &potential, cuts)).map_err(to_py_err)?;
    to_python(py, &g)
}

/// 360° aggregation with anonymity thresholds.
#[pyfunction]
#[pyo3(signature = (ratee, rater, relationship, competency, rating, thresholds=None, gap=1.0, nan_policy="raise"))]
#[allow(clippy::too_many_arguments)]
fn feedback_360(
    py: Python<'_>,
    ratee: &Bound<'_, PyAny>,
    rater: &Bound<'_, PyAny>,
    relationship: &Bound<'_, PyAny>,
    competency: &Bound<'_, PyAny>,
    rating: &Bound<'_, PyAny>,
    thresholds: Option<&Bound<'_, PyDict>>,
    gap: f64,
    nan_policy: &str,
) -> PyResult<PyObject> {
    let (relationship, competency) = (ids(relationship, "relationship")?, ids(competency, "competency")?);
    let r = ratings(ratee, rater, rating, nan_policy)?
        .with_relationship(&relationship)
        .and_then(|r| r.with_competency(&competency))
        .map_err(to_py_err)?;
    let mut options = cal::FeedbackOptions { gap, ..Default::default() };
    if let Some(t) = thresholds {
        for (k, v) in t.iter() {
            let (k, v): (String, usize) = (k.extract()?, v.extract()?);
            options.set_threshold(&k, v).map_err(to_py_err)?;
        }
    }
    let f = py.allow_threads(|| cal::feedback_360(&r, &options)).map_err(to_py_err)?;
    to_python(py, &f)
}

/// The distribution chart (SVG); ratings and categories as for `distribution`.
#[pyfunction]
#[pyo3(signature = (ratings, categories, shares, groups=None, alpha=0.05))]
fn distribution_svg(
    ratings: &Bound<'_, PyAny>,
    categories: &Bound<'_, PyAny>,
    shares: &Bound<'_, PyAny>,
    groups: Option<Vec<String>>,
    alpha: f64,
) -> PyResult<String> {
    let (scale, shares) = (Scale::new(ratings, categories)?, floats(shares, "shares")?);
    match &scale {
        Scale::Numbers(r, c) => okr_core::distribution_chart(r, c, &shares, groups.as_deref(), alpha),
        Scale::Labels { codes, labels, categories } => {
            let (r, c) = Scale::labels(codes, labels, categories)?;
            okr_core::distribution_chart(&r, &c, &shares, groups.as_deref(), alpha)
        }
    }
    .map_err(to_py_err)
}

/// The 9-box chart (SVG).
#[pyfunction]
#[pyo3(signature = (performance, potential, names, performance_cuts=None, potential_cuts=None))]
fn nine_box_svg(
    performance: &Bound<'_, PyAny>,
    potential: &Bound<'_, PyAny>,
    names: Vec<String>,
    performance_cuts: Option<[f64; 2]>,
    potential_cuts: Option<[f64; 2]>,
) -> PyResult<String> {
    let cuts = NineBoxCuts { performance: performance_cuts, potential: potential_cuts };
    okr_core::nine_box_chart(
        &floats(performance, "performance")?,
        &floats(potential, "potential")?,
        cuts,
        &names,
    )
    .map_err(to_py_err)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(distribution_svg, m)?)?;
    m.add_function(wrap_pyfunction!(nine_box_svg, m)?)?;
    m.add_function(wrap_pyfunction!(intraclass_corr, m)?)?;
    m.add_function(wrap_pyfunction!(krippendorff_alpha, m)?)?;
    m.add_function(wrap_pyfunction!(cohen_kappa, m)?)?;
    m.add_function(wrap_pyfunction!(fleiss_kappa, m)?)?;
    m.add_function(wrap_pyfunction!(kendall_w, m)?)?;
    m.add_function(wrap_pyfunction!(rater_effects, m)?)?;
    m.add_function(wrap_pyfunction!(additive_model, m)?)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(distribution, m)?)?;
    m.add_function(wrap_pyfunction!(nine_box, m)?)?;
    m.add_function(wrap_pyfunction!(feedback_360, m)?)
}
