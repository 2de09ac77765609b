//! The run: inputs → pass 1 (corpus statistics) → pass 2 (classify and write)
//! → run statistics. This module ties the stages together.
//!
//! **Pass 1** ([`statistics`], and the first half of [`clean`]) reads every input
//! and counts its documents' lines into a [`LineStats`] per input; the run's
//! table is their sum in input order. **Pass 2** ([`clean`]) reads every input
//! again, classifies each document against the table with
//! [`Cleaner::classify`], and writes the kept lines byte for byte in the
//! input's format ([`crate::format`]).
//!
//! Inputs are read as streams of batches of whole records
//! ([`crate::batch`], about 4 MiB each; a text file is one batch), pass 2
//! re-opening and re-decompressing each input, so memory does not grow
//! with an input's size (a compressed input that pass 1 read whole is kept
//! for pass 2 instead, within [`KEEP_BYTES`]). The batches of all inputs, in input order, are the
//! work of a rayon pool of [`Options::threads`] threads: one worker at a
//! time reads the next batch (decompression is sequential), any worker
//! classifies it, and the results are consumed in order on the caller's
//! thread. So one big JSONL or WET file uses every thread, and the
//! statistics, the output and even the order of error messages are the same
//! for any number of threads (batch boundaries depend on the bytes only).
//! With one thread no worker is spawned: the loop runs on the caller's
//! thread ([`clean_building`] still builds the cleaner on a thread of its
//! own). Small whole inputs are handed out in groups, a unit of work each.
//! At most `2 × threads` finished units wait for an earlier one.
//!
//! **Output** goes either to one stream (every input's output in input order,
//! uncompressed) or to a directory that mirrors the inputs ([`Output::Dir`]):
//! each file at its path relative to the directory it was found under, with
//! its name, format and compression. Files are given their name only when
//! complete (`atomic.rs`: unnamed and linked into place, or renamed from a
//! temporary name), so an interrupted run never leaves a truncated output
//! under the real name. An input in one batch is
//! written by the worker that cleaned it (files are created in parallel);
//! the batches of a bigger one are appended in order by the caller's thread,
//! each compressed by its worker as a gzip member or zstd frame of its own
//! (concatenated, they are one valid stream). [`check_output_dir`] refuses
//! an output directory that is an input directory or inside one, or that
//! would overwrite an input; [`exclude_output_dir`] allows one inside and
//! takes what is under it out of the inputs.
//!
//! With [`Options::resume`], an output that already exists and is newer
//! than its input's last change is taken as done (it can only be complete:
//! see above) and the input is not cleaned again; pass 1 still reads every
//! input, so the statistics, and so the outputs, are those of an
//! uninterrupted run. When the statistics come from the inputs and an input
//! changed after outputs were written (so they were cleaned with other
//! statistics), no output is taken as done.
//! Temporary files that a killed run left beside the outputs are removed
//! when a run starts.
//!
//! **Binary inputs, long lines and long records.** An input with a NUL byte
//! in its first [`BINARY_PROBE`] bytes (after decompression) is binary:
//! reported and skipped. A line longer than [`MAX_LINE`] bytes is passed
//! through as it is without being classified or counted in the statistics
//! (the rest of its document is classified as usual). A record longer than
//! [`crate::batch::MAX_RECORD`] (a text file is one record) is reported and
//! passed through unchanged, streamed in pieces.
//!
//! **Errors**: one bad input never stops the run. An input that cannot be
//! read (or its output written) is reported through [`Events::problem`] with
//! its path and, for a broken compressed stream, the byte offset; it gets no
//! output, and the run goes on. An input that pass 1 could not read is not
//! read again in pass 2. (With a given model there is no pass 1: a stream
//! that breaks half-way then leaves the batches before the break on the
//! output stream; an output file is still never left half-written.) A record that cannot be parsed is reported
//! with its line or record number and passed through unchanged. Only a failure
//! of the output stream itself (a broken pipe) ends the run early.

use std::cell::OnceCell;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

pub use crate::atomic::write_atomically;
use crate::atomic::{write_atomically_in, AtomicFile};
use crate::batch::{Batch, BatchReader, Limits, Piece};
use crate::cleaner::write_kept_at;
use crate::compress::{self, Compression, Encoder};
use crate::error::Error;
use crate::explain;
use crate::format::{Format, FormatOptions, Item};
use crate::input::{Input, Source};
use crate::report::{Count, RunStats, EMPTY_DOCUMENT};
use crate::{Cleaner, LineStats};

mod exec;
mod outdir;

use exec::Exec;
pub use outdir::{check_output_dir, exclude_output_dir};
use outdir::{finished_outputs, remove_stale_temps};

/// Where cleaned output goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// One stream (the writer given to [`clean`]), inputs in order,
    /// uncompressed whatever the inputs' compression.
    Stream,
    /// A directory mirroring the inputs, each output compressed as its input.
    Dir(PathBuf),
}

/// Which corpus statistics pass 2 uses.
#[derive(Clone, Debug, Default)]
pub enum Model {
    /// Pass 1 over the inputs (the default).
    #[default]
    FromInputs,
    /// A saved table, instead of pass 1.
    Given(LineStats),
    /// A saved table plus pass 1 over the inputs.
    Merged(LineStats),
}

/// Settings of a run.
#[derive(Clone, Debug)]
pub struct Options {
    /// Worker threads; 1 runs everything on the calling thread. By default,
    /// the number of CPUs.
    pub threads: usize,
    /// Where the output goes. By default, [`Output::Stream`].
    pub output: Output,
    /// Write every line with its verdict ([`crate::explain`]) instead of the
    /// cleaned text. Only with [`Output::Stream`]. By default, off.
    pub explain: bool,
    /// Leave out documents with no non-whitespace text after cleaning (a
    /// text input's output file is then not written at all). By default, off.
    pub drop_empty: bool,
    /// How records are read.
    pub format: FormatOptions,
    /// The corpus statistics for pass 2. By default, pass 1 over the inputs.
    pub model: Model,
    /// With [`Output::Dir`]: leave alone an output that exists and is newer
    /// than its input (a finished output of an earlier, interrupted run),
    /// unless an input changed after the outputs were written and the
    /// statistics come from the inputs. By default, off: every output is
    /// written again.
    pub resume: bool,
    /// Pass 1 counts lines in a count-min sketch of this shape instead of an
    /// exact table ([`crate::stats::SketchShape::for_bytes`] sizes one for a
    /// memory budget). By default, exact.
    pub sketch: Option<crate::stats::SketchShape>,
    /// The batch size and the longest record that is cleaned
    /// ([`crate::batch`]). By default, [`Limits::default`].
    pub limits: Limits,
    /// How many bytes of inputs read whole in pass 1 are kept in memory
    /// for pass 2 instead of being read again. By default, [`KEEP_BYTES`].
    pub keep: usize,
    /// Count the most frequent dropped lines ([`RunStats::top_dropped`]);
    /// off leaves them empty, for a caller that does not report them (a
    /// hash lookup for every dropped line and the tables' merge cost about
    /// 1 % of a run's instructions). By default, on.
    pub top_dropped: bool,
}

