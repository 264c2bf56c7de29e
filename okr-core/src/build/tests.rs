use super::*;
use crate::alignment::Weights;

/// A builder over `n` nodes whose contributor inputs are `objective` and `edges`.
fn builder(objective: Vec<u32>, edges: Vec<(u32, u32, f64)>) -> Builder {
    let n = objective.len();
    let mut b = Builder::with_capacity(n);
    let ids: Vec<i64> = (0..n as i64).collect();
    assert!(b.intern_ints("objectives", &ids).is_ok());
    b.objective = objective;
    for (child, parent, weight) in edges {
        b.edges.push(child, parent, weight);
    }
    b
}

/// A plan whose objectives share one cycle keeps it once and no cycle per node; one with
/// two cycles, or with one objective outside any, keeps a cycle per node. Either way every
/// node reads as its objective's cycle, on plans gathered by two threads, whose key results
/// lie in either half and far from their objectives. Each key result's objective by
/// position, read one node at a time and then made for the whole plan, is its input
/// objective's position.
#[test]
fn a_plan_in_one_cycle_keeps_it_once() {
    use crate::columns::{AlignmentColumns, Columns, KeyResultColumns, ObjectiveColumns};
    use crate::{Cycle, KeyResultKind, Plan};
    let no = 30_001;
    let nk = 3 * no + 2;
    assert!(crate::parallel::worth_splitting(no + nk));
    let day = |s: &str| s.parse::<chrono::NaiveDate>().unwrap_or_default();
    let cycles = vec![
        Cycle { id: "q1".into(), start: day("2026-01-01"), end: day("2026-03-31") },
        Cycle { id: "q2".into(), start: day("2026-04-01"), end: day("2026-06-30") },
    ];
    // Objective `i` has id `i * 7 % no` (scattered); key result `j` belongs to objective
    // `j * 13 % no`, so an objective's key results are spread over the input, and the
    // halves of the layout part between an objective and its key results.
    let objective_ids: Vec<i64> = (0..no as i64).map(|i| i * 7 % no as i64).collect();
    let owner_of = |j: usize| (j * 13 % no) as i64;
    /// The cycle of objective `i`, by the objective's input position.
    type CycleOf = fn(usize) -> Option<&'static str>;
    let variants: [(&str, CycleOf, Option<u32>); 4] = [
        ("one cycle", |_| Some("q1"), Some(0)),
        ("the last objective in another", |i| Some(if i == 30_000 { "q2" } else { "q1" }), None),
        ("one objective in none", |i| (i != 17).then_some("q2"), None),
        ("none in any", |_| None, Some(NONE)),
    ];
    for (name, cycle_of_objective, single) in variants {
        let cols = Columns {
            objectives: ObjectiveColumns {
                id: objective_ids.clone().into(),
                cycle: Some(
                    (0..no).map(|i| cycle_of_objective(i).map(str::to_owned)).collect::<Vec<_>>().into(),
                ),
                ..Default::default()
            },
            key_results: KeyResultColumns {
                id: (0..nk as i64).map(|j| no as i64 + j).collect::<Vec<_>>().into(),
                objective: (0..nk).map(owner_of).collect::<Vec<_>>().into(),
                kind: vec![KeyResultKind::Binary; nk],
                current: Some(vec![1.0; nk].into()),
                ..Default::default()
            },
            alignments: Some(AlignmentColumns {
                child: (1..no as i64).collect::<Vec<_>>().into(),
                parent: (1..no as i64).map(|i| (i - 1) / 5).collect::<Vec<_>>().into(),
                weight: None,
            }),
            check_ins: None,
            cycles: cycles.clone(),
            policy: None,
            confidence_scale: None,
        };
        let plan = Plan::from_columns(&cols).unwrap_or_else(|e| panic!("{name}: {e}"));
        let d = &plan.data;
        assert!(d.split.is_some(), "{name}: laid out for two threads");
        assert_eq!(d.single_cycle, single, "{name}");
        assert_eq!(d.cycle_of.len(), if single.is_some() { 0 } else { no + nk }, "{name}");
        // The cycle each objective id was given.
        let given: HashMap<i64, u32> = objective_ids
            .iter()
            .enumerate()
            .map(|(i, &id)| (id, cycle_of_objective(i).map_or(NONE, |c| u32::from(c == "q2"))))
            .collect();
        let doc_of_id: HashMap<i64, usize> =
            objective_ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        let mut expected = vec![NONE; d.len()];
        for p in 0..d.len() {
            let doc = d.doc_of_pos[p] as usize;
            let objective = if doc < no { objective_ids[doc] } else { owner_of(doc - no) };
            assert_eq!(d.cycle(p), given[&objective], "{name}: node {doc}");
            if doc >= no {
                expected[p] = d.pos_of_doc[doc_of_id[&objective]];
            }
            assert_eq!(d.objective_at(p), expected[p], "{name}: node {doc}, one at a time");
        }
        assert!(d.objective_by_pos.get().is_none(), "{name}: made before first use");
        assert!(d.objective_of() == expected, "{name}: the whole plan's objectives by position");
        assert!((0..d.len()).all(|p| d.objective_at(p) == expected[p]), "{name}: once made");
    }
}

