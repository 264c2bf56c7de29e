//! `Plan` and `Report` for JavaScript.

use js_sys::{Array, Float64Array, JSON};
use okr_core::{
    AggregateOp, AlignmentColumns, CheckInColumns, Columns, Cycle, KeyResultColumns, KeyResultKind,
    ObjectiveColumns, ProgressDriver,
};
use wasm_bindgen::prelude::*;

use crate::convert::{field, floats, ids, keys, texts, to_js};
use crate::errors::{invalid_input, to_js_err};

#[wasm_bindgen]
extern "C" {
    /// A plan document (the JSON interchange format, snake_case keys).
    #[wasm_bindgen(typescript_type = "PlanDocument")]
    pub type PlanDocumentArg;
    /// Options of `score`.
    #[wasm_bindgen(typescript_type = "ScoreOptions | undefined")]
    pub type ScoreOptionsArg;
    /// Columns of `Plan.fromColumns`.
    #[wasm_bindgen(typescript_type = "PlanColumns")]
    pub type PlanColumnsArg;
}

/// A validated plan.
#[wasm_bindgen]
pub struct Plan(okr_core::Plan);

/// A scored report kept in WebAssembly memory: read it whole (`toObject`) or by column.
#[wasm_bindgen]
pub struct Report(okr_core::Report);

fn today() -> String {
    let d = js_sys::Date::new_0();
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// The date and policy of score options.
fn options(
    plan: &okr_core::Plan,
    options: &JsValue,
) -> Result<(chrono::NaiveDate, okr_core::Policy), JsValue> {
    let as_of = match field(options, "asOf")? {
        Some(v) => v.as_string().ok_or_else(|| invalid_input("`asOf` must be a YYYY-MM-DD string"))?,
        None => today(),
    };
    let day = okr_core::parse_date(&as_of).map_err(to_js_err)?;
    let policy = match field(options, "policy")? {
        None => plan.policy().clone(),
        Some(p) => {
            let text = JSON::stringify(&p).map_err(|_| invalid_input("`policy` must be a plain object"))?;
            plan.policy().with_overrides(&String::from(text)).map_err(to_js_err)?
        }
    };
    Ok((day, policy))
}

fn parsed<T>(
    values: Option<Vec<Option<String>>>,
    what: &str,
    parse: impl Fn(&str) -> Option<T>,
) -> Result<Option<Vec<Option<T>>>, JsValue> {
    values
        .map(|v| {
            v.into_iter()
                .map(|s| match s {
                    None => Ok(None),
                    Some(s) => {
                        parse(&s).map(Some).ok_or_else(|| invalid_input(format!("unknown {what} `{s}`")))
                    }
                })
                .collect()
        })
        .transpose()
}

/// Reads the named columns of one table, rejecting unknown ones.
struct Table {
    name: &'static str,
    value: JsValue,
    allowed: &'static [&'static str],
}

impl Table {
    fn new(name: &'static str, value: JsValue, allowed: &'static [&'static str]) -> Result<Table, JsValue> {
        if let Some(k) = keys(&value).into_iter().find(|k| !allowed.contains(&k.as_str())) {
            return Err(to_js_err(okr_core::Error::UnknownColumn { table: name, column: k }));
        }
        Ok(Table { name, value, allowed })
    }

    fn get(&self, column: &str) -> Result<Option<JsValue>, JsValue> {
        debug_assert!(self.allowed.contains(&column));
        field(&self.value, column)
    }

    fn ids(&self, column: &str) -> Result<IdColumn, JsValue> {
        let v = self
            .get(column)?
            .ok_or_else(|| invalid_input(format!("{} needs column `{column}`", self.name)))?;
        ids(&v, column)
    }

    fn floats(&self, column: &str) -> Result<Option<Vec<f64>>, JsValue> {
        self.get(column)?.map(|v| floats(&v, column)).transpose()
    }

    fn texts(&self, column: &str) -> Result<Option<Vec<Option<String>>>, JsValue> {
        self.get(column)?.map(|v| texts(&v, column)).transpose()
    }
}

use okr_core::IdColumn;

fn columns(value: &JsValue) -> Result<Columns, JsValue> {
    let top = Table::new(
        "columns",
        value.clone(),
        &["objectives", "keyResults", "alignments", "checkIns", "cycles", "policy"],
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
        progress: parsed(o.texts("progress")?, "progress driver", ProgressDriver::parse)?,
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
    let kind = parsed(k.texts("kind")?, "key-result kind", KeyResultKind::parse)?
        .ok_or_else(|| invalid_input("keyResults needs column `kind`"))?
        .into_iter()
        .map(|x| x.ok_or_else(|| invalid_input("keyResults: `kind` cannot be null")))
        .collect::<Result<Vec<_>, _>>()?;
    let strict = k
        .get("strict")?
        .map(|v| Array::from(&v).iter().map(|b| b.as_bool().unwrap_or(false)).collect::<Vec<bool>>());
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
        op: parsed(k.texts("op")?, "aggregate op", AggregateOp::parse)?,
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
                .texts("date")?
                .ok_or_else(|| invalid_input("checkIns needs column `date`"))?
                .into_iter()
                .map(|d| okr_core::parse_date(d.as_deref().unwrap_or("")).map_err(to_js_err))
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
        Some(v) => serde_wasm_bindgen::from_value(v).map_err(|e| invalid_input(format!("cycles: {e}")))?,
    };
    let policy = match top.get("policy")? {
        None => None,
        Some(p) => {
            let text = JSON::stringify(&p).map_err(|_| invalid_input("`policy` must be a plain object"))?;
            Some(okr_core::Policy::default().with_overrides(&String::from(text)).map_err(to_js_err)?)
        }
    };
    Ok(Columns { objectives, key_results, alignments, check_ins, cycles, policy })
}

#[wasm_bindgen]
impl Plan {
    /// Validates a plan document given as a plain object. It goes through JSON text, so that
    /// unknown fields are rejected exactly as in `fromJson` (serde-wasm-bindgen would skip them).
    #[wasm_bindgen(constructor)]
    pub fn new(document: PlanDocumentArg) -> Result<Plan, JsValue> {
        let text = JSON::stringify(&document.into()).map_err(|_| {
            to_js_err(okr_core::Error::Malformed { message: "the plan is not a plain object".into() })
        })?;
        okr_core::Plan::from_json(&String::from(text)).map(Plan).map_err(to_js_err)
    }

