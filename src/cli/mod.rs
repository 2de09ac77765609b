//! The command-line program: flags (`args`) → checked configuration
//! (`config`) → a library run (`boilerstrip::pipeline`) with progress and
//! messages on stderr (`progress`) → statistics, summary and exit status.

/// `eprintln!` that goes on when standard error is closed (its reader, as in
/// `2>&1 | head -1`, gone): a message that cannot be shown must not stop
/// the run half-way, as `eprintln!`'s panic would.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod args;
mod config;
mod eval;
mod merge;
mod progress;
mod train;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use boilerstrip::pipeline;
use boilerstrip::report::{plural, thousands, RunStats};
use clap::Parser;

use args::Args;
use config::{CleanerPlan, Config, Job};
use progress::{Passes, Reporter};

/// Exit status: some inputs or records were bad.
const EXIT_BAD_INPUT: u8 = 1;
/// Exit status: usage error, or nothing could be done.
const EXIT_USAGE: u8 = 2;

/// Runs the program on the process's arguments.
pub fn main() -> ExitCode {
    let args = Args::parse();
    let direct = match &args.command {
        args::Command::Eval(a) => Some(eval::run(a)),
        args::Command::Train(a) => Some(train::run(a)),
        args::Command::Merge(a) => Some(merge::run(a)),
        _ => None,
    };
    if let Some(result) = direct {
        return match result {
            Ok(code) => code,
            Err(e) if config::is_broken_pipe(&e) => ExitCode::SUCCESS,
            Err(e) => {
                say!("boilerstrip: error: {}", error_text(&e));
                ExitCode::from(EXIT_USAGE)
            }
        };
    }
    let config = match Config::from_args(args) {
        Ok(c) => c,
        Err(e) => {
            say!("boilerstrip: error: {}", error_text(&e));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match run(config) {
        Ok(code) => code,
        Err(e) if config::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            say!("boilerstrip: error: {}", error_text(&e));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

fn run(c: Config) -> Result<ExitCode> {
    let text_to_stdout =
        matches!(c.job, Job::Clean) && c.options.output == pipeline::Output::Stream;
    let passes = match (&c.job, &c.options.model) {
        (Job::Learn(..), _) => Passes::Learn,
        (Job::Clean, pipeline::Model::Given(_)) => Passes::CleanOnly,
        (Job::Clean, _) => Passes::Both,
    };
    let reporter = Reporter::new(c.quiet, text_to_stdout).passes(passes);
    for p in &c.discovery.problems {
        reporter.say(&format!("boilerstrip: {p}"));
    }
    let started = Instant::now();
    let inputs = &c.discovery.inputs;
    let mut learned = None;
    let mut run = match &c.job {
        Job::Clean => {
            let mut out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
            let run = match &c.cleaner {
                CleanerPlan::Built(cleaner) => {
                    pipeline::clean(inputs, cleaner, &c.options, &mut out, &reporter)?
                }
                CleanerPlan::Deferred(builder) => pipeline::clean_building(
                    inputs,
                    || builder.build(),
                    &c.options,
                    &mut out,
                    &reporter,
                )?,
            };
            out.flush().map_err(boilerstrip::Error::Output)?;
            run
        }
        Job::Learn(path, partitions) => {
            let (table, run) = pipeline::statistics(inputs, &c.options, &reporter)?;
            if run.inputs > 0 && run.bad_inputs == run.inputs {
                // Nothing was read: a model of nothing must not replace one
                // that is there.
                learned = Some(format!("nothing; {} not written", path.display()));
            } else {
                let parts: Vec<_> = boilerstrip::stats::Partition::all(*partitions).collect();
                let written = merge::write_model(&table, path, &parts)?;
                learned = Some(format!(
                    "{} into {}",
                    merge::describe(&table),
                    merge::names(&written)
                ));
            }
            run
        }
    };
    reporter.finish();
    let unreadable = run.bad_inputs;
    run.bad_inputs += c.discovery.problems.len() as u64;
    if c.stats {
        let _ = write!(io::stderr().lock(), "{run}");
    }
    let mut stats_failed = false;
    if let Some(path) = &c.stats_json {
        let json = |w: &mut dyn Write| -> io::Result<()> {
            serde_json::to_writer_pretty(&mut *w, &run.to_json())?;
            w.write_all(b"\n")
        };
        let written = if path.as_os_str() == "-" {
            // Standard output closed by its reader (`| head`) ends the run
            // quietly, as it does when it carries the cleaned text.
            match json(&mut io::stdout().lock()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                    return Err(boilerstrip::Error::Output(e).into())
                }
                written => written.map_err(boilerstrip::Error::Io),
            }
        } else {
            pipeline::write_atomically(path, |w| json(w))
        };
        if let Err(e) = written {
            say!("boilerstrip: cannot write the statistics: {e}");
            stats_failed = true;
        }
    }
    if !c.quiet {
        say!(
            "{}",
            summary(&run, started.elapsed().as_secs_f64(), learned)
        );
    }
    Ok(if run.inputs > 0 && unreadable == run.inputs {
        ExitCode::from(EXIT_USAGE)
    } else if run.bad_inputs > 0 || run.bad_records > 0 || stats_failed {
        ExitCode::from(EXIT_BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}

/// An error and its causes, as `{:#}` shows them, less a cause that the
/// text before it already ends with: the library's errors say their cause
/// in their own message too (`file: No such file or directory`).
fn error_text(e: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in e.chain() {
        let cause = cause.to_string();
        if text.ends_with(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    text
}

/// The one-line account printed at the end.
fn summary(run: &RunStats, seconds: f64, learned: Option<String>) -> String {
    let mut s = format!(
        "boilerstrip: {}, {}",
        plural(run.inputs, "input"),
        plural(run.documents_in, "document")
    );
    match learned {
        Some(what) => s.push_str(&format!(
            ", {}: learned {what}",
            plural(run.text_in.lines, "line"),
        )),
        None => {
            let dropped = run.dropped_total().lines;
            s.push_str(&format!(
                ": {} kept, {} dropped",
                plural(run.text_out.lines, "line"),
                thousands(dropped)
            ));
        }
    }
    if run.bad_inputs > 0 || run.bad_records > 0 {
        s.push_str(&format!(
            "; {}, {}",
            plural(run.bad_inputs, "bad input"),
            plural(run.bad_records, "bad record")
        ));
    }
    s.push_str(&format!("; {seconds:.2} s"));
    s
}
