//! The columnar constructor: a plan from tables of objectives, key results, alignments and
//! check-ins, so large organisations (and the Python and JavaScript bindings) never go through
//! JSON.
//!
//! Conventions follow pandas: a NaN in a float column means null (`current`, `value`,
//! `confidence` absent; `weight` absent, hence 1; `start` absent, hence an error if the kind needs
//! it). Infinities are errors in the columns a row reads. A column that does not apply to a
//! row's kind is not read for that row: whatever it holds there (a number, NaN, an infinity) is
//! ignored, so one table can hold key results of every kind.

use std::borrow::Cow;

use chrono::NaiveDate;

use crate::alignment::Layout;
use crate::build::{compile_key_result, Builder, NodeRow, RowArrays, Rows};
use crate::document::{AggregateOp, Cycle, KeyResultKind};
use crate::error::{Error, Result};
use crate::ids::{Ids, Key};
use crate::key_result::{Rule, RuleFields};
use crate::parallel::Handoff;
use crate::plan::{Plan, NONE};
use crate::policy::{Policy, ProgressDriver};

/// A column of ids, as strings or as integers (integers become their decimal text).
///
/// Integer ids and [`Utf8Ids`] may be borrowed (`Cow::Borrowed`), so a binding can hand over
/// an array it does not own, such as a numpy column or an Arrow string array, without copying
/// it or making a `String` per row.
#[derive(Debug, Clone, PartialEq)]
pub enum IdColumn<'a> {
    /// Text ids, one `String` each.
    Strings(Vec<String>),
    /// Text ids in Arrow's layout: one text and the offsets between rows.
    Utf8(Utf8Ids<'a>),
    /// Integer ids.
    Integers(Cow<'a, [i64]>),
}

/// Text ids in Apache Arrow's layout: row `i` is `text[offsets[i] .. offsets[i + 1]]`.
///
/// Made by [`Utf8Ids::new`], which checks the offsets once, so reading a row cannot fail.
///
/// ```
/// use okr_core::Utf8Ids;
/// let ids = Utf8Ids::new(vec![0, 3, 3, 8], "o-1o-two").unwrap();
/// assert_eq!((ids.len(), ids.get(0), ids.get(1), ids.get(2)), (3, "o-1", "", "o-two"));
/// // Each error names the row: one ending before it starts, one past the text, one splitting
/// // a character, and offsets with no rows at all.
/// let err = Utf8Ids::new(vec![0, 4, 2], "abcd").unwrap_err();
/// assert!(err.to_string().contains("row 1 has offsets 4..2"), "{err}");
/// assert!(Utf8Ids::new(vec![0, 5], "abcd").unwrap_err().to_string().contains("row 0"));
/// assert!(Utf8Ids::new(vec![0, 1, 2], "é").unwrap_err().to_string().contains("row 0 has offsets 0..1"));
/// assert!(Utf8Ids::new(vec![-1, 0], "").is_err() && Utf8Ids::new(vec![], "").is_err());
/// assert_eq!(Utf8Ids::new(vec![0], "").unwrap().len(), 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Utf8Ids<'a> {
    offsets: Cow<'a, [i64]>,
    text: Cow<'a, str>,
}

