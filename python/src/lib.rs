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
//!   `boilerstrip learn -o`;
//! - [`PyCleaner`] (`boilerstrip.Cleaner`) is a [`Cleaner`] built from the
//!   classifier flags of `boilerstrip clean` (`--rules`, `--threshold`...),
//!   which pass 2 takes in place of the default one. Pass 1 depends on none
//!   of them.
//!
//! The Rust work runs with the GIL released (`Python::detach`): texts are
//! copied out of Python objects first, and results turned into Python
//! objects after.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use boilerstrip::cleaner::{write_kept, Settings, SANDWICH_MAX_WORDS, SITE_TEMPLATE_MIN_DOCS};
use boilerstrip::format::{Format, FormatOptions};
use boilerstrip::pipeline::{self, Events, Options, Output, MAX_LINE};
use boilerstrip::{Cleaner, Document, Error, LineStats, Verdict};
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyFloat, PyInt, PyString, PyTuple};
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

/// The `f32` the command line reads from the text Python shows for `t`:
/// the decimal text parsed straight to `f32`, not through the `f64`, which
/// could round twice and land on the neighbouring `f32` (Rust's `Display`
/// of an `f64` is, as Python's `repr`, the shortest text that reads back
/// as it).
fn threshold_f32(t: f64) -> f32 {
    t.to_string()
        .parse()
        .expect("the text of an f64 parses as an f32")
}

/// A path argument: `str`, `bytes` or `os.PathLike`, as `os.fsdecode` takes
/// them, so that bytes name the file they name on the command line.
fn path_from_py(obj: &Bound<'_, PyAny>) -> PyResult<PathBuf> {
    let os = obj.py().import("os")?;
    os.getattr("fsdecode")?.call1((obj,))?.extract()
}

/// A whole number of `0..=u32::MAX` for the option `name`: ``ValueError``
/// outside, ``TypeError`` for what is not an int.
fn count_from_py(name: &str, obj: &Bound<'_, PyAny>) -> PyResult<u32> {
    if !obj.is_instance_of::<PyInt>() {
        return Err(PyTypeError::new_err(format!(
            "{name} must be an int, not {}",
            obj.get_type().name()?
        )));
    }
    obj.extract::<u32>().map_err(|_| {
        PyValueError::new_err(format!(
            "{name} must be between 0 and {}, not {}",
            u32::MAX,
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        ))
    })
}

/// The classifier's settings: the options of ``boilerstrip clean`` that
/// decide which lines go, with the same names, defaults, meaning and
/// errors. ``clean``, ``clean_batch``, ``explain`` and ``clean_files`` take
/// one as ``cleaner=``; without, they clean as ``Cleaner()`` does, which is
/// ``boilerstrip clean`` without these options.
///
/// - ``rules``: rule files (``--rules``), read and compiled now;
/// - ``line_model``: a line model from ``boilerstrip train``
///   (``--line-model``);
/// - ``threshold``: keep a line whose probability of being content is at
///   least this (``--threshold``, 0 to 1; lower keeps more); ``None`` is the
///   model's own;
/// - ``sandwich_words``, ``template_docs``: ``--sandwich-words``,
///   ``--template-docs`` (0 turns the rule off);
/// - ``soft_lexicon``, ``settle``: ``--soft-lexicon``, ``--settle``;
/// - ``headline``: ``False`` is ``--no-headline``.
///
/// A file that cannot be read raises ``OSError``; a rule file or line model
/// that does not parse, or a value out of range, ``ValueError``, with the
/// command line's message (file and line). A ``Cleaner`` is immutable and
/// may be shared by threads; it pickles with its files' texts, so that it
/// unpickles where the files are not.
#[pyclass(module = "boilerstrip", name = "Cleaner", frozen)]
struct PyCleaner {
    cleaner: Cleaner,
    /// What it was built from, with the files' names and texts as they were
    /// read: a pickle carries these, so it rebuilds the same cleaner where
    /// the files are not (a Spark executor).
    settings: Settings,
    /// The threshold as Python gave it (its `repr` is shown).
    threshold: Option<f64>,
}