/// How many bytes at the start of an input are looked at for a NUL byte,
/// which makes the input binary. Git (`buffer_is_binary`) and GNU grep look
/// at about the first 8 KiB too: text of any encoding but UTF-16/32 never
/// holds a NUL, and JSON and WARC headers cannot.
pub const BINARY_PROBE: usize = 8 << 10;

pub use crate::cleaner::MAX_LINE;

/// A run takes up to this many threads a CPU ([`Options::threads`]), or
/// [`MIN_MAX_THREADS`] if more. Past the CPUs, threads take turns and each
/// costs its stack and scratch; past some hundreds, starting and stopping
/// them is the run: a one-line file on two CPUs took 0.02 s with 64
/// threads, 0.05 s with 128, 0.06 s with 256 and 3.8 s with 1,024 (and 42 s
/// with 2,000).
pub const THREADS_PER_CPU: usize = 4;
/// The least thread limit, for machines of few CPUs: 64 threads cost
/// nothing measurable on two (above).
pub const MIN_MAX_THREADS: usize = 64;

/// The most threads a run takes on this machine ([`THREADS_PER_CPU`]); more
/// is an [`Error::Setting`].
pub fn max_threads() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    (THREADS_PER_CPU * cpus).max(MIN_MAX_THREADS)
}

/// Why `threads` is too many for a run here ([`max_threads`]), if it is.
pub fn threads_over_limit(threads: usize) -> Option<String> {
    let most = max_threads();
    (threads > most).then(|| {
        format!(
            "at most {most} here ({THREADS_PER_CPU} a CPU or {MIN_MAX_THREADS}, whichever is more)"
        )
    })
}

/// How many bad records of one input are reported one by one; the rest are
/// counted, and the count reported when the input ends. A screenful shows
/// what is wrong with a file (a pretty-printed JSON file given as JSONL
/// would otherwise print an error for each of its lines, and bury the
/// other inputs' messages).
pub const SHOWN_RECORD_ERRORS: u64 = 20;

/// The record errors of the input being reported (see
/// [`SHOWN_RECORD_ERRORS`]); other errors are always reported.
#[derive(Default)]
struct RecordErrors {
    seen: u64,
}

impl RecordErrors {
    fn report(&mut self, events: &dyn Events, e: &Error) {
        if matches!(e, Error::Record { .. }) {
            self.seen += 1;
            if self.seen > SHOWN_RECORD_ERRORS {
                return;
            }
        }
        events.problem(e);
    }

    /// The input has ended: says how many of its errors were not shown.
    fn end(&mut self, events: &dyn Events, input: &Input) {
        let hidden = self.seen.saturating_sub(SHOWN_RECORD_ERRORS);
        self.seen = 0;
        if hidden > 0 {
            events.problem(&Error::File {
                path: input.display_path().to_path_buf(),
                source: io::Error::other(format!(
                    "{} more bad record{} not shown",
                    crate::report::thousands(hidden),
                    if hidden == 1 { "" } else { "s" }
                )),
            });
        }
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            output: Output::Stream,
            explain: false,
            drop_empty: false,
            format: FormatOptions::default(),
            model: Model::FromInputs,
            resume: false,
            sketch: None,
            limits: Limits::default(),
            keep: KEEP_BYTES,
            top_dropped: true,
        }
    }
}

/// What a run tells its caller while it goes. Every method is called on the
/// thread that called [`statistics`] or [`clean`], in input order. The default
/// methods do nothing.
pub trait Events {
    /// A pass (1 or 2) starts over `inputs` inputs of `bytes` bytes on disk
    /// (streams count 0).
    fn pass_started(&self, _pass: u8, _inputs: usize, _bytes: u64) {}
    /// Part of an input read in pieces (one over 4 MiB, or a stream) is done
    /// in a pass: `bytes` bytes of it, counted as [`Input::size`] counts
    /// them (compressed, as on disk or as they came), have been read. Called
    /// after each of its pieces, the last included, before
    /// [`Events::input_done`]; the count runs ahead of the work done by the
    /// reader's buffer, and may pass `size` if the file grew.
    fn input_progress(&self, _pass: u8, _input: &Input, _bytes: u64) {}
    /// An input is done in a pass.
    fn input_done(&self, _pass: u8, _input: &Input) {}
    /// Something went wrong with one input or record; the run goes on.
    fn problem(&self, _error: &Error) {}
    /// Something worth saying that is not an error.
    fn notice(&self, _message: &str) {}
}

/// [`Events`] that ignores everything.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Events for Silent {}

/// Pass 1 only: the corpus statistics of `inputs` and what was read.
/// Problems (unreadable inputs, malformed records) go to `events` and are
/// counted. The statistics count the normal forms of lines
/// ([`crate::line::Normalizer`]), which no setting of a [`Cleaner`]
/// changes, so a run that only learns builds none.
pub fn statistics(
    inputs: &[Input],
    opts: &Options,
    events: &dyn Events,
) -> Result<(LineStats, RunStats), Error> {
    let exec = Exec::new(opts.threads)?;
    // One pass: streams are read as they come, not held for a second.
    let streams = preload(inputs, false);
    let (table, run, _, _) = pass1(&exec, inputs, &streams, opts, events, true, &[])?;
    Ok((table, run))
}

/// Both passes: cleans `inputs` and writes the result to `opts.output`
/// (`stream` for [`Output::Stream`]). Returns the run's statistics. Fails
/// only for an invalid setting or when `stream` cannot be written (see
/// [`is_broken_pipe`]); problems with single inputs go to `events`.
pub fn clean(
    inputs: &[Input],
    cleaner: &Cleaner,
    opts: &Options,
    stream: &mut dyn Write,
    events: &dyn Events,
) -> Result<RunStats, Error> {
    clean_with(inputs, &mut || Ok(cleaner.clone()), opts, stream, events)
}

/// [`clean`] with the cleaner that `build` makes on a thread of its own
/// while pass 1 runs, which does not need it (see [`statistics`]). Building
/// the lexicon's automaton costs about 150 M instructions (40 to 50 ms)
/// before any work could start; so it overlaps pass 1. The output is that
/// of [`clean`] with the same cleaner. An error of `build` is returned after
/// pass 1, before anything is written: a caller that wants errors before any
/// work (a user's rule file) builds first and calls [`clean`].
pub fn clean_building(
    inputs: &[Input],
    build: impl FnOnce() -> Result<Cleaner, Error> + Send,
    opts: &Options,
    stream: &mut dyn Write,
    events: &dyn Events,
) -> Result<RunStats, Error> {
    std::thread::scope(|s| {
        let mut building = Some(s.spawn(build));
        let mut get = || {
            let handle = building.take().expect("the cleaner is asked for once");
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        };
        clean_with(inputs, &mut get, opts, stream, events)
    })
}

