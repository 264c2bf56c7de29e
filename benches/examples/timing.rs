//! Quick one-shot timing of the 1M organisation (build, score, memory), for development.
//!
//! `timing [N]` builds the organisation of N objectives (1,000,000 by default) and times a few
//! scores, report columns, events and lint. Options:
//! - `--score-only K`: K scores and their median; with `VARIANTS="A=1,A= B=2"` (environment
//!   settings, comma-separated), the variants in turn, K rounds, and each variant's mean;
//! - `--build-only`, `--builds K` (K builds, each dropped before the next), `--after-builds K`
//!   (K dropped builds before the one scored), `--json` (parse and validate the JSON form);
//! - `--to-columns K`: K copies of the plan as columns (`Plan::to_columns`), each dropped;
//! - `--text-ids`, `--shuffled-key-results` (as the peer script's), `--both` (its policy);
//! - `OKR_PHASES=1` prints each step's time and page faults, `OKR_MAX_THREADS=1` one thread.
use std::io::Write;
use std::time::Instant;

/// `println!` that ends the program quietly when stdout is closed (`timing … | head`).
macro_rules! say {
    ($($arg:tt)*) => {
        if writeln!(std::io::stdout(), $($arg)*).is_err() {
            std::process::exit(0)
        }
    };
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    if std::env::args().any(|a| a == "--json") {
        // The document path: parse and validate JSON text, `times` times.
        let text = okr_benches::organisation_json(n, 7);
        let t = Instant::now();
        for _ in 0..5 {
            match okr_core::Plan::from_json(&text) {
                Ok(p) => std::hint::black_box(p.len()),
                Err(e) => return eprintln!("{e}"),
            };
        }
        say!("from_json x5: {:?} each ({} bytes)", t.elapsed() / 5, text.len());
        return;
    }
    let mut cols = if std::env::args().any(|a| a == "--text-ids") {
        okr_benches::organisation_text_ids(n, 7)
    } else {
        okr_benches::organisation_with(n, 7, std::env::args().any(|a| a == "--shuffled-key-results"))
    };
    // `--both`: the peer comparison's policy, which rolls scores up the whole tree.
    if std::env::args().any(|a| a == "--both") {
        cols.policy = Some(okr_benches::rolled_up());
    }
    let cpu = || {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        let f: Vec<u64> = stat
            .rsplit(')')
            .next()
            .unwrap_or("")
            .split_whitespace()
            .map(|x| x.parse().unwrap_or(0))
            .collect();
        (f.get(11).copied().unwrap_or(0), f.get(12).copied().unwrap_or(0))
    };
    if let Some(k) = std::env::args().position(|a| a == "--builds") {
        // Repeated builds in one process, each dropped before the next (as in criterion's loop).
        let times: usize = std::env::args().nth(k + 1).and_then(|s| s.parse().ok()).unwrap_or(5);
        for _ in 0..times {
            let (f0, t) = (minor_faults(), Instant::now());
            let built = okr_core::Plan::from_columns(&cols).map(|p| p.len());
            let elapsed = t.elapsed();
            say!("build {elapsed:?} ({built:?} nodes, {} page faults)", minor_faults() - f0);
        }
        return;
    }
    // `--after-builds K`: K builds first, each dropped before the next (as the peer script
    // times them), so the plan scored is placed where the allocator puts it after that.
    if let Some(k) = std::env::args().position(|a| a == "--after-builds") {
        let times: usize = std::env::args().nth(k + 1).and_then(|s| s.parse().ok()).unwrap_or(4);
        for _ in 0..times {
            drop(std::hint::black_box(okr_core::Plan::from_columns(&cols)));
        }
    }
    let (u0, s0) = cpu();
    let t = Instant::now();
    let plan = match okr_core::Plan::from_columns(&cols) {
        Ok(p) => p,
        Err(e) => return eprintln!("{e}"),
    };
    say!("build {:?}, nodes {}, heap {} MB", t.elapsed(), plan.len(), plan.heap_bytes() >> 20);
    let (u1, s1) = cpu();
    say!("  cpu user {} ms, sys {} ms", (u1 - u0) * 10, (s1 - s0) * 10);
    if std::env::args().any(|a| a == "--build-only") {
        let t = Instant::now();
        drop(plan);
        say!("drop {:?}", t.elapsed());
        return;
    }
    if let Some(k) = std::env::args().position(|a| a == "--to-columns") {
        let times: usize = std::env::args().nth(k + 1).and_then(|s| s.parse().ok()).unwrap_or(5);
        for _ in 0..times {
            let (f0, t) = (minor_faults(), Instant::now());
            let cols = plan.to_columns();
            let elapsed = t.elapsed();
            say!(
                "to_columns {elapsed:?} ({} rows, {} page faults)",
                cols.map_or(0, |c| c.key_results.id.len()),
                minor_faults() - f0
            );
        }
        return;
    }
    let day = "2026-02-15".parse().unwrap_or_default();
    if let Some(k) = std::env::args().position(|a| a == "--score-only") {
        let times: usize = std::env::args().nth(k + 1).and_then(|s| s.parse().ok()).unwrap_or(20);
        let variants: Vec<String> =
            std::env::var("VARIANTS").map(|v| v.split(',').map(String::from).collect()).unwrap_or_default();
        if variants.is_empty() {
            let (f0, t) = (minor_faults(), Instant::now());
            let mut each: Vec<std::time::Duration> = (0..times)
                .map(|_| {
                    let t = Instant::now();
                    std::hint::black_box(plan.score(day));
                    t.elapsed()
                })
                .collect();
            let mean = t.elapsed() / times.max(1) as u32;
            each.sort();
            let (median, min) =
                (each.get(times / 2).copied().unwrap_or_default(), each.first().copied().unwrap_or_default());
            say!(
                "score x{times}: {mean:?} each (median {median:?}, min {min:?}), {} page faults each",
                (minor_faults() - f0) / times.max(1) as u64
            );
        } else {
            // Each round starts one variant further on: the first score of a round ran slower
            // whatever its variant, so a fixed order favours the later ones. Settings switch
            // code paths only where the core reads them outside its loops; a run-time switch
            // inside a loop slows every variant's loop, so compare such code in separate builds
            // (or as loops of their own, chosen once per pass).
            let mut total = vec![std::time::Duration::ZERO; variants.len()];
            for round in 0..times {
                for v in (0..variants.len()).map(|k| (k + round) % variants.len()) {
                    let spec = &variants[v];
                    for kv in spec.split(' ') {
                        if let Some((k, val)) = kv.split_once('=') {
                            if val.is_empty() {
                                std::env::remove_var(k)
                            } else {
                                std::env::set_var(k, val)
                            }
                        }
                    }
                    let t = Instant::now();
                    std::hint::black_box(plan.score(day));
                    total[v] += t.elapsed();
                }
            }
            for (v, spec) in variants.iter().enumerate() {
                say!("{spec}: {:?}", total[v] / times as u32);
            }
        }
        return;
    }
    for _ in 0..5 {
        let t = Instant::now();
        let r = plan.score(day);
        say!("score {:?} ({} nodes)", t.elapsed(), r.len());
    }
    let report = plan.score(day);
    let faults = minor_faults;
    for _ in 0..3 {
        let (f0, t) = (faults(), Instant::now());
        let c = report.columns();
        let elapsed = t.elapsed();
        say!("columns {elapsed:?} ({} rows, {} page faults)", c.score.len(), faults() - f0);
    }
    let before = plan.score("2026-02-01".parse().unwrap_or_default());
    let after = plan.score(day);
    let t = Instant::now();
    let ev = okr_core::events(&before, &after);
    say!("events {:?} ({} events)", t.elapsed(), ev.len());
    for _ in 0..3 {
        let t = Instant::now();
        let lint = plan.lint(Some(day));
        say!("lint {:?} ({} findings)", t.elapsed(), lint.len());
    }
    for _ in 0..2 {
        let t = Instant::now();
        let ev = okr_core::events(&before, &after);
        say!("events {:?} ({} events)", t.elapsed(), ev.len());
    }
}

/// Minor page faults of this process so far (field 10 of `/proc/self/stat`; 0 where unreadable).
fn minor_faults() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    stat.rsplit(')')
        .next()
        .and_then(|f| f.split_whitespace().nth(7))
        .and_then(|x| x.parse().ok())
        .unwrap_or(0)
}
