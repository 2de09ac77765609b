//! The one integration-test binary.

mod cli;
mod formats;
mod util;
