//! Criterion benches of the core engine on seeded synthetic organisations, named for the
//! operations users run.
#![allow(missing_docs, reason = "criterion_group! generates undocumented items")]

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use okr_benches::organisation;
use okr_core::calibration::{self as cal, Level, Matrix, Method, Missing, Ratings};
use okr_core::{Plan, Policy};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

fn sizes() -> Vec<(usize, &'static str)> {
    vec![(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m")]
}

fn day(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap_or_default()
}

/// The organisations as plans, under `policy` (the plan's own when `None`).
fn plans(policy: Option<Policy>) -> Vec<(&'static str, Plan)> {
    sizes()
        .into_iter()
        .filter_map(|(n, name)| {
            let mut cols = organisation(n, 7);
            cols.policy.clone_from(&policy);
            Plan::from_columns(&cols).ok().map(|p| (name, p))
        })
        .collect()
}

fn build(c: &mut Criterion) {
    let mut g = c.benchmark_group("build_from_columns");
    g.sample_size(10);
    for (n, name) in sizes() {
        let cols = organisation(n, 7);
        // The plan built is dropped outside the timing: freeing the previous plan is not building.
        g.bench_function(name, |b| b.iter_with_large_drop(|| Plan::from_columns(&cols)));
    }
    g.finish();
}

/// The same organisations with text ids (`o-17`): hashing text instead of indexing integers.
fn build_text_ids(c: &mut Criterion) {
    let mut g = c.benchmark_group("build_from_columns_text_ids");
    g.sample_size(10);
    for (n, name) in [(100_000, "100k"), (1_000_000, "1m")] {
        let cols = okr_benches::organisation_text_ids(n, 7);
        g.bench_function(name, |b| b.iter_with_large_drop(|| Plan::from_columns(&cols)));
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

/// Score + status + signals under the default policy (`auto`): every synthetic objective has
/// key results, so each is their weighted mean and no score rolls up the alignment tree.
fn score(c: &mut Criterion) {
    score_group(c, "score_objectives", None);
}

/// Score + roll-up + status + signals under the peer comparison's policy (`progress: both`):
/// every objective averages its key results and its aligned children, up the whole tree.
fn score_rolled_up(c: &mut Criterion) {
    score_group(c, "score_objectives_rolled_up", Some(okr_benches::rolled_up()));
}

fn score_group(c: &mut Criterion, group: &str, policy: Option<Policy>) {
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    for (name, plan) in plans(policy) {
        g.bench_function(name, |b| {
            b.iter_batched(|| (), |_| plan.score(day("2026-02-15")), BatchSize::PerIteration)
        });
    }
    g.finish();
}

/// The check-in analysis on top of scoring: events between two reports, and lint.
fn analysis(c: &mut Criterion) {
    let mut g = c.benchmark_group("analysis_1m");
    g.sample_size(10);
    if let Ok(plan) = Plan::from_columns(&organisation(1_000_000, 7)) {
        let (before, after) = (plan.score(day("2026-02-01")), plan.score(day("2026-02-15")));
        g.bench_function("events", |b| b.iter(|| okr_core::events(&before, &after).len()));
        g.bench_function("lint", |b| b.iter(|| plan.lint(Some(day("2026-02-15"))).len()));
        // The plan as columns: what pickling a plan in Python writes.
        g.bench_function("to_columns", |b| b.iter_with_large_drop(|| plan.to_columns()));
    }
    g.finish();
}

fn statistics(c: &mut Criterion) {
    let mut rng = StdRng::seed_from_u64(11);
    let mut g = c.benchmark_group("statistics");
    g.sample_size(20);
    let icc: Vec<f64> = (0..10_000 * 5).map(|i| (i / 5) as f64 * 0.001 + rng.gen_range(0.0..1.0)).collect();
    if let Ok(m) = Matrix::new(10_000, 5, icc) {
        g.bench_function("icc_10k_x5", |b| {
            b.iter(|| cal::intraclass_corr(&m, Missing::Raise).map(|r| r.len()))
        });
    }
    let alpha: Vec<f64> = (0..50 * 20_000)
        .map(|_| if rng.gen_bool(0.1) { f64::NAN } else { f64::from(rng.gen_range(1u8..=5)) })
        .collect();
    if let Ok(m) = Matrix::new(50, 20_000, alpha) {
        g.bench_function("alpha_50x20k_interval", |b| {
            b.iter(|| cal::krippendorff_alpha(&m, Level::Interval, None))
        });
        g.bench_function("alpha_50x20k_ordinal", |b| {
            b.iter(|| cal::krippendorff_alpha(&m, Level::Ordinal, None))
        });
    }
    let n = 1_000_000;
    let ratee: Vec<i64> = (0..n).map(|_| rng.gen_range(0..200_000)).collect();
    let rater: Vec<i64> = (0..n).map(|_| rng.gen_range(0..10_000)).collect();
    let value: Vec<f64> = (0..n).map(|_| f64::from(rng.gen_range(1u8..=5))).collect();
    g.bench_function("zscore_1m_ratings_10k_raters", |b| {
        b.iter(|| {
            Ratings::new(&ratee.clone().into(), &rater.clone().into(), value.clone())
                .and_then(|r| cal::normalize(&r, Method::ZScore, None))
                .map(|v| v.len())
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    build,
    build_text_ids,
    parse_and_validate_json,
    score,
    score_rolled_up,
    analysis,
    statistics
);
criterion_main!(benches);
