//! Python bindings of boilerstrip: the module `boilerstrip._native`, which
//! the Python package `boilerstrip` re-exports.
//!
//! Everything here is a thin layer over the library's public API, so that
//! Python gets the command line's results byte for byte:
//!
//! - texts: [`learn`] is pass 1 ([`Cleaner::observe`]) over documents,
//!   [`clean`] and [`clean_batch`] are pass 2 ([`Cleaner::classify`] and
//!   [`write_kept`]); a text file given to the command line is one such
//!   document, its site the name of its folder;
//! - files: [`discover`], [`learn_files`] and [`clean_files`] run
//!   [`boilerstrip::pipeline`] itself over a list of inputs, which is how
//!   the Spark job splits a corpus across machines;
//! - [`Model`] wraps [`LineStats`]: `+` merges, and the bytes are those of
//!   `boilerstrip learn -o`.
//!
//! The Rust work runs with the GIL released (`Python::detach`): texts are
//! copied out of Python objects first, and results turned into Python
//! objects after.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use boilerstrip::cleaner::write_kept;
use boilerstrip::format::{Format, FormatOptions};
use boilerstrip::pipeline::{self, mask_long_lines, Events, Options, Output, MAX_LINE};
use boilerstrip::{Cause, Cleaner, Document, Error, LineStats, Verdict};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use rayon::prelude::*;

/// The cleaner with the built-in lexicon and model and the command line's
/// default settings (`CleanerBuilder::new()` is what `boilerstrip clean`
/// builds without flags), built once per process.
fn cleaner() -> &'static Cleaner {
    static CLEANER: OnceLock<Cleaner> = OnceLock::new();
    CLEANER.get_or_init(Cleaner::new)
}

/// Corpus statistics learned from documents (pass 1): in how many documents,
/// and how many of the same site, each normalised line occurs.
///
/// A model is a value: ``a + b`` (or ``a.merge(b)``) adds two models, in any
/// order and any grouping with the same result, so models learned on shards
/// merge into the model of the whole corpus. ``Model()`` is the empty model,
/// the identity of ``+``. Its bytes (``to_bytes``, ``save``) are the model
/// file of ``boilerstrip learn -o``; each loads where the other was written.
#[pyclass(module = "boilerstrip", name = "Model", frozen)]
struct Model {
    stats: Arc<LineStats>,
}

impl Model {
    fn of(stats: LineStats) -> Model {
        Model {
            stats: Arc::new(stats),
        }
    }
}

#[pymethods]
impl Model {
    /// The empty model.
    #[new]
    fn new() -> Model {
        Model::of(LineStats::new())
    }

    /// Number of documents counted.
    #[getter]
    fn documents(&self) -> u64 {
        self.stats.documents()
    }

    /// Number of distinct sites counted.
    #[getter]
    fn sites(&self) -> usize {
        self.stats.sites()
    }

    /// Number of distinct normalised lines counted.
    #[getter]
    fn distinct_lines(&self) -> usize {
        self.stats.distinct_lines()
    }

    /// The sum of this model and ``other`` (neither is changed).
    fn merge(&self, py: Python<'_>, other: &Model) -> Model {
        let (a, b) = (Arc::clone(&self.stats), Arc::clone(&other.stats));
        py.detach(move || Model::of((*a).clone() + (*b).clone()))
    }

    fn __add__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Model> {
        let other = other
            .cast::<Model>()
            .map_err(|_| PyTypeError::new_err("a Model can only be added to a Model"))?;
        Ok(self.merge(py, other.get()))
    }

    /// ``0 + model`` is ``model``, so ``sum(models)`` works.
    fn __radd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Model> {
        if other.extract::<i64>().is_ok_and(|n| n == 0) {
            return Ok(Model {
                stats: Arc::clone(&self.stats),
            });
        }
        self.__add__(py, other)
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<Model>()
            .is_ok_and(|o| *o.get().stats == *self.stats)
    }

    fn __repr__(&self) -> String {
        format!(
            "Model(documents={}, sites={}, distinct_lines={})",
            self.stats.documents(),
            self.stats.sites(),
            self.stats.distinct_lines()
        )
    }

