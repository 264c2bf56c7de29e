//! Graph shapes that break recursive implementations: a 1,000,000-deep chain and a
//! 1,000,000-child star, built from columns and scored without touching the call stack.

use okr_core::{
    AlignmentColumns, Columns, IdColumn, KeyResultColumns, KeyResultKind, ObjectiveColumns, Plan,
};

const N: i64 = 1_000_000;

fn leaf_kr(objective: i64) -> KeyResultColumns {
    KeyResultColumns {
        id: IdColumn::Integers(vec![-1]),
        objective: IdColumn::Integers(vec![objective]),
        kind: vec![KeyResultKind::Linear],
        start: Some(vec![0.0]),
        target: Some(vec![10.0]),
        current: Some(vec![7.0]),
        ..Default::default()
    }
}

#[test]
fn million_deep_chain() {
    // Objective i is aligned to i - 1; the deepest one has the only key result.
    let cols = Columns {
        objectives: ObjectiveColumns { id: IdColumn::Integers((0..N).collect()), ..Default::default() },
        key_results: leaf_kr(N - 1),
        alignments: Some(AlignmentColumns {
            child: IdColumn::Integers((1..N).collect()),
            parent: IdColumn::Integers((0..N - 1).collect()),
            weight: None,
        }),
        ..Default::default()
    };
    let plan = Plan::from_columns(&cols).unwrap();
    let report = plan.score("2026-01-01".parse().unwrap());
    assert!((report.get("0").unwrap().score - 0.7).abs() < 1e-12);
    let los = plan.line_of_sight(&(N - 1).to_string()).unwrap();
    assert_eq!(los.ancestors.len() as i64, N - 1);
    assert_eq!(los.ancestors.last().unwrap().distance as i64, N - 1);

    // Closing the chain into a cycle is reported, not overflowed.
    let mut cyclic = cols;
    if let Some(a) = &mut cyclic.alignments {
        if let (IdColumn::Integers(c), IdColumn::Integers(p)) = (&mut a.child, &mut a.parent) {
            c.push(0);
            p.push(N - 1);
        }
    }
    let err = Plan::from_columns(&cyclic).unwrap_err();
    match err {
        okr_core::Error::Cycle { ids } => assert_eq!(ids.len() as i64, N + 1),
        other => panic!("expected a cycle, got {other}"),
    }
}

#[test]
fn million_child_star() {
    let cols = Columns {
        objectives: ObjectiveColumns { id: IdColumn::Integers((0..=N).collect()), ..Default::default() },
        key_results: leaf_kr(N),
        alignments: Some(AlignmentColumns {
            child: IdColumn::Integers((1..=N).collect()),
            parent: IdColumn::Integers(vec![0; N as usize]),
            weight: None,
        }),
        ..Default::default()
    };
    let report = Plan::from_columns(&cols).unwrap().score("2026-01-01".parse().unwrap());
    // One child of a million scores 0.7, the rest have no contributors (0).
    assert!((report.get("0").unwrap().score - 0.7 / N as f64).abs() < 1e-15);
    assert!(report.get("0").unwrap().has_data);
}
