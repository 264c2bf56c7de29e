//! A report as columns, in input order: what data frames and typed arrays are built from.

use crate::columns::Utf8Ids;
use crate::document::KeyResultKind;
use crate::error::{Error, Result};
use crate::pace::{day, Grade, Status};
use crate::plan::{NodeType, NONE};

use super::{value_of, values_are_current, Report};

/// Node ids as a column: integers when every id of the plan is one (columnar input with integer
/// ids), text otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum IdValues<'a> {
    /// Integer ids.
    Integers(Vec<i64>),
    /// Text ids.
    Text(Vec<&'a str>),
    /// Text ids in Apache Arrow's layout ([`Report::columns_utf8`]).
    Utf8(Utf8Ids<'a>),
}

impl IdValues<'_> {
    /// Row `i` as text.
    pub fn get(&self, i: usize) -> std::borrow::Cow<'_, str> {
        match self {
            IdValues::Integers(v) => v[i].to_string().into(),
            IdValues::Text(v) => v[i].into(),
            IdValues::Utf8(v) => v.get(i).into(),
        }
    }
}

/// Optional node ids as a column (see [`IdValues`]).
#[derive(Debug, Clone, PartialEq)]
pub enum OptionalIdValues<'a> {
    /// Integer ids, with a null mask as pandas and Arrow keep them: `values[i]` (0 when null)
    /// means something only where `null[i]` is false.
    Integers {
        /// The ids (0 where null).
        values: Vec<i64>,
        /// Whether each row is null.
        null: Vec<bool>,
    },
    /// Text ids.
    Text(Vec<Option<&'a str>>),
    /// Text ids in Apache Arrow's layout ([`Report::columns_utf8`]), with a null mask: row `i`
    /// means something only where `null[i]` is false (it is empty where null).
    Utf8 {
        /// The ids.
        ids: Utf8Ids<'static>,
        /// Whether each row is null.
        null: Vec<bool>,
    },
}

impl OptionalIdValues<'_> {
    /// Row `i` as text.
    pub fn get(&self, i: usize) -> Option<std::borrow::Cow<'_, str>> {
        match self {
            OptionalIdValues::Integers { values, null } => (!null[i]).then(|| values[i].to_string().into()),
            OptionalIdValues::Text(v) => v[i].map(Into::into),
            OptionalIdValues::Utf8 { ids, null } => (!null[i]).then(|| ids.get(i).into()),
        }
    }
}

/// The per-row columns of [`ReportColumns`], filled in input order.
struct Gathered {
    node_type: Vec<NodeType>,
    kind: Vec<Option<KeyResultKind>>,
    /// Objective ids, when ids are integers (0 where null).
    objective_int: Vec<i64>,
    objective_null: Vec<bool>,
    /// Input index of the objective (`NONE` where null), when ids are text.
    objective_doc: Vec<u32>,
    score: Vec<f64>,
    expected: Vec<f64>,
    status: Vec<Status>,
    grade: Vec<Grade>,
    has_data: Vec<bool>,
    value: Vec<f64>,
    signals: Vec<u8>,
    confidence: Vec<f64>,
    forecast_score: Vec<f64>,
    /// The ids, when they are integers.
    id: Vec<i64>,
}

/// A window of [`Gathered`]: the rows one thread fills.
struct GatheredMut<'a> {
    node_type: &'a mut [NodeType],
    kind: &'a mut [Option<KeyResultKind>],
    objective_int: &'a mut [i64],
    objective_null: &'a mut [bool],
    objective_doc: &'a mut [u32],
    score: &'a mut [f64],
    expected: &'a mut [f64],
    status: &'a mut [Status],
    grade: &'a mut [Grade],
    has_data: &'a mut [bool],
    value: &'a mut [f64],
    signals: &'a mut [u8],
    confidence: &'a mut [f64],
    forecast_score: &'a mut [f64],
    id: &'a mut [i64],
}

