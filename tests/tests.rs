//! The one integration-test binary: each module tests one part of the crate.

mod eval;
mod golden;
mod rules_data;
