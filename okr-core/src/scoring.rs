//! Scoring: one bottom-up pass over the plan in topological order, each node once.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::alignment::{Contributors, Weights};
use crate::columns::Utf8Ids;
use crate::document::KeyResultKind;
use crate::error::{Error, Result};
use crate::forecast::{forecast, Forecast};
use crate::key_result::{packed_value_score, piecewise, value_score, Aggregator, Rule};
use crate::pace::{day, expected_days, Cuts, Grade, Pace, Status};
use crate::plan::{NodeType, Plan, PlanData, NONE, OBJECTIVE};
use crate::policy::{Policy, ProgressDriver};

/// Scores, expected progress, status and grade of every node of a plan on one date.
///
/// Serialises as the report of DESIGN.md: `{"as_of": …, "nodes": [{"id", "type", "kind",
/// "objective", "score", "expected", "status", "grade", "has_data", "value", "signals"}, …]}`,
/// nodes in input order.
#[derive(Debug, Clone)]
pub struct Report {
    pub(crate) plan: Plan,
    pub(crate) as_of: NaiveDate,
    pub(crate) policy: Policy,
    pub(crate) scores: Vec<f64>,
    /// Status, grade and has-data of each node, packed in a byte (see [`Flags`]).
    pub(crate) flags: Vec<Flags>,
    /// Values of `aggregate` key results (other values are looked up again on demand, which is
    /// cheaper than writing a value for every node of a large plan).
    pub(crate) aggregates: HashMap<u32, f64>,
    /// Expected progress per cycle.
    pub(crate) expected: Vec<f64>,
    /// Signal bits per node (see [`SIGNALS`]).
    pub(crate) signals: Vec<u8>,
    /// Forecasts of key results, by position.
    pub(crate) forecasts: HashMap<u32, Forecast>,
    /// Forecast score per node (NaN where none); empty when the plan has no check-ins.
    pub(crate) forecast_scores: Vec<f64>,
}

/// A report gives its per-node columns back to its plan when dropped, for the plan's next score
/// to fill again: writing into pages already mapped and in use, rather than fresh ones (a fault
/// each) or ones the allocator must clear first.
impl Drop for Report {
    fn drop(&mut self) {
        self.plan.data.spare.keep(Spare {
            scores: std::mem::take(&mut self.scores),
            flags: std::mem::take(&mut self.flags),
            signals: std::mem::take(&mut self.signals),
        });
    }
}

/// The columns every scoring pass writes for every node, whatever their earlier content.
#[derive(Debug)]
pub(crate) struct Spare {
    scores: Vec<f64>,
    flags: Vec<Flags>,
    signals: Vec<u8>,
}

impl Spare {
    /// Columns for `n` nodes with every page written (mapped), for a plan's first score to fill
    /// as a later score fills a dropped report's: a large plan's build makes them on the thread
    /// its layout leaves idle (see [`crate::build::RowArrays::after`]).
    pub(crate) fn mapped(n: usize) -> Self {
        Spare {
            scores: mapped_column(n, 0.0),
            flags: mapped_column(n, Flags(0)),
            signals: mapped_column(n, 0),
        }
    }

    /// The columns' length (they have one length).
    #[cfg(test)]
    pub(crate) fn mapped_len(&self) -> usize {
        self.scores.len()
    }

    /// Bytes in use: a score column's length, not its capacity, whose tail past the length
    /// ([`zeroed_column`]) is never touched.
    fn bytes(&self) -> usize {
        self.scores.len() * 8 + self.flags.capacity() + self.signals.capacity()
    }
}

/// The columns of a plan's last dropped report, kept for its next score (one set at most: 10
/// bytes a node), or those a large plan's build made for its first score. A clone of the
/// plan's data starts with none.
#[derive(Debug, Default)]
pub(crate) struct SpareColumns(std::sync::Mutex<Option<Spare>>);

impl Clone for SpareColumns {
    fn clone(&self) -> Self {
        SpareColumns::default()
    }
}

impl SpareColumns {
    /// Holding `columns` from the start.
    pub(crate) fn holding(columns: Spare) -> Self {
        SpareColumns(std::sync::Mutex::new(Some(columns)))
    }

    /// Keeps `columns` unless a set is kept already (or the lock was poisoned).
    fn keep(&self, columns: Spare) {
        if let Ok(mut slot) = self.0.lock() {
            if slot.is_none() && !columns.scores.is_empty() {
                *slot = Some(columns);
            }
        }
    }

    /// The kept columns, if they are `n` long.
    fn take(&self, n: usize) -> Option<Spare> {
        let spare = self.0.lock().ok()?.take()?;
        let fits = [spare.scores.len(), spare.flags.len(), spare.signals.len()] == [n; 3];
        fits.then_some(spare)
    }

    /// Heap bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.0.lock().ok().and_then(|slot| slot.as_ref().map(Spare::bytes)).unwrap_or(0)
    }
}

/// Signal names, by bit.
pub(crate) const SIGNALS: [&str; 5] =
    ["stale", "low_confidence", "confidence_drop", "behind_pace", "forecast_miss"];
pub(crate) const STALE: u8 = 1;
const LOW_CONFIDENCE: u8 = 2;
const CONFIDENCE_DROP: u8 = 4;
const BEHIND_PACE: u8 = 8;
const FORECAST_MISS: u8 = 16;

/// A forecast in a report line: a key result's in full, an objective's rolled-up score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NodeForecast {
    /// A key result's forecast.
    KeyResult(Forecast),
    /// An objective's forecast score: its contributors' forecast scores (or current scores,
    /// for those without a forecast) rolled up like scores.
    Objective {
        /// The rolled-up forecast score.
        score: f64,
    },
}

/// Flags of a node not scored yet by a thread that is waiting for another's results (no status
/// has this code).
const WAITING: u8 = 0x7f;

/// Status (bits 0–2), grade (bits 3–4) and has-data (bit 7) of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flags(u8);

impl Flags {
    /// Flags from a status code, a grade code and whether the node has data.
    #[inline(always)]
    fn new(status: u8, grade: u8, has_data: bool) -> Flags {
        Flags(status | grade << 3 | u8::from(has_data) << 7)
    }

    pub(crate) fn status(self) -> Status {
        Status::ALL[usize::from(self.0 & 7) % Status::ALL.len()]
    }

    /// The status's code (see [`Status::code`]).
    pub(crate) fn status_code(self) -> u8 {
        self.0 & 7
    }

    pub(crate) fn grade(self) -> Grade {
        Grade::ALL[usize::from((self.0 >> 3) & 3) % Grade::ALL.len()]
    }

    pub(crate) fn has_data(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// One node's line of a [`Report`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NodeScore<'a> {
    /// The node's id.
    pub id: &'a str,
    /// Objective or key result.
    #[serde(rename = "type")]
    pub node_type: NodeType,
    /// The key-result kind (absent for objectives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<KeyResultKind>,
    /// For a key result, the objective it belongs to (absent for objectives).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<&'a str>,
    /// The score, within the policy's bounds.
    pub score: f64,
    /// Expected progress on `as_of`; `None` for nodes without a cycle.
    pub expected: Option<f64>,
    /// Status against expected progress.
    pub status: Status,
    /// Grade band.
    pub grade: Grade,
    /// Whether any measured value stands behind the score (a score of 0 without data is not a
    /// measured 0).
    pub has_data: bool,
    /// For key results, the value scored: the latest check-in on or before `as_of`, else
    /// `current`; for `aggregate` the aggregated value; for `milestones` the done share.
    /// `None` for objectives, `rollup` key results and key results without data.
    pub value: Option<f64>,
    /// The latest confidence stated on or before `as_of` (key results with check-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Alert signals: `stale`, `low_confidence`, `confidence_drop`, `behind_pace`,
    /// `forecast_miss`.
    pub signals: Vec<&'static str>,
    /// Where the node is heading at the end of its cycle (absent without enough check-ins).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forecast: Option<NodeForecast>,
}

impl Plan {
    /// Scores every node on `as_of` under the plan's own policy (validated when the plan was
    /// built).
    ///
    /// Plans of 65,536 nodes or more are scored by two threads where threads can be started
    /// (not in WebAssembly): one scores the first part of the alignment order, the other the
    /// rest, except the few nodes that read a node of the first part, which follow once both
    /// are done. The report is the same, bit for bit, as a one-thread pass.
    ///
    /// A report gives its score, status and signal columns (10 bytes a node) back to the plan
    /// when dropped, and the plan's next score fills them again instead of asking for fresh
    /// memory: scoring a plan again, for another day, say, maps no new pages. The plan holds
    /// at most one such set ([`Plan::heap_bytes`] counts it). A plan of 65,536 nodes or more
    /// built by two threads is built holding a set, made on a thread the build's layout leaves
    /// idle, so that its first score maps no new pages either.
    ///
    /// In a plan without check-ins, a key result of a kind scored from its value alone
    /// (linear, at least, at most, range, binary, manual) has the same raw score, before the
    /// policy's bounds, on every day: the plan's second score keeps the raw scores it works out
    /// (8 bytes a node, counted by [`Plan::heap_bytes`]), and later scores read them instead
    /// of the value and the rule. On the 4,000,000-node benchmark plan, the score that keeps
    /// them takes 10 to 20 ms longer for it (mostly mapping the new memory), and later ones
    /// about a third less time. The first score works them out for itself only, so a plan
    /// scored once (built, scored, written out) never pays for memory it would not read again.
    pub fn score(&self, as_of: NaiveDate) -> Report {
        compute(self, as_of, self.data.policy.clone())
    }