impl<'a> Utf8Ids<'a> {
    /// Rows from `offsets` (one more than the rows, non-decreasing, each within `text` and on a
    /// character boundary) into `text`; an error names the first row at fault.
    pub fn new(offsets: impl Into<Cow<'a, [i64]>>, text: impl Into<Cow<'a, str>>) -> Result<Utf8Ids<'a>> {
        let (offsets, text) = (offsets.into(), text.into());
        let bad = |what: String| Err(Error::InvalidInput { what });
        let Some(&first) = offsets.first() else {
            return bad("utf8 ids need one offset more than their rows, and have none".into());
        };
        let fits = |o: i64| usize::try_from(o).ok().filter(|&o| text.is_char_boundary(o)).is_some();
        if !fits(first) {
            return bad(format!("utf8 ids: row 0 starts at {first}, outside its text or within a character"));
        }
        for (row, w) in offsets.windows(2).enumerate() {
            if w[1] < w[0] || !fits(w[1]) {
                return bad(format!(
                    "utf8 ids: row {row} has offsets {}..{}, not a range of whole characters of its text ({} bytes)",
                    w[0],
                    w[1],
                    text.len()
                ));
            }
        }
        Ok(Utf8Ids { offsets, text })
    }

    /// Rows whose offsets the crate itself laid out (no check).
    pub(crate) fn laid_out(offsets: Vec<i64>, text: Cow<'a, str>) -> Utf8Ids<'a> {
        Utf8Ids { offsets: Cow::Owned(offsets), text }
    }

    /// The offsets and the text, as held (a binding hands owned ones over without a copy).
    pub fn into_parts(self) -> (Cow<'a, [i64]>, Cow<'a, str>) {
        (self.offsets, self.text)
    }

    /// The offsets, one more than the rows.
    pub fn offsets(&self) -> &[i64] {
        &self.offsets
    }

    /// The text the offsets point into.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same rows, owning their offsets and text.
    pub fn into_owned(self) -> Utf8Ids<'static> {
        Utf8Ids { offsets: Cow::Owned(self.offsets.into_owned()), text: Cow::Owned(self.text.into_owned()) }
    }

    /// Row `i` (`i < len()`).
    pub fn get(&self, i: usize) -> &str {
        // Checked by `new`: the range is within the text, on character boundaries.
        let range = self.offsets[i] as usize..self.offsets[i + 1] as usize;
        self.text.get(range).unwrap_or_default()
    }
}

/// Rows of text ids, however a column holds them.
pub(crate) trait TextRows: Sync {
    /// Number of rows.
    fn rows(&self) -> usize;
    /// Row `i`.
    fn row(&self, i: usize) -> &str;
}

impl TextRows for [String] {
    fn rows(&self) -> usize {
        self.len()
    }
    fn row(&self, i: usize) -> &str {
        &self[i]
    }
}

impl TextRows for Utf8Ids<'_> {
    fn rows(&self) -> usize {
        self.len()
    }
    fn row(&self, i: usize) -> &str {
        self.get(i)
    }
}

/// An optional column of numbers, owned or borrowed (NaN = null).
pub type FloatColumn<'a> = Option<Cow<'a, [f64]>>;

impl Default for IdColumn<'_> {
    fn default() -> Self {
        IdColumn::Strings(Vec::new())
    }
}

impl IdColumn<'_> {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            IdColumn::Strings(v) => v.len(),
            IdColumn::Utf8(v) => v.len(),
            IdColumn::Integers(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub(crate) fn key(&self, i: usize) -> Key<'_> {
        match self {
            IdColumn::Strings(v) => Key::Text(v[i].as_str()),
            IdColumn::Utf8(v) => Key::Text(v.get(i)),
            IdColumn::Integers(v) => Key::Int(v[i]),
        }
    }

    /// Row `i` as text.
    pub fn get(&self, i: usize) -> Cow<'_, str> {
        match self {
            IdColumn::Strings(v) => Cow::Borrowed(v[i].as_str()),
            IdColumn::Utf8(v) => Cow::Borrowed(v.get(i)),
            IdColumn::Integers(v) => Cow::Owned(v[i].to_string()),
        }
    }
}

impl From<Vec<String>> for IdColumn<'_> {
    fn from(v: Vec<String>) -> Self {
        IdColumn::Strings(v)
    }
}

impl From<Vec<&str>> for IdColumn<'_> {
    fn from(v: Vec<&str>) -> Self {
        IdColumn::Strings(v.into_iter().map(str::to_owned).collect())
    }
}

impl<'a> From<Utf8Ids<'a>> for IdColumn<'a> {
    fn from(v: Utf8Ids<'a>) -> Self {
        IdColumn::Utf8(v)
    }
}

impl From<Vec<i64>> for IdColumn<'_> {
    fn from(v: Vec<i64>) -> Self {
        IdColumn::Integers(Cow::Owned(v))
    }
}

impl<'a> From<&'a [i64]> for IdColumn<'a> {
    fn from(v: &'a [i64]) -> Self {
        IdColumn::Integers(Cow::Borrowed(v))
    }
}

