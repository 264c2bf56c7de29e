//! The scoring pass: each node once, in position order, on the short path or the general one.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::alignment::{Contributors, Weights};
use crate::document::KeyResultKind;
use crate::forecast::{forecast, Forecast};
use crate::key_result::{packed_value_score, piecewise, value_score, Aggregator, Rule};
use crate::pace::{day, expected_days, Cuts, Pace, Status};
use crate::plan::{Plan, PlanData, NONE, OBJECTIVE};
use crate::policy::{NoData, Policy};

use super::spare::{zeroed_column, Spare};
use super::split::RelayTest;
#[cfg(test)]
use super::split::RELAY_TEST;
use super::{
    value_of, Flags, Report, BEHIND_PACE, CONFIDENCE_DROP, FORECAST_MISS, LOW_CONFIDENCE, STALE, WAITING,
};

/// Scores with two threads split at position `split` (see [`Pass::split`]), or with one;
/// `shortcuts: false` sends every node down the general path (for tests of the short one).
/// `false` beside the report when a split was asked for and failed (a thread panicked), and one
/// thread scored the plan instead: tests check that it never happens.
pub(super) fn compute_split(
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
                // Days after the cycle's end do not count (see [`stale_until`]).
                stale_without_log: stale_until(today, c.end_day) - c.start_day
                    > policy.stale_after_days as i32,
            }))
            .collect();
    let logged = !d.check_ins.day.is_empty();
    let short = shortcuts && !logged;
    // The raw scores the plan keeps; else this pass works them out, and from the plan's second
    // short pass on keeps them for the next ones: a plan scored once (built, scored, written
    // out) never writes them.
    // A guarded pass (rare: see `Pass::guard`) works the raw scores out for itself.
    let guard = !d.sums_stay_finite(&policy);
    let kept = d.raw_scores.get().filter(|_| short && !guard);
    let keep = short && !guard && kept.is_none() && d.short_passes.set(()).is_err();
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
        count_no_data: policy.no_data == NoData::Zero,
        short,
        guard,
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

/// What a node's cycle says on the day scored.
pub(super) struct CyclePace {
    pub(super) pace: Pace,
    pub(super) stale_without_log: bool,
}

/// The per-node results of a scoring pass, one entry per position.
pub(super) struct Columns {
    pub(super) scores: Vec<f64>,
    pub(super) flags: Vec<Flags>,
    pub(super) signals: Vec<u8>,
    /// Empty when the plan has no check-ins.
    pub(super) forecast_scores: Vec<f64>,
    /// The raw scores this pass works out for the plan to keep ([`PlanData::raw_scores`]):
    /// empty unless the pass takes the short path and the plan keeps none yet.
    pub(super) raw: Vec<f64>,
}

impl Columns {
    /// Positions `from..to` to write, indexed by position (`base` = `from`).
    pub(super) fn slots(&mut self, from: usize, to: usize, forecasting: bool) -> Slots<'_> {
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
pub(super) struct Slots<'a> {
    pub(super) base: usize,
    pub(super) scores: &'a mut [f64],
    pub(super) flags: &'a mut [Flags],
    pub(super) signals: &'a mut [u8],
    pub(super) forecast_scores: &'a mut [f64],
    /// Empty unless the pass works out the raw scores (see [`Columns`]).
    pub(super) raw: &'a mut [f64],
    /// Nodes before the window that are done, for a window of the second thread's kind
    /// (`TAIL`) to read when a contributor lies outside it: the part of a window that its
    /// thread kept when it handed the rest over (see [`Pass::share`]); else empty.
    pub(super) done: Done<'a>,
}

impl<'a> Slots<'a> {
    /// How many positions the window spans.
    pub(super) fn len(&self) -> usize {
        self.scores.len()
    }

