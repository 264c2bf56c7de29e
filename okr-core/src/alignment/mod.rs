//! The alignment graph: who contributes to whom, in compact adjacency arrays.
//!
//! Nodes are objectives and key results. An edge runs from a contributor to the node it
//! contributes to: a key result to its objective (KR weight), and a child to each parent it is
//! aligned to (edge weight). Traversal uses petgraph's iterative post-order DFS over our own
//! adjacency arrays (through petgraph's visit traits), so a million-deep chain never touches the
//! call stack. petgraph stays private: callers see ids only.

use std::ops::Range;

use fixedbitset::FixedBitSet;
use petgraph::visit::{DfsPostOrder, GraphBase, IntoNeighbors, Visitable};

use crate::policy::ProgressDriver;

mod layout;

pub(crate) use layout::{layout, Layout};

/// Contributors of every node: for node `p`, entries `offsets[p] .. offsets[p + 1]`, of which
/// `offsets[p] .. own_end[p]` are its own key results and the rest its aligned children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Contributors {
    pub offsets: Vec<u32>,
    pub own_end: Vec<u32>,
    pub src: Vec<u32>,
    pub weight: Weights,
}

/// The weight of each contributor entry. A laid-out plan whose weights are all exact as `f32`
/// (whole numbers, halves, …: what plans hold) keeps them in 4 bytes each: scoring, which
/// streams every weight on each pass, reads half the bytes and the same numbers.
#[derive(Debug, Clone)]
pub(crate) enum Weights {
    Narrow(Vec<f32>),
    Wide(Vec<f64>),
}

impl Default for Weights {
    fn default() -> Self {
        Weights::Wide(Vec::new())
    }
}

impl Weights {
    /// Entry `e`'s weight.
    #[inline]
    pub(crate) fn get(&self, e: usize) -> f64 {
        match self {
            Weights::Narrow(w) => f64::from(w[e]),
            Weights::Wide(w) => w[e],
        }
    }

    /// Whether `w` converts to `f32` and back unchanged (bit for bit: `-0.0` stays, NaN does not
    /// compare equal and stays wide).
    pub(crate) fn fits_narrow(w: f64) -> bool {
        f64::from(w as f32) == w
    }

    fn heap_bytes(&self) -> usize {
        match self {
            Weights::Narrow(w) => w.capacity() * 4,
            Weights::Wide(w) => w.capacity() * 8,
        }
    }
}

impl Contributors {
    pub(crate) fn own(&self, p: usize) -> Range<usize> {
        self.offsets[p] as usize..self.own_end[p] as usize
    }

    pub(crate) fn aligned(&self, p: usize) -> Range<usize> {
        self.own_end[p] as usize..self.offsets[p + 1] as usize
    }

    pub(crate) fn all(&self, p: usize) -> Range<usize> {
        self.offsets[p] as usize..self.offsets[p + 1] as usize
    }

    /// The entries that drive an objective's score under `driver`.
    #[inline]
    pub(crate) fn driven(&self, p: usize, driver: ProgressDriver) -> Range<usize> {
        let (lo, mid, hi) =
            (self.offsets[p] as usize, self.own_end[p] as usize, self.offsets[p + 1] as usize);
        Self::driven_of(lo, mid, hi, driver)
    }

    /// [`Contributors::driven`] of a node whose own entries are `lo..mid` and aligned ones
    /// `mid..hi`.
    #[inline(always)]
    pub(crate) fn driven_of(lo: usize, mid: usize, hi: usize, driver: ProgressDriver) -> Range<usize> {
        match driver {
            ProgressDriver::Auto if mid > lo => lo..mid,
            ProgressDriver::Auto | ProgressDriver::Children => mid..hi,
            ProgressDriver::KeyResults => lo..mid,
            ProgressDriver::Both => lo..hi,
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.own_end.capacity() + self.src.capacity()) * 4
            + self.weight.heap_bytes()
    }
}

/// The contributor adjacency between inner nodes (nodes with contributors), renumbered densely
/// and seen through petgraph's visit traits. Leaves (most key results) are left out: they cannot
/// lie on a cycle, and a graph of inner nodes only is small enough to stay in cache.
struct InnerGraph {
    offsets: Vec<u32>,
    src: Vec<u32>,
}

