//! Where outputs go: the checks, before any work, that an output directory
//! overwrites no input and holds no two outputs at one place; what an
//! interrupted run left (temporary files, finished outputs for `--resume`).

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::atomic;
use crate::error::Error;
use crate::input::{Discovery, Input, Source};

/// Checks, before any work, that writing the outputs of `d` under `dir` is
/// safe: `dir` is not an existing non-directory, not an input directory or
/// inside one, no output would overwrite an input, and no two inputs would
/// be written to the same place.
pub fn check_output_dir(dir: &Path, d: &Discovery) -> Result<(), Error> {
    check_output(dir, d, false)
}

/// Like [`check_output_dir`], but `dir` may be inside an input directory:
/// then the inputs found under `dir` (outputs of an earlier run) are taken
/// out of `d`, so that no output is ever read as an input. Returns how many
/// were taken out.
pub fn exclude_output_dir(dir: &Path, d: &mut Discovery) -> Result<usize, Error> {
    let out = resolve(dir)?;
    let before = d.inputs.len();
    let mut folders = HashMap::new();
    d.inputs.retain(|input| match &input.source {
        Source::File(p) | Source::Stream(p) => {
            !resolve_in(p, input.not_a_link, &mut folders).is_ok_and(|p| p.starts_with(&out))
        }
        Source::Stdin => true,
    });
    check_output(dir, d, true)?;
    Ok(before - d.inputs.len())
}

fn check_output(dir: &Path, d: &Discovery, inside_allowed: bool) -> Result<(), Error> {
    let bad = |message: String| Error::Setting {
        name: "output",
        message,
    };
    if dir.exists() && !dir.is_dir() {
        return Err(bad(format!(
            "{} exists and is not a directory",
            dir.display()
        )));
    }
    let out = resolve(dir)?;
    for root in d.roots.iter().filter(|_| !inside_allowed) {
        let root_abs = resolve(root)?;
        if out.starts_with(&root_abs) {
            return Err(bad(format!(
                "the output directory {} is inside the input directory {}; \
                 choose a directory outside the inputs, or allow it with --allow-output-in-input",
                dir.display(),
                root.display()
            )));
        }
    }
    if !inside_allowed {
        if let Some((folder, real)) = linked_folder_holding(&out, d) {
            return Err(bad(format!(
                "the output directory {} is inside {}, which the input folder {} is a \
                 symbolic link to; choose a directory outside the inputs, or allow it with \
                 --allow-output-in-input",
                dir.display(),
                real.display(),
                folder.display()
            )));
        }
    }
    // Outputs by their path under `out` (relative paths that are equal
    // are so joined to `out` too).
    let mut targets: HashMap<&Path, &Path> = HashMap::with_capacity(d.inputs.len());
    let mut folders = HashMap::new();
    let mut last = None;
    for input in &d.inputs {
        if let Source::File(p) | Source::Stream(p) = &input.source {
            if is_own_output(p, input, &out, &mut folders, &mut last) {
                return Err(bad(format!(
                    "writing to {} would overwrite the input {}",
                    dir.display(),
                    p.display()
                )));
            }
        }
        if let Some(other) = targets.insert(&input.relative, input.display_path()) {
            return Err(bad(format!(
                "inputs {} and {} would both be written to {}",
                other.display(),
                input.display_path().display(),
                out.join(&input.relative).display()
            )));
        }
    }
    Ok(())
}

/// A folder that a walk of an input directory reached through a symbolic
/// link and that holds `out` (resolved), with what it resolves to: an output
/// directory there is inside an input directory as surely as one under the
/// directory given, and a second run would read the first one's outputs
/// back as inputs. Only the folders between a walked file and its input
/// directory are looked at (a file given by name has none), each once, with
/// one `lstat`; only a symbolic link is resolved (a folder that is not one
/// resolves inside its parent, which is checked too).
fn linked_folder_holding(out: &Path, d: &Discovery) -> Option<(PathBuf, PathBuf)> {
    let mut seen = std::collections::HashSet::new();
    for input in &d.inputs {
        let Source::File(p) = &input.source else {
            continue;
        };
        let depth = input.relative.components().count().saturating_sub(1);
        for folder in p.ancestors().skip(1).take(depth) {
            // The folders above one seen were seen with it.
            if !seen.insert(folder) {
                break;
            }
            if !folder.is_symlink() {
                continue;
            }
            if let Ok(real) = resolve(folder) {
                if out.starts_with(&real) {
                    return Some((folder.to_path_buf(), real));
                }
            }
        }
    }
    None
}