/// The row thread makes a large plan's first score's columns once the layout has signalled
/// and only while it runs; a small plan, or a layout that failed before signalling, gets
/// none.
#[test]
fn the_row_thread_maps_the_first_scores_columns_only_while_the_layout_runs() {
    if !crate::parallel::threads_allowed() {
        return;
    }
    let large = crate::parallel::PARALLEL_FROM;
    let columns = |n: usize, signal: bool, running: bool| {
        let (go, ready) = std::sync::mpsc::channel();
        if signal {
            let _ = go.send(());
        }
        drop(go);
        let arrays = RowArrays::after(&ready, n, false, || running);
        assert_eq!(arrays.kinds.len(), n);
        arrays.spare.map(|s| s.mapped_len())
    };
    assert_eq!(columns(large, true, true), Some(large), "layout still running");
    assert_eq!(columns(large, true, false), None, "the layout done first");
    assert_eq!(columns(large - 1, true, true), None, "a plan too small for two threads");
    assert_eq!(columns(large, false, true), None, "the layout failed before signalling");
}

/// A long column of integer ids, looked up by two threads, gives every index in order, with
/// unknown ids (in either half) as `NONE`, as one thread's look-up does.
#[test]
fn integer_columns_are_looked_up_in_order_by_two_threads() {
    let n = 100_000;
    let ids: Vec<i64> = (0..n as i64).map(|i| (i * 7_919) % n as i64 * 3 + 5).collect();
    let mut b2 = Builder::with_capacity(n);
    assert!(b2.intern_ints("objectives", &ids).is_ok());
    // Every third id back to front, then ids no node has, then the first ids again.
    let mut wanted: Vec<i64> = ids.iter().rev().step_by(3).copied().collect();
    wanted.extend([-1, 4, 300_001, i64::MAX]);
    wanted.extend(&ids[..40_000]);
    assert!(crate::parallel::worth_splitting(wanted.len()));
    let mut found = vec![7];
    b2.find_column_into(&IdColumn::Integers(wanted.clone().into()), &mut found);
    let mut one = Vec::new();
    b2.ids.find_ints(&wanted, &mut one);
    assert_eq!(found[0], 7, "appended after what `out` held");
    assert_eq!(found[1..], one[..]);
    let index: HashMap<i64, u32> = ids.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    for (k, &v) in wanted.iter().enumerate() {
        assert_eq!(found[k + 1], index.get(&v).copied().unwrap_or(NONE), "id {v} at {k}");
    }
}

