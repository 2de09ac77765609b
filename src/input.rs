//! Inputs: the first stage. Turns the paths given on the command line into a
//! deterministic list of [`Input`]s, each with its format and compression.
//!
//! A path is a file, a directory (walked recursively, following symbolic
//! links, every regular file included, hidden ones too, entries sorted by
//! file name at each level so the order never depends on the file system), or
//! `-` for standard input. Inputs come in the order of the paths given, each
//! directory's files in walk order.
//!
//! What cannot be used is reported, not fatal: inside a directory, a symbolic
//! link loop, an entry that cannot be read, or something that is not a
//! regular file (a named pipe, a socket, a device) is skipped and listed in
//! [`Discovery::problems`]. A path given explicitly that does not exist is in
//! [`Discovery::missing`], which a command line treats as a usage error. A
//! named pipe given explicitly (`<(zcat x.gz)`) is read once into memory as
//! it comes (compressed, if it is), like standard input, since cleaning reads
//! every input twice (not by a run of one pass: learning, or cleaning with a
//! given model).
//!
//! The format is found by the file name under the compression suffix
//! ([`Format::from_file_name`]), unless overridden. The compression is not
//! found here: each pass finds it by magic bytes ([`crate::compress`]) in
//! the first bytes it reads of the input, before decoding anything, and an
//! input that cannot be opened or read is reported then, by name, like one
//! that fails later. Discovery opens no file of a directory: opening each to
//! look at four bytes cost three system calls a file, a fifth of all that a
//! run over a tree of small files makes; the directory entries give each
//! file's type, and one `statx` its size.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::format::Format;

/// Where an input's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Standard input (`-`), read once.
    Stdin,
    /// A regular file, read once per pass.
    File(PathBuf),
    /// Something that can be read only once, like a named pipe given by name.
    Stream(PathBuf),
}

impl Source {
    /// Whether the input can be read only once (and so is held in memory,
    /// as read, between the two passes).
    pub fn is_stream(&self) -> bool {
        !matches!(self, Source::File(_))
    }
}

/// One input: a source, where its output goes, and how to read it.
#[derive(Clone, Debug)]
pub struct Input {
    /// Where the bytes come from.
    pub source: Source,
    /// The output's path under an output directory: the path relative to the
    /// directory the input was found under, or the file name of a file given
    /// by name.
    pub relative: PathBuf,
    /// The format.
    pub format: Format,
    /// The size on disk in bytes (0 for streams), for progress.
    pub size: u64,
    /// Whether the path is known not to be a symbolic link (a regular file
    /// found in a directory walk, by its directory entry's type), so that
    /// its real path is its folder's real path joined with its name.
    /// Otherwise (a file given by name) that takes a look at the file.
    pub not_a_link: bool,
    /// For text inputs, the site: the name of the folder the file is in
    /// (none for streams).
    pub site: Option<String>,
    /// The file's device and inode number, where discovery saw them (Unix):
    /// the same file reached twice, as a file and inside a folder given too
    /// or through a symbolic link, has one, and pass 1 counts it once.
    pub file_id: Option<(u64, u64)>,
}

impl Input {
    /// The path to name the input by in messages (`<stdin>` for `-`).
    pub fn display_path(&self) -> &Path {
        match &self.source {
            Source::Stdin => Path::new("<stdin>"),
            Source::File(p) | Source::Stream(p) => p,
        }
    }
}

/// What [`discover`] found.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The inputs, in order.
    pub inputs: Vec<Input>,
    /// Directories given as paths (as given), for checking that an output
    /// does not go inside one.
    pub roots: Vec<PathBuf>,
    /// Entries inside directories that were skipped, and why.
    pub problems: Vec<Error>,
    /// Paths given explicitly that could not be used (missing, unreadable).
    pub missing: Vec<Error>,
}

/// Finds the inputs that `paths` name. `format`, if given, overrides the
/// format of every input; otherwise it is found from each file's name
/// (standard input is text).
pub fn discover(paths: &[PathBuf], format: Option<Format>) -> Discovery {
    let mut d = Discovery::default();
    for path in paths {
        if path.as_os_str() == "-" {
            d.inputs.push(Input {
                source: Source::Stdin,
                relative: PathBuf::from("stdin"),
                format: format.unwrap_or(Format::Text),
                size: 0,
                not_a_link: false,
                site: None,
                file_id: None,
            });
            continue;
        }
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(source) => {
                d.missing.push(Error::File {
                    path: path.clone(),
                    source,
                });
                continue;
            }
        };
        if meta.is_dir() {
            d.roots.push(path.clone());
            walk(path, format, &mut d);
            continue;
        }
        let relative = PathBuf::from(path.file_name().unwrap_or(path.as_os_str()));
        if !meta.is_file() {
            d.inputs.push(Input {
                source: Source::Stream(path.clone()),
                format: format.unwrap_or_else(|| format_of(path)),
                size: 0,
                not_a_link: false,
                // `/dev/fd/63`'s folder says nothing about the documents.
                site: None,
                relative,
                file_id: None,
            });
            continue;
        }
        // A file given by name is opened once here, so that one that cannot
        // be read is a usage error before any work (a file of a directory
        // is reported when a pass reads it).
        match probe(path) {
            Ok(()) => d
                .inputs
                .push(file_input(path, relative, &meta, false, format)),
            Err(e) => d.missing.push(e),
        }
    }
    d
}

