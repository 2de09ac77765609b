//! The command line as clap sees it: raw flags, no I/O. `config.rs` checks
//! them and builds the library objects.

use std::num::{NonZeroU32, NonZeroUsize};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  Clean a folder of dumps into a mirror of it (same names, formats, compression):
    boilerstrip clean dumps/ -o clean/
  Clean one compressed JSONL shard:
    boilerstrip clean shard-00.jsonl.gz -o clean/
  Clean a stream (standard input is text unless --format says otherwise):
    zcat x.jsonl.gz | boilerstrip clean --format jsonl - > y.jsonl
  See why each line was kept or dropped:
    boilerstrip clean page.txt --explain
  Learn line statistics from a large corpus once, then clean new pages with them:
    boilerstrip learn dumps/ -o site.model
    boilerstrip clean --model site.model new-page.txt
  Learn shard by shard (on any machines), add the parts, clean with the sum:
    boilerstrip learn shard-07/ -o part-07.model
    boilerstrip merge part-*.model -o all.model
    boilerstrip clean --model all.model shard-07/ -o clean-07/

Exit status:
  0  every input was read and cleaned
  1  some inputs or records were bad (each was reported on stderr; the others were done)
  2  usage error (bad flag, missing input, bad rules or model file, output inside
     an input), or nothing could be done
  A closed standard output (as with `| head`) ends the run quietly with status 0.";

/// Strips web boilerplate (share buttons, related-story teasers, paywall and
/// donation appeals, newsletter widgets, cookie notices, wiki chrome) from
/// scraped text and keeps the article.
#[derive(Debug, Parser)]
#[command(name = "boilerstrip", version, after_help = EXAMPLES)]
pub struct Args {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Clean documents: learn line statistics from the inputs (pass 1), then
    /// write each input with its boilerplate lines removed (pass 2).
    #[command(after_help = EXAMPLES)]
    Clean(CleanArgs),
    /// Learn line statistics from the inputs (pass 1 only) and save them as a
    /// model file for `clean --model`.
    #[command(after_help = EXAMPLES)]
    Learn(LearnArgs),
    /// Add model files written by `learn` (or by `merge`) into one. The order
    /// and grouping of the files do not change the result, byte for byte.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge(MergeArgs),
    /// Score text against human-made gold: word bag-of-words and 4-gram
    /// shingle precision, recall and F1 per page and macro-averaged, or
    /// (--analyze) the lines the cleaner gets wrong, by cause and by place.
    #[command(after_help = EVAL_EXAMPLES)]
    Eval(EvalArgs),
    /// Train the line model on pages with gold text (JSONL with text and
    /// gold fields; each file is its own corpus) and write it for
    /// `clean --line-model`.
    #[command(after_help = TRAIN_EXAMPLES)]
    Train(TrainArgs),
}

const EVAL_EXAMPLES: &str = "\
Examples:
  Score cleaned JSONL (text field) against its gold field:
    boilerstrip clean pages.jsonl.gz -o out/ && boilerstrip eval out/pages.jsonl.gz
  Score a folder of cleaned text files against a folder of gold files:
    boilerstrip eval out/ --gold-dir gold/
  Show the lines the cleaner gets most often wrong on annotated pages:
    boilerstrip eval --analyze pages.jsonl.gz --top 30

Scores: tokens are lower-cased \\w+ runs, counted with multiplicity; P = shared/output,
R = shared/gold; averages are over pages whose gold is not empty. A record that cannot be read
(malformed JSON, a text or gold field missing) is an error naming its file and line (exit
status 2): a score is over every page or none.";

const MERGE_EXAMPLES: &str = "\
Examples:
  Add the models of all shards:
    boilerstrip merge part-*.model -o all.model
  The same in 4 fingerprint ranges, each merged on its own machine:
    boilerstrip learn shard-07/ -o part-07.model --partitions 4    # part-07.0-of-4.model ...
    boilerstrip merge part-*.2-of-4.model -o all.model             # on machine 2: all.2-of-4.model
    boilerstrip clean --model all.model shard-07/ -o clean-07/     # all.*-of-4.model

Files of one partition are added; the partitions of one split are joined into the whole
model (all of them must be there). A bad, truncated or foreign file is refused, with its
name, before anything is written (exit status 2).";

const TRAIN_EXAMPLES: &str = "\
Examples:
  Train on two annotated corpora and use the model:
    boilerstrip train news.jsonl.gz blogs.jsonl.gz -o my-model.txt
    boilerstrip clean --line-model my-model.txt dumps/ -o clean/

