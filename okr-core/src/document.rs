//! The plan document: okr's interchange format, read and written as JSON with serde.
//!
//! Every struct rejects unknown fields by name, so a typo such as `"tagret"` is an error rather
//! than a key result that silently scores 0. Optional fields may be omitted or `null`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::policy::{Policy, ProgressDriver};

fn one() -> f64 {
    1.0
}

/// A document's date: `YYYY-MM-DD` text, read as chrono reads it, with an error naming the text
/// (chrono's own says only "input is out of range" for `2026-02-30`). No copy of the text is
/// made.
fn day<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<NaiveDate, D::Error> {
    d.deserialize_str(DayVisitor)
}

struct DayVisitor;

impl serde::de::Visitor<'_> for DayVisitor {
    type Value = NaiveDate;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a date as YYYY-MM-DD")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<NaiveDate, E> {
        v.parse().map_err(|_| {
            E::custom(format_args!("invalid date `{v}`: expected YYYY-MM-DD, a day of the calendar"))
        })
    }
}

/// A document's id: text, or an integer read as its decimal text, as integer id columns are
/// (so `"id": 7` and a parent `{"id": 7}` name the node reports call `7`).
fn id<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<String, D::Error> {
    d.deserialize_any(IdVisitor)
}

/// What a document reads its own way: a date by [`day`], an id by [`id`].
trait Read<'de>: Sized {
    fn read<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error>;
}

impl<'de> Read<'de> for NaiveDate {
    fn read<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        day(d)
    }
}

impl<'de> Read<'de> for String {
    fn read<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        id(d)
    }
}

/// A value read by [`Read`], for serde's own reading of an `Option`.
struct Via<T>(T);

impl<'de, T: Read<'de>> Deserialize<'de> for Via<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        T::read(d).map(Via)
    }
}

/// An optional date or id (`null` or absent is `None`), read as [`Read`] reads it.
fn optional<'de, D: serde::Deserializer<'de>, T: Read<'de>>(
    d: D,
) -> std::result::Result<Option<T>, D::Error> {
    Ok(Option::<Via<T>>::deserialize(d)?.map(|Via(v)| v))
}

struct IdVisitor;

impl serde::de::Visitor<'_> for IdVisitor {
    type Value = String;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an id: a string or an integer")
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<String, E> {
        Ok(v)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<String, E> {
        Ok(v.to_string())
    }
}

fn is_one(w: &f64) -> bool {
    *w == 1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A whole plan: cycles, objectives with their key results and check-ins, and the policy.
///
/// ```
/// let doc: okr_core::Document = serde_json::from_str(r#"{
///   "cycles": [{"id": "Q1", "start": "2026-01-01", "end": "2026-03-31"}],
///   "objectives": [{"id": "o", "cycle": "Q1", "key_results": [
///     {"id": "k", "kind": "linear", "start": 0, "target": 10, "current": 5}]}]
/// }"#).unwrap();
/// assert_eq!(doc.objectives[0].key_results[0].target, Some(10.0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The time boxes objectives belong to.
    #[serde(default)]
    pub cycles: Vec<Cycle>,
    /// Objectives, each with its key results.
    #[serde(default)]
    pub objectives: Vec<ObjectiveSpec>,
    /// Plan-level scoring policy; defaults apply when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<Policy>,
    /// The scale check-in confidences are given on, `[low, high]`: `[1, 10]` or `[0, 10]` as
    /// many tools ask, `[0, 100]` for percentages. Each confidence is mapped linearly onto
    /// [0, 1], where the plan keeps it and reports give it (`low` is 0, `high` is 1); one off
    /// the scale is an error. Absent: confidences are given on [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence_scale: Option<[f64; 2]>,
}

/// A time box, such as a quarter. Both dates are inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cycle {
    /// Unique cycle id, e.g. `2026-Q1` (an integer in a document reads as its decimal text).
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// First day.
    #[serde(deserialize_with = "day")]
    pub start: NaiveDate,
    /// Last day; not before `start`.
    #[serde(deserialize_with = "day")]
    pub end: NaiveDate,
}

/// An alignment edge from a child (the node that lists it) to a parent objective or key result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alignment {
    /// The parent's id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// The child's weight among the parent's contributors; finite and > 0, default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
}

