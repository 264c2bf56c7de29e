//! A plain-text rendering of a report: the alignment tree with score, expected progress, status
//! and grade on each line, for terminals and logs.

use std::fmt::Write;

use fixedbitset::FixedBitSet;

use crate::charts::escape;
use crate::pace::Status;
use crate::plan::NONE;
use crate::scoring::Report;

const LABEL_WIDTH: usize = 58;

fn symbol(status: Status) -> &'static str {
    match status {
        Status::Achieved => "★",
        Status::OnTrack => "●",
        Status::AtRisk => "◐",
        Status::OffTrack => "○",
        Status::NotStarted => "·",
        Status::Unscheduled => "-",
    }
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        format!("{s:<width$}")
    } else {
        let cut: String = s.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

impl Report {
    /// The alignment tree as text: each objective with its key results and the nodes aligned to
    /// it beneath, one line each with score, expected, status and grade. A node with several
    /// parents is shown in full under its first one and referred to (`↗`) under the others.
    ///
    /// ```
    /// let plan = okr_core::Plan::from_json(r#"{"objectives": [{"id": "o", "title": "Grow",
    ///   "key_results": [{"id": "k", "kind": "linear", "start": 0, "target": 4, "current": 1}]}]}"#)?;
    /// let text = plan.score("2026-01-01".parse().unwrap()).tree_text();
    /// assert!(text.contains("o  Grow") && text.contains("0.25"));
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn tree_text(&self) -> String {
        let d = &self.plan.data;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<w$}  score  expected  status       grade",
            format!("as of {}", self.as_of),
            w = LABEL_WIDTH
        );
        for (p, depth, reference) in self.tree_order() {
            let line = self.line(p);
            let title = d.meta.title.get(d.doc_of_pos[p] as usize).unwrap_or("");
            let indent = "  ".repeat(depth.min(12));
            let mark = match (reference, line.kind.is_some()) {
                (true, _) => "↗ ",
                (false, true) => "▸ ",
                (false, false) => "",
            };
            let label = truncate(&format!("{indent}{mark}{}  {title}", line.id), LABEL_WIDTH);
            let expected = line.expected.map_or("-".to_owned(), |e| format!("{e:.2}"));
            let data = if line.has_data { "" } else { " (no data)" };
            let _ = writeln!(
                out,
                "{label}  {:>5.2}  {expected:>8}  {} {:<10} {}{data}",
                line.score,
                symbol(line.status),
                line.status.as_str(),
                line.grade.as_str()
            );
        }
        out
    }

    /// Nodes in tree order as (position, depth, reference only). A node is shown in full once,
    /// at its home (a key result under its own objective, an objective under its first parent);
    /// elsewhere it gets a one-line reference. Uses an explicit stack: no recursion on deep plans.
    pub(crate) fn tree_order(&self) -> Vec<(usize, usize, bool)> {
        let d = &self.plan.data;
        let mut shown = FixedBitSet::with_capacity(d.len());
        let (offsets, _) = d.dependents();
        // Roots: nodes that feed nothing, in input order.
        let roots = d.pos_of_doc.iter().map(|&p| p as usize).filter(|&p| offsets[p] == offsets[p + 1]);
        let mut stack: Vec<(usize, usize, bool)> = roots.rev().map(|p| (p, 0, false)).collect();
        let mut out = Vec::new();
        let objective_of = d.objective_of();
        while let Some((p, depth, reference)) = stack.pop() {
            let reference = reference || shown.put(p);
            out.push((p, depth, reference));
            if reference {
                continue;
            }
            // Children in input order: own key results first, then aligned nodes.
            let c = &d.contributors;
            let mut kids: Vec<usize> = c.all(p).map(|e| c.src[e] as usize).collect();
            kids.sort_by_key(|&k| (objective_of[k] as usize != p, d.doc_of_pos[k]));
            for &k in kids.iter().rev() {
                let away_from_home = objective_of[k] != NONE && objective_of[k] as usize != p;
                stack.push((k, depth + 1, away_from_home));
            }
        }
        out
    }

    /// The alignment tree as a self-contained HTML table (for web pages): one row per node in
    /// tree order, carrying `data-node-id`, indented by depth, coloured by status.
    pub fn tree_html(&self) -> String {
        let rows = self.tree_order().into_iter().map(|(p, depth, reference)| (p, depth, reference, 0));
        self.html_table(rows, 0)
    }

    /// [`Report::tree_html`] of at most 200 rows, summarised as [`Report::alignment_svg`] is
    /// (objectives only, down to the deepest level that fits, each row counting the nodes
    /// below it left out): what a notebook shows for a report, whatever the plan's size (the
    /// whole table of a million-objective plan with three key results each is some 600 MB of
    /// HTML).
    ///
    /// ```
    /// let objectives: Vec<String> = (0..1000).map(|i| format!(r#"{{"id": "o{i}"}}"#)).collect();
    /// let doc = format!(r#"{{"objectives": [{}]}}"#, objectives.join(","));
    /// let report = okr_core::Plan::from_json(&doc)?.score("2026-01-01".parse().unwrap());
    /// let html = report.tree_html_summary();
    /// assert_eq!(html.matches("<tr data-node-id").count(), 200);
    /// assert!(html.contains("… and 800 more nodes"));
    /// # Ok::<(), okr_core::Error>(())
    /// ```
    pub fn tree_html_summary(&self) -> String {
        let summary = self.tree_summary(crate::charts::MAX_TREE_ROWS);
        self.html_table(summary.rows.into_iter(), summary.left_out)
    }

    /// The HTML table of `rows` (position, depth, reference only, nodes left out below it),
    /// with a last row counting `left_out` nodes when there are any.
    fn html_table(&self, rows: impl Iterator<Item = (usize, usize, bool, usize)>, left_out: usize) -> String {
        let mut out = String::from(
            "<table class=\"okr-report\" style=\"border-collapse:collapse;font-family:sans-serif;font-size:13px\">\
             <thead><tr><th style=\"text-align:left\">node</th><th>score</th><th>expected</th><th>status</th><th>grade</th></tr></thead><tbody>",
        );
        for (p, depth, reference, hidden) in rows {
            let d = &self.plan.data;
            let line = self.line(p);
            let title = d.meta.title.get(d.doc_of_pos[p] as usize).unwrap_or("");
            let colour = match line.status {
                Status::Achieved => "#1a7f37",
                Status::OnTrack => "#2da44e",
                Status::AtRisk => "#bf8700",
                Status::OffTrack => "#cf222e",
                Status::NotStarted | Status::Unscheduled => "#6e7781",
            };
            let mark = if reference {
                "↗ "
            } else if line.kind.is_some() {
                "▸ "
            } else {
                ""
            };
            let expected = line.expected.map_or("-".to_owned(), |e| format!("{e:.2}"));
            let more = if hidden > 0 { format!(" <i>(+{hidden} below)</i>") } else { String::new() };
            let _ = write!(
                out,
                "<tr data-node-id=\"{id}\"><td style=\"padding-left:{pad}em\">{mark}<b>{id}</b> {title}{more}</td>\
                 <td>{score:.2}</td><td>{expected}</td><td style=\"color:{colour}\">{status}</td><td>{grade}</td></tr>",
                id = escape(line.id),
                pad = 0.3 + 1.2 * depth.min(12) as f64,
                title = escape(title),
                score = line.score,
                status = line.status.as_str(),
                grade = line.grade.as_str(),
            );
        }
        if left_out > 0 {
            let _ = write!(
                out,
                "<tr><td colspan=\"5\" style=\"color:#57606a\">… and {left_out} more nodes</td></tr>"
            );
        }
        out.push_str("</tbody></table>");
        out
    }
}
