//! Events between two reports (for example last week's and today's): recognition when a key
//! result is delivered, alerts when things slip.

use std::sync::atomic::{AtomicU16, Ordering};

use compact_str::CompactString;
use serde::Serialize;

use chrono::NaiveDate;

use crate::pace::Status;
use crate::plan::NONE;
use crate::policy::Policy;
use crate::scoring::{Report, STALE};

/// What happened to a node between two reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// It became `achieved`.
    Achieved,
    /// Its status changed (to anything but `achieved`).
    StatusChanged,
    /// Its latest confidence fell by at least the policy's `confidence_drop`.
    ConfidenceDropped,
    /// It became stale.
    BecameStale,
}

/// A value an event moved from or to. Serialised as the status name, the ISO date, the number
/// or `null`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EventValue {
    /// A status.
    Status(Status),
    /// A date: the last check-in, or the later report's date.
    Date(NaiveDate),
    /// A confidence.
    Number(f64),
    /// Nothing (for example, no check-in yet).
    None,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The node. Ids of up to 24 bytes are stored inline: a large plan's events cost no
    /// allocation each.
    pub id: CompactString,
    /// Before: the status, the confidence, or (for `became_stale`) the last check-in date.
    pub from: EventValue,
    /// After: the status, the confidence, or (for `became_stale`) the later report's date.
    pub to: EventValue,
}

/// Events from `before` to `after`, nodes matched by id (the plans may differ: a node only in
/// `after` has no events), in `after`'s input order. Thresholds come from `after`'s policy.
///
/// ```
/// let plan = okr_core::Plan::from_json(r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
///   "objectives": [{"id": "o", "cycle": "q", "key_results": [{"id": "k", "kind": "binary",
///     "check_ins": [{"date": "2026-02-01", "done": true}]}]}]}"#)?;
/// let ev = okr_core::events(&plan.score("2026-01-15".parse().unwrap()), &plan.score("2026-02-02".parse().unwrap()));
/// assert!(ev.iter().any(|e| e.id == "k" && e.kind == okr_core::EventKind::Achieved));
/// # Ok::<(), okr_core::Error>(())
/// ```
pub fn events(before: &Report, after: &Report) -> Vec<Event> {
    events_split(before, after, crate::parallel::worth_splitting(after.len()))
}

