//! From a builder's rows and edges to a plan: contributor lists, the topological layout, and
//! every array gathered into layout order.

use std::sync::atomic::{AtomicBool, Ordering};

use fixedbitset::FixedBitSet;

use crate::alignment::{inner_order, layout, leaves, Contributors, Layout, Weights};
use crate::document::KeyResultKind;
use crate::error::{Error, Result};
use crate::key_result::Rule;
use crate::plan::{CheckIns, PlanData, NONE, OBJECTIVE};
use crate::policy::Policy;
use crate::scoring::{mapped_column, Spare, SpareColumns};

use super::{too_many_contributors, Builder, NodeRow};

/// How many rows a gather in shuffled order reads before writing any out (see
/// [`Builder::assemble`]): enough independent misses in flight, few enough to stay in L1.
pub(crate) const GATHER_BLOCK: usize = 256;

/// Contributor lists are laid out a bucket of `BUCKET` consecutive nodes at a time (see
/// [`Builder::contributors`]): few enough nodes for their lists to be laid out in cache.
const BUCKET_BITS: u32 = 12;
const BUCKET: usize = 1 << BUCKET_BITS;
const BUCKET_MASK: usize = BUCKET - 1;

/// The share of the inner nodes after which the layout cuts a plan for a two-thread scoring pass
/// (see [`inner_order`]): on plans that scoring splits, and in tests that ask for it
/// (`CUT_SMALL_PLANS`) on any plan.
fn cut_share(n: usize) -> Option<f64> {
    #[cfg(test)]
    if CUT_SMALL_PLANS.with(std::cell::Cell::get) {
        return Some(crate::scoring::CUT_AT);
    }
    crate::parallel::worth_splitting(n).then_some(crate::scoring::CUT_AT)
}

/// Set by tests to have every large plan's build make its first score's columns, however the
/// threads meet (see [`layout_running`]); any test may set it, none clears it.
#[cfg(test)]
pub(crate) static FIRST_SCORE_COLUMNS_ALWAYS: AtomicBool = AtomicBool::new(false);

/// Whether a build's layout, which sets `done` when it returns, still runs (for
/// [`RowArrays::after`]).
pub(crate) fn layout_running(done: &AtomicBool) -> bool {
    let running = !done.load(Ordering::Acquire);
    #[cfg(test)]
    let running = running || FIRST_SCORE_COLUMNS_ALWAYS.load(Ordering::Relaxed);
    running
}

#[cfg(test)]
thread_local! {
    /// Set by tests to cut plans of any size (see [`cut_share`]) on the thread that builds them.
    pub(crate) static CUT_SMALL_PLANS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The arrays a plan's rows are gathered into (see [`Builder::assemble`]), filled with
/// placeholders. Filling them is what maps their memory: a fresh page costs a fault (about
/// 0.7 µs here, 2 µs in slow states), and a 1M-objective plan's arrays are some 25,000 pages.
/// Making them on the thread the layout leaves free (the row compiler's in
/// [`Plan::from_columns`]) takes that cost off the longest path.
///
/// [`Plan::from_columns`]: crate::Plan::from_columns
pub(crate) struct RowArrays {
    pub(super) kinds: Vec<u8>,
    rule_numbers: Vec<[f64; 2]>,
    rule_bytes: Vec<u8>,
    current: Vec<f64>,
    /// Empty when every node has the same cycle (see [`PlanData::single_cycle`]).
    cycle_of: Vec<u32>,
    /// Columns for the plan's first score, made by [`RowArrays::after`] on large plans.
    pub(super) spare: Option<Spare>,
}

/// One thread's share of [`RowArrays`] in [`Builder::assemble`]: positions `from..` of each.
struct Part<'a> {
    kinds: &'a mut [u8],
    numbers: &'a mut [[f64; 2]],
    bytes: &'a mut [u8],
    current: &'a mut [f64],
    cycle_of: &'a mut [u32],
}