/// A column of optional text: a value per row, or (as data frames hold categorical text) a code
/// per row into a list of distinct values, so a million rows need not carry a million strings.
#[derive(Debug, Clone, PartialEq)]
pub enum Texts {
    /// One value per row (`None` = null).
    Values(Vec<Option<String>>),
    /// One code per row into `categories`; a negative code is null.
    Coded {
        /// Codes, one per row.
        codes: Vec<i32>,
        /// The distinct values.
        categories: Vec<String>,
    },
}

impl Texts {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Texts::Values(v) => v.len(),
            Texts::Coded { codes, .. } => codes.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`'s text (`None` for null, and for a code with no category).
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            Texts::Values(v) => v[i].as_deref(),
            Texts::Coded { codes, categories } => {
                usize::try_from(codes[i]).ok().and_then(|c| categories.get(c)).map(String::as_str)
            }
        }
    }

    /// An error naming the column if a code has no category.
    fn check(&self, table: &'static str, column: &'static str) -> Result<()> {
        if let Texts::Coded { codes, categories } = self {
            if let Some(c) = codes.iter().find(|&&c| c >= 0 && c as usize >= categories.len()) {
                return Err(Error::InvalidInput {
                    what: format!("{table}.{column}: code {c} has no category ({} given)", categories.len()),
                });
            }
        }
        Ok(())
    }
}

impl From<Vec<Option<String>>> for Texts {
    fn from(v: Vec<Option<String>>) -> Self {
        Texts::Values(v)
    }
}

impl From<Vec<Option<&str>>> for Texts {
    fn from(v: Vec<Option<&str>>) -> Self {
        Texts::Values(v.into_iter().map(|s| s.map(str::to_owned)).collect())
    }
}

/// An optional column of optional text.
pub type TextColumn = Option<Texts>;

/// The objectives table.
#[derive(Debug, Clone, Default)]
pub struct ObjectiveColumns<'a> {
    /// Objective ids.
    pub id: IdColumn<'a>,
    /// Cycle ids.
    pub cycle: TextColumn,
    /// Owners.
    pub owner: TextColumn,
    /// Levels.
    pub level: TextColumn,
    /// Titles.
    pub title: TextColumn,
    /// Progress drivers (null = the policy's).
    pub progress: Option<Vec<Option<ProgressDriver>>>,
}

/// The key-results table: one row per key result, one column per field of any kind.
#[derive(Debug, Clone, Default)]
pub struct KeyResultColumns<'a> {
    /// Key-result ids.
    pub id: IdColumn<'a>,
    /// The objective each belongs to.
    pub objective: IdColumn<'a>,
    /// Kinds. `milestones` and `piecewise` need nested data: use the document form for them.
    pub kind: Vec<KeyResultKind>,
    /// Weights (NaN = 1).
    pub weight: FloatColumn<'a>,
    /// Start values.
    pub start: FloatColumn<'a>,
    /// Targets.
    pub target: FloatColumn<'a>,
    /// Thresholds.
    pub threshold: FloatColumn<'a>,
    /// Strict comparisons (absent = false).
    pub strict: Option<Vec<bool>>,
    /// Range lows.
    pub low: FloatColumn<'a>,
    /// Range highs.
    pub high: FloatColumn<'a>,
    /// Current values (NaN = none).
    pub current: FloatColumn<'a>,
    /// Aggregate operations.
    pub op: Option<Vec<Option<AggregateOp>>>,
    /// Titles.
    pub title: TextColumn,
    /// Owners.
    pub owner: TextColumn,
}

/// The alignment table: one row per edge, child to parent.
#[derive(Debug, Clone, Default)]
pub struct AlignmentColumns<'a> {
    /// Child ids (objectives or key results).
    pub child: IdColumn<'a>,
    /// Parent ids (objectives or key results).
    pub parent: IdColumn<'a>,
    /// Edge weights (NaN = 1).
    pub weight: FloatColumn<'a>,
}

/// The check-ins table.
#[derive(Debug, Clone, Default)]
pub struct CheckInColumns<'a> {
    /// The key result checked in on.
    pub key_result: IdColumn<'a>,
    /// Days.
    pub date: Vec<NaiveDate>,
    /// Values (NaN = none).
    pub value: FloatColumn<'a>,
    /// Confidences in [0, 1] (NaN = none).
    pub confidence: FloatColumn<'a>,
}

/// All tables of a plan.
///
/// ```
/// use okr_core::{Columns, KeyResultColumns, KeyResultKind, ObjectiveColumns, Plan};
/// let cols = Columns {
///     objectives: ObjectiveColumns { id: vec![1_i64, 2].into(), ..Default::default() },
///     key_results: KeyResultColumns {
///         id: vec![10_i64, 20].into(),
///         objective: vec![1_i64, 2].into(),
///         kind: vec![KeyResultKind::Linear; 2],
///         start: Some(vec![0.0, 10.0].into()),
///         target: Some(vec![10.0, 0.0].into()),
///         current: Some(vec![5.0, 8.0].into()),
///         ..Default::default()
///     },
///     ..Default::default()
/// };
/// let plan = Plan::from_columns(&cols)?;
/// let report = plan.score("2026-01-01".parse().unwrap());
/// assert_eq!(report.get("2").unwrap().score, 0.2); // lower is better: 10 → 0, at 8
///
/// // Numbers and integer ids may be borrowed from buffers the caller keeps (no copy).
/// let (ids, current) = ([10_i64, 20], [5.0, 8.0]);
/// let borrowed = Columns {
///     key_results: KeyResultColumns {
///         id: ids[..].into(),
///         current: Some(current[..].into()),
///         ..cols.key_results.clone()
///     },
///     ..cols.clone()
/// };
/// assert_eq!(Plan::from_columns(&borrowed)?.score("2026-01-01".parse().unwrap()).get("2").unwrap().score, 0.2);
/// # Ok::<(), okr_core::Error>(())
/// ```
///
/// Float columns and integer id columns are [`Cow`]s: owned (`vec.into()`) or borrowed
/// (`slice.into()`), which is how the Python binding reads numpy columns in place.
#[derive(Debug, Clone, Default)]
pub struct Columns<'a> {
    /// Objectives.
    pub objectives: ObjectiveColumns<'a>,
    /// Key results.
    pub key_results: KeyResultColumns<'a>,
    /// Alignment edges.
    pub alignments: Option<AlignmentColumns<'a>>,
    /// Check-ins.
    pub check_ins: Option<CheckInColumns<'a>>,
    /// Cycles.
    pub cycles: Vec<Cycle>,
    /// Policy (defaults when absent).
    pub policy: Option<Policy>,
    /// The scale of the check-ins' confidences, `[low, high]`, mapped onto [0, 1] (see
    /// [`Document::confidence_scale`](crate::Document::confidence_scale)); absent, [0, 1].
    pub confidence_scale: Option<[f64; 2]>,
}