/// [`events`], its passes split between two threads when `two` (the events are the same
/// either way).
fn events_split(before: &Report, after: &Report, two: bool) -> Vec<Event> {
    crate::phase("events start");
    let (b, a) = (&before.plan.data, &after.plan.data);
    let same = std::sync::Arc::ptr_eq(b, a);
    let n = a.len();
    // Nodes are compared in topological order, where every array is read sequentially; what
    // happened is noted by input index (a bit per event kind), and events are then made in input
    // order, naming only the nodes that have one.
    // Per input index: a bit per event kind, and the statuses before and after (see `detect`).
    // Atomic only so that two threads can note events of nodes they find: each entry is
    // written by one thread, and read after both are done.
    let kinds: Vec<AtomicU16> = (0..n).map(|_| AtomicU16::new(0)).collect();
    let mut matched = if same { Vec::new() } else { vec![NONE; n] };
    if same {
        // Two threads each walk half the positions.
        let detect_in = |range: std::ops::Range<usize>| {
            for p in range {
                let found = detect(before, after, p, p);
                if found & KIND_BITS != 0 {
                    kinds[a.doc_of_pos[p] as usize].store(found, Ordering::Relaxed);
                }
            }
        };
        let h = n / 2;
        if two {
            crate::parallel::both(&|| detect_in(h..n), &|| detect_in(0..h));
        } else {
            detect_in(0..n);
        }
    } else {
        for (doc, &p) in a.pos_of_doc.iter().enumerate() {
            if let Some(q) = b.ids.find_key(a.ids.key(doc as u32)) {
                let q = b.pos_of_doc[q as usize] as usize;
                kinds[doc].store(detect(before, after, q, p as usize), Ordering::Relaxed);
                matched[doc] = q as u32;
            }
        }
    }
    crate::phase("events detect");
    // Two threads each make the events of half the rows, in input order.
    let count = |rows: std::ops::Range<usize>| -> usize {
        kinds[rows].iter().map(|k| (k.load(Ordering::Relaxed) & KIND_BITS).count_ones() as usize).sum()
    };
    let made_in = |rows: std::ops::Range<usize>, room: usize| {
        let mut out = Vec::with_capacity(room);
        let found_in = kinds[rows.clone()].iter().map(|k| k.load(Ordering::Relaxed));
        for (i, found) in found_in.enumerate().filter(|&(_, found)| found & KIND_BITS != 0) {
            let doc = rows.start + i;
            // Positions are needed only for the rarer kinds, which read check-ins.
            let p = || a.pos_of_doc[doc] as usize;
            let q = || if same { p() } else { matched[doc] as usize };
            for kind in [ACHIEVED, STATUS, DROPPED, STALE_NOW] {
                if found & (1 << kind) == 0 {
                    continue;
                }
                let id = a.ids.compact(doc as u32);
                out.push(match kind {
                    ACHIEVED | STATUS => {
                        let status =
                            |shift: u16| Status::ALL[usize::from((found >> shift) & 7) % Status::ALL.len()];
                        let (then, now) = (status(THEN_SHIFT), status(NOW_SHIFT));
                        let kind =
                            if kind == ACHIEVED { EventKind::Achieved } else { EventKind::StatusChanged };
                        Event { kind, id, from: EventValue::Status(then), to: EventValue::Status(now) }
                    }
                    DROPPED => Event {
                        kind: EventKind::ConfidenceDropped,
                        id,
                        from: before.latest_confidence(q()).map_or(EventValue::None, EventValue::Number),
                        to: after.latest_confidence(p()).map_or(EventValue::None, EventValue::Number),
                    },
                    _ => {
                        let rows = a.check_ins.upto(p(), after.reading_day(p()));
                        let last = rows
                            .last()
                            .and_then(|r| NaiveDate::from_num_days_from_ce_opt(a.check_ins.day[r]));
                        Event {
                            kind: EventKind::BecameStale,
                            id,
                            from: last.map_or(EventValue::None, EventValue::Date),
                            to: EventValue::Date(after.as_of()),
                        }
                    }
                });
            }
        }
        out
    };
    let h = n / 2;
    let out = if two {
        let (early, late) = (count(0..h), count(h..n));
        // The first half's vector has room for all, so the second is appended without moving it.
        let (second, mut first) =
            crate::parallel::both(&|| made_in(h..n, late), &|| made_in(0..h, early + late));
        first.extend(second);
        first
    } else {
        made_in(0..n, count(0..n))
    };
    crate::phase("events made");
    out
}

const ACHIEVED: u16 = 0;
const STATUS: u16 = 1;
const DROPPED: u16 = 2;
const STALE_NOW: u16 = 3;
/// The event bits of what `detect` returns; the status codes before and after sit above them.
const KIND_BITS: u16 = 0xf;
const THEN_SHIFT: u16 = 4;
const NOW_SHIFT: u16 = 8;

