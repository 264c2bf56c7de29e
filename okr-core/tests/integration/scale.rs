//! Graph shapes that break recursive implementations: a 1,000,000-deep chain and a
//! 1,000,000-child star, built from columns and scored without touching the call stack.

use okr_core::{
    AlignmentColumns, Columns, IdColumn, IdValues, KeyResultColumns, KeyResultKind, ObjectiveColumns, Plan,
    Utf8Ids,
};

const N: i64 = 1_000_000;

fn leaf_kr(objective: i64) -> KeyResultColumns<'static> {
    KeyResultColumns {
        id: IdColumn::Integers(vec![-1].into()),
        objective: IdColumn::Integers(vec![objective].into()),
        kind: vec![KeyResultKind::Linear],
        start: Some(vec![0.0].into()),
        target: Some(vec![10.0].into()),
        current: Some(vec![7.0].into()),
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
            c.to_mut().push(0);
            p.to_mut().push(N - 1);
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
            parent: IdColumn::Integers(vec![0; N as usize].into()),
            weight: None,
        }),
        ..Default::default()
    };
    let report = Plan::from_columns(&cols).unwrap().score("2026-01-01".parse().unwrap());
    // One child of a million scores 0.7, the rest have no contributors (0).
    assert!((report.get("0").unwrap().score - 0.7 / N as f64).abs() < 1e-15);
    assert!(report.get("0").unwrap().has_data);
}

#[test]
fn hundred_thousand_parents_on_one_objective() {
    let parents = 100_000i64;
    let cols = Columns {
        objectives: ObjectiveColumns {
            id: IdColumn::Integers((0..=parents).collect()),
            ..Default::default()
        },
        key_results: leaf_kr(parents),
        alignments: Some(AlignmentColumns {
            child: IdColumn::Integers(vec![parents; parents as usize].into()),
            parent: IdColumn::Integers((0..parents).collect()),
            weight: None,
        }),
        ..Default::default()
    };
    let plan = Plan::from_columns(&cols).unwrap();
    let report = plan.score("2026-01-01".parse().unwrap());
    // Every parent has the one child as its only contributor.
    assert!((report.get("0").unwrap().score - 0.7).abs() < 1e-12);
    assert!((report.get("99999").unwrap().score - 0.7).abs() < 1e-12);
    assert_eq!(plan.line_of_sight(&parents.to_string()).unwrap().ancestors.len() as i64, parents);
}

#[test]
fn extreme_numbers_and_dates() {
    // Tiny and huge (finite) numbers score without overflow to NaN; far dates are fine or named.
    let plan = Plan::from_json(
        r#"{"cycles": [{"id": "q", "start": "1900-01-01", "end": "9999-12-31"}],
        "objectives": [{"id": "o", "cycle": "q", "key_results": [
          {"id": "tiny", "kind": "linear", "start": 0, "target": 1e-300, "current": 5e-301},
          {"id": "huge", "kind": "linear", "start": -1e307, "target": 1e307, "current": 0},
          {"id": "m", "kind": "milestones", "milestones": [{"name": "before the cycle", "done_on": "1800-01-01"}, {"name": "after", "done_on": "9999-12-31"}]}]}]}"#,
    )
    .unwrap();
    let r = plan.score("2026-01-01".parse().unwrap());
    assert!((r.get("tiny").unwrap().score - 0.5).abs() < 1e-12);
    assert_eq!(r.get("huge").unwrap().score, 0.5);
    // Start and target whose span is beyond f64's range would score 0 whatever the value: named.
    let far = Plan::from_json(
        r#"{"objectives": [{"id": "o", "key_results": [
          {"id": "far", "kind": "aggregate", "op": "sum", "start": -1e308, "target": 1e308}]}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        far.to_string(),
        "`far` has invalid target: start `-1e308` and target `1e308` are too far apart to score"
    );
    // A milestone dated outside its cycle counts on its own date.
    assert_eq!(r.get("m").unwrap().score, 0.5);
    assert!(r.nodes().all(|n| n.score.is_finite() && n.expected.is_some_and(f64::is_finite)));
    let err = Plan::from_json(r#"{"cycles": [{"id": "q", "start": "2026-13-01", "end": "2026-12-31"}]}"#)
        .unwrap_err();
    assert_eq!(err.code(), "malformed");
    // Dates at chrono's limits are read or refused with a named error, never a panic.
    for text in [
        r#"{"cycles": [{"id": "q", "start": "+262143-01-01", "end": "+262143-12-31"}], "objectives": [{"id": "o", "cycle": "q"}]}"#,
        r#"{"cycles": [{"id": "q", "start": "-262143-01-01", "end": "+262143-12-31"}], "objectives": [{"id": "o", "cycle": "q"}]}"#,
    ] {
        match Plan::from_json(text) {
            Ok(p) => assert!(p
                .score("2026-01-01".parse().unwrap())
                .get("o")
                .unwrap()
                .expected
                .is_some_and(f64::is_finite)),
            Err(e) => assert_eq!(e.code(), "malformed"),
        }
    }
}