/// Both passes, with the cleaner from `cleaner`, called once after pass 1.
fn clean_with(
    inputs: &[Input],
    cleaner: &mut dyn FnMut() -> Result<Cleaner, Error>,
    opts: &Options,
    stream: &mut dyn Write,
    events: &dyn Events,
) -> Result<RunStats, Error> {
    if opts.explain && opts.output != Output::Stream {
        return Err(Error::Setting {
            name: "explain",
            message: "the explanation is written to the output stream, not a directory".into(),
        });
    }
    let exec = Exec::new(opts.threads)?;
    // With a given model there is one pass: streams are read as they come,
    // like files, not held in memory for a second pass (a filter in a pipe
    // would hold all its input, and write nothing until its end).
    let streams = preload(inputs, !matches!(opts.model, Model::Given(_)));
    // The outputs an earlier run finished, found before pass 1, which
    // reports the bad records of their inputs: pass 2 does not read them.
    let mut finished = Vec::new();
    if let (Output::Dir(dir), true) = (&opts.output, opts.resume) {
        let shared = !matches!(opts.model, Model::Given(_));
        let f = finished_outputs(dir, inputs, shared);
        if let Some(input) = f.changed {
            events.notice(&format!(
                "{} changed after outputs of the earlier run were written (or cannot \
                 be dated): the statistics they were cleaned with are not this run's, \
                 so every output is written again (--resume)",
                input.display()
            ));
        }
        finished = f.done;
    }
    let (own, pass1_run, failed, kept) = if matches!(opts.model, Model::Given(_)) {
        (None, RunStats::default(), Vec::new(), Vec::new())
    } else {
        let (t, r, f, k) = pass1(&exec, inputs, &streams, opts, events, false, &finished)?;
        (Some(t), r, f, k)
    };
    let cleaner = &cleaner()?;
    let merged;
    let table: &LineStats = match (&opts.model, own) {
        (Model::Given(t), _) => t,
        (Model::Merged(m), Some(t)) => {
            merged = t + m.clone();
            &merged
        }
        (Model::FromInputs, Some(t)) => {
            merged = t;
            &merged
        }
        (_, None) => unreachable!("pass 1 runs unless a model is given"),
    };

    let started = Instant::now();
    if let Output::Dir(dir) = &opts.output {
        let removed = remove_stale_temps(dir, inputs);
        if removed > 0 {
            events.notice(&format!(
                "removed {removed} temporary files left by an interrupted run"
            ));
        }
    }
    events.pass_started(2, inputs.len(), inputs.iter().map(|i| i.size).sum());
    // An input that pass 1 could not read is not read again: its error is
    // reported in its place. (Read again, a stream that breaks half-way
    // would have put half an output on the output stream.)
    let failed: Mutex<Vec<Option<Error>>> = Mutex::new(failed);
    let before = |i: usize| -> Option<Job> {
        if let Some(e) = failed.lock().unwrap().get_mut(i).and_then(Option::take) {
            return Some(Job::Failed(e));
        }
        finished
            .get(i)
            .is_some_and(|&done| done)
            .then_some(Job::Resumed)
    };
    let mut source = Pieces::new(inputs, &streams, opts.limits, &before);
    source.kept = kept;
    let mut sink = Sink::new(inputs, opts, stream, events);
    // The statistics of a group are one value, added to the run's after
    // the group's results: a value per input cost each small file a table
    // of dropped lines of its own, which all its dropped lines were new
    // to, and the addition of that table to the run's, 3 % of the
    // instructions of cleaning a tree of small files (callgrind).
    exec.run_stream(
        &mut || source.next_group(),
        &|group: Vec<Task>| {
            let mut run = RunStats::default();
            let done = group
                .into_iter()
                .map(|task| clean_task(inputs, task, cleaner, table, opts, &mut run))
                .collect::<Vec<_>>();
            (done, run)
        },
        &mut |(done, run): (Vec<Cleaned>, RunStats)| {
            let ok = done.into_iter().all(|d| sink.take(d));
            sink.run += run;
            ok
        },
    );
    let Sink {
        mut run,
        resumed,
        stream_error,
        ..
    } = sink;
    if let Some(e) = stream_error {
        return Err(Error::Output(e));
    }
    if resumed > 0 {
        events.notice(&format!(
            "{resumed} of {} inputs already had a complete output (--resume): not written again",
            inputs.len()
        ));
    }
    stream.flush().map_err(Error::Output)?;
    run.time[0] = pass1_run.time[0];
    run.bytes_read[0] = pass1_run.bytes_read[0];
    // Those of the inputs whose outputs were finished already.
    run.bad_records += pass1_run.bad_records;
    run.time[1] = started.elapsed();
    Ok(run)
}

/// Whether `e` is the output stream's reader having gone away (`| head`),
/// which a command line treats as a normal end.
pub fn is_broken_pipe(e: &Error) -> bool {
    matches!(e, Error::Output(io) if io.kind() == io::ErrorKind::BrokenPipe)
}

/// The offset of a NUL byte in the first [`BINARY_PROBE`] bytes of `data`.
pub fn binary_offset(data: &[u8]) -> Option<usize> {
    memchr::memchr(0, &data[..data.len().min(BINARY_PROBE)])
}

/// The raw (still compressed) bytes of streams, read once before pass 1: a
/// stream cannot be read twice. Held compressed, so a stream that expands
/// a thousandfold costs its own size, not its expansion.
type Preloaded = Option<Result<Arc<Vec<u8>>, io::Error>>;

/// With `hold` (a run of two passes), the streams among `inputs` read whole;
/// without, none (one pass reads them as they come).
fn preload(inputs: &[Input], hold: bool) -> Vec<Preloaded> {
    inputs
        .iter()
        .map(|input| (hold && input.source.is_stream()).then(|| read_stream(input)))
        .collect()
}

fn read_stream(input: &Input) -> io::Result<Arc<Vec<u8>>> {
    let data = match &input.source {
        Source::Stdin => read_unless_binary(&mut io::stdin().lock())?,
        Source::File(p) | Source::Stream(p) => read_unless_binary(&mut File::open(p)?)?,
    };
    Ok(Arc::new(data))
}

/// All of `r`, or only its first [`BINARY_PROBE`] bytes when they are
/// uncompressed and hold a NUL: the pass skips such an input as binary
/// from those bytes alone, and a device given by name (`/dev/zero`,
/// `/dev/urandom`) never ends, so reading on would fill memory.
fn read_unless_binary(r: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut data = Vec::new();
    r.by_ref()
        .take(BINARY_PROBE as u64)
        .read_to_end(&mut data)?;
    if Compression::detect(&data) == Compression::None && binary_offset(&data).is_some() {
        return Ok(data);
    }
    r.read_to_end(&mut data)?;
    Ok(data)
}