    /// The model file's bytes (versioned and checksummed, as
    /// ``boilerstrip learn -o`` writes it).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let stats = Arc::clone(&self.stats);
        let bytes = py.detach(move || {
            let mut out = Vec::new();
            stats.write_to(&mut out).map(|()| out)
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// Reads a model from the bytes of a model file; ``ValueError`` if they
    /// are not one (wrong magic, version or checksum, truncated).
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<Model> {
        let data = data.to_vec();
        py.detach(move || LineStats::read_from(&data[..]))
            .map(Model::of)
            .map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// Writes the model file to ``path`` (through a temporary file renamed
    /// when complete, as the command line does).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let stats = Arc::clone(&self.stats);
        py.detach(move || pipeline::write_atomically(&path, |w| stats.write_to(w)))
            .map_err(to_py)
    }

    /// Reads the model file at ``path`` (``boilerstrip learn -o`` writes
    /// one).
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<Model> {
        py.detach(move || {
            let f = std::fs::File::open(&path).map_err(|source| Error::File {
                path: path.clone(),
                source,
            })?;
            LineStats::read_from(io::BufReader::new(f))
        })
        .map(Model::of)
        .map_err(to_py)
    }

    /// Pickling goes through the model file's bytes.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, PyBytes>,))> {
        let py = slf.py();
        let from_bytes = slf.get_type().getattr("from_bytes")?;
        Ok((from_bytes, (slf.get().to_bytes(py)?,)))
    }
}

fn to_py(e: Error) -> PyErr {
    match e {
        Error::File { .. } | Error::Io(_) => PyOSError::new_err(e.to_string()),
        _ => PyValueError::new_err(e.to_string()),
    }
}

/// A text as Python gave it: `str` comes back as `str`, `bytes` as `bytes`.
enum Text {
    Str(String),
    Bytes(Vec<u8>),
}

impl Text {
    fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Text> {
        if let Ok(b) = obj.cast::<PyBytes>() {
            return Ok(Text::Bytes(b.as_bytes().to_vec()));
        }
        if obj.is_instance_of::<PyString>() {
            return Ok(Text::Str(obj.extract()?));
        }
        Err(PyTypeError::new_err(format!(
            "a text must be str or bytes, not {}",
            obj.get_type().name()?
        )))
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Text::Str(s) => s.as_bytes(),
            Text::Bytes(b) => b,
        }
    }

    /// `kept` (whole lines of this text) as the same kind of object.
    fn same_kind(&self, py: Python<'_>, kept: Vec<u8>) -> Py<PyAny> {
        match self {
            // Whole lines of valid UTF-8, split at ASCII line ends, are
            // valid UTF-8.
            Text::Str(_) => String::from_utf8(kept)
                .expect("kept lines of a str are UTF-8")
                .into_pyobject(py)
                .expect("a str converts")
                .into_any()
                .unbind(),
            Text::Bytes(_) => PyBytes::new(py, &kept).into_any().unbind(),
        }
    }
}

fn texts_from_py(texts: &Bound<'_, PyAny>) -> PyResult<Vec<Text>> {
    if texts.is_instance_of::<PyString>() || texts.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "expected an iterable of texts, not a single text",
        ));
    }
    texts.try_iter()?.map(|t| Text::from_py(&t?)).collect()
}

fn sites_from_py(sites: Option<&Bound<'_, PyAny>>, n: usize) -> PyResult<Vec<Option<String>>> {
    let Some(sites) = sites else {
        return Ok(vec![None; n]);
    };
    if sites.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "sites must be an iterable with one site (or None) per text",
        ));
    }
    let sites: Vec<Option<String>> = sites
        .try_iter()?
        .map(|s| s?.extract::<Option<String>>())
        .collect::<PyResult<_>>()?;
    if sites.len() != n {
        return Err(PyValueError::new_err(format!(
            "{} texts but {} sites",
            n,
            sites.len()
        )));
    }
    Ok(sites)
}

fn observe(text: &[u8], site: Option<&str>, stats: &mut LineStats) {
    match mask_long_lines(text) {
        None => cleaner().observe(&doc(text, site), stats),
        Some((masked, _)) => cleaner().observe(&doc(&masked, site), stats),
    }
}

fn doc<'a>(text: &'a [u8], site: Option<&'a str>) -> Document<'a> {
    Document { text, site }
}

fn classify(text: &[u8], site: Option<&str>, stats: &LineStats) -> Vec<Verdict> {
    match mask_long_lines(text) {
        None => cleaner().classify(&doc(text, site), stats),
        Some((masked, which)) => {
            let mut v = cleaner().classify(&doc(&masked, site), stats);
            for i in which {
                if let Some(v) = v.get_mut(i) {
                    v.keep = true;
                    v.cause = Cause::TooLong;
                }
            }
            v
        }
    }
}

