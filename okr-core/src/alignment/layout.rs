//! The plan's layout: every node placed in topological order, each key result just before the
//! objective it feeds, and the contributor lists gathered and relabelled to positions.

use fixedbitset::FixedBitSet;

use super::{Contributors, InnerSplit, Split, Weights};

/// The alignment graph laid out in topological order (see [`layout`]).
pub(crate) struct Layout {
    /// The input index of the node at each position.
    pub order: Vec<u32>,
    /// The position of each input index.
    pub pos_of_doc: Vec<u32>,
    /// Contributor lists by position, relabelled to positions.
    pub contributors: Contributors,
    /// Where the layout was cut for a two-thread scoring pass, if it was.
    pub split: Option<Split>,
}

/// The plan's layout: every node in topological order (each leaf just before the first node it
/// feeds, leaves feeding nothing first), the position of each input index, and the contributor
/// lists relabelled to positions. `feeds_many` marks the nodes with more than one dependent.
///
/// `cut`, where [`inner_order`](super::inner_order) cut `inner`, comes back as positions: a node's leaves are placed
/// with it, in its share.
///
/// On a large plan every step is a cache miss on shuffled input, so the work is split into tight
/// loops whose iterations do not wait on each other, letting the processor overlap the misses.
pub(crate) fn layout(
    doc: Contributors,
    inner: &[u32],
    cut: Option<InnerSplit>,
    leaf: &FixedBitSet,
    has_dependent: &FixedBitSet,
    feeds_many: &FixedBitSet,
) -> crate::error::Result<Layout> {
    let n = doc.own_end.len();
    // Contributor lists of the inner nodes, gathered into placement order.
    let ranges: Vec<(u32, u32, u32)> = inner
        .iter()
        .map(|&d| (doc.offsets[d as usize], doc.own_end[d as usize], doc.offsets[d as usize + 1]))
        .collect();
    crate::phase("layout ranges");
    // Each list is a cache miss of its own: two threads gather one half each, straight into
    // their part of the result (whose fresh pages each thread then maps for its own part).
    fn gather<S: Copy, T: Copy>(
        part: &[(u32, u32, u32)],
        (src, weight): (&[u32], &[S]),
        seq: &mut [u32],
        out: &mut [T],
        narrow: impl Fn(S) -> T,
    ) {
        let mut at = 0;
        for &(lo, _, hi) in part {
            let (lo, hi, to) = (lo as usize, hi as usize, at + (hi - lo) as usize);
            seq[at..to].copy_from_slice(&src[lo..hi]);
            out[at..to].iter_mut().zip(&weight[lo..hi]).for_each(|(o, &w)| *o = narrow(w));
            at = to;
        }
    }
    fn gather_halves<S: Copy + Sync, T: Copy + Default + Send>(
        n: usize,
        ranges: &[(u32, u32, u32)],
        doc: (&[u32], &[S]),
        narrow: impl Fn(S) -> T + Sync,
    ) -> crate::error::Result<(Vec<u32>, Vec<T>)> {
        let (first, second) = ranges.split_at(ranges.len() / 2);
        let split: usize = first.iter().map(|&(lo, _, hi)| (hi - lo) as usize).sum();
        let (mut seq, mut weight) = (vec![0u32; doc.0.len()], vec![T::default(); doc.0.len()]);
        let (seq_a, seq_b) = seq.split_at_mut(split);
        let (weight_a, weight_b) = weight.split_at_mut(split);
        crate::parallel::join_when(
            crate::parallel::worth_splitting(n),
            || gather(second, doc, seq_b, weight_b, &narrow),
            || gather(first, doc, seq_a, weight_a, &narrow),
        )?;
        Ok((seq, weight))
    }
    // Weights stay as narrow as they came; wide ones all exact in 4 bytes are narrowed.
    let (seq, weight) = match &doc.weight {
        Weights::Narrow(w) => {
            let (seq, w) = gather_halves(n, &ranges, (&doc.src[..], &w[..]), |w| w)?;
            (seq, Weights::Narrow(w))
        }
        Weights::Wide(w) if w.iter().all(|&w| Weights::fits_narrow(w)) => {
            let (seq, w) = gather_halves(n, &ranges, (&doc.src[..], &w[..]), |w| w as f32)?;
            (seq, Weights::Narrow(w))
        }
        Weights::Wide(w) => {
            let (seq, w) = gather_halves(n, &ranges, (&doc.src[..], &w[..]), |w| w)?;
            (seq, Weights::Wide(w))
        }
    };
    crate::phase("layout seq");
    // The input-order arrays are spent: their memory (already mapped) takes the new layout,
    // written by index: every node is placed exactly once, so `n` slots (and `n + 1` offsets)
    // are filled, and an entry not placed leaves its slot to the next.
    let Contributors { mut offsets, mut own_end, src: mut order, .. } = doc;
    order.resize(order.len().max(n), 0);
    own_end.resize(n, 0);
    offsets.resize(n + 1, 0);
    offsets[0] = 0;
    let mut at = 0;
    for i in leaf.ones().filter(|&i| !has_dependent.contains(i)) {
        order[at] = i as u32;
        own_end[at] = 0;
        offsets[at + 1] = 0;
        at += 1;
    }
    // A leaf feeding one node is placed just before it; one feeding several (rare), before the
    // first of them, so only those are looked up in `placed`. Inner contributors were placed
    // earlier (post-order). Bits in cache, where positions would be a miss each.
    let mut once = leaf.clone();
    once.difference_with(feeds_many);
    let mut many = leaf.clone();
    many.intersect_with(feeds_many);
    let mut placed = FixedBitSet::with_capacity(n);
    let last = n.saturating_sub(1);
    let mut end = 0u32;
    // The positions of the cut: the plan's length unless an inner node of `cut` is reached.
    let (mut second, mut deferred) = (n, n);
    for (k, (&d, &(lo, own, hi))) in inner.iter().zip(&ranges).enumerate() {
        if let Some(s) = cut {
            if k == s.second {
                second = at;
            }
            if k == s.deferred {
                deferred = at;
            }
        }
        for &c in &seq[end as usize..(end + hi - lo) as usize] {
            let take = once.contains(c as usize) || (many.contains(c as usize) && !placed.put(c as usize));
            // Written whether placed or not (no branch); a slot not taken is overwritten next.
            // Slots are capped at the last, so a count gone wrong is the error below, not a
            // panic.
            let slot = at.min(last);
            order[slot] = c;
            own_end[slot] = end;
            offsets[slot + 1] = end;
            at += usize::from(take);
        }
        let slot = at.min(last);
        order[slot] = d;
        own_end[slot] = end + own - lo;
        end += hi - lo;
        offsets[slot + 1] = end;
        at += 1;
    }
    if at != n {
        return Err(crate::error::Error::Malformed {
            message: format!("internal: the layout placed {at} of {n} nodes"),
        });
    }
    order.truncate(n);
    crate::phase("layout order");
    // Positions are scattered (a miss per node) and the lists relabelled (a miss per entry) by
    // two threads on large plans: the first each scanning every node and writing the positions
    // of its half, the second each relabelling half the entries.
    let mut pos_of_doc = vec![0u32; n];
    let two = crate::parallel::worth_splitting(n);
    // Writes the position of every node of `part` (nodes `lo..`) without a branch on which half
    // a node is in (random in `order`, so mispredicted every other node: 16.5 → 10 ms a place
    // on 4M nodes in a probe): a node of the other half writes to the part's last slot instead,
    // which the other thread's scan puts right. Returns the position of node `other_last`, the
    // other part's last node, for the same.
    let scatter = |lo: usize, part: &mut [u32], other_last: u32| -> u32 {
        let Some(last) = part.len().checked_sub(1) else { return u32::MAX };
        let mut found = u32::MAX;
        for (p, &d) in order.iter().enumerate() {
            part[(d as usize).wrapping_sub(lo).min(last)] = p as u32;
            found = if d == other_last { p as u32 } else { found };
        }
        found
    };
    let split = if two { n / 2 } else { n };
    let (low, high) = pos_of_doc.split_at_mut(split);
    let (low_last, high_last) = ((split as u32).wrapping_sub(1), (n as u32).wrapping_sub(1));
    let (of_low_last, of_high_last) = crate::parallel::join_when(
        two,
        || scatter(split, high, low_last),
        || scatter(0, low, if two { high_last } else { u32::MAX }),
    )?;
    if two {
        // Each part's last slot took the other part's nodes: its own node's position is back.
        pos_of_doc[split - 1] = of_low_last;
        pos_of_doc[n - 1] = of_high_last;
    }
    crate::phase("layout place");
    let mut src = seq;
    let relabel = |part: &mut [u32]| part.iter_mut().for_each(|c| *c = pos_of_doc[*c as usize]);
    let half = if two { src.len() / 2 } else { src.len() };
    let (low, high) = src.split_at_mut(half);
    crate::parallel::join_when(two, || relabel(high), || relabel(low))?;
    let split = cut.filter(|_| second < n).map(|_| Split { second, deferred });
    Ok(Layout { order, pos_of_doc, contributors: Contributors { offsets, own_end, src, weight }, split })
}