impl Gathered {
    /// `n` rows to fill for the columns of `want` (the others are empty); the objective as
    /// integers or as input indexes.
    fn new(n: usize, integers: bool, want: Selection) -> Gathered {
        use ReportColumn as C;
        let len = |c| want.len(c, n);
        let (ni, nd) = if integers { (len(C::Objective), 0) } else { (0, len(C::Objective)) };
        Gathered {
            node_type: vec![NodeType::Objective; len(C::Type)],
            kind: vec![None; len(C::Kind)],
            objective_int: vec![0; ni],
            objective_null: vec![false; ni],
            objective_doc: vec![0; nd],
            score: vec![0.0; len(C::Score)],
            expected: vec![0.0; len(C::Expected)],
            status: vec![Status::Unscheduled; len(C::Status)],
            grade: vec![Grade::Red; len(C::Grade)],
            has_data: vec![false; len(C::HasData)],
            value: vec![0.0; len(C::Value)],
            signals: vec![0; len(C::Signals)],
            confidence: vec![0.0; len(C::Confidence)],
            forecast_score: vec![0.0; len(C::ForecastScore)],
            id: vec![0; if integers { len(C::Id) } else { 0 }],
        }
    }

    /// Rows `..at` and `at..`.
    fn halves(&mut self, at: usize) -> (GatheredMut<'_>, GatheredMut<'_>) {
        fn cut<T>(v: &mut [T], at: usize) -> (&mut [T], &mut [T]) {
            v.split_at_mut(at.min(v.len()))
        }
        let (a0, a1) = cut(&mut self.node_type, at);
        let (b0, b1) = cut(&mut self.kind, at);
        let (c0, c1) = cut(&mut self.objective_int, at);
        let (d0, d1) = cut(&mut self.objective_null, at);
        let (e0, e1) = cut(&mut self.objective_doc, at);
        let (f0, f1) = cut(&mut self.score, at);
        let (g0, g1) = cut(&mut self.expected, at);
        let (h0, h1) = cut(&mut self.status, at);
        let (i0, i1) = cut(&mut self.grade, at);
        let (j0, j1) = cut(&mut self.has_data, at);
        let (k0, k1) = cut(&mut self.value, at);
        let (l0, l1) = cut(&mut self.signals, at);
        let (m0, m1) = cut(&mut self.confidence, at);
        let (n0, n1) = cut(&mut self.forecast_score, at);
        let (o0, o1) = cut(&mut self.id, at);
        (
            GatheredMut {
                node_type: a0,
                kind: b0,
                objective_int: c0,
                objective_null: d0,
                objective_doc: e0,
                score: f0,
                expected: g0,
                status: h0,
                grade: i0,
                has_data: j0,
                value: k0,
                signals: l0,
                confidence: m0,
                forecast_score: n0,
                id: o0,
            },
            GatheredMut {
                node_type: a1,
                kind: b1,
                objective_int: c1,
                objective_null: d1,
                objective_doc: e1,
                score: f1,
                expected: g1,
                status: h1,
                grade: i1,
                has_data: j1,
                value: k1,
                signals: l1,
                confidence: m1,
                forecast_score: n1,
                id: o1,
            },
        )
    }
}

/// Writes `v` at `i` of `col`, unless `col` is empty (a column not asked for).
#[inline(always)]
fn put<T>(col: &mut [T], i: usize, v: T) {
    if let Some(x) = col.get_mut(i) {
        *x = v;
    }
}

/// Fills `col` (unless empty: a column not asked for) with `by_pos` at positions `doc`: a loop
/// of independent reads.
fn gather<T: Copy>(col: &mut [T], doc: &[u32], by_pos: &[T]) {
    for (slot, &p) in col.iter_mut().zip(doc) {
        *slot = by_pos[p as usize];
    }
}

/// `f` of every position `0..n`, the two halves on two threads when `two`.
fn by_position<T: Copy + Default + Send>(n: usize, two: bool, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut out = vec![T::default(); n];
    let h = n / 2;
    let (a, b) = out.split_at_mut(h);
    crate::parallel::both_parts(two, &mut (a, 0), &mut (b, h), |(part, from)| {
        for (i, slot) in part.iter_mut().enumerate() {
            *slot = f(*from + i);
        }
    });
    out
}