/// Bytes shared between the passes, readable as a slice.
struct Shared(Arc<Vec<u8>>);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Opens an input for one pass: its compression and a reader of its pieces.
fn open_input<'a>(
    input: &'a Input,
    pre: &'a Preloaded,
    limits: Limits,
) -> Result<(Compression, BatchReader<'a>, Option<Arc<AtomicU64>>), Error> {
    let path = input.display_path();
    let file_err = |source| Error::File {
        path: path.to_path_buf(),
        source,
    };
    // The bytes the decoder takes are counted into `taken`, for progress
    // within the input ([`Events::input_progress`]); a small plain file,
    // read whole, needs no counter.
    let taken = OnceCell::new();
    fn counted<R>(r: R, taken: &OnceCell<Arc<AtomicU64>>) -> compress::Counted<R> {
        compress::Counted::new(r, Arc::clone(taken.get_or_init(Arc::default)))
    }
    let (c, r) = match pre {
        Some(Ok(data)) => {
            compress::decoder(counted(io::Cursor::new(Shared(Arc::clone(data))), &taken))
                .map_err(file_err)?
        }
        // The error is named by the input's path here, once.
        Some(Err(e)) => return Err(file_err(io::Error::new(e.kind(), e.to_string()))),
        None => match &input.source {
            // A small file is read whole; plain, its bytes are the
            // reader's buffer, not copied into one.
            Source::File(p) if input.size < compress::SMALL_FILE => {
                let data = compress::read_whole(p, input.size).map_err(file_err)?;
                if Compression::detect(&data) == Compression::None {
                    let r = BatchReader::whole(data, input.format, path, limits);
                    return Ok((Compression::None, r, None));
                }
                compress::decoder(counted(io::Cursor::new(data), &taken)).map_err(file_err)?
            }
            Source::File(p) => {
                let r = compress::buffered(p, input.size).map_err(file_err)?;
                compress::decoder(counted(r, &taken)).map_err(file_err)?
            }
            Source::Stream(p) => {
                let r = compress::buffered(p, u64::MAX).map_err(file_err)?;
                compress::decoder(counted(r, &taken)).map_err(file_err)?
            }
            // Read once, with a given model (otherwise preloaded).
            Source::Stdin => {
                compress::decoder(counted(compress::stdin_buffered(), &taken)).map_err(file_err)?
            }
        },
    };
    // A plain file's size is what it holds (a byte more would not save
    // the `read` that finds its end; 0 is unknown, as for streams); a
    // compressed one holds more, at least 64 KiB for the first buffer.
    let hint = match c {
        Compression::None => input.size,
        _ => input.size.max(64 << 10),
    };
    Ok((
        c,
        BatchReader::new(r, input.format, path, limits).size_hint(hint),
        taken.into_inner(),
    ))
}

/// One unit of work: a piece of one input.
struct Task {
    input: usize,
    /// The input's first piece.
    first: bool,
    /// The input's last piece.
    last: bool,
    /// The bytes of the input (compressed, as on disk or as they came) read
    /// so far, when the input is read in pieces: 0 otherwise.
    taken: u64,
    compression: Compression,
    job: Job,
}

enum Job {
    Piece(Piece),
    /// The input has no more pieces.
    End,
    /// The input cannot be read (from here on).
    Failed(Error),
    /// The input's output is complete already ([`Options::resume`]).
    Resumed,
}

/// The input [`Pieces`] is reading.
struct Open<'a> {
    input: usize,
    compression: Compression,
    reader: BatchReader<'a>,
    /// Whether no piece of it has been given out yet.
    first: bool,
    /// The bytes its decoder has taken, if it is read through one.
    taken: Option<Arc<AtomicU64>>,
}

/// The pieces of all inputs, in order: the work of a pass. Called by one
/// worker at a time (decompression is sequential within an input).
struct Pieces<'a> {
    inputs: &'a [Input],
    streams: &'a [Preloaded],
    limits: Limits,
    next: usize,
    current: Option<Open<'a>>,
    /// What to do instead of reading an input, if anything.
    before: &'a (dyn Fn(usize) -> Option<Job> + Sync),
    /// Inputs that pass 1 read whole and kept ([`Kept`]), by input: pass 2
    /// takes them from here instead of reading them again.
    kept: Vec<Option<(Compression, Batch)>>,
    /// A task read ahead by [`Pieces::next_group`] that did not fit.
    ahead: Option<Task>,
}

impl<'a> Pieces<'a> {
    fn new(
        inputs: &'a [Input],
        streams: &'a [Preloaded],
        limits: Limits,
        before: &'a (dyn Fn(usize) -> Option<Job> + Sync),
    ) -> Pieces<'a> {
        Pieces {
            inputs,
            streams,
            limits,
            next: 0,
            current: None,
            before,
            kept: Vec::new(),
            ahead: None,
        }
    }

    /// The next tasks: one, or several small whole inputs in a row, which
    /// a worker takes as one unit of work. A task each cost two thread
    /// wake-ups (the result handed to the caller's thread, the window
    /// moved on), about 9 `futex` calls a file in a tree of 22,000 small
    /// files (strace), more than its system calls for reading and writing.
    fn next_group(&mut self) -> Option<Vec<Task>> {
        let mut group = Vec::new();
        let mut bytes = 0;
        while group.len() < GROUP_TASKS && bytes < GROUP_BYTES {
            let Some(task) = self.ahead.take().or_else(|| self.next()) else {
                break;
            };
            let size = match &task.job {
                Job::Piece(Piece::Batch(b)) if task.first && task.last => b.data.len(),
                Job::Piece(_) => usize::MAX,
                Job::End | Job::Failed(_) | Job::Resumed => 0,
            };
            if size > GROUP_BYTES && !group.is_empty() {
                self.ahead = Some(task);
                break;
            }
            bytes = bytes.saturating_add(size);
            group.push(task);
        }
        (!group.is_empty()).then_some(group)
    }

    fn next(&mut self) -> Option<Task> {
        loop {
            if let Some(open) = &mut self.current {
                let first = std::mem::replace(&mut open.first, false);
                let job = match open.reader.next_piece() {
                    Ok(Some(p)) => Job::Piece(p),
                    Ok(None) => Job::End,
                    Err(e) => Job::Failed(e),
                };
                let last = !matches!(job, Job::Piece(_)) || open.reader.is_done();
                let task = Task {
                    input: open.input,
                    first,
                    last,
                    taken: open.taken.as_ref().map_or(0, |t| t.load(Ordering::Relaxed)),
                    compression: open.compression,
                    job,
                };
                if last {
                    self.current = None;
                }
                return Some(task);
            }
            let i = self.next;
            if i >= self.inputs.len() {
                return None;
            }
            self.next += 1;
            let whole = |job| Task {
                input: i,
                first: true,
                last: true,
                taken: 0,
                compression: Compression::None,
                job,
            };
            let kept = self.kept.get_mut(i).and_then(Option::take);
            if let Some(job) = (self.before)(i) {
                return Some(whole(job));
            }
            if let Some((compression, batch)) = kept {
                return Some(Task {
                    compression,
                    ..whole(Job::Piece(Piece::Batch(batch)))
                });
            }
            match open_input(&self.inputs[i], &self.streams[i], self.limits) {
                Ok((compression, reader, taken)) => {
                    self.current = Some(Open {
                        input: i,
                        compression,
                        reader,
                        first: true,
                        taken,
                    })
                }
                Err(e) => return Some(whole(Job::Failed(e))),
            }
        }
    }
}