A record that cannot be read (malformed JSON, a text or gold field missing) is an error naming
its file and line (exit status 2), before anything is trained or written. So are pages without
a line labelled content, or without one labelled boilerplate: a model needs both.";

/// Flags of `eval`.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// A JSONL file (plain, .gz or .zst; - for standard input) with the
    /// text and gold fields, or with --gold-dir a directory of text files.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,

    /// Pair the text files under PATH with the gold files under DIR by
    /// relative path. A gold file without a text file is scored as a page
    /// whose text is empty; a text file without gold is listed, not scored.
    #[arg(long, value_name = "DIR", conflicts_with = "analyze")]
    pub gold_dir: Option<PathBuf>,

    /// The JSONL field with the text to score.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,

    /// The JSONL field with the gold text.
    #[arg(long, value_name = "NAME", default_value = "gold")]
    pub gold_field: String,

    /// The JSONL field that names a page in reports.
    #[arg(long, value_name = "NAME", default_value = "id")]
    pub id_field: String,

    /// The JSONL field with a page's site: for --analyze's statistics, and for the
    /// figures by site size (pages alone on their site are cleaned without site statistics).
    /// Read as `clean --group-field` reads it (a URL stands for its host; trimmed and
    /// lower-cased). Default: as `clean` by default, `domain` if a record has it, else the
    /// host of `url`.
    #[arg(long, value_name = "NAME")]
    pub site_field: Option<String>,

    /// Write the report as JSON.
    #[arg(long)]
    pub json: bool,

    /// Include a row per page.
    #[arg(long, conflicts_with = "analyze")]
    pub pages: bool,

    /// Clean the (uncleaned) pages of PATH in memory, label their lines from
    /// the gold, and list the lines most often wrongly kept and wrongly
    /// dropped, with the cause the cleaner gave. Also counts the errors by
    /// cause, and by place (before, inside or after the gold's content
    /// lines) and length, with the macro F1 each class would add if it
    /// were decided right: the largest class is the one to work on.
    #[arg(long)]
    pub analyze: bool,

    /// With --analyze: how many lines to list of each kind.
    #[arg(long, value_name = "N", default_value_t = 20, requires = "analyze")]
    pub top: usize,

    /// With --analyze: the cleaner's flags, as `clean` takes them. Without
    /// it, eval scores the text as it is, and they are refused.
    #[command(flatten)]
    pub classifier: ClassifierArgs,
}

/// Flags that shape the classifier, shared by `clean` and `eval --analyze`.
#[derive(Debug, clap::Args)]
pub struct ClassifierArgs {
    /// A rule file of boilerplate phrases to add to the built-in lexicon
    /// (repeatable; - for standard input, when the inputs are named).
    /// Format: one phrase a line; `= phrase` matches the whole
    /// line, `^ phrase` its start, a bare phrase a short line containing it,
    /// `~ phrase` a line containing it next to a line the same category
    /// dropped, `! phrase` protects lines containing it; `@category NAME`
    /// names the category; `#` at the start of a line starts a comment (a
    /// mark may follow indentation). A user phrase drops the lines it
    /// matches whatever the model says.
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Use a line model written by `boilerstrip train` instead of the
    /// built-in one (- for standard input, when the inputs are named).
    #[arg(long, value_name = "FILE")]
    pub line_model: Option<PathBuf>,

    /// Keep a line when the model's probability that it is content is at
    /// least P (0 to 1). Lower keeps more text, higher drops more
    /// boilerplate, up to about 0.9 (past it, a page whose prose would all
    /// go gets it back). Lexicon matches drop their lines whatever the
    /// score. Default: the model's threshold.
    #[arg(long, value_name = "P")]
    pub threshold: Option<f32>,

    /// Drop a line of at most N words when the lines on both sides of it are
    /// dropped (0: never).
    #[arg(long, value_name = "N", default_value_t = boilerstrip::cleaner::SANDWICH_MAX_WORDS)]
    pub sandwich_words: u32,

    /// Drop a line of ten words or more found in at least N documents of its
    /// site, as part of the site's template (0: never).
    #[arg(long, value_name = "N", default_value_t = boilerstrip::cleaner::SITE_TEMPLATE_MIN_DOCS)]
    pub template_docs: u32,

    /// Let lexicon matches only weigh in the model instead of dropping the
    /// line outright (user rules still drop).
    #[arg(long)]
    pub soft_lexicon: bool,

