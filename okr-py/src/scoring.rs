//! `Report`: a scored plan as JSON, HTML, SVG or columns, and events between reports.

use std::borrow::Cow;
use std::mem::take;

use numpy::PyArray1;
use okr_core::{Grade, IdValues, KeyResultKind, NodeType, OptionalIdValues, ReportColumn, Status, Utf8Ids};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::to_json;
use crate::errors::to_py_err;

/// A scored report (see `okr.Report`).
#[pyclass(module = "okr._okr", frozen)]
pub struct Report(pub okr_core::Report);

#[pymethods]
impl Report {
    /// The date scored (YYYY-MM-DD).
    #[getter]
    fn as_of(&self) -> String {
        self.0.as_of().to_string()
    }

    /// The policy the report was scored under, as JSON.
    fn policy_json(&self) -> PyResult<String> {
        to_json(self.0.policy())
    }

    /// The plan scored (the same plan, not a copy).
    fn plan(&self) -> crate::plan::Plan {
        crate::plan::Plan(self.0.plan().clone())
    }

    /// The report as JSON (the shape shared by Rust, Python and JavaScript).
    fn to_json(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.to_json())
    }

    /// One node's line, as JSON.
    fn node_json(&self, id: &str) -> PyResult<String> {
        let line =
            self.0.get(id).ok_or_else(|| to_py_err(okr_core::Error::UnknownId { id: id.to_owned() }))?;
        to_json(&line)
    }

    /// The explanation of a node's score, as JSON.
    fn explain_json(&self, id: &str) -> PyResult<String> {
        let e = self.0.explain(id).map_err(to_py_err)?;
        to_json(&e)
    }

    /// Share of key results in trouble per team and level, as JSON.
    fn systemic_json(&self, py: Python<'_>) -> PyResult<String> {
        py.allow_threads(|| to_json(&self.0.systemic()))
    }

    /// The alignment as SVG.
    fn alignment_svg(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.alignment_svg())
    }

    /// The burn-up of a key result as SVG.
    fn burnup_svg(&self, key_result: &str) -> PyResult<String> {
        self.0.burnup_svg(key_result).map_err(to_py_err)
    }

    /// The alignment as Graphviz DOT.
    fn to_dot(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.to_dot())
    }

    /// The alignment as a Mermaid flowchart.
    fn to_mermaid(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.to_mermaid())
    }

    /// The alignment tree as an HTML table of at most 200 rows, summarised as the SVG is.
    fn tree_html_summary(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.tree_html_summary())
    }

    /// The alignment tree as text.
    fn tree_text(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.tree_text())
    }

    /// The report as columns: numbers as numpy arrays, categories as codes (see `categories`).
    /// Text ids come as lists of str, or with `utf8` as Arrow's layout: `("utf8", offsets,
    /// bytes)`, and for `objective` also a null mask, so that pandas' Arrow-backed `str`
    /// columns are made without a Python string per row. With `select` (column names), only
    /// those columns are made and returned.
    #[pyo3(signature = (utf8 = false, select = None))]
    fn columns<'py>(
        &self,
        py: Python<'py>,
        utf8: bool,
        select: Option<Vec<String>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let which = match select {
            Some(names) => ReportColumn::parse_list(&names).map_err(to_py_err)?,
            None => ReportColumn::ALL.to_vec(),
        };
        // The columns are computed without the GIL; only handing them to numpy needs it. With
        // `utf8`, text ids come out of the core in Arrow's layout already.
        let mut c = py.allow_threads(|| self.0.columns_of(&which, utf8));
        let d = PyDict::new(py);
        // Owned offsets and text become numpy arrays without a copy; borrowed ones are copied.
        let arrow = |ids: Utf8Ids<'_>| {
            let (offsets, text) = ids.into_parts();
            let bytes = match text {
                Cow::Owned(t) => PyArray1::from_vec(py, t.into_bytes()),
                Cow::Borrowed(t) => PyArray1::from_slice(py, t.as_bytes()),
            };
            ("utf8", PyArray1::from_vec(py, offsets.into_owned()), bytes)
        };
        for column in which {
            let name = column.name();
            // Each column is taken out of `c` as it is handed over: no copy, no clone.
            match column {
                // Integer ids come back as integers: no Python string per node.
                ReportColumn::Id => match std::mem::replace(&mut c.id, IdValues::Text(Vec::new())) {
                    IdValues::Integers(v) => d.set_item(name, PyArray1::from_vec(py, v))?,
                    IdValues::Utf8(v) => d.set_item(name, arrow(v))?,
                    IdValues::Text(v) => d.set_item(name, v)?,
                },
                ReportColumn::Objective => {
                    match std::mem::replace(&mut c.objective, OptionalIdValues::Text(Vec::new())) {
                        OptionalIdValues::Integers { values, null } => {
                            d.set_item("objective_mask", PyArray1::from_vec(py, null))?;
                            d.set_item(name, PyArray1::from_vec(py, values))?;
                        }
                        OptionalIdValues::Utf8 { ids, null } => {
                            d.set_item("objective_mask", PyArray1::from_vec(py, null))?;
                            d.set_item(name, arrow(ids))?;
                        }
                        OptionalIdValues::Text(v) => d.set_item(name, v)?,
                    }
                }
                // One-byte enums become their one-byte codes in place (`into_iter().map()
                // .collect()` reuses the buffer): no new allocation, no fresh pages to fault in.
                // Codes are `int8`, the dtype pandas keeps a Categorical's codes in: it copies
                // any other (4 MB a column at 4M nodes).
                ReportColumn::Type => {
                    let codes: Vec<i8> = take(&mut c.node_type).into_iter().map(|t| t as i8).collect();
                    d.set_item(name, PyArray1::from_vec(py, codes))?;
                }
                ReportColumn::Kind => {
                    let codes: Vec<i8> =
                        take(&mut c.kind).into_iter().map(|k| k.map_or(-1, |k| k.code() as i8)).collect();
                    d.set_item(name, PyArray1::from_vec(py, codes))?;
                }
                ReportColumn::Status => {
                    let codes: Vec<i8> = take(&mut c.status).into_iter().map(|s| s.code() as i8).collect();
                    d.set_item(name, PyArray1::from_vec(py, codes))?;
                }
                ReportColumn::Grade => {
                    let codes: Vec<i8> = take(&mut c.grade).into_iter().map(|g| g.code() as i8).collect();
                    d.set_item(name, PyArray1::from_vec(py, codes))?;
                }
                ReportColumn::HasData => d.set_item(name, PyArray1::from_vec(py, take(&mut c.has_data)))?,
                // Signal sets are below 32 (five bits).
                ReportColumn::Signals => {
                    let codes: Vec<i8> = take(&mut c.signals).into_iter().map(|s| s as i8).collect();
                    d.set_item(name, PyArray1::from_vec(py, codes))?;
                }
                ReportColumn::Score => d.set_item(name, PyArray1::from_vec(py, take(&mut c.score)))?,
                ReportColumn::Expected => d.set_item(name, PyArray1::from_vec(py, take(&mut c.expected)))?,
                ReportColumn::Value => d.set_item(name, PyArray1::from_vec(py, take(&mut c.value)))?,
                ReportColumn::Confidence => {
                    d.set_item(name, PyArray1::from_vec(py, take(&mut c.confidence)))?
                }
                ReportColumn::ForecastScore => {
                    d.set_item(name, PyArray1::from_vec(py, take(&mut c.forecast_score)))?
                }
            }
        }
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }
}

