//! Plans from dicts of columns: the conversion behind `okr.Plan.from_frames`.

use okr_core::{
    AggregateOp, AlignmentColumns, CheckInColumns, Columns, Cycle, KeyResultColumns, KeyResultKind,
    ObjectiveColumns, ProgressDriver,
};
use pyo3::prelude::*;

use crate::convert::Table;
use crate::errors::{invalid_input, to_py_err};

/// Column `column` of `t` parsed by category: each distinct value is parsed once (a category
/// is named as unknown only when a row has it: a pandas Categorical may list categories no row
/// uses), then `row(i, value)` makes row `i`'s entry (`value` is `None` for a null).
fn parse_each<T: Copy, U>(
    t: &Table<'_>,
    column: &str,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
    row: impl Fn(usize, Option<T>) -> PyResult<U>,
) -> PyResult<Option<Vec<U>>> {
    t.coded(column, |codes, cats| {
        let parsed: Vec<Option<T>> = cats.iter().map(|s| parse(s)).collect();
        codes
            .iter()
            .enumerate()
            .map(|(i, &c)| match c {
                -1 => row(i, None),
                c => match usize::try_from(c).ok().and_then(|c| parsed.get(c)) {
                    Some(Some(v)) => row(i, Some(*v)),
                    Some(None) => Err(invalid_input(format!("unknown {what} `{}`", cats[c as usize]))),
                    None => Err(invalid_input(format!("column `{column}`: code {c} has no category"))),
                },
            })
            .collect()
    })
}

fn objectives<'t>(t: &'t Table<'_>) -> PyResult<ObjectiveColumns<'t>> {
    Ok(ObjectiveColumns {
        id: t.required_ids("id")?,
        cycle: t.texts("cycle")?,
        owner: t.texts("owner")?,
        level: t.texts("level")?,
        title: t.texts("title")?,
        progress: parse_each(t, "progress", "progress driver", ProgressDriver::parse, |_, v| Ok(v))?,
    })
}

fn key_results<'t>(t: &'t Table<'_>) -> PyResult<KeyResultColumns<'t>> {
    let null = |row| invalid_input(format!("`key_results.kind`: row {row} has no kind (null)"));
    let kind =
        parse_each(t, "kind", "key-result kind", KeyResultKind::parse, |row, k| k.ok_or_else(|| null(row)))?
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
        op: parse_each(t, "op", "aggregate op", AggregateOp::parse, |_, v| Ok(v))?,
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
    Ok(Columns { objectives: o, key_results: k, alignments, check_ins, cycles, policy })
}