/// At most this many inputs are one unit of work ([`Pieces::next_group`]).
/// 64 files of the benchmark tree (9 KB each on average) are about 10 ms
/// of classification on one core: long enough that handing the work out
/// costs nothing next to it, short enough that the last group does not
/// leave the other threads idle for long.
const GROUP_TASKS: usize = 64;

/// And at most about this many bytes: an input bigger than this is a unit
/// of its own.
const GROUP_BYTES: usize = 1 << 20;

/// How many bytes of compressed inputs that pass 1 read whole (each in
/// one batch) it keeps, decompressed, in memory for pass 2 (`Kept`),
/// which then need not open, read and decompress them again. Plain files
/// are read again: keeping them all (the 199 MB benchmark tree) saved 4 of
/// a file's 17 system calls but cost as many page faults (22,000 to 84,000)
/// for the memory it held, and the run took as long (`perf stat`
/// task-clock, 5.5 to 6.1 s either way, 1 and 2 threads); a compressed
/// file read again is decompressed again. A big input's batches are
/// read again too. 256 MiB, about 1 % of this project's machines' memory,
/// bounds what the run holds besides its batches in flight and the
/// statistics.
pub const KEEP_BYTES: usize = 256 << 20;

/// The inputs that pass 1 keeps for pass 2, by input, within
/// [`KEEP_BYTES`].
type Kept = Vec<Option<(Compression, Batch)>>;

/// What pass 1 gives: the table, the statistics, the errors of inputs that
/// could not be read (when not reported) and the inputs kept for pass 2.
type Pass1 = (LineStats, RunStats, Vec<Option<Error>>, Kept);

/// Pass 1 over all inputs; `report` says whether problems are reported and
/// counted (in [`clean`], pass 2 reports them instead, once, and pass 1
/// keeps inputs for it). Without `report`, the bad records of the inputs
/// that `resumed` marks are still reported and counted: pass 2 leaves their
/// finished outputs alone and does not read them ([`Options::resume`]). Returns, with the table and the statistics, the
/// error of each input that could not be read (when not reported) and the
/// inputs kept for pass 2.
fn pass1(
    exec: &Exec,
    inputs: &[Input],
    streams: &[Preloaded],
    opts: &Options,
    events: &dyn Events,
    report: bool,
    resumed: &[bool],
) -> Result<Pass1, Error> {
    let started = Instant::now();
    let mut kept: Kept = Vec::new();
    let mut keep_left = if report { 0 } else { opts.keep };
    events.pass_started(1, inputs.len(), inputs.iter().map(|i| i.size).sum());
    let mut table = match opts.sketch {
        Some(shape) => LineStats::try_with_sketch(shape)?,
        None => LineStats::new(),
    };
    let mut run = RunStats::default();
    let mut failed: Vec<Option<Error>> = Vec::new();
    // A file given twice (as a file and in a folder given too, or reached
    // through a symbolic link) is one file of the corpus: its lines are
    // counted once, and it is written for each time it is given.
    let (repeats, first) = crate::input::repeated_files(inputs);
    if let Some((i, of)) = first {
        let n = repeats.iter().filter(|&&r| r).count();
        let (again, before) = (inputs[i].display_path(), inputs[of].display_path());
        let also = if again == before {
            String::new()
        } else {
            format!(", given before as {}", before.display())
        };
        events.notice(&format!(
            "{n} input{} given more than once (the first: {}{also}): each file's lines are \
             counted once in the statistics",
            if n == 1 { " is a file" } else { "s are files" },
            again.display(),
        ));
    }
    let before = |i: usize| repeats[i].then_some(Job::End);
    let mut source = Pieces::new(inputs, streams, opts.limits, &before);
    // With one thread, the batches are counted into one table. With more,
    // each batch is counted into a table of its own (bounded by the batch
    // size), which the caller's thread adds into the corpus table while the
    // workers count the next batches. `+` on tables is commutative and
    // associative, so the sum is the same table for any thread count and
    // batch size. Measured on the benchmark JSONL (202 MB, mostly distinct
    // lines) with 2 threads: 0.27 s this way against 0.57 s when each worker
    // kept a table of its own and the worker tables were summed at the end
    // (that sum does as many upserts as counting did, on one thread, and
    // made 2 threads slower than 1: 0.44 s); the evaluation JSONL 0.29
    // against 0.31 s, the 22,000-file tree 0.60 against 0.81 s.
    //
    // A sketch is counted the same way, and must be: its conservative
    // update depends on the order of the counts, and the batches are added
    // in input order, which gives the same sketch for any thread count.
    let tables: Mutex<Vec<LineStats>> = Mutex::new(Vec::new());
    let observe = |task| {
        if opts.sketch.is_some() || exec.threads > 1 {
            let mut t = LineStats::new();
            let mut o = observe_task(inputs, task, &opts.format, &mut t);
            o.table = Some(t);
            return o;
        }
        let taken = tables.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let mut t = taken.unwrap_or_default();
        let o = observe_task(inputs, task, &opts.format, &mut t);
        tables.lock().unwrap_or_else(|p| p.into_inner()).push(t);
        o
    };
    let mut errors = RecordErrors::default();
    let mut sink1 = |mut o: Observed| {
        if let Some((c, batch)) = o.kept.take() {
            if batch.data.capacity() <= keep_left {
                keep_left -= batch.data.capacity();
                kept.resize_with(inputs.len(), || None);
                kept[o.input] = Some((c, batch));
            }
        }
        if let Some(t) = o.table.take() {
            table += t;
        }
        if report {
            for e in o.problems.iter().chain(&o.failed) {
                errors.report(events, e);
            }
            if o.last {
                errors.end(events, &inputs[o.input]);
            }
            run += o.run;
        } else {
            run.bytes_read[0] += o.run.bytes_read[0];
            if resumed.get(o.input).is_some_and(|&r| r) {
                for e in &o.problems {
                    errors.report(events, e);
                }
                if o.last {
                    errors.end(events, &inputs[o.input]);
                }
                run.bad_records += o.run.bad_records;
            }
            if let Some(e) = o.failed {
                failed.resize_with(o.input + 1, || None);
                failed[o.input] = Some(e);
            }
        }
        if o.taken > 0 {
            events.input_progress(1, &inputs[o.input], o.taken);
        }
        if o.last {
            events.input_done(1, &inputs[o.input]);
        }
    };
    let observe_group = |group: Vec<Task>| group.into_iter().map(observe).collect::<Vec<_>>();
    exec.run_stream(
        &mut || source.next_group(),
        &observe_group,
        &mut |os: Vec<Observed>| {
            for o in os {
                sink1(o);
            }
            true
        },
    );
    // The largest worker table is the start of the sum, the others are added
    // into it. Adding a table into a smaller one (the empty `table` above)
    // inserts its keys in its slot order, which is the order of their home
    // slots, and fills the smaller table's first slots as one long probe
    // run until it has grown: on an 11.7 MB JSONL sample with one thread
    // that sum was 57 % of the run's instructions (callgrind), more than
    // counting the lines. A table at least as large spreads the same keys
    // out as evenly as the source held them. Any order gives the same sum.
    let mut tables = tables.into_inner().unwrap_or_else(|p| p.into_inner());
    tables.sort_by_key(|t| std::cmp::Reverse(t.distinct_lines()));
    let mut tables = tables.into_iter();
    if opts.sketch.is_none() {
        if let Some(first) = tables.next() {
            debug_assert_eq!(table.documents(), 0);
            table = first;
        }
    }
    for t in tables {
        table += t;
    }
    run.time[0] = started.elapsed();
    Ok((table, run, failed, kept))
}

