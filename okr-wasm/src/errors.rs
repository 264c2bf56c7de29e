//! Errors as real JavaScript `Error` objects with the core's stable `code`.

use wasm_bindgen::JsValue;

/// A core error as `Error` with `code`.
pub fn to_js_err(err: okr_core::Error) -> JsValue {
    coded(&err.to_string(), err.code())
}

/// An input of the wrong type or shape (`code` `invalid_input`).
pub fn invalid_input(what: impl Into<String>) -> JsValue {
    to_js_err(okr_core::Error::InvalidInput { what: what.into() })
}

/// An `Error` with `message` and `code`.
pub fn coded(message: &str, code: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    // Setting a property on a fresh Error cannot fail; if it somehow did, the message remains.
    let _ = js_sys::Reflect::set(&e, &JsValue::from_str("code"), &JsValue::from_str(code));
    e.into()
}
