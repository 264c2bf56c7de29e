//! Review packets: one person's evidence for a performance conversation, as data (JSON) or
//! Markdown, ready for a manager or for a language model to draft from. No network calls.

use std::fmt::Write;

use chrono::NaiveDate;
use serde::Serialize;

use crate::calibration::{feedback_360, FeedbackGroup, FeedbackOptions, FeedbackSummary, Ratings};
use crate::error::{Error, Result};
use crate::explain::LineOfSight;
use crate::pace::{Grade, Status};
use crate::plan::{NodeType, Plan, NONE};
use crate::scoring::NodeForecast;

/// One objective the person owns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewObjective {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Score on the packet's date.
    pub score: f64,
    /// Expected progress.
    pub expected: Option<f64>,
    /// Status.
    pub status: Status,
    /// Grade.
    pub grade: Grade,
    /// The score's formula with the numbers in.
    pub formula: String,
    /// How it feeds the company objectives.
    pub line_of_sight: LineOfSight,
}

/// One key result the person owns (directly, or through an objective they own).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewKeyResult {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: Option<String>,
    /// Its objective.
    pub objective: String,
    /// Score.
    pub score: f64,
    /// Status.
    pub status: Status,
    /// Value scored.
    pub value: Option<f64>,
    /// Signals.
    pub signals: Vec<&'static str>,
    /// Forecast, where there is one.
    pub forecast: Option<NodeForecast>,
    /// The score's formula.
    pub formula: String,
    /// Check-ins on or before the packet's date.
    pub check_ins: usize,
    /// Mean days between consecutive check-ins (cadence).
    pub mean_days_between: Option<f64>,
    /// The latest check-in's date.
    pub last_check_in: Option<NaiveDate>,
    /// Stated confidence over time: (date, confidence).
    pub confidence_record: Vec<(NaiveDate, f64)>,
}

/// Where the person's ratings stand among everyone rated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationContext {
    /// Ratings the person received.
    pub ratings: usize,
    /// Their mean.
    pub mean: f64,
    /// The mean over all ratings.
    pub overall_mean: f64,
    /// Share of ratees with a lower mean (ties count half).
    pub percentile: f64,
}

/// A person's review packet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewPacket {
    /// The person (owner id).
    pub person: String,
    /// The date.
    pub as_of: NaiveDate,
    /// Objectives they own.
    pub objectives: Vec<ReviewObjective>,
    /// Key results they own.
    pub key_results: Vec<ReviewKeyResult>,
    /// 360° groups about them, anonymity kept (when ratings were given).
    pub feedback_groups: Vec<FeedbackGroup>,
    /// 360° self-versus-others summaries (when ratings were given).
    pub feedback: Vec<FeedbackSummary>,
    /// Calibration context (when ratings were given).
    pub calibration: Option<CalibrationContext>,
}

