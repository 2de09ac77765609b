//! Output files that appear whole or not at all.
//!
//! An output is written to a file in its target's folder that does not have
//! the target's name yet, and given the name only when it is complete: an
//! interrupted run never leaves a truncated output under a real name, so
//! `--resume` can take every output it finds as finished.
//!
//! On Linux the file is created without a name (`O_TMPFILE`) and linked
//! into place when complete (`linkat` of the descriptor, or through
//! `/proc/self/fd` where the kernel does not allow that). A crash
//! leaves nothing behind, and an output costs its folder one insertion. The
//! other way, a hidden temporary name renamed to the target, costs an
//! insertion, a rename's two lookups and a deletion. In a folder of a few
//! thousand files each of those is a walk over the folder's entries, and
//! the rename alone was 13 % of the CPU time of cleaning a tree of small
//! files (BENCHMARKS.md). The temporary name is the way where the unnamed
//! file is not available (other systems, file systems without
//! `O_TMPFILE`, no `/proc`), and for the last step where the target
//! already exists, since a link does not replace a file and a rename does.
//! Nothing is fsync'ed: this protects against interrupted runs, not power
//! loss.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::error::Error;

/// Writes a file through `AtomicFile` (see the module), so `path` is never left
/// half-written: `write` gets a buffered writer, and `path` appears, or is
/// replaced, only when it returns `Ok`.
///
/// A `path` that is a device, a named pipe or a socket (`/dev/null`,
/// `/dev/stdout` on a pipe, `>(gzip > x)`) is written into, as a shell's
/// `>` and `cp` write into it: replaced, it would become a regular file
/// where the device node or the pipe was (as root, `-o /dev/null` replaced
/// the system's `/dev/null`). A symbolic link to a file is followed: the
/// file it points to is replaced, the link left as it is (so
/// `/dev/stdout` redirected to a file writes that file, not a file in
/// `/dev`).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), Error> {
    match fs::metadata(path) {
        Ok(m) if !m.is_file() && !m.is_dir() => return write_into(path, write),
        Ok(m) if m.is_file() && path.is_symlink() => {
            if let Ok(real) = fs::canonicalize(path) {
                return write_atomically_in(&real, false, 1 << 16, write);
            }
        }
        _ => {}
    }
    write_atomically_in(path, false, 1 << 16, write)
}

/// Writes into the existing file `path` (a device, a pipe) as it is: what is
/// written is gone where it went, so there is nothing to make atomic.
fn write_into(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), Error> {
    let result = fs::OpenOptions::new().write(true).open(path).and_then(|f| {
        let mut w = BufWriter::with_capacity(1 << 16, f);
        write(&mut w)?;
        w.flush()
    });
    result.map_err(|source| file_error(path, source))
}

/// [`write_atomically`], creating `path`'s folder first if `make_parents`
/// and it is missing, through a buffer of `buffer` bytes (0 for a writer
/// that writes once, all it has: a buffer would only be a copy, and fresh
/// pages to fault in, for each file).
pub(crate) fn write_atomically_in(
    path: &Path,
    make_parents: bool,
    buffer: usize,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<()>,
) -> Result<(), Error> {
    let mut file = AtomicFile::create(path, make_parents, buffer)?;
    match write(&mut file.w) {
        Ok(()) => file.finish(),
        Err(source) => {
            file.abandon();
            Err(file_error(path, source))
        }
    }
}

/// A file being written for `path`, under no name or a temporary one until
/// [`AtomicFile::finish`].
pub(crate) struct AtomicFile {
    path: PathBuf,
    pending: Pending,
    w: BufWriter<File>,
}

/// Where an [`AtomicFile`]'s bytes are until it is finished.
enum Pending {
    /// A file without a name (`O_TMPFILE`), linked to the target.
    Unnamed,
    /// A file under this hidden name beside the target, renamed to it.
    Named(PathBuf),
}

impl AtomicFile {
    /// Creates the file that will become `path`, creating `path`'s folder
    /// first if `make_parents` and it is missing, written through a buffer
    /// of `buffer` bytes.
    pub(crate) fn create(
        path: &Path,
        make_parents: bool,
        buffer: usize,
    ) -> Result<AtomicFile, Error> {
        AtomicFile::create_as(path, make_parents, buffer, unnamed_available())
    }

