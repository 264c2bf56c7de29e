//! Conversions between JavaScript values and core types.

use js_sys::{Array, BigInt64Array, Float64Array, Int32Array, Object, Reflect};
use okr_core::calibration::Matrix;
use okr_core::{IdColumn, Utf8Ids};
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::errors::{coded, invalid_input, to_js_err};

/// A value as a plain JS object with camelCase keys (JSON-compatible: maps become objects).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let mut json = serde_json::to_value(value).map_err(|e| invalid_input(e.to_string()))?;
    camel_keys(&mut json);
    json.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| invalid_input(e.to_string()))
}

/// A statistic's result as a plain JS object with camelCase keys, as [`to_js`] gives it, but
/// with NaN and infinities kept as numbers, which JSON would make `null` (an ICC's F where
/// raters agree exactly is `Infinity`; a rater's sd from one rating `NaN`), as in Rust and
/// Python. The keys are renamed in JavaScript (`okrCamelKeys`), one call for the whole value.
pub fn numbers_to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let plain = value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| invalid_input(e.to_string()))?;
    Ok(camel_keys_js(&plain))
}

/// `key` in camelCase (`has_data` → `hasData`), as JavaScript keys are.
pub(crate) fn camel(key: &str) -> String {
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

/// `value`, an object of options or of columns (`what`), or `undefined` / `null`, once every
/// key of it is one of `allowed`: a key mistyped (`asof` for `asOf`) is an error naming it and
/// the keys there are, rather than an option silently left at its default.
pub fn known_keys(value: JsValue, allowed: &[&str], what: &str) -> Result<JsValue, JsValue> {
    if let Some(k) = keys(&value).into_iter().find(|k| !allowed.contains(&k.as_str())) {
        let names: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
        return Err(invalid_input(format!("unknown {what} `{k}` (the {what}s are {})", names.join(", "))));
    }
    Ok(value)
}

/// A function's options object, given or not (`undefined`), each key one of `allowed` (see
/// [`known_keys`]).
pub fn options<T: Into<JsValue>>(options: Option<T>, allowed: &[&str]) -> Result<JsValue, JsValue> {
    known_keys(options.map_or(JsValue::UNDEFINED, Into::into), allowed, "option")
}

/// A pair `[low, high]` under `name` in `options`, if given (a confidence scale, a rating scale,
/// 9-box cuts); anything but two numbers is an error naming it.
pub fn pair(options: &JsValue, name: &str) -> Result<Option<[f64; 2]>, JsValue> {
    match field(options, name)? {
        None => Ok(None),
        Some(v) => match floats(&v, name)?[..] {
            [low, high] => Ok(Some([low, high])),
            _ => Err(invalid_input(format!("`{name}` must be a pair [low, high]"))),
        },
    }
}

/// Property names of a plain object.
pub fn keys(obj: &JsValue) -> Vec<String> {
    obj.dyn_ref::<Object>()
        .map_or_else(Vec::new, |o| Object::keys(o).iter().filter_map(|k| k.as_string()).collect())
}

/// Numbers from a Float64Array or an array of numbers (`null` = NaN), read in one JavaScript
/// loop.
pub fn floats(v: &JsValue, what: &str) -> Result<Vec<f64>, JsValue> {
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        return Ok(a.to_vec());
    }
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_input(format!("`{what}` must be a Float64Array or an array of numbers")))?;
    let encoded = encode_floats(arr);
    encoded.values().map(|v| v.to_vec()).ok_or_else(|| {
        invalid_input(format!("`{what}` must hold numbers: row {} is not a number", encoded.bad_float()))
    })
}

/// A value as JSON text, or `None` when it has none (`undefined`, a function, a cycle). A NaN
/// or an infinity in it, which JSON would silently write as `null`, is an error (`non_finite`)
/// naming its path from `root` (`policy.cap`, `document.objectives[0].key_results[0].target`),
/// as in Python.
pub fn json_text(v: &JsValue, root: &str) -> Result<Option<String>, JsValue> {
    let json = encode_json(v, root);
    match (json.path(), json.number()) {
        (Some(path), Some(number)) => {
            Err(coded(&format!("`{path}` is `{number}`: every number must be finite"), "non_finite"))
        }
        _ => Ok(json.text()),
    }
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
    v.as_f64().and_then(whole)
}