/// Whether the input file `p` is its own output, `out` joined with its
/// relative path. A file that a walk found (not a symbolic link) is its
/// folder, resolved, joined with its name ([`resolve_in`]), and so is its
/// own output exactly when its folder resolves to its output's folder: that
/// is found once for a run of files with the same folder and the same
/// relative folder (`last`), where resolving and comparing each file's
/// whole path was 1 % of the instructions of cleaning a folder of 2,789
/// small files (callgrind).
fn is_own_output<'a>(
    p: &'a Path,
    input: &'a Input,
    out: &Path,
    folders: &mut HashMap<PathBuf, PathBuf>,
    last: &mut Option<(&'a Path, &'a Path, bool)>,
) -> bool {
    // A pipe given by name (`/dev/fd/63`) may not resolve to a path; then
    // it cannot be overwritten either.
    let whole = |folders: &mut HashMap<PathBuf, PathBuf>| {
        resolve_in(p, input.not_a_link, folders).is_ok_and(|p| p == out.join(&input.relative))
    };
    let (Some(dir), Some(rel_dir), true) = (p.parent(), input.relative.parent(), input.not_a_link)
    else {
        return whole(folders);
    };
    match (name_in(p, dir), name_in(&input.relative, rel_dir)) {
        (Some(a), Some(b)) if a == b && !dir.as_os_str().is_empty() => {}
        _ => return whole(folders),
    }
    if let Some((d, r, own)) = *last {
        if d.as_os_str() == dir.as_os_str() && r.as_os_str() == rel_dir.as_os_str() {
            return own;
        }
    }
    let own = whole(folders);
    *last = Some((dir, rel_dir, own));
    own
}

/// The bytes of `path` after its parent `dir`, if they are one plain name
/// (not `.` or `..`).
fn name_in<'p>(path: &'p Path, dir: &Path) -> Option<&'p [u8]> {
    let bytes = path.as_os_str().as_encoded_bytes();
    let sep = |b: &u8| std::path::is_separator(char::from(*b));
    let tail = bytes.get(dir.as_os_str().len()..)?;
    let start = tail.iter().position(|b| !sep(b))?;
    let name = &tail[start..];
    (!name.iter().any(sep) && name != b"." && name != b"..").then_some(name)
}

/// [`resolve`] for the many files of a few folders: a file that exists and
/// is not a symbolic link resolves to its folder, resolved once and kept in
/// `folders`, joined with its name. Resolving each file on its own cost a
/// `readlink` per component of its path (seven a file in the benchmark
/// tree). `not_a_link` says that the walk that found `path` saw it is not a
/// symbolic link ([`Input::not_a_link`]); otherwise it is looked at, a
/// `statx` a file.
fn resolve_in(
    path: &Path,
    not_a_link: bool,
    folders: &mut HashMap<PathBuf, PathBuf>,
) -> Result<PathBuf, Error> {
    let (Some(dir), Some(Component::Normal(name))) = (path.parent(), path.components().next_back())
    else {
        return resolve(path);
    };
    let plain = || not_a_link || fs::symlink_metadata(path).is_ok_and(|m| !m.is_symlink());
    if dir.as_os_str().is_empty() || !plain() {
        return resolve(path);
    }
    if let Some(d) = folders.get(dir) {
        return Ok(d.join(name));
    }
    let d = resolve(dir)?;
    let out = d.join(name);
    folders.insert(dir.to_path_buf(), d);
    Ok(out)
}