    /// Scores every node on `as_of` under another policy (for example a higher `cap`).
    pub fn score_with(&self, as_of: NaiveDate, policy: &Policy) -> Result<Report> {
        policy.validate()?;
        Ok(compute(self, as_of, policy.clone()))
    }
}

/// The value a key result scores on day `today`: its latest valued check-in on or before that
/// day, else `current`, else NaN. Milestones: the done share; aggregates: from `aggregates`.
///
/// Only milestones read the rule; the others go by the node's kind byte.
#[inline]
pub(crate) fn value_of(d: &PlanData, p: usize, today: i32, aggregates: &HashMap<u32, f64>) -> f64 {
    match KeyResultKind::ALL.get(usize::from(d.kinds[p])) {
        None | Some(KeyResultKind::Rollup) => f64::NAN,
        Some(KeyResultKind::Aggregate) => aggregates.get(&(p as u32)).copied().unwrap_or(f64::NAN),
        Some(KeyResultKind::Milestones) => {
            let Rule::Milestones { first, len } = d.rule(p) else { return f64::NAN };
            let range = first as usize..(first + len) as usize;
            let (mut done, mut total) = (0.0, 0.0);
            for m in range {
                total += d.ms_weight[m];
                if d.ms_done[m] <= today {
                    done += d.ms_weight[m];
                }
            }
            done / total
        }
        _ => match d.check_ins.latest_valued(p, today) {
            Some(row) => d.check_ins.value[row],
            None => d.current[p],
        },
    }
}

/// Whether [`value_of`] is `current` for every node (NaN for objectives): no check-ins, and no
/// roll-up, aggregate or milestone key results, the kinds whose value is something else.
pub(crate) fn values_are_current(d: &PlanData) -> bool {
    let other =
        [KeyResultKind::Rollup, KeyResultKind::Aggregate, KeyResultKind::Milestones].map(|k| k.code());
    d.check_ins.day.is_empty() && !d.kinds.iter().any(|k| other.contains(k))
}

/// Where the scoring pass splits a large plan that its layout was not cut for (a share of the
/// positions; see [`Pass::split`]): one built where threads were not allowed. The second
/// thread's share is the smaller one because its nodes that read the first share wait, each
/// found by checking its contributors. Measured best between 0.54 and 0.56 on the benchmark
/// organisation (0.45: 18 % slower).
const SPLIT_AT: f64 = 0.55;

/// Where the layout cuts a large plan for the scoring pass (a share of the nodes with
/// contributors, in post-order; see `alignment::inner_order`). The nodes of the second share
/// that read the first are moved out of it, to the end, so the shares take about as long: on
/// the benchmark organisation 0.50 was best (0.45 and 0.55 both 1–1.5 ms slower a pass under
/// `progress: both`; under `auto` 0.55 about 0.5 ms slower).
pub(crate) const CUT_AT: f64 = 0.50;

/// How many nodes a thread of a split pass scores between two looks at whether the other thread,
/// done with its share, asks for part of this one's (see [`Pass::share`]): about 0.1 ms.
const RELAY_STEP: usize = 16_384;

/// The fewest nodes a thread of a split pass hands over: four steps. The asking thread waits up
/// to a step for the answer, and a part of a few steps, shared by the two threads, saves about
/// that much (less the nodes it leaves for later).
const RELAY_MIN: usize = 4 * RELAY_STEP;

/// How many of the `left` nodes a thread of a split pass hands the other, which did `theirs`
/// nodes in the time this one did `mine`: the end of what is left in proportion to the other's
/// speed, so that both finish together, or none when that is under [`RELAY_MIN`].
fn relay_part(left: usize, theirs: usize, mine: usize) -> usize {
    let part = (left as u128 * theirs as u128 / (theirs as u128 + mine as u128).max(1)) as usize;
    if part < RELAY_MIN {
        0
    } else {
        part
    }
}

/// Tests only: relay steps of `step` nodes; the thread of the second share (`second`) or of
/// the first, at its first step at or after position `at`, waits for the other to ask and
/// hands it half of what it has left, whatever its size.
#[derive(Debug, Clone, Copy)]
struct RelayTest {
    step: usize,
    second: bool,
    at: usize,
}

/// Tests only: how many parts threads of split passes have handed over.
#[cfg(test)]
static GIVEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(test)]
thread_local! {
    /// The [`RelayTest`] for the passes that this thread starts.
    static RELAY_TEST: std::cell::Cell<Option<RelayTest>> = const { std::cell::Cell::new(None) };
}

/// How many of the deferred nodes at the end of a split plan are scored at a time, after their
/// contributors before them are read into cache (see [`Pass::split`]).
const DEFERRED_BLOCK: usize = 256;

/// The nodes before a cut plan's deferred block ([`PlanData::split`]) that the block's
/// contributor entries name, for a pass that reads its nodes' aligned children to score the
/// block from copies of them (see [`Pass::block_from_copies`]). Made on the first such pass
/// ([`PlanData::block_reads`]), only for a block of plain key results and objectives, the
/// nodes the short path scores.
///
/// Such nodes lie anywhere in the plan: at 1M objectives the block's 16,000 objectives read
/// some 70,000 of them, each a cache miss and, over a 32 MB score column in 4 KB pages, an
/// address translation missed too. Read in position order, a page's nodes come together.
#[derive(Debug, Clone)]
pub(crate) struct BlockReads {
    /// The nodes read, by position: sorted, each once.
    sources: Vec<u32>,
    /// The block's contributor entries, from the block's first (`first_entry`): a node in the
    /// block as its position, a node before it as `copies + k`, where `sources[k]` is the node
    /// and `copies` (the block's start less the number of sources) is where the pass puts the
    /// copies, in the positions just before the block.
    src: Vec<u32>,
    first_entry: usize,
}

impl BlockReads {
    /// The reads of the plan's deferred block, or `None` when the plan was not cut, or its
    /// block is empty or holds a node the short path does not score.
    pub(crate) fn of(d: &PlanData) -> Option<BlockReads> {
        let (n, start) = (d.len(), d.split?.deferred);
        if start >= n || !d.kinds[start..].iter().all(|&k| k == OBJECTIVE || is_plain(k)) {
            return None;
        }
        let c = &d.contributors;
        let first_entry = c.offsets[start] as usize;
        let entries = &c.src[first_entry..c.offsets[n] as usize];
        // A bit per position before the block marks the nodes read; a node's number among them
        // is a count of the bits before it (a count per word, then the word's own bits).
        const WORD: usize = u64::BITS as usize;
        let mut read = vec![0u64; start.div_ceil(WORD)];
        for &s in entries.iter().filter(|&&s| (s as usize) < start) {
            read[s as usize / WORD] |= 1 << (s as usize % WORD);
        }
        let mut before = Vec::with_capacity(read.len());
        let mut sources = Vec::new();
        for (k, &w) in read.iter().enumerate() {
            before.push(sources.len() as u32);
            let mut bits = w;
            while bits != 0 {
                sources.push((k * WORD) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        let copies = (start - sources.len()) as u32;
        let src = entries
            .iter()
            .map(|&s| {
                let (w, bit) = (s as usize / WORD, s as usize % WORD);
                if (s as usize) < start {
                    copies + before[w] + (read[w] & ((1u64 << bit) - 1)).count_ones()
                } else {
                    s
                }
            })
            .collect();
        Some(BlockReads { sources, src, first_entry })
    }

    /// Heap bytes held.
    pub(crate) fn bytes(&self) -> usize {
        (self.sources.capacity() + self.src.capacity()) * 4
    }
}

fn compute(plan: &Plan, as_of: NaiveDate, policy: Policy) -> Report {
    let n = plan.data.len();
    // The split the layout was cut for, if any (see `PlanData::split`).
    let split = crate::parallel::worth_splitting(n)
        .then(|| plan.data.split.map_or((n as f64 * SPLIT_AT) as usize, |s| s.second));
    compute_split(plan, as_of, policy, split, true).0
}

/// Scores with two threads split at position `split` (see [`Pass::split`]), or with one;
/// `shortcuts: false` sends every node down the general path (for tests of the short one).
/// `false` beside the report when a split was asked for and failed (a thread panicked), and one
/// thread scored the plan instead: tests check that it never happens.
fn compute_split(
    plan: &Plan,
    as_of: NaiveDate,
    policy: Policy,
    split: Option<usize>,
    shortcuts: bool,
) -> (Report, bool) {
    let d: &PlanData = &plan.data;
    let n = d.len();
    let today = day(as_of);
    let expected: Vec<f64> = d.cycles.iter().map(|c| expected_days(c.start_day, c.end_day, today)).collect();
    let pace: Vec<CyclePace> =
        std::iter::once(CyclePace { pace: Pace::new(None, false), stale_without_log: false })
            .chain(d.cycles.iter().zip(&expected).map(|(c, &e)| CyclePace {
                pace: Pace::new(Some(e), today < c.start_day),
                stale_without_log: today - c.start_day > policy.stale_after_days as i32,
            }))
            .collect();
    let logged = !d.check_ins.day.is_empty();
    let short = shortcuts && !logged;
    // The raw scores the plan keeps; else this pass works them out, and from the plan's second
    // short pass on keeps them for the next ones: a plan scored once (built, scored, written
    // out) never writes them.
    let kept = d.raw_scores.get().filter(|_| short);
    let keep = short && kept.is_none() && d.short_passes.set(()).is_err();
    let raw = if keep { zeroed_column(n) } else { Vec::new() };
    let kept = kept.map_or(&[][..], Vec::as_slice);
    #[cfg(test)]
    let relay_test = RELAY_TEST.with(std::cell::Cell::get);
    #[cfg(not(test))]
    let relay_test = None;
    let pass = Pass {
        d,
        today,
        pace,
        cuts: Cuts::of(&policy),
        logged,
        policy: &policy,
        short,
        raw: kept,
        relay_test,
    };
    // Forecast scores are only possible with check-ins.
    let forecasting = pass.logged;
    crate::phase::phase("score start");
    // A dropped report's columns, if any (every pass writes every node's slots), else new ones.
    let Spare { scores, flags, signals } = d.spare.take(n).unwrap_or_else(|| Spare {
        scores: zeroed_column(n),
        flags: vec![Flags(0); n],
        signals: vec![0; n],
    });
    let forecast_scores = if forecasting { vec![f64::NAN; n] } else { Vec::new() };
    let mut out = Columns { scores, flags, signals, forecast_scores, raw };
    crate::phase::phase("score columns");
    let mut side = Side::default();
    let split_done = split.is_some_and(|m| pass.split(&mut out, &mut side, m.min(n)));
    if !split_done {
        // One thread (or a failed split, which may have written any slot: every node's slots
        // are written again, and forecast scores, written for some nodes only, start again).
        if split.is_some() {
            out.forecast_scores.fill(f64::NAN);
            side = Side::default();
        }
        let mut slots = out.slots(0, n, forecasting);
        pass.run(0..n, &mut slots, &mut side);
    }
    if !out.raw.is_empty() {
        // Another thread's first score of the plan may have kept the same numbers first.
        let _ = d.raw_scores.set(out.raw);
    }
    let report = Report {
        plan: plan.clone(),
        as_of,
        policy,
        scores: out.scores,
        flags: out.flags,
        aggregates: side.aggregates,
        expected,
        signals: out.signals,
        forecasts: side.forecasts,
        forecast_scores: out.forecast_scores,
    };
    (report, split_done || split.is_none())
}

/// The size from which glibc always maps an allocation afresh. Its threshold for fresh mappings
/// starts at 128 KiB and rises, up to this, as large blocks are freed; below the threshold, a
/// zeroed block may be carved from memory glibc keeps, which `calloc` then clears itself.
const FRESH_MAPPING_BYTES: usize = 32 << 20;

/// `n` zeros for a pass's threads to overwrite, from memory that needs no clearing when the
/// column is large.
///
/// A column of 16 to 32 MiB (2 to 4 million nodes) may otherwise be cleared by `calloc` on the
/// calling thread, page by page, before the pass starts its second thread: 16-18 ms of a
/// 1M-objective plan's first score through Python (after a numpy script had freed large
/// arrays), against 0.3 ms for a fresh mapping, whose pages are zero already and are mapped by
/// whichever thread first writes them. Such a column is asked for at the size that is always
/// mapped afresh; the tail past `n` is never touched, so it takes address space but no memory.
/// Freeing it unmaps it: about 2 ms at 4M nodes, where a block from the heap was only handed
/// back. Other allocators (WebAssembly's, macOS's, musl's) get the column's own size.
fn zeroed_column(n: usize) -> Vec<f64> {
    let floor = FRESH_MAPPING_BYTES / 8;
    if !cfg!(all(target_os = "linux", target_env = "gnu")) || n < floor / 2 || n >= floor {
        return vec![0.0; n];
    }
    let mut v = vec![0.0; floor];
    v.truncate(n);
    v
}

/// `n` copies of `value` with every page written, so that whoever fills the column next maps
/// no memory: `resize` writes every element, even a zero one, where `vec![0; n]` may leave a
/// large column's fresh pages unmapped until first use (see [`zeroed_column`], which wants
/// that).
pub(crate) fn mapped_column<T: Clone>(n: usize, value: T) -> Vec<T> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, value);
    v
}

/// What a node's cycle says on the day scored.
struct CyclePace {
    pace: Pace,
    stale_without_log: bool,
}

/// The per-node results of a scoring pass, one entry per position.
struct Columns {
    scores: Vec<f64>,
    flags: Vec<Flags>,
    signals: Vec<u8>,
    /// Empty when the plan has no check-ins.
    forecast_scores: Vec<f64>,
    /// The raw scores this pass works out for the plan to keep ([`PlanData::raw_scores`]):
    /// empty unless the pass takes the short path and the plan keeps none yet.
    raw: Vec<f64>,
}

impl Columns {
    /// Positions `from..to` to write, indexed by position (`base` = `from`).
    fn slots(&mut self, from: usize, to: usize, forecasting: bool) -> Slots<'_> {
        Slots {
            base: from,
            scores: &mut self.scores[from..to],
            flags: &mut self.flags[from..to],
            signals: &mut self.signals[from..to],
            forecast_scores: if forecasting { &mut self.forecast_scores[from..to] } else { &mut [] },
            raw: if self.raw.is_empty() { &mut [] } else { &mut self.raw[from..to] },
            done: Done::default(),
        }
    }
}

