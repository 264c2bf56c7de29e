//! `Plan` and `Report` for JavaScript.

use wasm_bindgen::prelude::*;

use crate::convert::{field, json_text, local_day, node_id, to_js};
use crate::errors::{invalid_input, to_js_err};
use crate::scoring::Report;

#[wasm_bindgen]
extern "C" {
    /// A plan document (the JSON interchange format, snake_case keys).
    #[wasm_bindgen(typescript_type = "PlanDocument")]
    pub type PlanDocumentArg;
    /// Options of `score`.
    #[wasm_bindgen(typescript_type = "ScoreOptions")]
    pub type ScoreOptionsArg;
    /// Options of `reviewPacket`.
    #[wasm_bindgen(typescript_type = "ReviewPacketOptions")]
    pub type ReviewPacketOptionsArg;
    /// Columns of `Plan.fromColumns`.
    #[wasm_bindgen(typescript_type = "PlanColumns")]
    pub type PlanColumnsArg;
    /// A node id: a string, or an integer for plans built from integer ids.
    #[wasm_bindgen(typescript_type = "string | number")]
    pub type NodeIdArg;
    /// JSON text.
    #[wasm_bindgen(typescript_type = "string")]
    pub type JsonTextArg;
}

/// A validated plan.
#[wasm_bindgen]
pub struct Plan(okr_core::Plan);

impl Plan {
    /// The plan scored with `options` (date and policy overrides).
    fn scored(&self, options: Option<ScoreOptionsArg>) -> Result<okr_core::Report, JsValue> {
        let (day, policy) = self::options(&self.0, &opt(options)?)?;
        self.0.score_with(day, &policy).map_err(to_js_err)
    }
}

/// Score options given or not (`undefined`), each key one of theirs.
fn opt(options: Option<ScoreOptionsArg>) -> Result<JsValue, JsValue> {
    crate::convert::options(options, &["asOf", "policy"])
}

fn today() -> String {
    local_day(&js_sys::Date::new_0())
}

/// The `asOf` date of options, if given: a YYYY-MM-DD string, or a `Date` (its local calendar
/// day, so `new Date(2026, 1, 15)` is 15 February wherever the code runs).
fn as_of(options: &JsValue) -> Result<Option<chrono::NaiveDate>, JsValue> {
    field(options, "asOf")?
        .map(|v| {
            let text = match v.dyn_ref::<js_sys::Date>() {
                Some(d) if d.get_time().is_nan() => return Err(invalid_input("`asOf` is an invalid Date")),
                Some(d) => local_day(d),
                None => v
                    .as_string()
                    .ok_or_else(|| invalid_input("`asOf` must be a YYYY-MM-DD string or a Date"))?,
            };
            okr_core::parse_date(&text).map_err(to_js_err)
        })
        .transpose()
}

/// The date and policy of score options.
fn options(
    plan: &okr_core::Plan,
    options: &JsValue,
) -> Result<(chrono::NaiveDate, okr_core::Policy), JsValue> {
    let day = match as_of(options)? {
        Some(day) => day,
        None => okr_core::parse_date(&today()).map_err(to_js_err)?,
    };
    let policy = match field(options, "policy")? {
        None => plan.policy().clone(),
        Some(p) => {
            let text =
                json_text(&p, "policy")?.ok_or_else(|| invalid_input("`policy` must be a plain object"))?;
            plan.policy().with_overrides(&text).map_err(to_js_err)?
        }
    };
    Ok((day, policy))
}

#[wasm_bindgen]
impl Plan {
    /// Validates a plan document given as a plain object. It goes through JSON text, so that
    /// unknown fields are rejected exactly as in `fromJson` (serde-wasm-bindgen would skip them).
    #[wasm_bindgen(constructor)]
    pub fn new(document: PlanDocumentArg) -> Result<Plan, JsValue> {
        let text = json_text(&document.into(), "document")?.ok_or_else(|| {
            to_js_err(okr_core::Error::Malformed { message: "the plan is not a plain object".into() })
        })?;
        okr_core::Plan::from_json(&text).map(Plan).map_err(to_js_err)
    }

    /// Parses and validates a plan document (JSON text): one fast parse for big documents.
    #[wasm_bindgen(js_name = fromJson)]
    pub fn from_json(text: JsonTextArg) -> Result<Plan, JsValue> {
        let text = JsValue::from(text).as_string().ok_or_else(|| {
            invalid_input("fromJson takes JSON text; give a parsed document to `new Plan(document)`")
        })?;
        okr_core::Plan::from_json(&text).map(Plan).map_err(to_js_err)
    }

    /// Builds a plan from columns (typed arrays or arrays), for large organisations.
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(columns: PlanColumnsArg) -> Result<Plan, JsValue> {
        let cols = crate::columns::columns(&columns.into())?;
        okr_core::Plan::from_columns(&cols).map(Plan).map_err(to_js_err)
    }

