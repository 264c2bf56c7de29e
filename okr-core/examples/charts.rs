//! Writes the pictures of the sample organisation as SVG files into a directory.
//!
//! ```text
//! cargo run --release -p okr-core --example charts -- OUT_DIR [PLAN.json] [YYYY-MM-DD]
//! ```

use std::process::ExitCode;

use okr_core::calibration::{distribution, nine_box, NineBoxCuts};
use okr_core::{distribution_svg, nine_box_svg, Plan};

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let out = args.next().ok_or("usage: charts OUT_DIR [PLAN.json] [YYYY-MM-DD]")?;
    let path = args.next().unwrap_or_else(|| "examples/acme.json".into());
    let day = args.next().unwrap_or_else(|| "2026-02-15".into());
    let as_of = day.parse().map_err(|_| format!("invalid date `{day}`"))?;
    let plan = Plan::from_json(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let report = plan.score(as_of);
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    let write =
        |name: &str, svg: String| std::fs::write(format!("{out}/{name}"), svg).map_err(|e| e.to_string());
    write("alignment.svg", report.alignment_svg())?;
    write("burnup.svg", report.burnup_svg("rep-3-logos").map_err(|e| e.to_string())?)?;
    // Ratings of the sample people: their objectives' scores on a 1–5 scale, grouped by team.
    let people: Vec<_> = report.nodes().filter(|n| n.kind.is_none()).collect();
    let ratings: Vec<f64> = people.iter().map(|n| (1.0 + (n.score * 5.0).floor()).min(5.0)).collect();
    let groups: Vec<String> = people
        .iter()
        .map(|n| plan.node(n.id).and_then(|x| x.parents().next()).unwrap_or("top").to_owned())
        .collect();
    let (cats, shares) = ([1.0, 2.0, 3.0, 4.0, 5.0], [0.1, 0.2, 0.4, 0.2, 0.1]);
    let d = distribution(&ratings, &cats, &shares, Some(&groups), 0.05).map_err(|e| e.to_string())?;
    write("distribution.svg", distribution_svg(&d, &cats, &shares))?;
    let names: Vec<String> = people.iter().map(|n| n.id.to_owned()).collect();
    let potential: Vec<f64> = people.iter().map(|n| n.expected.unwrap_or(0.5) + n.score / 2.0).collect();
    let grid =
        nine_box(&people.iter().map(|n| n.score).collect::<Vec<_>>(), &potential, NineBoxCuts::default())
            .map_err(|e| e.to_string())?;
    write("nine_box.svg", nine_box_svg(&grid, &names))?;
    write("alignment.dot", report.to_dot())?;
    write("alignment.mmd", report.to_mermaid())?;
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
