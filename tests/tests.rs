//! The one integration-test binary: each module tests one part of the crate.

mod cli;
mod eval;
mod formats;
mod golden;
mod properties;
mod reliability;
mod rules_data;
mod util;
