//! `Plan` and `Report`: plans from JSON or columns, scored reports as JSON, HTML or columns.

use numpy::PyArray1;
use okr_core::{
    AggregateOp, AlignmentColumns, CheckInColumns, Columns, Cycle, Grade, KeyResultColumns, KeyResultKind,
    NodeType, ObjectiveColumns, ProgressDriver, Status,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{date, Table};
use crate::errors::{invalid_input, to_py_err};

/// A validated plan (see `okr.Plan`).
#[pyclass(module = "okr._okr", frozen)]
pub struct Plan(okr_core::Plan);

/// A scored report (see `okr.Report`).
#[pyclass(module = "okr._okr", frozen)]
pub struct Report(okr_core::Report);

/// Parses each distinct value of a categorical column once, then maps the codes.
fn parse_each<T: Copy>(
    values: Option<(Vec<i32>, Vec<String>)>,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> PyResult<Option<Vec<Option<T>>>> {
    let Some((codes, cats)) = values else { return Ok(None) };
    let parsed = cats
        .iter()
        .map(|s| parse(s).ok_or_else(|| invalid_input(format!("unknown {what} `{s}`"))))
        .collect::<PyResult<Vec<T>>>()?;
    Ok(Some(codes.into_iter().map(|c| usize::try_from(c).ok().map(|c| parsed[c])).collect()))
}

fn objectives(t: &mut Table<'_>) -> PyResult<ObjectiveColumns> {
    Ok(ObjectiveColumns {
        id: t.required_ids("id")?,
        cycle: t.texts("cycle")?,
        owner: t.texts("owner")?,
        level: t.texts("level")?,
        title: t.texts("title")?,
        progress: parse_each(t.categories("progress")?, "progress driver", ProgressDriver::parse)?,
    })
}

fn key_results(t: &mut Table<'_>) -> PyResult<KeyResultColumns> {
    let kind = parse_each(t.categories("kind")?, "key-result kind", KeyResultKind::parse)?
        .ok_or_else(|| invalid_input("key_results needs column `kind`"))?
        .into_iter()
        .map(|k| k.ok_or_else(|| invalid_input("key_results: `kind` cannot be null")))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(KeyResultColumns {
        id: t.required_ids("id")?,
        objective: t.required_ids("objective")?,
        kind,
        weight: t.floats("weight")?,
        start: t.floats("start")?,
        target: t.floats("target")?,
        threshold: t.floats("threshold")?,
        strict: t.bools("strict")?,
        low: t.floats("low")?,
        high: t.floats("high")?,
        current: t.floats("current")?,
        op: parse_each(t.categories("op")?, "aggregate op", AggregateOp::parse)?,
        title: t.texts("title")?,
        owner: t.texts("owner")?,
    })
}

#[pymethods]
impl Plan {
    /// Parses and validates a plan document.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Plan> {
        py.allow_threads(|| okr_core::Plan::from_json(text)).map(Plan).map_err(to_py_err)
    }

    /// Builds a plan from dicts of columns (see `okr.Plan.from_frames`).
    #[staticmethod]
    #[pyo3(signature = (objectives, key_results, alignments=None, check_ins=None, cycles=None, policy=None))]
    fn from_columns<'py>(
        py: Python<'py>,
        objectives: Bound<'py, PyDict>,
        key_results: Bound<'py, PyDict>,
        alignments: Option<Bound<'py, PyDict>>,
        check_ins: Option<Bound<'py, PyDict>>,
        cycles: Option<Bound<'py, PyDict>>,
        policy: Option<&str>,
    ) -> PyResult<Plan> {
        let mut t = Table::new("objectives", objectives);
        let objectives = self::objectives(&mut t)?;
        t.finish()?;
        let mut t = Table::new("key_results", key_results);
        let key_results = self::key_results(&mut t)?;
        t.finish()?;
        let alignments = alignments
            .map(|d| {
                let mut t = Table::new("alignments", d);
                let a = AlignmentColumns {
                    child: t.required_ids("child")?,
                    parent: t.required_ids("parent")?,
                    weight: t.floats("weight")?,
                };
                t.finish().map(|_| a)
            })
            .transpose()?;
        let check_ins = check_ins
            .map(|d| {
                let mut t = Table::new("check_ins", d);
                let c = CheckInColumns {
                    key_result: t.required_ids("key_result")?,
                    date: t.dates("date")?.ok_or_else(|| invalid_input("check_ins needs column `date`"))?,
                    value: t.floats("value")?,
                    confidence: t.floats("confidence")?,
                };
                t.finish().map(|_| c)
            })
            .transpose()?;
        let cycles = match cycles {
            None => Vec::new(),
            Some(d) => {
                let mut t = Table::new("cycles", d);
                let id = t.required_ids("id")?;
                let start = t.dates("start")?.ok_or_else(|| invalid_input("cycles needs column `start`"))?;
                let end = t.dates("end")?.ok_or_else(|| invalid_input("cycles needs column `end`"))?;
                t.finish()?;
                if start.len() != id.len() || end.len() != id.len() {
                    return Err(invalid_input("cycles: `id`, `start` and `end` must have the same length"));
                }
                (0..id.len())
                    .map(|i| Cycle { id: id.get(i).into_owned(), start: start[i], end: end[i] })
                    .collect()
            }
        };
        let policy =
            policy.map(|p| okr_core::Policy::default().with_overrides(p)).transpose().map_err(to_py_err)?;
        let columns = Columns { objectives, key_results, alignments, check_ins, cycles, policy };
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
        let findings = py.allow_threads(|| self.0.lint(day));
        to_json(&findings)
    }

    /// Confidence calibration of owners and teams over cycles closed on `as_of`, as JSON.
    fn confidence_calibration_json(&self, py: Python<'_>, as_of: &str) -> PyResult<String> {
        let day = date(as_of)?;
        let rows = py.allow_threads(|| self.0.confidence_calibration(day));
        to_json(&rows)
    }

    /// A person's review packet: (JSON, Markdown). `ratings` are 360° columns (ratee, rater,
    /// relationship, competency, rating), any of the last three keys optional.
    #[pyo3(signature = (person, as_of, ratings=None))]
    fn review_packet<'py>(
        &self,
        person: &str,
        as_of: &str,
        ratings: Option<Bound<'py, PyDict>>,
    ) -> PyResult<(String, String)> {
        let day = date(as_of)?;
        let ratings = ratings
            .map(|d| {
                let mut t = Table::new("ratings", d);
                let ratee = t.required_ids("ratee")?;
                let rater = t.required_ids("rater")?;
                let value =
                    t.floats("rating")?.ok_or_else(|| invalid_input("ratings needs column `rating`"))?;
                let relationship = t.ids("relationship")?;
                let competency = t.ids("competency")?;
                t.finish()?;
                let mut r = okr_core::calibration::Ratings::new(&ratee, &rater, value).map_err(to_py_err)?;
                if let Some(rel) = relationship {
                    r = r.with_relationship(&rel).map_err(to_py_err)?;
                }
                if let Some(c) = competency {
                    r = r.with_competency(&c).map_err(to_py_err)?;
                }
                Ok::<_, PyErr>(r)
            })
            .transpose()?;
        let packet = self.0.review_packet(person, day, ratings.as_ref()).map_err(to_py_err)?;
        Ok((to_json(&packet)?, packet.to_markdown()))
    }

    /// The plan's policy, as JSON.
    fn policy_json(&self) -> PyResult<String> {
        serde_json::to_string(self.0.policy()).map_err(|e| invalid_input(e.to_string()))
    }

    /// Whether the plan contains `id`.
    fn __contains__(&self, id: &str) -> bool {
        self.0.contains(id)
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }
}

