//! Conversions between JavaScript values and core types.

use js_sys::{Array, Float64Array, Int32Array, Object, Reflect};
use okr_core::calibration::Matrix;
use okr_core::IdColumn;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::errors::{invalid_input, to_js_err};

/// A value as a plain JS object with camelCase keys (JSON-compatible: maps become objects).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let mut json = serde_json::to_value(value).map_err(|e| invalid_input(e.to_string()))?;
    camel_keys(&mut json);
    json.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| invalid_input(e.to_string()))
}

fn camel(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for ch in key.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

fn camel_keys(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut val) in old {
                camel_keys(&mut val);
                map.insert(camel(&k), val);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(camel_keys),
        _ => {}
    }
}

/// A property of an options object (`undefined` and `null` are absent).
pub fn field(obj: &JsValue, name: &str) -> Result<Option<JsValue>, JsValue> {
    if obj.is_undefined() || obj.is_null() {
        return Ok(None);
    }
    if !obj.is_object() {
        return Err(invalid_input(format!("expected an object with `{name}`")));
    }
    let v = Reflect::get(obj, &JsValue::from_str(name))
        .map_err(|_| invalid_input(format!("cannot read `{name}`")))?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

/// Property names of a plain object.
pub fn keys(obj: &JsValue) -> Vec<String> {
    obj.dyn_ref::<Object>()
        .map_or_else(Vec::new, |o| Object::keys(o).iter().filter_map(|k| k.as_string()).collect())
}

/// Numbers from a Float64Array or an array of numbers (`null` = NaN).
pub fn floats(v: &JsValue, what: &str) -> Result<Vec<f64>, JsValue> {
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        return Ok(a.to_vec());
    }
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_input(format!("`{what}` must be a Float64Array or an array of numbers")))?;
    arr.iter()
        .map(|x| {
            if x.is_null() || x.is_undefined() {
                Ok(f64::NAN)
            } else {
                x.as_f64().ok_or_else(|| invalid_input(format!("`{what}` must hold numbers")))
            }
        })
        .collect()
}

/// A value as JSON text, or `None` when it has none (`undefined`, a function, a cycle).
pub fn json_text(v: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(v).ok().and_then(|t| JsValue::from(t).as_string())
}

/// A node id given to a method: a string, or an integer (plans built from integer ids). Anything
/// else is a coded error, never handed to WebAssembly as a string it is not.
pub fn node_id(v: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    integer(v)
        .map(|i| i.to_string())
        .ok_or_else(|| invalid_input(format!("`{what}` must be a string or an integer id")))
}

/// A JS number that is a whole number small enough to be exact, as an integer id.
fn integer(v: &JsValue) -> Option<i64> {
    v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64)
}

/// Ids from an Int32Array, an array of integers, or an array of strings.
pub fn ids(v: &JsValue, what: &str) -> Result<IdColumn<'static>, JsValue> {
    if let Some(a) = v.dyn_ref::<Int32Array>() {
        return Ok(a.to_vec().into_iter().map(i64::from).collect::<Vec<_>>().into());
    }
    let arr =
        v.dyn_ref::<Array>().ok_or_else(|| invalid_input(format!("`{what}` must be an array of ids")))?;
    if let Some(ints) = arr.iter().map(|x| integer(&x)).collect::<Option<Vec<i64>>>() {
        return Ok(ints.into());
    }
    arr.iter()
        .enumerate()
        .map(|(row, x)| {
            x.as_string().ok_or_else(|| {
                if x.is_null() || x.is_undefined() {
                    invalid_input(format!("`{what}`: row {row} has no id (null)"))
                } else {
                    invalid_input(format!("`{what}`: row {row} is neither a string nor an integer id"))
                }
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(IdColumn::Strings)
}

/// Optional strings (null = absent).
pub fn texts(v: &JsValue, what: &str) -> Result<Vec<Option<String>>, JsValue> {
    let arr =
        v.dyn_ref::<Array>().ok_or_else(|| invalid_input(format!("`{what}` must be an array of strings")))?;
    arr.iter()
        .map(|x| {
            if x.is_null() || x.is_undefined() {
                Ok(None)
            } else {
                x.as_string()
                    .map(Some)
                    .ok_or_else(|| invalid_input(format!("`{what}` must hold strings or null")))
            }
        })
        .collect()
}

/// A matrix from an array of rows (`null` = missing, NaN).
pub fn matrix(v: &JsValue, what: &str) -> Result<Matrix<'static>, JsValue> {
    let rows =
        v.dyn_ref::<Array>().ok_or_else(|| invalid_input(format!("`{what}` must be an array of rows")))?;
    let rows: Vec<Vec<f64>> = rows.iter().map(|r| floats(&r, what)).collect::<Result<_, _>>()?;
    Matrix::from_rows(&rows).map_err(to_js_err)
}
