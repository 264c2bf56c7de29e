//! Conversions between Python objects (dicts of columns, numpy arrays, lists) and core types.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

use chrono::NaiveDate;
use numpy::{PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use okr_core::calibration::Matrix;
use okr_core::{FloatColumn, IdColumn, Utf8Ids};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{invalid_input, to_py_err};

/// A numpy column read in place (the array stays borrowed, read-only, while the table lives).
enum Array<'py> {
    F64(PyReadonlyArray1<'py, f64>),
    I64(PyReadonlyArray1<'py, i64>),
    /// Text in Arrow's layout, `("utf8", offsets, bytes)` (see `_columns.arrow_text`).
    Utf8(PyReadonlyArray1<'py, i64>, PyReadonlyArray1<'py, u8>),
}

/// A contiguous array as a slice without a copy; a strided one copied.
fn in_place<'a, T: numpy::Element + Clone>(a: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match a.as_slice() {
        Ok(slice) => Cow::Borrowed(slice),
        Err(_) => Cow::Owned(a.as_array().to_vec()),
    }
}

/// The columns of one table, handed over as a dict; unknown columns are rejected by name.
/// Float64 and int64 numpy columns are read in place: the core borrows them for the call.
pub struct Table<'py> {
    name: &'static str,
    dict: Bound<'py, PyDict>,
    arrays: HashMap<String, Array<'py>>,
    used: RefCell<Vec<String>>,
}

