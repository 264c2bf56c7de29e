//! `Report`: a scored plan kept in WebAssembly memory, read whole or by column; events.

use js_sys::{Array, Float64Array};
use wasm_bindgen::prelude::*;

use crate::convert::{node_id, to_js};
use crate::errors::to_js_err;
use crate::plan::NodeIdArg;

/// A scored report kept in WebAssembly memory: read it whole (`toObject`) or by column.
#[wasm_bindgen]
pub struct Report(pub(crate) okr_core::Report);

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