impl RowArrays {
    /// Arrays for `n` nodes, every page written; a cycle per node only when `per_node_cycles`
    /// (else every node is in one cycle, which the plan keeps once).
    pub(crate) fn new(n: usize, per_node_cycles: bool) -> Self {
        RowArrays {
            kinds: mapped_column(n, OBJECTIVE),
            rule_numbers: mapped_column(n, [0.0; 2]),
            rule_bytes: mapped_column(n, 0),
            current: mapped_column(n, f64::NAN),
            cycle_of: if per_node_cycles { mapped_column(n, NONE) } else { Vec::new() },
            spare: None,
        }
    }

    /// [`RowArrays::new`] once `ready` receives (or its sender is gone): the layout signals when
    /// a thread is free (see [`Builder::layout_with`]), so that the pages are not mapped while
    /// both threads are busy.
    ///
    /// On a plan large enough for two threads, the thread then makes the columns of the plan's
    /// first score too ([`Spare::mapped`], 10 bytes a node), which the plan holds until then as
    /// it holds a dropped report's. The layout usually keeps the other thread busy for longer
    /// (at 1M objectives the arrays take about 30 ms, these columns about 20 ms, the layout's
    /// steps on one thread after the signal about 60 ms), and the first score, which would map
    /// them page by page on its own two threads, then runs as fast as a later one. When mapping
    /// memory is slow enough that the layout no longer runs (`layout_running`, see
    /// [`layout_running`]) once the arrays are made, the build is waiting on this thread
    /// already: the columns are left to the first score.
    pub(crate) fn after(
        ready: &std::sync::mpsc::Receiver<()>,
        n: usize,
        per_node_cycles: bool,
        layout_running: impl Fn() -> bool,
    ) -> Self {
        // An error only means the layout ended (failed) without signalling: make them anyway.
        let signalled = ready.recv().is_ok();
        crate::phase("rows: wait");
        let mut arrays = RowArrays::new(n, per_node_cycles);
        crate::phase("rows: arrays");
        if signalled && layout_running() && crate::parallel::worth_splitting(n) {
            arrays.spare = Some(Spare::mapped(n));
            crate::phase("rows: spare");
        }
        arrays
    }
}