fn kept(text: &[u8], site: Option<&str>, stats: &LineStats) -> Vec<u8> {
    let verdicts = classify(text, site, stats);
    let mut out = Vec::with_capacity(text.len());
    write_kept(text, &verdicts, &mut out);
    out
}

/// The statistics of `texts` (pass 1), counted in parallel and summed.
fn learn_all(texts: &[Text], sites: &[Option<String>]) -> LineStats {
    texts
        .par_iter()
        .zip(sites)
        .fold(LineStats::new, |mut s, (t, site)| {
            observe(t.bytes(), site.as_deref(), &mut s);
            s
        })
        .reduce(LineStats::new, |a, b| a + b)
}

/// Learns a model from ``texts`` (pass 1): each text is one document, its
/// site the matching entry of ``sites`` (or none).
#[pyfunction]
#[pyo3(signature = (texts, sites = None))]
fn learn(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    sites: Option<&Bound<'_, PyAny>>,
) -> PyResult<Model> {
    let texts = texts_from_py(texts)?;
    let sites = sites_from_py(sites, texts.len())?;
    Ok(py.detach(move || Model::of(learn_all(&texts, &sites))))
}

/// The sum of ``models`` (the empty model if there are none).
#[pyfunction]
fn merge(py: Python<'_>, models: &Bound<'_, PyAny>) -> PyResult<Model> {
    let stats: Vec<Arc<LineStats>> = models
        .try_iter()?
        .map(|m| {
            let m = m?;
            let m = m
                .cast::<Model>()
                .map_err(|_| PyTypeError::new_err("merge takes an iterable of Model"))?;
            Ok(Arc::clone(&m.get().stats))
        })
        .collect::<PyResult<_>>()?;
    Ok(py.detach(move || {
        Model::of(
            stats
                .iter()
                .fold(LineStats::new(), |acc, s| acc + (**s).clone()),
        )
    }))
}

/// The statistics to clean with: the model's, or those of `own` alone.
fn stats_or<'a>(model: Option<&'a Model>, own: &'a Option<LineStats>) -> &'a LineStats {
    match model {
        Some(m) => &m.stats,
        None => own
            .as_ref()
            .expect("statistics learned when no model is given"),
    }
}

/// The statistics of `text` alone, when no model is given.
fn own_stats(model: Option<&Model>, text: &[u8], site: Option<&str>) -> Option<LineStats> {
    model.is_none().then(|| {
        let mut s = LineStats::new();
        observe(text, site, &mut s);
        s
    })
}

/// Cleans one text: its kept lines, byte for byte with their line ends,
/// as ``str`` for a ``str`` and ``bytes`` for ``bytes``. Without a model,
/// the statistics are those of this text alone, as ``boilerstrip clean``
/// on a single file.
#[pyfunction]
#[pyo3(signature = (text, model = None, site = None))]
fn clean(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    model: Option<&Model>,
    site: Option<String>,
) -> PyResult<Py<PyAny>> {
    let text = Text::from_py(text)?;
    let out = py.detach(|| {
        let own = own_stats(model, text.bytes(), site.as_deref());
        kept(text.bytes(), site.as_deref(), stats_or(model, &own))
    });
    Ok(text.same_kind(py, out))
}

/// Cleans many texts in parallel. Without a model, a model is learned over
/// ``texts`` first, as ``boilerstrip clean`` does over a corpus.
#[pyfunction]
#[pyo3(signature = (texts, sites = None, model = None))]
fn clean_batch(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    sites: Option<&Bound<'_, PyAny>>,
    model: Option<&Model>,
) -> PyResult<Vec<Py<PyAny>>> {
    let texts = texts_from_py(texts)?;
    let sites = sites_from_py(sites, texts.len())?;
    let outs: Vec<Vec<u8>> = py.detach(|| {
        let own = model.is_none().then(|| learn_all(&texts, &sites));
        let stats = stats_or(model, &own);
        texts
            .par_iter()
            .zip(&sites)
            .map(|(t, s)| kept(t.bytes(), s.as_deref(), stats))
            .collect()
    });
    Ok(texts
        .iter()
        .zip(outs)
        .map(|(t, o)| t.same_kind(py, o))
        .collect())
}

/// One line's verdict for Python: `(keep, score, cause, line)`.
type LineVerdict = (bool, f32, String, Py<PyAny>);

