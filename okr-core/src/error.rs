//! The one error type of okr.
//!
//! Every variant names what is wrong (the offending id, field or value) and has a stable
//! [`Error::code`] that the Python and JavaScript bindings expose unchanged. Messages follow one
//! style: lowercase, user values in backticks, no Rust type names.

use thiserror::Error as ThisError;

/// Why a call could not proceed.
///
/// Problems that leave the call able to proceed (a plan that is valid but unwise) are returned as
/// data by the lint instead. Match on [`Error::code`] rather than on the message, which may be
/// reworded.
#[derive(Debug, Clone, PartialEq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// The document is not valid JSON, or does not have the plan's shape (this includes unknown
    /// fields, which are rejected so that a typo never silently scores 0).
    #[error("malformed plan document: {message}")]
    Malformed {
        /// What the parser reported, with line and column where known.
        message: String,
    },
    /// Two objectives or key results share an id.
    #[error("duplicate id `{id}`: ids must be unique across objectives and key results")]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// An id is empty.
    #[error(
        "empty id in {table}{}: every objective, key result and cycle needs an id",
        row.map(|r| format!(" at row {r}")).unwrap_or_default()
    )]
    EmptyId {
        /// Where the empty id was found (`objectives`, `key_results`, `cycles`).
        table: &'static str,
        /// Its row (from 0) in a table of columns or in a document's list of cycles, when known.
        row: Option<usize>,
    },
    /// An alignment edge names a parent that does not exist.
    #[error("`{id}` is aligned to unknown parent `{parent}`")]
    UnknownParent {
        /// The child.
        id: String,
        /// The missing parent.
        parent: String,
    },
    /// A key result (columnar input) names an objective that does not exist.
    #[error("key result `{id}` belongs to unknown objective `{objective}`")]
    UnknownObjective {
        /// The key result.
        id: String,
        /// The missing objective.
        objective: String,
    },
    /// A check-in (columnar input) names a key result that does not exist.
    #[error("check-in for unknown key result `{key_result}`")]
    UnknownKeyResult {
        /// The missing key result.
        key_result: String,
    },
    /// An objective names a cycle that the plan does not define.
    #[error("objective `{id}` names unknown cycle `{cycle}`")]
    UnknownCycle {
        /// The objective.
        id: String,
        /// The missing cycle.
        cycle: String,
    },
    /// A query names an id the plan does not contain.
    #[error("unknown id `{id}`")]
    UnknownId {
        /// The id asked for.
        id: String,
    },
    /// The alignment graph has a cycle. `ids` lists it in order, child to parent, with the first
    /// id repeated at the end.
    #[error("alignment cycle: {}", format_cycle(.ids))]
    Cycle {
        /// The ids on the cycle, child to parent, first repeated last.
        ids: Vec<String>,
    },
    /// A node is aligned to itself.
    #[error("`{id}` is aligned to itself")]
    SelfAlignment {
        /// The node.
        id: String,
    },
    /// An alignment edge is given more than once: its child would count twice in the parent's
    /// score.
    #[error("`{child}` is aligned to `{parent}` more than once")]
    DuplicateAlignment {
        /// The child node.
        child: String,
        /// The parent node.
        parent: String,
    },
    /// A weight is non-finite, zero or negative.
    #[error("{context} has invalid weight `{value}`: weights must be finite and greater than 0")]
    InvalidWeight {
        /// What carries the weight, e.g. ``key result `kr-1` `` or ``edge `a` → `b` ``.
        context: String,
        /// The weight as given.
        value: f64,
    },
    /// A number that must be finite is NaN or infinite.
    #[error("`{id}` has non-finite {field} `{value}`")]
    NonFinite {
        /// The node (or cycle, or check-in's key result).
        id: String,
        /// The field.
        field: &'static str,
        /// The value as given.
        value: f64,
    },
    /// A linear or aggregate key result whose start equals its target: no progress can be
    /// measured.
    #[error("key result `{id}` has start equal to target (`{value}`): progress is undefined")]
    DegenerateTarget {
        /// The key result.
        id: String,
        /// The shared start and target.
        value: f64,
    },
    /// A date range ends before it starts.
    #[error("`{id}` ends on {end} before it starts on {start}")]
    InvalidDates {
        /// The cycle (or other dated item).
        id: String,
        /// Its start.
        start: chrono::NaiveDate,
        /// Its end.
        end: chrono::NaiveDate,
    },
    /// A date could not be read.
    #[error("invalid date `{value}`: expected YYYY-MM-DD (or an ISO 8601 date and time)")]
    InvalidDate {
        /// The text given.
        value: String,
    },
    /// A field that the key result's kind needs is missing.
    #[error("key result `{id}` of kind `{kind}` needs field `{field}`")]
    MissingField {
        /// The key result.
        id: String,
        /// Its kind.
        kind: &'static str,
        /// The missing field.
        field: &'static str,
    },
    /// A value is outside what its field allows.
    #[error("`{id}` has invalid {field}: {reason}")]
    InvalidValue {
        /// The node or item.
        id: String,
        /// The field.
        field: &'static str,
        /// Why, with the value in backticks.
        reason: String,
    },
    /// A policy setting is out of range.
    #[error("invalid policy `{field}`: {reason}")]
    InvalidPolicy {
        /// The setting.
        field: &'static str,
        /// Why, with the value in backticks.
        reason: String,
    },
    /// A statistic got no data at all.
    #[error("no {what}: the statistic needs data")]
    Empty {
        /// What was empty (`ratings`, `units`, …).
        what: &'static str,
    },
    /// A statistic got too few of something to be defined.
    #[error("too few {what}: {found} given, at least {needed} needed")]
    TooFew {
        /// What there are too few of (`targets`, `raters`, `categories`, …).
        what: &'static str,
        /// The minimum.
        needed: usize,
        /// What was given.
        found: usize,
    },
    /// A value the statistic does not allow to be missing is missing.
    #[error("missing value: {what}")]
    MissingValue {
        /// Which cell, e.g. ``target `t3` by rater `r2` ``.
        what: String,
    },
    /// A table has a column okr does not know (a typo must not silently drop data).
    #[error("unknown column `{column}` in {table}")]
    UnknownColumn {
        /// The table.
        table: &'static str,
        /// The column.
        column: String,
    },
    /// An input has the wrong type or shape (reported by the bindings' conversions).
    #[error("invalid input: {what}")]
    InvalidInput {
        /// What is wrong, naming the argument.
        what: String,
    },
    /// Columns of one table have different lengths.
    #[error("column `{column}` of {table} has {found} rows, expected {expected}")]
    LengthMismatch {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// Rows of the table's id column.
        expected: usize,
        /// Rows of this column.
        found: usize,
    },
}