impl<'py> Table<'py> {
    pub fn new(name: &'static str, dict: Bound<'py, PyDict>) -> Self {
        let mut arrays = HashMap::new();
        for (key, value) in dict.iter() {
            let Ok(key) = key.extract::<String>() else { continue };
            if let Ok(a) = value.extract::<PyReadonlyArray1<'py, f64>>() {
                arrays.insert(key, Array::F64(a));
            } else if let Ok(a) = value.extract::<PyReadonlyArray1<'py, i64>>() {
                arrays.insert(key, Array::I64(a));
            } else if let Ok((tag, offsets, bytes)) =
                value.extract::<(String, PyReadonlyArray1<'py, i64>, PyReadonlyArray1<'py, u8>)>()
            {
                if tag == "utf8" {
                    arrays.insert(key, Array::Utf8(offsets, bytes));
                }
            }
        }
        Table { name, dict, arrays, used: RefCell::new(Vec::new()) }
    }

    fn get(&self, column: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.used.borrow_mut().push(column.to_owned());
        Ok(self.dict.get_item(column)?.filter(|v| !v.is_none()))
    }

    /// Column `column` if it is a numpy array read in place (marked as used).
    fn array(&self, column: &str) -> Option<&Array<'py>> {
        let a = self.arrays.get(column)?;
        self.used.borrow_mut().push(column.to_owned());
        Some(a)
    }

    /// `table.column`, as errors name a column.
    pub fn column_name(&self, column: &str) -> String {
        format!("{}.{column}", self.name)
    }

    /// Ids: an int64 array or Arrow-layout text (both read in place), or a list of str/int.
    pub fn ids(&self, column: &str) -> PyResult<Option<IdColumn<'_>>> {
        match self.array(column) {
            Some(Array::I64(a)) => return Ok(Some(IdColumn::Integers(in_place(a)))),
            Some(Array::Utf8(offsets, bytes)) => {
                let what = self.column_name(column);
                return utf8_ids(in_place(offsets), bytes, &what).map(|ids| Some(IdColumn::Utf8(ids)));
            }
            _ => {}
        }
        let what = self.column_name(column);
        self.get(column)?.map(|v| ids(&v, &what)).transpose()
    }

    pub fn required_ids(&self, column: &str) -> PyResult<IdColumn<'_>> {
        let name = self.name;
        self.ids(column)?.ok_or_else(|| invalid_input(format!("{name} needs column `{column}`")))
    }

    /// Floats (NaN = null): a float64 array (read in place) or a list.
    pub fn floats(&self, column: &str) -> PyResult<FloatColumn<'_>> {
        if let Some(Array::F64(a)) = self.array(column) {
            return Ok(Some(in_place(a)));
        }
        self.get(column)?.map(|v| floats(&v, &self.column_name(column)).map(Cow::Owned)).transpose()
    }

    pub fn bools(&self, column: &str) -> PyResult<Option<Vec<bool>>> {
        self.get(column)?
            .map(|v| match v.extract::<PyReadonlyArray1<bool>>() {
                Ok(a) => Ok(a.as_array().to_vec()),
                Err(_) => v
                    .extract::<Vec<bool>>()
                    .map_err(|_| invalid_input(format!("`{}` must be booleans", self.column_name(column)))),
            })
            .transpose()
    }

    /// Text per row as (codes, categories): code -1 is null. Accepts the factorised form the
    /// Python side sends, `("codes", int32 array, [str])`, or a plain list of str/None.
    pub fn categories(&self, column: &str) -> PyResult<Option<(Vec<i32>, Vec<String>)>> {
        self.coded(column, |codes, cats| {
            if let Some(bad) = codes.iter().find(|&&c| c < -1 || c as i64 >= cats.len() as i64) {
                return Err(invalid_input(format!(
                    "`{}`: code {bad} has no category ({} given)",
                    self.column_name(column),
                    cats.len()
                )));
            }
            Ok((codes.to_vec(), cats.to_vec()))
        })
    }

    /// Calls `f` with the column's codes and categories (see [`Table::categories`]), the codes
    /// read in place from the array the Python side sent; `f` checks each code's range.
    pub fn coded<R>(
        &self,
        column: &str,
        f: impl FnOnce(&[i32], &[String]) -> PyResult<R>,
    ) -> PyResult<Option<R>> {
        let Some(v) = self.get(column)? else { return Ok(None) };
        if let Ok((tag, codes, cats)) = v.extract::<(String, PyReadonlyArray1<i32>, Vec<String>)>() {
            if tag == "codes" {
                return match codes.as_slice() {
                    Ok(codes) => f(codes, &cats),
                    Err(_) => f(&codes.as_array().to_vec(), &cats),
                }
                .map(Some);
            }
        }
        let values: Vec<Option<String>> = v
            .extract()
            .map_err(|_| invalid_input(format!("`{}` must be text (or null)", self.column_name(column))))?;
        let mut cats: Vec<String> = Vec::new();
        let mut index = std::collections::HashMap::new();
        let codes: Vec<i32> = values
            .into_iter()
            .map(|s| match s {
                None => -1,
                Some(s) => *index.entry(s.clone()).or_insert_with(|| {
                    cats.push(s);
                    cats.len() as i32 - 1
                }),
            })
            .collect();
        f(&codes, &cats).map(Some)
    }

    /// Text per row, kept as codes into the distinct values (no string per row).
    pub fn texts(&self, column: &str) -> PyResult<Option<okr_core::Texts>> {
        Ok(self.categories(column)?.map(|(codes, categories)| okr_core::Texts::Coded { codes, categories }))
    }

    /// Days since 1970-01-01 (int64), as numpy's datetime64[D] gives them.
    pub fn dates(&self, column: &str) -> PyResult<Option<Vec<NaiveDate>>> {
        // Days since 1970 as an int64 array (read in place), or a list of them.
        let days: Cow<'_, [i64]> =
            match self.array(column) {
                Some(Array::I64(a)) => in_place(a),
                _ => {
                    let Some(v) = self.get(column)? else { return Ok(None) };
                    Cow::Owned(v.extract().map_err(|_| {
                        invalid_input(format!("`{}` must be dates", self.column_name(column)))
                    })?)
                }
            };
        let what = self.column_name(column);
        days.iter().map(|&d| epoch_day(d, &what)).collect::<PyResult<Vec<_>>>().map(Some)
    }

    /// Rejects columns that were never asked for.
    pub fn finish(&self) -> PyResult<()> {
        for key in self.dict.keys() {
            let key: String = key.extract()?;
            if !self.used.borrow().contains(&key) {
                return Err(to_py_err(okr_core::Error::UnknownColumn { table: self.name, column: key }));
            }
        }
        Ok(())
    }
}

pub fn epoch_day(days: i64, what: &str) -> PyResult<NaiveDate> {
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|e| e.checked_add_signed(chrono::TimeDelta::try_days(days)?))
        .ok_or_else(|| invalid_input(format!("`{what}`: day {days} is out of range")))
}

/// Text ids as Arrow holds them: row `i` is `bytes[offsets[i] .. offsets[i + 1]]`, UTF-8,
/// borrowed where the arrays are contiguous (no `String` per row).
fn utf8_ids<'a>(
    offsets: Cow<'a, [i64]>,
    bytes: &'a PyReadonlyArray1<'_, u8>,
    what: &str,
) -> PyResult<Utf8Ids<'a>> {
    let text: Cow<'a, str> = match bytes.as_slice() {
        Ok(b) => Cow::Borrowed(utf8(b, what)?),
        Err(_) => Cow::Owned(utf8(&bytes.as_array().to_vec(), what)?.to_owned()),
    };
    Utf8Ids::new(offsets, text).map_err(|e| {
        invalid_input(format!("`{what}`: {}", e.to_string().trim_start_matches("invalid input: ")))
    })
}

