//! Python bindings of okr-core: the extension module `okr._okr`.
//!
//! Each function converts its inputs, calls one okr-core function (with the GIL released for
//! heavy work), converts the output back, and maps errors to `okr.OkrError`. Everything else
//! lives in okr-core.

use pyo3::prelude::*;

mod calibration;
mod columns;
mod convert;
mod errors;
mod plan;
mod scoring;

/// The extension module.
#[pymodule]
fn _okr(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("OkrError", m.py().get_type::<errors::OkrError>())?;
    m.add_class::<plan::Plan>()?;
    m.add_class::<scoring::Report>()?;
    scoring::register(m)?;
    calibration::register(m)?;
    Ok(())
}