    /// [`AtomicFile::create`], trying an unnamed file first if `unnamed`.
    fn create_as(
        path: &Path,
        make_parents: bool,
        buffer: usize,
        unnamed: bool,
    ) -> Result<AtomicFile, Error> {
        let Some(name) = path.file_name() else {
            let e = io::Error::new(io::ErrorKind::InvalidInput, "not a file name");
            return Err(file_error(path, e));
        };
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let file = |f, pending| AtomicFile {
            path: path.to_path_buf(),
            pending,
            w: BufWriter::with_capacity(buffer, f),
        };
        if unnamed {
            match in_folder(folder, make_parents, || sys::create_unnamed(folder)) {
                Ok(f) => return Ok(file(f, Pending::Unnamed)),
                Err(e) if sys::unsupported(&e) => {
                    UNNAMED_UNSUPPORTED.store(true, Ordering::Relaxed)
                }
                Err(e) => return Err(file_error(path, e)),
            }
        }
        let tmp = temp_name(path, name);
        let open = || {
            fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
        };
        match in_folder(folder, make_parents, open) {
            Ok(f) => Ok(file(f, Pending::Named(tmp))),
            Err(e) => Err(file_error(path, e)),
        }
    }

    /// Appends `bytes`.
    pub(crate) fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.w.write_all(bytes)
    }

    /// `source` as an error about this file's target.
    pub(crate) fn error(&self, source: io::Error) -> Error {
        file_error(&self.path, source)
    }

    /// Flushes the file and gives it the target's name, replacing a file of
    /// that name; on failure nothing is left under either name.
    pub(crate) fn finish(self) -> Result<(), Error> {
        let AtomicFile { path, pending, w } = self;
        let file = w.into_inner().map_err(|e| e.into_error());
        let result = file.and_then(|f| match &pending {
            Pending::Unnamed => link_into_place(&f, &path),
            Pending::Named(tmp) => fs::rename(tmp, &path),
        });
        result.map_err(|source| {
            if let Pending::Named(tmp) = &pending {
                let _ = fs::remove_file(tmp);
            }
            file_error(&path, source)
        })
    }

    /// Drops the file: an unnamed one goes with its descriptor, a named one
    /// is removed.
    pub(crate) fn abandon(self) {
        let AtomicFile { pending, w, .. } = self;
        drop(w.into_parts());
        if let Pending::Named(tmp) = pending {
            let _ = fs::remove_file(tmp);
        }
    }
}

/// Gives the unnamed file `f` the name `path`. A link cannot replace a file,
/// so where `path` exists the file is linked under a temporary name and
/// renamed over it.
fn link_into_place(f: &File, path: &Path) -> io::Result<()> {
    match sys::link_unnamed(f, path) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let name = path.file_name().unwrap_or_default();
            let tmp = temp_name(path, name);
            sys::link_unnamed(f, &tmp)?;
            fs::rename(&tmp, path).inspect_err(|_| {
                let _ = fs::remove_file(&tmp);
            })
        }
        r => r,
    }
}

/// Runs `open`; if it fails because `folder` is missing and `make_parents`,
/// creates the folder and runs it again. Trying first costs one failed
/// `open` per new folder, where creating the folder before every file cost
/// a failing `mkdir` and a `statx` per file (`create_dir_all` on a folder
/// that exists).
fn in_folder(
    folder: &Path,
    make_parents: bool,
    open: impl Fn() -> io::Result<File>,
) -> io::Result<File> {
    match open() {
        Err(e) if make_parents && e.kind() == io::ErrorKind::NotFound => {
            fs::create_dir_all(folder)?;
            open()
        }
        r => r,
    }
}

fn file_error(path: &Path, source: io::Error) -> Error {
    Error::File {
        path: path.to_path_buf(),
        source,
    }
}

/// Set when a file system refused an unnamed file: the rest of the run
/// uses temporary names rather than fail an `open` for every output.
static UNNAMED_UNSUPPORTED: AtomicBool = AtomicBool::new(false);

/// Whether outputs are created unnamed: the system has them, `/proc` is
/// there to link them through, and no file system refused one yet.
fn unnamed_available() -> bool {
    static PROC: OnceLock<bool> = OnceLock::new();
    sys::HAS_UNNAMED
        && !UNNAMED_UNSUPPORTED.load(Ordering::Relaxed)
        && *PROC.get_or_init(|| Path::new("/proc/self/fd").is_dir())
}

