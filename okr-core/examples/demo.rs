//! `make demo`: scores the bundled sample organisation and shows what okr tells a manager.
//!
//! ```text
//! cargo run --release -p okr-core --example demo -- [PLAN.json] [YYYY-MM-DD]
//! ```

use std::process::ExitCode;

use okr_core::{Plan, Status};

fn run() -> Result<String, String> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "examples/acme.json".into());
    let day = args.next().unwrap_or_else(|| "2026-02-15".into());
    let as_of = day.parse().map_err(|_| format!("invalid date `{day}`: expected YYYY-MM-DD"))?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read `{path}`: {e}"))?;
    let plan = Plan::from_json(&text).map_err(|e| format!("{path}: {e}"))?;
    let report = plan.score(as_of);
    let mut out = format!("okr demo: {path}, {} objectives and key results\n\n", plan.len());
    out += &report.tree_text();

    let count = |s: Status| report.nodes().filter(|n| n.status == s).count();
    out += &format!(
        "\n{} achieved, {} on track, {} at risk, {} off track\n",
        count(Status::Achieved),
        count(Status::OnTrack),
        count(Status::AtRisk),
        count(Status::OffTrack)
    );
    // What needs attention: key results with signals, worst forecast first.
    let mut alerts: Vec<_> = report.nodes().filter(|n| n.kind.is_some() && !n.signals.is_empty()).collect();
    let forecast = |n: &okr_core::NodeScore<'_>| match &n.forecast {
        Some(okr_core::NodeForecast::KeyResult(f)) => f.score,
        Some(okr_core::NodeForecast::Objective { score }) => *score,
        None => n.score,
    };
    alerts.sort_by(|a, b| forecast(a).total_cmp(&forecast(b)));
    out += &format!("\nNeeds attention ({} key results with signals; worst forecast first):\n", alerts.len());
    for n in alerts.iter().take(8) {
        let f = match &n.forecast {
            Some(okr_core::NodeForecast::KeyResult(f)) => {
                format!("forecast {:.2}, P(success) {:.0}%", f.score, f.p_success * 100.0)
            }
            _ => "no forecast".to_owned(),
        };
        out += &format!(
            "  {:<18} {:.2} {:<10} {:<34} {f}\n",
            n.id,
            n.score,
            n.status.as_str(),
            n.signals.join(", ")
        );
    }
    // The company objective furthest behind, explained.
    let company: Vec<_> = plan.nodes().filter(|n| n.level() == Some("company")).map(|n| n.id()).collect();
    if let Some(worst) =
        company.iter().filter_map(|id| report.get(id)).min_by(|a, b| a.score.total_cmp(&b.score))
    {
        let ex = report.explain(worst.id).map_err(|e| e.to_string())?;
        out += &format!("\nWhy `{}` scores {:.2}: {}\n", worst.id, worst.score, ex.formula);
        for c in ex.contributors.iter().filter(|c| c.counted) {
            out += &format!(
                "  {:<16} weight {:<4} score {:.2}  share {:>4.0}%\n",
                c.id,
                c.weight,
                c.score,
                c.share * 100.0
            );
        }
    }
    // Line of sight for the individual objective furthest behind.
    let people = plan.nodes().filter(|n| n.level() == Some("individual")).filter_map(|n| report.get(n.id()));
    if let Some(person) = people.min_by(|a, b| a.score.total_cmp(&b.score)) {
        let los = plan.line_of_sight(person.id).map_err(|e| e.to_string())?;
        out += &format!("\nLine of sight of `{}` (score {:.2}):\n", person.id, person.score);
        for a in &los.ancestors {
            out += &format!("  carries {:>5.1}% of `{}`\n", a.share * 100.0, a.id);
        }
        out += &format!("  traces to company objectives: {}\n", los.company_objectives.join(", "));
    }
    Ok(out)
}

fn main() -> ExitCode {
    match run() {
        Ok(out) => {
            use std::io::Write;
            let _ = std::io::stdout().lock().write_all(out.as_bytes());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
