//! Pictures as self-contained SVG (no browser or font files needed): the burn-up of a key
//! result, the alignment tree, a rating distribution against target shares, and the 9-box grid.
//! Plus Graphviz DOT and Mermaid exports of the alignment for people who render elsewhere.

use std::fmt::Write;

use chrono::NaiveDate;

use crate::calibration::{Category, DistributionReport, NineBox, BOX_NAMES};
use crate::error::{Error, Result};
use crate::key_result::Rule;
use crate::pace::{day, Status};
use crate::plan::{NONE, OBJECTIVE};
use crate::scoring::{NodeForecast, Report};

const FONT: &str = "font-family=\"Helvetica, Arial, sans-serif\"";
/// Trees with more rows than this are summarised: deeper levels collapse into counts.
pub(crate) const MAX_TREE_ROWS: usize = 200;

/// Text as HTML or XML character data or an attribute value (the SVG charts, the HTML tree).
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Text inside a DOT quoted string: backslashes and double quotes escaped and line breaks
/// written as `\n`, so no id can end the string early (one ending in `\` had escaped the
/// closing quote). In a label, Graphviz shows `\\` as one backslash.
fn dot_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a Mermaid `["..."]` label, shown as written: Mermaid reads `#name;` as an entity
/// and renders HTML in labels, so `#`, `&`, `"`, `<` and `>` are written as entity codes, and
/// a line break as a space.
fn mermaid_label(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '#' => out.push_str("#35;"),
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn colour(status: Status) -> &'static str {
    match status {
        Status::Achieved => "#1a7f37",
        Status::OnTrack => "#2da44e",
        Status::AtRisk => "#d4a72c",
        Status::OffTrack => "#cf222e",
        Status::NotStarted | Status::Unscheduled => "#8c959f",
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(n.saturating_sub(1)).collect::<String>())
    }
}

fn open(width: f64, height: f64, title: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" {FONT} font-size=\"12\">\
         <title>{}</title><rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        escape(title)
    )
}

/// The rows of a tree picture or table of at most so many rows (see [`Report::tree_summary`]).
pub(crate) struct TreeSummary {
    /// (position, depth, reference only, nodes of its subtree shown in no row).
    pub(crate) rows: Vec<(usize, usize, bool, usize)>,
    /// Nodes shown in no row nor counted below one: the trees of the roots past the limit.
    pub(crate) left_out: usize,
}

impl Report {
    /// The tree's rows ([`Report::tree_order`]) when they are at most `max_rows`; else
    /// objectives only, down to the deepest level at which they fit, each with the count of
    /// the nodes below it left out. When even the top level has more objectives than fit (a
    /// flat plan), the first `max_rows` are kept and the rest counted in `left_out`.
    pub(crate) fn tree_summary(&self, max_rows: usize) -> TreeSummary {
        let d = &self.plan.data;
        let all = self.tree_order();
        if all.len() <= max_rows {
            return TreeSummary {
                rows: all.into_iter().map(|(p, depth, r)| (p, depth, r, 0)).collect(),
                left_out: 0,
            };
        }
        // Where each row's subtree ends in `all` (DFS order with depths), by a stack pass.
        let mut end = vec![all.len(); all.len()];
        let mut open_rows: Vec<usize> = Vec::new();
        for (i, r) in all.iter().enumerate() {
            while let Some(&top) = open_rows.last() {
                if all[top].1 >= r.1 {
                    end[top] = i;
                    open_rows.pop();
                } else {
                    break;
                }
            }
            open_rows.push(i);
        }
        let objective_rows: Vec<usize> = (0..all.len()).filter(|&i| d.kinds[all[i].0] == OBJECTIVE).collect();
        let mut depth = 0;
        while depth < 64 && objective_rows.iter().filter(|&&i| all[i].1 <= depth + 1).count() <= max_rows {
            depth += 1;
        }
        let mut kept: Vec<usize> = objective_rows.into_iter().filter(|&i| all[i].1 <= depth).collect();
        kept.truncate(max_rows);
        let hidden_below = |i: usize| -> usize {
            let inside = kept.partition_point(|&k| k < end[i]) - kept.partition_point(|&k| k <= i);
            end[i] - i - 1 - inside
        };
        let rows: Vec<(usize, usize, bool, usize)> =
            kept.iter().map(|&i| (all[i].0, all[i].1, all[i].2, hidden_below(i))).collect();
        // Subtrees of kept rows nest or are apart (DFS order): the nodes they span are shown or
        // counted; the rest are left out.
        let (mut spanned, mut span_end) = (0, 0);
        for &i in &kept {
            if i >= span_end {
                spanned += end[i] - i;
                span_end = end[i];
            }
        }
        TreeSummary { rows, left_out: all.len() - spanned }
    }
}