    /// The window's first `at` positions and the rest (each keeping `done`).
    pub(super) fn split_at(self, at: usize) -> (Slots<'a>, Slots<'a>) {
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
pub(super) struct Done<'a> {
    pub(super) base: usize,
    pub(super) scores: &'a [f64],
    pub(super) flags: &'a [Flags],
}

impl<'a> Done<'a> {
    /// The done part of a window: all of it.
    pub(super) fn of(window: Slots<'a>) -> Done<'a> {
        Done { base: window.base, scores: window.scores, flags: window.flags }
    }

    /// Node `p`'s score and flags, if it is one of these.
    #[cold]
    pub(super) fn get(&self, p: usize) -> Option<(f64, Flags)> {
        let i = p.checked_sub(self.base)?;
        Some((*self.scores.get(i)?, *self.flags.get(i)?))
    }
}

/// Results kept only for some nodes, by position.
#[derive(Default)]
pub(super) struct Side {
    pub(super) aggregates: HashMap<u32, f64>,
    pub(super) forecasts: HashMap<u32, Forecast>,
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
pub(super) struct Pass<'a> {
    pub(super) d: &'a PlanData,
    pub(super) today: i32,
    /// Per cycle, slot 0 for "no cycle".
    pub(super) pace: Vec<CyclePace>,
    pub(super) cuts: Cuts,
    pub(super) logged: bool,
    pub(super) policy: &'a Policy,
    /// Whether contributors without data count in weighted means (policy `no_data: zero`).
    pub(super) count_no_data: bool,
    /// Whether plain key results and objectives take the short path ([`Pass::short_run`]):
    /// the plan has no check-ins, and the caller allows it.
    pub(super) short: bool,
    /// Whether the short path's weighted means guard their sums against passing f64's range
    /// (see [`PlanData::sums_stay_finite`]): a guarded mean that would leaves its node to the
    /// general path, which works it out scaled. Only unclamped policies, or bounds or weights
    /// near 1e300, need it; the others run the loop without the test.
    pub(super) guard: bool,
    /// Tests only: how the threads of a split pass hand work over ([`RelayTest`]).
    pub(super) relay_test: Option<RelayTest>,
    /// The raw scores the plan keeps ([`PlanData::raw_scores`]) when the pass takes the short
    /// path and they exist; else empty (the pass works them out, into [`Slots::raw`] when it
    /// keeps them).
    pub(super) raw: &'a [f64],
}

impl Pass<'_> {
    /// Whether node `p` reads no other node's result (a key result that is not a roll-up or an
    /// aggregate).
    #[inline]
    pub(super) fn is_leaf(&self, p: usize) -> bool {
        let k = self.d.kinds[p];
        k != OBJECTIVE && k != KeyResultKind::Rollup.code() && k != KeyResultKind::Aggregate.code()
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
    pub(super) fn window<const TAIL: bool>(
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
    /// from entry `first_entry` on: the plan's own from 0, or
    /// [`BlockReads::src`](super::BlockReads::src) for the deferred block with copies of the
    /// nodes it reads before it.
    #[inline(always)]
    pub(super) fn short_run<const TAIL: bool>(
        &self,
        range: std::ops::Range<usize>,
        i: usize,
        out: &mut Slots<'_>,
        later: &mut Vec<u32>,
        (sources, first_entry): (&[u32], usize),
    ) -> usize {
        let src = (sources, first_entry);
        if self.guard {
            // Neither reads nor keeps the plan's raw scores (see `compute_split`).
            self.short_loop::<TAIL, true, false, true>(range, i, out, later, src)
        } else if !out.raw.is_empty() {
            self.short_loop::<TAIL, true, true, false>(range, i, out, later, src)
        } else if self.raw.is_empty() {
            self.short_loop::<TAIL, true, false, false>(range, i, out, later, src)
        } else {
            self.short_loop::<TAIL, false, false, false>(range, i, out, later, src)
        }
    }

    /// [`Pass::short_run`], reading the plan's raw scores, or with `FILL` working them out from
    /// the value and the rule, and with `KEEP` also writing them to `out.raw`; with `GUARD`, an
    /// objective whose mean's sums pass f64's range is left to the general path.
    #[inline(always)]
    fn short_loop<const TAIL: bool, const FILL: bool, const KEEP: bool, const GUARD: bool>(
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
                let mean =
                    mean_over::<TAIL, GUARD>(e, src, c, lo, (scores, flags, &out.done), self.count_no_data);
                // On the second thread an objective reads only the contributors that drive it:
                // it waits when one of them lies before the window or waits.
                let Some((score, has)) = mean else {
                    flags[i] = Flags(WAITING);
                    later.push((lo + i) as u32);
                    i += 1;
                    continue;
                };
                // A guarded mean whose sums passed f64's range (NaN): the general path's.
                if GUARD && score.is_nan() {
                    return i;
                }
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
    pub(super) fn node(&self, p: usize, out: &mut Slots<'_>, side: &mut Side) {
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
        let (d, policy) = (self.d, self.policy);
        let late = policy.late_check_ins;
        // The day this node's check-ins are read on (its cycle's end, for a late report under
        // `late_check_ins: ignore`); status and expected progress stay on the report's day.
        let today = d.reading_day(p, self.today, late);
        let c = &d.contributors;
        let base = out.base;
        let rule = &d.rule(p);
        let (score, has) = match *rule {
            Rule::Objective { driver, .. } => {
                weighted_mean(c.driven(p, driver.unwrap_or(policy.progress)), c, out, self.count_no_data)
            }
            Rule::Rollup => weighted_mean(c.all(p), c, out, self.count_no_data),
            Rule::Aggregate { op, .. } => {
                let mut agg = Aggregator::new(op);
                for e in c.all(p) {
                    let q = c.src[e] as usize;
                    let v = value_of(d, q, d.reading_day(q, self.today, late), &side.aggregates);
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
                // (weight, forecast or else score) of each contributor; those the score leaves
                // out (no data, under `no_data: exclude`), the forecast leaves out too.
                let terms = || {
                    (range.clone().map(|e| (e, c.src[e] as usize - base)))
                        .filter(|&(_, s)| self.count_no_data || out.flags[s].has_data())
                        .map(|(e, s)| (c.weight.get(e), if fs[s].is_nan() { out.scores[s] } else { fs[s] }))
                };
                let (sw, sws) = terms().fold((0.0, 0.0), |(sw, sws), (w, f)| (sw + w, sws + w * f));
                let mean = if sw.is_finite() && sws.is_finite() {
                    sws / sw
                } else {
                    crate::mean::scaled_mean(terms)
                };
                out.forecast_scores[p - base] = mean;
                if mean < policy.success_at - Policy::TOLERANCE {
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
    let (started, until) = match d.cycles.get(cycle as usize) {
        Some(c) => (today >= c.start_day, stale_until(today, c.end_day)),
        None => (true, today),
    };
    // An achieved key result has nothing left to report: never stale.
    if started && !achieved && since.is_some_and(|s| until - s > policy.stale_after_days as i32) {
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

/// The day up to which a key result's days without a check-in are counted: `today`, or its
/// cycle's last day once the cycle is over. Nobody checks in on a quarter that has ended: a
/// review weeks later must not call every key result stale, and one checked in on the last
/// day was as fresh as it could be. A key result silent for the last `stale_after_days` of its
/// cycle stays stale.
fn stale_until(today: i32, cycle_end: i32) -> i32 {
    today.min(cycle_end)
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
/// without data. `count_no_data`: see [`mean_of`].
#[inline]
fn weighted_mean(
    range: std::ops::Range<usize>,
    c: &crate::alignment::Contributors,
    out: &Slots<'_>,
    count_no_data: bool,
) -> (f64, bool) {
    let read = (&*out.scores, &*out.flags, &Done::default());
    let (mean, has) =
        mean_over::<false, true>(range.clone(), &c.src[range.clone()], c, out.base, read, count_no_data)
            .unwrap_or((0.0, false));
    if !mean.is_nan() {
        return (mean, has);
    }
    // Its sums passed f64's range: the same terms, scaled.
    let terms = || {
        (range.clone().map(|e| (e, c.src[e] as usize - out.base)))
            .filter(|&(_, s)| count_no_data || out.flags[s].has_data())
            .map(|(e, s)| (c.weight.get(e), out.scores[s]))
    };
    (crate::mean::scaled_mean(terms), has)
}

/// [`mean_of`] over contributor entries `range`, whose sources are `src`, with the weights as
/// the plan keeps them.
#[inline(always)]
fn mean_over<const CHECK: bool, const GUARD: bool>(
    range: std::ops::Range<usize>,
    src: &[u32],
    c: &crate::alignment::Contributors,
    base: usize,
    read: (&[f64], &[Flags], &Done<'_>),
    count_no_data: bool,
) -> Option<(f64, bool)> {
    match &c.weight {
        Weights::Narrow(w) => mean_of::<CHECK, GUARD, _>(src, &w[range], base, read, count_no_data),
        Weights::Wide(w) => mean_of::<CHECK, GUARD, _>(src, &w[range], base, read, count_no_data),
    }
}

/// The weighted mean of the scores of contributors `src` (positions; `scores` and `flags` start
/// at position `base`) with weights `weight`, and whether any has data; `(0, false)` for none.
/// A contributor without data counts with its weight when `count_no_data` (policy `no_data:
/// zero`; its score is 0), else not at all (`exclude`), so that `(0, false)` is also the mean
/// when none has data.
/// With `CHECK` (the second thread's pass), `None` unless every contributor lies in the window
/// (at or after `base`, before the slots written so far, which `flags` spans) or in `done`, and
/// is not [`WAITING`]; without, always `Some`.
#[inline(always)]
fn mean_of<const CHECK: bool, const GUARD: bool, W: Copy + Into<f64>>(
    src: &[u32],
    weight: &[W],
    base: usize,
    (scores, flags, done): (&[f64], &[Flags], &Done<'_>),
    count_no_data: bool,
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
        let has = flag.has_data();
        // A select, not a branch: the pass runs the same code under either setting.
        let w: f64 = if count_no_data | has { w.into() } else { 0.0 };
        sw += w;
        sws += w * score;
        any |= has;
    }
    // Weights are positive, so `sw` is 0 only when every contributor was left out. With
    // `GUARD`, a sum past f64's range gives NaN, which no finite scores give otherwise: the
    // caller works that mean out again, scaled ([`weighted_mean`]).
    let mean = if !GUARD || sw.is_finite() & sws.is_finite() { sws / sw } else { f64::NAN };
    Some(if sw > 0.0 { (mean, any) } else { (0.0, false) })
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
/// [`PlanData::raw_scores`]: a quiet NaN with a payload, which no formula gives (a formula's
/// NaN could only be the default one; with start and target a finite span apart, checked when
/// the plan is built, none gives NaN from finite inputs).
pub(super) const NO_VALUE: u64 = 0x7ff8_0000_0000_0b0e;

/// Whether key-result kind code `k` is in [`PLAIN`].
#[inline(always)]
pub(super) fn is_plain(k: u8) -> bool {
    PLAIN.checked_shr(u32::from(k)).is_some_and(|bits| bits & 1 != 0)
}
