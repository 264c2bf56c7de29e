//! Arbitrary columns (ids as small integers so that references often resolve, any floats
//! including NaN and infinities, any kinds) through the columnar constructor and scoring, and
//! a valid plan through its snapshot, which must give it back exactly.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use okr_core::{AlignmentColumns, CheckInColumns, Columns, Cycle, IdColumn, KeyResultColumns, KeyResultKind, ObjectiveColumns, Plan, Utf8Ids};

#[derive(Debug, Arbitrary)]
struct Input {
    objectives: Vec<u8>,
    key_results: Vec<(u8, u8, u8, f64, f64, f64, f64, f64)>,
    edges: Vec<(u8, u8, f64)>,
    check_ins: Vec<(u8, i16, f64, f64)>,
    cycle_days: (i16, i16),
    /// Codes of coded level and owner columns (any value, so some have no category).
    codes: Vec<(i8, i8)>,
    /// How ids are given: integers, text as Strings, text in Arrow's layout, or text that
    /// reads as integers (`"7"`), which reports must give back as text.
    id_form: u8,
    /// The scale confidences are declared on (any ends: reversed, equal, non-finite).
    confidence_scale: Option<(f64, f64)>,
}

const KINDS: [KeyResultKind; 8] = [
    KeyResultKind::Linear,
    KeyResultKind::AtLeast,
    KeyResultKind::AtMost,
    KeyResultKind::Range,
    KeyResultKind::Binary,
    KeyResultKind::Manual,
    KeyResultKind::Rollup,
    KeyResultKind::Aggregate,
];

fuzz_target!(|input: Input| {
    let base = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let day = |d: i16| base + chrono::Duration::days(i64::from(d));
    let k = &input.key_results;
    let n = input.objectives.len();
    // Coded text: codes from the input, cycled to the objectives' length (a short vector makes
    // a length mismatch, which must be an error too).
    let coded = |pick: fn(&(i8, i8)) -> i8, categories: &[&str]| {
        (!input.codes.is_empty()).then(|| okr_core::Texts::Coded {
            codes: input.codes.iter().cycle().take(n + usize::from(input.codes.len() == 3)).map(|c| i32::from(pick(c))).collect(),
            categories: categories.iter().map(|s| (*s).to_owned()).collect(),
        })
    };
    // The same ids as integers or as text (`t7`, past the integer index into the text one;
    // or `7`, indexed as an integer but reported as the text it came as).
    let ids = |values: Vec<i64>| -> IdColumn<'static> {
        match input.id_form % 4 {
            0 => IdColumn::Integers(values.into()),
            1 => IdColumn::Strings(values.iter().map(|v| format!("t{v}")).collect()),
            3 => IdColumn::Strings(values.iter().map(|v| v.to_string()).collect()),
            _ => {
                let (mut text, mut offsets) = (String::new(), vec![0]);
                for v in values {
                    text.push_str(&format!("t{v}"));
                    offsets.push(text.len() as i64);
                }
                Utf8Ids::new(offsets, text).map(IdColumn::Utf8).unwrap_or_default()
            }
        }
    };
    let cols = Columns {
        objectives: ObjectiveColumns {
            id: ids(input.objectives.iter().map(|&o| i64::from(o)).collect()),
            cycle: Some(vec![Some("c".to_owned()); input.objectives.len()].into()),
            level: coded(|c| c.0, &["company", "team"]),
            owner: coded(|c| c.1, &["a", "b", "c"]),
            ..Default::default()
        },
        key_results: KeyResultColumns {
            id: ids(k.iter().map(|r| 1000 + i64::from(r.0)).collect()),
            objective: ids(k.iter().map(|r| i64::from(r.1)).collect()),
            kind: k.iter().map(|r| KINDS[r.2 as usize % KINDS.len()]).collect(),
            start: Some(k.iter().map(|r| r.3).collect()),
            target: Some(k.iter().map(|r| r.4).collect()),
            threshold: Some(k.iter().map(|r| r.5).collect()),
            low: Some(k.iter().map(|r| r.5).collect()),
            high: Some(k.iter().map(|r| r.6).collect()),
            current: Some(k.iter().map(|r| r.7).collect()),
            weight: Some(k.iter().map(|r| r.6).collect()),
            ..Default::default()
        },
        alignments: Some(AlignmentColumns {
            child: ids(input.edges.iter().map(|e| i64::from(e.0)).collect()),
            parent: ids(input.edges.iter().map(|e| i64::from(e.1)).collect()),
            weight: Some(input.edges.iter().map(|e| e.2).collect()),
        }),
        check_ins: Some(CheckInColumns {
            key_result: ids(input.check_ins.iter().map(|c| 1000 + i64::from(c.0)).collect()),
            date: input.check_ins.iter().map(|c| day(c.1)).collect(),
            value: Some(input.check_ins.iter().map(|c| c.2).collect()),
            confidence: Some(input.check_ins.iter().map(|c| c.3).collect()),
        }),
        cycles: vec![Cycle { id: "c".into(), start: day(input.cycle_days.0), end: day(input.cycle_days.1) }],
        policy: None,
        confidence_scale: input.confidence_scale.map(|(low, high)| [low, high]),
    };
    if let Ok(plan) = Plan::from_columns(&cols) {
        let r = plan.score(day(20));
        // Ids come back as they were given: integers only when given as integers.
        if n > 0 {
            assert_eq!(plan.integer_ids(), input.id_form % 4 == 0);
        }
        // Whatever scale they were given on, confidences are kept on [0, 1].
        assert!(r.nodes().all(|n| n.confidence.is_none_or(|c| (0.0..=1.0).contains(&c))));
        let _ = r.to_json();
        let _ = r.columns();
        let _ = plan.lint(Some(day(30)));
        let _ = okr_core::events(&plan.score(day(5)), &r);
        // A plan's snapshot builds an equal plan: the same report, row for row, to the bit.
        let again = Plan::from_snapshot(&plan.to_snapshot());
        assert_eq!(again.as_ref().map(Plan::integer_ids).ok(), Some(plan.integer_ids()));
        assert_eq!(again.map(|p| p.score(day(20)).to_json()).ok(), Some(r.to_json()));
        // So do its columns, which hold every plan built from columns.
        let cols = plan.to_columns().expect("a plan built from columns has columns");
        let again = Plan::from_columns(&cols).expect("a plan's columns build");
        assert_eq!(again.to_snapshot(), plan.to_snapshot());
        assert_eq!(again.integer_ids(), plan.integer_ids());
        assert_eq!(again.score(day(20)).to_json(), r.to_json());
    }
});