/// Every line of ``text`` with its verdict: a list of ``(keep, score,
/// cause, line)``, ``cause`` worded as ``boilerstrip clean --explain``
/// words it and ``line`` without its line end. Statistics as for
/// ``clean``.
#[pyfunction]
#[pyo3(signature = (text, model = None, site = None))]
fn explain(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    model: Option<&Model>,
    site: Option<String>,
) -> PyResult<Vec<LineVerdict>> {
    let text = Text::from_py(text)?;
    let verdicts = py.detach(|| {
        let own = own_stats(model, text.bytes(), site.as_deref());
        classify(text.bytes(), site.as_deref(), stats_or(model, &own))
    });
    let bytes = text.bytes();
    Ok(boilerstrip::line::lines(bytes)
        .zip(&verdicts)
        .map(|(span, v)| {
            let content = span.content(bytes).to_vec();
            (
                v.keep,
                v.score,
                cleaner().describe(&v.cause),
                text.same_kind(py, content),
            )
        })
        .collect())
}

/// One input file as `discover` found it: `(path, relative, site, format)`.
type FileTuple = (PathBuf, PathBuf, Option<String>, String);

/// The input files under ``paths`` exactly as ``boilerstrip clean`` finds
/// them: directories walked in sorted order, each file's output path
/// relative to the directory it was found under, its site the name of its
/// folder, its format from its name unless ``format`` is given. Returns
/// ``(files, problems)``; a path that does not exist raises ``OSError``.
#[pyfunction]
#[pyo3(signature = (paths, format = None))]
fn discover(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    format: Option<String>,
) -> PyResult<(Vec<FileTuple>, Vec<String>)> {
    let format = format
        .map(|f| f.parse::<Format>())
        .transpose()
        .map_err(to_py)?;
    let d = py.detach(|| boilerstrip::input::discover(&paths, format));
    if let Some(e) = d.missing.into_iter().next() {
        return Err(to_py(e));
    }
    let mut files = Vec::with_capacity(d.inputs.len());
    for i in d.inputs {
        let path = match i.source {
            boilerstrip::input::Source::File(p) | boilerstrip::input::Source::Stream(p) => p,
            boilerstrip::input::Source::Stdin => {
                return Err(PyValueError::new_err(
                    "standard input cannot be split across workers",
                ))
            }
        };
        files.push((path, i.relative, i.site, i.format.name().to_string()));
    }
    Ok((files, d.problems.iter().map(|e| e.to_string()).collect()))
}

/// [`Events`] that keeps the problems' messages.
#[derive(Default)]
struct Collect(Mutex<Vec<String>>);

impl Events for Collect {
    fn problem(&self, e: &Error) {
        self.0.lock().expect("not poisoned").push(e.to_string());
    }
}

/// The pipeline's inputs for `files` (tuples from `discover`), with the
/// relative paths and sites they were found with; files that cannot be
/// opened any more are problems.
fn inputs_of(files: &[FileTuple], problems: &mut Vec<String>) -> Vec<boilerstrip::input::Input> {
    let mut inputs = Vec::with_capacity(files.len());
    for (path, relative, site, format) in files {
        // Checked by `files_from_py`.
        let format = format.parse::<Format>().ok();
        let mut d = boilerstrip::input::discover(std::slice::from_ref(path), format);
        problems.extend(d.missing.iter().map(|e| e.to_string()));
        if let Some(mut input) = d.inputs.pop() {
            input.relative = relative.clone();
            input.site = site.clone();
            inputs.push(input);
        }
    }
    inputs
}

fn options(threads: i64, text_field: String, group_field: Option<String>) -> PyResult<Options> {
    if text_field.is_empty() {
        return Err(PyValueError::new_err("text_field must not be empty"));
    }
    // Above the machine's limit, the run itself refuses (`pipeline::max_threads`).
    let threads = usize::try_from(threads)
        .ok()
        .filter(|&t| t >= 1)
        .ok_or_else(|| {
            PyValueError::new_err(format!("threads must be at least 1, not {threads}"))
        })?;
    Ok(Options {
        threads,
        format: FormatOptions {
            text_field,
            group_field,
        },
        ..Options::default()
    })
}

/// The file tuples of `files`, each with a format `discover` gives (`text`,
/// `jsonl` or `wet`).
fn files_from_py(files: &Bound<'_, PyAny>) -> PyResult<Vec<FileTuple>> {
    let files: Vec<FileTuple> = files
        .try_iter()?
        .map(|f| f?.extract())
        .collect::<PyResult<_>>()?;
    for (path, _, _, format) in &files {
        if format.parse::<Format>().is_err() {
            return Err(PyValueError::new_err(format!(
                "{}: unknown format {format:?} (text, jsonl or wet)",
                path.display()
            )));
        }
    }
    Ok(files)
}

