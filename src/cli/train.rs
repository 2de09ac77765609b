//! `boilerstrip train`: fits the line model on annotated pages and writes it.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use boilerstrip::eval::{self, Fields};
use boilerstrip::model::LineModel;
use boilerstrip::report::plural;
use boilerstrip::train::{self, Example, TrainOptions, TrainingData};
use boilerstrip::{pipeline, CleanerBuilder};

use super::args::TrainArgs;
use super::config::check_output_path;
use super::progress::Reporter;

/// Runs `train`.
pub fn run(a: &TrainArgs) -> Result<ExitCode> {
    // Before the minutes of training.
    check_output_path(
        &a.output,
        a.files.iter().map(PathBuf::as_path),
        "the output",
    )?;
    let fields = Fields {
        text: a.text_field.clone(),
        gold: a.gold_field.clone(),
        site: a.site_field.clone(),
        ..Fields::default()
    };
    // Features are extracted with an untrained model: they do not depend on
    // the weights, and the built-in weights may be for other features.
    let cleaner = CleanerBuilder::new()
        .model("untrained", &LineModel::untrained().to_text())
        .build()?;
    let mut data = TrainingData::default();
    let mut names = Vec::new();
    let reporter = Reporter::new(false, false);
    for path in &a.files {
        reporter.phase(&format!("reading {}", path.display()));
        let pages = eval::read_jsonl(path, &fields)?;
        let examples: Vec<Example<'_>> = pages
            .pages
            .iter()
            .map(|p| Example {
                text: p.text.as_bytes(),
                site: p.site.as_deref(),
                gold: &p.gold,
            })
            .collect();
        let corpus = TrainingData::collect(&cleaner, &examples);
        reporter.say(&format!(
            "boilerstrip: {}: {}, {}",
            path.display(),
            plural(corpus.pages() as u64, "page"),
            plural(corpus.rows() as u64, "line")
        ));
        data.append(&corpus);
        names.push(path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        ));
    }
    if let Some(problem) = data.problem() {
        bail!(
            "cannot train on {} ({}): {problem}; {} not written",
            names.join(", "),
            plural(data.pages() as u64, "page"),
            a.output.display()
        );
    }
    let notes = vec![
        "boilerstrip line model: weights of three stacked logistic regressions.".to_string(),
        format!("Trained by `boilerstrip train` on: {}.", names.join(", ")),
    ];
    reporter.phase(&format!(
        "training on {}, {}",
        plural(data.pages() as u64, "page"),
        plural(data.rows() as u64, "line")
    ));
    let model = train::train(&data, &TrainOptions::default(), notes);
    reporter.finish();
    pipeline::write_atomically(&a.output, |w| w.write_all(model.to_text().as_bytes()))
        .context("cannot write the line model")?;
    say!(
        "boilerstrip: trained on {}, {}; wrote {}",
        plural(data.pages() as u64, "page"),
        plural(data.rows() as u64, "line"),
        a.output.display()
    );
    Ok(ExitCode::SUCCESS)
}