/// An objective.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObjectiveSpec {
    /// Unique id (across objectives and key results). In a document an id may be text or an
    /// integer, which reads as its decimal text: `7` and `"7"` are the same id.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// Display title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Owner (a person or team id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The cycle id; without one the objective has no expected progress (`unscheduled`).
    #[serde(default, deserialize_with = "optional", skip_serializing_if = "Option::is_none")]
    pub cycle: Option<String>,
    /// `company`, `team`, `individual`, or free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Which contributors drive the score; the policy's `progress` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<ProgressDriver>,
    /// Alignment edges to parent objectives or key results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<Alignment>,
    /// The objective's own key results.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_results: Vec<KeyResultSpec>,
}

/// How a key result turns its current value into a score. See the table in the crate docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyResultKind {
    /// `(current − start) / (target − start)`, either direction.
    Linear,
    /// 1 when current ≥ threshold (> when `strict`), else 0.
    AtLeast,
    /// 1 when current ≤ threshold (< when `strict`), else 0.
    AtMost,
    /// 1 when low ≤ current ≤ high, else 0.
    Range,
    /// Done (1) or not (0).
    Binary,
    /// Weighted share of milestones done on or before `as_of`.
    Milestones,
    /// Linear interpolation through `points`, flat outside them.
    Piecewise,
    /// The latest check-in value is the score itself.
    Manual,
    /// Weighted mean of the scores of the nodes aligned to this key result.
    Rollup,
    /// `op` over the current values of the key results aligned to it, then scored as linear.
    Aggregate,
}

impl KeyResultKind {
    /// The snake_case name used in documents and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyResultKind::Linear => "linear",
            KeyResultKind::AtLeast => "at_least",
            KeyResultKind::AtMost => "at_most",
            KeyResultKind::Range => "range",
            KeyResultKind::Binary => "binary",
            KeyResultKind::Milestones => "milestones",
            KeyResultKind::Piecewise => "piecewise",
            KeyResultKind::Manual => "manual",
            KeyResultKind::Rollup => "rollup",
            KeyResultKind::Aggregate => "aggregate",
        }
    }

    /// The index of this kind in [`KeyResultKind::ALL`]: the code of a categorical column.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// Every kind, in declaration order (the codes bindings use for categorical columns).
    pub const ALL: [KeyResultKind; 10] = [
        KeyResultKind::Linear,
        KeyResultKind::AtLeast,
        KeyResultKind::AtMost,
        KeyResultKind::Range,
        KeyResultKind::Binary,
        KeyResultKind::Milestones,
        KeyResultKind::Piecewise,
        KeyResultKind::Manual,
        KeyResultKind::Rollup,
        KeyResultKind::Aggregate,
    ];

    /// Parses the snake_case name (as used by columnar input).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

/// The operation of an `aggregate` key result over the values of its aligned key results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AggregateOp {
    /// Sum of the values.
    Sum,
    /// Unweighted mean of the values.
    Mean,
    /// Smallest value.
    Min,
    /// Largest value.
    Max,
}

impl AggregateOp {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AggregateOp::Sum => "sum",
            AggregateOp::Mean => "mean",
            AggregateOp::Min => "min",
            AggregateOp::Max => "max",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(name: &str) -> Option<Self> {
        AggregateOp::ALL.into_iter().find(|op| op.as_str() == name)
    }

    /// Every op, in declaration order.
    pub(crate) const ALL: [AggregateOp; 4] =
        [AggregateOp::Sum, AggregateOp::Mean, AggregateOp::Min, AggregateOp::Max];

    /// This op's position in [`AggregateOp::ALL`].
    pub(crate) fn position(self) -> u8 {
        self as u8
    }
}