/// One column of [`ReportColumns`]: ask for only some with [`Report::columns_of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportColumn {
    /// [`ReportColumns::id`].
    Id,
    /// [`ReportColumns::node_type`] (named `type`).
    Type,
    /// [`ReportColumns::kind`].
    Kind,
    /// [`ReportColumns::objective`].
    Objective,
    /// [`ReportColumns::score`].
    Score,
    /// [`ReportColumns::expected`].
    Expected,
    /// [`ReportColumns::status`].
    Status,
    /// [`ReportColumns::grade`].
    Grade,
    /// [`ReportColumns::has_data`].
    HasData,
    /// [`ReportColumns::value`].
    Value,
    /// [`ReportColumns::confidence`].
    Confidence,
    /// [`ReportColumns::forecast_score`].
    ForecastScore,
    /// [`ReportColumns::signals`].
    Signals,
}

impl ReportColumn {
    /// Every column, in the order data frames made from a report have them.
    pub const ALL: [ReportColumn; 13] = [
        ReportColumn::Id,
        ReportColumn::Type,
        ReportColumn::Kind,
        ReportColumn::Objective,
        ReportColumn::Score,
        ReportColumn::Expected,
        ReportColumn::Status,
        ReportColumn::Grade,
        ReportColumn::HasData,
        ReportColumn::Value,
        ReportColumn::Confidence,
        ReportColumn::ForecastScore,
        ReportColumn::Signals,
    ];

    /// The column's name in data frames: `id`, `type`, `kind`, `objective`, `score`,
    /// `expected`, `status`, `grade`, `has_data`, `value`, `confidence`, `forecast_score`,
    /// `signals`. These are the keys of the JSON report's node lines too, except
    /// `forecast_score`, whose line has the whole `forecast`.
    pub fn name(self) -> &'static str {
        match self {
            ReportColumn::Id => "id",
            ReportColumn::Type => "type",
            ReportColumn::Kind => "kind",
            ReportColumn::Objective => "objective",
            ReportColumn::Score => "score",
            ReportColumn::Expected => "expected",
            ReportColumn::Status => "status",
            ReportColumn::Grade => "grade",
            ReportColumn::HasData => "has_data",
            ReportColumn::Value => "value",
            ReportColumn::Confidence => "confidence",
            ReportColumn::ForecastScore => "forecast_score",
            ReportColumn::Signals => "signals",
        }
    }

    /// The columns named, in the order given: [`Error::UnknownColumn`] (table `report`) for a
    /// name that is not one of [`ReportColumn::name`]'s, [`Error::InvalidInput`] for a name
    /// given twice (a data frame would have two columns of that name).
    pub fn parse_list<S: AsRef<str>>(names: &[S]) -> Result<Vec<ReportColumn>> {
        let mut out: Vec<ReportColumn> = Vec::with_capacity(names.len());
        for name in names {
            let name = name.as_ref();
            let Some(c) = ReportColumn::ALL.into_iter().find(|c| c.name() == name) else {
                return Err(Error::UnknownColumn { table: "report", column: name.to_owned() });
            };
            if out.contains(&c) {
                return Err(Error::InvalidInput {
                    what: format!("report column `{name}` is asked for twice"),
                });
            }
            out.push(c);
        }
        Ok(out)
    }

    /// This column's bit in a [`Selection`].
    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// A set of [`ReportColumn`]s, a bit each.
#[derive(Clone, Copy)]
struct Selection(u16);

impl Selection {
    fn of(columns: &[ReportColumn]) -> Selection {
        Selection(columns.iter().fold(0, |bits, c| bits | c.bit()))
    }

    fn has(self, c: ReportColumn) -> bool {
        self.0 & c.bit() != 0
    }

    /// `n` when `c` is selected, else 0: the length of its column.
    fn len(self, c: ReportColumn, n: usize) -> usize {
        if self.has(c) {
            n
        } else {
            0
        }
    }
}