impl Plan {
    /// The review packet of `person` on `as_of`: their objectives and key results with scores,
    /// statuses and explanations, check-in cadence and confidence record, line of sight, and,
    /// given 360° `ratings` (with relationship and competency), their feedback under the
    /// anonymity rules and where their ratings stand. Deterministic.
    pub fn review_packet(
        &self,
        person: &str,
        as_of: NaiveDate,
        ratings: Option<&Ratings>,
    ) -> Result<ReviewPacket> {
        let d = &self.data;
        let report = self.score(as_of);
        let owner = |q: usize| d.meta.owner.get(d.doc_of_pos[q] as usize);
        let mut objectives = Vec::new();
        let mut key_results = Vec::new();
        for &q in &d.pos_of_doc {
            let q = q as usize;
            let line = report.line(q);
            let title = d.meta.title.get(d.doc_of_pos[q] as usize).map(str::to_owned);
            match d.node_type(q) {
                NodeType::Objective if owner(q) == Some(person) => objectives.push(ReviewObjective {
                    id: line.id.to_owned(),
                    title,
                    score: line.score,
                    expected: line.expected,
                    status: line.status,
                    grade: line.grade,
                    formula: report.explain(line.id)?.formula,
                    line_of_sight: self.line_of_sight(line.id)?,
                }),
                NodeType::KeyResult => {
                    let o = d.objective_at(q);
                    let mine = owner(q) == Some(person)
                        || (owner(q).is_none() && o != NONE && owner(o as usize) == Some(person));
                    if !mine {
                        continue;
                    }
                    let rows = d.check_ins.upto(q, report.reading_day(q));
                    let days: Vec<i32> = rows.clone().map(|r| d.check_ins.day[r]).collect();
                    let date = |x: i32| NaiveDate::from_num_days_from_ce_opt(x).unwrap_or_default();
                    key_results.push(ReviewKeyResult {
                        id: line.id.to_owned(),
                        title,
                        objective: line.objective.unwrap_or_default().to_owned(),
                        score: line.score,
                        status: line.status,
                        value: line.value,
                        signals: line.signals.clone(),
                        forecast: line.forecast.clone(),
                        formula: report.explain(line.id)?.formula,
                        check_ins: days.len(),
                        mean_days_between: (days.len() >= 2)
                            .then(|| f64::from(days[days.len() - 1] - days[0]) / (days.len() - 1) as f64),
                        last_check_in: days.last().map(|&x| date(x)),
                        confidence_record: rows
                            .filter(|&r| !d.check_ins.confidence[r].is_nan())
                            .map(|r| (date(d.check_ins.day[r]), d.check_ins.confidence[r]))
                            .collect(),
                    });
                }
                NodeType::Objective => {}
            }
        }
        let (mut feedback_groups, mut feedback, mut calibration) = (Vec::new(), Vec::new(), None);
        if let Some(r) = ratings {
            let who = r.ratee.find(person);
            if r.relationship.is_some() && r.competency.is_some() {
                let f = feedback_360(r, &FeedbackOptions::default())?;
                feedback_groups = f.groups.into_iter().filter(|g| g.ratee == person).collect();
                feedback = f.summaries.into_iter().filter(|s| s.ratee == person).collect();
            }
            if let Some(who) = who {
                let mut sums = vec![(0.0, 0usize); r.ratee.len()];
                for (i, &c) in r.ratee.codes.iter().enumerate() {
                    sums[c as usize].0 += r.value[i];
                    sums[c as usize].1 += 1;
                }
                let means: Vec<f64> = sums.iter().map(|(s, n)| s / *n as f64).collect();
                let mine = means[who];
                let below = means.iter().filter(|&&m| m < mine).count() as f64;
                let equal = means.iter().filter(|&&m| m == mine).count() as f64 - 1.0;
                calibration = Some(CalibrationContext {
                    ratings: sums[who].1,
                    mean: mine,
                    overall_mean: crate::calibration::stats::mean(&r.value),
                    percentile: (below + equal / 2.0) / (means.len() as f64 - 1.0).max(1.0),
                });
            }
        }
        if objectives.is_empty() && key_results.is_empty() && calibration.is_none() {
            return Err(Error::UnknownId { id: person.to_owned() });
        }
        Ok(ReviewPacket {
            person: person.to_owned(),
            as_of,
            objectives,
            key_results,
            feedback_groups,
            feedback,
            calibration,
        })
    }
}