/// A setting a text column names row by row in columnar input: a key result's `kind`, an
/// objective's `progress` driver, an aggregate key result's `op` (see [`ColumnName::decode`]).
pub trait ColumnName: Copy + 'static {
    /// What a value is, with its article, for error messages (`a key-result kind`).
    const WHAT: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The snake_case name, as documents and reports write it.
    fn name(self) -> &'static str;

    /// A column of names held as a code per row (negative = null) into its distinct names,
    /// as data frames hold categorical text: each row's value, `None` where null, each distinct
    /// name parsed once. `column` names the column in errors, which give the first row holding
    /// a name that is not a value, and the names that are.
    ///
    /// ```
    /// use okr_core::{ColumnName, KeyResultKind};
    /// let names = ["linear".to_string(), "at_least".to_string(), "binray".to_string()];
    /// assert_eq!(
    ///     KeyResultKind::decode("kind", &[0, -1, 1, 0], &names).unwrap(),
    ///     [Some(KeyResultKind::Linear), None, Some(KeyResultKind::AtLeast), Some(KeyResultKind::Linear)]
    /// );
    /// let err = KeyResultKind::decode("key_results.kind", &[0, 2], &names).unwrap_err();
    /// assert_eq!(err.code(), "invalid_input");
    /// assert!(err.to_string().contains("`key_results.kind`: row 1 holds `binray`, not a key-result kind"));
    /// assert!(err.to_string().contains("(`linear`, `at_least`, `at_most`,"));
    /// // A code past the names is an error too, naming the column.
    /// let err = KeyResultKind::decode("kind", &[3], &names).unwrap_err();
    /// assert!(err.to_string().contains("`kind`: code 3 has no category (3 given)"), "{err}");
    /// // Every negative code is a null; no rows, no values; a name no row holds is no error.
    /// assert_eq!(KeyResultKind::decode("kind", &[-5, 1], &names).unwrap(), [None, Some(KeyResultKind::AtLeast)]);
    /// let unused = ["linear".to_string(), "binray".to_string(), "binary".to_string()];
    /// assert_eq!(KeyResultKind::decode("kind", &[2, 0], &unused).unwrap(), [Some(KeyResultKind::Binary), Some(KeyResultKind::Linear)]);
    /// assert!(KeyResultKind::decode("kind", &[], &names).unwrap().is_empty());
    /// ```
    fn decode(column: &str, codes: &[i32], names: &[String]) -> Result<Vec<Option<Self>>> {
        decode_rows(column, codes, names, Some(None), Some)
    }

    /// [`ColumnName::decode`] for a column every row of which needs a value (a key result's
    /// `kind`): a null is an error naming its row, as a wrong name is; the first row with
    /// either is the one named.
    ///
    /// ```
    /// use okr_core::{ColumnName, KeyResultKind};
    /// let names = ["binary".to_string(), "bogus".to_string()];
    /// assert_eq!(KeyResultKind::decode_required("kind", &[0, 0], &names).unwrap(), [KeyResultKind::Binary; 2]);
    /// let err = KeyResultKind::decode_required("key_results.kind", &[0, -1, 1], &names).unwrap_err();
    /// assert!(err.to_string().ends_with("`key_results.kind`: row 1 is null, not a key-result kind"), "{err}");
    /// let err = KeyResultKind::decode_required("key_results.kind", &[0, 1, -1], &names).unwrap_err();
    /// assert!(err.to_string().contains("row 1 holds `bogus`"), "{err}");
    /// ```
    fn decode_required(column: &str, codes: &[i32], names: &[String]) -> Result<Vec<Self>> {
        decode_rows(column, codes, names, None, |value| value)
    }
}

/// The rows of a coded column of names (see [`ColumnName::decode`]): `null` is a null row's
/// value (`None` where a null is an error), `value` makes a named row's. The first row that is
/// an error is the one named.
///
/// Each distinct name is parsed once, into a table by code. The rows' range of codes is found
/// in one pass; only when a code in it has no value are the rows searched for the first error.
/// The rows then take their values in a pass with no error to return, which writes a column of
/// known length without a test per row. A key result's `kind` has 3M rows at 1M objectives:
/// 12–16 ms through a `Result` per row, 3–6 ms so (alternating runs, fresh memory included).
fn decode_rows<T: ColumnName, U: Copy>(
    column: &str,
    codes: &[i32],
    names: &[String],
    null: Option<U>,
    value: impl Fn(T) -> U,
) -> Result<Vec<U>> {
    // Code `c` is at `c + 1`, every null (a negative code) at 0; `None` is an error.
    let table: Vec<Option<U>> = std::iter::once(null)
        .chain(names.iter().map(|name| T::ALL.iter().copied().find(|v| v.name() == name).map(&value)))
        .collect();
    let slot = |code: i32| usize::try_from(code).map_or(0, |c| c + 1);
    let at = |code: i32| table.get(slot(code)).copied().flatten();
    // The codes' range first (a pass the compiler vectorises): when every code in it has a
    // value, no row can be an error, and none is looked for.
    let (low, high) = codes.iter().fold((i32::MAX, i32::MIN), |(l, h), &c| (l.min(c), h.max(c)));
    let all_valid =
        codes.is_empty() || (slot(low)..=slot(high)).all(|k| table.get(k).is_some_and(Option::is_some));
    if !all_valid {
        if let Some(row) = codes.iter().position(|&code| at(code).is_none()) {
            let allowed: Vec<&str> = T::ALL.iter().map(|v| v.name()).collect();
            return Err(decode_error(column, row, codes[row], names, T::WHAT, &allowed));
        }
    }
    // Every row has a value: the first row's stands in for the `None` no row has.
    Ok(match codes.first().and_then(|&code| at(code)) {
        Some(first) => codes.iter().map(|&code| at(code).unwrap_or(first)).collect(),
        None => Vec::new(),
    })
}