    /// Parses and validates a plan document (JSON text): one fast parse for big documents.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: &str) -> Result<Plan, JsValue> {
        okr_core::Plan::from_json(text).map(Plan).map_err(to_js_err)
    }

    /// Builds a plan from columns (typed arrays or arrays), for large organisations.
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(columns: PlanColumnsArg) -> Result<Plan, JsValue> {
        let cols = self::columns(&columns.into())?;
        okr_core::Plan::from_columns(&cols).map(Plan).map_err(to_js_err)
    }

    /// Scores every node: `{asOf, nodes: [{id, type, kind, objective, score, expected, status,
    /// grade, hasData, value, signals}]}`.
    #[wasm_bindgen(unchecked_return_type = "ScoreReport")]
    pub fn score(&self, options: ScoreOptionsArg) -> Result<JsValue, JsValue> {
        to_js(&self.score_report(options)?.0)
    }

    /// Scores every node, keeping the report in WebAssembly memory (read it by column).
    #[wasm_bindgen(js_name = scoreReport)]
    pub fn score_report(&self, options: ScoreOptionsArg) -> Result<Report, JsValue> {
        let (day, policy) = self::options(&self.0, &options.into())?;
        self.0.score_with(day, &policy).map(Report).map_err(to_js_err)
    }

    /// Why a node has its score: contributors and the formula.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(&self, id: &str, options: ScoreOptionsArg) -> Result<JsValue, JsValue> {
        let report = self.score_report(options)?;
        to_js(&report.0.explain(id).map_err(to_js_err)?)
    }

    /// The share of each ancestor's score that a node carries.
    #[wasm_bindgen(js_name = lineOfSight, unchecked_return_type = "LineOfSight")]
    pub fn line_of_sight(&self, id: &str) -> Result<JsValue, JsValue> {
        to_js(&self.0.line_of_sight(id).map_err(to_js_err)?)
    }

    /// Lint findings `{code, severity, id, message}`; `asOf` enables the time-dependent checks.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn lint(&self, options: ScoreOptionsArg) -> Result<JsValue, JsValue> {
        let day = match field(&options.into(), "asOf")? {
            None => None,
            Some(v) => Some(okr_core::parse_date(&v.as_string().unwrap_or_default()).map_err(to_js_err)?),
        };
        to_js(&self.0.lint(day))
    }

    /// Brier score and over-confidence per owner and team over cycles closed on `asOf`.
    #[wasm_bindgen(js_name = confidenceCalibration, unchecked_return_type = "ConfidenceRow[]")]
    pub fn confidence_calibration(&self, options: ScoreOptionsArg) -> Result<JsValue, JsValue> {
        let (day, _) = self::options(&self.0, &options.into())?;
        to_js(&self.0.confidence_calibration(day))
    }

    /// A person's review packet: `{packet, markdown}`.
    #[wasm_bindgen(js_name = reviewPacket, unchecked_return_type = "{packet: ReviewPacket, markdown: string}")]
    pub fn review_packet(&self, person: &str, options: ScoreOptionsArg) -> Result<JsValue, JsValue> {
        let (day, _) = self::options(&self.0, &options.into())?;
        let packet = self.0.review_packet(person, day, None).map_err(to_js_err)?;
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &"packet".into(), &to_js(&packet)?)?;
        js_sys::Reflect::set(&out, &"markdown".into(), &packet.to_markdown().into())?;
        Ok(out.into())
    }

    /// Number of objectives and key results.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }
}

/// Events between two reports: `[{kind, id, from, to}]`.
#[wasm_bindgen(unchecked_return_type = "OkrEvent[]")]
pub fn events(before: &Report, after: &Report) -> Result<JsValue, JsValue> {
    to_js(&okr_core::events(&before.0, &after.0))
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
        to_js(&self.0)
    }

    /// One node's line, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "NodeScore | undefined")]
    pub fn get(&self, id: &str) -> Result<JsValue, JsValue> {
        self.0.get(id).map_or(Ok(JsValue::UNDEFINED), |n| to_js(&n))
    }

    /// Node ids, in input order.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn ids(&self) -> Array {
        self.0.nodes().map(|n| JsValue::from_str(n.id)).collect()
    }

    /// Scores, in input order.
    pub fn scores(&self) -> Float64Array {
        Float64Array::from(self.0.columns().score.as_slice())
    }

    /// Statuses, in input order.
    #[wasm_bindgen(unchecked_return_type = "Status[]")]
    pub fn statuses(&self) -> Array {
        self.0.nodes().map(|n| JsValue::from_str(n.status.as_str())).collect()
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
    pub fn burnup_svg(&self, key_result: &str) -> Result<String, JsValue> {
        self.0.burnup_svg(key_result).map_err(to_js_err)
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