#[pymethods]
impl Report {
    /// The date scored (YYYY-MM-DD).
    #[getter]
    fn as_of(&self) -> String {
        self.0.as_of().to_string()
    }

    /// The report as JSON (the shape shared by Rust, Python and JavaScript).
    fn to_json(&self, py: Python<'_>) -> String {
        py.allow_threads(|| self.0.to_json())
    }

    /// One node's line, as JSON.
    fn node_json(&self, id: &str) -> PyResult<String> {
        let line =
            self.0.get(id).ok_or_else(|| to_py_err(okr_core::Error::UnknownId { id: id.to_owned() }))?;
        serde_json::to_string(&line).map_err(|e| invalid_input(e.to_string()))
    }

    /// The explanation of a node's score, as JSON.
    fn explain_json(&self, id: &str) -> PyResult<String> {
        let e = self.0.explain(id).map_err(to_py_err)?;
        serde_json::to_string(&e).map_err(|e| invalid_input(e.to_string()))
    }

    /// Share of key results in trouble per team and level, as JSON.
    fn systemic_json(&self) -> PyResult<String> {
        to_json(&self.0.systemic())
    }

    /// The alignment as SVG.
    fn alignment_svg(&self) -> String {
        self.0.alignment_svg()
    }

    /// The burn-up of a key result as SVG.
    fn burnup_svg(&self, key_result: &str) -> PyResult<String> {
        self.0.burnup_svg(key_result).map_err(to_py_err)
    }

