//! A development aid for performance work: with `OKR_PHASES=1` in the environment, the steps of
//! building a plan (and of a few other large passes) print how long each took, on stderr, one
//! line per step and thread. Without the variable each call costs one environment look-up.

use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static LAST: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Ends the step running on this thread (printing its time) and starts the next, `name`.
pub(crate) fn phase(name: &str) {
    if std::env::var_os("OKR_PHASES").is_none() {
        return;
    }
    let now = Instant::now();
    LAST.with(|last| {
        if let Some(before) = last.get() {
            eprintln!("  {:>8.1} ms  {name}", (now - before).as_secs_f64() * 1e3);
        }
        last.set(Some(now));
    });
}
