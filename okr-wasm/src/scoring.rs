//! `Report`: a scored plan kept in WebAssembly memory, read whole or by column; events.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use js_sys::{Array, Float64Array, Reflect};
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
        self.0.nodes().map(|n| JsValue::from_str(n.id)).collect()
    }

    /// Scores, in input order.
    pub fn scores(&self) -> Float64Array {
        let score = self.0.columns_of(&[okr_core::ReportColumn::Score], false).score;
        Float64Array::from(score.as_slice())
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