impl Builder {
    /// Validates the graph, orders it topologically and lays every array out in that order.
    pub(crate) fn finish(self, policy: Policy) -> Result<PlanData> {
        policy.validate()?;
        if self.weight.len() != self.ids.len() {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        let n = self.ids.len();
        let per_node_cycles = self.rows.cycles.single().is_none();
        let (go, ready) = std::sync::mpsc::channel();
        let layout_done = &AtomicBool::new(false);
        let (arrays, layout) = crate::parallel::join_when(
            crate::parallel::worth_splitting(n),
            move || RowArrays::after(&ready, n, per_node_cycles, || layout_running(layout_done)),
            || {
                let layout = self.layout_with(
                    |i| self.weight[i],
                    move || {
                        let _ = go.send(());
                    },
                );
                layout_done.store(true, Ordering::Release);
                layout
            },
        )?;
        self.assemble(layout?, arrays, policy)
    }

    /// Checks the alignment graph for cycles and lays it out; `kr_weight(i)` is the weight of
    /// key result `i` in its objective. Needs the ids, objectives and edges, not the rows, so the
    /// columnar constructor runs it while the rows are compiled. `one_thread` is called when the
    /// steps left keep one thread busy (the traversal), leaving the other free.
    pub(crate) fn layout_with(
        &self,
        kr_weight: impl Fn(usize) -> f64 + Sync,
        one_thread: impl FnOnce(),
    ) -> Result<Layout> {
        let n = self.ids.len();
        if self.objective.len() != n {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        let (doc, has_dependent, feeds_many) = self.contributors(kr_weight)?;
        crate::phase("contributors");
        one_thread();
        let leaf = leaves(&doc.offsets);
        crate::phase("leaves");
        let (inner, split) = inner_order(&doc.offsets, &doc.src, &leaf, &has_dependent, cut_share(n))
            .map_err(|mut cycle| {
                // Start the cycle at the node given first, so the message does not depend on traversal.
                cycle.pop();
                let first = cycle.iter().enumerate().min_by_key(|&(_, &i)| i).map_or(0, |(k, _)| k);
                cycle.rotate_left(first);
                cycle.extend(cycle.first().copied());
                Error::Cycle { ids: cycle.iter().map(|&i| self.ids.get(i).to_owned()).collect() }
            })?;
        crate::phase("topo");
        let laid = layout(doc, &inner, split, &leaf, &has_dependent, &feeds_many)?;
        crate::phase("relabel");
        Ok(laid)
    }

    /// Lays every node's data out in the order of `layout`, in `arrays` (made for as many nodes).
    pub(crate) fn assemble(mut self, layout: Layout, arrays: RowArrays, policy: Policy) -> Result<PlanData> {
        self.confidences_on_unit_scale()?;
        let n = self.ids.len();
        let RowArrays { mut kinds, mut rule_numbers, mut rule_bytes, mut current, mut cycle_of, spare } =
            arrays;
        let lengths = [kinds.len(), rule_numbers.len(), rule_bytes.len(), current.len()];
        // Every key result has the cycle of its objective: one cycle for all objectives is one
        // for every node, kept once.
        let single_cycle = self.rows.cycles.single();
        let cycles = if single_cycle.is_some() { 0 } else { n };
        if self.rows.nodes.len() != n
            || layout.order.len() != n
            || lengths != [n; 4]
            || cycle_of.len() != cycles
        {
            return Err(Error::Malformed { message: "internal: a node id was interned without data".into() });
        }
        let Layout { order, pos_of_doc, contributors, split } = layout;
        // Rows are gathered in shuffled input order: two threads overlap twice the misses.
        // When objectives' cycles differ, each thread then gives its key results their
        // objective's cycle, from the objectives' own contributor lists: they sit just before
        // the objective in topological order, so this is nearly sequential. Key results of the
        // second half's first objectives may lie in the first half: they are returned, and set
        // once both threads are done. (Each key result's objective by position is not kept: see
        // [`PlanData::objective_of`].)
        let nodes = &self.rows.nodes;
        let gather = |from: usize, part: &[u32], out: Part<'_>| {
            let Part { kinds, numbers, bytes, current, cycle_of } = out;
            // A block of rows is read before any is written out: the reads (each a cache miss)
            // are independent of each other and overlap.
            let mut buf: Vec<NodeRow> = Vec::with_capacity(GATHER_BLOCK);
            for (b, block) in part.chunks(GATHER_BLOCK).enumerate() {
                buf.clear();
                buf.extend(block.iter().map(|&d| nodes[d as usize]));
                for (i, row) in (b * GATHER_BLOCK..).zip(&buf) {
                    let rule = row.rule;
                    kinds[i] = rule.kind().map_or(OBJECTIVE, KeyResultKind::code);
                    (numbers[i], bytes[i]) = rule.pack();
                    current[i] = row.current;
                    if let (Rule::Objective { cycle, .. }, Some(slot)) = (rule, cycle_of.get_mut(i)) {
                        *slot = cycle;
                    }
                }
            }
            let mut before = Vec::new();
            if cycle_of.is_empty() {
                return before;
            }
            for (i, &kind) in kinds.iter().enumerate() {
                if kind == OBJECTIVE {
                    let cycle = cycle_of[i];
                    for e in contributors.own(from + i) {
                        let kr = contributors.src[e] as usize;
                        match kr.checked_sub(from).and_then(|k| cycle_of.get_mut(k)) {
                            Some(slot) => *slot = cycle,
                            None => before.push((kr, cycle)),
                        }
                    }
                }
            }
            before
        };
        let half = n / 2;
        let (first, second) = order.split_at(half);
        let (kinds_a, kinds_b) = kinds.split_at_mut(half);
        let (numbers_a, numbers_b) = rule_numbers.split_at_mut(half);
        let (bytes_a, bytes_b) = rule_bytes.split_at_mut(half);
        let (current_a, current_b) = current.split_at_mut(half);
        let (cycle_a, cycle_b) = cycle_of.split_at_mut(if single_cycle.is_some() { 0 } else { half });
        let part_a = Part {
            kinds: kinds_a,
            numbers: numbers_a,
            bytes: bytes_a,
            current: current_a,
            cycle_of: cycle_a,
        };
        let part_b = Part {
            kinds: kinds_b,
            numbers: numbers_b,
            bytes: bytes_b,
            current: current_b,
            cycle_of: cycle_b,
        };
        let (straddling, none) = crate::parallel::join_when(
            crate::parallel::worth_splitting(n),
            || gather(half, second, part_b),
            || gather(0, first, part_a),
        )?;
        for (kr, cycle) in straddling.into_iter().chain(none) {
            if let Some(c) = cycle_of.get_mut(kr) {
                *c = cycle;
            }
        }
        crate::phase("gather");
        let check_ins = self.sorted_check_ins(&pos_of_doc);
        Ok(PlanData {
            kinds,
            rule_numbers,
            rule_bytes,
            cycle_of,
            single_cycle,
            split,
            current,
            objective_by_pos: std::sync::OnceLock::new(),
            objective_of_doc: self.objective,
            contributors,
            dependents: std::sync::OnceLock::new(),
            check_ins,
            spare: spare.map_or_else(SpareColumns::default, SpareColumns::holding),
            raw_scores: std::sync::OnceLock::new(),
            short_passes: std::sync::OnceLock::new(),
            block_reads: std::sync::OnceLock::new(),
            largest_weight: std::sync::OnceLock::new(),
            ms_weight: self.ms_weight,
            ms_done: self.ms_done,
            ms_name: self.ms_name,
            points: self.points,
            ids: self.ids,
            meta: self.rows.meta,
            cycles: self.cycles,
            policy,
            pos_of_doc,
            doc_of_pos: order,
        })
    }

    /// Contributor lists in input order (own key results first, then aligned children), with
    /// the nodes that feed at least one other node and those that feed more than one.
    ///
    /// Each entry belongs to a list in shuffled order, so writing entries straight to their
    /// lists is a cache miss (or three) per entry. Instead they are first dealt, in input order,
    /// into buckets of [`BUCKET`] consecutive nodes (a write stream per bucket, whose ends stay
    /// in cache), then each bucket's lists are laid out within the bucket, in cache. Two threads
    /// take half the buckets each.
    pub(super) fn contributors(
        &self,
        kr_weight: impl Fn(usize) -> f64 + Sync,
    ) -> Result<(Contributors, FixedBitSet, FixedBitSet)> {
        let buckets = (self.ids.len() >> BUCKET_BITS) + 1;
        let bucket = |node: u32| node as usize >> BUCKET_BITS;
        // Entries per bucket: key results (by objective), then aligned children (by parent).
        let mut own = vec![0u32; buckets];
        let mut aligned = vec![0u32; buckets];
        let mut narrow = true;
        for (kr, &o) in self.objective.iter().enumerate() {
            if o != NONE {
                own[bucket(o)] += 1;
                narrow &= Weights::fits_narrow(kr_weight(kr));
            }
        }
        for &parent in &self.edges.parent {
            aligned[bucket(parent)] += 1;
        }
        // Weights exact in 4 bytes are dealt in 4 (see [`Weights`]): half the bytes to write
        // and lay out, and the plan keeps them so.
        if narrow && self.edges.weight.iter().all(|&w| Weights::fits_narrow(w)) {
            self.deal_lists(&own, &aligned, &kr_weight, |w| w as f32, Weights::Narrow)
        } else {
            self.deal_lists(&own, &aligned, &kr_weight, |w| w, Weights::Wide)
        }
    }

    /// [`Builder::contributors`] once entries are counted per bucket (`own`, `aligned`), with
    /// weights kept as `W` (`to` converts one, `wrap` makes the column).
    fn deal_lists<W: Copy + Default + Send>(
        &self,
        own: &[u32],
        aligned: &[u32],
        kr_weight: &(impl Fn(usize) -> f64 + Sync),
        to: impl Fn(f64) -> W,
        wrap: impl FnOnce(Vec<W>) -> Weights,
    ) -> Result<(Contributors, FixedBitSet, FixedBitSet)> {
        let n = self.ids.len();
        let buckets = own.len();
        let bucket = |node: u32| node as usize >> BUCKET_BITS;
        // Where each bucket's entries start: its key results, then its aligned children.
        let mut base = Vec::with_capacity(buckets + 1);
        let mut total = 0usize;
        for b in 0..buckets {
            base.push(u32::try_from(total).map_err(|_| too_many_contributors())?);
            total += own[b] as usize + aligned[b] as usize;
        }
        base.push(u32::try_from(total).map_err(|_| too_many_contributors())?);
        // Deal the entries: source, weight and the node's place in its bucket, in input order.
        let mut src = vec![0u32; total];
        let mut weight = vec![W::default(); total];
        let mut local = vec![0u16; total];
        let mut next_own: Vec<u32> = base[..buckets].to_vec();
        let mut next_aligned: Vec<u32> = (0..buckets).map(|b| base[b] + own[b]).collect();
        let mut deal = |next: &mut u32, node: u32, from: u32, w: f64| {
            let slot = *next as usize;
            *next += 1;
            src[slot] = from;
            weight[slot] = to(w);
            local[slot] = (node as usize & BUCKET_MASK) as u16;
        };
        for (kr, &o) in self.objective.iter().enumerate() {
            if o != NONE {
                deal(&mut next_own[bucket(o)], o, kr as u32, kr_weight(kr));
            }
        }
        for (e, (&child, &parent)) in self.edges.child.iter().zip(&self.edges.parent).enumerate() {
            deal(&mut next_aligned[bucket(parent)], parent, child, self.edges.weight(e));
        }
        drop((next_own, next_aligned));
        let mut own_end = vec![0u32; n];
        let mut offsets = vec![0u32; n + 1];
        offsets[n] = base[buckets];
        // Lay out the lists of the buckets from `first` (whose nodes start at `first * BUCKET`,
        // and entries at `at`) in these windows of the arrays.
        let lay_out = |first: usize,
                       at: usize,
                       offsets: &mut [u32],
                       own_end: &mut [u32],
                       src: &mut [u32],
                       weight: &mut [W]| {
            let (mut count_own, mut count_aligned) = (vec![0u32; BUCKET], vec![0u32; BUCKET]);
            let (mut bucket_src, mut bucket_weight) = (Vec::new(), Vec::new());
            for b in first..first + own_end.len().div_ceil(BUCKET) {
                // The bucket's nodes, from `node` in the windows.
                let node = (b - first) << BUCKET_BITS;
                let nodes = (own_end.len() - node).min(BUCKET);
                let (start, mid, end) = (base[b] as usize, (base[b] + own[b]) as usize, base[b + 1] as usize);
                count_own[..nodes].fill(0);
                count_aligned[..nodes].fill(0);
                for &j in &local[start..mid] {
                    count_own[j as usize] += 1;
                }
                for &j in &local[mid..end] {
                    count_aligned[j as usize] += 1;
                }
                // Counts become cursors: where each node's key results, then children, go.
                let mut cursor = start as u32;
                for j in 0..nodes {
                    let (k, a) = (count_own[j], count_aligned[j]);
                    offsets[node + j] = cursor;
                    own_end[node + j] = cursor + k;
                    count_own[j] = cursor;
                    count_aligned[j] = cursor + k;
                    cursor += k + a;
                }
                bucket_src.clear();
                bucket_src.extend_from_slice(&src[start - at..end - at]);
                bucket_weight.clear();
                bucket_weight.extend_from_slice(&weight[start - at..end - at]);
                for (e, &j) in local[start..end].iter().enumerate() {
                    let next = if start + e < mid {
                        &mut count_own[j as usize]
                    } else {
                        &mut count_aligned[j as usize]
                    };
                    let slot = *next as usize - at;
                    *next += 1;
                    src[slot] = bucket_src[e];
                    weight[slot] = bucket_weight[e];
                }
            }
        };
        // The halves are split at a bucket, by entries: in a plan built from columns the
        // objectives (every key result's list owner) come first, so the middle node would leave
        // the second thread little to do.
        let two = crate::parallel::worth_splitting(n);
        let mid = if two {
            base.partition_point(|&start| (start as usize) < total / 2).min(buckets)
        } else {
            buckets
        };
        let (node_split, entry_split) = ((mid << BUCKET_BITS).min(n), base[mid] as usize);
        {
            let (offsets_a, offsets_b) = offsets[..n].split_at_mut(node_split);
            let (own_a, own_b) = own_end.split_at_mut(node_split);
            let (src_a, src_b) = src.split_at_mut(entry_split);
            let (weight_a, weight_b) = weight.split_at_mut(entry_split);
            crate::parallel::join_when(
                two,
                || lay_out(mid, entry_split, offsets_b, own_b, src_b, weight_b),
                || lay_out(0, 0, offsets_a, own_a, src_a, weight_a),
            )?;
        }
        // Who feeds whom: every key result its objective, every child its parents.
        let mut feeds = FixedBitSet::with_capacity(n);
        let mut feeds_many = FixedBitSet::with_capacity(n);
        for (kr, _) in self.objective.iter().enumerate().filter(|(_, &o)| o != NONE) {
            feeds.insert(kr);
        }
        for &child in &self.edges.child {
            if feeds.put(child as usize) {
                feeds_many.insert(child as usize);
            }
        }
        // An edge given twice would count its child twice in the parent's score. Only a child
        // that feeds several nodes can have one: its edges are sorted and compared.
        if !feeds_many.is_clear() {
            let mut pairs: Vec<(u32, u32)> = (self.edges.child.iter().zip(&self.edges.parent))
                .filter(|&(&child, _)| feeds_many.contains(child as usize))
                .map(|(&child, &parent)| (child, parent))
                .collect();
            pairs.sort_unstable();
            if let Some(&[(child, parent), _]) = pairs.windows(2).find(|w| w[0] == w[1]) {
                return Err(Error::DuplicateAlignment {
                    child: self.ids.name(child).to_string(),
                    parent: self.ids.name(parent).to_string(),
                });
            }
        }
        Ok((Contributors { offsets, own_end, src, weight: wrap(weight) }, feeds, feeds_many))
    }

    /// Check-ins grouped by key result (topological position), each group sorted by day; equal
    /// days keep input order, so the last one given wins.
    fn sorted_check_ins(&self, pos_of_doc: &[u32]) -> CheckIns {
        if self.check_ins.is_empty() {
            return CheckIns::default();
        }
        let n = pos_of_doc.len();
        let mut offsets = vec![0u32; n + 1];
        for c in &self.check_ins {
            offsets[pos_of_doc[c.kr as usize] as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next = offsets[..n].to_vec();
        let mut slots = vec![0u32; self.check_ins.len()];
        for (row, c) in self.check_ins.iter().enumerate() {
            let p = pos_of_doc[c.kr as usize] as usize;
            slots[next[p] as usize] = row as u32;
            next[p] += 1;
        }
        for p in 0..n {
            let group = &mut slots[offsets[p] as usize..offsets[p + 1] as usize];
            if group.len() > 1 {
                group.sort_by_key(|&row| self.check_ins[row as usize].day);
            }
        }
        let rows = slots.iter().map(|&r| &self.check_ins[r as usize]);
        CheckIns {
            offsets,
            day: rows.clone().map(|c| c.day).collect(),
            value: rows.clone().map(|c| c.value).collect(),
            confidence: rows.clone().map(|c| c.confidence).collect(),
            note: rows.map(|c| c.note.as_deref()).collect(),
        }
    }
}

/// For each node, the nodes it contributes to (its objective and its alignment parents).
pub(crate) fn dependents_of(c: &Contributors) -> (Vec<u32>, Vec<u32>) {
    let n = c.own_end.len();
    let mut offsets = vec![0u32; n + 1];
    for &s in &c.src {
        offsets[s as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }
    let mut next = offsets[..n].to_vec();
    let mut dst = vec![0u32; c.src.len()];
    for p in 0..n {
        for e in c.all(p) {
            let s = c.src[e] as usize;
            dst[next[s] as usize] = p as u32;
            next[s] += 1;
        }
    }
    (offsets, dst)
}
