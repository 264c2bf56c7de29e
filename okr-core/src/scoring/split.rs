//! Two threads on one pass: where a plan is split, how the threads hand work over, and how
//! the deferred block is scored from copies.

use crate::plan::{PlanData, OBJECTIVE};
use crate::policy::ProgressDriver;

use super::pass::{is_plain, Columns, Done, Pass, Side, Slots};
use super::{Flags, WAITING};

/// Where the scoring pass splits a large plan that its layout was not cut for (a share of the
/// positions; see [`Pass::split`]): one built where threads were not allowed. The second
/// thread's share is the smaller one because its nodes that read the first share wait, each
/// found by checking its contributors. Measured best between 0.54 and 0.56 on the benchmark
/// organisation (0.45: 18 % slower).
pub(super) const SPLIT_AT: f64 = 0.55;

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
pub(super) struct RelayTest {
    pub(super) step: usize,
    pub(super) second: bool,
    pub(super) at: usize,
}

/// Tests only: how many parts threads of split passes have handed over.
#[cfg(test)]
pub(super) static GIVEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[cfg(test)]
thread_local! {
    /// The [`RelayTest`] for the passes that this thread starts.
    pub(super) static RELAY_TEST: std::cell::Cell<Option<RelayTest>> = const { std::cell::Cell::new(None) };
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
    pub(super) sources: Vec<u32>,
    /// The block's contributor entries, from the block's first (`first_entry`): a node in the
    /// block as its position, a node before it as `copies + k`, where `sources[k]` is the node
    /// and `copies` (the block's start less the number of sources) is where the pass puts the
    /// copies, in the positions just before the block.
    pub(super) src: Vec<u32>,
    pub(super) first_entry: usize,
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

impl Pass<'_> {
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
    pub(super) fn split(&self, out: &mut Columns, side: &mut Side, m: usize) -> bool {
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
                    c.driven(p, self.d.driver(p, self.policy.progress))
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
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