/// A number that is whole and small enough to be exact, as an integer id.
fn whole(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// The error for row `row` of id column `what`, which holds `x`: neither text nor a whole number.
fn not_an_id(what: &str, row: usize, x: &JsValue) -> JsValue {
    let shown = match (x.as_f64(), x.as_bool()) {
        (Some(f), _) => format!("`{f}`"),
        (_, Some(b)) => format!("`{b}`"),
        _ => format!("a value of type {}", x.js_typeof().as_string().unwrap_or_default()),
    };
    invalid_input(format!("`{what}`: row {row} holds {shown}, not a whole number (below 9e15) or text id"))
}

/// Ids from an Int32Array, a BigInt64Array (Apache Arrow's int64 columns), a Float64Array of
/// whole numbers, an array of integers, or an array of strings. In an array that mixes them, a
/// whole number reads as its decimal text, as pandas reads such a column in Python.
pub fn ids(v: &JsValue, what: &str) -> Result<IdColumn<'static>, JsValue> {
    if let Some(a) = v.dyn_ref::<Int32Array>() {
        return Ok(a.to_vec().into_iter().map(i64::from).collect::<Vec<_>>().into());
    }
    if let Some(a) = v.dyn_ref::<BigInt64Array>() {
        return Ok(a.to_vec().into());
    }
    if let Some(a) = v.dyn_ref::<Float64Array>() {
        let values = a.to_vec();
        return match values.iter().position(|&f| whole(f).is_none()) {
            Some(row) => Err(not_an_id(what, row, &JsValue::from_f64(values[row]))),
            None => Ok(values.into_iter().map(|f| f as i64).collect::<Vec<_>>().into()),
        };
    }
    let arr =
        v.dyn_ref::<Array>().ok_or_else(|| invalid_input(format!("`{what}` must be an array of ids")))?;
    // The common cases cross once: all whole numbers, or all strings (joined by NUL).
    let encoded = encode_ids(arr);
    if let Some(ints) = encoded.ints() {
        return Ok(ints.to_vec().into_iter().map(|f| f as i64).collect::<Vec<_>>().into());
    }
    if let Some(joined) = encoded.joined() {
        // One text and its offsets (Arrow's layout), not a String per id.
        let mut text = String::with_capacity(joined.len());
        let mut offsets = Vec::with_capacity(arr.length() as usize + 1);
        offsets.push(0);
        if arr.length() > 0 {
            for id in joined.split('\0') {
                text.push_str(id);
                offsets.push(text.len() as i64);
            }
        }
        return Utf8Ids::new(offsets, text)
            .map(IdColumn::Utf8)
            .map_err(|e| invalid_input(format!("`{what}`: {e}")));
    }
    // Anything else (nulls, other values, NUL inside an id) is read value by value, to name
    // the row at fault or keep the NUL.
    arr.iter()
        .enumerate()
        .map(|(row, x)| match (x.as_string(), integer(&x)) {
            (Some(text), _) => Ok(text),
            // `format!`, not `to_string`: the latter's integer path added 9 KB to the .wasm.
            (None, Some(whole)) => Ok(format!("{whole}")),
            _ if x.is_null() || x.is_undefined() => {
                Err(invalid_input(format!("`{what}`: row {row} has no id (null)")))
            }
            _ => Err(not_an_id(what, row, &x)),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(IdColumn::Strings)
}

/// Optional strings (null = absent), one per row, read through the same JavaScript loop as
/// [`coded_texts`].
pub fn texts(v: &JsValue, what: &str) -> Result<Vec<Option<String>>, JsValue> {
    coded_texts(v, what)?.decode(|s| Ok(s.to_owned()))
}

/// Flags: `true`/`false` or 1/0, null as false (as the Python binding reads them), in one
/// JavaScript loop; anything else is an error naming the row.
pub fn bools(v: &JsValue, what: &str) -> Result<Vec<bool>, JsValue> {
    let arr = v
        .dyn_ref::<Array>()
        .ok_or_else(|| invalid_input(format!("`{what}` must be an array of booleans")))?;
    let encoded = encode_bools(arr);
    encoded.values().map(|v| v.to_vec().into_iter().map(|x| x != 0.0).collect()).ok_or_else(|| {
        invalid_input(format!("`{what}`: row {} is neither true nor false", encoded.bad_float()))
    })
}

// Plain-array columns are read by these functions in JavaScript, one loop per column, and
// cross into WebAssembly as one typed array (text as codes into its distinct values, text ids
// joined by NUL). Reading them value by value from Rust crosses the boundary once per value:
// about 90 ns a string, against about 9 ns a row here (a million-row text column: 90 → 9 ms).
#[wasm_bindgen(inline_js = r#"
export function okrEncodeTexts(values) {
  const codes = new Int32Array(values.length);
  const index = new Map();
  const categories = [];
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === null || x === undefined) {
      codes[i] = -1;
      continue;
    }
    if (typeof x !== "string") return { codes, categories, bad: i };
    let c = index.get(x);
    if (c === undefined) {
      c = categories.length;
      index.set(x, c);
      categories.push(x);
    }
    codes[i] = c;
  }
  return { codes, categories, bad: -1 };
}

export function okrFloats(values) {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (typeof x === "number") out[i] = x;
    else if (x === null || x === undefined) out[i] = NaN;
    else return { values: null, bad: i };
  }
  return { values: out, bad: -1 };
}

