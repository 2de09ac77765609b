//! The library's error type: every variant names the file, line or offset it
//! is about where there is one.

use std::io;
use std::path::PathBuf;

/// What can go wrong in the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error with no more specific place.
    #[error(transparent)]
    Io(#[from] io::Error),
    /// Writing the output stream (`clean`'s standard output) failed: a full
    /// disk, a closed reader (`| head`: see
    /// [`crate::pipeline::is_broken_pipe`]).
    #[error("cannot write the output stream: {0}")]
    Output(#[source] io::Error),
    /// An I/O error on a named file.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A settings file (rule file, line model) that cannot be read.
    #[error("cannot read the {what} {path}: {source}")]
    Read {
        /// What the file is, as messages name it (`rule file`, `line model`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A malformed input record (JSONL line, WET record, ...).
    #[error("{path}:{line}: {message}")]
    Record {
        /// The file.
        path: PathBuf,
        /// 1-based line number (JSONL) or record number (WET).
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A rule file that does not parse.
    #[error("{source_name}:{line}: {message}")]
    Rules {
        /// The rule file's name (a path, or `built-in/<file>`).
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A model (statistics) file that cannot be used.
    #[error("model: {0}")]
    Model(String),
    /// An invalid setting.
    #[error("setting {name}: {message}")]
    Setting {
        /// The setting's name.
        name: &'static str,
        /// What is wrong with its value.
        message: String,
    },
}