fn check_len<T>(table: &'static str, column: &'static str, expected: usize, col: Option<&[T]>) -> Result<()> {
    check_rows(table, column, expected, col.map(<[T]>::len))
}

fn check_rows(
    table: &'static str,
    column: &'static str,
    expected: usize,
    found: Option<usize>,
) -> Result<()> {
    match found {
        Some(found) if found != expected => Err(Error::LengthMismatch { table, column, expected, found }),
        _ => Ok(()),
    }
}

fn text(col: &TextColumn, i: usize) -> Option<&str> {
    col.as_ref().and_then(|c| c.get(i))
}

fn check_texts(table: &'static str, column: &'static str, expected: usize, col: &TextColumn) -> Result<()> {
    match col {
        None => Ok(()),
        Some(t) => {
            check_rows(table, column, expected, Some(t.len()))?;
            t.check(table, column)
        }
    }
}

/// Row `i` of a float column, NaN read as null; infinities are errors naming the row's id.
#[inline]
fn number(
    col: &FloatColumn<'_>,
    i: usize,
    id: impl std::fmt::Display,
    field: &'static str,
) -> Result<Option<f64>> {
    match col.as_ref().map(|c| c[i]) {
        None => Ok(None),
        Some(v) if v.is_nan() => Ok(None),
        Some(v) if v.is_infinite() => Err(Error::NonFinite { id: id.to_string(), field, value: v }),
        Some(v) => Ok(Some(v)),
    }
}