/// One piece's pass-1 result.
struct Observed {
    input: usize,
    last: bool,
    /// [`Task::taken`].
    taken: u64,
    run: RunStats,
    problems: Vec<Error>,
    failed: Option<Error>,
    /// The piece's own table, when pass 1 fills a sketch (added in order).
    table: Option<LineStats>,
    /// The input, when it was read whole in this piece: pass 1 may keep it
    /// for pass 2.
    kept: Option<(Compression, Batch)>,
}

/// Counts the documents of one piece into `table`.
fn observe_task(
    inputs: &[Input],
    task: Task,
    fopts: &FormatOptions,
    table: &mut LineStats,
) -> Observed {
    let input = &inputs[task.input];
    let mut o = Observed {
        input: task.input,
        last: task.last,
        taken: task.taken,
        run: RunStats {
            inputs: u64::from(task.first),
            ..RunStats::default()
        },
        problems: Vec::new(),
        failed: None,
        table: None,
        kept: None,
    };
    let whole = task.first && task.last;
    let run = &mut o.run;
    match task.job {
        Job::Failed(e) => {
            run.bad_inputs = 1;
            o.failed = Some(e);
        }
        Job::End | Job::Resumed => {}
        Job::Piece(Piece::Oversized { bytes, problem }) => {
            run.bytes_read[0] = bytes.len() as u64;
            if let Some(e) = problem {
                run.bad_records += 1;
                o.problems.push(e);
            }
        }
        Job::Piece(Piece::Batch(b)) => {
            run.bytes_read[0] = b.end as u64;
            let path = input.display_path();
            for item in b.records(input.format, path, input.site.as_deref(), fopts) {
                match item {
                    Item::Doc(d) => {
                        // The lines are counted as `observe` splits them,
                        // not in a split of their own.
                        let lines = crate::cleaner::observe_document(&d.document(), table);
                        run.documents_in += 1;
                        run.text_in += Count {
                            lines: lines as u64,
                            bytes: d.text.len() as u64,
                        };
                    }
                    Item::Malformed { error, .. } => {
                        run.bad_records += 1;
                        o.problems.push(error);
                    }
                    Item::NoText { .. } => run.records_without_text += 1,
                    Item::Verbatim(_) => {}
                }
            }
            if whole && task.compression != Compression::None {
                // The reader's buffer has room for 64 KiB at least; a kept
                // small file holds only its bytes.
                let mut b = b;
                if b.data.capacity() > b.data.len() + b.data.len() / 4 {
                    b.data.shrink_to_fit();
                }
                o.kept = Some((task.compression, b));
            }
        }
    }
    o
}

/// One piece's pass-2 result.
struct Cleaned {
    input: usize,
    first: bool,
    last: bool,
    /// [`Task::taken`].
    taken: u64,
    compression: Compression,
    /// JSONL records without a text field (the piece's statistics are
    /// counted into its group's, [`clean_task`]).
    records_without_text: u64,
    problems: Vec<Error>,
    /// Whether the input was skipped because its output was done
    /// ([`Options::resume`]).
    resumed: bool,
    /// Whether the input cannot be read from this piece on.
    failed: bool,
    /// The output bytes: for [`Output::Dir`], compressed as the input (a
    /// member or frame of its own), unless the worker wrote the whole output
    /// file itself (`written`).
    bytes: Vec<u8>,
    written: bool,
    /// Lines too long to classify, passed through.
    long_lines: usize,
    /// The line of the first record without a text field.
    no_text: Option<u64>,
}

/// Cleans one piece, counting its statistics into `run`.
fn clean_task(
    inputs: &[Input],
    task: Task,
    cleaner: &Cleaner,
    table: &LineStats,
    opts: &Options,
    run: &mut RunStats,
) -> Cleaned {
    let input = &inputs[task.input];
    run.inputs += u64::from(task.first);
    let mut done = Cleaned {
        input: task.input,
        first: task.first,
        last: task.last,
        taken: task.taken,
        compression: task.compression,
        records_without_text: 0,
        problems: Vec::new(),
        resumed: false,
        failed: false,
        bytes: Vec::new(),
        // An input in one piece is handled here whole, output file included.
        written: task.first && task.last && matches!(opts.output, Output::Dir(_)),
        long_lines: 0,
        no_text: None,
    };
    let mut out = Vec::new();
    let wrote_any = match task.job {
        Job::Resumed => {
            done.resumed = true;
            return done;
        }
        Job::Failed(e) => {
            run.bad_inputs += 1;
            done.problems.push(e);
            done.failed = true;
            return done;
        }
        Job::End => return done,
        Job::Piece(Piece::Oversized { bytes, problem }) => {
            run.bytes_read[1] += bytes.len() as u64;
            if let Some(e) = problem {
                run.bad_records += 1;
                if opts.explain {
                    explain::note(&mut out, &format!("{e}"));
                }
                done.problems.push(e);
            }
            if !opts.explain {
                out = bytes;
            }
            true
        }
        Job::Piece(Piece::Batch(b)) => {
            run.bytes_read[1] += b.end as u64;
            out.reserve(b.end);
            let against = (cleaner, table);
            clean_batch(input, &b, against, opts, &mut out, &mut done, run)
        }
    };
    match &opts.output {
        Output::Stream => done.bytes = out,
        Output::Dir(dir) if task.first && task.last => {
            // The whole input in one piece: its output is written here, in
            // parallel with other inputs' (creating files is what costs in
            // a tree of small ones).
            // A text input whose one document was dropped by --drop-empty
            // gets no output file.
            if input.format == Format::Text && !wrote_any {
                return done;
            }
            let target = dir.join(&input.relative);
            // Uncompressed, `out` is written in one call; an encoder
            // writes in pieces, which the buffer gathers.
            let buffer = if task.compression == Compression::None {
                0
            } else {
                1 << 16
            };
            let result = write_atomically_in(&target, true, buffer, |w| {
                let mut e = Encoder::new(w, task.compression)?;
                e.write_all(&out)?;
                e.finish()?;
                Ok(())
            });
            if let Err(e) = result {
                run.bad_inputs += 1;
                done.problems.push(e);
            }
        }
        Output::Dir(_) if out.is_empty() || task.compression == Compression::None => {
            done.bytes = out;
        }
        Output::Dir(_) => {
            // A member (gzip) or frame (zstd) per piece: concatenated, they
            // are one valid stream, and they are compressed in parallel.
            done.bytes = compressed(&out, task.compression);
        }
    }
    done
}

