//! Checked configuration: turns the raw [`Args`] into the library objects a
//! run needs, and reports every user error (a missing input, an unreadable
//! rule or model file, an output inside an input) before any work starts.

use std::fs::File;
use std::io::{BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use boilerstrip::cleaner::Settings;
use boilerstrip::format::{Format, FormatOptions};
use boilerstrip::input::{self, Discovery, Source};
use boilerstrip::pipeline::{self, Model, Options, Output};
use boilerstrip::stats::{Merger, ModelFile, Partition, SketchShape};
use boilerstrip::{Cleaner, CleanerBuilder, Error, LineStats};

use super::args::{
    Args, ClassifierArgs, CleanArgs, Command, FormatArg, InputArgs, LearnArgs, MemoryArgs,
};

/// A checked command line.
pub struct Config {
    /// What to run.
    pub job: Job,
    /// The inputs, and what was skipped while finding them.
    pub discovery: Discovery,
    /// The cleaner, built or to be built.
    pub cleaner: CleanerPlan,
    /// The run's settings.
    pub options: Options,
    /// No progress bar and no summary.
    pub quiet: bool,
    /// Print statistics on stderr.
    pub stats: bool,
    /// Write statistics as JSON here.
    pub stats_json: Option<PathBuf>,
}

/// The cleaner of a run: built while the command line is checked, or built
/// on another thread while pass 1 runs ([`pipeline::clean_building`]), which
/// hides the 40 to 50 ms of building the lexicon's automaton.
pub enum CleanerPlan {
    /// Built already: the user gave rule or model files (or a threshold),
    /// whose errors are reported before any work starts.
    Built(Cleaner),
    /// The built-in lexicon and model with checked settings, which always
    /// build (the tests build them): built during pass 1.
    Deferred(CleanerBuilder),
}

/// The subcommand, checked.
pub enum Job {
    /// `clean`.
    Clean,
    /// `learn`, writing the model to this file, in this many partitions.
    Learn(PathBuf, u32),
}

impl Config {
    /// Checks `args` and builds everything a run needs.
    pub fn from_args(args: Args) -> Result<Config> {
        match args.command {
            Command::Clean(c) => Config::clean(c),
            Command::Learn(l) => Config::learn(l),
            Command::Eval(_) | Command::Train(_) | Command::Merge(_) => {
                unreachable!("eval, train and merge do not run through the pipeline")
            }
        }
    }

    fn clean(a: CleanArgs) -> Result<Config> {
        let c = &a.classifier;
        let paths = &a.input.paths;
        let settings = settings(
            c,
            paths.is_empty() || paths.iter().any(|p| p.as_os_str() == "-"),
        )?;
        let cleaner = if settings.cannot_fail() {
            CleanerPlan::Deferred(settings.builder())
        } else {
            CleanerPlan::Built(settings.build()?)
        };
        let model = if a.model.is_empty() {
            Model::FromInputs
        } else {
            if a.memory.max_memory.is_some() && !a.model_merge {
                bail!(
                    "--max-memory bounds the statistics learned from the inputs, and with \
                     --model (without --model-merge) none are learned"
                );
            }
            let table = read_models(&a.model)?;
            if a.model_merge {
                Model::Merged(table)
            } else {
                Model::Given(table)
            }
        };
        let (mut discovery, mut options) = inputs(&a.input)?;
        options.sketch = sketch_shape(&a.memory)?;
        if let Some(dir) = &a.output {
            // The nearest part of the path that exists must be a folder, or
            // every output would fail alike.
            if let Some(there) = dir.ancestors().find(|p| p.exists()) {
                if !there.is_dir() {
                    bail!(
                        "the output {}: {} is not a directory",
                        dir.display(),
                        there.display()
                    );
                }
            }
            if discovery.inputs.iter().any(|i| i.source == Source::Stdin) {
                bail!(
                    "standard input (-) has no file name to write under {}; \
                     leave out -o and redirect standard output instead",
                    dir.display()
                );
            }
            if a.allow_output_in_input {
                pipeline::exclude_output_dir(dir, &mut discovery)?;
                if discovery.inputs.is_empty() {
                    bail!("nothing to do: every input is inside the output directory");
                }
            } else {
                pipeline::check_output_dir(dir, &discovery)?;
            }
            options.output = Output::Dir(dir.clone());
        }
        options.explain = a.explain;
        options.drop_empty = a.drop_empty;
        options.resume = a.resume;
        options.model = model;
        // Only the statistics report the most frequent dropped lines.
        options.top_dropped = a.input.stats || a.input.stats_json.is_some();
        let stdout_free = matches!(options.output, Output::Dir(_));
        check_stats_json(&a.input, &discovery, stdout_free)?;
        Ok(Config {
            job: Job::Clean,
            discovery,
            cleaner,
            options,
            quiet: a.input.quiet,
            stats: a.input.stats,
            stats_json: a.input.stats_json,
        })
    }

    fn learn(a: LearnArgs) -> Result<Config> {
        let (discovery, mut options) = inputs(&a.input)?;
        options.sketch = sketch_shape(&a.memory)?;
        let partitions = a.partitions.get();
        if partitions > boilerstrip::stats::MAX_PARTITIONS {
            bail!(
                "--partitions {partitions}: at most {} partitions",
                boilerstrip::stats::MAX_PARTITIONS
            );
        }
        if partitions > 1 && options.sketch.is_some() {
            bail!(
                "--partitions with --max-memory: a count-min sketch cannot be split by \
                 fingerprint range (its counters mix all lines); sketches merge whole"
            );
        }
        if let Some(first) = Partition::all(partitions).next() {
            check_partition_base(&a.output, first)?;
        }
        for p in Partition::all(partitions) {
            check_output_file(&p.path(&a.output), &discovery, "model")?;
        }
        check_stats_json(&a.input, &discovery, true)?;
        Ok(Config {
            job: Job::Learn(a.output, partitions),
            discovery,
            // Pass 1 alone needs no cleaner.
            cleaner: CleanerPlan::Deferred(CleanerBuilder::new()),
            options,
            quiet: a.input.quiet,
            stats: a.input.stats,
            stats_json: a.input.stats_json,
        })
    }
}

/// Finds the inputs and the reading options; fails on a missing input or
/// when there is nothing to read.
fn inputs(a: &InputArgs) -> Result<(Discovery, Options)> {
    let paths = if a.paths.is_empty() {
        if std::io::stdin().is_terminal() {
            bail!("no input: give files or directories to read, or - for standard input");
        }
        vec![PathBuf::from("-")]
    } else {
        a.paths.clone()
    };
    if paths.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        bail!("standard input (-) can be read only once");
    }
    let format = a.format.map(|f| match f {
        FormatArg::Text => Format::Text,
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Wet => Format::Wet,
    });
    if a.text_field.is_empty() {
        bail!("--text-field must not be empty");
    }
    let discovery = input::discover(&paths, format);
    if !discovery.missing.is_empty() {
        let list: Vec<String> = discovery.missing.iter().map(|e| e.to_string()).collect();
        bail!("cannot read input:\n  {}", list.join("\n  "));
    }
    if discovery.inputs.is_empty() {
        for p in &discovery.problems {
            say!("boilerstrip: {p}");
        }
        bail!("nothing to do: no input files found");
    }
    let mut options = Options {
        format: FormatOptions {
            text_field: a.text_field.clone(),
            group_field: a.group_field.clone(),
        },
        ..Options::default()
    };
    if let Some(n) = a.threads {
        // Checked here too so that the error comes before any work.
        if let Some(why) = pipeline::threads_over_limit(n.get()) {
            bail!("--threads {n}: {why}");
        }
        options.threads = n.get();
    }
    if let Some(n) = a.batch_bytes {
        options.limits.batch = n.get();
    }
    if let Some(n) = a.max_record_bytes {
        options.limits.max_record = n.get();
    }
    Ok((discovery, options))
}