/// The id of row `row` of a column, written out only if an error names it.
#[derive(Clone, Copy)]
struct RowId<'a> {
    ids: &'a IdColumn<'a>,
    row: usize,
}

impl std::fmt::Display for RowId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.ids.key(self.row).fmt(f)
    }
}

impl Plan {
    /// Builds a plan from columns. Validation is the same as for documents.
    pub fn from_columns(cols: &Columns<'_>) -> Result<Plan> {
        let o = &cols.objectives;
        let k = &cols.key_results;
        let no = o.id.len();
        let nk = k.id.len();
        check_texts("objectives", "cycle", no, &o.cycle)?;
        check_texts("objectives", "owner", no, &o.owner)?;
        check_texts("objectives", "level", no, &o.level)?;
        check_texts("objectives", "title", no, &o.title)?;
        check_len("objectives", "progress", no, o.progress.as_deref())?;
        check_rows("key_results", "objective", nk, Some(k.objective.len()))?;
        check_len("key_results", "kind", nk, Some(&k.kind))?;
        for (name, col) in [
            ("weight", &k.weight),
            ("start", &k.start),
            ("target", &k.target),
            ("threshold", &k.threshold),
            ("low", &k.low),
            ("high", &k.high),
            ("current", &k.current),
        ] {
            check_len("key_results", name, nk, col.as_deref())?;
        }
        check_len("key_results", "strict", nk, k.strict.as_deref())?;
        check_len("key_results", "op", nk, k.op.as_deref())?;
        check_texts("key_results", "title", nk, &k.title)?;
        check_texts("key_results", "owner", nk, &k.owner)?;

        let policy = cols.policy.clone().unwrap_or_default();
        policy.validate()?;
        crate::phase("start");
        let mut b = Builder::with_capacity(no + nk);
        for c in &cols.cycles {
            b.add_cycle(c)?;
        }
        if let Some(scale) = cols.confidence_scale {
            b.set_confidence_scale(scale)?;
        }
        let cycle_ids: Vec<String> = b.cycle_ids().into_iter().map(str::to_owned).collect();
        // Rows are compiled on a second thread while this one resolves ids and lays out the graph:
        // the two share nothing but the input. Errors are reported in a fixed order whatever the
        // threads do: ids and references first, then row values, then alignment cycles.
        // The row thread usually finishes first, so it also makes the arrays the rows are laid
        // out in, once the layout leaves a thread free. The signal's sender is dropped with the link
        // closure, so an early error does not leave the row thread waiting for it.
        let (go, ready) = std::sync::mpsc::channel();
        let cycles = &cycle_ids;
        let builder = &mut b;
        let layout_done = &std::sync::atomic::AtomicBool::new(false);
        let ints = &Handoff::default();
        let (rows, links) = crate::parallel::join(
            move || {
                offer_ids(cols, ints);
                compile_rows(cols, cycles).map(|rows| {
                    let per_node_cycles = rows.cycles.single().is_none();
                    let running = || crate::build::layout_running(layout_done);
                    (rows, RowArrays::after(&ready, no + nk, per_node_cycles, running))
                })
            },
            move || -> Result<Result<Layout>> {
                link(builder, cols, ints)?;
                // Weights are checked with the rows; here they only shape the graph.
                let kr_weight = |i: usize| match &k.weight {
                    Some(w) if i >= no && !w[i - no].is_nan() => w[i - no],
                    _ => 1.0,
                };
                let layout = builder.layout_with(kr_weight, move || {
                    let _ = go.send(());
                });
                layout_done.store(true, std::sync::atomic::Ordering::Release);
                Ok(layout)
            },
        )?;
        let layout = links?;
        let (rows, arrays) = rows?;
        b.set_rows(rows)?;
        let layout = layout?;
        crate::phase("joined");
        if let Some(c) = &cols.check_ins {
            let n = c.key_result.len();
            check_len("check_ins", "date", n, Some(&c.date))?;
            check_len("check_ins", "value", n, c.value.as_deref())?;
            check_len("check_ins", "confidence", n, c.confidence.as_deref())?;
            let krs = b.find_column(&c.key_result);
            for (i, &ki) in krs.iter().enumerate() {
                let kr = c.key_result.key(i);
                if ki == NONE {
                    return Err(Error::UnknownKeyResult { key_result: kr.to_string() });
                }
                let value = number(&c.value, i, kr, "value")?;
                let confidence = number(&c.confidence, i, kr, "confidence")?;
                b.add_check_in(ki, c.date[i], value, confidence, None, None)?;
            }
        }
        let plan = Plan { data: std::sync::Arc::new(b.assemble(layout, arrays, policy)?) };
        crate::phase("built");
        Ok(plan)
    }
}