impl PyCleaner {
    /// The cleaner of `settings` with the threshold `threshold`.
    fn of(py: Python<'_>, mut settings: Settings, threshold: Option<f64>) -> PyResult<PyCleaner> {
        settings.threshold = threshold.map(threshold_f32);
        let cleaner = py.detach(|| settings.build()).map_err(to_py)?;
        Ok(PyCleaner {
            cleaner,
            settings,
            threshold,
        })
    }
}

#[pymethods]
impl PyCleaner {
    #[new]
    #[pyo3(
        signature = (*, rules = None, line_model = None, threshold = None, sandwich_words = None, template_docs = None, soft_lexicon = false, settle = false, headline = true),
        text_signature = "(*, rules=(), line_model=None, threshold=None, sandwich_words=3, template_docs=3, soft_lexicon=False, settle=False, headline=True)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        rules: Option<&Bound<'_, PyAny>>,
        line_model: Option<&Bound<'_, PyAny>>,
        threshold: Option<f64>,
        sandwich_words: Option<&Bound<'_, PyAny>>,
        template_docs: Option<&Bound<'_, PyAny>>,
        soft_lexicon: bool,
        settle: bool,
        headline: bool,
    ) -> PyResult<PyCleaner> {
        let rule_paths: Vec<PathBuf> = match rules {
            None => Vec::new(),
            Some(r) => {
                if r.is_instance_of::<PyString>()
                    || r.is_instance_of::<PyBytes>()
                    || r.hasattr("__fspath__")?
                {
                    return Err(PyTypeError::new_err(
                        "rules must be a list of paths, not one path",
                    ));
                }
                r.try_iter()?
                    .map(|p| path_from_py(&p?))
                    .collect::<PyResult<_>>()?
            }
        };
        let model_path = line_model.map(path_from_py).transpose()?;
        let sandwich_words = match sandwich_words {
            Some(n) => count_from_py("sandwich_words", n)?,
            None => SANDWICH_MAX_WORDS,
        };
        let template_docs = match template_docs {
            Some(n) => count_from_py("template_docs", n)?,
            None => SITE_TEMPLATE_MIN_DOCS,
        };
        let mut settings = Settings {
            sandwich_words,
            template_docs,
            soft_lexicon,
            settle,
            headline,
            ..Settings::default()
        };
        // Read in the command line's order: rule files, then the model.
        py.detach(|| -> Result<_, Error> {
            for path in &rule_paths {
                settings.read_rules(path)?;
            }
            if let Some(path) = &model_path {
                settings.read_line_model(path)?;
            }
            Ok(())
        })
        .map_err(to_py)?;
        PyCleaner::of(py, settings, threshold)
    }

    /// The rule files' paths, as given.
    #[getter]
    fn rules(&self) -> Vec<String> {
        self.settings.rules.iter().map(|(n, _)| n.clone()).collect()
    }

    /// The line model's path, or ``None`` for the built-in model.
    #[getter]
    fn line_model(&self) -> Option<String> {
        self.settings.line_model.as_ref().map(|(n, _)| n.clone())
    }

    /// The threshold as given, or ``None`` for the model's own.
    #[getter]
    fn threshold(&self) -> Option<f64> {
        self.threshold
    }

    /// The threshold lines are kept at: the one given, or the model's.
    #[getter]
    fn effective_threshold(&self) -> f32 {
        self.cleaner.model().threshold
    }

    #[getter]
    fn sandwich_words(&self) -> u32 {
        self.settings.sandwich_words
    }

    #[getter]
    fn template_docs(&self) -> u32 {
        self.settings.template_docs
    }

    #[getter]
    fn soft_lexicon(&self) -> bool {
        self.settings.soft_lexicon
    }

    #[getter]
    fn settle(&self) -> bool {
        self.settings.settle
    }

    #[getter]
    fn headline(&self) -> bool {
        self.settings.headline
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCleaner>()
            .is_ok_and(|o| o.get().settings == self.settings && o.get().threshold == self.threshold)
    }

    /// Equal cleaners hash alike (``-0.0`` and ``0.0`` are equal
    /// thresholds; a NaN one is refused).
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let s = &self.settings;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        s.rules.hash(&mut h);
        s.line_model.hash(&mut h);
        self.threshold.map(|t| (t + 0.0).to_bits()).hash(&mut h);
        (s.sandwich_words, s.template_docs).hash(&mut h);
        (s.soft_lexicon, s.settle, s.headline).hash(&mut h);
        h.finish()
    }

    /// The settings that differ from the defaults, as keyword arguments.
    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let s = &self.settings;
        let mut parts = Vec::new();
        if !s.rules.is_empty() {
            parts.push(format!("rules={}", self.rules().into_pyobject(py)?.repr()?));
        }
        if let Some(m) = self.line_model() {
            parts.push(format!("line_model={}", PyString::new(py, &m).repr()?));
        }
        if let Some(t) = self.threshold {
            parts.push(format!("threshold={}", PyFloat::new(py, t).repr()?));
        }
        if s.sandwich_words != SANDWICH_MAX_WORDS {
            parts.push(format!("sandwich_words={}", s.sandwich_words));
        }
        if s.template_docs != SITE_TEMPLATE_MIN_DOCS {
            parts.push(format!("template_docs={}", s.template_docs));
        }
        if s.soft_lexicon {
            parts.push("soft_lexicon=True".to_string());
        }
        if s.settle {
            parts.push("settle=True".to_string());
        }
        if !s.headline {
            parts.push("headline=False".to_string());
        }
        Ok(format!("Cleaner({})", parts.join(", ")))
    }

    /// Rebuilds a pickled cleaner from its settings and files' texts.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    fn _restore(
        py: Python<'_>,
        rules: Vec<(String, String)>,
        line_model: Option<(String, String)>,
        threshold: Option<f64>,
        sandwich_words: u32,
        template_docs: u32,
        soft_lexicon: bool,
        settle: bool,
        headline: bool,
    ) -> PyResult<PyCleaner> {
        let settings = Settings {
            rules,
            line_model,
            threshold: None,
            sandwich_words,
            template_docs,
            soft_lexicon,
            settle,
            headline,
        };
        PyCleaner::of(py, settings, threshold)
    }

    /// Pickling carries the settings and the files' texts (not their
    /// paths): the cleaner unpickles the same where the files are not.
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let s = slf.get().settings.clone();
        let args = (
            s.rules,
            s.line_model,
            slf.get().threshold,
            s.sandwich_words,
            s.template_docs,
            s.soft_lexicon,
            s.settle,
            s.headline,
        )
            .into_pyobject(py)?;
        Ok((slf.get_type().getattr("_restore")?, args))
    }
}

