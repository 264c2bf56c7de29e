//! WebAssembly bindings of okr-core: the npm package `okr-wasm`.
//!
//! Each export converts its inputs, calls one okr-core function, converts the output to plain
//! JavaScript objects (camelCase keys) and maps errors to `Error` objects with a `code`. Nothing
//! here panics: a panic would poison the module instance.

mod calibration;
mod columns;
mod convert;
mod errors;
mod plan;
mod scoring;

pub use calibration::*;
pub use plan::{JsonTextArg, NodeIdArg, Plan};
pub use scoring::{events, Report};

use wasm_bindgen::prelude::*;

/// The TypeScript shapes of inputs and outputs (plain objects), spelled out.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = include_str!("types.d.ts");