/// A window of [`Columns`] starting at position `base`: one thread's share of the pass.
#[derive(Default)]
struct Slots<'a> {
    base: usize,
    scores: &'a mut [f64],
    flags: &'a mut [Flags],
    signals: &'a mut [u8],
    forecast_scores: &'a mut [f64],
    /// Empty unless the pass works out the raw scores (see [`Columns`]).
    raw: &'a mut [f64],
    /// Nodes before the window that are done, for a window of the second thread's kind
    /// (`TAIL`) to read when a contributor lies outside it: the part of a window that its
    /// thread kept when it handed the rest over (see [`Pass::share`]); else empty.
    done: Done<'a>,
}

impl<'a> Slots<'a> {
    /// How many positions the window spans.
    fn len(&self) -> usize {
        self.scores.len()
    }

    /// The window's first `at` positions and the rest (each keeping `done`).
    fn split_at(self, at: usize) -> (Slots<'a>, Slots<'a>) {
        // Columns a pass does not write are empty in every window.
        fn cut<T>(v: &mut [T], at: usize) -> (&mut [T], &mut [T]) {
            if v.is_empty() {
                (&mut [], &mut [])
            } else {
                v.split_at_mut(at)
            }
        }
        let (s0, s1) = cut(self.scores, at);
        let (f0, f1) = cut(self.flags, at);
        let (g0, g1) = cut(self.signals, at);
        let (h0, h1) = cut(self.forecast_scores, at);
        let (r0, r1) = cut(self.raw, at);
        let done = self.done;
        (
            Slots { base: self.base, scores: s0, flags: f0, signals: g0, forecast_scores: h0, raw: r0, done },
            Slots {
                base: self.base + at,
                scores: s1,
                flags: f1,
                signals: g1,
                forecast_scores: h1,
                raw: r1,
                done,
            },
        )
    }
}

/// Scores and flags of nodes done, from position `base`, for reading only.
#[derive(Default, Clone, Copy)]
struct Done<'a> {
    base: usize,
    scores: &'a [f64],
    flags: &'a [Flags],
}

impl<'a> Done<'a> {
    /// The done part of a window: all of it.
    fn of(window: Slots<'a>) -> Done<'a> {
        Done { base: window.base, scores: window.scores, flags: window.flags }
    }

    /// Node `p`'s score and flags, if it is one of these.
    #[cold]
    fn get(&self, p: usize) -> Option<(f64, Flags)> {
        let i = p.checked_sub(self.base)?;
        Some((*self.scores.get(i)?, *self.flags.get(i)?))
    }
}

/// The part of its share that a thread of a split pass hands the other (see [`Pass::share`]).
struct Part<'s, 'c> {
    out: Slots<'s>,
    copies: Copies<'c>,
}

/// What a thread of a split pass leaves: results kept for some nodes, the nodes left for
/// later (they read a node not done when they were reached), and the copies for the deferred
/// block that such nodes kept from being taken.
struct Shared<'a> {
    side: Side,
    later: Vec<u32>,
    pending: Vec<Copies<'a>>,
}

/// Copies of nodes that a cut plan's deferred block reads before it ([`BlockReads`]), taken
/// by a thread of a split pass from its share once done: `scores` and `flags` are filled
/// from the nodes at positions `sources`.
#[derive(Default)]
struct Copies<'a> {
    sources: &'a [u32],
    scores: &'a mut [f64],
    flags: &'a mut [Flags],
}

impl<'a> Copies<'a> {
    /// Fills the copies from `from`, a window holding every source, or its done nodes.
    fn take(&mut self, from: &Slots<'_>) {
        for ((&s, score), flag) in self.sources.iter().zip(self.scores.iter_mut()).zip(self.flags.iter_mut())
        {
            let i = (s as usize).wrapping_sub(from.base);
            (*score, *flag) = match (from.scores.get(i), from.flags.get(i)) {
                (Some(&score), Some(&flag)) => (score, flag),
                _ => from.done.get(s as usize).unwrap_or((f64::NAN, Flags(WAITING))),
            };
        }
    }

    /// The copies of the sources before position `p`, and the rest.
    fn split_at_position(self, p: usize) -> (Copies<'a>, Copies<'a>) {
        let k = self.sources.partition_point(|&s| (s as usize) < p);
        let (a, b) = self.sources.split_at(k);
        let (sa, sb) = self.scores.split_at_mut(k);
        let (fa, fb) = self.flags.split_at_mut(k);
        (Copies { sources: a, scores: sa, flags: fa }, Copies { sources: b, scores: sb, flags: fb })
    }
}

/// Results kept only for some nodes, by position.
#[derive(Default)]
struct Side {
    aggregates: HashMap<u32, f64>,
    forecasts: HashMap<u32, Forecast>,
}

/// The code of [`Status::Achieved`].
const ACHIEVED: u8 = Status::Achieved as u8;

/// Kinds (a bit per [`KeyResultKind::code`]) whose score is a formula of the value alone.
const PLAIN: u32 = 1 << KeyResultKind::Linear as u32
    | 1 << KeyResultKind::AtLeast as u32
    | 1 << KeyResultKind::AtMost as u32
    | 1 << KeyResultKind::Range as u32
    | 1 << KeyResultKind::Binary as u32
    | 1 << KeyResultKind::Manual as u32;

/// One scoring pass: the plan, the day and the policy.
struct Pass<'a> {
    d: &'a PlanData,
    today: i32,
    /// Per cycle, slot 0 for "no cycle".
    pace: Vec<CyclePace>,
    cuts: Cuts,
    logged: bool,
    policy: &'a Policy,
    /// Whether plain key results and objectives take the short path ([`Pass::short_run`]):
    /// the plan has no check-ins, and the caller allows it.
    short: bool,
    /// Tests only: how the threads of a split pass hand work over ([`RelayTest`]).
    relay_test: Option<RelayTest>,
    /// The raw scores the plan keeps ([`PlanData::raw_scores`]) when the pass takes the short
    /// path and they exist; else empty (the pass works them out, into [`Slots::raw`] when it
    /// keeps them).
    raw: &'a [f64],
}