/// `data` compressed as a stream of its own.
fn compressed(data: &[u8], c: Compression) -> Vec<u8> {
    let mut e = Encoder::new(Vec::with_capacity(data.len() / 3), c)
        .expect("an encoder into memory cannot fail");
    e.write_all(data).expect("writing to memory cannot fail");
    e.finish().expect("writing to memory cannot fail")
}

/// Takes the pass-2 results in order: writes the output stream, or the
/// output files of inputs cleaned in several pieces, and adds up the
/// statistics.
struct Sink<'a> {
    inputs: &'a [Input],
    opts: &'a Options,
    stream: &'a mut dyn Write,
    events: &'a dyn Events,
    run: RunStats,
    resumed: u64,
    stream_error: Option<io::Error>,
    /// The output file of the input in progress (several pieces); `None`
    /// also after it failed.
    file: Option<AtomicFile>,
    /// Whether anything was written to `file`.
    file_used: bool,
    /// Per input: lines too long to classify; records without text, and the
    /// line of the first.
    long_lines: usize,
    no_text: (u64, Option<u64>),
    errors: RecordErrors,
}

impl<'a> Sink<'a> {
    fn new(
        inputs: &'a [Input],
        opts: &'a Options,
        stream: &'a mut dyn Write,
        events: &'a dyn Events,
    ) -> Sink<'a> {
        Sink {
            inputs,
            opts,
            stream,
            events,
            run: RunStats::default(),
            resumed: 0,
            stream_error: None,
            file: None,
            file_used: false,
            long_lines: 0,
            no_text: (0, None),
            errors: RecordErrors::default(),
        }
    }

    /// Takes one result; false when the output stream failed.
    fn take(&mut self, done: Cleaned) -> bool {
        let input = &self.inputs[done.input];
        for e in &done.problems {
            self.errors.report(self.events, e);
        }
        self.resumed += u64::from(done.resumed);
        self.long_lines += done.long_lines;
        self.no_text.0 += done.records_without_text;
        if self.no_text.1.is_none() {
            self.no_text.1 = done.no_text;
        }
        match &self.opts.output {
            Output::Stream => {
                if let Err(e) = self.stream.write_all(&done.bytes) {
                    self.stream_error = Some(e);
                    return false;
                }
            }
            Output::Dir(_) if done.written => {}
            Output::Dir(dir) => {
                if done.first {
                    let target = dir.join(&input.relative);
                    self.file_used = false;
                    match AtomicFile::create(&target, true, 1 << 16) {
                        Ok(f) => self.file = Some(f),
                        Err(e) => self.fail(e),
                    }
                }
                if done.failed {
                    if let Some(f) = self.file.take() {
                        f.abandon();
                    }
                } else if let Some(f) = &mut self.file {
                    self.file_used |= !done.bytes.is_empty();
                    if let Err(e) = f.write(&done.bytes) {
                        let e = f.error(e);
                        self.file.take().expect("open").abandon();
                        self.fail(e);
                    }
                }
                if done.last {
                    if let Some(mut f) = self.file.take() {
                        // A compressed output is a valid stream even when
                        // nothing was written to it.
                        let mut result = Ok(());
                        if !self.file_used && done.compression != Compression::None {
                            result = f.write(&compressed(&[], done.compression));
                        }
                        match result.map_err(|e| f.error(e)).and_then(|()| f.finish()) {
                            Ok(()) => {}
                            Err(e) => self.fail(e),
                        }
                    }
                }
            }
        }
        if done.last {
            self.errors.end(self.events, input);
            let shown = input.display_path().to_string_lossy();
            if self.long_lines > 0 {
                self.events.notice(&format!(
                    "{shown}: {} longer than {} MiB passed through unclassified",
                    crate::report::plural(self.long_lines as u64, "line"),
                    MAX_LINE >> 20
                ));
            }
            if let (n, Some(first)) = self.no_text {
                self.events.notice(&format!(
                    "{shown}: {} without a string field {:?} (first at line {first}) \
                     passed through unchanged",
                    crate::report::plural(n, "record"),
                    self.opts.format.text_field
                ));
            }
            self.long_lines = 0;
            self.no_text = (0, None);
        }
        if done.taken > 0 {
            self.events.input_progress(2, input, done.taken);
        }
        if done.last {
            self.events.input_done(2, input);
        }
        true
    }

    fn fail(&mut self, e: Error) {
        self.events.problem(&e);
        self.run.bad_inputs += 1;
    }
}

/// Cleans the records of one batch into `out`, classified by the cleaner
/// against the table in `against`, counting its statistics into `run`.
/// Returns whether any document was written.
fn clean_batch(
    input: &Input,
    batch: &Batch,
    (cleaner, table): (&Cleaner, &LineStats),
    opts: &Options,
    out: &mut Vec<u8>,
    done: &mut Cleaned,
    run: &mut RunStats,
) -> bool {
    let path = input.display_path();
    let shown = path.to_string_lossy();
    // Reused from document to document.
    let mut verdicts = Vec::new();
    let mut fingerprints = Vec::new();
    let mut spans = Vec::new();
    let mut kept = Vec::new();
    let mut drops = Drops::default();
    let mut wrote_any = false;
    let records = batch.records(input.format, path, input.site.as_deref(), &opts.format);
    let mut long_lines = 0usize;
    for item in records {
        let doc = match item {
            Item::Verbatim(raw) => {
                if !opts.explain {
                    out.extend_from_slice(raw);
                }
                continue;
            }
            Item::Malformed { raw, error } => {
                run.bad_records += 1;
                if opts.explain {
                    explain::note(out, &format!("{error}; passed through unchanged"));
                } else {
                    out.extend_from_slice(raw);
                }
                done.problems.push(error);
                continue;
            }
            Item::NoText { raw, line } => {
                run.records_without_text += 1;
                done.records_without_text += 1;
                done.no_text.get_or_insert(line);
                if !opts.explain {
                    out.extend_from_slice(raw);
                }
                continue;
            }
            Item::Doc(d) => d,
        };
        let text: &[u8] = &doc.text;
        cleaner.classify_with_lines(
            &doc.document(),
            table,
            &mut verdicts,
            &mut fingerprints,
            &mut spans,
        );
        // Only a text over MAX_LINE can hold such a line: most documents
        // skip the pass over their verdicts.
        if text.len() > MAX_LINE {
            long_lines += verdicts
                .iter()
                .filter(|v| v.cause == crate::Cause::TooLong)
                .count();
        }
        run.documents_in += 1;
        let mut doc_in = Count::default();
        let mut doc_out = Count::default();
        for ((span, v), &fp) in spans.iter().zip(&verdicts).zip(&fingerprints) {
            let whole = span.end - span.start;
            doc_in += Count {
                lines: 1,
                bytes: whole as u64,
            };
            if v.keep {
                doc_out += Count {
                    lines: 1,
                    bytes: whole as u64,
                };
            } else {
                drops.add(cleaner.cause_name(&v.cause), whole);
                if fp != 0 && opts.top_dropped {
                    run.top.add(fp, 1, span.content(text));
                }
            }
        }
        // A real assert, not a debug one: `write_kept_at` zips lines with
        // verdicts, and a short verdict list would silently drop text.
        assert_eq!(
            doc_in.lines as usize,
            verdicts.len(),
            "the classifier must give one verdict per line"
        );
        run.text_in += doc_in;
        let unchanged = doc_out.lines == doc_in.lines;
        // A text file's kept lines are its output: they are written in place
        // rather than through a copy, since a file can be one huge line.
        let in_place = !unchanged && !opts.explain && doc.is_bare_text();
        let start = out.len();
        let blank = |b: &[u8]| String::from_utf8_lossy(b).trim().is_empty();
        let dropped_empty = if in_place {
            write_kept_at(text, spans.iter().copied(), &verdicts, out);
            let empty = opts.drop_empty && blank(&out[start..]);
            if empty {
                out.truncate(start);
            }
            empty
        } else if unchanged {
            opts.drop_empty && blank(text)
        } else if opts.drop_empty {
            kept.clear();
            write_kept_at(text, spans.iter().copied(), &verdicts, &mut kept);
            blank(&kept)
        } else {
            false
        };
        if dropped_empty {
            *run.dropped.entry(EMPTY_DOCUMENT.to_string()).or_default() += doc_out;
        } else {
            run.documents_out += 1;
            run.text_out += doc_out;
            wrote_any = true;
        }
        if opts.explain {
            explain::header(out, &shown, input.format, &doc);
            explain::lines(out, cleaner, text, &verdicts);
            if dropped_empty {
                explain::note(out, "document dropped: no text left (--drop-empty)");
            }
        } else if dropped_empty || in_place {
        } else if unchanged {
            out.extend_from_slice(doc.raw);
        } else if opts.drop_empty {
            doc.write_cleaned(&kept, out);
        } else {
            doc.write_kept(&spans, &verdicts, &mut kept, out);
        }
    }
    drops.add_to(run);
    done.long_lines += long_lines;
    wrote_any
}