/// The cleaner a function was given, or the default one.
fn chosen(c: Option<&PyCleaner>) -> &Cleaner {
    match c {
        Some(c) => &c.cleaner,
        None => cleaner(),
    }
}

fn to_py(e: Error) -> PyErr {
    match e {
        Error::File { .. } | Error::Io(_) | Error::Output(_) | Error::Read { .. } => {
            PyOSError::new_err(e.to_string())
        }
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

/// Pass 1 of `text`. No setting of a `Cleaner` changes it (the command line
/// counts before its cleaner is built, `pipeline::clean_building`), so it
/// runs on the default cleaner whatever pass 2 cleans with.
fn observe(text: &[u8], site: Option<&str>, stats: &mut LineStats) {
    cleaner().observe(&doc(text, site), stats)
}

fn doc<'a>(text: &'a [u8], site: Option<&'a str>) -> Document<'a> {
    Document { text, site }
}

fn classify(c: &Cleaner, text: &[u8], site: Option<&str>, stats: &LineStats) -> Vec<Verdict> {
    c.classify(&doc(text, site), stats)
}

fn kept(c: &Cleaner, text: &[u8], site: Option<&str>, stats: &LineStats) -> Vec<u8> {
    let verdicts = classify(c, text, site, stats);
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
/// on a single file. ``cleaner`` (a ``Cleaner``) sets the classifier
/// options; the default is ``Cleaner()``.
#[pyfunction]
#[pyo3(signature = (text, model = None, site = None, *, cleaner = None))]
fn clean(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    model: Option<&Model>,
    site: Option<String>,
    cleaner: Option<&PyCleaner>,
) -> PyResult<Py<PyAny>> {
    let text = Text::from_py(text)?;
    let c = chosen(cleaner);
    let out = py.detach(|| {
        let own = own_stats(model, text.bytes(), site.as_deref());
        kept(c, text.bytes(), site.as_deref(), stats_or(model, &own))
    });
    Ok(text.same_kind(py, out))
}

/// Cleans many texts in parallel. Without a model, a model is learned over
/// ``texts`` first, as ``boilerstrip clean`` does over a corpus.
/// ``cleaner`` as for ``clean``.
#[pyfunction]
#[pyo3(signature = (texts, sites = None, model = None, *, cleaner = None))]
fn clean_batch(
    py: Python<'_>,
    texts: &Bound<'_, PyAny>,
    sites: Option<&Bound<'_, PyAny>>,
    model: Option<&Model>,
    cleaner: Option<&PyCleaner>,
) -> PyResult<Vec<Py<PyAny>>> {
    let texts = texts_from_py(texts)?;
    let sites = sites_from_py(sites, texts.len())?;
    let c = chosen(cleaner);
    let outs: Vec<Vec<u8>> = py.detach(|| {
        let own = model.is_none().then(|| learn_all(&texts, &sites));
        let stats = stats_or(model, &own);
        texts
            .par_iter()
            .zip(&sites)
            .map(|(t, s)| kept(c, t.bytes(), s.as_deref(), stats))
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
/// ``clean``, and ``cleaner`` too.
#[pyfunction]
#[pyo3(signature = (text, model = None, site = None, *, cleaner = None))]
fn explain(
    py: Python<'_>,
    text: &Bound<'_, PyAny>,
    model: Option<&Model>,
    site: Option<String>,
    cleaner: Option<&PyCleaner>,
) -> PyResult<Vec<LineVerdict>> {
    let text = Text::from_py(text)?;
    let c = chosen(cleaner);
    let verdicts = py.detach(|| {
        let own = own_stats(model, text.bytes(), site.as_deref());
        classify(c, text.bytes(), site.as_deref(), stats_or(model, &own))
    });
    let bytes = text.bytes();
    Ok(boilerstrip::line::lines(bytes)
        .zip(&verdicts)
        .map(|(span, v)| {
            let content = span.content(bytes).to_vec();
            (
                v.keep,
                v.score,
                c.describe(&v.cause),
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
/// name. ``cleaner`` as for ``clean``. Returns the run's statistics as the
/// JSON text of ``--stats-json`` and the problems.
#[pyfunction]
#[pyo3(
    signature = (files, out_dir, model, *, text_field = "text".to_string(), group_field = None, threads = 1, drop_empty = false, cleaner = None),
    text_signature = "(files, out_dir, model, *, text_field='text', group_field=None, threads=1, drop_empty=False, cleaner=None)"
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
    cleaner: Option<&PyCleaner>,
) -> PyResult<(String, Vec<String>)> {
    let files = files_from_py(files)?;
    let mut opts = options(threads, text_field, group_field)?;
    opts.output = Output::Dir(out_dir.clone());
    opts.drop_empty = drop_empty;
    let stats = Arc::clone(&model.stats);
    let c = chosen(cleaner).clone();
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
        let run = pipeline::clean(&inputs, &c, &opts, &mut io::sink(), &events).map_err(to_py)?;
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
    m.add_class::<PyCleaner>()?;
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