impl Pass<'_> {
    /// Whether node `p` reads no other node's result (a key result that is not a roll-up or an
    /// aggregate).
    #[inline]
    fn is_leaf(&self, p: usize) -> bool {
        let k = self.d.kinds[p];
        k != OBJECTIVE && k != KeyResultKind::Rollup.code() && k != KeyResultKind::Aggregate.code()
    }

    /// Scores the plan with two threads: the first scores positions `0..m` in order, the second
    /// positions `m..end` in order except the nodes that read a node before `m` (directly or
    /// through another such node); this thread scores those last, in order, then the positions
    /// `end..` (the plan's deferred block, [`PlanData::split`]; none when the layout was not cut).
    /// Every node reads only nodes before it, so the result is the sequential pass's. A thread
    /// done with its share first takes over the end of the other's ([`Pass::share`]).
    ///
    /// In a topological layout subtrees are contiguous: only the nodes above the split point,
    /// and those with an alignment across it, read the first share (about 15,000 of 4,000,000
    /// in the benchmark organisation under `progress: both`). A layout cut at `m` has moved them
    /// all to the deferred block, which is scored a block of [`DEFERRED_BLOCK`] nodes at a time,
    /// each block's contributors before it read into cache first. Scored one by one where they
    /// lay, each had been a string of cache misses: 4.2–4.6 ms of a 17.5 ms pass, against
    /// 2.3–2.6 ms for the block. `false` (and nothing reliable written) if a thread failed.
    fn split(&self, out: &mut Columns, side: &mut Side, m: usize) -> bool {
        let n = out.scores.len();
        let forecasting = !out.forecast_scores.is_empty();
        // The second share ends where the layout's deferred block starts (see `inner_order`):
        // nodes there read the first share, and would only wait, after reading contributors that
        // lie anywhere in the plan.
        let end = self.d.split.map_or(n, |s| s.deferred).clamp(m, n);
        // A pass that reads the aligned children of the deferred block's objectives scores the
        // block from copies of the nodes it reads before it ([`Pass::block_from_copies`]); each
        // thread copies those in its share once it is done with it. (An objective's own driver
        // may differ from the policy's: the copies serve any driver. The policy's tells whether
        // copies pay: under `auto` an objective with key results reads them alone.)
        let reads_children = matches!(self.policy.progress, ProgressDriver::Both | ProgressDriver::Children);
        let reads =
            (reads_children && self.short && end < n && self.d.split.is_some_and(|s| s.deferred == end))
                .then(|| self.d.block_reads())
                .flatten();
        let (mut copied_scores, mut copied_flags) = match reads {
            Some(r) => (vec![0.0; r.sources.len()], vec![Flags(0); r.sources.len()]),
            None => (Vec::new(), Vec::new()),
        };
        let sources = reads.map_or(&[][..], |r| &r.sources[..]);
        let copies = Copies { sources, scores: &mut copied_scores, flags: &mut copied_flags };
        let (copies_first, copies_second) = copies.split_at_position(m);
        // Positions `..m` and `m..end`.
        let (first, second) = out.slots(0, end, forecasting).split_at(m);
        let relay = crate::parallel::Relay::default();
        let joined = crate::parallel::join_told(
            |beside| self.share::<true>(m..end, second, copies_second, (&relay, beside)),
            |beside| self.share::<false>(0..m, first, copies_first, (&relay, beside)),
        );
        crate::phase::phase("score threads");
        let Ok((tail, head)) = joined else { return false };
        *side = head.side;
        side.aggregates.extend(tail.side.aggregates);
        side.forecasts.extend(tail.side.forecasts);
        let mut later = head.later;
        later.extend(tail.later);
        later.sort_unstable();
        // The few nodes that waited (on a leaf of the first share, or any node when the layout
        // was not cut, or on the part of a share its thread kept when it handed the rest over)
        // are scored one by one, in order, then the deferred block in order, a block of nodes
        // at a time.
        let mut all = out.slots(0, n, forecasting);
        for &p in &later {
            self.node(p as usize, &mut all, side);
        }
        for mut copies in head.pending.into_iter().chain(tail.pending) {
            copies.take(&all);
        }
        if let Some(reads) = reads {
            if self.block_from_copies(reads, (copied_scores, copied_flags), out, end) {
                crate::phase::phase("score later");
                return true;
            }
        }
        let c = &self.d.contributors;
        let mut at = end;
        while at < n {
            let to = (at + DEFERRED_BLOCK).min(n);
            // The block's contributors before it lie anywhere in the plan: reading them first, in
            // a loop whose reads are independent, brings them into cache with many misses in
            // flight, where the scoring loop would meet them a few at a time. Only the entries
            // each node reads: under `auto` an objective with key results of its own reads them
            // alone, and they lie just before it (reading its children too cost 1.5 ms a pass).
            let mut sink = 0u64;
            for p in at..to {
                let k = self.d.kinds[p];
                let e = if k == OBJECTIVE {
                    let driver = Rule::driver_of(self.d.rule_bytes[p]).unwrap_or(self.policy.progress);
                    c.driven(p, driver)
                } else if self.is_leaf(p) {
                    continue;
                } else {
                    c.all(p)
                };
                for &s in &c.src[e] {
                    let s = s as usize;
                    if s < at {
                        sink ^= out.scores[s].to_bits() ^ u64::from(out.flags[s].0);
                    }
                }
            }
            std::hint::black_box(sink);
            self.window::<false>(0..to, at, &mut out.slots(0, to, forecasting), side, &mut Vec::new());
            at = to;
        }
        crate::phase::phase("score later");
        true
    }

    /// Scores the deferred block, positions `start..` (every node a plain key result or an
    /// objective, [`BlockReads::of`]), once every node before it is scored: the nodes it reads
    /// before it are copied, in position order, into the positions just before it (whose own
    /// results are set aside and put back after), and the block is scored reading its
    /// contributors through [`BlockReads::src`], which names the copies. Its reads then fall in
    /// a few hundred kilobytes next to the block instead of anywhere in the plan. `false` when
    /// the short path left a node (the columns are then as they were, the block's slots aside).
    fn block_from_copies(
        &self,
        reads: &BlockReads,
        (mut scores, mut flags): (Vec<f64>, Vec<Flags>),
        out: &mut Columns,
        start: usize,
    ) -> bool {
        let n = out.scores.len();
        let copies = start - reads.sources.len();
        out.scores[copies..start].swap_with_slice(&mut scores);
        out.flags[copies..start].swap_with_slice(&mut flags);
        let mut window = out.slots(copies, n, false);
        let src = (&reads.src[..], reads.first_entry);
        let left = self.short_run::<false>(copies..n, start - copies, &mut window, &mut Vec::new(), src);
        out.scores[copies..start].copy_from_slice(&scores);
        out.flags[copies..start].copy_from_slice(&flags);
        left == n - copies
    }

    /// One thread of a split pass ([`Pass::split`]): scores positions `range` through `out`,
    /// with `TAIL` as the second share (a node reading one before the range waits, as in
    /// [`Pass::window`]), a [`RELAY_STEP`] of nodes at a time. Between steps, if the other
    /// thread has finished its share and asks, it hands it the end of what it has left, in
    /// proportion to how far each has got in the same time (at least [`RELAY_MIN`] nodes): the
    /// nodes there read this thread's done nodes through [`Slots::done`], and those reading the
    /// part this thread kept wait for later. Done, it asks for the end of the other's share in
    /// turn. The copies the deferred block reads are taken as each part is done, or left
    /// pending where nodes waited.
    ///
    /// On this machine one core often runs at about two thirds of the other's speed for a
    /// while: one share then took 18–22 ms and the other 12–13 ms, the pass waiting on the
    /// slower.
    fn share<'s, 'c, const TAIL: bool>(
        &self,
        range: std::ops::Range<usize>,
        mut out: Slots<'s>,
        mut copies: Copies<'c>,
        (relay, beside): (&crate::parallel::Relay<Part<'s, 'c>>, bool),
    ) -> Shared<'c> {
        let _entered = relay.enter(beside);
        let mut shared = Shared { side: Side::default(), later: Vec::new(), pending: Vec::new() };
        let (start, mut end, mut at) = (range.start, range.end, range.start);
        let step = self.relay_test.map_or(RELAY_STEP, |t| t.step);
        // Whether the window's nodes may read ones outside it, in `done`.
        let mut tail = TAIL;
        while at < end {
            let to = (at + step).min(end);
            if tail {
                self.window::<true>(
                    out.base..to,
                    at - out.base,
                    &mut out,
                    &mut shared.side,
                    &mut shared.later,
                );
            } else {
                self.window::<false>(
                    out.base..to,
                    at - out.base,
                    &mut out,
                    &mut shared.side,
                    &mut Vec::new(),
                );
            }
            at = to;
            // Tests hand over at a chosen step, half of what is left.
            let forced = self.relay_test.filter(|t| t.second == TAIL && at >= t.at && at < end);
            if forced.is_some() {
                relay.await_question();
            }
            if at < end && (forced.is_some() || (self.relay_test.is_none() && relay.asked())) {
                relay.answer(|done| {
                    let left = end - at;
                    let give = match forced {
                        Some(_) => left / 2,
                        None => relay_part(left, done, at - start),
                    };
                    if give == 0 {
                        return None;
                    }
                    let (x, done_here) = (end - give, at - out.base);
                    let (before, rest) = std::mem::take(&mut out).split_at(done_here);
                    let (mut kept, mut given) = rest.split_at(x - at);
                    let done = Done::of(before);
                    (kept.done, given.done) = (done, done);
                    let (mine, theirs) = std::mem::take(&mut copies).split_at_position(x);
                    (out, copies, end, tail) = (kept, mine, x, true);
                    #[cfg(test)]
                    GIVEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    Some(Part { out: given, copies: theirs })
                });
            }
        }
        let waited = !shared.later.is_empty();
        Self::take_copies(copies, &out, waited, &mut shared.pending);
        if let Some(Part { out: mut part, copies }) = relay.ask(at - start) {
            let before = shared.later.len();
            let range = part.base..part.base + part.len();
            self.window::<true>(range, 0, &mut part, &mut shared.side, &mut shared.later);
            Self::take_copies(copies, &part, shared.later.len() > before, &mut shared.pending);
        }
        shared
    }

    /// Takes `copies` from `from`, unless nodes there `waited`: then they are left in
    /// `pending`, for after those nodes are scored.
    fn take_copies<'a>(
        mut copies: Copies<'a>,
        from: &Slots<'_>,
        waited: bool,
        pending: &mut Vec<Copies<'a>>,
    ) {
        if waited {
            pending.push(copies);
        } else {
            copies.take(from);
        }
    }

    /// Scores the nodes of `range` in order into `out`.
    fn run(&self, range: std::ops::Range<usize>, out: &mut Slots<'_>, side: &mut Side) {
        self.window::<false>(range, 0, out, side, &mut Vec::new());
    }

    /// Scores the nodes of `range` (which starts at `out.base` and lies in `out`) in order, from
    /// window index `from` (the nodes before it are done). With `TAIL`, a node reading a node
    /// before the range (and, on the short path, not in `out.done`), or a waiting one, waits
    /// instead: it is marked [`WAITING`] and pushed to `later`.
    ///
    /// Without a check-in log, runs of plain key results and objectives go through a loop over
    /// the window's slices of every column it reads or writes, so that a node's reads and
    /// writes need no bounds checks; other nodes leave it for [`Pass::general`].
    fn window<const TAIL: bool>(
        &self,
        range: std::ops::Range<usize>,
        from: usize,
        out: &mut Slots<'_>,
        side: &mut Side,
        later: &mut Vec<u32>,
    ) {
        let (d, lo) = (self.d, range.start);
        let c = &d.contributors;
        debug_assert!(lo == out.base && range.len() <= out.scores.len());
        let n = range.len();
        let mut i = from;
        while i < n {
            if self.short {
                i = self.short_run::<TAIL>(range.clone(), i, out, later, (&c.src, 0));
                if i == n {
                    break;
                }
            }
            let p = lo + i;
            if TAIL && !self.is_leaf(p) && !ready(c.all(p), c, lo, out.flags) {
                out.flags[i] = Flags(WAITING);
                later.push(p as u32);
            } else {
                self.general(p, out, side);
            }
            i += 1;
        }
    }

    /// [`Pass::window`]'s loop for plain key results and objectives in a plan without check-ins,
    /// from window index `i`; returns the index of the first node it leaves (`range.len()` when
    /// none). Reads the raw scores the plan keeps, or works them out: into `out.raw` when the
    /// pass keeps them, else for this pass only (a plan's first short pass).
    ///
    /// An objective's contributors are read through `sources`, the plan's contributor sources
    /// from entry `first_entry` on: the plan's own from 0, or [`BlockReads::src`] for the
    /// deferred block with copies of the nodes it reads before it.
    #[inline(always)]
    fn short_run<const TAIL: bool>(
        &self,
        range: std::ops::Range<usize>,
        i: usize,
        out: &mut Slots<'_>,
        later: &mut Vec<u32>,
        (sources, first_entry): (&[u32], usize),
    ) -> usize {
        let src = (sources, first_entry);
        if !out.raw.is_empty() {
            self.short_loop::<TAIL, true, true>(range, i, out, later, src)
        } else if self.raw.is_empty() {
            self.short_loop::<TAIL, true, false>(range, i, out, later, src)
        } else {
            self.short_loop::<TAIL, false, false>(range, i, out, later, src)
        }
    }

    /// [`Pass::short_run`], reading the plan's raw scores, or with `FILL` working them out from
    /// the value and the rule, and with `KEEP` also writing them to `out.raw`.
    #[inline(always)]
    fn short_loop<const TAIL: bool, const FILL: bool, const KEEP: bool>(
        &self,
        range: std::ops::Range<usize>,
        mut i: usize,
        out: &mut Slots<'_>,
        later: &mut Vec<u32>,
        (sources, first_entry): (&[u32], usize),
    ) -> usize {
        let (d, policy, lo) = (self.d, self.policy, range.start);
        let c = &d.contributors;
        let kinds = &d.kinds[range.clone()];
        let n = kinds.len();
        let raw = if FILL {
            &[][..]
        } else {
            // Kept whenever the pass is short and does not fill them (else the general path).
            let Some(raw) = self.raw.get(range.clone()) else { return i };
            raw
        };
        let (current, numbers) = if FILL {
            (&d.current[range.clone()], &d.rule_numbers[range.clone()])
        } else {
            (&[][..], &[][..])
        };
        let bytes = &d.rule_bytes[range.clone()];
        // With one cycle for every node, the plan keeps no column of cycles to read.
        let single = d.single_cycle;
        let cycles = if single.is_some() { &[][..] } else { &d.cycle_of[range.clone()] };
        let own_end = &c.own_end[range.clone()];
        let offsets = &c.offsets[lo..range.end + 1];
        let (scores, flags, signals) = (&mut out.scores[..n], &mut out.flags[..n], &mut out.signals[..n]);
        let fill = if KEEP { &mut out.raw[..n] } else { &mut [][..] };
        while i < n {
            let k = kinds[i];
            let (score, st, has, bits) = if is_plain(k) {
                let r = if FILL {
                    let v = current[i];
                    let r = if v.is_nan() {
                        f64::from_bits(NO_VALUE)
                    } else {
                        packed_value_score(k, numbers[i], bytes[i], v)
                    };
                    if KEEP {
                        fill[i] = r;
                    }
                    r
                } else {
                    raw[i]
                };
                let (score, has) =
                    if r.to_bits() == NO_VALUE { (0.0, false) } else { (policy.bound(r), true) };
                let (at, st) = self.pace_at(single.unwrap_or_else(|| cycles[i]), score);
                // Stale when the cycle is old and the key result not achieved, without a branch.
                (score, st, has, STALE * u8::from(at.stale_without_log & (st != ACHIEVED)))
            } else if k == OBJECTIVE {
                let (a, b) = (offsets[i] as usize, offsets[i + 1] as usize);
                // Objectives' rule byte is their driver.
                let driver = Rule::driver_of(bytes[i]).unwrap_or(policy.progress);
                let e = Contributors::driven_of(a, own_end[i] as usize, b, driver);
                let src = &sources[e.start - first_entry..e.end - first_entry];
                let mean = mean_over::<TAIL>(e, src, c, lo, (scores, flags, &out.done));
                // On the second thread an objective reads only the contributors that drive it:
                // it waits when one of them lies before the window or waits.
                let Some((score, has)) = mean else {
                    flags[i] = Flags(WAITING);
                    later.push((lo + i) as u32);
                    i += 1;
                    continue;
                };
                (score, self.pace_at(single.unwrap_or_else(|| cycles[i]), score).1, has, 0)
            } else {
                return i;
            };
            (scores[i], flags[i], signals[i]) = self.outcome(score, st, has, bits);
            i += 1;
        }
        n
    }

    /// Scores node `p` into `out`, reading the nodes it rolls up from `out` (they come before
    /// it, so a window holding `p` holds them when it starts at 0, and a leaf reads none).
    /// Without a check-in log, plain key results and objectives take the short path.
    fn node(&self, p: usize, out: &mut Slots<'_>, side: &mut Side) {
        let i = p - out.base;
        // The short path over the window from the base to `p`, starting at `p`.
        let own = (&self.d.contributors.src[..], 0);
        if !self.short || self.short_run::<false>(out.base..p + 1, i, out, &mut Vec::new(), own) == i {
            self.general(p, out, side);
        }
    }

    /// Node `p`'s cycle on the day scored, and the code of its status at `score`.
    #[inline(always)]
    fn pace_of(&self, p: usize, score: f64) -> (&CyclePace, u8) {
        self.pace_at(self.d.cycle(p), score)
    }

    /// Cycle `cycle` ([`NONE`] for none) on the day scored, and the code of a node's status in
    /// it at `score`.
    #[inline(always)]
    fn pace_at(&self, cycle: u32, score: f64) -> (&CyclePace, u8) {
        // Slot 0 of the per-cycle table is "no cycle": one load instead of a branch.
        let at = &self.pace[cycle.wrapping_add(1) as usize];
        (at, at.pace.status_code(score, &self.cuts))
    }

    /// Writes node `p`'s score, status (`st`, a code), grade, has-data and signals (`bits`,
    /// plus behind-pace from the status).
    #[inline(always)]
    fn write(&self, p: usize, out: &mut Slots<'_>, score: f64, st: u8, has: bool, bits: u8) {
        let i = p - out.base;
        (out.scores[i], out.flags[i], out.signals[i]) = self.outcome(score, st, has, bits);
    }

    /// A node's score, flags (status code `st`, grade, has-data) and signals (`bits`, plus
    /// behind-pace from the status), as written to the report's columns.
    #[inline(always)]
    fn outcome(&self, score: f64, st: u8, has: bool, bits: u8) -> (f64, Flags, u8) {
        // At risk and off track are consecutive codes (asserted in `pace`): one comparison.
        let behind = BEHIND_PACE * u8::from(st.wrapping_sub(Status::AtRisk.code()) < 2);
        (score, Flags::new(st, self.cuts.grade(score), has), bits | behind)
    }

    /// Scores node `p` into `out`: any kind, any plan.
    #[inline]
    fn general(&self, p: usize, out: &mut Slots<'_>, side: &mut Side) {
        let (d, today, policy) = (self.d, self.today, self.policy);
        let c = &d.contributors;
        let base = out.base;
        let rule = &d.rule(p);
        let (score, has) = match *rule {
            Rule::Objective { driver, .. } => {
                weighted_mean(c.driven(p, driver.unwrap_or(policy.progress)), c, out)
            }
            Rule::Rollup => weighted_mean(c.all(p), c, out),
            Rule::Aggregate { op, .. } => {
                let mut agg = Aggregator::new(op);
                for e in c.all(p) {
                    let v = value_of(d, c.src[e] as usize, today, &side.aggregates);
                    if !v.is_nan() {
                        agg.push(v);
                    }
                }
                match agg.finish() {
                    Some(v) => {
                        side.aggregates.insert(p as u32, v);
                        (policy.bound(value_score(rule, v)), true)
                    }
                    None => (0.0, false),
                }
            }
            Rule::Milestones { .. } => (policy.bound(value_of(d, p, today, &side.aggregates)), true),
            _ => {
                // Without a check-in log the value is `current` (NaN when absent).
                let v = if self.logged { value_of(d, p, today, &side.aggregates) } else { d.current[p] };
                if v.is_nan() {
                    (0.0, false)
                } else if let Rule::Piecewise { first, len } = *rule {
                    let pts = &d.points[first as usize..(first + len) as usize];
                    (policy.bound(piecewise(pts, v)), true)
                } else {
                    (policy.bound(value_score(rule, v)), true)
                }
            }
        };
        let cycle = d.cycle(p);
        let (at, st) = self.pace_of(p, score);
        let mut bits = 0;
        let forecasting = !out.forecast_scores.is_empty();
        // Milestones have no check-ins of their own: no check-in signals, no forecast.
        if self.is_leaf(p) && d.kinds[p] != KeyResultKind::Milestones.code() {
            bits |= if self.logged {
                check_in_signals(d, p, today, cycle, st == ACHIEVED, policy)
            } else if at.stale_without_log && st != ACHIEVED {
                // No check-in log at all: stale once the cycle is more than `stale_after_days` old.
                STALE
            } else {
                0
            };
            if forecasting && cycle != NONE {
                if let Some(f) = forecast_of(d, p, today, cycle as usize, policy) {
                    out.forecast_scores[p - base] = f.score;
                    if f.score < policy.success_at - Policy::TOLERANCE {
                        bits |= FORECAST_MISS;
                    }
                    side.forecasts.insert(p as u32, f);
                }
            }
        } else if forecasting {
            // Objectives and roll-ups: contributors' forecasts (or scores) rolled up like scores.
            let range = match *rule {
                Rule::Objective { driver, .. } => c.driven(p, driver.unwrap_or(policy.progress)),
                Rule::Rollup => c.all(p),
                _ => 0..0,
            };
            let fs = &out.forecast_scores;
            let any = range.clone().any(|e| !fs[c.src[e] as usize - base].is_nan());
            if any {
                let (mut sw, mut sws) = (0.0, 0.0);
                for e in range {
                    let s = c.src[e] as usize - base;
                    let f = if fs[s].is_nan() { out.scores[s] } else { fs[s] };
                    let w = c.weight.get(e);
                    sw += w;
                    sws += w * f;
                }
                out.forecast_scores[p - base] = sws / sw;
                if sws / sw < policy.success_at - Policy::TOLERANCE {
                    bits |= FORECAST_MISS;
                }
            }
        }
        self.write(p, out, score, st, has, bits);
    }
}

