//! `boilerstrip eval`: scores text against gold, or analyses the cleaner's
//! errors on annotated pages.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::{bail, Result};
use boilerstrip::eval::{self, Fields};

use super::args::EvalArgs;
use super::config::build_cleaner;
use super::progress::Reporter;

/// Runs `eval`.
pub fn run(a: &EvalArgs) -> Result<ExitCode> {
    if !a.analyze {
        // Scoring reads the text as it is: a cleaner's flag would change
        // nothing, and a user comparing thresholds would get one score.
        if let Some(flag) = a.classifier.given().first() {
            bail!(
                "{flag} shapes the cleaner of --analyze; without --analyze, eval scores \
                 the text as it is (clean it with {flag} first, or add --analyze)"
            );
        }
    }
    let fields = Fields {
        text: a.text_field.clone(),
        gold: a.gold_field.clone(),
        id: a.id_field.clone(),
        site: a.site_field.clone(),
    };
    let mut out = BufWriter::new(io::stdout().lock());
    // A report that cannot be written (a full disk) says it was the output.
    let output = boilerstrip::Error::Output;
    if a.analyze {
        let cleaner = build_cleaner(&a.classifier, a.path.as_os_str() == "-")?;
        // The report goes to standard output: no spinner over it there.
        let reporter = Reporter::new(false, true);
        reporter.phase(&format!("reading {}", a.path.display()));
        let pages = eval::read_jsonl(&a.path, &fields)?;
        reporter.phase(&format!(
            "analysing {}",
            boilerstrip::report::plural(pages.pages.len() as u64, "page")
        ));
        let analysis = eval::analyze(&cleaner, &pages.pages, a.top);
        reporter.finish();
        if a.json {
            analysis.write_json(&mut out).map_err(output)?;
        } else {
            analysis.write_text(&mut out).map_err(output)?;
        }
    } else {
        let pages = eval::read(&a.path, a.gold_dir.as_deref(), &fields)?;
        let report = eval::evaluate_pages(&pages);
        if a.json {
            report.write_json(&mut out, a.pages).map_err(output)?;
        } else {
            report.write_text(&mut out, a.pages).map_err(output)?;
        }
    }
    out.flush().map_err(output)?;
    Ok(ExitCode::SUCCESS)
}
