//! # okr-core
//!
//! An embeddable engine for OKRs (objectives and key results): every key-result kind that goal
//! tools use, weighted roll-up over a multi-parent alignment graph, expected progress, status and
//! grade on any date, and scores that explain themselves. Every policy that other tools hard-code
//! (clamping, over-achievement, progress drivers, key results without data, thresholds) is a
//! named [`Policy`] setting.
//!
//! ```
//! use okr_core::{Plan, Status};
//!
//! let plan = Plan::from_json(r#"{
//!   "cycles": [{"id": "2026-Q1", "start": "2026-01-01", "end": "2026-03-31"}],
//!   "objectives": [
//!     {"id": "co-growth", "level": "company", "cycle": "2026-Q1", "key_results": [
//!       {"id": "kr-arr", "kind": "linear", "start": 10, "target": 14, "weight": 2,
//!        "check_ins": [{"date": "2026-01-20", "value": 11.2, "confidence": 0.7}]},
//!       {"id": "kr-churn", "kind": "linear", "start": 5, "target": 3, "current": 4.2}]}]
//! }"#)?;
//! let report = plan.score("2026-02-15".parse().unwrap());
//! let growth = report.get("co-growth").unwrap();
//! // (2 × 0.3 + 1 × 0.4) / 3: ARR is 30 % of the way, churn (lower is better) 40 %.
//! assert!((growth.score - 1.0 / 3.0).abs() < 1e-12);
//! assert_eq!(growth.status, Status::AtRisk); // half the quarter gone, a third done
//! println!("{}", report.explain("co-growth")?.formula);
//! # Ok::<(), okr_core::Error>(())
//! ```
//!
//! ## The central types
//!
//! - [`Plan`]: a validated plan, built from a JSON [`Document`] or from [`Columns`].
//! - [`Report`]: the result of [`Plan::score`] on a date, one [`NodeScore`] per node; it
//!   serialises to the report shape shared with the Python and JavaScript bindings.
//! - [`Policy`]: the scoring rules (clamp, cap, floor, drivers, thresholds).
//! - [`Error`]: one error type with a stable [`Error::code`].
//!
//! ## Key-result kinds
//!
//! | kind | fields | score |
//! |---|---|---|
//! | `linear` | start, target | (current − start) / (target − start), either direction |
//! | `at_least` / `at_most` | threshold, strict | 1 if current ≥ (>) / ≤ (<) threshold, else 0 |
//! | `range` | low, high | 1 if low ≤ current ≤ high, else 0 |
//! | `binary` | — | check-in value 1/0 or `done` |
//! | `milestones` | milestones | weighted share done on or before `as_of` |
//! | `piecewise` | points | linear interpolation, flat outside |
//! | `manual` | — | the latest check-in value |
//! | `rollup` | — | weighted mean of the scores of the nodes aligned to it |
//! | `aggregate` | start, target, op | op over aligned key results' values, then linear |
//!
//! Scores are then clamped to `[floor, cap]` (default `[0, 1]`) unless `clamp` is off.
//! A key result's value is its latest check-in (with a value) on or before `as_of`, else its
//! `current`; without either it scores 0 with `has_data: false`.
//!
//! ## Beyond scores
//!
//! - Check-ins that steer: every report line carries `signals` (`stale`, `low_confidence`,
//!   `confidence_drop`, `behind_pace`, `forecast_miss`) and, with three or more check-ins, a
//!   [`Forecast`] with an 80 % interval; [`events()`] compares two reports; [`Plan::lint`] gives
//!   OKR quality findings; [`Report::systemic`] and [`Plan::confidence_calibration`] look across
//!   teams; [`Plan::review_packet`] gathers one person's evidence.
//! - Calibration statistics in [`calibration`]: ICC, Krippendorff's alpha, Cohen's and Fleiss'
//!   kappa, Kendall's W, rater effects, normalisation, distribution against target, 9-box and
//!   360° aggregation with anonymity.
//! - Pictures as SVG: [`Report::alignment_svg`], [`Report::burnup_svg`], [`distribution_chart`],
//!   [`nine_box_chart`]; DOT and Mermaid exports.
//!
//! ## Threads
//!
//! Building a plan, scoring it, turning a report into columns, events and lint split their work
//! between the calling thread and one more when the plan has 65,536 nodes or more. The results
//! are the same as with one thread, bit for bit. Where no thread can be started (WebAssembly),
//! or with the environment variable `OKR_MAX_THREADS=1` (for hosts that run their own pool,
//! such as Spark executors or a web server), everything runs on the calling thread.
//!
//! ## Cookbook
//!
//! - Reward over-achievement: `plan.score_with(day, &Policy { cap: 1.5, ..Policy::default() })`.
//! - Show progress below baseline: `Policy { floor: -1.0, .. }`.
//! - Leave key results nobody has measured yet out of their objective's score:
//!   `Policy { no_data: NoData::Exclude, .. }`.
//! - Keep a closed quarter's scores as they were on its last day, whatever is checked in later:
//!   `Policy { late_check_ins: LateCheckIns::Ignore, .. }`.
//! - Why this score? [`Report::explain`]. Whose goal is this part of? [`Plan::line_of_sight`].
//! - Cache a plan, or send it to another process, and get it back exactly (node order and
//!   every score to the last bit): [`Plan::to_snapshot`] and [`Plan::from_snapshot`] (serde),
//!   or for a plan built from columns, much faster, [`Plan::to_columns`] and
//!   [`Plan::from_columns`].

mod parallel;
mod phase;
pub(crate) use phase::phase;
mod alignment;
mod build;
pub mod calibration;
mod charts;
mod columns;
mod document;
mod error;
mod events;
mod explain;
mod export;
mod forecast;
mod formula;
mod ids;
mod insights;
mod key_result;
mod lint;
mod mean;
mod pace;
mod plan;
mod policy;
mod render;
mod review;
mod scoring;
mod snapshot;
mod stream;
mod text_index;

pub use charts::{distribution_chart, distribution_svg, nine_box_chart, nine_box_svg};
pub use columns::{
    AlignmentColumns, CheckInColumns, Columns, FloatColumn, IdColumn, KeyResultColumns, ObjectiveColumns,
    TextColumn, Texts, Utf8Ids,
};
pub use document::{
    AggregateOp, Alignment, CheckIn, ColumnName, Cycle, Document, KeyResultKind, KeyResultSpec, Milestone,
    ObjectiveSpec,
};
pub use error::{Error, Result};
pub use events::{events, Event, EventKind, EventValue};
pub use explain::{AncestorShare, Contribution, Explanation, LineOfSight, Relation};
pub use forecast::Forecast;
pub use insights::{ConfidenceRow, SystemicRow};
pub use lint::{Finding, Severity};
pub use pace::{expected_progress, parse_date, Grade, Status};
pub use plan::{NodeInfo, NodeType, Plan};
pub use policy::{LateCheckIns, NoData, Policy, ProgressDriver};
pub use review::{CalibrationContext, ReviewKeyResult, ReviewObjective, ReviewPacket};
pub use scoring::{IdValues, NodeForecast, NodeScore, OptionalIdValues, Report, ReportColumn, ReportColumns};
pub use snapshot::{Snapshot, SnapshotNode};

/// The README's Rust examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
