//! Seeded synthetic organisations for the benchmarks and the peer comparison.
//!
//! The shape: objectives in a tree with about five children per node (node `i` reports to
//! `(i − 1) / 5`), 2 % of them with an extra parent of a lower index (so the graph stays acyclic),
//! three key results each (mostly linear, some `at_least` and `binary`), ids shuffled so that
//! neither row order nor id order follows the tree.

use chrono::NaiveDate;
use okr_core::{
    AlignmentColumns, Columns, Cycle, IdColumn, KeyResultColumns, KeyResultKind, ObjectiveColumns, Policy,
    ProgressDriver,
};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

/// The quarter every synthetic objective belongs to.
pub fn quarter() -> Cycle {
    Cycle {
        id: "2026-Q1".into(),
        start: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default(),
        end: NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(),
    }
}

/// The peer comparison's policy (`progress: both`): every objective averages its own key
/// results and its aligned children together, so scores roll up the whole tree. Under the
/// default policy (`auto`) an objective with key results of its own is scored by them alone,
/// which every synthetic objective has.
pub fn rolled_up() -> Policy {
    Policy { progress: ProgressDriver::Both, ..Policy::default() }
}

/// A synthetic organisation of `n` objectives and `3 n` key results, as columns with integer ids.
pub fn organisation(n: usize, seed: u64) -> Columns<'static> {
    organisation_with(n, seed, false)
}

/// [`organisation`], with the key results in a shuffled order when `shuffled_key_results` (as
/// the peer comparison's organisation has them): each objective's key results are then far
/// apart in the input, the worst case for grouping them.
pub fn organisation_with(n: usize, seed: u64, shuffled_key_results: bool) -> Columns<'static> {
    let mut rng = StdRng::seed_from_u64(seed);
    // label[i] is the id of tree node i; rows are emitted in a shuffled order.
    let mut label: Vec<i64> = (0..n as i64).collect();
    label.shuffle(&mut rng);
    let mut rows: Vec<usize> = (0..n).collect();
    rows.shuffle(&mut rng);
    let objectives = ObjectiveColumns {
        id: rows.iter().map(|&i| label[i]).collect::<Vec<i64>>().into(),
        cycle: Some(vec![Some("2026-Q1".to_owned()); n].into()),
        level: Some(
            rows.iter()
                .map(|&i| Some(if i == 0 { "company" } else { "team" }.to_owned()))
                .collect::<Vec<_>>()
                .into(),
        ),
        owner: Some(rows.iter().map(|&i| Some(format!("p{}", i / 3))).collect::<Vec<_>>().into()),
        ..Default::default()
    };
    let (mut child, mut parent) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for &i in &rows {
        if i == 0 {
            continue;
        }
        let p = (i - 1) / 5;
        child.push(label[i]);
        parent.push(label[p]);
        if p > 0 && rng.gen_bool(0.02) {
            let extra = rng.gen_range(0..p);
            child.push(label[i]);
            parent.push(label[extra]);
        }
    }
    let nk = 3 * n;
    let (mut ids, mut objs, mut kind) =
        (Vec::with_capacity(nk), Vec::with_capacity(nk), Vec::with_capacity(nk));
    let [mut start, mut target, mut threshold, mut current, mut weight] =
        std::array::from_fn(|_| Vec::with_capacity(nk));
    let mut kr_ids: Vec<i64> = (n as i64..(n + nk) as i64).collect();
    kr_ids.shuffle(&mut rng);
    let mut owners: Vec<usize> = rows.iter().cycle().take(nk).copied().collect();
    if shuffled_key_results {
        owners.shuffle(&mut rng);
    }
    for (j, &i) in owners.iter().enumerate() {
        ids.push(kr_ids[j]);
        objs.push(label[i]);
        let roll: f64 = rng.gen();
        let (k, value) = if roll < 0.85 {
            (KeyResultKind::Linear, rng.gen_range(-10.0..120.0))
        } else if roll < 0.95 {
            (KeyResultKind::AtLeast, rng.gen_range(0.0..100.0))
        } else {
            (KeyResultKind::Binary, f64::from(u8::from(rng.gen_bool(0.5))))
        };
        let lower_is_better = rng.gen_bool(0.2);
        kind.push(k);
        start.push(if lower_is_better { 100.0 } else { 0.0 });
        target.push(if lower_is_better { 0.0 } else { 100.0 });
        threshold.push(50.0);
        current.push(value);
        weight.push(f64::from(rng.gen_range(1u8..=3)));
    }
    let kr = KeyResultColumns {
        id: ids.into(),
        objective: objs.into(),
        kind,
        start: Some(start.into()),
        target: Some(target.into()),
        threshold: Some(threshold.into()),
        current: Some(current.into()),
        weight: Some(weight.into()),
        ..Default::default()
    };
    Columns {
        objectives,
        key_results: kr,
        alignments: Some(AlignmentColumns { child: child.into(), parent: parent.into(), weight: None }),
        check_ins: None,
        cycles: vec![quarter()],
        policy: None,
        confidence_scale: None,
    }
}