    /// Classify each document again, as the text of its kept lines, until no
    /// more lines go: cleaning the output again with the same statistics
    /// (`--model`) then changes nothing. Slower, and drops more short lines
    /// of the article (about 0.01 word F1 on the benchmark sets).
    #[arg(long)]
    pub settle: bool,

    /// Turn the headline rule off. By default the line just above the
    /// article that repeats part of the page's first line (the title, where
    /// scrapers put it) is kept as the article's headline, and the title
    /// line goes if the headline is kept; with this flag the model decides
    /// both lines as it decides any other (it drops most headlines).
    #[arg(long)]
    pub no_headline: bool,
}

impl ClassifierArgs {
    /// The flags given with a value other than their default, by name.
    pub fn given(&self) -> Vec<&'static str> {
        let mut given = Vec::new();
        let mut note = |set: bool, name| {
            if set {
                given.push(name);
            }
        };
        note(!self.rules.is_empty(), "--rules");
        note(self.line_model.is_some(), "--line-model");
        note(self.threshold.is_some(), "--threshold");
        note(
            self.sandwich_words != boilerstrip::cleaner::SANDWICH_MAX_WORDS,
            "--sandwich-words",
        );
        note(
            self.template_docs != boilerstrip::cleaner::SITE_TEMPLATE_MIN_DOCS,
            "--template-docs",
        );
        note(self.soft_lexicon, "--soft-lexicon");
        note(self.settle, "--settle");
        note(self.no_headline, "--no-headline");
        given
    }
}

/// Flags of `train`.
#[derive(Debug, clap::Args)]
pub struct TrainArgs {
    /// JSONL files (plain, .gz or .zst) of pages with text and gold; each
    /// file is one corpus for the line statistics.
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,

    /// The model file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: PathBuf,

    /// The JSONL field with the page text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,

    /// The JSONL field with the gold text.
    #[arg(long, value_name = "NAME", default_value = "gold")]
    pub gold_field: String,

    /// The JSONL field with a page's site, read as `clean --group-field` reads it.
    /// Default: as `clean` by default, `domain` if a record has it, else the host of `url`.
    #[arg(long, value_name = "NAME")]
    pub site_field: Option<String>,
}

/// Input formats, as `--format` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// Plain text, one document a file.
    Text,
    /// JSON Lines, one document a line (text in --text-field).
    Jsonl,
    /// Common Crawl WET (WARC), one document a conversion record.
    Wet,
}

/// Flags about reading the inputs, shared by the subcommands.
#[derive(Debug, clap::Args)]
pub struct InputArgs {
    /// Files and directories to read (directories recursively, in file-name
    /// order), or - for standard input. Compression (gzip, zstd) is detected
    /// from the content. Default: standard input, if it is not a terminal.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,

    /// The format of every input. Default: from each file name under any
    /// .gz/.zst suffix: .jsonl/.ndjson/.json are JSONL, .wet (.warc.wet) is
    /// WET, anything else (and standard input) is text.
    #[arg(long, value_enum, value_name = "F")]
    pub format: Option<FormatArg>,

    /// The JSONL field that holds a document's text. Records without it are
    /// passed through unchanged by `clean`, and not counted by `learn`.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,

    /// The JSONL field that names a document's site, for per-site line
    /// statistics (a URL stands for its host). Default: `domain` if a record
    /// has it, else the host of `url`. Text files: the folder's name; WET: the
    /// host of WARC-Target-URI.
    #[arg(long, value_name = "NAME")]
    pub group_field: Option<String>,

    /// Worker threads. Default: the number of CPUs; at most four a CPU or
    /// 64, whichever is more. The output is the same for any number.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// No progress bar and no summary on stderr (errors are still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print run statistics on stderr at the end: inputs, documents, lines,
    /// bytes and speed, and for `clean` the lines dropped by reason and the
    /// most frequent dropped lines.
    #[arg(long)]
    pub stats: bool,

    /// Write run statistics as JSON to FILE (`-`: standard output, unless
    /// the cleaned text goes there).
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,

    /// Batch size in bytes (for tests; default 4 MiB). The output is the
    /// same for any size.
    #[arg(long, value_name = "BYTES", hide = true)]
    pub batch_bytes: Option<NonZeroUsize>,

    /// Longest record cleaned, in bytes (for tests; default 16 MiB).
    #[arg(long, value_name = "BYTES", hide = true)]
    pub max_record_bytes: Option<NonZeroUsize>,
}

