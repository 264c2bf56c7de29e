//! `Report`: a scored plan kept in WebAssembly memory, read whole or by column; events.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Float64Array, Object, Reflect, Uint8Array};
use okr_core::{Grade, IdValues, KeyResultKind, NodeType, OptionalIdValues, ReportColumn, Status};
use wasm_bindgen::prelude::*;

use crate::convert::{node_id, to_js};
use crate::errors::{invalid_input, to_js_err};
use crate::plan::NodeIdArg;

/// A scored report kept in WebAssembly memory: read it whole (`toObject`) or by column.
///
/// Each live report is also listed under a number (`LIVE`), which is how `events` finds its
/// arguments: an exported struct taken by reference is checked by the generated glue, which
/// throws an Error without a `code` for anything else (`undefined`, a plain object), before
/// our code runs.
#[wasm_bindgen]
pub struct Report(pub(crate) Rc<okr_core::Report>, u32);

thread_local! {
    /// The live reports by number, and the last number given (WebAssembly has one thread).
    static LIVE: RefCell<(u32, HashMap<u32, Rc<okr_core::Report>>)> = RefCell::new((0, HashMap::new()));
}

impl Report {
    pub(crate) fn new(report: okr_core::Report) -> Report {
        let report = Rc::new(report);
        let key = LIVE.with(|live| {
            let (last, reports) = &mut *live.borrow_mut();
            *last = last.wrapping_add(1);
            reports.insert(*last, Rc::clone(&report));
            *last
        });
        Report(report, key)
    }

    /// The live report a JS value is (through its `__okrKey`), or an `invalid_input` Error
    /// naming `what`.
    fn live(value: &JsValue, what: &str) -> Result<Rc<okr_core::Report>, JsValue> {
        // A freed report's getter throws; anything without the getter reads `undefined`.
        let key = Reflect::get(value, &JsValue::from_str("__okrKey")).ok().and_then(|k| k.as_f64());
        key.and_then(|k| LIVE.with(|live| live.borrow().1.get(&(k as u32)).cloned()))
            .ok_or_else(|| invalid_input(format!("`{what}` must be a live Report (from `plan.scoreReport`)")))
    }
}

impl Drop for Report {
    fn drop(&mut self) {
        LIVE.with(|live| live.borrow_mut().1.remove(&self.1));
    }
}

/// Events between two reports: `[{kind, id, from, to}]`.
#[wasm_bindgen(unchecked_return_type = "OkrEvent[]")]
pub fn events(
    #[wasm_bindgen(unchecked_param_type = "Report")] before: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Report")] after: JsValue,
) -> Result<JsValue, JsValue> {
    let (before, after) = (Report::live(&before, "before")?, Report::live(&after, "after")?);
    to_js(&okr_core::events(&before, &after))
}

#[wasm_bindgen]
impl Report {
    /// The date scored.
    #[wasm_bindgen(getter, js_name = asOf)]
    pub fn as_of(&self) -> String {
        self.0.as_of().to_string()
    }

    /// Number of nodes.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }

    /// The whole report as a plain object.
    #[wasm_bindgen(js_name = toObject, unchecked_return_type = "ScoreReport")]
    pub fn to_object(&self) -> Result<JsValue, JsValue> {
        to_js(&*self.0)
    }

    /// This report's number among the live ones (see `events`); not part of the API.
    #[wasm_bindgen(getter = __okrKey, skip_typescript)]
    pub fn okr_key(&self) -> u32 {
        self.1
    }

    /// One node's line, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "NodeScore | undefined")]
    pub fn get(&self, id: NodeIdArg) -> Result<JsValue, JsValue> {
        let id = node_id(&id.into(), "id")?;
        self.0.get(&id).map_or(Ok(JsValue::UNDEFINED), |n| to_js(&n))
    }

