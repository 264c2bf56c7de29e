//! Integration tests of okr-core: one binary, a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod export;
mod golden;
mod plan_api;
mod properties;
mod scale;
