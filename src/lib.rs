//! boilerstrip strips web boilerplate from scraped text and keeps the article.
//!
//! Scraped pages come as text, one block a line: the article, and around it
//! share buttons, related-story teasers, paywall and donation appeals,
//! newsletter widgets, cookie notices, app promos and wiki chrome. boilerstrip
//! decides for every line whether it is content, from three kinds of
//! evidence:
//!
//! 1. **the lexicon** ([`rules`]): boilerplate phrases by category, matched
//!    with aho-corasick over normalised lines; user rule files add phrases or
//!    protect them;
//! 2. **the corpus** ([`stats`]): in how many documents of the corpus and of
//!    the same site each normalised line occurs, learned in a first pass;
//!    chrome recurs across a site's pages, article text rarely does;
//! 3. **the page** ([`features`]): line shape, repeats inside the page, the
//!    neighbours and the position relative to the article's prose.
//!
//! A small stacked logistic model ([`model`]) weighs the evidence; its
//! weights are data (`src/model/line-model.txt`), trained by
//! `boilerstrip train` ([`train`]) on annotated pages.
//!
//! # The principal types
//!
//! - [`Cleaner`], built by [`CleanerBuilder`]: the rules and the model,
//!   compiled once, immutable and cheap to clone into threads.
//! - [`LineStats`]: the corpus statistics, a value that adds (`+`), so
//!   per-thread or per-machine tables merge into the same result in any order.
//! - [`Verdict`]: keep or drop for one line, the model's score, and the
//!   [`Cause`] that decided it.
//! - [`pipeline`]: the two passes over files (text, JSONL, WET; gzip, zstd)
//!   in parallel, with [`report::RunStats`] as the run's statistics.
//!
//! # Cleaning a small corpus
//!
//! Pass 1 counts lines into a [`LineStats`]; pass 2 classifies each
//! document with those statistics.
//!
//! ```
//! use boilerstrip::{Cleaner, Document, LineStats};
//!
//! let pages = [
//!     "Share this post\nThe council met on Monday to discuss the harbour wall, which storms damaged last winter.\nSubscribe to our newsletter\n",
//!     "Share this post\nFishing boats returned early on Tuesday as the forecast turned, and the harbour master closed the slipway.\nSubscribe to our newsletter\n",
//! ];
//! let cleaner = Cleaner::new();
//! let mut stats = LineStats::new();
//! for text in &pages {
//!     cleaner.observe(&Document::new(text.as_bytes()).with_site("example.org"), &mut stats);
//! }
//! let doc = Document::new(pages[0].as_bytes()).with_site("example.org");
//! let verdicts = cleaner.classify(&doc, &stats);
//! let mut out = Vec::new();
//! boilerstrip::cleaner::write_kept(doc.text, &verdicts, &mut out);
//! assert_eq!(
//!     String::from_utf8(out)?,
//!     "The council met on Monday to discuss the harbour wall, which storms damaged last winter.\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Asking why
//!
//! Every verdict carries its cause; [`Cleaner::describe`] words it as
//! `--explain` prints it.
//!
//! ```
//! use boilerstrip::{Cause, Cleaner, Document, LineStats};
//!
//! let cleaner = Cleaner::new();
//! let doc = Document::new(b"Share this post\n");
//! let v = cleaner.classify(&doc, &LineStats::new());
//! assert!(!v[0].keep);
//! assert!(matches!(v[0].cause, Cause::Lexicon { .. }));
//! assert_eq!(cleaner.describe(&v[0].cause), "lexicon:share \"share this post\"");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Rules of your own
//!
//! A user rule file adds phrases that always drop a line, and protects
//! phrases (`!`) that always keep one.
//!
//! ```
//! use boilerstrip::{CleanerBuilder, Document, LineStats};
//!
//! let cleaner = CleanerBuilder::new()
//!     .rules("my-rules.txt", "@category promo\n= win a free cruise\n! share this post\n")
//!     .build()?;
//! let doc = Document::new(b"Win a free cruise!\nShare this post\n");
//! let v = cleaner.classify(&doc, &LineStats::new());
//! assert!(!v[0].keep && v[1].keep);
//! assert_eq!(cleaner.cause_name(&v[0].cause), "lexicon:promo");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Statistics learned once, used later
//!
//! ```
//! use boilerstrip::{Cleaner, Document, LineStats};
//!
//! let cleaner = Cleaner::new();
//! let mut stats = LineStats::new();
//! cleaner.observe(&Document::new(b"Menu\nHello\n").with_site("a.org"), &mut stats);
//! let mut file = Vec::new();
//! stats.write_to(&mut file)?;
//! assert_eq!(LineStats::read_from(&file[..])?, stats);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod atomic;
pub mod batch;
pub mod cleaner;
pub mod compress;
mod error;
pub mod eval;
pub mod explain;
pub mod features;
pub mod format;
pub mod input;
pub mod label;
pub mod line;
pub mod model;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod stats;
pub mod train;
pub mod verdict;

pub use cleaner::{Cleaner, CleanerBuilder, Document};

// What the documentation promises a program that shares these across
// threads (a cleaner and frozen statistics in every worker, statistics
// learned in threads and added, errors boxed as `dyn Error + Send + Sync`).
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Cleaner>();
    send_sync::<CleanerBuilder>();
    send_sync::<cleaner::Settings>();
    send_sync::<Document<'_>>();
    send_sync::<LineStats>();
    send_sync::<stats::Merger>();
    send_sync::<Verdict>();
    send_sync::<Error>();
    send_sync::<report::RunStats>();
};
pub use error::Error;
pub use stats::LineStats;
pub use verdict::{Cause, Verdict};