impl Report {
    /// The alignment tree as SVG: one row per node (so labels never overlap), indented by depth,
    /// with connectors, a status dot, the score bar and numbers. Above 200 rows, key results are
    /// left out and then deeper levels collapse into a "+N below" count, so the picture stays
    /// readable; when the top level alone has more objectives (a flat plan), the first 200 are
    /// shown and the rest counted on a last line.
    pub fn alignment_svg(&self) -> String {
        let d = &self.plan.data;
        let TreeSummary { rows, left_out } = self.tree_summary(MAX_TREE_ROWS);
        let (row_h, indent, label_w) = (24.0, 18.0, 420.0);
        let width = label_w + 260.0;
        let lines = rows.len() + usize::from(left_out > 0);
        let height = 40.0 + row_h * lines as f64 + 10.0;
        let mut out = open(width, height, &format!("Alignment as of {}", self.as_of));
        let _ = write!(
            out,
            "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">Alignment as of {}</text>\
             <text x=\"{}\" y=\"22\" fill=\"#57606a\">score</text><text x=\"{}\" y=\"22\" fill=\"#57606a\">status</text>",
            self.as_of,
            label_w + 10.0,
            label_w + 150.0
        );
        let mut last_at_depth: Vec<f64> = Vec::new();
        for (i, &(p, depth, reference, hidden)) in rows.iter().enumerate() {
            let line = self.line(p);
            let y = 40.0 + row_h * i as f64 + row_h / 2.0;
            let x = 14.0 + indent * depth.min(16) as f64;
            if depth > 0 {
                let parent_y = last_at_depth.get(depth - 1).copied().unwrap_or(y);
                let px = x - indent;
                let _ = write!(
                    out,
                    "<path d=\"M{px} {parent_y} V{y} H{}\" stroke=\"#d0d7de\" fill=\"none\"/>",
                    x - 6.0
                );
            }
            last_at_depth.truncate(depth);
            last_at_depth.push(y);
            let title = d.meta.title.get(d.doc_of_pos[p] as usize).unwrap_or("");
            let kind = if line.kind.is_some() { "key result" } else { "objective" };
            let label = clip(
                &format!("{}{}  {}", if reference { "↗ " } else { "" }, line.id, title),
                ((label_w - x) / 6.6) as usize,
            );
            let more = if hidden > 0 { format!(" (+{hidden} below)") } else { String::new() };
            let _ = write!(
                out,
                "<g class=\"node\" data-node-id=\"{id}\"><title>{kind} {id}: score {score:.2}, {status}</title>\
                 <circle cx=\"{x}\" cy=\"{y}\" r=\"5\" fill=\"{c}\"/>\
                 <text x=\"{tx}\" y=\"{ty}\"{weight}>{label}{more}</text>\
                 <rect x=\"{bx}\" y=\"{by}\" width=\"100\" height=\"8\" fill=\"#eaeef2\"/>\
                 <rect x=\"{bx}\" y=\"{by}\" width=\"{bw:.1}\" height=\"8\" fill=\"{c}\"/>\
                 <text x=\"{sx}\" y=\"{ty}\">{score:.2}</text><text x=\"{stx}\" y=\"{ty}\" fill=\"{c}\">{status}</text></g>",
                id = escape(line.id),
                score = line.score,
                status = line.status.as_str(),
                c = colour(line.status),
                tx = x + 10.0,
                ty = y + 4.0,
                weight = if line.kind.is_none() { " font-weight=\"bold\"" } else { "" },
                label = escape(&label),
                bx = label_w + 10.0,
                by = y - 4.0,
                bw = 100.0 * line.score.clamp(0.0, 1.0),
                sx = label_w + 115.0,
                stx = label_w + 150.0,
            );
        }
        if left_out > 0 {
            let y = 40.0 + row_h * rows.len() as f64 + row_h / 2.0 + 4.0;
            let _ =
                write!(out, "<text x=\"14\" y=\"{y}\" fill=\"#57606a\">… and {left_out} more nodes</text>");
        }
        out.push_str("</svg>");
        out
    }