/// Stale, low-confidence and confidence-drop signals of a key result.
/// (Plans without any check-in are handled by the caller, per cycle.)
fn check_in_signals(d: &PlanData, p: usize, today: i32, cycle: u32, achieved: bool, policy: &Policy) -> u8 {
    let rows = d.check_ins.upto(p, today);
    let last = rows.clone().last().map(|r| d.check_ins.day[r]);
    let mut bits = 0;
    let since = match (last, cycle) {
        (Some(day), _) => Some(day),
        (None, c) if c != NONE => Some(d.cycles[c as usize].start_day),
        _ => None,
    };
    let started = cycle == NONE || today >= d.cycles[cycle as usize].start_day;
    // An achieved key result has nothing left to report: never stale.
    if started && !achieved && since.is_some_and(|s| today - s > policy.stale_after_days as i32) {
        bits |= STALE;
    }
    if !rows.is_empty() {
        let (latest, previous) = d.check_ins.confidences(rows);
        if latest.is_some_and(|c| c < policy.low_confidence_below - Policy::TOLERANCE) {
            bits |= LOW_CONFIDENCE;
        }
        if let (Some(now), Some(before)) = (latest, previous) {
            if before - now >= policy.confidence_drop - Policy::TOLERANCE {
                bits |= CONFIDENCE_DROP;
            }
        }
    }
    bits
}

/// The forecast of key result `p` from its valued check-ins on or before `today`.
fn forecast_of(d: &PlanData, p: usize, today: i32, cycle: usize, policy: &Policy) -> Option<Forecast> {
    let rows = d.check_ins.upto(p, today);
    if rows.len() < 3 {
        return None;
    }
    let start = d.cycles[cycle].start_day;
    let (x, y): (Vec<f64>, Vec<f64>) = rows
        .filter(|&r| !d.check_ins.value[r].is_nan())
        .map(|r| (f64::from(d.check_ins.day[r] - start), d.check_ins.value[r]))
        .unzip();
    let rule = d.rule(p);
    let points: &[(f64, f64)] = match rule {
        Rule::Piecewise { first, len } => &d.points[first as usize..(first + len) as usize],
        _ => &[],
    };
    forecast(&rule, points, &x, &y, f64::from(d.cycles[cycle].end_day - start), policy)
}

/// Σ wᵢ sᵢ / Σ wᵢ over `range`, reading contributors from `out`; no contributors means score 0
/// without data.
#[inline]
fn weighted_mean(
    range: std::ops::Range<usize>,
    c: &crate::alignment::Contributors,
    out: &Slots<'_>,
) -> (f64, bool) {
    mean_over::<false>(range.clone(), &c.src[range], c, out.base, (out.scores, out.flags, &Done::default()))
        .unwrap_or((0.0, false))
}