/// Flags of `clean`.
#[derive(Debug, clap::Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write each input to DIR at its path relative to the directory it was
    /// found under (a file given by name: its file name), with the same
    /// format and compression (gzip at level 6 and zstd at level 3, their
    /// tools' defaults). DIR may not be inside an input directory
    /// (see --allow-output-in-input). Default: everything to standard
    /// output, in input order, uncompressed.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// Allow -o DIR inside an input directory. Files under DIR are then not
    /// inputs, so earlier outputs are never read as inputs. Default: refused.
    #[arg(long, requires = "output")]
    pub allow_output_in_input: bool,

    #[command(flatten)]
    pub classifier: ClassifierArgs,

    /// Use the line statistics in FILE (from `boilerstrip learn` or `merge`)
    /// instead of learning them from the inputs. A model written in
    /// partitions is found by the name it was written under (FILE.0-of-N...).
    /// Repeat to add several models. Default: learn from the inputs.
    #[arg(long, value_name = "FILE")]
    pub model: Vec<PathBuf>,

    #[command(flatten)]
    pub memory: MemoryArgs,

    /// With --model: add the inputs' own statistics to the model's.
    #[arg(long, requires = "model")]
    pub model_merge: bool,

    /// Instead of the cleaned text, write every line with its verdict
    /// (KEEP/DROP), score and reason, under a header per document.
    #[arg(long, conflicts_with = "output")]
    pub explain: bool,

    /// Leave out documents with no text left after cleaning (a JSONL line or
    /// WET record is removed; a text file gets no output file).
    #[arg(long)]
    pub drop_empty: bool,

    /// With -o: leave alone every output that already exists and is newer
    /// than its input, and write the rest (to finish an interrupted run;
    /// outputs appear under their names only when complete). Statistics
    /// are still learned from all inputs, so the result is that of an
    /// uninterrupted run; if an input changed after outputs were written,
    /// the statistics changed too, and every output is written again.
    #[arg(long, requires = "output")]
    pub resume: bool,
}

/// Flags of `learn`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The model file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: PathBuf,

    /// Write the model as N files, each holding one range of line
    /// fingerprints (FILE.0-of-N ... before FILE's extension), so that
    /// `merge` can add each range on a different machine.
    #[arg(long, value_name = "N", default_value = "1")]
    pub partitions: NonZeroU32,

    #[command(flatten)]
    pub memory: MemoryArgs,
}

/// The memory bound of pass 1, shared by `learn` and `clean`.
#[derive(Debug, clap::Args)]
pub struct MemoryArgs {
    /// Count lines in a count-min sketch of at most SIZE bytes (K, M, G:
    /// powers of 1024) instead of an exact table: memory stays fixed however
    /// many distinct lines there are, and counts may be over-estimated (never
    /// under-estimated; the bound is in DESIGN.md). Per-site document counts
    /// stay exact. Default: exact counts.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,
}

/// Parses a size such as `64M`, `1.5G`, `4096` (K, M, G, T are powers of
/// 1024; a trailing `B` or `iB` is allowed).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let t = t
        .strip_suffix("iB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(t);
    let (num, scale) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => {
            let scale = match c.to_ascii_uppercase() {
                'K' => 1u64 << 10,
                'M' => 1 << 20,
                'G' => 1 << 30,
                'T' => 1 << 40,
                _ => return Err(format!("unknown unit {c:?} in {s:?} (use K, M, G or T)")),
            };
            (&t[..i], scale)
        }
        _ => (t, 1),
    };
    let n: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a size (examples: 512M, 2G, 1048576)"))?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("{s:?} is not a positive size"));
    }
    Ok((n * scale as f64) as u64)
}

/// Flags of `merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Model files to add (from `learn` or `merge`, whole or partitions).
    #[arg(value_name = "FILES", required = true)]
    pub files: Vec<PathBuf>,

    /// The model file to write (for one partition of N, or with
    /// --partitions: FILE.I-of-N before FILE's extension).
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: PathBuf,

    /// Write the sum as N files, each holding one range of line
    /// fingerprints. Default: as the inputs are (whole, or the one
    /// partition they all are).
    #[arg(long, value_name = "N")]
    pub partitions: Option<NonZeroU32>,

    /// No summary on stderr (errors are still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Args::command().debug_assert();
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("64M"), Ok(64 << 20));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2KB"), Ok(2048));
        assert!(parse_size("12Q").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("-3M").is_err());
    }
}
