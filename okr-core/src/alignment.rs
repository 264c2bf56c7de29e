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

/// Contributors of every node: for node `p`, entries `offsets[p] .. offsets[p + 1]`, of which
/// `offsets[p] .. own_end[p]` are its own key results and the rest its aligned children.
#[derive(Debug, Clone, Default)]
pub(crate) struct Contributors {
    pub offsets: Vec<u32>,
    pub own_end: Vec<u32>,
    pub src: Vec<u32>,
    pub weight: Vec<f64>,
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
        match driver {
            ProgressDriver::Auto if mid > lo => lo..mid,
            ProgressDriver::Auto | ProgressDriver::Children => mid..hi,
            ProgressDriver::KeyResults => lo..mid,
            ProgressDriver::Both => lo..hi,
        }
    }

    pub(crate) fn heap_bytes(&self) -> usize {
        (self.offsets.capacity() + self.own_end.capacity() + self.src.capacity()) * 4
            + self.weight.capacity() * 8
    }
}

/// The contributor adjacency between inner nodes (nodes with contributors), seen through
/// petgraph's visit traits. Leaves (most key results) are left out of the traversal: they cannot
/// lie on a cycle, and skipping them saves a cache miss each on large plans.
struct InnerGraph<'a> {
    offsets: &'a [u32],
    src: &'a [u32],
    leaf: &'a FixedBitSet,
}

impl GraphBase for InnerGraph<'_> {
    type EdgeId = u32;
    type NodeId = u32;
}

impl<'a> IntoNeighbors for &'a InnerGraph<'a> {
    type Neighbors =
        std::iter::Filter<std::iter::Copied<std::slice::Iter<'a, u32>>, Box<dyn Fn(&u32) -> bool + 'a>>;

    fn neighbors(self, a: u32) -> Self::Neighbors {
        let a = a as usize;
        let leaf = self.leaf;
        let inner: Box<dyn Fn(&u32) -> bool + 'a> = Box::new(move |&c| !leaf.contains(c as usize));
        self.src[self.offsets[a] as usize..self.offsets[a + 1] as usize].iter().copied().filter(inner)
    }
}

impl Visitable for InnerGraph<'_> {
    type Map = FixedBitSet;

    fn visit_map(&self) -> FixedBitSet {
        FixedBitSet::with_capacity(self.offsets.len().saturating_sub(1))
    }

    fn reset_map(&self, map: &mut FixedBitSet) {
        map.clear();
        map.grow(self.offsets.len().saturating_sub(1));
    }
}

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

/// A topological order, contributors before the nodes they contribute to, or the indices of one
/// cycle, child to parent, first repeated last.
///
/// Inner nodes are ordered by a DFS post-order started from the nodes nobody depends on (the tops
/// of the alignment), so each subtree is contiguous; each leaf is placed just before the first
/// node it feeds. The scoring pass then reads memory almost sequentially.
pub(crate) fn topological_order(
    offsets: &[u32],
    src: &[u32],
    leaf: &FixedBitSet,
    has_dependent: &FixedBitSet,
) -> Result<Vec<u32>, Vec<u32>> {
    let n = offsets.len().saturating_sub(1);
    let contributors = |u: usize| &src[offsets[u] as usize..offsets[u + 1] as usize];
    let graph = InnerGraph { offsets, src, leaf };
    let mut dfs = DfsPostOrder::empty(&graph);
    let mut inner = Vec::new();
    let tops = (0..n).filter(|&i| !leaf.contains(i) && !has_dependent.contains(i));
    // Inner nodes not reached from any top lie on or behind a cycle; visiting them exposes it.
    let rest = (0..n).filter(|&i| !leaf.contains(i));
    for start in tops.chain(rest) {
        if dfs.discovered.contains(start) {
            continue;
        }
        dfs.move_to(start as u32);
        while let Some(node) = dfs.next(&graph) {
            inner.push(node);
        }
    }
    let mut rank = vec![0u32; n];
    for (r, &u) in inner.iter().enumerate() {
        rank[u as usize] = r as u32;
    }
    for (r, &u) in inner.iter().enumerate() {
        for &c in contributors(u as usize) {
            if !leaf.contains(c as usize) && rank[c as usize] as usize >= r {
                return Err(cycle_through(offsets, src, c, u));
            }
        }
    }
    let mut order = Vec::with_capacity(n);
    let mut emitted = FixedBitSet::with_capacity(n);
    for i in leaf.ones().filter(|&i| !has_dependent.contains(i)) {
        order.push(i as u32);
        emitted.insert(i);
    }
    for &u in &inner {
        for &c in contributors(u as usize) {
            if leaf.contains(c as usize) && !emitted.put(c as usize) {
                order.push(c);
            }
        }
        order.push(u);
    }
    Ok(order)
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
mod tests {
    use super::*;

    /// Builds (offsets, src) from contributor lists.
    fn order(o: &[u32], s: &[u32], d: &FixedBitSet) -> Result<Vec<u32>, Vec<u32>> {
        topological_order(o, s, &leaves(o), d)
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