#[test]
fn text_ids_at_scale_read_like_integer_ids() {
    // 100,000 objectives in a 5-ary tree, two key results each, as integers, as text (a
    // String per id) and as text in Arrow's layout: the text look-ups (two threads at this size)
    // must find every reference, in order.
    let n = 100_000i64;
    #[derive(Clone, Copy, PartialEq)]
    enum Ids {
        Integers,
        Strings,
        Utf8,
    }
    let build = |how: Ids| {
        let col = |v: Vec<i64>| match how {
            Ids::Integers => IdColumn::Integers(v.into()),
            Ids::Strings => IdColumn::Strings(v.iter().map(|x| format!("id-{x}")).collect()),
            Ids::Utf8 => {
                let (mut text, mut offsets) = (String::new(), vec![0]);
                for x in v {
                    text.push_str(&format!("id-{x}"));
                    offsets.push(text.len() as i64);
                }
                IdColumn::Utf8(Utf8Ids::new(offsets, text).unwrap())
            }
        };
        let krs: Vec<i64> = (0..2 * n).collect();
        Columns {
            objectives: ObjectiveColumns {
                id: col((0..n).map(|i| 10 * n + i).collect()),
                ..Default::default()
            },
            key_results: KeyResultColumns {
                id: col(krs.clone()),
                objective: col(krs.iter().map(|k| 10 * n + k / 2).collect()),
                kind: vec![KeyResultKind::Linear; 2 * n as usize],
                start: Some(vec![0.0; 2 * n as usize].into()),
                target: Some(vec![10.0; 2 * n as usize].into()),
                current: Some(krs.iter().map(|&k| (k % 11) as f64).collect::<Vec<_>>().into()),
                ..Default::default()
            },
            alignments: Some(AlignmentColumns {
                child: col((1..n).map(|i| 10 * n + i).collect()),
                parent: col((1..n).map(|i| 10 * n + (i - 1) / 5).collect()),
                weight: None,
            }),
            ..Default::default()
        }
    };
    let day = "2026-02-15".parse().unwrap();
    let ints = Plan::from_columns(&build(Ids::Integers)).unwrap().score(day);
    // No check-ins and no roll-ups: the value column is gathered from `current` directly (by
    // two threads at this size), and says what each node's line says.
    let values = ints.columns_of(&[okr_core::ReportColumn::Value], false).value;
    let lines = ints.nodes().map(|node| node.value.map(f64::to_bits));
    assert!(lines.eq(values.iter().map(|v| (!v.is_nan()).then_some(v.to_bits()))));
    assert_eq!(values[n as usize + 150_001], (150_001 % 11) as f64);
    let ints = ints.columns();
    for how in [Ids::Strings, Ids::Utf8] {
        let text = Plan::from_columns(&build(how)).unwrap().score(day);
        let text = text.columns();
        assert_eq!(ints.score, text.score);
        assert_eq!(ints.status, text.status);
        let IdValues::Text(ids) = &text.id else { panic!("text ids come back as text") };
        assert_eq!((ids[0], ids[n as usize]), ("id-1000000", "id-0"));
        // In Arrow's layout (laid out by two threads at this size): the same rows.
        let report = Plan::from_columns(&build(how)).unwrap().score(day);
        let arrow = report.columns_utf8();
        let IdValues::Utf8(utf8) = &arrow.id else { panic!("text ids come back in Arrow's layout") };
        assert!(ids.iter().enumerate().all(|(i, id)| utf8.get(i) == *id));
        assert_eq!(utf8.offsets().len(), ids.len() + 1);
        let objectives = || (0..ids.len()).map(|i| text.objective.get(i));
        assert!(objectives().eq((0..ids.len()).map(|i| arrow.objective.get(i))));
        assert_eq!(arrow.objective.get(n as usize + 150_001).as_deref(), Some("id-1075000"));
        // Some columns only (made by two threads at this size): the same rows, the others
        // empty.
        use okr_core::ReportColumn as C;
        let some = report.columns_of(&[C::Status, C::Id, C::Objective], true);
        assert_eq!((some.id, some.objective, some.status), (arrow.id, arrow.objective, arrow.status));
        assert!(some.score.is_empty() && some.kind.is_empty() && some.signals.is_empty());
        let some = report.columns_of(&[C::Score], false);
        assert_eq!(some.score, text.score);
        assert_eq!(some.id, IdValues::Text(Vec::new()));
        let some = report.columns_of(&[C::Grade, C::Kind, C::Signals, C::Expected], false);
        assert_eq!((&some.grade, &some.kind, &some.signals), (&text.grade, &text.kind, &text.signals));
        assert_eq!(
            some.expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            text.expected.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert!(some.status.is_empty() && some.score.is_empty());
    }
    // In Arrow's layout, a repeated id deep in the second half is the one named.
    let mut cols = build(Ids::Utf8);
    let (mut text, mut offsets) = (String::new(), vec![0]);
    for k in 0..2 * n {
        text.push_str(&format!("id-{}", if k == 180_000 { 170_001 } else { k }));
        offsets.push(text.len() as i64);
    }
    cols.key_results.id = IdColumn::Utf8(Utf8Ids::new(offsets, text).unwrap());
    let err = Plan::from_columns(&cols).unwrap_err();
    assert_eq!((err.code(), err.to_string().contains("id-170001")), ("duplicate_id", true), "{err}");
    // An unknown reference deep in the second half of a column is named, not another one.
    let mut cols = build(Ids::Strings);
    if let Some(a) = cols.alignments.as_mut() {
        let IdColumn::Strings(parent) = &mut a.parent else { unreachable!() };
        parent[90_000] = "ghost".into();
        parent[95_000] = "phantom".into();
    }
    let err = Plan::from_columns(&cols).unwrap_err();
    assert_eq!(err.code(), "unknown_parent");
    assert!(err.to_string().contains("ghost"), "{err}");
    let mut cols = build(Ids::Strings);
    let IdColumn::Strings(objective) = &mut cols.key_results.objective else { unreachable!() };
    objective[150_000] = "nobody".into();
    let err = Plan::from_columns(&cols).unwrap_err();
    assert_eq!(err.code(), "unknown_objective");
    assert!(err.to_string().contains("nobody") && err.to_string().contains("id-150000"), "{err}");
}

#[test]
fn every_key_result_reports_its_objective_at_scale() {
    // Plans large enough to be laid out by two threads, which split the positions in half: a
    // key result just before the half and its objective just after it are set across threads.
    // A few sizes, so that the half falls at different places in the groups of key results
    // and objective.
    for n in [40_000i64, 40_001, 40_002] {
        let krs: Vec<i64> = (0..2 * n).collect();
        let objective: Vec<i64> = krs.iter().map(|k| 10 * n + (k * 7919) % n).collect();
        let cols = Columns {
            objectives: ObjectiveColumns {
                id: IdColumn::Integers((0..n).map(|i| 10 * n + i).collect::<Vec<_>>().into()),
                ..Default::default()
            },
            key_results: KeyResultColumns {
                id: IdColumn::Integers(krs.clone().into()),
                objective: IdColumn::Integers(objective.clone().into()),
                kind: vec![KeyResultKind::Binary; 2 * n as usize],
                current: Some(vec![1.0; 2 * n as usize].into()),
                ..Default::default()
            },
            alignments: Some(AlignmentColumns {
                child: IdColumn::Integers((1..n).map(|i| 10 * n + i).collect::<Vec<_>>().into()),
                parent: IdColumn::Integers((1..n).map(|i| 10 * n + (i - 1) / 5).collect::<Vec<_>>().into()),
                weight: None,
            }),
            ..Default::default()
        };
        let report = Plan::from_columns(&cols).unwrap().score("2026-02-15".parse().unwrap());
        let c = report.columns();
        let rows = (0..(3 * n) as usize).map(|i| c.objective.get(i).map(|o| o.to_string()));
        let expected = (0..n).map(|_| None).chain(objective.iter().map(|o| Some(o.to_string())));
        assert!(rows.eq(expected), "objectives of {n} objectives' key results");
        // Asked for alone (by two threads at this size), the column is the same.
        let alone = report.columns_of(&[okr_core::ReportColumn::Objective], false);
        assert_eq!(alone.objective, c.objective);
        assert!(matches!(alone.id, IdValues::Integers(ref v) if v.is_empty()));
    }
}

#[test]
fn a_large_document_builds_the_plan_its_columns_build() {
    // 30,000 objectives with two key results each (90,000 nodes): the document path lays the
    // plan out with two threads too, its row arrays made beside the layout. The same plan as
    // columns gives the same report, column for column.
    let n = 30_000usize;
    let parent = |i: usize| (i - 1) / 5;
    let extra = |i: usize| (i > 0 && i % 7 == 0 && parent(i) > 0).then(|| (i * 31) % parent(i));
    let current = |k: usize| (k % 13) as f64;
    let objectives: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let mut parents = Vec::new();
            if i > 0 {
                parents.push(serde_json::json!({"id": format!("o{}", parent(i)), "weight": 1 + i % 3}));
            }
            if let Some(p) = extra(i) {
                parents.push(serde_json::json!({"id": format!("o{p}")}));
            }
            let krs: Vec<serde_json::Value> = (2 * i..2 * i + 2)
                .map(|k| serde_json::json!({"id": format!("k{k}"), "kind": "linear", "start": 0, "target": 12, "current": current(k)}))
                .collect();
            serde_json::json!({"id": format!("o{i}"), "cycle": "q", "parents": parents, "key_results": krs})
        })
        .collect();
    let doc = serde_json::json!({"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}], "objectives": objectives});
    let (mut child, mut up, mut weight) = (Vec::new(), Vec::new(), Vec::new());
    for i in 1..n {
        child.push(format!("o{i}"));
        up.push(format!("o{}", parent(i)));
        weight.push(1.0 + (i % 3) as f64);
        if let Some(p) = extra(i) {
            child.push(format!("o{i}"));
            up.push(format!("o{p}"));
            weight.push(1.0);
        }
    }
    let cols = Columns {
        objectives: ObjectiveColumns {
            id: IdColumn::Strings((0..n).map(|i| format!("o{i}")).collect()),
            cycle: Some(vec![Some("q".to_owned()); n].into()),
            ..Default::default()
        },
        key_results: KeyResultColumns {
            id: IdColumn::Strings((0..2 * n).map(|k| format!("k{k}")).collect()),
            objective: IdColumn::Strings((0..2 * n).map(|k| format!("o{}", k / 2)).collect()),
            kind: vec![KeyResultKind::Linear; 2 * n],
            start: Some(vec![0.0; 2 * n].into()),
            target: Some(vec![12.0; 2 * n].into()),
            current: Some((0..2 * n).map(current).collect::<Vec<_>>().into()),
            ..Default::default()
        },
        alignments: Some(AlignmentColumns {
            child: IdColumn::Strings(child),
            parent: IdColumn::Strings(up),
            weight: Some(weight.into()),
        }),
        cycles: vec![serde_json::from_value(
            serde_json::json!({"id": "q", "start": "2026-01-01", "end": "2026-03-31"}),
        )
        .unwrap()],
        ..Default::default()
    };
    let day = "2026-02-15".parse().unwrap();
    let from_json = Plan::from_json(&doc.to_string()).unwrap().score(day);
    let from_columns = Plan::from_columns(&cols).unwrap().score(day);
    // The document lists each objective before its key results, the columns all objectives
    // first: rows are matched by id.
    let (a, b) = (from_json.columns(), from_columns.columns());
    let (IdValues::Text(a_ids), IdValues::Text(b_ids)) = (&a.id, &b.id) else { panic!("text ids") };
    let row_of: std::collections::HashMap<&str, usize> =
        b_ids.iter().enumerate().map(|(j, id)| (*id, j)).collect();
    assert_eq!((a_ids.len(), row_of.len()), (3 * n, 3 * n));
    macro_rules! same {
        ($($field:ident),*) => {$(
            for (i, id) in a_ids.iter().enumerate() {
                let j = row_of[id];
                let (x, y) = (format!("{:?}", a.$field.get(i)), format!("{:?}", b.$field.get(j)));
                assert_eq!(x, y, "column `{}` of `{id}`", stringify!($field));
            }
        )*};
    }
    same!(
        node_type,
        kind,
        objective,
        score,
        expected,
        status,
        grade,
        has_data,
        value,
        confidence,
        forecast_score,
        signals
    );
    assert!(a.score.iter().any(|&s| s > 0.0 && s < 1.0));
}

#[test]
fn integer_ids_in_a_compact_range_are_kept_and_found_at_scale() {
    // 40,000 objectives and 80,000 key results with ids in one compact range (as a database's
    // keys are): the build indexes them in a flat table while the row compiler's thread makes
    // the plan's list of them (two threads at this size).
    let n = 40_000i64;
    let kr_ids: Vec<i64> = (0..2 * n).map(|k| n + (k * 7919) % (2 * n)).collect();
    let columns = |objective_ids: Vec<i64>, kr_ids: Vec<i64>| Columns {
        objectives: ObjectiveColumns { id: IdColumn::Integers(objective_ids.into()), ..Default::default() },
        key_results: KeyResultColumns {
            id: IdColumn::Integers(kr_ids.into()),
            objective: IdColumn::Integers((0..2 * n).map(|k| (k * 31) % n).collect::<Vec<_>>().into()),
            kind: vec![KeyResultKind::Linear; 2 * n as usize],
            start: Some(vec![0.0; 2 * n as usize].into()),
            target: Some(vec![10.0; 2 * n as usize].into()),
            current: Some((0..2 * n).map(|k| (k % 11) as f64).collect::<Vec<_>>().into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let objective_ids: Vec<i64> = (0..n).rev().collect();
    let plan = Plan::from_columns(&columns(objective_ids.clone(), kr_ids.clone())).unwrap();
    let report = plan.score("2026-02-15".parse().unwrap());
    let c = report.columns();
    let IdValues::Integers(ids) = &c.id else { panic!("integer ids come back as integers") };
    assert!(ids.iter().eq(objective_ids.iter().chain(&kr_ids)), "the ids, in input order");
    for k in [0, 1, 39_999, 40_000, 79_999] {
        let line = report.get(&kr_ids[k].to_string()).unwrap();
        assert_eq!(line.value, Some((k % 11) as f64), "key result {}", kr_ids[k]);
    }
    assert!(report.get(&(3 * n).to_string()).is_none());
    // A repeated id is named, wherever it is: among the objectives, a key result's id taken
    // by an objective, two key results.
    let repeated = |objective_ids: Vec<i64>, kr_ids: Vec<i64>| {
        let err = Plan::from_columns(&columns(objective_ids, kr_ids)).unwrap_err();
        (err.code(), err.to_string())
    };
    let mut objectives = objective_ids.clone();
    objectives[30_000] = objectives[10];
    let (code, message) = repeated(objectives, kr_ids.clone());
    assert_eq!(code, "duplicate_id");
    assert!(message.contains(&format!("`{}`", objective_ids[10])), "{message}");
    let mut krs = kr_ids.clone();
    krs[70_000] = 1234;
    let (code, message) = repeated(objective_ids.clone(), krs);
    assert_eq!(code, "duplicate_id");
    assert!(message.contains("`1234`"), "{message}");
    let mut krs = kr_ids.clone();
    krs[75_000] = krs[5];
    let (_, message) = repeated(objective_ids.clone(), krs);
    assert!(message.contains(&format!("`{}`", kr_ids[5])), "{message}");
}