/// The list of the plan's integer ids (objectives', then key results'), made for [`link`] by
/// the row compiler's thread before it compiles, while [`link`] fills the id table. The rows
/// are compiled well before the layout needs them, so that thread has the time; on the
/// interning thread, the build's longest path, copying the 32 MB at 1M objectives into fresh
/// pages took 5-20 ms. (1M builds in ten processes, each alternating builds with and without
/// the offer: medians 1-42 ms faster with it, about 10 ms in most.)
///
/// Ids outside a compact range are interned one by one into a hash table, which writes the
/// list itself: then there is nothing to offer.
fn offer_ids(cols: &Columns<'_>, ints: &Handoff<Vec<i64>>) {
    if let (IdColumn::Integers(a), IdColumn::Integers(c)) = (&cols.objectives.id, &cols.key_results.id) {
        if compact_range(a, c).is_some() {
            ints.offer(|| Ids::list(a, c));
        }
    }
}

/// The lowest and highest of two integer id columns, when the ids are few enough in that range
/// to be looked up through a flat table ([`Ids::compact_span`]).
fn compact_range(a: &[i64], c: &[i64]) -> Option<(i64, i64)> {
    // One pass for both ends of the range.
    let (min, max) = a.iter().chain(c).fold((i64::MAX, i64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    (min <= max && Ids::compact_span(min, max, a.len() + c.len()).is_some()).then_some((min, max))
}

/// Interns every id and resolves every reference: key results to objectives, alignment edges.
/// With integer ids, the list of them may come from another thread through `ints`.
fn link(b: &mut Builder, cols: &Columns<'_>, ints: &Handoff<Vec<i64>>) -> Result<()> {
    let o = &cols.objectives;
    let k = &cols.key_results;
    let (no, nk) = (o.id.len(), k.id.len());
    if let (IdColumn::Integers(a), IdColumn::Integers(c)) = (&o.id, &k.id) {
        if let Some((min, max)) = compact_range(a, c) {
            b.reserve_dense_ids(min, max, no + nk);
        }
        // The ids' list, the two columns one after the other, is the row thread's to copy.
        b.intern_int_columns(a, c, || ints.take(|| Ids::list(a, c)))?;
    } else {
        // Id look-ups miss the cache on large plans; each runs in its own tight loop so that
        // the processor overlaps the misses.
        for (table, ids) in [("objectives", &o.id), ("key_results", &k.id)] {
            match ids {
                IdColumn::Integers(v) => b.intern_ints(table, v)?,
                IdColumn::Strings(v) => b.intern_texts(table, v.as_slice())?,
                IdColumn::Utf8(v) => b.intern_texts(table, v)?,
            }
        }
    }
    crate::phase("intern");
    // Objectives were interned first, so an index below `no` is an objective.
    let mut objective = Vec::with_capacity(no + nk);
    objective.resize(no, NONE);
    b.find_column_into(&k.objective, &mut objective);
    if let Some(i) = objective[no..].iter().position(|&oi| oi as usize >= no) {
        return Err(Error::UnknownObjective {
            id: k.id.key(i).to_string(),
            objective: k.objective.key(i).to_string(),
        });
    }
    b.set_objectives(objective);
    crate::phase("kr owners");
    if let Some(a) = &cols.alignments {
        let n = a.child.len();
        check_rows("alignments", "parent", n, Some(a.parent.len()))?;
        check_len("alignments", "weight", n, a.weight.as_deref())?;
        let children = b.find_column(&a.child);
        if let Some(i) = children.iter().position(|&c| c == NONE) {
            return Err(Error::UnknownId { id: a.child.key(i).to_string() });
        }
        let parents = b.find_column(&a.parent);
        if let Some(i) = parents.iter().position(|&p| p == NONE) {
            b.resolve_parent(children[i], a.parent.key(i))?;
        }
        let weight = |i: usize| Ok(number(&a.weight, i, a.child.key(i), "weight")?.unwrap_or(1.0));
        b.set_edges(
            children,
            parents,
            a.weight.is_some().then_some(&weight as &dyn Fn(usize) -> Result<f64>),
        )?;
    }
    crate::phase("edges");
    Ok(())
}

/// The rows of every objective, then of every key result, in input order.
fn compile_rows(cols: &Columns<'_>, cycles: &[String]) -> Result<Rows> {
    let o = &cols.objectives;
    let k = &cols.key_results;
    let (no, nk) = (o.id.len(), k.id.len());
    crate::phase("rows start");
    let mut rows = Rows { nodes: Vec::with_capacity(no + nk), ..Rows::default() };
    let find = |c: &str| cycles.iter().position(|x| x == c).map(|i| i as u32);
    // A coded column is resolved once per category.
    let coded: Vec<Option<u32>> = match &o.cycle {
        Some(Texts::Coded { categories, .. }) => categories.iter().map(|c| find(c)).collect(),
        _ => Vec::new(),
    };
    for i in 0..no {
        let unknown = |c: &str| Error::UnknownCycle { id: o.id.key(i).to_string(), cycle: c.to_owned() };
        let cycle = match (&o.cycle, text(&o.cycle, i)) {
            (_, None) => NONE,
            (Some(Texts::Coded { codes, .. }), Some(c)) => {
                coded[codes[i] as usize].ok_or_else(|| unknown(c))?
            }
            (_, Some(c)) => find(c).ok_or_else(|| unknown(c))?,
        };
        let driver = o.progress.as_ref().and_then(|c| c[i]);
        rows.nodes.push(NodeRow { rule: Rule::Objective { driver, cycle }, current: f64::NAN });
        rows.cycles.add(cycle);
        rows.meta.push_text(text(&o.title, i), text(&o.owner, i), text(&o.level, i), None);
    }
    crate::phase("rows: objectives");
    let has_text = k.title.is_some() || k.owner.is_some();
    for i in 0..nk {
        let id = RowId { ids: &k.id, row: i };
        let kind = k.kind[i];
        if matches!(kind, KeyResultKind::Milestones | KeyResultKind::Piecewise) {
            return Err(Error::InvalidValue {
                id: id.to_string(),
                field: "kind",
                reason: format!("kind `{}` needs nested data: use the document form", kind.as_str()),
            });
        }
        // Only the columns the row's kind reads are read: any value in another is ignored.
        let fields = match kind {
            KeyResultKind::Linear | KeyResultKind::Aggregate => RuleFields {
                start: number(&k.start, i, id, "start")?,
                target: number(&k.target, i, id, "target")?,
                op: k.op.as_ref().and_then(|c| c[i]),
                ..RuleFields::default()
            },
            KeyResultKind::AtLeast | KeyResultKind::AtMost => RuleFields {
                threshold: number(&k.threshold, i, id, "threshold")?,
                strict: k.strict.as_ref().is_some_and(|c| c[i]),
                ..RuleFields::default()
            },
            KeyResultKind::Range => RuleFields {
                low: number(&k.low, i, id, "low")?,
                high: number(&k.high, i, id, "high")?,
                ..RuleFields::default()
            },
            _ => RuleFields::default(),
        };
        let weight = number(&k.weight, i, id, "weight")?.unwrap_or(1.0);
        let current = number(&k.current, i, id, "current")?;
        let (rule, _) = compile_key_result(id, kind, &fields, weight, current)?;
        rows.nodes.push(NodeRow { rule, current: current.unwrap_or(f64::NAN) });
        if has_text {
            rows.meta.push_text(text(&k.title, i), text(&k.owner, i), None, None);
        }
    }
    if !has_text {
        rows.meta.push_none(nk);
    }
    crate::phase("rows: key results");
    Ok(rows)
}
