//! The command line as clap sees it: raw flags, no I/O. `config.rs` checks
//! them and builds the library objects.

use std::num::NonZeroUsize;
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
    // `eval` (scoring the cleaner against gold-labelled pages) belongs here.
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
    /// passed through unchanged.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,

    /// The JSONL field that names a document's site, for per-site line
    /// statistics (a URL stands for its host). Default: `domain` if a record
    /// has it, else the host of `url`. Text files: the folder's name; WET: the
    /// host of WARC-Target-URI.
    #[arg(long, value_name = "NAME")]
    pub group_field: Option<String>,

    /// Worker threads. Default: the number of CPUs. The output is the same
    /// for any number.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<NonZeroUsize>,

    /// No progress bar and no summary on stderr (errors are still reported).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// Print run statistics (lines dropped by reason, the most frequent
    /// dropped lines, speed) on stderr at the end.
    #[arg(long)]
    pub stats: bool,

    /// Write run statistics as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub stats_json: Option<PathBuf>,
}

/// Flags of `clean`.
#[derive(Debug, clap::Args)]
pub struct CleanArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write each input to DIR at its path relative to the directory it was
    /// found under (a file given by name: its file name), with the same
    /// format and compression. DIR may not be inside an input directory.
    /// Default: everything to standard output, in input order, uncompressed.
    #[arg(long, short = 'o', value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// A rule file of boilerplate phrases to add to the built-in lexicon
    /// (repeatable).
    #[arg(long, value_name = "FILE")]
    pub rules: Vec<PathBuf>,

    /// Use the line statistics in FILE (from `boilerstrip learn`) instead of
    /// learning them from the inputs. Default: learn from the inputs.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,

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
}

/// Flags of `learn`.
#[derive(Debug, clap::Args)]
pub struct LearnArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// The model file to write.
    #[arg(long, short = 'o', value_name = "FILE", required = true)]
    pub output: PathBuf,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Args::command().debug_assert();
    }
}