    /// The alignment as a Graphviz DOT graph (child → parent edges, nodes coloured by status).
    pub fn to_dot(&self) -> String {
        let d = &self.plan.data;
        let mut out = String::from("digraph okr {\n  rankdir=BT;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n");
        for line in self.nodes() {
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\\n{:.2} {}\", fillcolor=\"{}\", fontcolor=\"white\"];",
                dot_quoted(line.id),
                dot_quoted(line.id),
                line.score,
                line.status.as_str(),
                colour(line.status)
            );
        }
        for p in 0..d.len() {
            for e in d.contributors.all(p) {
                let _ = writeln!(
                    out,
                    "  \"{}\" -> \"{}\";",
                    dot_quoted(d.id(d.contributors.src[e] as usize)),
                    dot_quoted(d.id(p))
                );
            }
        }
        out.push_str("}\n");
        out
    }

    /// The alignment as a Mermaid flowchart.
    pub fn to_mermaid(&self) -> String {
        let d = &self.plan.data;
        let key = |p: usize| format!("n{}", d.doc_of_pos[p]);
        let mut out = String::from("flowchart BT\n");
        for &p in &d.pos_of_doc {
            let p = p as usize;
            let line = self.line(p);
            let label = format!("{} {:.2} {}", mermaid_label(line.id), line.score, line.status.as_str());
            let _ = writeln!(out, "  {}[\"{}\"]", key(p), label);
            let _ = writeln!(out, "  style {} fill:{},color:#fff", key(p), colour(line.status));
        }
        for p in 0..d.len() {
            for e in d.contributors.all(p) {
                let _ = writeln!(out, "  {} --> {}", key(d.contributors.src[e] as usize), key(p));
            }
        }
        out
    }

    /// The burn-up of a key result: its check-in values over the cycle, the expected pace from
    /// start to target, the target, and (with enough check-ins) the forecast and its 80 % band.
    pub fn burnup_svg(&self, key_result: &str) -> Result<String> {
        let d = &self.plan.data;
        let p = d.pos(key_result)?;
        let cycle = d.cycle(p);
        if d.kinds[p] == OBJECTIVE || cycle == NONE {
            return Err(Error::InvalidValue {
                id: key_result.to_owned(),
                field: "burn-up",
                reason: "a burn-up needs a key result in a cycle".into(),
            });
        }
        let c = &d.cycles[cycle as usize];
        let (start_day, end_day) = (c.start_day, c.end_day.max(c.start_day + 1));
        let rows = d.check_ins.upto(p, self.reading_day(p));
        let points: Vec<(i32, f64)> = rows
            .filter(|&r| !d.check_ins.value[r].is_nan())
            .map(|r| (d.check_ins.day[r], d.check_ins.value[r]))
            .collect();
        let (baseline, target) = match d.rule(p) {
            Rule::Linear { start, target } | Rule::Aggregate { start, target, .. } => {
                (Some(start), Some(target))
            }
            Rule::AtLeast { threshold, .. } | Rule::AtMost { threshold, .. } => (None, Some(threshold)),
            Rule::Range { low, high } => (None, Some((low + high) / 2.0)),
            Rule::Manual | Rule::Binary => (Some(0.0), Some(1.0)),
            _ => (None, None),
        };
        let forecast = match self.line(p).forecast {
            Some(NodeForecast::KeyResult(f)) => Some(f),
            _ => None,
        };
        let mut ys: Vec<f64> = points.iter().map(|q| q.1).collect();
        ys.extend(baseline);
        ys.extend(target);
        if let Some(f) = forecast {
            ys.extend([f.low, f.high, f.value]);
        }
        if ys.is_empty() {
            ys.extend([0.0, 1.0]);
        }
        let (mut lo, mut hi) =
            ys.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &y| (a.min(y), b.max(y)));
        if hi - lo < 1e-12 {
            lo -= 1.0;
            hi += 1.0;
        }
        let pad = (hi - lo) * 0.08;
        let (lo, hi) = (lo - pad, hi + pad);
        let (w, h, left, top, right, bottom) = (640.0, 320.0, 60.0, 40.0, 20.0, 40.0);
        let x =
            |dd: i32| left + (w - left - right) * f64::from(dd - start_day) / f64::from(end_day - start_day);
        let y = |v: f64| top + (h - top - bottom) * (hi - v) / (hi - lo);
        let title = d.meta.title.get(d.doc_of_pos[p] as usize).unwrap_or(key_result);
        let mut out = open(w, h, &format!("Burn-up of {key_result}"));
        let _ = write!(
            out,
            "<text x=\"{left}\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>",
            escape(&clip(title, 70))
        );
        // Axes with a few ticks.
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8c959f\"/>",
            h - bottom,
            w - right,
            h - bottom
        );
        let _ = write!(
            out,
            "<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{}\" stroke=\"#8c959f\"/>",
            h - bottom
        );
        for i in 0..=4 {
            let v = lo + (hi - lo) * f64::from(i) / 4.0;
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#57606a\">{}</text>",
                left - 6.0,
                y(v) + 4.0,
                crate::explain::num((v * 100.0).round() / 100.0)
            );
            let dd = start_day + (end_day - start_day) * i / 4;
            let date = NaiveDate::from_num_days_from_ce_opt(dd)
                .map_or(String::new(), |x| x.format("%b %d").to_string());
            let _ = write!(
                out,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#57606a\">{date}</text>",
                x(dd),
                h - bottom + 16.0
            );
        }
        if let Some(t) = target {
            let _ = write!(out, "<line class=\"target\" x1=\"{left}\" y1=\"{0}\" x2=\"{1}\" y2=\"{0}\" stroke=\"#1a7f37\" stroke-dasharray=\"6 4\"/><text x=\"{1}\" y=\"{2}\" text-anchor=\"end\" fill=\"#1a7f37\">target {3}</text>", y(t), w - right, y(t) - 4.0, crate::explain::num(t));
        }
        if let (Some(b), Some(t)) = (baseline, target) {
            let _ = write!(out, "<line class=\"expected\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#8c959f\" stroke-dasharray=\"2 3\"/>", x(start_day), y(b), x(end_day), y(t));
        }
        if let (Some(f), Some(&(last_day, last))) = (forecast, points.last()) {
            let _ = write!(
                out,
                "<polygon class=\"forecast-band\" points=\"{},{} {},{} {},{}\" fill=\"#0969da\" fill-opacity=\"0.12\"/>\
                 <line class=\"forecast\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#0969da\" stroke-dasharray=\"5 3\"/>\
                 <text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#0969da\">forecast {} (80 %: {}–{})</text>",
                x(last_day), y(last), x(end_day), y(f.high), x(end_day), y(f.low),
                x(last_day), y(last), x(end_day), y(f.value),
                w - right, (y(f.low.min(f.value)) + 16.0).min(h - bottom - 4.0), crate::explain::num((f.value * 100.0).round() / 100.0),
                crate::explain::num((f.low * 100.0).round() / 100.0), crate::explain::num((f.high * 100.0).round() / 100.0)
            );
        }
        let today = day(self.as_of).clamp(start_day, end_day);
        let _ = write!(out, "<line x1=\"{0}\" y1=\"{top}\" x2=\"{0}\" y2=\"{1}\" stroke=\"#d0d7de\"/><text x=\"{0}\" y=\"{2}\" text-anchor=\"middle\" fill=\"#57606a\">as of {3}</text>", x(today), h - bottom, top - 4.0, self.as_of);
        if !points.is_empty() {
            let path: Vec<String> =
                points.iter().map(|&(dd, v)| format!("{:.1},{:.1}", x(dd), y(v))).collect();
            let _ = write!(out, "<polyline class=\"values\" points=\"{}\" fill=\"none\" stroke=\"#24292f\" stroke-width=\"2\"/>", path.join(" "));
            for &(dd, v) in &points {
                let _ = write!(out, "<circle class=\"check-in\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"#24292f\"><title>{}: {}</title></circle>", x(dd), y(v), NaiveDate::from_num_days_from_ce_opt(dd).unwrap_or_default(), crate::explain::num(v));
            }
        }
        out.push_str("</svg>");
        Ok(out)
    }
}