/// A report as columns, in input order: what data frames and typed arrays are built from.
/// Missing numbers (`expected` without a cycle, `value` without data) are NaN. Columns not
/// asked for ([`Report::columns_of`]) are empty.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportColumns<'a> {
    /// Node ids.
    pub id: IdValues<'a>,
    /// Objective or key result.
    pub node_type: Vec<NodeType>,
    /// Key-result kinds (`None` for objectives).
    pub kind: Vec<Option<KeyResultKind>>,
    /// A key result's objective (`None` for objectives).
    pub objective: OptionalIdValues<'a>,
    /// Scores.
    pub score: Vec<f64>,
    /// Expected progress (NaN without a cycle).
    pub expected: Vec<f64>,
    /// Statuses.
    pub status: Vec<Status>,
    /// Grades.
    pub grade: Vec<Grade>,
    /// Whether data stands behind each score.
    pub has_data: Vec<bool>,
    /// Values scored (NaN when none).
    pub value: Vec<f64>,
    /// Latest stated confidence (NaN when none).
    pub confidence: Vec<f64>,
    /// Forecast score at the end of the cycle (NaN when none).
    pub forecast_score: Vec<f64>,
    /// Signals, as a bit set over [`Report::SIGNAL_NAMES`].
    pub signals: Vec<u8>,
}