    /// Node ids, in input order.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn ids(&self) -> Array {
        column_js(&mut self.0.columns_of(&[ReportColumn::Id], false), ReportColumn::Id).unchecked_into()
    }

    /// Some or all columns of the report, in input order, as one object: numbers as
    /// `Float64Array`s (NaN where missing), ids and categories as arrays of strings (`null`
    /// where missing), `hasData` as booleans, `signals` as the names joined by commas (`""` for
    /// none). `names` (camelCase, as the keys) picks the columns to make; all by default.
    #[wasm_bindgen(unchecked_return_type = "ReportColumns")]
    pub fn columns(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ReportColumnName[] | undefined")] names: JsValue,
    ) -> Result<JsValue, JsValue> {
        let which = if names.is_undefined() || names.is_null() {
            ReportColumn::ALL.to_vec()
        } else {
            let names = names
                .dyn_ref::<Array>()
                .ok_or_else(|| invalid_input("`names` must be an array of column names"))?
                .iter()
                .map(|n| {
                    n.as_string().ok_or_else(|| invalid_input("`names` must be an array of column names"))
                })
                .collect::<Result<Vec<String>, JsValue>>()?;
            let snake: Vec<&str> = names.iter().map(|n| snake_name(n)).collect();
            ReportColumn::parse_list(&snake).map_err(to_js_err)?
        };
        let mut c = self.0.columns_of(&which, false);
        let out = Object::new();
        for column in which {
            Reflect::set(&out, &JsValue::from_str(&camel_name(column)), &column_js(&mut c, column))?;
        }
        Ok(out.into())
    }

    /// Scores, in input order.
    pub fn scores(&self) -> Float64Array {
        let score = self.0.columns_of(&[okr_core::ReportColumn::Score], false).score;
        Float64Array::from(score.as_slice())
    }

    /// Statuses, in input order.
    #[wasm_bindgen(unchecked_return_type = "Status[]")]
    pub fn statuses(&self) -> Array {
        column_js(&mut self.0.columns_of(&[ReportColumn::Status], false), ReportColumn::Status)
            .unchecked_into()
    }

    /// Share of key results at risk or off track per team and level.
    #[wasm_bindgen(unchecked_return_type = "SystemicRow[]")]
    pub fn systemic(&self) -> Result<JsValue, JsValue> {
        to_js(&self.0.systemic())
    }

    /// The alignment tree as SVG.
    #[wasm_bindgen(js_name = alignmentSvg)]
    pub fn alignment_svg(&self) -> String {
        self.0.alignment_svg()
    }

    /// The burn-up of a key result as SVG.
    #[wasm_bindgen(js_name = burnupSvg)]
    pub fn burnup_svg(&self, key_result: NodeIdArg) -> Result<String, JsValue> {
        let key_result = node_id(&key_result.into(), "keyResult")?;
        self.0.burnup_svg(&key_result).map_err(to_js_err)
    }

    /// The alignment as Graphviz DOT.
    #[wasm_bindgen(js_name = toDot)]
    pub fn to_dot(&self) -> String {
        self.0.to_dot()
    }

    /// The alignment as a Mermaid flowchart.
    #[wasm_bindgen(js_name = toMermaid)]
    pub fn to_mermaid(&self) -> String {
        self.0.to_mermaid()
    }

    /// The alignment tree as an HTML table (rows carry `data-node-id`).
    #[wasm_bindgen(js_name = treeHtml)]
    pub fn tree_html(&self) -> String {
        self.0.tree_html()
    }
}

/// A report column's key in JavaScript: its name in camelCase, as every key of a report.
fn camel_name(c: ReportColumn) -> String {
    crate::convert::camel(c.name())
}

/// The core's name of a column named as in JavaScript; other names pass as they are, for the
/// core to name as unknown.
fn snake_name(name: &str) -> &str {
    ReportColumn::ALL.into_iter().find(|&c| camel_name(c) == name).map_or(name, |c| c.name())
}

#[wasm_bindgen(inline_js = r#"
export function okrDecodeCodes(codes, categories) {
  const out = new Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = categories[codes[i]];
  return out;
}
export function okrIntStrings(values, nulls) {
  const out = new Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = nulls !== undefined && nulls[i] ? null : String(values[i]);
  return out;
}
export function okrSplitStrings(n, joined, nulls) {
  if (n === 0) return [];
  const out = joined.split("\0");
  if (nulls !== undefined) for (let i = 0; i < n; i++) if (nulls[i]) out[i] = null;
  return out;
}
"#)]
extern "C" {
    /// Whole numbers (below 2^53 in magnitude, so exact) as their decimal strings, `null`
    /// where `nulls` is set.
    #[wasm_bindgen(js_name = okrIntStrings)]
    fn int_strings(values: &Float64Array, nulls: Option<Uint8Array>) -> Array;
    /// `n` strings joined by NUL (none holds one) split apart, `null` where `nulls` is set.
    #[wasm_bindgen(js_name = okrSplitStrings)]
    fn split_strings(n: usize, joined: &str, nulls: Option<Uint8Array>) -> Array;

    /// An array of `categories[code]`, one per code: a category is one JavaScript value shared
    /// by every row that has it, not a string made per row.
    #[wasm_bindgen(js_name = okrDecodeCodes)]
    fn decode_codes_js(codes: &Uint8Array, categories: &Array) -> Array;
}

/// [`decode_codes_js`] as a plain value.
fn decode_codes(codes: &Uint8Array, categories: &Array) -> JsValue {
    decode_codes_js(codes, categories).into()
}

/// A null mask as the JavaScript helpers take it.
fn null_mask(null: Option<&[bool]>) -> Option<Uint8Array> {
    null.map(|n| Uint8Array::from(&n.iter().map(|&b| u8::from(b)).collect::<Vec<u8>>()[..]))
}

