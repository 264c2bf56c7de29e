//! A development aid for performance work: with `OKR_PHASES=1` in the environment, the steps of
//! building a plan (and of a few other large passes) print how long each took, on stderr, one
//! line per step and thread (`+` marks a thread the pass started), with the page faults the
//! thread took in it (on Linux; a fresh
//! page is a fault, so this counts memory first touched). Without the variable each call costs
//! one environment look-up.

use std::cell::Cell;
use std::time::Instant;

thread_local! {
    static LAST: Cell<Option<(Instant, u64)>> = const { Cell::new(None) };
}

/// This thread's minor page faults so far (0 where `/proc` does not say).
fn faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Field 10 (minflt), counted after the command name, which ends at the last `)`.
    stat.rsplit(')')
        .next()
        .and_then(|f| f.split_whitespace().nth(7))
        .and_then(|x| x.parse().ok())
        .unwrap_or(0)
}

/// Ends the step running on this thread (printing its time) and starts the next, `name`.
pub(crate) fn phase(name: &str) {
    if std::env::var_os("OKR_PHASES").is_none() {
        return;
    }
    let (now, faulted) = (Instant::now(), faults());
    LAST.with(|last| {
        if let Some((before, faulted_before)) = last.get() {
            let ms = (now - before).as_secs_f64() * 1e3;
            // The calling thread: `main`, or the second thread of a pass (unnamed).
            let thread = if std::thread::current().name().is_some() { " " } else { "+" };
            eprintln!("  {ms:>8.1} ms {:>7} faults {thread} {name}", faulted.saturating_sub(faulted_before));
        }
        last.set(Some((now, faults())));
    });
}
