//! Events between two reports (for example last week's and today's): recognition when a key
//! result is delivered, alerts when things slip.

use serde::Serialize;

use chrono::NaiveDate;

use crate::pace::{day, Status};
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

/// A value an event moved from or to.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EventValue {
    /// A status, or a date.
    Text(std::borrow::Cow<'static, str>),
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
    /// The node.
    pub id: String,
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
    let mut out = Vec::new();
    let drop = after.policy().confidence_drop;
    let (b, a) = (&before.plan.data, &after.plan.data);
    let same_plan = std::sync::Arc::ptr_eq(b, a);
    // In after's input order; positions compared directly when both reports score one plan.
    for &p in &a.pos_of_doc {
        let p = p as usize;
        let q = if same_plan {
            p
        } else {
            match b.pos(a.id(p)) {
                Ok(q) => q,
                Err(_) => continue,
            }
        };
        let (then, now) = (before.flags[q].status(), after.flags[p].status());
        if then != now {
            let kind = if now == Status::Achieved { EventKind::Achieved } else { EventKind::StatusChanged };
            out.push(Event {
                kind,
                id: a.id(p).to_owned(),
                from: EventValue::Text(then.as_str().into()),
                to: EventValue::Text(now.as_str().into()),
            });
        }
        if let (Some(x), Some(y)) = (before.latest_confidence(q), after.latest_confidence(p)) {
            if x - y >= drop - Policy::TOLERANCE {
                out.push(Event {
                    kind: EventKind::ConfidenceDropped,
                    id: a.id(p).to_owned(),
                    from: EventValue::Number(x),
                    to: EventValue::Number(y),
                });
            }
        }
        if before.signals[q] & STALE == 0 && after.signals[p] & STALE != 0 {
            let rows = a.check_ins.upto(p, day(after.as_of()));
            let last = rows.last().and_then(|r| NaiveDate::from_num_days_from_ce_opt(a.check_ins.day[r]));
            out.push(Event {
                kind: EventKind::BecameStale,
                id: a.id(p).to_owned(),
                from: last.map_or(EventValue::None, |d| EventValue::Text(d.to_string().into())),
                to: EventValue::Text(after.as_of().to_string().into()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Plan;

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
            (stale.from.clone(), stale.to.clone()),
            (EventValue::Text("2026-01-09".into()), EventValue::Text("2026-01-25".into()))
        );
        // 0.1 vs 4/30 expected on the 5th: on track; 0.4 vs 24/30 on the 25th: off track.
        assert!(kinds.contains(&(EventKind::StatusChanged, "k")));
        assert!(events(&plan.score(d("2026-01-05")), &plan.score(d("2026-01-05"))).is_empty());
    }
}
