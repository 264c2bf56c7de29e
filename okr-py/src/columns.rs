//! Plans from dicts of columns (the conversion behind `okr.Plan.from_frames`), and back (what
//! pickling a plan writes).

use std::borrow::Cow;

use chrono::NaiveDate;
use numpy::PyArray1;
use okr_core::{
    AggregateOp, AlignmentColumns, CheckInColumns, ColumnName, Columns, Cycle, IdColumn, KeyResultColumns,
    KeyResultKind, ObjectiveColumns, ProgressDriver, Texts,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::{to_json, Table};
use crate::errors::{invalid_input, to_py_err};

/// Column `column` of `t`, a name per row (`None` where null), decoded by the core.
fn names<T: ColumnName>(t: &Table<'_>, column: &str) -> PyResult<Option<Vec<Option<T>>>> {
    let what = t.column_name(column);
    t.coded(column, |codes, names| T::decode(&what, codes, names).map_err(to_py_err))
}

fn objectives<'t>(t: &'t Table<'_>) -> PyResult<ObjectiveColumns<'t>> {
    Ok(ObjectiveColumns {
        id: t.required_ids("id")?,
        cycle: t.texts("cycle")?,
        owner: t.texts("owner")?,
        level: t.texts("level")?,
        title: t.texts("title")?,
        progress: names::<ProgressDriver>(t, "progress")?,
    })
}

fn key_results<'t>(t: &'t Table<'_>) -> PyResult<KeyResultColumns<'t>> {
    let what = t.column_name("kind");
    let kind = t
        .coded("kind", |codes, names| KeyResultKind::decode_required(&what, codes, names).map_err(to_py_err))?
        .ok_or_else(|| invalid_input("key_results needs column `kind`"))?;
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
        op: names::<AggregateOp>(t, "op")?,
        title: t.texts("title")?,
        owner: t.texts("owner")?,
    })
}

/// The core's columns from one table per dict, borrowing their numpy columns; unknown columns
/// are errors naming them.
pub fn columns<'t>(
    objectives: &'t Table<'_>,
    key_results: &'t Table<'_>,
    alignments: Option<&'t Table<'_>>,
    check_ins: Option<&'t Table<'_>>,
    cycles: Option<&Table<'_>>,
    policy: Option<&str>,
) -> PyResult<Columns<'t>> {
    let o = self::objectives(objectives)?;
    objectives.finish()?;
    let k = self::key_results(key_results)?;
    key_results.finish()?;
    let alignments = alignments
        .map(|t| {
            let a = AlignmentColumns {
                child: t.required_ids("child")?,
                parent: t.required_ids("parent")?,
                weight: t.floats("weight")?,
            };
            t.finish().map(|_| a)
        })
        .transpose()?;
    let check_ins = check_ins
        .map(|t| {
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
        Some(t) => {
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
    Ok(Columns {
        objectives: o,
        key_results: k,
        alignments,
        check_ins,
        cycles,
        policy,
        confidence_scale: None,
    })
}

/// A column of names as `("codes", int32 codes, [names])`, the form `from_columns` reads:
/// each value's index among every value of its kind, -1 for none.
fn named<'py, T: ColumnName + PartialEq>(
    py: Python<'py>,
    values: impl Iterator<Item = Option<T>>,
) -> (&'static str, Bound<'py, PyArray1<i32>>, Vec<&'static str>) {
    let code = |v: T| T::ALL.iter().position(|&a| a == v).map_or(-1, |c| c as i32);
    let codes: Vec<i32> = values.map(|v| v.map_or(-1, code)).collect();
    ("codes", PyArray1::from_vec(py, codes), T::ALL.iter().map(|v| v.name()).collect())
}

/// Ids as `from_columns` reads them: an int64 array, or text as `("utf8", offsets, bytes)`.
fn id_column<'py>(py: Python<'py>, ids: IdColumn<'_>) -> PyResult<Bound<'py, PyAny>> {
    match ids {
        IdColumn::Integers(v) => Ok(PyArray1::from_vec(py, v.into_owned()).into_any()),
        IdColumn::Utf8(v) => {
            let (offsets, text) = v.into_parts();
            let bytes = PyArray1::from_vec(py, text.into_owned().into_bytes());
            ("utf8", PyArray1::from_vec(py, offsets.into_owned()), bytes)
                .into_pyobject(py)
                .map(Bound::into_any)
        }
        IdColumn::Strings(v) => v.into_pyobject(py).map(Bound::into_any),
    }
}

/// Text as `("codes", int32 codes, [categories])`, or a list of values (`None` for null).
fn text_column<'py>(py: Python<'py>, texts: Texts) -> PyResult<Bound<'py, PyAny>> {
    match texts {
        Texts::Coded { codes, categories } => {
            ("codes", PyArray1::from_vec(py, codes), categories).into_pyobject(py).map(Bound::into_any)
        }
        Texts::Values(v) => v.into_pyobject(py).map(Bound::into_any),
    }
}