/// What happened to node `q` of `before` (`p` of `after`): a bit per event kind, with the
/// status codes before and after.
#[inline(always)]
fn detect(before: &Report, after: &Report, q: usize, p: usize) -> u16 {
    let (then, now) = (before.flags[q].status_code(), after.flags[p].status_code());
    let mut found = u16::from(then) << THEN_SHIFT | u16::from(now) << NOW_SHIFT;
    if then != now {
        found |= 1 << if now == Status::Achieved.code() { ACHIEVED } else { STATUS };
    }
    // Confidences exist only with check-ins.
    if !after.plan.data.check_ins.day.is_empty() {
        if let (Some(x), Some(y)) = (before.latest_confidence(q), after.latest_confidence(p)) {
            if x - y >= after.policy().confidence_drop - Policy::TOLERANCE {
                found |= 1 << DROPPED;
            }
        }
    }
    if before.signals[q] & STALE == 0 && after.signals[p] & STALE != 0 {
        found |= 1 << STALE_NOW;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plan;

    #[test]
    fn two_threads_find_the_events_one_does() {
        let acme = include_str!("../../examples/acme.json");
        let plan = Plan::from_json(acme).unwrap();
        // Another plan: the sample without its sales reps' objectives (nodes matched by id).
        let mut doc: serde_json::Value = serde_json::from_str(acme).unwrap();
        doc["objectives"].as_array_mut().unwrap().retain(|o| !o["id"].as_str().unwrap().starts_with("rep-"));
        let other = Plan::from_json(&doc.to_string()).unwrap();
        let d = |s: &str| s.parse().unwrap();
        for (then, now) in
            [("2026-01-20", "2026-02-20"), ("2026-02-01", "2026-03-20"), ("2026-03-01", "2026-04-10")]
        {
            for (a, b) in [(&plan, &plan), (&other, &plan), (&plan, &other)] {
                let (before, after) = (a.score(d(then)), b.score(d(now)));
                let one = events_split(&before, &after, false);
                assert!(!one.is_empty(), "{then} → {now}");
                assert_eq!(events_split(&before, &after, true), one, "{then} → {now}");
            }
        }
    }

    #[test]
    fn status_confidence_and_staleness() {
        let plan = Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-01-31"}],
            "objectives": [{"id": "o", "cycle": "q", "key_results": [
              {"id": "k", "kind": "linear", "start": 0, "target": 10, "check_ins": [
                {"date": "2026-01-02", "value": 1, "confidence": 0.8},
                {"date": "2026-01-09", "value": 4, "confidence": 0.5}]}]}]}"#,
        )
        .unwrap();
        let d = |s: &str| s.parse().unwrap();
        let ev = events(&plan.score(d("2026-01-05")), &plan.score(d("2026-01-25")));
        let kinds: Vec<(EventKind, &str)> = ev.iter().map(|e| (e.kind, e.id.as_str())).collect();
        assert!(kinds.contains(&(EventKind::ConfidenceDropped, "k")));
        assert!(kinds.contains(&(EventKind::BecameStale, "k")));
        let stale = ev.iter().find(|e| e.kind == EventKind::BecameStale).unwrap();
        assert_eq!(
            (stale.from, stale.to),
            (EventValue::Date(d("2026-01-09")), EventValue::Date(d("2026-01-25")))
        );
        // 0.1 vs 4/30 expected on the 5th: on track; 0.4 vs 24/30 on the 25th: off track.
        assert!(kinds.contains(&(EventKind::StatusChanged, "k")));
        assert!(events(&plan.score(d("2026-01-05")), &plan.score(d("2026-01-05"))).is_empty());
    }

    #[test]
    fn across_two_plans_nodes_are_matched_by_id_in_input_order() {
        let doc = |extra: &str, v: f64, w: f64| {
            format!(
                r#"{{"cycles": [{{"id": "q", "start": "2026-01-01", "end": "2026-01-31"}}],
                "objectives": [{extra}{{"id": "o", "cycle": "q", "key_results": [
                  {{"id": "k1", "kind": "linear", "start": 0, "target": 10, "current": {v}}},
                  {{"id": "k2", "kind": "linear", "start": 0, "target": 10, "current": {w}}}]}}]}}"#
            )
        };
        let before = Plan::from_json(&doc("", 9.0, 10.0)).unwrap();
        let after = Plan::from_json(&doc(
            r#"{"id": "new", "cycle": "q", "key_results": [{"id": "n", "kind": "binary", "current": 1}]},"#,
            1.0,
            5.0,
        ))
        .unwrap();
        let day = "2026-01-20".parse().unwrap();
        let ev = events(&before.score(day), &after.score(day));
        let got: Vec<(&str, EventKind)> = ev.iter().map(|e| (e.id.as_str(), e.kind)).collect();
        // On the 20th 19/30 is expected. k1 fell from on track to off track, k2 from achieved to
        // at risk (and, no longer achieved and never checked in, stale), and o (0.95 → 0.3)
        // with them; `new` and `n` exist only after.
        assert_eq!(
            got,
            [
                ("o", EventKind::StatusChanged),
                ("k1", EventKind::StatusChanged),
                ("k2", EventKind::StatusChanged),
                ("k2", EventKind::BecameStale),
            ]
        );
        assert_eq!(
            (ev[1].from, ev[1].to),
            (EventValue::Status(Status::OnTrack), EventValue::Status(Status::OffTrack))
        );
        // The JSON shape: names, dates, numbers or null.
        let json = serde_json::to_value(&ev[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "status_changed", "id": "k1", "from": "on_track", "to": "off_track"})
        );
        let stale = serde_json::to_value(&ev[3]).unwrap();
        assert_eq!(
            stale,
            serde_json::json!({"kind": "became_stale", "id": "k2", "from": null, "to": "2026-01-20"})
        );
    }
}
