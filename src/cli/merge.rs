//! `boilerstrip merge`: adds model files (whole or partitions) and writes
//! the sum, whole or split into fingerprint ranges.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use boilerstrip::pipeline;
use boilerstrip::report::{plural, thousands};
use boilerstrip::stats::{LineStats, Merger, Partition, MAX_PARTITIONS};

use super::args::MergeArgs;
use super::config::{check_partition_base, distinct_model_files, read_model_file};

/// Runs `merge`: every input is read and checked before anything is written.
pub fn run(a: &MergeArgs) -> Result<ExitCode> {
    let mut merger = Merger::new();
    let mut files = 0usize;
    let output = std::fs::canonicalize(&a.output).ok();
    for path in distinct_model_files(&a.files)? {
        if output.is_some() && std::fs::canonicalize(&path).ok() == output {
            bail!("the output {} is one of the inputs", a.output.display());
        }
        let file = read_model_file(&path)?;
        merger
            .add(file)
            .with_context(|| format!("cannot merge the model file {}", path.display()))?;
        files += 1;
    }
    let sum = merger.finish().context("cannot merge the model files")?;
    let parts: Vec<Partition> = match a.partitions.map(|n| n.get()) {
        None => vec![sum.partition],
        Some(n) if n == sum.partition.count => vec![sum.partition],
        Some(n) if n > MAX_PARTITIONS => bail!("--partitions {n}: at most {MAX_PARTITIONS}"),
        Some(n) if sum.partition != Partition::WHOLE => bail!(
            "--partitions {n}: the inputs are partition {} of {}, which cannot be split again \
             into {n}; merge all partitions first",
            sum.partition.index,
            sum.partition.count
        ),
        Some(n) if n > 1 && sum.stats.sketch_shape().is_some() => {
            bail!("--partitions {n}: a count-min sketch cannot be split by fingerprint range")
        }
        Some(n) => Partition::all(n).collect(),
    };
    if let Some(&first) = parts.first() {
        check_partition_base(&a.output, first)?;
    }
    let written = write_model(&sum.stats, &a.output, &parts)?;
    if !a.quiet {
        say!(
            "boilerstrip: merged {} ({}): {} into {}",
            plural(files as u64, "file"),
            plural(sum.stats.documents(), "document"),
            describe(&sum.stats),
            names(&written)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes `stats` as the partitions `parts` of the model `base`, each file
/// atomically; returns the paths.
pub fn write_model(stats: &LineStats, base: &Path, parts: &[Partition]) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for &p in parts {
        let path = p.path(base);
        pipeline::write_atomically(&path, |w| stats.write_partition(p, w))
            .context("cannot write the model")?;
        paths.push(path);
    }
    Ok(paths)
}

/// What a table holds, for the summary line.
pub fn describe(stats: &LineStats) -> String {
    let mib = stats.memory_bytes() as f64 / (1 << 20) as f64;
    match stats.sketch_shape() {
        Some(s) => format!(
            "{} from lines in a {} × {} count-min sketch ({mib:.1} MiB in memory; \
             over-count at most {:.1} with probability {:.4})",
            plural(stats.sites() as u64, "site"),
            s.depth,
            thousands(s.width()),
            stats.overcount_bound(),
            1.0 - s.delta()
        ),
        None => {
            let lines = stats.distinct_lines();
            // A table of no line has no cost a line (its memory, the
            // table's own, was given as that of one).
            let per_line = match lines {
                0 => String::new(),
                n => format!(
                    ", {:.1} bytes a line",
                    stats.memory_bytes() as f64 / n as f64
                ),
            };
            format!(
                "{} from {} ({mib:.1} MiB in memory{per_line})",
                plural(lines as u64, "distinct line"),
                plural(stats.sites() as u64, "site"),
            )
        }
    }
}

/// The written files, for the summary line.
pub fn names(paths: &[PathBuf]) -> String {
    match paths {
        [one] => one.display().to_string(),
        [first, .., last] => format!(
            "{} files, {} ... {}",
            paths.len(),
            first.display(),
            last.display()
        ),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_has_no_cost_a_line() {
        let empty = describe(&LineStats::new());
        assert!(
            empty.starts_with("0 distinct lines from 0 sites ("),
            "{empty}"
        );
        assert!(!empty.contains("a line"), "{empty}");
        let mut one = LineStats::new();
        let cleaner = boilerstrip::Cleaner::new();
        cleaner.observe(&boilerstrip::Document::new(b"Hello there"), &mut one);
        let one = describe(&one);
        assert!(
            one.contains("1 distinct line from") && one.contains("bytes a line)"),
            "{one}"
        );
    }
}