fn walk(root: &Path, format: Option<Format>, d: &mut Discovery) {
    // Sorted by file name, compared as whole paths: the entries of a
    // folder are its path joined with their names, so their paths compare
    // as their names do, with one `memcmp`, where taking each name out of
    // its path again for every comparison (`sort_by_file_name`) was 1 % of
    // the instructions of cleaning a folder of 2,789 small files.
    let walker = walkdir::WalkDir::new(root)
        .follow_links(true)
        .sort_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().unwrap_or(root).to_path_buf();
                let source = match e.loop_ancestor() {
                    Some(a) => io::Error::other(format!(
                        "symbolic link loop back to {} (skipped)",
                        a.display()
                    )),
                    None => match e.into_io_error() {
                        Some(io) => io,
                        None => io::Error::other("cannot be read (skipped)"),
                    },
                };
                d.problems.push(Error::File { path, source });
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        let path = entry.path();
        if !ft.is_file() {
            d.problems.push(Error::File {
                path: path.to_path_buf(),
                source: io::Error::other("not a regular file (skipped)"),
            });
            continue;
        }
        let relative = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        // The one `statx` a file (the entry's type came with the directory).
        let not_a_link = !entry.path_is_symlink();
        d.inputs.push(match entry.metadata() {
            Ok(meta) => file_input(path, relative, &meta, not_a_link, format),
            Err(_) => file_input_unseen(path, relative, not_a_link, format),
        });
    }
}

/// An input for the regular file `path`, whose metadata is `meta`.
fn file_input(
    path: &Path,
    relative: PathBuf,
    meta: &std::fs::Metadata,
    not_a_link: bool,
    format: Option<Format>,
) -> Input {
    Input {
        size: meta.len(),
        file_id: file_id(meta),
        ..file_input_unseen(path, relative, not_a_link, format)
    }
}

/// An input for the regular file `path`, whose metadata could not be read
/// (a pass reports why when it opens the file).
fn file_input_unseen(
    path: &Path,
    relative: PathBuf,
    not_a_link: bool,
    format: Option<Format>,
) -> Input {
    Input {
        source: Source::File(path.to_path_buf()),
        relative,
        format: format.unwrap_or_else(|| format_of(path)),
        size: 0,
        not_a_link,
        site: folder_name(path),
        file_id: None,
    }
}

/// The device and inode number of the file `meta` describes.
#[cfg(unix)]
fn file_id(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

/// Elsewhere, files are not told apart: each input counts.
#[cfg(not(unix))]
fn file_id(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// For each input, whether it is the same file as an earlier one
/// ([`Input::file_id`]), with the first such input and the one it repeats.
pub fn repeated_files(inputs: &[Input]) -> (Vec<bool>, Option<(usize, usize)>) {
    let mut seen = std::collections::HashMap::new();
    let mut first = None;
    let repeats = inputs
        .iter()
        .enumerate()
        .map(|(i, input)| match input.file_id {
            Some(id) => match seen.entry(id) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    first = first.or(Some((i, *e.get())));
                    true
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                    false
                }
            },
            None => false,
        })
        .collect();
    (repeats, first)
}

/// Whether the file `path` can be opened and read.
fn probe(path: &Path) -> Result<(), Error> {
    let mut byte = [0u8; 1];
    loop {
        let r = File::open(path).and_then(|mut f| f.read(&mut byte));
        match r {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => {
                return Err(Error::File {
                    path: path.to_path_buf(),
                    source,
                })
            }
            Ok(_) => return Ok(()),
        }
    }
}

fn format_of(path: &Path) -> Format {
    Format::from_file_name(&path.file_name().unwrap_or_default().to_string_lossy())
}

/// The name of the folder that `path` is in, resolving `.` and `..`.
fn folder_name(path: &Path) -> Option<String> {
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let named = parent
        .and_then(|p| p.file_name())
        .filter(|n| *n != "." && *n != "..");
    match named {
        Some(n) => Some(n.to_string_lossy().into_owned()),
        None => {
            let dir = match parent {
                Some(p) => p.canonicalize().ok()?,
                None => std::env::current_dir().ok()?,
            };
            dir.file_name().map(|n| n.to_string_lossy().into_owned())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names() {
        assert_eq!(folder_name(Path::new("a/b/c.txt")).as_deref(), Some("b"));
        let cwd = std::env::current_dir().unwrap();
        let name = cwd.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(folder_name(Path::new("c.txt")), Some(name.clone()));
        assert_eq!(folder_name(Path::new("./c.txt")), Some(name));
    }
}
