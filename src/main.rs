//! The `boilerstrip` program: glue over the library.
//!
//! The command line lives in `src/cli/`, as modules of this binary, not of
//! the library: clap, anyhow and indicatif then stay out of the library's
//! API and out of its build when the `cli` feature is off (the binary needs
//! the feature, see `required-features` in Cargo.toml), without `cfg`
//! attributes spread over `lib.rs`.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
