//! Plans from columns (typed arrays or arrays): the conversion behind `Plan.fromColumns`.

use std::borrow::Cow;

use okr_core::{
    AggregateOp, AlignmentColumns, CheckInColumns, ColumnName, Columns, Cycle, FloatColumn, IdColumn,
    KeyResultColumns, KeyResultKind, ObjectiveColumns, ProgressDriver,
};
use wasm_bindgen::JsValue;

use crate::convert::{bools, coded_days, coded_texts, field, floats, ids, json_text, keys, pair, Coded};
use crate::errors::{invalid_input, to_js_err};

/// Reads the named columns of one table, rejecting unknown ones.
struct Table {
    name: &'static str,
    value: JsValue,
    allowed: &'static [&'static str],
}

impl Table {
    fn new(name: &'static str, value: JsValue, allowed: &'static [&'static str]) -> Result<Table, JsValue> {
        if !value.is_object() {
            let given = value.js_typeof().as_string().unwrap_or_default();
            let given = if value.is_null() { "null".into() } else { given };
            return Err(invalid_input(format!(
                "`{name}` must be an object of columns (fromColumns takes {{objectives, keyResults, \
                 alignments?, checkIns?, cycles?}}), not {given}"
            )));
        }
        if let Some(k) = keys(&value).into_iter().find(|k| !allowed.contains(&k.as_str())) {
            return Err(to_js_err(okr_core::Error::UnknownColumn { table: name, column: k }));
        }
        Ok(Table { name, value, allowed })
    }

    fn get(&self, column: &str) -> Result<Option<JsValue>, JsValue> {
        debug_assert!(self.allowed.contains(&column));
        field(&self.value, column)
    }

    fn ids(&self, column: &str) -> Result<IdColumn<'static>, JsValue> {
        let v = self
            .get(column)?
            .ok_or_else(|| invalid_input(format!("{} needs column `{column}`", self.name)))?;
        ids(&v, &format!("{}.{column}", self.name))
    }

    fn floats(&self, column: &str) -> Result<FloatColumn<'static>, JsValue> {
        self.get(column)?.map(|v| floats(&v, &format!("{}.{column}", self.name)).map(Cow::Owned)).transpose()
    }

    fn strings(&self, column: &str) -> Result<Option<Coded>, JsValue> {
        self.get(column)?.map(|v| coded_texts(&v, &format!("{}.{column}", self.name))).transpose()
    }

    /// A column of names (progress drivers, kinds, ops), decoded by the core.
    fn names<T: ColumnName>(&self, column: &str) -> Result<Option<Vec<Option<T>>>, JsValue> {
        self.strings(column)?
            .map(|c| {
                T::decode(&format!("{}.{column}", self.name), &c.codes, &c.categories).map_err(to_js_err)
            })
            .transpose()
    }

    fn texts(&self, column: &str) -> Result<Option<okr_core::Texts>, JsValue> {
        Ok(self.strings(column)?.map(Into::into))
    }
}

pub fn columns(value: &JsValue) -> Result<Columns<'static>, JsValue> {
    let top = Table::new(
        "columns",
        value.clone(),
        &["objectives", "keyResults", "alignments", "checkIns", "cycles", "policy", "confidenceScale"],
    )?;
    let o = Table::new(
        "objectives",
        top.get("objectives")?.unwrap_or(JsValue::UNDEFINED),
        &["id", "cycle", "owner", "level", "title", "progress"],
    )?;
    let objectives = ObjectiveColumns {
        id: o.ids("id")?,
        cycle: o.texts("cycle")?,
        owner: o.texts("owner")?,
        level: o.texts("level")?,
        title: o.texts("title")?,
        progress: o.names::<ProgressDriver>("progress")?,
    };
    let k = Table::new(
        "keyResults",
        top.get("keyResults")?.unwrap_or(JsValue::UNDEFINED),
        &[
            "id",
            "objective",
            "kind",
            "weight",
            "start",
            "target",
            "threshold",
            "strict",
            "low",
            "high",
            "current",
            "op",
            "title",
            "owner",
        ],
    )?;
    let kind = k
        .strings("kind")?
        .map(|c| {
            KeyResultKind::decode_required("keyResults.kind", &c.codes, &c.categories).map_err(to_js_err)
        })
        .transpose()?
        .ok_or_else(|| invalid_input("keyResults needs column `kind`"))?;
    let strict = k.get("strict")?.map(|v| bools(&v, "keyResults.strict")).transpose()?;
    let key_results = KeyResultColumns {
        id: k.ids("id")?,
        objective: k.ids("objective")?,
        kind,
        weight: k.floats("weight")?,
        start: k.floats("start")?,
        target: k.floats("target")?,
        threshold: k.floats("threshold")?,
        strict,
        low: k.floats("low")?,
        high: k.floats("high")?,
        current: k.floats("current")?,
        op: k.names::<AggregateOp>("op")?,
        title: k.texts("title")?,
        owner: k.texts("owner")?,
    };
    let alignments = top
        .get("alignments")?
        .map(|v| {
            let a = Table::new("alignments", v, &["child", "parent", "weight"])?;
            Ok::<_, JsValue>(AlignmentColumns {
                child: a.ids("child")?,
                parent: a.ids("parent")?,
                weight: a.floats("weight")?,
            })
        })
        .transpose()?;
    let check_ins = top
        .get("checkIns")?
        .map(|v| {
            let c = Table::new("checkIns", v, &["keyResult", "date", "value", "confidence"])?;
            let date = c
                .get("date")?
                .map(|v| coded_days(&v, "checkIns.date"))
                .transpose()?
                .ok_or_else(|| invalid_input("checkIns needs column `date`"))?
                .decode(|d| okr_core::parse_date(d).map_err(to_js_err))?
                .into_iter()
                .enumerate()
                .map(|(row, d)| {
                    d.ok_or_else(|| invalid_input(format!("`checkIns.date`: row {row} has no date (null)")))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok::<_, JsValue>(CheckInColumns {
                key_result: c.ids("keyResult")?,
                date,
                value: c.floats("value")?,
                confidence: c.floats("confidence")?,
            })
        })
        .transpose()?;
    let cycles: Vec<Cycle> = match top.get("cycles")? {
        None => Vec::new(),
        // Through JSON text, as a document's cycles are, so that a `Date` is its local calendar
        // day; parsed back by `JSON.parse` (serde_json here would add a second parser of cycles
        // to the .wasm).
        Some(v) => {
            let text = json_text(&v, "cycles")?.ok_or_else(|| invalid_input("`cycles` must be an array"))?;
            let plain = js_sys::JSON::parse(&text).map_err(|_| invalid_input("`cycles` must be an array"))?;
            serde_wasm_bindgen::from_value(plain).map_err(|e| invalid_input(format!("cycles: {e}")))?
        }
    };
    let policy = match top.get("policy")? {
        None => None,
        Some(p) => {
            let text =
                json_text(&p, "policy")?.ok_or_else(|| invalid_input("`policy` must be a plain object"))?;
            Some(okr_core::Policy::default().with_overrides(&text).map_err(to_js_err)?)
        }
    };
    let confidence_scale = pair(&top.value, "confidenceScale")?;
    Ok(Columns { objectives, key_results, alignments, check_ins, cycles, policy, confidence_scale })
}