/// Events between two reports, as JSON.
#[pyfunction]
fn events_json(py: Python<'_>, before: &Report, after: &Report) -> PyResult<String> {
    py.allow_threads(|| to_json(&okr_core::events(&before.0, &after.0)))
}

/// The category names behind the codes of `Report.columns()`, and the labels of the
/// calibration tables' categorical columns (`flag`, `suppressed`, `finding`).
#[pyfunction]
fn report_categories(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("type", [NodeType::Objective, NodeType::KeyResult].map(|t| t.as_str()).to_vec())?;
    d.set_item("kind", KeyResultKind::ALL.map(|k| k.as_str()).to_vec())?;
    d.set_item("status", Status::ALL.map(|s| s.as_str()).to_vec())?;
    d.set_item("grade", Grade::ALL.map(|g| g.as_str()).to_vec())?;
    d.set_item("signals", okr_core::Report::SIGNAL_NAMES.to_vec())?;
    d.set_item("signal_labels", okr_core::Report::signal_labels())?;
    // Labels of the calibration tables' categorical columns.
    d.set_item("flag", okr_core::calibration::RaterEffect::FLAGS.to_vec())?;
    d.set_item("suppressed", okr_core::calibration::FeedbackGroup::SUPPRESSIONS.to_vec())?;
    d.set_item("finding", okr_core::calibration::FeedbackSummary::FINDINGS.to_vec())?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(report_categories, m)?)?;
    m.add_function(wrap_pyfunction!(events_json, m)?)
}
