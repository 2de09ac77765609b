//! boilerstrip strips web boilerplate from scraped text and keeps the article.
#![deny(missing_docs)]

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
pub use error::Error;
pub use stats::LineStats;
pub use verdict::{Cause, Verdict};