impl GraphBase for InnerGraph {
    type EdgeId = u32;
    type NodeId = u32;
}

impl<'a> IntoNeighbors for &'a InnerGraph {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, u32>>;

    fn neighbors(self, a: u32) -> Self::Neighbors {
        let a = a as usize;
        self.src[self.offsets[a] as usize..self.offsets[a + 1] as usize].iter().copied()
    }
}

impl Visitable for InnerGraph {
    type Map = FixedBitSet;

    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.offsets.len().saturating_sub(1))
    }

    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.offsets.len().saturating_sub(1));
    }
}

/// How many nodes [`breadth_first`] takes at a time: enough independent misses in flight, few
/// enough for their lists to stay in L1 (on the benchmark plan the renumbering took 39-41 ms at
/// 128, 25-31 ms at 512 and 28-30 ms at 2,048).
const SEARCH_BLOCK: usize = 512;

/// Nodes without contributors.
pub(crate) fn leaves(offsets: &[u32]) -> FixedBitSet {
    let n = offsets.len().saturating_sub(1);
    let mut leaf = FixedBitSet::with_capacity(n);
    for i in 0..n {
        if offsets[i] == offsets[i + 1] {
            leaf.insert(i);
        }
    }
    leaf
}

/// The inner nodes (those with contributors) in an order where contributors come first, or the
/// indices of one cycle, child to parent, first repeated last.
///
/// The order is a DFS post-order started from the nodes nobody depends on (the tops of the
/// alignment), so each subtree is contiguous and the scoring pass reads memory almost
/// sequentially.
///
/// With `split` (a share of the inner nodes), the order is also cut for a two-thread scoring
/// pass (see [`InnerSplit`]): the first `split` of the post-order is the first thread's, and the
/// inner nodes after it that read one of the first thread's (directly or through another such
/// node) are moved, in their order, to the end, where the pass scores them once both threads are
/// done. That keeps the order topological: a node reading a moved node is moved too. Without
/// the move they lie scattered through the second share, and each, scored late, is a string of
/// cache misses of its own.
pub(crate) fn inner_order(
    offsets: &[u32],
    src: &[u32],
    leaf: &FixedBitSet,
    has_dependent: &FixedBitSet,
    split: Option<f64>,
) -> Result<(Vec<u32>, Option<InnerSplit>), Vec<u32>> {
    let n = offsets.len().saturating_sub(1);
    let mut inner_doc: Vec<u32> = Vec::with_capacity(n - leaf.count_ones(..));
    inner_doc.extend(leaf.zeroes().map(|i| i as u32));
    // An inner node's number is how many inner nodes come before it: a count per word of the
    // leaf bits (a few hundred kilobytes, in cache) plus the word's own bits, where a number
    // per node would be a table of 4 bytes a node, read at random.
    const WORD: usize = usize::BITS as usize;
    let words = leaf.as_slice();
    let mut before = Vec::with_capacity(words.len());
    let mut count = 0u32;
    for &w in words {
        before.push(count);
        count = count.wrapping_add((!w).count_ones());
    }
    let inner_of = |d: usize| {
        let (w, bit) = (d / WORD, d % WORD);
        before[w] + (!words[w] & ((1usize << bit) - 1)).count_ones()
    };
    let mut graph = InnerGraph { offsets: Vec::with_capacity(inner_doc.len() + 1), src: Vec::new() };
    graph.offsets.push(0);
    for &d in &inner_doc {
        let d = d as usize;
        for &c in &src[offsets[d] as usize..offsets[d + 1] as usize] {
            if !leaf.contains(c as usize) {
                graph.src.push(inner_of(c as usize));
            }
        }
        graph.offsets.push(graph.src.len() as u32);
    }
    let m = inner_doc.len();
    crate::phase("topo compact");
    let tops = (0..m).filter(|&k| !has_dependent.contains(inner_doc[k] as usize));
    let (graph, mut doc_of, new_of, top_count) = breadth_first(&graph, tops);
    // The input index of each node in the new numbering.
    doc_of.iter_mut().for_each(|k| *k = inner_doc[*k as usize]);
    drop(inner_doc);
    crate::phase("topo renumber");
    let mut dfs = DfsPostOrder::empty(&graph);
    let mut post = Vec::with_capacity(m);
    let mut cyclic = false;
    // The first thread's share (`head`, by post-order rank) and the nodes moved to the end: a
    // bit per inner node each, in cache. Both are known when a node finishes: all its
    // contributors have finished before it (else the graph has a cycle, and the order is not
    // used).
    let second = split.map(|share| (m as f64 * share) as usize).filter(|&s| s > 0 && s < m);
    let bits = if second.is_some() { m } else { 0 };
    let (mut head, mut moved) = (FixedBitSet::with_capacity(bits), FixedBitSet::with_capacity(bits));
    // The tops were numbered first, in input order. Inner nodes not reached from any top lie on
    // or behind a cycle; visiting them (in input order) exposes it.
    let starts = (0..top_count).chain(new_of.iter().map(|&k| k as usize));
    for start in starts {
        if dfs.discovered.contains(start) {
            continue;
        }
        dfs.move_to(start as u32);
        while let Some(node) = dfs.next(&graph) {
            // Without a cycle, every contributor of a node finishes before the node does; one
            // that has not is an ancestor on the search path, so the graph has a cycle. (The
            // finished set is a bit per inner node: in cache.) The node itself is finished by
            // now: it among its own contributors is a cycle too (self-alignment is rejected
            // before this, but the check does not lean on that).
            cyclic |= (&graph).neighbors(node).any(|c| c == node || !dfs.finished.contains(c as usize));
            if let Some(s) = second {
                if post.len() < s {
                    head.insert(node as usize);
                } else if (&graph)
                    .neighbors(node)
                    .any(|c| head.contains(c as usize) || moved.contains(c as usize))
                {
                    moved.insert(node as usize);
                }
            }
            post.push(node);
        }
    }
    crate::phase("topo dfs");
    if cyclic {
        // Name a cycle: the first node in post-order with a contributor not before it.
        let mut rank = vec![0u32; m];
        for (r, &u) in post.iter().enumerate() {
            rank[u as usize] = r as u32;
        }
        for (r, &u) in post.iter().enumerate() {
            for c in (&graph).neighbors(u) {
                if rank[c as usize] as usize >= r {
                    let cycle = cycle_through(&graph.offsets, &graph.src, c, u);
                    return Err(cycle.into_iter().map(|k| doc_of[k as usize]).collect());
                }
            }
        }
    }
    let Some(s) = second else {
        return Ok((post.into_iter().map(|k| doc_of[k as usize]).collect(), None));
    };
    let mut order = Vec::with_capacity(m);
    order.extend(post[..s].iter().map(|&k| doc_of[k as usize]));
    order.extend(post[s..].iter().filter(|&&k| !moved.contains(k as usize)).map(|&k| doc_of[k as usize]));
    let deferred = order.len();
    order.extend(post[s..].iter().filter(|&&k| moved.contains(k as usize)).map(|&k| doc_of[k as usize]));
    Ok((order, Some(InnerSplit { second: s, deferred })))
}