/// Pass 1 of ``boilerstrip learn`` over ``files`` (from ``discover``):
/// returns ``(model, problems)``.
#[pyfunction]
#[pyo3(
    signature = (files, *, text_field = "text".to_string(), group_field = None, threads = 1),
    text_signature = "(files, *, text_field='text', group_field=None, threads=1)"
)]
fn learn_files(
    py: Python<'_>,
    files: &Bound<'_, PyAny>,
    text_field: String,
    group_field: Option<String>,
    threads: i64,
) -> PyResult<(Model, Vec<String>)> {
    let files = files_from_py(files)?;
    let opts = options(threads, text_field, group_field)?;
    py.detach(move || {
        let mut problems = Vec::new();
        let inputs = inputs_of(&files, &mut problems);
        let events = Collect::default();
        let (stats, _) = pipeline::statistics(&inputs, &opts, &events).map_err(to_py)?;
        problems.extend(events.0.into_inner().expect("not poisoned"));
        Ok((Model::of(stats), problems))
    })
}

/// Pass 2 of ``boilerstrip clean -o OUT_DIR`` over ``files`` (from
/// ``discover``) with ``model``: each output is written at its relative
/// path under ``out_dir``, compressed as its input, through a temporary
/// name. Returns the run's statistics as the JSON text of
/// ``--stats-json`` and the problems.
#[pyfunction]
#[pyo3(
    signature = (files, out_dir, model, *, text_field = "text".to_string(), group_field = None, threads = 1, drop_empty = false),
    text_signature = "(files, out_dir, model, *, text_field='text', group_field=None, threads=1, drop_empty=False)"
)]
#[allow(clippy::too_many_arguments)]
fn clean_files(
    py: Python<'_>,
    files: &Bound<'_, PyAny>,
    out_dir: PathBuf,
    model: &Model,
    text_field: String,
    group_field: Option<String>,
    threads: i64,
    drop_empty: bool,
) -> PyResult<(String, Vec<String>)> {
    let files = files_from_py(files)?;
    let mut opts = options(threads, text_field, group_field)?;
    opts.output = Output::Dir(out_dir.clone());
    opts.drop_empty = drop_empty;
    let stats = Arc::clone(&model.stats);
    py.detach(move || {
        let mut problems = Vec::new();
        let inputs = inputs_of(&files, &mut problems);
        // As the command line checks: no output onto an input, no two
        // inputs to one output.
        let found = boilerstrip::input::Discovery {
            inputs,
            ..Default::default()
        };
        pipeline::check_output_dir(&out_dir, &found)
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let inputs = found.inputs;
        // The pipeline's `Model::Given` owns its table, so each call copies
        // the model once (memory for two copies while it runs); a Spark
        // partition makes one call for all its files.
        opts.model = pipeline::Model::Given((*stats).clone());
        let events = Collect::default();
        let run =
            pipeline::clean(&inputs, cleaner(), &opts, &mut io::sink(), &events).map_err(to_py)?;
        problems.extend(events.0.into_inner().expect("not poisoned"));
        Ok((run.to_json().to_string(), problems))
    })
}

/// Whether `path` could be an output directory for `files`: not an input
/// directory, nor inside one, nor overwriting an input (the command line's
/// check). Raises ``ValueError`` if not.
#[pyfunction]
fn check_output_dir(py: Python<'_>, out_dir: PathBuf, inputs: Vec<PathBuf>) -> PyResult<()> {
    py.detach(move || {
        let d = boilerstrip::input::discover(&inputs, None);
        pipeline::check_output_dir(Path::new(&out_dir), &d)
    })
    .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// The native part of the `boilerstrip` package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Model>()?;
    m.add_function(wrap_pyfunction!(learn, m)?)?;
    m.add_function(wrap_pyfunction!(merge, m)?)?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(clean_batch, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(discover, m)?)?;
    m.add_function(wrap_pyfunction!(learn_files, m)?)?;
    m.add_function(wrap_pyfunction!(clean_files, m)?)?;
    m.add_function(wrap_pyfunction!(check_output_dir, m)?)?;
    m.add("MAX_LINE", MAX_LINE)?;
    Ok(())
}