fn utf8<'b>(bytes: &'b [u8], what: &str) -> PyResult<&'b str> {
    std::str::from_utf8(bytes)
        .map_err(|e| invalid_input(format!("`{what}` is not UTF-8 text (byte {})", e.valid_up_to())))
}

pub fn ids(v: &Bound<'_, PyAny>, what: &str) -> PyResult<IdColumn<'static>> {
    if let Ok(a) = v.extract::<PyReadonlyArray1<i64>>() {
        return Ok(a.as_array().to_vec().into());
    }
    if let Ok((tag, offsets, bytes)) = v.extract::<(String, PyReadonlyArray1<i64>, PyReadonlyArray1<u8>)>() {
        if tag == "utf8" {
            let ids = utf8_ids(in_place(&offsets), &bytes, what)?;
            return Ok(IdColumn::Utf8(ids.into_owned()));
        }
    }
    let list = v
        .downcast::<PyList>()
        .map_err(|_| invalid_input(format!("`{what}` must be a list or an int64 array")))?;
    if let Ok(ints) = list.extract::<Vec<i64>>() {
        return Ok(ints.into());
    }
    list.extract::<Vec<String>>().map(IdColumn::Strings).map_err(|_| {
        // Name the first row that is neither text nor an integer.
        let bad = list
            .iter()
            .enumerate()
            .find(|(_, x)| x.extract::<String>().is_err() && x.extract::<i64>().is_err());
        match bad {
            Some((row, x)) if x.is_none() => invalid_input(format!("`{what}`: row {row} has no id (null)")),
            Some((row, x)) => invalid_input(format!(
                "`{what}`: row {row} holds `{}`, not a text or integer id",
                x.repr().map_or_else(|_| "?".to_owned(), |r| r.to_string())
            )),
            None => invalid_input(format!("`{what}` must hold text or integer ids, without nulls")),
        }
    })
}

pub fn floats(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<f64>> {
    if let Ok(a) = v.extract::<PyReadonlyArray1<f64>>() {
        return Ok(a.as_array().to_vec());
    }
    v.extract::<Vec<Option<f64>>>().map(|v| v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect()).map_err(
        |_| {
            // Name the first row that is not a number (or null), when the value is a list.
            let bad = v
                .downcast::<PyList>()
                .ok()
                .and_then(|list| list.iter().enumerate().find(|(_, x)| x.extract::<Option<f64>>().is_err()));
            match bad {
                Some((row, x)) => invalid_input(format!(
                    "`{what}`: row {row} holds `{}`, not a number",
                    x.repr().map_or_else(|_| "?".to_owned(), |r| r.to_string())
                )),
                None => invalid_input(format!("`{what}` must be numbers")),
            }
        },
    )
}

pub fn matrix(v: &Bound<'_, PyAny>, what: &str) -> PyResult<Matrix<'static>> {
    let a: PyReadonlyArray2<f64> =
        v.extract().map_err(|_| invalid_input(format!("`{what}` must be a 2-D float array")))?;
    let shape = a.shape().to_vec();
    let data: Vec<f64> = a.as_array().iter().copied().collect();
    Matrix::new(shape[0], shape[1], data).map_err(to_py_err)
}

/// A C-contiguous 2-D float array, read in place.
pub fn with_matrix<T>(
    v: &Bound<'_, PyAny>,
    what: &str,
    f: impl FnOnce(&Matrix<'_>) -> PyResult<T>,
) -> PyResult<T> {
    let a: PyReadonlyArray2<f64> =
        v.extract().map_err(|_| invalid_input(format!("`{what}` must be a 2-D float array")))?;
    let shape = a.shape().to_vec();
    match a.as_slice() {
        Ok(slice) => f(&Matrix::borrowed(shape[0], shape[1], slice).map_err(to_py_err)?),
        Err(_) => f(&matrix(v, what)?),
    }
}

pub fn date(text: &str) -> PyResult<NaiveDate> {
    okr_core::parse_date(text).map_err(to_py_err)
}

/// A core value as JSON text (parsed on the Python side).
pub fn to_json<T: serde::Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(|e| invalid_input(e.to_string()))
}