/// Where [`inner_order`] cut its order for a two-thread scoring pass, as indices into it: the
/// first inner node of the second thread's share, and the first of those moved to the end
/// (the order's length when none were).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct InnerSplit {
    pub second: usize,
    pub deferred: usize,
}

/// Where a two-thread scoring pass splits a laid-out plan, as positions (see
/// `scoring::Pass::split`): the first node of the second thread's share, and the first of the
/// nodes moved to the end because they read the first share ([`inner_order`]); the plan's
/// length when none were.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Split {
    pub second: usize,
    pub deferred: usize,
}

/// `graph` renumbered breadth-first: the `tops` first, in their order, then the nodes they
/// reach, then, from each node still unnumbered in index order (those on or behind a cycle),
/// the nodes it reaches. Returns the renumbered graph (lists in the same order), the old number
/// of each new one, the new number of each old one, and how many tops there were.
///
/// Numbered in input order, which is shuffled, a depth-first search misses the cache at every
/// step, each miss waiting on the last. Breadth-first, the next nodes are known before the
/// current one is done, so their misses overlap; and in the new numbering a node's contributors
/// are numbered together, next to their siblings' contributors, so the search that follows
/// reads nearly in order. On the benchmark plan (1M objectives) the search took 55-70 ms; it
/// now takes about 14, after 25-30 ms here. Lists keep their order, so the search visits the
/// same nodes in the same order as it would have in the old numbering.
fn breadth_first(
    graph: &InnerGraph,
    tops: impl Iterator<Item = usize>,
) -> (InnerGraph, Vec<u32>, Vec<u32>, usize) {
    const UNSEEN: u32 = u32::MAX;
    let m = graph.offsets.len().saturating_sub(1);
    let mut new_of = vec![UNSEEN; m];
    let mut old_of: Vec<u32> = Vec::with_capacity(m);
    for t in tops {
        new_of[t] = old_of.len() as u32;
        old_of.push(t as u32);
    }
    let top_count = old_of.len();
    let mut renumbered =
        InnerGraph { offsets: Vec::with_capacity(m + 1), src: Vec::with_capacity(graph.src.len()) };
    renumbered.offsets.push(0);
    // Nodes are taken a block at a time, in three loops whose reads do not wait on each other:
    // the bounds of each node's list, the lists, then each contributor's number (given here if
    // it has none yet). The renumbered lists come out in order, as nodes are taken in the order
    // numbered.
    let (mut spans, mut listed) = (Vec::with_capacity(SEARCH_BLOCK), Vec::new());
    let (mut head, mut unreached) = (0, 0..m);
    loop {
        while head < old_of.len() {
            let block = head..(head + SEARCH_BLOCK).min(old_of.len());
            head = block.end;
            spans.clear();
            spans.extend(
                old_of[block].iter().map(|&u| graph.offsets[u as usize]..graph.offsets[u as usize + 1]),
            );
            listed.clear();
            for span in &spans {
                listed.extend_from_slice(&graph.src[span.start as usize..span.end as usize]);
            }
            for &c in &listed {
                let number = &mut new_of[c as usize];
                if *number == UNSEEN {
                    *number = old_of.len() as u32;
                    old_of.push(c);
                }
                renumbered.src.push(*number);
            }
            let mut end = renumbered.offsets.last().copied().unwrap_or(0);
            for span in &spans {
                end += span.end - span.start;
                renumbered.offsets.push(end);
            }
        }
        match unreached.find(|&k| new_of[k] == UNSEEN) {
            Some(k) => {
                new_of[k] = old_of.len() as u32;
                old_of.push(k as u32);
            }
            None => break,
        }
    }
    (renumbered, old_of, new_of, top_count)
}

