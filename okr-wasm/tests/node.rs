//! wasm-bindgen-test cases, run under Node by `wasm-bindgen-test-runner`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

use okr_wasm::Plan;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// JSON text as `Plan.fromJson` takes it from JavaScript.
fn json(text: &str) -> okr_wasm::JsonTextArg {
    JsValue::from_str(text).unchecked_into()
}

fn options(as_of: &str) -> JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"asOf".into(), &as_of.into()).unwrap();
    o.into()
}

#[wasm_bindgen_test]
fn scores_and_reads_columns() {
    let plan = Plan::from_json(json(
        r#"{"objectives": [{"id": "o", "key_results": [
        {"id": "a", "kind": "linear", "start": 0, "target": 4, "current": 1},
        {"id": "b", "kind": "at_least", "threshold": 2, "current": 3}]}]}"#,
    ))
    .unwrap();
    let report = plan.score_report(Some(options("2026-01-01").unchecked_into())).unwrap();
    assert_eq!(report.length(), 3);
    assert_eq!(report.scores().to_vec(), vec![0.625, 0.25, 1.0]);
    let obj = plan.score(Some(options("2026-01-01").unchecked_into())).unwrap();
    let nodes = js_sys::Reflect::get(&obj, &"nodes".into()).unwrap();
    let first = js_sys::Array::from(&nodes).get(0);
    assert_eq!(js_sys::Reflect::get(&first, &"hasData".into()).unwrap(), JsValue::TRUE);
}

#[wasm_bindgen_test]
fn errors_are_js_errors_with_codes() {
    let err = match Plan::from_json(json(r#"{"objectives": [{"id": "a", "parents": [{"id": "a"}]}]}"#)) {
        Err(e) => e,
        Ok(_) => panic!("self-alignment accepted"),
    };
    assert!(err.is_instance_of::<js_sys::Error>());
    assert_eq!(js_sys::Reflect::get(&err, &"code".into()).unwrap(), "self_alignment");
    // The instance keeps working after an error.
    assert!(Plan::from_json(json("{}")).is_ok());
}

#[wasm_bindgen_test]
fn bad_dates_are_errors_not_panics() {
    let plan = Plan::from_json(json("{}")).unwrap();
    let err = plan.score_report(Some(options("not a date").unchecked_into())).err().unwrap();
    assert_eq!(js_sys::Reflect::get(&err, &"code".into()).unwrap(), "invalid_date");
}