/// [`organisation`] with text ids (`o-17`), as most platforms keep them.
pub fn organisation_text_ids(n: usize, seed: u64) -> Columns<'static> {
    let mut cols = organisation(n, seed);
    let text = |c: &IdColumn| -> IdColumn<'static> {
        IdColumn::Strings((0..c.len()).map(|i| format!("o-{}", c.get(i))).collect())
    };
    cols.objectives.id = text(&cols.objectives.id);
    cols.key_results.id = text(&cols.key_results.id);
    cols.key_results.objective = text(&cols.key_results.objective);
    if let Some(a) = cols.alignments.as_mut() {
        a.child = text(&a.child);
        a.parent = text(&a.parent);
    }
    cols
}

/// The same organisation as a JSON plan document (ids as text), for the document path.
pub fn organisation_json(n: usize, seed: u64) -> String {
    use okr_core::{Alignment, Document, KeyResultSpec, ObjectiveSpec};
    let cols = organisation(n, seed);
    let text = |c: &IdColumn, i: usize| c.get(i).into_owned();
    let mut objectives: Vec<ObjectiveSpec> = (0..cols.objectives.id.len())
        .map(|i| ObjectiveSpec {
            id: text(&cols.objectives.id, i),
            title: None,
            owner: None,
            cycle: Some("2026-Q1".into()),
            level: cols.objectives.level.as_ref().and_then(|l| l.get(i)).map(str::to_owned),
            note: None,
            progress: None,
            parents: Vec::new(),
            key_results: Vec::new(),
        })
        .collect();
    let row: std::collections::HashMap<String, usize> =
        objectives.iter().enumerate().map(|(i, o)| (o.id.clone(), i)).collect();
    if let Some(a) = &cols.alignments {
        for i in 0..a.child.len() {
            let r = row[&text(&a.child, i)];
            objectives[r].parents.push(Alignment { id: text(&a.parent, i), weight: 1.0 });
        }
    }
    let k = &cols.key_results;
    let num = |c: &okr_core::FloatColumn<'_>, i: usize| c.as_ref().map(|v| v[i]);
    for i in 0..k.id.len() {
        let r = row[&text(&k.objective, i)];
        objectives[r].key_results.push(KeyResultSpec {
            id: text(&k.id, i),
            kind: k.kind[i],
            title: None,
            owner: None,
            note: None,
            weight: num(&k.weight, i).unwrap_or(1.0),
            start: num(&k.start, i),
            target: num(&k.target, i),
            threshold: num(&k.threshold, i),
            strict: false,
            low: None,
            high: None,
            current: num(&k.current, i),
            milestones: Vec::new(),
            points: Vec::new(),
            op: None,
            parents: Vec::new(),
            check_ins: Vec::new(),
        });
    }
    let doc = Document { cycles: vec![quarter()], objectives, policy: None, confidence_scale: None };
    serde_json::to_string(&doc).unwrap_or_default()
}