/// Rating distribution against target shares: observed share bars with the target marked, for
/// all ratings and for each group (small multiples); flagged groups are outlined in red.
/// Categories are numbers or labels (see [`Category`]); a long label is shortened under its bar.
pub fn distribution_svg<C: Category>(
    report: &DistributionReport,
    categories: &[C],
    shares: &[f64],
) -> String {
    let labels: Vec<String> = categories.iter().map(Category::label).collect();
    distribution_panels(report, &labels, shares)
}

/// [`distribution_svg`] with the categories as their labels (compiled once for every type).
fn distribution_panels(report: &DistributionReport, labels: &[String], shares: &[f64]) -> String {
    let panels: Vec<(String, &crate::calibration::DistributionFit)> =
        std::iter::once(("all ratings".to_owned(), &report.overall))
            .chain(report.groups.iter().map(|(g, f)| (g.clone(), f)))
            .take(25)
            .collect();
    let (pw, ph) = (260.0, 170.0);
    let cols = panels.len().clamp(1, 3);
    let rows = panels.len().div_ceil(cols);
    let (w, h) = (pw * cols as f64 + 20.0, ph * rows as f64 + 40.0);
    let mut out = open(w, h, "Rating distribution against target");
    let _ = write!(out, "<text x=\"10\" y=\"22\" font-size=\"14\" font-weight=\"bold\">Ratings against target shares (bars: observed, marks: target)</text>");
    let top_share = panels
        .iter()
        .flat_map(|(_, f)| f.observed.iter().map(move |o| o / (f.n.max(1) as f64)))
        .chain(shares.iter().copied())
        .fold(0.0f64, f64::max)
        .max(0.01);
    for (i, (name, fit)) in panels.iter().enumerate() {
        let (ox, oy) = (10.0 + pw * (i % cols) as f64, 36.0 + ph * (i / cols) as f64);
        let stroke = if fit.flagged { "#cf222e" } else { "#d0d7de" };
        let _ = write!(
            out,
            "<g class=\"panel{}\" data-group=\"{}\"><rect x=\"{ox}\" y=\"{oy}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\"/>\
             <text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text><text x=\"{}\" y=\"{}\" fill=\"#57606a\">n {} · TVD {:.2} · p {:.3}{}</text>",
            if fit.flagged { " flagged" } else { "" },
            escape(name),
            pw - 10.0,
            ph - 10.0,
            if fit.flagged { 2 } else { 1 },
            ox + 8.0,
            oy + 16.0,
            escape(&clip(name, 30)),
            ox + 8.0,
            oy + 30.0,
            fit.n,
            fit.tvd,
            fit.pval,
            if fit.flagged { " · differs" } else { "" }
        );
        let k = labels.len().max(1);
        let bw = (pw - 40.0) / k as f64;
        let base = oy + ph - 30.0;
        let scale = (ph - 80.0) / top_share;
        for j in 0..k {
            let obs = fit.observed.get(j).copied().unwrap_or(0.0) / (fit.n.max(1) as f64);
            let tgt = shares.get(j).copied().unwrap_or(0.0);
            let bx = ox + 16.0 + bw * j as f64;
            let label = labels.get(j).map(String::as_str).unwrap_or_default();
            let (category, short) = (escape(label), escape(&clip(label, (bw / 7.0).max(3.0) as usize)));
            let _ = write!(
                out,
                "<rect class=\"observed\" x=\"{bx:.1}\" y=\"{top:.1}\" width=\"{width:.1}\" height=\"{height:.1}\" fill=\"#0969da\"><title>{category}: {o:.0} % (target {t:.0} %)</title></rect>\
                 <line class=\"target\" x1=\"{tx1:.1}\" y1=\"{ty:.1}\" x2=\"{tx2:.1}\" y2=\"{ty:.1}\" stroke=\"#cf222e\" stroke-width=\"2\"/>\
                 <text x=\"{lx:.1}\" y=\"{ly}\" text-anchor=\"middle\" fill=\"#57606a\">{short}</text>",
                top = base - obs * scale,
                width = bw * 0.7,
                height = obs * scale,
                o = obs * 100.0,
                t = tgt * 100.0,
                tx1 = bx - bw * 0.1,
                tx2 = bx + bw * 0.8,
                ty = base - tgt * scale,
                lx = bx + bw * 0.35,
                ly = base + 14.0,
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

/// Computes the distribution of `ratings` against target shares (see
/// [`distribution`](crate::calibration::distribution)) and draws it.
pub fn distribution_chart<C: Category>(
    ratings: &[C],
    categories: &[C],
    shares: &[f64],
    groups: Option<&[String]>,
    alpha: f64,
) -> Result<String> {
    let report = crate::calibration::distribution(ratings, categories, shares, groups, alpha)?;
    Ok(distribution_svg(&report, categories, shares))
}

/// Places people in the 9-box grid (see [`nine_box`](crate::calibration::nine_box)) and draws it.
pub fn nine_box_chart(
    performance: &[f64],
    potential: &[f64],
    cuts: crate::calibration::NineBoxCuts,
    names: &[String],
) -> Result<String> {
    if names.len() != performance.len() {
        return Err(Error::LengthMismatch {
            table: "people",
            column: "names",
            expected: performance.len(),
            found: names.len(),
        });
    }
    Ok(nine_box_svg(&crate::calibration::nine_box(performance, potential, cuts)?, names))
}

/// The 9-box grid: potential up, performance across, counts and (up to eight) names per cell.
pub fn nine_box_svg(grid: &NineBox, names: &[String]) -> String {
    let (cell, left, top) = (180.0, 84.0, 40.0);
    let (w, h) = (left + 3.0 * cell + 20.0, top + 3.0 * cell + 50.0);
    let mut out = open(w, h, "9-box grid");
    let _ = write!(out, "<text x=\"{left}\" y=\"24\" font-size=\"14\" font-weight=\"bold\">9-box: performance × potential</text>");
    let fills = [
        ["#ffebe9", "#fff8c5", "#fff8c5"],
        ["#fff8c5", "#ddf4ff", "#dafbe1"],
        ["#ddf4ff", "#dafbe1", "#aceebb"],
    ];
    for pot in 0..3 {
        for perf in 0..3 {
            let (x, y) = (left + cell * perf as f64, top + cell * (2 - pot) as f64);
            let people: Vec<&str> = grid
                .cells
                .iter()
                .zip(names)
                .filter(|(c, _)| c.potential as usize == pot && c.performance as usize == perf)
                .map(|(_, n)| n.as_str())
                .collect();
            let _ = write!(
                out,
                "<g class=\"cell\" data-box=\"{}\"><rect x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell}\" fill=\"{}\" stroke=\"white\" stroke-width=\"3\"/>\
                 <text x=\"{}\" y=\"{}\" font-weight=\"bold\">{}</text><text x=\"{}\" y=\"{}\" font-size=\"28\" fill=\"#24292f\">{}</text>",
                3 * pot + perf + 1,
                fills[pot][perf],
                x + 8.0,
                y + 18.0,
                BOX_NAMES[pot][perf],
                x + 8.0,
                y + 52.0,
                grid.counts[pot][perf]
            );
            for (i, n) in people.iter().take(8).enumerate() {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"#57606a\">{}</text>",
                    x + 8.0,
                    y + 72.0 + 13.0 * i as f64,
                    escape(&clip(n, 24))
                );
            }
            if people.len() > 8 {
                let _ = write!(
                    out,
                    "<text x=\"{}\" y=\"{}\" fill=\"#57606a\">+{} more</text>",
                    x + 8.0,
                    y + 72.0 + 13.0 * 8.0,
                    people.len() - 8
                );
            }
            out.push_str("</g>");
        }
    }
    for (i, label) in ["low", "medium", "high"].iter().enumerate() {
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#57606a\">{label}</text>",
            left + cell * (i as f64 + 0.5),
            top + 3.0 * cell + 18.0
        );
        let _ = write!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#57606a\">{label}</text>",
            left - 8.0,
            top + cell * (2.5 - i as f64)
        );
    }
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">performance →</text>",
        left + 1.5 * cell,
        h - 8.0
    );
    let _ = write!(
        out,
        "<text x=\"16\" y=\"{}\" transform=\"rotate(-90 16 {0})\" text-anchor=\"middle\">potential →</text>",
        top + 1.5 * cell
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibration::{distribution, nine_box, NineBoxCuts};
    use crate::Plan;

    fn plan() -> Plan {
        Plan::from_json(
            r#"{"cycles": [{"id": "q", "start": "2026-01-01", "end": "2026-03-31"}],
            "objectives": [
              {"id": "co", "title": "Grow <fast> & well", "level": "company", "cycle": "q"},
              {"id": "t", "cycle": "q", "parents": [{"id": "co"}], "key_results": [
                {"id": "k", "kind": "linear", "start": 0, "target": 10, "check_ins": [
                  {"date": "2026-01-05", "value": 1}, {"date": "2026-01-19", "value": 3}, {"date": "2026-02-02", "value": 4}]}]}
            ]}"#,
        )
        .unwrap()
    }

    fn parse(svg: &str) -> roxmltree::Document<'_> {
        roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"))
    }

    #[test]
    fn alignment_tree_has_a_labelled_row_per_node() {
        let r = plan().score("2026-02-15".parse().unwrap());
        let svg = r.alignment_svg();
        let doc = parse(&svg);
        let ids: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-node-id")).collect();
        assert_eq!(ids, ["co", "t", "k"]);
        assert!(svg.contains("Grow &lt;fast&gt; &amp; well"));
        assert!(r.to_dot().contains("\"k\" -> \"t\";") && r.to_mermaid().starts_with("flowchart BT"));
    }

    #[test]
    fn dot_and_mermaid_show_any_id_as_written() {
        // An id ending in a backslash had escaped DOT's closing quote; a quote, `<b>` or an
        // entity code had been read by Mermaid.
        let plan = Plan::from_json(
            r#"{"objectives": [{"id": "o\\", "key_results": [
              {"id": "k\"<b>#35;&amp;", "kind": "binary", "current": 1}]}]}"#,
        )
        .unwrap();
        let r = plan.score("2026-02-15".parse().unwrap());
        let dot = r.to_dot();
        assert!(dot.contains(r#"  "o\\" [label="o\\\n1.00 achieved", "#), "{dot}");
        assert!(dot.contains(r#"  "k\"<b>#35;&amp;" -> "o\\";"#), "{dot}");
        // Every quote in the DOT text either delimits a string or is escaped: each line has an
        // even number of unescaped quotes.
        for line in dot.lines() {
            let unescaped = line.replace(r"\\", "").replace(r#"\""#, "").matches('"').count();
            assert_eq!(unescaped % 2, 0, "{line}");
        }
        let mermaid = r.to_mermaid();
        assert!(mermaid.contains(r#"["k#quot;#lt;b#gt;#35;35;#amp;amp; 1.00 achieved"]"#), "{mermaid}");
        assert!(mermaid.contains(r#"["o\ 1.00 achieved"]"#), "{mermaid}");
    }

    #[test]
    fn large_trees_are_summarised() {
        let objectives: Vec<String> = (0..400)
            .map(|i| {
                if i == 0 {
                    r#"{"id": "o0"}"#.to_owned()
                } else {
                    format!(r#"{{"id": "o{i}", "parents": [{{"id": "o{}"}}]}}"#, (i - 1) / 3)
                }
            })
            .collect();
        let plan = Plan::from_json(&format!(r#"{{"objectives": [{}]}}"#, objectives.join(","))).unwrap();
        let report = plan.score("2026-01-01".parse().unwrap());
        let svg = report.alignment_svg();
        let ids = |doc: &roxmltree::Document| -> Vec<String> {
            doc.descendants().filter_map(|n| n.attribute("data-node-id")).map(str::to_owned).collect()
        };
        let rows = ids(&parse(&svg));
        assert!(rows.len() <= MAX_TREE_ROWS && rows.len() > 50, "{} rows", rows.len());
        assert!(svg.contains("below)") && !svg.contains("more nodes"));
        // The notebook's table shows the same rows; the root's count is every node not in a row.
        let html = report.tree_html_summary();
        assert_eq!(ids(&parse(&html)), rows);
        let root =
            &html[html.find("data-node-id=\"o0\"").unwrap()..html.find("data-node-id=\"o1\"").unwrap()];
        assert!(root.contains(&format!("(+{} below)", 400 - rows.len())), "{root}");
        assert_eq!(report.tree_html().matches("<tr data-node-id").count(), 400);
    }

    #[test]
    fn flat_plans_past_the_limit_show_the_first_objectives_and_count_the_rest() {
        // 500 objectives with no parents: the top level alone is more than fits.
        let objectives: Vec<String> = (0..500)
            .map(|i| format!(r#"{{"id": "o{i}", "key_results": [{{"id": "k{i}", "kind": "binary"}}]}}"#))
            .collect();
        let plan = Plan::from_json(&format!(r#"{{"objectives": [{}]}}"#, objectives.join(","))).unwrap();
        let report = plan.score("2026-01-01".parse().unwrap());
        for text in [report.alignment_svg(), report.tree_html_summary()] {
            let doc = parse(&text);
            let rows: Vec<&str> = doc.descendants().filter_map(|n| n.attribute("data-node-id")).collect();
            assert_eq!(rows.len(), MAX_TREE_ROWS);
            assert_eq!((rows[0], rows[199]), ("o0", "o199"));
            // Each row counts its key result below it; the 300 objectives past the limit and
            // their key results are counted on the last line.
            assert_eq!(text.matches("(+1 below)").count(), MAX_TREE_ROWS);
            assert!(text.contains("… and 600 more nodes"), "{text}");
        }
    }

    #[test]
    fn burnup_shows_check_ins_target_and_forecast() {
        let r = plan().score("2026-02-15".parse().unwrap());
        let svg = r.burnup_svg("k").unwrap();
        let doc = parse(&svg);
        let class = |c: &str| doc.descendants().filter(|n| n.attribute("class") == Some(c)).count();
        assert_eq!(
            (
                class("check-in"),
                class("target"),
                class("expected"),
                class("forecast"),
                class("forecast-band")
            ),
            (3, 1, 1, 1, 1)
        );
        assert_eq!(r.burnup_svg("co").unwrap_err().code(), "invalid_value");
        assert_eq!(r.burnup_svg("ghost").unwrap_err().code(), "unknown_id");
    }

    #[test]
    fn distribution_and_nine_box() {
        let cats = [1.0, 2.0, 3.0];
        let shares = [0.25, 0.5, 0.25];
        let groups: Vec<String> = ["a", "a", "b", "b", "b", "b"].iter().map(|s| s.to_string()).collect();
        let d = distribution(&[1.0, 2.0, 3.0, 3.0, 3.0, 3.0], &cats, &shares, Some(&groups), 0.5).unwrap();
        let svg = distribution_svg(&d, &cats, &shares);
        let doc = parse(&svg);
        assert_eq!(doc.descendants().filter(|n| n.attribute("class") == Some("observed")).count(), 9);
        assert!(
            doc.descendants()
                .any(|n| n.attribute("class") == Some("panel flagged")
                    && n.attribute("data-group") == Some("b"))
        );
        let grid = nine_box(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], NineBoxCuts::default()).unwrap();
        let svg = nine_box_svg(&grid, &["ann".into(), "bob".into(), "cy".into()]);
        let doc = parse(&svg);
        assert_eq!(doc.descendants().filter(|n| n.attribute("class") == Some("cell")).count(), 9);
        assert!(svg.contains(">ann<") && svg.contains("rough diamond"));
    }

    #[test]
    fn distribution_labels_are_escaped_and_shortened_under_their_bars() {
        let cats = ["Below <2>", "R&D meets", "Far exceeds every expectation"];
        let svg =
            distribution_chart(&["R&D meets", "Below <2>"], &cats, &[0.25, 0.5, 0.25], None, 0.05).unwrap();
        let doc = parse(&svg);
        let titles: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("class") == Some("observed"))
            .filter_map(|n| n.first_element_child().and_then(|t| t.text()))
            .collect();
        assert_eq!(
            titles,
            [
                "Below <2>: 50 % (target 25 %)",
                "R&D meets: 50 % (target 50 %)",
                "Far exceeds every expectation: 0 % (target 25 %)"
            ]
        );
        let under: Vec<&str> = doc
            .descendants()
            .filter(|n| n.attribute("text-anchor") == Some("middle"))
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(under, ["Below <2>", "R&D meets", "Far excee…"]);
    }
}
