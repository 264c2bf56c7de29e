//! The one exception type: `okr.OkrError(ValueError)` with the core's error `code`.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

create_exception!(_okr, OkrError, PyValueError, "An okr error; `.code` is the stable error code.");

/// Maps a core error to `OkrError` carrying its code.
pub fn to_py_err(err: okr_core::Error) -> PyErr {
    Python::with_gil(|py| {
        let e = OkrError::new_err(err.to_string());
        // Setting an attribute on a fresh exception object cannot fail in practice; if it did,
        // the message still carries the problem.
        let _ = e.value(py).setattr("code", err.code());
        e
    })
}

/// An input of the wrong type or shape, as an `OkrError` with code `invalid_input`.
pub fn invalid_input(what: impl Into<String>) -> PyErr {
    to_py_err(okr_core::Error::InvalidInput { what: what.into() })
}
