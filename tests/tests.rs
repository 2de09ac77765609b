//! The one integration-test binary.

mod golden;
mod rules_data;