    /// Scores every node: `{asOf, nodes: [{id, type, kind, objective, score, expected, status,
    /// grade, hasData, value, signals}]}`.
    #[wasm_bindgen(unchecked_return_type = "ScoreReport")]
    pub fn score(&self, options: Option<ScoreOptionsArg>) -> Result<JsValue, JsValue> {
        to_js(&self.scored(options)?)
    }

    /// Scores every node, keeping the report in WebAssembly memory (read it by column). A
    /// report freed with `free()` leaves its per-node columns with the plan for the next score
    /// to fill again. In a plan without check-ins, the second score also keeps each key
    /// result's raw score (8 bytes a node: it is the same on every day) for the next ones.
    #[wasm_bindgen(js_name = scoreReport)]
    pub fn score_report(&self, options: Option<ScoreOptionsArg>) -> Result<Report, JsValue> {
        self.scored(options).map(Report::new)
    }

    /// Why a node has its score: contributors and the formula.
    #[wasm_bindgen(unchecked_return_type = "Explanation")]
    pub fn explain(&self, id: NodeIdArg, options: Option<ScoreOptionsArg>) -> Result<JsValue, JsValue> {
        let id = node_id(&id.into(), "id")?;
        to_js(&self.scored(options)?.explain(&id).map_err(to_js_err)?)
    }

    /// The share of each ancestor's score that a node carries.
    #[wasm_bindgen(js_name = lineOfSight, unchecked_return_type = "LineOfSight")]
    pub fn line_of_sight(&self, id: NodeIdArg) -> Result<JsValue, JsValue> {
        let id = node_id(&id.into(), "id")?;
        to_js(&self.0.line_of_sight(&id).map_err(to_js_err)?)
    }

    /// Lint findings `{code, severity, id, message}`; `asOf` enables the time-dependent checks.
    #[wasm_bindgen(unchecked_return_type = "Finding[]")]
    pub fn lint(&self, options: Option<ScoreOptionsArg>) -> Result<JsValue, JsValue> {
        to_js(&self.0.lint(as_of(&opt(options)?)?))
    }

    /// Brier score and over-confidence per owner and team over cycles closed on `asOf`.
    #[wasm_bindgen(js_name = confidenceCalibration, unchecked_return_type = "ConfidenceRow[]")]
    pub fn confidence_calibration(&self, options: Option<ScoreOptionsArg>) -> Result<JsValue, JsValue> {
        let (day, _) = self::options(&self.0, &opt(options)?)?;
        to_js(&self.0.confidence_calibration(day))
    }

    /// A person's review packet: `{packet, markdown}`. Given 360° `ratings` (columns as
    /// `feedback360` takes them; `relationships` and `competencies` may be left out), it
    /// carries the person's feedback under the anonymity rules and where their ratings stand;
    /// `nanPolicy: "omit"` drops blank answers, which are otherwise an error.
    #[wasm_bindgen(js_name = reviewPacket, unchecked_return_type = "{packet: ReviewPacket, markdown: string}")]
    pub fn review_packet(
        &self,
        person: NodeIdArg,
        options: Option<ReviewPacketOptionsArg>,
    ) -> Result<JsValue, JsValue> {
        let person = node_id(&person.into(), "person")?;
        let options = crate::convert::options(options, &["asOf", "ratings", "nanPolicy"])?;
        let day = match as_of(&options)? {
            Some(day) => day,
            None => okr_core::parse_date(&today()).map_err(to_js_err)?,
        };
        let missing = crate::calibration::missing(&options)?;
        let ratings = field(&options, "ratings")?
            .map(|r| crate::calibration::ratings_360(&r, missing, false))
            .transpose()?;
        let packet = self.0.review_packet(&person, day, ratings.as_ref()).map_err(to_js_err)?;
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &"packet".into(), &to_js(&packet)?)?;
        js_sys::Reflect::set(&out, &"markdown".into(), &packet.to_markdown().into())?;
        Ok(out.into())
    }

    /// The plan as a plan document, in the shape `new Plan(document)` takes (snake_case keys,
    /// dates as YYYY-MM-DD): the plan built from it scores the same, however this one was
    /// built (`Plan.fromColumns` included). See `okr_core::Plan::to_document`.
    #[wasm_bindgen(js_name = toDocument, unchecked_return_type = "PlanDocument")]
    pub fn to_document(&self) -> Result<JsValue, JsValue> {
        use serde::Serialize;
        // A document holds finite numbers only, so JSON's form of each is the number itself.
        self.0
            .to_document()
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(|e| invalid_input(e.to_string()))
    }

    /// Number of objectives and key results.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.0.len()
    }
}