export function okrBools(values) {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    if (x === true || x === 1) out[i] = 1;
    else if (!(x === false || x === 0 || x === null || x === undefined)) return { values: null, bad: i };
  }
  return { values: out, bad: -1 };
}

export function okrIds(values) {
  const n = values.length;
  const ints = new Float64Array(typeof values[0] === "string" ? 0 : n);
  let i = 0;
  for (; i < ints.length; i++) {
    const x = values[i];
    if (typeof x !== "number" || !Number.isInteger(x) || Math.abs(x) >= 9e15) break;
    ints[i] = x;
  }
  if (i === n) return { ints, joined: null };
  if (i > 0) return { ints: null, joined: null };
  for (let j = 0; j < n; j++) {
    const x = values[j];
    if (typeof x !== "string" || x.includes("\0")) return { ints: null, joined: null };
  }
  return { ints: null, joined: values.join("\0") };
}

export function okrCamelKeys(value) {
  // As `camel` in Rust: an underscore is dropped and the character after it upper-cased.
  const camel = (key) => {
    let out = "";
    let upper = false;
    for (const ch of key) {
      if (ch === "_") upper = true;
      else if (upper) { out += ch.toUpperCase(); upper = false; }
      else out += ch;
    }
    return out;
  };
  const walk = (v) => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== "object") return v;
    const out = {};
    for (const k of Object.keys(v)) out[camel(k)] = walk(v[k]);
    return out;
  };
  return walk(value);
}