/// `path` made absolute, with symbolic links resolved as far as it exists
/// and `.` and `..` removed from the rest.
fn resolve(path: &Path) -> Result<PathBuf, Error> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    let mut existing = abs.as_path();
    let mut tail = Vec::new();
    while fs::symlink_metadata(existing).is_err() {
        match (existing.parent(), existing.file_name()) {
            (Some(p), Some(n)) => {
                tail.push(n.to_os_string());
                existing = p;
            }
            (Some(p), None) => {
                // `..` or `.` at the end of a missing path.
                tail.push(
                    existing
                        .components()
                        .next_back()
                        .unwrap()
                        .as_os_str()
                        .into(),
                );
                existing = p;
            }
            _ => break,
        }
    }
    let mut out = fs::canonicalize(existing).map_err(|source| Error::File {
        path: existing.to_path_buf(),
        source,
    })?;
    for part in tail.iter().rev() {
        match Path::new(part).components().next() {
            Some(Component::ParentDir) => {
                out.pop();
            }
            Some(Component::CurDir) | None => {}
            _ => out.push(part),
        }
    }
    Ok(out)
}

/// Removes the temporary files that an interrupted run left beside the
/// outputs of `inputs` under `dir` (only those named after one of the
/// outputs); returns how many.
pub(super) fn remove_stale_temps(dir: &Path, inputs: &[Input]) -> usize {
    let targets: std::collections::HashSet<PathBuf> =
        inputs.iter().map(|i| dir.join(&i.relative)).collect();
    let folders: std::collections::BTreeSet<&Path> =
        targets.iter().filter_map(|t| t.parent()).collect();
    // A temporary file names its target by the target's stem (the name, or
    // for a long one a prefix and a hash).
    let stems: std::collections::HashSet<PathBuf> = targets
        .iter()
        .filter_map(|t| Some(t.with_file_name(atomic::temp_stem(t.file_name()?))))
        .collect();
    let mut removed = 0;
    for folder in folders {
        let Ok(entries) = fs::read_dir(folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(stem) = atomic::temp_stem_of(&name) else {
                continue;
            };
            if stems.contains(&folder.join(stem)) && fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}

/// What `--resume` takes as done: for each input, whether its output
/// under `dir` is the finished output of an earlier run.
pub(super) struct Finished {
    /// By input index.
    pub done: Vec<bool>,
    /// An input that changed after outputs were written, when that made
    /// every output stale (then `done` is all false).
    pub changed: Option<PathBuf>,
}

/// The outputs under `dir` that an earlier run of the same inputs finished.
/// An input's output is done when it is a regular file (what a run writes)
/// at least as new as the input's last change ([`changed_at`]); outputs
/// appear under their names only when complete. With `shared_statistics`
/// (the statistics are learned from the inputs), every output depends on
/// every input: if an input changed after any output kept as done was
/// written, or cannot be dated (standard input, a named pipe), those
/// outputs were cleaned with other statistics than this run's, and none is
/// done.
pub(super) fn finished_outputs(dir: &Path, inputs: &[Input], shared_statistics: bool) -> Finished {
    let changed: Vec<Option<SystemTime>> = inputs
        .iter()
        .map(|i| match &i.source {
            Source::File(p) => changed_at(p),
            Source::Stream(_) | Source::Stdin => None,
        })
        .collect();
    let written = |i: usize| {
        let target = dir.join(&inputs[i].relative);
        fs::symlink_metadata(target)
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
    };
    let mut oldest: Option<SystemTime> = None;
    let done: Vec<bool> = (0..inputs.len())
        .map(|i| match (written(i), changed[i]) {
            (Some(out), Some(input)) if out >= input => {
                oldest = Some(oldest.map_or(out, |o| o.min(out)));
                true
            }
            _ => false,
        })
        .collect();
    let (Some(oldest), true) = (oldest, shared_statistics) else {
        return Finished {
            done,
            changed: None,
        };
    };
    let stale = changed.iter().position(|t| t.map_or(true, |t| t > oldest));
    match stale {
        Some(i) => Finished {
            done: vec![false; inputs.len()],
            changed: Some(inputs[i].display_path().to_path_buf()),
        },
        None => Finished {
            done,
            changed: None,
        },
    }
}

/// When the file at `path` last changed: the later of its modification time
/// and, on Unix, its status-change time, which no program sets (a file
/// copied with its old times kept, by `cp -p`, `rsync -a` or `tar x`, still
/// has a new one), and for a symbolic link the same of the link itself
/// (pointing it at another file makes the input another file). `None` when
/// the file cannot be looked at.
fn changed_at(path: &Path) -> Option<SystemTime> {
    let times = |m: &fs::Metadata| {
        let modified = m.modified().ok()?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let status = u64::try_from(m.ctime()).map_or(SystemTime::UNIX_EPOCH, |s| {
                SystemTime::UNIX_EPOCH
                    + Duration::new(s, m.ctime_nsec().clamp(0, 999_999_999) as u32)
            });
            Some(modified.max(status))
        }
        #[cfg(not(unix))]
        Some(modified)
    };
    let own = fs::symlink_metadata(path).ok()?;
    let own_time = times(&own)?;
    if !own.file_type().is_symlink() {
        return Some(own_time);
    }
    Some(own_time.max(times(&fs::metadata(path).ok()?)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_files_of_long_and_short_names_left_behind_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let long = format!("{}.txt", "x".repeat(251));
        for name in ["a.txt", long.as_str()] {
            fs::create_dir_all(d.join("in/s")).unwrap();
            fs::write(d.join("in/s").join(name), "text\n").unwrap();
        }
        let found = crate::input::discover(&[d.join("in")], None);
        assert_eq!(found.inputs.len(), 2);
        let out = d.join("out");
        fs::create_dir_all(out.join("s")).unwrap();
        for name in ["a.txt", long.as_str(), "other.txt"] {
            let temp = atomic::temp_name(&out.join("s").join(name), name.as_ref());
            fs::write(temp, "partial").unwrap();
        }
        assert_eq!(remove_stale_temps(&out, &found.inputs), 2);
        // Only the temporary file of an output that is not this run's is left.
        let left: Vec<_> = fs::read_dir(out.join("s")).unwrap().collect();
        assert_eq!(left.len(), 1);
    }

    #[test]
    fn resolve_handles_missing_tails() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        assert_eq!(
            resolve(&dir.path().join("a/b/../c")).unwrap(),
            base.join("a/c")
        );
        assert_eq!(resolve(&dir.path().join("a/./")).unwrap(), base.join("a"));
        assert_eq!(resolve(dir.path()).unwrap(), base);
    }

    #[test]
    fn resolving_by_folder_equals_resolving_each_path() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("real/sub")).unwrap();
        fs::write(d.join("real/a.txt"), "a").unwrap();
        fs::write(d.join("real/sub/b.txt"), "b").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(d.join("real/sub/b.txt"), d.join("real/link.txt")).unwrap();
            std::os::unix::fs::symlink(d.join("real"), d.join("alias")).unwrap();
        }
        let mut folders = HashMap::new();
        for p in [
            "real/a.txt",
            "real/link.txt",
            "real/missing.txt",
            "real/sub/../a.txt",
            "real/sub/b.txt",
            "real/./sub/b.txt",
            "alias/a.txt",
            "alias/sub/b.txt",
            "real/a.txt",
            "real",
        ] {
            let p = d.join(p);
            assert_eq!(
                resolve_in(&p, false, &mut folders).unwrap(),
                resolve(&p).unwrap(),
                "{}",
                p.display()
            );
        }
        assert!(!folders.is_empty());
        // What a walk finds, it finds as it is: the inputs of a directory
        // that are not links resolve alike without a look at each.
        let found = crate::input::discover(&[d.join("alias")], None);
        assert_eq!(found.inputs.len(), 3);
        for input in &found.inputs {
            let Source::File(p) = &input.source else {
                panic!("a file")
            };
            assert_eq!(input.not_a_link, !p.ends_with("link.txt"));
            assert_eq!(
                resolve_in(p, input.not_a_link, &mut folders).unwrap(),
                resolve(p).unwrap(),
                "{}",
                p.display()
            );
        }
    }
}
