//! Criterion benches of the core engine on seeded synthetic organisations.
#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use okr_benches::organisation;
use okr_core::Plan;

fn sizes() -> Vec<(usize, &'static str)> {
    vec![(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m")]
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build_from_columns");
    g.sample_size(10);
    for (n, name) in sizes() {
        let cols = organisation(n, 7);
        g.bench_function(name, |b| b.iter(|| Plan::from_columns(&cols).map(|p| p.len())));
    }
    g.finish();
}

fn parse_and_validate_json(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse_and_validate_json");
    g.sample_size(10);
    for (n, name) in [(10_000, "10k"), (100_000, "100k")] {
        let text = okr_benches::organisation_json(n, 7);
        g.bench_function(name, |b| b.iter(|| Plan::from_json(&text).map(|p| p.len())));
    }
    g.finish();
}

fn score(c: &mut Criterion) {
    let mut g = c.benchmark_group("score_objectives");
    g.sample_size(10);
    let day = "2026-02-15".parse().unwrap_or_default();
    for (n, name) in sizes() {
        let plan = match Plan::from_columns(&organisation(n, 7)) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("synthetic organisation rejected: {e}");
                return;
            }
        };
        g.bench_function(name, |b| b.iter_batched(|| (), |_| plan.score(day), BatchSize::PerIteration));
    }
    g.finish();
}

criterion_group!(benches, build, parse_and_validate_json, score);
criterion_main!(benches);