export function okrJsonText(value, root) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (_) {
    return { text: null, path: null, number: null };
  }
  // A Date writes itself as an instant in UTC ("2026-02-14T23:00:00.000Z" for 15 February at
  // midnight an hour east of Greenwich): only a text holding such a string can have held one,
  // and only then is the value written again, each Date as its calendar day where the code runs
  // (as `asOf` reads a Date).
  // An invalid Date writes itself as null: the walk below, which a null starts, finds it.
  const pad = (x, n) => String(x).padStart(n, "0");
  const days = () => JSON.stringify(value, function (key, v) {
    const d = this[key];
    if (!(d instanceof Date)) return v;
    if (Number.isNaN(d.getTime())) return "Invalid Date";
    return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)}`;
  });
  if (text !== undefined && text.includes('Z"') && /"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/.test(text)) {
    text = days();
  }
  // JSON writes NaN and infinities as null: only a text with a null can have held one, and
  // only then is the value walked (a replacer function would slow every document by a tenth).
  if (text === undefined || !text.includes("null")) return { text: text ?? null, path: null, number: null };
  const seen = new Set();
  let invalidDate = false;
  const find = (v, path) => {
    if (typeof v === "number") return Number.isFinite(v) ? null : { text: null, path, number: String(v) };
    if (v instanceof Date) {
      invalidDate ||= Number.isNaN(v.getTime());
      return null;
    }
    if (v === null || typeof v !== "object" || seen.has(v)) return null;
    seen.add(v);
    const entries = Array.isArray(v) ? v.map((x, i) => [`${path}[${i}]`, x]) : Object.keys(v).map((k) => [`${path}.${k}`, v[k]]);
    for (const [p, x] of entries) {
      const found = find(x, p);
      if (found) return found;
    }
    return null;
  };
  return find(value, root) ?? { text: invalidDate ? days() : text, path: null, number: null };
}
"#)]
extern "C" {
    /// A dictionary-encoded text column, as `okrEncodeTexts` returns it.
    type EncodedTexts;
    #[wasm_bindgen(js_name = okrEncodeTexts)]
    fn encode_texts(values: &Array) -> EncodedTexts;
    #[wasm_bindgen(method, getter)]
    fn codes(this: &EncodedTexts) -> Int32Array;
    #[wasm_bindgen(method, getter)]
    fn categories(this: &EncodedTexts) -> Array;
    /// The first row that is neither a string nor null, or -1.
    #[wasm_bindgen(method, getter)]
    fn bad(this: &EncodedTexts) -> i32;

    /// A number column read in JavaScript, as `okrFloats` returns it (null is NaN).
    type EncodedFloats;
    #[wasm_bindgen(js_name = okrFloats)]
    fn encode_floats(values: &Array) -> EncodedFloats;
    /// Flags read in JavaScript, in `okrFloats`' shape (1 for true, 0 for false or null).
    #[wasm_bindgen(js_name = okrBools)]
    fn encode_bools(values: &Array) -> EncodedFloats;
    #[wasm_bindgen(method, getter)]
    fn values(this: &EncodedFloats) -> Option<Float64Array>;
    #[wasm_bindgen(method, getter, js_name = bad)]
    fn bad_float(this: &EncodedFloats) -> i32;

    /// An id column read in JavaScript, as `okrIds` returns it: whole numbers as a
    /// Float64Array; or strings free of NUL joined by NUL; or neither, for the slow path.
    type EncodedIds;
    #[wasm_bindgen(js_name = okrIds)]
    fn encode_ids(values: &Array) -> EncodedIds;
    #[wasm_bindgen(method, getter)]
    fn ints(this: &EncodedIds) -> Option<Float64Array>;
    #[wasm_bindgen(method, getter)]
    fn joined(this: &EncodedIds) -> Option<String>;

    /// `value` with every object key in camelCase, at any depth of objects and arrays.
    #[wasm_bindgen(js_name = okrCamelKeys)]
    fn camel_keys_js(value: &JsValue) -> JsValue;

    /// A value as JSON text, as `okrJsonText` returns it: the text; or, where the value holds
    /// a NaN or an infinity (which JSON would write as `null`), the first one's path and value.
    type JsonText;
    #[wasm_bindgen(js_name = okrJsonText)]
    fn encode_json(value: &JsValue, root: &str) -> JsonText;
    #[wasm_bindgen(method, getter)]
    fn text(this: &JsonText) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn path(this: &JsonText) -> Option<String>;
    #[wasm_bindgen(method, getter)]
    fn number(this: &JsonText) -> Option<String>;
}

/// A text column as a code per row (-1 for null) into its distinct values.
pub struct Coded {
    pub codes: Vec<i32>,
    pub categories: Vec<String>,
}

impl Coded {
    /// Each row's value through `parse`, called once per distinct value; `None` where null.
    pub fn decode<T: Clone>(
        &self,
        parse: impl Fn(&str) -> Result<T, JsValue>,
    ) -> Result<Vec<Option<T>>, JsValue> {
        let values = self.categories.iter().map(|c| parse(c)).collect::<Result<Vec<T>, _>>()?;
        Ok(self.codes.iter().map(|&c| usize::try_from(c).ok().and_then(|c| values.get(c)).cloned()).collect())
    }
}

impl From<Coded> for okr_core::Texts {
    fn from(c: Coded) -> Self {
        okr_core::Texts::Coded { codes: c.codes, categories: c.categories }
    }
}

/// Optional strings (null = absent) as a code per row (-1 for null) into the distinct values:
/// a column crosses into WebAssembly as one Int32Array and its distinct strings.
pub fn coded_texts(v: &JsValue, what: &str) -> Result<Coded, JsValue> {
    let arr =
        v.dyn_ref::<Array>().ok_or_else(|| invalid_input(format!("`{what}` must be an array of strings")))?;
    let encoded = encode_texts(arr);
    let bad = encoded.bad();
    if bad >= 0 {
        return Err(invalid_input(format!("`{what}`: row {bad} is neither a string nor null")));
    }
    // The categories are strings: the encoder put only strings there.
    let categories = encoded.categories().iter().map(|c| c.as_string().unwrap_or_default()).collect();
    Ok(Coded { codes: encoded.codes().to_vec(), categories })
}

/// A `Date`'s calendar day where the code runs (as `getDate()` reads it), as YYYY-MM-DD: the
/// day a person at that clock means, and the day the plan's "today" is.
pub fn local_day(d: &js_sys::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.get_full_year(), d.get_month() + 1, d.get_date())
}

/// A column of dates: YYYY-MM-DD strings or `Date`s (each its calendar day where the code runs,
/// as [`local_day`]), or null. Strings take the encoder's one pass; only a column holding a
/// `Date` is copied, its `Date`s turned into days (an invalid `Date` into text the date parser
/// then names).
pub fn coded_days(v: &JsValue, what: &str) -> Result<Coded, JsValue> {
    let texts = coded_texts(v, what);
    let Some(arr) = v.dyn_ref::<Array>().filter(|_| texts.is_err()) else {
        return texts;
    };
    if !arr.iter().any(|x| x.is_instance_of::<js_sys::Date>()) {
        return texts;
    }
    let days: Array = arr
        .iter()
        .map(|x| match x.dyn_ref::<js_sys::Date>() {
            Some(d) if d.get_time().is_nan() => JsValue::from_str("Invalid Date"),
            Some(d) => JsValue::from(local_day(d)),
            None => x,
        })
        .collect();
    coded_texts(&days, what)
}

/// A matrix from an array of rows (`null` = missing, NaN).
pub fn matrix(v: &JsValue, what: &str) -> Result<Matrix<'static>, JsValue> {
    let rows =
        v.dyn_ref::<Array>().ok_or_else(|| invalid_input(format!("`{what}` must be an array of rows")))?;
    let rows: Vec<Vec<f64>> = rows.iter().map(|r| floats(&r, what)).collect::<Result<_, _>>()?;
    Matrix::from_rows(&rows).map_err(to_js_err)
}