/// [`mean_of`] over contributor entries `range`, whose sources are `src`, with the weights as
/// the plan keeps them.
#[inline(always)]
fn mean_over<const CHECK: bool>(
    range: std::ops::Range<usize>,
    src: &[u32],
    c: &crate::alignment::Contributors,
    base: usize,
    read: (&[f64], &[Flags], &Done<'_>),
) -> Option<(f64, bool)> {
    match &c.weight {
        Weights::Narrow(w) => mean_of::<CHECK, _>(src, &w[range], base, read),
        Weights::Wide(w) => mean_of::<CHECK, _>(src, &w[range], base, read),
    }
}

/// The weighted mean of the scores of contributors `src` (positions; `scores` and `flags` start
/// at position `base`) with weights `weight`, and whether any has data; `(0, false)` for none.
/// With `CHECK` (the second thread's pass), `None` unless every contributor lies in the window
/// (at or after `base`, before the slots written so far, which `flags` spans) or in `done`, and
/// is not [`WAITING`]; without, always `Some`.
#[inline(always)]
fn mean_of<const CHECK: bool, W: Copy + Into<f64>>(
    src: &[u32],
    weight: &[W],
    base: usize,
    (scores, flags, done): (&[f64], &[Flags], &Done<'_>),
) -> Option<(f64, bool)> {
    if src.is_empty() {
        return Some((0.0, false));
    }
    let (mut sw, mut sws, mut any) = (0.0, 0.0, false);
    for (&s, &w) in src.iter().zip(weight) {
        let (score, flag) = if CHECK {
            // A contributor before the window wraps around to an index past its end.
            let i = (s as usize).wrapping_sub(base);
            let (score, flag) = match (scores.get(i), flags.get(i)) {
                (Some(&score), Some(&flag)) => (score, flag),
                _ => done.get(s as usize)?,
            };
            if flag.0 == WAITING {
                return None;
            }
            (score, flag)
        } else {
            let s = s as usize - base;
            (scores[s], flags[s])
        };
        let w: f64 = w.into();
        sw += w;
        sws += w * score;
        any |= flag.has_data();
    }
    Some((sws / sw, any))
}

/// Whether every contributor of entries `e` lies at or after `base` (the start of `flags`) and
/// is not [`WAITING`].
#[inline]
fn ready(
    e: std::ops::Range<usize>,
    c: &crate::alignment::Contributors,
    base: usize,
    flags: &[Flags],
) -> bool {
    c.src[e].iter().all(|&s| (s as usize).checked_sub(base).is_some_and(|s| flags[s].0 != WAITING))
}

/// The bits of the raw score of a plain key result whose `current` is absent, in
/// [`PlanData::raw_scores`]: a quiet NaN with a payload, which no formula gives (a formula can
/// give NaN from finite inputs, `(v - a) / (b - a)` when both overflow, but only the default one).
pub(crate) const NO_VALUE: u64 = 0x7ff8_0000_0000_0b0e;

/// Whether key-result kind code `k` is in [`PLAIN`].
#[inline(always)]
fn is_plain(k: u8) -> bool {
    PLAIN.checked_shr(u32::from(k)).is_some_and(|bits| bits & 1 != 0)
}

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
            by_position(n, two, |p| value_of(d, p, today, &self.aggregates))
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

    /// Expected progress in cycle `c` on the day scored; `None` for `NONE` (no cycle).
    fn expected_of(&self, c: u32) -> Option<f64> {
        (c != NONE).then(|| self.expected[c as usize])
    }

    /// Signal names by bit, as used by [`ReportColumns::signals`].
    pub const SIGNAL_NAMES: [&'static str; 5] = SIGNALS;

    /// The label of every value of [`ReportColumns::signals`], by value: the names of its bits
    /// joined by commas, `""` for none (`"stale,behind_pace"` for 9). Data frames and
    /// JavaScript columns show signals as these labels.
    ///
    /// ```
    /// let labels = okr_core::Report::signal_labels();
    /// assert_eq!((labels.len(), labels[0].as_str(), labels[9].as_str()), (32, "", "stale,behind_pace"));
    /// ```
    pub fn signal_labels() -> Vec<String> {
        (0..1u32 << SIGNALS.len())
            .map(|bits| {
                let on = SIGNALS.iter().enumerate().filter(|&(i, _)| bits & (1 << i) != 0);
                on.map(|(_, name)| *name).collect::<Vec<_>>().join(",")
            })
            .collect()
    }

    /// The date scored.
    pub fn as_of(&self) -> NaiveDate {
        self.as_of
    }

    /// The policy applied.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The plan scored.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.scores.len()
    }

    /// Whether the report has no node.
    pub fn is_empty(&self) -> bool {
        self.scores.is_empty()
    }

    /// One node's result, or `None` for an unknown id.
    pub fn get(&self, id: &str) -> Option<NodeScore<'_>> {
        self.plan.data.pos(id).ok().map(|p| self.line(p))
    }

    /// Every node's result, in input order.
    pub fn nodes(&self) -> impl ExactSizeIterator<Item = NodeScore<'_>> + '_ {
        self.plan.data.pos_of_doc.iter().map(|&p| self.line(p as usize))
    }

    pub(crate) fn line(&self, p: usize) -> NodeScore<'_> {
        let d = &self.plan.data;
        let cycle = d.cycle(p);
        let objective = d.objective_at(p);
        let value = self.value(p);
        let flags = self.flags[p];
        let bits = self.signals[p];
        let forecast = match self.forecasts.get(&(p as u32)) {
            Some(f) => Some(NodeForecast::KeyResult(*f)),
            None => self
                .forecast_scores
                .get(p)
                .filter(|f| !f.is_nan())
                .map(|&score| NodeForecast::Objective { score }),
        };
        NodeScore {
            id: d.id(p),
            node_type: d.node_type(p),
            kind: d.kind(p),
            objective: (objective != NONE).then(|| d.id(objective as usize)),
            score: self.scores[p],
            expected: self.expected_of(cycle),
            status: flags.status(),
            grade: flags.grade(),
            has_data: flags.has_data(),
            value: (!value.is_nan()).then_some(value),
            confidence: self.latest_confidence(p),
            signals: SIGNALS
                .iter()
                .enumerate()
                .filter(|(i, _)| bits & (1 << i) != 0)
                .map(|(_, s)| *s)
                .collect(),
            forecast,
        }
    }

    /// The latest confidence stated for node `p` on or before `as_of`.
    pub(crate) fn latest_confidence(&self, p: usize) -> Option<f64> {
        let ci = &self.plan.data.check_ins;
        ci.confidences(ci.upto(p, day(self.as_of))).0
    }

    /// The value scored by node `p` (NaN when none).
    pub(crate) fn value(&self, p: usize) -> f64 {
        value_of(&self.plan.data, p, day(self.as_of), &self.aggregates)
    }

    /// The report as a JSON string (the DESIGN report shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl Serialize for Report {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        struct Nodes<'a>(&'a Report);
        impl Serialize for Nodes<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                let mut seq = s.serialize_seq(Some(self.0.len()))?;
                for node in self.0.nodes() {
                    seq.serialize_element(&node)?;
                }
                seq.end()
            }
        }
        let mut st = serializer.serialize_struct("Report", 2)?;
        st.serialize_field("as_of", &self.as_of)?;
        st.serialize_field("nodes", &Nodes(self))?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything a report holds, for comparing two passes exactly.
    fn fingerprint(r: &Report) -> String {
        let mut forecasts: Vec<_> = r.forecasts.iter().map(|(p, f)| (*p, format!("{f:?}"))).collect();
        let mut aggregates: Vec<_> = r.aggregates.iter().map(|(p, v)| (*p, v.to_bits())).collect();
        forecasts.sort();
        aggregates.sort();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        format!(
            "{:?} {:?} {:?} {:?} {forecasts:?} {aggregates:?}",
            bits(&r.scores),
            r.flags,
            r.signals,
            bits(&r.forecast_scores)
        )
    }

    #[test]
    fn zeroed_columns_are_n_zeros_and_large_ones_ask_for_a_fresh_mapping() {
        let floor = FRESH_MAPPING_BYTES / 8;
        for n in [0, 1, 1000, floor / 2 - 1, floor / 2, floor / 2 + 1, floor - 1, floor, floor + 1] {
            let v = zeroed_column(n);
            assert_eq!(v.len(), n);
            assert!(v.iter().all(|&x| x.to_bits() == 0), "{n}");
            // Between half the floor and the floor, the allocation reaches the floor; elsewhere
            // it is the column's own size.
            let padded =
                cfg!(all(target_os = "linux", target_env = "gnu")) && (floor / 2..floor).contains(&n);
            assert_eq!(v.capacity() >= floor, padded || n >= floor, "{n}");
        }
    }

    #[test]
    fn cached_raw_scores_tell_an_absent_value_from_a_formulas_nan() {
        // Without check-ins, plain key results read the plan's raw scores. One key result has no
        // `current`; another's formula gives NaN from finite inputs (both differences overflow):
        // it has data, and its score is NaN, as on the general path.
        let plan = Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [{"id": "o", "cycle": "q", "key_results": [
              {"id": "none", "kind": "linear", "start": 0, "target": 10},
              {"id": "huge", "kind": "linear", "start": -1e308, "target": 1e308, "current": 1e308},
              {"id": "half", "kind": "at_least", "threshold": 5, "current": 5}]}]}"#,
        )
        .unwrap();
        let day: NaiveDate = "2026-02-01".parse().unwrap();
        let general = compute_split(&plan, day, plan.data.policy.clone(), None, false).0;
        assert!(plan.data.raw_scores.get().is_none(), "the general path keeps no raw scores");
        let short = compute_split(&plan, day, plan.data.policy.clone(), None, true).0;
        assert!(plan.data.raw_scores.get().is_none(), "the first short pass works them out for itself");
        assert_eq!(fingerprint(&short), fingerprint(&general));
        let second = compute_split(&plan, day, plan.data.policy.clone(), None, true).0;
        assert!(plan.data.raw_scores.get().is_some(), "the second short pass keeps the raw scores");
        assert_eq!(fingerprint(&second), fingerprint(&general));
        // The next pass reads them.
        let again = compute_split(&plan, day, plan.data.policy.clone(), None, true).0;
        assert_eq!(fingerprint(&again), fingerprint(&general));
        let (none, huge) = (short.get("none").unwrap(), short.get("huge").unwrap());
        assert!(!none.has_data && none.score == 0.0);
        assert!(huge.has_data && huge.score.is_nan());
        assert_eq!(short.get("half").unwrap().score, 1.0);
    }

    #[test]
    fn a_dropped_reports_columns_are_reused_and_overwritten() {
        let acme = include_str!("../../examples/acme.json");
        let plan = Plan::from_json(acme).unwrap();
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        let dates = ["2026-01-01", "2026-02-20", "2026-05-01"];
        for (i, date) in dates.iter().enumerate() {
            // The reference: a copy of the plan's data holds no spare columns.
            let copy = Plan { data: std::sync::Arc::new((*plan.data).clone()) };
            assert_eq!(copy.data.spare.bytes(), 0);
            let want = fingerprint(&copy.score(day(date)));
            // Another day's report dropped first: its columns are kept, then taken and filled,
            // by one thread or two split anywhere.
            let n = plan.len();
            for split in [None, Some(0), Some(n / 3), Some(n)] {
                drop(plan.score(day(dates[(i + 1) % dates.len()])));
                assert!(plan.data.spare.bytes() >= n * 10, "kept on drop");
                let (report, done) = compute_split(&plan, day(date), plan.data.policy.clone(), split, true);
                assert!(done, "{date}, split {split:?} failed");
                assert_eq!(plan.data.spare.bytes(), 0, "taken by the next score");
                assert_eq!(fingerprint(&report), want, "{date}, split {split:?}");
            }
        }
    }

    /// A plan large enough for two threads is built holding its first score's columns, mapped
    /// (from columns and from JSON); the first score takes them and fills them as a plan
    /// without them (a copy) is scored; dropped, the report gives them back. A small plan is
    /// built holding none.
    #[test]
    fn a_large_plans_build_maps_its_first_scores_columns() {
        use crate::columns::{AlignmentColumns, Columns, KeyResultColumns, ObjectiveColumns};
        use crate::KeyResultKind;
        let small = Plan::from_json(include_str!("../../examples/acme.json")).unwrap();
        assert_eq!(small.data.spare.bytes(), 0, "a small plan");
        if !crate::parallel::threads_allowed() {
            return;
        }
        // Whether the build makes them depends on how its threads meet (tested by
        // `the_row_thread_maps_the_first_scores_columns_only_while_the_layout_runs`): here it
        // always does.
        crate::build::FIRST_SCORE_COLUMNS_ALWAYS.store(true, std::sync::atomic::Ordering::Relaxed);
        let no = 20_000;
        let nk = 3 * no;
        let kinds = [KeyResultKind::Linear, KeyResultKind::Binary, KeyResultKind::Linear];
        let current = |j: usize| if kinds[j % 3] == KeyResultKind::Binary { j % 2 } else { j % 13 } as f64;
        let cols = Columns {
            objectives: ObjectiveColumns {
                id: (0..no as i64).collect::<Vec<_>>().into(),
                ..Default::default()
            },
            key_results: KeyResultColumns {
                id: (0..nk as i64).map(|j| no as i64 + j).collect::<Vec<_>>().into(),
                objective: (0..nk).map(|j| (j * 7 % no) as i64).collect::<Vec<_>>().into(),
                kind: (0..nk).map(|j| kinds[j % 3]).collect(),
                start: Some(vec![0.0; nk].into()),
                target: Some(vec![10.0; nk].into()),
                current: Some((0..nk).map(current).collect::<Vec<_>>().into()),
                ..Default::default()
            },
            alignments: Some(AlignmentColumns {
                child: (1..no as i64).collect::<Vec<_>>().into(),
                parent: (1..no as i64).map(|i| (i - 1) / 4).collect::<Vec<_>>().into(),
                weight: None,
            }),
            check_ins: None,
            cycles: Vec::new(),
            policy: None,
        };
        // The same plan as a document: key results under their objectives.
        let mut krs: Vec<Vec<serde_json::Value>> = vec![Vec::new(); no];
        for j in 0..nk {
            let (kind, current) = (kinds[j % 3], current(j));
            krs[j * 7 % no].push(match kind {
                KeyResultKind::Binary => serde_json::json!({"id": format!("{}", no + j), "kind": "binary",
                                                            "current": current}),
                _ => serde_json::json!({"id": format!("{}", no + j), "kind": "linear", "start": 0,
                                        "target": 10, "current": current}),
            });
        }
        let objectives: Vec<serde_json::Value> = (0..no)
            .map(|i| {
                let parents: Vec<serde_json::Value> = (i > 0)
                    .then(|| serde_json::json!({"id": format!("{}", (i - 1) / 4)}))
                    .into_iter()
                    .collect();
                serde_json::json!({"id": format!("{i}"), "parents": parents, "key_results": krs[i]})
            })
            .collect();
        let document = serde_json::json!({ "objectives": objectives }).to_string();
        let from_columns = Plan::from_columns(&cols).unwrap();
        let from_json = Plan::from_json(&document).unwrap();
        let day = "2026-02-01".parse::<NaiveDate>().unwrap();
        for (name, plan) in [("columns", from_columns), ("json", from_json)] {
            let n = plan.len();
            assert!(crate::parallel::worth_splitting(n), "{name}: {n} nodes");
            assert_eq!(plan.data.spare.bytes(), n * 10, "{name}: built holding them");
            let copy = Plan { data: std::sync::Arc::new((*plan.data).clone()) };
            assert_eq!(copy.data.spare.bytes(), 0);
            let report = plan.score(day);
            assert_eq!(plan.data.spare.bytes(), 0, "{name}: taken by the first score");
            assert_eq!(fingerprint(&report), fingerprint(&copy.score(day)), "{name}");
            drop(report);
            assert_eq!(plan.data.spare.bytes(), n * 10, "{name}: given back");
        }
    }

    /// A plan whose nodes all share one cycle (or none) says so, and is scored without reading
    /// its cycle column exactly as with it; one whose nodes differ says not.
    #[test]
    fn one_cycle_for_every_node_is_found_and_scores_as_the_column() {
        let acme: serde_json::Value = serde_json::from_str(include_str!("../../examples/acme.json")).unwrap();
        let variant = |f: &dyn Fn(&mut serde_json::Value)| {
            let mut doc = acme.clone();
            for o in doc["objectives"].as_array_mut().unwrap() {
                for k in o["key_results"].as_array_mut().unwrap() {
                    k.as_object_mut().unwrap().remove("check_ins");
                }
            }
            f(&mut doc);
            Plan::from_json(&doc.to_string()).unwrap()
        };
        let objectives = |doc: &mut serde_json::Value| doc["objectives"].as_array_mut().unwrap().clone();
        let plans = [
            (variant(&|_| {}), Some(0)),
            // One objective without a cycle.
            (variant(&|d| drop(d["objectives"][1].as_object_mut().unwrap().remove("cycle"))), None),
            // No objective in any cycle.
            (
                variant(&|d| {
                    let n = objectives(d).len();
                    (0..n).for_each(|i| drop(d["objectives"][i].as_object_mut().unwrap().remove("cycle")));
                }),
                Some(NONE),
            ),
            // The last objective in a second cycle.
            (
                variant(&|d| {
                    let q2 = serde_json::json!({"id": "2026-Q2", "start": "2026-04-01", "end": "2026-06-30"});
                    d["cycles"].as_array_mut().unwrap().push(q2);
                    let last = objectives(d).len() - 1;
                    d["objectives"][last]["cycle"] = "2026-Q2".into();
                }),
                None,
            ),
        ];
        for (k, (plan, single)) in plans.into_iter().enumerate() {
            assert_eq!(plan.data.single_cycle, single, "plan {k}");
            let mut data = (*plan.data).clone();
            // The general path: a cycle per node, read from the column.
            data.cycle_of = (0..data.len()).map(|p| data.cycle(p)).collect();
            assert_eq!(plan.data.cycle_of.is_empty(), single.is_some(), "plan {k}");
            data.single_cycle = None;
            let column = Plan { data: std::sync::Arc::new(data) };
            for date in ["2025-12-01", "2026-02-20", "2026-05-15", "2026-08-01"] {
                let day: NaiveDate = date.parse().unwrap();
                let policy = plan.data.policy.clone();
                let want = fingerprint(&compute_split(&plan, day, policy.clone(), None, false).0);
                for p in [&plan, &column] {
                    // Twice: the first score works out the raw scores, the second reads them.
                    for _ in 0..2 {
                        assert_eq!(fingerprint(&p.score(day)), want, "plan {k} on {date}");
                    }
                }
            }
        }
    }

    /// Weights all exact in `f32` are kept in 4 bytes and score exactly as kept in 8; one weight
    /// that is not keeps them all in 8, and reports give it as written.
    #[test]
    fn narrow_weights_score_as_wide_ones() {
        let acme: serde_json::Value = serde_json::from_str(include_str!("../../examples/acme.json")).unwrap();
        let plan = Plan::from_json(&acme.to_string()).unwrap();
        let c = &plan.data.contributors;
        assert!(matches!(c.weight, Weights::Narrow(_)), "whole-number weights are kept narrow");
        let mut data = (*plan.data).clone();
        data.contributors.weight = Weights::Wide((0..c.src.len()).map(|e| c.weight.get(e)).collect());
        let wide = Plan { data: std::sync::Arc::new(data) };
        let n = plan.len();
        for date in ["2026-02-20", "2026-03-15"] {
            let day: NaiveDate = date.parse().unwrap();
            let policy = || plan.data.policy.clone();
            for split in [None, Some(n / 2)] {
                let want = fingerprint(&compute_split(&wide, day, policy(), split, true).0);
                assert_eq!(fingerprint(&compute_split(&plan, day, policy(), split, true).0), want, "{date}");
                assert_eq!(fingerprint(&compute_split(&plan, day, policy(), split, false).0), want, "{date}");
            }
        }
        let mut tenth = acme.clone();
        tenth["objectives"][0]["key_results"][1]["weight"] = 0.1.into();
        let plan = Plan::from_json(&tenth.to_string()).unwrap();
        assert!(matches!(plan.data.contributors.weight, Weights::Wide(_)), "0.1 is not exact in f32");
        let objective = tenth["objectives"][0]["id"].as_str().unwrap();
        let kr = tenth["objectives"][0]["key_results"][1]["id"].as_str().unwrap();
        let explained = plan.score("2026-02-20".parse().unwrap()).explain(objective).unwrap();
        let weights: Vec<(&str, f64)> = explained
            .contributors
            .iter()
            .map(|c| (c.id.as_str(), c.weight))
            .filter(|&(id, _)| id == kr)
            .collect();
        assert_eq!(weights, [(kr, 0.1)]);
    }

    /// The sample plan (`examples/acme.json`) without its check-ins, so that plain key results
    /// take the short path.
    fn acme_without_check_ins() -> String {
        let mut bare: serde_json::Value =
            serde_json::from_str(include_str!("../../examples/acme.json")).unwrap();
        for o in bare["objectives"].as_array_mut().unwrap() {
            for k in o["key_results"].as_array_mut().unwrap() {
                k.as_object_mut().unwrap().remove("check_ins");
            }
        }
        bare.to_string()
    }

    /// A plan from JSON `text`, laid out as a large plan is, cut for two threads, however small.
    fn cut_plan(text: &str) -> Plan {
        crate::build::CUT_SMALL_PLANS.with(|c| c.set(true));
        let plan = Plan::from_json(text);
        crate::build::CUT_SMALL_PLANS.with(|c| c.set(false));
        plan.unwrap()
    }

    /// A plan of `n` objectives in a tree of about five children each, a tenth of them with a
    /// second parent anywhere before (so that many read across a two-thread cut), each with up
    /// to three plain key results (some without a value, some with a fractional weight), and
    /// `extra` key results of its first objective (a kind the short path leaves).
    fn random_plan(seed: u64, n: u32, extra: serde_json::Value) -> Plan {
        let mut next = crate::alignment::tests::xorshift(seed);
        let objectives: Vec<serde_json::Value> = (0..n)
            .map(|i| {
                let mut parents = Vec::new();
                if i > 0 {
                    parents.push(serde_json::json!({ "id": format!("o{}", (i - 1) / 5) }));
                    let other = next(i);
                    if next(10) == 0 && other != (i - 1) / 5 {
                        parents.push(serde_json::json!({ "id": format!("o{other}"), "weight": 2 }));
                    }
                }
                let krs: Vec<serde_json::Value> = (0..next(4))
                    .map(|k| {
                        let id = format!("k{i}-{k}");
                        let current = (next(5) != 0).then(|| f64::from(next(130)) - 10.0);
                        let weight = [1.0, 2.0, 0.1][next(3) as usize];
                        match next(4) {
                            0 => serde_json::json!({ "id": id, "kind": "at_least", "threshold": 50,
                                "current": current, "weight": weight }),
                            1 => serde_json::json!({ "id": id, "kind": "binary",
                                "current": current.map(|v| f64::from(u8::from(v > 50.0))) }),
                            _ => serde_json::json!({ "id": id, "kind": "linear", "start": 0, "target": 100,
                                "current": current, "weight": weight }),
                        }
                    })
                    .chain(if i == 0 { extra.as_array().cloned().unwrap_or_default() } else { Vec::new() })
                    .collect();
                let id = format!("o{i}");
                serde_json::json!({ "id": id, "cycle": "Q", "parents": parents, "key_results": krs })
            })
            .collect();
        let doc = serde_json::json!({
            "cycles": [{ "id": "Q", "start": "2026-01-01", "end": "2026-03-31" }],
            "objectives": objectives,
        });
        cut_plan(&doc.to_string())
    }

    #[test]
    fn the_deferred_block_scores_from_copies_as_in_place() {
        for seed in 1..=12 {
            let plan = random_plan(seed, 400, serde_json::json!([]));
            let (d, n) = (&plan.data, plan.len());
            let split = d.split.expect("a cut");
            let reads = BlockReads::of(d).expect("a block of plain key results and objectives");
            // The copies: every node before the block that its entries name, once, in order,
            // and each entry naming its copy or its own node in the block.
            let (start, c) = (split.deferred, &d.contributors);
            assert!(
                reads.sources.windows(2).all(|w| w[0] < w[1]) && reads.sources.last() < Some(&(start as u32))
            );
            assert!(
                reads.sources.len() > 10,
                "seed {seed}: {} nodes read before the block",
                reads.sources.len()
            );
            let read: std::collections::BTreeSet<u32> = c.src[c.offsets[start] as usize..]
                .iter()
                .copied()
                .filter(|&s| (s as usize) < start)
                .collect();
            assert!(read.iter().eq(&reads.sources), "seed {seed}: the nodes read, each once");
            let copies = start - reads.sources.len();
            assert_eq!(reads.first_entry, c.offsets[start] as usize);
            assert_eq!(reads.src.len(), c.src.len() - reads.first_entry);
            for (k, &s) in reads.src.iter().enumerate() {
                let own = c.src[reads.first_entry + k] as usize;
                let named = match (s as usize).checked_sub(copies).filter(|_| own < start) {
                    Some(j) => reads.sources[j] as usize,
                    None => s as usize,
                };
                assert_eq!(named, own, "seed {seed}, entry {k}");
            }
            for progress in ProgressDriver::ALL {
                for date in ["2026-01-10", "2026-02-20", "2026-05-01"] {
                    let day: NaiveDate = date.parse().unwrap();
                    let policy = || Policy { progress, ..Policy::default() };
                    let want = fingerprint(&compute_split(&plan, day, policy(), None, false).0);
                    // A fresh copy's first pass works raw scores out, its second keeps them, its
                    // third reads them.
                    let mut data = (**d).clone();
                    (data.raw_scores, data.short_passes, data.block_reads) = Default::default();
                    let copy = Plan { data: std::sync::Arc::new(data) };
                    for pass in 1..=3 {
                        let (two, done) = compute_split(&copy, day, policy(), Some(split.second), true);
                        assert!(done, "seed {seed}, {progress:?}, {date}, pass {pass}");
                        assert_eq!(fingerprint(&two), want, "seed {seed}, {progress:?}, {date}, pass {pass}");
                    }
                    // Split elsewhere, the second thread leaves the nodes reading the first
                    // share for later, and its copies with them.
                    for m in [split.second / 2, (split.second + start) / 2, start] {
                        let (two, done) = compute_split(&plan, day, policy(), Some(m), true);
                        assert!(
                            done && fingerprint(&two) == want,
                            "seed {seed}, {progress:?}, {date}, split {m}"
                        );
                    }
                    let copied = matches!(progress, ProgressDriver::Both | ProgressDriver::Children);
                    assert_eq!(copy.data.block_reads.get().is_some(), copied, "{progress:?}");
                }
            }
            assert!(n > start && plan.heap_bytes() > reads.bytes());
        }
        // A block holding a kind the short path leaves is scored in place, as before.
        let rollup = serde_json::json!([{ "id": "r", "kind": "rollup" }]);
        let plan = random_plan(3, 400, rollup);
        let split = plan.data.split.expect("a cut");
        assert!(BlockReads::of(&plan.data).is_none());
        let day: NaiveDate = "2026-02-20".parse().unwrap();
        let policy = || Policy { progress: ProgressDriver::Both, ..Policy::default() };
        let want = fingerprint(&compute_split(&plan, day, policy(), None, false).0);
        assert_eq!(fingerprint(&compute_split(&plan, day, policy(), Some(split.second), true).0), want);
    }

    #[test]
    fn a_thread_hands_over_the_end_of_its_share_in_proportion_to_the_others_speed() {
        let m = RELAY_MIN;
        // As fast as each other: half of what is left; twice as fast: two thirds.
        assert_eq!(relay_part(10 * m, 1000, 1000), 5 * m);
        assert_eq!(relay_part(9 * m, 2000, 1000), 6 * m);
        // This thread had not started: all of it; the other did nothing: none.
        assert_eq!(relay_part(3 * m, 1000, 0), 3 * m);
        assert_eq!(relay_part(3 * m, 0, 1000), 0);
        // Too small a part to be worth the other's wait, and an empty one.
        assert_eq!(relay_part(2 * m - 2, 1, 1), 0);
        assert_eq!(relay_part(2 * m, 1, 1), m);
        assert_eq!(relay_part(0, 0, 0), 0);
        // No overflow on the largest counts.
        assert_eq!(relay_part(usize::MAX / 2, usize::MAX / 2, usize::MAX / 2), usize::MAX / 4);
    }

    #[test]
    fn a_thread_done_first_takes_over_the_end_of_the_others_share() {
        // Plain key results (the short path, with the block's copies), the sample with its
        // check-ins (the general path: nodes reading the giver's done nodes wait) and without.
        let plans = [
            random_plan(5, 300, serde_json::json!([])),
            cut_plan(include_str!("../../examples/acme.json")),
            cut_plan(&acme_without_check_ins()),
        ];
        let (mut missed, mut expected) = (0, 0);
        for plan in &plans {
            let n = plan.len();
            let split = plan.data.split.expect("a cut");
            for progress in [ProgressDriver::Both, ProgressDriver::Auto] {
                let day: NaiveDate = "2026-02-20".parse().unwrap();
                let policy = || Policy { progress, ..plan.data.policy.clone() };
                let want = fingerprint(&compute_split(plan, day, policy(), None, false).0);
                // The giver at every few positions of either share, in steps of a few nodes, and
                // the layout's split point and two others.
                for m in [split.second, split.second / 2, (split.second + split.deferred) / 2] {
                    for second in [false, true] {
                        let (from, to) = if second { (m, split.deferred.max(m)) } else { (0, m) };
                        for at in (from..to).step_by(((to - from) / 7).max(1)) {
                            for step in [1, 5, 64] {
                                let test = RelayTest { step, second, at };
                                RELAY_TEST.with(|t| t.set(Some(test)));
                                let given = GIVEN.load(std::sync::atomic::Ordering::Relaxed);
                                let (two, done) = compute_split(plan, day, policy(), Some(m), true);
                                RELAY_TEST.with(|t| t.set(None));
                                assert!(done, "{test:?} split at {m} of {n}, {progress:?}");
                                assert_eq!(
                                    fingerprint(&two),
                                    want,
                                    "{test:?} split at {m} of {n}, {progress:?}"
                                );
                                // The giver looks after each step: it hands half of what is
                                // left over at the first look at or after `at`, if it has two
                                // nodes left or more.
                                let look = from + (at - from).div_ceil(step).max(1) * step;
                                let gave = GIVEN.load(std::sync::atomic::Ordering::Relaxed) > given;
                                assert!(!gave || look + 1 < to, "{test:?}: handed over");
                                // (Not when another test briefly keeps passes on one thread.)
                                missed += usize::from(!gave && look + 1 < to);
                                expected += usize::from(look + 1 < to);
                            }
                        }
                    }
                }
            }
        }
        assert!(expected > 100 && missed <= 2, "{missed} of {expected} parts not handed over");
    }

    #[test]
    fn two_threads_score_like_one_at_every_split_point() {
        let acme = include_str!("../../examples/acme.json");
        // The sample as it is (check-ins: forecasts, confidence signals) and without its
        // check-ins (plain key results take the short path), each also laid out as a large
        // plan is, cut for two threads: the nodes of the second share reading the first are
        // moved to the end, where the pass scores them in one run.
        let bare = acme_without_check_ins();
        let mut plans = Vec::new();
        for text in [acme, &bare] {
            let (plain, cut) = (Plan::from_json(text).unwrap(), cut_plan(text));
            assert_eq!(plain.data.split, None);
            let n = cut.len();
            let split = cut.data.split.expect("a cut");
            assert!(split.second < split.deferred && split.deferred < n, "{split:?} of {n}");
            // The same results by id, whatever the layout.
            let by_input = |plan: &Plan| {
                let r = plan.score("2026-02-20".parse().unwrap());
                let d = &plan.data;
                (0..n)
                    .map(|i| {
                        let p = d.pos_of_doc[i] as usize;
                        (r.scores[p].to_bits(), r.flags[p], r.signals[p])
                    })
                    .collect::<Vec<_>>()
            };
            assert_eq!(by_input(&plain), by_input(&cut));
            plans.extend([plain, cut]);
        }
        for plan in plans {
            let n = plan.len();
            let logged = !plan.data.check_ins.day.is_empty();
            // Every driver: an objective waits for the contributors that drive it.
            let drivers = ProgressDriver::ALL.into_iter();
            for (date, progress) in ["2026-01-01", "2026-02-20", "2026-03-15", "2026-05-01", "2026-08-01"]
                .into_iter()
                .flat_map(|date| drivers.clone().map(move |d| (date, d)))
            {
                let day: NaiveDate = date.parse().unwrap();
                let policy = || Policy { progress, ..plan.data.policy.clone() };
                let one = compute_split(&plan, day, policy(), None, false).0;
                assert!(!logged || !one.forecasts.is_empty() || date == "2026-01-01", "forecasts on {date}");
                let want = fingerprint(&one);
                assert_eq!(fingerprint(&compute_split(&plan, day, policy(), None, true).0), want, "{date}");
                for m in 0..=n + 1 {
                    // A copy keeps no raw scores and has not been scored: its first score works
                    // them out for itself, its second keeps them, both split at `m`.
                    let mut data = (*plan.data).clone();
                    data.raw_scores.take();
                    data.short_passes.take();
                    let copy = Plan { data: std::sync::Arc::new(data) };
                    for pass in ["first", "second"] {
                        let (first, done) = compute_split(&copy, day, policy(), Some(m), true);
                        assert!(done, "{pass} split at {m} on {date}, {progress:?} failed");
                        assert_eq!(fingerprint(&first), want, "{pass} split at {m} on {date}, {progress:?}");
                        let kept = copy.data.raw_scores.get().is_some();
                        assert_eq!(kept, !logged && pass == "second", "{pass} pass keeps raw scores: {kept}");
                    }
                    let (two, done) = compute_split(&plan, day, policy(), Some(m), true);
                    assert!(done, "split at {m} on {date}, {progress:?} failed");
                    assert_eq!(fingerprint(&two), want, "split at {m} on {date}, {progress:?}");
                }
            }
        }
    }
}