    /// The alignment as Graphviz DOT.
    fn to_dot(&self) -> String {
        self.0.to_dot()
    }

    /// The alignment as a Mermaid flowchart.
    fn to_mermaid(&self) -> String {
        self.0.to_mermaid()
    }

    /// The alignment tree as an HTML table.
    fn tree_html(&self) -> String {
        self.0.tree_html()
    }

    /// The alignment tree as text.
    fn tree_text(&self) -> String {
        self.0.tree_text()
    }

    /// The report as columns: numbers as numpy arrays, categories as codes (see `categories`).
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = self.0.columns();
        let d = PyDict::new(py);
        if self.0.plan().integer_ids() {
            // Integer ids come back as integers: no Python string per node.
            let int = |s: &str| s.parse::<i64>().unwrap_or_default();
            d.set_item("id", PyArray1::from_vec(py, c.id.iter().map(|s| int(s)).collect()))?;
            d.set_item(
                "objective_mask",
                PyArray1::from_vec(py, c.objective.iter().map(Option::is_none).collect()),
            )?;
            d.set_item(
                "objective",
                PyArray1::from_vec(py, c.objective.iter().map(|o| o.map_or(0, int)).collect()),
            )?;
        } else {
            d.set_item("id", c.id)?;
            d.set_item("objective", c.objective)?;
        }
        d.set_item("type", PyArray1::from_vec(py, c.node_type.iter().map(|t| *t as u8).collect()))?;
        let kind: Vec<i8> = c
            .kind
            .iter()
            .map(|k| k.map_or(-1, |k| KINDS.iter().position(|x| *x == k).unwrap_or(0) as i8))
            .collect();
        d.set_item("kind", PyArray1::from_vec(py, kind))?;
        d.set_item("score", PyArray1::from_vec(py, c.score))?;
        d.set_item("expected", PyArray1::from_vec(py, c.expected))?;
        d.set_item(
            "status",
            PyArray1::from_vec(
                py,
                c.status.iter().map(|s| STATUSES.iter().position(|x| x == s).unwrap_or(0) as u8).collect(),
            ),
        )?;
        d.set_item(
            "grade",
            PyArray1::from_vec(
                py,
                c.grade.iter().map(|g| GRADES.iter().position(|x| x == g).unwrap_or(0) as u8).collect(),
            ),
        )?;
        d.set_item("has_data", PyArray1::from_vec(py, c.has_data))?;
        d.set_item("value", PyArray1::from_vec(py, c.value))?;
        d.set_item("confidence", PyArray1::from_vec(py, c.confidence))?;
        d.set_item("forecast_score", PyArray1::from_vec(py, c.forecast_score))?;
        d.set_item("signals", PyArray1::from_vec(py, c.signals))?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }
}

const STATUSES: [Status; 6] = [
    Status::Achieved,
    Status::NotStarted,
    Status::OnTrack,
    Status::AtRisk,
    Status::OffTrack,
    Status::Unscheduled,
];
const GRADES: [Grade; 3] = [Grade::Red, Grade::Yellow, Grade::Green];
const KINDS: [KeyResultKind; 10] = [
    KeyResultKind::Linear,
    KeyResultKind::AtLeast,
    KeyResultKind::AtMost,
    KeyResultKind::Range,
    KeyResultKind::Binary,
    KeyResultKind::Milestones,
    KeyResultKind::Piecewise,
    KeyResultKind::Manual,
    KeyResultKind::Rollup,
    KeyResultKind::Aggregate,
];

fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| invalid_input(e.to_string()))
}

/// Events between two reports, as JSON.
#[pyfunction]
fn events_json(before: &Report, after: &Report) -> PyResult<String> {
    to_json(&okr_core::events(&before.0, &after.0))
}

/// The category names behind the codes of `Report.columns()`.
#[pyfunction]
fn report_categories(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("type", [NodeType::Objective, NodeType::KeyResult].map(|t| t.as_str()).to_vec())?;
    d.set_item("kind", KINDS.map(|k| k.as_str()).to_vec())?;
    d.set_item("status", STATUSES.map(|s| s.as_str()).to_vec())?;
    d.set_item("grade", GRADES.map(|g| g.as_str()).to_vec())?;
    d.set_item("signals", okr_core::Report::SIGNAL_NAMES.to_vec())?;
    Ok(d)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(report_categories, m)?)?;
    m.add_function(wrap_pyfunction!(events_json, m)?)
}