impl Report {
    /// The report as columns, in input order.
    ///
    /// Large reports are made by two threads where threads can be started, each doing half
    /// the rows; the columns are the same.
    pub fn columns(&self) -> ReportColumns<'_> {
        self.columns_of(&ReportColumn::ALL, false)
    }

    /// [`Report::columns`] with text ids in Apache Arrow's layout ([`IdValues::Utf8`],
    /// [`OptionalIdValues::Utf8`]): one text and its offsets per column instead of a slice per
    /// row, which is what a data frame library takes without a string per row. Integer ids stay
    /// integers.
    pub fn columns_utf8(&self) -> ReportColumns<'_> {
        self.columns_of(&ReportColumn::ALL, true)
    }

    /// The columns of `which` (in any order; the others are empty, length 0), text ids in
    /// Arrow's layout when `utf8` is set (see [`Report::columns_utf8`]). A column not asked
    /// for costs nothing: a caller that needs ids and scores alone makes two columns, not
    /// thirteen.
    ///
    /// ```
    /// use okr_core::{IdValues, Plan, ReportColumn};
    /// let plan = Plan::from_json(r#"{"objectives": [{"id": "o1", "key_results": [
    ///     {"id": "k1", "kind": "linear", "start": 0, "target": 10, "current": 5}]}]}"#)?;
    /// let report = plan.score("2026-02-15".parse().unwrap());
    /// let c = report.columns_of(&ReportColumn::parse_list(&["id", "score"])?, false);
    /// assert_eq!(c.id, IdValues::Text(vec!["o1", "k1"]));
    /// assert_eq!(c.score, [0.5, 0.5]);
    /// assert!(c.status.is_empty() && c.value.is_empty());
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn columns_of(&self, which: &[ReportColumn], utf8: bool) -> ReportColumns<'_> {
        use ReportColumn as C;
        let want = Selection::of(which);
        let d = &self.plan.data;
        let n = d.len();
        let today = day(self.as_of);
        let (h, two) = (n / 2, crate::parallel::worth_splitting(n));
        crate::phase::phase("columns start");
        // Reordering from topological to input order is a cache miss per row and per array
        // read. Each column is filled by its own loop over the rows, reading one array at
        // random: the reads of a loop are independent of each other, so many are in flight at
        // once. The value, which reads several arrays per node, is first made in topological
        // order, where those reads are sequential or near.
        let check_ins = !d.check_ins.day.is_empty();
        // When every value is `current`, the column is gathered from that array directly.
        let value_is_current = want.has(C::Value) && values_are_current(d);
        let value = if want.has(C::Value) && !value_is_current {
            let late = self.policy.late_check_ins;
            by_position(n, two, |p| value_of(d, p, d.reading_day(p, today, late), &self.aggregates))
        } else {
            Vec::new()
        };
        let value_by_position = if value_is_current { &d.current } else { &value };
        crate::phase::phase("columns by position");
        // When every node is in one cycle (a plan for one quarter, the common case), expected
        // progress is one number, not read per row.
        let one_cycle = d.single_cycle.filter(|_| want.has(C::Expected));
        let ints = d.ids.integers();
        let mut out = Gathered::new(n, ints.is_some(), want);
        crate::phase::phase("columns alloc");
        {
            let (first, second) = out.halves(h);
            // Fills rows `rows` (input indexes) into `part`, which holds those rows.
            let fill = |part: &mut GatheredMut<'_>, rows: std::ops::Range<usize>| {
                let doc = &d.pos_of_doc[rows.clone()];
                let at = || doc.iter().map(|&p| p as usize);
                if !part.kind.is_empty() || !part.node_type.is_empty() {
                    for (i, p) in at().enumerate() {
                        let kind = d.kind(p);
                        put(part.kind, i, kind);
                        put(
                            part.node_type,
                            i,
                            if kind.is_some() { NodeType::KeyResult } else { NodeType::Objective },
                        );
                    }
                }
                // Each key result's objective is kept in input order: with integer ids, a row
                // reads one id at random; with text ids, the column is a copy.
                let objective = &d.objective_of_doc[rows.clone()];
                if let Some(ints) = ints {
                    let out = part.objective_int.iter_mut().zip(part.objective_null.iter_mut());
                    for ((int, null), &o) in out.zip(objective) {
                        *null = o == NONE;
                        *int = if o == NONE { 0 } else { ints[o as usize] };
                    }
                }
                if !part.objective_doc.is_empty() {
                    part.objective_doc.copy_from_slice(objective);
                }
                gather(part.score, doc, &self.scores);
                match one_cycle {
                    Some(c) => part.expected.fill(self.expected_of(c).unwrap_or(f64::NAN)),
                    None => {
                        for (slot, p) in part.expected.iter_mut().zip(at()) {
                            *slot = self.expected_of(d.cycle(p)).unwrap_or(f64::NAN);
                        }
                    }
                }
                if !part.status.is_empty() || !part.grade.is_empty() || !part.has_data.is_empty() {
                    for (i, p) in at().enumerate() {
                        let f = self.flags[p];
                        put(part.status, i, f.status());
                        put(part.grade, i, f.grade());
                        put(part.has_data, i, f.has_data());
                    }
                }
                gather(part.signals, doc, &self.signals);
                gather(part.value, doc, value_by_position);
                // Confidence and forecasts exist only with check-ins: NaN throughout otherwise.
                if !check_ins {
                    part.confidence.fill(f64::NAN);
                    part.forecast_score.fill(f64::NAN);
                } else {
                    for (slot, p) in part.confidence.iter_mut().zip(at()) {
                        *slot = self.latest_confidence(p).unwrap_or(f64::NAN);
                    }
                    for (slot, p) in part.forecast_score.iter_mut().zip(at()) {
                        *slot = self.forecast_scores.get(p).copied().unwrap_or(f64::NAN);
                    }
                }
                if let Some(ints) = ints {
                    part.id.copy_from_slice(&ints[rows.start..rows.start + part.id.len()]);
                }
            };
            crate::parallel::both_parts(two, &mut (first, 0..h), &mut (second, h..n), |(part, rows)| {
                fill(part, rows.clone())
            });
        }
        crate::phase::phase("columns gather");
        let out = ReportColumns {
            id: match ints {
                Some(_) => IdValues::Integers(out.id),
                None if !want.has(C::Id) => IdValues::Text(Vec::new()),
                None if utf8 => IdValues::Utf8(d.ids.utf8()),
                None => IdValues::Text((0..n as u32).map(|i| d.ids.get(i)).collect()),
            },
            node_type: out.node_type,
            kind: out.kind,
            objective: match ints {
                Some(_) => OptionalIdValues::Integers { values: out.objective_int, null: out.objective_null },
                None if utf8 => {
                    let null = out.objective_doc.iter().map(|&o| o == NONE).collect();
                    OptionalIdValues::Utf8 { ids: d.ids.utf8_of(&out.objective_doc), null }
                }
                None => OptionalIdValues::Text(
                    out.objective_doc.iter().map(|&o| (o != NONE).then(|| d.ids.get(o))).collect(),
                ),
            },
            score: out.score,
            expected: out.expected,
            status: out.status,
            grade: out.grade,
            has_data: out.has_data,
            value: out.value,
            confidence: out.confidence,
            forecast_score: out.forecast_score,
            signals: out.signals,
        };
        crate::phase::phase("columns rest");
        out
    }
}