/// Days since 1970-01-01, as `from_columns` reads dates.
fn epoch_days<'py>(py: Python<'py>, dates: &[NaiveDate]) -> Bound<'py, PyArray1<i64>> {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    PyArray1::from_vec(py, dates.iter().map(|d| (*d - epoch).num_days()).collect())
}

/// Sets `name` in `d` to `value` when there is one.
fn set<'py, T>(
    d: &Bound<'py, PyDict>,
    name: &str,
    value: Option<T>,
    convert: impl FnOnce(T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<()> {
    match value {
        Some(v) => d.set_item(name, convert(v)?),
        None => Ok(()),
    }
}

/// The core's columns of a plan as the arguments of `Plan.from_columns`: objectives, key
/// results, alignments, check-ins and cycles as dicts (`None` for an absent table), then the
/// policy as JSON. Arrays are handed to numpy without a copy.
pub fn tables<'py>(py: Python<'py>, cols: Columns<'static>) -> PyResult<Bound<'py, PyTuple>> {
    let floats = |v: Cow<'static, [f64]>| Ok(PyArray1::from_vec(py, v.into_owned()).into_any());
    let texts = |t| text_column(py, t);
    let o = cols.objectives;
    let objectives = PyDict::new(py);
    objectives.set_item("id", id_column(py, o.id)?)?;
    set(&objectives, "cycle", o.cycle, texts)?;
    set(&objectives, "owner", o.owner, texts)?;
    set(&objectives, "level", o.level, texts)?;
    set(&objectives, "title", o.title, texts)?;
    set(&objectives, "progress", o.progress, |v| {
        named(py, v.into_iter()).into_pyobject(py).map(Bound::into_any)
    })?;
    let k = cols.key_results;
    let key_results = PyDict::new(py);
    key_results.set_item("id", id_column(py, k.id)?)?;
    key_results.set_item("objective", id_column(py, k.objective)?)?;
    key_results.set_item("kind", named(py, k.kind.into_iter().map(Some)))?;
    for (name, column) in [
        ("weight", k.weight),
        ("start", k.start),
        ("target", k.target),
        ("threshold", k.threshold),
        ("low", k.low),
        ("high", k.high),
        ("current", k.current),
    ] {
        set(&key_results, name, column, floats)?;
    }
    set(&key_results, "strict", k.strict, |v| Ok(PyArray1::from_vec(py, v).into_any()))?;
    set(&key_results, "op", k.op, |v| named(py, v.into_iter()).into_pyobject(py).map(Bound::into_any))?;
    set(&key_results, "title", k.title, texts)?;
    set(&key_results, "owner", k.owner, texts)?;
    let alignments = cols
        .alignments
        .map(|a| {
            let d = PyDict::new(py);
            d.set_item("child", id_column(py, a.child)?)?;
            d.set_item("parent", id_column(py, a.parent)?)?;
            set(&d, "weight", a.weight, floats)?;
            Ok::<_, PyErr>(d)
        })
        .transpose()?;
    let check_ins = cols
        .check_ins
        .map(|c| {
            let d = PyDict::new(py);
            d.set_item("key_result", id_column(py, c.key_result)?)?;
            d.set_item("date", epoch_days(py, &c.date))?;
            set(&d, "value", c.value, floats)?;
            set(&d, "confidence", c.confidence, floats)?;
            Ok::<_, PyErr>(d)
        })
        .transpose()?;
    let cycles = (!cols.cycles.is_empty())
        .then(|| {
            let d = PyDict::new(py);
            d.set_item("id", cols.cycles.iter().map(|c| c.id.as_str()).collect::<Vec<_>>())?;
            d.set_item("start", epoch_days(py, &cols.cycles.iter().map(|c| c.start).collect::<Vec<_>>()))?;
            d.set_item("end", epoch_days(py, &cols.cycles.iter().map(|c| c.end).collect::<Vec<_>>()))?;
            Ok::<_, PyErr>(d)
        })
        .transpose()?;
    let policy = cols.policy.as_ref().map(to_json).transpose()?;
    (objectives, key_results, alignments, check_ins, cycles, policy).into_pyobject(py)
}