/// Text for a Markdown table cell or heading: a `|` escaped (it would end the cell) and a line
/// break made a space (it would end the row).
fn md_text(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// An id as Markdown inline code that shows it as written: fenced by one more backtick than
/// the longest run in it (padded with spaces when it holds any), `|` escaped for tables.
fn md_code(s: &str) -> String {
    let run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(run + 1);
    let pad = if run > 0 { " " } else { "" };
    format!("{fence}{pad}{}{pad}{fence}", md_text(s))
}

impl ReviewPacket {
    /// The packet as Markdown. Titles, ids and names are written so that none can break the
    /// layout: `|` is escaped, line breaks become spaces, and ids are code spans fenced to hold
    /// any backticks they contain.
    pub fn to_markdown(&self) -> String {
        let mut out = format!("# Review packet: {}\n\nAs of {}.\n", md_text(&self.person), self.as_of);
        let pct = |x: f64| format!("{:.0} %", x * 100.0);
        if !self.objectives.is_empty() {
            out.push_str("\n## Objectives\n\n| objective | score | expected | status | grade |\n|---|---|---|---|---|\n");
            for o in &self.objectives {
                let name = md_text(o.title.as_deref().unwrap_or(&o.id));
                let exp = o.expected.map_or("-".to_owned(), pct);
                let _ = writeln!(
                    out,
                    "| {name} ({}) | {} | {exp} | {} | {} |",
                    md_code(&o.id),
                    pct(o.score),
                    o.status.as_str(),
                    o.grade.as_str()
                );
            }
            for o in &self.objectives {
                let _ = write!(out, "\n- {}: {}", md_code(&o.id), md_text(&o.formula));
                if !o.line_of_sight.company_objectives.is_empty() {
                    let _ = write!(
                        out,
                        "; supports {}",
                        o.line_of_sight
                            .company_objectives
                            .iter()
                            .map(|c| md_code(c))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
            }
            out.push('\n');
        }
        if !self.key_results.is_empty() {
            out.push_str("\n## Key results\n\n| key result | score | status | check-ins | every | last | confidence | signals |\n|---|---|---|---|---|---|---|---|\n");
            for k in &self.key_results {
                let name = md_text(k.title.as_deref().unwrap_or(&k.id));
                let every = k.mean_days_between.map_or("-".to_owned(), |d| format!("{d:.0} days"));
                let last = k.last_check_in.map_or("-".to_owned(), |d| d.to_string());
                let conf = k.confidence_record.last().map_or("-".to_owned(), |(_, c)| pct(*c));
                let _ = writeln!(
                    out,
                    "| {name} ({}) | {} | {} | {} | {every} | {last} | {conf} | {} |",
                    md_code(&k.id),
                    pct(k.score),
                    k.status.as_str(),
                    k.check_ins,
                    k.signals.join(", ")
                );
            }
        }
        if !self.feedback.is_empty() {
            out.push_str("\n## 360° feedback\n\n| competency | self | others | gap | finding |\n|---|---|---|---|---|\n");
            for f in &self.feedback {
                let num = |x: Option<f64>| x.map_or("hidden".to_owned(), |v| format!("{v:.2}"));
                let _ = writeln!(
                    out,
                    "| {} | {} | {} (n = {}) | {} | {} |",
                    md_text(&f.competency),
                    num(f.self_mean),
                    num(f.others_mean),
                    f.others_n,
                    f.gap.map_or("-".to_owned(), |g| format!("{g:+.2}")),
                    f.finding.unwrap_or("-")
                );
            }
        }
        if let Some(c) = &self.calibration {
            let _ = writeln!(out, "\n## Calibration context\n\nMean rating {:.2} over {} ratings (everyone: {:.2}); higher than {} of the people rated.", c.mean, c.ratings, c.overall_mean, pct(c.percentile));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::calibration::Ratings;
    use crate::Plan;

    #[test]
    fn packet_of_an_owner() {
        let plan = Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [
              {"id": "co", "level": "company", "owner": "ceo", "cycle": "q"},
              {"id": "o", "title": "Grow", "owner": "ann", "cycle": "q", "parents": [{"id": "co"}], "key_results": [
                {"id": "k", "kind": "linear", "start": 0, "target": 10, "check_ins": [
                  {"date": "2026-01-05", "value": 2, "confidence": 0.8}, {"date": "2026-01-19", "value": 4, "confidence": 0.6}]}]},
              {"id": "other", "owner": "bob", "cycle": "q", "key_results": [{"id": "kb", "kind": "binary", "owner": "ann", "current": 1}]}
            ]}"#,
        )
        .unwrap();
        let ratings =
            Ratings::new(&vec!["ann", "ann", "bob"].into(), &vec!["x", "y", "x"].into(), vec![4.0, 5.0, 3.0])
                .unwrap();
        let p = plan.review_packet("ann", "2026-02-01".parse().unwrap(), Some(&ratings)).unwrap();
        assert_eq!(p.objectives.len(), 1);
        assert_eq!(p.objectives[0].line_of_sight.company_objectives, ["co"]);
        assert_eq!(p.key_results.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(), ["k", "kb"]);
        let k = &p.key_results[0];
        assert_eq!((k.check_ins, k.mean_days_between, k.confidence_record.len()), (2, Some(14.0), 2));
        let c = p.calibration.as_ref().unwrap();
        assert_eq!((c.ratings, c.mean, c.percentile), (2, 4.5, 1.0));
        let md = p.to_markdown();
        assert!(
            md.contains("# Review packet: ann") && md.contains("| Grow (`o`) |") && md.contains("14 days")
        );
        assert_eq!(
            plan.review_packet("zed", "2026-02-01".parse().unwrap(), None).unwrap_err().code(),
            "unknown_id"
        );
        // Deterministic.
        assert_eq!(p, plan.review_packet("ann", "2026-02-01".parse().unwrap(), Some(&ratings)).unwrap());
    }

    #[test]
    fn markdown_tables_hold_any_title_and_id() {
        // A `|` or a line break in a title, or a backtick in an id, had broken the table row.
        let plan = Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [{"id": "o`1|", "title": "Grow | win\nfast", "owner": "ann|x", "cycle": "q",
              "key_results": [{"id": "k``2", "title": "a|b", "kind": "binary", "current": 1}]}]}"#,
        )
        .unwrap();
        let md = plan.review_packet("ann|x", "2026-02-01".parse().unwrap(), None).unwrap().to_markdown();
        assert!(md.starts_with("# Review packet: ann\\|x\n"), "{md}");
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(rows.len(), 4, "{md}");
        // Each row has as many unescaped pipes as its header.
        let pipes = |l: &str| l.replace("\\|", "").matches('|').count();
        assert_eq!((pipes(rows[0]), pipes(rows[1])), (6, 6), "{md}");
        assert_eq!((pipes(rows[2]), pipes(rows[3])), (9, 9), "{md}");
        assert!(rows[1].starts_with("| Grow \\| win fast (`` o`1\\| ``) | 100 %"), "{}", rows[1]);
        assert!(rows[3].starts_with("| a\\|b (``` k``2 ```) |"), "{}", rows[3]);
    }
}