/// Dropped lines and bytes by reason, as [`RunStats::drop_line`] counts
/// them, gathered over a batch and added to the run's map once: a lookup in
/// that map by name for every dropped line cost about 1 % of a run's
/// instructions. A batch meets a few reasons, each always the same `&str`
/// (a cause kind, or a lexicon category of the one cleaner), so a short list
/// searched by address does.
#[derive(Default)]
struct Drops<'a> {
    by_reason: Vec<(&'a str, Count)>,
}

impl<'a> Drops<'a> {
    fn add(&mut self, reason: &'a str, whole: usize) {
        let c = Count {
            lines: 1,
            bytes: whole as u64,
        };
        match self
            .by_reason
            .iter_mut()
            .find(|(r, _)| std::ptr::eq(*r, reason) || *r == reason)
        {
            Some((_, n)) => *n += c,
            None => self.by_reason.push((reason, c)),
        }
    }

    fn add_to(self, run: &mut RunStats) {
        for (reason, c) in self.by_reason {
            *run.dropped.entry(reason.to_string()).or_default() += c;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::fs;
    use std::path::Path;

    #[test]
    fn pass_one_counts_what_the_cleaner_observes() {
        // Lines that normalise alike and apart, a blank line, a site, a
        // lexicon phrase (which a cleaner matches, and pass 1 must not care).
        let docs: [(&[u8], Option<&str>); 4] = [
            (
                b"Share this article\n\nThe  Council met on Tuesday.\r\nRead more",
                Some("a.org"),
            ),
            (
                b"SHARE THIS ARTICLE\nthe council met on tuesday.\n",
                Some("a.org"),
            ),
            (
                b"Subscribe to our newsletter\n\xc3\xa9t\xc3\xa9 2024\n",
                None,
            ),
            (b"", Some("b.org")),
        ];
        let cleaner = Cleaner::new();
        let (mut ours, mut theirs) = (LineStats::new(), LineStats::new());
        for (text, site) in docs {
            let doc = crate::Document { text, site };
            crate::cleaner::observe_document(&doc, &mut ours);
            cleaner.observe(&doc, &mut theirs);
        }
        let bytes = |t: &LineStats| {
            let mut v = Vec::new();
            t.write_to(&mut v).unwrap();
            v
        };
        assert!(ours.distinct_lines() > 3);
        assert_eq!(bytes(&ours), bytes(&theirs));
    }

    #[test]
    fn inputs_kept_from_pass_one_clean_as_inputs_read_again() {
        // Small files of three sites (text, gzipped text, JSONL), a few
        // kept, all kept, none kept; in small groups and with 1 and 2
        // threads: the same output tree.
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("in");
        for site in ["a", "b", "c"] {
            fs::create_dir_all(src.join(site)).unwrap();
            for i in 0..30 {
                let text = format!(
                    "Home | News | {site}\nStory {i} of the site {site}, which is long enough to keep.\n\
                     Share this article\nSubscribe to our newsletter\n"
                );
                fs::write(src.join(site).join(format!("{i}.txt")), &text).unwrap();
            }
        }
        fs::write(
            src.join("c/z.txt.gz"),
            compressed(b"Share this article\nA gzipped page.\n", Compression::Gzip),
        )
        .unwrap();
        fs::write(
            src.join("c/docs.jsonl"),
            "{\"text\":\"Share this article\\nOne\",\"url\":\"http://a/\"}\nnot json\n",
        )
        .unwrap();
        let found = crate::input::discover(std::slice::from_ref(&src), None);
        let cleaner = Cleaner::new();
        let tree = |out: &Path| {
            let mut files = BTreeMap::new();
            for site in fs::read_dir(out).unwrap() {
                for f in fs::read_dir(site.unwrap().path()).unwrap() {
                    let p = f.unwrap().path();
                    files.insert(
                        p.strip_prefix(out).unwrap().to_path_buf(),
                        fs::read(&p).unwrap(),
                    );
                }
            }
            files
        };
        let mut outputs = Vec::new();
        for (n, (keep, threads)) in [(0, 1), (KEEP_BYTES, 1), (KEEP_BYTES, 2), (3000, 2)]
            .into_iter()
            .enumerate()
        {
            let out = dir.path().join(format!("out{n}"));
            let opts = Options {
                threads,
                keep,
                output: Output::Dir(out.clone()),
                ..Options::default()
            };
            let run = clean(&found.inputs, &cleaner, &opts, &mut io::sink(), &Silent).unwrap();
            assert_eq!(run.bad_records, 1);
            outputs.push(tree(&out));
        }
        assert_eq!(outputs[0].len(), 92);
        assert!(outputs.iter().all(|o| *o == outputs[0]));
    }

    #[test]
    fn binary_means_a_nul_near_the_start() {
        assert_eq!(binary_offset(b"text\0more"), Some(4));
        assert_eq!(binary_offset(b"plain text"), None);
        let mut late = vec![b'a'; BINARY_PROBE];
        late.push(0);
        assert_eq!(binary_offset(&late), None);
    }
}
