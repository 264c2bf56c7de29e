//! Integration tests of okr-core: one binary, a module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "tests fail loudly")]

mod export;
mod golden;
mod plan_api;
mod properties;
mod scale;

/// A xorshift64 generator from `seed` (not 0): each call returns the next state. Tests draw
/// their shuffles and random plans from it, so that a failure repeats.
pub(crate) fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
