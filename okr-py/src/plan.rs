//! `Plan`: a validated plan from JSON or columns, scored, linted, explained.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{date, to_json, Table};
use crate::errors::{invalid_input, to_py_err};
use crate::scoring::Report;

/// A validated plan (see `okr.Plan`).
#[pyclass(module = "okr._okr", frozen)]
pub struct Plan(pub(crate) okr_core::Plan);

#[pymethods]
impl Plan {
    /// Parses and validates a plan document.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Plan> {
        py.allow_threads(|| okr_core::Plan::from_json(text)).map(Plan).map_err(to_py_err)
    }

    /// Builds a plan from dicts of columns (see `okr.Plan.from_frames`).
    #[staticmethod]
    #[pyo3(signature = (objectives, key_results, alignments=None, check_ins=None, cycles=None, policy=None, confidence_scale=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_columns<'py>(
        py: Python<'py>,
        objectives: Bound<'py, PyDict>,
        key_results: Bound<'py, PyDict>,
        alignments: Option<Bound<'py, PyDict>>,
        check_ins: Option<Bound<'py, PyDict>>,
        cycles: Option<Bound<'py, PyDict>>,
        policy: Option<&str>,
        confidence_scale: Option<(f64, f64)>,
    ) -> PyResult<Plan> {
        let table = |name, dict: Option<Bound<'py, PyDict>>| dict.map(|d| Table::new(name, d));
        let (o, k) = (Table::new("objectives", objectives), Table::new("key_results", key_results));
        let (a, c, y) =
            (table("alignments", alignments), table("check_ins", check_ins), table("cycles", cycles));
        // Numeric numpy columns are borrowed, not copied, for the whole build.
        let mut columns = crate::columns::columns(&o, &k, a.as_ref(), c.as_ref(), y.as_ref(), policy)?;
        columns.confidence_scale = confidence_scale.map(|(low, high)| [low, high]);
        py.allow_threads(|| okr_core::Plan::from_columns(&columns)).map(Plan).map_err(to_py_err)
    }

    /// Scores the plan on `as_of` (YYYY-MM-DD), optionally overriding policy settings (JSON).
    #[pyo3(signature = (as_of, policy=None))]
    fn score(&self, py: Python<'_>, as_of: &str, policy: Option<&str>) -> PyResult<Report> {
        let day = date(as_of)?;
        let plan = &self.0;
        let report = match policy {
            None => py.allow_threads(|| plan.score(day)),
            Some(p) => {
                let policy = plan.policy().with_overrides(p).map_err(to_py_err)?;
                py.allow_threads(|| plan.score_with(day, &policy)).map_err(to_py_err)?
            }
        };
        Ok(Report(report))
    }

    /// The line of sight of a node, as JSON.
    fn line_of_sight_json(&self, id: &str) -> PyResult<String> {
        let los = self.0.line_of_sight(id).map_err(to_py_err)?;
        serde_json::to_string(&los).map_err(|e| invalid_input(e.to_string()))
    }

    /// Lint findings, as JSON; `as_of` enables the time-dependent checks.
    #[pyo3(signature = (as_of=None))]
    fn lint_json(&self, py: Python<'_>, as_of: Option<&str>) -> PyResult<String> {
        let day = as_of.map(date).transpose()?;
        py.allow_threads(|| to_json(&self.0.lint(day)))
    }

    /// Confidence calibration of owners and teams over cycles closed on `as_of`, as JSON.
    fn confidence_calibration_json(&self, py: Python<'_>, as_of: &str) -> PyResult<String> {
        let day = date(as_of)?;
        py.allow_threads(|| to_json(&self.0.confidence_calibration(day)))
    }

    /// A person's review packet: (JSON, Markdown). `ratings` are 360° columns (ratee, rater,
    /// relationship, competency, rating), any of the last three keys optional; `nan_policy`
    /// says what a missing rating does (`raise` or `omit`).
    #[pyo3(signature = (person, as_of, ratings=None, nan_policy="raise"))]
    fn review_packet<'py>(
        &self,
        py: Python<'py>,
        person: &str,
        as_of: &str,
        ratings: Option<Bound<'py, PyDict>>,
        nan_policy: &str,
    ) -> PyResult<(String, String)> {
        let day = date(as_of)?;
        let missing = crate::calibration::missing(nan_policy)?;
        let ratings = ratings
            .map(|d| {
                let t = Table::new("ratings", d);
                let ratee = t.required_ids("ratee")?;
                let rater = t.required_ids("rater")?;
                let value =
                    t.floats("rating")?.ok_or_else(|| invalid_input("ratings needs column `rating`"))?;
                let relationship = t.ids("relationship")?;
                let competency = t.ids("competency")?;
                t.finish()?;
                let mut r =
                    okr_core::calibration::Ratings::with_missing(&ratee, &rater, value.into_owned(), missing)
                        .map_err(to_py_err)?;
                if let Some(rel) = relationship {
                    r = r.with_relationship(&rel).map_err(to_py_err)?;
                }
                if let Some(c) = competency {
                    r = r.with_competency(&c).map_err(to_py_err)?;
                }
                Ok::<_, PyErr>(r)
            })
            .transpose()?;
        let plan = &self.0;
        let packet =
            py.allow_threads(|| plan.review_packet(person, day, ratings.as_ref())).map_err(to_py_err)?;
        Ok((to_json(&packet)?, packet.to_markdown()))
    }

    /// The plan as a document, as JSON text (see `okr_core::Plan::to_document`).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let plan = &self.0;
        py.allow_threads(|| to_json(&plan.to_document()))
    }

    /// The plan's columns as the arguments of `from_columns` (see `okr_core::Plan::to_columns`),
    /// or `None` when columns cannot hold it: what pickling writes when they can.
    fn to_tables<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let plan = &self.0;
        let cols = py.allow_threads(|| plan.to_columns());
        cols.map(|c| crate::columns::tables(py, c)).transpose()
    }

    /// The plan as a snapshot (`okr_core::Snapshot`), as JSON: what pickling writes otherwise.
    fn snapshot_json(&self, py: Python<'_>) -> PyResult<String> {
        let plan = &self.0;
        py.allow_threads(|| to_json(&plan.to_snapshot()))
    }

    /// A plan from a snapshot's JSON (see `snapshot_json`): what unpickling reads.
    #[staticmethod]
    fn from_snapshot_json(py: Python<'_>, text: &str) -> PyResult<Plan> {
        py.allow_threads(|| {
            let snapshot: okr_core::Snapshot = serde_json::from_str(text)
                .map_err(|e| okr_core::Error::Malformed { message: format!("snapshot: {e}") })?;
            okr_core::Plan::from_snapshot(&snapshot)
        })
        .map(Plan)
        .map_err(to_py_err)
    }

    /// The plan's policy, as JSON.
    fn policy_json(&self) -> PyResult<String> {
        to_json(self.0.policy())
    }

    /// Whether the plan contains `id`.
    fn __contains__(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }
}
