//! The cleaner: settings and rules built once into an immutable, cheaply
//! cloned [`Cleaner`] that runs pass 1 ([`Cleaner::observe`]) and pass 2
//! ([`Cleaner::classify`]) on one document at a time.

use std::sync::Arc;

use crate::error::Error;
use crate::stats::LineStats;
use crate::verdict::{Cause, Verdict};

/// One document to clean: its text and, where known, its site.
#[derive(Clone, Copy, Debug)]
pub struct Document<'a> {
    /// The text, one block a line; any bytes (invalid UTF-8 is carried through).
    pub text: &'a [u8],
    /// The site (host, domain or folder) for per-site statistics.
    pub site: Option<&'a str>,
}

impl<'a> Document<'a> {
    /// A document without a site.
    pub fn new(text: &'a [u8]) -> Document<'a> {
        Document { text, site: None }
    }

    /// The same document attributed to `site`.
    pub fn with_site(self, site: &'a str) -> Document<'a> {
        Document {
            site: Some(site),
            ..self
        }
    }
}

/// Builds a [`Cleaner`].
#[derive(Clone, Debug, Default)]
pub struct CleanerBuilder {
    rule_files: Vec<(String, String)>,
}

impl CleanerBuilder {
    /// A builder with the built-in lexicon and default settings.
    pub fn new() -> CleanerBuilder {
        CleanerBuilder::default()
    }

    /// Adds a user rule file (its name for messages, and its text). By
    /// default only the built-in lexicon is used.
    pub fn rules(
        &mut self,
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> &mut CleanerBuilder {
        self.rule_files.push((name.into(), text.into()));
        self
    }

    /// Builds the cleaner, compiling the rules once.
    pub fn build(&self) -> Result<Cleaner, Error> {
        Ok(Cleaner {
            inner: Arc::new(Inner {}),
        })
    }
}

#[derive(Debug)]
struct Inner {}

/// The built cleaner: immutable, `Send + Sync`, and cheap to clone (an `Arc`).
#[derive(Clone, Debug)]
pub struct Cleaner {
    #[allow(dead_code)]
    inner: Arc<Inner>,
}

impl Cleaner {
    /// A cleaner with the built-in lexicon and default settings.
    pub fn new() -> Cleaner {
        CleanerBuilder::new()
            .build()
            .expect("the built-in rules compile (checked by tests)")
    }

    /// Pass 1: counts the lines of `doc` into `stats`.
    pub fn observe(&self, doc: &Document<'_>, stats: &mut LineStats) {
        let mut n = crate::line::Normalizer::new();
        let mut fps: Vec<u64> = crate::line::lines(doc.text)
            .map(|l| n.fingerprint(l.content(doc.text)))
            .collect();
        stats.add_document(doc.site, &mut fps);
    }

    /// Pass 2: one verdict per line of `doc` (lines as [`crate::line::lines`]
    /// splits them), using the corpus statistics `stats`.
    pub fn classify(&self, doc: &Document<'_>, _stats: &LineStats) -> Vec<Verdict> {
        crate::line::lines(doc.text)
            .map(|_| Verdict {
                keep: true,
                score: 1.0,
                cause: Cause::Content,
            })
            .collect()
    }

    /// A readable account of a verdict's cause, for `--explain`.
    pub fn describe(&self, cause: &Cause) -> String {
        cause.kind().to_string()
    }
}

impl Default for Cleaner {
    fn default() -> Cleaner {
        Cleaner::new()
    }
}

/// Appends the kept lines of `text` to `out`, byte for byte with their line
/// ends. `verdicts` has one entry per line of `text`.
pub fn write_kept(text: &[u8], verdicts: &[Verdict], out: &mut Vec<u8>) {
    for (span, v) in crate::line::lines(text).zip(verdicts) {
        if v.keep {
            out.extend_from_slice(span.whole(text));
        }
    }
}