/// `node` depends on `c`, yet `c` was still open when `node` finished: `node` is reachable from
/// `c` through contributor edges. Find that path breadth-first and close the cycle.
fn cycle_through(offsets: &[u32], src: &[u32], c: u32, node: u32) -> Vec<u32> {
    const NONE: u32 = u32::MAX;
    let n = offsets.len().saturating_sub(1);
    let mut came_from = vec![NONE; n];
    let mut queue = std::collections::VecDeque::from([c]);
    came_from[c as usize] = c;
    while let Some(x) = queue.pop_front() {
        if x == node {
            break;
        }
        for &y in &src[offsets[x as usize] as usize..offsets[x as usize + 1] as usize] {
            if came_from[y as usize] == NONE {
                came_from[y as usize] = x;
                queue.push_back(y);
            }
        }
    }
    // path c → … → node in contributor direction; child-to-parent order is its reverse.
    let mut cycle = vec![c];
    let mut x = node;
    while x != c && came_from[x as usize] != NONE {
        cycle.push(x);
        x = came_from[x as usize];
    }
    cycle.push(c);
    cycle
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The full topological order of the nodes of (offsets, src), or a cycle.
    fn order(o: &[u32], s: &[u32], d: &FixedBitSet) -> Result<Vec<u32>, Vec<u32>> {
        let leaf = leaves(o);
        let (inner, _) = inner_order(o, s, &leaf, d, None)?;
        let n = o.len() - 1;
        let doc = Contributors {
            offsets: o.to_vec(),
            own_end: o[..n].to_vec(),
            src: s.to_vec(),
            weight: Weights::Wide(vec![1.0; s.len()]),
        };
        let mut many = FixedBitSet::with_capacity(n);
        let mut seen = FixedBitSet::with_capacity(n);
        for &c in s {
            if seen.put(c as usize) {
                many.insert(c as usize);
            }
        }
        let Layout { order, pos_of_doc: pos, contributors: relabelled, .. } =
            layout(doc, &inner, None, &leaf, d, &many).unwrap();
        for (p, &x) in order.iter().enumerate() {
            assert_eq!(pos[x as usize] as usize, p);
            // Every contributor sits before the node it feeds.
            assert!(relabelled.src[relabelled.all(p)].iter().all(|&c| (c as usize) < p));
        }
        Ok(order)
    }

    /// A seeded generator of numbers below its argument (xorshift64).
    pub(crate) fn xorshift(mut state: u64) -> impl FnMut(u32) -> u32 {
        move |below| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % u64::from(below)) as u32
        }
    }

    /// Contributor lists of `n` nodes where node i (i ≥ 1) feeds a random earlier node, one time
    /// in eight none (another top), and one time in `second` a second one as well.
    fn random_lists(next: &mut impl FnMut(u32) -> u32, n: u32, second: u32) -> Vec<Vec<u32>> {
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n as usize];
        for i in 1..n {
            if next(8) != 0 {
                lists[next(i) as usize].push(i);
            }
            if next(second) == 0 {
                lists[next(i) as usize].push(i);
            }
        }
        lists
    }

    fn adjacency(lists: &[&[u32]]) -> (Vec<u32>, Vec<u32>, FixedBitSet) {
        let mut offsets = vec![0];
        let mut src = Vec::new();
        let mut has_dep = FixedBitSet::with_capacity(lists.len());
        for l in lists {
            src.extend_from_slice(l);
            offsets.push(src.len() as u32);
            l.iter().for_each(|&c| has_dep.insert(c as usize));
        }
        (offsets, src, has_dep)
    }

    #[test]
    fn orders_contributors_first() {
        // 0 <- 1, 0 <- 2, 1 <- 3, 2 <- 3 (diamond)
        let (o, s, d) = adjacency(&[&[1, 2], &[3], &[3], &[]]);
        let order = order(&o, &s, &d).unwrap();
        let pos = |x: u32| order.iter().position(|&y| y == x).unwrap();
        assert!(pos(3) < pos(1) && pos(3) < pos(2) && pos(1) < pos(0) && pos(2) < pos(0));
        assert_eq!(order.len(), 4);
    }

    #[test]
    fn finds_cycle_in_order() {
        // 0 <- 1 <- 2 <- 0: node 0 has contributor 1, 1 has 2, 2 has 0.
        let (o, s, d) = adjacency(&[&[1], &[2], &[0], &[0]]);
        let cycle = order(&o, &s, &d).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle.len(), 4);
        // child to parent: each next element has the previous among its contributors.
        for w in cycle.windows(2) {
            let (child, parent) = (w[0], w[1] as usize);
            assert!(s[o[parent] as usize..o[parent + 1] as usize].contains(&child));
        }
    }

    #[test]
    fn finds_a_node_among_its_own_contributors() {
        // Rejected as self-alignment before the layout; the cycle check finds it anyway.
        let (o, s, d) = adjacency(&[&[1, 0], &[]]);
        let cycle = inner_order(&o, &s, &leaves(&o), &d, None).unwrap_err();
        assert_eq!((cycle.first(), cycle.last()), (Some(&0), Some(&0)), "{cycle:?}");
    }

    /// Inner nodes and leaves mixed across many words of the leaf bits: the inner graph's
    /// numbering (counted from the bits) must match, or contributors would come out after the
    /// nodes they feed; and a cycle among the inner nodes is still found.
    #[test]
    fn orders_mixed_leaves_across_words() {
        let n = 5_000u32;
        let mut next = xorshift(0x2545_f491_4f6c_dd1d);
        // Node i (i ≥ 1) feeds a random earlier node: a forest where roughly half the nodes
        // (those nobody picks) are leaves, scattered through the index range.
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); n as usize];
        for i in 1..n {
            lists[next(i) as usize].push(i);
        }
        let refs: Vec<&[u32]> = lists.iter().map(Vec::as_slice).collect();
        let (o, s, d) = adjacency(&refs);
        let leaves = leaves(&o).count_ones(..);
        assert!(leaves > 1_000 && leaves < 4_000, "{leaves} leaves");
        assert_eq!(order(&o, &s, &d).map(|x| x.len()), Ok(n as usize));
        // Close a cycle: node 0, which every node feeds in the end, now feeds an inner node
        // deep down.
        let deep = (1..n as usize).rev().find(|&i| !lists[i].is_empty()).unwrap_or(1);
        lists[deep].push(0);
        let refs: Vec<&[u32]> = lists.iter().map(Vec::as_slice).collect();
        let (o, s, d) = adjacency(&refs);
        let cycle = order(&o, &s, &d).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert!(cycle.contains(&0) && cycle.contains(&(deep as u32)));
    }

    /// The search over the nodes' own (input) numbering, as it ran before the renumbering:
    /// post-order from the tops, then from every node, each in index order; on a cycle, the
    /// first node in post-order with a contributor not before it, and a path back.
    fn search_in_input_numbering(o: &[u32], s: &[u32], d: &FixedBitSet) -> Result<Vec<u32>, Vec<u32>> {
        let n = o.len() - 1;
        let leaf = leaves(o);
        let inner: Vec<u32> = leaf.zeroes().map(|i| i as u32).collect();
        let mut number = vec![u32::MAX; n];
        inner.iter().enumerate().for_each(|(k, &i)| number[i as usize] = k as u32);
        let mut graph = InnerGraph { offsets: vec![0], src: Vec::new() };
        for &i in &inner {
            let list = &s[o[i as usize] as usize..o[i as usize + 1] as usize];
            graph
                .src
                .extend(list.iter().filter(|&&c| !leaf.contains(c as usize)).map(|&c| number[c as usize]));
            graph.offsets.push(graph.src.len() as u32);
        }
        let m = inner.len();
        let tops = (0..m).filter(|&k| !d.contains(inner[k] as usize));
        let mut dfs = DfsPostOrder::empty(&graph);
        let mut post = Vec::new();
        for start in tops.chain(0..m) {
            if !dfs.discovered.contains(start) {
                dfs.move_to(start as u32);
                while let Some(x) = dfs.next(&graph) {
                    post.push(x);
                }
            }
        }
        let mut rank = vec![0; m];
        post.iter().enumerate().for_each(|(r, &u)| rank[u as usize] = r);
        for (r, &u) in post.iter().enumerate() {
            if let Some(c) = (&graph).neighbors(u).find(|&c| rank[c as usize] >= r) {
                let cycle = cycle_through(&graph.offsets, &graph.src, c, u);
                return Err(cycle.into_iter().map(|k| inner[k as usize]).collect());
            }
        }
        Ok(post.into_iter().map(|k| inner[k as usize]).collect())
    }

    /// The breadth-first renumbering changes where the search reads, not what it finds: the
    /// same order, and on a cycle the same cycle named, as a search in input numbering, on
    /// random graphs with several tops, shared children, leaves and cycles.
    #[test]
    fn renumbering_keeps_the_order_and_the_cycle_named() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let (mut cyclic, mut acyclic) = (0, 0);
        for round in 0..300 {
            let n = 2 + next(200);
            // Every third round a node feeds one of its own contributors' contributors, which
            // closes a cycle when there is one below it.
            let mut lists = random_lists(&mut next, n, 10);
            if round % 3 == 0 {
                let top = next(n);
                let mut below = top;
                for _ in 0..1 + next(4) {
                    below = lists[below as usize].first().copied().unwrap_or(below);
                }
                lists[below as usize].push(top);
            }
            let refs: Vec<&[u32]> = lists.iter().map(Vec::as_slice).collect();
            let (o, s, d) = adjacency(&refs);
            let expected = search_in_input_numbering(&o, &s, &d);
            let got = inner_order(&o, &s, &leaves(&o), &d, None).map(|(order, _)| order);
            assert_eq!(got, expected, "round {round}: {lists:?}");
            if expected.is_err() {
                cyclic += 1;
            } else {
                acyclic += 1;
            }
        }
        assert!(cyclic > 30 && acyclic > 150, "{cyclic} cyclic, {acyclic} acyclic");
    }

    /// Cut for two threads, the order keeps the plain post-order's first share, moves exactly the
    /// later inner nodes that read it (directly or through a moved node) to the end in their
    /// order, and stays topological; the layout turns the cut into the positions where the
    /// second share and the moved block start.
    #[test]
    fn a_cut_moves_every_node_reading_the_first_share_to_the_end() {
        let mut next = xorshift(0x853c_49e6_748f_ea9b);
        let mut moved = 0;
        for round in 0..300 {
            let n = 2 + next(300);
            let lists = random_lists(&mut next, n, 6);
            let refs: Vec<&[u32]> = lists.iter().map(Vec::as_slice).collect();
            let (o, s, d) = adjacency(&refs);
            let leaf = leaves(&o);
            let (plain, none) = inner_order(&o, &s, &leaf, &d, None).unwrap();
            assert_eq!(none, None);
            let (cut, split) = inner_order(&o, &s, &leaf, &d, Some(0.55)).unwrap();
            let Some(InnerSplit { second, deferred }) = split else {
                assert!(plain.len() < 2, "round {round}: no cut of {} inner nodes", plain.len());
                continue;
            };
            assert_eq!(second, (plain.len() as f64 * 0.55) as usize, "round {round}");
            assert_eq!(cut[..second], plain[..second], "round {round}");
            let (mut a, mut b) = (cut.clone(), plain.clone());
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "round {round}: not the same nodes");
            let mut rank = vec![u32::MAX; n as usize];
            cut.iter().enumerate().for_each(|(k, &x)| rank[x as usize] = k as u32);
            for (k, &x) in cut.iter().enumerate() {
                let x = x as usize;
                let inner: Vec<usize> = s[o[x] as usize..o[x + 1] as usize]
                    .iter()
                    .filter(|&&c| !leaf.contains(c as usize))
                    .map(|&c| rank[c as usize] as usize)
                    .collect();
                assert!(inner.iter().all(|&r| r < k), "round {round}: {x} before a contributor");
                if k >= second {
                    let reads_first = inner.iter().any(|&r| r < second || r >= deferred);
                    assert_eq!(reads_first, k >= deferred, "round {round}: node {x} at {k}");
                }
            }
            moved += cut.len() - deferred;
            // The layout: positions where the shares start, right after the last node before each.
            let doc = Contributors {
                offsets: o.clone(),
                own_end: o[..n as usize].to_vec(),
                src: s.clone(),
                weight: Weights::Wide(vec![1.0; s.len()]),
            };
            let mut many = FixedBitSet::with_capacity(n as usize);
            let mut seen = FixedBitSet::with_capacity(n as usize);
            s.iter().filter(|&&c| seen.put(c as usize)).for_each(|&c| many.insert(c as usize));
            let Layout { order, pos_of_doc: pos, contributors: relabelled, split: at } =
                layout(doc, &cut, split, &leaf, &d, &many).unwrap();
            for p in 0..order.len() {
                assert!(relabelled.src[relabelled.all(p)].iter().all(|&c| (c as usize) < p), "round {round}");
            }
            let after = |k: usize| pos[cut[k - 1] as usize] as usize + 1;
            let want_deferred = if deferred < cut.len() { after(deferred) } else { n as usize };
            assert_eq!(at, Some(Split { second: after(second), deferred: want_deferred }), "round {round}");
        }
        assert!(moved > 1_000, "{moved} nodes moved in all");
    }

    #[test]
    fn deep_chain_does_not_overflow() {
        let n = 1_000_000u32;
        let offsets: Vec<u32> = (0..=n).map(|i| i.min(n - 1)).collect();
        // node i has contributor i + 1 (for i < n - 1)
        let src: Vec<u32> = (1..n).collect();
        let mut d = FixedBitSet::with_capacity(n as usize);
        (1..n).for_each(|i| d.insert(i as usize));
        let order = order(&offsets, &src, &d).unwrap();
        assert_eq!(order.first(), Some(&(n - 1)));
        assert_eq!(order.last(), Some(&0));
    }
}