/// The error of row `row` of a coded column of names, whose code `code` is a null where a
/// value is needed, or names no category, or a name that is not one of `allowed` (each `what`).
/// Apart from [`decode_rows`], so that its three instances share it.
fn decode_error(
    column: &str,
    row: usize,
    code: i32,
    names: &[String],
    what: &str,
    allowed: &[&str],
) -> Error {
    let what = match usize::try_from(code).map(|c| (c, names.get(c))) {
        Err(_) => format!("`{column}`: row {row} is null, not {what}"),
        Ok((_, Some(name))) => {
            let all: Vec<String> = allowed.iter().map(|name| format!("`{name}`")).collect();
            format!("`{column}`: row {row} holds `{name}`, not {what} ({})", all.join(", "))
        }
        Ok((c, None)) => format!("`{column}`: code {c} has no category ({} given)", names.len()),
    };
    Error::InvalidInput { what }
}

impl ColumnName for KeyResultKind {
    const WHAT: &'static str = "a key-result kind";
    const ALL: &'static [Self] = &KeyResultKind::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl ColumnName for ProgressDriver {
    const WHAT: &'static str = "a progress driver";
    const ALL: &'static [Self] = &ProgressDriver::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

impl ColumnName for AggregateOp {
    const WHAT: &'static str = "an aggregate op";
    const ALL: &'static [Self] = &AggregateOp::ALL;
    fn name(self) -> &'static str {
        self.as_str()
    }
}

/// A key result. Which numeric fields are read depends on `kind`; fields that do not apply to
/// the kind are ignored (as in columnar input, where every row has every column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyResultSpec {
    /// Unique id (across objectives and key results), text or an integer as for objectives.
    #[serde(deserialize_with = "id")]
    pub id: String,
    /// The scoring rule.
    pub kind: KeyResultKind,
    /// Display title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Owner, when not the objective's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Weight among the objective's key results; finite and > 0, default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
    /// Baseline (`linear`, `aggregate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// Goal (`linear`, `aggregate`); below `start` means lower is better.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Threshold (`at_least`, `at_most`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// Strict comparison (`at_least`, `at_most`); default false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub strict: bool,
    /// Lower bound (`range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    /// Upper bound (`range`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
    /// Current value when there is no check-in on or before `as_of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<f64>,
    /// Milestones (`milestones`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub milestones: Vec<Milestone>,
    /// `[value, score]` points sorted by value (`piecewise`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<[f64; 2]>,
    /// Aggregation (`aggregate`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub op: Option<AggregateOp>,
    /// Alignment edges to parent key results or objectives.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<Alignment>,
    /// Check-in history, in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub check_ins: Vec<CheckIn>,
}

/// One milestone of a `milestones` key result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    /// What is delivered.
    pub name: String,
    /// Weight among the milestones; finite and > 0, default 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub weight: f64,
    /// The day it was done; counts from that day on.
    #[serde(default, deserialize_with = "optional", skip_serializing_if = "Option::is_none")]
    pub done_on: Option<NaiveDate>,
}

/// A check-in on a key result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// The day of the check-in.
    #[serde(deserialize_with = "day")]
    pub date: NaiveDate,
    /// The value measured; a check-in without one only records confidence or a note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// The owner's confidence of reaching the target, in [0, 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// For `binary` key results: done (value 1) or not (value 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done: Option<bool>,
    /// Free-text note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
