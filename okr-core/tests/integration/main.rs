//! Integration tests of okr-core: one binary, a module per area.

mod golden;
mod plan_api;
mod scale;