impl Error {
    /// A stable, machine-readable code for the error, identical in Rust, Python and JavaScript.
    ///
    /// ```
    /// let err = okr_core::Plan::from_json("{").unwrap_err();
    /// assert_eq!(err.code(), "malformed");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed { .. } => "malformed",
            Error::DuplicateId { .. } => "duplicate_id",
            Error::EmptyId { .. } => "empty_id",
            Error::UnknownParent { .. } => "unknown_parent",
            Error::UnknownObjective { .. } => "unknown_objective",
            Error::UnknownKeyResult { .. } => "unknown_key_result",
            Error::UnknownCycle { .. } => "unknown_cycle",
            Error::UnknownId { .. } => "unknown_id",
            Error::Cycle { .. } => "cycle",
            Error::SelfAlignment { .. } => "self_alignment",
            Error::DuplicateAlignment { .. } => "duplicate_alignment",
            Error::InvalidWeight { .. } => "invalid_weight",
            Error::NonFinite { .. } => "non_finite",
            Error::DegenerateTarget { .. } => "degenerate_target",
            Error::InvalidDates { .. } => "invalid_dates",
            Error::InvalidDate { .. } => "invalid_date",
            Error::MissingField { .. } => "missing_field",
            Error::InvalidValue { .. } => "invalid_value",
            Error::InvalidPolicy { .. } => "invalid_policy",
            Error::LengthMismatch { .. } => "length_mismatch",
            Error::Empty { .. } => "empty",
            Error::UnknownColumn { .. } => "unknown_column",
            Error::InvalidInput { .. } => "invalid_input",
            Error::TooFew { .. } => "too_few",
            Error::MissingValue { .. } => "missing_value",
        }
    }
}

fn format_cycle(ids: &[String]) -> String {
    ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(" → ")
}

/// The result type of okr.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycle_message_names_ids_in_order() {
        let err = Error::Cycle { ids: vec!["a".into(), "b".into(), "a".into()] };
        assert_eq!(err.to_string(), "alignment cycle: `a` → `b` → `a`");
        assert_eq!(err.code(), "cycle");
    }
}
