//! Any text as a plan document: parse, score at several dates, lint, explain, line of sight,
//! text and HTML trees and their summaries, the alignment picture, events, review packets, the
//! plan's snapshot (which must give it back exactly); explanations and burn-ups again under
//! other bounds with late check-ins ignored; scores finite under every policy, unclamped too.
//! Errors are fine; a panic is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(plan) = okr_core::Plan::from_json(text) else { return };
    let days = ["2025-12-01", "2026-01-16", "2026-02-15", "2026-12-31"];
    let reports: Vec<_> = days.iter().map(|d| plan.score(d.parse().unwrap_or_default())).collect();
    for r in &reports {
        // Every score is finite, whatever the weights, values and policy (the document's own).
        assert!(r.nodes().all(|n| n.score.is_finite()));
        let _ = r.to_json();
        let _ = r.tree_text();
        let _ = r.tree_html();
        let _ = r.tree_html_summary();
        let _ = r.alignment_svg();
        let _ = r.systemic();
        let _ = r.columns();
        for node in r.nodes().take(20) {
            let _ = r.explain(node.id);
            let _ = plan.line_of_sight(node.id);
        }
    }
    let _ = okr_core::events(&reports[0], &reports[2]);
    // A plan's snapshot builds an equal plan: the same report, row for row, to the bit.
    let again = okr_core::Plan::from_snapshot(&plan.to_snapshot());
    assert_eq!(again.map(|p| p.score(days[2].parse().unwrap_or_default()).to_json()).ok(), Some(reports[2].to_json()));
    // A plan columns can hold builds back from them equal.
    if let Some(cols) = plan.to_columns() {
        let again = okr_core::Plan::from_columns(&cols).expect("a plan's columns build");
        assert_eq!(again.to_snapshot(), plan.to_snapshot());
    }
    let _ = plan.lint(Some(days[2].parse().unwrap_or_default()));
    let _ = plan.confidence_calibration(days[3].parse().unwrap_or_default());
    for node in plan.nodes().take(5) {
        if let Some(owner) = node.owner() {
            let _ = plan.review_packet(owner, days[2].parse().unwrap_or_default(), None).map(|p| p.to_markdown());
        }
    }
    let stretch = okr_core::Policy {
        cap: 1.5,
        floor: -1.0,
        late_check_ins: okr_core::LateCheckIns::Ignore,
        ..okr_core::Policy::default()
    };
    let unclamped = okr_core::Policy { clamp: false, ..okr_core::Policy::default() };
    if let Ok(r) = plan.score_with(days[2].parse().unwrap_or_default(), &unclamped) {
        assert!(r.nodes().all(|n| n.score.is_finite()));
    }
    // Formulas name the bounds where they changed a score, and the day a late report reads its
    // key results on: explain under other bounds, early and late, too.
    for day in [days[2], days[3]] {
        if let Ok(r) = plan.score_with(day.parse().unwrap_or_default(), &stretch) {
            let _ = r.columns();
            for node in r.nodes().take(20) {
                let _ = r.explain(node.id);
                let _ = r.burnup_svg(node.id);
            }
        }
    }
});
