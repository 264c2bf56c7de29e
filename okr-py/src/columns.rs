//! Plans from dicts of columns: the conversion behind `okr.Plan.from_frames`.

use okr_core::{
    AggregateOp, AlignmentColumns, CheckInColumns, ColumnName, Columns, Cycle, KeyResultColumns,
    KeyResultKind, ObjectiveColumns, ProgressDriver,
};
use pyo3::prelude::*;

use crate::convert::Table;
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
