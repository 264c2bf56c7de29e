//! Prints the score report of a plan file as JSON.
//!
//! ```text
//! cargo run --release -p okr-core --example score -- PLAN.json [--as-of YYYY-MM-DD] [--tree]
//! ```
//!
//! Without `--as-of` the plan is scored today. `--tree` prints the alignment tree as text instead
//! of JSON. Any error goes to stderr with a non-zero exit code.

use std::io::Write;
use std::process::ExitCode;

use chrono::NaiveDate;
use okr_core::Plan;

struct Args {
    path: String,
    as_of: NaiveDate,
    tree: bool,
}

fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|epoch| epoch.checked_add_days(chrono::Days::new(secs / 86_400)))
        .unwrap_or_default()
}

fn parse_args() -> Result<Args, String> {
    let mut path = None;
    let mut as_of = None;
    let mut tree = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--as-of" => {
                let text = args.next().ok_or("--as-of needs a date, YYYY-MM-DD")?;
                as_of = Some(
                    text.parse::<NaiveDate>()
                        .map_err(|_| format!("invalid date `{text}`: expected YYYY-MM-DD"))?,
                );
            }
            "--tree" => tree = true,
            "-h" | "--help" => return Err("usage: score PLAN.json [--as-of YYYY-MM-DD] [--tree]".into()),
            _ if path.is_none() => path = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    let path = path.ok_or("usage: score PLAN.json [--as-of YYYY-MM-DD] [--tree]")?;
    Ok(Args { path, as_of: as_of.unwrap_or_else(today), tree })
}

fn run() -> Result<String, String> {
    let args = parse_args()?;
    let text =
        std::fs::read_to_string(&args.path).map_err(|e| format!("cannot read `{}`: {e}", args.path))?;
    let plan = Plan::from_json(&text).map_err(|e| format!("{}: {e} [{}]", args.path, e.code()))?;
    let report = plan.score(args.as_of);
    Ok(if args.tree { report.tree_text() } else { report.to_json() })
}

fn main() -> ExitCode {
    match run() {
        // A closed pipe (`score … | head`) is not an error worth a panic.
        Ok(out) => match writeln!(std::io::stdout().lock(), "{out}") {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: cannot write the report: {e}");
                ExitCode::FAILURE
            }
        },
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