/// The sketch shape for `--max-memory`, if given.
fn sketch_shape(a: &MemoryArgs) -> Result<Option<SketchShape>> {
    let Some(bytes) = a.max_memory else {
        return Ok(None);
    };
    match SketchShape::for_bytes(bytes) {
        Some(s) => Ok(Some(s)),
        None => bail!("--max-memory {bytes}: the sketch needs at least 1 KiB"),
    }
}

/// Reads one model file, whole or a partition.
pub fn read_model_file(path: &Path) -> Result<ModelFile> {
    let f = File::open(path)
        .with_context(|| format!("cannot read the model file {}", path.display()))?;
    ModelFile::read_from(BufReader::new(f))
        .with_context(|| format!("cannot use the model file {}", path.display()))
}

/// The model files a `--model` name stands for: the file, or if there is
/// none, the partitions written under that name.
pub fn model_files(path: &Path) -> Vec<PathBuf> {
    if path.exists() {
        return vec![path.to_path_buf()];
    }
    match Partition::find(path) {
        found if found.is_empty() => vec![path.to_path_buf()],
        found => found,
    }
}

/// The model files that `names` stand for ([`model_files`] of each), each
/// once: a file given twice would count its documents twice.
pub fn distinct_model_files(names: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for name in names {
        for path in model_files(name) {
            if let Ok(c) = std::fs::canonicalize(&path) {
                if !seen.insert(c) {
                    bail!("the model file {} is given twice", path.display());
                }
            }
            out.push(path);
        }
    }
    Ok(out)
}