/// Contributor lists built by buckets equal lists built the plain way (each list's key
/// results, then its children, in input order), on plans small enough for one bucket and
/// large enough for many, split between two threads, with a partial last bucket.
#[test]
fn contributor_lists_equal_the_plain_construction() {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as u32
    };
    let sizes = [(0, 0), (3, 5), (1000, 3000), (20_000, 60_001), (30_011, 90_000)];
    for ((objectives, key_results), wide) in sizes.into_iter().flat_map(|s| [(s, false), (s, true)]) {
        let n = objectives + key_results;
        // Key results in shuffled order, owned by random objectives; edges from random
        // nodes to random objectives, some children with several parents.
        let mut objective = vec![NONE; objectives];
        objective.extend((0..key_results).map(|_| next(objectives)));
        let edges: Vec<(u32, u32, f64)> =
            (0..objectives / 2).map(|_| (next(n), next(objectives), f64::from(next(5)))).collect();
        // Weights exact in 4 bytes are dealt narrow, others wide.
        let kr_weight = |kr: usize| if wide { kr as f64 / 7.0 } else { (kr % 4 + 1) as f64 };
        let b = builder(objective.clone(), edges.clone());
        let Ok((c, feeds, feeds_many)) = b.contributors(kr_weight) else {
            panic!("contributors failed for {n} nodes");
        };
        let narrow = !wide || (key_results == 0 && edges.iter().all(|e| e.2 == 1.0));
        assert_eq!(matches!(c.weight, Weights::Narrow(_)), narrow, "weights of {n} nodes");
        assert_eq!(c.offsets.len(), n + 1);
        assert_eq!(c.offsets[n] as usize, key_results + edges.len());
        // The plain way: every list grown by pushing, in input order.
        let (mut own, mut aligned) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (kr, &o) in objective.iter().enumerate().filter(|(_, &o)| o != NONE) {
            own[o as usize].push((kr as u32, kr_weight(kr)));
        }
        for &(child, parent, w) in &edges {
            aligned[parent as usize].push((child, w));
        }
        let mut fed = vec![0usize; n];
        let got = |r: std::ops::Range<usize>| -> Vec<(u32, f64)> {
            r.map(|e| (c.src[e], c.weight.get(e))).collect()
        };
        for p in 0..n {
            assert_eq!(got(c.own(p)), own[p], "key results of node {p} of {n}");
            assert_eq!(got(c.aligned(p)), aligned[p], "children of node {p} of {n}");
            own[p].iter().chain(&aligned[p]).for_each(|&(s, _)| fed[s as usize] += 1);
        }
        for (i, &k) in fed.iter().enumerate() {
            assert_eq!((feeds.contains(i), feeds_many.contains(i)), (k > 0, k > 1), "node {i} of {n}");
        }
    }
}

/// An alignment edge given twice is refused, naming child and parent, whether the parent has
/// few children or many, and in either thread's half of a large plan; the same edges given
/// once build, and so does a child with two different parents.
#[test]
fn an_edge_given_twice_is_named() {
    let n = 200_000u32;
    let chain = |parent: u32, children: std::ops::Range<u32>| children.map(move |c| (c, parent, 1.0));
    for (parent, children, repeat) in [(3, 10..13, 11), (7, 100..140, 131), (n - 5, 1_000..1_030, 1_000)] {
        let mut edges: Vec<(u32, u32, f64)> = chain(parent, children.clone()).collect();
        edges.push((repeat, parent + 1, 1.0));
        let b = builder(vec![NONE; n as usize], edges.clone());
        assert!(b.contributors(|_| 1.0).is_ok(), "edges to {parent} given once");
        edges.insert(edges.len() / 2, (repeat, parent, 2.0));
        let b = builder(vec![NONE; n as usize], edges);
        match b.contributors(|_| 1.0) {
            Err(e) => {
                assert_eq!(e.code(), "duplicate_alignment");
                assert_eq!(e.to_string(), format!("`{repeat}` is aligned to `{parent}` more than once"));
            }
            Ok(_) => panic!("edge {repeat} → {parent} given twice was accepted"),
        }
    }
}