/// Integer ids as strings (`null` where `null` says), made in JavaScript from one array of
/// numbers rather than a string crossing per row; ids beyond 2^53 (not exact as numbers) are
/// made one by one.
fn id_strings_from_ints(values: &[i64], null: Option<&[bool]>) -> JsValue {
    const EXACT: i64 = 1 << 53;
    if values.iter().all(|v| (-EXACT..EXACT).contains(v)) {
        let numbers: Vec<f64> = values.iter().map(|&v| v as f64).collect();
        return int_strings(&Float64Array::from(&numbers[..]), null_mask(null)).into();
    }
    let is_null = |i: usize| null.is_some_and(|n| n[i]);
    let out: Array = values
        .iter()
        .enumerate()
        .map(|(i, v)| if is_null(i) { JsValue::NULL } else { v.to_string().into() })
        .collect();
    out.into()
}

/// Text ids as strings (`null` where `null` says): one NUL-joined string split in JavaScript,
/// or one by one when an id holds a NUL.
fn id_strings_from_texts(values: &[&str], null: Option<&[bool]>) -> JsValue {
    if values.iter().all(|v| !v.contains('\0')) {
        return split_strings(values.len(), &values.join("\0"), null_mask(null)).into();
    }
    let is_null = |i: usize| null.is_some_and(|n| n[i]);
    let out: Array = values
        .iter()
        .enumerate()
        .map(|(i, v)| if is_null(i) { JsValue::NULL } else { JsValue::from_str(v) })
        .collect();
    out.into()
}

/// Column `column` of `c` as JavaScript (see `Report.columns`), taken out of `c`.
fn column_js(c: &mut okr_core::ReportColumns<'_>, column: ReportColumn) -> JsValue {
    match column {
        ReportColumn::Id => match std::mem::replace(&mut c.id, IdValues::Text(Vec::new())) {
            IdValues::Integers(v) => id_strings_from_ints(&v, None),
            IdValues::Text(v) => id_strings_from_texts(&v, None),
            IdValues::Utf8(v) => {
                id_strings_from_texts(&(0..v.len()).map(|i| v.get(i)).collect::<Vec<_>>(), None)
            }
        },
        ReportColumn::Objective => {
            match std::mem::replace(&mut c.objective, OptionalIdValues::Text(Vec::new())) {
                OptionalIdValues::Integers { values, null } => id_strings_from_ints(&values, Some(&null)),
                OptionalIdValues::Text(v) => {
                    let null: Vec<bool> = v.iter().map(Option::is_none).collect();
                    let texts: Vec<&str> = v.iter().map(|o| o.unwrap_or("")).collect();
                    id_strings_from_texts(&texts, Some(&null))
                }
                OptionalIdValues::Utf8 { ids, null } => id_strings_from_texts(
                    &(0..ids.len()).map(|i| ids.get(i)).collect::<Vec<_>>(),
                    Some(&null),
                ),
            }
        }
        ReportColumn::Type => {
            let codes: Vec<u8> = c.node_type.iter().map(|&t| t as u8).collect();
            let names = [NodeType::Objective, NodeType::KeyResult].map(|t| JsValue::from_str(t.as_str()));
            decode_codes(&Uint8Array::from(&codes[..]), &names.iter().collect())
        }
        ReportColumn::Kind => {
            // Code 0 for none (an objective), a kind's code + 1 otherwise.
            let codes: Vec<u8> = c.kind.iter().map(|k| k.map_or(0, |k| k.code() + 1)).collect();
            let names = std::iter::once(JsValue::NULL)
                .chain(KeyResultKind::ALL.iter().map(|k| JsValue::from_str(k.as_str())));
            decode_codes(&Uint8Array::from(&codes[..]), &names.collect())
        }
        ReportColumn::Status => {
            let codes: Vec<u8> = c.status.iter().map(|s| s.code()).collect();
            let names = Status::ALL.iter().map(|s| JsValue::from_str(s.as_str()));
            decode_codes(&Uint8Array::from(&codes[..]), &names.collect())
        }
        ReportColumn::Grade => {
            let codes: Vec<u8> = c.grade.iter().map(|g| g.code()).collect();
            let names = Grade::ALL.iter().map(|g| JsValue::from_str(g.as_str()));
            decode_codes(&Uint8Array::from(&codes[..]), &names.collect())
        }
        ReportColumn::HasData => {
            let codes: Vec<u8> = c.has_data.iter().map(|&b| u8::from(b)).collect();
            decode_codes(&Uint8Array::from(&codes[..]), &[JsValue::FALSE, JsValue::TRUE].iter().collect())
        }
        ReportColumn::Signals => {
            let labels = okr_core::Report::signal_labels();
            let labels: Array = labels.iter().map(|l| JsValue::from_str(l)).collect();
            decode_codes(&Uint8Array::from(&c.signals[..]), &labels)
        }
        ReportColumn::Score => Float64Array::from(&c.score[..]).into(),
        ReportColumn::Expected => Float64Array::from(&c.expected[..]).into(),
        ReportColumn::Value => Float64Array::from(&c.value[..]).into(),
        ReportColumn::Confidence => Float64Array::from(&c.confidence[..]).into(),
        ReportColumn::ForecastScore => Float64Array::from(&c.forecast_score[..]).into(),
    }
}