/// Reads and adds the models named by `--model`, which must make up whole
/// models.
fn read_models(paths: &[PathBuf]) -> Result<LineStats> {
    let mut merger = Merger::new();
    for path in distinct_model_files(paths)? {
        let file = read_model_file(&path)?;
        merger
            .add(file)
            .with_context(|| format!("cannot use the model file {}", path.display()))?;
    }
    let all = merger.finish().context("cannot use the model files")?;
    if all.partition != Partition::WHOLE {
        bail!(
            "the model files are partition {} of {} only: give the name the model was \
             written under, or all {} partitions",
            all.partition.index,
            all.partition.count,
            all.partition.count
        );
    }
    Ok(all.stats)
}

/// `--stats-json` names a file that can be written, or `-` for standard
/// output where the run writes nothing else there (`stdout_free`).
fn check_stats_json(a: &InputArgs, d: &Discovery, stdout_free: bool) -> Result<()> {
    match &a.stats_json {
        Some(p) if p.as_os_str() == "-" => {
            if !stdout_free {
                bail!("--stats-json -: standard output carries the cleaned text; name a file, or clean with -o");
            }
            Ok(())
        }
        Some(p) => check_output_file(p, d, "--stats-json"),
        None => Ok(()),
    }
}

/// An output file must be in an existing directory, not be a directory, and
/// not be one of the inputs `d` found.
fn check_output_file(path: &Path, d: &Discovery, what: &str) -> Result<()> {
    let files = d.inputs.iter().filter_map(|i| match &i.source {
        Source::File(p) => Some(p.as_path()),
        _ => None,
    });
    check_output_path(path, files, what)
}

/// A model written in partitions (`part`, the first of them) goes to files
/// named after `base` (`base.0-of-N...`), so `base` must be a file name, not
/// an existing device, pipe or socket: `-o /dev/null --partitions 4` would
/// create files in `/dev`. A whole model is written into such an output.
pub fn check_partition_base(base: &Path, part: Partition) -> Result<()> {
    if part == Partition::WHOLE {
        return Ok(());
    }
    match std::fs::metadata(base) {
        Ok(m) if !m.is_file() => bail!(
            "-o {} is not a regular file, and a model in {} partitions is written to files \
             named after it ({} ...); give the name of a file",
            base.display(),
            part.count,
            part.path(base).display()
        ),
        _ => Ok(()),
    }
}

/// An output file must be in an existing directory, not be a directory, and
/// not be one of the files `inputs`.
pub fn check_output_path<'a>(
    path: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
    what: &str,
) -> Result<()> {
    if path.is_dir() {
        bail!("{what} {} is a directory", path.display());
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(p) = parent {
        if !p.is_dir() {
            bail!("{what}: the directory {} does not exist", p.display());
        }
    }
    if let Ok(target) = std::fs::canonicalize(path) {
        for p in inputs {
            if std::fs::canonicalize(p).is_ok_and(|p| p == target) {
                bail!("{what} {} is one of the inputs", path.display());
            }
        }
    }
    Ok(())
}

/// Whether a library error is the output stream closing.
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Error>()
        .is_some_and(pipeline::is_broken_pipe)
}

/// Builds the cleaner from the classifier flags, reading rule and model files.
pub fn build_cleaner(a: &ClassifierArgs, input_on_stdin: bool) -> Result<Cleaner> {
    Ok(settings(a, input_on_stdin)?.build()?)
}

/// The classifier's settings of the flags, with the rule and model files
/// read; `--rules -` from standard input, unless `input_on_stdin` (the
/// inputs are read from there).
fn settings(a: &ClassifierArgs, input_on_stdin: bool) -> Result<Settings> {
    let mut s = Settings {
        threshold: a.threshold,
        sandwich_words: a.sandwich_words,
        template_docs: a.template_docs,
        soft_lexicon: a.soft_lexicon,
        settle: a.settle,
        headline: !a.no_headline,
        ..Settings::default()
    };
    // `-` names standard input, which can be read once, and not when it
    // carries the inputs.
    let mut stdin_read = false;
    let mut from_stdin = |flag: &str, what: &str| -> Result<Vec<u8>> {
        if input_on_stdin {
            bail!(
                "{flag} - reads standard input, which carries the input too (given as -, \
                 or by default when no input is named): name the {what} or the inputs"
            );
        }
        if std::mem::replace(&mut stdin_read, true) {
            bail!("standard input (-) can be read only once");
        }
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
        Ok(bytes)
    };
    for path in &a.rules {
        if path.as_os_str() == "-" {
            s.add_rules("<stdin>", from_stdin("--rules", "rule file")?)?;
        } else {
            s.read_rules(path)?;
        }
    }
    if let Some(path) = &a.line_model {
        if path.as_os_str() == "-" {
            s.add_line_model("<stdin>", from_stdin("--line-model", "line model")?)?;
        } else {
            s.read_line_model(path)?;
        }
    }
    Ok(s)
}