#[cfg(target_os = "linux")]
mod sys {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::path::Path;
    use std::sync::atomic::{AtomicBool, Ordering};

    use rustix::fs::{AtFlags, Mode, OFlags, CWD};
    use rustix::io::Errno;

    pub const HAS_UNNAMED: bool = true;

    /// An unnamed regular file in `folder`, writable, with the permissions
    /// a named one gets (0o666 less the umask).
    pub fn create_unnamed(folder: &Path) -> io::Result<File> {
        let flags = OFlags::WRONLY | OFlags::TMPFILE | OFlags::CLOEXEC;
        let fd = rustix::fs::open(folder, flags, Mode::from_bits_truncate(0o666))?;
        Ok(File::from(fd))
    }

    /// Set when linking a descriptor itself was refused: the rest of the
    /// run links through `/proc` without trying again.
    static NO_EMPTY_PATH: AtomicBool = AtomicBool::new(false);

    /// Links the unnamed file `f` at `path`: `linkat` of the descriptor
    /// itself (`AT_EMPTY_PATH`), or where the kernel refuses that (older
    /// kernels allow it only with `CAP_DAC_READ_SEARCH`; Linux 6.18 allowed
    /// it to an unprivileged user too) of its `/proc` entry
    /// ([`link_through_proc`]). The `/proc` way costs
    /// the kernel a walk of that path (`/proc`, the process, its
    /// descriptors, the link) for every output: 2.5 % of the CPU samples of
    /// cleaning the 22,000-file benchmark tree (`perf record`), saved where
    /// the descriptor can be linked.
    pub fn link_unnamed(f: &File, path: &Path) -> io::Result<()> {
        if NO_EMPTY_PATH.load(Ordering::Relaxed) {
            return link_through_proc(f, path);
        }
        match rustix::fs::linkat(f, "", CWD, path, AtFlags::EMPTY_PATH) {
            Ok(()) => Ok(()),
            // `ENOENT` without the capability (or without `path`'s folder),
            // `EPERM` or `EINVAL` where the flag is not allowed or known.
            Err(Errno::NOENT | Errno::PERM | Errno::INVAL) => {
                let r = link_through_proc(f, path);
                if r.is_ok() {
                    NO_EMPTY_PATH.store(true, Ordering::Relaxed);
                }
                r
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Links the unnamed file `f` at `path` through its `/proc` entry,
    /// followed to the file, which needs no privilege.
    pub fn link_through_proc(f: &File, path: &Path) -> io::Result<()> {
        let entry = format!("/proc/self/fd/{}", f.as_raw_fd());
        rustix::fs::linkat(CWD, entry.as_str(), CWD, path, AtFlags::SYMLINK_FOLLOW)?;
        Ok(())
    }

    /// Whether `open` refused an unnamed file because the kernel or the
    /// file system lacks them: `EOPNOTSUPP` from a file system without
    /// them, `EISDIR` or `EINVAL` from a kernel older than 3.11.
    pub fn unsupported(e: &io::Error) -> bool {
        [Errno::OPNOTSUPP, Errno::ISDIR, Errno::INVAL]
            .iter()
            .any(|n| e.raw_os_error() == Some(n.raw_os_error()))
    }
}

#[cfg(not(target_os = "linux"))]
mod sys {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub const HAS_UNNAMED: bool = false;

    pub fn create_unnamed(_: &Path) -> io::Result<File> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub fn link_unnamed(_: &File, _: &Path) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    pub fn unsupported(_: &io::Error) -> bool {
        true
    }
}

/// The hidden name a file for `path` is written under before it is renamed
/// to it: beside it, unique to this process and call. The target's name is
/// in it as [`temp_stem`] gives it, so that [`temp_stem_of`] finds it.
pub(crate) fn temp_name(path: &Path, name: &OsStr) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    // The process id once: `getpid` is a system call each time, one per
    // output file.
    static PID: OnceLock<u32> = OnceLock::new();
    let mut temp = OsString::from(".");
    temp.push(temp_stem(name));
    temp.push(format!(
        ".{}-{}{TEMP_SUFFIX}",
        PID.get_or_init(std::process::id),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    path.with_file_name(temp)
}

const TEMP_SUFFIX: &str = ".tmp";

/// Names longer than this many bytes stand in their temporary name as a
/// prefix and a hash ([`temp_stem`]). A file name has at most 255 bytes on
/// Linux's file systems (`NAME_MAX`), and the temporary name adds up to 37
/// to it (`.`, `.PID-N`, `.tmp`): a 250-byte output name, whole, made a
/// temporary name too long to create, so such an output could not be
/// written again over an earlier run's (the one case where an unnamed
/// file needs a temporary name), nor at all without unnamed files.
const LONG_NAME: usize = 200;

/// How many bytes of a long name, at most, its temporary name keeps.
const LONG_NAME_PREFIX: usize = 128;

/// What stands for the target `name` in its temporary name: the name
/// itself, byte for byte (bytes that are not UTF-8 too), or for a name
/// longer than [`LONG_NAME`] bytes, its first bytes (at most
/// [`LONG_NAME_PREFIX`], up to an ASCII byte), `~` and a hash of the whole
/// name. The same name always gives the same stem.
pub(crate) fn temp_stem(name: &OsStr) -> std::borrow::Cow<'_, OsStr> {
    let bytes = name.as_encoded_bytes();
    if bytes.len() <= LONG_NAME {
        return name.into();
    }
    let cut = bytes[..LONG_NAME_PREFIX]
        .iter()
        .rposition(u8::is_ascii)
        .map_or(0, |i| i + 1);
    let mut stem = OsString::from(os_str_of(&bytes[..cut]).unwrap_or_default());
    stem.push(format!("~{:016x}", xxhash_rust::xxh3::xxh3_64(bytes)));
    stem.into()
}

/// The [`temp_stem`] of the output that the temporary file named `name` was
/// to become, if `name` is one of [`temp_name`]'s: what an interrupted run
/// may leave behind.
pub(crate) fn temp_stem_of(name: &OsStr) -> Option<&OsStr> {
    let inner = name
        .as_encoded_bytes()
        .strip_prefix(b".")?
        .strip_suffix(TEMP_SUFFIX.as_bytes())?;
    let dot = inner.iter().rposition(|&b| b == b'.')?;
    let (target, tag) = (&inner[..dot], &inner[dot + 1..]);
    let dash = tag.iter().position(|&b| b == b'-')?;
    let digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    if !(digits(&tag[..dash]) && digits(&tag[dash + 1..]) && !target.is_empty()) {
        return None;
    }
    os_str_of(target)
}

/// A piece of an `OsStr`'s encoded bytes, cut at ASCII bytes, as an `OsStr`
/// again: on Unix its bytes as they are; elsewhere only when it is UTF-8
/// (then a long name's temporary name keeps only its hash, and a temporary
/// file of a name that is not UTF-8 is not found again).
fn os_str_of(bytes: &[u8]) -> Option<&OsStr> {
    #[cfg(unix)]
    {
        Some(std::os::unix::ffi::OsStrExt::from_bytes(bytes))
    }
    #[cfg(not(unix))]
    {
        std::str::from_utf8(bytes).ok().map(OsStr::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Both ways of making a file, where this system has both.
    fn ways() -> Vec<bool> {
        if unnamed_available() {
            vec![false, true]
        } else {
            vec![false]
        }
    }

    #[test]
    fn a_finished_file_appears_under_its_name_alone_and_replaces_one_there() {
        for unnamed in ways() {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("out.txt");
            for text in [&b"first"[..], b"second"] {
                let mut f = AtomicFile::create_as(&target, false, 4, unnamed).unwrap();
                f.write(text).unwrap();
                assert!(!target.exists() || fs::read(&target).unwrap() == b"first");
                f.finish().unwrap();
                assert_eq!(fs::read(&target).unwrap(), text, "unnamed {unnamed}");
                assert_eq!(names(dir.path()), ["out.txt"], "unnamed {unnamed}");
            }
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn an_unnamed_file_links_by_its_descriptor_and_through_proc() {
        if !unnamed_available() {
            // To the process's standard error, which the harness does not
            // capture: a skip should show.
            let _ = writeln!(
                io::stderr(),
                "note: no unnamed files here: linking not tested"
            );
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        for (name, link) in [
            ("a", sys::link_unnamed as fn(&File, &Path) -> io::Result<()>),
            ("b", sys::link_through_proc),
        ] {
            let mut f = sys::create_unnamed(dir.path()).unwrap();
            f.write_all(name.as_bytes()).unwrap();
            link(&f, &dir.path().join(name)).unwrap();
            let e = link(&f, &dir.path().join(name)).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "{name}");
            assert_eq!(fs::read(dir.path().join(name)).unwrap(), name.as_bytes());
        }
        assert_eq!(names(dir.path()), ["a", "b"]);
    }

    #[test]
    fn an_abandoned_file_leaves_nothing() {
        for unnamed in ways() {
            let dir = tempfile::tempdir().unwrap();
            let mut f = AtomicFile::create_as(&dir.path().join("a"), false, 0, unnamed).unwrap();
            f.write(b"partial").unwrap();
            f.abandon();
            assert!(names(dir.path()).is_empty(), "unnamed {unnamed}");
        }
    }

    #[test]
    fn missing_folders_are_made_only_when_asked() {
        for unnamed in ways() {
            let dir = tempfile::tempdir().unwrap();
            let target = dir.path().join("x/y/out.txt");
            let e = AtomicFile::create_as(&target, false, 0, unnamed)
                .err()
                .unwrap();
            assert!(e.to_string().contains("out.txt"), "{e}");
            assert!(names(dir.path()).is_empty());
            let mut f = AtomicFile::create_as(&target, true, 0, unnamed).unwrap();
            f.write(b"made").unwrap();
            f.finish().unwrap();
            assert_eq!(fs::read(&target).unwrap(), b"made", "unnamed {unnamed}");
        }
    }

    #[test]
    fn a_failed_write_leaves_nothing_under_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.txt");
        let r = write_atomically(&target, |w| {
            w.write_all(&[b'x'; 100_000])?;
            Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"))
        });
        let e = r.unwrap_err().to_string();
        assert!(e.contains("out.txt") && e.contains("disk full"), "{e}");
        assert!(names(dir.path()).is_empty());
        write_atomically(&target, |w| w.write_all(b"done")).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"done");
        assert_eq!(names(dir.path()), ["out.txt"]);
    }

    #[test]
    fn an_output_of_a_long_name_is_written_and_written_again() {
        for unnamed in ways() {
            let dir = tempfile::tempdir().unwrap();
            for len in [200, 201, 255] {
                let name = format!("{}.txt", "é".repeat((len - 4) / 2) + &"x".repeat(len % 2));
                assert_eq!(name.len(), len);
                let target = dir.path().join(&name);
                for text in [&b"first"[..], b"second"] {
                    let mut f = AtomicFile::create_as(&target, false, 0, unnamed).unwrap();
                    f.write(text).unwrap();
                    f.finish().unwrap();
                    assert_eq!(fs::read(&target).unwrap(), text, "{len} unnamed {unnamed}");
                }
                let tmp = temp_name(&target, name.as_ref());
                let tmp = tmp.file_name().unwrap();
                assert!(tmp.len() <= 255, "{len}: {}", tmp.len());
                assert_eq!(temp_stem_of(tmp), Some(&*temp_stem(name.as_ref())));
            }
            assert_eq!(names(dir.path()).len(), 3, "unnamed {unnamed}");
        }
        // Long names that differ only after the kept prefix have different
        // stems.
        let a = "a".repeat(250);
        let b = "a".repeat(249) + "b";
        assert_ne!(temp_stem(a.as_ref()), temp_stem(b.as_ref()));
    }

    #[test]
    fn temporary_names_lead_back_to_their_target() {
        let tmp = temp_name(Path::new("a/b.jsonl.gz"), "b.jsonl.gz".as_ref());
        let name = tmp.file_name().unwrap();
        assert_eq!(temp_stem_of(name), Some("b.jsonl.gz".as_ref()));
        for other in [
            ".b.txt.tmp",
            "b.txt.1-2.tmp",
            ".b.txt.1-x.tmp",
            "..1-2.tmp",
            ".b.txt.1-2",
        ] {
            assert_eq!(temp_stem_of(other.as_ref()), None, "{other}");
        }
        // A name that is not UTF-8 leads back to itself, byte for byte.
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let odd = OsStr::from_bytes(b"caf\xe9.txt");
            let tmp = temp_name(Path::new("a/x"), odd);
            assert_eq!(temp_stem_of(tmp.file_name().unwrap()), Some(odd));
        }
    }
}
